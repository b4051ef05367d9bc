/* SPDX-License-Identifier: MIT */
/* Unit tests for the reader of `aws iam get-account-authorization-details`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/aws.h"
#include "nhi/graph.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/*
 * The fixtures are under NHI_FIXTURES (the tests/fixtures folder), else
 * found from this source file. The shared corpus is under NHI_CORPUS, else
 * at ../shared/corpus beside the source tree. __FILE__ is relative to the
 * compiler's directory, which is also where the tests run, both by hand
 * from the source root and under meson from the build root.
 */
static void source_relative(char *buffer, size_t size, const char *variable,
                            const char *relative, const char *name)
{
    const char *root = getenv(variable);
    const char *slash = strrchr(__FILE__, '/');
    int directory = slash ? (int)(slash - __FILE__) : 1;

    if (root && root[0] != '\0')
        snprintf(buffer, size, "%s/%s", root, name);
    else
        snprintf(buffer, size, "%.*s/%s/%s", directory, slash ? __FILE__ : ".",
                 relative, name);
}

static void fixture_path(char *buffer, size_t size, const char *name)
{
    char relative[256];

    snprintf(relative, sizeof(relative), "aws/%s", name);
    source_relative(buffer, size, "NHI_FIXTURES", "../fixtures", relative);
}

typedef struct read_state {
    nhi_graph *graph;
    nhi_diags diags;
    int result;
    char path[4096];
} read_state;

static read_state *read_fixture(const char *name)
{
    read_state *state = calloc(1, sizeof(*state));

    assert_non_null(state);
    fixture_path(state->path, sizeof(state->path), name);
    nhi_diags_init(&state->diags);
    assert_int_equal(nhi_graph_new(&state->graph), NHI_OK);
    state->result =
        nhi_aws_read_authz(state->graph, state->path, &state->diags);
    return state;
}

static void free_state(read_state *state)
{
    nhi_graph_free(state->graph);
    nhi_diags_free(&state->diags);
    free(state);
}

static void print_diags(const nhi_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        const nhi_error *error = &diags->items[i];
        print_message("%s:%u:%u: %s [%s]\n", error->path, error->line,
                      error->column, error->message,
                      error->location ? error->location : "");
    }
}

static void assert_no_diags(const read_state *state)
{
    if (state->diags.count != 0)
        print_diags(&state->diags);
    assert_int_equal(state->diags.count, 0);
    assert_int_equal(state->result, NHI_OK);
}

/* The diagnostic whose JSON path is `location`. Fails when there is none. */
static const nhi_error *diag_at(const nhi_diags *diags, const char *location)
{
    for (size_t i = 0; i < diags->count; i++)
        if (diags->items[i].location &&
            strcmp(diags->items[i].location, location) == 0)
            return &diags->items[i];
    print_diags(diags);
    fail_msg("no diagnostic at %s", location);
    return NULL;
}

static size_t count_kind(const nhi_graph *graph, nhi_identity_kind kind)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->identity_count; i++)
        if (graph->identities[i]->kind == kind)
            count++;
    return count;
}

static size_t count_managed(const nhi_graph *graph)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->policy_count; i++)
        if (graph->policies[i]->kind == NHI_POLICY_MANAGED)
            count++;
    return count;
}

static const nhi_policy_version *default_version(const nhi_policy *policy)
{
    assert_true(policy->default_version < policy->version_count);
    return &policy->versions[policy->default_version];
}

static const nhi_identity *find_identity(const read_state *state,
                                         const char *arn)
{
    const nhi_identity *identity = nhi_graph_find_identity(state->graph, arn);

    if (identity == NULL)
        fail_msg("identity %s not found", arn);
    return identity;
}

static void authz_user_fields(void **unused)
{
    read_state *state = read_fixture("users_groups.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/ci/deployer");

    (void)unused;
    assert_no_diags(state);
    assert_int_equal(state->graph->identity_count, 1);
    assert_int_equal(user->provider, NHI_PROVIDER_AWS);
    assert_int_equal(user->kind, NHI_KIND_AWS_USER);
    assert_string_equal(user->name, "deployer");
    assert_string_equal(user->account, "111122223333");
    assert_string_equal(user->path, "/ci/");
    assert_string_equal(user->unique_id, "AIDAEXAMPLE000000001");
    assert_int_equal(user->created, 1548439979); /* 2019-01-25T18:12:59Z */
    assert_true(user->last_used == NHI_TIME_UNKNOWN);
    assert_int_equal(user->tag_count, 1);
    assert_string_equal(user->tags[0].key, "team");
    assert_string_equal(user->tags[0].value, "platform");
    assert_int_equal(user->group_count, 1);
    assert_string_equal(user->groups[0], "builders");
    assert_int_equal(user->class_, NHI_CLASS_UNKNOWN);
    assert_null(user->environment);
    assert_int_equal(user->declaration, -1);
    assert_null(user->trust);

    assert_string_equal(user->location.source, state->path);
    assert_int_equal(user->location.line, 3);
    assert_int_equal(user->location.column, 9);
    assert_string_equal(user->location.json_path, "UserDetailList[0]");
    free_state(state);
}

/* Own inline, own managed, then the group's inline and managed policies. */
static void authz_group_policies_reach_user(void **unused)
{
    read_state *state = read_fixture("users_groups.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/ci/deployer");
    const nhi_group *group =
        nhi_graph_find_group(state->graph, "111122223333", "builders");
    const nhi_attachment *policies = user->policies;

    (void)unused;
    assert_no_diags(state);
    assert_int_equal(user->policy_count, 4);

    assert_string_equal(policies[0].policy->name, "read-logs");
    assert_int_equal(policies[0].policy->kind, NHI_POLICY_INLINE);
    assert_ptr_equal(policies[0].policy->owner, user->id);
    assert_null(policies[0].via_group);

    assert_string_equal(policies[1].policy->arn,
                        "arn:aws:iam::111122223333:policy/deploy");
    assert_null(policies[1].via_group);

    assert_string_equal(policies[2].policy->name, "build-artifacts");
    assert_int_equal(policies[2].policy->kind, NHI_POLICY_INLINE);
    assert_string_equal(policies[2].policy->owner,
                        "arn:aws:iam::111122223333:group/builders");
    assert_string_equal(policies[2].via_group, "builders");

    assert_string_equal(policies[3].policy->arn,
                        "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_true(policies[3].policy->aws_managed);
    assert_string_equal(policies[3].via_group, "builders");

    assert_non_null(group);
    assert_string_equal(group->arn, "arn:aws:iam::111122223333:group/builders");
    assert_string_equal(group->path, "/");
    assert_int_equal(group->policy_count, 2);
    assert_ptr_equal(group->policies[0].policy, policies[2].policy);
    assert_ptr_equal(group->policies[1].policy, policies[3].policy);
    assert_null(group->policies[0].via_group);
    assert_int_equal(group->missing_count, 0);
    assert_int_equal(group->location.line, 44);
    assert_string_equal(group->location.json_path, "GroupDetailList[0]");
    free_state(state);
}

static void authz_inline_policy_statements(void **unused)
{
    read_state *state = read_fixture("users_groups.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/ci/deployer");
    const nhi_policy *inline_policy = user->policies[0].policy;
    const nhi_policy *group_policy = user->policies[2].policy;
    const nhi_policy_version *version;
    const nhi_statement *statement;

    (void)unused;
    assert_no_diags(state);
    assert_null(inline_policy->arn);
    assert_int_equal(inline_policy->version_count, 1);
    assert_int_equal(inline_policy->default_version, 0);
    assert_string_equal(inline_policy->location.json_path,
                        "UserDetailList[0].UserPolicyList[0]");
    assert_int_equal(inline_policy->location.line, 3);

    version = default_version(inline_policy);
    assert_true(version->is_default);
    assert_true(version->version_2012);
    assert_false(version->invalid);
    assert_int_equal(version->statement_count, 1);
    statement = &version->statements[0];
    assert_true(statement->allow);
    assert_false(statement->not_action);
    assert_int_equal(statement->action_count, 1);
    assert_string_equal(statement->actions[0], "logs:GetLogEvents");
    assert_int_equal(statement->resource_count, 1);
    assert_string_equal(statement->resources[0], "*");
    assert_int_equal(statement->principal_count, 0);
    assert_null(statement->sid);
    assert_null(statement->condition);

    statement = &default_version(group_policy)->statements[0];
    assert_int_equal(statement->action_count, 2);
    assert_string_equal(statement->actions[0], "s3:GetObject");
    assert_string_equal(statement->actions[1], "s3:PutObject");
    assert_string_equal(statement->resources[0], "arn:aws:s3:::artifacts/*");
    free_state(state);
}

static void authz_boundary_and_accounts(void **unused)
{
    read_state *state = read_fixture("users_groups.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/ci/deployer");
    const nhi_policy *boundary;

    (void)unused;
    assert_no_diags(state);
    assert_string_equal(user->boundary_arn,
                        "arn:aws:iam::111122223333:policy/boundary");
    boundary = nhi_graph_find_policy(state->graph, user->boundary_arn);
    assert_non_null(boundary);
    assert_ptr_equal(user->boundary, boundary);
    assert_true(default_version(boundary)->statements[0].not_action);

    /* `aws` in AWS managed policy ARNs is not an account. */
    assert_int_equal(state->graph->account_count, 1);
    assert_string_equal(state->graph->accounts[0], "111122223333");
    /* Three managed policies, and the user's and the group's inline one. */
    assert_int_equal(state->graph->policy_count, 5);
    assert_int_equal(count_managed(state->graph), 3);
    free_state(state);
}

static void authz_role_fields(void **unused)
{
    read_state *state = read_fixture("roles_trust.json");
    const nhi_identity *role = find_identity(
        state, "arn:aws:iam::111122223333:role/service-role/builder");
    const nhi_policy *inline_policy;

    (void)unused;
    assert_no_diags(state);
    assert_int_equal(count_kind(state->graph, NHI_KIND_AWS_ROLE), 2);
    assert_int_equal(role->kind, NHI_KIND_AWS_ROLE);
    assert_string_equal(role->name, "builder");
    assert_string_equal(role->path, "/service-role/");
    assert_string_equal(role->unique_id, "AROAEXAMPLE000000001");
    assert_int_equal(role->created, 1583056800);   /* 2020-03-01T10:00:00Z */
    assert_int_equal(role->last_used, 1714566600); /* 2024-05-01T12:30:00Z */
    assert_string_equal(role->last_used_region, "eu-west-1");
    assert_int_equal(role->instance_profile_count, 1);
    assert_string_equal(role->instance_profiles[0], "builder-profile");
    assert_int_equal(role->tag_count, 1);
    assert_string_equal(role->tags[0].key, "environment");
    assert_string_equal(role->tags[0].value, "production");
    assert_int_equal(role->group_count, 0);
    assert_null(role->boundary_arn);

    assert_int_equal(role->policy_count, 1);
    inline_policy = role->policies[0].policy;
    assert_string_equal(inline_policy->name, "no-secrets");
    assert_false(default_version(inline_policy)->version_2012);
    assert_false(default_version(inline_policy)->statements[0].allow);
    assert_true(default_version(inline_policy)->statements[0].not_resource);
    assert_int_equal(
        default_version(inline_policy)->statements[0].resource_count, 1);
    free_state(state);
}

static void authz_trust_principals(void **unused)
{
    read_state *state = read_fixture("roles_trust.json");
    const nhi_identity *role = find_identity(
        state, "arn:aws:iam::111122223333:role/service-role/builder");
    const nhi_policy_version *trust;
    const nhi_statement *statements;

    (void)unused;
    assert_no_diags(state);
    assert_non_null(role->trust);
    assert_int_equal(role->trust->kind, NHI_POLICY_TRUST);
    assert_ptr_equal(role->trust->owner, role->id);
    assert_string_equal(role->trust->location.json_path,
                        "RoleDetailList[0].AssumeRolePolicyDocument");
    trust = default_version(role->trust);
    assert_int_equal(trust->statement_count, 3);
    statements = trust->statements;

    assert_int_equal(statements[0].principal_count, 1);
    assert_string_equal(statements[0].principals[0],
                        "Service:ec2.amazonaws.com");
    assert_int_equal(statements[0].resource_count, 0);

    assert_string_equal(statements[1].sid, "CrossAccount");
    assert_int_equal(statements[1].principal_count, 3);
    assert_string_equal(statements[1].principals[0],
                        "AWS:arn:aws:iam::444455556666:root");
    assert_string_equal(statements[1].principals[1],
                        "AWS:arn:aws:iam::111122223333:role/ci");
    assert_string_equal(statements[1].principals[2],
                        "Federated:arn:aws:iam::111122223333:saml-provider/"
                        "corp");
    assert_int_equal(statements[1].action_count, 2);
    assert_string_equal(statements[1].actions[1], "sts:TagSession");
    /* Compact, with the keys sorted. */
    assert_string_equal(statements[1].condition,
                        "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"},"
                        "\"StringEquals\":{\"sts:ExternalId\":\"build-42\"}}");

    assert_false(statements[2].allow);
    assert_true(statements[2].not_principal);
    assert_string_equal(statements[2].principals[0],
                        "CanonicalUser:79a59df900b949e55d96a1e698fbacedfd6e09d9"
                        "8eacf8f8d5218e7cd47ef2be");
    free_state(state);
}

/* The raw IAM API returns documents URL-encoded. */
static void authz_trust_url_encoded(void **unused)
{
    read_state *state = read_fixture("roles_trust.json");
    const nhi_identity *role =
        find_identity(state, "arn:aws:iam::111122223333:role/public");
    const nhi_policy_version *trust;

    (void)unused;
    assert_no_diags(state);
    assert_string_equal(role->path, "/");
    assert_true(role->created == NHI_TIME_UNKNOWN);
    assert_true(role->last_used == NHI_TIME_UNKNOWN);
    assert_null(role->last_used_region);
    assert_int_equal(role->instance_profile_count, 0);
    assert_int_equal(role->policy_count, 0);

    trust = default_version(role->trust);
    assert_true(trust->version_2012);
    assert_int_equal(trust->statement_count, 1);
    assert_int_equal(trust->statements[0].principal_count, 1);
    assert_string_equal(trust->statements[0].principals[0], "*");
    assert_string_equal(trust->statements[0].actions[0], "sts:AssumeRole");
    free_state(state);
}

static void authz_policy_versions(void **unused)
{
    read_state *state = read_fixture("policy_versions.json");
    const nhi_policy *policy = nhi_graph_find_policy(
        state->graph, "arn:aws:iam::111122223333:policy/ci/ci-deploy");

    (void)unused;
    assert_no_diags(state);
    assert_non_null(policy);
    assert_int_equal(policy->kind, NHI_POLICY_MANAGED);
    assert_string_equal(policy->name, "ci-deploy");
    assert_false(policy->aws_managed);
    assert_null(policy->owner);
    assert_int_equal(policy->location.line, 3);
    assert_int_equal(policy->location.column, 9);
    assert_string_equal(policy->location.json_path, "Policies[0]");

    assert_int_equal(policy->version_count, 3);
    assert_int_equal(policy->default_version, 1);
    assert_string_equal(policy->versions[0].version_id, "v3");
    assert_string_equal(policy->versions[1].version_id, "v2");
    assert_string_equal(policy->versions[2].version_id, "v1");
    assert_false(policy->versions[0].is_default);
    assert_true(policy->versions[1].is_default);
    assert_false(policy->versions[2].is_default);
    assert_int_equal(policy->versions[0].created, 1630486800);
    assert_int_equal(policy->versions[1].created, 1627808400);

    assert_int_equal(policy->versions[0].statement_count, 1);
    assert_string_equal(policy->versions[0].statements[0].actions[0], "*");
    assert_int_equal(policy->versions[1].statement_count, 2);
    assert_string_equal(policy->versions[1].statements[0].sid, "Deploy");
    assert_int_equal(policy->versions[1].statements[1].index, 1);
    /* v1 has no Version and one Statement object. */
    assert_false(policy->versions[2].version_2012);
    assert_int_equal(policy->versions[2].statement_count, 1);
    assert_int_equal(state->graph->identity_count, 0);
    free_state(state);
}

static void authz_missing_policies(void **unused)
{
    read_state *state = read_fixture("missing_policies.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/batch");
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 1);

    /* The user's group is not in the export either. */
    error = diag_at(&state->diags, "UserDetailList[0].GroupList[0]");
    assert_int_equal(error->level, NHI_LEVEL_WARNING);
    assert_int_equal(error->line, 3);
    assert_string_equal(error->message,
                        "group 'contractors' of user "
                        "arn:aws:iam::111122223333:user/batch not found in "
                        "the export; its policies are not included");
    assert_int_equal(user->group_count, 1);
    assert_string_equal(user->groups[0], "contractors");

    assert_int_equal(user->policy_count, 1);
    assert_string_equal(user->policies[0].policy->arn,
                        "arn:aws:iam::111122223333:policy/batch-jobs");
    assert_int_equal(user->missing_count, 1);
    assert_string_equal(user->missing_policies[0],
                        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    assert_string_equal(user->boundary_arn,
                        "arn:aws:iam::111122223333:policy/missing-boundary");
    assert_null(user->boundary);
    free_state(state);
}

static void authz_url_encoded_documents(void **unused)
{
    read_state *state = read_fixture("url_encoded.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/queue-worker");
    const nhi_policy_version *valid, *broken;
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_int_equal(user->policy_count, 2);

    valid = default_version(user->policies[0].policy);
    assert_false(valid->invalid);
    assert_true(valid->version_2012);
    assert_int_equal(valid->statement_count, 1);
    assert_int_equal(valid->statements[0].action_count, 2);
    assert_string_equal(valid->statements[0].actions[0], "sqs:SendMessage");
    assert_string_equal(valid->statements[0].actions[1], "sqs:ReceiveMessage");
    assert_string_equal(valid->statements[0].resources[0],
                        "arn:aws:sqs:eu-west-1:111122223333:jobs");

    broken = default_version(user->policies[1].policy);
    assert_true(broken->invalid);
    assert_int_equal(broken->statement_count, 0);

    /* The decoded document lacks a comma before "Action", which ends at
     * its character 63. */
    error = diag_at(&state->diags,
                    "UserDetailList[0].UserPolicyList[1].PolicyDocument");
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_int_equal(error->line, 3);
    assert_int_equal(error->column, 9);
    assert_string_equal(error->message,
                        "invalid policy document: not valid JSON after "
                        "URL-decoding: 1:63: '}' expected near '\"Action\"'");
    assert_non_null(error->hint);
    free_state(state);
}

static void authz_bad_statements_left_out(void **unused)
{
    read_state *state = read_fixture("bad_statements.json");
    const nhi_identity *user =
        find_identity(state, "arn:aws:iam::111122223333:user/reporter");
    const char *prefix = "UserDetailList[0].UserPolicyList[0].PolicyDocument";
    const nhi_policy_version *version;
    const nhi_error *error;
    char location[128];

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.errors, 5);
    assert_int_equal(user->policy_count, 2);

    version = default_version(user->policies[0].policy);
    assert_false(version->invalid);
    assert_int_equal(version->statement_count, 2);
    assert_int_equal(version->statements[0].index, 0);
    assert_int_equal(version->statements[1].index, 4);
    assert_true(version->statements[1].not_action);
    assert_true(version->statements[1].not_resource);
    assert_int_equal(version->statements[1].action_count, 2);
    /* An empty Condition block has no conditions. */
    assert_null(version->statements[1].condition);

    snprintf(location, sizeof(location), "%s.Statement[1]", prefix);
    error = diag_at(&state->diags, location);
    assert_string_equal(error->message,
                        "invalid statement: unknown field 'Effects'");
    assert_string_equal(error->hint,
                        "did you mean 'Effect'? This statement was left out");
    assert_int_equal(error->line, 3);
    assert_int_equal(error->column, 9);

    snprintf(location, sizeof(location), "%s.Statement[2]", prefix);
    assert_string_equal(diag_at(&state->diags, location)->message,
                        "invalid Effect 'Alow': expected Allow or Deny");
    snprintf(location, sizeof(location), "%s.Statement[3]", prefix);
    assert_string_equal(diag_at(&state->diags, location)->message,
                        "missing Action or NotAction in statement");

    /* An unknown document key is reported, and the statements still read. */
    version = default_version(user->policies[1].policy);
    assert_int_equal(version->statement_count, 1);
    error = diag_at(&state->diags,
                    "UserDetailList[0].UserPolicyList[1].PolicyDocument");
    assert_string_equal(error->message,
                        "invalid policy document: unknown key 'Comment'");
    free_state(state);
}

static void authz_bad_arn_left_out(void **unused)
{
    read_state *state = read_fixture("bad_arn.json");
    const nhi_identity *worker =
        find_identity(state, "arn:aws:iam::111122223333:role/worker");
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.errors, 3);
    assert_int_equal(state->graph->identity_count, 1);

    error = diag_at(&state->diags, "RoleDetailList[0].Arn");
    assert_int_equal(error->line, 3);
    assert_int_equal(error->column, 9);
    assert_non_null(strstr(error->message, "'arn:aws:iam::1234:role/short'"));

    /* A role ARN in UserDetailList is not a user ARN. */
    error = diag_at(&state->diags, "UserDetailList[0].Arn");
    assert_int_equal(error->line, 43);

    /* An attached ARN that does not parse is kept as a missing policy. */
    diag_at(&state->diags, "RoleDetailList[1].AttachedManagedPolicies[0]");
    assert_int_equal(worker->policy_count, 0);
    assert_int_equal(worker->missing_count, 1);
    assert_string_equal(worker->missing_policies[0],
                        "arn:aws:iam::111122223333:policy/");
    free_state(state);
}

static void authz_is_truncated_warning(void **unused)
{
    read_state *state = read_fixture("is_truncated.json");
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 1);
    assert_int_equal(state->diags.errors, 0);
    error = &state->diags.items[0];
    assert_int_equal(error->level, NHI_LEVEL_WARNING);
    assert_int_equal(error->line, 15);
    assert_int_equal(error->column, 5);
    assert_non_null(strstr(error->message, "only the first page"));
    assert_non_null(strstr(error->hint, "--max-items"));
    assert_int_equal(state->graph->identity_count, 1);
    free_state(state);

    /* The AWS CLI prints NextToken when --max-items cut its output. */
    state = read_fixture("next_token.json");
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 1);
    error = diag_at(&state->diags, "NextToken");
    assert_int_equal(error->level, NHI_LEVEL_WARNING);
    assert_int_equal(error->line, 6);
    assert_int_equal(error->column, 5);
    assert_non_null(strstr(error->message, "NextToken is set"));
    free_state(state);
}

static void authz_default_version_choice(void **unused)
{
    read_state *state = read_fixture("default_version.json");
    const nhi_policy *conflicting = nhi_graph_find_policy(
        state->graph, "arn:aws:iam::111122223333:policy/conflicting");
    const nhi_identity *role =
        find_identity(state, "arn:aws:iam::111122223333:role/uses-no-default");
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.errors, 2);

    /* DefaultVersionId wins over IsDefaultVersion, and the flags follow. */
    assert_non_null(conflicting);
    assert_int_equal(conflicting->default_version, 0);
    assert_true(conflicting->versions[0].is_default);
    assert_false(conflicting->versions[1].is_default);
    error = diag_at(&state->diags, "Policies[0]");
    assert_string_equal(error->message,
                        "DefaultVersionId is v2 but IsDefaultVersion is set "
                        "on v1");

    /* A policy without a default version is left out, so it is missing. */
    error = diag_at(&state->diags, "Policies[1]");
    assert_int_equal(error->line, 34);
    assert_null(nhi_graph_find_policy(
        state->graph, "arn:aws:iam::111122223333:policy/no-default"));
    assert_int_equal(role->policy_count, 0);
    assert_int_equal(role->missing_count, 1);
    free_state(state);
}

typedef struct syntax_case {
    const char *file;
    unsigned line;
    unsigned column;
    const char *message;
    const char *location; /* NULL outside the lists */
} syntax_case;

/*
 * Positions worked out by hand from the fixtures: jansson stops at the
 * last character it read, and gives column 0 after a newline, which is
 * column 1 of the next line in the file.
 */
static const syntax_case syntax_cases[] = {
    {"truncated.json", 10, 1,
     "invalid JSON: string or '}' expected near end of file",
     "UserDetailList[1]"},
    {"invalid_json.json", 5, 17, "invalid JSON: '}' expected near '\"Arn\"'",
     "RoleDetailList[0]"},
    {"invalid_utf8.json", 3, 25,
     "invalid JSON: unable to decode byte 0xff near '\"caf'",
     "UserDetailList[0]"},
    {"duplicate_key.json", 6, 17,
     "invalid JSON: duplicate object key near '\"Arn\"'", "RoleDetailList[0]"},
    {"duplicate_list.json", 3, 5,
     "invalid JSON: duplicate object key 'UserDetailList'", NULL},
    {"trailing_data.json", 4, 1, "invalid JSON: end of file expected near '}'",
     NULL},
    {"not_object.json", 1, 1, "invalid JSON: '{' expected near '['", NULL},
    {"empty.json", 1, 1, "invalid JSON: '{' expected near end of file", NULL},
};

/* A syntax error adds nothing of the file, not even complete elements. */
static void authz_syntax_errors_add_nothing(void **unused)
{
    (void)unused;
    for (size_t i = 0; i < ARRAY_SIZE(syntax_cases); i++) {
        const syntax_case *c = &syntax_cases[i];
        read_state *state = read_fixture(c->file);
        const nhi_error *error;

        print_message("%s\n", c->file);
        assert_int_equal(state->result, NHI_EINPUT);
        assert_int_equal(state->diags.count, 1);
        error = &state->diags.items[0];
        assert_int_equal(error->level, NHI_LEVEL_ERROR);
        assert_int_equal(error->code, NHI_EINPUT);
        assert_string_equal(error->path, state->path);
        assert_int_equal(error->line, c->line);
        assert_int_equal(error->column, c->column);
        assert_string_equal(error->message, c->message);
        if (c->location)
            assert_string_equal(error->location, c->location);
        else
            assert_null(error->location);
        assert_non_null(strstr(error->hint, "nothing of this file was read"));
        assert_int_equal(state->graph->identity_count, 0);
        assert_int_equal(state->graph->group_count, 0);
        assert_int_equal(state->graph->policy_count, 0);
        assert_int_equal(state->graph->account_count, 0);
        free_state(state);
    }
}

/* A byte order mark is skipped and does not count as a column. */
static void authz_bom_and_crlf(void **unused)
{
    read_state *state = read_fixture("bom_crlf.json");
    const nhi_error *error;

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    error = diag_at(&state->diags, "RoleDetailList[0].Arn");
    assert_int_equal(error->line, 3);
    assert_int_equal(error->column, 9);
    free_state(state);
}

static void authz_same_export_twice(void **unused)
{
    read_state *state = read_fixture("users_groups.json");
    const nhi_error *error;
    char expected[4200];

    (void)unused;
    assert_no_diags(state);
    state->result =
        nhi_aws_read_authz(state->graph, state->path, &state->diags);
    assert_int_equal(state->result, NHI_OK);

    /* The user, the group and the two customer managed policies are
     * reported. The same AWS managed policy is in many accounts' exports. */
    assert_int_equal(state->diags.count, 4);
    assert_int_equal(state->diags.errors, 0);
    assert_int_equal(state->graph->identity_count, 1);
    assert_int_equal(state->graph->group_count, 1);
    assert_int_equal(state->graph->policy_count, 5);

    error = diag_at(&state->diags, "UserDetailList[0]");
    assert_int_equal(error->level, NHI_LEVEL_WARNING);
    snprintf(expected, sizeof(expected),
             "duplicate user arn:aws:iam::111122223333:user/ci/deployer: "
             "already read from %s:3:9",
             state->path);
    assert_string_equal(error->message, expected);
    free_state(state);
}

static void authz_missing_file(void **unused)
{
    read_state *state = read_fixture("no-such-file.json");

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_int_equal(state->diags.items[0].code, NHI_EIO);
    assert_non_null(strstr(state->diags.items[0].message, "failed to open"));
    free_state(state);
}

/* The shared corpus of real exports: skipped when it is not there. */

static read_state *read_corpus(const char *name)
{
    read_state *state;
    char path[2048];

    source_relative(path, sizeof(path), "NHI_CORPUS", "../../../shared/corpus",
                    "aws-authz");
    if (access(path, R_OK) != 0) {
        print_message("corpus not found at %s; set NHI_CORPUS\n", path);
        skip();
    }
    state = calloc(1, sizeof(*state));
    assert_non_null(state);
    snprintf(state->path, sizeof(state->path), "%s/%s", path, name);
    nhi_diags_init(&state->diags);
    assert_int_equal(nhi_graph_new(&state->graph), NHI_OK);
    state->result =
        nhi_aws_read_authz(state->graph, state->path, &state->diags);
    return state;
}

typedef struct corpus_case {
    const char *file;
    size_t errors;
    size_t users;
    size_t groups;
    size_t roles;
    size_t managed;
    size_t policies; /* managed, inline and trust */
} corpus_case;

/*
 * Counted with python3's json module. The CloudMapper demo names its users
 * and group with the account `aws`, which is not a 12-digit account, so
 * those three elements are reported and left out.
 */
static const corpus_case corpus_cases[] = {
    {"cloudmapper_demo-authz-details.json", 3, 0, 0, 4, 2, 2 + 4 + 4},
    {"cloudsplaining_authz-details-for-overrides.json", 0, 1, 1, 2, 3,
     3 + 2 + 2},
    {"cloudsplaining_example-authz-details.json", 0, 3, 2, 3, 32, 32 + 6 + 3},
    {"cloudsplaining_iam-vulnerable-account.json", 0, 44, 5, 78, 84,
     84 + 39 + 78},
    {"cloudsplaining_managed-policy-mismatch.json", 0, 0, 1, 0, 1, 1},
};

static void authz_corpus_counts(void **unused)
{
    (void)unused;
    for (size_t i = 0; i < ARRAY_SIZE(corpus_cases); i++) {
        const corpus_case *c = &corpus_cases[i];
        read_state *state = read_corpus(c->file);

        print_message("%s\n", c->file);
        if (state->diags.errors != c->errors)
            print_diags(&state->diags);
        assert_int_equal(state->diags.errors, c->errors);
        assert_int_equal(state->result, c->errors ? NHI_EINPUT : NHI_OK);
        assert_int_equal(count_kind(state->graph, NHI_KIND_AWS_USER), c->users);
        assert_int_equal(state->graph->group_count, c->groups);
        assert_int_equal(count_kind(state->graph, NHI_KIND_AWS_ROLE), c->roles);
        assert_int_equal(count_managed(state->graph), c->managed);
        assert_int_equal(state->graph->policy_count, c->policies);
        free_state(state);
    }
}

static void authz_corpus_vulnerable_account(void **unused)
{
    read_state *state =
        read_corpus("cloudsplaining_iam-vulnerable-account.json");
    const nhi_identity *biden, *sre_user, *role;
    const nhi_policy *policy;
    const nhi_statement *statement;

    (void)unused;
    assert_no_diags(state);
    /* Identities and groups of two accounts. */
    assert_int_equal(state->graph->account_count, 2);

    /* One inline and one managed policy, and the group biden's two. */
    biden = find_identity(state, "arn:aws:iam::012345678901:user/biden");
    assert_int_equal(biden->created, 1576696208); /* 2019-12-18 19:10:08 */
    assert_int_equal(biden->policy_count, 4);
    assert_string_equal(biden->policies[0].policy->name, "InsecureUserPolicy");
    assert_string_equal(biden->policies[1].policy->arn,
                        "arn:aws:iam::aws:policy/AWSLambdaFullAccess");
    assert_string_equal(biden->policies[2].policy->name,
                        "InlinePolicyForBidenGroup");
    assert_string_equal(biden->policies[2].via_group, "biden");
    assert_string_equal(biden->policies[3].policy->arn,
                        "arn:aws:iam::aws:policy/AmazonRDSFullAccess");
    assert_string_equal(biden->policies[3].via_group, "biden");

    /* No policy of its own: only the group's managed policy. */
    sre_user =
        find_identity(state, "arn:aws:iam::111122223333:user/privesc-sre-user");
    assert_int_equal(sre_user->policy_count, 1);
    assert_string_equal(sre_user->policies[0].policy->arn,
                        "arn:aws:iam::111122223333:policy/"
                        "privesc-sre-admin-policy");
    assert_string_equal(sre_user->policies[0].via_group, "privesc-sre-group");

    role = find_identity(state, "arn:aws:iam::111122223333:role/"
                                "privesc-AssumeRole-intermediate-role");
    assert_int_equal(role->policy_count, 0);
    assert_int_equal(default_version(role->trust)->statement_count, 1);
    statement = &default_version(role->trust)->statements[0];
    assert_string_equal(statement->sid, "");
    assert_int_equal(statement->principal_count, 1);
    assert_string_equal(statement->principals[0],
                        "AWS:arn:aws:iam::111122223333:role/"
                        "privesc-AssumeRole-starting-role");

    /* The one managed policy with two versions lists the default first. */
    policy = nhi_graph_find_policy(state->graph, "arn:aws:iam::aws:policy/"
                                                 "AWSCodeCommitPowerUser");
    assert_non_null(policy);
    assert_true(policy->aws_managed);
    assert_int_equal(policy->version_count, 2);
    assert_int_equal(policy->default_version, 0);
    assert_string_equal(default_version(policy)->version_id, "v11");
    assert_int_equal(default_version(policy)->statement_count, 14);
    assert_string_equal(policy->versions[1].version_id, "v10");
    assert_int_equal(policy->versions[1].statement_count, 11);
    free_state(state);
}

/* The group attaches AWSLambdaReadOnlyAccess; the export has only
 * AWSLambda_ReadOnlyAccess. */
static void authz_corpus_group_missing_policy(void **unused)
{
    read_state *state =
        read_corpus("cloudsplaining_managed-policy-mismatch.json");
    const nhi_group *group =
        nhi_graph_find_group(state->graph, "123456789012", "anton-test");

    (void)unused;
    assert_no_diags(state);
    assert_non_null(group);
    assert_int_equal(group->policy_count, 0);
    assert_int_equal(group->missing_count, 1);
    assert_string_equal(group->missing_policies[0],
                        "arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess");
    free_state(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(authz_user_fields),
        cmocka_unit_test(authz_group_policies_reach_user),
        cmocka_unit_test(authz_inline_policy_statements),
        cmocka_unit_test(authz_boundary_and_accounts),
        cmocka_unit_test(authz_role_fields),
        cmocka_unit_test(authz_trust_principals),
        cmocka_unit_test(authz_trust_url_encoded),
        cmocka_unit_test(authz_policy_versions),
        cmocka_unit_test(authz_missing_policies),
        cmocka_unit_test(authz_url_encoded_documents),
        cmocka_unit_test(authz_bad_statements_left_out),
        cmocka_unit_test(authz_bad_arn_left_out),
        cmocka_unit_test(authz_is_truncated_warning),
        cmocka_unit_test(authz_default_version_choice),
        cmocka_unit_test(authz_syntax_errors_add_nothing),
        cmocka_unit_test(authz_bom_and_crlf),
        cmocka_unit_test(authz_same_export_twice),
        cmocka_unit_test(authz_missing_file),
        cmocka_unit_test(authz_corpus_counts),
        cmocka_unit_test(authz_corpus_vulnerable_account),
        cmocka_unit_test(authz_corpus_group_missing_policy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
