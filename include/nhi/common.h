/* SPDX-License-Identifier: MIT */
/* Names shared by every part of libnhi: providers and severities. */
#ifndef NHI_COMMON_H
#define NHI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

typedef enum nhi_provider {
    NHI_PROVIDER_AWS,
    NHI_PROVIDER_GCP,
    NHI_PROVIDER_AZURE,
    NHI_PROVIDER_KUBERNETES,
    NHI_PROVIDER_COUNT
} nhi_provider;

/* `aws`, `gcp`, `azure`, `kubernetes`: the names used in YAML and JSON. */
const char *nhi_provider_name(nhi_provider provider);
/* Returns the provider of `name`, or -1. */
int nhi_provider_from_name(const char *name);

/* Most severe first, so that sorting by value sorts by urgency. */
typedef enum nhi_severity {
    NHI_SEVERITY_CRITICAL,
    NHI_SEVERITY_HIGH,
    NHI_SEVERITY_MEDIUM,
    NHI_SEVERITY_LOW,
    NHI_SEVERITY_INFO,
    NHI_SEVERITY_COUNT
} nhi_severity;

const char *nhi_severity_name(nhi_severity severity);
/* Returns the severity called `name`, or -1. */
int nhi_severity_from_name(const char *name);

/* Seconds since the Unix epoch, UTC. */
typedef int64_t nhi_time;
#define NHI_TIME_UNKNOWN INT64_MIN
#define NHI_DAY 86400

/*
 * Parse an RFC 3339 date (`2026-12-01`, midnight UTC) or date-time
 * (`2026-12-01T00:00:00Z`, optional fraction, `Z` or `+hh:mm`). Returns
 * true and stores the time, or false when `text` is not one.
 */
bool nhi_time_parse(const char *text, nhi_time *out);
/* Format as `2026-12-01T00:00:00Z` into a buffer of at least 21 bytes. */
void nhi_time_format(nhi_time time, char *buffer, unsigned size);

#endif
