/* SPDX-License-Identifier: MIT */
/*
 * The reader of GitLab CI/CD pipelines: a `.gitlab-ci.yml` with its local
 * includes, templates (`extends`, hidden jobs, YAML merge keys) and
 * variables. Each visible job becomes a consumer with the cloud logins its
 * scripts and variables show. Keyword semantics follow the CI/CD YAML
 * syntax reference (docs.gitlab.com/ee/ci/yaml/) and the ID token
 * documentation (docs.gitlab.com/ee/ci/secrets/id_token_authentication.html).
 */
#include "nhi/consumer.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "strmap.h"
#include "util.h"
#include "ytree.h"

/*
 * GitLab rejects a template that extends further when it already has 10
 * ancestors (MAX_NESTING_LEVELS in lib/gitlab/ci/config/extendable/
 * entry.rb), so a job reaches templates at most 11 levels deep.
 */
#define MAX_EXTENDS_DEPTH 11
/* Files read through `include`, the top file excluded. The cap bounds the
 * work that a generated or hostile pipeline can cause. */
#define MAX_INCLUDES 100
/* Script lists nested through anchors are flattened. The cap bounds the
 * recursion, and deeper lists are reported as invalid. */
#define MAX_SCRIPT_NESTING 10
/*
 * Merge keys and deep merges recurse along the tree. Aliases let a tree
 * nest past NHI_YAML_MAX_DEPTH, so the recursion has its own cap, and
 * deeper parts are taken as written.
 */
#define MAX_MERGE_DEPTH NHI_YAML_MAX_DEPTH

/* Top-level keys that are global keywords, not jobs. */
static const char *const reserved_keys[] = {
    "default",  "include",  "stages", "variables",     "workflow",    "image",
    "services", "cache",    "before_script", "after_script", "spec"};
#define RESERVED_KEY_COUNT (sizeof(reserved_keys) / sizeof(reserved_keys[0]))

/* Values of `only:` that name a pipeline source, not a ref. */
static const char *const only_keywords[] = {
    "api",       "branches",       "chat",     "external",
    "external_pull_requests", "merge_requests", "pipelines", "pushes",
    "schedules", "tags",           "triggers", "web"};
#define ONLY_KEYWORD_COUNT (sizeof(only_keywords) / sizeof(only_keywords[0]))

typedef enum entry_state {
    ENTRY_NEW,
    ENTRY_RESOLVING,
    ENTRY_RESOLVED
} entry_state;

/* One top-level key of the pipeline, after includes were merged. */
typedef struct entry {
    const char *name;
    const nhi_ynode *key;
    const nhi_ynode *value;
    const char *source;      /* the file of `key`, interned */
    size_t file_index;       /* position of that file in reading order */
    entry_state state;
    const nhi_ynode *resolved; /* `value` after extends */
    bool extended;           /* a template of some job */
} entry;

/* A file read: the top file or a local include. */
typedef struct loaded_file {
    char *real_path;
    const char *path;        /* as given or joined, interned */
    nhi_yfile *yfile;
    bool open;               /* on the include stack: a cycle if reached */
} loaded_file;

typedef struct reader {
    nhi_graph *graph;
    nhi_diags *diags;
    nhi_arena *scratch;      /* merged nodes, keys of the maps below */
    const char *project;
    const char *top_path;
    char *root_folder;       /* folder of the top file, as given */
    char *real_root;         /* the same, resolved */
    loaded_file *files;
    size_t file_count;
    size_t file_capacity;
    size_t include_count;
    size_t unseen_includes;  /* remote, project, template, component */
    entry **entries;
    size_t entry_count;
    size_t entry_capacity;
    nhi_strmap names;        /* entry name -> entry */
    nhi_strmap sources;      /* node address -> source path */
    nhi_strmap expanded;     /* node address -> node with `<<` merged */
    nhi_strmap merged;       /* two node addresses -> deep merge */
    nhi_strmap reported;     /* node address -> the node, once reported */
    bool out_of_memory;
} reader;

/* What a job reads while its logins are collected. */
typedef struct job_reader {
    reader *r;
    const entry *e;
    nhi_consumer *consumer;
    const nhi_ynode *job;        /* resolved and merge-expanded */
    const nhi_ynode *variables;  /* the job's variables mapping, or NULL */
    bool globals_all;            /* inherit every global variable */
    const nhi_ynode *globals_only; /* inherit:variables list, or NULL */
    const char *audience;
    bool web_identity_call;      /* assume-role-with-web-identity seen */
    const nhi_ynode *key_reference; /* first $AWS_ACCESS_KEY_ID use */
    /* Logins found so far, copied to the consumer once complete, because
     * appending one at a time copies the whole list each time. */
    nhi_login *logins;
    size_t login_count;
    size_t login_capacity;
    const char *key_reference_step;
    const char *key_reference_path;
} job_reader;

/* ---- Diagnostics ------------------------------------------------------- */

static void *map_get_pointer(const nhi_strmap *map, const void *a,
                             const void *b)
{
    char buffer[2 * sizeof(void *)];

    memcpy(buffer, &a, sizeof(void *));
    memcpy(buffer + sizeof(void *), &b, sizeof(void *));
    return nhi_strmap_get(map, buffer, sizeof(buffer));
}

static void map_put_pointer(reader *r, nhi_strmap *map, const void *a,
                            const void *b, const void *value)
{
    char *key = nhi_arena_alloc(r->scratch, 2 * sizeof(void *));

    if (key != NULL) {
        memcpy(key, &a, sizeof(void *));
        memcpy(key + sizeof(void *), &b, sizeof(void *));
    }
    if (key == NULL ||
        nhi_strmap_put(map, key, 2 * sizeof(void *), (void *)value) < 0)
        r->out_of_memory = true;
}

/* The file a node was read from, or `fallback` when it is not known. */
static const char *source_of(const reader *r, const nhi_ynode *node,
                             const char *fallback)
{
    const char *source = map_get_pointer(&r->sources, node, NULL);

    return source ? source : fallback;
}

static nhi_error *node_diag(reader *r, nhi_level level, const nhi_ynode *node,
                            const char *fallback, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Report a problem at `node`, once: a template shared by several jobs is
 * checked once per job, and its mistakes are reported at the first.
 * Returns NULL when the node was reported before or memory ran out.
 */
static nhi_error *node_diag(reader *r, nhi_level level, const nhi_ynode *node,
                            const char *fallback, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    if (map_get_pointer(&r->reported, node, NULL) != NULL)
        return NULL;
    map_put_pointer(r, &r->reported, node, NULL, node);
    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, level, NHI_EINPUT,
                           source_of(r, node, fallback), node->line,
                           node->column, fmt, args);
    va_end(args);
    return error;
}

static void set_hint(nhi_error *error, const char *hint)
{
    if (error)
        nhi_error_set_hint(error, "%s", hint);
}

static const char *kind_name(const nhi_ynode *node)
{
    return nhi_ynode_is_null(node) && node->kind == NHI_YNODE_SCALAR
               ? "empty"
               : nhi_ynode_kind_name(node->kind);
}

/* ---- Trees: sources, merge keys, deep merges ----------------------------- */

/* Record the source of every node of a file. Shared subtrees are walked
 * once, so an alias-heavy file costs linear time. */
static void record_sources(reader *r, const nhi_ynode *node,
                           const char *source, unsigned depth)
{
    if (node == NULL || depth > MAX_MERGE_DEPTH ||
        map_get_pointer(&r->sources, node, NULL) != NULL)
        return;
    map_put_pointer(r, &r->sources, node, NULL, source);
    for (size_t i = 0; i < node->count; i++)
        record_sources(r, node->items[i], source, depth + 1);
}

static nhi_ynode *new_mapping(reader *r, const nhi_ynode *like,
                              size_t capacity)
{
    nhi_ynode *node = nhi_arena_alloc(r->scratch, sizeof(*node));

    if (node == NULL ||
        (capacity > 0 &&
         (capacity > SIZE_MAX / sizeof(*node->items) ||
          (node->items = nhi_arena_alloc(r->scratch, capacity *
                                                         sizeof(*node->items)))
              == NULL))) {
        r->out_of_memory = true;
        return NULL;
    }
    node->kind = NHI_YNODE_MAPPING;
    node->line = like->line;
    node->column = like->column;
    node->capacity = capacity;
    return node;
}

/* Append a pair to a mapping built here. The tree's nodes are shared and
 * never written through these pointers. */
static void push_pair(nhi_ynode *map, const nhi_ynode *key,
                      const nhi_ynode *value)
{
    if (map->count + 2 > map->capacity)
        return;
    map->items[map->count++] = (nhi_ynode *)key;
    map->items[map->count++] = (nhi_ynode *)value;
}

static bool same_key(const nhi_ynode *a, const nhi_ynode *b)
{
    if (a->kind != NHI_YNODE_SCALAR || b->kind != NHI_YNODE_SCALAR)
        return a == b;
    return a->length == b->length && memcmp(a->value, b->value, a->length) == 0;
}

/* The value under a key equal to `key` in a mapping, or NULL. */
static const nhi_ynode *find_key(const nhi_ynode *map, const nhi_ynode *key)
{
    for (size_t i = 0; i + 1 < map->count; i += 2)
        if (same_key(map->items[i], key))
            return map->items[i + 1];
    return NULL;
}

static bool is_merge_key(const nhi_ynode *key)
{
    return key->kind == NHI_YNODE_SCALAR && key->plain &&
           strcmp(key->value, "<<") == 0;
}

static const nhi_ynode *expand_depth(reader *r, const nhi_ynode *node,
                                     unsigned depth);

/* Append the pairs of `source` whose keys `out` lacks. */
static void merge_missing(reader *r, nhi_ynode *out, const nhi_ynode *source,
                          unsigned depth)
{
    source = expand_depth(r, source, depth + 1);
    for (size_t i = 0; i + 1 < source->count; i += 2) {
        if (find_key(out, source->items[i]) != NULL ||
            out->count + 2 > out->capacity)
            continue;
        push_pair(out, source->items[i], source->items[i + 1]);
    }
}

static size_t merge_source_size(const nhi_ynode *value)
{
    size_t size = 0;

    if (value->kind == NHI_YNODE_MAPPING)
        return value->count;
    if (value->kind != NHI_YNODE_SEQUENCE)
        return 0;
    for (size_t i = 0; i < value->count; i++)
        if (value->items[i]->kind == NHI_YNODE_MAPPING)
            size += value->items[i]->count;
    return size;
}

static void bad_merge_value(reader *r, const nhi_ynode *value)
{
    nhi_error *error = node_diag(r, NHI_LEVEL_ERROR, value, r->top_path,
                                 "the merge key '<<' must name a mapping or "
                                 "a list of mappings, not %s",
                                 kind_name(value));
    set_hint(error, "write '<<: *anchor' where '&anchor' marks a mapping");
}

/*
 * A mapping with its YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`)
 * applied: the mapping's own keys win, then the sources in order. The
 * result is kept, so that each mapping is expanded once.
 */
static const nhi_ynode *expand_depth(reader *r, const nhi_ynode *node,
                                     unsigned depth)
{
    const nhi_ynode *known;
    nhi_ynode *out;
    size_t size = 0;
    bool has_merge = false;

    if (node == NULL || node->kind != NHI_YNODE_MAPPING ||
        depth > MAX_MERGE_DEPTH)
        return node;
    for (size_t i = 0; i + 1 < node->count; i += 2) {
        if (is_merge_key(node->items[i])) {
            has_merge = true;
            size += merge_source_size(node->items[i + 1]);
        } else {
            size += 2;
        }
    }
    if (!has_merge)
        return node;
    known = map_get_pointer(&r->expanded, node, NULL);
    if (known)
        return known;

    out = new_mapping(r, node, size);
    if (out == NULL)
        return node;
    for (size_t i = 0; i + 1 < node->count; i += 2) {
        if (is_merge_key(node->items[i]) || out->count + 2 > out->capacity)
            continue;
        push_pair(out, node->items[i], node->items[i + 1]);
    }
    for (size_t i = 0; i + 1 < node->count; i += 2) {
        const nhi_ynode *value = node->items[i + 1];
        if (!is_merge_key(node->items[i]))
            continue;
        if (value->kind == NHI_YNODE_MAPPING) {
            merge_missing(r, out, value, depth);
            continue;
        }
        if (value->kind != NHI_YNODE_SEQUENCE) {
            bad_merge_value(r, value);
            continue;
        }
        for (size_t j = 0; j < value->count; j++) {
            if (value->items[j]->kind == NHI_YNODE_MAPPING)
                merge_missing(r, out, value->items[j], depth);
            else
                bad_merge_value(r, value->items[j]);
        }
    }
    map_put_pointer(r, &r->expanded, node, NULL, out);
    return out;
}

static const nhi_ynode *expand(reader *r, const nhi_ynode *node)
{
    return expand_depth(r, node, 0);
}

/* The value of `key` in a mapping with its merge keys applied. NULL when
 * absent or when `map` is not a mapping. */
static const nhi_ynode *get(reader *r, const nhi_ynode *map, const char *key)
{
    return nhi_ymap_get(expand(r, map), key);
}

/*
 * GitLab's deep merge of `extends` and of included files: mappings merge
 * key by key with `over` winning, and any other value of `over` replaces
 * the one of `base`.
 */
static const nhi_ynode *deep_merge(reader *r, const nhi_ynode *base,
                                   const nhi_ynode *over, unsigned depth)
{
    const nhi_ynode *known;
    nhi_ynode *out;

    if (base == NULL || over == NULL || base->kind != NHI_YNODE_MAPPING ||
        over->kind != NHI_YNODE_MAPPING || depth > MAX_MERGE_DEPTH)
        return over;
    known = map_get_pointer(&r->merged, base, over);
    if (known)
        return known;
    base = expand(r, base);
    over = expand(r, over);

    out = new_mapping(r, over, base->count + over->count);
    if (out == NULL)
        return over;
    for (size_t i = 0; i + 1 < base->count; i += 2) {
        const nhi_ynode *key = base->items[i], *value = base->items[i + 1];
        const nhi_ynode *replacement = find_key(over, key);
        if (find_key(out, key) != NULL)
            continue;
        if (replacement != NULL)
            value = deep_merge(r, value, replacement, depth + 1);
        push_pair(out, key, value);
    }
    for (size_t i = 0; i + 1 < over->count; i += 2) {
        if (find_key(out, over->items[i]) != NULL)
            continue;
        push_pair(out, over->items[i], over->items[i + 1]);
    }
    map_put_pointer(r, &r->merged, base, over, out);
    return out;
}

/* ---- Strings --------------------------------------------------------- */

static const char *intern(reader *r, const char *text)
{
    const char *interned = nhi_graph_intern(r->graph, text);

    if (interned == NULL)
        r->out_of_memory = true;
    return interned;
}

static const char *intern_format(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *intern_format(reader *r, const char *fmt, ...)
{
    va_list args;
    char *text;
    const char *interned = NULL;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text)
        interned = intern(r, text);
    else
        r->out_of_memory = true;
    free(text);
    return interned;
}

static bool is_name_start(char c)
{
    return c == '_' || isalpha((unsigned char)c);
}

static bool is_name_char(char c)
{
    return c == '_' || isalnum((unsigned char)c);
}

/*
 * The variable named by a reference at `text` (`$NAME` or `${NAME}`):
 * stores its name's start and length and returns the reference's length,
 * or 0 when `text` holds no reference.
 */
static size_t reference_at(const char *text, const char **name,
                           size_t *length)
{
    size_t n = 0;

    if (text[0] != '$')
        return 0;
    if (text[1] == '{') {
        while (is_name_char(text[2 + n]))
            n++;
        if (n == 0 || !is_name_start(text[2]) || text[2 + n] != '}')
            return 0;
        *name = text + 2;
        *length = n;
        return n + 3;
    }
    if (!is_name_start(text[1]))
        return 0;
    while (is_name_char(text[1 + n]))
        n++;
    *name = text + 1;
    *length = n;
    return n + 1;
}

/* The first variable that `text` references, as `$NAME`, or NULL. */
static const char *first_reference(reader *r, const char *text)
{
    for (const char *c = text; *c; c++) {
        const char *name;
        size_t length;
        if (c[0] == '$' && c[1] == '$') {
            c++;
            continue;
        }
        if (reference_at(c, &name, &length) > 0)
            return intern_format(r, "$%.*s", (int)length, name);
    }
    return NULL;
}

/* True for an AWS access key id: AKIA or ASIA and 16 of [A-Z0-9]. */
static bool is_access_key_id(const char *text)
{
    if (strncmp(text, "AKIA", 4) != 0 && strncmp(text, "ASIA", 4) != 0)
        return false;
    for (size_t i = 4; i < 20; i++)
        if (!isupper((unsigned char)text[i]) && !isdigit((unsigned char)text[i]))
            return false;
    return text[20] == '\0';
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);

    return length >= suffix_length &&
           strcmp(text + length - suffix_length, suffix) == 0;
}

/* ---- Variables --------------------------------------------------------- */

/*
 * The text node of a variable's value: the scalar itself, or the `value:`
 * of the expanded form. NULL when there is none. Reports other shapes.
 */
static const nhi_ynode *variable_value(reader *r, const nhi_ynode *name,
                                       const nhi_ynode *value,
                                       const char *fallback)
{
    const nhi_ynode *text;
    nhi_error *error;

    if (value->kind == NHI_YNODE_SCALAR)
        return value;
    if (value->kind == NHI_YNODE_MAPPING) {
        text = get(r, value, "value");
        if (text == NULL || text->kind == NHI_YNODE_SCALAR)
            return text;
        value = text;
    }
    error = node_diag(r, NHI_LEVEL_ERROR, value, fallback,
                      "variable '%s' must be a string or a mapping with "
                      "'value', not %s",
                      name->kind == NHI_YNODE_SCALAR ? name->value : "?",
                      kind_name(value));
    set_hint(error, "write 'NAME: VALUE' or 'NAME: {value: VALUE, "
                    "description: ...}'");
    return NULL;
}

/* The variables mapping at `node` (merge keys applied), or NULL after
 * reporting a value of another shape. */
static const nhi_ynode *variables_mapping(reader *r, const nhi_ynode *node,
                                          const char *fallback)
{
    nhi_error *error;

    if (node == NULL || nhi_ynode_is_null(node))
        return NULL;
    if (node->kind == NHI_YNODE_MAPPING)
        return expand(r, node);
    error = node_diag(r, NHI_LEVEL_ERROR, node, fallback,
                      "'variables' must be a mapping, not %s",
                      kind_name(node));
    set_hint(error, "write one 'NAME: VALUE' per line under 'variables:'");
    return NULL;
}

static const entry *find_entry(const reader *r, const char *name)
{
    return nhi_strmap_get(&r->names, name, strlen(name));
}

static const nhi_ynode *global_variables(reader *r)
{
    const entry *e = find_entry(r, "variables");

    return e ? variables_mapping(r, e->value, e->source) : NULL;
}

static bool inherits_global(const job_reader *job, const char *name,
                            size_t length)
{
    const nhi_ynode *list = job->globals_only;

    if (job->globals_all)
        return true;
    for (size_t i = 0; list && i < list->count; i++) {
        const nhi_ynode *item = list->items[i];
        if (item->kind == NHI_YNODE_SCALAR && item->length == length &&
            memcmp(item->value, name, length) == 0)
            return true;
    }
    return false;
}

/* The value node of a variable, from the job's then the global variables
 * (when inherited). NULL when not defined here. */
static const nhi_ynode *lookup_variable(job_reader *job, const char *name,
                                        size_t length)
{
    const nhi_ynode *maps[2] = {job->variables, NULL};
    reader *r = job->r;

    if (inherits_global(job, name, length))
        maps[1] = global_variables(r);
    for (size_t m = 0; m < 2; m++) {
        const nhi_ynode *map = maps[m];
        for (size_t i = 0; map && i + 1 < map->count; i += 2) {
            const nhi_ynode *key = map->items[i];
            if (key->kind != NHI_YNODE_SCALAR || key->length != length ||
                memcmp(key->value, name, length) != 0)
                continue;
            return variable_value(r, key, map->items[i + 1], job->e->source);
        }
    }
    return NULL;
}

/*
 * `text` with each `$NAME` and `${NAME}` replaced by the variable's value
 * from this file, one level deep. A reference to a variable not defined
 * here (a predefined or project variable) stays as written and sets
 * `*expression`. Returns the interned result.
 */
static const char *resolve_references(job_reader *job, const char *text,
                                      bool *expression)
{
    nhi_buf out = {0};
    const char *result;

    for (const char *c = text; *c;) {
        const char *name;
        size_t length, consumed;
        const nhi_ynode *value;

        if (c[0] == '$' && c[1] == '$') {
            nhi_buf_append(&out, c, 2);
            c += 2;
            continue;
        }
        consumed = reference_at(c, &name, &length);
        if (consumed == 0) {
            nhi_buf_append(&out, c, 1);
            c++;
            continue;
        }
        value = lookup_variable(job, name, length);
        if (value != NULL && !nhi_ynode_is_null(value)) {
            nhi_buf_puts(&out, value->value);
        } else {
            nhi_buf_append(&out, c, consumed);
            *expression = true;
        }
        c += consumed;
    }
    if (out.failed) {
        job->r->out_of_memory = true;
        nhi_buf_free(&out);
        return NULL;
    }
    result = intern(job->r, out.data ? out.data : "");
    nhi_buf_free(&out);
    return result;
}

/* ---- Consumers, logins, plaintexts ------------------------------------- */

static nhi_location location_at(reader *r, const nhi_ynode *node,
                                const char *fallback, const char *json_path)
{
    nhi_location location = {intern(r, source_of(r, node, fallback)),
                             node->line, node->column, json_path};

    return location;
}

static bool is_federated(nhi_login_kind kind)
{
    return kind == NHI_LOGIN_AWS_ROLE || kind == NHI_LOGIN_GCP_FEDERATION ||
           kind == NHI_LOGIN_AZURE_FEDERATION;
}

/* Add a login unless the job has one of the same kind and secret with
 * the same target, or any target when this one has none: a role named
 * both in variables and in a script is one login. */
static void add_login(job_reader *job, nhi_login *login,
                      const nhi_ynode *node, const char *json_path)
{
    reader *r = job->r;

    for (size_t i = 0; i < job->login_count; i++) {
        const nhi_login *other = &job->logins[i];
        if (other->kind == login->kind && other->secret == login->secret &&
            (login->target == NULL || other->target == login->target))
            return;
    }
    if (is_federated(login->kind))
        login->audience = job->audience;
    login->location = location_at(r, node, job->e->source, json_path);
    if (nhi_grow((void **)&job->logins, &job->login_capacity,
                 job->login_count + 1, sizeof(*job->logins)) < 0) {
        r->out_of_memory = true;
        return;
    }
    job->logins[job->login_count++] = *login;
}

/* Move the logins found to the consumer, in the graph's arena. */
static void store_logins(job_reader *job)
{
    nhi_consumer *consumer = job->consumer;
    nhi_login *logins;

    if (job->login_count == 0)
        return;
    logins = nhi_graph_alloc(job->r->graph,
                             job->login_count * sizeof(*logins));
    if (logins == NULL) {
        job->r->out_of_memory = true;
        return;
    }
    memcpy(logins, job->logins, job->login_count * sizeof(*logins));
    consumer->logins = logins;
    consumer->login_count = job->login_count;
}

/* Look at one value for a credential literal. A hit is stored as its
 * kind and fingerprint, never the value. */
static void check_literal(reader *r, nhi_consumer *consumer, const char *key,
                          const char *value, const nhi_ynode *node,
                          const char *fallback, const char *json_path)
{
    char fingerprint[17] = {0};
    const char *kind = nhi_secret_literal_kind(key, value, fingerprint);
    nhi_plaintext *plaintext;

    if (kind == NULL)
        return;
    plaintext = nhi_graph_alloc(r->graph, sizeof(*plaintext));
    if (plaintext == NULL) {
        r->out_of_memory = true;
        return;
    }
    plaintext->kind = intern(r, kind);
    memcpy(plaintext->fingerprint, fingerprint, sizeof(fingerprint));
    plaintext->fingerprint[16] = '\0';
    plaintext->key = key ? intern(r, key) : NULL;
    plaintext->consumer = consumer;
    plaintext->location = location_at(r, node, fallback, json_path);
    if (nhi_graph_add_plaintext(r->graph, plaintext) < 0)
        r->out_of_memory = true;
}

/* Check every value of a variables mapping for credential literals. */
static void check_variables(reader *r, nhi_consumer *consumer,
                            const nhi_ynode *variables, const char *prefix,
                            const char *fallback)
{
    for (size_t i = 0; prefix && variables && i + 1 < variables->count;
         i += 2) {
        const nhi_ynode *key = variables->items[i];
        const nhi_ynode *value;
        if (key->kind != NHI_YNODE_SCALAR)
            continue;
        value = variable_value(r, key, variables->items[i + 1], fallback);
        if (value == NULL || nhi_ynode_is_null(value))
            continue;
        check_literal(r, consumer, key->value, value->value, value, fallback,
                      intern_format(r, "%svariables.%s", prefix, key->value));
    }
}

/* ---- Shell words ------------------------------------------------------- */

/* The words of a script line. A separator (newline, `;`, `|`, `&`,
 * parentheses, backquote, redirection) is stored as an empty word with
 * `separator` set. */
typedef struct words {
    nhi_buf text;
    size_t *offsets;
    bool *separators;
    size_t count;
    size_t capacity;
    bool failed;
} words;

static void words_push(words *w, size_t offset, bool separator)
{
    size_t capacity = w->capacity;

    if (w->failed)
        return;
    if (nhi_grow((void **)&w->offsets, &capacity, w->count + 1,
                 sizeof(*w->offsets)) < 0 ||
        nhi_grow((void **)&w->separators, &w->capacity, w->count + 1,
                 sizeof(*w->separators)) < 0) {
        w->failed = true;
        return;
    }
    w->offsets[w->count] = offset;
    w->separators[w->count++] = separator;
}

static void words_end(words *w, bool *in_word, size_t *start)
{
    if (*in_word) {
        nhi_buf_append(&w->text, "", 1);
        words_push(w, *start, false);
    }
    *in_word = false;
    *start = w->text.length;
}

static void words_free(words *w)
{
    nhi_buf_free(&w->text);
    free(w->offsets);
    free(w->separators);
}

static const char *word(const words *w, size_t i)
{
    return w->separators[i] ? "" : w->text.data + w->offsets[i];
}

/*
 * Split a script line into shell words. `drop_double_quotes` removes the
 * double quotes instead of grouping by them, so that a command inside
 * `"$(...)"` splits into its own words: used to find cloud logins, where
 * the grouping of a message does not matter. A `\` before a newline joins
 * the lines, and `#` at the start of a word starts a comment.
 */
static void split_words(const char *text, bool drop_double_quotes, words *w)
{
    bool in_word = false;
    char quote = 0;
    size_t start = 0;

    for (const char *c = text; *c; c++) {
        if (quote == '\'') {
            if (*c == '\'')
                quote = 0;
            else
                nhi_buf_append(&w->text, c, 1);
            continue;
        }
        if (quote == '"') {
            if (*c == '"')
                quote = 0;
            else if (*c == '\\' && c[1] && strchr("\"\\$`", c[1]))
                nhi_buf_append(&w->text, ++c, 1);
            else
                nhi_buf_append(&w->text, c, 1);
            continue;
        }
        if (*c == '\\') {
            if (c[1] == '\0')
                break;
            if (c[1] != '\n') {
                nhi_buf_append(&w->text, c + 1, 1);
                in_word = true;
            }
            c++;
            continue;
        }
        if (*c == '#' && !in_word) {
            while (c[1] && c[1] != '\n')
                c++;
            continue;
        }
        if (*c == '\'' || (*c == '"' && !drop_double_quotes)) {
            quote = *c;
            in_word = true;
            continue;
        }
        if (*c == '"')
            continue;
        if (c[0] == '$' && c[1] == '{') {
            const char *close = strchr(c, '}');
            size_t length = close ? (size_t)(close - c) + 1 : strlen(c);
            nhi_buf_append(&w->text, c, length);
            in_word = true;
            c += length - 1;
            continue;
        }
        if (isspace((unsigned char)*c) || strchr(";|&()`<>", *c)) {
            words_end(w, &in_word, &start);
            if (*c == '\n' || !isspace((unsigned char)*c))
                words_push(w, 0, true);
            continue;
        }
        nhi_buf_append(&w->text, c, 1);
        in_word = true;
    }
    words_end(w, &in_word, &start);
    if (w->text.failed)
        w->failed = true;
}

/* The value of a flag in the command [begin, end): `--flag VALUE`,
 * `--flag=VALUE` or the short form `-f VALUE`. */
static const char *flag_value(const words *w, size_t begin, size_t end,
                              const char *name, const char *short_name)
{
    size_t length = strlen(name);

    for (size_t i = begin; i < end; i++) {
        const char *text = word(w, i);
        if (strcmp(text, name) == 0 ||
            (short_name && strcmp(text, short_name) == 0))
            return i + 1 < end ? word(w, i + 1) : NULL;
        if (strncmp(text, name, length) == 0 && text[length] == '=')
            return text + length + 1;
    }
    return NULL;
}

static bool has_word(const words *w, size_t begin, size_t end,
                     const char *text)
{
    for (size_t i = begin; i < end; i++)
        if (strcmp(word(w, i), text) == 0)
            return true;
    return false;
}

/* The index of `text` in [begin, end), or `end`. */
static size_t word_index(const words *w, size_t begin, size_t end,
                         const char *text)
{
    for (size_t i = begin; i < end; i++)
        if (strcmp(word(w, i), text) == 0)
            return i;
    return end;
}

/* ---- Logins in scripts ------------------------------------------------- */

typedef struct script_line {
    const nhi_ynode *node;
    const char *step;
    const char *json_path;
} script_line;

static void login_with_target(job_reader *job, nhi_login_kind kind,
                              const char *target, const char *secret,
                              const script_line *line)
{
    nhi_login login = {0};

    login.kind = kind;
    if (target != NULL && target[0] != '\0')
        login.target = resolve_references(job, target,
                                          &login.target_expression);
    login.secret = secret;
    login.step = line->step;
    add_login(job, &login, line->node, line->json_path);
}

/*
 * The workload identity provider of `gcloud iam workload-identity-pools
 * create-cred-config PROVIDER`: the first positional argument, skipping
 * `--flag=VALUE` and `--flag VALUE`.
 */
static const char *cred_config_provider(const words *w, size_t begin,
                                        size_t end)
{
    size_t at = word_index(w, begin, end, "create-cred-config");

    for (size_t i = at + 1; i < end; i++) {
        const char *text = word(w, i);
        if (text[0] != '-')
            return text;
        if (strchr(text, '=') == NULL)
            i++;
    }
    return NULL;
}

/* The variable that stores a secret passed as `text`: `$NAME`, or the
 * variable that NAME's value here references in turn. */
static const char *stored_secret(job_reader *job, const char *text)
{
    bool expression = false;
    const char *resolved = resolve_references(job, text, &expression);
    const char *secret = resolved ? first_reference(job->r, resolved) : NULL;

    return secret ? secret : first_reference(job->r, text);
}

/* Logins of one command: the words [begin, end). */
static void command_logins(job_reader *job, const words *w, size_t begin,
                           size_t end, const script_line *line)
{
    size_t az = word_index(w, begin, end, "az");

    if (has_word(w, begin, end, "assume-role-with-web-identity")) {
        job->web_identity_call = true;
        login_with_target(job, NHI_LOGIN_AWS_ROLE,
                          flag_value(w, begin, end, "--role-arn", NULL), NULL,
                          line);
    }
    if (has_word(w, begin, end, "gcloud") &&
        has_word(w, begin, end, "workload-identity-pools") &&
        has_word(w, begin, end, "create-cred-config"))
        login_with_target(job, NHI_LOGIN_GCP_FEDERATION,
                          cred_config_provider(w, begin, end), NULL, line);
    if (az + 1 < end && strcmp(word(w, az + 1), "login") == 0) {
        const char *client = flag_value(w, az, end, "--username", "-u");
        const char *password = flag_value(w, az, end, "--password", "-p");
        if (flag_value(w, az, end, "--federated-token", NULL) != NULL)
            login_with_target(job, NHI_LOGIN_AZURE_FEDERATION, client, NULL,
                              line);
        else if (password != NULL)
            login_with_target(job, NHI_LOGIN_AZURE_SECRET, client,
                              stored_secret(job, password), line);
    }
}

static bool is_assignment(const char *text, size_t *name_length)
{
    size_t n = 0;

    if (!is_name_start(text[0]))
        return false;
    while (is_name_char(text[n]))
        n++;
    *name_length = n;
    return text[n] == '=';
}

/* Words as the shell groups them, checked for literals: the value of a
 * `NAME=VALUE` word under NAME, any other word by its shape alone. */
static void assignment_literals(job_reader *job, const words *w,
                                const script_line *line)
{
    reader *r = job->r;

    for (size_t i = 0; i < w->count; i++) {
        const char *text = word(w, i);
        size_t length;
        char *name;
        if (!is_assignment(text, &length)) {
            /* A bare word: a token of a recognisable shape, such as a
             * header value `PRIVATE-TOKEN: glpat-...` or `echo AKIA...`. */
            check_literal(r, job->consumer, NULL, text, line->node,
                          job->e->source, line->json_path);
            continue;
        }
        name = nhi_strndup(text, length);
        if (name == NULL) {
            r->out_of_memory = true;
            return;
        }
        check_literal(r, job->consumer, name, text + length + 1, line->node,
                      job->e->source, line->json_path);
        /* `export AWS_ACCESS_KEY_ID=AKIA...`: the script logs in with a
         * key written in it. */
        if (ends_with(name, "AWS_ACCESS_KEY_ID") &&
            is_access_key_id(text + length + 1)) {
            nhi_login login = {0};
            login.kind = NHI_LOGIN_AWS_KEY;
            login.key_id = intern(r, text + length + 1);
            login.step = line->step;
            add_login(job, &login, line->node, line->json_path);
        }
        free(name);
    }
}

/* Whether `text` references one of the AWS static key variables. */
static bool references_aws_key(const char *text)
{
    static const char *const names[] = {"AWS_ACCESS_KEY_ID",
                                        "AWS_SECRET_ACCESS_KEY"};

    for (const char *c = text; *c; c++) {
        const char *name;
        size_t length;
        if (reference_at(c, &name, &length) == 0)
            continue;
        for (size_t i = 0; i < 2; i++)
            if (length == strlen(names[i]) &&
                memcmp(name, names[i], length) == 0)
                return true;
    }
    return false;
}

static void scan_line(job_reader *job, const script_line *line)
{
    const char *text = line->node->value;
    words login_words = {0}, shell_words = {0};
    size_t begin = 0;

    split_words(text, true, &login_words);
    split_words(text, false, &shell_words);
    if (login_words.failed || shell_words.failed) {
        job->r->out_of_memory = true;
        goto out;
    }
    for (size_t i = 0; i <= login_words.count; i++) {
        if (i < login_words.count && !login_words.separators[i])
            continue;
        if (i > begin)
            command_logins(job, &login_words, begin, i, line);
        begin = i + 1;
    }
    assignment_literals(job, &shell_words, line);
    if (job->key_reference == NULL && references_aws_key(text)) {
        job->key_reference = line->node;
        job->key_reference_step = line->step;
        job->key_reference_path = line->json_path;
    }

out:
    words_free(&login_words);
    words_free(&shell_words);
}

static void bad_script(job_reader *job, const char *step,
                       const nhi_ynode *node)
{
    nhi_error *error = node_diag(job->r, NHI_LEVEL_ERROR, node,
                                 job->e->source,
                                 "'%s' must be a string or a list of "
                                 "strings, not %s",
                                 step, kind_name(node));
    set_hint(error, "write each command as a '- command' line under the "
                    "key");
}

/*
 * Scan a script value: a string, or a list nesting lists of strings.
 * NOTE: the YAML tree drops tags, so `!reference [.template, script]`
 * reads as a list of two words, and the referenced lines are not scanned.
 */
static void scan_script(job_reader *job, const char *step,
                        const nhi_ynode *node, const char *json_path,
                        unsigned depth)
{
    script_line line = {node, step, json_path};

    if (node == NULL)
        return;
    if (node->kind == NHI_YNODE_SCALAR) {
        scan_line(job, &line);
        return;
    }
    if (node->kind != NHI_YNODE_SEQUENCE || depth > MAX_SCRIPT_NESTING) {
        bad_script(job, step, node);
        return;
    }
    for (size_t i = 0; i < node->count && !job->r->out_of_memory; i++) {
        const char *path = intern_format(job->r, "%s[%zu]", json_path, i);
        if (path == NULL)
            return;
        scan_script(job, step, node->items[i], path, depth + 1);
    }
}

/* ---- Logins in variables ----------------------------------------------- */

static bool has_login_kind(const job_reader *job, nhi_login_kind kind)
{
    for (size_t i = 0; i < job->login_count; i++)
        if (job->logins[i].kind == kind)
            return true;
    return false;
}

static bool is_gcp_key_name(const char *name)
{
    return strcmp(name, "GOOGLE_APPLICATION_CREDENTIALS") == 0 ||
           strcmp(name, "GCP_SERVICE_KEY") == 0 ||
           strcmp(name, "GOOGLE_CREDENTIALS") == 0;
}

static bool is_azure_secret_name(const char *name)
{
    return strcmp(name, "AZURE_CLIENT_SECRET") == 0 ||
           strcmp(name, "ARM_CLIENT_SECRET") == 0;
}

/*
 * The login that variable `name`, set to `value`, shows. The variable's
 * own name is the secret of a key stored in it, unless the value
 * references another variable, which is then the secret.
 */
static void variable_login(job_reader *job, const char *name,
                           const nhi_ynode *value, const char *json_path)
{
    reader *r = job->r;
    nhi_login login = {0};
    const char *text = value->value;

    login.step = "variables";
    if (nhi_ynode_is_null(value))
        return;
    if (ends_with(name, "AWS_ACCESS_KEY_ID")) {
        login.kind = NHI_LOGIN_AWS_KEY;
        login.secret = first_reference(r, text);
        if (is_access_key_id(text))
            login.key_id = intern(r, text);
        /* Any other literal is a dummy value for tests. */
        if (login.secret == NULL && login.key_id == NULL)
            return;
    } else if (is_gcp_key_name(name)) {
        /* A key path set here while the job federates is the federation's
         * credential configuration, not a key. */
        if (has_login_kind(job, NHI_LOGIN_GCP_FEDERATION))
            return;
        login.kind = NHI_LOGIN_GCP_KEY;
        login.secret = first_reference(r, text);
        if (login.secret == NULL)
            login.secret = intern_format(r, "$%s", name);
    } else if (is_azure_secret_name(name)) {
        login.kind = NHI_LOGIN_AZURE_SECRET;
        login.secret = first_reference(r, text);
        if (login.secret == NULL)
            login.secret = intern_format(r, "$%s", name);
    } else if (strcmp(name, "GCP_WORKLOAD_IDENTITY_PROVIDER") == 0) {
        login.kind = NHI_LOGIN_GCP_FEDERATION;
        login.target = resolve_references(job, text, &login.target_expression);
    } else if (strcmp(name, "AWS_ROLE_ARN") == 0 &&
               lookup_variable(job, "AWS_WEB_IDENTITY_TOKEN_FILE",
                               strlen("AWS_WEB_IDENTITY_TOKEN_FILE")) != NULL) {
        /* The AWS SDKs and CLI assume this role with the token file. */
        login.kind = NHI_LOGIN_AWS_ROLE;
        login.target = resolve_references(job, text, &login.target_expression);
    } else {
        return;
    }
    add_login(job, &login, value, json_path);
}

static void variables_logins(job_reader *job, const nhi_ynode *variables,
                             const char *prefix, bool global)
{
    reader *r = job->r;

    for (size_t i = 0; prefix && variables && i + 1 < variables->count;
         i += 2) {
        const nhi_ynode *key = variables->items[i];
        const nhi_ynode *value;
        if (key->kind != NHI_YNODE_SCALAR)
            continue;
        /* A job variable of the same name overrides the global one. */
        if (global && (nhi_ymap_get(job->variables, key->value) != NULL ||
                       !inherits_global(job, key->value, key->length)))
            continue;
        value = variable_value(r, key, variables->items[i + 1],
                               job->e->source);
        if (value == NULL)
            continue;
        variable_login(job, key->value, value,
                       intern_format(r, "%svariables.%s", prefix, key->value));
    }
}

/*
 * A script that uses $AWS_ACCESS_KEY_ID or $AWS_SECRET_ACCESS_KEY, in a
 * job that neither has id_tokens nor calls AssumeRoleWithWebIdentity nor
 * sets the key here, reads a static key from the project's CI/CD
 * variables.
 */
static void project_key_login(job_reader *job)
{
    nhi_login login = {0};

    if (job->key_reference == NULL || job->consumer->id_token ||
        job->web_identity_call ||
        lookup_variable(job, "AWS_ACCESS_KEY_ID",
                        strlen("AWS_ACCESS_KEY_ID")) != NULL)
        return;
    login.kind = NHI_LOGIN_AWS_KEY;
    login.secret = intern(job->r, "$AWS_ACCESS_KEY_ID");
    login.step = job->key_reference_step;
    add_login(job, &login, job->key_reference, job->key_reference_path);
}

/* ---- Jobs -------------------------------------------------------------- */

static bool is_reserved(const char *name)
{
    for (size_t i = 0; i < RESERVED_KEY_COUNT; i++)
        if (strcmp(name, reserved_keys[i]) == 0)
            return true;
    return false;
}

static void unknown_template(reader *r, const entry *e, const nhi_ynode *name)
{
    nhi_error *error;

    /* A template may come from an include that cannot be read offline. */
    if (r->unseen_includes > 0) {
        error = node_diag(r, NHI_LEVEL_WARNING, name, e->source,
                          "template '%s' in 'extends' is not defined in the "
                          "files read",
                          name->value);
        set_hint(error, "it may come from a remote, project, template or "
                        "component include, which is not read offline");
        return;
    }
    error = node_diag(r, NHI_LEVEL_ERROR, name, e->source,
                      "unknown template '%s' in 'extends'", name->value);
    set_hint(error, "define it as a job or hidden job (such as '.name:') "
                    "in this file or a local include");
}

static const nhi_ynode *resolve_entry(reader *r, entry *e, unsigned depth);

/* The value of `e` merged over the template named by `name`. */
static const nhi_ynode *extend_one(reader *r, entry *e, const nhi_ynode *name,
                                   const nhi_ynode *merged, unsigned depth)
{
    entry *base;
    nhi_error *error;

    if (name->kind != NHI_YNODE_SCALAR || nhi_ynode_is_null(name)) {
        error = node_diag(r, NHI_LEVEL_ERROR, name, e->source,
                          "each 'extends' entry must be a job name, not %s",
                          kind_name(name));
        set_hint(error, "write 'extends: .template' or a list of names");
        return merged;
    }
    base = (entry *)find_entry(r, name->value);
    if (base == NULL) {
        unknown_template(r, e, name);
        return merged;
    }
    if (base->state == ENTRY_RESOLVING) {
        error = node_diag(r, NHI_LEVEL_ERROR, name, e->source,
                          "'extends' cycle: '%s' extends '%s', which leads "
                          "back to '%s'",
                          e->name, base->name, e->name);
        set_hint(error, "remove one 'extends' of the cycle");
        return merged;
    }
    if (base->value->kind != NHI_YNODE_MAPPING) {
        error = node_diag(r, NHI_LEVEL_ERROR, name, e->source,
                          "template '%s' is %s, not a mapping",
                          base->name, kind_name(base->value));
        set_hint(error, "extend a job or hidden job whose value is a mapping");
        return merged;
    }
    base->extended = true;
    if (merged == NULL)
        return resolve_entry(r, base, depth + 1);
    return deep_merge(r, merged, resolve_entry(r, base, depth + 1), 0);
}

/*
 * The entry's value with its `extends` templates merged under it, in
 * order: later templates win over earlier ones, the entry over all.
 */
static const nhi_ynode *resolve_entry(reader *r, entry *e, unsigned depth)
{
    const nhi_ynode *extends, *merged = NULL;
    nhi_error *error;

    if (e->state == ENTRY_RESOLVED)
        return e->resolved;
    e->resolved = e->value;
    extends = get(r, e->value, "extends");
    if (extends == NULL || nhi_ynode_is_null(extends)) {
        e->state = ENTRY_RESOLVED;
        return e->resolved;
    }
    if (depth >= MAX_EXTENDS_DEPTH) {
        error = node_diag(r, NHI_LEVEL_ERROR, extends, e->source,
                          "'extends' nests deeper than %d levels at '%s'",
                          MAX_EXTENDS_DEPTH, e->name);
        set_hint(error, "GitLab follows at most 11 levels of 'extends'; "
                        "merge some templates");
        e->state = ENTRY_RESOLVED;
        return e->resolved;
    }

    e->state = ENTRY_RESOLVING;
    if (extends->kind == NHI_YNODE_SEQUENCE) {
        for (size_t i = 0; i < extends->count && !r->out_of_memory; i++)
            merged = extend_one(r, e, extends->items[i], merged, depth);
    } else if (extends->kind == NHI_YNODE_SCALAR) {
        merged = extend_one(r, e, extends, NULL, depth);
    } else {
        error = node_diag(r, NHI_LEVEL_ERROR, extends, e->source,
                          "'extends' must be a job name or a list of names, "
                          "not %s",
                          kind_name(extends));
        set_hint(error, "write 'extends: .template' or a list of names");
    }
    if (merged != NULL)
        e->resolved = deep_merge(r, merged, e->value, 0);
    e->state = ENTRY_RESOLVED;
    return e->resolved;
}

/* Read `inherit: variables:`. The `inherit: default:` part is read by
 * inherits_default. */
static void read_inherit(job_reader *job)
{
    const nhi_ynode *inherit = get(job->r, job->job, "inherit");
    const nhi_ynode *variables = get(job->r, inherit, "variables");

    job->globals_all = true;
    if (variables == NULL)
        return;
    if (variables->kind == NHI_YNODE_SEQUENCE) {
        job->globals_all = false;
        job->globals_only = variables;
    } else if (variables->kind == NHI_YNODE_SCALAR &&
               strcmp(variables->value, "false") == 0) {
        job->globals_all = false;
    }
}

/* Whether the job takes `key` from `default:` (`inherit: default:`). */
static bool inherits_default(job_reader *job, const char *key)
{
    const nhi_ynode *inherit = get(job->r, job->job, "inherit");
    const nhi_ynode *value = get(job->r, inherit, "default");

    if (value == NULL)
        return true;
    if (value->kind == NHI_YNODE_SCALAR)
        return strcmp(value->value, "false") != 0;
    for (size_t i = 0; value->kind == NHI_YNODE_SEQUENCE && i < value->count;
         i++)
        if (value->items[i]->kind == NHI_YNODE_SCALAR &&
            strcmp(value->items[i]->value, key) == 0)
            return true;
    return false;
}

/*
 * A job keyword, from the job or else from `default:`, or else (for
 * before_script and after_script) from the deprecated top-level keyword.
 * Stores the JSON path prefix of where it was found.
 */
static const nhi_ynode *job_or_default(job_reader *job, const char *key,
                                       const char **prefix)
{
    reader *r = job->r;
    const nhi_ynode *value = get(r, job->job, key);
    const entry *fallback;

    *prefix = job->e->name;
    if (value != NULL || !inherits_default(job, key))
        return value;
    fallback = find_entry(r, "default");
    value = fallback ? get(r, fallback->value, key) : NULL;
    *prefix = "default";
    if (value == NULL && strcmp(key, "script") != 0 &&
        strcmp(key, "id_tokens") != 0 &&
        (fallback = find_entry(r, key)) != NULL) {
        *prefix = NULL;
        return fallback->value;
    }
    return value;
}

/* Set consumer->id_token when the job has ID tokens, and keep the first
 * token's audience for its federated logins. */
static void read_id_tokens(job_reader *job)
{
    reader *r = job->r;
    const char *prefix;
    const nhi_ynode *tokens = job_or_default(job, "id_tokens", &prefix);
    const nhi_ynode *first, *audience;
    nhi_error *error;

    if (tokens == NULL || nhi_ynode_is_null(tokens))
        return;
    /* A trigger job starts a downstream pipeline and runs no script, so
     * it requests no token, even when `default:` sets id_tokens. */
    if (get(r, job->job, "trigger") != NULL)
        return;
    if (tokens->kind != NHI_YNODE_MAPPING) {
        error = node_diag(r, NHI_LEVEL_ERROR, tokens, job->e->source,
                          "'id_tokens' must be a mapping of token names, "
                          "not %s",
                          kind_name(tokens));
        set_hint(error, "write 'id_tokens:' then 'NAME: {aud: AUDIENCE}'");
        return;
    }
    tokens = expand(r, tokens);
    if (tokens->count < 2)
        return;
    job->consumer->id_token = true;
    first = tokens->items[1];
    if (first->kind != NHI_YNODE_MAPPING) {
        error = node_diag(r, NHI_LEVEL_ERROR, first, job->e->source,
                          "ID token '%s' must be a mapping with 'aud', not %s",
                          tokens->items[0]->kind == NHI_YNODE_SCALAR
                              ? tokens->items[0]->value
                              : "?",
                          kind_name(first));
        set_hint(error, "write 'aud: AUDIENCE' under the token's name");
        return;
    }
    audience = get(r, first, "aud");
    if (audience && audience->kind == NHI_YNODE_SEQUENCE)
        audience = audience->count > 0 ? audience->items[0] : NULL;
    if (audience && audience->kind == NHI_YNODE_SCALAR &&
        !nhi_ynode_is_null(audience))
        job->audience = intern(r, audience->value);
}

/* ---- Branches ---------------------------------------------------------- */

typedef struct name_list {
    const char **items;
    size_t count;
    size_t capacity;
} name_list;

static void add_name(reader *r, name_list *list, const char *name)
{
    const char *interned = intern(r, name);

    if (interned == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i] == interned)
            return;
    if (nhi_grow((void **)&list->items, &list->capacity, list->count + 1,
                 sizeof(*list->items)) < 0) {
        r->out_of_memory = true;
        return;
    }
    list->items[list->count++] = interned;
}

static bool is_only_keyword(const char *name)
{
    for (size_t i = 0; i < ONLY_KEYWORD_COUNT; i++)
        if (strcmp(name, only_keywords[i]) == 0)
            return true;
    return false;
}

/* A ref of `only:`: a name, or a regular expression `/.../`, which
 * stands for branches not known here (`*`). */
static const char *only_ref(const char *value)
{
    size_t length = strlen(value);

    return length >= 2 && value[0] == '/' && value[length - 1] == '/' ? "*"
                                                                      : value;
}

/* `only: [main, tags]` or `only: {refs: [...]}`. */
static void only_refs(reader *r, const nhi_ynode *only, name_list *branches,
                      name_list *tags)
{
    if (only && only->kind == NHI_YNODE_MAPPING)
        only = get(r, only, "refs");
    if (only == NULL)
        return;
    if (only->kind == NHI_YNODE_SCALAR) {
        if (!nhi_ynode_is_null(only) && !is_only_keyword(only->value))
            add_name(r, branches, only_ref(only->value));
        else if (strcmp(only->value, "tags") == 0)
            add_name(r, tags, "*");
        return;
    }
    for (size_t i = 0; only->kind == NHI_YNODE_SEQUENCE && i < only->count;
         i++) {
        const nhi_ynode *item = only->items[i];
        if (item->kind != NHI_YNODE_SCALAR || nhi_ynode_is_null(item))
            continue;
        if (strcmp(item->value, "tags") == 0)
            add_name(r, tags, "*");
        else if (!is_only_keyword(item->value))
            add_name(r, branches, only_ref(item->value));
    }
}

static const char *skip_spaces(const char *c)
{
    while (*c == ' ' || *c == '\t')
        c++;
    return c;
}

/*
 * Branch names compared by `$CI_COMMIT_BRANCH == "NAME"` or
 * `$CI_COMMIT_REF_NAME == 'NAME'` in a rule's `if:`, and `*` in `tags`
 * when the rule runs for tags (`$CI_COMMIT_TAG`, not `== null`).
 */
static void rule_refs(reader *r, const char *expression, name_list *branches,
                      name_list *tags)
{
    static const char *const branch_variables[] = {"$CI_COMMIT_BRANCH",
                                                   "$CI_COMMIT_REF_NAME"};

    for (const char *c = expression; *c; c++) {
        const char *name;
        size_t length, consumed = reference_at(c, &name, &length);
        const char *after = c + consumed;
        bool branch = false;

        if (consumed == 0)
            continue;
        for (size_t i = 0; i < 2; i++)
            branch = branch || (length + 1 == strlen(branch_variables[i]) &&
                                memcmp(name, branch_variables[i] + 1,
                                       length) == 0);
        after = skip_spaces(after);
        if (branch && strncmp(after, "==", 2) == 0) {
            const char *value = skip_spaces(after + 2);
            const char *close = (*value == '"' || *value == '\'')
                                    ? strchr(value + 1, *value)
                                    : NULL;
            if (close) {
                char *text = nhi_strndup(value + 1,
                                         (size_t)(close - value - 1));
                if (text == NULL)
                    r->out_of_memory = true;
                else
                    add_name(r, branches, text);
                free(text);
            }
        }
        if (length == strlen("CI_COMMIT_TAG") &&
            memcmp(name, "CI_COMMIT_TAG", length) == 0 &&
            (c == expression || c[-1] != '!') &&
            strncmp(after, "== null", 7) != 0 &&
            strncmp(after, "== \"\"", 5) != 0)
            add_name(r, tags, "*");
        c += consumed - 1;
    }
}

static void rules_refs(reader *r, const nhi_ynode *rules, name_list *branches,
                       name_list *tags)
{
    for (size_t i = 0; rules && rules->kind == NHI_YNODE_SEQUENCE &&
                       i < rules->count;
         i++) {
        const nhi_ynode *rule = rules->items[i];
        const nhi_ynode *condition = get(r, rule, "if");
        const nhi_ynode *when = get(r, rule, "when");
        if (condition == NULL || condition->kind != NHI_YNODE_SCALAR)
            continue;
        if (when && when->kind == NHI_YNODE_SCALAR &&
            strcmp(when->value, "never") == 0)
            continue;
        rule_refs(r, condition->value, branches, tags);
    }
}

static const char **copy_names(reader *r, const name_list *list)
{
    const char **items;

    if (list->count == 0)
        return NULL;
    items = nhi_graph_alloc(r->graph, list->count * sizeof(*items));
    if (items == NULL) {
        r->out_of_memory = true;
        return NULL;
    }
    memcpy(items, list->items, list->count * sizeof(*items));
    return items;
}

static void read_refs(job_reader *job)
{
    reader *r = job->r;
    name_list branches = {0}, tags = {0};

    only_refs(r, get(r, job->job, "only"), &branches, &tags);
    rules_refs(r, get(r, job->job, "rules"), &branches, &tags);
    job->consumer->branches = copy_names(r, &branches);
    job->consumer->branch_count = job->consumer->branches ? branches.count : 0;
    job->consumer->tags = copy_names(r, &tags);
    job->consumer->tag_count = job->consumer->tags ? tags.count : 0;
    free(branches.items);
    free(tags.items);
}

/* ---- One job ----------------------------------------------------------- */

static const char *environment_name(reader *r, const nhi_ynode *environment)
{
    if (environment && environment->kind == NHI_YNODE_MAPPING)
        environment = get(r, environment, "name");
    if (environment == NULL || environment->kind != NHI_YNODE_SCALAR ||
        nhi_ynode_is_null(environment))
        return NULL;
    return intern(r, environment->value);
}

static void scan_scripts(job_reader *job)
{
    static const char *const steps[] = {"before_script", "script",
                                        "after_script"};

    for (size_t i = 0; i < 3 && !job->r->out_of_memory; i++) {
        const char *prefix;
        const nhi_ynode *script = job_or_default(job, steps[i], &prefix);
        const char *path = prefix ? intern_format(job->r, "%s.%s", prefix,
                                                  steps[i])
                                  : intern(job->r, steps[i]);
        if (script != NULL && path != NULL)
            scan_script(job, steps[i], script, path, 0);
    }
}

static nhi_consumer *new_consumer(reader *r, const entry *e)
{
    nhi_consumer *consumer = nhi_graph_alloc(r->graph, sizeof(*consumer));

    if (consumer == NULL) {
        r->out_of_memory = true;
        return NULL;
    }
    consumer->kind = NHI_CONSUMER_GITLAB_JOB;
    consumer->repository = r->project;
    consumer->id = intern_format(r, "%s#%s",
                                 r->project ? r->project : "unknown", e->name);
    consumer->job = intern(r, e->name);
    consumer->automount = -1;
    consumer->location = location_at(r, e->key, e->source, consumer->job);
    return consumer;
}

static void read_job(reader *r, entry *e)
{
    job_reader job = {0};
    const nhi_ynode *globals = global_variables(r);

    job.r = r;
    job.e = e;
    job.job = expand(r, resolve_entry(r, e, 0));
    job.consumer = new_consumer(r, e);
    if (job.consumer == NULL)
        return;
    job.consumer->deployment = environment_name(r, get(r, job.job,
                                                       "environment"));
    job.variables = variables_mapping(r, get(r, job.job, "variables"),
                                      e->source);
    read_inherit(&job);
    read_id_tokens(&job);
    read_refs(&job);

    scan_scripts(&job);
    variables_logins(&job, job.variables,
                     intern_format(r, "%s.", e->name), false);
    if (job.globals_all || job.globals_only)
        variables_logins(&job, globals, "", true);
    project_key_login(&job);
    check_variables(r, job.consumer, job.variables,
                    intern_format(r, "%s.", e->name), e->source);

    store_logins(&job);
    free(job.logins);
    if (!r->out_of_memory && nhi_graph_add_consumer(r->graph, job.consumer) < 0)
        r->out_of_memory = true;
}

/* A hidden job no job extends: its literals are still in the file. */
static void check_unused_template(reader *r, entry *e)
{
    job_reader job = {0};
    const nhi_ynode *value = expand(r, e->value);
    const nhi_ynode *variables = variables_mapping(r, get(r, value,
                                                          "variables"),
                                                   e->source);
    static const char *const steps[] = {"before_script", "script",
                                        "after_script"};

    check_variables(r, NULL, variables, intern_format(r, "%s.", e->name),
                    e->source);
    job.r = r;
    job.e = e;
    job.job = value;
    job.variables = variables;
    job.globals_all = true;
    for (size_t i = 0; i < 3; i++) {
        const nhi_ynode *script = get(r, value, steps[i]);
        if (script == NULL)
            continue;
        scan_script(&job, steps[i], script,
                    intern_format(r, "%s.%s", e->name, steps[i]), 0);
    }
    /* The template is no consumer: its literals have none, and its
     * logins are dropped. */
    free(job.logins);
}

/* ---- Files and includes ------------------------------------------------ */

static void add_entry(reader *r, const nhi_ynode *key, const nhi_ynode *value,
                      const char *source, size_t file_index)
{
    entry *e;

    if (key->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = node_diag(r, NHI_LEVEL_ERROR, key, source,
                                     "a top-level key must be a name, not %s",
                                     kind_name(key));
        set_hint(error, "name each job with a plain string key");
        return;
    }
    e = nhi_strmap_get(&r->names, key->value, key->length);
    if (e != NULL) {
        /* A later file wins, merged over what earlier files set. */
        e->value = deep_merge(r, e->value, value, 0);
        e->key = key;
        e->source = source;
        e->file_index = file_index;
        return;
    }
    e = nhi_arena_alloc(r->scratch, sizeof(*e));
    if (e == NULL ||
        nhi_grow((void **)&r->entries, &r->entry_capacity, r->entry_count + 1,
                 sizeof(*r->entries)) < 0 ||
        nhi_strmap_put(&r->names, key->value, key->length, e) < 0) {
        r->out_of_memory = true;
        return;
    }
    e->name = key->value;
    e->key = key;
    e->value = value;
    e->source = source;
    e->file_index = file_index;
    r->entries[r->entry_count++] = e;
}

static int load_file(reader *r, const char *path, const nhi_ynode *at,
                     const char *at_source);

static bool is_local_path(const char *text)
{
    return ends_with(text, ".yml") || ends_with(text, ".yaml");
}

static void unseen_include(reader *r, const nhi_ynode *at, const char *source,
                           const char *kind, const char *name)
{
    nhi_error *error = node_diag(r, NHI_LEVEL_WARNING, at, source,
                                 "%s include '%s' is not read offline: its "
                                 "jobs are not seen",
                                 kind, name);

    set_hint(error, "copy the included file into the project and include "
                    "it with 'local:' to audit its jobs");
    r->unseen_includes++;
}

/* The path of a local include: relative to the top file's folder, where
 * a leading `/` also means that folder. */
static char *local_path(const reader *r, const char *name)
{
    while (*name == '/')
        name++;
    if (r->root_folder[0] == '\0')
        return nhi_strndup(name, strlen(name));
    return nhi_asprintf("%s/%s", r->root_folder, name);
}

static void include_local(reader *r, const nhi_ynode *entry_node,
                          const nhi_ynode *name, const char *source)
{
    nhi_error *error;
    char *path;

    if (name->kind != NHI_YNODE_SCALAR || nhi_ynode_is_null(name)) {
        error = node_diag(r, NHI_LEVEL_ERROR, name, source,
                          "'local' must be a file path, not %s",
                          kind_name(name));
        set_hint(error, "write 'local: path/to/file.yml'");
        return;
    }
    if (strchr(name->value, '*') != NULL) {
        error = node_diag(r, NHI_LEVEL_WARNING, name, source,
                          "wildcard include '%s' is not expanded: its jobs "
                          "are not seen",
                          name->value);
        set_hint(error, "list the included files one by one to audit "
                        "their jobs");
        r->unseen_includes++;
        return;
    }
    path = local_path(r, name->value);
    if (path == NULL) {
        r->out_of_memory = true;
        return;
    }
    if (load_file(r, path, entry_node, source) == NHI_ENOMEM)
        r->out_of_memory = true;
    free(path);
}

static void include_entry(reader *r, const nhi_ynode *item, const char *source)
{
    static const char *const remote_kinds[] = {"remote", "project", "template",
                                               "component"};
    nhi_error *error;

    if (item->kind == NHI_YNODE_SCALAR && !nhi_ynode_is_null(item)) {
        if (strncmp(item->value, "https://", 8) == 0 ||
            strncmp(item->value, "http://", 7) == 0)
            unseen_include(r, item, source, "remote", item->value);
        else if (is_local_path(item->value))
            include_local(r, item, item, source);
        else {
            error = node_diag(r, NHI_LEVEL_ERROR, item, source,
                              "include '%s' is neither a .yml or .yaml file "
                              "nor a URL",
                              item->value);
            set_hint(error, "include a local file ending in .yml or .yaml, "
                            "or use 'local:', 'remote:', 'project:', "
                            "'template:' or 'component:'");
        }
        return;
    }
    if (item->kind == NHI_YNODE_MAPPING) {
        const nhi_ynode *local = get(r, item, "local");
        if (local != NULL) {
            include_local(r, item, local, source);
            return;
        }
        for (size_t i = 0; i < 4; i++) {
            const nhi_ynode *value = get(r, item, remote_kinds[i]);
            if (value == NULL)
                continue;
            unseen_include(r, item, source, remote_kinds[i],
                           value->kind == NHI_YNODE_SCALAR ? value->value
                                                           : "?");
            return;
        }
    }
    error = node_diag(r, NHI_LEVEL_ERROR, item, source,
                      "invalid include entry: %s",
                      item->kind == NHI_YNODE_MAPPING
                          ? "no 'local', 'remote', 'project', 'template' or "
                            "'component' key"
                          : kind_name(item));
    set_hint(error, "write a file path, or a mapping such as 'local: "
                    "ci/build.yml'");
}

static void read_includes(reader *r, const nhi_ynode *include,
                          const char *source)
{
    if (include == NULL || nhi_ynode_is_null(include))
        return;
    if (include->kind != NHI_YNODE_SEQUENCE) {
        include_entry(r, include, source);
        return;
    }
    for (size_t i = 0; i < include->count && !r->out_of_memory; i++)
        include_entry(r, include->items[i], source);
}

static void read_document(reader *r, const nhi_ynode *root, const char *source,
                          size_t file_index)
{
    nhi_error *error;

    if (root == NULL || nhi_ynode_is_null(root))
        return;
    if (root->kind != NHI_YNODE_MAPPING) {
        error = node_diag(r, NHI_LEVEL_ERROR, root, source,
                          "a GitLab CI file must be a mapping of jobs and "
                          "keywords, not %s",
                          kind_name(root));
        set_hint(error, "start each job with 'NAME:' at the first column");
        return;
    }
    root = expand(r, root);
    read_includes(r, nhi_ymap_get(root, "include"), source);
    /* Included files come first, so that this file's keys win. */
    for (size_t i = 0; i + 1 < root->count && !r->out_of_memory; i += 2) {
        const nhi_ynode *key = root->items[i];
        if (key->kind == NHI_YNODE_SCALAR && strcmp(key->value, "include") == 0)
            continue;
        add_entry(r, key, root->items[i + 1], source, file_index);
    }
}

/* Whether `real` is inside the folder `root`. */
static bool inside(const char *root, const char *real)
{
    size_t length = strlen(root);

    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(real, root, length) == 0 && real[length] == '/';
}

/* Check an include target before reading it. Returns its resolved path,
 * or NULL when it is not to be read. */
static char *check_include(reader *r, const char *path, const nhi_ynode *at,
                           const char *at_source)
{
    struct stat info;
    nhi_error *error;
    char *real;

    if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) {
        error = node_diag(r, NHI_LEVEL_ERROR, at, at_source,
                          "included file '%s' not found", path);
        set_hint(error, "local includes are relative to the folder of "
                        ".gitlab-ci.yml; check the path and its case");
        return NULL;
    }
    real = realpath(path, NULL);
    if (real == NULL) {
        r->out_of_memory = true;
        return NULL;
    }
    if (r->real_root && !inside(r->real_root, real)) {
        error = node_diag(r, NHI_LEVEL_ERROR, at, at_source,
                          "included file '%s' is outside the project folder",
                          path);
        set_hint(error, "include only files under the folder of "
                        ".gitlab-ci.yml");
        free(real);
        return NULL;
    }
    for (size_t i = 0; i < r->file_count; i++) {
        if (strcmp(r->files[i].real_path, real) != 0)
            continue;
        if (r->files[i].open) {
            error = node_diag(r, NHI_LEVEL_ERROR, at, at_source,
                              "include cycle: '%s' includes itself through "
                              "this entry",
                              r->files[i].path);
            set_hint(error, "remove the include that leads back to this "
                            "file");
        }
        /* A file included twice is read once. */
        free(real);
        return NULL;
    }
    if (r->include_count >= MAX_INCLUDES) {
        error = node_diag(r, NHI_LEVEL_ERROR, at, at_source,
                          "more than %d included files", MAX_INCLUDES);
        set_hint(error, "nhi reads at most 100 included files; merge some "
                        "of them");
        free(real);
        return NULL;
    }
    return real;
}

/*
 * Read a file and, depth first, the local files it includes; then add its
 * top-level keys over theirs. `at` is the include entry (NULL for the top
 * file). Returns NHI_OK, NHI_EINPUT or NHI_ENOMEM.
 */
static int load_file(reader *r, const char *path, const nhi_ynode *at,
                     const char *at_source)
{
    char *real = NULL;
    nhi_yfile *yfile = NULL;
    loaded_file *file;
    size_t index;
    int result;

    if (at != NULL) {
        real = check_include(r, path, at, at_source);
        if (real == NULL)
            return r->out_of_memory ? NHI_ENOMEM : NHI_EINPUT;
        r->include_count++;
    } else {
        real = realpath(path, NULL);
        if (real == NULL)
            real = nhi_strndup(path, strlen(path));
        if (real == NULL)
            return NHI_ENOMEM;
    }
    if (nhi_grow((void **)&r->files, &r->file_capacity, r->file_count + 1,
                 sizeof(*r->files)) < 0) {
        free(real);
        return NHI_ENOMEM;
    }
    index = r->file_count++;
    file = &r->files[index];
    memset(file, 0, sizeof(*file));
    file->real_path = real;
    file->path = intern(r, path);
    if (file->path == NULL)
        return NHI_ENOMEM;

    result = nhi_yaml_load(path, &yfile, r->diags);
    r->files[index].yfile = yfile;
    if (result == NHI_ENOMEM)
        return NHI_ENOMEM;
    if (yfile == NULL)
        return NHI_EINPUT;
    for (size_t i = 0; i < yfile->count; i++)
        record_sources(r, yfile->documents[i], r->files[index].path, 0);

    r->files[index].open = true;
    for (size_t i = 0; i < yfile->count && !r->out_of_memory; i++)
        read_document(r, yfile->documents[i], r->files[index].path, index);
    r->files[index].open = false;
    return r->out_of_memory ? NHI_ENOMEM : result;
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return nhi_strndup("", 0);
    if (slash == path)
        return nhi_strndup("/", 1);
    return nhi_strndup(path, (size_t)(slash - path));
}

/* ---- Entry points ------------------------------------------------------ */

static bool is_job_mapping(const nhi_ynode *value, unsigned depth)
{
    static const char *const job_keys[] = {"script", "trigger", "extends",
                                           "run"};

    if (value == NULL || value->kind != NHI_YNODE_MAPPING || depth > 2)
        return false;
    for (size_t i = 0; i < 4; i++)
        if (nhi_ymap_get(value, job_keys[i]) != NULL)
            return true;
    /* `<<: *template` brings the keys of an anchored mapping. */
    for (size_t i = 0; i + 1 < value->count; i += 2) {
        const nhi_ynode *merged = value->items[i + 1];
        if (!is_merge_key(value->items[i]))
            continue;
        if (is_job_mapping(merged, depth + 1))
            return true;
        for (size_t j = 0; merged->kind == NHI_YNODE_SEQUENCE &&
                           j < merged->count;
             j++)
            if (is_job_mapping(merged->items[j], depth + 1))
                return true;
    }
    return false;
}

bool nhi_gitlab_sniff(const struct nhi_ynode *root)
{
    if (root == NULL || root->kind != NHI_YNODE_MAPPING)
        return false;
    if ((nhi_ymap_get(root, "jobs") && nhi_ymap_get(root, "on")) ||
        nhi_ymap_get(root, "apiVersion") || nhi_ymap_get(root, "kind") ||
        nhi_ymap_get(root, "workload_identity"))
        return false;
    for (size_t i = 0; i + 1 < root->count; i += 2) {
        const nhi_ynode *key = root->items[i];
        if (key->kind != NHI_YNODE_SCALAR || is_reserved(key->value))
            continue;
        if (is_job_mapping(root->items[i + 1], 0))
            return true;
    }
    return false;
}

static int compare_entries(const void *a, const void *b)
{
    const entry *x = *(entry *const *)a, *y = *(entry *const *)b;

    if (x->file_index != y->file_index)
        return x->file_index < y->file_index ? -1 : 1;
    if (x->key->line != y->key->line)
        return x->key->line < y->key->line ? -1 : 1;
    return x->key->column < y->key->column   ? -1
           : x->key->column > y->key->column ? 1
                                             : 0;
}

/* Add a consumer per visible job, in file order, the top file first. */
static void read_jobs(reader *r)
{
    const entry *globals = find_entry(r, "variables");
    nhi_error *error;

    if (globals)
        check_variables(r, NULL, global_variables(r), "", globals->source);
    if (r->entry_count > 1)
        qsort(r->entries, r->entry_count, sizeof(*r->entries),
              compare_entries);
    for (size_t i = 0; i < r->entry_count && !r->out_of_memory; i++) {
        entry *e = r->entries[i];
        if (e->name[0] == '.' || is_reserved(e->name))
            continue;
        if (e->value->kind != NHI_YNODE_MAPPING) {
            error = node_diag(r, NHI_LEVEL_ERROR, e->value, e->source,
                              "job '%s' must be a mapping, not %s", e->name,
                              kind_name(e->value));
            set_hint(error, "indent the job's keys (script, stage, ...) "
                            "under its name, or start the name with '.' "
                            "to hide it");
            continue;
        }
        read_job(r, e);
    }
    for (size_t i = 0; i < r->entry_count && !r->out_of_memory; i++) {
        entry *e = r->entries[i];
        if (e->name[0] == '.' && !e->extended &&
            e->value->kind == NHI_YNODE_MAPPING)
            check_unused_template(r, e);
    }
}

static void reader_free(reader *r)
{
    for (size_t i = 0; i < r->file_count; i++) {
        free(r->files[i].real_path);
        nhi_yfile_free(r->files[i].yfile);
    }
    free(r->files);
    free(r->entries);
    nhi_strmap_free(&r->names);
    nhi_strmap_free(&r->sources);
    nhi_strmap_free(&r->expanded);
    nhi_strmap_free(&r->merged);
    nhi_strmap_free(&r->reported);
    nhi_arena_free(r->scratch);
    free(r->root_folder);
    free(r->real_root);
}

int nhi_gitlab_read(nhi_graph *graph, const char *path, nhi_diags *diags)
{
    reader r = {0};
    size_t errors = diags->errors;
    int result;

    r.graph = graph;
    r.diags = diags;
    r.project = graph->reading_repository;
    r.top_path = path;
    r.scratch = nhi_arena_new();
    r.root_folder = folder_of(path);
    if (r.scratch == NULL || r.root_folder == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    r.real_root = realpath(r.root_folder[0] ? r.root_folder : ".", NULL);

    result = load_file(&r, path, NULL, NULL);
    if (result == NHI_ENOMEM || r.file_count == 0 ||
        r.files[0].yfile == NULL)
        goto out;
    read_jobs(&r);
    if (r.out_of_memory)
        result = NHI_ENOMEM;
    else
        result = diags->errors > errors ? NHI_EINPUT : NHI_OK;

out:
    reader_free(&r);
    if (result == NHI_OK && diags->errors > errors)
        result = NHI_EINPUT;
    return result;
}
