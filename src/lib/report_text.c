/* SPDX-License-Identifier: MIT */
/*
 * The text report: findings grouped by identity, the group with the most
 * severe finding first, wrapped to fit a terminal (80 columns).
 */
#include <stdlib.h>
#include <string.h>

#include "nhi/report.h"

#include "nhi/consumer.h"
#include "strmap.h"
#include "util.h"

#define DEFAULT_WIDTH 80
/* Indentation of a finding's detail lines under its heading. */
#define DETAIL_INDENT 6

static const char *const severity_colors[NHI_SEVERITY_COUNT] = {
    "\033[1;31m", "\033[31m", "\033[33m", "\033[36m", "\033[2m"};

typedef struct writer {
    FILE *out;
    const nhi_report_options *options;
    unsigned width;
} writer;

/* Print `text` wrapped at the width, each line indented by `indent`. */
static void print_wrapped(writer *w, unsigned indent, const char *first,
                          const char *text)
{
    unsigned column = indent;
    const char *word = text;

    fprintf(w->out, "%*s%s", (int)indent, "", first ? first : "");
    column += first ? (unsigned)strlen(first) : 0;
    while (*word) {
        size_t length = strcspn(word, " ");
        if (column > indent + (first ? strlen(first) : 0) &&
            column + 1 + length > w->width) {
            fprintf(w->out, "\n%*s", (int)(indent + (first ? strlen(first)
                                                            : 0)),
                    "");
            column = indent + (first ? (unsigned)strlen(first) : 0);
        } else if (word != text) {
            fputc(' ', w->out);
            column++;
        }
        /* A word longer than the line (an ARN) is cut where it must be. */
        while (column + length > w->width && w->width > column + 8) {
            size_t room = w->width - column;
            fwrite(word, 1, room, w->out);
            word += room;
            length -= room;
            column = indent + (first ? (unsigned)strlen(first) : 0);
            fprintf(w->out, "\n%*s", (int)column, "");
        }
        fwrite(word, 1, length, w->out);
        column += (unsigned)length;
        word += length;
        while (*word == ' ')
            word++;
    }
    fputc('\n', w->out);
}

static void print_severity(writer *w, nhi_severity severity)
{
    const char *name = nhi_severity_name(severity);

    if (w->options->color)
        fprintf(w->out, "%s%-8s\033[0m", severity_colors[severity], name);
    else
        fprintf(w->out, "%-8s", name);
}

static const char *group_key(const nhi_finding *finding)
{
    if (finding->identity)
        return finding->identity->id;
    if (finding->consumer)
        return finding->consumer->id;
    if (finding->decl)
        return finding->decl->name;
    return finding->subject ? finding->subject : "";
}

static void print_group_heading(writer *w, const nhi_audit *audit,
                                const nhi_finding *finding)
{
    const nhi_identity *identity = finding->identity;

    fputc('\n', w->out);
    if (identity == NULL && finding->consumer) {
        const nhi_consumer *consumer = finding->consumer;
        char *line = nhi_asprintf(
            "%s, environment %s, at %s:%u:%u",
            nhi_consumer_kind_name(consumer->kind),
            consumer->environment ? consumer->environment : "unknown",
            consumer->location.source, consumer->location.line,
            consumer->location.column);
        fprintf(w->out, "%s\n", consumer->id);
        if (line)
            print_wrapped(w, 2, NULL, line);
        free(line);
        return;
    }
    if (identity == NULL && finding->decl == NULL) {
        /* A person or group of the cluster, not an identity of ours. */
        fprintf(w->out, "%s\n", finding->subject ? finding->subject : "-");
        return;
    }
    if (identity == NULL) {
        fprintf(w->out, "declaration %s (%s:%u)\n",
                finding->decl ? finding->decl->name : "-",
                finding->decl ? finding->decl->path : "-",
                finding->decl ? finding->decl->line : 0);
        return;
    }
    char *line = nhi_asprintf(
        "%s, %s, environment %s, declaration %s",
        nhi_identity_kind_name(identity->kind),
        nhi_identity_class_name(identity->class_),
        identity->environment ? identity->environment : "unknown",
        identity->declaration >= 0
            ? audit->workspace->decls.items[identity->declaration].name
            : "none");
    fprintf(w->out, "%s\n", identity->id);
    if (line)
        print_wrapped(w, 2, NULL, line);
    free(line);
}

static void print_evidence(writer *w, const nhi_evidence *evidence)
{
    char *where;

    if (evidence->policy) {
        char *line = nhi_asprintf("%s, %s", evidence->policy,
                                  evidence->statement ? evidence->statement
                                                      : "");
        if (line)
            print_wrapped(w, DETAIL_INDENT, "- ", line);
        free(line);
        if (evidence->detail)
            print_wrapped(w, DETAIL_INDENT + 2, NULL, evidence->detail);
    } else if (evidence->detail) {
        print_wrapped(w, DETAIL_INDENT, "- ", evidence->detail);
    }
    if (evidence->line)
        where = nhi_asprintf("at %s:%u:%u%s%s", evidence->source,
                             evidence->line, evidence->column,
                             evidence->location ? " " : "",
                             evidence->location ? evidence->location : "");
    else
        where = nhi_asprintf("at %s%s%s", evidence->source ? evidence->source
                                                           : "-",
                             evidence->location ? " " : "",
                             evidence->location ? evidence->location : "");
    if (where)
        print_wrapped(w, DETAIL_INDENT + 2, NULL, where);
    free(where);
}

static void print_finding(writer *w, const nhi_finding *finding)
{
    fputs("  ", w->out);
    print_severity(w, finding->severity);
    fprintf(w->out, " %s\n", finding->rule->id);
    print_wrapped(w, DETAIL_INDENT, NULL, finding->message);
    if (w->options->verbosity >= 0)
        for (size_t e = 0; e < finding->evidence_count; e++)
            print_evidence(w, &finding->evidence[e]);
    for (size_t h = 0; w->options->verbosity >= 0 && h < finding->path_count;
         h++) {
        const nhi_hop *hop = &finding->path[h];
        char *line = nhi_asprintf("%zu. %s -> %s (%s)", h + 1, hop->from,
                                  hop->to, hop->kind);
        if (line)
            print_wrapped(w, DETAIL_INDENT, NULL, line);
        free(line);
        print_evidence(w, &hop->evidence);
    }
    print_wrapped(w, DETAIL_INDENT, "fix: ", nhi_finding_remedy(finding));
}

static void print_summary(writer *w, const nhi_audit *audit)
{
    size_t counts[NHI_SEVERITY_COUNT] = {0};
    size_t ok = 0, failed = 0, skipped = 0;
    const nhi_workspace *workspace = audit->workspace;
    bool first = true;

    for (size_t i = 0; i < audit->findings.count; i++)
        counts[audit->findings.items[i].severity]++;
    for (size_t i = 0; i < workspace->input_count; i++) {
        nhi_input_status status = workspace->inputs[i].status;
        ok += status == NHI_INPUT_OK;
        failed += status == NHI_INPUT_ERROR;
        skipped += status == NHI_INPUT_SKIPPED;
    }
    fprintf(w->out, "%zu finding%s", audit->findings.count,
            audit->findings.count == 1 ? "" : "s");
    for (int s = 0; s < NHI_SEVERITY_COUNT; s++) {
        if (counts[s] == 0)
            continue;
        fprintf(w->out, "%s%zu %s", first ? " (" : ", ", counts[s],
                nhi_severity_name((nhi_severity)s));
        first = false;
    }
    fprintf(w->out, "%s in %zu identities\ninputs: %zu read, %zu failed, "
                    "%zu skipped\n",
            first ? "" : ")", audit->graph->identity_count, ok, failed,
            skipped);
}

static void print_inputs(writer *w, const nhi_audit *audit)
{
    const nhi_workspace *workspace = audit->workspace;

    for (size_t i = 0; i < workspace->input_count; i++) {
        const nhi_input *input = &workspace->inputs[i];
        if (input->status == NHI_INPUT_OK && w->options->verbosity < 1)
            continue;
        fprintf(w->out, "input %s: %s (%s)%s%s\n", input->path,
                nhi_input_status_name(input->status),
                nhi_format_name(input->format), input->error ? ": " : "",
                input->error ? input->error : "");
    }
}

int nhi_report_finding_text(FILE *out, const nhi_audit *audit,
                            const nhi_finding *finding,
                            const nhi_report_options *options)
{
    writer w = {out, options, options->width ? options->width : DEFAULT_WIDTH};

    print_group_heading(&w, audit, finding);
    print_finding(&w, finding);
    fprintf(out, "      fingerprint %s, OWASP %s\n", finding->fingerprint,
            finding->rule->owasp);
    return ferror(out) ? NHI_EIO : NHI_OK;
}

typedef struct ranked {
    size_t rank;  /* order of the group's first (most severe) finding */
    size_t index; /* position in the sorted findings */
} ranked;

static int compare_ranked(const void *left, const void *right)
{
    const ranked *a = left, *b = right;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->index < b->index ? -1 : (a->index > b->index);
}

int nhi_report_text(FILE *out, const nhi_audit *audit,
                    const nhi_report_options *options)
{
    writer w = {out, options, options->width ? options->width : DEFAULT_WIDTH};
    const nhi_findings *findings = &audit->findings;
    ranked *order = calloc(findings->count + 1, sizeof(*order));
    nhi_strmap ranks = {0};
    size_t groups = 0;

    if (order == NULL)
        return NHI_ENOMEM;
    /* Findings are sorted by severity, so the first finding of a group
     * is its most severe: number the groups in that order. */
    for (size_t i = 0; i < findings->count; i++) {
        const char *key = group_key(&findings->items[i]);
        size_t *rank = nhi_strmap_get(&ranks, key, strlen(key));
        order[i].index = i;
        if (rank == NULL) {
            order[i].rank = ++groups;
            if (nhi_strmap_put(&ranks, key, strlen(key),
                               (void *)(uintptr_t)groups) < 0) {
                free(order);
                nhi_strmap_free(&ranks);
                return NHI_ENOMEM;
            }
        } else {
            order[i].rank = (size_t)(uintptr_t)rank;
        }
    }
    qsort(order, findings->count, sizeof(*order), compare_ranked);

    print_summary(&w, audit);
    print_inputs(&w, audit);
    for (size_t i = 0; options->verbosity >= 0 && i < findings->count; i++) {
        const nhi_finding *finding = &findings->items[order[i].index];
        if (i == 0 || order[i].rank != order[i - 1].rank)
            print_group_heading(&w, audit, finding);
        print_finding(&w, finding);
    }
    nhi_strmap_free(&ranks);
    free(order);
    return ferror(out) ? NHI_EIO : NHI_OK;
}
