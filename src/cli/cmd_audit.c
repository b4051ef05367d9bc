/* SPDX-License-Identifier: MIT */
/* `nhi audit`: read, build the identity graph, evaluate rules, report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "nhi/audit.h"
#include "nhi/report.h"
#include "nhi/state.h"
#include "nhi/workspace.h"
#include "output.h"

typedef struct audit_options {
    bool json;
    nhi_time now;
    nhi_severity fail_on;
    nhi_format input_format;
} audit_options;

static int parse_options(const cli_args *args, audit_options *options)
{
    const char *format = args->values[OPT_FORMAT];
    const char *fail_on = args->values[OPT_FAIL_ON];
    const char *input_format = args->values[OPT_INPUT_FORMAT];
    int value;

    memset(options, 0, sizeof(*options));
    options->fail_on = NHI_SEVERITY_LOW;
    options->now = (nhi_time)time(NULL);
    if (format && strcmp(format, "json") == 0) {
        options->json = true;
    } else if (format && strcmp(format, "text") != 0) {
        cli_error("invalid format '%s' for audit", format);
        cli_note("use --format text or --format json");
        return -1;
    }
    if (args->values[OPT_NOW] &&
        !nhi_time_parse(args->values[OPT_NOW], &options->now)) {
        cli_error("invalid time '%s' for --now", args->values[OPT_NOW]);
        cli_note("write an RFC 3339 date or date-time, such as 2026-12-01 or "
                 "2026-12-01T00:00:00Z");
        return -1;
    }
    if (fail_on) {
        value = nhi_severity_from_name(fail_on);
        if (value < 0) {
            cli_error("invalid severity '%s' for --fail-on", fail_on);
            cli_note("use critical, high, medium, low or info");
            return -1;
        }
        options->fail_on = (nhi_severity)value;
    }
    if (input_format) {
        value = nhi_format_from_name(input_format);
        if (value < 0) {
            cli_error("invalid input format '%s'", input_format);
            cli_note("use declarations, config, aws-authorization-details, "
                     "aws-credential-report or aws-access-keys");
            return -1;
        }
        options->input_format = (nhi_format)value;
    }
    if (args->operand_count == 0) {
        cli_error("audit needs at least one PATH");
        cli_note("name the export files or folders to read, for example "
                 "'nhi audit .'");
        return -1;
    }
    return 0;
}

static int write_report(const cli_args *args, const audit_options *options,
                        nhi_audit *audit)
{
    nhi_report_options text = {0};
    cli_output output;
    double start = nhi_clock();
    int result;

    if (cli_output_open(&output, args->values[OPT_OUTPUT]) < 0)
        return -1;
    /* A large buffer: a big audit writes hundreds of MB of report. */
    setvbuf(output.stream, NULL, _IOFBF, 1 << 20);
    text.verbosity = cli_verbosity();
    text.color = output.path == NULL &&
                 cli_color_wanted(STDOUT_FILENO,
                                  args->values[OPT_NO_COLOR] != NULL);
    if (options->json)
        result = nhi_report_json(output.stream, audit);
    else
        result = nhi_report_text(output.stream, audit, &text);
    if (result < 0) {
        cli_error("cannot write the report: %s",
                  result == NHI_ENOMEM ? "out of memory" : "write failed");
        cli_output_abort(&output);
        return -1;
    }
    if (cli_output_commit(&output) < 0)
        return -1;
    nhi_audit_stage_done(audit, NHI_STAGE_REPORT, start);
    return 0;
}

static void print_stage_times(const nhi_audit *audit)
{
    const char *setting = getenv("NHI_STAGE_TIMES");

    if (setting == NULL || strcmp(setting, "1") != 0)
        return;
    for (int s = 0; s < NHI_STAGE_COUNT; s++)
        cli_stage(nhi_stage_name((nhi_stage)s), audit->stage_seconds[s],
                  audit->stage_peak_kib[s]);
    cli_count("identities", audit->graph->identity_count);
    cli_count("steps", audit->step_count);
    cli_count("pattern-nodes", audit->pattern_node_count);
    cli_count("findings", audit->findings.count);
}

static int exit_status(const nhi_audit *audit, const nhi_diags *diags,
                       nhi_severity fail_on)
{
    if (diags->errors > 0)
        return EXIT_INPUT; /* a broken input must never pass a gate */
    for (size_t i = 0; i < audit->findings.count; i++)
        if (audit->findings.items[i].severity <= fail_on)
            return EXIT_FINDINGS;
    return EXIT_CLEAN;
}

/*
 * Open the state database unless --no-state, and read the latest reviews.
 * A database that cannot be used is an error, but the audit goes on.
 */
static nhi_state *open_state(const cli_args *args, const nhi_workspace *ws,
                             nhi_review **reviews, size_t *review_count,
                             nhi_diags *diags)
{
    nhi_state *state = NULL;
    char *path;

    *reviews = NULL;
    *review_count = 0;
    if (args->values[OPT_NO_STATE])
        return NULL;
    path = nhi_state_default_path(ws->config.root, args->values[OPT_DB]);
    if (path == NULL)
        return NULL;
    if (nhi_state_open(&state, path, false, diags) == NHI_OK &&
        nhi_state_latest_reviews(state, reviews, review_count, diags) < 0) {
        nhi_state_close(state);
        state = NULL;
    }
    free(path);
    return state;
}

static void record_snapshot(nhi_state *state, const nhi_audit *audit,
                            nhi_diags *diags)
{
    long long id;

    if (state && nhi_state_record(state, audit, &id, diags) == NHI_OK)
        cli_note("recorded snapshot %lld", id);
}

int cli_run_audit(const cli_args *args, const char *const *paths,
                  size_t count, nhi_workspace *workspace, nhi_audit *audit,
                  nhi_diags *diags)
{
    nhi_time now = (nhi_time)time(NULL);
    int format = 0;

    memset(audit, 0, sizeof(*audit));
    if (args->values[OPT_NOW] && !nhi_time_parse(args->values[OPT_NOW], &now)) {
        cli_error("invalid time '%s' for --now", args->values[OPT_NOW]);
        return EXIT_USAGE;
    }
    if (args->values[OPT_INPUT_FORMAT] &&
        (format = nhi_format_from_name(args->values[OPT_INPUT_FORMAT])) < 0) {
        cli_error("invalid input format '%s'", args->values[OPT_INPUT_FORMAT]);
        return EXIT_USAGE;
    }
    if (cli_open_workspace(workspace, args, diags) < 0)
        return EXIT_INPUT;
    workspace->forced_format = (nhi_format)format;
    if (nhi_workspace_read(workspace, paths, count, diags) == NHI_ENOMEM ||
        nhi_audit_run(audit, workspace, now, NULL, 0, diags) == NHI_ENOMEM ||
        audit->graph == NULL) {
        cli_error("out of memory while auditing");
        return EXIT_INPUT;
    }
    return 0;
}

int cmd_audit(const cli_args *args)
{
    audit_options options;
    nhi_workspace workspace;
    nhi_audit audit;
    nhi_diags diags;
    nhi_state *state = NULL;
    nhi_review *reviews = NULL;
    size_t review_count = 0;
    int status = EXIT_INPUT;
    int result;

    if (parse_options(args, &options) < 0)
        return EXIT_USAGE;
    nhi_diags_init(&diags);
    memset(&audit, 0, sizeof(audit));
    if (cli_open_workspace(&workspace, args, &diags) < 0)
        goto out;
    workspace.forced_format = options.input_format;

    result = nhi_workspace_read(&workspace, args->operands,
                                args->operand_count, &diags);
    if (result == NHI_ENOMEM)
        goto nomem;
    if (args->values[OPT_STRICT] && diags.errors > 0)
        goto out;
    state = open_state(args, &workspace, &reviews, &review_count, &diags);
    result = nhi_audit_run(&audit, &workspace, options.now, reviews,
                           review_count, &diags);
    if (result == NHI_ENOMEM || result == NHI_EINTERNAL || audit.graph == NULL)
        goto nomem;

    if (args->values[OPT_STRICT] && diags.errors > 0)
        goto out;
    if (write_report(args, &options, &audit) < 0)
        goto out;
    print_stage_times(&audit);
    record_snapshot(state, &audit, &diags);
    status = exit_status(&audit, &diags, options.fail_on);
    goto out;
nomem:
    cli_error("out of memory while auditing");
out:
    cli_print_diags(&diags);
    if (diags.errors > 0)
        cli_note("%zu input error%s: the report covers the other inputs",
                 diags.errors, diags.errors == 1 ? "" : "s");
    nhi_audit_free(&audit);
    nhi_reviews_free(reviews, review_count);
    nhi_state_close(state);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
