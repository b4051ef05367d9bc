/* SPDX-License-Identifier: MIT */
/* The nhi command: parse the command line and run one command. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "nhi/config.h"
#include "nhi/workspace.h"
#include "options.h"

#ifndef NHI_VERSION
#define NHI_VERSION "0.0.0"
#endif

int cli_open_workspace(nhi_workspace *workspace, const cli_args *args,
                       nhi_diags *diags)
{
    const char *config = args->values[OPT_CONFIG];
    int result;

    memset(workspace, 0, sizeof(*workspace));
    if (config && access(config, R_OK) != 0) {
        cli_error("cannot read the config file '%s'", config);
        cli_note("check the path given with --config");
        return -1;
    }
    result = nhi_workspace_open(workspace, ".", config, diags);
    if (result < 0) {
        cli_error("cannot open the workspace: %s",
                  result == NHI_ENOMEM ? "out of memory"
                                       : "the current folder is unreadable");
        return -1;
    }
    return 0;
}

static int run(const cli_command_info *command, const cli_args *args)
{
    switch (command->command) {
    case CLI_AUDIT:
        return cmd_audit(args);
    case CLI_CHECK:
        return cmd_check(args);
    case CLI_CATALOG:
        return cmd_catalog(args);
    case CLI_REVIEW:
        return cmd_review(args);
    case CLI_DIFF:
        return cmd_diff(args);
    case CLI_GRAPH:
        return cmd_graph(args);
    case CLI_EXPLAIN:
        return cmd_explain(args);
    default:
        return EXIT_USAGE;
    }
}

int main(int argc, char **argv)
{
    const cli_command_info *command;
    cli_args args;
    int status;

    if (argc < 2) {
        cli_print_help(NULL);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        cli_print_help(argc > 2 ? cli_command_find(argv[2]) : NULL);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("nhi %s\n", NHI_VERSION);
        return EXIT_CLEAN;
    }
    /* Used by the build to write the man page from the option table. */
    if (strcmp(argv[1], "--man-sections") == 0) {
        cli_print_man_sections();
        return EXIT_CLEAN;
    }

    command = cli_command_find(argv[1]);
    if (command == NULL) {
        cli_error("unknown command '%s'", argv[1]);
        cli_note("the commands are audit, check, catalog, review, diff, "
                 "graph and explain; run 'nhi --help'");
        return EXIT_USAGE;
    }
    status = cli_parse(&args, command, argc, argv, 2);
    if (status != 0)
        return status;
    if (args.values[OPT_HELP]) {
        cli_print_help(command);
        return EXIT_CLEAN;
    }
    if (args.values[OPT_VERSION]) {
        printf("nhi %s\n", NHI_VERSION);
        return EXIT_CLEAN;
    }
    cli_set_verbosity(args.verbosity);
    cli_set_color(cli_color_wanted(STDERR_FILENO,
                                   args.values[OPT_NO_COLOR] != NULL));
    return run(command, &args);
}
