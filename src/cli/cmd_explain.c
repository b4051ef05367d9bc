/* SPDX-License-Identifier: MIT */
/*
 * `nhi explain`: one finding (by fingerprint), one identity or one
 * consumer, with its evidence, edges, path and fix. The inputs are the PATHs given, else those the
 * latest snapshot of the state database recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "nhi/report.h"
#include "nhi/state.h"
#include "nhi/workspace.h"
#include "output.h"

/* Minimum length of a fingerprint prefix, to keep a match unambiguous. */
#define MIN_PREFIX 8

static void print_identity(FILE *out, const nhi_audit *audit,
                           const nhi_identity *identity)
{
    const nhi_decl_set *decls = &audit->workspace->decls;

    fprintf(out, "%s\n  %s, %s, environment %s, declaration %s\n",
            identity->id, nhi_identity_kind_name(identity->kind),
            nhi_identity_class_name(identity->class_),
            identity->environment ? identity->environment : "unknown",
            identity->declaration >= 0
                ? decls->items[identity->declaration].name
                : "none");
    fprintf(out, "  read from %s:%u:%u %s\n", identity->location.source,
            identity->location.line, identity->location.column,
            identity->location.json_path ? identity->location.json_path : "");
    for (size_t i = 0; i < identity->policy_count; i++) {
        const nhi_attachment *attachment = &identity->policies[i];
        fprintf(out, "  policy %s (%s%s%s)\n", attachment->policy->name,
                attachment->policy->kind == NHI_POLICY_MANAGED ? "managed"
                                                               : "inline",
                attachment->via_group ? ", through group " : "",
                attachment->via_group ? attachment->via_group : "");
    }
    if (identity->boundary_arn)
        fprintf(out, "  permissions boundary %s%s\n", identity->boundary_arn,
                identity->boundary ? "" : " (not in the export)");
    for (size_t i = 0; i < identity->credential_count; i++) {
        const nhi_credential *credential = identity->credentials[i];
        char created[32];
        nhi_time_format(credential->created, created, sizeof(created));
        fprintf(out, "  %s %s, %s, created or rotated %s\n",
                nhi_credential_kind_name(credential->kind),
                credential->key_id ? credential->key_id : "(id not known)",
                credential->active ? "active" : "inactive", created);
    }
}

static const char *node_name(const nhi_graph *graph, nhi_node_kind kind,
                             size_t index, const char *label)
{
    if (kind == NHI_NODE_IDENTITY)
        return graph->identities[index]->id;
    if (kind == NHI_NODE_CONSUMER)
        return graph->consumers[index]->id;
    return label;
}

/* The edges across providers that leave or reach a node. */
static void print_edges(FILE *out, const nhi_graph *graph, nhi_node_kind kind,
                        size_t index)
{
    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *edge = &graph->edges[e];
        bool from = edge->from_kind == kind && edge->from == index;
        bool to = edge->to_kind == kind && edge->to == index &&
                  kind != NHI_NODE_K8S_SUBJECT;
        if (!from && !to)
            continue;
        fprintf(out, "  %s %s %s (%s%s): %s\n", from ? "->" : "<-",
                from ? node_name(graph, edge->to_kind, edge->to, edge->to_label)
                     : node_name(graph, edge->from_kind, edge->from, NULL),
                edge->kind, edge->valid ? "valid" : "not valid",
                edge->possible ? ", possible" : "",
                edge->detail ? edge->detail : "");
    }
}

static const nhi_consumer *find_consumer(const nhi_graph *graph,
                                         const char *id)
{
    for (size_t i = 0; i < graph->consumer_count; i++)
        if (strcmp(graph->consumers[i]->id, id) == 0)
            return graph->consumers[i];
    return NULL;
}

static void print_consumer(FILE *out, const nhi_consumer *consumer)
{
    if (consumer->kind == NHI_CONSUMER_KUBERNETES_WORKLOAD)
        fprintf(out, "%s\n  %s, cluster %s, namespace %s, service account "
                     "%s, environment %s\n",
                consumer->id, nhi_consumer_kind_name(consumer->kind),
                consumer->cluster ? consumer->cluster : "unnamed",
                consumer->namespace_ ? consumer->namespace_ : "-",
                consumer->service_account ? consumer->service_account
                                          : "none (a static pod)",
                consumer->environment ? consumer->environment : "unknown");
    else
        fprintf(out, "%s\n  %s, repository %s, environment %s%s%s\n",
            consumer->id, nhi_consumer_kind_name(consumer->kind),
            consumer->repository ? consumer->repository : "unknown",
            consumer->environment ? consumer->environment : "unknown",
            consumer->id_token ? ", may request an OIDC token" : "",
            consumer->untrusted_trigger
                ? ", outside contributors can trigger it"
                : "");
    fprintf(out, "  read from %s:%u:%u %s\n", consumer->location.source,
            consumer->location.line, consumer->location.column,
            consumer->location.json_path ? consumer->location.json_path : "");
    for (size_t i = 0; i < consumer->login_count; i++) {
        const nhi_login *login = &consumer->logins[i];
        fprintf(out, "  login %s %s%s%s at %s:%u:%u\n",
                nhi_login_kind_name(login->kind),
                login->target ? login->target
                : login->key_id ? login->key_id
                : login->secret ? login->secret
                                : "",
                login->secret && login->target ? " with " : "",
                login->secret && login->target ? login->secret : "",
                login->location.source ? login->location.source : "-",
                login->location.line, login->location.column);
    }
}

/* The findings about an identity or a consumer, or "no finding". */
static void print_findings_of(FILE *out, const nhi_audit *audit,
                              const nhi_identity *identity,
                              const nhi_consumer *consumer,
                              const nhi_report_options *options)
{
    size_t shown = 0;

    for (size_t i = 0; i < audit->findings.count; i++) {
        const nhi_finding *finding = &audit->findings.items[i];
        if ((identity && finding->identity != identity) ||
            (consumer && finding->consumer != consumer))
            continue;
        nhi_report_finding_text(out, audit, finding, options);
        shown++;
    }
    if (shown == 0)
        fputs("  no finding\n", out);
}

/* The input paths of the latest snapshot, as a NULL-terminated list. */
static char **snapshot_inputs(const cli_args *args,
                              const nhi_workspace *workspace, size_t *count,
                              nhi_diags *diags)
{
    char *path = nhi_state_default_path(workspace->config.root,
                                        args->values[OPT_DB]);
    nhi_state *state = NULL;
    char **inputs = NULL;

    *count = 0;
    if (path && nhi_state_open(&state, path, true, diags) == NHI_OK)
        nhi_state_latest_inputs(state, &inputs, count, diags);
    nhi_state_close(state);
    free(path);
    return inputs;
}

int cmd_explain(const cli_args *args)
{
    const char *id = args->operand_count ? args->operands[0] : NULL;
    nhi_report_options options = {0};
    nhi_workspace workspace, scratch;
    nhi_audit audit;
    nhi_diags diags;
    cli_output output;
    char **recorded = NULL;
    size_t recorded_count = 0, shown = 0;
    const nhi_identity *identity = NULL;
    const nhi_consumer *consumer = NULL;
    int status;

    if (id == NULL) {
        cli_error("explain needs a finding fingerprint, an identity or a "
                  "consumer");
        cli_note("fingerprints are in the JSON report and in 'nhi audit -v'");
        return EXIT_USAGE;
    }
    nhi_diags_init(&diags);
    memset(&workspace, 0, sizeof(workspace));
    memset(&scratch, 0, sizeof(scratch));
    memset(&audit, 0, sizeof(audit));
    if (args->operand_count > 1) {
        status = cli_run_audit(args, args->operands + 1,
                               args->operand_count - 1, &workspace, &audit,
                               &diags);
    } else {
        if (cli_open_workspace(&scratch, args, &diags) < 0) {
            status = EXIT_INPUT;
            goto out;
        }
        recorded = snapshot_inputs(args, &scratch, &recorded_count, &diags);
        if (recorded_count == 0) {
            cli_error("no input to explain from");
            cli_note("give the inputs after the id, or run 'nhi audit' to "
                     "record a snapshot first");
            status = EXIT_USAGE;
            goto out;
        }
        status = cli_run_audit(args, (const char *const *)recorded,
                               recorded_count, &workspace, &audit, &diags);
    }
    if (status != 0)
        goto out;
    if (cli_output_open(&output, args->values[OPT_OUTPUT]) < 0) {
        status = EXIT_INPUT;
        goto out;
    }

    options.verbosity = 1;
    for (size_t i = 0; strlen(id) >= MIN_PREFIX && i < audit.findings.count;
         i++) {
        const nhi_finding *finding = &audit.findings.items[i];
        if (strncmp(finding->fingerprint, id, strlen(id)) != 0)
            continue;
        nhi_report_finding_text(output.stream, &audit, finding, &options);
        shown++;
    }
    if (shown == 0) {
        identity = nhi_graph_find_identity(audit.graph, id);
        for (size_t i = 0; identity == NULL && i < audit.graph->identity_count;
             i++)
            if (strcmp(audit.graph->identities[i]->name, id) == 0)
                identity = audit.graph->identities[i];
        if (identity == NULL)
            consumer = find_consumer(audit.graph, id);
    }
    if (identity) {
        print_identity(output.stream, &audit, identity);
        print_edges(output.stream, audit.graph, NHI_NODE_IDENTITY,
                    identity->index);
        print_findings_of(output.stream, &audit, identity, NULL, &options);
        shown++;
    } else if (consumer) {
        print_consumer(output.stream, consumer);
        print_edges(output.stream, audit.graph, NHI_NODE_CONSUMER,
                    consumer->index);
        print_findings_of(output.stream, &audit, NULL, consumer, &options);
        shown++;
    }
    status = cli_output_commit(&output) < 0 ? EXIT_INPUT : EXIT_CLEAN;
    if (status == EXIT_CLEAN && diags.errors > 0)
        status = EXIT_INPUT; /* shown, but an input failed */
    if (shown == 0) {
        cli_error("no finding, identity or consumer '%s' in the inputs", id);
        cli_note("give a fingerprint (at least %d hex digits), an ARN, a "
                 "name, or a consumer id such as "
                 "OWNER/REPO/.github/workflows/FILE#JOB",
                 MIN_PREFIX);
        status = EXIT_USAGE;
    }
out:
    cli_print_diags(&diags);
    for (size_t i = 0; i < recorded_count; i++)
        free(recorded[i]);
    free(recorded);
    nhi_audit_free(&audit);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    nhi_workspace_free(&scratch);
    return status;
}
