/* SPDX-License-Identifier: MIT */
/*
 * A workspace: its config, the action catalog, and the inputs of one run,
 * found in the paths given, recognised by content, and read.
 */
#ifndef NHI_WORKSPACE_H
#define NHI_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/catalog.h"
#include "nhi/config.h"
#include "nhi/decl.h"
#include "nhi/error.h"

typedef enum nhi_format {
    NHI_FORMAT_UNKNOWN,
    NHI_FORMAT_DECLARATIONS,
    NHI_FORMAT_CONFIG,
    NHI_FORMAT_AWS_AUTHZ,
    NHI_FORMAT_AWS_CREDENTIAL_REPORT,
    NHI_FORMAT_AWS_ACCESS_KEYS,
    NHI_FORMAT_EKS,
    NHI_FORMAT_KUBERNETES,
    NHI_FORMAT_GITHUB_WORKFLOW,
    NHI_FORMAT_GITLAB_CI,
    NHI_FORMAT_COUNT
} nhi_format;

/* `declarations`, `config`, `aws-authorization-details`,
 * `aws-credential-report`, `aws-access-keys`, `eks`, `kubernetes`,
 * `github-workflow`, `gitlab-ci`, `unknown`. */
const char *nhi_format_name(nhi_format format);
int nhi_format_from_name(const char *name);

typedef enum nhi_input_status {
    NHI_INPUT_OK,
    NHI_INPUT_ERROR,
    NHI_INPUT_SKIPPED
} nhi_input_status;

const char *nhi_input_status_name(nhi_input_status status);

typedef struct nhi_input {
    char *path;
    nhi_format format;
    nhi_input_status status;
    char *error;   /* the first error, as `line:column: message`, or NULL */
    bool named;    /* given on the command line rather than found */
} nhi_input;

typedef struct nhi_workspace {
    nhi_config config;
    nhi_catalog *catalog;
    nhi_decl_set decls;
    nhi_input *inputs;
    size_t input_count;
    size_t input_capacity;
    nhi_format forced_format; /* NHI_FORMAT_UNKNOWN: recognise by content */
} nhi_workspace;

/*
 * Find the workspace from `start` (or use `config_path` when not NULL),
 * load the built-in catalog and the config. Config problems go to
 * `diags`; the workspace is usable whatever they are.
 */
int nhi_workspace_open(nhi_workspace *workspace, const char *start,
                       const char *config_path, nhi_diags *diags);
void nhi_workspace_free(nhi_workspace *workspace);

/*
 * Collect the files under `paths` (folders recursively in name order,
 * never `.nhi` or `.git`, never following symbolic links), recognise each
 * by content, and read declarations and configs. Readers of other formats
 * run later, from the inputs list. Returns NHI_OK, NHI_EINPUT when any
 * input failed, or NHI_ENOMEM.
 */
int nhi_workspace_read(nhi_workspace *workspace, const char *const *paths,
                       size_t count, nhi_diags *diags);

/* Mark an input as failed with the first error of `path` in `diags`. */
void nhi_input_fail(nhi_input *input, const nhi_diags *diags, size_t from);

#endif
