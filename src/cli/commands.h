/* SPDX-License-Identifier: MIT */
/* Entry points of the commands; each returns the process exit status. */
#ifndef NHI_CLI_COMMANDS_H
#define NHI_CLI_COMMANDS_H

#include "nhi/audit.h"
#include "nhi/error.h"
#include "nhi/workspace.h"
#include "options.h"

/* Exit statuses shared by every command. */
enum {
    EXIT_CLEAN = 0,    /* no finding at or above the gate */
    EXIT_FINDINGS = 1, /* findings at or above the gate */
    EXIT_USAGE = 2,    /* a usage error */
    EXIT_INPUT = 3     /* an input failed, or an internal error */
};

int cmd_audit(const cli_args *args);
int cmd_check(const cli_args *args);
int cmd_catalog(const cli_args *args);
int cmd_review(const cli_args *args);
int cmd_diff(const cli_args *args);
int cmd_graph(const cli_args *args);
int cmd_explain(const cli_args *args);

struct nhi_audit;
/*
 * Read `paths` and run the audit without state, for graph and explain:
 * --now and --input-format apply. Returns 0, or the exit status to use
 * after printing errors. The caller frees the three objects.
 */
int cli_run_audit(const cli_args *args, const char *const *paths,
                  size_t count, struct nhi_workspace *workspace,
                  struct nhi_audit *audit, struct nhi_diags *diags);

/* Open the workspace from the current folder or --config; prints errors. */
struct nhi_workspace;
struct nhi_diags;
int cli_open_workspace(struct nhi_workspace *workspace, const cli_args *args,
                       struct nhi_diags *diags);

#endif
