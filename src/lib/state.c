/* SPDX-License-Identifier: MIT */
/* The SQLite state database: snapshots, reviews, and the diff of two. */
#include "nhi/state.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* How long to wait for another nhi holding the database, in ms. */
#define BUSY_TIMEOUT_MS 3000

struct nhi_state {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS snapshots ("
    " id INTEGER PRIMARY KEY,"
    " taken_at TEXT NOT NULL,"      /* the audit's --now */
    " recorded_at TEXT NOT NULL,"   /* wall clock */
    " tool_version TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS inputs ("
    " snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
    " path TEXT NOT NULL, format TEXT NOT NULL, status TEXT NOT NULL,"
    " sha256 TEXT, size INTEGER);"
    "CREATE TABLE IF NOT EXISTS identities ("
    " snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
    " id TEXT NOT NULL, provider TEXT NOT NULL, kind TEXT NOT NULL,"
    " class TEXT NOT NULL, environment TEXT, declaration TEXT);"
    "CREATE TABLE IF NOT EXISTS credentials ("
    " snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
    " identity_id TEXT NOT NULL, kind TEXT NOT NULL, key_id TEXT,"
    " slot INTEGER NOT NULL, active INTEGER NOT NULL,"
    " created TEXT, last_used TEXT);"
    "CREATE TABLE IF NOT EXISTS findings ("
    " snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),"
    " fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,"
    " identity_id TEXT, declaration TEXT, subject TEXT, message TEXT);"
    "CREATE TABLE IF NOT EXISTS reviews ("
    " id INTEGER PRIMARY KEY, declaration TEXT NOT NULL,"
    " decision TEXT NOT NULL, reviewer TEXT NOT NULL, note TEXT,"
    " reviewed_at TEXT NOT NULL, recorded_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS identities_snapshot ON identities(snapshot_id);"
    "CREATE INDEX IF NOT EXISTS credentials_snapshot ON credentials(snapshot_id);"
    "CREATE INDEX IF NOT EXISTS findings_snapshot ON findings(snapshot_id);"
    "CREATE INDEX IF NOT EXISTS reviews_declaration ON reviews(declaration);";

static void db_error(nhi_diags *diags, const nhi_state *state, const char *path,
                     int code, const char *doing)
{
    const char *hint;
    nhi_error *error;

    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        hint = "another nhi is using the database; wait for it to finish, "
               "or use --db or --no-state";
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        hint = "make the file and its folder writable, or choose another "
               "file with --db (or NHI_DB), or run with --no-state";
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        hint = "the file is not an nhi state database or is damaged; restore "
               "it from a backup (see docs/state.md), or move it away to "
               "start a new history";
        break;
    case SQLITE_FULL:
        hint = "free disk space";
        break;
    default:
        hint = "see docs/state.md";
        break;
    }
    error = nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, NULL, 0, 0,
                          "state database %s: cannot %s: %s", path, doing,
                          state && state->db ? sqlite3_errmsg(state->db)
                                             : sqlite3_errstr(code));
    nhi_error_set_hint(error, "%s", hint);
}

char *nhi_state_default_path(const char *workspace_root, const char *db)
{
    const char *from_environment = getenv("NHI_DB");

    if (db)
        return strdup(db);
    if (from_environment && from_environment[0])
        return strdup(from_environment);
    return nhi_asprintf("%s/.nhi/state.db", workspace_root);
}

static int make_parent(const char *path)
{
    char *folder = strdup(path);
    char *slash;
    int result = 0;

    if (folder == NULL)
        return -1;
    slash = strrchr(folder, '/');
    if (slash && slash != folder) {
        *slash = '\0';
        if (mkdir(folder, 0700) != 0 && errno != EEXIST)
            result = -1;
    }
    free(folder);
    return result;
}

int nhi_state_open(nhi_state **out, const char *path, bool read_only,
                   nhi_diags *diags)
{
    nhi_state *state = calloc(1, sizeof(*state));
    int flags = read_only ? SQLITE_OPEN_READONLY
                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int code, version = 0;
    sqlite3_stmt *statement = NULL;

    *out = NULL;
    if (state == NULL || (state->path = strdup(path)) == NULL) {
        free(state);
        return NHI_ENOMEM;
    }
    if (!read_only && make_parent(path) != 0) {
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_EIO, NULL, 0, 0,
            "state database %s: cannot create its folder: %s", path,
            strerror(errno));
        nhi_error_set_hint(error, "choose another file with --db, or run "
                                  "with --no-state");
        goto fail;
    }
    code = sqlite3_open_v2(path, &state->db, flags, NULL);
    if (code != SQLITE_OK) {
        db_error(diags, state, path, code, "open it");
        goto fail;
    }
    sqlite3_busy_timeout(state->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(state->db, 0);

    /* Reading the version checks that the file is a database at all. */
    code = sqlite3_prepare_v2(state->db, "PRAGMA user_version", -1, &statement,
                              NULL);
    if (code == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        version = sqlite3_column_int(statement, 0);
    else if (code == SQLITE_OK)
        code = sqlite3_errcode(state->db);
    sqlite3_finalize(statement);
    if (code != SQLITE_OK) {
        db_error(diags, state, path, code, "read it");
        goto fail;
    }
    if (version > NHI_STATE_SCHEMA_VERSION) {
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_EIO, NULL, 0, 0,
            "state database %s has schema version %d, newer than this nhi "
            "(%d)",
            path, version, NHI_STATE_SCHEMA_VERSION);
        nhi_error_set_hint(error, "use a newer nhi, or another --db");
        goto fail;
    }
    if (!read_only) {
        code = sqlite3_exec(state->db, "PRAGMA journal_mode=WAL", NULL, NULL,
                            NULL);
        if (code == SQLITE_OK)
            code = sqlite3_exec(state->db, schema, NULL, NULL, NULL);
        if (code == SQLITE_OK && version == 0)
            code = sqlite3_exec(state->db, "PRAGMA user_version = 1", NULL,
                                NULL, NULL);
        if (code != SQLITE_OK) {
            db_error(diags, state, path, code, "write it");
            goto fail;
        }
    }
    *out = state;
    return NHI_OK;
fail:
    nhi_state_close(state);
    return NHI_EIO;
}

void nhi_state_close(nhi_state *state)
{
    if (state == NULL)
        return;
    sqlite3_close(state->db);
    free(state->path);
    free(state);
}

static void format_time(nhi_time time, char *buffer, size_t size)
{
    nhi_time_format(time, buffer, (unsigned)size);
}

/* SHA-256 of a file in hex, or false when it cannot be read. */
static bool file_digest(const char *path, char hex[65], long long *size)
{
    unsigned char buffer[65536], digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_MD_CTX *context;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = false;

    *size = 0;
    if (fd < 0)
        return false;
    context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_sha256(), NULL) == 1) {
        while ((got = read(fd, buffer, sizeof(buffer))) > 0) {
            EVP_DigestUpdate(context, buffer, (size_t)got);
            *size += got;
        }
        ok = got == 0 && EVP_DigestFinal_ex(context, digest, &length) == 1;
    }
    EVP_MD_CTX_free(context);
    close(fd);
    for (unsigned i = 0; ok && i < length; i++)
        snprintf(&hex[2 * i], 3, "%02x", digest[i]);
    return ok;
}

static int bind_text(sqlite3_stmt *statement, int index, const char *text)
{
    return text ? sqlite3_bind_text(statement, index, text, -1, SQLITE_STATIC)
                : sqlite3_bind_null(statement, index);
}

static int step_reset(sqlite3_stmt *statement)
{
    int code = sqlite3_step(statement);

    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return code == SQLITE_DONE ? SQLITE_OK : code;
}

static int record_inputs(sqlite3 *db, long long id, const nhi_audit *audit)
{
    const nhi_workspace *workspace = audit->workspace;
    sqlite3_stmt *statement;
    int code = sqlite3_prepare_v2(
        db, "INSERT INTO inputs VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1,
        &statement, NULL);

    for (size_t i = 0; code == SQLITE_OK && i < workspace->input_count; i++) {
        const nhi_input *input = &workspace->inputs[i];
        char hex[65];
        long long size;
        bool digested = input->status != NHI_INPUT_SKIPPED &&
                        file_digest(input->path, hex, &size);
        sqlite3_bind_int64(statement, 1, id);
        bind_text(statement, 2, input->path);
        bind_text(statement, 3, nhi_format_name(input->format));
        bind_text(statement, 4, nhi_input_status_name(input->status));
        bind_text(statement, 5, digested ? hex : NULL);
        if (digested)
            sqlite3_bind_int64(statement, 6, size);
        code = step_reset(statement);
    }
    sqlite3_finalize(statement);
    return code;
}

static int record_identities(sqlite3 *db, long long id, const nhi_audit *audit)
{
    const nhi_graph *graph = audit->graph;
    const nhi_decl_set *decls = &audit->workspace->decls;
    sqlite3_stmt *statement;
    int code = sqlite3_prepare_v2(
        db, "INSERT INTO identities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1,
        &statement, NULL);

    for (size_t i = 0; code == SQLITE_OK && i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        sqlite3_bind_int64(statement, 1, id);
        bind_text(statement, 2, identity->id);
        bind_text(statement, 3, nhi_provider_name(identity->provider));
        bind_text(statement, 4, nhi_identity_kind_name(identity->kind));
        bind_text(statement, 5, nhi_identity_class_name(identity->class_));
        bind_text(statement, 6, identity->environment);
        bind_text(statement, 7, identity->declaration >= 0
                                    ? decls->items[identity->declaration].name
                                    : NULL);
        code = step_reset(statement);
    }
    sqlite3_finalize(statement);
    return code;
}

static int record_credentials(sqlite3 *db, long long id,
                              const nhi_audit *audit)
{
    const nhi_graph *graph = audit->graph;
    sqlite3_stmt *statement;
    int code = sqlite3_prepare_v2(
        db, "INSERT INTO credentials VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        -1, &statement, NULL);

    for (size_t i = 0; code == SQLITE_OK && i < graph->credential_count; i++) {
        const nhi_credential *credential = graph->credentials[i];
        char created[32], used[32];
        format_time(credential->created, created, sizeof(created));
        format_time(credential->last_used, used, sizeof(used));
        sqlite3_bind_int64(statement, 1, id);
        bind_text(statement, 2, credential->identity->id);
        bind_text(statement, 3, nhi_credential_kind_name(credential->kind));
        bind_text(statement, 4, credential->key_id);
        sqlite3_bind_int(statement, 5, (int)credential->slot);
        sqlite3_bind_int(statement, 6, credential->active);
        bind_text(statement, 7, credential->created == NHI_TIME_UNKNOWN
                                    ? NULL
                                    : created);
        bind_text(statement, 8, credential->last_used == NHI_TIME_UNKNOWN
                                    ? NULL
                                    : used);
        code = step_reset(statement);
    }
    sqlite3_finalize(statement);
    return code;
}

static int record_findings(sqlite3 *db, long long id, const nhi_audit *audit)
{
    const nhi_findings *findings = &audit->findings;
    sqlite3_stmt *statement;
    int code = sqlite3_prepare_v2(
        db, "INSERT INTO findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1,
        &statement, NULL);

    for (size_t i = 0; code == SQLITE_OK && i < findings->count; i++) {
        const nhi_finding *finding = &findings->items[i];
        sqlite3_bind_int64(statement, 1, id);
        bind_text(statement, 2, finding->fingerprint);
        bind_text(statement, 3, finding->rule->id);
        bind_text(statement, 4, nhi_severity_name(finding->severity));
        bind_text(statement, 5, finding->identity ? finding->identity->id
                                                  : NULL);
        bind_text(statement, 6, finding->decl ? finding->decl->name : NULL);
        bind_text(statement, 7, finding->subject);
        bind_text(statement, 8, finding->message);
        code = step_reset(statement);
    }
    sqlite3_finalize(statement);
    return code;
}

/* A test hook: pause inside the snapshot transaction so that a test can
 * kill the process mid-write. */
static void pause_for_tests(void)
{
    const char *seconds = getenv("NHI_TEST_PAUSE_IN_SNAPSHOT");

    if (seconds && atoi(seconds) > 0)
        sleep((unsigned)atoi(seconds));
}

int nhi_state_record(nhi_state *state, const nhi_audit *audit,
                     long long *snapshot_id, nhi_diags *diags)
{
    sqlite3 *db = state->db;
    sqlite3_stmt *statement = NULL;
    char taken[32], recorded[32];
    long long id = 0;
    int code;

    format_time(audit->now, taken, sizeof(taken));
    format_time((nhi_time)time(NULL), recorded, sizeof(recorded));
    code = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (code == SQLITE_OK)
        code = sqlite3_prepare_v2(db, "INSERT INTO snapshots (taken_at, "
                                      "recorded_at, tool_version) VALUES "
                                      "(?1, ?2, ?3)",
                                  -1, &statement, NULL);
    if (code == SQLITE_OK) {
        bind_text(statement, 1, taken);
        bind_text(statement, 2, recorded);
        bind_text(statement, 3, NHI_VERSION);
        code = step_reset(statement);
        id = sqlite3_last_insert_rowid(db);
    }
    sqlite3_finalize(statement);
    if (code == SQLITE_OK)
        code = record_inputs(db, id, audit);
    if (code == SQLITE_OK)
        code = record_identities(db, id, audit);
    if (code == SQLITE_OK) {
        pause_for_tests();
        code = record_credentials(db, id, audit);
    }
    if (code == SQLITE_OK)
        code = record_findings(db, id, audit);
    if (code == SQLITE_OK)
        code = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (code != SQLITE_OK) {
        db_error(diags, state, state->path, code, "record the snapshot");
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return NHI_EIO;
    }
    *snapshot_id = id;
    return NHI_OK;
}

int nhi_state_add_review(nhi_state *state, const nhi_review *review,
                         nhi_diags *diags)
{
    sqlite3_stmt *statement = NULL;
    char reviewed[32], recorded[32];
    int code;

    format_time(review->reviewed_at, reviewed, sizeof(reviewed));
    format_time((nhi_time)time(NULL), recorded, sizeof(recorded));
    code = sqlite3_prepare_v2(state->db,
                              "INSERT INTO reviews (declaration, decision, "
                              "reviewer, note, reviewed_at, recorded_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              -1, &statement, NULL);
    if (code == SQLITE_OK) {
        bind_text(statement, 1, review->declaration);
        bind_text(statement, 2, review->decision);
        bind_text(statement, 3, review->reviewer);
        bind_text(statement, 4, review->note);
        bind_text(statement, 5, reviewed);
        bind_text(statement, 6, recorded);
        code = step_reset(statement);
    }
    sqlite3_finalize(statement);
    if (code != SQLITE_OK) {
        db_error(diags, state, state->path, code, "record the review");
        return NHI_EIO;
    }
    return NHI_OK;
}

static char *column_text(sqlite3_stmt *statement, int column)
{
    const unsigned char *text = sqlite3_column_text(statement, column);

    return text ? strdup((const char *)text) : NULL;
}

void nhi_reviews_free(nhi_review *reviews, size_t count)
{
    for (size_t i = 0; reviews && i < count; i++) {
        free(reviews[i].declaration);
        free(reviews[i].decision);
        free(reviews[i].reviewer);
        free(reviews[i].note);
    }
    free(reviews);
}

int nhi_state_latest_reviews(nhi_state *state, nhi_review **out,
                             size_t *count, nhi_diags *diags)
{
    sqlite3_stmt *statement = NULL;
    nhi_review *reviews = NULL;
    size_t capacity = 0;
    int code;

    *out = NULL;
    *count = 0;
    /* The latest review per declaration; ties go to the later record. */
    code = sqlite3_prepare_v2(
        state->db,
        "SELECT declaration, decision, reviewer, note, reviewed_at FROM "
        "reviews r WHERE id = (SELECT id FROM reviews s WHERE "
        "s.declaration = r.declaration ORDER BY reviewed_at DESC, id DESC "
        "LIMIT 1) ORDER BY declaration",
        -1, &statement, NULL);
    while (code == SQLITE_OK && (code = sqlite3_step(statement)) == SQLITE_ROW) {
        nhi_review *review;
        char *when;
        if (nhi_grow((void **)&reviews, &capacity, *count + 1,
                     sizeof(*reviews)) < 0) {
            sqlite3_finalize(statement);
            nhi_reviews_free(reviews, *count);
            return NHI_ENOMEM;
        }
        review = &reviews[(*count)++];
        review->declaration = column_text(statement, 0);
        review->decision = column_text(statement, 1);
        review->reviewer = column_text(statement, 2);
        review->note = column_text(statement, 3);
        when = column_text(statement, 4);
        if (!when || !nhi_time_parse(when, &review->reviewed_at))
            review->reviewed_at = NHI_TIME_UNKNOWN;
        free(when);
        code = SQLITE_OK;
    }
    sqlite3_finalize(statement);
    if (code != SQLITE_DONE) {
        db_error(diags, state, state->path, code, "read the reviews");
        nhi_reviews_free(reviews, *count);
        *count = 0;
        return NHI_EIO;
    }
    *out = reviews;
    return NHI_OK;
}

int nhi_state_latest_inputs(nhi_state *state, char ***paths, size_t *count,
                            nhi_diags *diags)
{
    sqlite3_stmt *statement = NULL;
    size_t capacity = 0;
    int code;

    *paths = NULL;
    *count = 0;
    code = sqlite3_prepare_v2(state->db,
                              "SELECT path FROM inputs WHERE snapshot_id = "
                              "(SELECT max(id) FROM snapshots) AND status <> "
                              "'skipped' ORDER BY rowid",
                              -1, &statement, NULL);
    while (code == SQLITE_OK && (code = sqlite3_step(statement)) == SQLITE_ROW) {
        if (nhi_grow((void **)paths, &capacity, *count + 1, sizeof(**paths)) <
            0) {
            sqlite3_finalize(statement);
            return NHI_ENOMEM;
        }
        (*paths)[(*count)++] = column_text(statement, 0);
        code = SQLITE_OK;
    }
    sqlite3_finalize(statement);
    if (code != SQLITE_DONE) {
        db_error(diags, state, state->path, code, "read the inputs");
        return NHI_EIO;
    }
    return NHI_OK;
}

int nhi_state_snapshots(nhi_state *state, long long **ids, size_t *count,
                        nhi_diags *diags)
{
    sqlite3_stmt *statement = NULL;
    size_t capacity = 0;
    int code;

    *ids = NULL;
    *count = 0;
    code = sqlite3_prepare_v2(state->db, "SELECT id FROM snapshots ORDER BY id",
                              -1, &statement, NULL);
    while (code == SQLITE_OK && (code = sqlite3_step(statement)) == SQLITE_ROW) {
        if (nhi_grow((void **)ids, &capacity, *count + 1, sizeof(**ids)) < 0) {
            sqlite3_finalize(statement);
            return NHI_ENOMEM;
        }
        (*ids)[(*count)++] = sqlite3_column_int64(statement, 0);
        code = SQLITE_OK;
    }
    sqlite3_finalize(statement);
    if (code != SQLITE_DONE) {
        db_error(diags, state, state->path, code, "read the snapshots");
        return NHI_EIO;
    }
    return NHI_OK;
}

static const char *const change_names[NHI_CHANGE_COUNT] = {
    "identity-added",   "identity-removed", "credential-added",
    "credential-removed", "key-rotated",   "finding-new",
    "finding-resolved"};

const char *nhi_change_kind_name(nhi_change_kind kind)
{
    return (unsigned)kind < NHI_CHANGE_COUNT ? change_names[kind] : "unknown";
}

static int add_change(nhi_diff *diff, nhi_change_kind kind,
                      sqlite3_stmt *statement)
{
    nhi_change *change;

    if (nhi_grow((void **)&diff->changes, &diff->capacity, diff->count + 1,
                 sizeof(*diff->changes)) < 0)
        return NHI_ENOMEM;
    change = &diff->changes[diff->count++];
    change->kind = kind;
    change->identity = column_text(statement, 0);
    change->subject = column_text(statement, 1);
    change->detail = column_text(statement, 2);
    return NHI_OK;
}

/*
 * The queries of the diff: each returns (identity, subject, detail) rows
 * of one kind of change from snapshot ?1 to snapshot ?2. A credential is
 * known by its key id where an input showed it, else by its report slot.
 */
static const struct {
    nhi_change_kind kind;
    const char *sql;
} diff_queries[] = {
    {NHI_CHANGE_IDENTITY_ADDED,
     "SELECT id, kind, class FROM identities WHERE snapshot_id = ?2 AND id "
     "NOT IN (SELECT id FROM identities WHERE snapshot_id = ?1) ORDER BY id"},
    {NHI_CHANGE_IDENTITY_REMOVED,
     "SELECT id, kind, class FROM identities WHERE snapshot_id = ?1 AND id "
     "NOT IN (SELECT id FROM identities WHERE snapshot_id = ?2) ORDER BY id"},
    {NHI_CHANGE_CREDENTIAL_ADDED,
     "SELECT n.identity_id, COALESCE(n.key_id, n.kind || ' slot ' || n.slot),"
     " 'created ' || COALESCE(n.created, 'unknown') FROM credentials n"
     " WHERE n.snapshot_id = ?2 AND NOT EXISTS (SELECT 1 FROM credentials o"
     "  WHERE o.snapshot_id = ?1 AND o.identity_id = n.identity_id"
     "  AND o.kind = n.kind AND ((n.key_id IS NOT NULL AND o.key_id = n.key_id)"
     "  OR (n.slot > 0 AND o.slot = n.slot)"
     "  OR (n.key_id IS NULL AND o.key_id IS NULL AND o.slot = n.slot)))"
     " ORDER BY 1, 2"},
    {NHI_CHANGE_CREDENTIAL_REMOVED,
     "SELECT o.identity_id, COALESCE(o.key_id, o.kind || ' slot ' || o.slot),"
     " 'created ' || COALESCE(o.created, 'unknown') FROM credentials o"
     " WHERE o.snapshot_id = ?1 AND NOT EXISTS (SELECT 1 FROM credentials n"
     "  WHERE n.snapshot_id = ?2 AND n.identity_id = o.identity_id"
     "  AND n.kind = o.kind AND ((o.key_id IS NOT NULL AND n.key_id = o.key_id)"
     "  OR (o.slot > 0 AND n.slot = o.slot)"
     "  OR (o.key_id IS NULL AND n.key_id IS NULL AND n.slot = o.slot)))"
     " ORDER BY 1, 2"},
    {NHI_CHANGE_KEY_ROTATED,
     "SELECT n.identity_id, n.kind || ' slot ' || n.slot,"
     " 'last rotated ' || COALESCE(o.created, 'unknown') || ', now ' ||"
     " COALESCE(n.created, 'unknown') FROM credentials n JOIN credentials o"
     " ON o.snapshot_id = ?1 AND n.snapshot_id = ?2"
     " AND o.identity_id = n.identity_id AND o.kind = n.kind"
     " AND o.slot = n.slot AND n.slot > 0"
     " AND ((o.key_id IS NOT NULL AND n.key_id IS NOT NULL"
     "       AND o.key_id <> n.key_id)"
     "  OR ((o.key_id IS NULL OR n.key_id IS NULL)"
     "       AND COALESCE(o.created, '') <> COALESCE(n.created, '')))"
     " ORDER BY 1, 2"},
    {NHI_CHANGE_FINDING_NEW,
     "SELECT identity_id, rule, message FROM findings WHERE snapshot_id = ?2"
     " AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE"
     " snapshot_id = ?1) ORDER BY 1, 2, 3"},
    {NHI_CHANGE_FINDING_RESOLVED,
     "SELECT identity_id, rule, message FROM findings WHERE snapshot_id = ?1"
     " AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE"
     " snapshot_id = ?2) ORDER BY 1, 2, 3"},
};

static char *snapshot_time(sqlite3 *db, long long id)
{
    sqlite3_stmt *statement = NULL;
    char *text = NULL;

    if (sqlite3_prepare_v2(db, "SELECT taken_at FROM snapshots WHERE id = ?1",
                           -1, &statement, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(statement, 1, id);
        if (sqlite3_step(statement) == SQLITE_ROW)
            text = column_text(statement, 0);
    }
    sqlite3_finalize(statement);
    return text;
}

int nhi_state_diff(nhi_state *state, long long from, long long to,
                   nhi_diff *diff, nhi_diags *diags)
{
    int code = SQLITE_OK;

    memset(diff, 0, sizeof(*diff));
    diff->from = from;
    diff->to = to;
    diff->from_time = snapshot_time(state->db, from);
    diff->to_time = snapshot_time(state->db, to);
    if (diff->from_time == NULL || diff->to_time == NULL) {
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_EUSAGE, NULL, 0, 0,
            "snapshot %lld is not in the state database %s",
            diff->from_time ? to : from, state->path);
        nhi_error_set_hint(error, "list the snapshots with 'nhi diff -v'");
        return NHI_EUSAGE;
    }
    for (size_t q = 0; code == SQLITE_OK &&
                       q < sizeof(diff_queries) / sizeof(diff_queries[0]);
         q++) {
        sqlite3_stmt *statement = NULL;
        code = sqlite3_prepare_v2(state->db, diff_queries[q].sql, -1,
                                  &statement, NULL);
        if (code == SQLITE_OK) {
            sqlite3_bind_int64(statement, 1, from);
            sqlite3_bind_int64(statement, 2, to);
        }
        while (code == SQLITE_OK &&
               (code = sqlite3_step(statement)) == SQLITE_ROW)
            code = add_change(diff, diff_queries[q].kind, statement) < 0
                       ? SQLITE_NOMEM
                       : SQLITE_OK;
        if (code == SQLITE_DONE)
            code = SQLITE_OK;
        sqlite3_finalize(statement);
    }
    if (code != SQLITE_OK) {
        db_error(diags, state, state->path, code, "compare the snapshots");
        return NHI_EIO;
    }
    return NHI_OK;
}

void nhi_diff_free(nhi_diff *diff)
{
    for (size_t i = 0; i < diff->count; i++) {
        free(diff->changes[i].identity);
        free(diff->changes[i].subject);
        free(diff->changes[i].detail);
    }
    free(diff->changes);
    free(diff->from_time);
    free(diff->to_time);
    memset(diff, 0, sizeof(*diff));
}
