/* SPDX-License-Identifier: MIT */
/*
 * The workspace and its config file `nhi.yaml`: account names and
 * environments, thresholds, catalog additions, severity changes.
 */
#ifndef NHI_CONFIG_H
#define NHI_CONFIG_H

#include <stddef.h>

#include "nhi/catalog.h"
#include "nhi/common.h"
#include "nhi/error.h"

#define NHI_CONFIG_NAME "nhi.yaml"

/* An AWS account, GCP project or Azure subscription the config names. */
typedef struct nhi_account {
    char *id;
    char *name;
    char *environment;
    unsigned line;
    unsigned column;
} nhi_account;

typedef struct nhi_cluster {
    char *name;
    char *environment;
    char *oidc_issuer;
    char **inputs; /* files or folders, relative to the workspace */
    size_t input_count;
} nhi_cluster;

typedef struct nhi_repository {
    char *folder;
    char *repository; /* OWNER/REPO */
} nhi_repository;

typedef struct nhi_severity_override {
    char *rule;
    nhi_severity severity;
} nhi_severity_override;

typedef struct nhi_config {
    char *path;       /* the nhi.yaml read, or NULL */
    char *root;       /* the workspace folder */
    nhi_account *accounts;
    size_t account_count;
    nhi_cluster *clusters;
    size_t cluster_count;
    nhi_repository *repositories;
    size_t repository_count;
    int64_t max_credential_age; /* seconds, default 90 days */
    int64_t unused_after;       /* seconds, default 90 days */
    nhi_severity_override *severities;
    size_t severity_count;
} nhi_config;

/* Defaults: no accounts, 90-day thresholds. */
void nhi_config_init(nhi_config *config);
void nhi_config_free(nhi_config *config);

/*
 * Find the workspace from `start` upward: the first folder holding
 * nhi.yaml, else `start` itself. Sets config->root and config->path.
 */
int nhi_workspace_find(nhi_config *config, const char *start);

/*
 * Read and validate `path` into `config`, and apply its `catalog:` to
 * `catalog`. Every problem is reported; valid keys still take effect.
 */
int nhi_config_load(nhi_config *config, const char *path, nhi_catalog *catalog,
                    nhi_diags *diags);

/* The account entry for `id`, or NULL. */
const nhi_account *nhi_config_account(const nhi_config *config,
                                      const char *id);

/* The severity of `rule` after the config's changes. */
nhi_severity nhi_config_severity(const nhi_config *config, const char *rule,
                                 nhi_severity fallback);

#endif
