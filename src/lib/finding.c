/* SPDX-License-Identifier: MIT */
/* Findings, their evidence and their stable fingerprints. */
#include "nhi/finding.h"

#include "nhi/consumer.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void nhi_findings_init(nhi_findings *findings)
{
    memset(findings, 0, sizeof(*findings));
}

static void evidence_free(nhi_evidence *evidence)
{
    free(evidence->location);
    free(evidence->policy);
    free(evidence->statement);
    free(evidence->detail);
}

static void finding_free(nhi_finding *finding)
{
    for (size_t i = 0; i < finding->path_count; i++) {
        free(finding->path[i].from);
        free(finding->path[i].to);
        free(finding->path[i].kind);
        evidence_free(&finding->path[i].evidence);
    }
    free(finding->path);
    for (size_t i = 0; i < finding->evidence_count; i++)
        evidence_free(&finding->evidence[i]);
    free(finding->evidence);
    free(finding->remedy);
    free(finding->subject);
    free(finding->message);
}

void nhi_findings_free(nhi_findings *findings)
{
    if (findings == NULL)
        return;
    for (size_t i = 0; i < findings->count; i++)
        finding_free(&findings->items[i]);
    free(findings->items);
    nhi_findings_init(findings);
}

static void fingerprint(nhi_finding *finding)
{
    const char *fields[4] = {
        finding->rule->id,
        finding->consumer   ? finding->consumer->id
        : finding->identity ? finding->identity->id
                            : "",
        finding->decl && finding->decl->name ? finding->decl->name : "",
        finding->subject ? finding->subject : "",
    };
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    /* One context and one fetched digest for every finding: fetching
     * SHA-256 by name costs more than hashing these few bytes. */
    static EVP_MD_CTX *context;
    static EVP_MD *sha256;

    finding->fingerprint[0] = '\0';
    if (context == NULL)
        context = EVP_MD_CTX_new();
    if (sha256 == NULL)
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (context == NULL || sha256 == NULL)
        return;
    if (EVP_DigestInit_ex(context, sha256, NULL) == 1) {
        for (int i = 0; i < 4; i++)
            EVP_DigestUpdate(context, fields[i], strlen(fields[i]) + 1);
        EVP_DigestFinal_ex(context, digest, &digest_length);
    }
    for (unsigned i = 0; i < 16 && i < digest_length; i++)
        snprintf(&finding->fingerprint[2 * i], 3, "%02x", digest[i]);
}

static nhi_finding *add_finding(nhi_findings *findings,
                                const nhi_rule_info *rule,
                                nhi_severity severity,
                                const nhi_consumer *consumer,
                                const nhi_identity *identity,
                                const nhi_decl *decl, const char *subject,
                                const char *fmt, va_list args)
    __attribute__((format(printf, 8, 0)));

static nhi_finding *add_finding(nhi_findings *findings,
                                const nhi_rule_info *rule,
                                nhi_severity severity,
                                const nhi_consumer *consumer,
                                const nhi_identity *identity,
                                const nhi_decl *decl, const char *subject,
                                const char *fmt, va_list args)
{
    nhi_finding *finding;

    if (nhi_grow((void **)&findings->items, &findings->capacity,
                 findings->count + 1, sizeof(*findings->items)) < 0)
        return NULL;
    finding = &findings->items[findings->count];
    memset(finding, 0, sizeof(*finding));
    finding->rule = rule;
    finding->severity = severity;
    finding->identity = identity;
    finding->consumer = consumer;
    finding->decl = decl;
    finding->subject = subject ? strdup(subject) : NULL;
    finding->message = nhi_vasprintf(fmt, args);
    if (finding->message == NULL || (subject && finding->subject == NULL)) {
        finding_free(finding);
        return NULL;
    }
    if (!findings->deferred_fingerprints)
        fingerprint(finding);
    findings->count++;
    return finding;
}

int nhi_findings_take(nhi_findings *into, nhi_findings *from)
{
    if (from->count == 0)
        return NHI_OK;
    if (nhi_grow((void **)&into->items, &into->capacity,
                 into->count + from->count, sizeof(*into->items)) < 0)
        return NHI_ENOMEM;
    for (size_t i = 0; i < from->count; i++) {
        if (from->deferred_fingerprints)
            fingerprint(&from->items[i]);
        into->items[into->count++] = from->items[i];
    }
    free(from->items);
    from->items = NULL;
    from->count = from->capacity = 0;
    return NHI_OK;
}

nhi_finding *nhi_findings_add(nhi_findings *findings, const nhi_rule_info *rule,
                              nhi_severity severity,
                              const nhi_identity *identity,
                              const nhi_decl *decl, const char *subject,
                              const char *fmt, ...)
{
    nhi_finding *finding;
    va_list args;

    va_start(args, fmt);
    finding = add_finding(findings, rule, severity, NULL, identity, decl,
                          subject, fmt, args);
    va_end(args);
    return finding;
}

nhi_finding *nhi_findings_add_consumer(nhi_findings *findings,
                                       const nhi_rule_info *rule,
                                       nhi_severity severity,
                                       const nhi_consumer *consumer,
                                       const nhi_identity *identity,
                                       const nhi_decl *decl,
                                       const char *subject, const char *fmt,
                                       ...)
{
    nhi_finding *finding;
    va_list args;

    va_start(args, fmt);
    finding = add_finding(findings, rule, severity, consumer, identity, decl,
                          subject, fmt, args);
    va_end(args);
    return finding;
}

static char *copy_or_null(const char *text)
{
    return text ? strdup(text) : NULL;
}

nhi_evidence *nhi_finding_add_evidence(nhi_finding *finding,
                                       const char *source, unsigned line,
                                       unsigned column, const char *location,
                                       const char *policy,
                                       const char *statement,
                                       const char *detail)
{
    nhi_evidence *evidence;

    if (nhi_grow((void **)&finding->evidence, &finding->evidence_capacity,
                 finding->evidence_count + 1, sizeof(*finding->evidence)) < 0)
        return NULL;
    evidence = &finding->evidence[finding->evidence_count++];
    memset(evidence, 0, sizeof(*evidence));
    evidence->source = source;
    evidence->line = line;
    evidence->column = column;
    evidence->location = copy_or_null(location);
    evidence->policy = copy_or_null(policy);
    evidence->statement = copy_or_null(statement);
    evidence->detail = copy_or_null(detail);
    return evidence;
}

nhi_hop *nhi_finding_add_hop(nhi_finding *finding, const char *from,
                             const char *to, const char *kind,
                             const char *source, unsigned line,
                             unsigned column, const char *location,
                             const char *policy, const char *statement,
                             const char *detail)
{
    nhi_hop *grown = realloc(finding->path,
                             (finding->path_count + 1) * sizeof(*grown));
    nhi_hop *hop;

    if (grown == NULL)
        return NULL;
    finding->path = grown;
    hop = &finding->path[finding->path_count++];
    memset(hop, 0, sizeof(*hop));
    hop->from = copy_or_null(from);
    hop->to = copy_or_null(to);
    hop->kind = copy_or_null(kind);
    hop->evidence.source = source;
    hop->evidence.line = line;
    hop->evidence.column = column;
    hop->evidence.location = copy_or_null(location);
    hop->evidence.policy = copy_or_null(policy);
    hop->evidence.statement = copy_or_null(statement);
    hop->evidence.detail = copy_or_null(detail);
    return hop;
}

static int compare_text(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (a == NULL)
        return -1;
    if (b == NULL)
        return 1;
    return strcmp(a, b);
}

/* Blast radius by identity index while sorting, or NULL (qsort takes no
 * context argument in C17). */
static const size_t *sort_radius;

static size_t radius_of(const nhi_finding *finding)
{
    return sort_radius && finding->identity
               ? sort_radius[finding->identity->index]
               : 0;
}

static int compare_findings(const void *left, const void *right)
{
    const nhi_finding *a = left, *b = right;
    int order;

    if (a->severity != b->severity)
        return a->severity < b->severity ? -1 : 1;
    /* Within a severity, the identity that can reach more comes first. */
    if (radius_of(a) != radius_of(b))
        return radius_of(a) > radius_of(b) ? -1 : 1;
    order = compare_text(a->identity ? a->identity->id : NULL,
                         b->identity ? b->identity->id : NULL);
    if (order == 0)
        order = compare_text(a->consumer ? a->consumer->id : NULL,
                             b->consumer ? b->consumer->id : NULL);
    if (order == 0)
        order = strcmp(a->rule->id, b->rule->id);
    if (order == 0)
        order = compare_text(a->decl ? a->decl->name : NULL,
                             b->decl ? b->decl->name : NULL);
    if (order == 0)
        order = compare_text(a->subject, b->subject);
    return order;
}

/* What the sort compares first, without following a pointer; the rest
 * of compare_findings settles ties, then the position, so the sort is
 * stable. */
typedef struct sort_key {
    int severity;
    size_t radius;
    size_t identity_rank; /* 0 without an identity, else 1 + rank by id */
    size_t position;
    const nhi_finding *finding;
} sort_key;

static int compare_identities(const void *left, const void *right)
{
    const nhi_identity *a = *(const nhi_identity *const *)left;
    const nhi_identity *b = *(const nhi_identity *const *)right;

    return strcmp(a->id, b->id);
}

static int compare_keys(const void *left, const void *right)
{
    const sort_key *a = left, *b = right;
    int order;

    if (a->severity != b->severity)
        return a->severity < b->severity ? -1 : 1;
    if (a->radius != b->radius)
        return a->radius > b->radius ? -1 : 1;
    if (a->identity_rank != b->identity_rank)
        return a->identity_rank < b->identity_rank ? -1 : 1;
    order = compare_findings(a->finding, b->finding);
    if (order == 0 && a->position != b->position)
        order = a->position < b->position ? -1 : 1;
    return order;
}

/*
 * Rank the identities of the findings by id, so that most comparisons
 * are of integers: `rank` is indexed by identity index. Returns false
 * when memory ran out.
 */
static bool rank_identities(const nhi_findings *findings, size_t **rank)
{
    size_t largest = 0, count = 0;
    const nhi_identity **order;

    *rank = NULL;
    for (size_t i = 0; i < findings->count; i++)
        if (findings->items[i].identity &&
            findings->items[i].identity->index >= largest)
            largest = findings->items[i].identity->index + 1;
    *rank = calloc(largest + 1, sizeof(**rank));
    order = calloc(largest + 1, sizeof(*order));
    if (*rank == NULL || order == NULL) {
        free(*rank);
        free(order);
        *rank = NULL;
        return false;
    }
    for (size_t i = 0; i < findings->count; i++) {
        const nhi_identity *identity = findings->items[i].identity;
        if (identity && (*rank)[identity->index] == 0) {
            (*rank)[identity->index] = 1;
            order[count++] = identity;
        }
    }
    qsort(order, count, sizeof(*order), compare_identities);
    for (size_t r = 0; r < count; r++)
        (*rank)[order[r]->index] = r + 1;
    free(order);
    return true;
}

void nhi_findings_sort(nhi_findings *findings, const size_t *blast_radius)
{
    sort_key *keys;
    nhi_finding *sorted;
    size_t *rank;

    if (findings->count < 2)
        return;
    sort_radius = blast_radius;
    keys = malloc(findings->count * sizeof(*keys));
    sorted = malloc(findings->count * sizeof(*sorted));
    if (keys == NULL || sorted == NULL || !rank_identities(findings, &rank)) {
        /* Short of memory: sort the findings themselves. */
        free(keys);
        free(sorted);
        qsort(findings->items, findings->count, sizeof(*findings->items),
              compare_findings);
        sort_radius = NULL;
        return;
    }
    for (size_t i = 0; i < findings->count; i++) {
        const nhi_finding *finding = &findings->items[i];
        keys[i].severity = (int)finding->severity;
        keys[i].radius = radius_of(finding);
        keys[i].identity_rank =
            finding->identity ? rank[finding->identity->index] : 0;
        keys[i].position = i;
        keys[i].finding = finding;
    }
    qsort(keys, findings->count, sizeof(*keys), compare_keys);
    for (size_t i = 0; i < findings->count; i++)
        sorted[i] = *keys[i].finding;
    free(findings->items);
    findings->items = sorted;
    findings->capacity = findings->count;
    free(keys);
    free(rank);
    sort_radius = NULL;
}

nhi_severity nhi_severity_lower(nhi_severity severity)
{
    return severity >= NHI_SEVERITY_INFO ? NHI_SEVERITY_INFO
                                         : (nhi_severity)(severity + 1);
}

bool nhi_finding_set_remedy(nhi_finding *finding, const char *remedy)
{
    char *copy = strdup(remedy);

    if (copy == NULL)
        return false;
    free(finding->remedy);
    finding->remedy = copy;
    return true;
}

const char *nhi_finding_remedy(const nhi_finding *finding)
{
    return finding->remedy ? finding->remedy : finding->rule->remedy;
}
