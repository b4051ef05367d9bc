/* SPDX-License-Identifier: MIT */
/*
 * The option table: one list drives parsing, every command's --help and
 * the man page's synopsis and option list.
 */
#ifndef NHI_CLI_OPTIONS_H
#define NHI_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cli_command {
    CLI_AUDIT = 1u << 0,
    CLI_CHECK = 1u << 1,
    CLI_CATALOG = 1u << 2,
    CLI_REVIEW = 1u << 3,
    CLI_DIFF = 1u << 4,
    CLI_GRAPH = 1u << 5,
    CLI_EXPLAIN = 1u << 6,
    CLI_READS = CLI_AUDIT | CLI_GRAPH | CLI_EXPLAIN, /* commands that audit */
    CLI_ALL = CLI_AUDIT | CLI_CHECK | CLI_CATALOG | CLI_REVIEW | CLI_DIFF |
              CLI_GRAPH | CLI_EXPLAIN
} cli_command;

typedef enum cli_option_id {
    OPT_HELP,
    OPT_VERSION,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_NO_COLOR,
    OPT_CONFIG,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_NOW,
    OPT_FAIL_ON,
    OPT_INPUT_FORMAT,
    OPT_STRICT,
    OPT_DB,
    OPT_NO_STATE,
    OPT_DECISION,
    OPT_BY,
    OPT_NOTE,
    OPT_SINCE,
    OPT_FROM,
    OPT_TO,
    OPT_COUNT
} cli_option_id;

typedef struct cli_option {
    cli_option_id id;
    const char *long_name;
    char short_name;  /* 0 when none */
    const char *value; /* name of the value, NULL for a flag */
    unsigned commands; /* cli_command bits */
    const char *help;
} cli_option;

typedef struct cli_command_info {
    cli_command command;
    const char *name;
    const char *operands; /* as in the synopsis */
    const char *summary;
} cli_command_info;

/* Parsed options: values[id] is the value, or "" for a set flag. */
typedef struct cli_args {
    const cli_command_info *command;
    const char *values[OPT_COUNT];
    int verbosity; /* -q: -1, -v: +1 each */
    const char **operands;
    size_t operand_count;
} cli_args;

extern const cli_option cli_options[];
extern const size_t cli_option_count;
extern const cli_command_info cli_commands[];
extern const size_t cli_command_count;

const cli_command_info *cli_command_find(const char *name);

/*
 * Parse argv[first..argc) for `command`. Returns 0, or 2 after printing a
 * usage error. `args->operands` points into argv.
 */
int cli_parse(cli_args *args, const cli_command_info *command, int argc,
              char **argv, int first);

/* Print `nhi COMMAND --help`, or the top-level help when command is NULL. */
void cli_print_help(const cli_command_info *command);

/* Print the man page's SYNOPSIS and OPTIONS sections in roff. */
void cli_print_man_sections(void);

#endif
