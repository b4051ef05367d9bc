/* SPDX-License-Identifier: MIT */
/* The JSON report: one versioned schema, documented in docs/json-schema.md. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/report.h"

#include "nhi/consumer.h"
#include "util.h"

static json_t *string_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

static json_t *inputs_json(const nhi_workspace *workspace)
{
    json_t *inputs = json_array();

    for (size_t i = 0; i < workspace->input_count; i++) {
        const nhi_input *input = &workspace->inputs[i];
        json_t *item = json_object();
        json_object_set_new(item, "path", json_string(input->path));
        json_object_set_new(item, "format",
                            json_string(nhi_format_name(input->format)));
        json_object_set_new(item, "status",
                            json_string(nhi_input_status_name(input->status)));
        json_object_set_new(item, "error", string_or_null(input->error));
        json_array_append_new(inputs, item);
    }
    return inputs;
}

static const char *decl_name(const nhi_audit *audit, int index)
{
    return index >= 0 ? audit->workspace->decls.items[index].name : NULL;
}

/* Length of the valid UTF-8 sequence at `text`, or 0 when invalid. */
static size_t utf8_length(const unsigned char *text)
{
    unsigned char lead = text[0];

    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return (text[1] & 0xC0) == 0x80 ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
        unsigned char high = lead == 0xED ? 0x9F : 0xBF;
        return text[1] >= low && text[1] <= high && (text[2] & 0xC0) == 0x80
                   ? 3
                   : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
        unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
        return text[1] >= low && text[1] <= high &&
                       (text[2] & 0xC0) == 0x80 && (text[3] & 0xC0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/*
 * Write a JSON string, or null, escaped as RFC 8259 requires. A byte that
 * is not UTF-8 (a CSV input is not checked for it) becomes U+FFFD, so the
 * report stays valid JSON.
 */
static void write_string(nhi_buf *out, const char *text)
{
    const unsigned char *c = (const unsigned char *)text;

    if (text == NULL) {
        nhi_buf_puts(out, "null");
        return;
    }
    nhi_buf_append(out, "\"", 1);
    while (*c) {
        const unsigned char *run = c;
        size_t length;

        /* Copy the longest run that needs no escape in one write. */
        while (*c && *c != '"' && *c != '\\' && *c >= 0x20 &&
               (length = utf8_length(c)) > 0)
            c += length;
        if (c > run)
            nhi_buf_append(out, (const char *)run, (size_t)(c - run));
        if (*c == '\0')
            break;
        if (*c == '"' || *c == '\\')
            nhi_buf_printf(out, "\\%c", *c);
        else if (*c < 0x20)
            nhi_buf_printf(out, "\\u%04x", *c);
        else
            nhi_buf_puts(out, "\\ufffd");
        c++;
    }
    nhi_buf_append(out, "\"", 1);
}

static void write_key(nhi_buf *out, const char *key, const char *value,
                      bool first)
{
    /* Plain puts: a big report writes millions of keys. */
    if (!first)
        nhi_buf_puts(out, ", ");
    nhi_buf_append(out, "\"", 1);
    nhi_buf_puts(out, key);
    nhi_buf_puts(out, "\": ");
    write_string(out, value);
}

static void write_identity(nhi_buf *out, const nhi_audit *audit,
                           const nhi_identity *identity)
{
    nhi_buf_append(out, "{", 1);
    write_key(out, "id", identity->id, true);
    write_key(out, "provider", nhi_provider_name(identity->provider), false);
    write_key(out, "kind", nhi_identity_kind_name(identity->kind), false);
    write_key(out, "class", nhi_identity_class_name(identity->class_), false);
    write_key(out, "environment", identity->environment, false);
    write_key(out, "declaration", decl_name(audit, identity->declaration),
              false);
    write_key(out, "name", identity->name, false);
    write_key(out, "account", identity->account, false);
    if (audit->blast_radius) {
        unsigned mask = audit->blast_capabilities[identity->index];
        bool first = true;
        nhi_buf_printf(out, ", \"blast_radius\": %zu, "
                            "\"reachable_capabilities\": [",
                       audit->blast_radius[identity->index]);
        for (unsigned bit = 0; bit < NHI_CAPABILITY_COUNT; bit++) {
            if (!(mask & (1u << bit)))
                continue;
            nhi_buf_printf(out, "%s\"%s\"", first ? "" : ", ",
                           nhi_capability_name(bit));
            first = false;
        }
        nhi_buf_puts(out, "]");
    } else {
        nhi_buf_puts(out, ", \"blast_radius\": null, "
                          "\"reachable_capabilities\": null");
    }
    nhi_buf_append(out, "}", 1);
}

static void write_location(nhi_buf *out, const nhi_location *location)
{
    nhi_buf_puts(out, ", \"location\": {");
    write_key(out, "source", location->source, true);
    nhi_buf_printf(out, ", \"line\": %u, \"column\": %u", location->line,
                   location->column);
    write_key(out, "path", location->json_path, false);
    nhi_buf_append(out, "}", 1);
}

static void write_consumer(nhi_buf *out, const nhi_consumer *consumer)
{
    nhi_buf_append(out, "{", 1);
    write_key(out, "id", consumer->id, true);
    write_key(out, "kind", nhi_consumer_kind_name(consumer->kind), false);
    write_key(out, "repository", consumer->repository, false);
    write_key(out, "environment", consumer->environment, false);
    write_key(out, "deployment", consumer->deployment, false);
    nhi_buf_printf(out, ", \"id_token\": %s, \"untrusted_trigger\": %s",
                   consumer->id_token ? "true" : "false",
                   consumer->untrusted_trigger ? "true" : "false");
    write_key(out, "service_account", consumer->service_account, false);
    nhi_buf_puts(out, ", \"logins\": [");
    for (size_t i = 0; i < consumer->login_count; i++) {
        const nhi_login *login = &consumer->logins[i];
        nhi_buf_puts(out, i ? ", {" : "{");
        write_key(out, "kind", nhi_login_kind_name(login->kind), true);
        write_key(out, "target", login->target, false);
        write_key(out, "secret", login->secret, false);
        write_key(out, "key_id", login->key_id, false);
        write_location(out, &login->location);
        nhi_buf_append(out, "}", 1);
    }
    nhi_buf_append(out, "]", 1);
    write_location(out, &consumer->location);
    nhi_buf_append(out, "}", 1);
}

static const char *node_id(const nhi_graph *graph, nhi_node_kind kind,
                           size_t index, const char *label)
{
    switch (kind) {
    case NHI_NODE_IDENTITY:
        return graph->identities[index]->id;
    case NHI_NODE_CONSUMER:
        return graph->consumers[index]->id;
    case NHI_NODE_K8S_SUBJECT:
        return label;
    }
    return NULL;
}

static const char *node_kind_name(nhi_node_kind kind)
{
    switch (kind) {
    case NHI_NODE_IDENTITY:
        return "identity";
    case NHI_NODE_CONSUMER:
        return "consumer";
    case NHI_NODE_K8S_SUBJECT:
        return "kubernetes-subject";
    }
    return "unknown";
}

static void write_edge(nhi_buf *out, const nhi_graph *graph,
                       const nhi_edge *edge)
{
    nhi_buf_append(out, "{", 1);
    write_key(out, "kind", edge->kind, true);
    write_key(out, "from", node_id(graph, edge->from_kind, edge->from, NULL),
              false);
    write_key(out, "from_type", node_kind_name(edge->from_kind), false);
    write_key(out, "to", node_id(graph, edge->to_kind, edge->to, edge->to_label),
              false);
    write_key(out, "to_type", node_kind_name(edge->to_kind), false);
    nhi_buf_printf(out,
                   ", \"valid\": %s, \"possible\": %s, \"inferred\": %s",
                   edge->valid ? "true" : "false",
                   edge->possible ? "true" : "false",
                   edge->inferred ? "true" : "false");
    write_key(out, "detail", edge->detail, false);
    write_location(out, &edge->location);
    nhi_buf_append(out, "}", 1);
}

static void write_evidence(nhi_buf *out, const nhi_evidence *evidence)
{
    char position[32];

    snprintf(position, sizeof(position), "%u:%u", evidence->line,
             evidence->column);
    nhi_buf_append(out, "{", 1);
    write_key(out, "source", evidence->source, true);
    write_key(out, "location",
              evidence->location ? evidence->location
              : evidence->line   ? position
                                 : NULL,
              false);
    if (evidence->line)
        nhi_buf_printf(out, ", \"line\": %u, \"column\": %u", evidence->line,
                evidence->column);
    else
        nhi_buf_puts(out, ", \"line\": null, \"column\": null");
    write_key(out, "policy", evidence->policy, false);
    write_key(out, "statement", evidence->statement, false);
    write_key(out, "detail", evidence->detail, false);
    nhi_buf_append(out, "}", 1);
}

static void write_owasp(nhi_buf *out, const char *items)
{
    const char *start = items;

    nhi_buf_append(out, "[", 1);
    while (start && *start) {
        const char *comma = strchr(start, ',');
        size_t length = comma ? (size_t)(comma - start) : strlen(start);
        nhi_buf_printf(out, "%s\"%.*s\"", start == items ? "" : ", ", (int)length,
                start);
        start = comma ? comma + 1 : NULL;
    }
    nhi_buf_append(out, "]", 1);
}

static void write_finding(nhi_buf *out, const nhi_finding *finding)
{
    nhi_buf_append(out, "{", 1);
    write_key(out, "fingerprint", finding->fingerprint, true);
    write_key(out, "rule", finding->rule->id, false);
    write_key(out, "severity", nhi_severity_name(finding->severity), false);
    write_key(out, "identity", finding->identity ? finding->identity->id : NULL,
              false);
    write_key(out, "consumer", finding->consumer ? finding->consumer->id : NULL,
              false);
    write_key(out, "declaration", finding->decl ? finding->decl->name : NULL,
              false);
    write_key(out, "subject", finding->subject, false);
    write_key(out, "message", finding->message, false);
    nhi_buf_puts(out, ", \"evidence\": [");
    for (size_t e = 0; e < finding->evidence_count; e++) {
        if (e)
            nhi_buf_puts(out, ", ");
        write_evidence(out, &finding->evidence[e]);
    }
    nhi_buf_puts(out, "], \"path\": ");
    if (finding->path_count == 0)
        nhi_buf_puts(out, "null");
    for (size_t h = 0; h < finding->path_count; h++) {
        const nhi_hop *hop = &finding->path[h];
        nhi_buf_puts(out, h ? ", {" : "[{");
        write_key(out, "from", hop->from, true);
        write_key(out, "to", hop->to, false);
        write_key(out, "kind", hop->kind, false);
        nhi_buf_puts(out, ", \"evidence\": [");
        write_evidence(out, &hop->evidence);
        nhi_buf_puts(out, "]}");
    }
    if (finding->path_count)
        nhi_buf_append(out, "]", 1);
    nhi_buf_puts(out, ", \"owasp\": ");
    write_owasp(out, finding->rule->owasp);
    write_key(out, "remedy", nhi_finding_remedy(finding), false);
    nhi_buf_append(out, "}", 1);
}

static json_t *summary_json(const nhi_audit *audit)
{
    json_t *summary = json_object(), *by_severity = json_object();
    json_t *by_rule = json_object();

    for (int s = 0; s < NHI_SEVERITY_COUNT; s++)
        json_object_set_new(by_severity, nhi_severity_name((nhi_severity)s),
                            json_integer(0));
    for (size_t i = 0; i < audit->findings.count; i++) {
        const nhi_finding *finding = &audit->findings.items[i];
        const char *severity = nhi_severity_name(finding->severity);
        json_t *count = json_object_get(by_rule, finding->rule->id);
        json_object_set_new(by_severity, severity,
                            json_integer(json_integer_value(json_object_get(
                                             by_severity, severity)) +
                                         1));
        json_object_set_new(by_rule, finding->rule->id,
                            json_integer(count ? json_integer_value(count) + 1
                                               : 1));
    }
    json_object_set_new(summary, "total",
                        json_integer((json_int_t)audit->findings.count));
    json_object_set_new(summary, "identities",
                        json_integer((json_int_t)audit->graph->identity_count));
    json_object_set_new(summary, "by_severity", by_severity);
    json_object_set_new(summary, "by_rule", by_rule);
    json_object_set_new(summary, "blast_radius_bounded",
                        json_boolean(audit->blast_bounded));
    return summary;
}

/* Write `"key": value` (value stolen), indented, with JSON_INDENT(2);
 * every member but the last is followed by a comma. */
static int write_member(FILE *out, const char *key, json_t *value, bool last)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_ENCODE_ANY)
                       : NULL;
    int result = NHI_OK;

    json_decref(value);
    if (text == NULL)
        return NHI_ENOMEM;
    fprintf(out, "  \"%s\": ", key);
    for (const char *c = text; *c; c++) {
        fputc(*c, out);
        if (*c == '\n')
            fputs("  ", out);
    }
    if (fputs(last ? "\n" : ",\n", out) == EOF)
        result = NHI_EIO;
    free(text);
    return result;
}

/*
 * The report is written piece by piece, one identity or finding per line,
 * straight to the stream: no JSON tree of a large audit is ever built.
 */
static int flush_line(FILE *out, const nhi_buf *line)
{
    if (line->failed)
        return NHI_ENOMEM;
    return fwrite(line->data, 1, line->length, out) == line->length ? NHI_OK
                                                                    : NHI_EIO;
}

int nhi_report_json(FILE *out, const nhi_audit *audit)
{
    char generated[32];
    nhi_buf line = {0};
    int result;

    nhi_time_format(audit->now, generated, sizeof(generated));
    fputs("{\n", out);
    result = write_member(out, "schema_version",
                          json_string(NHI_REPORT_SCHEMA_VERSION), false);
    if (result == NHI_OK)
        result = write_member(out, "generated_at", json_string(generated),
                              false);
    if (result == NHI_OK)
        result = write_member(out, "inputs", inputs_json(audit->workspace),
                              false);

    /* Each item is formatted into one buffer and written at once. */
    fputs("  \"identities\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->graph->identity_count;
         i++) {
        line.length = 0;
        nhi_buf_puts(&line, i ? ",\n    " : "\n    ");
        write_identity(&line, audit, audit->graph->identities[i]);
        result = flush_line(out, &line);
    }
    fputs(audit->graph->identity_count ? "\n  ],\n" : "],\n", out);

    fputs("  \"consumers\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->graph->consumer_count;
         i++) {
        line.length = 0;
        nhi_buf_puts(&line, i ? ",\n    " : "\n    ");
        write_consumer(&line, audit->graph->consumers[i]);
        result = flush_line(out, &line);
    }
    fputs(audit->graph->consumer_count ? "\n  ],\n" : "],\n", out);

    fputs("  \"edges\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->graph->edge_count; i++) {
        line.length = 0;
        nhi_buf_puts(&line, i ? ",\n    " : "\n    ");
        write_edge(&line, audit->graph, &audit->graph->edges[i]);
        result = flush_line(out, &line);
    }
    fputs(audit->graph->edge_count ? "\n  ],\n" : "],\n", out);

    fputs("  \"findings\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->findings.count; i++) {
        line.length = 0;
        nhi_buf_puts(&line, i ? ",\n    " : "\n    ");
        write_finding(&line, &audit->findings.items[i]);
        result = flush_line(out, &line);
    }
    nhi_buf_free(&line);
    fputs(audit->findings.count ? "\n  ],\n" : "],\n", out);

    if (result == NHI_OK)
        result = write_member(out, "summary", summary_json(audit), true);
    fputs("}\n", out);
    if (result == NHI_OK && ferror(out))
        result = NHI_EIO;
    return result;
}
