/* SPDX-License-Identifier: MIT */
/* `nhi check`: validate declarations and the workspace config. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "nhi/workspace.h"

static void print_actions(FILE *out, const char *label,
                          const nhi_decl_action *actions, size_t count,
                          const nhi_catalog *catalog, bool verbose)
{
    if (count == 0)
        return;
    fprintf(out, "    %s:", label);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s %s", i ? "," : "", actions[i].text);
    fputc('\n', out);
    if (!verbose)
        return;

    for (size_t i = 0; i < count; i++) {
        const nhi_decl_action *action = &actions[i];
        const nhi_catalog_entry *entry;

        if (action->kind == NHI_ACTION_NATIVE) {
            fprintf(out, "      %s: %s action\n", action->text,
                    nhi_provider_name(action->provider));
            continue;
        }
        entry = nhi_catalog_find(catalog, action->text);
        if (entry == NULL)
            continue;
        fprintf(out, "      %s:\n", action->text);
        for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
            if (entry->counts[p] == 0)
                continue;
            fprintf(out, "        %-11s", nhi_provider_name((nhi_provider)p));
            for (size_t k = 0; k < entry->counts[p]; k++)
                fprintf(out, "%s%s", k ? ", " : "", entry->patterns[p][k]);
            fputc('\n', out);
        }
    }
}

static void print_decl(FILE *out, const nhi_decl *decl,
                       const nhi_catalog *catalog, bool verbose)
{
    fprintf(out, "  %s (line %u)%s\n", decl->name ? decl->name : "(unnamed)",
            decl->line, decl->valid ? "" : ": not applied, see errors");
    if (!decl->valid)
        return;
    fprintf(out, "    environment: %s, credential model: %s, review: %s\n",
            decl->environment, nhi_credential_model_name(decl->credential_model),
            decl->review);
    fprintf(out, "    owner: %s\n", decl->owner ? decl->owner : "(none)");
    if (decl->identity_count == 0)
        fprintf(out, "    identities: bound by name '%s'\n", decl->name);
    for (size_t i = 0; i < decl->identity_count; i++)
        fprintf(out, "    identity: %s %s\n",
                nhi_provider_name(decl->identities[i].provider),
                decl->identities[i].id);
    for (size_t i = 0; i < decl->consumer_count; i++)
        fprintf(out, "    consumer: %s %s\n", decl->consumers[i].kind,
                decl->consumers[i].id);
    print_actions(out, "allowed", decl->allowed, decl->allowed_count, catalog,
                  verbose);
    print_actions(out, "prohibited", decl->prohibited, decl->prohibited_count,
                  catalog, verbose);
}

static void print_config(FILE *out, const nhi_config *config)
{
    if (config->path == NULL) {
        fprintf(out, "workspace %s: no %s, defaults apply\n", config->root,
                NHI_CONFIG_NAME);
        return;
    }
    fprintf(out, "config %s: %zu accounts, %zu clusters, %zu repositories, "
                 "%zu severity changes\n",
            config->path, config->account_count, config->cluster_count,
            config->repository_count, config->severity_count);
    for (size_t i = 0; i < config->account_count; i++)
        fprintf(out, "  account %s: %s, %s\n", config->accounts[i].id,
                config->accounts[i].name ? config->accounts[i].name : "-",
                config->accounts[i].environment
                    ? config->accounts[i].environment
                    : "environment not set");
    fprintf(out, "  thresholds: max_credential_age %lldd, unused_after %lldd\n",
            (long long)(config->max_credential_age / NHI_DAY),
            (long long)(config->unused_after / NHI_DAY));
}

int cmd_check(const cli_args *args)
{
    const char *default_path[] = {"."};
    const char *const *paths = args->operands;
    size_t path_count = args->operand_count;
    bool verbose = cli_verbosity() > 0;
    size_t files = 0, valid = 0;
    nhi_workspace workspace;
    nhi_diags diags;
    int status = EXIT_CLEAN;
    int result;

    nhi_diags_init(&diags);
    if (cli_open_workspace(&workspace, args, &diags) < 0) {
        status = EXIT_INPUT;
        goto out;
    }
    if (args->values[OPT_INPUT_FORMAT]) {
        int format = nhi_format_from_name(args->values[OPT_INPUT_FORMAT]);
        if (format != NHI_FORMAT_DECLARATIONS && format != NHI_FORMAT_CONFIG) {
            cli_error("invalid input format '%s' for check",
                      args->values[OPT_INPUT_FORMAT]);
            cli_note("check reads declarations or config");
            status = EXIT_USAGE;
            goto out;
        }
        workspace.forced_format = (nhi_format)format;
    }
    if (path_count == 0) {
        paths = default_path;
        path_count = 1;
    }
    result = nhi_workspace_read(&workspace, paths, path_count, &diags);
    if (result == NHI_ENOMEM) {
        cli_error("out of memory");
        status = EXIT_INPUT;
        goto out;
    }

    print_config(stdout, &workspace.config);
    for (size_t i = 0; i < workspace.input_count; i++) {
        const nhi_input *input = &workspace.inputs[i];
        size_t in_file = 0;
        if (input->format != NHI_FORMAT_DECLARATIONS)
            continue;
        files++;
        for (size_t d = 0; d < workspace.decls.count; d++)
            in_file += strcmp(workspace.decls.items[d].path, input->path) == 0;
        printf("%s: %zu declaration%s%s\n", input->path, in_file,
               in_file == 1 ? "" : "s",
               input->status == NHI_INPUT_ERROR ? " (with errors)" : "");
        for (size_t d = 0; d < workspace.decls.count; d++)
            if (strcmp(workspace.decls.items[d].path, input->path) == 0)
                print_decl(stdout, &workspace.decls.items[d],
                           workspace.catalog, verbose);
    }
    for (size_t d = 0; d < workspace.decls.count; d++)
        valid += workspace.decls.items[d].valid;
    printf("checked %zu declaration file%s: %zu declaration%s, %zu valid, "
           "%zu error%s\n",
           files, files == 1 ? "" : "s", workspace.decls.count,
           workspace.decls.count == 1 ? "" : "s", valid, diags.errors,
           diags.errors == 1 ? "" : "s");
    if (diags.errors > 0)
        status = EXIT_INPUT;
out:
    fflush(stdout);
    cli_print_diags(&diags);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
