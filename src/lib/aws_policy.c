/* SPDX-License-Identifier: MIT */
/*
 * IAM policy documents into nhi_statement lists, following the IAM JSON
 * policy element reference (docs.aws.amazon.com/IAM/latest/UserGuide/
 * reference_policies_elements.html), and IAM ARNs.
 */
#include "aws_policy.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_eval.h"
#include "jstream.h"
#include "util.h"

typedef struct parser {
    const nhi_aws_document_source *source;
    nhi_aws_document_type type;
    int status; /* NHI_ENOMEM once an allocation failed */
} parser;

static const char *const statement_fields[] = {
    "Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
    "NotAction", "Resource", "NotResource", "Condition",
};
#define STATEMENT_FIELD_COUNT                                                  \
    (sizeof(statement_fields) / sizeof(statement_fields[0]))

static const char *const principal_types[] = {"AWS", "Service", "Federated",
                                              "CanonicalUser"};
#define PRINCIPAL_TYPE_COUNT                                                   \
    (sizeof(principal_types) / sizeof(principal_types[0]))

/* `text` quoted and cut to NHI_EXCERPT_MAX bytes, for messages. */
/*
 * Report an error in the document, or in its statement `statement` when
 * that is not SIZE_MAX.
 */
static nhi_error *report(const parser *p, size_t statement, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static nhi_error *report(const parser *p, size_t statement, const char *fmt,
                         ...)
{
    const nhi_aws_document_source *source = p->source;
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error =
        nhi_diags_addv(source->diags, NHI_LEVEL_ERROR, NHI_EINPUT, source->path,
                       source->line, source->column, fmt, args);
    va_end(args);
    if (statement == SIZE_MAX)
        nhi_error_set_location(error, "%s", source->json_path);
    else
        nhi_error_set_location(error, "%s.Statement[%zu]", source->json_path,
                               statement);
    return error;
}

static void statement_left_out(nhi_error *error)
{
    nhi_error_set_hint(error, "fix the policy in IAM and export again; this "
                              "statement was left out");
}

static void *allocate_array(parser *p, size_t count, size_t size)
{
    void *items;

    if (count == 0)
        return NULL;
    if (count > SIZE_MAX / size) {
        p->status = NHI_ENOMEM;
        return NULL;
    }
    items = nhi_graph_alloc(p->source->graph, count * size);
    if (items == NULL)
        p->status = NHI_ENOMEM;
    return items;
}

static const char *intern(parser *p, const char *text)
{
    const char *interned = nhi_graph_intern(p->source->graph, text);

    if (interned == NULL)
        p->status = NHI_ENOMEM;
    return interned;
}

/* A field name that differs from a valid one only in case or by one
 * trailing character, such as `Effects` or `action`. */
static const char *suggest_field(const char *field)
{
    size_t length = strlen(field);

    for (size_t i = 0; i < STATEMENT_FIELD_COUNT; i++) {
        const char *valid = statement_fields[i];
        size_t valid_length = strlen(valid);
        size_t shorter = length < valid_length ? length : valid_length;
        size_t longer = length < valid_length ? valid_length : length;

        if (longer - shorter <= 1 && shorter > 0 &&
            strncasecmp(field, valid, shorter) == 0)
            return valid;
    }
    return NULL;
}

static bool is_statement_field(const char *field)
{
    for (size_t i = 0; i < STATEMENT_FIELD_COUNT; i++)
        if (strcmp(field, statement_fields[i]) == 0)
            return true;
    return false;
}

static bool check_fields(parser *p, const json_t *statement, size_t index)
{
    const char *field;
    const json_t *value;
    bool valid = true;

    json_object_foreach((json_t *)statement, field, value)
    {
        char buffer[NHI_EXCERPT_MAX + 8];
        const char *suggestion;
        nhi_error *error;

        if (is_statement_field(field))
            continue;
        valid = false;
        error = report(p, index, "invalid statement: unknown field %s",
                       nhi_excerpt(field, buffer, sizeof(buffer)));
        suggestion = suggest_field(field);
        if (suggestion)
            nhi_error_set_hint(error,
                               "did you mean '%s'? This statement was left out",
                               suggestion);
        else
            nhi_error_set_hint(error,
                               "the fields are Sid, Effect, Principal, "
                               "NotPrincipal, Action, NotAction, Resource, "
                               "NotResource and Condition; this statement "
                               "was left out");
    }
    return valid;
}

/*
 * Read `field` of a statement, a string or a list of strings, into
 * interned strings prefixed with `prefix` (may be ""). Returns false when
 * the value is invalid (reported) or memory ran out.
 */
static bool read_strings(parser *p, size_t index, const char *field,
                         const char *prefix, const json_t *value,
                         const char ***out, size_t *out_count)
{
    size_t count = json_is_array(value) ? json_array_size(value) : 1;
    const char **items;

    *out = NULL;
    *out_count = 0;
    if (!json_is_string(value) && !json_is_array(value)) {
        statement_left_out(report(p, index,
                                  "invalid %s: expected a string or a list of "
                                  "strings, not %s",
                                  field, nhi_json_type_name(value)));
        return false;
    }
    items = allocate_array(p, count, sizeof(*items));
    if (items == NULL && count > 0)
        return false;

    for (size_t i = 0; i < count; i++) {
        const json_t *item =
            json_is_array(value) ? json_array_get(value, i) : value;
        char *joined;

        if (!json_is_string(item)) {
            statement_left_out(report(p, index,
                                      "invalid %s: item %zu is %s, not a "
                                      "string",
                                      field, i, nhi_json_type_name(item)));
            return false;
        }
        if (prefix[0] == '\0') {
            items[i] = intern(p, json_string_value(item));
        } else {
            joined = malloc(strlen(prefix) + json_string_length(item) + 1);
            if (joined == NULL) {
                p->status = NHI_ENOMEM;
                return false;
            }
            strcpy(joined, prefix);
            strcat(joined, json_string_value(item));
            items[i] = intern(p, joined);
            free(joined);
        }
        if (items[i] == NULL)
            return false;
    }
    *out = items;
    *out_count = count;
    return true;
}

/* Append the strings of `more` to `*items`, in the graph's arena. */
static bool append_strings(parser *p, const char ***items, size_t *count,
                           const char **more, size_t more_count)
{
    const char **joined;

    if (more_count == 0)
        return true;
    if (*count == 0) {
        *items = more;
        *count = more_count;
        return true;
    }
    joined = allocate_array(p, *count + more_count, sizeof(*joined));
    if (joined == NULL)
        return false;
    memcpy(joined, *items, *count * sizeof(*joined));
    memcpy(joined + *count, more, more_count * sizeof(*joined));
    *items = joined;
    *count += more_count;
    return true;
}

/* Principal or NotPrincipal: "*" or {"AWS": ..., "Service": ..., ...}. */
static bool read_principals(parser *p, size_t index, const char *field,
                            const json_t *value, nhi_statement *statement)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const char *type;
    const json_t *values;

    if (json_is_string(value)) {
        if (strcmp(json_string_value(value), "*") != 0) {
            statement_left_out(report(
                p, index,
                "invalid %s %s: expected \"*\" or an object such as "
                "{\"AWS\": \"arn:aws:iam::111122223333:root\"}",
                field,
                nhi_excerpt(json_string_value(value), buffer, sizeof(buffer))));
            return false;
        }
        return read_strings(p, index, field, "", value, &statement->principals,
                            &statement->principal_count);
    }
    if (!json_is_object(value)) {
        statement_left_out(report(p, index,
                                  "invalid %s: expected \"*\" or an object, "
                                  "not %s",
                                  field, nhi_json_type_name(value)));
        return false;
    }

    json_object_foreach((json_t *)value, type, values)
    {
        char prefix[32];
        const char **items;
        size_t count;
        size_t known = 0;

        while (known < PRINCIPAL_TYPE_COUNT &&
               strcmp(type, principal_types[known]) != 0)
            known++;
        if (known == PRINCIPAL_TYPE_COUNT) {
            nhi_error *error =
                report(p, index, "invalid %s: unknown principal type %s", field,
                       nhi_excerpt(type, buffer, sizeof(buffer)));
            nhi_error_set_hint(error, "the types are AWS, Service, Federated "
                                      "and CanonicalUser; this statement was "
                                      "left out");
            return false;
        }
        snprintf(prefix, sizeof(prefix), "%s:", type);
        if (!read_strings(p, index, field, prefix, values, &items, &count) ||
            !append_strings(p, &statement->principals,
                            &statement->principal_count, items, count))
            return false;
    }
    return true;
}

static bool read_effect(parser *p, size_t index, const json_t *statement,
                        nhi_statement *out)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const json_t *effect = json_object_get(statement, "Effect");
    const char *text = json_string_value(effect);

    if (effect == NULL) {
        statement_left_out(report(p, index, "missing Effect in statement"));
        return false;
    }
    if (text && strcmp(text, "Allow") == 0) {
        out->allow = true;
        return true;
    }
    if (text && strcmp(text, "Deny") == 0) {
        out->allow = false;
        return true;
    }
    if (text)
        statement_left_out(report(p, index,
                                  "invalid Effect %s: expected Allow or Deny",
                                  nhi_excerpt(text, buffer, sizeof(buffer))));
    else
        statement_left_out(report(p, index,
                                  "invalid Effect: expected Allow or Deny, not "
                                  "%s",
                                  nhi_json_type_name(effect)));
    return false;
}

/*
 * Read the one of `field` and `not_field` that the statement has into
 * `*items`, setting `*negated` for `not_field`. `required` makes a
 * statement with neither invalid.
 */
static bool read_pair(parser *p, size_t index, const json_t *statement,
                      const char *field, const char *not_field, bool required,
                      bool *negated, const char ***items, size_t *count)
{
    const json_t *plain = json_object_get(statement, field);
    const json_t *negative = json_object_get(statement, not_field);

    if (plain && negative) {
        statement_left_out(report(p, index,
                                  "invalid statement: both %s and %s are set",
                                  field, not_field));
        return false;
    }
    if (plain == NULL && negative == NULL) {
        if (required)
            statement_left_out(report(p, index, "missing %s or %s in statement",
                                      field, not_field));
        return !required;
    }
    *negated = negative != NULL;
    return read_strings(p, index, *negated ? not_field : field, "",
                        *negated ? negative : plain, items, count);
}

static bool read_principal_pair(parser *p, size_t index,
                                const json_t *statement, nhi_statement *out)
{
    const json_t *plain = json_object_get(statement, "Principal");
    const json_t *negative = json_object_get(statement, "NotPrincipal");

    if (plain && negative) {
        statement_left_out(report(p, index,
                                  "invalid statement: both Principal and "
                                  "NotPrincipal are set"));
        return false;
    }
    if (plain == NULL && negative == NULL) {
        if (p->type != NHI_AWS_TRUST_POLICY)
            return true;
        statement_left_out(report(p, index,
                                  "missing Principal or "
                                  "NotPrincipal in statement"));
        return false;
    }
    out->not_principal = negative != NULL;
    return read_principals(p, index,
                           out->not_principal ? "NotPrincipal" : "Principal",
                           out->not_principal ? negative : plain, out);
}

static bool read_condition(parser *p, size_t index, const json_t *statement,
                           nhi_statement *out)
{
    const json_t *condition = json_object_get(statement, "Condition");
    char *text;

    if (condition == NULL)
        return true;
    if (!json_is_object(condition)) {
        statement_left_out(report(p, index,
                                  "invalid Condition: expected an object, not "
                                  "%s",
                                  nhi_json_type_name(condition)));
        return false;
    }
    /* An empty Condition block has no conditions to meet. */
    if (json_object_size(condition) == 0)
        return true;
    text = json_dumps(condition, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        p->status = NHI_ENOMEM;
        return false;
    }
    out->condition = intern(p, text);
    free(text);
    return out->condition != NULL;
}

static bool read_sid(parser *p, size_t index, const json_t *statement,
                     nhi_statement *out)
{
    const json_t *sid = json_object_get(statement, "Sid");

    if (sid == NULL)
        return true;
    if (!json_is_string(sid)) {
        statement_left_out(report(p, index,
                                  "invalid Sid: expected a string, not %s",
                                  nhi_json_type_name(sid)));
        return false;
    }
    out->sid = intern(p, json_string_value(sid));
    return out->sid != NULL;
}

/* Read one statement into `out`. Returns false when it is left out. */
static bool read_statement(parser *p, const json_t *statement, size_t index,
                           nhi_statement *out)
{
    bool valid;

    memset(out, 0, sizeof(*out));
    out->index = (unsigned)index;
    if (!json_is_object(statement)) {
        statement_left_out(report(p, index,
                                  "invalid statement: expected an object, not "
                                  "%s",
                                  nhi_json_type_name(statement)));
        return false;
    }

    /* Check every part, so that one pass reports all of its problems. */
    valid = check_fields(p, statement, index);
    valid &= read_sid(p, index, statement, out);
    valid &= read_effect(p, index, statement, out);
    valid &= read_pair(p, index, statement, "Action", "NotAction", true,
                       &out->not_action, &out->actions, &out->action_count);
    valid &= read_pair(p, index, statement, "Resource", "NotResource",
                       p->type == NHI_AWS_IDENTITY_POLICY, &out->not_resource,
                       &out->resources, &out->resource_count);
    valid &= read_principal_pair(p, index, statement, out);
    valid &= read_condition(p, index, statement, out);
    aws_statement_index(out);
    return valid && p->status == NHI_OK;
}

static void read_statements(parser *p, const json_t *list,
                            nhi_policy_version *version)
{
    size_t count = json_is_array(list) ? json_array_size(list) : 1;
    nhi_statement *statements = allocate_array(p, count, sizeof(*statements));

    if (statements == NULL)
        return;
    for (size_t i = 0; i < count && p->status == NHI_OK; i++) {
        const json_t *item =
            json_is_array(list) ? json_array_get(list, i) : list;
        if (read_statement(p, item, i, &statements[version->statement_count]))
            version->statement_count++;
    }
    version->statements = statements;
}

static void read_version(parser *p, const json_t *value,
                         nhi_policy_version *version)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const char *text = json_string_value(value);
    nhi_error *error;

    if (text && strcmp(text, "2012-10-17") == 0) {
        version->version_2012 = true;
        return;
    }
    if (text && strcmp(text, "2008-10-17") == 0)
        return;
    if (text)
        error = report(p, SIZE_MAX,
                       "invalid policy Version %s: expected 2012-10-17 or "
                       "2008-10-17",
                       nhi_excerpt(text, buffer, sizeof(buffer)));
    else
        error = report(p, SIZE_MAX,
                       "invalid policy Version: expected a string, not %s",
                       nhi_json_type_name(value));
    nhi_error_set_hint(error, "write \"Version\": \"2012-10-17\"; the "
                              "statements were read without policy "
                              "variables");
}

static void read_document(parser *p, const json_t *document,
                          nhi_policy_version *version)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const char *key;
    const json_t *value;
    const json_t *statements = NULL;

    json_object_foreach((json_t *)document, key, value)
    {
        if (strcmp(key, "Version") == 0) {
            read_version(p, value, version);
        } else if (strcmp(key, "Id") == 0) {
            if (!json_is_string(value))
                nhi_error_set_hint(report(p, SIZE_MAX,
                                          "invalid policy Id: expected a "
                                          "string, not %s",
                                          nhi_json_type_name(value)),
                                   "fix the policy in IAM and export again");
        } else if (strcmp(key, "Statement") == 0) {
            statements = value;
        } else {
            nhi_error_set_hint(report(p, SIZE_MAX,
                                      "invalid policy document: unknown key "
                                      "%s",
                                      nhi_excerpt(key, buffer, sizeof(buffer))),
                               "the keys are Version, Id and Statement; the "
                               "statements were still read");
        }
    }

    if (statements == NULL) {
        nhi_error_set_hint(report(p, SIZE_MAX,
                                  "missing Statement in policy "
                                  "document"),
                           "fix the policy in IAM and export again");
        return;
    }
    if (!json_is_object(statements) && !json_is_array(statements)) {
        nhi_error_set_hint(report(p, SIZE_MAX,
                                  "invalid Statement: expected an object or a "
                                  "list, not %s",
                                  nhi_json_type_name(statements)),
                           "fix the policy in IAM and export again");
        return;
    }
    read_statements(p, statements, version);
}

static int hex_digit(char digit)
{
    if (digit >= '0' && digit <= '9')
        return digit - '0';
    if (digit >= 'a' && digit <= 'f')
        return digit - 'a' + 10;
    if (digit >= 'A' && digit <= 'F')
        return digit - 'A' + 10;
    return -1;
}

/*
 * Decode the %XX escapes of `text` into `out`, which has room for `length`
 * bytes. IAM encodes documents as RFC 3986 says (IAM API reference,
 * PolicyVersion), which writes a space as %20, so `+` is kept as it is.
 * Returns the decoded length, or SIZE_MAX and the offset of the bad escape
 * in `*bad`.
 */
static size_t url_decode(const char *text, size_t length, char *out,
                         size_t *bad)
{
    size_t written = 0;

    for (size_t i = 0; i < length; i++) {
        int high, low;

        if (text[i] != '%') {
            out[written++] = text[i];
            continue;
        }
        high = i + 1 < length ? hex_digit(text[i + 1]) : -1;
        low = i + 2 < length ? hex_digit(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            *bad = i;
            return SIZE_MAX;
        }
        out[written++] = (char)(high * 16 + low);
        i += 2;
    }
    return written;
}

static void document_invalid(nhi_error *error, nhi_policy_version *version)
{
    nhi_error_set_hint(error, "fix the policy in IAM and export again; this "
                              "policy version was marked invalid, with no "
                              "statements");
    version->invalid = true;
}

/*
 * Parse a document given as a string: URL-encoded, as the IAM API
 * returns it, or JSON text when it starts with `{`. Returns the object,
 * or NULL after reporting.
 */
static json_t *load_document_text(parser *p, const json_t *value,
                                  nhi_policy_version *version)
{
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    size_t start = strspn(text, " \t\r\n");
    size_t decoded_length = length, bad = 0;
    const char *decoding = "";
    char *decoded = NULL;
    json_error_t error;
    json_t *document;

    if (text[start] != '{') {
        decoded = malloc(length + 1);
        if (decoded == NULL) {
            p->status = NHI_ENOMEM;
            return NULL;
        }
        decoded_length = url_decode(text, length, decoded, &bad);
        if (decoded_length == SIZE_MAX) {
            document_invalid(
                report(p, SIZE_MAX,
                       "invalid policy document: invalid URL encoding '%.3s' "
                       "at offset %zu",
                       text + bad, bad),
                version);
            free(decoded);
            return NULL;
        }
        text = decoded;
        decoding = " after URL-decoding";
    }

    document = json_loadb(text, decoded_length, JSON_REJECT_DUPLICATES, &error);
    free(decoded);
    if (document == NULL) {
        if (json_error_code(&error) == json_error_out_of_memory) {
            p->status = NHI_ENOMEM;
            return NULL;
        }
        document_invalid(report(p, SIZE_MAX,
                                "invalid policy document: not valid "
                                "JSON%s: %d:%d: %s",
                                decoding, error.line, error.column, error.text),
                         version);
    }
    return document;
}

int nhi_aws_policy_parse(const nhi_aws_document_source *source,
                         nhi_aws_document_type type, const json_t *document,
                         nhi_policy_version *version)
{
    parser p = {.source = source, .type = type, .status = NHI_OK};
    json_t *loaded = NULL;

    version->statements = NULL;
    version->statement_count = 0;
    version->version_2012 = false;
    version->invalid = false;

    if (json_is_string(document)) {
        loaded = load_document_text(&p, document, version);
        if (loaded == NULL)
            return p.status;
        document = loaded;
    }
    if (!json_is_object(document))
        document_invalid(report(&p, SIZE_MAX,
                                "invalid policy document: expected an "
                                "object, not %s",
                                nhi_json_type_name(document)),
                         version);
    else
        read_document(&p, document, version);

    json_decref(loaded);
    return p.status;
}

static bool is_arn_type(const char *type, size_t length)
{
    static const char *const types[] = {"role", "user", "group", "policy"};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strlen(types[i]) == length && memcmp(types[i], type, length) == 0)
            return true;
    return false;
}

bool nhi_aws_arn_parse(const char *text, nhi_aws_arn *out)
{
    const char *cursor = text, *field_end, *slash;
    size_t length;

    memset(out, 0, sizeof(*out));
    if (strncmp(cursor, "arn:", 4) != 0)
        return false;
    cursor += 4;

    /* Partition: aws, aws-cn, aws-us-gov, ... */
    length = strspn(cursor, "abcdefghijklmnopqrstuvwxyz0123456789-");
    if (length == 0 || cursor[length] != ':')
        return false;
    cursor += length + 1;

    /* Service iam, and an empty region: IAM is global. */
    if (strncmp(cursor, "iam::", 5) != 0)
        return false;
    cursor += 5;

    field_end = strchr(cursor, ':');
    if (field_end == NULL)
        return false;
    length = (size_t)(field_end - cursor);
    if (!(length == 12 && strspn(cursor, "0123456789") == 12) &&
        !(length == 3 && memcmp(cursor, "aws", 3) == 0))
        return false;
    memcpy(out->account, cursor, length);
    cursor = field_end + 1;

    slash = strchr(cursor, '/');
    if (slash == NULL || !is_arn_type(cursor, (size_t)(slash - cursor)))
        return false;
    memcpy(out->type, cursor, (size_t)(slash - cursor));
    if (strcmp(out->account, "aws") == 0 && strcmp(out->type, "policy") != 0)
        return false;

    /* Path and name: printable ASCII without spaces, a non-empty name. */
    for (const char *c = slash; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7F)
            return false;
    out->path = slash;
    out->name = strrchr(slash, '/') + 1;
    out->path_length = (size_t)(out->name - slash);
    return *out->name != '\0';
}
