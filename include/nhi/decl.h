/* SPDX-License-Identifier: MIT */
/*
 * Declarations: the intended state of one workload identity each, read
 * from `workload_identity` YAML documents (format in docs/declarations.md).
 */
#ifndef NHI_DECL_H
#define NHI_DECL_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/catalog.h"
#include "nhi/common.h"
#include "nhi/error.h"

typedef enum nhi_credential_model {
    NHI_CREDENTIAL_SHORT_LIVED_TOKEN,
    NHI_CREDENTIAL_ROTATED_KEY,
    NHI_CREDENTIAL_STATIC_KEY
} nhi_credential_model;

const char *nhi_credential_model_name(nhi_credential_model model);

/* One entry of allowed_actions or prohibited_actions. */
typedef struct nhi_decl_action {
    char *text;
    unsigned line;
    unsigned column;
    nhi_action_kind kind;
    nhi_provider provider; /* for native actions */
} nhi_decl_action;

/* An identity the declaration binds, as `- provider: id`. */
typedef struct nhi_decl_binding {
    nhi_provider provider;
    char *id;
    unsigned line;
    unsigned column;
} nhi_decl_binding;

/* An expected consumer, as `- kind: id` (kind is `github`, `kubernetes`...). */
typedef struct nhi_decl_consumer {
    char *kind;
    char *id;
    unsigned line;
    unsigned column;
} nhi_decl_consumer;

typedef struct nhi_decl {
    char *name;
    char *environment;
    char *owner;       /* NULL when not given */
    char *description; /* NULL when not given */
    char *path;        /* file of the declaration */
    unsigned line;     /* position of `workload_identity:` */
    unsigned column;
    nhi_decl_action *allowed;
    size_t allowed_count;
    nhi_decl_action *prohibited;
    size_t prohibited_count;
    nhi_credential_model credential_model;
    char *review;             /* as written */
    int64_t review_seconds;   /* the cadence */
    nhi_decl_binding *identities;
    size_t identity_count;
    nhi_decl_consumer *consumers;
    size_t consumer_count;
    int64_t max_credential_age; /* seconds; -1 when not given */
    nhi_time last_reviewed;     /* NHI_TIME_UNKNOWN when not given */
    nhi_time expires;           /* NHI_TIME_UNKNOWN when not given */
    bool valid;                 /* false: reported, and not applied */
} nhi_decl;

/* All declarations of an audit, valid or not, in the order read. */
typedef struct nhi_decl_set {
    nhi_decl *items;
    size_t count;
    size_t capacity;
} nhi_decl_set;

void nhi_decl_set_init(nhi_decl_set *set);
void nhi_decl_set_free(nhi_decl_set *set);

struct nhi_ynode;
/*
 * Read the `workload_identity` document `root` of `path` into `set`. Each
 * problem goes to `diags` with its line and column; a declaration with a
 * problem is kept with valid == false, so that later checks (a name used
 * twice) still see it. Returns NHI_OK, NHI_EINPUT or NHI_ENOMEM.
 */
int nhi_decl_read(nhi_decl_set *set, const char *path,
                  const struct nhi_ynode *root, const nhi_catalog *catalog,
                  nhi_diags *diags);

/*
 * Checks across declarations: names used twice, one identity bound twice.
 * Run once every file is read. A duplicate name invalidates the later
 * declaration; an identity bound twice leaves both valid, as an error.
 */
int nhi_decl_check_set(nhi_decl_set *set, nhi_diags *diags);

/*
 * Parse a duration `Nh`, `Nd` or `Nw` (hours only when `allow_hours`) into
 * seconds. Returns false when `text` is not one.
 */
bool nhi_duration_parse(const char *text, bool allow_hours, int64_t *out);

/* Parse a review cadence: weekly, monthly, quarterly, yearly, Nd or Nw. */
bool nhi_review_parse(const char *text, int64_t *out);

#endif
