/* SPDX-License-Identifier: MIT */
/* The audit pipeline: read exports, finish the graph, evaluate rules. */
#include "nhi/audit.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "nhi/aws.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"
#include "strmap.h"
#include "util.h"

static const char *const stage_names[NHI_STAGE_COUNT] = {
    "read", "graph", "rules", "paths", "report"};

const char *nhi_stage_name(nhi_stage stage)
{
    return (unsigned)stage < NHI_STAGE_COUNT ? stage_names[stage] : "unknown";
}

const char *nhi_capability_name(unsigned bit)
{
    static const char *const names[NHI_CAPABILITY_COUNT] = {
        "admin", "iam", "sts", "kms", "secretsmanager", "organizations",
        "kubernetes-admin"};

    return bit < NHI_CAPABILITY_COUNT ? names[bit] : "unknown";
}

bool nhi_environment_is_production(const char *environment)
{
    return environment && (strcasecmp(environment, "production") == 0 ||
                           strcasecmp(environment, "prod") == 0);
}

nhi_severity nhi_audit_severity(const nhi_audit *audit,
                                const nhi_rule_info *rule)
{
    return nhi_config_severity(&audit->workspace->config, rule->id,
                               rule->severity);
}

/*
 * Return what the audit goes on with after a stage: out of memory ends
 * it. Any other failure (a limit reached) is reported as an error, so
 * that the report is not taken for complete, and the audit goes on with
 * what the stage found.
 */
static int stage_result(nhi_diags *diags, nhi_stage stage, int result)
{
    if (result >= 0 || result == NHI_ENOMEM)
        return result;
    nhi_error_set_hint(
        nhi_diags_add(diags, NHI_LEVEL_ERROR, result, NULL, 0, 0,
                      "the %s stage stopped early (error %d): its findings "
                      "are incomplete",
                      nhi_stage_name(stage), result),
        "report this input to the nhi maintainers; the other stages ran");
    return NHI_OK;
}

double nhi_clock(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

void nhi_audit_stage_done(nhi_audit *audit, nhi_stage stage, double start)
{
    struct rusage usage;

    audit->stage_seconds[stage] = nhi_clock() - start;
    if (getrusage(RUSAGE_SELF, &usage) == 0)
        audit->stage_peak_kib[stage] = (size_t)usage.ru_maxrss;
}

typedef int (*export_reader)(nhi_graph *graph, const char *path,
                             nhi_diags *diags);

/*
 * Readers in the order they run: identities and policies first, so that
 * credential reports and key lists join the identities they name.
 */
static const struct {
    nhi_format format;
    export_reader read;
} readers[] = {
    {NHI_FORMAT_AWS_AUTHZ, nhi_aws_read_authz},
    {NHI_FORMAT_AWS_CREDENTIAL_REPORT, nhi_aws_read_credential_report},
    {NHI_FORMAT_AWS_ACCESS_KEYS, nhi_aws_read_access_keys},
    {NHI_FORMAT_KUBERNETES, nhi_k8s_read},
    {NHI_FORMAT_EKS, nhi_eks_read},
    {NHI_FORMAT_GITHUB_WORKFLOW, nhi_github_read},
    {NHI_FORMAT_GITLAB_CI, nhi_gitlab_read},
};

/* Is `path` the file or folder `entry` (relative to `root`) or inside
 * it? Both sides are resolved, so `./a/../b` and symbolic links agree. */
static bool path_within(const char *path, const char *root, const char *entry)
{
    char *joined = entry[0] == '/' ? nhi_asprintf("%s", entry)
                                   : nhi_asprintf("%s/%s", root, entry);
    char *real_entry = joined ? realpath(joined, NULL) : NULL;
    char *real_path = realpath(path, NULL);
    bool within = false;

    if (real_entry && real_path) {
        size_t n = strlen(real_entry);
        within = strncmp(real_path, real_entry, n) == 0 &&
                 (real_path[n] == '\0' || real_path[n] == '/');
    }
    free(joined);
    free(real_entry);
    free(real_path);
    return within;
}

/* Tell the readers which cluster and repository an input belongs to,
 * from the workspace config's `clusters` and `repositories`. */
static void set_reading_context(nhi_graph *graph, const nhi_config *config,
                                const char *path)
{
    const char *root = config->root ? config->root : ".";

    graph->reading_cluster = NULL;
    graph->reading_repository = NULL;
    for (size_t c = 0; c < config->cluster_count; c++)
        for (size_t i = 0; i < config->clusters[c].input_count; i++)
            if (!graph->reading_cluster &&
                path_within(path, root, config->clusters[c].inputs[i]))
                graph->reading_cluster =
                    nhi_graph_intern(graph, config->clusters[c].name);
    for (size_t r = 0; r < config->repository_count; r++)
        if (!graph->reading_repository &&
            path_within(path, root, config->repositories[r].folder))
            graph->reading_repository =
                nhi_graph_intern(graph, config->repositories[r].repository);
}

static int read_exports(nhi_audit *audit, nhi_diags *diags)
{
    nhi_workspace *workspace = audit->workspace;

    for (size_t r = 0; r < sizeof(readers) / sizeof(readers[0]); r++) {
        for (size_t i = 0; i < workspace->input_count; i++) {
            nhi_input *input = &workspace->inputs[i];
            size_t from = diags->count, errors = diags->errors;
            int result;

            if (input->status != NHI_INPUT_OK ||
                input->format != readers[r].format)
                continue;
            set_reading_context(audit->graph, &workspace->config,
                                input->path);
            result = readers[r].read(audit->graph, input->path, diags);
            if (result == NHI_ENOMEM)
                return result;
            if (diags->errors > errors)
                nhi_input_fail(input, diags, from);
        }
    }
    return NHI_OK;
}

static nhi_error *warn_missing(nhi_diags *diags, const nhi_location *where,
                               const char *arn, const char *holder)
{
    nhi_error *error = nhi_diags_add(
        diags, NHI_LEVEL_WARNING, NHI_EINPUT, where->source, where->line,
        where->column,
        "managed policy %s attached to %s is not in the export; its "
        "grants are not counted",
        arn, holder);

    nhi_error_set_location(error, "%s",
                           where->json_path ? where->json_path : "");
    nhi_error_set_hint(error, "export the whole account with 'aws iam "
                              "get-account-authorization-details', which "
                              "lists every attached policy");
    return error;
}

/*
 * Warn once per policy ARN that is attached but absent: whatever it
 * grants is missing from every judgement of its holders.
 */
static int warn_missing_policies(const nhi_graph *graph, nhi_diags *diags)
{
    nhi_strmap seen = {0};
    int result = NHI_OK;

    for (size_t g = 0; g < graph->group_count && result >= 0; g++) {
        const nhi_group *group = graph->groups[g];
        for (size_t m = 0; m < group->missing_count && result >= 0; m++) {
            const char *arn = group->missing_policies[m];
            if (nhi_strmap_get(&seen, arn, strlen(arn)))
                continue;
            result = nhi_strmap_put(&seen, arn, strlen(arn), (void *)arn);
            warn_missing(diags, &group->location, arn, group->arn);
        }
    }
    for (size_t i = 0; i < graph->identity_count && result >= 0; i++) {
        const nhi_identity *identity = graph->identities[i];
        for (size_t m = 0; m < identity->missing_count && result >= 0; m++) {
            const char *arn = identity->missing_policies[m];
            if (nhi_strmap_get(&seen, arn, strlen(arn)))
                continue;
            result = nhi_strmap_put(&seen, arn, strlen(arn), (void *)arn);
            warn_missing(diags, &identity->location, arn, identity->id);
        }
    }
    nhi_strmap_free(&seen);
    return result;
}

int nhi_audit_run(nhi_audit *audit, nhi_workspace *workspace, nhi_time now,
                  const nhi_review *reviews, size_t review_count,
                  nhi_diags *diags)
{
    size_t errors = diags->errors;
    double start;
    int result;

    memset(audit, 0, sizeof(*audit));
    audit->workspace = workspace;
    audit->now = now;
    audit->reviews = reviews;
    audit->review_count = review_count;
    nhi_findings_init(&audit->findings);
    result = nhi_graph_new(&audit->graph);
    if (result < 0)
        return result;

    start = nhi_clock();
    result = read_exports(audit, diags);
    nhi_audit_stage_done(audit, NHI_STAGE_READ, start);
    if (result < 0)
        return result;

    start = nhi_clock();
    result = warn_missing_policies(audit->graph, diags);
    if (result >= 0)
        result = nhi_audit_link(audit);
    if (result >= 0)
        result = nhi_audit_classify(audit->graph);
    if (result >= 0)
        result = nhi_audit_bind(audit, diags);
    nhi_audit_stage_done(audit, NHI_STAGE_GRAPH, start);
    if (result < 0)
        return result;

    start = nhi_clock();
    /* Admin results are shared by the scope and path rules. */
    audit->admin = malloc(audit->graph->identity_count + 1);
    if (audit->admin == NULL)
        return NHI_ENOMEM;
    memset(audit->admin, -1, audit->graph->identity_count + 1);
    result = nhi_rules_scope(audit);
    if (result >= 0)
        result = nhi_rules_life(audit);
    if (result >= 0)
        result = nhi_rules_cred(audit);
    if (result >= 0)
        result = nhi_rules_trust(audit);
    if (result >= 0)
        result = nhi_rules_k8s(audit);
    nhi_audit_stage_done(audit, NHI_STAGE_RULES, start);
    result = stage_result(diags, NHI_STAGE_RULES, result);
    if (result < 0)
        return result;

    /* Edges, reachability and the rules that follow paths. */
    start = nhi_clock();
    if (result >= 0)
        result = nhi_rules_escalation(audit);
    /* Sharing is judged with the blast radius the paths give. */
    if (result >= 0)
        result = nhi_rules_ci(audit);
    if (result >= 0)
        nhi_findings_sort(&audit->findings, audit->blast_radius);
    nhi_audit_stage_done(audit, NHI_STAGE_PATHS, start);
    result = stage_result(diags, NHI_STAGE_PATHS, result);
    if (result < 0)
        return result;
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}

void nhi_audit_free(nhi_audit *audit)
{
    if (audit == NULL)
        return;
    nhi_findings_free(&audit->findings);
    if (audit->bound && audit->workspace) {
        for (size_t d = 0; d < audit->workspace->decls.count; d++)
            free(audit->bound[d].items);
    }
    free(audit->bound);
    free(audit->steps);
    free(audit->admin);
    free(audit->blast_radius);
    free(audit->blast_capabilities);
    free(audit->pattern_nodes);
    free(audit->other_nodes);
    nhi_graph_free(audit->graph);
    memset(audit, 0, sizeof(*audit));
}
