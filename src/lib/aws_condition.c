/* SPDX-License-Identifier: MIT */
/*
 * AWS Condition blocks, evaluated against what an export records about a
 * request. The result is three-valued. A part that needs a key the export
 * does not provide, or a form that nhi does not read, makes the block
 * POSSIBLE with a reason, so nothing becomes TRUE or FALSE by guess.
 *
 * The rules are those of the IAM policy reference for condition operators.
 * Every operator of the block and every key of an operator must hold. A
 * list of values holds when the request value matches any of them, and a
 * negated operator (StringNotEquals, ArnNotLike, ...) holds when it matches
 * none of them.
 */
#include "aws_condition.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "nhi/error.h"
#include "util.h"

typedef enum operator_kind {
    KIND_STRING,
    KIND_STRING_IGNORE_CASE,
    KIND_STRING_LIKE,
    KIND_ARN,
    KIND_BOOL,
    KIND_DATE,
    KIND_NUMERIC,
    KIND_NULL
} operator_kind;

typedef enum comparison {
    COMPARE_EQUAL,
    COMPARE_LESS,
    COMPARE_LESS_EQUAL,
    COMPARE_GREATER,
    COMPARE_GREATER_EQUAL
} comparison;

/* A base operator, without the ForAnyValue:/ForAllValues: prefix or the
 * IfExists suffix. */
typedef struct operator_spec {
    const char *name;
    operator_kind kind;
    comparison compare;
    bool negated; /* true when the request value matches none of the values */
} operator_spec;

/* ArnEquals and ArnLike are the same test in AWS: both accept wildcards in
 * each field, and so do their negations. */
static const operator_spec operator_specs[] = {
    {"StringEquals", KIND_STRING, COMPARE_EQUAL, false},
    {"StringNotEquals", KIND_STRING, COMPARE_EQUAL, true},
    {"StringEqualsIgnoreCase", KIND_STRING_IGNORE_CASE, COMPARE_EQUAL, false},
    {"StringNotEqualsIgnoreCase", KIND_STRING_IGNORE_CASE, COMPARE_EQUAL,
     true},
    {"StringLike", KIND_STRING_LIKE, COMPARE_EQUAL, false},
    {"StringNotLike", KIND_STRING_LIKE, COMPARE_EQUAL, true},
    {"ArnEquals", KIND_ARN, COMPARE_EQUAL, false},
    {"ArnLike", KIND_ARN, COMPARE_EQUAL, false},
    {"ArnNotEquals", KIND_ARN, COMPARE_EQUAL, true},
    {"ArnNotLike", KIND_ARN, COMPARE_EQUAL, true},
    {"Bool", KIND_BOOL, COMPARE_EQUAL, false},
    {"DateEquals", KIND_DATE, COMPARE_EQUAL, false},
    {"DateNotEquals", KIND_DATE, COMPARE_EQUAL, true},
    {"DateLessThan", KIND_DATE, COMPARE_LESS, false},
    {"DateLessThanEquals", KIND_DATE, COMPARE_LESS_EQUAL, false},
    {"DateGreaterThan", KIND_DATE, COMPARE_GREATER, false},
    {"DateGreaterThanEquals", KIND_DATE, COMPARE_GREATER_EQUAL, false},
    {"NumericEquals", KIND_NUMERIC, COMPARE_EQUAL, false},
    {"NumericNotEquals", KIND_NUMERIC, COMPARE_EQUAL, true},
    {"NumericLessThan", KIND_NUMERIC, COMPARE_LESS, false},
    {"NumericLessThanEquals", KIND_NUMERIC, COMPARE_LESS_EQUAL, false},
    {"NumericGreaterThan", KIND_NUMERIC, COMPARE_GREATER, false},
    {"NumericGreaterThanEquals", KIND_NUMERIC, COMPARE_GREATER_EQUAL, false},
    {"Null", KIND_NULL, COMPARE_EQUAL, false},
};

/* The words of a reason for one relation between the request value and a
 * condition value: "'a' is 'b'", "'a' is not 'b'", with `suffix` after. */
typedef struct relation_words {
    const char *positive;
    const char *negative;
    const char *suffix;
} relation_words;

/* The state of one evaluation: the request context and a sticky
 * out-of-memory flag. */
typedef struct eval_state {
    const aws_context *context;
    bool out_of_memory;
} eval_state;

/* The value of one condition key in the request. */
typedef struct request_value {
    const char *text; /* NULL when the export does not provide the key */
    bool has_time;    /* `time` contains the value, taken from `now` */
    nhi_time time;
    bool token_issue_time; /* aws:TokenIssueTime, taken from `now` */
    char buffer[32];       /* storage for `text` when taken from `now` */
} request_value;

static char *format_reason(eval_state *state, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *format_reason(eval_state *state, const char *fmt, ...)
{
    va_list args;
    char *text;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text == NULL)
        state->out_of_memory = true;
    return text;
}

/*
 * Find the base operator of `name`. The ForAnyValue: and ForAllValues:
 * prefixes and the IfExists suffix do not change how a known key is
 * decided: the context contains single values, and a single value is a set of
 * one, for which "any element matches" and "every element matches" agree.
 * IfExists only matters for an absent key, and an absent key is unknown
 * here. Names are matched with the case that AWS documents.
 */
static const operator_spec *find_operator(const char *name)
{
    static const char *const prefixes[] = {"ForAnyValue:", "ForAllValues:"};
    static const char suffix[] = "IfExists";
    size_t length;

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t prefix_length = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], prefix_length) == 0) {
            name += prefix_length;
            break;
        }
    }
    length = strlen(name);
    if (length > sizeof(suffix) - 1 &&
        strcmp(name + length - (sizeof(suffix) - 1), suffix) == 0)
        length -= sizeof(suffix) - 1;

    for (size_t i = 0; i < sizeof(operator_specs) / sizeof(operator_specs[0]);
         i++) {
        const operator_spec *spec = &operator_specs[i];
        if (strlen(spec->name) == length &&
            strncmp(spec->name, name, length) == 0)
            return spec;
    }
    return NULL;
}

static relation_words describe_relation(const operator_spec *spec)
{
    static const relation_words date_words[] = {
        [COMPARE_EQUAL] = {"is", "is not", ""},
        [COMPARE_LESS] = {"is before", "is not before", ""},
        [COMPARE_LESS_EQUAL] = {"is at or before", "is not at or before", ""},
        [COMPARE_GREATER] = {"is after", "is not after", ""},
        [COMPARE_GREATER_EQUAL] = {"is at or after", "is not at or after", ""},
    };
    static const relation_words number_words[] = {
        [COMPARE_EQUAL] = {"equals", "does not equal", ""},
        [COMPARE_LESS] = {"is less than", "is not less than", ""},
        [COMPARE_LESS_EQUAL] = {"is at most", "is not at most", ""},
        [COMPARE_GREATER] = {"is greater than", "is not greater than", ""},
        [COMPARE_GREATER_EQUAL] = {"is at least", "is not at least", ""},
    };

    switch (spec->kind) {
    case KIND_STRING_IGNORE_CASE:
        return (relation_words){"is", "is not", ", ignoring case"};
    case KIND_STRING_LIKE:
    case KIND_ARN:
        return (relation_words){"matches", "does not match", ""};
    case KIND_DATE:
        return date_words[spec->compare];
    case KIND_NUMERIC:
        return number_words[spec->compare];
    case KIND_STRING:
    case KIND_BOOL:
    case KIND_NULL:
        break;
    }
    return (relation_words){"is", "is not", ""};
}

/*
 * Look up `key` in the request context, case-insensitively. The time keys
 * come from `now` when it is known, because a caller can always get a
 * fresh session. Without `now` they are looked up like any other key.
 */
static void resolve_key(const aws_context *context, const char *key,
                        request_value *out)
{
    memset(out, 0, sizeof(*out));
    if (context == NULL)
        return;

    if (context->now != NHI_TIME_UNKNOWN) {
        bool epoch = nhi_streq_nocase(key, "aws:EpochTime");
        bool token = nhi_streq_nocase(key, "aws:TokenIssueTime");
        bool current = nhi_streq_nocase(key, "aws:CurrentTime");
        nhi_time parsed;

        if (epoch) {
            snprintf(out->buffer, sizeof(out->buffer), "%" PRId64,
                     context->now);
        } else if (token || current) {
            nhi_time_format(context->now, out->buffer, sizeof(out->buffer));
        }
        /* A `now` that the date format cannot show (beyond year 9999) is
         * left unknown rather than shown wrong. */
        if (epoch ||
            ((token || current) && nhi_time_parse(out->buffer, &parsed) &&
             parsed == context->now)) {
            out->text = out->buffer;
            out->has_time = true;
            out->time = context->now;
            out->token_issue_time = token;
            return;
        }
        out->buffer[0] = '\0';
    }

    for (size_t i = 0; i < context->key_count; i++) {
        const aws_context_key *entry = &context->keys[i];
        if (entry->key != NULL && entry->value != NULL &&
            nhi_streq_nocase(entry->key, key)) {
            out->text = entry->value;
            return;
        }
    }
}

/*
 * The text of one condition value: a string as is, a JSON boolean or
 * integer as AWS reads it. Returns NULL for other JSON types.
 */
static const char *value_text(const json_t *value, char *buffer, size_t size)
{
    if (json_is_string(value))
        return json_string_value(value);
    if (json_is_true(value))
        return "true";
    if (json_is_false(value))
        return "false";
    if (json_is_integer(value)) {
        snprintf(buffer, size, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(value));
        return buffer;
    }
    return NULL;
}

/* Read "true" or "false" in any case, as AWS does for Bool and Null. */
static bool parse_bool(const char *text, bool *out)
{
    if (nhi_streq_nocase(text, "true"))
        *out = true;
    else if (nhi_streq_nocase(text, "false"))
        *out = false;
    else
        return false;
    return true;
}

/*
 * Read an RFC 3339 date or date-time, or whole epoch seconds.
 * NOTE: fractions of a second are dropped, so a comparison with a
 * condition value that has a fraction can be off by one second.
 */
static bool parse_date(const char *text, nhi_time *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    size_t count = strspn(digits, "0123456789");
    char *end;

    if (nhi_time_parse(text, out))
        return true;
    /* 18 digits stay inside int64_t. */
    if (count == 0 || count > 18 || digits[count] != '\0')
        return false;
    errno = 0;
    *out = strtoll(text, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Read a decimal number: optional sign, digits, optional fraction. */
static bool parse_number(const char *text, double *out)
{
    const char *cursor = text + (text[0] == '+' || text[0] == '-');
    size_t count = strspn(cursor, "0123456789");
    char *end;

    if (count == 0)
        return false;
    cursor += count;
    if (*cursor == '.') {
        count = strspn(cursor + 1, "0123456789");
        if (count == 0)
            return false;
        cursor += 1 + count;
    }
    if (*cursor != '\0')
        return false;
    errno = 0;
    *out = strtod(text, &end);
    return errno == 0 && *end == '\0' && isfinite(*out);
}

static bool compare_ordered(comparison compare, double left, double right)
{
    switch (compare) {
    case COMPARE_EQUAL:
        return left == right;
    case COMPARE_LESS:
        return left < right;
    case COMPARE_LESS_EQUAL:
        return left <= right;
    case COMPARE_GREATER:
        return left > right;
    case COMPARE_GREATER_EQUAL:
        return left >= right;
    }
    return false;
}

static bool compare_times(comparison compare, nhi_time left, nhi_time right)
{
    switch (compare) {
    case COMPARE_EQUAL:
        return left == right;
    case COMPARE_LESS:
        return left < right;
    case COMPARE_LESS_EQUAL:
        return left <= right;
    case COMPARE_GREATER:
        return left > right;
    case COMPARE_GREATER_EQUAL:
        return left >= right;
    }
    return false;
}

static bool has_non_ascii(const char *text)
{
    for (; *text != '\0'; text++)
        if ((unsigned char)*text >= 0x80)
            return true;
    return false;
}

/* Cut `arn` in place at its first five colons into six fields, the last
 * of which (the resource) may hold more colons. Returns false when `arn`
 * has fewer than five colons. */
static bool split_arn(char *arn, char *fields[6])
{
    fields[0] = arn;
    for (int i = 1; i < 6; i++) {
        char *colon = strchr(fields[i - 1], ':');
        if (colon == NULL)
            return false;
        *colon = '\0';
        fields[i] = colon + 1;
    }
    return true;
}

/*
 * Match an ARN against an ARN pattern field by field, with `*` and `?`
 * wildcards inside each field, case-sensitively. A side that is not an ARN
 * of six fields is POSSIBLE, because nhi does not decide how AWS compares
 * it.
 */
static aws_condition_result match_arn(eval_state *state, const char *pattern,
                                      const char *arn, char **reason)
{
    char *pattern_copy = strdup(pattern);
    char *arn_copy = strdup(arn);
    char *pattern_fields[6], *arn_fields[6];
    aws_condition_result result = AWS_CONDITION_TRUE;

    if (pattern_copy == NULL || arn_copy == NULL) {
        state->out_of_memory = true;
        result = AWS_CONDITION_POSSIBLE;
    } else if (!split_arn(pattern_copy, pattern_fields)) {
        *reason =
            format_reason(state, "'%s' is not an ARN of six fields", pattern);
        result = AWS_CONDITION_POSSIBLE;
    } else if (!split_arn(arn_copy, arn_fields)) {
        *reason =
            format_reason(state, "'%s' is not an ARN of six fields", arn);
        result = AWS_CONDITION_POSSIBLE;
    } else {
        for (int i = 0; i < 6; i++) {
            if (!nhi_glob_match(pattern_fields[i], arn_fields[i],
                                NHI_GLOB_CASE_SENSITIVE)) {
                result = AWS_CONDITION_FALSE;
                break;
            }
        }
    }
    free(pattern_copy);
    free(arn_copy);
    return result;
}

static aws_condition_result match_bool(eval_state *state,
                                       const request_value *request,
                                       const char *value, char **reason)
{
    bool expected, actual;

    if (!parse_bool(value, &expected)) {
        *reason = format_reason(state, "'%s' is not true or false", value);
        return AWS_CONDITION_POSSIBLE;
    }
    if (!parse_bool(request->text, &actual)) {
        *reason =
            format_reason(state, "the request value '%s' is not true or false",
                          request->text);
        return AWS_CONDITION_POSSIBLE;
    }
    return expected == actual ? AWS_CONDITION_TRUE : AWS_CONDITION_FALSE;
}

static aws_condition_result match_date(eval_state *state, comparison compare,
                                       const request_value *request,
                                       const char *value, char **reason)
{
    nhi_time expected, actual = request->time;

    if (!parse_date(value, &expected)) {
        *reason = format_reason(state, "'%s' is not a date", value);
        return AWS_CONDITION_POSSIBLE;
    }
    if (!request->has_time && !parse_date(request->text, &actual)) {
        *reason = format_reason(state, "the request value '%s' is not a date",
                                request->text);
        return AWS_CONDITION_POSSIBLE;
    }
    return compare_times(compare, actual, expected) ? AWS_CONDITION_TRUE
                                                    : AWS_CONDITION_FALSE;
}

static aws_condition_result match_number(eval_state *state, comparison compare,
                                         const request_value *request,
                                         const char *value, char **reason)
{
    double expected, actual;

    if (!parse_number(value, &expected)) {
        *reason = format_reason(state, "'%s' is not a number", value);
        return AWS_CONDITION_POSSIBLE;
    }
    if (!parse_number(request->text, &actual)) {
        *reason = format_reason(
            state, "the request value '%s' is not a number", request->text);
        return AWS_CONDITION_POSSIBLE;
    }
    return compare_ordered(compare, actual, expected) ? AWS_CONDITION_TRUE
                                                      : AWS_CONDITION_FALSE;
}

/*
 * Null on a key that the request carries: "true" (the key is absent) fails
 * and "false" holds. aws:TokenIssueTime is absent when the caller signs
 * with long-term access keys, and the export does not say whether a caller
 * would, so "true" on it is POSSIBLE.
 */
static aws_condition_result match_null(eval_state *state,
                                       const request_value *request,
                                       const char *value, char **reason)
{
    bool absent;

    if (!parse_bool(value, &absent)) {
        *reason = format_reason(state, "'%s' is not true or false", value);
        return AWS_CONDITION_POSSIBLE;
    }
    if (absent && request->token_issue_time) {
        *reason = format_reason(
            state,
            "the key is absent for long-term access keys, and the export "
            "does not say which credentials the caller uses");
        return AWS_CONDITION_POSSIBLE;
    }
    return absent ? AWS_CONDITION_FALSE : AWS_CONDITION_TRUE;
}

/*
 * Whether the request value matches one condition value, before any
 * negation. When the result is POSSIBLE, `*reason` receives the reason.
 */
static aws_condition_result match_value(eval_state *state,
                                        const operator_spec *spec,
                                        const request_value *request,
                                        const char *value, char **reason)
{
    const char *text = request->text;

    if (strstr(value, "${") != NULL) {
        *reason = format_reason(state,
                                "'%s' contains a policy variable, which the "
                                "export does not resolve",
                                value);
        return AWS_CONDITION_POSSIBLE;
    }

    switch (spec->kind) {
    case KIND_STRING:
        return strcmp(text, value) == 0 ? AWS_CONDITION_TRUE
                                        : AWS_CONDITION_FALSE;
    case KIND_STRING_IGNORE_CASE:
        if (nhi_streq_nocase(text, value))
            return AWS_CONDITION_TRUE;
        /* nhi folds ASCII letters only, and AWS may fold others too. */
        if (has_non_ascii(text) || has_non_ascii(value)) {
            *reason = format_reason(state,
                                    "'%s' or '%s' has non-ASCII characters, "
                                    "whose case folding nhi does not decide",
                                    text, value);
            return AWS_CONDITION_POSSIBLE;
        }
        return AWS_CONDITION_FALSE;
    case KIND_STRING_LIKE:
        return nhi_glob_match(value, text, NHI_GLOB_CASE_SENSITIVE)
                   ? AWS_CONDITION_TRUE
                   : AWS_CONDITION_FALSE;
    case KIND_ARN:
        return match_arn(state, value, text, reason);
    case KIND_BOOL:
        return match_bool(state, request, value, reason);
    case KIND_DATE:
        return match_date(state, spec->compare, request, value, reason);
    case KIND_NUMERIC:
        return match_number(state, spec->compare, request, value, reason);
    case KIND_NULL:
        return match_null(state, request, value, reason);
    }
    return AWS_CONDITION_POSSIBLE;
}

/* Describe why no value of a positive operator matched: "'a' is not
 * 'b'", or "'a' is not any of 'b', 'c'" for a list. */
static char *describe_no_match(eval_state *state, const char *operator_name,
                               const operator_spec *spec, const char *key,
                               const request_value *request,
                               const json_t *values)
{
    relation_words words = describe_relation(spec);
    nhi_buf buf = {0};
    char buffer[32];

    if (spec->kind == KIND_NULL)
        return format_reason(state, "%s on %s: the key is present",
                             operator_name, key);

    nhi_buf_printf(&buf, "%s on %s: '%s' %s", operator_name, key,
                   request->text, words.negative);
    if (!json_is_array(values)) {
        nhi_buf_printf(&buf, " '%s'",
                       value_text(values, buffer, sizeof(buffer)));
    } else {
        nhi_buf_puts(&buf, " any of");
        for (size_t i = 0; i < json_array_size(values); i++) {
            const json_t *value = json_array_get(values, i);
            nhi_buf_printf(&buf, "%s '%s'", i == 0 ? "" : ",",
                           value_text(value, buffer, sizeof(buffer)));
        }
    }
    nhi_buf_puts(&buf, words.suffix);

    if (buf.failed) {
        nhi_buf_free(&buf);
        state->out_of_memory = true;
        return NULL;
    }
    return buf.data;
}

/*
 * Evaluate one key of one operator. A list of values holds when the
 * request value matches any of them (none of them for a negated operator).
 * Every value text is checked before the list is described, so that
 * describe_no_match receives only values that value_text reads.
 */
static aws_condition_result evaluate_key(eval_state *state,
                                         const char *operator_name,
                                         const operator_spec *spec,
                                         const char *key, const json_t *values,
                                         char **reason)
{
    request_value request;
    size_t count = json_is_array(values) ? json_array_size(values) : 1;
    aws_condition_result any = AWS_CONDITION_FALSE;
    const char *matched = NULL;
    char matched_buffer[32];
    char *first_possible = NULL;

    resolve_key(state->context, key, &request);
    if (request.text == NULL) {
        *reason = format_reason(state, "%s is not known from the export", key);
        return AWS_CONDITION_POSSIBLE;
    }
    if (count == 0) {
        *reason = format_reason(state, "%s on %s: the list of values is empty",
                                operator_name, key);
        return AWS_CONDITION_POSSIBLE;
    }

    for (size_t i = 0; i < count && any != AWS_CONDITION_TRUE; i++) {
        const json_t *value =
            json_is_array(values) ? json_array_get(values, i) : values;
        const char *text =
            value_text(value, matched_buffer, sizeof(matched_buffer));
        aws_condition_result match;
        char *detail = NULL;

        if (text == NULL) {
            match = AWS_CONDITION_POSSIBLE;
            detail =
                format_reason(state, "a value is not a string, integer or "
                                     "boolean");
        } else {
            match = match_value(state, spec, &request, text, &detail);
        }

        if (match == AWS_CONDITION_TRUE) {
            any = AWS_CONDITION_TRUE;
            matched = text;
        } else if (match == AWS_CONDITION_POSSIBLE &&
                   any == AWS_CONDITION_FALSE) {
            any = AWS_CONDITION_POSSIBLE;
            first_possible = detail;
            detail = NULL;
        }
        free(detail);
    }

    if (any == AWS_CONDITION_TRUE) {
        free(first_possible);
        if (!spec->negated)
            return AWS_CONDITION_TRUE;
        relation_words words = describe_relation(spec);
        *reason = format_reason(state, "%s on %s: '%s' %s '%s'%s",
                                operator_name, key, request.text,
                                words.positive, matched, words.suffix);
        return AWS_CONDITION_FALSE;
    }
    if (any == AWS_CONDITION_POSSIBLE) {
        *reason = format_reason(state, "%s on %s: %s", operator_name, key,
                                first_possible != NULL ? first_possible : "");
        free(first_possible);
        return AWS_CONDITION_POSSIBLE;
    }
    if (spec->negated)
        return AWS_CONDITION_TRUE;
    *reason =
        describe_no_match(state, operator_name, spec, key, &request, values);
    return AWS_CONDITION_FALSE;
}

/*
 * Fold one part into a three-valued AND: FALSE wins, then POSSIBLE, then
 * TRUE. Keeps the reason of the first FALSE, else of the first POSSIBLE,
 * and frees `part_reason` otherwise. Returns true when the AND is FALSE
 * and later parts need no evaluation.
 */
static bool fold_and(aws_condition_result *total, char **total_reason,
                     aws_condition_result part, char *part_reason)
{
    if (part == AWS_CONDITION_FALSE) {
        free(*total_reason);
        *total = AWS_CONDITION_FALSE;
        *total_reason = part_reason;
        return true;
    }
    if (part == AWS_CONDITION_POSSIBLE && *total == AWS_CONDITION_TRUE) {
        *total = AWS_CONDITION_POSSIBLE;
        *total_reason = part_reason;
        return false;
    }
    free(part_reason);
    return false;
}

static aws_condition_result evaluate_operator(eval_state *state,
                                              const char *operator_name,
                                              const json_t *keys,
                                              char **reason)
{
    const operator_spec *spec = find_operator(operator_name);
    aws_condition_result total = AWS_CONDITION_TRUE;
    const char *key;
    const json_t *values;

    if (spec == NULL) {
        *reason = format_reason(
            state, "%s is not an operator that nhi evaluates", operator_name);
        return AWS_CONDITION_POSSIBLE;
    }
    if (!json_is_object(keys)) {
        *reason = format_reason(
            state, "the value of %s is not an object of keys", operator_name);
        return AWS_CONDITION_POSSIBLE;
    }

    /* json_object_foreach wants a non-const object but only reads it. */
    json_object_foreach ((json_t *)keys, key, values) {
        char *part_reason = NULL;
        aws_condition_result part = evaluate_key(state, operator_name, spec,
                                                 key, values, &part_reason);
        if (fold_and(&total, reason, part, part_reason))
            break;
    }
    return total;
}

static aws_condition_result evaluate_block(eval_state *state,
                                           const json_t *block, char **reason)
{
    aws_condition_result total = AWS_CONDITION_TRUE;
    const char *operator_name;
    const json_t *keys;

    json_object_foreach ((json_t *)block, operator_name, keys) {
        char *part_reason = NULL;
        aws_condition_result part =
            evaluate_operator(state, operator_name, keys, &part_reason);
        if (fold_and(&total, reason, part, part_reason))
            break;
    }
    return total;
}

int aws_condition_eval(const char *condition, const aws_context *context,
                       aws_condition_result *result, char **reason)
{
    eval_state state = {.context = context, .out_of_memory = false};
    char *block_reason = NULL;
    json_error_t error;
    json_t *block;

    if (reason != NULL)
        *reason = NULL;
    *result = AWS_CONDITION_TRUE;
    if (condition == NULL)
        return NHI_OK;

    /* Duplicate keys are rejected because AWS does not document which of
     * them it reads. */
    block = json_loads(condition, JSON_REJECT_DUPLICATES, &error);
    if (block == NULL) {
        if (json_error_code(&error) == json_error_out_of_memory) {
            *result = AWS_CONDITION_POSSIBLE;
            return NHI_ENOMEM;
        }
        *result = AWS_CONDITION_POSSIBLE;
        block_reason = format_reason(
            &state, "the Condition block is not valid JSON: %s", error.text);
    } else if (!json_is_object(block)) {
        *result = AWS_CONDITION_POSSIBLE;
        block_reason =
            format_reason(&state, "the Condition block is not a JSON object");
    } else {
        *result = evaluate_block(&state, block, &block_reason);
    }
    json_decref(block);

    if (state.out_of_memory) {
        free(block_reason);
        *result = AWS_CONDITION_POSSIBLE;
        return NHI_ENOMEM;
    }
    if (reason != NULL)
        *reason = block_reason;
    else
        free(block_reason);
    return NHI_OK;
}
