/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the evaluation of AWS Condition blocks. The input
 * bytes, cut at the first NUL, are the condition text, evaluated against
 * one fixed request context with a known time and once more with the time
 * unknown.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_condition.h"
#include "nhi/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
};

/* Abort when a result breaks a promise of aws_condition.h. Returns the
 * result, or -1 after NHI_ENOMEM. */
static int evaluate_checked(const char *condition, nhi_time now)
{
    aws_context context = {
        request_keys, sizeof(request_keys) / sizeof(request_keys[0]), now};
    aws_condition_result result = AWS_CONDITION_POSSIBLE;
    aws_condition_result without_reason = AWS_CONDITION_POSSIBLE;
    char *reason = NULL;
    int status = aws_condition_eval(condition, &context, &result, &reason);

    if (status == NHI_ENOMEM)
        return -1;
    if (status != NHI_OK)
        abort();
    if (result != AWS_CONDITION_FALSE && result != AWS_CONDITION_TRUE &&
        result != AWS_CONDITION_POSSIBLE)
        abort();
    /* A reason comes with every FALSE or POSSIBLE and never with TRUE. */
    if ((result == AWS_CONDITION_TRUE) != (reason == NULL))
        abort();
    if (reason != NULL && reason[0] == '\0')
        abort();
    free(reason);

    /* Asking for no reason must not change the result. */
    if (aws_condition_eval(condition, &context, &without_reason, NULL) ==
            NHI_OK &&
        without_reason != result)
        abort();
    return (int)result;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *condition = malloc(size + 1);
    int known, unknown;

    if (condition == NULL)
        return 0;
    memcpy(condition, data, size);
    condition[size] = '\0';

    known = evaluate_checked(condition, (nhi_time)1772366400);
    unknown = evaluate_checked(condition, NHI_TIME_UNKNOWN);
    /* Forgetting the time can only turn a decided result into POSSIBLE. */
    if (known >= 0 && unknown >= 0 && unknown != known &&
        unknown != AWS_CONDITION_POSSIBLE)
        abort();

    free(condition);
    return 0;
}
