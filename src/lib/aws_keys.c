/* SPDX-License-Identifier: MIT */
/*
 * The reader of `aws iam list-access-keys --user-name U` output: one
 * ListAccessKeys response, several written one after another (as a shell
 * loop over users writes them), or a JSON array of responses. Fields
 * follow the IAM API reference for AccessKeyMetadata
 * (docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyMetadata.html).
 */
#include "nhi/aws.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/*
 * Largest file read: 64 MiB. A user has at most two keys and a response
 * with both is under 1 KiB, so this is room for over 60,000 users.
 */
#define MAX_KEYS_FILE ((size_t)64 << 20)


/* Length limits of AccessKeyId in the IAM API reference. */
#define KEY_ID_MIN 16
#define KEY_ID_MAX 128

/* Hex digits of a secret's SHA-256 shown in messages. They tell secrets
 * apart, and a hash reveals nothing of a random 40-character secret. */
#define SECRET_FINGERPRINT_DIGITS 16

/* One key read from the file, applied to the graph once the whole file
 * has been read without a syntax error. */
typedef struct listed_key {
    const char *user_name; /* interned */
    const char *key_id;    /* interned */
    bool active;
    nhi_time created;      /* NHI_TIME_UNKNOWN when CreateDate is absent */
    nhi_location location;
} listed_key;

/* A position in the text, moved forward as values are read. */
typedef struct text_position {
    size_t offset;
    unsigned line;
    unsigned column; /* UTF-8 characters, as jansson counts them */
} text_position;

typedef struct keys_reader {
    nhi_graph *graph;
    nhi_diags *diags;
    const char *path;   /* interned, so that locations can point to it */
    const char *text;
    size_t length;
    text_position position;
    size_t secret_cursor; /* where to look for the next SecretAccessKey */
    listed_key *keys;
    size_t key_count;
    size_t key_capacity;
    int status;         /* NHI_ENOMEM once an allocation failed */
} keys_reader;

/* One response object being read, for messages about its parts. */
typedef struct response {
    keys_reader *r;
    const json_t *object;
    unsigned line;
    unsigned column;
    size_t offset;      /* of the object's first byte */
    char prefix[32];    /* JSON path of the object: "" or "[3]" */
} response;

static void advance(const char *text, text_position *position, size_t offset)
{
    for (; position->offset < offset; position->offset++) {
        unsigned char byte = (unsigned char)text[position->offset];
        if (byte == '\n') {
            position->line++;
            position->column = 1;
        } else if ((byte & 0xC0) != 0x80) {
            position->column++;
        }
    }
}

static nhi_error *response_report(response *item, nhi_level level,
                                  const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Report a problem in the response at its line:column. `suffix` extends
 * its JSON path, such as ".AccessKeyMetadata[1].Status". */
static nhi_error *response_report(response *item, nhi_level level,
                                  const char *suffix, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(item->r->diags, level, NHI_EINPUT, item->r->path,
                           item->line, item->column, fmt, args);
    va_end(args);
    if (item->prefix[0] != '\0' || suffix[0] != '\0')
        nhi_error_set_location(error, "%s%s", item->prefix,
                               suffix[0] == '.' && item->prefix[0] == '\0'
                                   ? suffix + 1
                                   : suffix);
    return error;
}

static const char *intern(keys_reader *r, const char *text)
{
    const char *interned = nhi_graph_intern(r->graph, text);

    if (interned == NULL)
        r->status = NHI_ENOMEM;
    return interned;
}

static bool is_space(char byte)
{
    return byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n';
}

/* Offset of the next member name `"key"` (followed by `:`) at or after
 * `from`, or `length`. */
static size_t find_member(const char *text, size_t length, size_t from,
                          const char *key)
{
    size_t key_length = strlen(key);

    for (size_t i = from; i + key_length + 2 <= length; i++) {
        size_t end = i + key_length + 1;
        if (text[i] != '"' || (i > 0 && text[i - 1] == '\\') ||
            memcmp(text + i + 1, key, key_length) != 0 || text[end] != '"')
            continue;
        end++;
        while (end < length && is_space(text[end]))
            end++;
        if (end < length && text[end] == ':')
            return i;
    }
    return length;
}

/*
 * Report a SecretAccessKey member without its value. The hint names the
 * key id and the first digits of the secret's SHA-256, so that the user
 * can tell which secret leaked. The value itself is never kept.
 */
static void report_secret(response *item, const json_t *holder,
                          const char *suffix)
{
    keys_reader *r = item->r;
    const json_t *secret = json_object_get(holder, "SecretAccessKey");
    const char *key_id = json_string_value(json_object_get(holder,
                                                           "AccessKeyId"));
    char fingerprint[2 * SECRET_FINGERPRINT_DIGITS + 1] = "";
    size_t offset = find_member(r->text, r->length, r->secret_cursor,
                                "SecretAccessKey");
    text_position position = {0, 1, 1};
    nhi_error *error;

    if (json_is_string(secret)) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_length = 0;
        if (EVP_Digest(json_string_value(secret), json_string_length(secret),
                       digest, &digest_length, EVP_sha256(), NULL) == 1)
            for (size_t i = 0; i < SECRET_FINGERPRINT_DIGITS / 2; i++)
                snprintf(fingerprint + 2 * i, 3, "%02x", digest[i]);
    }
    if (offset < r->length) {
        advance(r->text, &position, offset);
        r->secret_cursor = offset + 1;
    } else {
        position.line = item->line;
        position.column = item->column;
    }
    error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                          position.line, position.column,
                          "file holds a secret access key; remove it");
    nhi_error_set_location(error, "%s%s.SecretAccessKey", item->prefix,
                           item->prefix[0] == '\0' && suffix[0] == '.'
                               ? suffix + 1
                               : suffix);
    nhi_error_set_hint(error,
                       "the secret of access key %s (SHA-256 fingerprint "
                       "%s) was not read; delete it from the file and rotate "
                       "the key, because it was written to disk",
                       key_id ? key_id : "(no AccessKeyId)",
                       fingerprint[0] ? fingerprint : "unknown");
}

static bool valid_key_id(const char *text)
{
    size_t length = strlen(text);

    if (length < KEY_ID_MIN || length > KEY_ID_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        char byte = text[i];
        if (!((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
              (byte >= '0' && byte <= '9') || byte == '_'))
            return false;
    }
    return true;
}

/* Return a required string member of a key, or report it and return NULL
 * when it is missing or not a string. */
static const char *key_string(response *item, const json_t *key,
                              const char *suffix, const char *name)
{
    const json_t *value = json_object_get(key, name);
    nhi_error *error;

    if (json_is_string(value) && json_string_length(value) > 0)
        return json_string_value(value);
    error = response_report(item, NHI_LEVEL_ERROR, suffix,
                            value ? "%s is not a non-empty string"
                                  : "missing %s",
                            name);
    nhi_error_set_hint(error, "export the keys again with `aws iam "
                              "list-access-keys`; this key was left out");
    return NULL;
}

static void key_error(response *item, const char *suffix, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static void key_error(response *item, const char *suffix, const char *fmt,
                      ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(item->r->diags, NHI_LEVEL_ERROR, NHI_EINPUT,
                           item->r->path, item->line, item->column, fmt, args);
    va_end(args);
    nhi_error_set_location(error, "%s%s", item->prefix,
                           item->prefix[0] == '\0' ? suffix + 1 : suffix);
    nhi_error_set_hint(error, "export the keys again with `aws iam "
                              "list-access-keys`; this key was left out");
}

/* Stage one AccessKeyMetadata element, or report why it is left out. */
static void read_key(response *item, const json_t *key, size_t index)
{
    keys_reader *r = item->r;
    char suffix[64], buffer[NHI_EXCERPT_MAX + 8];
    const char *user, *key_id, *status, *created_text;
    const json_t *created_value;
    listed_key staged;
    bool valid = true;

    snprintf(suffix, sizeof(suffix), ".AccessKeyMetadata[%zu]", index);
    if (!json_is_object(key)) {
        key_error(item, suffix, "access key metadata is not an object");
        return;
    }
    if (json_object_get(key, "SecretAccessKey"))
        report_secret(item, key, suffix);

    memset(&staged, 0, sizeof(staged));
    user = key_string(item, key, suffix, "UserName");
    key_id = key_string(item, key, suffix, "AccessKeyId");
    status = key_string(item, key, suffix, "Status");
    valid = user && key_id && status;

    if (key_id && !valid_key_id(key_id)) {
        key_error(item, suffix,
                  "invalid AccessKeyId %s: expected %d to %d letters, digits "
                  "or underscores",
                  nhi_excerpt(key_id, buffer, sizeof(buffer)), KEY_ID_MIN,
                  KEY_ID_MAX);
        valid = false;
    }
    /* The API reference lists Expired among the valid values. An expired
     * key cannot sign requests, so it counts as inactive. */
    if (status && strcmp(status, "Active") == 0) {
        staged.active = true;
    } else if (status && strcmp(status, "Inactive") != 0 &&
               strcmp(status, "Expired") != 0) {
        key_error(item, suffix,
                  "invalid Status %s: expected Active, Inactive or Expired",
                  nhi_excerpt(status, buffer, sizeof(buffer)));
        valid = false;
    }

    staged.created = NHI_TIME_UNKNOWN;
    created_value = json_object_get(key, "CreateDate");
    created_text = json_string_value(created_value);
    if (created_value != NULL &&
        (created_text == NULL || !nhi_time_parse(created_text,
                                                 &staged.created))) {
        key_error(item, suffix,
                  "invalid CreateDate %s: expected a date-time such as "
                  "2019-05-07T15:35:55Z",
                  created_text ? nhi_excerpt(created_text, buffer, sizeof(buffer))
                               : "(not a string)");
        valid = false;
    }
    if (!valid)
        return;

    staged.user_name = intern(r, user);
    staged.key_id = intern(r, key_id);
    staged.location.source = r->path;
    staged.location.line = item->line;
    staged.location.column = item->column;
    {
        size_t length = strlen(item->prefix) + strlen(suffix) + 1;
        char *json_path = nhi_graph_alloc(r->graph, length);
        if (json_path == NULL) {
            r->status = NHI_ENOMEM;
            return;
        }
        snprintf(json_path, length, "%s%s", item->prefix,
                 item->prefix[0] == '\0' ? suffix + 1 : suffix);
        staged.location.json_path = json_path;
    }
    if (r->status != NHI_OK ||
        nhi_grow((void **)&r->keys, &r->key_capacity, r->key_count + 1,
                 sizeof(*r->keys)) < 0) {
        r->status = NHI_ENOMEM;
        return;
    }
    r->keys[r->key_count++] = staged;
}

static void read_response(response *item)
{
    const json_t *object = item->object;
    const json_t *metadata, *truncated, *created;
    nhi_error *error;
    size_t index;
    json_t *key;

    if (!json_is_object(object)) {
        error = response_report(item, NHI_LEVEL_ERROR, "",
                                "expected a JSON object: the output of `aws "
                                "iam list-access-keys`");
        nhi_error_set_hint(error, "give one response per user, written one "
                                  "after another or in a JSON array");
        return;
    }
    /* `aws iam create-access-key` output contains the secret itself. */
    created = json_object_get(object, "AccessKey");
    if (json_is_object(created) && json_object_get(created, "SecretAccessKey"))
        report_secret(item, created, ".AccessKey");

    metadata = json_object_get(object, "AccessKeyMetadata");
    if (!json_is_array(metadata)) {
        error = response_report(item, NHI_LEVEL_ERROR, "",
                                metadata ? "AccessKeyMetadata is not a list"
                                         : "missing AccessKeyMetadata: this "
                                           "is not the output of `aws iam "
                                           "list-access-keys`");
        nhi_error_set_hint(error, "export the keys again with `aws iam "
                                  "list-access-keys --user-name USER`");
        return;
    }
    truncated = json_object_get(object, "IsTruncated");
    if (json_is_true(truncated)) {
        error = response_report(item, NHI_LEVEL_WARNING, ".IsTruncated",
                                "IsTruncated is true: keys on later pages "
                                "are missing");
        nhi_error_set_hint(error, "run `aws iam list-access-keys` without "
                                  "--max-items, so that it reads every page");
    }
    json_array_foreach(metadata, index, key)
    {
        read_key(item, key, index);
        if (item->r->status != NHI_OK)
            return;
    }
}

/* Report a jansson syntax error of the value that starts at `start`. */
static void syntax_error(keys_reader *r, const text_position *start,
                         const json_error_t *error)
{
    unsigned line = start->line, column = start->column;
    nhi_error *reported;

    /* jansson counts from the start of the buffer it was given. */
    if (error->line > 1) {
        line += (unsigned)error->line - 1;
        column = error->column > 0 ? (unsigned)error->column : 1;
    } else if (error->column > 0) {
        column += (unsigned)error->column - 1;
    }
    reported = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                             line, column, "invalid JSON: %s", error->text);
    nhi_error_set_hint(reported, "export the keys again with `aws iam "
                                 "list-access-keys`; the file was not read");
}

static void skip_space(keys_reader *r)
{
    while (r->position.offset < r->length &&
           is_space(r->text[r->position.offset]))
        advance(r->text, &r->position, r->position.offset + 1);
}

/* Parse the value at the current position and stage its keys. `prefix` is
 * its JSON path, "" or "[3]". Returns false after a syntax error. */
static bool read_value(keys_reader *r, const char *prefix, size_t flags)
{
    json_error_t error;
    json_t *value;
    response item;

    value = json_loadb(r->text + r->position.offset,
                       r->length - r->position.offset,
                       flags | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES,
                       &error);
    if (value == NULL) {
        syntax_error(r, &r->position, &error);
        return false;
    }

    memset(&item, 0, sizeof(item));
    item.r = r;
    item.object = value;
    item.line = r->position.line;
    item.column = r->position.column;
    item.offset = r->position.offset;
    snprintf(item.prefix, sizeof(item.prefix), "%s", prefix);
    if (r->secret_cursor < item.offset)
        r->secret_cursor = item.offset;
    read_response(&item);
    json_decref(value);

    advance(r->text, &r->position,
            r->position.offset + (size_t)error.position);
    return r->status == NHI_OK;
}

/* Walk an array of responses one element at a time, so that each element
 * has its own line:column. Returns false after a syntax error. */
static bool read_array(keys_reader *r)
{
    nhi_error *error;

    advance(r->text, &r->position, r->position.offset + 1);
    skip_space(r);
    if (r->position.offset < r->length && r->text[r->position.offset] == ']')
        goto done;
    for (size_t index = 0;; index++) {
        char prefix[32];

        snprintf(prefix, sizeof(prefix), "[%zu]", index);
        if (!read_value(r, prefix, JSON_DECODE_ANY))
            return false;
        skip_space(r);
        if (r->position.offset < r->length &&
            r->text[r->position.offset] == ',') {
            advance(r->text, &r->position, r->position.offset + 1);
            skip_space(r);
            continue;
        }
        if (r->position.offset < r->length &&
            r->text[r->position.offset] == ']')
            goto done;
        error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                              r->position.line, r->position.column,
                              "invalid JSON: ',' or ']' expected %s",
                              r->position.offset < r->length
                                  ? "after a list element"
                                  : "before the end of the file");
        nhi_error_set_hint(error, "export the keys again with `aws iam "
                                  "list-access-keys`; the file was not read");
        return false;
    }
done:
    advance(r->text, &r->position, r->position.offset + 1);
    return true;
}

/* Read every response of the file into r->keys. Returns false after a
 * syntax error, which makes the whole file unreadable. */
static bool read_responses(keys_reader *r)
{
    size_t count = 0;

    for (;; count++) {
        skip_space(r);
        if (r->position.offset == r->length)
            break;
        if (r->text[r->position.offset] == '[' ? !read_array(r)
                                                : !read_value(r, "", 0))
            return false;
    }

    if (count == 0) {
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path, 1, 1,
            "empty file: expected the output of `aws iam list-access-keys`");
        nhi_error_set_hint(error, "export the keys again with `aws iam "
                                  "list-access-keys --user-name USER`");
        return false;
    }
    return true;
}

/* ---- Into the graph ---- */

/* Marks a user name that several accounts have. */
static char ambiguous_marker;

/* Index the users of the graph by name, for lookups by UserName. */
static int index_users(const nhi_graph *graph, nhi_strmap *users)
{
    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *identity = graph->identities[i];
        size_t length;
        void *found;

        if (identity->provider != NHI_PROVIDER_AWS ||
            identity->kind != NHI_KIND_AWS_USER || identity->name == NULL)
            continue;
        length = strlen(identity->name);
        found = nhi_strmap_get(users, identity->name, length);
        if (nhi_strmap_put(users, identity->name, length,
                           found ? (void *)&ambiguous_marker : identity) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* Return the credential that `key` describes: the same key id, or the
 * report's key in a slot created in the same second, or NULL. */
static nhi_credential *find_credential(const nhi_identity *identity,
                                       const listed_key *key)
{
    for (size_t i = 0; i < identity->credential_count; i++) {
        nhi_credential *credential = identity->credentials[i];
        if (credential->kind == NHI_CREDENTIAL_ACCESS_KEY &&
            credential->key_id == key->key_id)
            return credential;
    }
    if (key->created == NHI_TIME_UNKNOWN)
        return NULL;
    for (size_t i = 0; i < identity->credential_count; i++) {
        nhi_credential *credential = identity->credentials[i];
        if (credential->kind == NHI_CREDENTIAL_ACCESS_KEY &&
            credential->key_id == NULL && credential->slot != 0 &&
            credential->created == key->created)
            return credential;
    }
    return NULL;
}

static nhi_error *key_report(keys_reader *r, const listed_key *key,
                             nhi_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nhi_error *key_report(keys_reader *r, const listed_key *key,
                             nhi_level level, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, level, NHI_EINPUT, r->path,
                           key->location.line, key->location.column, fmt,
                           args);
    va_end(args);
    nhi_error_set_location(error, "%s", key->location.json_path);
    return error;
}

static void apply_key(keys_reader *r, const nhi_strmap *users,
                      const listed_key *key)
{
    nhi_identity *identity =
        nhi_strmap_get(users, key->user_name, strlen(key->user_name));
    nhi_credential *credential;
    nhi_error *error;

    /* NOTE: list-access-keys gives no ARN, so a user that no other input
     * lists has no account to be created in. Its keys are left out. */
    if (identity == NULL) {
        error = key_report(r, key, NHI_LEVEL_WARNING,
                           "user '%s' of access key %s is not in the other "
                           "exports; the key was left out",
                           key->user_name, key->key_id);
        nhi_error_set_hint(error, "read the account's credential report or "
                                  "`aws iam get-account-authorization-"
                                  "details` export in the same run");
        return;
    }
    if (identity == (void *)&ambiguous_marker) {
        error = key_report(r, key, NHI_LEVEL_ERROR,
                           "user '%s' of access key %s exists in several "
                           "accounts; the key was left out",
                           key->user_name, key->key_id);
        nhi_error_set_hint(error, "list-access-keys output names no account: "
                                  "audit each account's exports in a "
                                  "separate run");
        return;
    }

    credential = find_credential(identity, key);
    if (credential == NULL) {
        credential = nhi_graph_alloc(r->graph, sizeof(*credential));
        if (credential == NULL) {
            r->status = NHI_ENOMEM;
            return;
        }
        credential->kind = NHI_CREDENTIAL_ACCESS_KEY;
        credential->identity = identity;
        credential->created = NHI_TIME_UNKNOWN;
        credential->last_used = NHI_TIME_UNKNOWN;
        credential->usage_unknown = true;
        credential->location = key->location;
        if (nhi_graph_add_credential(r->graph, credential) < 0) {
            r->status = NHI_ENOMEM;
            return;
        }
    }
    credential->key_id = key->key_id;
    credential->active = key->active;
    if (key->created != NHI_TIME_UNKNOWN)
        credential->created = key->created;
}

static void apply_keys(keys_reader *r)
{
    nhi_strmap users = {0}, seen = {0};

    if (r->key_count == 0)
        return;
    if (index_users(r->graph, &users) < 0) {
        r->status = NHI_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < r->key_count && r->status == NHI_OK; i++) {
        const listed_key *key = &r->keys[i];
        const listed_key *first =
            nhi_strmap_get(&seen, key->key_id, strlen(key->key_id));

        if (first != NULL) {
            nhi_error *error = key_report(
                r, key, NHI_LEVEL_WARNING,
                "access key %s is listed twice; the first, at line %u, is "
                "kept",
                key->key_id, first->location.line);
            nhi_error_set_hint(error, "list each user's keys once");
            continue;
        }
        if (nhi_strmap_put(&seen, key->key_id, strlen(key->key_id),
                           (void *)key) < 0) {
            r->status = NHI_ENOMEM;
            break;
        }
        apply_key(r, &users, key);
    }
out:
    nhi_strmap_free(&users);
    nhi_strmap_free(&seen);
}

/* ---- Entry points ---- */

int nhi_aws_read_access_keys(nhi_graph *graph, const char *path,
                             nhi_diags *diags)
{
    keys_reader r;
    char *data = NULL;
    size_t length = 0, errors = diags->errors;
    int result = nhi_read_file(path, MAX_KEYS_FILE, &data, &length);

    if (result == NHI_ELIMIT || result == NHI_EIO) {
        nhi_error *error =
            result == NHI_ELIMIT
                ? nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_ELIMIT, path, 0, 0,
                                "file is too large: the limit for "
                                "list-access-keys output is %zu bytes",
                                MAX_KEYS_FILE)
                : nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, path, 0, 0,
                                "failed to read file: %s", strerror(errno));
        nhi_error_set_hint(error, "check the path and that this is the "
                                  "expected file");
    }
    if (result < 0)
        return result;

    memset(&r, 0, sizeof(r));
    r.graph = graph;
    r.diags = diags;
    r.text = data;
    r.length = length;
    r.position.line = 1;
    r.position.column = 1;
    r.path = nhi_graph_intern(graph, path);
    if (r.path == NULL) {
        free(data);
        return NHI_ENOMEM;
    }
    /* A UTF-8 byte order mark is skipped, and columns count from after it. */
    if (length >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        r.position.offset = 3;
        r.secret_cursor = 3;
    }

    if (read_responses(&r))
        apply_keys(&r);

    free(r.keys);
    free(data);
    if (r.status != NHI_OK)
        return r.status;
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}

bool nhi_aws_sniff_access_keys(const char *head, size_t length)
{
    static const char member[] = "\"AccessKeyMetadata\"";
    size_t start = 0;

    if (length >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    while (start < length && is_space(head[start]))
        start++;
    if (start == length || (head[start] != '{' && head[start] != '['))
        return false;
    for (size_t i = start; i + sizeof(member) - 1 <= length; i++)
        if (memcmp(head + i, member, sizeof(member) - 1) == 0)
            return true;
    return false;
}
