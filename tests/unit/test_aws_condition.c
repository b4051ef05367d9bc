/* SPDX-License-Identifier: MIT */
/* Unit tests for the three-valued evaluation of AWS Condition blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws_condition.h"
#include "nhi/error.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#define T AWS_CONDITION_TRUE
#define F AWS_CONDITION_FALSE
#define P AWS_CONDITION_POSSIBLE

/* 2026-03-01T12:00:00Z: 20513 days after 1970-01-01, plus 12 hours. */
#define NOW ((nhi_time)1772366400)

static const aws_context_key request_keys[] = {
    {"aws:PrincipalArn", "arn:aws:iam::123456789012:role/deploy"},
    {"iam:PassedToService", "ec2.amazonaws.com"},
    {"token.actions.githubusercontent.com:sub",
     "repo:org/repo:ref:refs/heads/main"},
    {"token.actions.githubusercontent.com:aud", "sts.amazonaws.com"},
    {"aws:SecureTransport", "true"},
    {"aws:MultiFactorAuthAge", "300"},
    {"aws:SourceArn",
     "arn:aws:lambda:us-east-1:123456789012:function:build:live"},
    {"aws:username", "\xc3\x89mile"}, /* "Émile" in UTF-8 */
};

static const aws_context request = {request_keys, ARRAY_SIZE(request_keys),
                                    NOW};

static const aws_context_key other_repo_keys[] = {
    {"token.actions.githubusercontent.com:sub",
     "repo:other/repo:ref:refs/heads/main"},
};

static const aws_context other_repo = {other_repo_keys,
                                       ARRAY_SIZE(other_repo_keys), NOW};

static const aws_context no_time = {request_keys, ARRAY_SIZE(request_keys),
                                    NHI_TIME_UNKNOWN};

/*
 * Evaluate `condition` in `context` and return the result, storing the
 * reason in `*reason` when it is not NULL. Single quotes in `condition`
 * become double quotes, so that the JSON reads without escapes.
 */
static aws_condition_result evaluate_in(const aws_context *context,
                                        const char *condition, char **reason)
{
    aws_condition_result result = P;
    char *json = NULL;
    char *returned_reason = NULL;

    if (condition != NULL) {
        json = strdup(condition);
        assert_non_null(json);
        for (char *c = json; *c != '\0'; c++)
            if (*c == '\'')
                *c = '"';
    }
    assert_int_equal(
        aws_condition_eval(json, context, &result, &returned_reason), NHI_OK);
    free(json);

    if (result == T)
        assert_null(returned_reason);
    else
        assert_non_null(returned_reason);
    if (reason != NULL)
        *reason = returned_reason;
    else
        free(returned_reason);
    return result;
}

static aws_condition_result evaluate(const char *condition)
{
    return evaluate_in(&request, condition, NULL);
}

/* The reason for `condition` in the main request, or NULL when TRUE.
 * The caller frees it. */
static char *reason_for(const char *condition)
{
    char *reason = NULL;

    evaluate_in(&request, condition, &reason);
    return reason;
}

static void assert_reason(const char *condition, const char *expected)
{
    char *reason = reason_for(condition);

    assert_non_null(reason);
    assert_string_equal(reason, expected);
    free(reason);
}

static void string_equals(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'ec2.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'lambda.amazonaws.com'}}"),
                     F);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "['lambda.amazonaws.com', "
                              "'ec2.amazonaws.com']}}"),
                     T);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'EC2.amazonaws.com'}}"),
                     F);
    assert_int_equal(
        evaluate("{'StringEquals': {'aws:MultiFactorAuthAge': 300}}"), T);
    assert_reason("{'StringEquals': {'iam:PassedToService': "
                  "'lambda.amazonaws.com'}}",
                  "StringEquals on iam:PassedToService: 'ec2.amazonaws.com' "
                  "is not 'lambda.amazonaws.com'");
    assert_reason("{'StringEquals': {'iam:PassedToService': "
                  "['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']}}",
                  "StringEquals on iam:PassedToService: 'ec2.amazonaws.com' "
                  "is not any of 'lambda.amazonaws.com', "
                  "'ecs-tasks.amazonaws.com'");
}

static void string_not_equals_list(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringNotEquals': {'iam:PassedToService': "
                              "['lambda.amazonaws.com', "
                              "'ecs-tasks.amazonaws.com']}}"),
                     T);
    assert_int_equal(evaluate("{'StringNotEquals': {'iam:PassedToService': "
                              "['lambda.amazonaws.com', "
                              "'ec2.amazonaws.com']}}"),
                     F);
    assert_int_equal(evaluate("{'StringNotEquals': {'iam:PassedToService': "
                              "'ec2.amazonaws.com'}}"),
                     F);
    assert_reason("{'StringNotEquals': {'iam:PassedToService': "
                  "['lambda.amazonaws.com', 'ec2.amazonaws.com']}}",
                  "StringNotEquals on iam:PassedToService: "
                  "'ec2.amazonaws.com' is 'ec2.amazonaws.com'");
}

static void string_ignore_case(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringEqualsIgnoreCase': "
                              "{'iam:PassedToService': "
                              "'EC2.AmazonAWS.com'}}"),
                     T);
    assert_int_equal(evaluate("{'StringEqualsIgnoreCase': "
                              "{'iam:PassedToService': "
                              "'lambda.amazonaws.com'}}"),
                     F);
    assert_int_equal(evaluate("{'StringNotEqualsIgnoreCase': "
                              "{'iam:PassedToService': "
                              "['LAMBDA.amazonaws.com', "
                              "'EC2.amazonaws.com']}}"),
                     F);
    assert_int_equal(evaluate("{'StringNotEqualsIgnoreCase': "
                              "{'iam:PassedToService': "
                              "['LAMBDA.amazonaws.com']}}"),
                     T);
    assert_reason("{'StringEqualsIgnoreCase': {'iam:PassedToService': "
                  "'lambda.amazonaws.com'}}",
                  "StringEqualsIgnoreCase on iam:PassedToService: "
                  "'ec2.amazonaws.com' is not 'lambda.amazonaws.com', "
                  "ignoring case");
}

static void string_ignore_case_non_ascii(void **state)
{
    (void)state;
    /* "Émile" against "émile": ASCII folding cannot decide it. */
    assert_int_equal(evaluate("{'StringEqualsIgnoreCase': {'aws:username': "
                              "'\xc3\xa9mile'}}"),
                     P);
    assert_int_equal(evaluate("{'StringEqualsIgnoreCase': {'aws:username': "
                              "'\xc3\x89MILE'}}"),
                     T);
}

static void string_like_wildcards(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringLike': {'iam:PassedToService': "
                              "'*.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'StringLike': {'iam:PassedToService': "
                              "'ec?.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'StringLike': {'iam:PassedToService': "
                              "'ec?amazonaws.com'}}"),
                     F);
    assert_int_equal(evaluate("{'StringLike': {'iam:PassedToService': "
                              "'EC2.*'}}"),
                     F);
    assert_int_equal(evaluate("{'StringLike': {'iam:PassedToService': "
                              "['lambda.*', 'ec2.*']}}"),
                     T);
    assert_int_equal(evaluate("{'StringNotLike': {'iam:PassedToService': "
                              "['lambda.*', 'ec2.*']}}"),
                     F);
    assert_int_equal(evaluate("{'StringNotLike': {'iam:PassedToService': "
                              "['lambda.*', 'ecs-tasks.*']}}"),
                     T);
    assert_reason("{'StringLike': {'iam:PassedToService': 'lambda.*'}}",
                  "StringLike on iam:PassedToService: 'ec2.amazonaws.com' "
                  "does not match 'lambda.*'");
}

static void github_oidc_subject(void **state)
{
    static const char condition[] =
        "{'StringLike': {'token.actions.githubusercontent.com:sub': "
        "'repo:org/repo:*'}, 'StringEquals': "
        "{'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com'}}";
    static const char subject_only[] =
        "{'StringLike': {'token.actions.githubusercontent.com:sub': "
        "'repo:org/repo:*'}}";

    (void)state;
    assert_int_equal(evaluate(condition), T);
    assert_int_equal(evaluate_in(&other_repo, subject_only, NULL), F);
    /* The other repository's context lacks aud, so the pair is false by
     * sub alone, not possible. */
    assert_int_equal(evaluate_in(&other_repo, condition, NULL), F);
    assert_int_equal(evaluate("{'StringLike': "
                              "{'token.actions.githubusercontent.com:sub': "
                              "'repo:org/re?:*'}}"),
                     F);
}

static void arn_like_wildcards(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'ArnLike': {'aws:PrincipalArn': "
                              "'arn:aws:iam::*:role/*'}}"),
                     T);
    assert_int_equal(evaluate("{'ArnLike': {'aws:PrincipalArn': "
                              "'arn:aws:iam::1234567890??:role/dep?oy'}}"),
                     T);
    assert_int_equal(evaluate("{'ArnLike': {'aws:PrincipalArn': "
                              "'arn:aws:iam::*:user/*'}}"),
                     F);
    assert_int_equal(evaluate("{'ArnLike': {'aws:PrincipalArn': "
                              "'arn:aws:iam::999999999999:role/*'}}"),
                     F);
    /* The resource field keeps its colons and `*` matches across them. */
    assert_int_equal(evaluate("{'ArnLike': {'aws:SourceArn': "
                              "'arn:aws:lambda:us-east-1:123456789012:"
                              "function:*'}}"),
                     T);
    /* As one glob, `*` would cover "us-east-1:123456789012". Per field, the
     * account is "function", which does not match. */
    assert_int_equal(evaluate("{'ArnLike': {'aws:SourceArn': "
                              "'arn:aws:lambda:*:function:build:live'}}"),
                     F);
    assert_int_equal(evaluate("{'ArnLike': {'aws:PrincipalArn': '*'}}"), P);
}

static void arn_equals_and_negated(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'ArnEquals': {'aws:PrincipalArn': "
                              "'arn:aws:iam::123456789012:role/deploy'}}"),
                     T);
    assert_int_equal(evaluate("{'ArnEquals': {'aws:PrincipalArn': "
                              "'arn:aws:iam::123456789012:role/Deploy'}}"),
                     F);
    assert_int_equal(evaluate("{'ArnNotEquals': {'aws:PrincipalArn': "
                              "'arn:aws:iam::123456789012:role/deploy'}}"),
                     F);
    assert_int_equal(evaluate("{'ArnNotLike': {'aws:PrincipalArn': "
                              "['arn:aws:iam::*:user/*', "
                              "'arn:aws:iam::*:role/admin']}}"),
                     T);
    assert_int_equal(evaluate("{'ArnNotLike': {'aws:PrincipalArn': "
                              "['arn:aws:iam::*:user/*', "
                              "'arn:aws:iam::*:role/*']}}"),
                     F);
}

static void bool_string_and_json(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': 'true'}}"), T);
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': 'false'}}"),
                     F);
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': 'TRUE'}}"), T);
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': true}}"), T);
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': false}}"), F);
    assert_int_equal(evaluate("{'Bool': {'aws:SecureTransport': 'yes'}}"), P);
    assert_int_equal(evaluate("{'Bool': {'aws:PrincipalArn': 'true'}}"), P);
    assert_int_equal(
        evaluate("{'Bool': {'aws:MultiFactorAuthPresent': 'true'}}"), P);
}

static void dates_around_now(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'DateLessThan': {'aws:CurrentTime': "
                              "'2026-03-01T12:00:01Z'}}"),
                     T);
    assert_int_equal(evaluate("{'DateLessThan': {'aws:CurrentTime': "
                              "'2026-03-01T12:00:00Z'}}"),
                     F);
    assert_int_equal(evaluate("{'DateLessThanEquals': {'aws:CurrentTime': "
                              "'2026-03-01T12:00:00Z'}}"),
                     T);
    assert_int_equal(evaluate("{'DateLessThanEquals': {'aws:CurrentTime': "
                              "'2026-03-01T11:59:59Z'}}"),
                     F);
    assert_int_equal(evaluate("{'DateGreaterThan': {'aws:CurrentTime': "
                              "'2026-03-01T11:59:59Z'}}"),
                     T);
    assert_int_equal(evaluate("{'DateGreaterThan': {'aws:CurrentTime': "
                              "'2026-03-01T12:00:00Z'}}"),
                     F);
    assert_int_equal(evaluate("{'DateGreaterThanEquals': "
                              "{'aws:CurrentTime': '2026-03-01T12:00:00Z'}}"),
                     T);
    assert_int_equal(evaluate("{'DateGreaterThanEquals': "
                              "{'aws:CurrentTime': '2026-03-02'}}"),
                     F);
    assert_int_equal(evaluate("{'DateEquals': {'aws:CurrentTime': "
                              "'2026-03-01T13:00:00+01:00'}}"),
                     T);
    assert_int_equal(evaluate("{'DateNotEquals': {'aws:CurrentTime': "
                              "'2026-03-01T13:00:00+01:00'}}"),
                     F);
    assert_int_equal(evaluate("{'DateNotEquals': {'aws:CurrentTime': "
                              "['2026-01-01', '2026-02-01']}}"),
                     T);
}

static void dates_as_epoch_seconds(void **state)
{
    (void)state;
    assert_int_equal(
        evaluate("{'DateEquals': {'aws:CurrentTime': '1772366400'}}"), T);
    assert_int_equal(
        evaluate("{'DateEquals': {'aws:CurrentTime': 1772366400}}"), T);
    assert_int_equal(
        evaluate("{'DateLessThan': {'aws:EpochTime': 1772366401}}"), T);
    assert_int_equal(
        evaluate("{'DateLessThan': {'aws:CurrentTime': 'next week'}}"), P);
}

static void token_issue_time(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'DateLessThan': {'aws:TokenIssueTime': "
                              "'2020-01-01T00:00:01Z'}}"),
                     F);
    assert_int_equal(evaluate("{'DateGreaterThan': {'aws:TokenIssueTime': "
                              "'2020-01-01T00:00:01Z'}}"),
                     T);
    assert_reason("{'DateLessThan': {'aws:TokenIssueTime': "
                  "'2020-01-01T00:00:01Z'}}",
                  "DateLessThan on aws:TokenIssueTime: "
                  "'2026-03-01T12:00:00Z' is not before "
                  "'2020-01-01T00:00:01Z'");
}

static void dates_without_now(void **state)
{
    char *reason = NULL;

    (void)state;
    assert_int_equal(evaluate_in(&no_time,
                                 "{'DateLessThan': {'aws:CurrentTime': "
                                 "'2030-01-01T00:00:00Z'}}",
                                 &reason),
                     P);
    assert_string_equal(reason,
                        "aws:CurrentTime is not known from the export");
    free(reason);
    assert_int_equal(evaluate_in(&no_time,
                                 "{'DateGreaterThan': {'aws:TokenIssueTime': "
                                 "'2020-01-01T00:00:00Z'}}",
                                 NULL),
                     P);
    assert_int_equal(evaluate_in(&no_time,
                                 "{'NumericLessThan': {'aws:EpochTime': 1}}",
                                 NULL),
                     P);
}

static void numeric_operators(void **state)
{
    (void)state;
    assert_int_equal(
        evaluate("{'NumericEquals': {'aws:EpochTime': 1772366400}}"), T);
    assert_int_equal(
        evaluate("{'NumericEquals': {'aws:EpochTime': '1772366401'}}"), F);
    assert_int_equal(
        evaluate("{'NumericNotEquals': {'aws:EpochTime': [1, 2]}}"), T);
    assert_int_equal(evaluate("{'NumericNotEquals': {'aws:EpochTime': "
                              "[1, 1772366400]}}"),
                     F);
    assert_int_equal(
        evaluate("{'NumericLessThan': {'aws:EpochTime': 1772366400}}"), F);
    assert_int_equal(evaluate("{'NumericLessThanEquals': {'aws:EpochTime': "
                              "1772366400}}"),
                     T);
    assert_int_equal(evaluate("{'NumericGreaterThan': {'aws:EpochTime': "
                              "1772366399}}"),
                     T);
    assert_int_equal(evaluate("{'NumericGreaterThanEquals': "
                              "{'aws:EpochTime': 1772366401}}"),
                     F);
    assert_int_equal(evaluate("{'NumericLessThan': "
                              "{'aws:MultiFactorAuthAge': '300.5'}}"),
                     T);
    assert_int_equal(evaluate("{'NumericLessThan': "
                              "{'aws:MultiFactorAuthAge': '3600'}}"),
                     T);
    assert_int_equal(evaluate("{'NumericLessThan': {'aws:PrincipalArn': 5}}"),
                     P);
    assert_int_equal(
        evaluate("{'NumericLessThan': {'aws:EpochTime': '1.77e9'}}"), P);
    assert_int_equal(evaluate("{'NumericLessThan': {'aws:EpochTime': 1.5}}"),
                     P);
}

static void if_exists_known_and_unknown(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringEqualsIfExists': "
                              "{'iam:PassedToService': "
                              "'ec2.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'StringEqualsIfExists': "
                              "{'iam:PassedToService': "
                              "'lambda.amazonaws.com'}}"),
                     F);
    assert_int_equal(evaluate("{'StringEqualsIfExists': "
                              "{'aws:SourceVpc': 'vpc-1'}}"),
                     P);
    assert_int_equal(evaluate("{'ArnLikeIfExists': {'aws:PrincipalArn': "
                              "'arn:aws:iam::*:role/*'}}"),
                     T);
    assert_int_equal(evaluate("{'DateLessThanIfExists': "
                              "{'aws:TokenIssueTime': '2020-01-01'}}"),
                     F);
}

static void set_operators(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'ForAnyValue:StringLike': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "['sts.*', 'other']}}"),
                     T);
    assert_int_equal(evaluate("{'ForAnyValue:StringEquals': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "'other'}}"),
                     F);
    assert_int_equal(evaluate("{'ForAllValues:StringEquals': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "['sts.amazonaws.com', 'other']}}"),
                     T);
    assert_int_equal(evaluate("{'ForAllValues:StringEquals': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "'other'}}"),
                     F);
    assert_int_equal(evaluate("{'ForAllValues:StringNotEquals': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "['other']}}"),
                     T);
    assert_int_equal(evaluate("{'ForAnyValue:StringEqualsIfExists': "
                              "{'token.actions.githubusercontent.com:aud': "
                              "'sts.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'ForAnyValue:StringEquals': "
                              "{'aws:TagKeys': 'team'}}"),
                     P);
    assert_int_equal(evaluate("{'ForAllValues:StringEquals': "
                              "{'aws:TagKeys': 'team'}}"),
                     P);
}

static void null_operator(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'Null': {'aws:PrincipalArn': 'true'}}"), F);
    assert_int_equal(evaluate("{'Null': {'aws:PrincipalArn': 'false'}}"), T);
    assert_int_equal(evaluate("{'Null': {'aws:PrincipalArn': false}}"), T);
    assert_int_equal(evaluate("{'Null': {'aws:SourceIp': 'true'}}"), P);
    assert_int_equal(evaluate("{'Null': {'aws:SourceIp': 'false'}}"), P);
    assert_int_equal(evaluate("{'Null': {'aws:TokenIssueTime': 'true'}}"), P);
    assert_int_equal(evaluate("{'Null': {'aws:TokenIssueTime': 'false'}}"), T);
    assert_reason("{'Null': {'aws:PrincipalArn': 'true'}}",
                  "Null on aws:PrincipalArn: the key is present");
}

static void key_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringEquals': {'aws:principalarn': "
                              "'arn:aws:iam::123456789012:role/deploy'}}"),
                     T);
    assert_int_equal(evaluate("{'StringEquals': {'IAM:PASSEDTOSERVICE': "
                              "'ec2.amazonaws.com'}}"),
                     T);
    assert_int_equal(evaluate("{'DateGreaterThan': {'AWS:CURRENTTIME': "
                              "'2026-01-01'}}"),
                     T);
}

static void unknown_key_possible(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringEquals': {'aws:SourceVpc': 'vpc-1'}}"),
                     P);
    assert_reason("{'StringEquals': {'aws:SourceIp': '10.0.0.1'}}",
                  "aws:SourceIp is not known from the export");
    assert_int_equal(evaluate_in(NULL,
                                 "{'StringEquals': {'aws:PrincipalArn': "
                                 "'x'}}",
                                 NULL),
                     P);
}

static void unknown_operator_possible(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}"),
                     P);
    assert_int_equal(evaluate("{'stringequals': {'iam:PassedToService': "
                              "'ec2.amazonaws.com'}}"),
                     P);
    assert_int_equal(evaluate("{'ForAnyValue:': {'aws:PrincipalArn': "
                              "'x'}}"),
                     P);
    assert_reason("{'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}",
                  "IpAddress is not an operator that nhi evaluates");
}

static void mixed_and(void **state)
{
    (void)state;
    /* A possible part first, then a false one: the false one decides. */
    assert_int_equal(evaluate("{'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}, "
                              "'StringEquals': {'iam:PassedToService': "
                              "'lambda.amazonaws.com'}}"),
                     F);
    assert_reason("{'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}, "
                  "'StringEquals': {'iam:PassedToService': "
                  "'lambda.amazonaws.com'}}",
                  "StringEquals on iam:PassedToService: 'ec2.amazonaws.com' "
                  "is not 'lambda.amazonaws.com'");
    assert_int_equal(evaluate("{'StringEquals': {'aws:SourceVpc': 'vpc-1', "
                              "'iam:PassedToService': "
                              "'lambda.amazonaws.com'}}"),
                     F);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'ec2.amazonaws.com'}, "
                              "'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}"),
                     P);
    assert_reason("{'StringEquals': {'iam:PassedToService': "
                  "'ec2.amazonaws.com', 'aws:SourceVpc': 'vpc-1', "
                  "'aws:SourceIp': '10.0.0.1'}}",
                  "aws:SourceVpc is not known from the export");
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'ec2.amazonaws.com'}, 'Bool': "
                              "{'aws:SecureTransport': 'true'}}"),
                     T);
}

static void malformed_block(void **state)
{
    char *reason;

    (void)state;
    assert_int_equal(evaluate("{"), P);
    assert_int_equal(evaluate(""), P);
    assert_int_equal(evaluate("{'StringEquals': {}} x"), P);
    assert_int_equal(evaluate("{'StringEquals': {'a': 'b', 'a': 'c'}}"), P);
    assert_int_equal(evaluate("[]"), P);
    assert_int_equal(evaluate("{'StringEquals': 'x'}"), P);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': []}}"),
                     P);
    assert_int_equal(
        evaluate("{'StringEquals': {'iam:PassedToService': {'a': 1}}}"), P);
    assert_int_equal(
        evaluate("{'StringEquals': {'iam:PassedToService': null}}"), P);

    reason = reason_for("{");
    assert_non_null(reason);
    assert_non_null(strstr(reason, "the Condition block is not valid JSON: "));
    free(reason);
    assert_reason("[]", "the Condition block is not a JSON object");
    assert_reason("{'StringEquals': 'x'}",
                  "the value of StringEquals is not an object of keys");
}

static void null_and_empty_block(void **state)
{
    aws_condition_result result = P;
    char *reason = (char *)"unchanged";

    (void)state;
    assert_int_equal(aws_condition_eval(NULL, &request, &result, &reason),
                     NHI_OK);
    assert_int_equal(result, T);
    assert_null(reason);
    assert_int_equal(evaluate("{}"), T);
    assert_int_equal(evaluate("{'StringEquals': {}}"), T);
    assert_int_equal(aws_condition_eval("{\"Bool\": {\"aws:SecureTransport\": "
                                        "\"false\"}}",
                                        &request, &result, NULL),
                     NHI_OK);
    assert_int_equal(result, F);
}

static void policy_variable_possible(void **state)
{
    (void)state;
    assert_int_equal(evaluate("{'StringLike': {'aws:PrincipalArn': "
                              "'arn:aws:iam::123456789012:role/"
                              "${aws:username}'}}"),
                     P);
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "'${aws:PrincipalTag/service}'}}"),
                     P);
    /* Another value of the list matches, so the variable does not matter. */
    assert_int_equal(evaluate("{'StringEquals': {'iam:PassedToService': "
                              "['${aws:PrincipalTag/service}', "
                              "'ec2.amazonaws.com']}}"),
                     T);
    /* A negated operator is false once one value matches, whatever the
     * other value is. */
    assert_int_equal(evaluate("{'StringNotEquals': {'iam:PassedToService': "
                              "['${aws:PrincipalTag/service}', "
                              "'ec2.amazonaws.com']}}"),
                     F);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(string_equals),
        cmocka_unit_test(string_not_equals_list),
        cmocka_unit_test(string_ignore_case),
        cmocka_unit_test(string_ignore_case_non_ascii),
        cmocka_unit_test(string_like_wildcards),
        cmocka_unit_test(github_oidc_subject),
        cmocka_unit_test(arn_like_wildcards),
        cmocka_unit_test(arn_equals_and_negated),
        cmocka_unit_test(bool_string_and_json),
        cmocka_unit_test(dates_around_now),
        cmocka_unit_test(dates_as_epoch_seconds),
        cmocka_unit_test(token_issue_time),
        cmocka_unit_test(dates_without_now),
        cmocka_unit_test(numeric_operators),
        cmocka_unit_test(if_exists_known_and_unknown),
        cmocka_unit_test(set_operators),
        cmocka_unit_test(null_operator),
        cmocka_unit_test(key_case_insensitive),
        cmocka_unit_test(unknown_key_possible),
        cmocka_unit_test(unknown_operator_possible),
        cmocka_unit_test(mixed_and),
        cmocka_unit_test(malformed_block),
        cmocka_unit_test(null_and_empty_block),
        cmocka_unit_test(policy_variable_possible),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
