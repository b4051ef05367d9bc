/* SPDX-License-Identifier: MIT */
/* Unit tests for Kubernetes RBAC: rule matching, bindings, aggregation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/error.h"
#include "nhi/graph.h"
#include "nhi/k8s.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* ---- building graph objects by hand ---- */

/*
 * Split `text` at commas into an arena array: NULL gives no items, ""
 * gives one empty item (the core API group), ",apps" gives "" and "apps".
 */
static const char **split(nhi_graph *graph, const char *text, size_t *count)
{
    const char **items;
    size_t total = 1;
    size_t index = 0;

    *count = 0;
    if (text == NULL)
        return NULL;
    for (const char *p = text; *p; p++)
        total += *p == ',';
    items = nhi_graph_alloc(graph, total * sizeof(*items));
    assert_non_null(items);
    for (;;) {
        const char *comma = strchr(text, ',');
        size_t length = comma ? (size_t)(comma - text) : strlen(text);

        items[index] = nhi_graph_intern_n(graph, text, length);
        assert_non_null(items[index]);
        index++;
        if (comma == NULL)
            break;
        text = comma + 1;
    }
    *count = index;
    return items;
}

/* One PolicyRule: comma-separated lists, NULL for an absent list. */
typedef struct rule_spec {
    const char *verbs;
    const char *groups;
    const char *resources;
    const char *names;
    const char *urls;
} rule_spec;

static void fill_rule(nhi_graph *graph, nhi_k8s_rule *rule,
                      const rule_spec *spec)
{
    rule->verbs = split(graph, spec->verbs, &rule->verb_count);
    rule->api_groups = split(graph, spec->groups, &rule->api_group_count);
    rule->resources = split(graph, spec->resources, &rule->resource_count);
    rule->resource_names =
        split(graph, spec->names, &rule->resource_name_count);
    rule->urls = split(graph, spec->urls, &rule->url_count);
}

/* Labels `k=v,k=v` into an arena array. */
static nhi_tag *labels(nhi_graph *graph, const char *text, size_t *count)
{
    const char **pairs = split(graph, text, count);
    nhi_tag *tags;

    if (*count == 0)
        return NULL;
    tags = nhi_graph_alloc(graph, *count * sizeof(*tags));
    assert_non_null(tags);
    for (size_t i = 0; i < *count; i++) {
        const char *equals = strchr(pairs[i], '=');

        assert_non_null(equals);
        tags[i].key = nhi_graph_intern_n(graph, pairs[i],
                                         (size_t)(equals - pairs[i]));
        tags[i].value = nhi_graph_intern(graph, equals + 1);
    }
    return tags;
}

static void set_labels(nhi_graph *graph, nhi_k8s_role *role, const char *text)
{
    role->labels = labels(graph, text, &role->label_count);
}

static nhi_k8s_role *add_role(nhi_graph *graph, const char *cluster,
                              const char *namespace_, const char *name,
                              const rule_spec *rules, size_t rule_count)
{
    nhi_k8s_role *role = nhi_graph_alloc(graph, sizeof(*role));

    assert_non_null(role);
    role->cluster = cluster;
    role->namespace_ = namespace_;
    role->name = name;
    if (rule_count > 0) {
        role->rules = nhi_graph_alloc(graph, rule_count * sizeof(*role->rules));
        assert_non_null(role->rules);
    }
    for (size_t i = 0; i < rule_count; i++)
        fill_rule(graph, &role->rules[i], &rules[i]);
    role->rule_count = rule_count;
    assert_int_equal(nhi_k8s_add_role(graph, role), NHI_OK);
    return role;
}

/* Add one matchLabels selector (`k=v,k=v`) to a ClusterRole. */
static void add_selector(nhi_graph *graph, nhi_k8s_role *role,
                         const char *match_labels)
{
    nhi_k8s_selector *selectors = nhi_graph_alloc(
        graph, (role->aggregation_count + 1) * sizeof(*selectors));

    assert_non_null(selectors);
    for (size_t i = 0; i < role->aggregation_count; i++)
        selectors[i] = role->aggregation[i];
    selectors[role->aggregation_count].labels =
        labels(graph, match_labels,
               &selectors[role->aggregation_count].label_count);
    role->aggregation = selectors;
    role->aggregation_count++;
}

/*
 * Add a binding; `subjects` separates subjects with `|`, each `KIND NAME`
 * or `ServiceAccount NAME NAMESPACE`. A RoleBinding has a namespace, a
 * ClusterRoleBinding none.
 */
static nhi_k8s_binding *add_binding(nhi_graph *graph, const char *cluster,
                                    const char *namespace_, const char *name,
                                    const char *role_kind,
                                    const char *role_name,
                                    const char *subjects)
{
    nhi_k8s_binding *binding = nhi_graph_alloc(graph, sizeof(*binding));
    char copy[512];
    char *save = NULL;
    size_t total = 1;

    assert_non_null(binding);
    binding->cluster = cluster;
    binding->namespace_ = namespace_;
    binding->name = name;
    binding->role_kind = role_kind;
    binding->role_name = role_name;
    for (const char *p = subjects; *p; p++)
        total += *p == '|';
    binding->subjects =
        nhi_graph_alloc(graph, total * sizeof(*binding->subjects));
    assert_non_null(binding->subjects);

    assert_true(strlen(subjects) < sizeof(copy));
    strcpy(copy, subjects);
    for (char *item = strtok_r(copy, "|", &save); item;
         item = strtok_r(NULL, "|", &save)) {
        nhi_k8s_subject *subject = &binding->subjects[binding->subject_count];
        char *field_save = NULL;
        char *kind = strtok_r(item, " ", &field_save);
        char *subject_name = strtok_r(NULL, " ", &field_save);
        char *subject_namespace = strtok_r(NULL, " ", &field_save);

        assert_non_null(kind);
        assert_non_null(subject_name);
        subject->kind = nhi_graph_intern(graph, kind);
        subject->name = nhi_graph_intern(graph, subject_name);
        if (subject_namespace)
            subject->namespace_ = nhi_graph_intern(graph, subject_namespace);
        binding->subject_count++;
    }
    assert_int_equal(nhi_k8s_add_binding(graph, binding), NHI_OK);
    return binding;
}

/* A service account identity as the reader adds it, and its `who`. */
static nhi_k8s_who service_account(nhi_graph *graph, const char *cluster,
                                   const char *namespace_, const char *name)
{
    nhi_identity *account = nhi_graph_alloc(graph, sizeof(*account));
    char id[512];
    nhi_k8s_who who;

    assert_non_null(account);
    snprintf(id, sizeof(id), "%s%ssystem:serviceaccount:%s:%s",
             cluster ? cluster : "", cluster ? "/" : "", namespace_, name);
    account->provider = NHI_PROVIDER_KUBERNETES;
    account->kind = NHI_KIND_K8S_SERVICE_ACCOUNT;
    account->id = nhi_graph_intern(graph, id);
    account->name = nhi_graph_intern(graph, name);
    account->path = nhi_graph_intern(graph, namespace_);
    account->account = cluster ? nhi_graph_intern(graph, cluster) : NULL;
    account->automount = -1;
    assert_int_equal(nhi_graph_add_identity(graph, account), NHI_OK);
    assert_int_equal(nhi_k8s_who_of(graph, account, &who), NHI_OK);
    return who;
}

static nhi_graph *new_graph(void)
{
    nhi_graph *graph = NULL;

    assert_int_equal(nhi_graph_new(&graph), NHI_OK);
    return graph;
}

/* Build `spec` in a scratch graph and ask nhi_k8s_rule_allows about it. */
static bool allows(const rule_spec *spec, const char *verb, const char *group,
                   const char *resource)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_rule rule = {0};
    bool result;

    fill_rule(graph, &rule, spec);
    result = nhi_k8s_rule_allows(&rule, verb, group, resource);
    nhi_graph_free(graph);
    return result;
}

/* ---- rules ---- */

static void rule_wildcard_verbs(void **state)
{
    const rule_spec any_verb = {"*", "", "secrets", NULL, NULL};
    const rule_spec read = {"get,list", "", "secrets", NULL, NULL};

    (void)state;
    assert_true(allows(&any_verb, "delete", "", "secrets"));
    assert_true(allows(&any_verb, "impersonate", "", "secrets"));
    assert_true(allows(&read, "list", "", "secrets"));
    assert_false(allows(&read, "watch", "", "secrets"));
    assert_false(allows(&read, "*", "", "secrets"));
}

static void rule_wildcard_groups(void **state)
{
    const rule_spec any_group = {"get", "*", "deployments", NULL, NULL};
    const rule_spec core = {"get", "", "deployments", NULL, NULL};
    const rule_spec apps = {"get", "apps", "deployments", NULL, NULL};
    const rule_spec both = {"get", ",apps", "deployments", NULL, NULL};

    (void)state;
    assert_true(allows(&any_group, "get", "apps", "deployments"));
    assert_true(allows(&any_group, "get", "", "deployments"));
    assert_true(allows(&core, "get", "", "deployments"));
    assert_false(allows(&core, "get", "apps", "deployments"));
    assert_false(allows(&apps, "get", "", "deployments"));
    assert_true(allows(&both, "get", "apps", "deployments"));
    assert_false(allows(&both, "get", "batch", "deployments"));
}

static void rule_wildcard_resources(void **state)
{
    const rule_spec any = {"create", "", "*", NULL, NULL};

    (void)state;
    assert_true(allows(&any, "create", "", "pods"));
    assert_true(allows(&any, "create", "", "pods/exec"));
    assert_true(allows(&any, "create", "", "serviceaccounts/token"));
    assert_false(allows(&any, "create", "", "/metrics"));
}

static void rule_subresource_exact(void **state)
{
    const rule_spec pods = {"create", "", "pods", NULL, NULL};
    const rule_spec exec = {"create", "", "pods/exec", NULL, NULL};

    (void)state;
    assert_true(allows(&pods, "create", "", "pods"));
    assert_false(allows(&pods, "create", "", "pods/exec"));
    assert_true(allows(&exec, "create", "", "pods/exec"));
    assert_false(allows(&exec, "create", "", "pods"));
    assert_false(allows(&exec, "create", "", "pods/attach"));
}

static void rule_star_subresource(void **state)
{
    const rule_spec scale = {"update", "*", "*/scale", NULL, NULL};

    (void)state;
    assert_true(allows(&scale, "update", "apps", "deployments/scale"));
    assert_true(allows(&scale, "update", "apps", "replicasets/scale"));
    assert_false(allows(&scale, "update", "apps", "deployments"));
    assert_false(allows(&scale, "update", "apps", "deployments/status"));
    assert_false(allows(&scale, "update", "apps", "scale"));
}

static void rule_resource_names_ignored(void **state)
{
    const rule_spec named = {"get", "", "secrets", "db-password", NULL};
    const rule_spec everything = {"*", "*", "*", "one", NULL};

    (void)state;
    assert_false(allows(&named, "get", "", "secrets"));
    assert_false(allows(&everything, "get", "", "secrets"));
}

static void rule_non_resource_urls(void **state)
{
    const rule_spec metrics = {"get", NULL, NULL, NULL, "/metrics"};
    const rule_spec logs = {"get", NULL, NULL, NULL, "/logs/*"};
    const rule_spec every_url = {"*", NULL, NULL, NULL, "*"};
    const rule_spec every_resource = {"*", "*", "*", NULL, NULL};

    (void)state;
    assert_true(allows(&metrics, "get", NULL, "/metrics"));
    assert_false(allows(&metrics, "get", NULL, "/metrics/cadvisor"));
    assert_false(allows(&metrics, "post", NULL, "/metrics"));
    assert_true(allows(&logs, "get", NULL, "/logs/kube-apiserver.log"));
    assert_true(allows(&logs, "get", NULL, "/logs/"));
    assert_false(allows(&logs, "get", NULL, "/logs"));
    assert_false(allows(&logs, "get", NULL, "/healthz"));
    assert_true(allows(&every_url, "get", NULL, "/healthz"));
    assert_false(allows(&every_url, "get", "", "pods"));
    assert_false(allows(&every_resource, "get", NULL, "/metrics"));
}

/* ---- bindings and questions ---- */

static const rule_spec read_secrets[] = {
    {"get,list,watch", "", "configmaps", NULL, NULL},
    {"get,list,watch", "", "secrets", NULL, NULL},
};

static const rule_spec everything[] = {
    {"*", "*", "*", NULL, NULL},
    {"*", NULL, NULL, NULL, "*"},
};

static void role_of_kinds(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_role *cluster_role =
        add_role(graph, NULL, NULL, "reader", read_secrets, 2);
    nhi_k8s_role *dev_role =
        add_role(graph, NULL, "dev", "reader", read_secrets, 1);
    nhi_k8s_binding *to_role = add_binding(graph, NULL, "dev", "a", "Role",
                                           "reader", "User alice");
    nhi_k8s_binding *to_cluster_role = add_binding(
        graph, NULL, "dev", "b", "ClusterRole", "reader", "User alice");
    nhi_k8s_binding *other_namespace = add_binding(
        graph, NULL, "prod", "c", "Role", "reader", "User alice");
    nhi_k8s_binding *cluster_to_role =
        add_binding(graph, NULL, NULL, "d", "Role", "reader", "User alice");
    nhi_k8s_binding *other_cluster = add_binding(
        graph, "prod", NULL, "e", "ClusterRole", "reader", "User alice");

    (void)state;
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);
    assert_ptr_equal(nhi_k8s_role_of(graph, to_role), dev_role);
    assert_ptr_equal(nhi_k8s_role_of(graph, to_cluster_role), cluster_role);
    assert_null(nhi_k8s_role_of(graph, other_namespace));
    assert_null(nhi_k8s_role_of(graph, cluster_to_role));
    assert_null(nhi_k8s_role_of(graph, other_cluster));
    nhi_graph_free(graph);
}

static void rolebinding_limited_to_namespace(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_role *role =
        add_role(graph, NULL, NULL, "secret-reader", read_secrets, 2);
    nhi_k8s_binding *binding =
        add_binding(graph, NULL, "dev", "read", "ClusterRole",
                    "secret-reader", "ServiceAccount app dev");
    nhi_k8s_who who = service_account(graph, NULL, "dev", "app");
    nhi_k8s_grant grant;
    const char *where = "unset";

    (void)state;
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);
    assert_true(nhi_k8s_can(graph, &who, "get", "", "secrets", "dev", &grant));
    assert_ptr_equal(grant.binding, binding);
    assert_ptr_equal(grant.role, role);
    assert_int_equal(grant.rule, 1);
    assert_false(nhi_k8s_can(graph, &who, "get", "", "secrets", "prod", NULL));
    assert_false(nhi_k8s_can(graph, &who, "get", "", "secrets", NULL, &grant));
    assert_null(grant.binding);
    assert_true(nhi_k8s_can_somewhere(graph, &who, "list", "", "secrets",
                                      &grant, &where));
    assert_string_equal(where, "dev");
    assert_ptr_equal(grant.binding, binding);
    assert_false(nhi_k8s_is_cluster_admin(graph, &who, NULL));
    nhi_graph_free(graph);
}

static void somewhere_prefers_cluster_wide(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_binding *cluster_wide;
    nhi_k8s_who who;
    nhi_k8s_grant grant;
    const char *where = "unset";

    (void)state;
    add_role(graph, NULL, NULL, "secret-reader", read_secrets, 2);
    add_binding(graph, NULL, "dev", "local", "ClusterRole", "secret-reader",
                "ServiceAccount app dev");
    cluster_wide = add_binding(graph, NULL, NULL, "global", "ClusterRole",
                               "secret-reader", "ServiceAccount app dev");
    who = service_account(graph, NULL, "dev", "app");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_true(nhi_k8s_can_somewhere(graph, &who, "get", "", "secrets",
                                      &grant, &where));
    assert_null(where);
    assert_ptr_equal(grant.binding, cluster_wide);
    assert_true(nhi_k8s_can(graph, &who, "get", "", "secrets", NULL, &grant));
    assert_ptr_equal(grant.binding, cluster_wide);
    nhi_graph_free(graph);
}

static void subject_namespace_default(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_binding *binding;
    nhi_k8s_binding *cluster_wide;
    nhi_k8s_who builder;
    nhi_k8s_who other;

    (void)state;
    add_role(graph, NULL, "ci", "pod-creator",
             &(rule_spec){"create", "", "pods", NULL, NULL}, 1);
    add_role(graph, NULL, NULL, "secret-reader", read_secrets, 2);
    binding = add_binding(graph, NULL, "ci", "builders", "Role",
                          "pod-creator", "ServiceAccount builder");
    /* Without a namespace of its own or of its binding, it matches none. */
    cluster_wide = add_binding(graph, NULL, NULL, "no-namespace",
                               "ClusterRole", "secret-reader",
                               "ServiceAccount builder");
    builder = service_account(graph, NULL, "ci", "builder");
    other = service_account(graph, NULL, "tools", "builder");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_null(binding->subjects[0].namespace_);
    assert_true(nhi_k8s_binding_matches(binding, &binding->subjects[0],
                                        &builder));
    assert_false(nhi_k8s_binding_matches(binding, &binding->subjects[0],
                                         &other));
    assert_true(nhi_k8s_can(graph, &builder, "create", "", "pods", "ci", NULL));
    assert_false(nhi_k8s_can(graph, &other, "create", "", "pods", "ci", NULL));
    assert_false(nhi_k8s_can(graph, &other, "create", "", "pods", "tools",
                             NULL));
    assert_false(nhi_k8s_binding_matches(cluster_wide,
                                         &cluster_wide->subjects[0], &builder));
    assert_false(nhi_k8s_can_somewhere(graph, &builder, "get", "", "secrets",
                                       NULL, NULL));
    nhi_graph_free(graph);
}

static void subject_user_and_group(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_binding *binding;
    const char *groups[] = {"developers", "system:authenticated"};
    nhi_k8s_who alice = {NULL, "alice", groups, 2};
    nhi_k8s_who bob = {NULL, "bob", groups + 1, 1};
    nhi_k8s_who sa;

    (void)state;
    binding = add_binding(graph, NULL, NULL, "b", "ClusterRole", "view",
                          "User alice|Group developers|"
                          "User system:serviceaccount:dev:app");
    sa = service_account(graph, NULL, "dev", "app");

    assert_true(nhi_k8s_binding_matches(binding, &binding->subjects[0],
                                        &alice));
    assert_false(nhi_k8s_binding_matches(binding, &binding->subjects[0], &bob));
    assert_true(nhi_k8s_binding_matches(binding, &binding->subjects[1],
                                        &alice));
    assert_false(nhi_k8s_binding_matches(binding, &binding->subjects[1], &bob));
    assert_true(nhi_k8s_binding_matches(binding, &binding->subjects[2], &sa));
    assert_false(nhi_k8s_binding_matches(binding, &binding->subjects[2],
                                         &alice));
    nhi_graph_free(graph);
}

static void subject_service_account_groups(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_who dev_app;
    nhi_k8s_who prod_app;
    nhi_k8s_grant grant;

    (void)state;
    add_role(graph, NULL, NULL, "secret-reader", read_secrets, 2);
    add_role(graph, NULL, NULL, "exec",
             &(rule_spec){"create", "", "pods/exec", NULL, NULL}, 1);
    add_binding(graph, NULL, NULL, "dev-secrets", "ClusterRole",
                "secret-reader", "Group system:serviceaccounts:dev");
    add_binding(graph, NULL, NULL, "everyone-exec", "ClusterRole", "exec",
                "Group system:authenticated");
    dev_app = service_account(graph, NULL, "dev", "app");
    prod_app = service_account(graph, NULL, "prod", "app");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_true(nhi_k8s_can(graph, &dev_app, "get", "", "secrets", NULL,
                            &grant));
    assert_string_equal(grant.binding->name, "dev-secrets");
    assert_false(nhi_k8s_can(graph, &prod_app, "get", "", "secrets", NULL,
                             NULL));
    assert_true(nhi_k8s_can(graph, &prod_app, "create", "", "pods/exec",
                            "prod", &grant));
    assert_string_equal(grant.binding->name, "everyone-exec");
    assert_false(nhi_k8s_can(graph, &prod_app, "create", "", "pods", "prod",
                             NULL));
    nhi_graph_free(graph);
}

static void who_of_service_account(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_who who = service_account(graph, "prod", "payments", "worker");

    (void)state;
    assert_string_equal(who.cluster, "prod");
    assert_string_equal(who.user, "system:serviceaccount:payments:worker");
    assert_int_equal(who.group_count, 3);
    assert_string_equal(who.groups[0], "system:serviceaccounts");
    assert_string_equal(who.groups[1], "system:serviceaccounts:payments");
    assert_string_equal(who.groups[2], "system:authenticated");
    nhi_graph_free(graph);
}

static void masters_bypass_rbac(void **state)
{
    nhi_graph *graph = new_graph();
    const char *groups[] = {"system:masters", "system:authenticated"};
    nhi_k8s_who admin = {NULL, "kubernetes-admin", groups, 2};
    nhi_k8s_grant grant = {NULL, NULL, 7};
    const char *where = "unset";

    (void)state;
    assert_true(nhi_k8s_can(graph, &admin, "delete", "", "nodes", NULL,
                            &grant));
    assert_null(grant.binding);
    assert_null(grant.role);
    assert_int_equal(grant.rule, 0);
    assert_true(nhi_k8s_can_somewhere(graph, &admin, "impersonate", "",
                                      "users", &grant, &where));
    assert_null(where);
    assert_true(nhi_k8s_is_cluster_admin(graph, &admin, &grant));
    assert_null(grant.binding);
    nhi_graph_free(graph);
}

static void cluster_admin_binding(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_role *admin_role;
    nhi_k8s_binding *binding;
    nhi_k8s_who root;
    nhi_k8s_who local;
    nhi_k8s_who narrow;
    nhi_k8s_grant grant;

    (void)state;
    admin_role = add_role(graph, NULL, NULL, "cluster-admin", everything, 2);
    add_role(graph, NULL, NULL, "pods-only",
             &(rule_spec){"*", "*", "pods", NULL, NULL}, 1);
    binding = add_binding(graph, NULL, NULL, "root", "ClusterRole",
                          "cluster-admin", "ServiceAccount root kube-system");
    add_binding(graph, NULL, "dev", "local-admin", "ClusterRole",
                "cluster-admin", "ServiceAccount local dev");
    add_binding(graph, NULL, NULL, "narrow", "ClusterRole", "pods-only",
                "ServiceAccount narrow dev");
    root = service_account(graph, NULL, "kube-system", "root");
    local = service_account(graph, NULL, "dev", "local");
    narrow = service_account(graph, NULL, "dev", "narrow");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_true(nhi_k8s_is_cluster_admin(graph, &root, &grant));
    assert_ptr_equal(grant.binding, binding);
    assert_ptr_equal(grant.role, admin_role);
    assert_int_equal(grant.rule, 0);
    assert_false(nhi_k8s_is_cluster_admin(graph, &local, NULL));
    assert_true(nhi_k8s_can(graph, &local, "get", "", "secrets", "dev", NULL));
    assert_false(nhi_k8s_is_cluster_admin(graph, &narrow, NULL));
    assert_true(nhi_k8s_can(graph, &root, "get", NULL, "/metrics", NULL,
                            &grant));
    assert_int_equal(grant.rule, 1);
    nhi_graph_free(graph);
}

static void role_missing_no_grant(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_binding *binding;
    nhi_k8s_who who;
    nhi_k8s_grant grant;
    const char *where = "unset";

    (void)state;
    binding = add_binding(graph, NULL, NULL, "dangling", "ClusterRole",
                          "deleted-role", "ServiceAccount app dev");
    add_binding(graph, NULL, "dev", "dangling-local", "Role", "gone",
                "ServiceAccount app dev");
    who = service_account(graph, NULL, "dev", "app");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_null(nhi_k8s_role_of(graph, binding));
    assert_false(nhi_k8s_can(graph, &who, "get", "", "secrets", "dev",
                             &grant));
    assert_null(grant.binding);
    assert_false(nhi_k8s_can_somewhere(graph, &who, "get", "", "secrets",
                                       &grant, &where));
    assert_null(where);
    assert_false(nhi_k8s_is_cluster_admin(graph, &who, &grant));
    nhi_graph_free(graph);
}

static void clusters_kept_apart(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_role *prod_view;
    nhi_k8s_role *staging_view;
    nhi_k8s_role *pod_reader;
    nhi_k8s_who prod_app;
    nhi_k8s_who staging_app;
    nhi_k8s_who unnamed_app;

    (void)state;
    add_role(graph, "prod", NULL, "cluster-admin", everything, 2);
    add_role(graph, "staging", NULL, "cluster-admin", everything, 1);
    prod_view = add_role(graph, "prod", NULL, "view", NULL, 0);
    add_selector(graph, prod_view, "aggregate-to-view=true");
    staging_view = add_role(graph, "staging", NULL, "view", NULL, 0);
    add_selector(graph, staging_view, "aggregate-to-view=true");
    pod_reader = add_role(graph, "prod", NULL, "pod-reader",
                          &(rule_spec){"get", "", "pods", NULL, NULL}, 1);
    set_labels(graph, pod_reader, "aggregate-to-view=true");
    add_binding(graph, "prod", NULL, "admin", "ClusterRole", "cluster-admin",
                "ServiceAccount app dev");
    prod_app = service_account(graph, "prod", "dev", "app");
    staging_app = service_account(graph, "staging", "dev", "app");
    unnamed_app = service_account(graph, NULL, "dev", "app");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_true(nhi_k8s_is_cluster_admin(graph, &prod_app, NULL));
    assert_false(nhi_k8s_is_cluster_admin(graph, &staging_app, NULL));
    assert_false(nhi_k8s_is_cluster_admin(graph, &unnamed_app, NULL));
    assert_int_equal(prod_view->rule_count, 1);
    assert_int_equal(staging_view->rule_count, 0);
    assert_true(nhi_k8s_binding_matches(graph->k8s->bindings[0],
                                        &graph->k8s->bindings[0]->subjects[0],
                                        &prod_app));
    assert_false(nhi_k8s_binding_matches(graph->k8s->bindings[0],
                                         &graph->k8s->bindings[0]->subjects[0],
                                         &staging_app));
    nhi_graph_free(graph);
}

/* ---- aggregation ---- */

/* admin <- edit <- view-parts, as the bootstrap roles chain them. */
static void aggregation_chain(void **state)
{
    nhi_graph *graph = new_graph();
    const rule_spec shared = {"get", "", "pods", NULL, NULL};
    const rule_spec admin_rules[] = {shared};
    const rule_spec edit_part[] = {{"create", "", "pods/exec", NULL, NULL},
                                   shared};
    const rule_spec view_part[] = {{"list", "", "services", NULL, NULL},
                                   {"list", "", "services", NULL, NULL},
                                   {"watch", "", "services", NULL, NULL}};
    nhi_k8s_role *admin;
    nhi_k8s_role *edit;
    nhi_k8s_role *role;
    nhi_k8s_who who;
    nhi_k8s_grant grant;

    (void)state;
    admin = add_role(graph, NULL, NULL, "admin", admin_rules, 1);
    add_selector(graph, admin, "aggregate-to-admin=true");
    edit = add_role(graph, NULL, NULL, "edit", NULL, 0);
    set_labels(graph, edit, "aggregate-to-admin=true");
    add_selector(graph, edit, "aggregate-to-edit=true");
    role = add_role(graph, NULL, NULL, "edit-part", edit_part, 2);
    set_labels(graph, role, "aggregate-to-edit=true,extra=yes");
    role = add_role(graph, NULL, NULL, "view-part", view_part, 3);
    set_labels(graph, role, "aggregate-to-edit=true");
    role = add_role(graph, NULL, "dev", "namespaced",
                    &(rule_spec){"delete", "", "services", NULL, NULL}, 1);
    set_labels(graph, role, "aggregate-to-edit=true");
    add_binding(graph, NULL, NULL, "admins", "ClusterRole", "admin",
                "Group system:serviceaccounts:dev");
    who = service_account(graph, NULL, "dev", "app");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    /* edit: pods/exec, get pods, list services, watch services. */
    assert_int_equal(edit->rule_count, 4);
    assert_string_equal(edit->rules[0].resources[0], "pods/exec");
    assert_string_equal(edit->rules[3].verbs[0], "watch");
    /* admin: its own get pods, then edit's three other rules. */
    assert_int_equal(admin->rule_count, 4);
    assert_string_equal(admin->rules[0].verbs[0], "get");
    assert_true(nhi_k8s_can(graph, &who, "watch", "", "services", NULL,
                            &grant));
    assert_ptr_equal(grant.role, admin);

    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);
    assert_int_equal(edit->rule_count, 4);
    assert_int_equal(admin->rule_count, 4);
    nhi_graph_free(graph);
}

static void aggregation_cycle(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_role *a;
    nhi_k8s_role *b;
    nhi_k8s_role *self;

    (void)state;
    a = add_role(graph, NULL, NULL, "a",
                 &(rule_spec){"get", "", "pods", NULL, NULL}, 1);
    set_labels(graph, a, "ring=a");
    add_selector(graph, a, "ring=b");
    b = add_role(graph, NULL, NULL, "b",
                 (const rule_spec[]){{"list", "", "pods", NULL, NULL},
                                     {"watch", "", "pods", NULL, NULL}},
                 2);
    set_labels(graph, b, "ring=b");
    add_selector(graph, b, "ring=a");
    self = add_role(graph, NULL, NULL, "self",
                    &(rule_spec){"delete", "", "pods", NULL, NULL}, 1);
    set_labels(graph, self, "loop=self");
    add_selector(graph, self, "loop=self");
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);

    assert_int_equal(a->rule_count, 3);
    assert_string_equal(a->rules[0].verbs[0], "get");
    assert_string_equal(a->rules[2].verbs[0], "watch");
    assert_int_equal(b->rule_count, 3);
    assert_string_equal(b->rules[2].verbs[0], "get");
    assert_int_equal(self->rule_count, 1);
    nhi_graph_free(graph);
}

static void resolve_without_kubernetes(void **state)
{
    nhi_graph *graph = new_graph();

    (void)state;
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);
    assert_null(graph->k8s);
    nhi_graph_free(graph);
}

/* Objects added after nhi_k8s_resolve are still seen, by a full scan. */
static void resolve_stale_index(void **state)
{
    nhi_graph *graph = new_graph();
    nhi_k8s_binding *late;
    nhi_k8s_who who;
    nhi_k8s_grant grant;

    (void)state;
    add_role(graph, NULL, NULL, "secret-reader", read_secrets, 2);
    who = service_account(graph, NULL, "dev", "app");
    assert_false(nhi_k8s_can(graph, &who, "get", "", "secrets", NULL, NULL));
    assert_int_equal(nhi_k8s_resolve(graph), NHI_OK);
    late = add_binding(graph, NULL, NULL, "late", "ClusterRole",
                       "secret-reader", "ServiceAccount app dev");

    assert_true(nhi_k8s_can(graph, &who, "get", "", "secrets", NULL, &grant));
    assert_ptr_equal(grant.binding, late);
    assert_int_equal(grant.rule, 1);
    nhi_graph_free(graph);
}

/* ---- the real minikube dump of the shared corpus ---- */

typedef struct corpus_state {
    nhi_graph *graph;
    nhi_diags diags;
} corpus_state;

static corpus_state *read_dump(void)
{
    const char *root = getenv("NHI_CORPUS");
    char path[4096];
    corpus_state *corpus;

    if (root == NULL || root[0] == '\0') {
        print_message("NHI_CORPUS is not set; skipping the minikube dump\n");
        skip();
    }
    snprintf(path, sizeof(path),
             "%s/k8s-rbac/kubiscan_minikube-cluster-dump.json", root);
    if (access(path, R_OK) != 0) {
        print_message("corpus file %s not found; skipping\n", path);
        skip();
    }
    corpus = calloc(1, sizeof(*corpus));
    assert_non_null(corpus);
    nhi_diags_init(&corpus->diags);
    corpus->graph = new_graph();
    assert_int_equal(nhi_k8s_read(corpus->graph, path, &corpus->diags),
                     NHI_OK);
    assert_non_null(corpus->graph->k8s);
    assert_int_equal(nhi_k8s_resolve(corpus->graph), NHI_OK);
    return corpus;
}

static void free_dump(corpus_state *corpus)
{
    nhi_graph_free(corpus->graph);
    nhi_diags_free(&corpus->diags);
    free(corpus);
}

/* The who of NAMESPACE:NAME without an identity in the graph. */
static nhi_k8s_who who_from_names(nhi_graph *graph, const char *namespace_,
                                  const char *name)
{
    nhi_identity account = {0};
    nhi_k8s_who who;

    account.kind = NHI_KIND_K8S_SERVICE_ACCOUNT;
    account.name = name;
    account.path = namespace_;
    assert_int_equal(nhi_k8s_who_of(graph, &account, &who), NHI_OK);
    return who;
}

static const nhi_k8s_role *cluster_role(const nhi_graph *graph,
                                        const char *name)
{
    for (size_t i = 0; i < graph->k8s->role_count; i++) {
        const nhi_k8s_role *role = graph->k8s->roles[i];

        if (role->namespace_ == NULL && strcmp(role->name, name) == 0)
            return role;
    }
    fail_msg("ClusterRole %s not found", name);
    return NULL;
}

/*
 * Walk every ServiceAccount subject of every binding (the dump contains no
 * ServiceAccount objects) and write `NS:NAME,` for each one for which
 * `question` returns true, each account once, in binding order.
 */
static void accounts_where(corpus_state *corpus,
                           bool (*question)(const nhi_graph *,
                                            const nhi_k8s_who *),
                           char *out, size_t size)
{
    const nhi_k8s *k8s = corpus->graph->k8s;
    size_t length = 0;

    out[0] = '\0';
    for (size_t i = 0; i < k8s->binding_count; i++) {
        const nhi_k8s_binding *binding = k8s->bindings[i];

        for (size_t j = 0; j < binding->subject_count; j++) {
            const nhi_k8s_subject *subject = &binding->subjects[j];
            const char *namespace_ = subject->namespace_
                                         ? subject->namespace_
                                         : binding->namespace_;
            char entry[256];
            nhi_k8s_who who;

            if (strcmp(subject->kind, "ServiceAccount") != 0)
                continue;
            snprintf(entry, sizeof(entry), "%s:%s,", namespace_,
                     subject->name);
            who = who_from_names(corpus->graph, namespace_, subject->name);
            if (strstr(out, entry) || !question(corpus->graph, &who))
                continue;
            assert_true(length + strlen(entry) < size);
            strcpy(out + length, entry);
            length += strlen(entry);
        }
    }
}

static bool is_admin(const nhi_graph *graph, const nhi_k8s_who *who)
{
    return nhi_k8s_is_cluster_admin(graph, who, NULL);
}

static bool gets_secrets(const nhi_graph *graph, const nhi_k8s_who *who)
{
    return nhi_k8s_can(graph, who, "get", "", "secrets", NULL, NULL);
}

static bool lists_secrets(const nhi_graph *graph, const nhi_k8s_who *who)
{
    return nhi_k8s_can(graph, who, "list", "", "secrets", NULL, NULL);
}

static void dump_cluster_admins(void **state)
{
    corpus_state *corpus = read_dump();
    nhi_k8s_who who = who_from_names(corpus->graph, "kube-system", "default");
    nhi_k8s_grant grant;
    char found[1024];

    (void)state;
    /* Only ClusterRoleBinding minikube-rbac binds cluster-admin to a
     * service account; the other two bind the groups system:masters and
     * kubeadm:cluster-admins. */
    accounts_where(corpus, is_admin, found, sizeof(found));
    assert_string_equal(found, "kube-system:default,");
    assert_true(nhi_k8s_is_cluster_admin(corpus->graph, &who, &grant));
    assert_string_equal(grant.binding->name, "minikube-rbac");
    assert_string_equal(grant.role->name, "cluster-admin");
    assert_int_equal(grant.rule, 0);

    /* The reader makes identities of the pods' service accounts; only
     * kube-system:default (the risky-pod and static pods) is an admin. */
    found[0] = '\0';
    for (size_t i = 0; i < corpus->graph->identity_count; i++) {
        const nhi_identity *account = corpus->graph->identities[i];

        if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT)
            continue;
        assert_int_equal(nhi_k8s_who_of(corpus->graph, account, &who), NHI_OK);
        if (nhi_k8s_is_cluster_admin(corpus->graph, &who, NULL)) {
            assert_true(strlen(found) + strlen(account->id) + 2 <
                        sizeof(found));
            strcat(found, account->id);
            strcat(found, ",");
        }
    }
    assert_string_equal(found, "system:serviceaccount:kube-system:default,");
    free_dump(corpus);
}

static void dump_secret_readers(void **state)
{
    corpus_state *corpus = read_dump();
    nhi_k8s_who signer =
        who_from_names(corpus->graph, "kube-system", "bootstrap-signer");
    nhi_k8s_grant grant;
    const char *where = NULL;
    char found[2048];

    (void)state;
    /* get: cluster-admin, `*` resources (generic-garbage-collector,
     * namespace-controller) and a `secrets` get rule (expand-controller,
     * persistent-volume-binder), in binding order: minikube-rbac
     * comes before the system:controller:* bindings. */
    accounts_where(corpus, gets_secrets, found, sizeof(found));
    assert_string_equal(found,
                        "kube-system:default,"
                        "kube-system:expand-controller,"
                        "kube-system:generic-garbage-collector,"
                        "kube-system:namespace-controller,"
                        "kube-system:persistent-volume-binder,");
    /* list: resourcequota-controller lists `*` but never gets. */
    accounts_where(corpus, lists_secrets, found, sizeof(found));
    assert_string_equal(found,
                        "kube-system:default,"
                        "kube-system:generic-garbage-collector,"
                        "kube-system:namespace-controller,"
                        "kube-system:resourcequota-controller,");

    /* bootstrap-signer reads secrets in kube-system only, by RoleBinding. */
    assert_false(nhi_k8s_can(corpus->graph, &signer, "get", "", "secrets",
                             NULL, NULL));
    assert_true(nhi_k8s_can_somewhere(corpus->graph, &signer, "list", "",
                                      "secrets", &grant, &where));
    assert_string_equal(where, "kube-system");
    assert_string_equal(grant.binding->name, "system:controller:bootstrap-signer");
    free_dump(corpus);
}

/* The dump shows admin, edit and view already aggregated, so resolving
 * adds nothing; emptied first, they are rebuilt with the same counts. */
static void dump_aggregation(void **state)
{
    corpus_state *corpus = read_dump();
    nhi_k8s_role *admin = (nhi_k8s_role *)cluster_role(corpus->graph, "admin");
    nhi_k8s_role *edit = (nhi_k8s_role *)cluster_role(corpus->graph, "edit");
    nhi_k8s_role *view = (nhi_k8s_role *)cluster_role(corpus->graph, "view");

    (void)state;
    assert_int_equal(cluster_role(corpus->graph, "system:aggregate-to-admin")
                         ->rule_count,
                     2);
    assert_int_equal(
        cluster_role(corpus->graph, "system:aggregate-to-edit")->rule_count,
        13);
    assert_int_equal(
        cluster_role(corpus->graph, "system:aggregate-to-view")->rule_count,
        10);
    assert_int_equal(admin->rule_count, 25);
    assert_int_equal(edit->rule_count, 23);
    assert_int_equal(view->rule_count, 10);

    admin->rule_count = 0;
    edit->rule_count = 0;
    view->rule_count = 0;
    assert_int_equal(nhi_k8s_resolve(corpus->graph), NHI_OK);
    assert_int_equal(view->rule_count, 10);
    assert_int_equal(edit->rule_count, 23);
    assert_int_equal(admin->rule_count, 25);
    free_dump(corpus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_wildcard_verbs),
        cmocka_unit_test(rule_wildcard_groups),
        cmocka_unit_test(rule_wildcard_resources),
        cmocka_unit_test(rule_subresource_exact),
        cmocka_unit_test(rule_star_subresource),
        cmocka_unit_test(rule_resource_names_ignored),
        cmocka_unit_test(rule_non_resource_urls),
        cmocka_unit_test(role_of_kinds),
        cmocka_unit_test(rolebinding_limited_to_namespace),
        cmocka_unit_test(somewhere_prefers_cluster_wide),
        cmocka_unit_test(subject_namespace_default),
        cmocka_unit_test(subject_user_and_group),
        cmocka_unit_test(subject_service_account_groups),
        cmocka_unit_test(who_of_service_account),
        cmocka_unit_test(masters_bypass_rbac),
        cmocka_unit_test(cluster_admin_binding),
        cmocka_unit_test(role_missing_no_grant),
        cmocka_unit_test(clusters_kept_apart),
        cmocka_unit_test(aggregation_chain),
        cmocka_unit_test(aggregation_cycle),
        cmocka_unit_test(resolve_without_kubernetes),
        cmocka_unit_test(resolve_stale_index),
        cmocka_unit_test(dump_cluster_admins),
        cmocka_unit_test(dump_secret_readers),
        cmocka_unit_test(dump_aggregation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
