/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes RBAC evaluation: ClusterRole aggregation, role and subject
 * lookup tables, and the questions rules ask (can this service account
 * read secrets, create pods, impersonate, is it cluster-admin).
 *
 * The semantics follow the Kubernetes documentation "Using RBAC
 * Authorization" (kubernetes.io/docs/reference/access-authn-authz/rbac/).
 * The matching details come from the kubernetes/kubernetes sources:
 * pkg/apis/rbac/v1/evaluation_helpers.go for rules,
 * pkg/registry/rbac/validation/rule.go for subjects and role references,
 * and pkg/controller/clusterroleaggregation for aggregation. Each function
 * states the facts it relies on.
 *
 * Cost, with R roles, E binding subjects, A aggregated ClusterRoles, C
 * ClusterRoles of one cluster and L labels per role:
 * - nhi_k8s_resolve sorts the roles and the subjects once, O((R + E)
 *   log(R + E)), and aggregates in O(A * A * C * L) label comparisons plus
 *   one hash-set insertion per rule it gathers.
 * - after that, each question looks up the user and each group of `who`
 *   by binary search, O((1 + groups) * log E), and then reads only the
 *   bindings naming that user or group and the rules of their roles.
 * - when the index is missing or stale (objects were added after
 *   nhi_k8s_resolve), every question scans every binding and role instead.
 */
#include "nhi/k8s.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* The user name prefix of service accounts: system:serviceaccount:NS:NAME. */
#define SERVICE_ACCOUNT_PREFIX "system:serviceaccount:"

/* Members of this group may do everything: kube-apiserver allows their
 * requests before RBAC is consulted (CIS Kubernetes Benchmark 5.1.7). */
#define MASTERS_GROUP "system:masters"

typedef enum subject_kind {
    SUBJECT_USER,  /* User subjects and ServiceAccount subjects, by name */
    SUBJECT_GROUP
} subject_kind;

/* One subject of one binding, keyed for binary search. */
typedef struct subject_entry {
    const char *cluster;
    subject_kind kind;
    const char *name; /* service accounts: system:serviceaccount:NS:NAME */
    size_t position;  /* input order, so that equal keys keep it */
    const nhi_k8s_binding *binding;
    const nhi_k8s_role *role; /* the binding's role, or NULL */
} subject_entry;

typedef struct role_entry {
    const nhi_k8s_role *role;
    size_t position;
} role_entry;

/* The lookup tables in k8s->index, in the graph's arena. */
typedef struct rbac_index {
    role_entry *roles; /* by cluster, namespace (ClusterRoles first), name */
    size_t role_count;
    subject_entry *subjects; /* by cluster, kind, name, position */
    size_t subject_count;
    size_t binding_count; /* k8s->binding_count when built */
} rbac_index;

/* ---- comparisons ---- */

/* strcmp where NULL sorts first and equals only NULL. */
static int compare_nullable(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static bool equal_nullable(const char *a, const char *b)
{
    return compare_nullable(a, b) == 0;
}

static bool list_contains(const char *const *items, size_t count,
                          const char *text)
{
    for (size_t i = 0; i < count; i++) {
        if (items[i] && strcmp(items[i], text) == 0)
            return true;
    }
    return false;
}

static bool lists_equal(const char *const *a, size_t a_count,
                        const char *const *b, size_t b_count)
{
    if (a_count != b_count)
        return false;
    for (size_t i = 0; i < a_count; i++) {
        if (!equal_nullable(a[i], b[i]))
            return false;
    }
    return true;
}

/*
 * Rules compare as the clusterrole-aggregation controller compares them
 * (semantic deep equality): every list equal, in the same order.
 */
static bool rules_equal(const nhi_k8s_rule *a, const nhi_k8s_rule *b)
{
    return lists_equal(a->verbs, a->verb_count, b->verbs, b->verb_count) &&
           lists_equal(a->api_groups, a->api_group_count, b->api_groups,
                       b->api_group_count) &&
           lists_equal(a->resources, a->resource_count, b->resources,
                       b->resource_count) &&
           lists_equal(a->resource_names, a->resource_name_count,
                       b->resource_names, b->resource_name_count) &&
           lists_equal(a->urls, a->url_count, b->urls, b->url_count);
}

static uint64_t hash_list(uint64_t hash, const char *const *items,
                          size_t count)
{
    hash = (hash ^ count) * 1099511628211u;
    for (size_t i = 0; i < count; i++) {
        const char *item = items[i] ? items[i] : "";
        hash = (hash ^ nhi_hash_bytes(item, strlen(item) + 1)) *
               1099511628211u;
    }
    return hash;
}

static uint64_t hash_rule(const nhi_k8s_rule *rule)
{
    uint64_t hash = 14695981039346656037u;

    hash = hash_list(hash, rule->verbs, rule->verb_count);
    hash = hash_list(hash, rule->api_groups, rule->api_group_count);
    hash = hash_list(hash, rule->resources, rule->resource_count);
    hash = hash_list(hash, rule->resource_names, rule->resource_name_count);
    return hash_list(hash, rule->urls, rule->url_count);
}

/* ---- aggregation ---- */

/*
 * A selector matches a ClusterRole whose labels contain every label of
 * the selector with the same value. An empty matchLabels selects every
 * ClusterRole, as an empty Kubernetes label selector does.
 */
static bool selector_matches(const nhi_k8s_selector *selector,
                             const nhi_k8s_role *role)
{
    for (size_t i = 0; i < selector->label_count; i++) {
        const nhi_tag *required = &selector->labels[i];
        bool found = false;

        for (size_t j = 0; j < role->label_count && !found; j++) {
            found = equal_nullable(role->labels[j].key, required->key) &&
                    equal_nullable(role->labels[j].value, required->value);
        }
        if (!found)
            return false;
    }
    return true;
}

/* NOTE: the reader keeps matchLabels only, so a selector written with
 * matchExpressions alone arrives here empty and selects every ClusterRole
 * of its cluster. The result may then grant more than the cluster does. */
static bool role_selected(const nhi_k8s_role *aggregated,
                          const nhi_k8s_role *candidate)
{
    if (candidate == aggregated || candidate->namespace_ != NULL ||
        !equal_nullable(candidate->cluster, aggregated->cluster))
        return false;
    for (size_t i = 0; i < aggregated->aggregation_count; i++) {
        if (selector_matches(&aggregated->aggregation[i], candidate))
            return true;
    }
    return false;
}

static bool is_aggregated(const nhi_k8s_role *role)
{
    return role->namespace_ == NULL && role->aggregation_count > 0;
}

/* The rules each role had before this resolve, so that the result does
 * not depend on the order in which aggregated roles are processed. */
typedef struct own_rules {
    nhi_k8s_rule *rules;
    size_t count;
} own_rules;

/* Working memory of one aggregation, reused for every aggregated role. */
typedef struct aggregation_work {
    const nhi_k8s *k8s;
    const own_rules *own;
    size_t *reached;   /* role positions, breadth-first order */
    size_t reached_count;
    bool *visited;     /* by role position */
    size_t *slots;     /* hash set of rule index + 1; 0 is free */
    size_t slot_count; /* a power of two */
} aggregation_work;

/*
 * Collect in work->reached every ClusterRole that `start` selects,
 * directly or through the selectors of a selected aggregated role. The
 * visited marks end every cycle.
 */
static void collect_reached(aggregation_work *work, size_t start)
{
    const nhi_k8s *k8s = work->k8s;
    size_t next = 0;

    memset(work->visited, 0, k8s->role_count * sizeof(*work->visited));
    work->visited[start] = true;
    work->reached_count = 0;
    work->reached[work->reached_count++] = start;

    while (next < work->reached_count) {
        const nhi_k8s_role *from = k8s->roles[work->reached[next++]];

        if (!is_aggregated(from))
            continue;
        for (size_t i = 0; i < k8s->role_count; i++) {
            if (work->visited[i] || !role_selected(from, k8s->roles[i]))
                continue;
            work->visited[i] = true;
            work->reached[work->reached_count++] = i;
        }
    }
}

/* Insert rules[index] into the hash set unless an equal rule is there.
 * Returns whether it was added. */
static bool rule_set_add(aggregation_work *work, const nhi_k8s_rule *rules,
                         size_t index)
{
    size_t mask = work->slot_count - 1;
    size_t slot = (size_t)hash_rule(&rules[index]) & mask;

    while (work->slots[slot] != 0) {
        if (rules_equal(&rules[work->slots[slot] - 1], &rules[index]))
            return false;
        slot = (slot + 1) & mask;
    }
    work->slots[slot] = index + 1;
    return true;
}

static int grow_slots(aggregation_work *work, size_t rule_bound)
{
    size_t needed = 16;

    while (needed / 2 < rule_bound) {
        if (needed > SIZE_MAX / 4 / sizeof(*work->slots))
            return NHI_ENOMEM;
        needed *= 2;
    }
    if (needed > work->slot_count) {
        size_t *slots = realloc(work->slots, needed * sizeof(*slots));

        if (slots == NULL)
            return NHI_ENOMEM;
        work->slots = slots;
        work->slot_count = needed;
    }
    memset(work->slots, 0, work->slot_count * sizeof(*work->slots));
    return NHI_OK;
}

/*
 * Give the aggregated role at `position` its own rules, as written and
 * duplicates included, followed by every rule of every ClusterRole it
 * reaches that is not equal to one already there. Kubernetes'
 * clusterrole-aggregation controller likewise skips the role itself and
 * appends a selected role's rule unless an equal rule is present. The
 * controller drops the role's own rules, but a cluster export already
 * shows them aggregated, so keeping them loses nothing. The union over
 * everything reachable is the fixed point of "add the rules of every
 * selected role", chains and cycles included.
 */
static int aggregate_role(nhi_graph *graph, aggregation_work *work,
                          size_t position)
{
    nhi_k8s_role *role = work->k8s->roles[position];
    size_t bound = 0;
    size_t count = 0;
    nhi_k8s_rule *rules;
    int result;

    collect_reached(work, position);
    for (size_t i = 0; i < work->reached_count; i++) {
        size_t own_count = work->own[work->reached[i]].count;

        if (own_count > SIZE_MAX / sizeof(*rules) - bound)
            return NHI_ENOMEM;
        bound += own_count;
    }
    if (bound == work->own[position].count)
        return NHI_OK;

    result = grow_slots(work, bound);
    if (result != NHI_OK)
        return result;
    rules = nhi_graph_alloc(graph, bound * sizeof(*rules));
    if (rules == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < work->own[position].count; i++) {
        rules[count] = work->own[position].rules[i];
        rule_set_add(work, rules, count);
        count++;
    }
    for (size_t i = 1; i < work->reached_count; i++) {
        const own_rules *from = &work->own[work->reached[i]];

        for (size_t j = 0; j < from->count; j++) {
            rules[count] = from->rules[j];
            if (rule_set_add(work, rules, count))
                count++;
        }
    }
    role->rules = rules;
    role->rule_count = count;
    return NHI_OK;
}

static int aggregate_roles(nhi_graph *graph, nhi_k8s *k8s)
{
    aggregation_work work = {.k8s = k8s};
    own_rules *own = NULL;
    int result = NHI_OK;

    if (k8s->role_count == 0)
        return NHI_OK;
    own = calloc(k8s->role_count, sizeof(*own));
    work.reached = calloc(k8s->role_count, sizeof(*work.reached));
    work.visited = calloc(k8s->role_count, sizeof(*work.visited));
    if (own == NULL || work.reached == NULL || work.visited == NULL) {
        result = NHI_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < k8s->role_count; i++) {
        own[i].rules = k8s->roles[i]->rules;
        own[i].count = k8s->roles[i]->rule_count;
    }
    work.own = own;

    for (size_t i = 0; i < k8s->role_count && result == NHI_OK; i++) {
        if (is_aggregated(k8s->roles[i]))
            result = aggregate_role(graph, &work, i);
    }

cleanup:
    free(own);
    free(work.reached);
    free(work.visited);
    free(work.slots);
    return result;
}

/* ---- lookup tables ---- */

static int compare_role_keys(const char *cluster, const char *namespace_,
                             const char *name, const nhi_k8s_role *role)
{
    int order = compare_nullable(cluster, role->cluster);

    if (order == 0)
        order = compare_nullable(namespace_, role->namespace_);
    if (order == 0)
        order = compare_nullable(name, role->name);
    return order;
}

static int compare_role_entries(const void *left, const void *right)
{
    const role_entry *a = left;
    const role_entry *b = right;
    int order = compare_role_keys(a->role->cluster, a->role->namespace_,
                                  a->role->name, b->role);

    if (order == 0)
        order = (a->position > b->position) - (a->position < b->position);
    return order;
}

static int compare_subject_keys(const char *cluster, subject_kind kind,
                                const char *name, const subject_entry *entry)
{
    int order = compare_nullable(cluster, entry->cluster);

    if (order == 0)
        order = ((int)kind > (int)entry->kind) - ((int)kind < (int)entry->kind);
    if (order == 0)
        order = compare_nullable(name, entry->name);
    return order;
}

static int compare_subject_entries(const void *left, const void *right)
{
    const subject_entry *a = left;
    const subject_entry *b = right;
    int order = compare_subject_keys(a->cluster, a->kind, a->name, b);

    if (order == 0)
        order = (a->position > b->position) - (a->position < b->position);
    return order;
}

/* The first role of the inputs with this key, by binary search. */
static const nhi_k8s_role *find_role(const rbac_index *index,
                                     const char *cluster,
                                     const char *namespace_, const char *name)
{
    size_t low = 0;
    size_t high = index->role_count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;

        if (compare_role_keys(cluster, namespace_, name,
                              index->roles[middle].role) > 0)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < index->role_count &&
        compare_role_keys(cluster, namespace_, name, index->roles[low].role) ==
            0)
        return index->roles[low].role;
    return NULL;
}

/* The first role of the inputs with this key, by scanning every role. */
static const nhi_k8s_role *scan_role(const nhi_k8s *k8s, const char *cluster,
                                     const char *namespace_, const char *name)
{
    for (size_t i = 0; i < k8s->role_count; i++) {
        if (compare_role_keys(cluster, namespace_, name, k8s->roles[i]) == 0)
            return k8s->roles[i];
    }
    return NULL;
}

/* The index when it describes the current objects, else NULL. */
static const rbac_index *current_index(const nhi_k8s *k8s)
{
    const rbac_index *index = k8s->index;

    if (index == NULL || index->role_count != k8s->role_count ||
        index->binding_count != k8s->binding_count)
        return NULL;
    return index;
}

/*
 * A RoleBinding refers to a Role of its own namespace or to a ClusterRole.
 * A ClusterRoleBinding can refer only to a ClusterRole (the API server
 * rejects a Role there), so a Role reference without a namespace finds
 * nothing.
 */
static const nhi_k8s_role *lookup_role(const nhi_k8s *k8s,
                                       const rbac_index *index,
                                       const nhi_k8s_binding *binding)
{
    const char *namespace_;

    if (binding->role_kind == NULL || binding->role_name == NULL)
        return NULL;
    if (strcmp(binding->role_kind, "ClusterRole") == 0)
        namespace_ = NULL;
    else if (strcmp(binding->role_kind, "Role") == 0 && binding->namespace_)
        namespace_ = binding->namespace_;
    else
        return NULL;

    if (index)
        return find_role(index, binding->cluster, namespace_,
                         binding->role_name);
    return scan_role(k8s, binding->cluster, namespace_, binding->role_name);
}

const nhi_k8s_role *nhi_k8s_role_of(const nhi_graph *graph,
                                    const nhi_k8s_binding *binding)
{
    const nhi_k8s *k8s = graph->k8s;

    if (k8s == NULL)
        return NULL;
    return lookup_role(k8s, current_index(k8s), binding);
}

/* system:serviceaccount:NS:NAME, interned; NULL when memory ran out. */
static const char *service_account_user(nhi_graph *graph,
                                        const char *namespace_,
                                        const char *name)
{
    char *text = nhi_asprintf(SERVICE_ACCOUNT_PREFIX "%s:%s", namespace_,
                              name);
    const char *interned;

    if (text == NULL)
        return NULL;
    interned = nhi_graph_intern(graph, text);
    free(text);
    return interned;
}

/*
 * Key one subject: User and Group by name, ServiceAccount by the user name
 * the API server gives its tokens. A ServiceAccount subject without a
 * namespace takes the binding's. Returns false for subjects no request
 * can match (unknown kinds, no name, a service account without any
 * namespace). Sets *result to NHI_ENOMEM when memory ran out.
 */
static bool key_subject(nhi_graph *graph, const nhi_k8s_binding *binding,
                        const nhi_k8s_subject *subject, subject_entry *entry,
                        int *result)
{
    const char *namespace_;

    if (subject->kind == NULL || subject->name == NULL)
        return false;
    if (strcmp(subject->kind, "User") == 0) {
        entry->kind = SUBJECT_USER;
        entry->name = subject->name;
        return true;
    }
    if (strcmp(subject->kind, "Group") == 0) {
        entry->kind = SUBJECT_GROUP;
        entry->name = subject->name;
        return true;
    }
    if (strcmp(subject->kind, "ServiceAccount") != 0)
        return false;

    namespace_ = subject->namespace_ ? subject->namespace_
                                     : binding->namespace_;
    if (namespace_ == NULL)
        return false;
    entry->kind = SUBJECT_USER;
    entry->name = service_account_user(graph, namespace_, subject->name);
    if (entry->name == NULL) {
        *result = NHI_ENOMEM;
        return false;
    }
    return true;
}

static int index_roles(nhi_graph *graph, const nhi_k8s *k8s,
                       rbac_index *index)
{
    if (k8s->role_count == 0)
        return NHI_OK;
    if (k8s->role_count > SIZE_MAX / sizeof(*index->roles))
        return NHI_ENOMEM;
    index->roles = nhi_graph_alloc(graph,
                                   k8s->role_count * sizeof(*index->roles));
    if (index->roles == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < k8s->role_count; i++) {
        index->roles[i].role = k8s->roles[i];
        index->roles[i].position = i;
    }
    index->role_count = k8s->role_count;
    qsort(index->roles, index->role_count, sizeof(*index->roles),
          compare_role_entries);
    return NHI_OK;
}

static int index_subjects(nhi_graph *graph, const nhi_k8s *k8s,
                          rbac_index *index)
{
    size_t total = 0;
    int result = NHI_OK;

    for (size_t i = 0; i < k8s->binding_count; i++) {
        if (k8s->bindings[i]->subject_count >
            SIZE_MAX / sizeof(*index->subjects) - total)
            return NHI_ENOMEM;
        total += k8s->bindings[i]->subject_count;
    }
    if (total == 0)
        return NHI_OK;
    index->subjects = nhi_graph_alloc(graph,
                                      total * sizeof(*index->subjects));
    if (index->subjects == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < k8s->binding_count; i++) {
        const nhi_k8s_binding *binding = k8s->bindings[i];
        const nhi_k8s_role *role = lookup_role(k8s, index, binding);

        for (size_t j = 0; j < binding->subject_count; j++) {
            subject_entry *entry = &index->subjects[index->subject_count];

            if (!key_subject(graph, binding, &binding->subjects[j], entry,
                             &result)) {
                if (result != NHI_OK)
                    return result;
                continue;
            }
            entry->cluster = binding->cluster;
            entry->position = index->subject_count;
            entry->binding = binding;
            entry->role = role;
            index->subject_count++;
        }
    }
    qsort(index->subjects, index->subject_count, sizeof(*index->subjects),
          compare_subject_entries);
    return NHI_OK;
}

/* ---- built-in ClusterRoles ---- */

#define LIST(...) ((const char *[]){__VA_ARGS__}), \
    (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))

/* One rule of a built-in role, as static lists. */
typedef struct builtin_rule {
    const char **verbs;
    size_t verb_count;
    const char **groups;
    size_t group_count;
    const char **resources;
    size_t resource_count;
    const char **urls;
    size_t url_count;
} builtin_rule;

#define RULE(verbs, groups, resources) {verbs, groups, resources, NULL, 0}
#define WRITE_VERBS                                                        \
    LIST("get", "list", "watch", "create", "update", "patch", "delete",    \
         "deletecollection")
#define READ_VERBS LIST("get", "list", "watch")

/*
 * The user-facing roles every cluster has (Kubernetes "Using RBAC
 * Authorization", user-facing roles), for bindings whose role is not in
 * the inputs, as in a repository of manifests. cluster-admin is exact.
 * NOTE: admin, edit and view are abridged to the rights the rules judge.
 * Here edit writes workloads, pods (exec too), Secrets and ConfigMaps and
 * impersonates service accounts. Admin adds Roles and RoleBindings, and
 * view reads workloads and pods but not Secrets.
 */
static const builtin_rule cluster_admin_rules[] = {
    RULE(LIST("*"), LIST("*"), LIST("*")),
    {LIST("*"), NULL, 0, NULL, 0, LIST("*")},
};
static const builtin_rule edit_rules[] = {
    RULE(WRITE_VERBS, LIST(""),
         LIST("pods", "pods/attach", "pods/exec", "pods/portforward",
              "pods/proxy", "secrets", "configmaps", "services",
              "serviceaccounts", "persistentvolumeclaims",
              "replicationcontrollers")),
    RULE(LIST("impersonate"), LIST(""), LIST("serviceaccounts")),
    RULE(WRITE_VERBS, LIST("apps"),
         LIST("deployments", "daemonsets", "replicasets", "statefulsets")),
    RULE(WRITE_VERBS, LIST("batch"), LIST("jobs", "cronjobs")),
};
static const builtin_rule admin_rules[] = {
    RULE(WRITE_VERBS, LIST(""),
         LIST("pods", "pods/attach", "pods/exec", "pods/portforward",
              "pods/proxy", "secrets", "configmaps", "services",
              "serviceaccounts", "persistentvolumeclaims",
              "replicationcontrollers")),
    RULE(LIST("impersonate"), LIST(""), LIST("serviceaccounts")),
    RULE(WRITE_VERBS, LIST("apps"),
         LIST("deployments", "daemonsets", "replicasets", "statefulsets")),
    RULE(WRITE_VERBS, LIST("batch"), LIST("jobs", "cronjobs")),
    RULE(WRITE_VERBS, LIST("rbac.authorization.k8s.io"),
         LIST("roles", "rolebindings")),
};
static const builtin_rule view_rules[] = {
    RULE(READ_VERBS, LIST(""),
         LIST("pods", "configmaps", "services", "serviceaccounts",
              "persistentvolumeclaims", "replicationcontrollers")),
    RULE(READ_VERBS, LIST("apps"),
         LIST("deployments", "daemonsets", "replicasets", "statefulsets")),
    RULE(READ_VERBS, LIST("batch"), LIST("jobs", "cronjobs")),
};

static const struct {
    const char *name;
    const builtin_rule *rules;
    size_t rule_count;
} builtin_roles[] = {
    {"cluster-admin", cluster_admin_rules,
     sizeof(cluster_admin_rules) / sizeof(cluster_admin_rules[0])},
    {"admin", admin_rules, sizeof(admin_rules) / sizeof(admin_rules[0])},
    {"edit", edit_rules, sizeof(edit_rules) / sizeof(edit_rules[0])},
    {"view", view_rules, sizeof(view_rules) / sizeof(view_rules[0])},
};

static bool has_cluster_role(const nhi_k8s *k8s, const char *cluster,
                             const char *name)
{
    for (size_t i = 0; i < k8s->role_count; i++) {
        const nhi_k8s_role *role = k8s->roles[i];
        if (role->namespace_ == NULL && strcmp(role->name, name) == 0 &&
            ((role->cluster == NULL && cluster == NULL) ||
             (role->cluster && cluster && strcmp(role->cluster, cluster) == 0)))
            return true;
    }
    return false;
}

/* Add builtin_roles[builtin] to `cluster`, in the graph arena. */
static int add_builtin(nhi_graph *graph, const char *cluster, size_t builtin)
{
    nhi_k8s_role *role = nhi_graph_alloc(graph, sizeof(*role));
    size_t count = builtin_roles[builtin].rule_count;

    if (role == NULL)
        return NHI_ENOMEM;
    role->cluster = cluster;
    role->name = builtin_roles[builtin].name;
    role->rules = nhi_graph_alloc(graph, count * sizeof(*role->rules));
    if (role->rules == NULL)
        return NHI_ENOMEM;
    for (size_t r = 0; r < count; r++) {
        const builtin_rule *from = &builtin_roles[builtin].rules[r];
        nhi_k8s_rule *rule = &role->rules[r];
        rule->verbs = from->verbs;
        rule->verb_count = from->verb_count;
        rule->api_groups = from->groups;
        rule->api_group_count = from->group_count;
        rule->resources = from->resources;
        rule->resource_count = from->resource_count;
        rule->urls = from->urls;
        rule->url_count = from->url_count;
    }
    role->rule_count = count;
    role->location.source = "(built-in role, not in the inputs)";
    return nhi_k8s_add_role(graph, role);
}

/* Add each built-in ClusterRole that a binding names and no input holds,
 * on the binding's cluster. */
static int add_missing_builtins(nhi_graph *graph, nhi_k8s *k8s)
{
    for (size_t b = 0; b < k8s->binding_count; b++) {
        const nhi_k8s_binding *binding = k8s->bindings[b];
        if (binding->role_kind == NULL || binding->role_name == NULL ||
            strcmp(binding->role_kind, "ClusterRole") != 0)
            continue;
        for (size_t w = 0; w < sizeof(builtin_roles) / sizeof(builtin_roles[0]);
             w++) {
            if (strcmp(binding->role_name, builtin_roles[w].name) != 0 ||
                has_cluster_role(k8s, binding->cluster, builtin_roles[w].name))
                continue;
            if (add_builtin(graph, binding->cluster, w) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

int nhi_k8s_resolve(nhi_graph *graph)
{
    nhi_k8s *k8s = graph->k8s;
    rbac_index *index;
    int result;

    if (k8s == NULL)
        return NHI_OK;
    result = add_missing_builtins(graph, k8s);
    if (result == NHI_OK)
        result = aggregate_roles(graph, k8s);
    if (result != NHI_OK)
        return result;

    /* The tables hold role pointers, not rules, so that aggregation
     * running first or again later changes nothing in them. */
    index = nhi_graph_alloc(graph, sizeof(*index));
    if (index == NULL)
        return NHI_ENOMEM;
    result = index_roles(graph, k8s, index);
    if (result == NHI_OK)
        result = index_subjects(graph, k8s, index);
    if (result != NHI_OK)
        return result;
    index->binding_count = k8s->binding_count;
    k8s->index = index;
    return NHI_OK;
}

/* ---- rules ---- */

static bool verb_matches(const nhi_k8s_rule *rule, const char *verb)
{
    return list_contains(rule->verbs, rule->verb_count, "*") ||
           list_contains(rule->verbs, rule->verb_count, verb);
}

/*
 * A rule resource matches `R` or `R/SUB` when it is `*` (every resource
 * and subresource), the same string, or `*` + `/SUB` (that subresource of
 * every resource), as the RBAC authorizer's ResourceMatches decides.
 */
static bool resource_matches(const nhi_k8s_rule *rule, const char *resource)
{
    const char *slash = strchr(resource, '/');

    for (size_t i = 0; i < rule->resource_count; i++) {
        const char *written = rule->resources[i];

        if (written == NULL)
            continue;
        if (strcmp(written, "*") == 0 || strcmp(written, resource) == 0)
            return true;
        if (slash && written[0] == '*' && strcmp(written + 1, slash) == 0)
            return true;
    }
    return false;
}

/*
 * A nonResourceURLs entry matches a path equal to it, and an entry ending
 * in `*` matches every path that starts with what comes before its
 * trailing stars (so `*` matches every path).
 */
static bool url_matches(const nhi_k8s_rule *rule, const char *path)
{
    for (size_t i = 0; i < rule->url_count; i++) {
        const char *written = rule->urls[i];
        size_t length;

        if (written == NULL)
            continue;
        if (strcmp(written, path) == 0)
            return true;
        length = strlen(written);
        if (length == 0 || written[length - 1] != '*')
            continue;
        while (length > 0 && written[length - 1] == '*')
            length--;
        if (strncmp(written, path, length) == 0)
            return true;
    }
    return false;
}

/*
 * The API server rejects a rule with both resources and nonResourceURLs,
 * so a path is matched against the URL list only and a resource against
 * the resource list only. resourceNames restrict resource rules alone,
 * because the authorizer ignores them for paths.
 */
bool nhi_k8s_rule_allows(const nhi_k8s_rule *rule, const char *verb,
                         const char *api_group, const char *resource)
{
    if (rule == NULL || verb == NULL || resource == NULL)
        return false;
    if (!verb_matches(rule, verb))
        return false;
    if (resource[0] == '/')
        return url_matches(rule, resource);

    if (rule->resource_name_count > 0 || api_group == NULL)
        return false;
    if (!list_contains(rule->api_groups, rule->api_group_count, "*") &&
        !list_contains(rule->api_groups, rule->api_group_count, api_group))
        return false;
    return resource_matches(rule, resource);
}

/* ---- subjects ---- */

static bool in_group(const nhi_k8s_who *who, const char *group)
{
    return list_contains(who->groups, who->group_count, group);
}

/* Is `user` system:serviceaccount:NAMESPACE:NAME? */
static bool is_service_account_user(const char *user, const char *namespace_,
                                    const char *name)
{
    size_t prefix = strlen(SERVICE_ACCOUNT_PREFIX);
    size_t namespace_length = strlen(namespace_);

    if (strncmp(user, SERVICE_ACCOUNT_PREFIX, prefix) != 0)
        return false;
    user += prefix;
    if (strncmp(user, namespace_, namespace_length) != 0 ||
        user[namespace_length] != ':')
        return false;
    return strcmp(user + namespace_length + 1, name) == 0;
}

bool nhi_k8s_binding_matches(const nhi_k8s_binding *binding,
                             const nhi_k8s_subject *subject,
                             const nhi_k8s_who *who)
{
    const char *namespace_;

    if (!equal_nullable(binding->cluster, who->cluster) ||
        subject->kind == NULL || subject->name == NULL)
        return false;
    if (strcmp(subject->kind, "User") == 0)
        return who->user && strcmp(who->user, subject->name) == 0;
    if (strcmp(subject->kind, "Group") == 0)
        return in_group(who, subject->name);
    if (strcmp(subject->kind, "ServiceAccount") != 0 || who->user == NULL)
        return false;

    namespace_ = subject->namespace_ ? subject->namespace_
                                     : binding->namespace_;
    return namespace_ &&
           is_service_account_user(who->user, namespace_, subject->name);
}

/* ---- questions ---- */

/* Called for each binding of `who` with its role (NULL when missing);
 * returns true to stop the walk. */
typedef bool (*binding_visitor)(const nhi_k8s_binding *binding,
                                const nhi_k8s_role *role, void *context);

/* Visit the index entries with this key, in input order. */
static bool visit_key(const rbac_index *index, const char *cluster,
                      subject_kind kind, const char *name,
                      binding_visitor visit, void *context)
{
    size_t low = 0;
    size_t high = index->subject_count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;

        if (compare_subject_keys(cluster, kind, name,
                                 &index->subjects[middle]) > 0)
            low = middle + 1;
        else
            high = middle;
    }
    for (size_t i = low; i < index->subject_count; i++) {
        const subject_entry *entry = &index->subjects[i];

        if (compare_subject_keys(cluster, kind, name, entry) != 0)
            break;
        if (visit(entry->binding, entry->role, context))
            return true;
    }
    return false;
}

/*
 * Visit every binding with a subject that is `who`. Through the index,
 * the bindings of the user name come first and then those of each group
 * in `who` order, so a binding naming several of them is visited once for
 * each. Without a current index, every binding is visited in input order.
 */
static bool visit_bindings(const nhi_graph *graph, const nhi_k8s_who *who,
                           binding_visitor visit, void *context)
{
    const nhi_k8s *k8s = graph->k8s;
    const rbac_index *index;

    if (k8s == NULL)
        return false;
    index = current_index(k8s);
    if (index) {
        if (who->user && visit_key(index, who->cluster, SUBJECT_USER,
                                   who->user, visit, context))
            return true;
        for (size_t i = 0; i < who->group_count; i++) {
            if (who->groups[i] &&
                visit_key(index, who->cluster, SUBJECT_GROUP, who->groups[i],
                          visit, context))
                return true;
        }
        return false;
    }

    for (size_t i = 0; i < k8s->binding_count; i++) {
        const nhi_k8s_binding *binding = k8s->bindings[i];

        for (size_t j = 0; j < binding->subject_count; j++) {
            if (!nhi_k8s_binding_matches(binding, &binding->subjects[j], who))
                continue;
            if (visit(binding, lookup_role(k8s, NULL, binding), context))
                return true;
            break;
        }
    }
    return false;
}

typedef struct question {
    const char *verb;
    const char *api_group;
    const char *resource;
    const char *namespace_; /* nhi_k8s_can only */
    nhi_k8s_grant found;    /* a RoleBinding grant, for can_somewhere */
    bool have_found;
    nhi_k8s_grant *grant;
} question;

static bool find_rule(const nhi_k8s_role *role, const question *ask,
                      size_t *rule)
{
    for (size_t i = 0; i < role->rule_count; i++) {
        if (nhi_k8s_rule_allows(&role->rules[i], ask->verb, ask->api_group,
                                ask->resource)) {
            *rule = i;
            return true;
        }
    }
    return false;
}

static void set_grant(nhi_k8s_grant *grant, const nhi_k8s_binding *binding,
                      const nhi_k8s_role *role, size_t rule)
{
    if (grant) {
        grant->binding = binding;
        grant->role = role;
        grant->rule = rule;
    }
}

/* A ClusterRoleBinding grants in every namespace, a RoleBinding in its
 * own namespace only, even when it refers to a ClusterRole. */
static bool visit_can(const nhi_k8s_binding *binding,
                      const nhi_k8s_role *role, void *context)
{
    question *ask = context;
    size_t rule;

    if (role == NULL)
        return false;
    if (binding->namespace_ &&
        (ask->namespace_ == NULL ||
         strcmp(ask->namespace_, binding->namespace_) != 0))
        return false;
    if (!find_rule(role, ask, &rule))
        return false;
    set_grant(ask->grant, binding, role, rule);
    return true;
}

bool nhi_k8s_can(const nhi_graph *graph, const nhi_k8s_who *who,
                 const char *verb, const char *api_group,
                 const char *resource, const char *namespace_,
                 nhi_k8s_grant *grant)
{
    question ask = {.verb = verb,
                    .api_group = api_group,
                    .resource = resource,
                    .namespace_ = namespace_,
                    .grant = grant};

    set_grant(grant, NULL, NULL, 0);
    if (in_group(who, MASTERS_GROUP))
        return true;
    return visit_bindings(graph, who, visit_can, &ask);
}

/* Stop at the first ClusterRoleBinding grant; remember the first
 * RoleBinding grant in case no cluster-wide one exists. */
static bool visit_somewhere(const nhi_k8s_binding *binding,
                            const nhi_k8s_role *role, void *context)
{
    question *ask = context;
    size_t rule;

    if (role == NULL || (binding->namespace_ && ask->have_found))
        return false;
    if (!find_rule(role, ask, &rule))
        return false;
    if (binding->namespace_ == NULL) {
        set_grant(ask->grant, binding, role, rule);
        return true;
    }
    set_grant(&ask->found, binding, role, rule);
    ask->have_found = true;
    return false;
}

bool nhi_k8s_can_somewhere(const nhi_graph *graph, const nhi_k8s_who *who,
                           const char *verb, const char *api_group,
                           const char *resource, nhi_k8s_grant *grant,
                           const char **where)
{
    question ask = {.verb = verb,
                    .api_group = api_group,
                    .resource = resource,
                    .grant = grant};

    set_grant(grant, NULL, NULL, 0);
    if (where)
        *where = NULL;
    if (in_group(who, MASTERS_GROUP))
        return true;
    if (visit_bindings(graph, who, visit_somewhere, &ask))
        return true;
    if (!ask.have_found)
        return false;
    if (grant)
        *grant = ask.found;
    if (where)
        *where = ask.found.binding->namespace_;
    return true;
}

/* `*` verbs on `*` resources of `*` groups, for every name. */
static bool rule_is_everything(const nhi_k8s_rule *rule)
{
    return rule->resource_name_count == 0 &&
           list_contains(rule->verbs, rule->verb_count, "*") &&
           list_contains(rule->resources, rule->resource_count, "*") &&
           list_contains(rule->api_groups, rule->api_group_count, "*");
}

static bool visit_admin(const nhi_k8s_binding *binding,
                        const nhi_k8s_role *role, void *context)
{
    nhi_k8s_grant *grant = context;

    if (role == NULL || binding->namespace_ != NULL)
        return false;
    for (size_t i = 0; i < role->rule_count; i++) {
        if (rule_is_everything(&role->rules[i])) {
            set_grant(grant, binding, role, i);
            return true;
        }
    }
    return false;
}

bool nhi_k8s_is_cluster_admin(const nhi_graph *graph, const nhi_k8s_who *who,
                              nhi_k8s_grant *grant)
{
    set_grant(grant, NULL, NULL, 0);
    if (in_group(who, MASTERS_GROUP))
        return true;
    return visit_bindings(graph, who, visit_admin, grant);
}

/*
 * The API server authenticates a service account token as the user
 * system:serviceaccount:NS:NAME in the groups system:serviceaccounts,
 * system:serviceaccounts:NS and system:authenticated.
 */
int nhi_k8s_who_of(nhi_graph *graph, const nhi_identity *account,
                   nhi_k8s_who *who)
{
    const char **groups;
    char *namespace_group;

    memset(who, 0, sizeof(*who));
    if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT ||
        account->path == NULL || account->name == NULL)
        return NHI_EUSAGE;

    groups = nhi_graph_alloc(graph, 3 * sizeof(*groups));
    namespace_group = nhi_asprintf("system:serviceaccounts:%s", account->path);
    if (groups == NULL || namespace_group == NULL) {
        free(namespace_group);
        return NHI_ENOMEM;
    }
    groups[0] = nhi_graph_intern(graph, "system:serviceaccounts");
    groups[1] = nhi_graph_intern(graph, namespace_group);
    groups[2] = nhi_graph_intern(graph, "system:authenticated");
    free(namespace_group);

    who->user = service_account_user(graph, account->path, account->name);
    if (who->user == NULL || groups[0] == NULL || groups[1] == NULL ||
        groups[2] == NULL) {
        memset(who, 0, sizeof(*who));
        return NHI_ENOMEM;
    }
    who->cluster = account->account;
    who->groups = groups;
    who->group_count = 3;
    return NHI_OK;
}
