/* SPDX-License-Identifier: MIT */
/*
 * AWS policy conditions, decided where an export can decide them. A
 * condition whose keys the export cannot know (source IP, MFA, tags of the
 * request) is "possible", never silently true or false.
 */
#ifndef NHI_AWS_CONDITION_H
#define NHI_AWS_CONDITION_H

#include <stddef.h>

#include "nhi/common.h"

typedef enum aws_condition_result {
    AWS_CONDITION_FALSE = 0,
    AWS_CONDITION_TRUE = 1,
    AWS_CONDITION_POSSIBLE = 2
} aws_condition_result;

/* One known key of the request context, such as aws:PrincipalArn. */
typedef struct aws_context_key {
    const char *key;   /* compared case-insensitively, as AWS does */
    const char *value; /* single-valued keys only */
} aws_context_key;

/*
 * What the request is known to carry. Keys not listed are unknown, and a
 * condition on them is possible. aws:CurrentTime, aws:EpochTime and
 * aws:TokenIssueTime are `now` (a caller can always get a fresh session)
 * unless `now` is NHI_TIME_UNKNOWN.
 */
typedef struct aws_context {
    const aws_context_key *keys;
    size_t key_count;
    nhi_time now;
} aws_context;

/*
 * Evaluate a statement's Condition block, given as the compact JSON text
 * stored in nhi_statement.condition (NULL means no condition: true). When
 * `reason` is not NULL it receives (malloc'd, caller frees) a short
 * sentence saying which key made the result false or possible, or NULL.
 * Returns NHI_OK or NHI_ENOMEM; an unreadable block is possible.
 */
int aws_condition_eval(const char *condition, const aws_context *context,
                       aws_condition_result *result, char **reason);

#endif
