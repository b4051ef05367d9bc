/* SPDX-License-Identifier: MIT */
/* Unit tests of AWS grant evaluation: denies, NotAction, boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aws_eval.h"
#include "nhi/graph.h"

#define LIST(...) ((const char *[]){__VA_ARGS__}), \
    (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))

typedef struct fixture {
    nhi_graph *graph;
    aws_eval *eval;
} fixture;

static nhi_statement allow(const char **actions, size_t count,
                           const char **resources, size_t resource_count)
{
    nhi_statement statement = {0};

    statement.allow = true;
    statement.actions = actions;
    statement.action_count = count;
    statement.resources = resources;
    statement.resource_count = resource_count;
    return statement;
}

static nhi_statement deny(const char **actions, size_t count,
                          const char **resources, size_t resource_count)
{
    nhi_statement statement = allow(actions, count, resources, resource_count);

    statement.allow = false;
    return statement;
}

static nhi_policy *make_policy(nhi_graph *graph, const char *name,
                               const nhi_statement *statements, size_t count,
                               bool version_2012)
{
    nhi_policy *policy = nhi_graph_alloc(graph, sizeof(*policy));
    nhi_policy_version *version = nhi_graph_alloc(graph, sizeof(*version));
    nhi_statement *copies = nhi_graph_alloc(graph, count * sizeof(*copies));

    memcpy(copies, statements, count * sizeof(*copies));
    for (size_t i = 0; i < count; i++)
        copies[i].index = (unsigned)i;
    version->statements = copies;
    version->statement_count = count;
    version->is_default = true;
    version->version_2012 = version_2012;
    policy->kind = NHI_POLICY_INLINE;
    policy->name = name;
    policy->versions = version;
    policy->version_count = 1;
    assert_int_equal(nhi_graph_add_policy(graph, policy), 0);
    return policy;
}

static nhi_identity *make_identity(nhi_graph *graph, const char *name,
                                   nhi_policy *const *policies, size_t count,
                                   nhi_policy *boundary)
{
    nhi_identity *identity = nhi_graph_alloc(graph, sizeof(*identity));
    nhi_attachment *attachments =
        nhi_graph_alloc(graph, (count + 1) * sizeof(*attachments));

    identity->provider = NHI_PROVIDER_AWS;
    identity->kind = NHI_KIND_AWS_ROLE;
    identity->name = name;
    identity->id = name;
    identity->account = "111122223333";
    for (size_t i = 0; i < count; i++)
        attachments[i].policy = policies[i];
    identity->policies = attachments;
    identity->policy_count = count;
    identity->boundary = boundary;
    identity->boundary_arn = boundary ? "arn:aws:iam::111122223333:policy/b"
                                      : NULL;
    assert_int_equal(nhi_graph_add_identity(graph, identity), 0);
    return identity;
}

static int setup(void **state)
{
    static fixture f;

    assert_int_equal(nhi_graph_new(&f.graph), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    aws_eval_free(f->eval);
    f->eval = NULL;
    nhi_graph_free(f->graph);
    return 0;
}

static void start_eval(fixture *f)
{
    assert_int_equal(aws_eval_new(f->graph, &f->eval), 0);
}

/* Count terms of `identity` that grant one action matching `pattern`. */
static size_t matching(fixture *f, const nhi_identity *identity,
                       const char *pattern)
{
    aws_grant grant;
    size_t *indexes = NULL, count = 0;

    assert_int_equal(aws_grant_build(f->eval, identity, &grant), 0);
    assert_int_equal(aws_grant_matching(&grant, &pattern, 1, &indexes, &count),
                     0);
    free(indexes);
    aws_grant_free(&grant);
    return count;
}

static int is_admin(fixture *f, const nhi_identity *identity)
{
    aws_grant grant;
    int result;

    assert_int_equal(aws_grant_build(f->eval, identity, &grant), 0);
    result = aws_grant_is_admin(f->eval, &grant);
    aws_grant_free(&grant);
    return result;
}

static int covers(fixture *f, const nhi_identity *identity,
                  const char *service)
{
    aws_grant grant;
    size_t *indexes = NULL, count = 0;
    int result;

    assert_int_equal(aws_grant_build(f->eval, identity, &grant), 0);
    result = aws_grant_covers_service(&grant, service, &indexes, &count);
    free(indexes);
    aws_grant_free(&grant);
    return result;
}

static void star_on_star_is_admin(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*"))};
    nhi_policy *p = make_policy(f->graph, "admin", s, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 1);
}

static void deny_iam_removes_admin(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*")),
                         deny(LIST("iam:*"), LIST("*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 2, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 0);
    assert_int_equal(matching(f, id, "iam:CreateUser"), 0);
    assert_int_equal(matching(f, id, "s3:GetObject"), 1);
    assert_int_equal(covers(f, id, "iam"), 0);
    assert_int_equal(covers(f, id, "kms"), 1);
}

static void notaction_plus_service_is_admin(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("iam:*"), LIST("*")),
                         allow(LIST("iam:*"), LIST("*"))};
    s[0].not_action = true;
    nhi_policy *p = make_policy(f->graph, "p", s, 2, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 1);
}

static void notaction_alone_is_not_admin(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("iam:*", "organizations:*"), LIST("*"))};
    s[0].not_action = true;
    nhi_policy *p = make_policy(f->graph, "p", s, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 0);
    assert_int_equal(covers(f, id, "sts"), 1);
    assert_int_equal(covers(f, id, "iam"), 0);
    assert_int_equal(matching(f, id, "IAM:PassRole"), 0);
    assert_int_equal(matching(f, id, "sts:AssumeRole"), 1);
}

static void conditional_star_is_not_admin(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*"))};
    s[0].condition = "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}";
    nhi_policy *p = make_policy(f->graph, "p", s, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 0);
    assert_int_equal(matching(f, id, "iam:PassRole"), 1);
}

static void narrow_deny_marks_partial(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*")),
                         deny(LIST("s3:*"), LIST("arn:aws:s3:::logs/*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 2, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);
    aws_grant grant;

    start_eval(f);
    assert_int_equal(is_admin(f, id), 1);
    assert_int_equal(aws_grant_build(f->eval, id, &grant), 0);
    assert_int_equal(grant.term_count, 1);
    assert_int_equal(grant.terms[0].subtracted_count, 0);
    assert_int_equal(grant.terms[0].partial_count, 1);
    aws_grant_free(&grant);
}

static void boundary_limits_grant(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*"))};
    nhi_statement b[] = {allow(LIST("s3:*", "sqs:Send*"), LIST("*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 1, true);
    nhi_policy *boundary = make_policy(f->graph, "b", b, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, boundary);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 0);
    assert_int_equal(matching(f, id, "iam:CreateUser"), 0);
    assert_int_equal(matching(f, id, "sqs:SendMessage"), 1);
    assert_int_equal(matching(f, id, "sqs:ReceiveMessage"), 0);
    assert_int_equal(covers(f, id, "iam"), 0);
}

static void question_mark_is_one_character(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("iam:?etRole"), LIST("*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(matching(f, id, "iam:GetRole"), 1);
    assert_int_equal(matching(f, id, "iam:GetRoles"), 0);
    assert_int_equal(matching(f, id, "iam:getrole"), 1);
    assert_int_equal(matching(f, id, "iam:Get*"), 1);
}

static void deny_notaction_keeps_only_list(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("*"), LIST("*")),
                         deny(LIST("s3:*"), LIST("*"))};
    s[1].not_action = true;
    nhi_policy *p = make_policy(f->graph, "p", s, 2, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(is_admin(f, id), 0);
    assert_int_equal(matching(f, id, "s3:PutObject"), 1);
    assert_int_equal(matching(f, id, "kms:Decrypt"), 0);
    assert_int_equal(covers(f, id, "kms"), 0);
}

static void excess_over_allowed(void **state)
{
    fixture *f = *state;
    nhi_statement s[] = {allow(LIST("s3:Get*", "sqs:SendMessage"), LIST("*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 1, true);
    nhi_identity *id = make_identity(f->graph, "r", &p, 1, NULL);
    const char *narrow[] = {"s3:GetObject", "sqs:SendMessage"};
    const char *wide[] = {"s3:*", "sqs:Send*"};
    size_t *indexes = NULL, count = 0;
    aws_grant grant;

    start_eval(f);
    assert_int_equal(aws_grant_build(f->eval, id, &grant), 0);
    assert_int_equal(aws_grant_excess(&grant, narrow, 2, &indexes, &count), 0);
    assert_int_equal(count, 1);
    free(indexes);
    assert_int_equal(aws_term_pattern_excess(&grant, 0, 0, narrow, 2), 1);
    assert_int_equal(aws_term_pattern_excess(&grant, 0, 1, narrow, 2), 0);
    assert_int_equal(aws_grant_excess(&grant, wide, 2, &indexes, &count), 0);
    assert_int_equal(count, 0);
    free(indexes);
    aws_grant_free(&grant);
}

/* In 2012-10-17 documents ${aws:username} is a variable; in 2008 text. */
static void policy_variables_by_version(void **state)
{
    fixture *f = *state;
    const char *home[] = {"arn:aws:s3:::b/${aws:username}/*"};
    nhi_statement s[] = {allow(LIST("s3:GetObject"), home, 1),
                         deny(LIST("s3:*"), home, 1)};
    nhi_policy *p2012 = make_policy(f->graph, "p2012", s, 2, true);
    nhi_policy *p2008 = make_policy(f->graph, "p2008", s, 2, false);
    nhi_identity *with_2012 = make_identity(f->graph, "a", &p2012, 1, NULL);
    nhi_identity *with_2008 = make_identity(f->graph, "b", &p2008, 1, NULL);

    start_eval(f);
    assert_int_equal(matching(f, with_2012, "s3:GetObject"), 1);
    assert_int_equal(matching(f, with_2008, "s3:GetObject"), 0);
}

static void allow_variable_counts_as_wildcard(void **state)
{
    fixture *f = *state;
    const char *home[] = {"arn:aws:s3:::b/${aws:username}/*"};
    nhi_statement s[] = {allow(LIST("s3:GetObject"), home, 1),
                         deny(LIST("s3:*"), LIST("arn:aws:s3:::b/*"))};
    nhi_policy *p = make_policy(f->graph, "p", s, 2, true);
    nhi_identity *id = make_identity(f->graph, "a", &p, 1, NULL);

    start_eval(f);
    assert_int_equal(matching(f, id, "s3:GetObject"), 0);
}

/* Whether an indexed statement with `actions` may name `action`. */
static bool indexed_may_name(const char **actions, size_t count, bool not_action,
                             const char *action)
{
    nhi_statement statement = allow(actions, count, LIST("*"));

    statement.not_action = not_action;
    aws_statement_index(&statement);
    return aws_statement_may_name(&statement, aws_action_key_of(action));
}

static void index_rules_out_other_services(void **state)
{
    (void)state;
    assert_false(indexed_may_name(LIST("s3:GetObject"), false, "iam:PassRole"));
    assert_true(indexed_may_name(LIST("s3:GetObject"), false, "S3:getobject"));
    assert_true(indexed_may_name(LIST("iam:*"), false, "iam:PassRole"));
    assert_true(indexed_may_name(LIST("IAM:?assRole"), false, "iam:PassRole"));
}

static void index_rules_out_other_first_letters(void **state)
{
    (void)state;
    assert_false(indexed_may_name(LIST("iam:Get*", "iam:List*"), false,
                                  "iam:PassRole"));
    assert_true(indexed_may_name(LIST("iam:Get*", "iam:List*"), false,
                                 "iam:listroles"));
}

static void index_keeps_wildcard_services(void **state)
{
    (void)state;
    assert_true(indexed_may_name(LIST("*"), false, "iam:PassRole"));
    assert_true(indexed_may_name(LIST("i*:GetUser"), false, "iam:PassRole"));
    assert_true(indexed_may_name(LIST("s3:GetObject"), true, "iam:PassRole"));
    /* An action without a service part is matched in full. */
    assert_true(indexed_may_name(LIST("s3:GetObject"), false, "PassRole"));
}

static void unindexed_statement_may_name_anything(void **state)
{
    nhi_statement statement = allow(LIST("s3:GetObject"), LIST("*"));

    (void)state;
    assert_true(aws_statement_may_name(&statement,
                                       aws_action_key_of("iam:PassRole")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(star_on_star_is_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(deny_iam_removes_admin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(notaction_plus_service_is_admin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(notaction_alone_is_not_admin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(conditional_star_is_not_admin, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(narrow_deny_marks_partial, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(boundary_limits_grant, setup, teardown),
        cmocka_unit_test_setup_teardown(question_mark_is_one_character, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(deny_notaction_keeps_only_list, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(excess_over_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_variables_by_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(allow_variable_counts_as_wildcard,
                                        setup, teardown),
        cmocka_unit_test(index_rules_out_other_services),
        cmocka_unit_test(index_rules_out_other_first_letters),
        cmocka_unit_test(index_keeps_wildcard_services),
        cmocka_unit_test(unindexed_statement_may_name_anything),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
