/* SPDX-License-Identifier: MIT */
/*
 * The state database (SQLite): one snapshot per audit, and reviews. Each
 * snapshot is written in one transaction, so a crash or kill in the middle
 * of an audit leaves the earlier snapshots intact and no half snapshot.
 * Secret values are never stored: credentials are ids and dates only.
 */
#ifndef NHI_STATE_H
#define NHI_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/audit.h"
#include "nhi/common.h"
#include "nhi/error.h"

/* Version of the schema, kept in SQLite's user_version. */
#define NHI_STATE_SCHEMA_VERSION 1

typedef struct nhi_state nhi_state;

/*
 * Open (creating when absent, with its folder) the database at `path`.
 * Errors name the file and say what to do: locked by another nhi,
 * read-only, not a database or corrupt. Returns NHI_OK, NHI_EIO.
 */
int nhi_state_open(nhi_state **out, const char *path, bool read_only,
                   nhi_diags *diags);
void nhi_state_close(nhi_state *state);

/* Record one audit as a new snapshot; `*snapshot_id` gets its id. */
int nhi_state_record(nhi_state *state, const nhi_audit *audit,
                     long long *snapshot_id, nhi_diags *diags);

int nhi_state_add_review(nhi_state *state, const nhi_review *review,
                         nhi_diags *diags);
/* The latest review of each declaration (caller frees with
 * nhi_reviews_free). */
int nhi_state_latest_reviews(nhi_state *state, nhi_review **out,
                             size_t *count, nhi_diags *diags);
void nhi_reviews_free(nhi_review *reviews, size_t count);

/* The paths of the inputs the latest snapshot read (not the skipped
 * ones); the caller frees each and the list. */
int nhi_state_latest_inputs(nhi_state *state, char ***paths, size_t *count,
                            nhi_diags *diags);

/* Snapshot ids, oldest first; caller frees. */
int nhi_state_snapshots(nhi_state *state, long long **ids, size_t *count,
                        nhi_diags *diags);

/* What changed between two snapshots. */
typedef enum nhi_change_kind {
    NHI_CHANGE_IDENTITY_ADDED,
    NHI_CHANGE_IDENTITY_REMOVED,
    NHI_CHANGE_CREDENTIAL_ADDED,
    NHI_CHANGE_CREDENTIAL_REMOVED,
    NHI_CHANGE_KEY_ROTATED,
    NHI_CHANGE_FINDING_NEW,
    NHI_CHANGE_FINDING_RESOLVED,
    NHI_CHANGE_COUNT
} nhi_change_kind;

const char *nhi_change_kind_name(nhi_change_kind kind);

typedef struct nhi_change {
    nhi_change_kind kind;
    char *identity; /* identity id */
    char *subject;  /* key id or slot, rule id, ... */
    char *detail;
} nhi_change;

typedef struct nhi_diff {
    long long from;
    long long to;
    char *from_time;
    char *to_time;
    nhi_change *changes;
    size_t count;
    size_t capacity;
} nhi_diff;

/* Compare snapshot `from` with `to` (both must exist). */
int nhi_state_diff(nhi_state *state, long long from, long long to,
                   nhi_diff *diff, nhi_diags *diags);
void nhi_diff_free(nhi_diff *diff);

/* The database path: --db, else NHI_DB, else WORKSPACE/.nhi/state.db. */
char *nhi_state_default_path(const char *workspace_root, const char *db);

#endif
