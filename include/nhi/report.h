/* SPDX-License-Identifier: MIT */
/* Audit reports: text for people, JSON for machines (docs/json-schema.md). */
#ifndef NHI_REPORT_H
#define NHI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "nhi/audit.h"

/* The version of the JSON report's schema; changes are listed in docs. */
#define NHI_REPORT_SCHEMA_VERSION "1.1"

typedef struct nhi_report_options {
    bool color;     /* ANSI colour for severities */
    int verbosity;  /* -1 quiet: summary line only; 1: every input */
    unsigned width; /* wrap text at this column, 80 by default */
} nhi_report_options;

/* Write the text report. Returns NHI_OK or NHI_EIO (stream error). */
int nhi_report_text(FILE *out, const nhi_audit *audit,
                    const nhi_report_options *options);

/* Write one finding as the text report does, under its identity. */
int nhi_report_finding_text(FILE *out, const nhi_audit *audit,
                            const nhi_finding *finding,
                            const nhi_report_options *options);

/* Write the JSON report. Returns NHI_OK, NHI_EIO or NHI_ENOMEM. */
int nhi_report_json(FILE *out, const nhi_audit *audit);

#endif
