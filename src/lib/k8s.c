/* SPDX-License-Identifier: MIT */
/*
 * The Kubernetes object reader: `kubectl get -o json` and `-o yaml`
 * output and manifests into the graph. Service accounts become
 * identities, workloads become consumers, and RBAC objects, legacy token
 * secrets and aws-auth mappings go into the graph's Kubernetes part.
 * Field names are those of the Kubernetes API groups core/v1, apps/v1,
 * batch/v1 and rbac.authorization.k8s.io/v1. The aws-auth entries
 * (rolearn or userarn, username, groups) follow the eksctl User Guide,
 * "Manage IAM users and roles" (docs.aws.amazon.com/eks/latest/eksctl/
 * iam-identity-mappings.html).
 *
 * Locations: `source` is the input path and line:column the object's
 * mapping, or the field for field-level evidence. `json_path` names the
 * object inside the file, `[2].items[17]` in a JSON array of Lists or
 * `items[17]` in one List. In a file of several YAML documents the
 * document number comes first, as `document 3` or `document 3,
 * items[17]`. Field-level evidence appends the field, as in
 * `items[4].spec.containers[0].env[1].value`. The only object of a
 * one-document file has no json_path at the object level.
 *
 * Secret `data` and `stringData` are never read. Env values and
 * ConfigMap data are handed to nhi_secret_literal_kind, and only the kind
 * and fingerprint it returns are kept.
 */
#include "nhi/k8s.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/consumer.h"

#include "arena.h"
#include "strmap.h"
#include "util.h"
#include "ytree.h"

/* Workload kinds and where each keeps its pod spec. */
static const struct workload_kind {
    const char *kind;
    const char *spec_path;
} workload_kinds[] = {
    {"Pod", "spec"},
    {"Deployment", "spec.template.spec"},
    {"DaemonSet", "spec.template.spec"},
    {"StatefulSet", "spec.template.spec"},
    {"ReplicaSet", "spec.template.spec"},
    {"ReplicationController", "spec.template.spec"},
    {"Job", "spec.template.spec"},
    {"CronJob", "spec.jobTemplate.spec.template.spec"},
};
#define WORKLOAD_KIND_COUNT                                                   \
    (sizeof(workload_kinds) / sizeof(workload_kinds[0]))

/* The container lists of a pod spec whose env values are scanned. */
static const char *const container_lists[] = {"containers", "initContainers",
                                              "ephemeralContainers"};

#define ROLE_ARN_ANNOTATION "eks.amazonaws.com/role-arn"
#define GCP_ACCOUNT_ANNOTATION "iam.gke.io/gcp-service-account"
#define TOKEN_SECRET_TYPE "kubernetes.io/service-account-token"
#define TOKEN_ACCOUNT_ANNOTATION "kubernetes.io/service-account.name"

/* One Kubernetes object of the input, found before any is read. */
typedef struct object {
    const nhi_ynode *node;
    const char *kind;       /* NULL when missing or not a string */
    const char *name;       /* metadata.name as written, or NULL */
    const char *namespace_; /* metadata.namespace as written, or NULL */
    size_t document;        /* 1-based, or 0 when the file has one document */
    const char *inner_path; /* path inside the document, "" at its root */
} object;

typedef struct reader {
    nhi_graph *graph;
    const char *path; /* interned */
    const char *cluster;
    nhi_diags *diags;
    const nhi_yfile *file;
    object *objects;
    size_t object_count;
    size_t object_capacity;
    /* Workloads of this file by KIND, NS and NAME, to fold owned ones. */
    nhi_strmap workloads;
    /* Objects already in the graph, so that an object read twice (from
     * a JSON and a YAML dump of one cluster) is kept once. */
    nhi_strmap seen;
    bool seen_ready;
    nhi_arena *scratch; /* map keys and paths, freed with the reader */
    bool nomem;         /* sticky: an allocation failed */
    size_t budget;      /* list and mapping entries left to visit */
    bool over_budget;   /* sticky: aliases repeated too many entries */
} reader;

/* Everything a reader needs from `metadata`. */
typedef struct meta {
    const char *name;       /* interned */
    const char *namespace_; /* interned, or NULL for cluster-scoped kinds */
    const nhi_ynode *labels;
    const nhi_ynode *annotations;
    const nhi_ynode *node;
} meta;

/* Memory and strings */

static void *alloc(reader *r, size_t size)
{
    void *memory = nhi_graph_alloc(r->graph, size);

    if (memory == NULL)
        r->nomem = true;
    return memory;
}

static const char *intern(reader *r, const char *text)
{
    const char *interned;

    if (text == NULL)
        return NULL;
    interned = nhi_graph_intern(r->graph, text);
    if (interned == NULL)
        r->nomem = true;
    return interned;
}

/* A printf-formatted string in the scratch arena. */
static const char *scratch_printf(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *scratch_printf(reader *r, const char *fmt, ...)
{
    va_list args;
    char *text, *copy;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text == NULL) {
        r->nomem = true;
        return "";
    }
    copy = nhi_arena_strdup(r->scratch, text);
    free(text);
    if (copy == NULL) {
        r->nomem = true;
        return "";
    }
    return copy;
}

/* `base` followed by `part` (`items[3]`, `[3]`, `spec.containers`). */
static const char *join_path(reader *r, const char *base, const char *part)
{
    if (base[0] == '\0')
        return scratch_printf(r, "%s", part);
    return scratch_printf(r, "%s%s%s", base, part[0] == '[' ? "" : ".", part);
}

/* The interned json_path of `field` (NULL: the object itself). */
static const char *object_path(reader *r, const object *obj,
                               const char *field)
{
    const char *inner = field ? join_path(r, obj->inner_path, field)
                              : obj->inner_path;
    const char *text;

    if (obj->document == 0) {
        if (inner[0] == '\0')
            return NULL;
        return intern(r, inner);
    }
    if (inner[0] == '\0')
        text = scratch_printf(r, "document %zu", obj->document);
    else
        text = scratch_printf(r, "document %zu, %s", obj->document, inner);
    return intern(r, text);
}

static nhi_location node_location(reader *r, const object *obj,
                                  const nhi_ynode *node, const char *field)
{
    nhi_location location = {r->path, node->line, node->column,
                             object_path(r, obj, field)};
    return location;
}

/* Diagnostics */

static nhi_error *object_diag(reader *r, nhi_level level, const object *obj,
                              const nhi_ynode *node, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static nhi_error *object_diag(reader *r, nhi_level level, const object *obj,
                              const nhi_ynode *node, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;
    const char *where;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, level, NHI_EINPUT, r->path,
                           node ? node->line : 0, node ? node->column : 0, fmt,
                           args);
    va_end(args);
    where = obj ? object_path(r, obj, NULL) : NULL;
    if (error && where)
        nhi_error_set_location(error, "%s", where);
    return error;
}

#define object_error(r, obj, node, ...)                                       \
    object_diag((r), NHI_LEVEL_ERROR, (obj), (node), __VA_ARGS__)

static const char *node_kind_name(const nhi_ynode *node)
{
    return nhi_ynode_is_null(node) ? "empty" : nhi_ynode_kind_name(node->kind);
}

/*
 * Charge `entries` visited list or mapping entries to the budget. An alias
 * lets a few bytes repeat a large list many times, and the reader would
 * walk each repetition, so the walk stops once it has visited several
 * times more entries than the file has bytes. Without aliases every
 * entry takes at least one byte, and each is visited at most twice.
 */
static bool spend(reader *r, const nhi_ynode *at, size_t entries)
{
    if (r->over_budget)
        return false;
    if (entries <= r->budget) {
        r->budget -= entries;
        return true;
    }
    r->over_budget = true;
    nhi_error *error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT,
                                     r->path, at->line, at->column,
                                     "aliases repeat more entries than the "
                                     "reader visits for a file of this size");
    nhi_error_set_hint(error, "write the repeated values out; the rest of "
                              "the file is not read");
    return false;
}

/* Scalars and lists */

/* The text of a non-null scalar, else NULL. */
static const char *scalar_text(const nhi_ynode *node)
{
    if (node == NULL || node->kind != NHI_YNODE_SCALAR ||
        nhi_ynode_is_null(node))
        return NULL;
    return node->value;
}

/* The text of an optional string field, or NULL with an error when the
 * field is not a string. */
static const char *optional_string(reader *r, const object *obj,
                                   const nhi_ynode *node, const char *field)
{
    if (nhi_ynode_is_null(node))
        return NULL;
    if (node->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = object_error(r, obj, node,
                                        "'%s' must be a string, not %s", field,
                                        nhi_ynode_kind_name(node->kind));
        nhi_error_set_hint(error, "write '%s: VALUE' on one line", field);
        return NULL;
    }
    return node->value;
}

/* A required string field, with an error at `parent` when it is missing. */
static const char *required_string(reader *r, const object *obj,
                                   const nhi_ynode *parent, const char *field,
                                   const char *hint)
{
    const nhi_ynode *node = nhi_ymap_get(parent, field);
    const char *text = optional_string(r, obj, node, field);

    if (text == NULL && (node == NULL || node->kind == NHI_YNODE_SCALAR)) {
        nhi_error *error = object_error(r, obj, node ? node : parent,
                                        "missing '%s'", field);
        nhi_error_set_hint(error, "%s", hint);
    }
    return text;
}

/* A mapping field that may be absent or null. Returns the mapping, or
 * NULL with an error when the field has another type. */
static const nhi_ynode *optional_mapping(reader *r, const object *obj,
                                         const nhi_ynode *node,
                                         const char *field)
{
    if (nhi_ynode_is_null(node))
        return NULL;
    if (node->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = object_error(r, obj, node,
                                        "'%s' must be a mapping, not %s",
                                        field, node_kind_name(node));
        nhi_error_set_hint(error, "write one 'key: value' per line under "
                                  "'%s:'",
                           field);
        return NULL;
    }
    return node;
}

/* A list field that may be absent or null. Returns the sequence, or NULL
 * with an error when the field has another type. */
static const nhi_ynode *optional_sequence(reader *r, const object *obj,
                                          const nhi_ynode *node,
                                          const char *field)
{
    if (nhi_ynode_is_null(node))
        return NULL;
    if (node->kind != NHI_YNODE_SEQUENCE) {
        nhi_error *error = object_error(r, obj, node,
                                        "'%s' must be a list, not %s", field,
                                        node_kind_name(node));
        nhi_error_set_hint(error, "write one '- entry' per line under '%s:', "
                                  "or [a, b] on one line",
                           field);
        return NULL;
    }
    return node;
}

/* Read a list of strings into the graph. A missing list is empty. */
static void string_list(reader *r, const object *obj, const nhi_ynode *node,
                        const char *field, const char ***out,
                        size_t *out_count)
{
    const nhi_ynode *list = optional_sequence(r, obj, node, field);
    const char **items;
    size_t count = 0;

    *out = NULL;
    *out_count = 0;
    if (list == NULL || list->count == 0 || !spend(r, list, list->count))
        return;
    items = alloc(r, list->count * sizeof(*items));
    if (items == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        const nhi_ynode *item = list->items[i];
        if (item->kind != NHI_YNODE_SCALAR) {
            nhi_error *error = object_error(
                r, obj, item, "entries of '%s' must be strings, not %s", field,
                nhi_ynode_kind_name(item->kind));
            nhi_error_set_hint(error, "write each entry of '%s' as a plain "
                                      "string",
                               field);
            continue;
        }
        items[count++] = intern(r, item->value);
    }
    *out = items;
    *out_count = count;
}

/* Labels, annotations and matchLabels: a mapping of strings to strings. */
static void read_tags(reader *r, const object *obj, const nhi_ynode *node,
                      const char *field, nhi_tag **out, size_t *out_count)
{
    const nhi_ynode *map = optional_mapping(r, obj, node, field);
    size_t pairs, count = 0;
    nhi_tag *tags;

    *out = NULL;
    *out_count = 0;
    if (map == NULL || map->count < 2 || !spend(r, map, map->count / 2))
        return;
    pairs = map->count / 2;
    tags = alloc(r, pairs * sizeof(*tags));
    if (tags == NULL)
        return;
    for (size_t i = 0; i < pairs; i++) {
        const nhi_ynode *key = map->items[2 * i];
        const nhi_ynode *value = map->items[2 * i + 1];
        if (key->kind != NHI_YNODE_SCALAR ||
            (value->kind != NHI_YNODE_SCALAR && !nhi_ynode_is_null(value))) {
            nhi_error *error = object_error(
                r, obj, key->kind != NHI_YNODE_SCALAR ? key : value,
                "entries of '%s' must map strings to strings", field);
            nhi_error_set_hint(error, "write 'key: value' pairs of plain "
                                      "strings under '%s:'",
                               field);
            continue;
        }
        tags[count].key = intern(r, key->value);
        tags[count].value = intern(r, scalar_text(value) ? value->value : "");
        count++;
    }
    *out = tags;
    *out_count = count;
}

/*
 * Read a boolean field as 1, 0, or -1 when absent or null. kubectl
 * decodes YAML with go-yaml, which keeps the YAML 1.1 booleans yes, no,
 * on and off (github.com/kubernetes/kubernetes/issues/34146). A quoted
 * value is a string, which the API server rejects.
 */
static signed char read_bool(reader *r, const object *obj,
                             const nhi_ynode *node, const char *field)
{
    static const char *const truths[] = {"true", "True", "TRUE", "yes",
                                         "Yes",  "YES",  "on",   "On",
                                         "ON",   "y",    "Y"};
    static const char *const lies[] = {"false", "False", "FALSE", "no",
                                       "No",    "NO",    "off",   "Off",
                                       "OFF",   "n",     "N"};

    if (nhi_ynode_is_null(node))
        return -1;
    if (node->kind == NHI_YNODE_SCALAR && node->plain) {
        for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++) {
            if (strcmp(node->value, truths[i]) == 0)
                return 1;
            if (strcmp(node->value, lies[i]) == 0)
                return 0;
        }
    }
    nhi_error *error = object_error(r, obj, node,
                                    "'%s' must be true or false, not %s",
                                    field,
                                    node->kind == NHI_YNODE_SCALAR
                                        ? (node->plain ? "another value"
                                                       : "a quoted string")
                                        : nhi_ynode_kind_name(node->kind));
    nhi_error_set_hint(error, "write '%s: true' or '%s: false' without quotes",
                       field, field);
    return -1;
}

/* Finding the objects */

static bool kind_is_list(const char *kind)
{
    size_t length = kind ? strlen(kind) : 0;

    return length >= 4 && strcmp(kind + length - 4, "List") == 0;
}

/* A `List` (or `RoleList`, ...) with items, or a mapping with items and
 * no kind, as KubiScan's risky-roles file is. */
static bool is_list(const nhi_ynode *node)
{
    const nhi_ynode *kind = nhi_ymap_get(node, "kind");
    const nhi_ynode *items = nhi_ymap_get(node, "items");

    if (items == NULL)
        return false;
    if (kind == NULL)
        return items->kind == NHI_YNODE_SEQUENCE;
    return kind_is_list(scalar_text(kind));
}

static bool is_workload_kind(const char *kind)
{
    for (size_t i = 0; i < WORKLOAD_KIND_COUNT; i++)
        if (kind && strcmp(kind, workload_kinds[i].kind) == 0)
            return true;
    return false;
}

static bool is_cluster_scoped(const char *kind)
{
    return strcmp(kind, "ClusterRole") == 0 ||
           strcmp(kind, "ClusterRoleBinding") == 0;
}

/* The key of an object in `reader.workloads`. */
static const char *workload_key(reader *r, const char *kind,
                                const char *namespace_, const char *name)
{
    return scratch_printf(r, "%s\x1f%s\x1f%s", kind,
                          namespace_ ? namespace_ : "default", name);
}

static int add_object(reader *r, const nhi_ynode *node, size_t document,
                      const char *inner_path)
{
    const nhi_ynode *metadata = nhi_ymap_get(node, "metadata");
    object *obj;

    if (!spend(r, node, node->count / 2 + 1))
        return NHI_OK;
    if (nhi_grow((void **)&r->objects, &r->object_capacity,
                 r->object_count + 1, sizeof(*r->objects)) < 0)
        return NHI_ENOMEM;
    obj = &r->objects[r->object_count++];
    obj->node = node;
    obj->kind = scalar_text(nhi_ymap_get(node, "kind"));
    obj->name = scalar_text(nhi_ymap_get(metadata, "name"));
    obj->namespace_ = scalar_text(nhi_ymap_get(metadata, "namespace"));
    obj->document = document;
    obj->inner_path = inner_path;

    if (is_workload_kind(obj->kind) && obj->name) {
        const char *key = workload_key(r, obj->kind, obj->namespace_,
                                       obj->name);
        if (nhi_strmap_put(&r->workloads, key, strlen(key), obj) < 0)
            return NHI_ENOMEM;
    }
    return r->nomem ? NHI_ENOMEM : NHI_OK;
}

/* An object, or each item of a List, at `inner_path` of a document. */
static int collect_entry(reader *r, const nhi_ynode *node, size_t document,
                         const char *inner_path)
{
    object at = {.document = document, .inner_path = inner_path};
    const nhi_ynode *items;
    int result;

    if (node->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = object_error(r, &at, node,
                                        "expected a Kubernetes object, not %s",
                                        node_kind_name(node));
        nhi_error_set_hint(error, "each object is a mapping with apiVersion, "
                                  "kind and metadata");
        return NHI_OK;
    }
    if (!is_list(node))
        return add_object(r, node, document, inner_path);

    items = nhi_ymap_get(node, "items");
    if (nhi_ynode_is_null(items))
        return NHI_OK;
    if (items->kind != NHI_YNODE_SEQUENCE) {
        nhi_error *error = object_error(r, &at, items,
                                        "'items' of a List must be a list, "
                                        "not %s",
                                        nhi_ynode_kind_name(items->kind));
        nhi_error_set_hint(error, "write one '- object' per entry under "
                                  "'items:'");
        return NHI_OK;
    }
    for (size_t i = 0; i < items->count && !r->over_budget; i++) {
        const char *path = join_path(r, inner_path,
                                     scratch_printf(r, "items[%zu]", i));
        const nhi_ynode *item = items->items[i];
        if (item->kind != NHI_YNODE_MAPPING) {
            object item_at = {.document = document, .inner_path = path};
            nhi_error *error = object_error(r, &item_at, item,
                                            "List item is %s, not a "
                                            "Kubernetes object",
                                            node_kind_name(item));
            nhi_error_set_hint(error, "each item is a mapping with kind and "
                                      "metadata");
            continue;
        }
        result = add_object(r, item, document, path);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static int collect_document(reader *r, const nhi_ynode *root, size_t document)
{
    int result;

    if (nhi_ynode_is_null(root))
        return NHI_OK;
    if (root->kind != NHI_YNODE_SEQUENCE)
        return collect_entry(r, root, document, "");
    for (size_t i = 0; i < root->count && !r->over_budget; i++) {
        result = collect_entry(r, root->items[i], document,
                               scratch_printf(r, "[%zu]", i));
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

/* Objects read before */

static const char *object_key(reader *r, const char *kind,
                              const char *cluster, const char *namespace_,
                              const char *name)
{
    return scratch_printf(r, "%s\x1f%s\x1f%s\x1f%s", kind,
                          cluster ? cluster : "", namespace_ ? namespace_ : "",
                          name);
}

static void remember(reader *r, const char *key)
{
    if (nhi_strmap_put(&r->seen, key, strlen(key), (void *)key) < 0)
        r->nomem = true;
}

/* Fill `seen` from the graph on first use, so that a reader of one file
 * into an empty graph pays nothing. */
static void prepare_seen(reader *r)
{
    const nhi_graph *graph = r->graph;
    const nhi_k8s *k8s = graph->k8s;

    if (r->seen_ready)
        return;
    r->seen_ready = true;
    for (size_t i = 0; i < graph->consumer_count; i++) {
        const nhi_consumer *consumer = graph->consumers[i];
        if (consumer->kind == NHI_CONSUMER_KUBERNETES_WORKLOAD)
            remember(r, scratch_printf(r, "workload\x1f%s", consumer->id));
    }
    if (k8s == NULL)
        return;
    for (size_t i = 0; i < k8s->role_count; i++) {
        const nhi_k8s_role *role = k8s->roles[i];
        remember(r, object_key(r, role->namespace_ ? "Role" : "ClusterRole",
                               role->cluster, role->namespace_, role->name));
    }
    for (size_t i = 0; i < k8s->binding_count; i++) {
        const nhi_k8s_binding *binding = k8s->bindings[i];
        remember(r, object_key(r,
                               binding->namespace_ ? "RoleBinding"
                                                   : "ClusterRoleBinding",
                               binding->cluster, binding->namespace_,
                               binding->name));
    }
    for (size_t i = 0; i < k8s->token_secret_count; i++) {
        const nhi_k8s_token_secret *secret = k8s->token_secrets[i];
        remember(r, object_key(r, "Secret", secret->cluster,
                               secret->namespace_, secret->name));
    }
    for (size_t i = 0; i < k8s->mapping_count; i++) {
        const nhi_k8s_mapping *mapping = k8s->mappings[i];
        if (mapping->source && strcmp(mapping->source, "aws-auth") == 0)
            remember(r, object_key(r, "ConfigMap", mapping->cluster,
                                   "kube-system", "aws-auth"));
    }
}

/* True when `key` was read before, else false after remembering it. */
static bool seen_before(reader *r, const char *key)
{
    prepare_seen(r);
    if (nhi_strmap_get(&r->seen, key, strlen(key)) != NULL)
        return true;
    remember(r, key);
    return false;
}

/* Metadata */

/*
 * Read name and namespace. A missing name is an error at the object. A
 * namespaced kind without a namespace lands in `default`, as with
 * `kubectl apply`.
 */
static bool read_meta(reader *r, const object *obj, meta *out)
{
    const nhi_ynode *metadata = nhi_ymap_get(obj->node, "metadata");
    const char *name, *namespace_ = NULL;

    memset(out, 0, sizeof(*out));
    if (nhi_ynode_is_null(metadata) || metadata->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = object_error(r, obj,
                                        metadata ? metadata : obj->node,
                                        "%s has no metadata.name", obj->kind);
        nhi_error_set_hint(error, "give the object 'metadata:' with a "
                                  "'name:'");
        return false;
    }
    if (!spend(r, metadata, metadata->count / 2))
        return false;
    name = optional_string(r, obj, nhi_ymap_get(metadata, "name"), "name");
    if (name == NULL) {
        const nhi_ynode *node = nhi_ymap_get(metadata, "name");
        nhi_error *error;
        if (node && node->kind != NHI_YNODE_SCALAR)
            return false;
        error = object_error(r, obj, node ? node : metadata,
                             "%s has no metadata.name", obj->kind);
        nhi_error_set_hint(error, "give the object a 'name:' under "
                                  "'metadata:'");
        return false;
    }
    if (!is_cluster_scoped(obj->kind)) {
        namespace_ = optional_string(r, obj, nhi_ymap_get(metadata,
                                                          "namespace"),
                                     "namespace");
        if (namespace_ == NULL)
            namespace_ = "default";
    }
    out->name = intern(r, name);
    out->namespace_ = intern(r, namespace_);
    out->labels = nhi_ymap_get(metadata, "labels");
    out->annotations = optional_mapping(r, obj, nhi_ymap_get(metadata,
                                                             "annotations"),
                                        "annotations");
    out->node = metadata;
    return !r->nomem;
}

static const char *annotation(reader *r, const object *obj, const meta *m,
                              const char *key)
{
    return intern(r, optional_string(r, obj, nhi_ymap_get(m->annotations, key),
                                     key));
}

/* `CLUSTER/TEXT`, or TEXT when the cluster is not named. */
static const char *cluster_id(reader *r, const char *text)
{
    if (r->cluster == NULL)
        return intern(r, text);
    return intern(r, scratch_printf(r, "%s/%s", r->cluster, text));
}

static const char *account_id(reader *r, const char *namespace_,
                              const char *name)
{
    return cluster_id(r, scratch_printf(r, "system:serviceaccount:%s:%s",
                                        namespace_, name));
}

/* Service accounts */

/*
 * An identity created for a workload's service account carries the path
 * of that field (or of the pod spec) as its json_path, while a
 * ServiceAccount object's json_path names the object and never ends so.
 */
static bool implied_account(const nhi_identity *identity)
{
    static const char *const suffixes[] = {"serviceAccountName",
                                           "serviceAccount", "spec"};
    const char *path = identity->location.json_path;
    size_t length = path ? strlen(path) : 0;

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t suffix = strlen(suffixes[i]);
        if (length >= suffix &&
            strcmp(path + length - suffix, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static nhi_identity *new_account(reader *r, const char *namespace_,
                                 const char *name)
{
    nhi_identity *identity = alloc(r, sizeof(*identity));

    if (identity == NULL)
        return NULL;
    identity->provider = NHI_PROVIDER_KUBERNETES;
    identity->kind = NHI_KIND_K8S_SERVICE_ACCOUNT;
    identity->id = account_id(r, namespace_, name);
    identity->name = intern(r, name);
    identity->account = r->cluster;
    identity->path = intern(r, namespace_);
    identity->created = NHI_TIME_UNKNOWN;
    identity->last_used = NHI_TIME_UNKNOWN;
    identity->password_last_used = NHI_TIME_UNKNOWN;
    identity->automount = -1;
    identity->class_ = NHI_CLASS_UNKNOWN;
    return r->nomem ? NULL : identity;
}

/*
 * Read a ServiceAccount into an identity. The first definition of an id
 * wins, and a later one is dropped without a message. A definition
 * replaces an identity that was only implied by a workload read earlier.
 */
static int read_service_account(reader *r, const object *obj)
{
    size_t errors = r->diags->errors;
    nhi_identity *identity, *existing;
    const nhi_ynode *created;
    meta m;

    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    identity = new_account(r, m.namespace_, m.name);
    if (identity == NULL)
        return NHI_ENOMEM;
    identity->unique_id =
        intern(r, optional_string(r, obj, nhi_ymap_get(m.node, "uid"), "uid"));
    identity->automount =
        read_bool(r, obj,
                  nhi_ymap_get(obj->node, "automountServiceAccountToken"),
                  "automountServiceAccountToken");
    identity->irsa_role = annotation(r, obj, &m, ROLE_ARN_ANNOTATION);
    identity->gcp_account = annotation(r, obj, &m, GCP_ACCOUNT_ANNOTATION);
    read_tags(r, obj, m.labels, "labels", &identity->tags,
              &identity->tag_count);
    created = nhi_ymap_get(m.node, "creationTimestamp");
    if (scalar_text(created) &&
        !nhi_time_parse(created->value, &identity->created)) {
        char buffer[NHI_EXCERPT_MAX + 8];
        nhi_error *error = object_error(
            r, obj, created, "invalid creationTimestamp %s",
            nhi_excerpt(created->value, buffer, sizeof(buffer)));
        nhi_error_set_hint(error, "write an RFC 3339 time such as "
                                  "2024-06-30T09:07:51Z");
    }
    identity->location = node_location(r, obj, obj->node, NULL);
    if (r->nomem)
        return NHI_ENOMEM;
    if (r->diags->errors > errors)
        return NHI_OK;

    existing = nhi_graph_find_identity(r->graph, identity->id);
    if (existing == NULL)
        return nhi_graph_add_identity(r->graph, identity);
    if (implied_account(existing)) {
        unsigned index = existing->index;
        int declaration = existing->declaration;
        *existing = *identity;
        existing->index = index;
        existing->declaration = declaration;
    }
    return NHI_OK;
}

/* Workloads */

static const struct workload_kind *find_workload_kind(const char *kind)
{
    for (size_t i = 0; i < WORKLOAD_KIND_COUNT; i++)
        if (strcmp(kind, workload_kinds[i].kind) == 0)
            return &workload_kinds[i];
    return NULL;
}

/*
 * True when the object's controller (the owner reference with
 * `controller: true`, or the only owner) is a workload of this file: the
 * object is then read as part of that owner. Owners in other files are
 * not seen, so such an object stays a consumer of its own.
 */
static bool owned_by_file_workload(reader *r, const object *obj)
{
    const nhi_ynode *metadata = nhi_ymap_get(obj->node, "metadata");
    const nhi_ynode *owners = nhi_ymap_get(metadata, "ownerReferences");
    const nhi_ynode *owner = NULL;
    const char *kind, *name, *key;

    if (owners == NULL || owners->kind != NHI_YNODE_SEQUENCE ||
        !spend(r, owners, owners->count))
        return false;
    for (size_t i = 0; i < owners->count && owner == NULL; i++) {
        const nhi_ynode *controller = nhi_ymap_get(owners->items[i],
                                                   "controller");
        if (controller && controller->kind == NHI_YNODE_SCALAR &&
            strcmp(controller->value, "true") == 0)
            owner = owners->items[i];
    }
    if (owner == NULL && owners->count == 1)
        owner = owners->items[0];
    kind = scalar_text(nhi_ymap_get(owner, "kind"));
    name = scalar_text(nhi_ymap_get(owner, "name"));
    if (!is_workload_kind(kind) || name == NULL)
        return false;
    /* Owner references point within the object's namespace. */
    key = workload_key(r, kind, obj->namespace_, name);
    return nhi_strmap_get(&r->workloads, key, strlen(key)) != NULL;
}

/* The pod spec at `spec_path`, or NULL after an error. */
static const nhi_ynode *find_pod_spec(reader *r, const object *obj,
                                      const char *spec_path)
{
    const nhi_ynode *node = obj->node;
    char part[32];
    const char *start = spec_path;

    while (*start) {
        const char *end = strchr(start, '.');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        const nhi_ynode *next;

        memcpy(part, start, length);
        part[length] = '\0';
        next = nhi_ymap_get(node, part);
        if (next == NULL || next->kind != NHI_YNODE_MAPPING) {
            nhi_error *error = object_error(
                r, obj, next ? next : node,
                "%s '%s' has no pod spec at '%s'", obj->kind,
                obj->name ? obj->name : "", spec_path);
            nhi_error_set_hint(error, "a %s keeps its pod spec, a mapping "
                                      "with 'containers:', at '%s'",
                               obj->kind, spec_path);
            return NULL;
        }
        node = next;
        start = end ? end + 1 : start + length;
    }
    return node;
}

/* Literal credentials found before their consumer is added. */
typedef struct literals {
    nhi_plaintext **items;
    size_t count;
    size_t capacity;
} literals;

/* Check one value for a credential literal, keeping only its kind and
 * fingerprint. */
static void check_literal(reader *r, const object *obj, const char *key,
                          const nhi_ynode *value, const char *field,
                          literals *found)
{
    char fingerprint[17] = "";
    const char *kind;
    nhi_plaintext *plaintext;

    if (scalar_text(value) == NULL)
        return;
    kind = nhi_secret_literal_kind(key, value->value, fingerprint);
    if (kind == NULL)
        return;
    plaintext = alloc(r, sizeof(*plaintext));
    if (plaintext == NULL ||
        nhi_grow((void **)&found->items, &found->capacity, found->count + 1,
                 sizeof(*found->items)) < 0) {
        r->nomem = true;
        return;
    }
    plaintext->kind = intern(r, kind);
    memcpy(plaintext->fingerprint, fingerprint, sizeof(fingerprint));
    plaintext->fingerprint[16] = '\0';
    plaintext->key = intern(r, key);
    plaintext->location = node_location(r, obj, value, field);
    found->items[found->count++] = plaintext;
}

static void scan_env(reader *r, const object *obj, const nhi_ynode *env,
                     const char *env_path, literals *found)
{
    const nhi_ynode *list = optional_sequence(r, obj, env, "env");

    if (list == NULL || !spend(r, list, list->count))
        return;
    for (size_t i = 0; i < list->count; i++) {
        const nhi_ynode *entry = list->items[i];
        const char *name;

        if (entry->kind != NHI_YNODE_MAPPING) {
            nhi_error *error = object_error(r, obj, entry,
                                            "env entry is %s, not a mapping",
                                            node_kind_name(entry));
            nhi_error_set_hint(error, "write env entries as '- name: NAME' "
                                      "with 'value:' or 'valueFrom:'");
            continue;
        }
        name = required_string(r, obj, entry, "name",
                               "give each env entry a 'name:'");
        if (name)
            check_literal(r, obj, name, nhi_ymap_get(entry, "value"),
                          scratch_printf(r, "%s[%zu].value", env_path, i),
                          found);
    }
}

/* Scan every container's env values of a pod spec at `spec_path`. */
static void scan_containers(reader *r, const object *obj,
                            const nhi_ynode *spec, const char *spec_path,
                            literals *found)
{
    for (size_t l = 0; l < sizeof(container_lists) / sizeof(*container_lists);
         l++) {
        const char *field = container_lists[l];
        const nhi_ynode *list = optional_sequence(
            r, obj, nhi_ymap_get(spec, field), field);

        if (list == NULL || !spend(r, list, list->count))
            continue;
        for (size_t i = 0; i < list->count; i++) {
            const nhi_ynode *container = list->items[i];
            if (container->kind != NHI_YNODE_MAPPING) {
                nhi_error *error = object_error(
                    r, obj, container, "entry of '%s' is %s, not a container",
                    field, node_kind_name(container));
                nhi_error_set_hint(error, "write each container as a mapping "
                                          "with 'name:' and 'image:'");
                continue;
            }
            scan_env(r, obj, nhi_ymap_get(container, "env"),
                     scratch_printf(r, "%s.%s[%zu].env", spec_path, field, i),
                     found);
        }
    }
}

/* Add the identity of a service account that no input has defined yet. */
static int imply_account(reader *r, const object *obj,
                         const nhi_consumer *consumer, const nhi_ynode *spec,
                         const char *spec_path)
{
    const char *id = account_id(r, consumer->namespace_,
                                consumer->service_account);
    const nhi_ynode *at = nhi_ymap_get(spec, "serviceAccountName");
    const char *field = "serviceAccountName";
    nhi_identity *identity;

    if (r->nomem)
        return NHI_ENOMEM;
    if (nhi_graph_find_identity(r->graph, id) != NULL)
        return NHI_OK;
    if (scalar_text(at) == NULL) {
        at = nhi_ymap_get(spec, "serviceAccount");
        field = "serviceAccount";
    }
    identity = new_account(r, consumer->namespace_, consumer->service_account);
    if (identity == NULL)
        return NHI_ENOMEM;
    /* The field, else the pod spec: implied_account relies on the suffix. */
    if (scalar_text(at))
        identity->location = node_location(
            r, obj, at, scratch_printf(r, "%s.%s", spec_path, field));
    else
        identity->location = node_location(r, obj, spec, spec_path);
    if (r->nomem)
        return NHI_ENOMEM;
    return nhi_graph_add_identity(r->graph, identity);
}

static int add_workload(reader *r, const object *obj, nhi_consumer *consumer,
                        const literals *found, const nhi_ynode *spec,
                        const char *spec_path)
{
    int result;

    if (seen_before(r, scratch_printf(r, "workload\x1f%s", consumer->id)))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    result = nhi_graph_add_consumer(r->graph, consumer);
    for (size_t i = 0; result == NHI_OK && i < found->count; i++) {
        found->items[i]->consumer = consumer;
        result = nhi_graph_add_plaintext(r->graph, found->items[i]);
    }
    if (result == NHI_OK && consumer->service_account)
        result = imply_account(r, obj, consumer, spec, spec_path);
    return result;
}

/*
 * A static pod's mirror: the kubelet runs static pods from files on the
 * node, they cannot use service accounts, and the API server shows them
 * with the annotation kubernetes.io/config.mirror and the Node as owner
 * (Kubernetes "Create static Pods").
 */
static bool is_mirror_pod(const object *obj)
{
    const nhi_ynode *metadata = nhi_ymap_get(obj->node, "metadata");
    const nhi_ynode *annotations = nhi_ymap_get(metadata, "annotations");
    const nhi_ynode *owners = nhi_ymap_get(metadata, "ownerReferences");

    if (strcmp(obj->kind, "Pod") != 0)
        return false;
    if (annotations && annotations->kind == NHI_YNODE_MAPPING &&
        nhi_ymap_get(annotations, "kubernetes.io/config.mirror"))
        return true;
    for (size_t i = 0; owners && owners->kind == NHI_YNODE_SEQUENCE &&
                       i < owners->count;
         i++) {
        const char *kind = scalar_text(nhi_ymap_get(owners->items[i], "kind"));
        if (kind && strcmp(kind, "Node") == 0)
            return true;
    }
    return false;
}

/*
 * Read a workload as one consumer per top-level owner. The service
 * account is serviceAccountName, else the deprecated serviceAccount, else
 * `default`; a static pod's mirror has none.
 */
static int read_workload(reader *r, const object *obj)
{
    const struct workload_kind *kind = find_workload_kind(obj->kind);
    size_t errors = r->diags->errors;
    literals found = {NULL, 0, 0};
    const nhi_ynode *spec;
    const char *account;
    nhi_consumer *consumer;
    int result = NHI_OK;
    meta m;

    if (owned_by_file_workload(r, obj))
        return NHI_OK;
    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    spec = find_pod_spec(r, obj, kind->spec_path);
    if (spec == NULL)
        return NHI_OK;
    consumer = alloc(r, sizeof(*consumer));
    if (consumer == NULL)
        return NHI_ENOMEM;

    account = optional_string(r, obj, nhi_ymap_get(spec, "serviceAccountName"),
                              "serviceAccountName");
    if (account == NULL)
        account = optional_string(r, obj,
                                  nhi_ymap_get(spec, "serviceAccount"),
                                  "serviceAccount");
    consumer->kind = NHI_CONSUMER_KUBERNETES_WORKLOAD;
    consumer->id = cluster_id(r, scratch_printf(r, "%s/%s/%s", m.namespace_,
                                                obj->kind, m.name));
    consumer->job = m.name;
    consumer->cluster = r->cluster;
    consumer->namespace_ = m.namespace_;
    consumer->workload_kind = intern(r, obj->kind);
    if (!is_mirror_pod(obj))
        consumer->service_account = intern(r, account ? account : "default");
    consumer->automount =
        read_bool(r, obj, nhi_ymap_get(spec, "automountServiceAccountToken"),
                  "automountServiceAccountToken");
    consumer->location = node_location(r, obj, obj->node, NULL);
    scan_containers(r, obj, spec, kind->spec_path, &found);

    if (r->nomem)
        result = NHI_ENOMEM;
    else if (r->diags->errors == errors)
        result = add_workload(r, obj, consumer, &found, spec, kind->spec_path);
    free(found.items);
    return result;
}

/* Roles */

static void read_rule(reader *r, const object *obj, const nhi_ynode *node,
                      nhi_k8s_rule *rule)
{
    string_list(r, obj, nhi_ymap_get(node, "verbs"), "verbs", &rule->verbs,
                &rule->verb_count);
    string_list(r, obj, nhi_ymap_get(node, "apiGroups"), "apiGroups",
                &rule->api_groups, &rule->api_group_count);
    string_list(r, obj, nhi_ymap_get(node, "resources"), "resources",
                &rule->resources, &rule->resource_count);
    string_list(r, obj, nhi_ymap_get(node, "resourceNames"), "resourceNames",
                &rule->resource_names, &rule->resource_name_count);
    string_list(r, obj, nhi_ymap_get(node, "nonResourceURLs"),
                "nonResourceURLs", &rule->urls, &rule->url_count);
}

static void read_rules(reader *r, const object *obj, nhi_k8s_role *role)
{
    const nhi_ynode *rules = optional_sequence(
        r, obj, nhi_ymap_get(obj->node, "rules"), "rules");

    if (rules == NULL || rules->count == 0 || !spend(r, rules, rules->count))
        return;
    role->rules = alloc(r, rules->count * sizeof(*role->rules));
    if (role->rules == NULL)
        return;
    for (size_t i = 0; i < rules->count; i++) {
        const nhi_ynode *rule = rules->items[i];
        if (rule->kind != NHI_YNODE_MAPPING) {
            nhi_error *error = object_error(r, obj, rule,
                                            "rule is %s, not a mapping",
                                            node_kind_name(rule));
            nhi_error_set_hint(error, "write each rule as a mapping with "
                                      "'verbs:', 'apiGroups:' and "
                                      "'resources:'");
            continue;
        }
        read_rule(r, obj, rule, &role->rules[role->rule_count++]);
    }
}

/* Read the matchLabels of each clusterRoleSelectors entry. Any
 * matchExpressions get a warning and are not kept. */
static void read_aggregation(reader *r, const object *obj, nhi_k8s_role *role)
{
    const nhi_ynode *rule = optional_mapping(
        r, obj, nhi_ymap_get(obj->node, "aggregationRule"), "aggregationRule");
    const nhi_ynode *selectors = optional_sequence(
        r, obj, nhi_ymap_get(rule, "clusterRoleSelectors"),
        "clusterRoleSelectors");

    if (selectors == NULL || selectors->count == 0 ||
        !spend(r, selectors, selectors->count))
        return;
    role->aggregation =
        alloc(r, selectors->count * sizeof(*role->aggregation));
    if (role->aggregation == NULL)
        return;
    for (size_t i = 0; i < selectors->count; i++) {
        const nhi_ynode *selector = selectors->items[i];
        const nhi_ynode *expressions = nhi_ymap_get(selector,
                                                    "matchExpressions");
        nhi_k8s_selector *out = &role->aggregation[role->aggregation_count];

        if (selector->kind != NHI_YNODE_MAPPING) {
            nhi_error *error = object_error(r, obj, selector,
                                            "clusterRoleSelectors entry is "
                                            "%s, not a label selector",
                                            node_kind_name(selector));
            nhi_error_set_hint(error, "write each selector as a mapping with "
                                      "'matchLabels:'");
            continue;
        }
        if (expressions && !nhi_ynode_is_null(expressions) &&
            !(expressions->kind == NHI_YNODE_SEQUENCE &&
              expressions->count == 0)) {
            nhi_error *warning = object_diag(
                r, NHI_LEVEL_WARNING, obj, expressions,
                "matchExpressions of ClusterRole '%s' are not evaluated",
                obj->name ? obj->name : "");
            nhi_error_set_hint(warning, "only matchLabels select the "
                                        "aggregated roles; the rules they "
                                        "would add are missing");
        }
        read_tags(r, obj, nhi_ymap_get(selector, "matchLabels"),
                  "matchLabels", &out->labels, &out->label_count);
        role->aggregation_count++;
    }
}

static int read_role(reader *r, const object *obj)
{
    size_t errors = r->diags->errors;
    nhi_k8s_role *role;
    meta m;

    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    role = alloc(r, sizeof(*role));
    if (role == NULL)
        return NHI_ENOMEM;
    role->cluster = r->cluster;
    role->namespace_ = m.namespace_;
    role->name = m.name;
    read_tags(r, obj, m.labels, "labels", &role->labels, &role->label_count);
    read_rules(r, obj, role);
    if (strcmp(obj->kind, "ClusterRole") == 0)
        read_aggregation(r, obj, role);
    role->location = node_location(r, obj, obj->node, NULL);

    if (r->nomem)
        return NHI_ENOMEM;
    if (r->diags->errors > errors ||
        seen_before(r, object_key(r, obj->kind, r->cluster, m.namespace_,
                                  m.name)))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    return nhi_k8s_add_role(r->graph, role);
}

/* Bindings */

static void read_subjects(reader *r, const object *obj,
                          nhi_k8s_binding *binding)
{
    const nhi_ynode *subjects = optional_sequence(
        r, obj, nhi_ymap_get(obj->node, "subjects"), "subjects");

    if (subjects == NULL || subjects->count == 0 ||
        !spend(r, subjects, subjects->count))
        return;
    binding->subjects = alloc(r, subjects->count * sizeof(*binding->subjects));
    if (binding->subjects == NULL)
        return;
    for (size_t i = 0; i < subjects->count; i++) {
        const nhi_ynode *node = subjects->items[i];
        nhi_k8s_subject *subject = &binding->subjects[binding->subject_count];
        const char *kind, *name, *namespace_;

        if (node->kind != NHI_YNODE_MAPPING) {
            nhi_error *error = object_error(r, obj, node,
                                            "subject is %s, not a mapping",
                                            node_kind_name(node));
            nhi_error_set_hint(error, "write each subject as a mapping with "
                                      "'kind:' and 'name:'");
            continue;
        }
        kind = required_string(r, obj, node, "kind",
                               "give the subject a kind: ServiceAccount, "
                               "User or Group");
        name = required_string(r, obj, node, "name",
                               "give the subject a 'name:'");
        namespace_ = optional_string(r, obj, nhi_ymap_get(node, "namespace"),
                                     "namespace");
        if (kind == NULL || name == NULL)
            continue;
        /* A ServiceAccount subject without namespace means the binding's
         * own, which a ClusterRoleBinding does not have. */
        if (namespace_ == NULL && strcmp(kind, "ServiceAccount") == 0) {
            namespace_ = binding->namespace_;
            if (namespace_ == NULL) {
                nhi_error *error = object_error(
                    r, obj, node,
                    "ServiceAccount subject '%s' has no namespace", name);
                nhi_error_set_hint(error, "add 'namespace:' to the subject: "
                                          "a ClusterRoleBinding has no "
                                          "namespace of its own");
                continue;
            }
        }
        subject->kind = intern(r, kind);
        subject->name = intern(r, name);
        subject->namespace_ = intern(r, namespace_);
        binding->subject_count++;
    }
}

static int read_binding(reader *r, const object *obj)
{
    size_t errors = r->diags->errors;
    nhi_k8s_binding *binding;
    const nhi_ynode *role_ref;
    meta m;

    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    binding = alloc(r, sizeof(*binding));
    if (binding == NULL)
        return NHI_ENOMEM;
    binding->cluster = r->cluster;
    binding->namespace_ = m.namespace_;
    binding->name = m.name;

    role_ref = nhi_ymap_get(obj->node, "roleRef");
    if (role_ref == NULL || role_ref->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = object_error(
            r, obj, role_ref ? role_ref : obj->node,
            "%s '%s' has no roleRef mapping", obj->kind, m.name);
        nhi_error_set_hint(error, "add 'roleRef:' with 'kind: Role' or "
                                  "'kind: ClusterRole' and 'name:'");
    } else {
        binding->role_kind = intern(
            r, required_string(r, obj, role_ref, "kind",
                               "set roleRef 'kind:' to Role or ClusterRole"));
        binding->role_name = intern(
            r, required_string(r, obj, role_ref, "name",
                               "set roleRef 'name:' to the role's name"));
    }
    read_subjects(r, obj, binding);
    binding->location = node_location(r, obj, obj->node, NULL);

    if (r->nomem)
        return NHI_ENOMEM;
    if (r->diags->errors > errors ||
        seen_before(r, object_key(r, obj->kind, r->cluster, m.namespace_,
                                  m.name)))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    return nhi_k8s_add_binding(r->graph, binding);
}

/* Read a token Secret from its type and metadata. Data is never read. */
static int read_secret(reader *r, const object *obj)
{
    const char *type = scalar_text(nhi_ymap_get(obj->node, "type"));
    size_t errors = r->diags->errors;
    nhi_k8s_token_secret *secret;
    const nhi_ynode *account;
    meta m;

    if (type == NULL || strcmp(type, TOKEN_SECRET_TYPE) != 0)
        return NHI_OK;
    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    secret = alloc(r, sizeof(*secret));
    if (secret == NULL)
        return NHI_ENOMEM;
    secret->cluster = r->cluster;
    secret->namespace_ = m.namespace_;
    secret->name = m.name;
    account = nhi_ymap_get(m.annotations, TOKEN_ACCOUNT_ANNOTATION);
    secret->service_account = intern(
        r, optional_string(r, obj, account, TOKEN_ACCOUNT_ANNOTATION));
    if (secret->service_account == NULL && !r->nomem) {
        nhi_error *error = object_error(
            r, obj, account ? account : m.node,
            "token Secret '%s' has no %s annotation", m.name,
            TOKEN_ACCOUNT_ANNOTATION);
        nhi_error_set_hint(error, "a Secret of type %s names its service "
                                  "account in that annotation",
                           TOKEN_SECRET_TYPE);
    }
    secret->location = node_location(r, obj, obj->node, NULL);

    if (r->nomem)
        return NHI_ENOMEM;
    if (r->diags->errors > errors ||
        seen_before(r, object_key(r, "Secret", r->cluster, m.namespace_,
                                  m.name)))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    return nhi_k8s_add_token_secret(r->graph, secret);
}

/* aws-auth */

/* Where the text of a scalar starts, to place errors inside it. */
typedef struct text_origin {
    bool exact;      /* a literal block scalar: lines map one to one */
    unsigned line;   /* the outer line before the text's first line */
    unsigned indent; /* columns before the text on each line */
    const nhi_ynode *value;
} text_origin;

/* The byte offset of 1-based `line`, `column` in the file, or SIZE_MAX. */
static size_t text_offset(const nhi_yfile *file, unsigned line,
                          unsigned column)
{
    size_t offset = 0;

    if (file->text == NULL)
        return SIZE_MAX;
    for (unsigned current = 1; current < line; current++) {
        const char *newline = memchr(file->text + offset, '\n',
                                     file->length - offset);
        if (newline == NULL)
            return SIZE_MAX;
        offset = (size_t)(newline - file->text) + 1;
    }
    /* Columns count characters: skip UTF-8 continuation bytes. */
    for (unsigned current = 1; current < column && offset < file->length;) {
        offset++;
        if (offset < file->length &&
            ((unsigned char)file->text[offset] & 0xC0) != 0x80)
            current++;
    }
    return offset < file->length ? offset : SIZE_MAX;
}

/*
 * For a literal block scalar (`|`), inner line N is outer line
 * value->line + N, indented by the block's indentation: the leading
 * spaces of its first non-blank line. Other styles (quoted, folded,
 * plain) do not keep line breaks in place, so their inner positions are
 * reported at the value and named in the message.
 */
static text_origin find_origin(const reader *r, const nhi_ynode *value)
{
    const nhi_yfile *file = r->file;
    text_origin origin = {false, value->line, 0, value};
    size_t offset = text_offset(file, value->line, value->column);
    const char *newline;

    if (offset == SIZE_MAX || file->text[offset] != '|')
        return origin;
    newline = memchr(file->text + offset, '\n', file->length - offset);
    while (newline != NULL) {
        size_t start = (size_t)(newline - file->text) + 1;
        size_t spaces = 0;
        while (start + spaces < file->length &&
               file->text[start + spaces] == ' ')
            spaces++;
        if (start + spaces < file->length &&
            file->text[start + spaces] != '\n' &&
            file->text[start + spaces] != '\r') {
            origin.exact = true;
            origin.indent = (unsigned)spaces;
            return origin;
        }
        newline = memchr(file->text + start, '\n', file->length - start);
    }
    return origin;
}

static void outer_position(const text_origin *origin, unsigned line,
                           unsigned column, unsigned *out_line,
                           unsigned *out_column)
{
    if (origin->exact && line > 0) {
        *out_line = origin->line + line;
        *out_column = origin->indent + column;
    } else {
        *out_line = origin->value->line;
        *out_column = origin->value->column;
    }
}

/*
 * The message of an inner syntax error, its positions made outer ones:
 * libyaml's context ends the message as `(line N)`, and the error's own
 * position is added when it cannot be placed exactly.
 */
static char *outer_message(const text_origin *origin, const char *field,
                           const nhi_error *error)
{
    const char *context = strrchr(error->message, '(');
    unsigned context_line = 0;
    char end = '\0';
    int prefix;

    if (context == NULL ||
        sscanf(context, "(line %u%c", &context_line, &end) != 2 || end != ')')
        context = NULL;
    prefix = context ? (int)(context - error->message)
                     : (int)strlen(error->message);
    if (origin->exact) {
        if (context == NULL)
            return nhi_asprintf("%s", error->message);
        return nhi_asprintf("%.*s(line %u)", prefix, error->message,
                            origin->line + context_line);
    }
    if (context == NULL)
        return nhi_asprintf("%s (at line %u, column %u of the %s text)",
                            error->message, error->line, error->column, field);
    return nhi_asprintf("%.*s(line %u of the %s text; the error is at line "
                        "%u, column %u of it)",
                        prefix, error->message, context_line, field,
                        error->line, error->column);
}

/* Move the inner parser's errors to the outer file's positions. */
static int move_inner_diags(reader *r, const object *obj, const char *field,
                            const text_origin *origin, nhi_diags *inner)
{
    for (size_t i = 0; i < inner->count; i++) {
        nhi_error *error = &inner->items[i];
        char *message = outer_message(origin, field, error);
        const char *where;

        if (message == NULL)
            return NHI_ENOMEM;
        free(error->message);
        error->message = message;
        outer_position(origin, error->line, error->column, &error->line,
                       &error->column);
        /* The tree reader's hints speak of the file. */
        if (error->hint && strstr(error->hint, "the file ends too early"))
            nhi_error_set_hint(error, "the %s text ends too early: close "
                                      "every bracket and quote inside it",
                               field);
        where = object_path(r, obj, scratch_printf(r, "data.%s", field));
        if (where)
            nhi_error_set_location(error, "%s", where);
    }
    return nhi_diags_move(r->diags, inner) < 0 || r->nomem ? NHI_ENOMEM
                                                           : NHI_OK;
}

static nhi_error *inner_error(reader *r, const object *obj,
                              const text_origin *origin,
                              const nhi_ynode *node, const char *field,
                              const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static nhi_error *inner_error(reader *r, const object *obj,
                              const text_origin *origin,
                              const nhi_ynode *node, const char *field,
                              const char *fmt, ...)
{
    unsigned line, column;
    nhi_error *error;
    va_list args;
    char *message;
    const char *where;

    va_start(args, fmt);
    message = nhi_vasprintf(fmt, args);
    va_end(args);
    if (message == NULL) {
        r->nomem = true;
        return NULL;
    }
    outer_position(origin, node->line, node->column, &line, &column);
    if (origin->exact)
        error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                              line, column, "%s", message);
    else
        error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                              line, column,
                              "%s (at line %u, column %u of the %s text)",
                              message, node->line, node->column, field);
    free(message);
    where = object_path(r, obj, scratch_printf(r, "data.%s", field));
    if (error && where)
        nhi_error_set_location(error, "%s", where);
    return error;
}

/* Read one entry of mapRoles or mapUsers: an ARN, a user name, groups. */
static int read_mapping_entry(reader *r, const object *obj,
                              const text_origin *origin, const char *field,
                              const char *arn_key, const nhi_ynode *entry,
                              size_t index)
{
    const nhi_ynode *arn = nhi_ymap_get(entry, arn_key);
    const nhi_ynode *username = nhi_ymap_get(entry, "username");
    const nhi_ynode *groups = nhi_ymap_get(entry, "groups");
    nhi_k8s_mapping *mapping;
    unsigned line, column;
    nhi_error *error;

    if (entry->kind != NHI_YNODE_MAPPING) {
        error = inner_error(r, obj, origin, entry, field,
                            "%s entry is %s, not a mapping", field,
                            node_kind_name(entry));
        nhi_error_set_hint(error, "write each entry as '- %s: ARN' with "
                                  "'username:' and 'groups:'",
                           arn_key);
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    }
    if (scalar_text(arn) == NULL) {
        error = inner_error(r, obj, origin, arn ? arn : entry, field,
                            "%s entry has no '%s'", field, arn_key);
        nhi_error_set_hint(error, "give the entry '%s: ARN'", arn_key);
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    }
    if (strncmp(scalar_text(arn), "arn:", 4) != 0 ||
        strstr(scalar_text(arn), ":iam::") == NULL) {
        /* aws-auth compares the entry with IAM ARNs: anything else never
         * matches a principal. */
        error = inner_error(r, obj, origin, arn, field,
                            "'%s' is not an IAM ARN", arn_key);
        nhi_error_set_hint(error, "write '%s: arn:aws:iam::ACCOUNT:%s/NAME'",
                           arn_key,
                           strcmp(arn_key, "rolearn") == 0 ? "role" : "user");
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    }
    if (username && !nhi_ynode_is_null(username) &&
        username->kind != NHI_YNODE_SCALAR) {
        error = inner_error(r, obj, origin, username, field,
                            "'username' must be a string, not %s",
                            nhi_ynode_kind_name(username->kind));
        nhi_error_set_hint(error, "write 'username: NAME' on one line");
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    }
    if (groups && !nhi_ynode_is_null(groups) &&
        groups->kind != NHI_YNODE_SEQUENCE) {
        error = inner_error(r, obj, origin, groups, field,
                            "'groups' must be a list, not %s",
                            node_kind_name(groups));
        nhi_error_set_hint(error, "write one '- GROUP' per line under "
                                  "'groups:'");
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    }

    mapping = alloc(r, sizeof(*mapping));
    if (mapping == NULL)
        return NHI_ENOMEM;
    mapping->cluster = r->cluster;
    mapping->arn = intern(r, arn->value);
    mapping->username = intern(r, scalar_text(username));
    mapping->source = intern(r, "aws-auth");
    if (groups && groups->kind == NHI_YNODE_SEQUENCE && groups->count > 0 &&
        spend(r, groups, groups->count)) {
        mapping->groups = alloc(r, groups->count * sizeof(*mapping->groups));
        for (size_t i = 0; mapping->groups && i < groups->count; i++) {
            const char *group = scalar_text(groups->items[i]);
            if (group == NULL) {
                error = inner_error(r, obj, origin, groups->items[i], field,
                                    "entries of 'groups' must be strings");
                nhi_error_set_hint(error, "write each group as a plain "
                                          "string");
                continue;
            }
            mapping->groups[mapping->group_count++] = intern(r, group);
        }
    }
    outer_position(origin, entry->line, entry->column, &line, &column);
    mapping->location = (nhi_location){
        r->path, line, column,
        object_path(r, obj, scratch_printf(r, "data.%s[%zu]", field, index))};
    if (r->nomem)
        return NHI_ENOMEM;
    return nhi_k8s_add_mapping(r->graph, mapping);
}

/* Read mapRoles or mapUsers, whose value is YAML text inside a string. */
static int read_mapping_text(reader *r, const object *obj,
                             const nhi_ynode *data, const char *field,
                             const char *arn_key)
{
    const nhi_ynode *value = nhi_ymap_get(data, field);
    const nhi_ynode *root;
    text_origin origin;
    nhi_yfile *inner = NULL;
    nhi_diags diags;
    int result;

    if (nhi_ynode_is_null(value))
        return NHI_OK;
    if (value->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = object_error(r, obj, value,
                                        "aws-auth '%s' must be a string of "
                                        "YAML, not %s",
                                        field,
                                        nhi_ynode_kind_name(value->kind));
        nhi_error_set_hint(error, "write '%s: |' followed by the indented "
                                  "YAML list",
                           field);
        return NHI_OK;
    }
    origin = find_origin(r, value);
    nhi_diags_init(&diags);
    result = nhi_yaml_parse(r->path, value->value, value->length, &inner,
                            &diags);
    if (result == NHI_ENOMEM || inner == NULL) {
        nhi_yfile_free(inner);
        nhi_diags_free(&diags);
        return NHI_ENOMEM;
    }
    result = move_inner_diags(r, obj, field, &origin, &diags);
    nhi_diags_free(&diags);
    root = inner->count > 0 ? inner->documents[0] : NULL;

    if (result == NHI_OK && root && !nhi_ynode_is_null(root) &&
        root->kind != NHI_YNODE_SEQUENCE) {
        nhi_error *error = inner_error(r, obj, &origin, root, field,
                                       "aws-auth '%s' must hold a list, not "
                                       "%s",
                                       field, node_kind_name(root));
        nhi_error_set_hint(error, "write one '- %s: ARN' entry per principal",
                           arn_key);
        root = NULL;
    }
    if (root && root->kind == NHI_YNODE_SEQUENCE &&
        !spend(r, value, root->count))
        root = NULL;
    for (size_t i = 0; result == NHI_OK && root &&
                       root->kind == NHI_YNODE_SEQUENCE && i < root->count;
         i++)
        result = read_mapping_entry(r, obj, &origin, field, arn_key,
                                    root->items[i], i);
    nhi_yfile_free(inner);
    return result;
}

/* Scan a ConfigMap's data values for literals, and read aws-auth. */
static int read_config_map(reader *r, const object *obj)
{
    const nhi_ynode *data;
    literals found = {NULL, 0, 0};
    int result = NHI_OK;
    meta m;

    if (!read_meta(r, obj, &m))
        return r->nomem ? NHI_ENOMEM : NHI_OK;
    data = optional_mapping(r, obj, nhi_ymap_get(obj->node, "data"), "data");
    if (data && !spend(r, data, data->count / 2))
        data = NULL;
    for (size_t i = 0; data && i + 1 < data->count; i += 2) {
        const nhi_ynode *key = data->items[i];
        if (key->kind == NHI_YNODE_SCALAR)
            check_literal(r, obj, key->value, data->items[i + 1],
                          scratch_printf(r, "data.%s", key->value), &found);
    }
    /* NOTE: a ConfigMap read from two files reports its literals twice,
     * because only aws-auth is recognised as read before. */
    for (size_t i = 0; !r->nomem && i < found.count; i++)
        result = nhi_graph_add_plaintext(r->graph, found.items[i]);
    free(found.items);
    if (r->nomem || result < 0)
        return NHI_ENOMEM;

    if (data && strcmp(m.name, "aws-auth") == 0 &&
        strcmp(m.namespace_, "kube-system") == 0 &&
        !seen_before(r, object_key(r, "ConfigMap", r->cluster, "kube-system",
                                   "aws-auth"))) {
        result = read_mapping_text(r, obj, data, "mapRoles", "rolearn");
        if (result == NHI_OK)
            result = read_mapping_text(r, obj, data, "mapUsers", "userarn");
    }
    return r->nomem ? NHI_ENOMEM : result;
}

/* Reading */

static int read_object(reader *r, const object *obj)
{
    const char *kind = obj->kind;

    if (kind == NULL) {
        const nhi_ynode *node = nhi_ymap_get(obj->node, "kind");
        nhi_error *error = object_error(r, obj, node ? node : obj->node,
                                        "Kubernetes object has no kind");
        nhi_error_set_hint(error, "add 'kind:' (and 'apiVersion:') to the "
                                  "object");
        return NHI_OK;
    }
    if (is_workload_kind(kind))
        return read_workload(r, obj);
    if (strcmp(kind, "Role") == 0 || strcmp(kind, "ClusterRole") == 0)
        return read_role(r, obj);
    if (strcmp(kind, "RoleBinding") == 0 ||
        strcmp(kind, "ClusterRoleBinding") == 0)
        return read_binding(r, obj);
    if (strcmp(kind, "Secret") == 0)
        return read_secret(r, obj);
    if (strcmp(kind, "ConfigMap") == 0)
        return read_config_map(r, obj);
    return NHI_OK;
}

/*
 * Service accounts go first, so that a workload's account defined later
 * in the same file is read from its definition and not implied.
 */
static int read_objects(reader *r)
{
    int result = NHI_OK;

    for (size_t i = 0; result == NHI_OK && !r->over_budget &&
                       i < r->object_count;
         i++)
        if (r->objects[i].kind &&
            strcmp(r->objects[i].kind, "ServiceAccount") == 0)
            result = read_service_account(r, &r->objects[i]);
    for (size_t i = 0; result == NHI_OK && !r->over_budget &&
                       i < r->object_count;
         i++)
        if (r->objects[i].kind == NULL ||
            strcmp(r->objects[i].kind, "ServiceAccount") != 0)
            result = read_object(r, &r->objects[i]);
    return result;
}

bool nhi_k8s_sniff(const struct nhi_ynode *root)
{
    const nhi_ynode *first = root;

    if (root == NULL)
        return false;
    if (root->kind == NHI_YNODE_SEQUENCE) {
        first = NULL;
        for (size_t i = 0; i < root->count && first == NULL; i++)
            if (root->items[i]->kind == NHI_YNODE_MAPPING)
                first = root->items[i];
    }
    if (first == NULL || first->kind != NHI_YNODE_MAPPING)
        return false;
    return scalar_text(nhi_ymap_get(first, "apiVersion")) != NULL &&
           scalar_text(nhi_ymap_get(first, "kind")) != NULL;
}

int nhi_k8s_read(nhi_graph *graph, const char *path, nhi_diags *diags)
{
    reader r;
    nhi_yfile *file = NULL;
    size_t errors = diags->errors;
    int result;

    memset(&r, 0, sizeof(r));
    r.graph = graph;
    r.diags = diags;
    if (graph->reading_cluster && graph->reading_cluster[0] != '\0')
        r.cluster = intern(&r, graph->reading_cluster);
    r.path = intern(&r, path);
    r.scratch = nhi_arena_new();
    if (r.nomem || r.scratch == NULL) {
        nhi_arena_free(r.scratch);
        return NHI_ENOMEM;
    }

    result = nhi_yaml_load(path, &file, diags);
    if (result == NHI_ENOMEM || file == NULL) {
        result = file == NULL && result != NHI_ENOMEM ? NHI_EINPUT
                                                      : NHI_ENOMEM;
        goto out;
    }
    r.file = file;
    r.budget = file->length < SIZE_MAX / 8 ? 4 * file->length + 1024
                                           : SIZE_MAX;
    result = NHI_OK;
    for (size_t i = 0; result == NHI_OK && i < file->count; i++)
        result = collect_document(&r, file->documents[i],
                                  file->count > 1 ? i + 1 : 0);
    if (result == NHI_OK)
        result = read_objects(&r);
    if (result == NHI_OK && r.nomem)
        result = NHI_ENOMEM;
    if (result == NHI_OK && diags->errors > errors)
        result = NHI_EINPUT;

out:
    nhi_yfile_free(file);
    nhi_strmap_free(&r.workloads);
    nhi_strmap_free(&r.seen);
    free(r.objects);
    nhi_arena_free(r.scratch);
    return result;
}
