/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes rules. They judge what service accounts, and AWS identities
 * mapped into a cluster by aws-auth or an access entry, can do through
 * RBAC. They also report legacy token secrets, workloads on the default
 * service account or with a token they may not need, and people allowed
 * to impersonate service accounts, and compare declared actions with
 * RBAC grants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"
#include "strmap.h"
#include "util.h"

static const nhi_decl *decl_at(const nhi_audit *audit, int index)
{
    return index >= 0 ? &audit->workspace->decls.items[index] : NULL;
}

/* RBAC rules judge workload service accounts, and unknown ones one level
 * lower. The cluster's own controllers (provider-managed) are skipped. */
static bool judged(const nhi_identity *identity, nhi_severity *severity)
{
    if (identity->class_ == NHI_CLASS_WORKLOAD)
        return true;
    if (identity->class_ == NHI_CLASS_UNKNOWN) {
        *severity = nhi_severity_lower(*severity);
        return true;
    }
    return false;
}

/* Kubernetes RBAC has no deny: a grant goes by changing what grants it. */
#define RBAC_REMEDY                                                           \
    "Kubernetes RBAC has no deny rule: remove the verb or resource from the " \
    "role's rule shown, bind a narrower role, or remove the binding. "        \
    "Then declare only what the workload needs."

static int location_evidence(nhi_finding *finding,
                             const nhi_location *location, const char *detail)
{
    return nhi_finding_add_evidence(finding, location->source, location->line,
                                    location->column, location->json_path,
                                    NULL, NULL, detail)
               ? NHI_OK
               : NHI_ENOMEM;
}

/* Evidence for a grant: the binding, and the role's rule. */
static int grant_evidence(nhi_finding *finding, const nhi_k8s_grant *grant)
{
    char *detail;
    int status;

    if (grant->binding == NULL)
        return location_evidence(finding, &(nhi_location){0},
                                 "member of group system:masters, which the "
                                 "API server lets do anything");
    detail = nhi_asprintf("%s %s%s%s binds %s %s", grant->binding->namespace_
                                                       ? "RoleBinding"
                                                       : "ClusterRoleBinding",
                          grant->binding->namespace_ ? grant->binding->namespace_
                                                     : "",
                          grant->binding->namespace_ ? "/" : "",
                          grant->binding->name, grant->binding->role_kind,
                          grant->binding->role_name);
    status = detail ? location_evidence(finding, &grant->binding->location,
                                        detail)
                    : NHI_ENOMEM;
    free(detail);
    if (status < 0 || grant->role == NULL)
        return status;
    detail = nhi_asprintf("%s %s, rules[%zu]", grant->role->namespace_
                                                   ? "Role"
                                                   : "ClusterRole",
                          grant->role->name, grant->rule);
    status = detail ? location_evidence(finding, &grant->role->location, detail)
                    : NHI_ENOMEM;
    free(detail);
    return status;
}

/* A subject and where it comes from: a service account, or an AWS
 * identity with the Kubernetes user and groups a mapping gives it. */
typedef struct k8s_principal {
    const nhi_identity *identity;
    nhi_k8s_who who;
    const nhi_edge *mapping; /* NULL for service accounts */
} k8s_principal;

/* Service-account power, to compare who can become whom: 3 cluster
 * admin, 2 reads secrets cluster-wide, 1 has a cloud role (IRSA or
 * GKE annotation), 0 none of these. */
static int power_of(const nhi_graph *graph, const nhi_identity *account,
                    const nhi_k8s_who *who)
{
    if (nhi_k8s_is_cluster_admin(graph, who, NULL))
        return 3;
    if (nhi_k8s_can(graph, who, "get", "", "secrets", NULL, NULL) ||
        nhi_k8s_can(graph, who, "list", "", "secrets", NULL, NULL))
        return 2;
    if (account && (account->irsa_role || account->gcp_account))
        return 1;
    return 0;
}

static int rule_cluster_admin(nhi_audit *audit, const k8s_principal *p,
                              bool *admin)
{
    const nhi_rule_info *rule = nhi_rule_find("k8s.cluster-admin");
    nhi_severity severity = nhi_audit_severity(audit, rule);
    nhi_k8s_grant grant;
    nhi_finding *finding;

    *admin = false;
    if (!nhi_k8s_is_cluster_admin(audit->graph, &p->who, &grant))
        return NHI_OK;
    *admin = true;
    if (!judged(p->identity, &severity))
        return NHI_OK;
    finding = nhi_findings_add(
        &audit->findings, rule, severity, p->identity,
        decl_at(audit, p->identity->declaration), p->who.cluster,
        "%s can do anything in cluster %s%s", p->identity->id,
        p->who.cluster ? p->who.cluster : "(unnamed)",
        p->mapping ? ", through its aws-auth or access-entry mapping" : "");
    if (finding == NULL)
        return NHI_ENOMEM;
    if (p->mapping &&
        location_evidence(finding, &p->mapping->location, p->mapping->detail) < 0)
        return NHI_ENOMEM;
    return grant_evidence(finding, &grant);
}

static int rule_secrets_read(nhi_audit *audit, const k8s_principal *p)
{
    static const char *const verbs[] = {"get", "list", "watch"};
    const nhi_rule_info *rule = nhi_rule_find("k8s.secrets-read");
    nhi_severity severity = nhi_audit_severity(audit, rule);

    nhi_k8s_grant grant, best_grant = {0};
    const char *where = NULL, *best_where = NULL, *best_verb = NULL;
    nhi_finding *finding;

    if (!judged(p->identity, &severity))
        return NHI_OK;
    /* The widest grant wins: any verb in every namespace over one
     * namespace. */
    for (size_t v = 0; v < 3; v++) {
        if (!nhi_k8s_can_somewhere(audit->graph, &p->who, verbs[v], "",
                                   "secrets", &grant, &where))
            continue;
        if (best_verb == NULL || (best_where != NULL && where == NULL)) {
            best_verb = verbs[v];
            best_where = where;
            best_grant = grant;
        }
    }
    if (best_verb == NULL)
        return NHI_OK;
    /* Within one namespace the reach is smaller: one level lower. */
    if (best_where)
        severity = nhi_severity_lower(severity);
    finding = nhi_findings_add(
        &audit->findings, rule, severity, p->identity,
        decl_at(audit, p->identity->declaration),
        best_where ? best_where : "*", "%s can %s secrets %s%s",
        p->identity->id, best_verb,
        best_where ? "in namespace " : "in every namespace",
        best_where ? best_where : "");
    if (finding == NULL)
        return NHI_ENOMEM;
    if (p->mapping && location_evidence(finding, &p->mapping->location,
                                        p->mapping->detail) < 0)
        return NHI_ENOMEM;
    return grant_evidence(finding, &best_grant);
}

/* The way an edge kind acts as another service account, or NULL for
 * other kinds. */
static const char *acts_as(const char *kind)
{
    static const struct {
        const char *kind;
        const char *how;
    } ways[] = {{"create-pod", "create pods"},
                {"create-workload", "create workloads"},
                {"exec-pod", "exec into pods"},
                {"impersonate", "impersonate service accounts"},
                {"create-token", "request service-account tokens"},
                {"read-token-secret", "read the token Secrets"}};

    for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
        if (strcmp(kind, ways[i].kind) == 0)
            return ways[i].how;
    return NULL;
}

/* Service-account powers (by identity index, -1 for other identities),
 * and for each identity its edge that acts as the most powerful account. */
typedef struct pod_reach {
    signed char *powers;
    const nhi_edge **best;
    size_t *target;   /* by identity: the account `best` lets it act as */
} pod_reach;

/* The two most powerful accounts of a namespace. */
typedef struct namespace_top {
    size_t first;
    size_t second; /* SIZE_MAX when the namespace has one account */
} namespace_top;


/*
 * For each identity, its edge that acts as the most powerful account and
 * that account. An edge to a namespace node acts as the namespace's most
 * powerful account other than the identity itself, so each namespace
 * keeps its two most powerful accounts.
 */
static int find_best_targets(nhi_graph *graph, pod_reach *reach)
{
    nhi_strmap index = {0};
    namespace_top *tops = calloc(graph->identity_count + 1, sizeof(*tops));
    size_t top_count = 0;
    int result = tops ? NHI_OK : NHI_ENOMEM;

    for (size_t i = 0; i < graph->identity_count && result == NHI_OK; i++) {
        const nhi_identity *account = graph->identities[i];
        const char *label;
        size_t position;
        namespace_top *top;
        if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT || !account->path)
            continue;
        if ((label = nhi_k8s_namespace_label(graph, account->account,
                                             account->path)) == NULL) {
            result = NHI_ENOMEM;
            break;
        }
        position = (size_t)(uintptr_t)nhi_strmap_get(&index, label,
                                                     strlen(label));
        if (position == 0) {
            tops[top_count].first = i;
            tops[top_count].second = SIZE_MAX;
            position = ++top_count;
            if (nhi_strmap_put(&index, label, strlen(label),
                               (void *)(uintptr_t)position) < 0)
                result = NHI_ENOMEM;
            continue;
        }
        top = &tops[position - 1];
        if (reach->powers[i] > reach->powers[top->first]) {
            top->second = top->first;
            top->first = i;
        } else if (top->second == SIZE_MAX ||
                   reach->powers[i] > reach->powers[top->second]) {
            top->second = i;
        }
    }
    for (size_t e = 0; e < graph->edge_count && result == NHI_OK; e++) {
        const nhi_edge *edge = &graph->edges[e];
        size_t target = SIZE_MAX;
        if (edge->from_kind != NHI_NODE_IDENTITY || !edge->valid ||
            !acts_as(edge->kind))
            continue;
        if (edge->to_kind == NHI_NODE_IDENTITY) {
            target = edge->to;
        } else if (edge->to_kind == NHI_NODE_K8S_SUBJECT) {
            size_t position = (size_t)(uintptr_t)nhi_strmap_get(
                &index, edge->to_label, strlen(edge->to_label));
            if (position == 0)
                continue;
            target = tops[position - 1].first != edge->from
                         ? tops[position - 1].first
                         : tops[position - 1].second;
        }
        if (target == SIZE_MAX)
            continue;
        if (reach->best[edge->from] == NULL ||
            reach->powers[target] > reach->powers[reach->target[edge->from]]) {
            reach->best[edge->from] = edge;
            reach->target[edge->from] = target;
        }
    }
    nhi_strmap_free(&index);
    free(tops);
    return result;
}

/*
 * k8s.pod-create-escalation: who can create pods, or exec into them, in a
 * namespace where a more powerful service account runs can act as it: a
 * pod spec names any service account of its namespace. The edges that act
 * as another account (create-pod, exec-pod, impersonate, create-token,
 * read-token-secret) show who can. `reach` stores, by identity index, the
 * edge to the most powerful account each can act as.
 */
static int rule_pod_escalation(nhi_audit *audit, const k8s_principal *p,
                               const pod_reach *reach)
{
    const nhi_rule_info *rule = nhi_rule_find("k8s.pod-create-escalation");
    const nhi_graph *graph = audit->graph;
    nhi_severity severity = nhi_audit_severity(audit, rule);
    int own = p->mapping ? power_of(graph, NULL, &p->who)
                         : reach->powers[p->identity->index];
    const nhi_edge *best = reach->best[p->identity->index];
    size_t target_index = reach->target[p->identity->index];
    int best_power = best ? reach->powers[target_index] : -1;

    if (!judged(p->identity, &severity) || own == 3 || best_power <= own)
        return NHI_OK;

    const nhi_identity *target = graph->identities[target_index];
    const char *how = acts_as(best->kind);
    nhi_finding *finding = nhi_findings_add(
        &audit->findings, rule, severity, p->identity,
        decl_at(audit, p->identity->declaration), target->id,
        "%s can %s in namespace %s, where %s runs: it can act as %s",
        p->identity->id, how, target->path, target->id,
        best_power == 3   ? "a cluster admin"
        : best_power == 2 ? "a reader of every secret"
                          : "an identity with a cloud role");
    if (finding == NULL ||
        !nhi_finding_add_hop(finding, p->identity->id, target->id, best->kind,
                             best->location.source, best->location.line,
                             best->location.column, best->location.json_path,
                             NULL, NULL, best->detail) ||
        location_evidence(finding, &best->location, best->detail) < 0)
        return NHI_ENOMEM;
    return NHI_OK;
}

/* ---- declarations ---- */

/* Kubernetes patterns (`verb resource[.group]`) of a declared action. */
static size_t k8s_patterns(const nhi_catalog *catalog,
                           const nhi_decl_action *action, const char ***out)
{
    const nhi_catalog_entry *entry;

    if (action->kind == NHI_ACTION_NATIVE) {
        if (action->provider != NHI_PROVIDER_KUBERNETES)
            return 0;
        *out = (const char **)&action->text;
        return 1;
    }
    entry = nhi_catalog_find(catalog, action->text);
    if (entry == NULL)
        return 0;
    *out = (const char **)entry->patterns[NHI_PROVIDER_KUBERNETES];
    return entry->counts[NHI_PROVIDER_KUBERNETES];
}

/* Split `verb resource[.group]` into its parts (resource may hold `/`). */
static bool split_pattern(const char *pattern, char *verb, char *resource,
                          char *group, size_t size)
{
    const char *space = strchr(pattern, ' ');
    const char *dot;

    if (space == NULL || (size_t)(space - pattern) >= size ||
        strlen(space + 1) >= size)
        return false;
    snprintf(verb, size, "%.*s", (int)(space - pattern), pattern);
    dot = strchr(space + 1, '.');
    if (dot) {
        snprintf(resource, size, "%.*s", (int)(dot - space - 1), space + 1);
        snprintf(group, size, "%s", dot + 1);
    } else {
        snprintf(resource, size, "%s", space + 1);
        group[0] = '\0';
    }
    return true;
}

static int rule_prohibited(nhi_audit *audit, const k8s_principal *p,
                           const nhi_decl *decl)
{
    const nhi_rule_info *rule = nhi_rule_find("scope.prohibited-action");

    for (size_t a = 0; a < decl->prohibited_count; a++) {
        const nhi_decl_action *action = &decl->prohibited[a];
        const char **patterns = NULL;
        size_t count = k8s_patterns(audit->workspace->catalog, action, &patterns);
        for (size_t i = 0; i < count; i++) {
            char verb[128], resource[128], group[128];
            nhi_k8s_grant grant;
            const char *where = NULL;
            nhi_finding *finding;
            if (!split_pattern(patterns[i], verb, resource, group,
                               sizeof(verb)) ||
                !nhi_k8s_can_somewhere(audit->graph, &p->who, verb, group,
                                       resource, &grant, &where))
                continue;
            finding = nhi_findings_add(
                &audit->findings, rule, nhi_audit_severity(audit, rule),
                p->identity, decl, action->text,
                "%s is granted %s (prohibited %s) %s%s", p->identity->id,
                patterns[i], action->text,
                where ? "in namespace " : "in every namespace",
                where ? where : "");
            if (finding == NULL ||
                !nhi_finding_set_remedy(finding, RBAC_REMEDY) ||
                grant_evidence(finding, &grant) < 0)
                return NHI_ENOMEM;
            break; /* one finding per prohibited action */
        }
    }
    return NHI_OK;
}

/* The declared Kubernetes patterns of a declaration, as globs. */
static size_t allowed_patterns(const nhi_audit *audit, const nhi_decl *decl,
                               const char **out, size_t capacity)
{
    size_t count = 0;

    for (size_t a = 0; a < decl->allowed_count; a++) {
        const char **patterns = NULL;
        size_t n = k8s_patterns(audit->workspace->catalog, &decl->allowed[a],
                                &patterns);
        for (size_t i = 0; i < n && count < capacity; i++)
            out[count++] = patterns[i];
    }
    return count;
}

/*
 * scope.exceeds-declaration for Kubernetes: every verb and resource pair
 * of the rules bound to the account, written `verb resource[.group]`,
 * must be covered by the declared patterns (glob containment, so `*`
 * grants are covered only by `*`).
 */
/* One bound rule that grants actions beyond the declaration. */
typedef struct excess_rule {
    const nhi_k8s_binding *binding;
    const nhi_k8s_role *role;
    size_t rule;
    char *pairs; /* its uncovered pairs, comma-separated */
} excess_rule;

/* Whether `pair` is already in the comma-separated `list`. */
static bool listed(const char *list, const char *pair)
{
    size_t length = strlen(pair);

    for (const char *at = list; at && (at = strstr(at, pair)) != NULL;
         at += length)
        if ((at == list || at[-1] == ' ') &&
            (at[length] == ',' || at[length] == '\0'))
            return true;
    return false;
}

/* The uncovered `verb resource[.group]` pairs of one rule, appended to
 * `all` (the finding's list) and returned on their own (caller frees). */
static char *rule_excess(const nhi_k8s_rule *krule, const char **allowed,
                         size_t allowed_count, nhi_buf *all, size_t *count)
{
    nhi_buf own = {0};
    size_t groups = krule->api_group_count ? krule->api_group_count : 1;

    for (size_t v = 0; v < krule->verb_count; v++)
        for (size_t x = 0; x < krule->resource_count; x++)
            for (size_t g = 0; g < groups; g++) {
                const char *group =
                    krule->api_group_count ? krule->api_groups[g] : "";
                char *pair = nhi_asprintf("%s %s%s%s", krule->verbs[v],
                                          krule->resources[x],
                                          group[0] ? "." : "", group);
                if (pair == NULL) {
                    nhi_buf_free(&own);
                    return NULL;
                }
                if (nhi_glob_covered(pair, allowed, allowed_count,
                                     NHI_GLOB_CASE_SENSITIVE, NULL) == 0) {
                    if (!listed(own.data, pair))
                        nhi_buf_printf(&own, "%s%s", own.length ? ", " : "",
                                       pair);
                    if (!listed(all->data, pair)) {
                        nhi_buf_printf(all, "%s%s", *count ? ", " : "", pair);
                        (*count)++;
                    }
                }
                free(pair);
            }
    if (own.failed) {
        nhi_buf_free(&own);
        return NULL;
    }
    if (own.length == 0) {
        nhi_buf_free(&own);
        return nhi_strndup("", 0);
    }
    return own.data; /* the buffer's text, owned by the caller now */
}

/*
 * scope.exceeds-declaration for Kubernetes: every verb and resource pair
 * of the rules bound to the account, written `verb resource[.group]`,
 * must be covered by the declared patterns (glob containment, so `*`
 * grants are covered only by `*`). Each rule with pairs beyond the
 * declaration is evidence, at its binding.
 */
static int rule_exceeds(nhi_audit *audit, const k8s_principal *p,
                        const nhi_decl *decl)
{
    const nhi_rule_info *rule = nhi_rule_find("scope.exceeds-declaration");
    const nhi_k8s *k8s = audit->graph->k8s;
    const char *allowed[256];
    size_t allowed_count = allowed_patterns(audit, decl, allowed, 256);
    nhi_finding *finding = NULL;
    nhi_buf excess = {0};
    size_t excess_count = 0;
    excess_rule *rules = NULL;
    size_t rule_count = 0, rule_capacity = 0;
    int result = NHI_OK;

    for (size_t b = 0; k8s && b < k8s->binding_count && result == NHI_OK; b++) {
        const nhi_k8s_binding *binding = k8s->bindings[b];
        const nhi_k8s_role *role;
        bool bound = false;
        for (size_t s = 0; s < binding->subject_count && !bound; s++)
            bound = nhi_k8s_binding_matches(binding, &binding->subjects[s],
                                            &p->who);
        if (!bound || (role = nhi_k8s_role_of(audit->graph, binding)) == NULL)
            continue;
        for (size_t r = 0; r < role->rule_count && result == NHI_OK; r++) {
            char *pairs = rule_excess(&role->rules[r], allowed, allowed_count,
                                      &excess, &excess_count);
            if (pairs == NULL) {
                result = NHI_ENOMEM;
            } else if (pairs[0] == '\0') {
                free(pairs);
            } else if (nhi_grow((void **)&rules, &rule_capacity,
                                rule_count + 1, sizeof(*rules)) < 0) {
                free(pairs);
                result = NHI_ENOMEM;
            } else {
                rules[rule_count++] = (excess_rule){binding, role, r, pairs};
            }
        }
    }
    if (result == NHI_OK && excess_count > 0) {
        finding = nhi_findings_add(
            &audit->findings, rule, nhi_audit_severity(audit, rule),
            p->identity, decl, "kubernetes",
            "%s is granted %zu Kubernetes action%s beyond the declaration: %s",
            p->identity->id, excess_count, excess_count == 1 ? "" : "s",
            excess.data ? excess.data : "");
        if (finding == NULL || !nhi_finding_set_remedy(finding, RBAC_REMEDY))
            result = NHI_ENOMEM;
    }
    for (size_t i = 0; finding && i < rule_count && result == NHI_OK; i++) {
        char *detail = nhi_asprintf(
            "%s %s%s%s binds %s %s, whose rules[%zu] grants %s",
            rules[i].binding->namespace_ ? "RoleBinding" : "ClusterRoleBinding",
            rules[i].binding->namespace_ ? rules[i].binding->namespace_ : "",
            rules[i].binding->namespace_ ? "/" : "", rules[i].binding->name,
            rules[i].role->namespace_ ? "Role" : "ClusterRole",
            rules[i].role->name, rules[i].rule, rules[i].pairs);
        result = detail ? location_evidence(finding,
                                            &rules[i].binding->location, detail)
                        : NHI_ENOMEM;
        free(detail);
    }
    for (size_t i = 0; i < rule_count; i++)
        free(rules[i].pairs);
    free(rules);
    nhi_buf_free(&excess);
    return result;
}

static int judge_principal(nhi_audit *audit, const k8s_principal *p,
                           const pod_reach *reach)
{
    bool admin = false;
    int result = rule_cluster_admin(audit, p, &admin);

    if (result >= 0 && !admin)
        result = rule_secrets_read(audit, p);
    if (result >= 0 && !admin)
        result = rule_pod_escalation(audit, p, reach);
    /* Declared actions are compared for service accounts; a mapped AWS
     * identity's declaration speaks of its AWS actions. */
    if (result >= 0 && !p->mapping && p->identity->declaration >= 0) {
        const nhi_decl *decl = decl_at(audit, p->identity->declaration);
        result = rule_prohibited(audit, p, decl);
        if (result >= 0)
            result = rule_exceeds(audit, p, decl);
    }
    return result;
}

static int rule_legacy_tokens(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("cred.legacy-token-secret");
    const nhi_k8s *k8s = audit->graph->k8s;

    for (size_t s = 0; k8s && s < k8s->token_secret_count; s++) {
        const nhi_k8s_token_secret *secret = k8s->token_secrets[s];
        nhi_severity severity = nhi_audit_severity(audit, rule);
        char id[512];
        const nhi_identity *account;
        nhi_finding *finding;

        if (secret->service_account == NULL)
            continue;
        if (secret->cluster)
            snprintf(id, sizeof(id), "%s/system:serviceaccount:%s:%s",
                     secret->cluster, secret->namespace_,
                     secret->service_account);
        else
            snprintf(id, sizeof(id), "system:serviceaccount:%s:%s",
                     secret->namespace_, secret->service_account);
        account = nhi_graph_find_identity(audit->graph, id);
        if (account == NULL || !judged(account, &severity))
            continue;
        finding = nhi_findings_add(
            &audit->findings, rule, severity, account,
            decl_at(audit, account->declaration), secret->name,
            "Secret %s/%s holds a token of %s that never expires",
            secret->namespace_, secret->name, account->id);
        if (finding == NULL ||
            location_evidence(finding, &secret->location, NULL) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* k8s.default-sa-used and k8s.automount-token, per workload. A token is
 * mounted unless the pod spec, or else the service account, turns it off
 * (automountServiceAccountToken, Kubernetes "Configure Service Accounts
 * for Pods"). */
static int rule_workloads(nhi_audit *audit)
{
    const nhi_rule_info *default_rule = nhi_rule_find("k8s.default-sa-used");
    const nhi_rule_info *mount_rule = nhi_rule_find("k8s.automount-token");
    const nhi_graph *graph = audit->graph;

    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *edge = &graph->edges[e];
        const nhi_consumer *workload;
        const nhi_identity *account;
        nhi_severity severity;
        nhi_finding *finding;
        bool mounted;

        if (strcmp(edge->kind, "runs-as") != 0)
            continue;
        workload = graph->consumers[edge->from];
        account = graph->identities[edge->to];
        severity = nhi_audit_severity(audit, default_rule);
        if (strcmp(account->name, "default") == 0 && judged(account, &severity)) {
            finding = nhi_findings_add_consumer(
                &audit->findings, default_rule, severity, workload, account,
                decl_at(audit, account->declaration), NULL,
                "%s %s runs as the default service account of namespace %s",
                workload->workload_kind, workload->id, account->path);
            if (finding == NULL ||
                location_evidence(finding, &workload->location, NULL) < 0)
                return NHI_ENOMEM;
        }
        mounted = workload->automount == 1 ||
                  (workload->automount == -1 && account->automount != 0);
        severity = nhi_audit_severity(audit, mount_rule);
        if (!mounted || !judged(account, &severity))
            continue;
        finding = nhi_findings_add_consumer(
            &audit->findings, mount_rule, severity, workload, account,
            decl_at(audit, account->declaration), NULL,
            "%s %s mounts a token of %s: %s", workload->workload_kind,
            workload->id, account->id,
            workload->automount == 1
                ? "its pod spec sets automountServiceAccountToken: true"
                : "neither the pod spec nor the service account sets "
                  "automountServiceAccountToken: false");
        if (finding == NULL ||
            location_evidence(finding, &workload->location, NULL) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* human.impersonation: users and groups (people, unlike service accounts
 * and the system: identities of the cluster) bound to a role that lets
 * them impersonate service accounts. */
static int rule_impersonation(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("human.impersonation");
    const nhi_k8s *k8s = audit->graph->k8s;
    size_t first = audit->findings.count;

    for (size_t b = 0; k8s && b < k8s->binding_count; b++) {
        const nhi_k8s_binding *binding = k8s->bindings[b];
        const nhi_k8s_role *role = nhi_k8s_role_of(audit->graph, binding);
        size_t rule_index = 0;
        bool allows = false;

        for (; role && rule_index < role->rule_count && !allows; rule_index++)
            allows = nhi_k8s_rule_allows(&role->rules[rule_index], "impersonate",
                                         "", "serviceaccounts");
        if (!allows)
            continue;
        for (size_t s = 0; s < binding->subject_count; s++) {
            const nhi_k8s_subject *subject = &binding->subjects[s];
            nhi_k8s_grant grant = {binding, role, rule_index - 1};
            char who[256];
            nhi_finding *finding;
            if (strcmp(subject->kind, "ServiceAccount") == 0 ||
                strncmp(subject->name, "system:", 7) == 0)
                continue;
            /* The cluster is part of who: two clusters, two findings. */
            if (binding->cluster)
                snprintf(who, sizeof(who), "%s %s on %s", subject->kind,
                         subject->name, binding->cluster);
            else
                snprintf(who, sizeof(who), "%s %s", subject->kind,
                         subject->name);
            finding = NULL;
            for (size_t i = first; i < audit->findings.count && !finding; i++)
                if (audit->findings.items[i].rule == rule &&
                    strcmp(audit->findings.items[i].subject, who) == 0)
                    finding = &audit->findings.items[i];
            if (finding) {
                /* Another binding of the same person: more evidence. */
                if (grant_evidence(finding, &grant) < 0)
                    return NHI_ENOMEM;
                continue;
            }
            finding = nhi_findings_add(
                &audit->findings, rule, nhi_audit_severity(audit, rule), NULL,
                NULL, who,
                "%s can impersonate service accounts %s%s", who,
                binding->namespace_ ? "in namespace " : "in every namespace",
                binding->namespace_ ? binding->namespace_ : "");
            if (finding == NULL || grant_evidence(finding, &grant) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

int nhi_rules_k8s(nhi_audit *audit)
{
    nhi_graph *graph = audit->graph;
    pod_reach reach;
    int result = NHI_OK;

    if (graph->k8s == NULL && graph->consumer_count == 0)
        return NHI_OK;
    reach.powers = malloc(graph->identity_count + 1);
    reach.best = calloc(graph->identity_count + 1, sizeof(*reach.best));
    reach.target = calloc(graph->identity_count + 1, sizeof(*reach.target));
    if (reach.powers == NULL || reach.best == NULL || reach.target == NULL) {
        free(reach.powers);
        free(reach.best);
        free(reach.target);
        return NHI_ENOMEM;
    }
    memset(reach.powers, -1, graph->identity_count + 1);
    for (size_t i = 0; i < graph->identity_count && result >= 0; i++) {
        const nhi_identity *account = graph->identities[i];
        nhi_k8s_who who;
        if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT)
            continue;
        result = nhi_k8s_who_of(graph, account, &who);
        if (result >= 0)
            reach.powers[i] = (signed char)power_of(graph, account, &who);
    }
    if (result >= 0)
        result = find_best_targets(graph, &reach);
    for (size_t i = 0; i < graph->identity_count && result >= 0; i++) {
        k8s_principal p = {graph->identities[i], {0}, NULL};
        if (p.identity->kind != NHI_KIND_K8S_SERVICE_ACCOUNT)
            continue;
        result = nhi_k8s_who_of(graph, p.identity, &p.who);
        if (result >= 0)
            result = judge_principal(audit, &p, &reach);
    }
    for (size_t e = 0; e < graph->edge_count && result >= 0;) {
        const nhi_edge *edge = &graph->edges[e];
        k8s_principal p = {NULL, {0}, edge};
        size_t last = e + 1;
        if (!nhi_k8s_edge_is_mapping(edge)) {
            e++;
            continue;
        }
        p.identity = graph->identities[edge->from];
        result = nhi_k8s_who_of_mapping(graph, e, &last, &p.who);
        if (result >= 0)
            result = judge_principal(audit, &p, &reach);
        e = last;
    }
    free(reach.powers);
    free(reach.best);
    free(reach.target);
    if (result >= 0)
        result = rule_legacy_tokens(audit);
    if (result >= 0)
        result = rule_workloads(audit);
    if (result >= 0)
        result = rule_impersonation(audit);
    return result;
}
