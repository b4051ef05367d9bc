/* SPDX-License-Identifier: MIT */
/* The JSON report: one versioned schema, documented in docs/json-schema.md. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/report.h"
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

static json_t *identity_json(const nhi_audit *audit,
                             const nhi_identity *identity)
{
    json_t *item = json_object();

    json_object_set_new(item, "id", json_string(identity->id));
    json_object_set_new(item, "provider",
                        json_string(nhi_provider_name(identity->provider)));
    json_object_set_new(item, "kind",
                        json_string(nhi_identity_kind_name(identity->kind)));
    json_object_set_new(item, "class",
                        json_string(nhi_identity_class_name(identity->class_)));
    json_object_set_new(item, "environment",
                        string_or_null(identity->environment));
    json_object_set_new(item, "declaration",
                        string_or_null(decl_name(audit, identity->declaration)));
    json_object_set_new(item, "name", string_or_null(identity->name));
    json_object_set_new(item, "account", string_or_null(identity->account));
    return item;
}

static json_t *evidence_json(const nhi_evidence *evidence)
{
    json_t *item = json_object();
    char position[32];

    json_object_set_new(item, "source", string_or_null(evidence->source));
    if (evidence->location) {
        json_object_set_new(item, "location", json_string(evidence->location));
    } else if (evidence->line) {
        snprintf(position, sizeof(position), "%u:%u", evidence->line,
                 evidence->column);
        json_object_set_new(item, "location", json_string(position));
    } else {
        json_object_set_new(item, "location", json_null());
    }
    json_object_set_new(item, "line", evidence->line
                                          ? json_integer(evidence->line)
                                          : json_null());
    json_object_set_new(item, "column", evidence->line
                                            ? json_integer(evidence->column)
                                            : json_null());
    json_object_set_new(item, "policy", string_or_null(evidence->policy));
    json_object_set_new(item, "statement", string_or_null(evidence->statement));
    json_object_set_new(item, "detail", string_or_null(evidence->detail));
    return item;
}

static json_t *owasp_json(const char *items)
{
    json_t *list = json_array();
    const char *start = items;

    while (start && *start) {
        const char *comma = strchr(start, ',');
        size_t length = comma ? (size_t)(comma - start) : strlen(start);
        json_array_append_new(list, json_stringn(start, length));
        start = comma ? comma + 1 : NULL;
    }
    return list;
}

static json_t *finding_json(const nhi_finding *finding)
{
    json_t *item = json_object(), *evidence = json_array();

    json_object_set_new(item, "fingerprint", json_string(finding->fingerprint));
    json_object_set_new(item, "rule", json_string(finding->rule->id));
    json_object_set_new(item, "severity",
                        json_string(nhi_severity_name(finding->severity)));
    json_object_set_new(item, "identity",
                        string_or_null(finding->identity ? finding->identity->id
                                                         : NULL));
    json_object_set_new(item, "consumer", json_null());
    json_object_set_new(item, "declaration",
                        string_or_null(finding->decl ? finding->decl->name
                                                     : NULL));
    json_object_set_new(item, "subject", string_or_null(finding->subject));
    json_object_set_new(item, "message", json_string(finding->message));
    for (size_t e = 0; e < finding->evidence_count; e++)
        json_array_append_new(evidence, evidence_json(&finding->evidence[e]));
    json_object_set_new(item, "evidence", evidence);
    json_object_set_new(item, "path", json_null());
    json_object_set_new(item, "owasp", owasp_json(finding->rule->owasp));
    json_object_set_new(item, "remedy", json_string(finding->rule->remedy));
    return item;
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
    return summary;
}

/* Write `value` (stolen) as one compact line of an array. */
static int write_item(FILE *out, json_t *value, bool first)
{
    int result = NHI_OK;

    if (value == NULL)
        return NHI_ENOMEM;
    if (fputs(first ? "\n    " : ",\n    ", out) == EOF ||
        json_dumpf(value, out, JSON_COMPACT) != 0)
        result = NHI_EIO;
    json_decref(value);
    return result;
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
 * so that memory does not grow with a whole JSON tree of a large audit.
 */
int nhi_report_json(FILE *out, const nhi_audit *audit)
{
    char generated[32];
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

    fputs("  \"identities\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->graph->identity_count;
         i++)
        result = write_item(
            out, identity_json(audit, audit->graph->identities[i]), i == 0);
    fputs(audit->graph->identity_count ? "\n  ],\n" : "],\n", out);

    fputs("  \"findings\": [", out);
    for (size_t i = 0; result == NHI_OK && i < audit->findings.count; i++)
        result = write_item(out, finding_json(&audit->findings.items[i]),
                            i == 0);
    fputs(audit->findings.count ? "\n  ],\n" : "],\n", out);

    if (result == NHI_OK)
        result = write_member(out, "summary", summary_json(audit), true);
    fputs("}\n", out);
    if (result == NHI_OK && ferror(out))
        result = NHI_EIO;
    return result;
}
