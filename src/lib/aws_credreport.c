/* SPDX-License-Identifier: MIT */
/*
 * The reader of the IAM credential report that `aws iam
 * get-credential-report` returns: the CSV alone, or the JSON response whose
 * Content field contains the CSV, base64-encoded or plain. Column meanings
 * follow the IAM User Guide, "Generate credential reports for your AWS
 * account" (docs.aws.amazon.com/IAM/latest/UserGuide/
 * id_credentials_getting-report.html); the response follows the
 * GetCredentialReport API reference.
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

#include "csvread.h"
#include "strmap.h"
#include "util.h"

/*
 * Largest report read: 64 MiB. A row is under 1 KiB, so this leaves room
 * for over 60,000 users. A larger file is more likely the wrong input.
 */
#define MAX_REPORT_SIZE ((size_t)64 << 20)


/* The name IAM gives the account's root user in the `user` column. */
#define ROOT_USER_NAME "<root_account>"

typedef enum column_id {
    COLUMN_USER,
    COLUMN_ARN,
    COLUMN_USER_CREATION_TIME,
    COLUMN_PASSWORD_ENABLED,
    COLUMN_PASSWORD_LAST_USED,
    COLUMN_PASSWORD_LAST_CHANGED,
    COLUMN_PASSWORD_NEXT_ROTATION,
    COLUMN_MFA_ACTIVE,
    COLUMN_KEY_1_ACTIVE,
    COLUMN_KEY_1_LAST_ROTATED,
    COLUMN_KEY_1_LAST_USED_DATE,
    COLUMN_KEY_1_LAST_USED_REGION,
    COLUMN_KEY_1_LAST_USED_SERVICE,
    COLUMN_KEY_2_ACTIVE,
    COLUMN_KEY_2_LAST_ROTATED,
    COLUMN_KEY_2_LAST_USED_DATE,
    COLUMN_KEY_2_LAST_USED_REGION,
    COLUMN_KEY_2_LAST_USED_SERVICE,
    COLUMN_CERT_1_ACTIVE,
    COLUMN_CERT_1_LAST_ROTATED,
    COLUMN_CERT_2_ACTIVE,
    COLUMN_CERT_2_LAST_ROTATED,
    COLUMN_COUNT
} column_id;

/* Offsets of a key slot's columns from its `access_key_N_active`. */
enum {
    KEY_ACTIVE,
    KEY_LAST_ROTATED,
    KEY_LAST_USED_DATE,
    KEY_LAST_USED_REGION,
    KEY_LAST_USED_SERVICE,
    KEY_COLUMN_COUNT
};

/* The columns of the report, in the order IAM writes them. The reader
 * does not use the two password dates, so a report without them is read. */
static const struct {
    const char *name;
    bool required;
} columns[COLUMN_COUNT] = {
    {"user", true},
    {"arn", true},
    {"user_creation_time", true},
    {"password_enabled", true},
    {"password_last_used", true},
    {"password_last_changed", false},
    {"password_next_rotation", false},
    {"mfa_active", true},
    {"access_key_1_active", true},
    {"access_key_1_last_rotated", true},
    {"access_key_1_last_used_date", true},
    {"access_key_1_last_used_region", true},
    {"access_key_1_last_used_service", true},
    {"access_key_2_active", true},
    {"access_key_2_last_rotated", true},
    {"access_key_2_last_used_date", true},
    {"access_key_2_last_used_region", true},
    {"access_key_2_last_used_service", true},
    {"cert_1_active", true},
    {"cert_1_last_rotated", true},
    {"cert_2_active", true},
    {"cert_2_last_rotated", true},
};

static const column_id key_first_column[2] = {COLUMN_KEY_1_ACTIVE,
                                              COLUMN_KEY_2_ACTIVE};
static const column_id cert_active_column[2] = {COLUMN_CERT_1_ACTIVE,
                                                COLUMN_CERT_2_ACTIVE};

/* Kind of value in a date column: a date, or one of IAM's markers. */
typedef enum date_kind {
    DATE_VALUE,
    DATE_NOT_APPLICABLE, /* N/A: no such credential, or never used */
    DATE_NO_INFORMATION, /* no_information: IAM has no data */
    DATE_NOT_SUPPORTED   /* not_supported: the root user's password dates */
} date_kind;

typedef struct date_field {
    date_kind kind;
    nhi_time time; /* DATE_VALUE only */
} date_field;

typedef struct key_fields {
    bool active;
    date_field rotated;
    date_field used;
    const char *region;  /* borrowed from the row */
    const char *service;
} key_fields;

typedef struct cert_fields {
    bool active;
    date_field rotated;
} cert_fields;

/* The parts of `arn:PARTITION:iam::ACCOUNT:root` or `...:user/PATH/NAME`. */
typedef struct report_arn {
    bool root;
    char account[13];
    const char *path;   /* within the ARN: "/" or "/PATH/" (users) */
    size_t path_length;
    const char *name;   /* within the ARN, after the last `/` (users) */
} report_arn;

/* One data row, checked but not yet in the graph. */
typedef struct report_row {
    const nhi_csv_row *csv;
    bool valid;        /* false once a field was reported */
    const char *user;
    const char *arn;
    bool root_row;     /* the user is <root_account> */
    report_arn parts;
    date_field created;
    bool password_enabled;
    bool password_not_supported;
    date_field password_used;
    bool mfa_active;
    key_fields keys[2];
    cert_fields certs[2];
} report_row;

typedef struct report_reader {
    nhi_graph *graph;
    nhi_diags *diags;      /* the caller's, or a private list for JSON */
    const char *path;      /* interned, so that locations can point to it */
    const char *text;      /* the CSV */
    size_t length;
    /* JSON responses: where the Content member is, for locations. */
    const char *content_path; /* "Content" or "data.Content"; NULL for CSV */
    unsigned content_line;
    unsigned content_column;
    const char *line_word;  /* "line", or "CSV line" inside JSON */
    size_t field_index[COLUMN_COUNT]; /* SIZE_MAX when the column is absent */
    bool header_seen;
    bool header_valid;
    nhi_strmap rows_seen;  /* ARN -> line of its row in this file */
    unsigned cursor_line;  /* a line start, so that columns are found */
    size_t cursor_offset;  /* without rescanning the text each time */
    int status;            /* NHI_ENOMEM once an allocation failed */
} report_reader;

/* Quote `text` for a message, cut and with control characters replaced. */
static const char *intern(report_reader *r, const char *text, size_t length)
{
    const char *interned = nhi_graph_intern_n(r->graph, text, length);

    if (interned == NULL)
        r->status = NHI_ENOMEM;
    return interned;
}

/* Column of field `field` on `line` of the CSV. Lines are asked for in
 * increasing order, so the cursor only moves forward. */
static unsigned field_column(report_reader *r, unsigned line, size_t field)
{
    if (line < r->cursor_line) {
        r->cursor_line = 1;
        r->cursor_offset = 0;
    }
    while (r->cursor_line < line) {
        const char *newline = memchr(r->text + r->cursor_offset, '\n',
                                     r->length - r->cursor_offset);
        if (newline == NULL)
            break;
        r->cursor_offset = (size_t)(newline - r->text) + 1;
        r->cursor_line++;
    }
    return nhi_csv_field_column(r->text + r->cursor_offset,
                                r->length - r->cursor_offset, 1, field);
}

static nhi_error *report_at(report_reader *r, nhi_level level, unsigned line,
                            unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static nhi_error *report_at(report_reader *r, nhi_level level, unsigned line,
                            unsigned column, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, level, NHI_EINPUT, r->path, line, column,
                           fmt, args);
    va_end(args);
    return error;
}

/* Report an invalid field of a row and leave the row out. */
static void field_error(report_reader *r, report_row *row, column_id column,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void field_error(report_reader *r, report_row *row, column_id column,
                        const char *fmt, ...)
{
    unsigned line = row->csv->line;
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                           line, field_column(r, line, r->field_index[column]),
                           fmt, args);
    va_end(args);
    nhi_error_set_hint(error, "export the report again without editing it; "
                              "this row was left out");
    row->valid = false;
}

/* ---- The header row ---- */

static int find_column(const char *name)
{
    for (int i = 0; i < COLUMN_COUNT; i++)
        if (strcmp(columns[i].name, name) == 0)
            return i;
    return -1;
}

static bool has_known_column(const nhi_csv_row *row)
{
    for (size_t i = 0; i < row->count; i++)
        if (find_column(row->fields[i]) >= 0)
            return true;
    return false;
}

/* Map each column to its field. Every problem is reported, and a header
 * with any problem rejects the file, because its rows cannot be read. */
static int read_header(report_reader *r, const nhi_csv_row *row)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    bool valid = true;

    r->header_seen = true;
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        r->field_index[i] = SIZE_MAX;

    /* One error, not one per column, for a file that is not a report. */
    if (!has_known_column(row)) {
        nhi_error *error = report_at(r, NHI_LEVEL_ERROR, row->line, 1,
                                     "invalid credential report header: no "
                                     "column has a known name");
        nhi_error_set_hint(error, "expected the CSV of `aws iam "
                                  "get-credential-report`, whose header "
                                  "starts user,arn,user_creation_time; the "
                                  "file was not read");
        return NHI_EINPUT;
    }

    for (size_t i = 0; i < row->count; i++) {
        int column = find_column(row->fields[i]);
        nhi_error *error;

        if (column >= 0 && r->field_index[column] == SIZE_MAX) {
            r->field_index[column] = i;
            continue;
        }
        valid = false;
        if (column < 0) {
            error = report_at(r, NHI_LEVEL_ERROR, row->line,
                              field_column(r, row->line, i),
                              "unknown column %s in the credential report "
                              "header",
                              nhi_excerpt(row->fields[i], buffer, sizeof(buffer)));
            nhi_error_set_hint(error,
                               "check that this is the CSV of `aws iam "
                               "get-credential-report`, unedited; the file "
                               "was not read");
        } else {
            error = report_at(r, NHI_LEVEL_ERROR, row->line,
                              field_column(r, row->line, i),
                              "duplicate column '%s' in the credential "
                              "report header",
                              columns[column].name);
            nhi_error_set_hint(error, "remove the second column; the file "
                                      "was not read");
        }
    }

    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        if (!columns[i].required || r->field_index[i] != SIZE_MAX)
            continue;
        nhi_error *error =
            report_at(r, NHI_LEVEL_ERROR, row->line, 1,
                      "missing column '%s' in the credential report header",
                      columns[i].name);
        nhi_error_set_hint(error, "export the report again with `aws iam "
                                  "get-credential-report`; the file was not "
                                  "read");
        valid = false;
    }
    r->header_valid = valid;
    return valid ? NHI_OK : NHI_EINPUT;
}

/* ---- Fields ---- */

static const char *field(const report_reader *r, const report_row *row,
                         column_id column)
{
    return row->csv->fields[r->field_index[column]];
}

/* Accept `true` and `false` in any case, because spreadsheets rewrite them
 * as TRUE and FALSE. */
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

static bool parse_date(const char *text, date_field *out)
{
    out->time = NHI_TIME_UNKNOWN;
    if (strcmp(text, "N/A") == 0)
        out->kind = DATE_NOT_APPLICABLE;
    else if (strcmp(text, "no_information") == 0)
        out->kind = DATE_NO_INFORMATION;
    else if (strcmp(text, "not_supported") == 0)
        out->kind = DATE_NOT_SUPPORTED;
    else if (nhi_time_parse(text, &out->time))
        out->kind = DATE_VALUE;
    else
        return false;
    return true;
}

static void read_bool(report_reader *r, report_row *row, column_id column,
                      bool *out)
{
    char buffer[NHI_EXCERPT_MAX + 8];

    *out = false;
    if (!parse_bool(field(r, row, column), out))
        field_error(r, row, column,
                    "invalid boolean %s in column %s: expected true or false",
                    nhi_excerpt(field(r, row, column), buffer, sizeof(buffer)),
                    columns[column].name);
}

/* Every date column also accepts N/A, no_information and not_supported.
 * IAM documents which marker each column uses, and a marker in another
 * column only makes that date unknown. */
static void read_date(report_reader *r, report_row *row, column_id column,
                      date_field *out)
{
    char buffer[NHI_EXCERPT_MAX + 8];

    if (r->field_index[column] == SIZE_MAX) {
        out->kind = DATE_NO_INFORMATION;
        out->time = NHI_TIME_UNKNOWN;
        return;
    }
    if (!parse_date(field(r, row, column), out))
        field_error(r, row, column,
                    "invalid date %s in column %s: expected a date-time such "
                    "as 2025-01-28T23:09:18Z, or N/A",
                    nhi_excerpt(field(r, row, column), buffer, sizeof(buffer)),
                    columns[column].name);
}

static bool read_digits12(const char *text, char *out)
{
    for (int i = 0; i < 12; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        out[i] = text[i];
    }
    out[12] = '\0';
    return true;
}

/* Parse `arn:PARTITION:iam::ACCOUNT:root` or `...:user/[PATH/]NAME`. */
static bool parse_arn(const char *text, report_arn *out)
{
    const char *cursor, *last_slash;

    memset(out, 0, sizeof(*out));
    if (strncmp(text, "arn:", 4) != 0)
        return false;
    cursor = strchr(text + 4, ':');
    if (cursor == NULL || cursor == text + 4 ||
        strncmp(cursor, ":iam::", 6) != 0)
        return false;
    cursor += 6;
    if (!read_digits12(cursor, out->account) || cursor[12] != ':')
        return false;
    cursor += 13;

    if (strcmp(cursor, "root") == 0) {
        out->root = true;
        out->path = "/";
        out->path_length = 1;
        return true;
    }
    if (strncmp(cursor, "user/", 5) != 0)
        return false;
    cursor += 4;
    last_slash = strrchr(cursor, '/');
    if (last_slash[1] == '\0')
        return false;
    out->path = cursor;
    out->path_length = (size_t)(last_slash - cursor) + 1;
    out->name = last_slash + 1;
    return true;
}

static void read_identity_fields(report_reader *r, report_row *row)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    bool root_row;

    row->user = field(r, row, COLUMN_USER);
    row->arn = field(r, row, COLUMN_ARN);
    root_row = strcmp(row->user, ROOT_USER_NAME) == 0;
    row->root_row = root_row;
    if (row->user[0] == '\0')
        field_error(r, row, COLUMN_USER, "missing user name");

    if (!parse_arn(row->arn, &row->parts)) {
        field_error(r, row, COLUMN_ARN,
                    "invalid ARN %s: expected arn:PARTITION:iam::ACCOUNT:"
                    "user/NAME, or arn:PARTITION:iam::ACCOUNT:root for %s, "
                    "with a 12-digit ACCOUNT",
                    nhi_excerpt(row->arn, buffer, sizeof(buffer)), ROOT_USER_NAME);
    } else if (root_row != row->parts.root) {
        field_error(r, row, COLUMN_ARN,
                    root_row ? "ARN %s of %s is not a root ARN"
                             : "ARN %s is a root ARN but the user is not %s",
                    nhi_excerpt(row->arn, buffer, sizeof(buffer)), ROOT_USER_NAME);
    } else if (!root_row && row->user[0] != '\0' &&
               strcmp(row->user, row->parts.name) != 0) {
        char arn_buffer[NHI_EXCERPT_MAX + 8];
        field_error(r, row, COLUMN_USER,
                    "user %s does not match the name in its ARN %s",
                    nhi_excerpt(row->user, buffer, sizeof(buffer)),
                    nhi_excerpt(row->arn, arn_buffer, sizeof(arn_buffer)));
    }
}

/* password_enabled is true or false, and not_supported on the root row. */
static void read_password_enabled(report_reader *r, report_row *row)
{
    const char *text = field(r, row, COLUMN_PASSWORD_ENABLED);
    bool root = row->root_row || row->parts.root;
    char buffer[NHI_EXCERPT_MAX + 8];

    if (root && strcmp(text, "not_supported") == 0) {
        row->password_not_supported = true;
        return;
    }
    if (!parse_bool(text, &row->password_enabled))
        field_error(r, row, COLUMN_PASSWORD_ENABLED,
                    "invalid boolean %s in column password_enabled: expected "
                    "true or false%s",
                    nhi_excerpt(text, buffer, sizeof(buffer)),
                    root ? ", or not_supported" : "");
}

/* Region and service names, or NULL for N/A and the other markers. */
static const char *usage_text(const char *text)
{
    if (text[0] == '\0' || strcmp(text, "N/A") == 0 ||
        strcmp(text, "no_information") == 0 ||
        strcmp(text, "not_supported") == 0)
        return NULL;
    return text;
}

static void read_row(report_reader *r, report_row *row)
{
    read_identity_fields(r, row);
    read_date(r, row, COLUMN_USER_CREATION_TIME, &row->created);
    read_password_enabled(r, row);
    read_date(r, row, COLUMN_PASSWORD_LAST_USED, &row->password_used);
    {
        /* Checked but not kept: the graph has no field for them. */
        date_field unused;
        read_date(r, row, COLUMN_PASSWORD_LAST_CHANGED, &unused);
        read_date(r, row, COLUMN_PASSWORD_NEXT_ROTATION, &unused);
    }
    read_bool(r, row, COLUMN_MFA_ACTIVE, &row->mfa_active);

    for (int slot = 0; slot < 2; slot++) {
        column_id first = key_first_column[slot];
        key_fields *key = &row->keys[slot];

        read_bool(r, row, first + KEY_ACTIVE, &key->active);
        read_date(r, row, first + KEY_LAST_ROTATED, &key->rotated);
        read_date(r, row, first + KEY_LAST_USED_DATE, &key->used);
        key->region = usage_text(field(r, row, first + KEY_LAST_USED_REGION));
        key->service =
            usage_text(field(r, row, first + KEY_LAST_USED_SERVICE));
    }
    for (int slot = 0; slot < 2; slot++) {
        column_id active = cert_active_column[slot];
        read_bool(r, row, active, &row->certs[slot].active);
        read_date(r, row, active + 1, &row->certs[slot].rotated);
    }
}

/* ---- Into the graph ---- */

static nhi_location row_location(report_reader *r, unsigned line)
{
    nhi_location location = {r->path, line, 1, NULL};

    if (r->content_path) {
        char *json_path = NULL;
        int length = snprintf(NULL, 0, "%s, CSV line %u", r->content_path,
                              line);
        if (length > 0)
            json_path = nhi_graph_alloc(r->graph, (size_t)length + 1);
        if (json_path == NULL) {
            r->status = NHI_ENOMEM;
        } else {
            snprintf(json_path, (size_t)length + 1, "%s, CSV line %u",
                     r->content_path, line);
        }
        location.line = r->content_line;
        location.column = r->content_column;
        location.json_path = json_path;
    }
    return location;
}

static nhi_time date_time(const date_field *date)
{
    return date->kind == DATE_VALUE ? date->time : NHI_TIME_UNKNOWN;
}

static nhi_identity *add_identity(report_reader *r, const report_row *row,
                                  const char *id,
                                  const nhi_location *location)
{
    nhi_identity *identity = nhi_graph_alloc(r->graph, sizeof(*identity));

    if (identity == NULL) {
        r->status = NHI_ENOMEM;
        return NULL;
    }
    identity->provider = NHI_PROVIDER_AWS;
    identity->kind = row->parts.root ? NHI_KIND_AWS_ROOT : NHI_KIND_AWS_USER;
    identity->id = id;
    identity->name = intern(r, row->user, strlen(row->user));
    identity->account = intern(r, row->parts.account, 12);
    identity->path = intern(r, row->parts.path, row->parts.path_length);
    identity->created = date_time(&row->created);
    identity->last_used = NHI_TIME_UNKNOWN;
    identity->password_last_used = NHI_TIME_UNKNOWN;
    identity->class_ = NHI_CLASS_UNKNOWN;
    identity->location = *location;
    if (r->status == NHI_OK &&
        nhi_graph_add_identity(r->graph, identity) < 0)
        r->status = NHI_ENOMEM;
    return r->status == NHI_OK ? identity : NULL;
}

/*
 * Return the key that list-access-keys output, read before this report,
 * added with the same creation second and no slot yet, or NULL.
 */
static nhi_credential *find_listed_key(nhi_identity *identity,
                                       const date_field *rotated)
{
    if (rotated->kind != DATE_VALUE)
        return NULL;
    for (size_t i = 0; i < identity->credential_count; i++) {
        nhi_credential *credential = identity->credentials[i];
        if (credential->kind == NHI_CREDENTIAL_ACCESS_KEY &&
            credential->slot == 0 && credential->key_id != NULL &&
            credential->created == rotated->time)
            return credential;
    }
    return NULL;
}

static nhi_credential *new_credential(report_reader *r,
                                      nhi_identity *identity,
                                      nhi_credential_kind kind,
                                      const nhi_location *location)
{
    nhi_credential *credential = nhi_graph_alloc(r->graph, sizeof(*credential));

    if (credential == NULL) {
        r->status = NHI_ENOMEM;
        return NULL;
    }
    credential->kind = kind;
    credential->identity = identity;
    credential->created = NHI_TIME_UNKNOWN;
    credential->last_used = NHI_TIME_UNKNOWN;
    credential->location = *location;
    return credential;
}

/*
 * A slot contains a key when it is active or has a rotation date, because
 * IAM writes N/A there for an empty slot. A key that list-access-keys
 * already added keeps its id, status and location, and gains the usage
 * columns.
 */
static void add_key(report_reader *r, nhi_identity *identity,
                    const report_row *row, unsigned slot,
                    const nhi_location *location)
{
    const key_fields *key = &row->keys[slot - 1];
    nhi_credential *credential;
    bool listed;

    if (!key->active && key->rotated.kind != DATE_VALUE)
        return;
    credential = find_listed_key(identity, &key->rotated);
    listed = credential != NULL;
    if (!listed) {
        credential = new_credential(r, identity, NHI_CREDENTIAL_ACCESS_KEY,
                                    location);
        if (credential == NULL)
            return;
        credential->active = key->active;
        credential->created = date_time(&key->rotated);
    }
    credential->slot = slot;
    credential->last_used = date_time(&key->used);
    credential->never_used = key->used.kind == DATE_NOT_APPLICABLE;
    credential->usage_unknown = key->used.kind == DATE_NO_INFORMATION ||
                                key->used.kind == DATE_NOT_SUPPORTED;
    if (key->region)
        credential->last_used_region =
            intern(r, key->region, strlen(key->region));
    if (key->service)
        credential->last_used_service =
            intern(r, key->service, strlen(key->service));
    if (!listed && r->status == NHI_OK &&
        nhi_graph_add_credential(r->graph, credential) < 0)
        r->status = NHI_ENOMEM;
}

/* The report has no usage columns for signing certificates. */
static void add_certificate(report_reader *r, nhi_identity *identity,
                            const report_row *row, unsigned slot,
                            const nhi_location *location)
{
    const cert_fields *cert = &row->certs[slot - 1];
    nhi_credential *credential;

    if (!cert->active && cert->rotated.kind != DATE_VALUE)
        return;
    credential = new_credential(r, identity, NHI_CREDENTIAL_CERTIFICATE,
                                location);
    if (credential == NULL)
        return;
    credential->slot = slot;
    credential->active = cert->active;
    credential->created = date_time(&cert->rotated);
    credential->usage_unknown = true;
    if (nhi_graph_add_credential(r->graph, credential) < 0)
        r->status = NHI_ENOMEM;
}

/* Return whether the row may go into the graph, and report why when it
 * may not. */
static bool check_not_read_before(report_reader *r, const report_row *row,
                                  const char *id,
                                  const nhi_identity *identity)
{
    unsigned line = row->csv->line;
    uintptr_t first = (uintptr_t)nhi_strmap_get(&r->rows_seen, id, strlen(id));
    bool problem = first != 0 ||
                   (identity != NULL &&
                    (identity->has_credential_data ||
                     identity->provider != NHI_PROVIDER_AWS ||
                     identity->kind != (row->parts.root ? NHI_KIND_AWS_ROOT
                                                        : NHI_KIND_AWS_USER)));
    unsigned column;
    nhi_error *error;

    if (!problem)
        return true;
    column = field_column(r, line, r->field_index[COLUMN_ARN]);
    if (first != 0) {
        error = report_at(r, NHI_LEVEL_WARNING, line, column,
                          "duplicate row for %s: the row at %s %u is kept",
                          id, r->line_word, (unsigned)first);
        nhi_error_set_hint(error, "a credential report lists each user once; "
                                  "export the report again");
        return false;
    }
    if (!identity->has_credential_data) {
        error = report_at(r, NHI_LEVEL_ERROR, line, column,
                          "%s is an identity of kind %s in another input",
                          id, nhi_identity_kind_name(identity->kind));
        nhi_error_set_hint(error, "check that the inputs belong together; "
                                  "this row was left out");
        return false;
    }
    error = report_at(r, NHI_LEVEL_WARNING, line, column,
                      "credential report data for %s was already read from "
                      "another input; this row was left out",
                      id);
    nhi_error_set_hint(error, "give each account's credential report once");
    return false;
}

static void commit_row(report_reader *r, const report_row *row)
{
    const char *id = intern(r, row->arn, strlen(row->arn));
    nhi_identity *identity;
    nhi_location location;

    if (id == NULL)
        return;
    identity = nhi_graph_find_identity(r->graph, id);
    if (!check_not_read_before(r, row, id, identity))
        return;
    if (nhi_strmap_put(&r->rows_seen, id, strlen(id),
                       (void *)(uintptr_t)row->csv->line) < 0 ||
        nhi_graph_add_account(r->graph, row->parts.account) < 0) {
        r->status = NHI_ENOMEM;
        return;
    }
    location = row_location(r, row->csv->line);
    if (identity == NULL)
        identity = add_identity(r, row, id, &location);
    if (identity == NULL || r->status != NHI_OK)
        return;
    if (identity->created == NHI_TIME_UNKNOWN)
        identity->created = date_time(&row->created);

    identity->has_credential_data = true;
    /* IAM writes not_supported as the root user's password_enabled. A
     * root sign-in date shows that the password exists. Without one, the
     * password is taken as disabled rather than flag every root user. */
    identity->password_enabled =
        row->password_not_supported
            ? row->password_used.kind == DATE_VALUE
            : row->password_enabled;
    identity->password_last_used = date_time(&row->password_used);
    identity->mfa_active = row->mfa_active;

    for (unsigned slot = 1; slot <= 2 && r->status == NHI_OK; slot++)
        add_key(r, identity, row, slot, &location);
    for (unsigned slot = 1; slot <= 2 && r->status == NHI_OK; slot++)
        add_certificate(r, identity, row, slot, &location);
}

static int on_row(const nhi_csv_row *csv, void *context)
{
    report_reader *r = context;
    report_row row;

    if (!r->header_seen)
        return read_header(r, csv);

    memset(&row, 0, sizeof(row));
    row.csv = csv;
    row.valid = true;
    read_row(r, &row);
    if (row.valid)
        commit_row(r, &row);
    if (r->status != NHI_OK)
        return r->status;
    return row.valid ? NHI_OK : NHI_EINPUT;
}

/* Read the CSV text `text` of the report into the graph. */
static void read_csv(report_reader *r, const char *text, size_t length)
{
    int result;

    r->text = text;
    r->length = length;
    r->cursor_line = 1;
    r->cursor_offset = 0;
    result = nhi_csv_parse(r->path, text, length, on_row, r, r->diags);
    if (result == NHI_ENOMEM)
        r->status = NHI_ENOMEM;
    if (result == NHI_OK && !r->header_seen) {
        nhi_error *error = report_at(r, NHI_LEVEL_ERROR, 1, 1,
                                     "missing header row: the credential "
                                     "report is empty");
        nhi_error_set_hint(error, "export the report again with `aws iam "
                                  "get-credential-report`");
    }
}

/* ---- The JSON response ---- */

static bool is_space(char byte)
{
    return byte == ' ' || byte == '\t' || byte == '\r' || byte == '\n';
}

/* Offset of the member name `"key"` (followed by `:`) in `text`, or
 * `length` when the name is not written plainly. */
static size_t find_member(const char *text, size_t length, const char *key)
{
    size_t key_length = strlen(key);

    for (size_t i = 0; i + key_length + 2 <= length; i++) {
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

static bool is_base64_char(char byte)
{
    return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
           (byte >= '0' && byte <= '9') || byte == '+' || byte == '/';
}

/*
 * Decode base64 that may be wrapped in lines into a malloc'd, NUL-terminated
 * buffer. EVP_DecodeBlock decodes `=` anywhere as zero bits and counts
 * padding as output bytes, so the input is checked here and the padding
 * subtracted. Returns NHI_OK, NHI_EINPUT with the reason in `reason`, or
 * NHI_ENOMEM.
 */
static int decode_base64(const char *text, size_t length, char **out,
                         size_t *out_length, char *reason, size_t reason_size)
{
    char *compact = malloc(length + 1);
    unsigned char *decoded = NULL;
    size_t count = 0, padding = 0;
    int result = NHI_EINPUT;
    int decoded_length;

    *out = NULL;
    if (compact == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)text[i];

        if (is_space(text[i]))
            continue;
        if (byte == '=') {
            padding++;
        } else if (padding > 0) {
            snprintf(reason, reason_size,
                     "character %zu follows the '=' padding", i + 1);
            goto out;
        } else if (!is_base64_char(text[i])) {
            snprintf(reason, reason_size,
                     byte > 0x20 && byte < 0x7F
                         ? "character %zu ('%c') is not a base64 character"
                         : "character %zu (byte 0x%02x) is not a base64 "
                           "character",
                     i + 1, byte);
            goto out;
        }
        compact[count++] = text[i];
    }
    if (count == 0) {
        snprintf(reason, reason_size, "it is empty");
        goto out;
    }
    if (count % 4 != 0 || padding > 2 || count > INT32_MAX) {
        snprintf(reason, reason_size,
                 "its %zu characters are not a whole number of 4-character "
                 "groups",
                 count);
        goto out;
    }

    decoded = malloc(count / 4 * 3 + 1);
    if (decoded == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    decoded_length =
        EVP_DecodeBlock(decoded, (const unsigned char *)compact, (int)count);
    if (decoded_length < 0 || (size_t)decoded_length < padding) {
        snprintf(reason, reason_size, "OpenSSL failed to decode it");
        free(decoded);
        goto out;
    }
    *out_length = (size_t)decoded_length - padding;
    decoded[*out_length] = '\0';
    *out = (char *)decoded;
    result = NHI_OK;
out:
    free(compact);
    return result;
}

/* Move the diagnostics of the CSV inside Content to `diags`, at the
 * Content member, with the CSV line in the message. */
static void move_content_diags(const report_reader *r, nhi_diags *from,
                               nhi_diags *to)
{
    size_t moved_errors = 0;

    for (size_t i = 0; i < from->count; i++) {
        const nhi_error *item = &from->items[i];
        nhi_error *moved;

        if (item->level == NHI_LEVEL_ERROR)
            moved_errors++;
        if (item->line > 0)
            moved = nhi_diags_add(to, item->level, item->code, r->path,
                                  r->content_line, r->content_column,
                                  "CSV line %u: %s", item->line, item->message);
        else
            moved = nhi_diags_add(to, item->level, item->code, r->path,
                                  r->content_line, r->content_column, "%s",
                                  item->message);
        if (moved == NULL)
            continue;
        nhi_error_set_location(moved, "%s", r->content_path);
        if (item->hint)
            nhi_error_set_hint(moved, "%s", item->hint);
    }
    /* Errors that could not be stored for lack of memory still count. */
    to->errors += from->errors - moved_errors;
}

static nhi_error *response_error(report_reader *r, unsigned line,
                                 unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nhi_error *response_error(report_reader *r, unsigned line,
                                 unsigned column, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                           line, column, fmt, args);
    va_end(args);
    nhi_error_set_hint(error, "export the report again with `aws iam "
                              "get-credential-report --output json`; the "
                              "file was not read");
    return error;
}

/* The object that contains Content: the response itself, or its `data`
 * member in a boto3 response recorded by placebo. */
static const json_t *find_response(const json_t *root, const char **path)
{
    const json_t *data = json_object_get(root, "data");

    *path = "Content";
    if (json_object_get(root, "Content") == NULL && json_is_object(data)) {
        *path = "data.Content";
        return data;
    }
    return root;
}

/* Check the response around Content. Returns Content, or NULL after
 * reporting the problem. */
static const json_t *check_response(report_reader *r, const json_t *root,
                                    const char *text, size_t length)
{
    const json_t *response, *content, *format;
    char buffer[NHI_EXCERPT_MAX + 8];

    if (!json_is_object(root)) {
        response_error(r, 1, 1, "expected a JSON object: the response of "
                                "`aws iam get-credential-report`");
        return NULL;
    }
    response = find_response(root, &r->content_path);
    content = json_object_get(response, "Content");
    nhi_offset_position(text, length, find_member(text, length, "Content"),
                        &r->content_line, &r->content_column);
    if (content == NULL) {
        response_error(r, 1, 1, "missing Content: this is not the response "
                                "of `aws iam get-credential-report`");
        return NULL;
    }
    if (!json_is_string(content)) {
        response_error(r, r->content_line, r->content_column,
                       "%s is not a string", r->content_path);
        return NULL;
    }
    /* GeneratedTime is not read, because the graph keeps no report time.
     * Placebo records it as an object of date parts. */
    format = json_object_get(response, "ReportFormat");
    if (format != NULL &&
        (!json_is_string(format) ||
         strcmp(json_string_value(format), "text/csv") != 0)) {
        size_t offset = find_member(text, length, "ReportFormat");
        unsigned line, column;
        nhi_offset_position(text, length, offset, &line, &column);
        response_error(r, line, column,
                       "unsupported ReportFormat %s: expected text/csv",
                       json_is_string(format)
                           ? nhi_excerpt(json_string_value(format), buffer,
                                     sizeof(buffer))
                           : "(not a string)");
        return NULL;
    }
    return content;
}

static void read_content(report_reader *r, const json_t *content,
                         nhi_diags *diags)
{
    const char *value = json_string_value(content);
    size_t value_length = json_string_length(content);
    char *decoded = NULL;
    size_t decoded_length = 0;
    nhi_diags csv_diags;

    /* A comma is not a base64 character, and the CSV header has many. */
    if (memchr(value, ',', value_length) == NULL) {
        char reason[96];
        int result = decode_base64(value, value_length, &decoded,
                                   &decoded_length, reason, sizeof(reason));
        if (result == NHI_EINPUT)
            response_error(r, r->content_line, r->content_column,
                           "%s is neither CSV nor valid base64: %s",
                           r->content_path, reason);
        if (result != NHI_OK) {
            if (result == NHI_ENOMEM)
                r->status = NHI_ENOMEM;
            return;
        }
        value = decoded;
        value_length = decoded_length;
    }

    nhi_diags_init(&csv_diags);
    r->diags = &csv_diags;
    r->line_word = "CSV line";
    read_csv(r, value, value_length);
    r->diags = diags;
    move_content_diags(r, &csv_diags, diags);
    nhi_diags_free(&csv_diags);
    free(decoded);
}

static void read_response(report_reader *r, const char *text, size_t length)
{
    json_error_t error;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &error);
    const json_t *content;

    if (root == NULL) {
        response_error(r, error.line > 0 ? (unsigned)error.line : 1,
                       error.column > 0 ? (unsigned)error.column : 1,
                       "invalid JSON: %s", error.text);
        return;
    }
    content = check_response(r, root, text, length);
    if (content != NULL)
        read_content(r, content, r->diags);
    json_decref(root);
}

/* ---- Entry points ---- */

static size_t skip_bom(const char *text, size_t length)
{
    return length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static int read_file(const char *path, char **text, size_t *length,
                     nhi_diags *diags)
{
    int result = nhi_read_file(path, MAX_REPORT_SIZE, text, length);
    nhi_error *error;

    if (result == NHI_OK || result == NHI_ENOMEM)
        return result;
    if (result == NHI_ELIMIT)
        error = nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_ELIMIT, path, 0, 0,
                              "file is too large: the limit for a "
                              "credential report is %zu bytes",
                              MAX_REPORT_SIZE);
    else
        error = nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, path, 0, 0,
                              "failed to read file: %s", strerror(errno));
    nhi_error_set_hint(error, "check the path and that this is the expected "
                              "file");
    return result;
}

int nhi_aws_read_credential_report(nhi_graph *graph, const char *path,
                                   nhi_diags *diags)
{
    report_reader r;
    char *data = NULL;
    size_t length = 0, start, errors = diags->errors;
    int result = read_file(path, &data, &length, diags);

    if (result < 0)
        return result;
    memset(&r, 0, sizeof(r));
    r.graph = graph;
    r.diags = diags;
    r.line_word = "line";
    r.path = nhi_graph_intern(graph, path);
    if (r.path == NULL) {
        free(data);
        return NHI_ENOMEM;
    }

    start = skip_bom(data, length);
    {
        size_t first = start;
        while (first < length && is_space(data[first]))
            first++;
        if (first < length && data[first] == '{')
            read_response(&r, data + start, length - start);
        else
            read_csv(&r, data + start, length - start);
    }

    nhi_strmap_free(&r.rows_seen);
    free(data);
    if (r.status != NHI_OK)
        return r.status;
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}

static bool contains(const char *text, size_t length, const char *needle)
{
    size_t needle_length = strlen(needle);

    for (size_t i = 0; i + needle_length <= length; i++)
        if (memcmp(text + i, needle, needle_length) == 0)
            return true;
    return false;
}

bool nhi_aws_sniff_credential_report(const char *head, size_t length)
{
    static const char header[] = "user,arn,user_creation_time";
    size_t start = skip_bom(head, length);

    if (length - start >= sizeof(header) - 1 &&
        memcmp(head + start, header, sizeof(header) - 1) == 0)
        return true;
    while (start < length && is_space(head[start]))
        start++;
    /* "dXNlcixhcm4s" is the base64 of "user,arn,", which is 9 bytes, so
     * every encoded report starts with it. */
    return start < length && head[start] == '{' &&
           contains(head, length, "\"Content\"") &&
           (contains(head, length, "user,arn,") ||
            contains(head, length, "dXNlcixhcm4s"));
}
