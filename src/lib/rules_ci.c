/* SPDX-License-Identifier: MIT */
/*
 * Rules about consumers: CI jobs that log in with stored long-lived keys,
 * credential literals in workflows and manifests, one identity used by
 * several consumers, and one key referenced in several places. They read
 * the consumers, their logins and the cross-provider edges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "strmap.h"
#include "util.h"

static const nhi_decl *decl_at(const nhi_audit *audit, int index)
{
    return index >= 0 ? &audit->workspace->decls.items[index] : NULL;
}

static int location_evidence(nhi_finding *finding,
                             const nhi_location *location,
                             const char *detail)
{
    return nhi_finding_add_evidence(finding, location->source, location->line,
                                    location->column, location->json_path,
                                    NULL, NULL, detail)
               ? NHI_OK
               : NHI_ENOMEM;
}

static bool same_location(const nhi_location *a, const nhi_location *b)
{
    return a->source == b->source && a->line == b->line &&
           a->column == b->column;
}

/* The identity a static login reaches: the key's owner, when known. */
/* The edges that leave each consumer: those of consumer c are
 * items[start[c] .. start[c + 1]), as indexes into graph->edges. */
typedef struct consumer_edges {
    size_t *start;
    size_t *items;
} consumer_edges;

static int index_consumer_edges(const nhi_graph *graph, consumer_edges *index)
{
    size_t *fill = calloc(graph->consumer_count + 1, sizeof(size_t));

    index->start = calloc(graph->consumer_count + 2, sizeof(size_t));
    index->items = malloc((graph->edge_count + 1) * sizeof(size_t));
    if (fill == NULL || index->start == NULL || index->items == NULL) {
        free(fill);
        return NHI_ENOMEM;
    }
    for (size_t e = 0; e < graph->edge_count; e++)
        if (graph->edges[e].from_kind == NHI_NODE_CONSUMER)
            index->start[graph->edges[e].from + 1]++;
    for (size_t c = 0; c < graph->consumer_count; c++)
        index->start[c + 1] += index->start[c];
    for (size_t e = 0; e < graph->edge_count; e++) {
        size_t from = graph->edges[e].from;
        if (graph->edges[e].from_kind == NHI_NODE_CONSUMER)
            index->items[index->start[from] + fill[from]++] = e;
    }
    free(fill);
    return NHI_OK;
}

static const nhi_edge *login_edge(const nhi_graph *graph,
                                  const consumer_edges *index,
                                  const nhi_consumer *consumer,
                                  const nhi_login *login)
{
    for (size_t k = index->start[consumer->index];
         k < index->start[consumer->index + 1]; k++) {
        const nhi_edge *edge = &graph->edges[index->items[k]];
        if (edge->valid && same_location(&edge->location, &login->location))
            return edge;
    }
    return NULL;
}

static const char *provider_of_login(nhi_login_kind kind)
{
    switch (kind) {
    case NHI_LOGIN_AWS_ROLE:
    case NHI_LOGIN_AWS_KEY:
        return "AWS";
    case NHI_LOGIN_GCP_FEDERATION:
    case NHI_LOGIN_GCP_KEY:
        return "Google Cloud";
    case NHI_LOGIN_AZURE_FEDERATION:
    case NHI_LOGIN_AZURE_SECRET:
        return "Azure";
    case NHI_LOGIN_KIND_COUNT:
        break;
    }
    return "a cloud";
}

static const char *credential_words(nhi_login_kind kind)
{
    switch (kind) {
    case NHI_LOGIN_AWS_KEY:
        return "a stored access key";
    case NHI_LOGIN_GCP_KEY:
        return "a stored service-account key";
    case NHI_LOGIN_AZURE_SECRET:
        return "a stored client secret";
    default:
        return "a stored credential";
    }
}

/* The finding of `rule` about `consumer` and `subject` made since
 * `from`, or NULL: one key used by two steps of a job is one finding. */
static nhi_finding *earlier_finding(nhi_findings *findings, size_t from,
                                    const nhi_rule_info *rule,
                                    const nhi_consumer *consumer,
                                    const char *subject)
{
    for (size_t i = from; i < findings->count; i++) {
        nhi_finding *finding = &findings->items[i];
        if (finding->rule == rule && finding->consumer == consumer &&
            finding->subject && strcmp(finding->subject, subject) == 0)
            return finding;
    }
    return NULL;
}

/* cred.ci-static-cloud-key: one finding per key a job logs in with. A job
 * that outside contributors can start (pull_request_target and the like)
 * runs with that key in reach of their code: one level more severe. */
static int rule_static_keys(nhi_audit *audit, const consumer_edges *index)
{
    const nhi_rule_info *rule = nhi_rule_find("cred.ci-static-cloud-key");
    const nhi_graph *graph = audit->graph;

    for (size_t c = 0; c < graph->consumer_count; c++) {
        const nhi_consumer *job = graph->consumers[c];
        size_t first = audit->findings.count;
        for (size_t i = 0; i < job->login_count; i++) {
            const nhi_login *login = &job->logins[i];
            const nhi_edge *edge;
            const nhi_identity *owner = NULL;
            nhi_severity severity = nhi_audit_severity(audit, rule);
            const char *name;
            nhi_finding *finding;

            if (!nhi_login_is_static(login->kind))
                continue;
            edge = login_edge(graph, index, job, login);
            if (edge && edge->to_kind == NHI_NODE_IDENTITY && !edge->possible)
                owner = graph->identities[edge->to];
            if (job->untrusted_trigger && severity > NHI_SEVERITY_CRITICAL)
                severity = (nhi_severity)(severity - 1);
            name = login->key_id   ? login->key_id
                   : login->secret ? login->secret
                                   : "an inline value";
            finding = earlier_finding(&audit->findings, first, rule, job, name);
            if (finding) {
                if (location_evidence(finding, &login->location,
                                      login->step) < 0)
                    return NHI_ENOMEM;
                continue;
            }
            finding = nhi_findings_add_consumer(
                &audit->findings, rule, severity, job, owner,
                owner ? decl_at(audit, owner->declaration) : NULL, name,
                "%s logs in to %s with %s (%s)%s", job->id,
                provider_of_login(login->kind), credential_words(login->kind),
                name,
                job->untrusted_trigger
                    ? "; outside contributors can trigger the workflow"
                    : "");
            if (finding == NULL)
                return NHI_ENOMEM;
            if (location_evidence(finding, &login->location,
                                  login->step ? login->step : NULL) < 0)
                return NHI_ENOMEM;
            if (edge && location_evidence(finding, &edge->location,
                                          edge->detail) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

/* cred.plaintext-secret: shown as kind and fingerprint, never the value.
 * An access key id is not secret by itself: two levels lower. */
static int rule_plaintext(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("cred.plaintext-secret");
    const nhi_graph *graph = audit->graph;
    size_t first = audit->findings.count;

    for (size_t p = 0; p < graph->plaintext_count; p++) {
        const nhi_plaintext *plain = graph->plaintexts[p];
        nhi_severity severity = nhi_audit_severity(audit, rule);
        char subject[96];
        nhi_finding *finding;

        if (strcmp(plain->kind, "aws-access-key-id") == 0)
            severity = nhi_severity_lower(nhi_severity_lower(severity));
        snprintf(subject, sizeof(subject), "%s %s", plain->kind,
                 plain->fingerprint);
        /* The same value twice in one consumer (or outside any): one
         * finding, each place as evidence. */
        finding = earlier_finding(&audit->findings, first, rule,
                                  plain->consumer, subject);
        if (finding) {
            if (location_evidence(finding, &plain->location, NULL) < 0)
                return NHI_ENOMEM;
            continue;
        }
        finding = nhi_findings_add_consumer(
            &audit->findings, rule, severity, plain->consumer, NULL, NULL,
            subject, "a literal %s%s%s is written in %s (fingerprint %s)",
            plain->kind, plain->key ? " under " : "",
            plain->key ? plain->key : "", plain->location.source,
            plain->fingerprint);
        if (finding == NULL ||
            location_evidence(finding, &plain->location, NULL) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* ---- reuse ---- */

/* A user of an identity: a consumer, or a service account that becomes
 * the identity through IRSA (its own workloads are its users). */
typedef struct user {
    const char *id;
    const char *kind;
    const char *environment;
    const nhi_location *location;
    const nhi_consumer *consumer; /* NULL for a service account */
} user;

typedef struct user_list {
    user *items;
    size_t count;
    size_t capacity;
} user_list;

static int add_user(user_list *list, const user *item)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].id, item->id) == 0)
            return NHI_OK;
    if (nhi_grow((void **)&list->items, &list->capacity, list->count + 1,
                 sizeof(*list->items)) < 0)
        return NHI_ENOMEM;
    list->items[list->count++] = *item;
    return NHI_OK;
}

static int add_consumer_user(user_list *list, const nhi_consumer *consumer)
{
    /* The environment a consumer runs in: the config's, else the name of
     * its deployment environment. */
    user item = {consumer->id, nhi_consumer_kind_name(consumer->kind),
                 consumer->environment ? consumer->environment
                                       : consumer->deployment,
                 &consumer->location, consumer};
    return add_user(list, &item);
}

static size_t environments_spanned(const user_list *users)
{
    size_t count = 0;

    for (size_t i = 0; i < users->count; i++) {
        const char *env = users->items[i].environment;
        bool seen = env == NULL;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *other = users->items[j].environment;
            seen = other && strcmp(other, env) == 0;
        }
        if (!seen)
            count++;
    }
    return count;
}

/* Is `id` listed in the declaration's `consumers:` (or, for a service
 * account, in its `identities:`)? Kubernetes ids may carry a `CLUSTER/`
 * prefix that the declaration leaves out. */
static bool declared_user(const nhi_decl *decl, const char *id)
{
    size_t own = strlen(id);

    for (size_t i = 0; decl && i < decl->consumer_count + decl->identity_count;
         i++) {
        const char *listed = i < decl->consumer_count
                                 ? decl->consumers[i].id
                                 : decl->identities[i - decl->consumer_count].id;
        size_t length = strlen(listed);
        if (strcmp(id, listed) == 0 ||
            (own > length && id[own - length - 1] == '/' &&
             strcmp(id + own - length, listed) == 0))
            return true;
    }
    return false;
}

/* Whether a service-account user of an IRSA role is declared through a
 * workload that runs as it: the declaration lists the Deployment, not the
 * account. */
static bool declared_workload(const nhi_graph *graph, const nhi_decl *decl,
                              const user *item)
{
    const nhi_identity *account;

    if (item->consumer != NULL ||
        (account = nhi_graph_find_identity(graph, item->id)) == NULL)
        return false;
    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *edge = &graph->edges[e];
        if (strcmp(edge->kind, "runs-as") == 0 && edge->to == account->index &&
            declared_user(decl, graph->consumers[edge->from]->id))
            return true;
    }
    return false;
}

static int shared_identity(nhi_audit *audit, const nhi_identity *identity,
                           const user_list *users)
{
    const nhi_rule_info *rule = nhi_rule_find("reuse.shared-identity");
    const nhi_decl *decl = decl_at(audit, identity->declaration);
    nhi_severity severity = nhi_audit_severity(audit, rule);
    size_t environments = environments_spanned(users);
    unsigned capabilities = audit->blast_capabilities
                                ? audit->blast_capabilities[identity->index]
                                : 0;
    bool all_declared = decl != NULL;
    nhi_finding *finding;

    if (identity->class_ == NHI_CLASS_PROVIDER_MANAGED ||
        identity->class_ == NHI_CLASS_HUMAN)
        return NHI_OK;
    for (size_t i = 0; i < users->count; i++)
        all_declared = all_declared &&
                       (declared_user(decl, users->items[i].id) ||
                        declared_workload(audit->graph, decl,
                                          &users->items[i]));
    /* Broader grants and more environments make sharing worse. */
    if (capabilities && severity > NHI_SEVERITY_CRITICAL)
        severity = (nhi_severity)(severity - 1);
    if ((capabilities & NHI_CAPABILITY_ADMIN) && severity > NHI_SEVERITY_CRITICAL)
        severity = (nhi_severity)(severity - 1);
    if (environments > 1 && severity > NHI_SEVERITY_CRITICAL)
        severity = (nhi_severity)(severity - 1);
    if (all_declared)
        severity = nhi_severity_lower(severity);
    if (identity->class_ == NHI_CLASS_UNKNOWN)
        severity = nhi_severity_lower(severity);

    finding = nhi_findings_add(
        &audit->findings, rule, severity, identity, decl, NULL,
        "%zu consumers use %s%s%s", users->count, identity->id,
        environments > 1 ? ", across several environments" : "",
        all_declared ? "; the declaration lists each of them" : "");
    if (finding == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < users->count; i++) {
        const user *item = &users->items[i];
        char *detail = nhi_asprintf("%s %s%s%s", item->kind, item->id,
                                    item->environment ? ", environment " : "",
                                    item->environment ? item->environment : "");
        int status = detail ? location_evidence(finding, item->location, detail)
                            : NHI_ENOMEM;
        free(detail);
        if (status < 0)
            return status;
    }
    return NHI_OK;
}

/*
 * reuse.shared-identity. The users of an identity are the consumers with
 * a valid edge to it that the input names, not a role guessed for a
 * secret. The service accounts that become it through IRSA count once
 * each, because the workloads sharing an account are the account's
 * finding.
 */
static int rule_shared_identity(nhi_audit *audit)
{
    const nhi_graph *graph = audit->graph;
    user_list *users = calloc(graph->identity_count + 1, sizeof(*users));
    int result = NHI_OK;

    if (users == NULL)
        return NHI_ENOMEM;
    for (size_t e = 0; e < graph->edge_count && result == NHI_OK; e++) {
        const nhi_edge *edge = &graph->edges[e];
        if (edge->to_kind != NHI_NODE_IDENTITY || !edge->valid ||
            edge->inferred)
            continue;
        if (edge->from_kind == NHI_NODE_CONSUMER) {
            result = add_consumer_user(&users[edge->to],
                                       graph->consumers[edge->from]);
        } else if (edge->from_kind == NHI_NODE_IDENTITY &&
                   strcmp(edge->kind, "irsa") == 0) {
            const nhi_identity *account = graph->identities[edge->from];
            user item = {account->id,
                         nhi_identity_kind_name(account->kind),
                         account->environment, &edge->location, NULL};
            result = add_user(&users[edge->to], &item);
        }
    }
    for (size_t i = 0; i < graph->identity_count && result == NHI_OK; i++)
        if (users[i].count > 1)
            result = shared_identity(audit, graph->identities[i], &users[i]);
    for (size_t i = 0; i < graph->identity_count; i++)
        free(users[i].items);
    free(users);
    return result;
}

/* Logins grouped by what they use, and the consumers in each group. */
typedef struct login_group {
    const char *key;          /* interned, from the group's login_key */
    const nhi_consumer *first;
    const nhi_login *login;
    user_list users;
} login_group;

typedef struct login_groups {
    login_group *items;
    size_t count;
    size_t capacity;
    nhi_strmap index;         /* key -> position + 1 */
} login_groups;

static void free_groups(login_groups *groups)
{
    for (size_t g = 0; g < groups->count; g++)
        free(groups->items[g].users.items);
    free(groups->items);
    nhi_strmap_free(&groups->index);
}

/* The scope in which a secret or variable name means one thing: the
 * repository, or the file when the repository is not known, because a
 * file is in one repository. It only groups logins, and findings never
 * show it. */
static const char *secret_scope(const nhi_consumer *job)
{
    return job->repository ? job->repository : job->location.source;
}

/* The key of a stored key: its id where written, else the secret that
 * contains it within its scope. False for other logins. */
static bool static_key(const nhi_audit *audit, const nhi_consumer *job,
                       const nhi_login *login, char *key, size_t size)
{
    (void)audit;
    if (!nhi_login_is_static(login->kind))
        return false;
    if (login->key_id)
        snprintf(key, size, "%s", login->key_id);
    else if (login->secret && secret_scope(job))
        snprintf(key, size, "%s:%s", secret_scope(job), login->secret);
    else
        return false;
    return true;
}

/* The key of a federated login whose role the graph does not hold: the
 * role as written, or the variable that chooses it within its scope. A
 * written role of the graph is judged as that identity instead. */
static bool unresolved_role(const nhi_audit *audit, const nhi_consumer *job,
                            const nhi_login *login, char *key, size_t size)
{
    if (nhi_login_is_static(login->kind) || login->target == NULL ||
        (!login->target_expression &&
         nhi_graph_find_identity(audit->graph, login->target)))
        return false;
    if (login->target_expression)
        snprintf(key, size, "%s:%s", secret_scope(job), login->target);
    else
        snprintf(key, size, "%s", login->target);
    return true;
}

typedef bool (*login_key)(const nhi_audit *audit, const nhi_consumer *job,
                          const nhi_login *login, char *key, size_t size);

/* Group every login that `key_of` gives a key, by that key. */
static int group_logins(nhi_audit *audit, login_key key_of,
                        login_groups *groups)
{
    const nhi_graph *graph = audit->graph;

    memset(groups, 0, sizeof(*groups));
    for (size_t c = 0; c < graph->consumer_count; c++) {
        const nhi_consumer *job = graph->consumers[c];
        for (size_t i = 0; i < job->login_count; i++) {
            const nhi_login *login = &job->logins[i];
            char key[1024];
            const char *interned;
            size_t position;

            if (!key_of(audit, job, login, key, sizeof(key)))
                continue;
            interned = nhi_graph_intern(audit->graph, key);
            if (interned == NULL)
                return NHI_ENOMEM;
            position = (size_t)(uintptr_t)nhi_strmap_get(
                &groups->index, interned, strlen(interned));
            if (position == 0) {
                if (nhi_grow((void **)&groups->items, &groups->capacity,
                             groups->count + 1, sizeof(*groups->items)) < 0)
                    return NHI_ENOMEM;
                memset(&groups->items[groups->count], 0,
                       sizeof(*groups->items));
                groups->items[groups->count].key = interned;
                groups->items[groups->count].first = job;
                groups->items[groups->count].login = login;
                groups->count++;
                position = groups->count;
                if (nhi_strmap_put(&groups->index, interned, strlen(interned),
                                   (void *)(uintptr_t)position) < 0)
                    return NHI_ENOMEM;
            }
            if (add_consumer_user(&groups->items[position - 1].users, job) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

static int users_evidence(nhi_finding *finding, const user_list *users)
{
    for (size_t i = 0; i < users->count; i++)
        if (location_evidence(finding, users->items[i].location,
                              users->items[i].id) < 0)
            return NHI_ENOMEM;
    return NHI_OK;
}

/*
 * reuse.shared-credential: one static key used by several consumers. A
 * key is known by its id where the input shows it, else by the secret
 * that contains it within one repository, because secrets are scoped to
 * a repository.
 */
static int rule_shared_credential(nhi_audit *audit,
                                  const consumer_edges *index)
{
    const nhi_rule_info *rule = nhi_rule_find("reuse.shared-credential");
    const nhi_graph *graph = audit->graph;
    login_groups groups;
    int result = group_logins(audit, static_key, &groups);

    for (size_t g = 0; g < groups.count && result == NHI_OK; g++) {
        const login_group *use = &groups.items[g];
        const nhi_edge *edge;
        const nhi_identity *owner = NULL;
        nhi_finding *finding;

        if (use->users.count < 2)
            continue;
        edge = login_edge(graph, index, use->first, use->login);
        if (edge && edge->to_kind == NHI_NODE_IDENTITY && !edge->possible)
            owner = graph->identities[edge->to];
        finding = nhi_findings_add_consumer(
            &audit->findings, rule, nhi_audit_severity(audit, rule), use->first,
            owner, owner ? decl_at(audit, owner->declaration) : NULL,
            use->login->key_id ? use->login->key_id : use->login->secret,
            "%zu consumers use the same stored key %s", use->users.count,
            use->login->key_id ? use->login->key_id : use->login->secret);
        result = finding ? users_evidence(finding, &use->users) : NHI_ENOMEM;
    }
    free_groups(&groups);
    return result;
}

/*
 * reuse.shared-identity for roles no export shows: several jobs log in
 * to the same role ARN, or to the role one variable names (in one
 * repository), so they share it whatever it turns out to be.
 */
static int rule_shared_unresolved(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("reuse.shared-identity");
    login_groups groups;
    int result = group_logins(audit, unresolved_role, &groups);

    for (size_t g = 0; g < groups.count && result == NHI_OK; g++) {
        const login_group *use = &groups.items[g];
        nhi_severity severity = nhi_audit_severity(audit, rule);
        size_t environments = environments_spanned(&use->users);
        nhi_finding *finding;

        if (use->users.count < 2)
            continue;
        if (environments > 1 && severity > NHI_SEVERITY_CRITICAL)
            severity = (nhi_severity)(severity - 1);
        finding = nhi_findings_add_consumer(
            &audit->findings, rule, severity, use->first, NULL, NULL,
            use->login->target, "%zu consumers log in to the same %s %s%s%s",
            use->users.count,
            use->login->kind == NHI_LOGIN_AWS_ROLE ? "role" : "identity",
            use->login->target,
            environments > 1 ? ", across several environments" : "",
            use->login->target_expression
                ? "; the variable names one role for all of them"
                : "; no export shows it, so its grants are not judged");
        result = finding ? users_evidence(finding, &use->users) : NHI_ENOMEM;
    }
    free_groups(&groups);
    return result;
}

/*
 * The environment a consumer runs in, for move.cross-environment: its
 * cluster's from nhi.yaml, else its deployment environment when the name
 * is a usual one. A name such as `github-pages` names no stage.
 */
static const char *consumer_stage(const nhi_consumer *consumer)
{
    static const char *const usual[] = {
        "production", "prod",    "staging", "stage",       "dev",
        "development", "test",   "testing", "qa",          "preview",
        "sandbox",    "nonprod", "uat",     "integration"};

    if (consumer->environment)
        return consumer->environment;
    for (size_t i = 0; consumer->deployment && i < sizeof(usual) / sizeof(usual[0]);
         i++)
        if (strcasecmp(consumer->deployment, usual[i]) == 0)
            return consumer->deployment;
    return NULL;
}

/*
 * move.cross-environment for consumers: a job or workload of a
 * non-production environment whose login or account is a production
 * identity. Identities that reach production further on have their own
 * finding.
 */
static int rule_cross_environment(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("move.cross-environment");
    const nhi_graph *graph = audit->graph;

    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *edge = &graph->edges[e];
        const nhi_consumer *consumer;
        const nhi_identity *target;
        const char *stage;
        nhi_finding *finding;

        if (edge->from_kind != NHI_NODE_CONSUMER ||
            edge->to_kind != NHI_NODE_IDENTITY || !edge->valid ||
            edge->inferred)
            continue;
        consumer = graph->consumers[edge->from];
        target = graph->identities[edge->to];
        stage = consumer_stage(consumer);
        if (stage == NULL || nhi_environment_is_production(stage) ||
            !nhi_environment_is_production(target->environment))
            continue;
        finding = nhi_findings_add_consumer(
            &audit->findings, rule, nhi_audit_severity(audit, rule), consumer,
            target, decl_at(audit, target->declaration), target->id,
            "%s runs in %s and becomes %s, of production", consumer->id, stage,
            target->id);
        if (finding == NULL ||
            !nhi_finding_add_hop(finding, consumer->id, target->id, edge->kind,
                                 edge->location.source, edge->location.line,
                                 edge->location.column,
                                 edge->location.json_path, NULL, NULL,
                                 edge->detail) ||
            location_evidence(finding, &edge->location, edge->detail) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

int nhi_rules_ci(nhi_audit *audit)
{
    consumer_edges index = {NULL, NULL};
    int result = index_consumer_edges(audit->graph, &index);

    if (result >= 0)
        result = rule_static_keys(audit, &index);
    if (result >= 0)
        result = rule_plaintext(audit);
    if (result >= 0)
        result = rule_shared_identity(audit);
    if (result >= 0)
        result = rule_shared_unresolved(audit);
    if (result >= 0)
        result = rule_shared_credential(audit, &index);
    if (result >= 0)
        result = rule_cross_environment(audit);
    free(index.start);
    free(index.items);
    return result;
}
