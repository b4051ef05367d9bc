/* SPDX-License-Identifier: MIT */
/* `nhi diff`: what changed between two snapshots of the state database. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "nhi/state.h"
#include "nhi/workspace.h"
#include "output.h"

static void print_text(FILE *out, const nhi_diff *diff)
{
    nhi_change_kind previous = NHI_CHANGE_COUNT;

    fprintf(out, "changes from snapshot %lld (%s) to snapshot %lld (%s): %zu\n",
            diff->from, diff->from_time, diff->to, diff->to_time, diff->count);
    for (size_t i = 0; i < diff->count; i++) {
        const nhi_change *change = &diff->changes[i];
        if (change->kind != previous)
            fprintf(out, "\n%s:\n", nhi_change_kind_name(change->kind));
        previous = change->kind;
        fprintf(out, "  %s  %s%s%s\n", change->identity ? change->identity : "-",
                change->subject ? change->subject : "",
                change->detail ? "  " : "", change->detail ? change->detail : "");
    }
}

static void print_json(FILE *out, const nhi_diff *diff)
{
    json_t *root = json_object(), *changes = json_array();

    json_object_set_new(root, "from", json_integer(diff->from));
    json_object_set_new(root, "from_time", json_string(diff->from_time));
    json_object_set_new(root, "to", json_integer(diff->to));
    json_object_set_new(root, "to_time", json_string(diff->to_time));
    for (size_t i = 0; i < diff->count; i++) {
        const nhi_change *change = &diff->changes[i];
        json_t *item = json_object();
        json_object_set_new(item, "change",
                            json_string(nhi_change_kind_name(change->kind)));
        json_object_set_new(item, "identity", change->identity
                                                  ? json_string(change->identity)
                                                  : json_null());
        json_object_set_new(item, "subject", change->subject
                                                 ? json_string(change->subject)
                                                 : json_null());
        json_object_set_new(item, "detail", change->detail
                                                ? json_string(change->detail)
                                                : json_null());
        json_array_append_new(changes, item);
    }
    json_object_set_new(root, "changes", changes);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
}

static int pick(const cli_args *args, const long long *ids, size_t count,
                long long *from, long long *to)
{
    char *end;

    if (count < 2 && !args->values[OPT_SINCE]) {
        cli_error("the state database holds %zu snapshot%s; diff needs two",
                  count, count == 1 ? "" : "s");
        cli_note("run 'nhi audit' again after the exports change");
        return -1;
    }
    *to = ids[count - 1];
    *from = count >= 2 ? ids[count - 2] : ids[0];
    if (args->values[OPT_SINCE]) {
        *from = strtoll(args->values[OPT_SINCE], &end, 10);
        if (*end != '\0' || *from <= 0) {
            cli_error("invalid snapshot '%s' for --since",
                      args->values[OPT_SINCE]);
            cli_note("give a snapshot number, as 'nhi audit' prints it");
            return -1;
        }
    }
    return 0;
}

int cmd_diff(const cli_args *args)
{
    bool json = args->values[OPT_FORMAT] &&
                strcmp(args->values[OPT_FORMAT], "json") == 0;
    nhi_workspace workspace;
    nhi_state *state = NULL;
    nhi_diags diags;
    nhi_diff diff = {0};
    long long *ids = NULL, from, to;
    size_t count = 0;
    cli_output output;
    char *path = NULL;
    int status = EXIT_INPUT;

    nhi_diags_init(&diags);
    if (cli_open_workspace(&workspace, args, &diags) < 0)
        goto out;
    path = nhi_state_default_path(workspace.config.root, args->values[OPT_DB]);
    if (path == NULL || nhi_state_open(&state, path, true, &diags) < 0 ||
        nhi_state_snapshots(state, &ids, &count, &diags) < 0)
        goto out;
    if (count == 0 || pick(args, ids, count, &from, &to) < 0) {
        if (count == 0) {
            cli_error("the state database %s holds no snapshot", path);
            cli_note("run 'nhi audit' to record one");
        }
        status = EXIT_USAGE;
        goto out;
    }
    if (nhi_state_diff(state, from, to, &diff, &diags) < 0)
        goto out;
    if (cli_output_open(&output, args->values[OPT_OUTPUT]) < 0)
        goto out;
    if (json)
        print_json(output.stream, &diff);
    else
        print_text(output.stream, &diff);
    status = cli_output_commit(&output) < 0 ? EXIT_INPUT : EXIT_CLEAN;
out:
    cli_print_diags(&diags);
    nhi_diff_free(&diff);
    free(ids);
    free(path);
    nhi_state_close(state);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
