/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the edges across providers: a CI job's OIDC token and a
 * service account's IRSA token judged against a role's trust policy, a
 * role taken from a secret, static keys matched to their owner, and
 * aws-auth mappings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"

#define ACCOUNT "111122223333"
#define GITHUB "token.actions.githubusercontent.com"
#define GITHUB_PROVIDER \
    "Federated:arn:aws:iam::111122223333:oidc-provider/" GITHUB
#define GITLAB_PROVIDER \
    "Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com"
#define EKS_ISSUER "oidc.eks.eu-west-1.amazonaws.com/id/AAAA"
#define EKS_PROVIDER \
    "Federated:arn:aws:iam::111122223333:oidc-provider/" EKS_ISSUER
#define WEB_IDENTITY "sts:AssumeRoleWithWebIdentity"

typedef struct fixture {
    nhi_graph *graph;
    nhi_workspace workspace;
    nhi_audit audit;
} fixture;

static int setup(void **state)
{
    static fixture f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(nhi_graph_new(&f.graph), 0);
    nhi_config_init(&f.workspace.config);
    nhi_decl_set_init(&f.workspace.decls);
    f.audit.workspace = &f.workspace;
    f.audit.graph = f.graph;
    f.audit.now = NHI_TIME_UNKNOWN;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    nhi_graph_free(f->graph);
    nhi_config_free(&f->workspace.config);
    return 0;
}

static const char *const web_identity[] = {WEB_IDENTITY};
static const char *const github[] = {GITHUB_PROVIDER};
static const char *const gitlab[] = {GITLAB_PROVIDER};
static const char *const eks[] = {EKS_PROVIDER};

/* A statement for `provider` on AssumeRoleWithWebIdentity. */
static nhi_statement web_statement(bool allow, const char *const *provider,
                                   const char *condition)
{
    nhi_statement statement = {0};

    statement.allow = allow;
    statement.principals = (const char **)provider;
    statement.principal_count = 1;
    statement.actions = (const char **)web_identity;
    statement.action_count = 1;
    statement.condition = condition;
    return statement;
}

/* Add role NAME of ACCOUNT whose trust contains `statements`. */
static nhi_identity *make_role(fixture *f, const char *name,
                               const nhi_statement *statements, size_t count)
{
    nhi_graph *graph = f->graph;
    nhi_identity *role = nhi_graph_alloc(graph, sizeof(*role));
    nhi_policy *trust = nhi_graph_alloc(graph, sizeof(*trust));
    nhi_policy_version *version = nhi_graph_alloc(graph, sizeof(*version));
    nhi_statement *copies = nhi_graph_alloc(graph, count * sizeof(*copies));
    char id[128];

    memcpy(copies, statements, count * sizeof(*copies));
    for (size_t i = 0; i < count; i++)
        copies[i].index = (unsigned)i;
    version->statements = copies;
    version->statement_count = count;
    version->is_default = true;
    version->version_2012 = true;
    snprintf(id, sizeof(id), "arn:aws:iam::%s:role/%s", ACCOUNT, name);
    trust->kind = NHI_POLICY_TRUST;
    trust->name = "AssumeRolePolicyDocument";
    trust->versions = version;
    trust->version_count = 1;
    assert_int_equal(nhi_graph_add_policy(graph, trust), 0);
    role->provider = NHI_PROVIDER_AWS;
    role->kind = NHI_KIND_AWS_ROLE;
    role->id = nhi_graph_intern(graph, id);
    role->name = nhi_graph_intern(graph, name);
    role->account = ACCOUNT;
    role->path = "/";
    role->trust = trust;
    assert_int_equal(nhi_graph_add_identity(graph, role), 0);
    return role;
}

static nhi_consumer *make_job(fixture *f, nhi_consumer_kind kind,
                              const char *repository, const char *job)
{
    nhi_consumer *consumer = nhi_graph_alloc(f->graph, sizeof(*consumer));
    char id[256];

    snprintf(id, sizeof(id), "%s#%s", repository ? repository : "unknown", job);
    consumer->kind = kind;
    consumer->id = nhi_graph_intern(f->graph, id);
    consumer->repository = repository;
    consumer->job = job;
    consumer->id_token = true;
    consumer->automount = -1;
    assert_int_equal(nhi_graph_add_consumer(f->graph, consumer), 0);
    return consumer;
}

static void set_triggers(fixture *f, nhi_consumer *job, const char *trigger,
                         const char *branch)
{
    const char **triggers = nhi_graph_alloc(f->graph, sizeof(char *));
    triggers[0] = trigger;
    job->triggers = triggers;
    job->trigger_count = 1;
    if (branch) {
        const char **branches = nhi_graph_alloc(f->graph, sizeof(char *));
        branches[0] = branch;
        job->branches = branches;
        job->branch_count = 1;
    }
}

static void add_role_login(fixture *f, nhi_consumer *job, const char *target,
                           bool expression)
{
    nhi_login login = {0};

    login.kind = NHI_LOGIN_AWS_ROLE;
    login.target = target;
    login.target_expression = expression;
    login.location.line = 10 + (unsigned)job->login_count;
    assert_int_equal(nhi_consumer_add_login(f->graph, job, &login), 0);
}

static void link(fixture *f)
{
    assert_int_equal(nhi_audit_link(&f->audit), NHI_OK);
}

/* The only edge from consumer or identity `from` to `to`, or NULL. */
static const nhi_edge *edge_between(const fixture *f, nhi_node_kind from_kind,
                                    size_t from, size_t to)
{
    const nhi_edge *found = NULL;

    for (size_t e = 0; e < f->graph->edge_count; e++) {
        const nhi_edge *edge = &f->graph->edges[e];
        if (edge->from_kind == from_kind && edge->from == from &&
            edge->to_kind == NHI_NODE_IDENTITY && edge->to == to) {
            assert_null(found);
            found = edge;
        }
    }
    return found;
}

#define MAIN_ONLY                                                         \
    "{\"StringEquals\":{\"" GITHUB ":aud\":\"sts.amazonaws.com\",\"" GITHUB \
    ":sub\":\"repo:acme/app:ref:refs/heads/main\"}}"

static void github_push_to_main_valid(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");
    const nhi_edge *edge;

    set_triggers(f, job, "push", "main");
    add_role_login(f, job, role->id, false);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, role->index);
    assert_non_null(edge);
    assert_string_equal(edge->kind, "oidc");
    assert_true(edge->valid);
    assert_false(edge->possible);
    assert_int_equal(edge->location.line, 10);
}

/* Without id-token: write, GitHub gives the job no token to present. */
static void github_without_id_token_invalid(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");
    const nhi_edge *edge;

    job->id_token = false;
    set_triggers(f, job, "push", "main");
    add_role_login(f, job, role->id, false);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, role->index);
    assert_false(edge->valid);
    assert_non_null(strstr(edge->detail, "id-token: write"));
}

static void github_pull_request_invalid(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "pr");
    const nhi_edge *edge;

    set_triggers(f, job, "pull_request", NULL);
    add_role_login(f, job, role->id, false);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, role->index);
    assert_non_null(edge);
    assert_false(edge->valid);
    assert_non_null(strstr(edge->detail, "repo:acme/app:pull_request"));
}

/* A job started by hand runs on any branch: a trust that admits main
 * only admits some of its runs. */
static void github_any_branch_possible(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "b");
    const nhi_edge *edge;

    set_triggers(f, job, "workflow_dispatch", NULL);
    add_role_login(f, job, role->id, false);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, role->index);
    assert_true(edge->valid);
    assert_true(edge->possible);
}

static void github_environment_subject(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(
        true, github,
        "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:acme/app:environment:prod*\"}}");
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *prod = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "p");
    nhi_consumer *stage = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "s");

    prod->deployment = "production";
    stage->deployment = "staging";
    set_triggers(f, prod, "push", "main");
    set_triggers(f, stage, "push", "main");
    add_role_login(f, prod, role->id, false);
    add_role_login(f, stage, role->id, false);
    link(f);
    assert_true(edge_between(f, NHI_NODE_CONSUMER, prod->index, role->index)->valid);
    assert_false(edge_between(f, NHI_NODE_CONSUMER, stage->index, role->index)->valid);
}

static void github_wrong_audience_invalid(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(
        true, github,
        "{\"StringEquals\":{\"" GITHUB ":aud\":\"https://example.com\"}}");
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");

    set_triggers(f, job, "push", "main");
    add_role_login(f, job, role->id, false);
    link(f);
    assert_false(edge_between(f, NHI_NODE_CONSUMER, job->index, role->index)->valid);
}

static void github_deny_statement_blocks(void **state)
{
    fixture *f = *state;
    nhi_statement trust[2] = {
        web_statement(true, github,
                      "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:acme/app:*\"}}"),
        web_statement(false, github,
                      "{\"StringEquals\":{\"" GITHUB
                      ":sub\":\"repo:acme/app:pull_request\"}}")};
    nhi_identity *role = make_role(f, "deploy", trust, 2);
    nhi_consumer *push = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");
    nhi_consumer *pr = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "pr");

    set_triggers(f, push, "push", "main");
    set_triggers(f, pr, "pull_request", NULL);
    add_role_login(f, push, role->id, false);
    add_role_login(f, pr, role->id, false);
    link(f);
    assert_true(edge_between(f, NHI_NODE_CONSUMER, push->index, role->index)->valid);
    assert_false(edge_between(f, NHI_NODE_CONSUMER, pr->index, role->index)->valid);
}

/* role-to-assume from a secret: every role that admits the job may be
 * the one, and only those. */
static void github_role_from_secret(void **state)
{
    fixture *f = *state;
    nhi_statement ours = web_statement(
        true, github,
        "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:acme/app:*\"}}");
    nhi_statement theirs = web_statement(
        true, github,
        "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:other/repo:*\"}}");
    nhi_identity *admits = make_role(f, "ours", &ours, 1);
    nhi_identity *rejecting = make_role(f, "theirs", &theirs, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");
    const nhi_edge *edge;

    set_triggers(f, job, "push", "main");
    add_role_login(f, job, "${{ secrets.ROLE }}", true);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, admits->index);
    assert_non_null(edge);
    assert_true(edge->valid);
    assert_true(edge->possible);
    assert_null(edge_between(f, NHI_NODE_CONSUMER, job->index, rejecting->index));
}

/* Without a repository the subject is a pattern: possible at most. */
static void github_unknown_repository(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, NULL, "a");
    const nhi_edge *edge;

    set_triggers(f, job, "push", "main");
    add_role_login(f, job, role->id, false);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, role->index);
    assert_true(edge->valid);
    assert_true(edge->possible);
}

static void gitlab_branch_subject(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(
        true, gitlab,
        "{\"StringLike\":{\"gitlab.com:sub\":"
        "\"project_path:acme/app:ref_type:branch:ref:release/*\"}}");
    nhi_identity *role = make_role(f, "deploy", &trust, 1);
    nhi_consumer *release = make_job(f, NHI_CONSUMER_GITLAB_JOB, "acme/app", "r");
    nhi_consumer *develop = make_job(f, NHI_CONSUMER_GITLAB_JOB, "acme/app", "d");
    nhi_consumer *any = make_job(f, NHI_CONSUMER_GITLAB_JOB, "acme/app", "x");
    const char **branch = nhi_graph_alloc(f->graph, sizeof(char *));
    const char **other = nhi_graph_alloc(f->graph, sizeof(char *));

    branch[0] = "release/2.0";
    other[0] = "develop";
    release->branches = branch;
    release->branch_count = 1;
    develop->branches = other;
    develop->branch_count = 1;
    add_role_login(f, release, role->id, false);
    add_role_login(f, develop, role->id, false);
    add_role_login(f, any, role->id, false);
    link(f);
    assert_true(edge_between(f, NHI_NODE_CONSUMER, release->index, role->index)->valid);
    assert_false(edge_between(f, NHI_NODE_CONSUMER, release->index, role->index)->possible);
    assert_false(edge_between(f, NHI_NODE_CONSUMER, develop->index, role->index)->valid);
    assert_true(edge_between(f, NHI_NODE_CONSUMER, any->index, role->index)->possible);
}

static nhi_identity *make_account(fixture *f, const char *namespace_,
                                  const char *name, const char *role_arn)
{
    nhi_identity *account = nhi_graph_alloc(f->graph, sizeof(*account));
    char id[256];

    snprintf(id, sizeof(id), "system:serviceaccount:%s:%s", namespace_, name);
    account->provider = NHI_PROVIDER_KUBERNETES;
    account->kind = NHI_KIND_K8S_SERVICE_ACCOUNT;
    account->id = nhi_graph_intern(f->graph, id);
    account->name = name;
    account->path = namespace_;
    account->automount = -1;
    account->irsa_role = role_arn;
    assert_int_equal(nhi_graph_add_identity(f->graph, account), 0);
    return account;
}

#define IRSA_TRUST                                                         \
    "{\"StringEquals\":{\"" EKS_ISSUER ":sub\":"                           \
    "\"system:serviceaccount:shop:api\",\"" EKS_ISSUER                     \
    ":aud\":\"sts.amazonaws.com\"}}"

/* The describe-cluster output of cluster `shop`. */
static void add_issuer(fixture *f)
{
    nhi_eks_cluster *cluster = nhi_graph_alloc(f->graph, sizeof(*cluster));

    cluster->name = "shop";
    cluster->oidc_issuer = "https://" EKS_ISSUER;
    assert_int_equal(nhi_k8s_add_cluster(f->graph, cluster), 0);
}

static void irsa_subject_matches(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, eks, IRSA_TRUST);
    nhi_identity *role = make_role(f, "api", &trust, 1);
    nhi_identity *api = make_account(f, "shop", "api", role->id);
    nhi_identity *other = make_account(f, "shop", "worker", role->id);
    const nhi_edge *edge;

    api->account = "shop"; /* nhi.yaml names the cluster of the export */
    other->account = "shop";
    add_issuer(f);
    link(f);
    edge = edge_between(f, NHI_NODE_IDENTITY, api->index, role->index);
    assert_string_equal(edge->kind, "irsa");
    assert_true(edge->valid);
    assert_false(edge->possible);
    edge = edge_between(f, NHI_NODE_IDENTITY, other->index, role->index);
    assert_false(edge->valid);
}

/* An export of no named cluster: even one describe-cluster output does
 * not say it is that cluster's. */
static void irsa_unknown_issuer_possible(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, eks, IRSA_TRUST);
    nhi_identity *role = make_role(f, "api", &trust, 1);
    nhi_identity *api = make_account(f, "shop", "api", role->id);
    const nhi_edge *edge;

    add_issuer(f);
    link(f);
    edge = edge_between(f, NHI_NODE_IDENTITY, api->index, role->index);
    assert_true(edge->valid);
    assert_true(edge->possible);
    assert_non_null(strstr(edge->detail, "OIDC issuer is not known"));
}

static void static_key_by_key_id(void **state)
{
    fixture *f = *state;
    nhi_identity *user = nhi_graph_alloc(f->graph, sizeof(*user));
    nhi_credential *key = nhi_graph_alloc(f->graph, sizeof(*key));
    nhi_consumer *job = make_job(f, NHI_CONSUMER_GITHUB_JOB, "acme/app", "a");
    nhi_login login = {0};
    const nhi_edge *edge;

    user->provider = NHI_PROVIDER_AWS;
    user->kind = NHI_KIND_AWS_USER;
    user->id = "arn:aws:iam::111122223333:user/uploader";
    user->name = "uploader";
    assert_int_equal(nhi_graph_add_identity(f->graph, user), 0);
    key->kind = NHI_CREDENTIAL_ACCESS_KEY;
    key->identity = user;
    key->key_id = "AKIAEXAMPLE000000777";
    key->active = true;
    assert_int_equal(nhi_graph_add_credential(f->graph, key), 0);
    login.kind = NHI_LOGIN_AWS_KEY;
    login.key_id = "AKIAEXAMPLE000000777";
    assert_int_equal(nhi_consumer_add_login(f->graph, job, &login), 0);
    link(f);
    edge = edge_between(f, NHI_NODE_CONSUMER, job->index, user->index);
    assert_string_equal(edge->kind, "static-key");
    assert_true(edge->valid);
    assert_false(edge->possible);
}

/* aws-auth writes a role's ARN without its path. */
static void aws_auth_without_path(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    /* The role's path is /ci/: its ARN is ...:role/ci/deploy. */
    nhi_identity *role = make_role(f, "ci/deploy", &trust, 1);
    nhi_k8s_mapping *mapping = nhi_graph_alloc(f->graph, sizeof(*mapping));
    const char **groups = nhi_graph_alloc(f->graph, sizeof(char *));
    size_t found = 0;

    role->name = "deploy";
    role->path = "/ci/";
    assert_string_equal(role->id, "arn:aws:iam::111122223333:role/ci/deploy");
    groups[0] = "deployers";
    mapping->arn = "arn:aws:iam::111122223333:role/deploy";
    mapping->groups = groups;
    mapping->group_count = 1;
    mapping->source = "aws-auth";
    assert_int_equal(nhi_k8s_add_mapping(f->graph, mapping), 0);
    link(f);
    for (size_t e = 0; e < f->graph->edge_count; e++) {
        const nhi_edge *edge = &f->graph->edges[e];
        if (edge->to_kind != NHI_NODE_K8S_SUBJECT)
            continue;
        assert_int_equal(edge->from, role->index);
        assert_string_equal(edge->to_label, "group:deployers");
        found++;
    }
    assert_int_equal(found, 1);
}

/* An aws-auth entry written with the role's path never matches. */
static void aws_auth_with_path_invalid(void **state)
{
    fixture *f = *state;
    nhi_statement trust = web_statement(true, github, MAIN_ONLY);
    nhi_identity *role = make_role(f, "ci/deploy", &trust, 1);
    nhi_k8s_mapping *mapping = nhi_graph_alloc(f->graph, sizeof(*mapping));
    const char **groups = nhi_graph_alloc(f->graph, sizeof(char *));

    role->name = "deploy";
    groups[0] = "deployers";
    mapping->arn = "arn:aws:iam::111122223333:role/ci/deploy";
    mapping->groups = groups;
    mapping->group_count = 1;
    mapping->source = "aws-auth";
    assert_int_equal(nhi_k8s_add_mapping(f->graph, mapping), 0);
    link(f);
    assert_int_equal(f->graph->edge_count, 1);
    assert_false(f->graph->edges[0].valid);
    assert_non_null(strstr(f->graph->edges[0].detail, "without their path"));
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(github_push_to_main_valid),
        TEST(github_pull_request_invalid),
        TEST(github_without_id_token_invalid),
        TEST(github_any_branch_possible),
        TEST(github_environment_subject),
        TEST(github_wrong_audience_invalid),
        TEST(github_deny_statement_blocks),
        TEST(github_role_from_secret),
        TEST(github_unknown_repository),
        TEST(gitlab_branch_subject),
        TEST(irsa_subject_matches),
        TEST(irsa_unknown_issuer_possible),
        TEST(static_key_by_key_id),
        TEST(aws_auth_without_path),
        TEST(aws_auth_with_path_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
