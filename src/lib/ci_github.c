/* SPDX-License-Identifier: MIT */
/*
 * The reader of GitHub Actions workflows: each job becomes a consumer with
 * its triggers, deployment environment, OIDC permission, the cloud logins
 * of its steps, and the credential literals of its `env` and `with` maps.
 * Keys and their meaning follow GitHub's "Workflow syntax for GitHub
 * Actions" and the README of each login action.
 *
 * Logins:
 * - aws-actions/configure-aws-credentials: `aws-access-key-id` from a
 *   secret, a variable or a literal is a stored key (aws-key; target is
 *   the `role-to-assume` assumed with it, if any). A key id taken from an
 *   env variable that no env block sets was exported by an earlier step
 *   (role chaining), so that step and `role-to-assume` alone are aws-role.
 *   A vendored copy of the action, a local path ending in
 *   `/configure-aws-credentials`, is read the same way.
 * - google-github-actions/auth: `workload_identity_provider` is
 *   gcp-federation with the provider as target. Its `service_account`
 *   has no field of its own, so it is kept in the login's `step`, as
 *   "STEP (service account ACCOUNT)". `credentials_json` is gcp-key.
 * - google-github-actions/setup-gcloud and the older
 *   GoogleCloudPlatform/github-actions/setup-gcloud:
 *   `service_account_key` is gcp-key.
 * - azure/login: `creds` is azure-secret; `client-id` without `creds` is
 *   azure-federation with the client id as target.
 * - env variables at workflow, job or step level: a name ending in
 *   AWS_ACCESS_KEY_ID set from a secret, a variable or a literal key id
 *   is aws-key. GOOGLE_CREDENTIALS, GOOGLE_APPLICATION_CREDENTIALS_JSON,
 *   GCP_SA_KEY and GCLOUD_SERVICE_KEY set from a secret are gcp-key.
 *   AZURE_CLIENT_SECRET and ARM_CLIENT_SECRET set from a secret are
 *   azure-secret. A workflow-level variable counts once in every job.
 */
#include "nhi/consumer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"
#include "ytree.h"

/*
 * Maximum mappings visited through `<<` merge keys in one lookup. A
 * workflow merges a few levels at most (an estimate: no workflow of the
 * test corpus merges at all). The cap keeps merges of many aliases of
 * merges from taking exponential time.
 */
#define MERGE_VISIT_MAX 64

/*
 * Maximum jobs, steps and env or with entries read from one file, counting
 * every use of an alias again. The largest workflow of the test corpus,
 * apache/airflow's 56 KB ci.yml, needs 953. The cap stops a small file
 * whose aliases repeat a large block many times.
 */
#define WORK_MAX 200000

/*
 * Events that a fork or an outside user can start, and that run with the
 * repository's secrets and a write token (GitHub, "Events that trigger
 * workflows"). They are pull_request_target, workflow_run (which a fork's
 * pull_request run starts), and the issue, discussion and review events
 * that anyone who can comment triggers.
 */
static const char *const untrusted_events[] = {
    "pull_request_target", "workflow_run",
    "issue_comment",       "issues",
    "discussion",          "discussion_comment",
    "pull_request_review", "pull_request_review_comment",
};

/* Env variables that contain a Google service-account JSON key. */
static const char *const gcp_key_variables[] = {
    "GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "GCP_SA_KEY",
    "GCLOUD_SERVICE_KEY"};

/* Env variables that contain an Azure service principal's client secret
 * (the names the Azure SDKs and Terraform's azurerm provider read). */
static const char *const azure_secret_variables[] = {"AZURE_CLIENT_SECRET",
                                                     "ARM_CLIENT_SECRET"};

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* A key and value of a mapping, merge keys resolved. */
typedef struct ypair {
    const nhi_ynode *key;
    const nhi_ynode *value;
} ypair;

typedef struct ypairs {
    ypair *items;
    size_t count;
    size_t capacity;
} ypairs;

typedef struct reader {
    nhi_graph *graph;
    nhi_diags *diags;
    const char *path;       /* interned */
    const char *workflow;   /* the file's base name, interned */
    const char *repository; /* OWNER/REPO, interned, or NULL */
    const nhi_ynode *workflow_env;
    const nhi_ynode *workflow_permissions;
    const char **triggers;
    size_t trigger_count;
    bool untrusted_trigger;
    const char **branches;
    size_t branch_count;
    const char **tags;
    size_t tag_count;
    size_t work;
    bool over_limit;
} reader;

/* The job being read: its consumer and the env maps in scope. */
typedef struct job_scope {
    nhi_consumer *consumer;
    const char *path;        /* `jobs.ID` */
    const nhi_ynode *env;    /* the job's env mapping, or NULL */
    /* While a step is read: its env mapping and its name or action. */
    const nhi_ynode *step_env;
    const char *step_label;
} job_scope;

/* Where a credential comes from, as far as the file shows. */
typedef enum source_kind {
    SOURCE_UNKNOWN, /* an expression the file does not resolve */
    SOURCE_STORED,  /* a secret or a variable */
    SOURCE_LITERAL  /* written in the file */
} source_kind;

typedef struct credential_source {
    source_kind kind;
    const char *secret;  /* `secrets.NAME` or `vars.NAME`, interned */
    const char *literal; /* borrowed from the tree */
} credential_source;

/* ---- YAML access with merge keys ---- */

static bool is_merge_key(const nhi_ynode *key)
{
    return key->kind == NHI_YNODE_SCALAR && key->plain &&
           strcmp(key->value, "<<") == 0;
}

static const nhi_ynode *lookup(const nhi_ynode *map, const char *name,
                               unsigned *budget);

static const nhi_ynode *lookup_merged(const nhi_ynode *source,
                                      const char *name, unsigned *budget)
{
    if (source->kind == NHI_YNODE_MAPPING)
        return lookup(source, name, budget);
    if (source->kind != NHI_YNODE_SEQUENCE)
        return NULL;
    /* In a list of merged mappings, the earlier one wins. */
    for (size_t i = 0; i < source->count; i++) {
        const nhi_ynode *found = NULL;
        if (source->items[i]->kind == NHI_YNODE_MAPPING)
            found = lookup(source->items[i], name, budget);
        if (found)
            return found;
    }
    return NULL;
}

static const nhi_ynode *lookup(const nhi_ynode *map, const char *name,
                               unsigned *budget)
{
    if (*budget == 0)
        return NULL;
    (*budget)--;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *key = map->items[i];
        if (key->kind == NHI_YNODE_SCALAR && !is_merge_key(key) &&
            strcmp(key->value, name) == 0)
            return map->items[i + 1];
    }
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *found;
        if (!is_merge_key(map->items[i]))
            continue;
        found = lookup_merged(map->items[i + 1], name, budget);
        if (found)
            return found;
    }
    return NULL;
}

/* The value of `name` in a mapping, explicit keys before merged ones;
 * NULL when absent or when `map` is not a mapping. */
static const nhi_ynode *map_get(const nhi_ynode *map, const char *name)
{
    unsigned budget = MERGE_VISIT_MAX;

    if (map == NULL || map->kind != NHI_YNODE_MAPPING)
        return NULL;
    return lookup(map, name, &budget);
}

/* The text of a scalar that is not null, else NULL. */
static const char *scalar_text(const nhi_ynode *node)
{
    if (node == NULL || node->kind != NHI_YNODE_SCALAR ||
        nhi_ynode_is_null(node))
        return NULL;
    return node->value;
}

static const char *get_text(const nhi_ynode *map, const char *name)
{
    return scalar_text(map_get(map, name));
}

static bool is_expression_text(const nhi_ynode *node)
{
    return node->kind == NHI_YNODE_SCALAR && strstr(node->value, "${{");
}

static int pairs_push(ypairs *pairs, const nhi_ynode *key,
                      const nhi_ynode *value)
{
    if (nhi_grow((void **)&pairs->items, &pairs->capacity, pairs->count + 1,
                 sizeof(*pairs->items)) < 0)
        return NHI_ENOMEM;
    pairs->items[pairs->count++] = (ypair){key, value};
    return NHI_OK;
}

/* Append the pairs of merged mapping `map` whose keys `seen` lacks. */
static int collect_merged(const nhi_ynode *map, ypairs *pairs,
                          nhi_strmap *seen, unsigned *budget)
{
    if (*budget == 0)
        return NHI_OK;
    (*budget)--;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *key = map->items[i];
        if (key->kind != NHI_YNODE_SCALAR || is_merge_key(key) ||
            nhi_strmap_get(seen, key->value, key->length))
            continue;
        if (nhi_strmap_put(seen, key->value, key->length, (void *)key) < 0 ||
            pairs_push(pairs, key, map->items[i + 1]) < 0)
            return NHI_ENOMEM;
    }
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *source = map->items[i + 1];
        int result = NHI_OK;

        if (!is_merge_key(map->items[i]))
            continue;
        if (source->kind == NHI_YNODE_MAPPING)
            result = collect_merged(source, pairs, seen, budget);
        for (size_t j = 0;
             source->kind == NHI_YNODE_SEQUENCE && j < source->count &&
             result == NHI_OK;
             j++)
            if (source->items[j]->kind == NHI_YNODE_MAPPING)
                result = collect_merged(source->items[j], pairs, seen,
                                        budget);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

/*
 * The pairs of a mapping in order, then those that `<<` merge keys bring
 * in, skipping keys already present: explicit keys win, and among merged
 * mappings the earlier wins (YAML merge key type). The caller frees
 * `pairs->items`.
 */
static int map_pairs(const nhi_ynode *map, ypairs *pairs)
{
    bool merges = false;
    nhi_strmap seen = {0};
    unsigned budget = MERGE_VISIT_MAX;
    int result;

    memset(pairs, 0, sizeof(*pairs));
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        if (is_merge_key(map->items[i])) {
            merges = true;
            continue;
        }
        if (pairs_push(pairs, map->items[i], map->items[i + 1]) < 0)
            return NHI_ENOMEM;
    }
    if (!merges)
        return NHI_OK;
    for (size_t i = 0; i < pairs->count; i++) {
        const nhi_ynode *key = pairs->items[i].key;
        if (key->kind == NHI_YNODE_SCALAR &&
            nhi_strmap_put(&seen, key->value, key->length, (void *)key) < 0) {
            nhi_strmap_free(&seen);
            return NHI_ENOMEM;
        }
    }
    /* The mapping itself was read above: only its merge keys remain. */
    result = NHI_OK;
    for (size_t i = 0; i + 1 < map->count && result == NHI_OK; i += 2) {
        const nhi_ynode *source = map->items[i + 1];
        if (!is_merge_key(map->items[i]))
            continue;
        if (source->kind == NHI_YNODE_MAPPING)
            result = collect_merged(source, pairs, &seen, &budget);
        for (size_t j = 0;
             source->kind == NHI_YNODE_SEQUENCE && j < source->count &&
             result == NHI_OK;
             j++)
            if (source->items[j]->kind == NHI_YNODE_MAPPING)
                result = collect_merged(source->items[j], pairs, &seen,
                                        &budget);
    }
    nhi_strmap_free(&seen);
    return result;
}

/* ---- Diagnostics and small helpers ---- */

static nhi_error *node_error(reader *r, const nhi_ynode *node,
                             const char *json_path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nhi_error *node_error(reader *r, const nhi_ynode *node,
                             const char *json_path, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                           node->line, node->column, fmt, args);
    va_end(args);
    if (error && json_path)
        nhi_error_set_location(error, "%s", json_path);
    return error;
}

/* Count one unit of work; false once the file is over WORK_MAX, after
 * reporting it once. */
static bool take_work(reader *r, const nhi_ynode *node)
{
    if (r->over_limit)
        return false;
    if (++r->work <= WORK_MAX)
        return true;
    r->over_limit = true;
    nhi_error *error = node_error(r, node, NULL,
                                  "workflow has more than %d jobs, steps "
                                  "and env or with entries, counting each "
                                  "use of an alias",
                                  WORK_MAX);
    nhi_error_set_hint(error, "write the repeated blocks out or split the "
                          "workflow; the rest of this file is not read");
    return false;
}

/* A path such as `jobs.deploy.steps[2]`, interned; NULL when memory runs
 * out. */
static const char *format_path(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *format_path(reader *r, const char *fmt, ...)
{
    va_list args;
    char *text;
    const char *interned;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text == NULL)
        return NULL;
    interned = nhi_graph_intern(r->graph, text);
    free(text);
    return interned;
}

static nhi_location location_of(const reader *r, const nhi_ynode *node,
                                const char *json_path)
{
    return (nhi_location){r->path, node->line, node->column, json_path};
}

/* Interned copies of `count` strings into a new arena array. */
static const char **intern_list(reader *r, const char *const *texts,
                                size_t count)
{
    const char **list;

    if (count == 0)
        return NULL;
    list = nhi_graph_alloc(r->graph, count * sizeof(*list));
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        list[i] = nhi_graph_intern(r->graph, texts[i]);
        if (list[i] == NULL)
            return NULL;
    }
    return list;
}

/* The scalars of a scalar or a list, interned, as an arena array. */
static int read_names(reader *r, const nhi_ynode *node, const char ***out,
                      size_t *out_count)
{
    const char **texts;
    size_t count = 0;

    *out = NULL;
    *out_count = 0;
    if (node == NULL)
        return NHI_OK;
    if (node->kind == NHI_YNODE_SCALAR) {
        const char *text = scalar_text(node);
        if (text == NULL)
            return NHI_OK;
        *out = intern_list(r, &text, 1);
        *out_count = 1;
        return *out ? NHI_OK : NHI_ENOMEM;
    }
    if (node->kind != NHI_YNODE_SEQUENCE || node->count == 0)
        return NHI_OK;
    texts = malloc(node->count * sizeof(*texts));
    if (texts == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < node->count; i++) {
        const char *text = scalar_text(node->items[i]);
        if (text)
            texts[count++] = text;
    }
    *out = intern_list(r, texts, count);
    *out_count = count;
    free(texts);
    return *out || count == 0 ? NHI_OK : NHI_ENOMEM;
}

static bool ends_with_nocase(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);

    return length >= suffix_length &&
           nhi_streq_nocase(text + length - suffix_length, suffix);
}

/* ---- Repository and workflow names ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* OWNER/REPO from `.../OWNER/REPO/.github/workflows/FILE`, interned; NULL
 * when the path has no such layout. Sets `*failed` on no memory. */
static const char *repository_from_path(reader *r, const char *path,
                                        bool *failed)
{
    static const char marker[] = "/.github/workflows/";
    const char *at = NULL, *next = path, *repo_start, *owner_start;
    size_t repo_length, owner_length;
    char *text;
    const char *interned;

    while ((next = strstr(next, marker)) != NULL)
        at = next++;
    if (at == NULL || at == path)
        return NULL;
    repo_start = at;
    while (repo_start > path && repo_start[-1] != '/')
        repo_start--;
    repo_length = (size_t)(at - repo_start);
    if (repo_start == path || repo_start - 1 == path)
        return NULL;
    owner_start = repo_start - 1;
    while (owner_start > path && owner_start[-1] != '/')
        owner_start--;
    owner_length = (size_t)(repo_start - 1 - owner_start);
    if (owner_length == 0 || repo_length == 0 ||
        strncmp(owner_start, ".", owner_length) == 0 ||
        strncmp(owner_start, "..", owner_length) == 0 ||
        strncmp(repo_start, ".", repo_length) == 0 ||
        strncmp(repo_start, "..", repo_length) == 0)
        return NULL;
    text = nhi_strndup(owner_start, (size_t)(at - owner_start));
    if (text == NULL) {
        *failed = true;
        return NULL;
    }
    interned = nhi_graph_intern(r->graph, text);
    free(text);
    *failed = interned == NULL;
    return interned;
}

/* ---- Workflow-level keys ---- */

static bool is_untrusted_event(const char *event)
{
    for (size_t i = 0; i < ARRAY_SIZE(untrusted_events); i++)
        if (strcmp(event, untrusted_events[i]) == 0)
            return true;
    return false;
}

/* Triggers from `on`: a scalar, a list, or the keys of a mapping; and the
 * branch and tag filters of `on.push`. */
static int read_triggers(reader *r, const nhi_ynode *on)
{
    ypairs pairs;
    const char **names = NULL;
    size_t count = 0;
    int result;

    if (on == NULL)
        return NHI_OK;
    if (on->kind != NHI_YNODE_MAPPING) {
        result = read_names(r, on, &r->triggers, &r->trigger_count);
        if (result < 0)
            return result;
    } else {
        if (map_pairs(on, &pairs) < 0)
            return NHI_ENOMEM;
        names = malloc((pairs.count ? pairs.count : 1) * sizeof(*names));
        if (names == NULL) {
            free(pairs.items);
            return NHI_ENOMEM;
        }
        for (size_t i = 0; i < pairs.count; i++)
            if (pairs.items[i].key->kind == NHI_YNODE_SCALAR)
                names[count++] = pairs.items[i].key->value;
        r->triggers = intern_list(r, names, count);
        r->trigger_count = count;
        free(names);
        free(pairs.items);
        if (r->triggers == NULL && count > 0)
            return NHI_ENOMEM;
    }
    for (size_t i = 0; i < r->trigger_count; i++)
        r->untrusted_trigger =
            r->untrusted_trigger || is_untrusted_event(r->triggers[i]);

    const nhi_ynode *push = map_get(on, "push");
    result = read_names(r, map_get(push, "branches"), &r->branches,
                        &r->branch_count);
    if (result < 0)
        return result;
    return read_names(r, map_get(push, "tags"), &r->tags, &r->tag_count);
}

/* `permissions`: `write-all`, or a mapping with `id-token: write`. */
static bool grants_id_token(const nhi_ynode *permissions)
{
    const char *text = scalar_text(permissions);

    if (text)
        return strcmp(text, "write-all") == 0;
    text = get_text(permissions, "id-token");
    return text && strcmp(text, "write") == 0;
}

/* ---- Credential sources ---- */

/* `secrets.NAME` or `vars.NAME` from an expression, interned; NULL when
 * it names none. */
static const char *stored_name(reader *r, const char *expression,
                               bool *failed)
{
    static const char *const contexts[] = {"secrets.", "vars."};

    for (size_t i = 0; i < ARRAY_SIZE(contexts); i++) {
        const char *at = strstr(expression, contexts[i]);
        size_t length = strlen(contexts[i]);

        if (at == NULL)
            continue;
        while (isalnum((unsigned char)at[length]) || at[length] == '_' ||
               at[length] == '-')
            length++;
        if (length == strlen(contexts[i]))
            continue;
        const char *interned = nhi_graph_intern_n(r->graph, at, length);
        *failed = interned == NULL;
        return interned;
    }
    return NULL;
}

/* The X of a value that is only `${{ env.X }}`, copied into `name`. */
static bool env_reference(const char *value, char *name, size_t size)
{
    const char *c = value;
    size_t length = 0;

    while (isspace((unsigned char)*c))
        c++;
    if (strncmp(c, "${{", 3) != 0)
        return false;
    c += 3;
    while (isspace((unsigned char)*c))
        c++;
    if (strncmp(c, "env.", 4) != 0)
        return false;
    c += 4;
    while (isalnum((unsigned char)c[length]) || c[length] == '_' ||
           c[length] == '-')
        length++;
    if (length == 0 || length >= size)
        return false;
    memcpy(name, c, length);
    name[length] = '\0';
    c += length;
    while (isspace((unsigned char)*c))
        c++;
    if (strncmp(c, "}}", 2) != 0)
        return false;
    c += 2;
    while (isspace((unsigned char)*c))
        c++;
    return *c == '\0';
}

/* The value an env variable has in a step: step, job, then workflow. */
static const nhi_ynode *env_lookup(const reader *r, const job_scope *job,
                                   const char *name)
{
    const nhi_ynode *found = map_get(job->step_env, name);

    if (found == NULL)
        found = map_get(job->env, name);
    if (found == NULL)
        found = map_get(r->workflow_env, name);
    return found;
}

/*
 * Where `value` comes from: a secret or variable it names, a literal, or
 * an env variable set by an env block in scope, followed `depth` more
 * times. Anything else, such as a step output, is unknown.
 */
static int resolve_source(reader *r, const job_scope *job, const char *value,
                          int depth, credential_source *out)
{
    char name[256];
    bool failed = false;

    memset(out, 0, sizeof(*out));
    if (value == NULL)
        return NHI_OK;
    if (strstr(value, "${{") == NULL) {
        out->kind = SOURCE_LITERAL;
        out->literal = value;
        return NHI_OK;
    }
    if (strstr(value, "secrets.") || strstr(value, "secrets[") ||
        strstr(value, "vars.")) {
        out->kind = SOURCE_STORED;
        out->secret = stored_name(r, value, &failed);
        return failed ? NHI_ENOMEM : NHI_OK;
    }
    if (depth > 0 && env_reference(value, name, sizeof(name))) {
        const char *set = scalar_text(env_lookup(r, job, name));
        if (set)
            return resolve_source(r, job, set, depth - 1, out);
    }
    return NHI_OK;
}

static bool is_key_id(const char *literal)
{
    const char *kind = nhi_secret_literal_kind("aws_access_key_id", literal,
                                               NULL);

    return kind && strcmp(kind, "aws-access-key-id") == 0;
}

/* ---- Logins ---- */

static int add_login(reader *r, const job_scope *job, nhi_login *login,
                     const nhi_ynode *at, const char *json_path)
{
    if (json_path == NULL)
        return NHI_ENOMEM;
    login->location = location_of(r, at, json_path);
    if (login->target)
        login->target_expression = strstr(login->target, "${{") != NULL ||
                                   login->target[0] == '$';
    return nhi_consumer_add_login(r->graph, job->consumer, login);
}

static const char *intern_or_null(reader *r, const char *text, bool *failed)
{
    const char *interned;

    if (text == NULL)
        return NULL;
    interned = nhi_graph_intern(r->graph, text);
    if (interned == NULL)
        *failed = true;
    return interned;
}

/* Add a login for one env entry when it contains a known credential. */
static int read_env_login(reader *r, const job_scope *job,
                          const nhi_ynode *key, const nhi_ynode *value,
                          const char *env_path)
{
    const char *name = key->value, *text = scalar_text(value);
    nhi_login login = {0};
    credential_source from;
    bool failed = false;
    int result;

    if (text == NULL)
        return NHI_OK;
    result = resolve_source(r, job, text, 0, &from);
    if (result < 0)
        return result;

    if (ends_with_nocase(name, "AWS_ACCESS_KEY_ID")) {
        if (from.kind == SOURCE_LITERAL && !is_key_id(from.literal))
            return NHI_OK; /* a test value such as `random_key` */
        if (from.kind == SOURCE_UNKNOWN)
            return NHI_OK;
        login.kind = NHI_LOGIN_AWS_KEY;
        login.key_id = intern_or_null(
            r, from.kind == SOURCE_LITERAL ? from.literal : NULL, &failed);
    } else {
        bool gcp = false, azure = false;
        for (size_t i = 0; i < ARRAY_SIZE(gcp_key_variables); i++)
            gcp = gcp || strcmp(name, gcp_key_variables[i]) == 0;
        for (size_t i = 0; i < ARRAY_SIZE(azure_secret_variables); i++)
            azure = azure || strcmp(name, azure_secret_variables[i]) == 0;
        if ((!gcp && !azure) || from.kind != SOURCE_STORED)
            return NHI_OK;
        login.kind = gcp ? NHI_LOGIN_GCP_KEY : NHI_LOGIN_AZURE_SECRET;
    }
    if (failed)
        return NHI_ENOMEM;
    login.secret = from.secret;
    login.step = job->step_label;
    return add_login(r, job, &login, key,
                     format_path(r, "%s.%s", env_path, name));
}

/* The text of the action a step uses, without `@ref`, in `out`. */
static void action_name(const char *uses, char *out, size_t size)
{
    size_t length = strcspn(uses, "@");

    if (length >= size)
        length = size - 1;
    memcpy(out, uses, length);
    out[length] = '\0';
}

static bool is_aws_action(const char *action)
{
    return nhi_streq_nocase(action, "aws-actions/configure-aws-credentials") ||
           (strncmp(action, "./", 2) == 0 &&
            ends_with_nocase(action, "/configure-aws-credentials"));
}

static int read_aws_action(reader *r, const job_scope *job,
                           const nhi_ynode *with, nhi_login *login,
                           const nhi_ynode *at, const char *step_path)
{
    const char *key_id = get_text(with, "aws-access-key-id");
    const char *role = get_text(with, "role-to-assume");
    credential_source from = {0};
    bool failed = false;
    int result;

    if (key_id) {
        result = resolve_source(r, job, key_id, 2, &from);
        if (result < 0)
            return result;
    }
    login->target = intern_or_null(r, role, &failed);
    if (failed)
        return NHI_ENOMEM;
    if (from.kind == SOURCE_STORED ||
        (from.kind == SOURCE_LITERAL && is_key_id(from.literal))) {
        login->kind = NHI_LOGIN_AWS_KEY;
        login->secret = from.secret;
        login->key_id = intern_or_null(
            r, from.kind == SOURCE_LITERAL ? from.literal : NULL, &failed);
        if (failed)
            return NHI_ENOMEM;
        return add_login(r, job, login, at, step_path);
    }
    /* NOTE: a key id from another expression, such as `${{ inputs.key }}`
     * in a reusable workflow, is taken as temporary too, because the file
     * does not show where it comes from. */
    if (role == NULL)
        return NHI_OK;
    /* Keys exported by an earlier step, or no key: the role is assumed
     * with temporary credentials. */
    login->kind = NHI_LOGIN_AWS_ROLE;
    return add_login(r, job, login, at, step_path);
}

/* A stored credential given through `input`: its secret, if named. */
static int stored_credential(reader *r, const job_scope *job,
                             const nhi_ynode *with, const char *input,
                             bool *present, const char **secret)
{
    const char *text = get_text(with, input);
    credential_source from;
    int result;

    *present = text != NULL;
    *secret = NULL;
    if (text == NULL)
        return NHI_OK;
    result = resolve_source(r, job, text, 2, &from);
    *secret = from.secret;
    return result;
}

static int read_google_auth(reader *r, const job_scope *job,
                            const nhi_ynode *with, nhi_login *login,
                            const nhi_ynode *at, const char *step_path)
{
    const char *provider = get_text(with, "workload_identity_provider");
    const char *account = get_text(with, "service_account");
    bool present = false, failed = false;
    int result;

    if (provider) {
        nhi_login federation = *login;
        federation.kind = NHI_LOGIN_GCP_FEDERATION;
        federation.target = intern_or_null(r, provider, &failed);
        if (account) {
            federation.step =
                format_path(r, "%s (service account %s)", login->step,
                            account);
            failed = failed || federation.step == NULL;
        }
        if (failed)
            return NHI_ENOMEM;
        result = add_login(r, job, &federation, at, step_path);
        if (result < 0)
            return result;
    }
    result = stored_credential(r, job, with, "credentials_json", &present,
                               &login->secret);
    if (result < 0 || !present)
        return result;
    login->kind = NHI_LOGIN_GCP_KEY;
    return add_login(r, job, login, at, step_path);
}

static int read_action_login(reader *r, const job_scope *job,
                             const nhi_ynode *step, const char *uses,
                             const nhi_ynode *with, const char *step_label,
                             const char *step_path)
{
    char action[256];
    nhi_login login = {0};
    bool present = false;
    int result;

    action_name(uses, action, sizeof(action));
    login.step = step_label;

    if (is_aws_action(action))
        return read_aws_action(r, job, with, &login, step, step_path);
    if (nhi_streq_nocase(action, "google-github-actions/auth"))
        return read_google_auth(r, job, with, &login, step, step_path);
    if (nhi_streq_nocase(action, "google-github-actions/setup-gcloud") ||
        nhi_streq_nocase(action,
                         "GoogleCloudPlatform/github-actions/setup-gcloud")) {
        result = stored_credential(r, job, with, "service_account_key",
                                   &present, &login.secret);
        if (result < 0 || !present)
            return result;
        login.kind = NHI_LOGIN_GCP_KEY;
        return add_login(r, job, &login, step, step_path);
    }
    if (nhi_streq_nocase(action, "azure/login")) {
        const char *client_id = get_text(with, "client-id");
        bool failed = false;

        result = stored_credential(r, job, with, "creds", &present,
                                   &login.secret);
        if (result < 0)
            return result;
        if (present) {
            login.kind = NHI_LOGIN_AZURE_SECRET;
        } else if (client_id) {
            login.kind = NHI_LOGIN_AZURE_FEDERATION;
            login.target = intern_or_null(r, client_id, &failed);
            if (failed)
                return NHI_ENOMEM;
        } else {
            return NHI_OK;
        }
        return add_login(r, job, &login, step, step_path);
    }
    return NHI_OK;
}

/* ---- env and with maps ---- */

/* What scan_map does with each entry. */
enum {
    SCAN_PLAINTEXT = 1, /* look for credential literals */
    SCAN_LOGINS = 2     /* look for static keys in env variables */
};

/*
 * `node` when it is a mapping. NULL when it is absent, null, an
 * expression (GitHub allows `env: ${{ fromJSON(...) }}`), or of another
 * shape, which is reported with `hint`.
 */
static const nhi_ynode *optional_map(reader *r, const nhi_ynode *node,
                                     const char *key, const char *json_path,
                                     const char *hint)
{
    if (node == NULL || nhi_ynode_is_null(node) || is_expression_text(node))
        return NULL;
    if (node->kind == NHI_YNODE_MAPPING)
        return node;
    nhi_error *error = node_error(r, node, json_path,
                                  "'%s' must be a mapping, not %s", key,
                                  nhi_ynode_kind_name(node->kind));
    nhi_error_set_hint(error, "%s", hint);
    return NULL;
}

static const nhi_ynode *env_map(reader *r, const nhi_ynode *owner,
                                const char *env_path)
{
    return optional_map(r, map_get(owner, "env"), "env", env_path,
                        "write one 'NAME: value' line per variable under "
                        "'env:'");
}

static int add_plaintext(reader *r, nhi_consumer *consumer,
                         const nhi_ynode *key, const nhi_ynode *value,
                         const char *map_path)
{
    char fingerprint[17];
    const char *kind = nhi_secret_literal_kind(key->value, value->value,
                                               fingerprint);
    nhi_plaintext *plaintext;
    const char *json_path;

    if (kind == NULL)
        return NHI_OK;
    plaintext = nhi_graph_alloc(r->graph, sizeof(*plaintext));
    json_path = format_path(r, "%s.%s", map_path, key->value);
    if (plaintext == NULL || json_path == NULL)
        return NHI_ENOMEM;
    plaintext->kind = nhi_graph_intern(r->graph, kind);
    plaintext->key = nhi_graph_intern(r->graph, key->value);
    if (plaintext->kind == NULL || plaintext->key == NULL)
        return NHI_ENOMEM;
    memcpy(plaintext->fingerprint, fingerprint, sizeof(fingerprint));
    plaintext->consumer = consumer;
    plaintext->location = location_of(r, value, json_path);
    return nhi_graph_add_plaintext(r->graph, plaintext);
}

/*
 * Read the scalar entries of an env or with mapping: credential literals
 * become plaintext entries of `consumer` (NULL outside a job). With
 * SCAN_LOGINS, env variables that contain static keys become logins of
 * `job`'s consumer.
 */
/*
 * Scan `map` (an env or with map) for literals and logins. A variable
 * that `shadow` (a job's env, over the workflow's) sets again is not the
 * job's: GitHub uses the most specific definition of a name.
 */
static int scan_map(reader *r, const job_scope *job, nhi_consumer *consumer,
                    const nhi_ynode *map, const char *map_path, int what,
                    const nhi_ynode *shadow)
{
    ypairs pairs;
    int result = NHI_OK;

    if (map == NULL)
        return NHI_OK;
    if (map_pairs(map, &pairs) < 0)
        return NHI_ENOMEM;
    for (size_t i = 0; i < pairs.count && result == NHI_OK; i++) {
        const nhi_ynode *key = pairs.items[i].key;
        const nhi_ynode *value = pairs.items[i].value;

        if (!take_work(r, key))
            break;
        if (key->kind != NHI_YNODE_SCALAR || value->kind != NHI_YNODE_SCALAR ||
            nhi_ynode_is_null(value))
            continue;
        if (shadow && shadow->kind == NHI_YNODE_MAPPING &&
            map_get(shadow, key->value))
            continue;
        if (what & SCAN_PLAINTEXT)
            result = add_plaintext(r, consumer, key, value, map_path);
        if (result == NHI_OK && (what & SCAN_LOGINS))
            result = read_env_login(r, job, key, value, map_path);
    }
    free(pairs.items);
    return result;
}

/* ---- Steps ---- */

static int read_step(reader *r, job_scope *job, const nhi_ynode *step,
                     const char *step_path)
{
    const char *uses, *name, *label = NULL, *with_path, *env_path;
    const nhi_ynode *env, *with;
    int result;

    if (step->kind != NHI_YNODE_MAPPING) {
        if (is_expression_text(step))
            return NHI_OK;
        nhi_error *error = node_error(r, step, step_path,
                                      "a step must be a mapping, not %s",
                                      nhi_ynode_kind_name(step->kind));
        nhi_error_set_hint(error, "write the step as '- uses: ACTION' or "
                                  "'- run: COMMAND', with its keys "
                                  "indented under the dash");
        return NHI_OK;
    }

    uses = get_text(step, "uses");
    name = get_text(step, "name");
    if (name || uses) {
        label = nhi_graph_intern(r->graph, name ? name : uses);
        if (label == NULL)
            return NHI_ENOMEM;
    }
    with_path = format_path(r, "%s.with", step_path);
    env_path = format_path(r, "%s.env", step_path);
    if (with_path == NULL || env_path == NULL)
        return NHI_ENOMEM;
    with = optional_map(r, map_get(step, "with"), "with", with_path,
                        "write one 'input: value' line per input under "
                        "'with:'");
    env = env_map(r, step, env_path);

    job->step_env = env;
    job->step_label = label;
    result = scan_map(r, job, job->consumer, env, env_path,
                      SCAN_PLAINTEXT | SCAN_LOGINS, NULL);
    if (result == NHI_OK)
        result = scan_map(r, job, job->consumer, with, with_path,
                          SCAN_PLAINTEXT, NULL);
    if (result == NHI_OK && uses)
        result = read_action_login(r, job, step, uses, with, label, step_path);
    job->step_env = NULL;
    job->step_label = NULL;
    return result;
}

static int read_steps(reader *r, job_scope *job, const nhi_ynode *steps)
{
    if (steps == NULL || nhi_ynode_is_null(steps) || is_expression_text(steps))
        return NHI_OK;
    if (steps->kind != NHI_YNODE_SEQUENCE) {
        char *steps_path = nhi_asprintf("%s.steps", job->path);
        nhi_error *error = node_error(r, steps, steps_path,
                                      "'steps' must be a list, not %s",
                                      nhi_ynode_kind_name(steps->kind));
        free(steps_path);
        nhi_error_set_hint(error, "write each step as a '- ' entry under "
                                  "'steps:'");
        return NHI_OK;
    }
    for (size_t i = 0; i < steps->count; i++) {
        const char *step_path;
        int result;

        if (!take_work(r, steps->items[i]))
            return NHI_OK;
        step_path = format_path(r, "%s.steps[%zu]", job->path, i);
        if (step_path == NULL)
            return NHI_ENOMEM;
        result = read_step(r, job, steps->items[i], step_path);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

/* ---- Jobs ---- */

/* Literals in the env of the job's container and service containers. */
static int scan_containers(reader *r, job_scope *job, const nhi_ynode *node)
{
    const nhi_ynode *container = map_get(node, "container");
    const nhi_ynode *services = map_get(node, "services");
    const char *map_path;
    ypairs pairs;
    int result = NHI_OK;

    if (map_get(container, "env") &&
        map_get(container, "env")->kind == NHI_YNODE_MAPPING) {
        map_path = format_path(r, "%s.container.env", job->path);
        result = map_path ? scan_map(r, job, job->consumer,
                                     map_get(container, "env"), map_path,
                                     SCAN_PLAINTEXT, NULL)
                          : NHI_ENOMEM;
    }
    if (result < 0 || services == NULL ||
        services->kind != NHI_YNODE_MAPPING)
        return result;
    if (map_pairs(services, &pairs) < 0)
        return NHI_ENOMEM;
    for (size_t i = 0; i < pairs.count && result == NHI_OK; i++) {
        const nhi_ynode *env = map_get(pairs.items[i].value, "env");
        if (env == NULL || env->kind != NHI_YNODE_MAPPING ||
            pairs.items[i].key->kind != NHI_YNODE_SCALAR)
            continue;
        map_path = format_path(r, "%s.services.%s.env", job->path,
                               pairs.items[i].key->value);
        result = map_path ? scan_map(r, job, job->consumer, env, map_path,
                                     SCAN_PLAINTEXT, NULL)
                          : NHI_ENOMEM;
    }
    free(pairs.items);
    return result;
}

/* A call of a reusable workflow: literals in its `with` and `secrets`. */
static int scan_workflow_call(reader *r, job_scope *job, const nhi_ynode *node)
{
    static const char *const keys[] = {"with", "secrets"};

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const nhi_ynode *map = map_get(node, keys[i]);
        const char *map_path;
        int result;

        if (map == NULL || map->kind != NHI_YNODE_MAPPING)
            continue;
        map_path = format_path(r, "%s.%s", job->path, keys[i]);
        if (map_path == NULL)
            return NHI_ENOMEM;
        result = scan_map(r, job, job->consumer, map, map_path,
                          SCAN_PLAINTEXT, NULL);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static int fill_consumer(reader *r, nhi_consumer *consumer,
                         const nhi_ynode *key, const nhi_ynode *node,
                         const char *job_path)
{
    const nhi_ynode *permissions = map_get(node, "permissions");
    const nhi_ynode *environment = map_get(node, "environment");
    const char *display = get_text(node, "name");
    const char *deployment = scalar_text(environment);

    consumer->kind = NHI_CONSUMER_GITHUB_JOB;
    /* The form declarations use: the workflow's path in its repository. */
    consumer->id = format_path(r, "%s/.github/workflows/%s#%s",
                               r->repository ? r->repository
                                             : "unknown/unknown",
                               r->workflow, key->value);
    consumer->repository = r->repository;
    consumer->workflow = r->workflow;
    consumer->job = nhi_graph_intern(r->graph, key->value);
    if (consumer->id == NULL || consumer->job == NULL)
        return NHI_ENOMEM;
    if (display && (consumer->display = nhi_graph_intern(r->graph, display)) ==
                       NULL)
        return NHI_ENOMEM;
    if (deployment == NULL)
        deployment = get_text(environment, "name");
    if (deployment &&
        (consumer->deployment = nhi_graph_intern(r->graph, deployment)) ==
            NULL)
        return NHI_ENOMEM;

    consumer->triggers = r->triggers;
    consumer->trigger_count = r->trigger_count;
    consumer->untrusted_trigger = r->untrusted_trigger;
    consumer->branches = r->branches;
    consumer->branch_count = r->branch_count;
    consumer->tags = r->tags;
    consumer->tag_count = r->tag_count;
    /* A job's permissions replace the workflow's. Without any, the
     * GITHUB_TOKEN never has id-token: write. */
    if (permissions && !nhi_ynode_is_null(permissions))
        consumer->id_token = grants_id_token(permissions);
    else
        consumer->id_token = grants_id_token(r->workflow_permissions);
    consumer->automount = -1;
    consumer->location = location_of(r, key, job_path);
    return NHI_OK;
}

static int read_job(reader *r, const nhi_ynode *key, const nhi_ynode *node)
{
    job_scope job = {0};
    const char *env_path;
    int result;

    if (key->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = node_error(r, key, "jobs",
                                      "a job id must be a name, not %s",
                                      nhi_ynode_kind_name(key->kind));
        nhi_error_set_hint(error, "use a name of letters, digits, '-' and "
                                  "'_' as the job id");
        return NHI_OK;
    }
    job.path = format_path(r, "jobs.%s", key->value);
    if (job.path == NULL)
        return NHI_ENOMEM;
    if (node->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = node_error(r, node, job.path,
                                      "job '%s' must be a mapping, not %s",
                                      key->value,
                                      nhi_ynode_is_null(node)
                                          ? "empty"
                                          : nhi_ynode_kind_name(node->kind));
        nhi_error_set_hint(error, "indent the job's keys, such as runs-on "
                                  "and steps, under '%s:'",
                          key->value);
        return NHI_OK;
    }

    job.consumer = nhi_graph_alloc(r->graph, sizeof(*job.consumer));
    if (job.consumer == NULL)
        return NHI_ENOMEM;
    result = fill_consumer(r, job.consumer, key, node, job.path);
    if (result < 0 || (result = nhi_graph_add_consumer(r->graph, job.consumer)) <
                          0)
        return result;

    env_path = format_path(r, "%s.env", job.path);
    if (env_path == NULL)
        return NHI_ENOMEM;
    job.env = env_map(r, node, env_path);
    /* Workflow-level variables are every job's; their literals were
     * reported once, outside any job. */
    result = scan_map(r, &job, job.consumer, r->workflow_env, "env",
                      SCAN_LOGINS, job.env);
    if (result == NHI_OK)
        result = scan_map(r, &job, job.consumer, job.env, env_path,
                          SCAN_PLAINTEXT | SCAN_LOGINS, NULL);
    if (result == NHI_OK)
        result = scan_containers(r, &job, node);
    if (result < 0)
        return result;

    /* A job that calls a reusable workflow has no steps of its own. */
    if (map_get(node, "uses"))
        return scan_workflow_call(r, &job, node);
    return read_steps(r, &job, map_get(node, "steps"));
}

static int read_jobs(reader *r, const nhi_ynode *root)
{
    const nhi_ynode *jobs = map_get(root, "jobs");
    ypairs pairs;
    int result = NHI_OK;

    if (jobs == NULL || nhi_ynode_is_null(jobs)) {
        nhi_error *error = node_error(r, jobs ? jobs : root, "jobs",
                                      "workflow has no jobs");
        nhi_error_set_hint(error, "add 'jobs:' with at least one job");
        return NHI_OK;
    }
    if (jobs->kind != NHI_YNODE_MAPPING) {
        if (is_expression_text(jobs))
            return NHI_OK;
        nhi_error *error = node_error(r, jobs, "jobs",
                                      "'jobs' must be a mapping, not %s",
                                      nhi_ynode_kind_name(jobs->kind));
        nhi_error_set_hint(error, "write each job as 'JOB_ID:' under 'jobs:', "
                                  "with its keys indented below it");
        return NHI_OK;
    }
    if (map_pairs(jobs, &pairs) < 0)
        return NHI_ENOMEM;
    for (size_t i = 0; i < pairs.count && result == NHI_OK; i++) {
        if (!take_work(r, pairs.items[i].key))
            break;
        result = read_job(r, pairs.items[i].key, pairs.items[i].value);
    }
    free(pairs.items);
    return result;
}

static int read_workflow(reader *r, const nhi_ynode *root)
{
    int result;

    if (root->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = node_error(r, root, NULL,
                                      "a workflow must be a mapping, not %s",
                                      nhi_ynode_is_null(root)
                                          ? "empty"
                                          : nhi_ynode_kind_name(root->kind));
        nhi_error_set_hint(error, "start the file with keys such as 'name:', "
                                  "'on:' and 'jobs:'");
        return NHI_OK;
    }
    r->workflow_permissions = map_get(root, "permissions");
    r->workflow_env = env_map(r, root, "env");
    result = read_triggers(r, map_get(root, "on"));
    if (result == NHI_OK)
        result = scan_map(r, NULL, NULL, r->workflow_env, "env",
                          SCAN_PLAINTEXT, NULL);
    if (result == NHI_OK)
        result = read_jobs(r, root);
    return result;
}

/* ---- Entry points ---- */

bool nhi_github_sniff(const nhi_ynode *root)
{
    const nhi_ynode *jobs;
    ypairs pairs;
    bool workflow = false;

    if (root == NULL || root->kind != NHI_YNODE_MAPPING ||
        nhi_ymap_get(root, "workload_identity") ||
        (nhi_ymap_get(root, "apiVersion") && nhi_ymap_get(root, "kind")))
        return false;
    jobs = map_get(root, "jobs");
    if (jobs == NULL || jobs->kind != NHI_YNODE_MAPPING ||
        map_pairs(jobs, &pairs) < 0)
        return false;
    /* Each job that is a mapping needs runs-on, steps or uses, which
     * GitLab jobs lack. A job of another shape does not decide, because
     * the reader reports it. */
    for (size_t i = 0; i < pairs.count; i++) {
        const nhi_ynode *job = pairs.items[i].value;
        bool known;

        if (job->kind != NHI_YNODE_MAPPING)
            continue;
        known = map_get(job, "runs-on") || map_get(job, "steps") ||
                map_get(job, "uses");
        if (!known) {
            workflow = false;
            break;
        }
        workflow = true;
    }
    free(pairs.items);
    return workflow;
}

int nhi_github_read(nhi_graph *graph, const char *path, nhi_diags *diags)
{
    reader r = {0};
    nhi_yfile *file = NULL;
    size_t errors = diags->errors;
    bool failed = false;
    int result;

    result = nhi_yaml_load(path, &file, diags);
    if (result == NHI_ENOMEM || file == NULL || file->count == 0) {
        if (result == NHI_OK) {
            nhi_error *error = nhi_diags_add(diags, NHI_LEVEL_ERROR,
                                             NHI_EINPUT, path, 0, 0,
                                             "workflow file is empty");
            nhi_error_set_hint(error, "add the workflow's 'on:' and 'jobs:' "
                                      "keys, or remove the file");
            result = NHI_EINPUT;
        }
        nhi_yfile_free(file);
        return result;
    }

    r.graph = graph;
    r.diags = diags;
    r.path = nhi_graph_intern(graph, path);
    r.workflow = nhi_graph_intern(graph, base_name(path));
    if (graph->reading_repository)
        r.repository = nhi_graph_intern(graph, graph->reading_repository);
    else
        r.repository = repository_from_path(&r, path, &failed);
    if (r.path == NULL || r.workflow == NULL || failed ||
        (graph->reading_repository && r.repository == NULL)) {
        nhi_yfile_free(file);
        return NHI_ENOMEM;
    }

    /* Only the first document: GitHub reads a workflow file as one. */
    result = read_workflow(&r, file->documents[0]);
    nhi_yfile_free(file);
    if (result < 0)
        return result;
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}
