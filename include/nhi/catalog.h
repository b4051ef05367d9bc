/* SPDX-License-Identifier: MIT */
/*
 * The action catalog: neutral actions (`object.get`, `iam.admin`, ...) and
 * the provider patterns each stands for. A built-in catalog ships in the
 * binary; CSV files and the workspace config add entries or replace them.
 */
#ifndef NHI_CATALOG_H
#define NHI_CATALOG_H

#include <stddef.h>

#include "nhi/common.h"
#include "nhi/error.h"

typedef struct nhi_catalog_entry {
    char *name;
    char *description;
    char **patterns[NHI_PROVIDER_COUNT];
    size_t counts[NHI_PROVIDER_COUNT];
    char *origin; /* "built-in", or the path:line that defined it */
} nhi_catalog_entry;

typedef struct nhi_catalog nhi_catalog;

/* The kind of a declared action, decided as the declaration rules say. */
typedef enum nhi_action_kind {
    NHI_ACTION_UNKNOWN,
    NHI_ACTION_NEUTRAL, /* found in the catalog */
    NHI_ACTION_NATIVE   /* a provider action recognised by its shape */
} nhi_action_kind;

/* A new catalog holding the built-in entries; free with nhi_catalog_free. */
int nhi_catalog_new_builtin(nhi_catalog **out);
void nhi_catalog_free(nhi_catalog *catalog);

/*
 * Add or replace entries from catalog CSV text (format in docs/catalog.md).
 * Every bad row is reported in `diags`; the good rows are still applied.
 * Returns NHI_OK, NHI_EINPUT when a row was bad, or NHI_ENOMEM.
 */
int nhi_catalog_load_csv(nhi_catalog *catalog, const char *path,
                         const char *text, size_t length, nhi_diags *diags);

/*
 * Add or replace one entry. The strings are copied; `patterns[p]` may be
 * NULL when the action has no mapping for provider p.
 */
int nhi_catalog_set(nhi_catalog *catalog, const char *name,
                    const char *description,
                    const char *const *const patterns[NHI_PROVIDER_COUNT],
                    const size_t counts[NHI_PROVIDER_COUNT],
                    const char *origin);

size_t nhi_catalog_count(const nhi_catalog *catalog);
/* Entries in name order. */
const nhi_catalog_entry *nhi_catalog_at(const nhi_catalog *catalog,
                                        size_t index);
const nhi_catalog_entry *nhi_catalog_find(const nhi_catalog *catalog,
                                          const char *name);

/*
 * Classify a declared action: a catalog name is neutral; otherwise a
 * provider action recognised by its shape (`svc:Action` AWS, `a.b.c` GCP
 * permission, `Microsoft.X/...` Azure, `verb resource[.group]`
 * Kubernetes) is native and `*provider` says whose; anything else is
 * unknown.
 */
nhi_action_kind nhi_action_classify(const nhi_catalog *catalog,
                                    const char *action,
                                    nhi_provider *provider);

/* Whether `name` has the shape of a neutral action (`area.verb`). */
int nhi_catalog_valid_name(const char *name);

#endif
