/* SPDX-License-Identifier: MIT */
/* `nhi catalog`: print the action catalog as text or JSON. */
#include <jansson.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "nhi/catalog.h"
#include "nhi/workspace.h"
#include "output.h"

static void print_text(FILE *out, const nhi_catalog *catalog)
{
    for (size_t i = 0; i < nhi_catalog_count(catalog); i++) {
        const nhi_catalog_entry *entry = nhi_catalog_at(catalog, i);
        fprintf(out, "%s  %s", entry->name, entry->description);
        if (strcmp(entry->origin, "built-in") != 0)
            fprintf(out, " (from %s)", entry->origin);
        fputc('\n', out);
        for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
            if (entry->counts[p] == 0)
                continue;
            fprintf(out, "  %-11s", nhi_provider_name((nhi_provider)p));
            for (size_t k = 0; k < entry->counts[p]; k++)
                fprintf(out, "%s%s", k ? ", " : "", entry->patterns[p][k]);
            fputc('\n', out);
        }
    }
}

static json_t *catalog_json(const nhi_catalog *catalog)
{
    json_t *root = json_object(), *actions = json_array();

    json_object_set_new(root, "schema_version", json_integer(1));
    json_object_set_new(root, "actions", actions);
    for (size_t i = 0; i < nhi_catalog_count(catalog); i++) {
        const nhi_catalog_entry *entry = nhi_catalog_at(catalog, i);
        json_t *item = json_object();
        json_object_set_new(item, "name", json_string(entry->name));
        json_object_set_new(item, "description",
                            json_string(entry->description));
        json_object_set_new(item, "origin", json_string(entry->origin));
        for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
            json_t *patterns = json_array();
            for (size_t k = 0; k < entry->counts[p]; k++)
                json_array_append_new(patterns,
                                      json_string(entry->patterns[p][k]));
            json_object_set_new(item, nhi_provider_name((nhi_provider)p),
                                patterns);
        }
        json_array_append_new(actions, item);
    }
    return root;
}

int cmd_catalog(const cli_args *args)
{
    const char *format = args->values[OPT_FORMAT] ? args->values[OPT_FORMAT]
                                                  : "text";
    nhi_workspace workspace;
    nhi_diags diags;
    cli_output output;
    int status = EXIT_CLEAN;

    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_error("invalid format '%s' for catalog", format);
        cli_note("use --format text or --format json");
        return EXIT_USAGE;
    }
    if (args->operand_count > 0) {
        cli_error("catalog takes no operands");
        return EXIT_USAGE;
    }
    nhi_diags_init(&diags);
    if (cli_open_workspace(&workspace, args, &diags) < 0) {
        status = EXIT_INPUT;
        goto out;
    }
    if (diags.errors > 0)
        status = EXIT_INPUT;
    if (cli_output_open(&output, args->values[OPT_OUTPUT]) < 0) {
        status = EXIT_INPUT;
        goto out;
    }
    if (strcmp(format, "json") == 0) {
        json_t *root = catalog_json(workspace.catalog);
        json_dumpf(root, output.stream, JSON_INDENT(2));
        fputc('\n', output.stream);
        json_decref(root);
    } else {
        print_text(output.stream, workspace.catalog);
    }
    if (cli_output_commit(&output) < 0)
        status = EXIT_INPUT;
out:
    cli_print_diags(&diags);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
