/* SPDX-License-Identifier: MIT */
/* The option table and the parser, help and man page text built on it. */
#include "options.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"

const cli_option cli_options[] = {
    {OPT_HELP, "help", 'h', NULL, CLI_ALL, "show this help and exit"},
    {OPT_VERSION, "version", 0, NULL, CLI_ALL, "show the version and exit"},
    {OPT_QUIET, "quiet", 'q', NULL, CLI_ALL,
     "print errors only, no warnings or notes"},
    {OPT_VERBOSE, "verbose", 'v', NULL, CLI_ALL,
     "print more detail (actions resolved to provider patterns, notes)"},
    {OPT_NO_COLOR, "no-color", 0, NULL, CLI_ALL,
     "no colour in output (also when NO_COLOR is set)"},
    {OPT_CONFIG, "config", 0, "FILE", CLI_ALL,
     "workspace config to use instead of the nhi.yaml found from the "
     "current folder upward"},
    {OPT_FORMAT, "format", 'f', "FORMAT",
     CLI_AUDIT | CLI_CATALOG | CLI_REVIEW | CLI_DIFF | CLI_GRAPH,
     "output format: text or json (graph: text or dot)"},
    {OPT_OUTPUT, "output", 'o', "FILE",
     CLI_AUDIT | CLI_CATALOG | CLI_REVIEW | CLI_DIFF | CLI_GRAPH |
         CLI_EXPLAIN,
     "write the report to FILE (through a temporary file, renamed when "
     "complete)"},
    {OPT_NOW, "now", 0, "TIME", CLI_READS | CLI_REVIEW,
     "evaluate ages as of TIME, an RFC 3339 date or date-time, for "
     "reproducible reports"},
    {OPT_FAIL_ON, "fail-on", 0, "SEVERITY", CLI_AUDIT,
     "exit with status 1 when a finding is at least SEVERITY (critical, "
     "high, medium, low, info; default low)"},
    {OPT_INPUT_FORMAT, "input-format", 0, "FORMAT", CLI_READS | CLI_CHECK,
     "read every input as FORMAT instead of recognising it by content "
     "(declarations, config, aws-authorization-details, "
     "aws-credential-report, aws-access-keys, eks, kubernetes, "
     "github-workflow, gitlab-ci)"},
    {OPT_STRICT, "strict", 0, NULL, CLI_AUDIT,
     "report nothing when an input fails: only the errors"},
    {OPT_DB, "db", 0, "FILE", CLI_AUDIT | CLI_REVIEW | CLI_DIFF | CLI_EXPLAIN,
     "state database to use (default: NHI_DB, else .nhi/state.db in the "
     "workspace)"},
    {OPT_NO_STATE, "no-state", 0, NULL, CLI_AUDIT,
     "record no snapshot and read no reviews from the state database"},
    {OPT_DECISION, "decision", 0, "DECISION", CLI_REVIEW,
     "outcome of the review: keep, reduce or retire"},
    {OPT_BY, "by", 0, "WHO", CLI_REVIEW, "who reviewed the identity"},
    {OPT_NOTE, "note", 0, "TEXT", CLI_REVIEW, "a note kept with the review"},
    {OPT_SINCE, "since", 0, "SNAPSHOT", CLI_DIFF,
     "compare the latest snapshot with this one (default: the one before "
     "it)"},
    {OPT_FROM, "from", 0, "NODE", CLI_GRAPH,
     "show what NODE can become: an identity's id or unique name, a "
     "consumer's id (a CI job, a workload), or group:NAME or user:NAME of "
     "Kubernetes"},
    {OPT_TO, "to", 0, "NODE", CLI_GRAPH,
     "show what can become NODE; with --from, the shortest path"},
};
const size_t cli_option_count = sizeof(cli_options) / sizeof(cli_options[0]);

const cli_command_info cli_commands[] = {
    {CLI_AUDIT, "audit", "PATH...",
     "read exports and declarations, evaluate the rules, report findings"},
    {CLI_CHECK, "check", "PATH...",
     "validate declarations and the workspace config"},
    {CLI_CATALOG, "catalog", "", "print the action catalog"},
    {CLI_REVIEW, "review", "attest NAME | list",
     "record a review of a declared identity, or list what is due"},
    {CLI_DIFF, "diff", "",
     "identities, credentials and findings changed since a snapshot"},
    {CLI_GRAPH, "graph", "PATH...",
     "the identity graph: who can become whom, as text or DOT"},
    {CLI_EXPLAIN, "explain", "ID [PATH...]",
     "one finding (by fingerprint) or identity: evidence, path, fix"},
};
const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);

const cli_command_info *cli_command_find(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

static const cli_option *find_long(const char *name, size_t length)
{
    for (size_t i = 0; i < cli_option_count; i++)
        if (strlen(cli_options[i].long_name) == length &&
            strncmp(cli_options[i].long_name, name, length) == 0)
            return &cli_options[i];
    return NULL;
}

static const cli_option *find_short(char name)
{
    for (size_t i = 0; i < cli_option_count; i++)
        if (cli_options[i].short_name == name)
            return &cli_options[i];
    return NULL;
}

static int usage_error(const cli_command_info *command, const char *fmt,
                       const char *value) __attribute__((format(printf, 2, 0)));

static int usage_error(const cli_command_info *command, const char *fmt,
                       const char *value)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    cli_error(fmt, value);
#pragma GCC diagnostic pop
    cli_note("run 'nhi %s --help' for the options", command->name);
    return 2;
}

static void record(cli_args *args, const cli_option *option, const char *value)
{
    args->values[option->id] = value ? value : "";
    if (option->id == OPT_QUIET)
        args->verbosity = -1;
    else if (option->id == OPT_VERBOSE && args->verbosity >= 0)
        args->verbosity++;
}

/* Parse one `--name[=value]` argument; may consume the next argument. */
static int parse_long(cli_args *args, const cli_command_info *command,
                      int argc, char **argv, int *index)
{
    const char *text = argv[*index] + 2;
    const char *equals = strchr(text, '=');
    size_t length = equals ? (size_t)(equals - text) : strlen(text);
    const cli_option *option = find_long(text, length);

    if (option == NULL || !(option->commands & command->command))
        return usage_error(command, "unknown option '%s'", argv[*index]);
    if (option->value == NULL) {
        if (equals)
            return usage_error(command, "option '--%s' takes no value",
                               option->long_name);
        record(args, option, NULL);
        return 0;
    }
    if (equals) {
        record(args, option, equals + 1);
        return 0;
    }
    if (*index + 1 >= argc)
        return usage_error(command, "option '--%s' needs a value",
                           option->long_name);
    record(args, option, argv[++*index]);
    return 0;
}

static int parse_short(cli_args *args, const cli_command_info *command,
                       int argc, char **argv, int *index)
{
    const char *text = argv[*index] + 1;

    for (; *text; text++) {
        const cli_option *option = find_short(*text);
        if (option == NULL || !(option->commands & command->command)) {
            char name[3] = {'-', *text, '\0'};
            return usage_error(command, "unknown option '%s'", name);
        }
        if (option->value == NULL) {
            record(args, option, NULL);
            continue;
        }
        if (text[1] != '\0') {
            record(args, option, text + 1);
            return 0;
        }
        if (*index + 1 >= argc)
            return usage_error(command, "option '-%s' needs a value", text);
        record(args, option, argv[++*index]);
        return 0;
    }
    return 0;
}

int cli_parse(cli_args *args, const cli_command_info *command, int argc,
              char **argv, int first)
{
    bool options_done = false;

    memset(args, 0, sizeof(*args));
    args->command = command;
    args->operands = (const char **)&argv[first];
    for (int i = first; i < argc; i++) {
        const char *argument = argv[i];
        int result = 0;

        if (!options_done && strcmp(argument, "--") == 0)
            options_done = true;
        else if (!options_done && strncmp(argument, "--", 2) == 0)
            result = parse_long(args, command, argc, argv, &i);
        else if (!options_done && argument[0] == '-' && argument[1] != '\0')
            result = parse_short(args, command, argc, argv, &i);
        else
            args->operands[args->operand_count++] = argument;
        if (result != 0)
            return result;
    }
    return 0;
}

/* Help text wrapped at 80 columns, continuation lines under the first. */
static void print_help_text(FILE *out, const char *text)
{
    const unsigned indent = 28, width = 80;
    unsigned column = indent;

    while (*text) {
        size_t length = strcspn(text, " ");
        if (column > indent && column + 1 + length > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            column = indent;
        }
        fputc(' ', out);
        fwrite(text, 1, length, out);
        column += 1 + (unsigned)length;
        text += length;
        while (*text == ' ')
            text++;
    }
    fputc('\n', out);
}

static void print_option_help(FILE *out, const cli_option *option)
{
    char left[64];

    if (option->short_name)
        snprintf(left, sizeof(left), "-%c, --%s%s%s", option->short_name,
                 option->long_name, option->value ? " " : "",
                 option->value ? option->value : "");
    else
        snprintf(left, sizeof(left), "    --%s%s%s", option->long_name,
                 option->value ? " " : "", option->value ? option->value : "");
    fprintf(out, "  %-26s", left);
    print_help_text(out, option->help);
}

void cli_print_help(const cli_command_info *command)
{
    FILE *out = stdout;

    if (command == NULL) {
        fprintf(out, "usage: nhi COMMAND [OPTION]... [OPERAND]...\n\n"
                     "Govern non-human identities: compare exports of AWS "
                     "and other providers\nwith the declared intent of each "
                     "workload identity.\n\ncommands:\n");
        for (size_t i = 0; i < cli_command_count; i++)
            fprintf(out, "  %-10s %s\n", cli_commands[i].name,
                    cli_commands[i].summary);
        fprintf(out, "\nRun 'nhi COMMAND --help' for a command's options; "
                     "'man nhi' for the manual.\n"
                     "Exit status: 0 no finding at or above the gate, 1 "
                     "findings, 2 usage error,\n3 an input failed or an "
                     "internal error.\n");
        return;
    }
    fprintf(out, "usage: nhi %s [OPTION]...%s%s\n\n%s\n\noptions:\n",
            command->name, command->operands[0] ? " " : "", command->operands,
            command->summary);
    for (size_t i = 0; i < cli_option_count; i++)
        if (cli_options[i].commands & command->command)
            print_option_help(out, &cli_options[i]);
}

/* Escape the characters roff treats specially at the start or inline. */
static void print_roff(FILE *out, const char *text)
{
    for (; *text; text++) {
        if (*text == '-')
            fputs("\\-", out);
        else if (*text == '\\')
            fputs("\\e", out);
        else
            fputc(*text, out);
    }
}

void cli_print_man_sections(void)
{
    FILE *out = stdout;

    fputs(".SH SYNOPSIS\n", out);
    for (size_t i = 0; i < cli_command_count; i++) {
        fprintf(out, ".B nhi %s\n", cli_commands[i].name);
        for (size_t j = 0; j < cli_option_count; j++) {
            const cli_option *option = &cli_options[j];
            if (!(option->commands & cli_commands[i].command) ||
                option->id == OPT_HELP || option->id == OPT_VERSION)
                continue;
            fputs("[\\fB\\-\\-", out);
            print_roff(out, option->long_name);
            fputs("\\fR", out);
            if (option->value)
                fprintf(out, " \\fI%s\\fR", option->value);
            fputs("]\n", out);
        }
        if (cli_commands[i].operands[0])
            fprintf(out, "\\fI%s\\fR\n", cli_commands[i].operands);
        fputs(".br\n", out);
    }
    fputs(".SH OPTIONS\n", out);
    for (size_t i = 0; i < cli_option_count; i++) {
        const cli_option *option = &cli_options[i];
        fputs(".TP\n", out);
        if (option->short_name)
            fprintf(out, "\\fB\\-%c\\fR, ", option->short_name);
        fputs("\\fB\\-\\-", out);
        print_roff(out, option->long_name);
        fputs("\\fR", out);
        if (option->value)
            fprintf(out, " \\fI%s\\fR", option->value);
        fputc('\n', out);
        print_roff(out, option->help);
        fputs(" (", out);
        bool first = true;
        for (size_t c = 0; c < cli_command_count; c++) {
            if (!(option->commands & cli_commands[c].command))
                continue;
            fprintf(out, "%s%s", first ? "" : ", ", cli_commands[c].name);
            first = false;
        }
        fputs(")\n", out);
    }
}
