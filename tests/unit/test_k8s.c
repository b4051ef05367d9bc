/* SPDX-License-Identifier: MIT */
/* Unit tests for the Kubernetes reader: objects, locations and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/consumer.h"
#include "nhi/error.h"
#include "nhi/graph.h"
#include "nhi/k8s.h"
#include "ytree.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

#define MINIKUBE_JSON "k8s-rbac/kubiscan_minikube-cluster-dump.json"
#define MINIKUBE_YAML "k8s-rbac/kubiscan_minikube-cluster-dump.yaml"

typedef struct fixture {
    nhi_graph *graph;
    nhi_diags diags;
    char temp[64]; /* a temporary input, removed in teardown */
} fixture;

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || nhi_graph_new(&f->graph) != NHI_OK)
        return -1;
    nhi_diags_init(&f->diags);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;

    if (f->temp[0])
        unlink(f->temp);
    nhi_diags_free(&f->diags);
    nhi_graph_free(f->graph);
    free(f);
    return 0;
}

/* Write `text` to a temporary file and return its path. */
static const char *write_temp(fixture *f, const char *text)
{
    FILE *out;
    int fd;

    if (f->temp[0])
        unlink(f->temp);
    snprintf(f->temp, sizeof(f->temp), "/tmp/test_k8s.XXXXXX");
    fd = mkstemp(f->temp);
    assert_true(fd >= 0);
    out = fdopen(fd, "w");
    assert_non_null(out);
    assert_int_equal(fputs(text, out) >= 0, 1);
    assert_int_equal(fclose(out), 0);
    return f->temp;
}

static int read_text(fixture *f, const char *text)
{
    return nhi_k8s_read(f->graph, write_temp(f, text), &f->diags);
}

/* The path of a file under NHI_CORPUS, or NULL after skipping the test. */
static const char *corpus_path(const char *name)
{
    static char path[1024];
    const char *root = getenv("NHI_CORPUS");

    if (root == NULL || access(root, R_OK) != 0) {
        printf("note: NHI_CORPUS is not set or not readable; skipping the "
               "corpus test\n");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", root, name);
    return path;
}

static const char *fixture_path(const char *name)
{
    static char path[1024];
    const char *root = getenv("NHI_FIXTURES");

    snprintf(path, sizeof(path), "%s/k8s/%s", root ? root : "tests/fixtures",
             name);
    return path;
}

/* Parse `text` and return whether the first document is sniffed. */
static bool sniff_text(const char *text)
{
    nhi_yfile *file = NULL;
    nhi_diags diags;
    bool result;

    nhi_diags_init(&diags);
    nhi_yaml_parse("sniff.yaml", text, strlen(text), &file, &diags);
    assert_non_null(file);
    result = nhi_k8s_sniff(file->count ? file->documents[0] : NULL);
    nhi_yfile_free(file);
    nhi_diags_free(&diags);
    return result;
}

static bool sniff_file(const char *path)
{
    nhi_yfile *file = NULL;
    nhi_diags diags;
    bool result;

    nhi_diags_init(&diags);
    nhi_yaml_load(path, &file, &diags);
    assert_non_null(file);
    result = nhi_k8s_sniff(file->count ? file->documents[0] : NULL);
    nhi_yfile_free(file);
    nhi_diags_free(&diags);
    return result;
}

static const nhi_k8s_role *find_role(const nhi_graph *graph,
                                     const char *namespace_, const char *name)
{
    for (size_t i = 0; graph->k8s && i < graph->k8s->role_count; i++) {
        const nhi_k8s_role *role = graph->k8s->roles[i];
        bool same_namespace = namespace_ == NULL
                                  ? role->namespace_ == NULL
                                  : role->namespace_ &&
                                        strcmp(role->namespace_,
                                               namespace_) == 0;
        if (same_namespace && strcmp(role->name, name) == 0)
            return role;
    }
    fail_msg("no role '%s' in namespace '%s'", name,
             namespace_ ? namespace_ : "(cluster)");
    abort(); /* not reached: fail_msg jumps out of the test */
}

static const nhi_k8s_binding *find_binding(const nhi_graph *graph,
                                           const char *name)
{
    for (size_t i = 0; graph->k8s && i < graph->k8s->binding_count; i++)
        if (strcmp(graph->k8s->bindings[i]->name, name) == 0)
            return graph->k8s->bindings[i];
    fail_msg("no binding '%s'", name);
    abort(); /* not reached: fail_msg jumps out of the test */
}

static const nhi_consumer *find_consumer(const nhi_graph *graph,
                                         const char *id)
{
    for (size_t i = 0; i < graph->consumer_count; i++)
        if (strcmp(graph->consumers[i]->id, id) == 0)
            return graph->consumers[i];
    fail_msg("no consumer '%s'", id);
    abort(); /* not reached: fail_msg jumps out of the test */
}

static nhi_identity *find_account(const nhi_graph *graph, const char *id)
{
    nhi_identity *identity = nhi_graph_find_identity(graph, id);

    if (identity == NULL)
        fail_msg("no identity '%s'", id);
    return identity;
}

static size_t cluster_role_count(const nhi_graph *graph)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->k8s->role_count; i++)
        count += graph->k8s->roles[i]->namespace_ == NULL;
    return count;
}

static size_t cluster_binding_count(const nhi_graph *graph)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->k8s->binding_count; i++)
        count += graph->k8s->bindings[i]->namespace_ == NULL;
    return count;
}

static void assert_diag(const nhi_error *error, nhi_level level,
                        unsigned line, unsigned column, const char *message)
{
    assert_int_equal(error->level, level);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static void assert_location(const nhi_location *location, unsigned line,
                            unsigned column, const char *json_path)
{
    assert_int_equal(location->line, line);
    assert_int_equal(location->column, column);
    if (json_path == NULL)
        assert_null(location->json_path);
    else
        assert_string_equal(location->json_path, json_path);
}

/* Skip when the secret scanner does not recognise `value` yet. */
static bool scanner_knows(const char *key, const char *value)
{
    if (nhi_secret_literal_kind(key, value, NULL) != NULL)
        return true;
    printf("note: nhi_secret_literal_kind does not recognise the fixture's "
           "literal; skipping the literal checks\n");
    return false;
}

/* Sniffing */

static void sniff_single_object(void **state)
{
    (void)state;
    assert_true(sniff_text("apiVersion: v1\nkind: ServiceAccount\n"
                           "metadata: {name: a}\n"));
}

static void sniff_array_of_lists(void **state)
{
    (void)state;
    assert_true(sniff_text("[{\"apiVersion\": \"v1\", \"kind\": \"List\", "
                           "\"items\": []}]"));
    assert_true(sniff_text("- 3\n- apiVersion: v1\n  kind: Pod\n"));
}

static void sniff_rejects_others(void **state)
{
    (void)state;
    assert_false(sniff_text("[{\"alertMessage\": \"x\", \"kind\": "
                            "\"User\"}]"));
    assert_false(sniff_text("kind: Pod\n"));
    assert_false(sniff_text("apiVersion: v1\nkind: [Pod]\n"));
    assert_false(sniff_text("[]"));
    assert_false(sniff_text("just text\n"));
    assert_false(nhi_k8s_sniff(NULL));
}

/* The regolibrary inputs are objects, and its expected.json files are
 * not. */
static void sniff_regolibrary_tests(void **state)
{
    const char *root = corpus_path("k8s-rbac/regolibrary-tests");
    size_t inputs = 0, expectations = 0;
    char command[1200], line[1024];
    FILE *list;

    (void)state;
    if (root == NULL)
        skip();
    snprintf(command, sizeof(command), "find '%s' -type f | sort", root);
    list = popen(command, "r");
    assert_non_null(list);
    while (fgets(line, sizeof(line), list)) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, "/expected.json")) {
            expectations++;
            if (sniff_file(line))
                fail_msg("sniffed a test expectation: %s", line);
        } else if (strstr(line, "/input/")) {
            inputs++;
            if (!sniff_file(line))
                fail_msg("did not sniff an input: %s", line);
        }
    }
    assert_int_equal(pclose(list), 0);
    assert_int_equal(inputs, 46);
    assert_int_equal(expectations, 23);
}

/* The minikube cluster dump */

static void assert_minikube_counts(const fixture *f)
{
    const nhi_graph *graph = f->graph;

    assert_int_equal(f->diags.count, 0);
    assert_non_null(graph->k8s);
    /* No ServiceAccount objects: the five accounts are the pods'. */
    assert_int_equal(graph->identity_count, 5);
    assert_int_equal(graph->k8s->role_count, 12 + 68);
    assert_int_equal(cluster_role_count(graph), 68);
    assert_int_equal(graph->k8s->binding_count, 12 + 55);
    assert_int_equal(cluster_binding_count(graph), 55);
    assert_int_equal(graph->k8s->token_secret_count, 1);
    assert_int_equal(graph->k8s->mapping_count, 0);
    /* 11 pods: the ReplicaSet and DaemonSet owners are not in the dump,
     * and the static pods' owner is a Node. */
    assert_int_equal(graph->consumer_count, 11);
    assert_int_equal(graph->plaintext_count, 0);
}

static void assert_minikube_objects(const fixture *f)
{
    const nhi_graph *graph = f->graph;
    const nhi_k8s_role *admin = find_role(graph, NULL, "cluster-admin");
    const nhi_k8s_binding *binding = find_binding(graph, "cluster-admin");
    const nhi_consumer *coredns =
        find_consumer(graph, "kube-system/Pod/coredns-7db6d8ff4d-v72lr");
    const nhi_identity *account = find_account(
        graph, "system:serviceaccount:kube-system:coredns");
    const nhi_k8s_token_secret *secret = graph->k8s->token_secrets[0];

    assert_non_null(admin);
    assert_int_equal(admin->rule_count, 2);
    assert_int_equal(admin->rules[0].verb_count, 1);
    assert_string_equal(admin->rules[0].verbs[0], "*");
    assert_int_equal(admin->rules[1].url_count, 1);
    assert_string_equal(admin->rules[1].urls[0], "*");
    assert_int_equal(admin->rules[1].resource_count, 0);
    assert_null(admin->cluster);

    assert_non_null(binding);
    assert_null(binding->namespace_);
    assert_string_equal(binding->role_kind, "ClusterRole");
    assert_string_equal(binding->role_name, "cluster-admin");
    assert_int_equal(binding->subject_count, 1);
    assert_string_equal(binding->subjects[0].kind, "Group");
    assert_string_equal(binding->subjects[0].name, "system:masters");

    assert_non_null(coredns);
    assert_int_equal(coredns->kind, NHI_CONSUMER_KUBERNETES_WORKLOAD);
    assert_string_equal(coredns->workload_kind, "Pod");
    assert_string_equal(coredns->service_account, "coredns");
    assert_string_equal(coredns->namespace_, "kube-system");
    assert_int_equal(coredns->automount, -1);

    assert_non_null(account);
    assert_int_equal(account->kind, NHI_KIND_K8S_SERVICE_ACCOUNT);
    assert_int_equal(account->provider, NHI_PROVIDER_KUBERNETES);
    assert_string_equal(account->name, "coredns");
    assert_string_equal(account->path, "kube-system");
    assert_int_equal(account->automount, -1);

    assert_string_equal(secret->name, "kubiscan-sa-secret");
    assert_string_equal(secret->namespace_, "default");
    assert_string_equal(secret->service_account, "kubiscan-sa");

    for (size_t i = 0; i < graph->k8s->role_count; i++) {
        const nhi_k8s_role *role = graph->k8s->roles[i];
        if (strcmp(role->name, "admin") == 0 ||
            strcmp(role->name, "edit") == 0 ||
            strcmp(role->name, "view") == 0) {
            assert_int_equal(role->aggregation_count, 1);
            assert_int_equal(role->aggregation[0].label_count, 1);
        }
    }
}

static void minikube_json_dump(void **state)
{
    fixture *f = *state;
    const char *path = corpus_path(MINIKUBE_JSON);
    const nhi_graph *graph = f->graph;

    if (path == NULL)
        skip();
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
    assert_minikube_counts(f);
    assert_minikube_objects(f);

    assert_location(&find_role(graph, NULL, "cluster-admin")->location, 1275,
                    13, "[2].items[1]");
    assert_location(&graph->k8s->roles[0]->location, 5, 13, "[0].items[0]");
    assert_string_equal(graph->k8s->roles[0]->location.source, path);
    assert_location(&graph->k8s->token_secrets[0]->location, 8219, 13,
                    "[4].items[0]");
    assert_location(
        &find_consumer(graph, "kube-system/Pod/coredns-7db6d8ff4d-v72lr")
             ->location,
        8825, 13, "[5].items[3]");
    /* An implied account sits at the first pod's serviceAccountName
     * value, or at the pod spec when the pod names none. The static pods
     * before risky-pod (their mirrors are owned by the Node) run as no
     * account. */
    assert_location(&find_account(
                         graph, "system:serviceaccount:kube-system:coredns")
                         ->location,
                    8973, 43, "[5].items[3].spec.serviceAccountName");
    assert_location(&find_account(
                         graph, "system:serviceaccount:kube-system:default")
                         ->location,
                    10418, 43, "[5].items[9].spec.serviceAccountName");
}

static void minikube_yaml_dump(void **state)
{
    fixture *f = *state;
    const char *path = corpus_path(MINIKUBE_YAML);
    const nhi_graph *graph = f->graph;

    if (path == NULL)
        skip();
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
    assert_minikube_counts(f);
    assert_minikube_objects(f);

    assert_location(&find_role(graph, NULL, "cluster-admin")->location, 861,
                    3, "document 3, items[1]");
    assert_location(&graph->k8s->roles[0]->location, 4, 3,
                    "document 1, items[0]");
    assert_location(&graph->k8s->token_secrets[0]->location, 5381, 3,
                    "document 5, items[0]");
    assert_location(
        &find_consumer(graph, "kube-system/Pod/coredns-7db6d8ff4d-v72lr")
             ->location,
        5770, 3, "document 6, items[3]");
    assert_location(&find_account(
                         graph, "system:serviceaccount:kube-system:coredns")
                         ->location,
                    5873, 25, "document 6, items[3].spec.serviceAccountName");
}

/* The JSON and the YAML dump of one cluster give each object once. */
static void minikube_both_dumps_once(void **state)
{
    fixture *f = *state;
    const char *json = corpus_path(MINIKUBE_JSON);
    char first[1024];

    if (json == NULL)
        skip();
    snprintf(first, sizeof(first), "%s", json);
    assert_int_equal(nhi_k8s_read(f->graph, first, &f->diags), NHI_OK);
    assert_int_equal(nhi_k8s_read(f->graph, corpus_path(MINIKUBE_YAML),
                                  &f->diags),
                     NHI_OK);
    assert_minikube_counts(f);
    /* The first reading is kept. */
    assert_string_equal(f->graph->k8s->roles[0]->location.source, first);
}

static void minikube_cluster_prefix(void **state)
{
    fixture *f = *state;
    const char *path = corpus_path(MINIKUBE_JSON);
    const nhi_identity *account;
    const nhi_consumer *pod;

    if (path == NULL)
        skip();
    f->graph->reading_cluster = "minikube";
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
    account = find_account(
        f->graph, "minikube/system:serviceaccount:kube-system:coredns");
    assert_non_null(account);
    assert_string_equal(account->account, "minikube");
    pod = find_consumer(f->graph,
                        "minikube/kube-system/Pod/coredns-7db6d8ff4d-v72lr");
    assert_non_null(pod);
    assert_string_equal(pod->cluster, "minikube");
    assert_string_equal(f->graph->k8s->roles[0]->cluster, "minikube");
    assert_string_equal(f->graph->k8s->bindings[0]->cluster, "minikube");
    assert_string_equal(f->graph->k8s->token_secrets[0]->cluster, "minikube");
}

/* Other corpus files */

/* KubiScan's risky roles: a mapping with items and no kind, 41 Roles of
 * which three repeat a name, and one item with a repeated key. */
static void risky_roles_catalogue(void **state)
{
    fixture *f = *state;
    const char *path = corpus_path("k8s-rbac/kubiscan_risky-roles.yaml");
    const nhi_k8s_role *role;

    if (path == NULL)
        skip();
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_EINPUT);
    /* The item at line 150 repeats its metadata and rules six times. */
    assert_int_equal(f->diags.count, 12);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 166, 3,
                "duplicate key 'rules' (first at line 156)");
    assert_diag(&f->diags.items[11], NHI_LEVEL_ERROR, 212, 3,
                "duplicate key 'metadata' (first at line 152)");
    assert_int_equal(f->graph->k8s->role_count, 38);
    role = find_role(f->graph, "default", "risky-get-secrets");
    assert_non_null(role);
    assert_int_equal(role->rule_count, 1);
    assert_string_equal(role->rules[0].api_groups[0], "*");
    assert_string_equal(role->rules[0].resources[0], "secrets");
    assert_string_equal(role->rules[0].verbs[0], "get");
    assert_location(&role->location, 16, 3, "items[0]");
}

static void kube_prometheus_manifests(void **state)
{
    fixture *f = *state;
    const char *root = corpus_path("k8s-rbac/kube-prometheus");
    const nhi_identity *account;
    struct dirent **names;
    int count;

    if (root == NULL)
        skip();
    count = scandir(root, &names, NULL, alphasort);
    assert_true(count > 0);
    for (int i = 0; i < count; i++) {
        char path[1200];
        if (names[i]->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", root, names[i]->d_name);
            assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
        }
        free(names[i]);
    }
    free(names);

    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 8);
    assert_int_equal(f->graph->k8s->role_count, 12);
    assert_int_equal(cluster_role_count(f->graph), 8);
    assert_int_equal(f->graph->k8s->binding_count, 12);
    assert_int_equal(cluster_binding_count(f->graph), 7);
    assert_int_equal(f->graph->consumer_count, 0);

    account = find_account(
        f->graph, "system:serviceaccount:monitoring:prometheus-k8s");
    assert_non_null(account);
    assert_int_equal(account->automount, 1);
    assert_location(&account->location, 1, 1, NULL);
    account = find_account(
        f->graph, "system:serviceaccount:monitoring:grafana");
    assert_non_null(account);
    assert_int_equal(account->automount, 0);
    assert_true(account->tag_count > 0);
    /* A RoleList of four Roles, one per namespace. */
    assert_non_null(find_role(f->graph, "kube-system", "prometheus-k8s"));
    assert_location(&find_role(f->graph, "kube-system", "prometheus-k8s")
                         ->location,
                    48, 3, "items[1]");
}

/* The Deployment is read before its ServiceAccount file: the definition
 * replaces the account the Deployment implied. */
static void regolibrary_account_after_deployment(void **state)
{
    fixture *f = *state;
    const char *base = corpus_path("k8s-rbac/regolibrary-tests/"
                                   "automount-service-account/"
                                   "deployment-pod-true-sa-false/input");
    const nhi_identity *account;
    const nhi_consumer *deployment;
    char path[1200];

    if (base == NULL)
        skip();
    snprintf(path, sizeof(path), "%s/deployment.yaml", base);
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
    account = find_account(
        f->graph, "system:serviceaccount:kubescape-test:test-sa");
    assert_non_null(account);
    assert_int_equal(account->automount, -1);
    assert_location(&account->location, 15, 27,
                    "spec.template.spec.serviceAccountName");

    snprintf(path, sizeof(path), "%s/serviceaccount.json", base);
    assert_int_equal(nhi_k8s_read(f->graph, path, &f->diags), NHI_OK);
    assert_int_equal(f->graph->identity_count, 1);
    assert_ptr_equal(find_account(
                         f->graph,
                         "system:serviceaccount:kubescape-test:test-sa"),
                     account);
    assert_int_equal(account->automount, 0);
    assert_int_equal(account->index, 0);
    assert_location(&account->location, 1, 1, NULL);

    deployment = find_consumer(f->graph,
                               "kubescape-test/Deployment/test-deploy");
    assert_non_null(deployment);
    assert_int_equal(deployment->automount, 1);
    assert_int_equal(f->diags.count, 0);
}

/* Fixtures: workloads */

static void workloads_fold_and_kinds(void **state)
{
    fixture *f = *state;
    static const char *const ids[] = {
        "shop/Deployment/api", "analytics/CronJob/nightly-report",
        "shop/StatefulSet/db", "default/DaemonSet/agent", "shop/Job/migrate"};
    static const char *const kinds[] = {"Deployment", "CronJob", "StatefulSet",
                                        "DaemonSet", "Job"};
    static const char *const accounts[] = {"api", "reports", "db-legacy",
                                           "default", "api"};
    static const signed char automount[] = {0, -1, -1, 1, -1};
    static const unsigned lines[] = {2, 70, 91, 102, 112};

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("workloads.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    /* The ReplicaSet and the Pod fold into the Deployment. */
    assert_int_equal(f->graph->consumer_count, ARRAY_SIZE(ids));
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        const nhi_consumer *consumer = f->graph->consumers[i];
        assert_string_equal(consumer->id, ids[i]);
        assert_string_equal(consumer->workload_kind, kinds[i]);
        assert_string_equal(consumer->service_account, accounts[i]);
        assert_int_equal(consumer->automount, automount[i]);
        assert_int_equal(consumer->location.line, lines[i]);
        assert_int_equal(consumer->location.column, 1);
        assert_null(consumer->cluster);
        assert_int_equal(consumer->index, i);
    }
    assert_string_equal(f->graph->consumers[0]->job, "api");
    assert_string_equal(f->graph->consumers[0]->namespace_, "shop");
    assert_string_equal(f->graph->consumers[0]->location.json_path,
                        "document 1");
}

static void workloads_service_accounts(void **state)
{
    fixture *f = *state;
    const nhi_identity *api, *reports, *legacy, *fallback;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("workloads.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->graph->identity_count, 4);

    /* Defined after the Deployment that uses it, and read first. */
    api = find_account(f->graph, "system:serviceaccount:shop:api");
    assert_non_null(api);
    assert_int_equal(api->index, 0);
    assert_int_equal(api->declaration, -1);
    assert_string_equal(api->name, "api");
    assert_string_equal(api->path, "shop");
    assert_null(api->account);
    assert_int_equal(api->automount, 0);
    assert_string_equal(api->irsa_role,
                        "arn:aws:iam::111122223333:role/shop-api");
    assert_null(api->gcp_account);
    assert_string_equal(api->unique_id,
                        "0b6c3a52-1111-2222-3333-444455556666");
    assert_true(api->created == 1719738471);
    assert_int_equal(api->tag_count, 1);
    assert_string_equal(api->tags[0].key, "team");
    assert_string_equal(api->tags[0].value, "payments");
    assert_location(&api->location, 48, 1, "document 4");

    reports = find_account(f->graph,
                                      "system:serviceaccount:analytics:"
                                      "reports");
    assert_non_null(reports);
    assert_int_equal(reports->automount, 1);
    assert_null(reports->irsa_role);
    assert_string_equal(reports->gcp_account,
                        "reports@analytics-prod.iam.gserviceaccount.com");
    assert_true(reports->created == NHI_TIME_UNKNOWN);

    /* The deprecated serviceAccount field names the account. */
    legacy = find_account(f->graph,
                                     "system:serviceaccount:shop:db-legacy");
    assert_non_null(legacy);
    assert_int_equal(legacy->automount, -1);
    assert_location(&legacy->location, 99, 23,
                    "document 7, spec.template.spec.serviceAccount");

    /* A DaemonSet without namespace or account: default/default. */
    fallback = find_account(f->graph,
                                       "system:serviceaccount:default:"
                                       "default");
    assert_non_null(fallback);
    assert_location(&fallback->location, 109, 7,
                    "document 8, spec.template.spec");
}

static void workloads_env_literal(void **state)
{
    fixture *f = *state;
    const nhi_plaintext *plaintext;

    if (!scanner_knows("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000001"))
        skip();
    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("workloads.yaml"),
                                  &f->diags),
                     NHI_OK);
    /* `$(HOOK)` is a reference, not a literal. */
    assert_int_equal(f->graph->plaintext_count, 1);
    plaintext = f->graph->plaintexts[0];
    assert_string_equal(plaintext->kind, "aws-access-key-id");
    /* SHA-256 of AKIAEXAMPLE000000001, first 8 bytes. */
    assert_string_equal(plaintext->fingerprint, "5cfd9f5364c39bdd");
    assert_string_equal(plaintext->key, "AWS_ACCESS_KEY_ID");
    assert_ptr_equal(plaintext->consumer, f->graph->consumers[0]);
    assert_location(&plaintext->location, 17, 22,
                    "document 1, spec.template.spec.containers[0].env[0]."
                    "value");
}

/* The same ServiceAccount in two files: the first is kept, no error. */
static void service_account_twice(void **state)
{
    fixture *f = *state;
    char first[64];
    const nhi_identity *account;

    assert_int_equal(read_text(f, "apiVersion: v1\nkind: ServiceAccount\n"
                                  "metadata: {name: a, namespace: n}\n"
                                  "automountServiceAccountToken: false\n"),
                     NHI_OK);
    snprintf(first, sizeof(first), "%s", f->temp);
    assert_int_equal(read_text(f, "\n{\"apiVersion\": \"v1\", \"kind\": "
                                  "\"ServiceAccount\", \"metadata\": "
                                  "{\"name\": \"a\", \"namespace\": \"n\"}, "
                                  "\"automountServiceAccountToken\": true}\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 1);
    account = f->graph->identities[0];
    assert_int_equal(account->automount, 0);
    assert_string_equal(account->location.source, first);
    assert_int_equal(account->location.line, 1);
    unlink(first);
}

/* A ReplicaSet whose Deployment is in another file stays a consumer. */
static void owner_in_other_file(void **state)
{
    fixture *f = *state;

    assert_int_equal(
        read_text(f, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n"
                     "  name: web-1\n  ownerReferences:\n"
                     "  - {kind: Deployment, name: web}\n"
                     "spec: {template: {spec: {containers: []}}}\n"),
        NHI_OK);
    assert_int_equal(f->graph->consumer_count, 1);
    assert_string_equal(f->graph->consumers[0]->id,
                        "default/ReplicaSet/web-1");
}

/* Fixtures: RBAC */

static void rbac_roles_and_rules(void **state)
{
    fixture *f = *state;
    const nhi_k8s_role *reader, *monitoring;

    f->graph->reading_cluster = "prod";
    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("rbac.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->graph->k8s->role_count, 2);

    reader = find_role(f->graph, "shop", "pod-reader");
    assert_non_null(reader);
    assert_string_equal(reader->cluster, "prod");
    assert_int_equal(reader->rule_count, 3);
    assert_int_equal(reader->rules[0].api_group_count, 1);
    assert_string_equal(reader->rules[0].api_groups[0], "");
    assert_int_equal(reader->rules[0].resource_count, 2);
    assert_string_equal(reader->rules[0].resources[1], "pods/log");
    assert_int_equal(reader->rules[0].verb_count, 2);
    assert_int_equal(reader->rules[0].resource_name_count, 0);
    assert_int_equal(reader->rules[1].url_count, 1);
    assert_string_equal(reader->rules[1].urls[0], "/healthz");
    assert_int_equal(reader->rules[1].api_group_count, 0);
    assert_int_equal(reader->rules[2].resource_name_count, 1);
    assert_string_equal(reader->rules[2].resource_names[0], "settings");
    assert_location(&reader->location, 16, 1, "document 2");

    monitoring = find_role(f->graph, NULL, "monitoring");
    assert_non_null(monitoring);
    assert_int_equal(monitoring->rule_count, 0);
    assert_int_equal(monitoring->label_count, 1);
    assert_int_equal(monitoring->aggregation_count, 2);
    assert_int_equal(monitoring->aggregation[0].label_count, 1);
    assert_string_equal(monitoring->aggregation[0].labels[0].key,
                        "rbac.example.com/aggregate-to-monitoring");
    assert_string_equal(monitoring->aggregation[0].labels[0].value, "true");
    assert_int_equal(monitoring->aggregation[1].label_count, 0);

    /* matchExpressions are reported, not evaluated. */
    assert_int_equal(f->diags.count, 1);
    assert_int_equal(f->diags.errors, 0);
    assert_diag(&f->diags.items[0], NHI_LEVEL_WARNING, 13, 9,
                "matchExpressions of ClusterRole 'monitoring' are not "
                "evaluated");
    assert_string_equal(f->diags.items[0].location, "document 1");
}

static void rbac_bindings_and_secrets(void **state)
{
    fixture *f = *state;
    const nhi_k8s_binding *binding;
    const nhi_k8s_token_secret *secret;

    f->graph->reading_cluster = "prod";
    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("rbac.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->graph->k8s->binding_count, 2);

    binding = find_binding(f->graph, "read-pods");
    assert_non_null(binding);
    assert_string_equal(binding->namespace_, "shop");
    assert_string_equal(binding->role_kind, "Role");
    assert_string_equal(binding->role_name, "pod-reader");
    assert_int_equal(binding->subject_count, 2);
    /* A ServiceAccount subject takes the binding's namespace. */
    assert_string_equal(binding->subjects[0].kind, "ServiceAccount");
    assert_string_equal(binding->subjects[0].namespace_, "shop");
    assert_string_equal(binding->subjects[1].kind, "User");
    assert_null(binding->subjects[1].namespace_);

    binding = find_binding(f->graph, "monitoring");
    assert_non_null(binding);
    assert_null(binding->namespace_);
    assert_string_equal(binding->subjects[1].namespace_, "monitoring");

    /* The Opaque Secret is not a token secret and its data is not read. */
    assert_int_equal(f->graph->k8s->token_secret_count, 1);
    secret = f->graph->k8s->token_secrets[0];
    assert_string_equal(secret->name, "api-token");
    assert_string_equal(secret->service_account, "api");
    assert_string_equal(secret->cluster, "prod");
    assert_location(&secret->location, 57, 1, "document 5");
    for (size_t i = 0; i < f->graph->plaintext_count; i++)
        assert_string_not_equal(f->graph->plaintexts[i]->key,
                                "AWS_ACCESS_KEY_ID");
}

static void config_map_literal(void **state)
{
    fixture *f = *state;
    const nhi_plaintext *plaintext;

    if (!scanner_knows("key_id", "AKIAEXAMPLE000000003"))
        skip();
    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("rbac.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->graph->plaintext_count, 1);
    plaintext = f->graph->plaintexts[0];
    assert_string_equal(plaintext->kind, "aws-access-key-id");
    assert_string_equal(plaintext->key, "key_id");
    assert_null(plaintext->consumer);
    assert_location(&plaintext->location, 84, 11, "document 7, data.key_id");
}

/* Fixtures: aws-auth */

static void aws_auth_block_scalars(void **state)
{
    fixture *f = *state;
    const nhi_k8s_mapping *mapping;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("aws-auth.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->k8s->mapping_count, 3);

    mapping = f->graph->k8s->mappings[0];
    assert_string_equal(mapping->arn,
                        "arn:aws:iam::111122223333:role/eks-nodes");
    assert_string_equal(mapping->username,
                        "system:node:{{EC2PrivateDNSName}}");
    assert_int_equal(mapping->group_count, 2);
    assert_string_equal(mapping->groups[1], "system:nodes");
    assert_string_equal(mapping->source, "aws-auth");
    assert_location(&mapping->location, 9, 7, "data.mapRoles[0]");

    mapping = f->graph->k8s->mappings[1];
    assert_string_equal(mapping->arn,
                        "arn:aws:iam::111122223333:role/deployer");
    assert_null(mapping->username);
    assert_int_equal(mapping->group_count, 1);
    assert_string_equal(mapping->groups[0], "system:masters");
    assert_location(&mapping->location, 14, 7, "data.mapRoles[1]");

    mapping = f->graph->k8s->mappings[2];
    assert_string_equal(mapping->arn, "arn:aws:iam::111122223333:user/ops");
    assert_string_equal(mapping->username, "ops");
    assert_int_equal(mapping->group_count, 0);
    assert_location(&mapping->location, 17, 7, "data.mapUsers[0]");
}

/* An entry that is not an IAM ARN never matches: an error at it. */
static void aws_auth_bad_arn(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f,
                               "apiVersion: v1\n"
                               "kind: ConfigMap\n"
                               "metadata:\n"
                               "  name: aws-auth\n"
                               "  namespace: kube-system\n"
                               "data:\n"
                               "  mapRoles: |\n"
                               "    - rolearn: not-an-arn\n"
                               "      groups: [ops]\n"
                               "    - rolearn: arn:aws:iam::111122223333:role/ok\n"
                               "      groups: [ops]\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 8, 16,
                "'rolearn' is not an IAM ARN");
    assert_int_equal(f->graph->k8s->mapping_count, 1);
    assert_string_equal(f->graph->k8s->mappings[0]->arn,
                        "arn:aws:iam::111122223333:role/ok");
}

static void aws_auth_read_twice(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("aws-auth.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("aws-auth.yaml"),
                                  &f->diags),
                     NHI_OK);
    assert_int_equal(f->graph->k8s->mapping_count, 3);
}

/* Errors inside a literal block land on the outer file's lines. */
static void aws_auth_inner_errors(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("aws-auth-bad.yaml"),
                                  &f->diags),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 14, 5,
                "invalid YAML: did not find expected ',' or ']' while "
                "parsing a flow sequence (line 13)");
    assert_string_equal(f->diags.items[0].hint,
                        "the mapRoles text ends too early: close every "
                        "bracket and quote inside it");
    assert_string_equal(f->diags.items[0].location, "data.mapRoles");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 15, 5,
                "aws-auth 'mapUsers' must hold a list, not a mapping");
    assert_int_equal(f->graph->k8s ? f->graph->k8s->mapping_count : 0, 0);
}

/* In JSON the text is a quoted string: errors sit at the value. */
static void aws_auth_json_string(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("aws-auth.json"),
                                  &f->diags),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 7, 17,
                "mapUsers entry has no 'userarn' (at line 1, column 3 of "
                "the mapUsers text)");
    assert_int_equal(f->graph->k8s->mapping_count, 1);
    assert_int_equal(f->graph->k8s->mappings[0]->group_count, 1);
    assert_location(&f->graph->k8s->mappings[0]->location, 6, 17,
                    "data.mapRoles[0]");
}

static void aws_auth_other_namespace(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "apiVersion: v1\nkind: ConfigMap\n"
                                  "metadata: {name: aws-auth}\n"
                                  "data:\n  mapRoles: |\n"
                                  "    - rolearn: arn:aws:iam::1:role/x\n"),
                     NHI_OK);
    assert_null(f->graph->k8s);
}

/* Errors */

static void bad_objects_skipped(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_k8s_read(f->graph, fixture_path("bad.yaml"),
                                  &f->diags),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 6);
    assert_int_equal(f->diags.errors, 6);
    /* Service accounts are read first. */
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 25, 3,
                "ServiceAccount has no metadata.name");
    assert_string_equal(f->diags.items[0].location, "document 4");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 7, 3,
                "'rules' must be a list, not a mapping");
    assert_non_null(f->diags.items[1].hint);
    assert_diag(&f->diags.items[2], NHI_LEVEL_ERROR, 13, 11,
                "'subjects' must be a list, not a scalar");
    assert_diag(&f->diags.items[3], NHI_LEVEL_ERROR, 16, 1,
                "ClusterRoleBinding 'no-role-ref' has no roleRef mapping");
    assert_diag(&f->diags.items[4], NHI_LEVEL_ERROR, 32, 33,
                "'automountServiceAccountToken' must be true or false, not "
                "a quoted string");
    assert_diag(&f->diags.items[5], NHI_LEVEL_ERROR, 35, 12,
                "'env' must be a list, not a mapping");
    for (size_t i = 0; i < f->diags.count; i++) {
        assert_string_equal(f->diags.items[i].path,
                            fixture_path("bad.yaml"));
        assert_non_null(f->diags.items[i].hint);
    }

    /* Only the last object is read. */
    assert_int_equal(f->graph->k8s->role_count, 1);
    assert_string_equal(f->graph->k8s->roles[0]->name, "fine");
    assert_int_equal(f->graph->k8s->binding_count, 0);
    assert_int_equal(f->graph->consumer_count, 0);
    assert_int_equal(f->graph->identity_count, 0);
}

static void missing_namespace_is_default(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "apiVersion: rbac.authorization.k8s.io/v1\n"
                                  "kind: Role\nmetadata: {name: r}\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_string_equal(f->graph->k8s->roles[0]->namespace_, "default");
    assert_int_equal(f->graph->k8s->roles[0]->rule_count, 0);
}

static void unknown_kinds_skipped(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "apiVersion: v1\nkind: Node\nmetadata: {}\n"
                                  "---\napiVersion: example.com/v1\n"
                                  "kind: Widget\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_null(f->graph->k8s);
    assert_int_equal(f->graph->identity_count, 0);
}

static void list_item_errors(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "apiVersion: v1\nkind: List\nitems:\n"
                                  "- 42\n"
                                  "- metadata: {name: x}\n"
                                  "- apiVersion: v1\n  kind: ServiceAccount\n"
                                  "  metadata: {name: ok}\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 4, 3,
                "List item is a scalar, not a Kubernetes object");
    assert_string_equal(f->diags.items[0].location, "items[0]");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 5, 3,
                "Kubernetes object has no kind");
    assert_int_equal(f->graph->identity_count, 1);
    assert_string_equal(f->graph->identities[0]->id,
                        "system:serviceaccount:default:ok");
}

static void items_not_a_list(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "apiVersion: v1\nkind: RoleList\n"
                                  "items: {a: b}\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 3, 8,
                "'items' of a List must be a list, not a mapping");
}

static void wrong_field_types(void **state)
{
    fixture *f = *state;

    assert_int_equal(
        read_text(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
                     "  name: a\n  labels: [x]\n"
                     "  creationTimestamp: yesterday\n"
                     "---\n"
                     "kind: ClusterRole\nmetadata: {name: c}\n"
                     "rules:\n- verbs: get\n- 7\n"
                     "---\n"
                     "kind: ClusterRoleBinding\nmetadata: {name: b}\n"
                     "roleRef: {kind: ClusterRole}\n"
                     "subjects:\n- {kind: ServiceAccount, name: s}\n"
                     "---\n"
                     "kind: Secret\nmetadata: {name: t}\n"
                     "type: kubernetes.io/service-account-token\n"
                     "---\n"
                     "kind: Deployment\nmetadata: {name: d}\nspec: {}\n"),
        NHI_EINPUT);
    assert_int_equal(f->diags.count, 8);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 5, 11,
                "'labels' must be a mapping, not a list");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 6, 22,
                "invalid creationTimestamp 'yesterday'");
    assert_diag(&f->diags.items[2], NHI_LEVEL_ERROR, 11, 10,
                "'verbs' must be a list, not a scalar");
    assert_diag(&f->diags.items[3], NHI_LEVEL_ERROR, 12, 3,
                "rule is a scalar, not a mapping");
    assert_diag(&f->diags.items[4], NHI_LEVEL_ERROR, 16, 10,
                "missing 'name'");
    assert_diag(&f->diags.items[5], NHI_LEVEL_ERROR, 18, 3,
                "ServiceAccount subject 's' has no namespace");
    assert_diag(&f->diags.items[6], NHI_LEVEL_ERROR, 21, 11,
                "token Secret 't' has no "
                "kubernetes.io/service-account.name annotation");
    assert_diag(&f->diags.items[7], NHI_LEVEL_ERROR, 26, 7,
                "Deployment 'd' has no pod spec at 'spec.template.spec'");
    assert_int_equal(f->graph->identity_count, 0);
    assert_int_equal(f->graph->consumer_count, 0);
    assert_int_equal(f->graph->k8s ? f->graph->k8s->role_count : 0, 0);
}

static void syntax_error_reported(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "{\"apiVersion\": \"v1\", \"kind\": "
                                  "\"ServiceAccount\",\n \"metadata\": "
                                  "{\"name\": \"a\"\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.errors, 1);
    assert_int_equal(f->graph->identity_count, 0);
}

static void missing_file_reported(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_k8s_read(f->graph, "/nonexistent/k8s.yaml",
                                  &f->diags),
                     NHI_EINPUT);
    assert_int_equal(f->diags.errors, 1);
    assert_string_equal(f->diags.items[0].path, "/nonexistent/k8s.yaml");
}

static void empty_documents_read(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "---\n---\n# only comments\n"), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_null(f->graph->k8s);
}

/* A container repeated by alias 2000 times, each with 200 env entries,
 * would make the reader visit 400,000 entries from 16 KiB of text. */
static void alias_fan_out_limited(void **state)
{
    fixture *f = *state;
    char *text = malloc(64 * 1024);
    size_t length;

    assert_non_null(text);
    length = (size_t)sprintf(text, "apiVersion: v1\nkind: Pod\n"
                                   "metadata: {name: p}\nspec:\n"
                                   "  containers:\n  - &c {name: a, env: [");
    for (int i = 0; i < 200; i++)
        length += (size_t)sprintf(text + length, "{name: A%d, value: b},", i);
    length += (size_t)sprintf(text + length, "]}\n");
    for (int i = 0; i < 2000; i++)
        length += (size_t)sprintf(text + length, "  - *c\n");

    assert_int_equal(read_text(f, text), NHI_EINPUT);
    free(text);
    assert_int_equal(f->diags.count, 1);
    assert_string_equal(f->diags.items[0].message,
                        "aliases repeat more entries than the reader visits "
                        "for a file of this size");
    assert_int_equal(f->graph->consumer_count, 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, \
                                                   fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(sniff_single_object),
        TEST(sniff_array_of_lists),
        TEST(sniff_rejects_others),
        TEST(sniff_regolibrary_tests),
        TEST(minikube_json_dump),
        TEST(minikube_yaml_dump),
        TEST(minikube_both_dumps_once),
        TEST(minikube_cluster_prefix),
        TEST(risky_roles_catalogue),
        TEST(kube_prometheus_manifests),
        TEST(regolibrary_account_after_deployment),
        TEST(workloads_fold_and_kinds),
        TEST(workloads_service_accounts),
        TEST(workloads_env_literal),
        TEST(service_account_twice),
        TEST(owner_in_other_file),
        TEST(rbac_roles_and_rules),
        TEST(rbac_bindings_and_secrets),
        TEST(config_map_literal),
        TEST(aws_auth_bad_arn),
        TEST(aws_auth_block_scalars),
        TEST(aws_auth_read_twice),
        TEST(aws_auth_inner_errors),
        TEST(aws_auth_json_string),
        TEST(aws_auth_other_namespace),
        TEST(bad_objects_skipped),
        TEST(missing_namespace_is_default),
        TEST(unknown_kinds_skipped),
        TEST(list_item_errors),
        TEST(items_not_a_list),
        TEST(wrong_field_types),
        TEST(syntax_error_reported),
        TEST(missing_file_reported),
        TEST(empty_documents_read),
        TEST(alias_fan_out_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
