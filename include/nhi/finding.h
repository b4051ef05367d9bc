/* SPDX-License-Identifier: MIT */
/* Findings: one rule broken by one identity, with evidence and the fix. */
#ifndef NHI_FINDING_H
#define NHI_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/common.h"
#include "nhi/decl.h"
#include "nhi/graph.h"
#include "nhi/rules.h"

/* Where the finding comes from in an input. Strings are owned. */
typedef struct nhi_evidence {
    const char *source; /* input path (borrowed from the graph or decl) */
    unsigned line;      /* 0 when unknown */
    unsigned column;
    char *location;     /* JSON path, or NULL */
    char *policy;       /* policy name (and how attached), or NULL */
    char *statement;    /* Sid or Statement[i], or NULL */
    char *detail;       /* what this piece of evidence shows */
} nhi_evidence;

/* One hop of an edge chain: `from` can become (or act as) `to`. */
typedef struct nhi_hop {
    char *from;        /* identity ids */
    char *to;
    char *kind;        /* assume-role, pass-role, create-access-key, ... */
    nhi_evidence evidence;
} nhi_hop;

typedef struct nhi_finding {
    const nhi_rule_info *rule;
    nhi_severity severity;
    const nhi_identity *identity; /* NULL when the finding has none */
    const struct nhi_consumer *consumer; /* a CI job or workload, or NULL */
    const nhi_decl *decl;         /* NULL when no declaration applies */
    char *subject;                /* what the finding is about, for the
                                     fingerprint: an action, a service */
    char *message;
    nhi_evidence *evidence;
    size_t evidence_count;
    size_t evidence_capacity;
    char fingerprint[33];         /* 32 hex digits */
    nhi_hop *path;                /* edge chains only, else NULL */
    size_t path_count;
    char *remedy;                 /* a fix for this finding's provider, in
                                     place of the rule's; NULL: the rule's */
} nhi_finding;

typedef struct nhi_findings {
    nhi_finding *items;
    size_t count;
    size_t capacity;
    /* Fingerprints are left to nhi_findings_take: set for lists that
     * worker threads fill, because the hashing context is shared. */
    bool deferred_fingerprints;
} nhi_findings;

void nhi_findings_init(nhi_findings *findings);
void nhi_findings_free(nhi_findings *findings);

/*
 * Move every finding of `from` to the end of `into`, in order, and leave
 * `from` empty. Fingerprints deferred in `from` are computed here.
 * Returns NHI_OK, or NHI_ENOMEM with both lists unchanged.
 */
int nhi_findings_take(nhi_findings *into, nhi_findings *from);

/*
 * Add a finding. `subject` may be NULL; the message is a printf format.
 * Returns the new finding (owned by the list) or NULL when memory ran
 * out. The fingerprint is computed here, from the rule id, the identity
 * id, the declaration name and the subject, never from file names, lines
 * or order: the first 16 bytes of SHA-256 over those four fields, each
 * followed by a NUL byte, in hex.
 */
nhi_finding *nhi_findings_add(nhi_findings *findings, const nhi_rule_info *rule,
                              nhi_severity severity,
                              const nhi_identity *identity,
                              const nhi_decl *decl, const char *subject,
                              const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * Add a finding about a consumer (a CI job, a workload), with the identity
 * it uses when known. The fingerprint takes the consumer id in place of
 * the identity id.
 */
nhi_finding *nhi_findings_add_consumer(nhi_findings *findings,
                                       const nhi_rule_info *rule,
                                       nhi_severity severity,
                                       const struct nhi_consumer *consumer,
                                       const nhi_identity *identity,
                                       const nhi_decl *decl,
                                       const char *subject, const char *fmt,
                                       ...)
    __attribute__((format(printf, 8, 9)));

/* Append evidence; the strings are copied (any may be NULL). */
nhi_evidence *nhi_finding_add_evidence(nhi_finding *finding,
                                       const char *source, unsigned line,
                                       unsigned column, const char *location,
                                       const char *policy,
                                       const char *statement,
                                       const char *detail);

/* Append a hop to the finding's path; strings are copied. */
nhi_hop *nhi_finding_add_hop(nhi_finding *finding, const char *from,
                             const char *to, const char *kind,
                             const char *source, unsigned line,
                             unsigned column, const char *location,
                             const char *policy, const char *statement,
                             const char *detail);

/*
 * Sort most severe first; within a severity, by the identity's blast
 * radius (`blast_radius` by identity index, may be NULL), largest first;
 * then by identity id, rule, declaration and subject.
 */
void nhi_findings_sort(nhi_findings *findings, const size_t *blast_radius);

/* Set the finding's own remedy (copied), for a provider whose mechanism
 * the rule's remedy does not name. Returns false when memory ran out. */
bool nhi_finding_set_remedy(nhi_finding *finding, const char *remedy);

/* The remedy to print: the finding's own, else its rule's. */
const char *nhi_finding_remedy(const nhi_finding *finding);

/* One severity level lower (info stays info). */
nhi_severity nhi_severity_lower(nhi_severity severity);

#endif
