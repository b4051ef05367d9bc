/* SPDX-License-Identifier: MIT */
/* `nhi review attest|list`: reviews of declared identities, as data. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "diag.h"
#include "nhi/state.h"
#include "nhi/workspace.h"
#include "output.h"

static const char *const decisions[] = {"keep", "reduce", "retire"};

static bool valid_decision(const char *decision)
{
    for (size_t i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++)
        if (strcmp(decisions[i], decision) == 0)
            return true;
    return false;
}

static const nhi_decl *find_decl(const nhi_workspace *workspace,
                                 const char *name)
{
    for (size_t i = 0; i < workspace->decls.count; i++) {
        const nhi_decl *decl = &workspace->decls.items[i];
        if (decl->valid && decl->name && strcmp(decl->name, name) == 0)
            return decl;
    }
    return NULL;
}

static int attest(const cli_args *args, nhi_workspace *workspace,
                  nhi_state *state, nhi_time now, nhi_diags *diags)
{
    nhi_review review = {0};
    const char *name = args->operand_count > 1 ? args->operands[1] : NULL;

    if (name == NULL || args->operand_count > 2) {
        cli_error("review attest needs exactly one declaration NAME");
        return EXIT_USAGE;
    }
    if (!args->values[OPT_DECISION] || !valid_decision(args->values[OPT_DECISION])) {
        cli_error("review attest needs --decision keep, reduce or retire");
        return EXIT_USAGE;
    }
    if (!args->values[OPT_BY] || args->values[OPT_BY][0] == '\0') {
        cli_error("review attest needs --by WHO");
        return EXIT_USAGE;
    }
    if (find_decl(workspace, name) == NULL) {
        cli_error("no valid declaration named '%s' in the workspace %s", name,
                  workspace->config.root);
        cli_note("run 'nhi review list' for the declared names");
        return EXIT_INPUT;
    }
    review.declaration = (char *)name;
    review.decision = (char *)args->values[OPT_DECISION];
    review.reviewer = (char *)args->values[OPT_BY];
    review.note = (char *)args->values[OPT_NOTE];
    review.reviewed_at = now;
    if (nhi_state_add_review(state, &review, diags) < 0)
        return EXIT_INPUT;
    printf("recorded review of %s: %s by %s\n", name, review.decision,
           review.reviewer);
    return EXIT_CLEAN;
}

static const nhi_review *latest(const nhi_review *reviews, size_t count,
                                const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(reviews[i].declaration, name) == 0)
            return &reviews[i];
    return NULL;
}

static int list(const cli_args *args, nhi_workspace *workspace,
                nhi_state *state, nhi_time now, nhi_diags *diags)
{
    bool json = args->values[OPT_FORMAT] &&
                strcmp(args->values[OPT_FORMAT], "json") == 0;
    nhi_review *reviews = NULL;
    size_t count = 0;
    json_t *root = json_array();
    cli_output output;
    int status = EXIT_CLEAN;

    if (nhi_state_latest_reviews(state, &reviews, &count, diags) < 0) {
        json_decref(root);
        return EXIT_INPUT;
    }
    if (cli_output_open(&output, args->values[OPT_OUTPUT]) < 0) {
        json_decref(root);
        nhi_reviews_free(reviews, count);
        return EXIT_INPUT;
    }
    if (!json)
        fprintf(output.stream, "%-28s %-10s %-11s %-11s %s\n", "declaration",
                "cadence", "last", "next due", "status");
    for (size_t i = 0; i < workspace->decls.count; i++) {
        const nhi_decl *decl = &workspace->decls.items[i];
        const nhi_review *review;
        nhi_time last;
        char last_text[32] = "never", due_text[32] = "now";
        const char *state_text;

        if (!decl->valid)
            continue;
        review = latest(reviews, count, decl->name);
        last = decl->last_reviewed;
        if (review && (last == NHI_TIME_UNKNOWN || review->reviewed_at > last))
            last = review->reviewed_at;
        if (last != NHI_TIME_UNKNOWN) {
            nhi_time_format(last, last_text, sizeof(last_text));
            nhi_time_format(last + decl->review_seconds, due_text,
                            sizeof(due_text));
            last_text[10] = due_text[10] = '\0'; /* the date part */
        }
        state_text = last == NHI_TIME_UNKNOWN ? "never reviewed"
                     : now - last > decl->review_seconds ? "overdue"
                                                          : "ok";
        if (json) {
            json_t *item = json_object();
            json_object_set_new(item, "declaration", json_string(decl->name));
            json_object_set_new(item, "review", json_string(decl->review));
            json_object_set_new(item, "last_reviewed",
                                last == NHI_TIME_UNKNOWN ? json_null()
                                                         : json_string(last_text));
            json_object_set_new(item, "next_due",
                                last == NHI_TIME_UNKNOWN ? json_null()
                                                         : json_string(due_text));
            json_object_set_new(item, "status", json_string(state_text));
            json_object_set_new(item, "decision",
                                review ? json_string(review->decision)
                                       : json_null());
            json_object_set_new(item, "reviewer",
                                review ? json_string(review->reviewer)
                                       : json_null());
            json_array_append_new(root, item);
        } else {
            fprintf(output.stream, "%-28s %-10s %-11s %-11s %s\n", decl->name,
                    decl->review, last_text, due_text, state_text);
        }
    }
    if (json) {
        json_dumpf(root, output.stream, JSON_INDENT(2));
        fputc('\n', output.stream);
    }
    if (cli_output_commit(&output) < 0)
        status = EXIT_INPUT;
    json_decref(root);
    nhi_reviews_free(reviews, count);
    return status;
}

int cmd_review(const cli_args *args)
{
    const char *paths[] = {"."};
    const char *action = args->operand_count ? args->operands[0] : NULL;
    nhi_time now = (nhi_time)time(NULL);
    nhi_workspace workspace;
    nhi_state *state = NULL;
    nhi_diags diags;
    char *path = NULL;
    int status = EXIT_INPUT;

    if (action == NULL ||
        (strcmp(action, "attest") != 0 && strcmp(action, "list") != 0)) {
        cli_error("review needs 'attest NAME' or 'list'");
        cli_note("run 'nhi review --help'");
        return EXIT_USAGE;
    }
    if (args->values[OPT_NOW] && !nhi_time_parse(args->values[OPT_NOW], &now)) {
        cli_error("invalid time '%s' for --now", args->values[OPT_NOW]);
        return EXIT_USAGE;
    }
    nhi_diags_init(&diags);
    if (cli_open_workspace(&workspace, args, &diags) < 0)
        goto out;
    /* Declarations are read from the whole workspace folder. */
    paths[0] = workspace.config.root;
    if (nhi_workspace_read(&workspace, paths, 1, &diags) == NHI_ENOMEM)
        goto out;
    path = nhi_state_default_path(workspace.config.root, args->values[OPT_DB]);
    if (path == NULL || nhi_state_open(&state, path, false, &diags) < 0)
        goto out;
    if (strcmp(action, "attest") == 0)
        status = attest(args, &workspace, state, now, &diags);
    else
        status = list(args, &workspace, state, now, &diags);
    if (status == EXIT_CLEAN && diags.errors > 0)
        status = EXIT_INPUT;
out:
    cli_print_diags(&diags);
    nhi_state_close(state);
    free(path);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
