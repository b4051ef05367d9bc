/* SPDX-License-Identifier: MIT */
/*
 * Edges across providers, made once every input is read. A workload runs
 * as its service account, and a service account becomes an AWS role
 * through its IRSA annotation. A CI job becomes an AWS role through OIDC,
 * or an IAM user through a stored access key. An AWS role or user becomes
 * Kubernetes users and groups through aws-auth or an EKS access entry,
 * and an identity that can create pods in a namespace can act as its
 * accounts.
 * A federated edge is valid only where the role's trust policy admits the
 * token the job or pod would present. The `sub` and `aud` claims are
 * evaluated with the condition evaluator used for every AWS policy.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_condition.h"
#include "aws_eval.h"
#include "glob.h"
#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"
#include "util.h"

#define GITHUB_HOST "token.actions.githubusercontent.com"
#define WEB_IDENTITY_ACTION "sts:AssumeRoleWithWebIdentity"

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static bool same_location(const nhi_location *a, const nhi_location *b)
{
    return a->source == b->source && a->line == b->line &&
           a->column == b->column;
}

/* The OIDC provider host of a `Federated:` principal, or NULL. */
static const char *federated_host(const char *principal)
{
    const char *marker;

    if (!starts_with(principal, "Federated:"))
        return NULL;
    principal += strlen("Federated:");
    marker = strstr(principal, ":oidc-provider/");
    if (marker)
        return marker + strlen(":oidc-provider/");
    return starts_with(principal, "arn:") ? NULL : principal;
}

/* Which OIDC providers a login may come from. */
typedef enum issuer_kind {
    ISSUER_EXACT,  /* the host given */
    ISSUER_GITLAB, /* any provider that is not GitHub's nor an EKS one */
    ISSUER_EKS     /* any EKS cluster issuer: the cluster's is not known */
} issuer_kind;

static bool host_fits(const char *host, issuer_kind kind, const char *exact)
{
    switch (kind) {
    case ISSUER_EXACT:
        return strcasecmp(host, exact) == 0;
    case ISSUER_GITLAB:
        return !starts_with(host, GITHUB_HOST) && !starts_with(host, "oidc.eks.");
    case ISSUER_EKS:
        return starts_with(host, "oidc.eks.");
    }
    return false;
}

/* The token a job or pod presents: its subject, possibly a pattern when
 * the branch is not known, and its audience. */
typedef struct web_token {
    issuer_kind issuer;
    const char *host;     /* ISSUER_EXACT */
    const char *subject;  /* literal, or a glob when `pattern` */
    bool pattern;
    const char *audience;
} web_token;

/* String values of the condition entries on `key` under StringEquals or
 * StringLike (with or without set operators and IfExists). */
static size_t subject_values(const json_t *condition, const char *key,
                             const char **values, size_t capacity)
{
    const char *operator_name;
    const json_t *entries;
    size_t count = 0;

    json_object_foreach ((json_t *)condition, operator_name, entries) {
        const char *entry_key;
        const json_t *value;
        if (strstr(operator_name, "StringNot") ||
            (!strstr(operator_name, "StringEquals") &&
             !strstr(operator_name, "StringLike")))
            continue;
        json_object_foreach ((json_t *)entries, entry_key, value) {
            if (strcasecmp(entry_key, key) != 0)
                continue;
            if (json_is_string(value) && count < capacity)
                values[count++] = json_string_value(value);
            for (size_t i = 0; json_is_array(value) && i < json_array_size(value); i++)
                if (json_is_string(json_array_get(value, i)) && count < capacity)
                    values[count++] = json_string_value(json_array_get(value, i));
        }
    }
    return count;
}

/* A string the pattern matches: each wildcard becomes one letter. */
static char *pattern_sample(const char *pattern)
{
    char *sample = nhi_strndup(pattern, strlen(pattern));

    for (char *c = sample; c && *c; c++)
        if (*c == '*' || *c == '?')
            *c = 'x';
    return sample;
}

/*
 * Evaluate one trust statement's condition for a token from `host`. A
 * pattern subject (a branch not known) is judged against the statement's
 * subject values: none that can match is false, one that covers every
 * such subject decides by the other keys, anything between is possible.
 */
static int judge_condition(const nhi_statement *statement, const char *host,
                           const web_token *token, nhi_time now,
                           aws_condition_result *result, char **reason)
{
    char sub_key[512], aud_key[512];
    char *sample = NULL;
    aws_context_key keys[2];
    aws_context context = {keys, 0, now};
    int status;

    snprintf(sub_key, sizeof(sub_key), "%s:sub", host);
    snprintf(aud_key, sizeof(aud_key), "%s:aud", host);
    *reason = NULL;
    if (token->pattern && statement->condition) {
        json_t *condition = json_loads(statement->condition, 0, NULL);
        const char *values[64];
        size_t count = condition ? subject_values(condition, sub_key, values, 64)
                                 : 0;
        bool meets = false, covers = false;
        for (size_t i = 0; i < count; i++) {
            meets = meets || nhi_glob_intersects(values[i], token->subject,
                                                 NHI_GLOB_CASE_SENSITIVE) == 1;
            covers = covers || nhi_glob_covered(token->subject, &values[i], 1,
                                                NHI_GLOB_CASE_SENSITIVE,
                                                NULL) == 1;
        }
        json_decref(condition);
        if (count > 0 && !meets) {
            *result = AWS_CONDITION_FALSE;
            *reason = nhi_asprintf("no %s value admits %s", sub_key,
                                   token->subject);
            return *reason ? NHI_OK : NHI_ENOMEM;
        }
        if (count > 0 && !covers) {
            *result = AWS_CONDITION_POSSIBLE;
            *reason = nhi_asprintf("%s admits only some of %s", sub_key,
                                   token->subject);
            return *reason ? NHI_OK : NHI_ENOMEM;
        }
    }
    sample = token->pattern ? pattern_sample(token->subject) : NULL;
    keys[context.key_count++] = (aws_context_key){
        sub_key, sample ? sample : token->subject};
    if (token->audience)
        keys[context.key_count++] = (aws_context_key){aud_key, token->audience};
    status = aws_condition_eval(statement->condition, &context, result, reason);
    free(sample);
    return status;
}

/* The verdict of a role's trust on a token, with the statement that
 * decided it. */
typedef struct trust_verdict {
    aws_condition_result result;
    const nhi_statement *statement;
    const char *host;     /* the provider host of that statement */
    char *reason;         /* why not, or why only possibly; may be NULL */
} trust_verdict;

static int judge_trust(const nhi_identity *role, const web_token *token,
                       nhi_time now, trust_verdict *verdict)
{
    const nhi_policy_version *version =
        role->trust ? aws_default_version(role->trust) : NULL;
    bool denied = false;

    memset(verdict, 0, sizeof(*verdict));
    verdict->result = AWS_CONDITION_FALSE;
    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (statement->not_principal ||
            !aws_statement_matches(statement, WEB_IDENTITY_ACTION))
            continue;
        for (size_t p = 0; p < statement->principal_count; p++) {
            const char *host = federated_host(statement->principals[p]);
            aws_condition_result result;
            char *reason = NULL;
            if (host == NULL || !host_fits(host, token->issuer, token->host))
                continue;
            if (judge_condition(statement, host, token, now, &result,
                                &reason) < 0)
                return NHI_ENOMEM;
            if (!statement->allow) {
                denied = denied || result == AWS_CONDITION_TRUE;
                free(reason);
                continue;
            }
            if (verdict->statement == NULL || result == AWS_CONDITION_TRUE ||
                (result == AWS_CONDITION_POSSIBLE &&
                 verdict->result == AWS_CONDITION_FALSE)) {
                free(verdict->reason);
                verdict->result = result;
                verdict->statement = statement;
                verdict->host = host;
                verdict->reason = reason;
            } else {
                free(reason);
            }
        }
    }
    if (denied) {
        verdict->result = AWS_CONDITION_FALSE;
        free(verdict->reason);
        verdict->reason = nhi_asprintf("a Deny statement of the trust "
                                       "policy matches the token");
    } else if (verdict->statement == NULL) {
        verdict->reason = nhi_asprintf(
            "the trust policy has no statement for this OIDC provider");
    }
    return NHI_OK;
}

typedef struct linker {
    nhi_audit *audit;
    nhi_graph *graph;
    int status;
} linker;

static const char *intern_printf(linker *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *intern_printf(linker *l, const char *fmt, ...)
{
    va_list args;
    char *text;
    const char *interned = NULL;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text)
        interned = nhi_graph_intern(l->graph, text);
    free(text);
    if (interned == NULL)
        l->status = NHI_ENOMEM;
    return interned;
}

static void add_edge(linker *l, const nhi_edge *edge)
{
    if (l->status == NHI_OK && nhi_graph_add_edge(l->graph, edge) < 0)
        l->status = NHI_ENOMEM;
}

static const char *statement_label(const nhi_statement *statement)
{
    static char label[96];

    if (statement->sid)
        snprintf(label, sizeof(label), "Sid %s", statement->sid);
    else
        snprintf(label, sizeof(label), "Statement[%u]", statement->index);
    return label;
}

/* Add the edge a verdict decides, with its evidence. */
static void add_federated_edge(linker *l, const char *kind,
                               nhi_node_kind from_kind, size_t from,
                               const nhi_identity *role,
                               const trust_verdict *verdict,
                               const web_token *token,
                               const nhi_location *location,
                               const char *preface)
{
    nhi_edge edge = {0};

    edge.kind = kind;
    edge.from_kind = from_kind;
    edge.from = from;
    edge.to_kind = NHI_NODE_IDENTITY;
    edge.to = role->index;
    edge.valid = verdict->result != AWS_CONDITION_FALSE;
    edge.possible = verdict->result == AWS_CONDITION_POSSIBLE;
    edge.location = *location;
    if (verdict->statement && verdict->result == AWS_CONDITION_TRUE)
        edge.detail = intern_printf(
            l, "%s%s trust %s admits subject %s", preface ? preface : "",
            role->name, statement_label(verdict->statement), token->subject);
    else if (verdict->statement && verdict->result == AWS_CONDITION_POSSIBLE)
        edge.detail = intern_printf(
            l, "%s%s trust %s may admit subject %s: %s", preface ? preface : "",
            role->name, statement_label(verdict->statement), token->subject,
            verdict->reason ? verdict->reason : "a condition is not known");
    else
        edge.detail = intern_printf(
            l, "%s%s trust does not admit subject %s: %s",
            preface ? preface : "", role->name, token->subject,
            verdict->reason ? verdict->reason : "no statement matches");
    add_edge(l, &edge);
}

/* ---- Kubernetes workloads and service accounts ---- */

static const char *account_id(linker *l, const char *cluster,
                              const char *namespace_, const char *name)
{
    if (cluster)
        return intern_printf(l, "%s/system:serviceaccount:%s:%s", cluster,
                             namespace_, name);
    return intern_printf(l, "system:serviceaccount:%s:%s", namespace_, name);
}

/* The service account a binding subject names, created when no input
 * defines it: the binding shows it is in use, or was. */
static void ensure_account(linker *l, const char *cluster,
                           const char *namespace_, const char *name,
                           const nhi_location *location)
{
    const char *id = account_id(l, cluster, namespace_, name);
    nhi_identity *account;

    if (id == NULL || nhi_graph_find_identity(l->graph, id))
        return;
    account = nhi_graph_alloc(l->graph, sizeof(*account));
    if (account == NULL) {
        l->status = NHI_ENOMEM;
        return;
    }
    account->provider = NHI_PROVIDER_KUBERNETES;
    account->kind = NHI_KIND_K8S_SERVICE_ACCOUNT;
    account->id = id;
    account->name = nhi_graph_intern(l->graph, name);
    account->account = cluster;
    account->path = nhi_graph_intern(l->graph, namespace_);
    account->automount = -1;
    account->created = NHI_TIME_UNKNOWN;
    account->last_used = NHI_TIME_UNKNOWN;
    account->password_last_used = NHI_TIME_UNKNOWN;
    account->location = *location;
    if (nhi_graph_add_identity(l->graph, account) < 0)
        l->status = NHI_ENOMEM;
}

static void link_binding_subjects(linker *l)
{
    const nhi_k8s *k8s = l->graph->k8s;

    for (size_t b = 0; k8s && b < k8s->binding_count; b++) {
        const nhi_k8s_binding *binding = k8s->bindings[b];
        for (size_t s = 0; s < binding->subject_count; s++) {
            const nhi_k8s_subject *subject = &binding->subjects[s];
            const char *namespace_ = subject->namespace_
                                         ? subject->namespace_
                                         : binding->namespace_;
            if (strcmp(subject->kind, "ServiceAccount") == 0 && namespace_ &&
                subject->name)
                ensure_account(l, binding->cluster, namespace_, subject->name,
                               &binding->location);
        }
    }
}

static void link_workloads(linker *l)
{
    nhi_graph *graph = l->graph;

    for (size_t c = 0; c < graph->consumer_count && l->status == NHI_OK; c++) {
        const nhi_consumer *consumer = graph->consumers[c];
        const char *id;
        const nhi_identity *account;
        nhi_edge edge = {0};

        if (consumer->kind != NHI_CONSUMER_KUBERNETES_WORKLOAD ||
            consumer->namespace_ == NULL || consumer->service_account == NULL)
            continue;
        id = account_id(l, consumer->cluster, consumer->namespace_,
                        consumer->service_account);
        account = id ? nhi_graph_find_identity(graph, id) : NULL;
        if (account == NULL)
            continue; /* the reader creates every account a workload names */
        edge.kind = "runs-as";
        edge.from_kind = NHI_NODE_CONSUMER;
        edge.from = consumer->index;
        edge.to_kind = NHI_NODE_IDENTITY;
        edge.to = account->index;
        edge.valid = true;
        edge.location = consumer->location;
        edge.detail = intern_printf(l, "%s %s runs as service account %s",
                                    consumer->workload_kind, consumer->id,
                                    account->id);
        add_edge(l, &edge);
    }
}

/* The OIDC issuer host of a cluster: nhi.yaml's `oidc_issuer`, else an
 * EKS describe-cluster output of that name, else NULL (always for the
 * unnamed cluster: which EKS cluster it is, the inputs do not show). */
static const char *cluster_issuer(const nhi_audit *audit, const char *cluster)
{
    const nhi_config *config = &audit->workspace->config;
    const nhi_k8s *k8s = audit->graph->k8s;
    const char *issuer = NULL;

    for (size_t i = 0; cluster && i < config->cluster_count && !issuer; i++)
        if (strcmp(config->clusters[i].name, cluster) == 0)
            issuer = config->clusters[i].oidc_issuer;
    for (size_t i = 0; cluster && k8s && i < k8s->cluster_count && !issuer;
         i++)
        if (strcmp(k8s->clusters[i]->name, cluster) == 0)
            issuer = k8s->clusters[i]->oidc_issuer;
    if (issuer && starts_with(issuer, "https://"))
        issuer += strlen("https://");
    return issuer;
}

static nhi_identity *find_role(nhi_graph *graph, const char *arn)
{
    nhi_identity *role = nhi_graph_find_identity(graph, arn);

    return role && role->kind == NHI_KIND_AWS_ROLE ? role : NULL;
}

static void link_irsa(linker *l)
{
    nhi_graph *graph = l->graph;

    for (size_t i = 0; i < graph->identity_count && l->status == NHI_OK; i++) {
        const nhi_identity *account = graph->identities[i];
        nhi_identity *role;
        web_token token = {0};
        trust_verdict verdict;
        const char *issuer;

        if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT ||
            account->irsa_role == NULL ||
            (role = find_role(graph, account->irsa_role)) == NULL)
            continue;
        issuer = cluster_issuer(l->audit, account->account);
        token.issuer = issuer ? ISSUER_EXACT : ISSUER_EKS;
        token.host = issuer;
        token.subject = intern_printf(l, "system:serviceaccount:%s:%s",
                                      account->path, account->name);
        token.audience = "sts.amazonaws.com";
        if (token.subject == NULL ||
            judge_trust(role, &token, l->audit->now, &verdict) < 0) {
            l->status = NHI_ENOMEM;
            return;
        }
        if (issuer == NULL && verdict.result == AWS_CONDITION_TRUE)
            verdict.result = AWS_CONDITION_POSSIBLE; /* which cluster? */
        add_federated_edge(l, "irsa", NHI_NODE_IDENTITY, account->index, role,
                           &verdict, &token, &account->location,
                           issuer ? NULL
                                  : "the cluster's OIDC issuer is not known "
                                    "(set oidc_issuer in nhi.yaml); ");
        free(verdict.reason);
    }
}

/* ---- CI jobs ---- */

/* The subjects GitHub puts in a job's token, one per way the job can run
 * (docs.github.com, "OpenID Connect reference": repo:OWNER/REPO:
 * environment:NAME when the job has an environment, else
 * ...:pull_request for pull requests, else ...:ref:REF). Branches not
 * known become patterns. Returns the count stored in `out`. */
static size_t github_subjects(linker *l, const nhi_consumer *job,
                              const char **out, bool *pattern, size_t capacity)
{
    const char *repo = job->repository ? job->repository : "*";
    size_t count = 0;
    bool any_ref = false;

#define ADD(is_pattern, ...)                                                  \
    do {                                                                      \
        if (count < capacity) {                                               \
            out[count] = intern_printf(l, __VA_ARGS__);                       \
            pattern[count] = (is_pattern) || job->repository == NULL;         \
            count++;                                                          \
        }                                                                     \
    } while (0)

    if (job->deployment && strstr(job->deployment, "${{")) {
        ADD(true, "repo:%s:environment:*", repo); /* chosen at run time */
        return count;
    }
    if (job->deployment) {
        ADD(false, "repo:%s:environment:%s", repo, job->deployment);
        return count;
    }
    for (size_t t = 0; t < job->trigger_count; t++) {
        const char *trigger = job->triggers[t];
        if (strcmp(trigger, "pull_request") == 0 ||
            strcmp(trigger, "pull_request_target") == 0)
            ADD(false, "repo:%s:pull_request", repo);
        else if (strcmp(trigger, "push") == 0 &&
                 (job->branch_count || job->tag_count)) {
            for (size_t b = 0; b < job->branch_count; b++)
                ADD(strpbrk(job->branches[b], "*?") != NULL,
                    "repo:%s:ref:refs/heads/%s", repo, job->branches[b]);
            for (size_t b = 0; b < job->tag_count; b++)
                ADD(strpbrk(job->tags[b], "*?") != NULL,
                    "repo:%s:ref:refs/tags/%s", repo, job->tags[b]);
        } else {
            any_ref = true;
        }
    }
    if (any_ref || count == 0)
        ADD(true, "repo:%s:ref:refs/*", repo);
#undef ADD
    return count;
}

/* GitLab's subject: project_path:GROUP/PROJECT:ref_type:TYPE:ref:REF
 * (docs.gitlab.com, "OpenID Connect (OIDC) Authentication Using ID
 * Tokens"). */
static size_t gitlab_subjects(linker *l, const nhi_consumer *job,
                              const char **out, bool *pattern, size_t capacity)
{
    const char *project = job->repository ? job->repository : "*";
    size_t count = 0;

    for (size_t b = 0; b < job->branch_count && count < capacity; b++) {
        out[count] = intern_printf(l, "project_path:%s:ref_type:branch:ref:%s",
                                   project, job->branches[b]);
        pattern[count++] = job->repository == NULL ||
                           strpbrk(job->branches[b], "*?") != NULL;
    }
    for (size_t b = 0; b < job->tag_count && count < capacity; b++) {
        out[count] = intern_printf(l, "project_path:%s:ref_type:tag:ref:%s",
                                   project, job->tags[b]);
        pattern[count++] = true;
    }
    if (count == 0) {
        out[count] = intern_printf(l, "project_path:%s:ref_type:*", project);
        pattern[count++] = true;
    }
    return count;
}

/* Judge every way `job` can run against `role`, keeping the best. */
static int judge_job(linker *l, const nhi_consumer *job,
                     const nhi_identity *role, const char *audience,
                     trust_verdict *best, web_token *best_token)
{
    const char *subjects[32];
    bool pattern[32];
    size_t count = job->kind == NHI_CONSUMER_GITHUB_JOB
                       ? github_subjects(l, job, subjects, pattern, 32)
                       : gitlab_subjects(l, job, subjects, pattern, 32);

    memset(best, 0, sizeof(*best));
    best->result = AWS_CONDITION_FALSE;
    for (size_t s = 0; s < count; s++) {
        web_token token = {job->kind == NHI_CONSUMER_GITHUB_JOB ? ISSUER_EXACT
                                                                : ISSUER_GITLAB,
                           GITHUB_HOST, subjects[s], pattern[s], audience};
        trust_verdict verdict;
        if (subjects[s] == NULL || judge_trust(role, &token, l->audit->now,
                                               &verdict) < 0)
            return NHI_ENOMEM;
        if (s == 0 || verdict.result == AWS_CONDITION_TRUE ||
            (verdict.result == AWS_CONDITION_POSSIBLE &&
             best->result == AWS_CONDITION_FALSE)) {
            free(best->reason);
            *best = verdict;
            *best_token = token;
        } else {
            free(verdict.reason);
        }
        if (best->result == AWS_CONDITION_TRUE)
            break;
    }
    return NHI_OK;
}

/* Does any statement of the role's trust name an OIDC provider of this
 * kind (GitHub's, or one that may be GitLab's)? */
static bool trusts_issuer(const nhi_identity *role, issuer_kind kind)
{
    const nhi_policy_version *version =
        role->trust ? aws_default_version(role->trust) : NULL;

    for (size_t s = 0; version && s < version->statement_count; s++)
        for (size_t p = 0; p < version->statements[s].principal_count; p++) {
            const char *host =
                federated_host(version->statements[s].principals[p]);
            if (host && host_fits(host, kind, GITHUB_HOST))
                return true;
        }
    return false;
}

/* A glob of the values a target with expressions may take: each
 * `${{ ... }}`, `${NAME}` or `$NAME` becomes `*`. Caller frees. */
static char *expression_pattern(const char *target)
{
    size_t length = strlen(target);
    char *out = malloc(length + 2);
    size_t n = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < length;) {
        if (strncmp(target + i, "${{", 3) == 0) {
            const char *end = strstr(target + i, "}}");
            i = end ? (size_t)(end - target) + 2 : length;
        } else if (target[i] == '$' && target[i + 1] == '{') {
            const char *end = strchr(target + i, '}');
            i = end ? (size_t)(end - target) + 1 : length;
        } else if (target[i] == '$') {
            i++;
            while (i < length && (target[i] == '_' ||
                                  (target[i] >= 'A' && target[i] <= 'Z') ||
                                  (target[i] >= 'a' && target[i] <= 'z') ||
                                  (target[i] >= '0' && target[i] <= '9')))
                i++;
        } else {
            out[n++] = target[i++];
            continue;
        }
        if (n == 0 || out[n - 1] != '*')
            out[n++] = '*';
    }
    out[n] = '\0';
    return out;
}

static void link_oidc_login(linker *l, const nhi_consumer *job,
                            const nhi_login *login)
{
    nhi_graph *graph = l->graph;
    const char *audience = login->audience ? login->audience
                                           : "sts.amazonaws.com";
    trust_verdict verdict;
    web_token token;
    nhi_identity *role;

    if (login->target && !login->target_expression) {
        role = find_role(graph, login->target);
        if (role == NULL)
            return; /* a role of an account not in the exports */
        if (judge_job(l, job, role, audience, &verdict, &token) < 0) {
            l->status = NHI_ENOMEM;
            return;
        }
        if (!job->id_token) {
            /* GitHub gives no token without `id-token: write`; GitLab none
             * without `id_tokens`. */
            verdict.result = AWS_CONDITION_FALSE;
            free(verdict.reason);
            verdict.reason = nhi_asprintf(
                "%s", job->kind == NHI_CONSUMER_GITHUB_JOB
                          ? "the job cannot request an OIDC token: its "
                            "permissions do not grant id-token: write"
                          : "the job requests no ID token (id_tokens)");
        }
        add_federated_edge(l, "oidc", NHI_NODE_CONSUMER, job->index, role,
                           &verdict, &token, &login->location, NULL);
        free(verdict.reason);
        return;
    }
    /* The role comes from a secret or variable: every role whose ARN fits
     * what is written (`arn:aws:iam::1111:role/$TARGET` fits the account's
     * roles) and whose trust admits this job is a possible target. A
     * target that is all expression is judged only for a known
     * repository, or every role of every provider would match. */
    char *pattern = login->target ? expression_pattern(login->target) : NULL;
    bool narrow = pattern && strcmp(pattern, "*") != 0;

    if (!job->id_token || (job->repository == NULL && !narrow)) {
        free(pattern);
        return;
    }
    for (size_t i = 0; i < graph->identity_count && l->status == NHI_OK; i++) {
        role = graph->identities[i];
        if (role->kind != NHI_KIND_AWS_ROLE ||
            !trusts_issuer(role, job->kind == NHI_CONSUMER_GITHUB_JOB
                                     ? ISSUER_EXACT
                                     : ISSUER_GITLAB) ||
            (narrow && !nhi_glob_match(pattern, role->id,
                                       NHI_GLOB_CASE_SENSITIVE)))
            continue;
        if (judge_job(l, job, role, audience, &verdict, &token) < 0) {
            l->status = NHI_ENOMEM;
            return;
        }
        if (verdict.result != AWS_CONDITION_FALSE) {
            const char *preface = intern_printf(
                l, "the role comes from %s, which the inputs do not show; ",
                login->target ? login->target : "a secret");
            add_federated_edge(l, "oidc", NHI_NODE_CONSUMER, job->index, role,
                               &verdict, &token, &login->location, preface);
            /* The job may log in to some other role: only possible. */
            l->graph->edges[l->graph->edge_count - 1].possible = true;
            l->graph->edges[l->graph->edge_count - 1].inferred = true;
        }
        free(verdict.reason);
    }
    free(pattern);
}

/* Lower-case letters and digits only: `CI_DEPLOYER` and `ci-deployer`
 * agree. */
static void fold_name(const char *text, char *out, size_t size)
{
    size_t n = 0;

    for (; *text && n + 1 < size; text++)
        if ((*text >= 'a' && *text <= 'z') || (*text >= '0' && *text <= '9'))
            out[n++] = *text;
        else if (*text >= 'A' && *text <= 'Z')
            out[n++] = (char)(*text - 'A' + 'a');
    out[n] = '\0';
}

static void link_static_key(linker *l, const nhi_consumer *job,
                            const nhi_login *login)
{
    nhi_graph *graph = l->graph;
    nhi_edge edge = {0};

    edge.kind = "static-key";
    edge.from_kind = NHI_NODE_CONSUMER;
    edge.from = job->index;
    edge.to_kind = NHI_NODE_IDENTITY;
    edge.location = login->location;

    if (login->key_id) {
        for (size_t c = 0; c < graph->credential_count; c++) {
            const nhi_credential *credential = graph->credentials[c];
            if (credential->key_id == NULL ||
                strcmp(credential->key_id, login->key_id) != 0)
                continue;
            edge.to = credential->identity->index;
            edge.valid = true;
            edge.detail = intern_printf(
                l, "access key %s belongs to %s%s", login->key_id,
                credential->identity->id,
                credential->active ? "" : " (the key is inactive)");
            add_edge(l, &edge);
            return;
        }
        return;
    }
    /* No key id: a stored secret named after an IAM user is evidence,
     * not proof, that it contains that user's key. */
    if (login->secret == NULL)
        return;
    char secret[256];
    fold_name(login->secret, secret, sizeof(secret));
    for (size_t i = 0; i < graph->identity_count; i++) {
        const nhi_identity *user = graph->identities[i];
        char name[256];
        if (user->kind != NHI_KIND_AWS_USER || user->name == NULL)
            continue;
        fold_name(user->name, name, sizeof(name));
        if (strlen(name) < 4 || strstr(secret, name) == NULL)
            continue;
        edge.to = user->index;
        edge.valid = true;
        edge.possible = true;
        edge.inferred = true;
        edge.detail = intern_printf(l,
                                    "the secret %s is named after IAM user %s; "
                                    "the key id is not in the inputs",
                                    login->secret, user->id);
        add_edge(l, &edge);
    }
}

static void link_jobs(linker *l)
{
    nhi_graph *graph = l->graph;

    for (size_t c = 0; c < graph->consumer_count && l->status == NHI_OK; c++) {
        const nhi_consumer *job = graph->consumers[c];
        for (size_t i = 0; i < job->login_count && l->status == NHI_OK; i++) {
            const nhi_login *login = &job->logins[i];
            if (login->kind == NHI_LOGIN_AWS_ROLE)
                link_oidc_login(l, job, login);
            else if (login->kind == NHI_LOGIN_AWS_KEY)
                link_static_key(l, job, login);
        }
    }
}

/* ---- aws-auth and access entries ---- */

/* aws-auth matches a role by account and name: its ARN must be written
 * without the role's path, so compare the last segment. */
static nhi_identity *mapped_identity(nhi_graph *graph, const char *arn)
{
    nhi_identity *found = nhi_graph_find_identity(graph, arn);
    const char *name = strrchr(arn, '/');
    const char *kind = strstr(arn, ":role/") ? ":role/" : NULL;

    if (found || name == NULL || kind == NULL)
        return found;
    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *role = graph->identities[i];
        size_t prefix = (size_t)(strstr(arn, kind) - arn);
        if (role->kind == NHI_KIND_AWS_ROLE &&
            strcmp(role->name, name + 1) == 0 &&
            strncmp(role->id, arn, prefix) == 0)
            return role;
    }
    return NULL;
}

/*
 * aws-auth turns the session's assumed-role ARN back into
 * arn:aws:iam::ACCOUNT:role/NAME, without the role's path, and compares
 * that: a mapRoles entry written with the path never matches
 * (aws-iam-authenticator, "Mapping IAM roles with paths").
 */
static bool aws_auth_with_path(const nhi_k8s_mapping *mapping)
{
    const char *role = strstr(mapping->arn, ":role/");

    return strcmp(mapping->source, "aws-auth") == 0 && role &&
           strchr(role + strlen(":role/"), '/') != NULL;
}

static void link_mappings(linker *l)
{
    const nhi_k8s *k8s = l->graph->k8s;

    for (size_t m = 0; k8s && m < k8s->mapping_count; m++) {
        const nhi_k8s_mapping *mapping = k8s->mappings[m];
        const nhi_identity *identity = mapped_identity(l->graph, mapping->arn);
        const char *cluster = mapping->cluster ? mapping->cluster : "the cluster";
        nhi_edge edge = {0};

        if (identity == NULL)
            continue;
        edge.kind = mapping->source;
        edge.from_kind = NHI_NODE_IDENTITY;
        edge.from = identity->index;
        edge.to_kind = NHI_NODE_K8S_SUBJECT;
        edge.valid = !aws_auth_with_path(mapping);
        edge.location = mapping->location;
        const char *never = edge.valid
                                ? ""
                                : ", but never matches: aws-auth compares "
                                  "role ARNs without their path";
        for (size_t g = 0; g < mapping->group_count; g++) {
            edge.to_label = intern_printf(l, "group:%s", mapping->groups[g]);
            edge.detail = intern_printf(l, "%s maps %s to group %s on %s%s",
                                        mapping->source, mapping->arn,
                                        mapping->groups[g], cluster, never);
            add_edge(l, &edge);
        }
        if (mapping->username) {
            edge.to_label = intern_printf(l, "user:%s", mapping->username);
            edge.detail = intern_printf(l, "%s maps %s to user %s on %s%s",
                                        mapping->source, mapping->arn,
                                        mapping->username, cluster, never);
            add_edge(l, &edge);
        }
    }
}

/* ---- Kubernetes: acting as another service account ---- */

static bool same_cluster(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Service accounts ordered by cluster and namespace, so that each
 * namespace is asked about once per principal. */
typedef struct account_order {
    size_t *items;
    size_t count;
} account_order;

static const nhi_graph *sorting_graph;

static int compare_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int compare_accounts(const void *left, const void *right)
{
    const nhi_identity *a = sorting_graph->identities[*(const size_t *)left];
    const nhi_identity *b = sorting_graph->identities[*(const size_t *)right];
    int order = compare_text(a->account, b->account);

    if (order == 0)
        order = compare_text(a->path, b->path);
    if (order == 0)
        order = a->index < b->index ? -1 : a->index > b->index;
    return order;
}


/* A right that lets its holder act as the service accounts of a
 * namespace, and the edge it makes. */
typedef struct acting_right {
    const char *verb;
    const char *group;    /* API group, "" for the core group */
    const char *resource;
    const char *kind;
    const char *action;   /* what the right allows, for the evidence */
} acting_right;

/*
 * A pod spec may name any account of its namespace, and so may the pod
 * template of a workload, whose controller creates the pods (Kubernetes
 * "RBAC Good Practices", workload creation). Exec runs commands in pods
 * that run as one; impersonation and the TokenRequest API
 * (serviceaccounts/token) act as an account directly. The first right
 * held names the edge.
 */
static const acting_right acting_rights[] = {
    {"create", "", "pods", "create-pod", "can create pods"},
    {"create", "apps", "deployments", "create-workload",
     "can create deployments"},
    {"create", "apps", "daemonsets", "create-workload",
     "can create daemonsets"},
    {"create", "apps", "statefulsets", "create-workload",
     "can create statefulsets"},
    {"create", "apps", "replicasets", "create-workload",
     "can create replicasets"},
    {"create", "batch", "jobs", "create-workload", "can create jobs"},
    {"create", "batch", "cronjobs", "create-workload", "can create cronjobs"},
    {"create", "", "replicationcontrollers", "create-workload",
     "can create replicationcontrollers"},
    {"create", "", "pods/exec", "exec-pod", "can exec into pods"},
    {"impersonate", "", "serviceaccounts", "impersonate",
     "can impersonate service accounts"},
    {"create", "", "serviceaccounts/token", "create-token",
     "can request service-account tokens"},
};
#define ACTING_RIGHT_COUNT (sizeof(acting_rights) / sizeof(acting_rights[0]))

/*
 * Add edges from `from`, an identity with the Kubernetes rights of `who`,
 * to the service accounts it can act as. A right of acting_rights in a
 * namespace makes one edge to the namespace's node. Reading the Secrets
 * of a namespace makes an edge to each account there with a legacy token
 * Secret (`has_token`, by identity). Each namespace is checked once.
 */
static void link_pod_rights(linker *l, const account_order *order, size_t from,
                            const nhi_k8s_who *who,
                            const nhi_location *location,
                            const bool *has_token)
{
    nhi_graph *graph = l->graph;
    const nhi_identity *previous = NULL;
    bool reads_secrets = false;
    const char *where = NULL;
    nhi_k8s_grant grant, secrets_grant;
    bool any = false;

    /* Most accounts hold none of these rights anywhere: ask once. */
    for (size_t r = 0; r < ACTING_RIGHT_COUNT && !any; r++)
        any = nhi_k8s_can_somewhere(graph, who, acting_rights[r].verb,
                                    acting_rights[r].group,
                                    acting_rights[r].resource, &grant, &where);
    if (!any && !nhi_k8s_can_somewhere(graph, who, "get", "", "secrets",
                                       &grant, &where))
        return;
    for (size_t k = 0; k < order->count && l->status == NHI_OK; k++) {
        size_t i = order->items[k];
        const nhi_identity *target = graph->identities[i];
        nhi_edge edge = {0};

        if (!same_cluster(target->account, who->cluster))
            continue;
        if (previous == NULL || compare_text(previous->path, target->path) ||
            compare_text(previous->account, target->account)) {
            const acting_right *right = NULL;
            previous = target;
            for (size_t r = 0; r < ACTING_RIGHT_COUNT && right == NULL; r++)
                if (nhi_k8s_can(graph, who, acting_rights[r].verb,
                                acting_rights[r].group,
                                acting_rights[r].resource, target->path,
                                &grant))
                    right = &acting_rights[r];
            reads_secrets = nhi_k8s_can(graph, who, "get", "", "secrets",
                                        target->path, &secrets_grant);
            if (right) {
                /* One edge to the namespace stands for one to each of its
                 * accounts, so a right over a namespace of n accounts
                 * costs one edge, not n. */
                edge.kind = right->kind;
                edge.to_kind = NHI_NODE_K8S_SUBJECT;
                edge.to_label = nhi_k8s_namespace_label(
                    graph, target->account, target->path);
                if (edge.to_label == NULL)
                    l->status = NHI_ENOMEM;
                edge.detail = intern_printf(
                    l, "%s in namespace %s, so it can act as its service "
                       "accounts%s%s",
                    right->action, target->path,
                    grant.binding ? "; granted by binding " : "",
                    grant.binding ? grant.binding->name : "");
                edge.from_kind = NHI_NODE_IDENTITY;
                edge.from = from;
                edge.valid = true;
                edge.location =
                    grant.binding ? grant.binding->location : *location;
                add_edge(l, &edge);
                /* An identity that acts as every account of the namespace
                 * needs no edge through a token Secret. */
                reads_secrets = false;
            }
        }
        if (i == from || !reads_secrets || !has_token[i])
            continue;
        memset(&edge, 0, sizeof(edge));
        edge.kind = "read-token-secret";
        edge.detail = intern_printf(
            l, "can read the Secrets of namespace %s, among them a token of "
               "%s that never expires%s%s",
            target->path, target->name,
            secrets_grant.binding ? "; granted by binding " : "",
            secrets_grant.binding ? secrets_grant.binding->name : "");
        edge.from_kind = NHI_NODE_IDENTITY;
        edge.from = from;
        edge.to_kind = NHI_NODE_IDENTITY;
        edge.to = i;
        edge.valid = true;
        edge.location = secrets_grant.binding ? secrets_grant.binding->location
                                              : *location;
        add_edge(l, &edge);
    }
}

/* The service accounts with a legacy token Secret, as flags by
 * identity. */
static bool *token_holders(linker *l)
{
    nhi_graph *graph = l->graph;
    const nhi_k8s *k8s = graph->k8s;
    bool *holders = calloc(graph->identity_count + 1, sizeof(bool));

    for (size_t s = 0; holders && k8s && s < k8s->token_secret_count; s++) {
        const nhi_k8s_token_secret *secret = k8s->token_secrets[s];
        const char *id;
        const nhi_identity *account;
        if (secret->service_account == NULL || secret->namespace_ == NULL)
            continue;
        id = account_id(l, secret->cluster, secret->namespace_,
                        secret->service_account);
        account = id ? nhi_graph_find_identity(graph, id) : NULL;
        if (account)
            holders[account->index] = true;
    }
    return holders;
}

bool nhi_k8s_edge_is_mapping(const nhi_edge *edge)
{
    return edge->to_kind == NHI_NODE_K8S_SUBJECT && edge->valid &&
           (strcmp(edge->kind, "aws-auth") == 0 ||
            strcmp(edge->kind, "access-entry") == 0);
}

int nhi_k8s_who_of_mapping(nhi_graph *graph, size_t first, size_t *last,
                           nhi_k8s_who *who)
{
    const nhi_edge *start = &graph->edges[first];
    const nhi_k8s *k8s = graph->k8s;
    const char **groups;
    size_t end = first + 1;

    while (end < graph->edge_count &&
           nhi_k8s_edge_is_mapping(&graph->edges[end]) &&
           strcmp(graph->edges[end].kind, start->kind) == 0 &&
           graph->edges[end].from == start->from &&
           same_location(&graph->edges[end].location, &start->location))
        end++;
    *last = end;
    memset(who, 0, sizeof(*who));
    groups = nhi_graph_alloc(graph, (end - first + 1) * sizeof(char *));
    if (groups == NULL)
        return NHI_ENOMEM;
    who->groups = groups;
    groups[who->group_count++] = "system:authenticated";
    for (size_t e = first; e < end; e++) {
        const char *label = graph->edges[e].to_label;
        if (strncmp(label, "group:", 6) == 0)
            groups[who->group_count++] = label + 6;
        else
            who->user = label + 5;
    }
    for (size_t m = 0; k8s && m < k8s->mapping_count; m++)
        if (same_location(&k8s->mappings[m]->location, &start->location))
            who->cluster = k8s->mappings[m]->cluster;
    return NHI_OK;
}

static void link_pods(linker *l)
{
    nhi_graph *graph = l->graph;
    size_t edge_count = graph->edge_count;
    account_order order = {NULL, 0};

    bool *has_token;

    if (graph->k8s == NULL)
        return;
    order.items = malloc((graph->identity_count + 1) * sizeof(size_t));
    has_token = token_holders(l);
    if (order.items == NULL || has_token == NULL) {
        free(order.items);
        free(has_token);
        l->status = NHI_ENOMEM;
        return;
    }
    for (size_t i = 0; i < graph->identity_count; i++)
        if (graph->identities[i]->kind == NHI_KIND_K8S_SERVICE_ACCOUNT &&
            graph->identities[i]->path)
            order.items[order.count++] = i;
    sorting_graph = graph;
    qsort(order.items, order.count, sizeof(size_t), compare_accounts);

    for (size_t k = 0; k < order.count && l->status == NHI_OK; k++) {
        const nhi_identity *account = graph->identities[order.items[k]];
        nhi_k8s_who who;
        if (nhi_k8s_who_of(graph, account, &who) < 0) {
            l->status = NHI_ENOMEM;
            break;
        }
        link_pod_rights(l, &order, order.items[k], &who, &account->location,
                        has_token);
    }
    /* AWS identities act with the Kubernetes user and groups their
     * mapping gives them. The edges of one mapping are consecutive. */
    for (size_t e = 0; e < edge_count && l->status == NHI_OK;) {
        const nhi_edge *first = &graph->edges[e];
        nhi_k8s_who who;
        size_t last;

        if (!nhi_k8s_edge_is_mapping(first)) {
            e++;
            continue;
        }
        if (nhi_k8s_who_of_mapping(graph, e, &last, &who) < 0) {
            l->status = NHI_ENOMEM;
            break;
        }
        /* link_pod_rights appends edges: take what it needs first. */
        size_t from = first->from;
        nhi_location location = first->location;
        link_pod_rights(l, &order, from, &who, &location, has_token);
        e = last;
    }
    free(order.items);
    free(has_token);
}

int nhi_audit_link(nhi_audit *audit)
{
    linker l = {audit, audit->graph, NHI_OK};

    if (nhi_k8s_resolve(audit->graph) < 0)
        return NHI_ENOMEM;
    link_binding_subjects(&l);
    if (l.status == NHI_OK)
        link_workloads(&l);
    if (l.status == NHI_OK)
        link_irsa(&l);
    if (l.status == NHI_OK)
        link_jobs(&l);
    if (l.status == NHI_OK)
        link_mappings(&l);
    if (l.status == NHI_OK)
        link_pods(&l);
    return l.status;
}
