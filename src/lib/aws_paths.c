/* SPDX-License-Identifier: MIT */
/*
 * Privilege escalation in AWS. Edges record which identity can become which:
 * assume a role, pass a role to a service, create another user's keys or
 * password, rewrite a trust policy. Self hops mark identities that can make
 * themselves admin by editing their own policies, groups or policy
 * versions. One breadth-first search backwards from the admin identities
 * then gives every identity its shortest chain to an admin.
 *
 * Grants on resource patterns ("*", "arn:aws:iam::*:role/ci-*") are not
 * expanded into one edge per source and target: every distinct pattern
 * becomes a hub node that the sources point to and that points to the
 * targets it matches, so the graph stays linear in the number of grants.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "aws_condition.h"
#include "aws_eval.h"
#include "glob.h"
#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"
#include "strmap.h"
#include "util.h"

/* Marks EC2 pass-role targets that must already have an instance profile. */
#define PROFILE_SUFFIX "#profile"

/* Result of asking whether an identity may do one action. */
typedef enum permission {
    PERMISSION_NO,
    PERMISSION_YES,
    PERMISSION_POSSIBLE /* only under a condition nhi cannot decide */
} permission;

/* Where a permission comes from, for the evidence of a hop. */
typedef struct grant_source {
    const nhi_policy *policy;
    const nhi_statement *statement;
    const char *via_group;
} grant_source;

typedef struct edge {
    size_t from;          /* node index: identities first, then hubs */
    size_t to;
    const char *kind;
    grant_source source;  /* the statement that grants the step */
    const nhi_statement *trust; /* the trust statement, for assume-role */
    const char *detail;   /* interned in the graph */
    bool possible;
} edge;

typedef struct hub {
    const char *kind;
    const char *pattern;  /* resource pattern of the grant */
    const char *service;  /* pass-role: the service the role must trust */
    const char *account;  /* the callers' account */
    const char *scope;    /* "arn:PARTITION:iam::ACCOUNT:" of the callers */
    const char *detail;
} hub;

/* The statement masks of nhi_statement, joined over several statements. */
typedef struct allow_masks {
    uint64_t services;
    uint64_t wide;
    uint64_t names;
} allow_masks;

typedef struct paths {
    nhi_audit *audit;
    nhi_graph *graph;
    aws_eval *eval;
    edge *edges;
    size_t edge_count;
    size_t edge_capacity;
    hub *hubs;
    size_t hub_count;
    size_t hub_capacity;
    nhi_strmap hub_index; /* key -> hub number + 1 */
    bool *admin;          /* by identity: full admin */
    /* By identity: the union of the masks of its Allow statements, so that
     * an action none of them can name is ruled out at once. */
    allow_masks *allowed;
    /* Set in a worker's copy: add_edge and hub_for record their calls
     * here, and the calling thread replays them in order (see run_units). */
    struct step_log *log;
    /* Set while the steps being added need an action that is only
     * possible (a condition nhi cannot decide): add_edge marks them so. */
    bool only_possible;
    const nhi_group **admin_groups; /* groups that grant everything */
    size_t admin_group_count;
    int result;
} paths;

/* A service that runs code as a role passed to it, and the actions that
 * start such code (from the AWS documentation of each service and the
 * pathfinding.cloud catalogue). */
#define PASS_ACTIONS 4

typedef struct pass_service {
    const char *principal;
    const char *actions[PASS_ACTIONS]; /* all required */
    const char *label;
} pass_service;

static const pass_service pass_services[] = {
    {"ec2.amazonaws.com", {"ec2:RunInstances"}, "an EC2 instance"},
    {"ec2.amazonaws.com", {"ec2:RequestSpotInstances"},
     "an EC2 Spot Instance"},
    {"ec2.amazonaws.com",
     {"imagebuilder:CreateComponent", "imagebuilder:CreateImageRecipe",
      "imagebuilder:CreateInfrastructureConfiguration",
      "imagebuilder:CreateImage"},
     "an EC2 Image Builder build instance"},
    {"lambda.amazonaws.com",
     {"lambda:CreateFunction", "lambda:InvokeFunction"},
     "a new Lambda function, then invoke it"},
    {"lambda.amazonaws.com",
     {"lambda:CreateFunction", "lambda:CreateEventSourceMapping"},
     "a new Lambda function triggered by an event source"},
    {"lambda.amazonaws.com", {"lambda:CreateFunction", "lambda:AddPermission"},
     "a new Lambda function that the caller allows itself to invoke"},
    {"cloudformation.amazonaws.com", {"cloudformation:CreateStack"},
     "a CloudFormation stack"},
    {"cloudformation.amazonaws.com",
     {"cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"},
     "a CloudFormation stack set"},
    {"glue.amazonaws.com", {"glue:CreateDevEndpoint"},
     "a Glue development endpoint"},
    {"glue.amazonaws.com", {"glue:CreateJob", "glue:StartJobRun"},
     "a Glue job"},
    {"glue.amazonaws.com", {"glue:CreateJob", "glue:CreateTrigger"},
     "a Glue job started by a trigger"},
    {"glue.amazonaws.com", {"glue:CreateSession", "glue:RunStatement"},
     "a Glue interactive session"},
    {"datapipeline.amazonaws.com",
     {"datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
      "datapipeline:ActivatePipeline"},
     "a Data Pipeline"},
    {"sagemaker.amazonaws.com", {"sagemaker:CreateNotebookInstance"},
     "a SageMaker notebook instance"},
    {"sagemaker.amazonaws.com", {"sagemaker:CreateTrainingJob"},
     "a SageMaker training job"},
    {"sagemaker.amazonaws.com", {"sagemaker:CreateProcessingJob"},
     "a SageMaker processing job"},
    {"codebuild.amazonaws.com",
     {"codebuild:CreateProject", "codebuild:StartBuild"},
     "a CodeBuild project"},
    {"codebuild.amazonaws.com",
     {"codebuild:CreateProject", "codebuild:StartBuildBatch"},
     "a CodeBuild project run as a batch"},
    {"ecs-tasks.amazonaws.com", {"ecs:RegisterTaskDefinition", "ecs:RunTask"},
     "an ECS task"},
    {"ecs-tasks.amazonaws.com",
     {"ecs:RegisterTaskDefinition", "ecs:StartTask"},
     "an ECS task on a chosen container instance"},
    {"ecs-tasks.amazonaws.com",
     {"ecs:RegisterTaskDefinition", "ecs:CreateService"},
     "an ECS service"},
    {"ecs-tasks.amazonaws.com",
     {"batch:RegisterJobDefinition", "batch:SubmitJob"},
     "an AWS Batch job"},
    {"tasks.apprunner.amazonaws.com", {"apprunner:CreateService"},
     "an App Runner service"},
    {"braket.amazonaws.com", {"braket:CreateJob"}, "an Amazon Braket job"},
    {"emr-serverless.amazonaws.com",
     {"emr-serverless:CreateApplication", "emr-serverless:StartJobRun"},
     "an EMR Serverless job"},
    {"kinesisanalytics.amazonaws.com",
     {"kinesisanalytics:CreateApplication",
      "kinesisanalytics:StartApplication"},
     "a Managed Service for Apache Flink application"},
    {"omics.amazonaws.com", {"omics:CreateWorkflow", "omics:StartRun"},
     "a HealthOmics workflow run"},
    {"ssm.amazonaws.com",
     {"ssm:CreateDocument", "ssm:StartAutomationExecution"},
     "a Systems Manager automation"},
    {"bedrock-agentcore.amazonaws.com",
     {"bedrock-agentcore:CreateCodeInterpreter",
      "bedrock-agentcore:StartCodeInterpreterSession",
      "bedrock-agentcore:InvokeCodeInterpreter"},
     "a Bedrock AgentCore code interpreter"},
};
#define PASS_SERVICE_COUNT (sizeof(pass_services) / sizeof(pass_services[0]))

/* Actions on code that already runs as a role: the resource must exist.
 * Every action of an entry is required. */
typedef struct existing_path {
    const char *principal;
    const char *actions[PASS_ACTIONS];
    const char *needs;
} existing_path;

static const existing_path existing_paths[] = {
    {"lambda.amazonaws.com", {"lambda:UpdateFunctionCode"},
     "an existing Lambda function that runs as this role"},
    {"glue.amazonaws.com", {"glue:UpdateDevEndpoint"},
     "an existing Glue development endpoint that runs as this role"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX, {"ssm:SendCommand"},
     "a running EC2 instance with this role's instance profile"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX, {"ssm:StartSession"},
     "a running EC2 instance with this role's instance profile"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX,
     {"ec2-instance-connect:SendSSHPublicKey"},
     "a running EC2 instance with this role's instance profile"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX,
     {"ec2:ModifyInstanceAttribute", "ec2:StopInstances",
      "ec2:StartInstances"},
     "an EC2 instance with this role's instance profile, whose user data "
     "runs at the next start"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX,
     {"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"},
     "a launch template with this role's instance profile that instances "
     "start from"},
    {"ec2.amazonaws.com" PROFILE_SUFFIX,
     {"codedeploy:CreateDeployment", "codedeploy:RegisterApplicationRevision"},
     "a CodeDeploy deployment group of instances with this role's instance "
     "profile"},
    {"sagemaker.amazonaws.com", {"sagemaker:CreatePresignedNotebookInstanceUrl"},
     "an existing SageMaker notebook instance that runs as this role"},
    {"sagemaker.amazonaws.com",
     {"sagemaker:CreateNotebookInstanceLifecycleConfig",
      "sagemaker:UpdateNotebookInstance", "sagemaker:StopNotebookInstance",
      "sagemaker:StartNotebookInstance"},
     "an existing SageMaker notebook instance that runs as this role"},
    {"cloudformation.amazonaws.com", {"cloudformation:UpdateStack"},
     "an existing CloudFormation stack that uses this role"},
    {"cloudformation.amazonaws.com",
     {"cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"},
     "an existing CloudFormation stack that uses this role"},
    {"codebuild.amazonaws.com", {"codebuild:StartBuild"},
     "an existing CodeBuild project that runs as this role"},
    {"codebuild.amazonaws.com", {"codebuild:StartBuildBatch"},
     "an existing CodeBuild project that runs as this role"},
    {"ecs-tasks.amazonaws.com", {"ecs:ExecuteCommand"},
     "a running ECS task with this task role and ECS Exec turned on"},
    {"ecs-tasks.amazonaws.com", {"batch:SubmitJob"},
     "an existing AWS Batch job definition with this job role"},
    {"tasks.apprunner.amazonaws.com", {"apprunner:UpdateService"},
     "an existing App Runner service with this instance role"},
    {"bedrock-agentcore.amazonaws.com",
     {"bedrock-agentcore:InvokeAgentRuntimeCommand"},
     "an existing Bedrock AgentCore runtime that runs as this role"},
};
#define EXISTING_PATH_COUNT (sizeof(existing_paths) / sizeof(existing_paths[0]))

/* ---- one identity, one action, one resource ---- */

/* A resource pattern with `${...}` variables as `*` (2012-10-17 only). */
static bool resource_matches(const nhi_statement *statement, bool version_2012,
                             const char *resource)
{
    bool any = false;

    if (resource == NULL)
        return true; /* any resource will do */
    for (size_t i = 0; i < statement->resource_count && !any; i++) {
        const char *pattern = statement->resources[i];
        if (version_2012 && strstr(pattern, "${")) {
            char buffer[1024];
            size_t size = strlen(pattern) + 1, used = 0;
            /* A pattern of any length: long ones take a heap copy. */
            char *copy = size <= sizeof(buffer) ? buffer : malloc(size);
            if (copy == NULL) {
                /* Out of memory: the variables stay as written. */
                any = nhi_glob_match(pattern, resource,
                                     NHI_GLOB_CASE_SENSITIVE);
                continue;
            }
            for (const char *c = pattern; *c; c++) {
                const char *close;
                if (c[0] == '$' && c[1] == '{' && (close = strchr(c, '}'))) {
                    copy[used++] = '*';
                    c = close;
                } else {
                    copy[used++] = *c;
                }
            }
            copy[used] = '\0';
            any = nhi_glob_match(copy, resource, NHI_GLOB_CASE_SENSITIVE);
            if (copy != buffer)
                free(copy);
        } else {
            any = nhi_glob_match(pattern, resource, NHI_GLOB_CASE_SENSITIVE);
        }
    }
    return any != statement->not_resource;
}

/*
 * Decided conditions, by statement, service and (when the condition reads
 * aws:PrincipalArn) caller: a managed policy's condition is evaluated once,
 * not once per identity that attaches it.
 */
static _Thread_local nhi_strmap condition_cache;

static _Thread_local nhi_arena *condition_arena;

static aws_condition_result condition_of(const nhi_statement *statement,
                                         const nhi_identity *caller,
                                         const char *service, nhi_time now)
{
    aws_context_key keys[2] = {{"aws:PrincipalArn", caller->id},
                               {"iam:PassedToService", service}};
    aws_context context = {keys, service ? 2 : 1, now};
    aws_condition_result result = AWS_CONDITION_POSSIBLE;
    const void *key[3];
    char *stored;

    if (statement->condition == NULL)
        return AWS_CONDITION_TRUE;
    key[0] = statement;
    key[1] = service;
    key[2] = statement->condition_reads_principal ? caller : NULL;
    stored = nhi_strmap_get(&condition_cache, (const char *)key, sizeof(key));
    if (stored)
        return (aws_condition_result)(*stored - '0');
    if (aws_condition_eval(statement->condition, &context, &result, NULL) < 0)
        return AWS_CONDITION_POSSIBLE;
    if (condition_arena &&
        (stored = nhi_arena_alloc(condition_arena, sizeof(key) + 1)) != NULL) {
        memcpy(stored + 1, key, sizeof(key));
        stored[0] = (char)('0' + result);
        nhi_strmap_put(&condition_cache, stored + 1, sizeof(key), stored);
    }
    return result;
}

/* Join the masks of the Allow statements of `identity`'s policies. A
 * statement that is not indexed may name any action. */
static void join_allow_masks(const nhi_identity *identity, allow_masks *out)
{
    for (size_t i = 0; i < identity->policy_count; i++) {
        const nhi_policy_version *version =
            aws_default_version(identity->policies[i].policy);
        for (size_t s = 0; version && s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            if (!statement->allow)
                continue;
            if (statement->service_mask == 0) {
                out->services = out->wide = out->names = UINT64_MAX;
                return;
            }
            out->services |= statement->service_mask;
            out->wide |= statement->wide_mask;
            out->names |= statement->name_mask;
        }
    }
}

/*
 * Whether `caller` may do `action` on `resource` (NULL: on some resource),
 * following the evaluation order: an explicit deny wins, the boundary must
 * allow too, then some allow. `*source` gets the allowing statement.
 */
static permission may(const paths *p, const nhi_identity *caller,
                      const char *action, const char *resource,
                      const char *service, grant_source *source)
{
    permission result = PERMISSION_NO;
    bool possible_deny = false;
    aws_action_key key = aws_action_key_of(action);
    const allow_masks *masks = p->allowed ? &p->allowed[caller->index] : NULL;

    if (masks && !aws_masks_may_name(masks->services, masks->wide,
                                     masks->names, key))
        return PERMISSION_NO;

    for (size_t i = 0; i < caller->policy_count; i++) {
        const nhi_attachment *attachment = &caller->policies[i];
        const nhi_policy_version *version = aws_default_version(attachment->policy);
        for (size_t s = 0; version && s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            aws_condition_result condition;
            if (!aws_statement_may_name(statement, key) ||
                !aws_statement_matches(statement, action) ||
                !resource_matches(statement, version->version_2012, resource))
                continue;
            condition = condition_of(statement, caller, service, p->audit->now);
            if (condition == AWS_CONDITION_FALSE)
                continue;
            if (!statement->allow) {
                /* Without a resource, only a deny of every resource
                 * settles it; a narrower one leaves some allowed. */
                bool all = aws_statement_every_resource(statement);
                if (condition == AWS_CONDITION_TRUE && (resource || all))
                    return PERMISSION_NO;
                possible_deny = true;
                continue;
            }
            if (result == PERMISSION_YES)
                continue;
            result = condition == AWS_CONDITION_TRUE ? PERMISSION_YES
                                                     : PERMISSION_POSSIBLE;
            if (source) {
                source->policy = attachment->policy;
                source->statement = statement;
                source->via_group = attachment->via_group;
            }
        }
    }
    if (result == PERMISSION_NO)
        return result;
    if (caller->boundary_arn) {
        const nhi_policy_version *boundary = aws_default_version(caller->boundary);
        bool allowed = false;
        for (size_t s = 0; boundary && s < boundary->statement_count; s++) {
            const nhi_statement *statement = &boundary->statements[s];
            aws_condition_result condition;
            if (!aws_statement_matches(statement, action) ||
                !resource_matches(statement, boundary->version_2012, resource))
                continue;
            if (statement->allow) {
                allowed = true;
                continue;
            }
            /* A deny in the boundary wins as one in the caller's policies;
             * without a resource, only a deny of every resource settles it. */
            condition = condition_of(statement, caller, service, p->audit->now);
            if (condition == AWS_CONDITION_FALSE)
                continue;
            if (condition == AWS_CONDITION_TRUE &&
                (resource || aws_statement_every_resource(statement)))
                return PERMISSION_NO;
            possible_deny = true;
        }
        if (caller->boundary && !allowed)
            return PERMISSION_NO;
        if (caller->boundary == NULL)
            result = PERMISSION_POSSIBLE; /* a boundary not in the export */
    }
    return possible_deny ? PERMISSION_POSSIBLE : result;
}

/* ---- building the edges ---- */

/*
 * One call of add_edge or hub_for made in a worker thread. Both write
 * shared state (the edge list, the hub index and the graph's strings), so
 * workers only record them. Replaying every unit's log in unit order then
 * makes the same calls as one thread would, in the same order.
 */
typedef struct logged_step {
    bool hub;             /* a hub_for call, else an add_edge call */
    size_t from, to;      /* edge: `to` may be a hub logged before it */
    const char *kind;
    grant_source source;
    const nhi_statement *trust;
    const char *detail;   /* copies in the log's arena */
    bool possible;
    const char *pattern;  /* hub: owned by the graph */
    const char *service;  /* copies in the log's arena */
    const char *account;  /* owned by the graph, as hub_for keeps it */
    const char *scope;
} logged_step;

/* Copies kept per log to reuse: a caller's steps repeat their details. */
#define LOG_RECENT 4

typedef struct step_log {
    logged_step *steps;
    size_t count;
    size_t capacity;
    nhi_arena *arena;
    const char *recent[LOG_RECENT]; /* the last copies made */
    size_t next_recent;
} step_log;

/* Node numbers that stand for a hub logged as step (node - LOGGED_HUB). */
#define LOGGED_HUB ((size_t)1 << (sizeof(size_t) * 8 - 2))

static const char *log_copy(paths *p, const char *text)
{
    step_log *log = p->log;
    char *copy;

    if (text == NULL)
        return NULL;
    for (size_t i = 0; i < LOG_RECENT; i++)
        if (log->recent[i] && strcmp(log->recent[i], text) == 0)
            return log->recent[i];
    copy = nhi_arena_strdup(log->arena, text);
    if (copy == NULL) {
        p->result = NHI_ENOMEM;
        return NULL;
    }
    log->recent[log->next_recent++ % LOG_RECENT] = copy;
    return copy;
}

static logged_step *log_step(paths *p)
{
    step_log *log = p->log;
    logged_step *step;

    if (nhi_grow((void **)&log->steps, &log->capacity, log->count + 1,
                 sizeof(*log->steps)) < 0) {
        p->result = NHI_ENOMEM;
        return NULL;
    }
    step = &log->steps[log->count++];
    memset(step, 0, sizeof(*step));
    return step;
}

static int add_edge(paths *p, size_t from, size_t to, const char *kind,
                    const grant_source *source, const nhi_statement *trust,
                    const char *detail, bool possible)
{
    edge *item;

    possible = possible || p->only_possible;
    if (p->log) {
        logged_step *step = log_step(p);
        if (step == NULL)
            return NHI_ENOMEM;
        step->from = from;
        step->to = to;
        step->kind = kind;
        if (source)
            step->source = *source;
        step->trust = trust;
        step->detail = log_copy(p, detail);
        step->possible = possible;
        return p->result < 0 ? p->result : NHI_OK;
    }

    if (nhi_grow((void **)&p->edges, &p->edge_capacity, p->edge_count + 1,
                 sizeof(*p->edges)) < 0)
        return NHI_ENOMEM;
    item = &p->edges[p->edge_count++];
    memset(item, 0, sizeof(*item));
    item->from = from;
    item->to = to;
    item->kind = kind;
    if (source)
        item->source = *source;
    item->trust = trust;
    item->detail = detail ? nhi_graph_intern(p->graph, detail) : NULL;
    item->possible = possible;
    return NHI_OK;
}

static bool trusts_principal(const nhi_statement *statement, const char *value)
{
    for (size_t i = 0; i < statement->principal_count; i++)
        if (strcmp(statement->principals[i], value) == 0)
            return true;
    return false;
}

/* The Allow statement of a role's trust policy that admits `principal`
 * (`Service:...`, or `AWS:...`), for `action`; NULL when none does. */
static const nhi_statement *trust_admits(const nhi_identity *role,
                                         const char *principal,
                                         const char *action)
{
    const nhi_policy_version *version = aws_default_version(role->trust);

    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (statement->allow && !statement->not_principal &&
            aws_statement_matches(statement, action) &&
            (trusts_principal(statement, principal) ||
             trusts_principal(statement, "*") ||
             trusts_principal(statement, "AWS:*")))
            return statement;
    }
    return NULL;
}

/* The account root forms a trust policy may use for an account. */
static const nhi_statement *trust_admits_account(const nhi_identity *role,
                                                 const char *account)
{
    char root[64], bare[64];
    const nhi_policy_version *version = aws_default_version(role->trust);

    snprintf(bare, sizeof(bare), "AWS:%s", account);
    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow || statement->not_principal ||
            !aws_statement_matches(statement, "sts:AssumeRole"))
            continue;
        for (size_t i = 0; i < statement->principal_count; i++) {
            const char *principal = statement->principals[i];
            snprintf(root, sizeof(root), ":%s:root", account);
            if (strcmp(principal, bare) == 0 || strcmp(principal, "*") == 0 ||
                strcmp(principal, "AWS:*") == 0 ||
                (strncmp(principal, "AWS:arn:", 8) == 0 &&
                 strlen(principal) > strlen(root) &&
                 strcmp(principal + strlen(principal) - strlen(root), root) ==
                     0))
                return statement;
        }
    }
    return NULL;
}

/* The node of the hub with `key` (made by hub_for), added when new. */
static size_t hub_number(paths *p, const char *key, size_t length,
                         const char *kind, const char *pattern,
                         const char *service, const char *account,
                         const char *scope, const char *detail)
{
    size_t number;
    hub *item;
    const char *interned;

    if (p->log) {
        logged_step *step = log_step(p);
        if (step == NULL)
            return SIZE_MAX;
        step->hub = true;
        step->kind = kind;
        step->pattern = pattern; /* a statement's, which the graph owns */
        step->service = log_copy(p, service);
        step->account = account;
        step->scope = log_copy(p, scope);
        step->detail = log_copy(p, detail);
        return p->result < 0 ? SIZE_MAX : LOGGED_HUB + p->log->count - 1;
    }
    number = (size_t)(uintptr_t)nhi_strmap_get(&p->hub_index, key,
                                               (size_t)length);
    if (number)
        return p->graph->identity_count + number - 1;
    interned = nhi_graph_intern(p->graph, key);
    if (interned == NULL ||
        nhi_grow((void **)&p->hubs, &p->hub_capacity, p->hub_count + 1,
                 sizeof(*p->hubs)) < 0) {
        p->result = NHI_ENOMEM;
        return SIZE_MAX;
    }
    item = &p->hubs[p->hub_count++];
    item->kind = kind;
    item->pattern = nhi_graph_intern(p->graph, pattern);
    /* The service name may live in the caller's buffer: keep a copy. */
    item->service = service ? nhi_graph_intern(p->graph, service) : NULL;
    item->account = account;
    item->scope = scope ? nhi_graph_intern(p->graph, scope) : NULL;
    item->detail = detail ? nhi_graph_intern(p->graph, detail) : NULL;
    if (nhi_strmap_put(&p->hub_index, interned, (size_t)length,
                       (void *)(uintptr_t)p->hub_count) < 0)
        p->result = NHI_ENOMEM;
    return p->graph->identity_count + p->hub_count - 1;
}

/* A hub for one kind of grant on one resource pattern. */
static size_t hub_for(paths *p, const char *kind, const char *pattern,
                      const char *service, const char *account,
                      const char *scope, const char *detail)
{
    char buffer[1024];
    char *key = buffer;
    size_t number;
    int length = snprintf(buffer, sizeof(buffer), "%s\x1f%s\x1f%s\x1f%s",
                          kind, pattern, service ? service : "",
                          account ? account : "");

    /* A pattern of any length gets its hub: long ones take a heap key. */
    if (length >= 0 && (size_t)length >= sizeof(buffer))
        key = nhi_asprintf("%s\x1f%s\x1f%s\x1f%s", kind, pattern,
                           service ? service : "", account ? account : "");
    if (length < 0 || key == NULL) {
        p->result = NHI_ENOMEM;
        return SIZE_MAX;
    }
    number = hub_number(p, key, (size_t)length, kind, pattern, service,
                        account, scope, detail);
    if (key != buffer)
        free(key);
    return number;
}

/* Identities in one unit of a parallel phase, each unit with its own log. */
#define LINK_CHUNK 256

/* Make the calls of one unit's log on the shared `paths`, in order. */
static int replay(paths *p, step_log *log)
{
    for (size_t k = 0; k < log->count && p->result >= 0; k++) {
        logged_step *step = &log->steps[k];
        size_t to = step->to;
        if (step->hub) {
            step->to = hub_for(p, step->kind, step->pattern, step->service,
                               step->account, step->scope, step->detail);
            continue;
        }
        if (to >= LOGGED_HUB) {
            to = log->steps[to - LOGGED_HUB].to;
            if (to == SIZE_MAX)
                break; /* hub_for failed and set p->result */
        }
        p->result = add_edge(p, step->from, to, step->kind, &step->source,
                             step->trust, step->detail, step->possible);
    }
    return p->result;
}


/* How the caller's denies and boundary bear on one action. */
typedef enum limit {
    LIMIT_NONE,    /* nothing limits the action */
    LIMIT_ALL,     /* the action is denied, or not in the boundary, anywhere */
    LIMIT_SOME,    /* some resources may be cut out: check each target */
    LIMIT_UNKNOWN  /* a boundary not in the export */
} limit;

/*
 * `targets` is the ARN pattern of every possible target (all roles, all
 * users): a deny whose resources cannot name one does not matter here.
 */
static limit limit_for(const paths *p, const nhi_identity *caller,
                       const char *action, const char *targets,
                       const char *service)
{
    aws_action_key key = aws_action_key_of(action);
    limit result = LIMIT_NONE;

    for (size_t i = 0; i < caller->policy_count; i++) {
        const nhi_policy_version *version =
            aws_default_version(caller->policies[i].policy);
        for (size_t s = 0; version && s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            if (statement->allow || !aws_statement_matches_key(statement, action, key))
                continue;
            if (aws_statement_every_resource(statement)) {
                /* A deny of every resource treats all targets alike. */
                aws_condition_result condition =
                    condition_of(statement, caller, service, p->audit->now);
                if (condition == AWS_CONDITION_TRUE)
                    return LIMIT_ALL;
                if (condition == AWS_CONDITION_POSSIBLE && result == LIMIT_NONE)
                    result = LIMIT_UNKNOWN;
                continue;
            }
            for (size_t r = 0; r < statement->resource_count; r++)
                if (statement->not_resource ||
                    nhi_glob_intersects(statement->resources[r], targets,
                                        NHI_GLOB_CASE_SENSITIVE) != 0)
                    result = LIMIT_SOME;
        }
    }
    if (caller->boundary_arn && caller->boundary == NULL)
        return result == LIMIT_SOME ? result : LIMIT_UNKNOWN;
    if (caller->boundary) {
        const nhi_policy_version *boundary = aws_default_version(caller->boundary);
        bool any = false, everywhere = false;
        for (size_t s = 0; boundary && s < boundary->statement_count; s++) {
            const nhi_statement *statement = &boundary->statements[s];
            if (!aws_statement_matches_key(statement, action, key))
                continue;
            if (!statement->allow) {
                /* A boundary's deny limits as the caller's own does. */
                if (aws_statement_every_resource(statement) &&
                    statement->condition == NULL)
                    return LIMIT_ALL;
                if (result == LIMIT_NONE)
                    result = LIMIT_SOME;
                continue;
            }
            any = true;
            for (size_t r = 0; !statement->not_resource &&
                               statement->condition == NULL &&
                               r < statement->resource_count;
                 r++)
                everywhere = everywhere ||
                             nhi_glob_covered(targets, &statement->resources[r],
                                              1, NHI_GLOB_CASE_SENSITIVE,
                                              NULL) == 1;
        }
        if (!any)
            return LIMIT_ALL;
        if (!everywhere)
            result = LIMIT_SOME;
    }
    return result;
}

/*
 * Roles AWS manages cannot have their trust policy rewritten nor be passed
 * to a service by a customer: service-linked roles (/aws-service-role/)
 * and IAM Identity Center roles (/aws-reserved/).
 */
static bool customer_role(const char *kind, const nhi_identity *target)
{
    if (strcmp(kind, "assume-role") == 0 || target->path == NULL)
        return true;
    return strncmp(target->path, "/aws-service-role/", 18) != 0 &&
           strncmp(target->path, "/aws-reserved/", 14) != 0;
}

/* "arn:PARTITION:iam::ACCOUNT:" of an identity, into `buffer`. */
static const char *scope_of(const nhi_identity *identity, char buffer[128])
{
    const char *colon = identity->id;

    for (int field = 0; field < 5 && colon; field++) {
        colon = strchr(colon, ':');
        if (colon)
            colon++;
    }
    if (colon == NULL || (size_t)(colon - identity->id) >= 128)
        return NULL;
    memcpy(buffer, identity->id, (size_t)(colon - identity->id));
    buffer[colon - identity->id] = '\0';
    return buffer;
}

/*
 * Add the caller's grants of `action` as edges. A literal resource names
 * its target directly. A pattern goes through the hub of that pattern,
 * unless a deny or boundary of the caller may cut some targets out: then
 * each target is checked on its own.
 */
typedef bool (*target_filter)(const paths *p, const nhi_identity *caller,
                              const nhi_identity *target, const void *data,
                              const nhi_statement **trust);

static int link_grants(paths *p, const nhi_identity *caller,
                       const char *action, const char *kind,
                       nhi_identity_kind target_kind, const char *service,
                       const char *account, target_filter filter,
                       const void *data, const char *detail)
{
    aws_action_key key = aws_action_key_of(action);
    char passed[128];
    const char *suffix = service ? strstr(service, PROFILE_SUFFIX) : NULL;
    char scope[128];
    limit limited;
    const allow_masks *masks = &p->allowed[caller->index];

    /* Edges come from Allow statements that name the action. */
    if (!aws_masks_may_name(masks->services, masks->wide, masks->names, key))
        return p->result;
    /* iam:PassedToService is the service itself, without the marker,
     * and App Runner for the roles its tasks run as. */
    const char *passed_to = service;
    if (suffix) {
        snprintf(passed, sizeof(passed), "%.*s", (int)(suffix - service),
                 service);
        passed_to = passed;
    } else if (service &&
               strcmp(service, "tasks.apprunner.amazonaws.com") == 0) {
        passed_to = "apprunner.amazonaws.com";
    }
    limited = limit_for(p, caller, action,
                        target_kind == NHI_KIND_AWS_ROLE ? "arn:*:iam::*:role/*"
                                                         : "arn:*:iam::*:user/*",
                        passed_to);
    bool individual = limited == LIMIT_SOME;

    if (limited == LIMIT_ALL)
        return p->result;
    for (size_t i = 0; i < caller->policy_count && p->result >= 0; i++) {
        const nhi_attachment *attachment = &caller->policies[i];
        const nhi_policy_version *version = aws_default_version(attachment->policy);
        for (size_t s = 0; version && s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            grant_source source = {attachment->policy, statement,
                                   attachment->via_group};
            aws_condition_result condition;
            if (!statement->allow || !aws_statement_matches_key(statement, action, key))
                continue;
            condition = condition_of(statement, caller,
                                     passed_to,
                                     p->audit->now);
            if (condition == AWS_CONDITION_FALSE)
                continue;
            for (size_t r = 0; r < statement->resource_count; r++) {
                const char *pattern = statement->resources[r];
                bool literal = strpbrk(pattern, "*?$") == NULL &&
                               !statement->not_resource;
                if (literal) {
                    nhi_identity *target =
                        nhi_graph_find_identity(p->graph, pattern);
                    const nhi_statement *trust = NULL;
                    if (target == NULL || target->kind != target_kind ||
                        target == caller || !customer_role(kind, target) ||
                        (!account && strcmp(target->account,
                                            caller->account) != 0) ||
                        !filter(p, caller, target, data, &trust))
                        continue;
                    if (individual &&
                        may(p, caller, action, target->id,
                            passed_to, NULL) ==
                            PERMISSION_NO)
                        continue;
                    p->result = add_edge(p, caller->index, target->index, kind,
                                         &source, trust, detail,
                                         condition != AWS_CONDITION_TRUE);
                    continue;
                }
                if (individual || statement->not_resource) {
                    for (size_t t = 0; t < p->graph->identity_count; t++) {
                        nhi_identity *target = p->graph->identities[t];
                        const nhi_statement *trust = NULL;
                        permission allowed;
                        if (target->kind != target_kind || target == caller ||
                            !customer_role(kind, target) ||
                            (!account && strcmp(target->account,
                                                caller->account) != 0) ||
                            !filter(p, caller, target, data, &trust))
                            continue;
                        allowed = may(p, caller, action, target->id,
                                      passed_to,
                                      NULL);
                        if (allowed != PERMISSION_NO)
                            p->result = add_edge(
                                p, caller->index, target->index, kind, &source,
                                trust, detail,
                                allowed == PERMISSION_POSSIBLE ||
                                    condition != AWS_CONDITION_TRUE);
                    }
                    break;
                }
                /* IAM acts only on principals of the caller's own
                 * account; roles of other accounts are reached by trust. */
                size_t node = hub_for(p, kind, pattern, service,
                                      account ? account : caller->account,
                                      account ? NULL : scope_of(caller, scope),
                                      detail);
                if (node == SIZE_MAX)
                    return p->result;
                p->result = add_edge(p, caller->index, node, kind, &source,
                                     NULL, detail,
                                     condition != AWS_CONDITION_TRUE ||
                                         limited == LIMIT_UNKNOWN);
            }
        }
    }
    return p->result;
}

static bool any_user(const paths *p, const nhi_identity *caller,
                     const nhi_identity *target, const void *data,
                     const nhi_statement **trust)
{
    (void)p;
    (void)caller;
    (void)data;
    (void)trust;
    return target->kind == NHI_KIND_AWS_USER;
}

static bool any_role(const paths *p, const nhi_identity *caller,
                     const nhi_identity *target, const void *data,
                     const nhi_statement **trust)
{
    (void)p;
    (void)caller;
    (void)data;
    (void)trust;
    return target->kind == NHI_KIND_AWS_ROLE;
}

/*
 * The trust statement that lets `service` assume the role. A service name
 * ending in PROFILE_SUFFIX is EC2 for a caller that cannot create
 * instance profiles: the role must already have one, since EC2 takes a
 * role only through an instance profile.
 */

static const nhi_statement *service_trust(const nhi_identity *target,
                                          const char *service)
{
    char principal[128];
    size_t length = strlen(service);
    size_t suffix = strlen(PROFILE_SUFFIX);
    bool needs_profile = length > suffix &&
                         strcmp(service + length - suffix, PROFILE_SUFFIX) == 0;

    if (needs_profile && target->instance_profile_count == 0)
        return NULL;
    snprintf(principal, sizeof(principal), "Service:%.*s",
             (int)(needs_profile ? length - suffix : length), service);
    return trust_admits(target, principal, "sts:AssumeRole");
}

static bool role_trusts_service(const paths *p, const nhi_identity *caller,
                                const nhi_identity *target, const void *data,
                                const nhi_statement **trust)
{
    (void)p;
    (void)caller;
    *trust = service_trust(target, data);
    return *trust != NULL;
}

static bool role_trusts_account(const paths *p, const nhi_identity *caller,
                                const nhi_identity *target, const void *data,
                                const nhi_statement **trust)
{
    (void)p;
    (void)data;
    *trust = trust_admits_account(target, caller->account);
    return *trust != NULL;
}

/* Whether the caller may do every action of a pass-role service. */
static permission may_start(const paths *p, const nhi_identity *caller,
                            const pass_service *service)
{
    permission result = PERMISSION_YES;

    for (size_t a = 0; a < PASS_ACTIONS && service->actions[a]; a++) {
        permission one = may(p, caller, service->actions[a], NULL, NULL, NULL);
        if (one == PERMISSION_NO)
            return one;
        if (one == PERMISSION_POSSIBLE)
            result = one;
    }
    return result;
}

static int link_caller(paths *p, nhi_identity *caller)
{
    char detail[512], scope[128];
    permission pass_linked[PASS_SERVICE_COUNT];
    bool existing_linked[EXISTING_PATH_COUNT];

    /* Another user's credentials. */
    link_grants(p, caller, "iam:CreateAccessKey", "create-access-key",
                NHI_KIND_AWS_USER, NULL, NULL, any_user, NULL,
                "create an access key for the user");
    link_grants(p, caller, "iam:CreateLoginProfile", "create-login-profile",
                NHI_KIND_AWS_USER, NULL, NULL, any_user, NULL,
                "set a console password for the user");
    link_grants(p, caller, "iam:UpdateLoginProfile", "update-login-profile",
                NHI_KIND_AWS_USER, NULL, NULL, any_user, NULL,
                "change the user's console password");

    /* A role's trust policy rewritten to admit the caller. */
    link_grants(p, caller, "iam:UpdateAssumeRolePolicy",
                "update-assume-role-policy", NHI_KIND_AWS_ROLE, NULL, NULL,
                any_role, NULL,
                "rewrite the role's trust policy to admit the caller, then "
                "assume it");

    /* Roles that trust the caller's account: the caller's own allow of
     * sts:AssumeRole is needed. */
    link_grants(p, caller, "sts:AssumeRole", "assume-role", NHI_KIND_AWS_ROLE,
                NULL, caller->account, role_trusts_account, NULL,
                "assume the role, which trusts the caller's account");

    /* A role passed to a service that runs code the caller controls. Rows
     * of one service give the same steps, so the first that the caller
     * can start links the service. */
    bool passes =
        may(p, caller, "iam:PassRole", NULL, NULL, NULL) != PERMISSION_NO;
    for (size_t i = 0; passes && i < PASS_SERVICE_COUNT && p->result >= 0;
         i++) {
        const pass_service *service = &pass_services[i];
        const char *principal = service->principal;
        char with_profile[128];
        permission linked = PERMISSION_NO, start;
        /* The best row of this service linked so far: a definite one ends
         * the service, and a possible one leaves only definite rows. */
        for (size_t k = 0; k < i && linked != PERMISSION_YES; k++)
            if (pass_linked[k] != PERMISSION_NO &&
                strcmp(pass_services[k].principal, principal) == 0)
                linked = pass_linked[k];
        pass_linked[i] = PERMISSION_NO;
        start = linked == PERMISSION_YES ? PERMISSION_NO
                                         : may_start(p, caller, service);
        if (start == PERMISSION_NO ||
            (start == PERMISSION_POSSIBLE && linked == PERMISSION_POSSIBLE))
            continue;
        pass_linked[i] = start;
        snprintf(detail, sizeof(detail), "pass the role to %s (%s)",
                 service->label, service->principal);
        if (strcmp(principal, "ec2.amazonaws.com") == 0 &&
            (may(p, caller, "iam:CreateInstanceProfile", NULL, NULL, NULL) ==
                 PERMISSION_NO ||
             may(p, caller, "iam:AddRoleToInstanceProfile", NULL, NULL,
                 NULL) == PERMISSION_NO)) {
            snprintf(with_profile, sizeof(with_profile), "%s" PROFILE_SUFFIX,
                     principal);
            principal = with_profile;
        }
        p->only_possible = start == PERMISSION_POSSIBLE;
        link_grants(p, caller, "iam:PassRole", "pass-role", NHI_KIND_AWS_ROLE,
                    principal, NULL, role_trusts_service, principal, detail);
        p->only_possible = false;
    }

    /* Code that already runs as a role: possible, if the resource exists.
     * NOTE: the export does not list functions, instances or endpoints,
     * so every role that trusts the service is a possible target. */
    for (size_t i = 0; i < EXISTING_PATH_COUNT && p->result >= 0; i++) {
        const existing_path *path = &existing_paths[i];
        grant_source source = {0};
        size_t node, used = 0;
        bool allowed = true;
        /* Rows of one service lead to the same node: the first will do. */
        for (size_t k = 0; k < i && allowed; k++)
            allowed = !(existing_linked[k] &&
                        strcmp(existing_paths[k].principal, path->principal) ==
                            0);
        existing_linked[i] = false;
        allowed = allowed && may(p, caller, path->actions[0], NULL, NULL,
                                 &source) != PERMISSION_NO;
        for (size_t a = 1; allowed && a < PASS_ACTIONS && path->actions[a];
             a++)
            allowed = may(p, caller, path->actions[a], NULL, NULL, NULL) !=
                      PERMISSION_NO;
        if (!allowed)
            continue;
        for (size_t a = 0; a < PASS_ACTIONS && path->actions[a] &&
                           used < sizeof(detail);
             a++) {
            int length = snprintf(detail + used, sizeof(detail) - used,
                                  "%s%s", a ? " and " : "", path->actions[a]);
            used += length > 0 ? (size_t)length : 0;
        }
        if (used < sizeof(detail))
            snprintf(detail + used, sizeof(detail) - used, ", which needs %s",
                     path->needs);
        existing_linked[i] = true;
        node = hub_for(p, "existing-resource", "*", path->principal,
                       caller->account, scope_of(caller, scope), detail);
        if (node != SIZE_MAX)
            p->result = add_edge(p, caller->index, node, "existing-resource",
                                 &source, NULL, detail, true);
    }
    return p->result;
}

/* Whether an unconditional explicit deny of the caller matches. */
static bool denied(const paths *p, const nhi_identity *caller,
                   const char *action, const char *resource)
{
    aws_action_key key = aws_action_key_of(action);
    for (size_t i = 0; i < caller->policy_count; i++) {
        const nhi_policy_version *version =
            aws_default_version(caller->policies[i].policy);
        for (size_t s = 0; version && s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            if (!statement->allow && aws_statement_matches_key(statement, action, key) &&
                resource_matches(statement, version->version_2012, resource) &&
                condition_of(statement, caller, NULL, p->audit->now) ==
                    AWS_CONDITION_TRUE)
                return true;
        }
    }
    return false;
}

/* Roles whose trust names a principal of the graph by ARN: the caller's
 * own allow is not needed (same account), only the absence of a deny. */
static int link_trust_by_arn(paths *p, nhi_identity *role)
{
    const nhi_policy_version *version = aws_default_version(role->trust);

    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow || statement->not_principal ||
            !aws_statement_matches(statement, "sts:AssumeRole"))
            continue;
        for (size_t i = 0; i < statement->principal_count; i++) {
            const char *principal = statement->principals[i];
            nhi_identity *caller;
            if (strncmp(principal, "AWS:arn:", 8) != 0)
                continue;
            caller = nhi_graph_find_identity(p->graph, principal + 4);
            if (caller == NULL) {
                /* An assumed-role session ARN names its role. */
                const char *session = strstr(principal, ":assumed-role/");
                for (size_t t = 0; session && !caller &&
                                   t < p->graph->identity_count;
                     t++) {
                    nhi_identity *other = p->graph->identities[t];
                    size_t length = strlen(other->name);
                    const char *name = session + strlen(":assumed-role/");
                    if (other->kind == NHI_KIND_AWS_ROLE &&
                        strncmp(name, other->name, length) == 0 &&
                        name[length] == '/' && strstr(principal, other->account))
                        caller = other;
                }
            }
            if (caller == NULL || caller == role)
                continue;
            grant_source source = {role->trust, statement, NULL};
            if (denied(p, caller, "sts:AssumeRole", role->id))
                continue;
            if (statement->condition &&
                condition_of(statement, caller, NULL, p->audit->now) ==
                    AWS_CONDITION_FALSE)
                continue;
            p->result = add_edge(p, caller->index, role->index, "assume-role",
                                 &source, statement,
                                 "assume the role, whose trust policy names "
                                 "the caller",
                                 statement->condition != NULL);
        }
    }
    return p->result;
}

/* Roles that trust an account (by its root or bare id), or everyone
 * ("*"), found in one pass over every trust policy. */
typedef struct trusting_roles {
    size_t *roles;
    const nhi_statement **trusts;
    size_t count;
    size_t capacity;
} trusting_roles;

static nhi_strmap trusting_cache; /* account -> trusting_roles */
static trusting_roles trusting_everyone;
static bool trusting_ready;

static int add_trusting(trusting_roles *list, size_t role,
                        const nhi_statement *trust)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 8;
        size_t *roles = realloc(list->roles, capacity * sizeof(*roles));
        const nhi_statement **trusts;
        if (roles == NULL)
            return NHI_ENOMEM;
        list->roles = roles;
        trusts = realloc((void *)list->trusts, capacity * sizeof(*trusts));
        if (trusts == NULL)
            return NHI_ENOMEM;
        list->trusts = trusts;
        list->capacity = capacity;
    }
    list->roles[list->count] = role;
    list->trusts[list->count++] = trust;
    return NHI_OK;
}

/* The account a trust principal names as a whole, or NULL. */
static const char *principal_account(paths *p, const char *principal)
{
    const char *value = principal + 4, *end;

    if (strncmp(principal, "AWS:", 4) != 0)
        return NULL;
    if (strlen(value) == 12 && strspn(value, "0123456789") == 12)
        return nhi_graph_intern(p->graph, value);
    end = value + strlen(value);
    if (strncmp(value, "arn:", 4) != 0 || end - value < 18 ||
        strcmp(end - 5, ":root") != 0)
        return NULL;
    return nhi_graph_intern_n(p->graph, end - 17, 12);
}

static int index_trusting(paths *p)
{
    for (size_t t = 0; t < p->graph->identity_count; t++) {
        const nhi_identity *role = p->graph->identities[t];
        const nhi_policy_version *version = aws_default_version(role->trust);
        for (size_t s = 0; role->kind == NHI_KIND_AWS_ROLE && version &&
                           s < version->statement_count;
             s++) {
            const nhi_statement *statement = &version->statements[s];
            if (!statement->allow || statement->not_principal ||
                !aws_statement_matches(statement, "sts:AssumeRole"))
                continue;
            for (size_t i = 0; i < statement->principal_count; i++) {
                const char *principal = statement->principals[i];
                const char *account;
                trusting_roles *list;
                if (strcmp(principal, "*") == 0 ||
                    strcmp(principal, "AWS:*") == 0) {
                    if (add_trusting(&trusting_everyone, t, statement) < 0)
                        return NHI_ENOMEM;
                    continue;
                }
                account = principal_account(p, principal);
                if (account == NULL)
                    continue;
                list = nhi_strmap_get(&trusting_cache, account,
                                      strlen(account));
                if (list == NULL) {
                    list = nhi_graph_alloc(p->graph, sizeof(*list));
                    if (list == NULL ||
                        nhi_strmap_put(&trusting_cache, account,
                                       strlen(account), list) < 0)
                        return NHI_ENOMEM;
                }
                if (add_trusting(list, t, statement) < 0)
                    return NHI_ENOMEM;
            }
        }
    }
    trusting_ready = true;
    return NHI_OK;
}

static void free_trusting(void)
{
    for (size_t i = 0; i < trusting_cache.capacity; i++) {
        trusting_roles *list = trusting_cache.slots[i].value;
        if (trusting_cache.slots[i].key && list) {
            free(list->roles);
            free((void *)list->trusts);
        }
    }
    nhi_strmap_free(&trusting_cache);
    free(trusting_everyone.roles);
    free((void *)trusting_everyone.trusts);
    memset(&trusting_everyone, 0, sizeof(trusting_everyone));
    trusting_ready = false;
}

static int link_trusting(paths *p, size_t h, const trusting_roles *list)
{
    const hub *item = &p->hubs[h];

    for (size_t i = 0; list && i < list->count && p->result >= 0; i++) {
        const nhi_identity *target = p->graph->identities[list->roles[i]];
        if (!nhi_glob_match(item->pattern, target->id, NHI_GLOB_CASE_SENSITIVE))
            continue;
        p->result = add_edge(p, p->graph->identity_count + h, list->roles[i],
                             item->kind, NULL, list->trusts[i], item->detail,
                             false);
    }
    return p->result;
}

static int link_assume_hub(paths *p, size_t h, const size_t *order,
                           size_t count)
{
    const hub *item = &p->hubs[h];

    (void)order;
    (void)count;
    if (!trusting_ready && index_trusting(p) < 0)
        return NHI_ENOMEM;
    link_trusting(p, h, nhi_strmap_get(&trusting_cache, item->account,
                                       strlen(item->account)));
    return link_trusting(p, h, &trusting_everyone);
}

static const nhi_graph *sorting_graph;

static int compare_ids(const void *left, const void *right)
{
    const nhi_identity *a = sorting_graph->identities[*(const size_t *)left];
    const nhi_identity *b = sorting_graph->identities[*(const size_t *)right];

    return strcmp(a->id, b->id);
}

/* First position in `order` whose id is not below `prefix`. */
static size_t lower_bound(const paths *p, const size_t *order, size_t count,
                          const char *prefix, size_t length)
{
    size_t low = 0, high = count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (strncmp(p->graph->identities[order[middle]]->id, prefix, length) <
            0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* Identities of one kind, sorted by id; for a service, the roles that
 * trust it, each with the trust statement. */
typedef struct target_list {
    const char *service; /* NULL for every role or every user */
    char principal[128]; /* Service:NAME, without the profile marker */
    bool needs_profile;  /* EC2 targets must have an instance profile */
    size_t *order;
    const nhi_statement **trusts;
    size_t count;
} target_list;

/* The Allow statement of `role`'s trust that admits `list`'s service, as
 * service_trust finds it. */
static const nhi_statement *list_trust(const nhi_identity *role,
                                       const target_list *list)
{
    const nhi_policy_version *version = aws_default_version(role->trust);

    if (list->needs_profile && role->instance_profile_count == 0)
        return NULL;
    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (statement->allow && !statement->not_principal &&
            (trusts_principal(statement, list->principal) ||
             trusts_principal(statement, "*") ||
             trusts_principal(statement, "AWS:*")) &&
            aws_statement_matches(statement, "sts:AssumeRole"))
            return statement;
    }
    return NULL;
}

/* Whether any trust statement of `role` names a service or everyone:
 * only those roles can be in a service list. */
static bool trusts_some_service(const nhi_identity *role)
{
    const nhi_policy_version *version = aws_default_version(role->trust);

    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        for (size_t i = 0; i < statement->principal_count; i++)
            if (strncmp(statement->principals[i], "Service:", 8) == 0 ||
                strcmp(statement->principals[i], "*") == 0 ||
                strcmp(statement->principals[i], "AWS:*") == 0)
                return true;
    }
    return false;
}

/* Fill every list from `sorted` (all identities, sorted by id) in one
 * pass: lists[0] gets the roles, lists[1] the users, and each further
 * list the roles that trust its service. */
static int fill_targets(paths *p, const size_t *sorted, target_list *lists,
                        size_t list_count)
{
    size_t count = p->graph->identity_count;

    for (size_t l = 0; l < list_count; l++) {
        lists[l].order = malloc((count + 1) * sizeof(*lists[l].order));
        lists[l].trusts = malloc((count + 1) * sizeof(*lists[l].trusts));
        if (lists[l].order == NULL || lists[l].trusts == NULL)
            return NHI_ENOMEM;
    }
    for (size_t k = 0; k < count; k++) {
        const nhi_identity *target = p->graph->identities[sorted[k]];
        target_list *list;
        if (target->kind == NHI_KIND_AWS_USER) {
            list = &lists[1];
            list->order[list->count] = sorted[k];
            list->trusts[list->count++] = NULL;
            continue;
        }
        if (target->kind != NHI_KIND_AWS_ROLE)
            continue;
        list = &lists[0];
        list->order[list->count] = sorted[k];
        list->trusts[list->count++] = NULL;
        if (!trusts_some_service(target))
            continue;
        for (size_t l = 2; l < list_count; l++) {
            const nhi_statement *trust = list_trust(target, &lists[l]);
            if (trust == NULL)
                continue;
            lists[l].order[lists[l].count] = sorted[k];
            lists[l].trusts[lists[l].count++] = trust;
        }
    }
    return NHI_OK;
}

static void free_targets(target_list *lists, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(lists[i].order);
        free(lists[i].trusts);
    }
    free(lists);
}

/* The lists link_hubs needs: every role, every user, then one list per
 * service that some hub passes roles to. NULL when out of memory. */
static target_list *target_lists(paths *p, const size_t *sorted,
                                 size_t *list_count)
{
    target_list *lists = calloc(p->hub_count + 2, sizeof(*lists));
    size_t count = 2;

    if (lists == NULL)
        return NULL;
    for (size_t h = 0; h < p->hub_count; h++) {
        const char *service = p->hubs[h].service;
        size_t l = 2, length, suffix = strlen(PROFILE_SUFFIX);
        if (service == NULL)
            continue;
        while (l < count && strcmp(lists[l].service, service) != 0)
            l++;
        if (l < count)
            continue;
        length = strlen(service);
        lists[l].service = service;
        lists[l].needs_profile =
            length > suffix &&
            strcmp(service + length - suffix, PROFILE_SUFFIX) == 0;
        snprintf(lists[l].principal, sizeof(lists[l].principal),
                 "Service:%.*s",
                 (int)(lists[l].needs_profile ? length - suffix : length),
                 service);
        count++;
    }
    *list_count = count;
    if (fill_targets(p, sorted, lists, count) < 0) {
        free_targets(lists, count);
        return NULL;
    }
    return lists;
}

/*
 * Hub edges to the targets each pattern matches. Identities are sorted by
 * id, so a pattern is matched only against the ids that start with its
 * literal prefix (all of them only for a pattern such as "*"). Users,
 * roles and the roles that trust each service are kept apart, so a hub
 * scans only the targets it can have.
 */
static int link_hubs(paths *p)
{
    size_t count = p->graph->identity_count, list_count = 0;
    size_t *order = malloc((count + 1) * sizeof(*order));
    target_list *lists = NULL;

    if (order == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    sorting_graph = p->graph;
    qsort(order, count, sizeof(*order), compare_ids);
    lists = target_lists(p, order, &list_count);
    if (lists == NULL)
        p->result = NHI_ENOMEM;

    for (size_t h = 0; h < p->hub_count && p->result >= 0; h++) {
        const hub *item = &p->hubs[h];
        bool roles = strcmp(item->kind, "create-access-key") != 0 &&
                     strcmp(item->kind, "create-login-profile") != 0 &&
                     strcmp(item->kind, "update-login-profile") != 0;
        const char *start = item->pattern;
        size_t prefix = strcspn(item->pattern, "*?");
        const target_list *list = &lists[roles ? 0 : 1];

        if (strcmp(item->kind, "assume-role") == 0) {
            p->result = link_assume_hub(p, h, order, count);
            continue;
        }
        /* Targets of IAM actions are in the callers' account: its ARN
         * prefix narrows a pattern such as "*". */
        if (item->scope && strlen(item->scope) > prefix) {
            if (strncmp(item->scope, item->pattern, prefix) != 0)
                continue; /* the pattern names another account */
            start = item->scope;
            prefix = strlen(item->scope);
        }
        if (item->service) {
            size_t l = 2;
            while (strcmp(lists[l].service, item->service) != 0)
                l++; /* target_lists made one for every hub service */
            list = &lists[l];
        }
        for (size_t k = lower_bound(p, list->order, list->count, start, prefix);
             k < list->count && p->result >= 0; k++) {
            size_t t = list->order[k];
            nhi_identity *target = p->graph->identities[t];
            if (strncmp(target->id, start, prefix) != 0)
                break; /* past the ids with the prefix */
            if (!customer_role(item->kind, target) ||
                !nhi_glob_match(item->pattern, target->id,
                                NHI_GLOB_CASE_SENSITIVE) ||
                strcmp(target->account, item->account) != 0)
                continue; /* IAM acts only in the caller's account */
            p->result = add_edge(p, p->graph->identity_count + h, t,
                                 item->kind, NULL, list->trusts[k],
                                 item->detail, false);
        }
    }
    free(order);
    if (lists)
        free_targets(lists, list_count);
    free_trusting();
    return p->result;
}

/* ---- self-escalation ---- */

/* Whether a policy version contains an unconditional Allow "*" on "*". */
static bool version_is_admin(const nhi_policy_version *version)
{
    for (size_t s = 0; version && s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow || statement->not_action ||
            statement->condition || statement->not_resource)
            continue;
        for (size_t a = 0; a < statement->action_count; a++)
            if (strcmp(statement->actions[a], "*") == 0)
                for (size_t r = 0; r < statement->resource_count; r++)
                    if (strcmp(statement->resources[r], "*") == 0)
                        return true;
    }
    return false;
}

static bool group_is_admin(const nhi_group *group)
{
    for (size_t i = 0; i < group->policy_count; i++)
        if (version_is_admin(aws_default_version(group->policies[i].policy)))
            return true;
    return false;
}

typedef struct self_check {
    const char *action;
    const char *resource;
    const char *how;
    bool possible; /* the step needs something the export does not show */
} self_check;

#define SELF_ACTIONS 8

/* The self hops link_self has found so far: a definite one ends the
 * search, and a possible one is kept while a definite one is looked for. */
typedef struct self_found {
    bool definite;
    bool possible;
    /* Whether the caller may do each action on some resource, asked once
     * per action, however many policies or groups are tried. */
    const char *actions[SELF_ACTIONS];
    permission on_any[SELF_ACTIONS];
    size_t action_count;
} self_found;

/* Whether `caller` may do `action` on some resource, from `found`'s memo. */
static permission may_on_any(const paths *p, const nhi_identity *caller,
                             const char *action, self_found *found)
{
    permission allowed;

    for (size_t i = 0; i < found->action_count; i++)
        if (found->actions[i] == action)
            return found->on_any[i];
    allowed = may(p, caller, action, NULL, NULL, NULL);
    if (found->action_count < SELF_ACTIONS) {
        found->actions[found->action_count] = action;
        found->on_any[found->action_count++] = allowed;
    }
    return allowed;
}

/* Try one way to edit the caller's own permissions; adds the self hop. */
static void try_self(paths *p, nhi_identity *caller, const self_check *check,
                     self_found *found)
{
    grant_source source = {0};
    permission allowed;
    bool possible;

    if (found->definite || check->resource == NULL)
        return;
    allowed = may_on_any(p, caller, check->action, found);
    /* Where the action is at best possible, one possible hop is enough. */
    if (allowed == PERMISSION_NO ||
        (allowed == PERMISSION_POSSIBLE && found->possible))
        return;
    allowed = may(p, caller, check->action, check->resource, NULL, &source);
    if (allowed == PERMISSION_NO)
        return;
    possible = check->possible || allowed == PERMISSION_POSSIBLE;
    if (possible && found->possible)
        return;
    p->result = add_edge(p, caller->index, caller->index, check->action,
                         &source, NULL, check->how, possible);
    if (possible)
        found->possible = true;
    else
        found->definite = true;
}

/*
 * An identity that can edit its own permissions can make itself admin:
 * its own inline or attached policies, its groups' policies, a new default
 * version of a policy attached to it, an older version made default again
 * (every version counts here), or membership of an admin group.
 */
static int link_self(paths *p, nhi_identity *caller)
{
    bool user = caller->kind == NHI_KIND_AWS_USER;
    self_found found = {0};
    char how[512];

    self_check own[] = {
        {user ? "iam:PutUserPolicy" : "iam:PutRolePolicy", caller->id,
         "write an inline policy granting itself everything", false},
        {user ? "iam:AttachUserPolicy" : "iam:AttachRolePolicy", caller->id,
         "attach AdministratorAccess to itself", false},
    };
    for (size_t i = 0; i < 2; i++)
        try_self(p, caller, &own[i], &found);

    for (size_t g = 0; user && !found.definite && g < caller->group_count;
         g++) {
        const nhi_group *group =
            nhi_graph_find_group(p->graph, caller->account, caller->groups[g]);
        if (group == NULL)
            continue;
        snprintf(how, sizeof(how), "edit the policies of its group %s",
                 group->name);
        self_check checks[] = {{"iam:PutGroupPolicy", group->arn, how, false},
                               {"iam:AttachGroupPolicy", group->arn, how,
                                false}};
        for (size_t i = 0; i < 2; i++)
            try_self(p, caller, &checks[i], &found);
    }

    for (size_t g = 0; user && !found.definite && g < p->admin_group_count &&
                       may_on_any(p, caller, "iam:AddUserToGroup", &found) !=
                           PERMISSION_NO;
         g++) {
        const nhi_group *group = p->admin_groups[g];
        snprintf(how, sizeof(how), "add itself to the admin group %s",
                 group->name);
        self_check check = {"iam:AddUserToGroup", group->arn, how, false};
        try_self(p, caller, &check, &found);
    }

    for (size_t i = 0; !found.definite && i < caller->policy_count; i++) {
        const nhi_policy *policy = caller->policies[i].policy;
        if (policy->kind != NHI_POLICY_MANAGED || policy->aws_managed ||
            policy->arn == NULL)
            continue;
        snprintf(how, sizeof(how), "create a new default version of its "
                                   "policy %s",
                 policy->name);
        self_check version = {"iam:CreatePolicyVersion", policy->arn, how,
                              false};
        try_self(p, caller, &version, &found);
        for (size_t v = 0; !found.definite && v < policy->version_count; v++) {
            if (v == policy->default_version ||
                !version_is_admin(&policy->versions[v]))
                continue;
            snprintf(how, sizeof(how), "make version %s of its policy %s, "
                                       "which allows everything, the default",
                     policy->versions[v].version_id
                         ? policy->versions[v].version_id
                         : "?",
                     policy->name);
            self_check old = {"iam:SetDefaultPolicyVersion", policy->arn, how,
                              false};
            try_self(p, caller, &old, &found);
        }
    }

    /* No version in the export allows everything, but the caller chooses
     * which version of its policy applies. So any version written later,
     * or one the export leaves out, is a step to admin. */
    for (size_t i = 0; !found.definite && !found.possible &&
                       i < caller->policy_count;
         i++) {
        const nhi_policy *policy = caller->policies[i].policy;
        if (policy->kind != NHI_POLICY_MANAGED || policy->aws_managed ||
            policy->arn == NULL)
            continue;
        if (policy->version_count == 1)
            snprintf(how, sizeof(how),
                     "make another version of its policy %s the default, "
                     "which needs a version that allows everything: the "
                     "export shows only the default one",
                     policy->name);
        else
            snprintf(how, sizeof(how),
                     "make another version of its policy %s the default, "
                     "which needs a version that allows everything: none "
                     "of the %zu versions in the export does",
                     policy->name, policy->version_count);
        self_check other = {"iam:SetDefaultPolicyVersion", policy->arn, how,
                            true};
        try_self(p, caller, &other, &found);
    }
    return p->result;
}

/* ---- reachability and findings ---- */

#define UNREACHED SIZE_MAX

/*
 * Hops written into one finding. A chain of thousands of roles is still
 * searched and counted in full, but its finding shows the first hops and
 * the number that follow: writing every hop of every identity of a long
 * chain would grow with the square of its length.
 */
#define MAX_REPORTED_HOPS 32

typedef struct reach {
    size_t *distance; /* by node; hops to an admin identity */
    size_t *next;     /* by node: the edge taken toward admin */
    size_t *self;     /* by identity: its self-escalation edge, or UNREACHED */
} reach;

/* Edges out of a hub cost nothing: the hop is source to target. */
static size_t weight(const paths *p, const edge *item)
{
    return item->from >= p->graph->identity_count ? 0 : 1;
}

/*
 * One 0-1 breadth-first search backwards from every admin identity gives
 * each node its shortest distance to admin and the first edge of that
 * path: O(nodes + edges) for the whole graph, not one search per pair.
 */
static int search(paths *p, reach *r, bool with_possible, const bool *seeds)
{
    size_t nodes = p->graph->identity_count + p->hub_count;
    size_t *incoming_start = calloc(nodes + 2, sizeof(size_t));
    size_t *incoming = calloc(p->edge_count + 1, sizeof(size_t));
    size_t *deque = calloc(2 * (nodes + p->edge_count) + 2, sizeof(size_t));
    size_t head = nodes + p->edge_count + 1, tail = head;
    int result = NHI_OK;

    r->distance = malloc((nodes + 1) * sizeof(size_t));
    r->next = malloc((nodes + 1) * sizeof(size_t));
    r->self = malloc((p->graph->identity_count + 1) * sizeof(size_t));
    if (!incoming_start || !incoming || !deque || !r->distance || !r->next ||
        !r->self) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t n = 0; n < nodes; n++)
        r->distance[n] = r->next[n] = UNREACHED;
    for (size_t i = 0; i < p->graph->identity_count; i++)
        r->self[i] = UNREACHED;

    /* Incoming edges of each node, counting sort by target. */
    for (size_t e = 0; e < p->edge_count; e++) {
        if (p->edges[e].possible && !with_possible)
            continue;
        if (p->edges[e].from == p->edges[e].to) {
            r->self[p->edges[e].from] = e;
            continue;
        }
        incoming_start[p->edges[e].to + 1]++;
    }
    for (size_t n = 0; n < nodes; n++)
        incoming_start[n + 1] += incoming_start[n];
    {
        size_t *fill = calloc(nodes + 1, sizeof(size_t));
        if (fill == NULL) {
            result = NHI_ENOMEM;
            goto out;
        }
        for (size_t e = 0; e < p->edge_count; e++) {
            size_t to = p->edges[e].to;
            if (p->edges[e].from != to &&
                (with_possible || !p->edges[e].possible))
                incoming[incoming_start[to] + fill[to]++] = e;
        }
        free(fill);
    }

    /* Seeds: the given identities, else the admins and self-escalators. */
    for (size_t i = 0; i < p->graph->identity_count; i++) {
        if (seeds ? !seeds[i] : !p->admin[i] && r->self[i] == UNREACHED)
            continue;
        r->distance[i] = 0;
        deque[tail++] = i;
    }
    while (head < tail) {
        size_t node = deque[head++];
        for (size_t k = incoming_start[node]; k < incoming_start[node + 1];
             k++) {
            const edge *item = &p->edges[incoming[k]];
            size_t cost = weight(p, item);
            size_t candidate = r->distance[node] + cost;
            if (candidate >= r->distance[item->from])
                continue;
            r->distance[item->from] = candidate;
            r->next[item->from] = incoming[k];
            if (cost == 0)
                deque[--head] = item->from;
            else
                deque[tail++] = item->from;
        }
    }
out:
    free(incoming_start);
    free(incoming);
    free(deque);
    return result;
}

static char *statement_label(const nhi_statement *statement)
{
    if (statement == NULL)
        return NULL;
    if (statement->sid && statement->sid[0])
        return nhi_asprintf("%s (Statement[%u])", statement->sid,
                            statement->index);
    return nhi_asprintf("Statement[%u]", statement->index);
}

static int add_hop(nhi_finding *finding, const paths *p, const edge *first,
                   const edge *last)
{
    const nhi_identity *from = p->graph->identities[first->from];
    const nhi_identity *to = p->graph->identities[last->to];
    const nhi_policy *policy = first->source.policy;
    char *statement = statement_label(first->source.statement);
    char *label = policy ? nhi_asprintf("%s%s%s", policy->name,
                                        first->source.via_group
                                            ? " through group "
                                            : "",
                                        first->source.via_group
                                            ? first->source.via_group
                                            : "")
                         : NULL;
    char *detail = nhi_asprintf("%s%s", first->detail ? first->detail : "",
                                first->possible || last->possible
                                    ? " (possible: under a condition or a "
                                      "resource nhi cannot see)"
                                    : "");
    nhi_hop *hop = nhi_finding_add_hop(
        finding, from->id, to->id, first->kind,
        policy ? policy->location.source : from->location.source,
        policy ? policy->location.line : from->location.line,
        policy ? policy->location.column : from->location.column,
        policy ? policy->location.json_path : from->location.json_path, label,
        statement, detail);
    int result = hop && nhi_finding_add_evidence(
                            finding, hop->evidence.source, hop->evidence.line,
                            hop->evidence.column, hop->evidence.location,
                            label, statement, detail)
                     ? NHI_OK
                     : NHI_ENOMEM;

    free(statement);
    free(label);
    free(detail);
    return result;
}

/*
 * Report the path of `start` under `rule`. Escalation paths end at an
 * admin or with a self hop; other searches end at a seed (`to_seed`).
 */
/* Steps that edges across providers made in a Kubernetes cluster. */
static bool kubernetes_step(const char *kind)
{
    static const char *const kinds[] = {
        "irsa",        "create-pod",   "create-workload",  "exec-pod",
        "impersonate", "create-token", "read-token-secret"};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

static int report(paths *p, const reach *r, size_t start,
                  const nhi_rule_info *rule, bool to_seed)
{
    nhi_identity *identity = p->graph->identities[start];
    const nhi_decl_set *decls = &p->audit->workspace->decls;
    nhi_severity severity = nhi_audit_severity(p->audit, rule);
    size_t node = start, hops = 0, guard = 0;
    bool possible = false;
    nhi_finding *finding;
    nhi_buf route = {0};
    const nhi_identity *end;
    int result = NHI_OK;

    /* Walk once to learn the end and whether a hop is only possible. */
    nhi_buf_puts(&route, identity->name);
    while (r->next[node] != UNREACHED && guard++ <= p->edge_count) {
        const edge *item = &p->edges[r->next[node]];
        possible = possible || item->possible;
        node = item->to;
        if (node < p->graph->identity_count) {
            if (hops < MAX_REPORTED_HOPS)
                nhi_buf_printf(&route, " -> %s",
                               p->graph->identities[node]->name);
            else if (hops == MAX_REPORTED_HOPS)
                nhi_buf_puts(&route, " -> ...");
            hops++;
        }
    }
    end = p->graph->identities[node];
    if (!to_seed && !p->admin[node]) {
        possible = possible || p->edges[r->self[node]].possible;
        nhi_buf_printf(&route, " -> admin (%s)", p->edges[r->self[node]].kind);
        hops++;
    }
    if (possible)
        severity = nhi_severity_lower(severity);
    if (to_seed)
        finding = nhi_findings_add(
            &p->audit->findings, rule, severity, identity,
            identity->declaration >= 0 ? &decls->items[identity->declaration]
                                       : NULL,
            end->id,
            "%s identity %s reach the %s identity %s in %zu step%s: %s",
            identity->environment, possible ? "can possibly" : "can",
            end->environment, end->name, hops, hops == 1 ? "" : "s",
            route.data ? route.data : "");
    else
        finding = nhi_findings_add(
            &p->audit->findings, rule, severity, identity,
            identity->declaration >= 0 ? &decls->items[identity->declaration]
                                       : NULL,
            end->id, "%s reach administrator access in %zu step%s: %s",
            possible ? "can possibly" : "can", hops, hops == 1 ? "" : "s",
            route.data ? route.data : "");
    nhi_buf_free(&route);
    if (finding == NULL)
        return NHI_ENOMEM;
    /* A path that starts in a cluster is cut in the cluster. */
    if (r->next[start] != UNREACHED &&
        kubernetes_step(p->edges[r->next[start]].kind) &&
        !nhi_finding_set_remedy(
            finding, "Remove the Kubernetes right behind the first hop: the "
                     "binding in its evidence, or the IRSA annotation or the "
                     "role's trust in the cluster's OIDC provider."))
        return NHI_ENOMEM;

    node = start;
    guard = 0;
    while (result >= 0 && r->next[node] != UNREACHED &&
           guard++ <= p->edge_count) {
        const edge *first = &p->edges[r->next[node]];
        const edge *last = first;
        if (first->to >= p->graph->identity_count) /* through a hub */
            last = &p->edges[r->next[first->to]];
        if (finding->path_count < MAX_REPORTED_HOPS)
            result = add_hop(finding, p, first, last);
        node = last->to;
    }
    if (result >= 0 && hops > MAX_REPORTED_HOPS) {
        char note[96];
        snprintf(note, sizeof(note), "%zu more hops are not shown",
                 hops - MAX_REPORTED_HOPS);
        result = nhi_finding_add_evidence(finding, identity->location.source,
                                          0, 0, NULL, NULL, NULL, note)
                     ? NHI_OK
                     : NHI_ENOMEM;
    }
    if (result >= 0 && !to_seed && !p->admin[node])
        result = add_hop(finding, p, &p->edges[r->self[node]],
                         &p->edges[r->self[node]]);
    return result;
}

/* A finding for a prohibited entry reached at `found` from `origin`. */
static int report_reachable(paths *p, const nhi_rule_info *rule,
                            const nhi_decl *decl, const nhi_decl_action *entry,
                            size_t origin, size_t found, const size_t *parent)
{
    nhi_identity *identity = p->graph->identities[origin];
    size_t chain[MAX_REPORTED_HOPS * 2 + 2], length = 0, node = found;
    bool possible = false;
    nhi_finding *finding;
    int result = NHI_OK;

    /* Collect the edges backwards, then write the hops in order. */
    while (node != origin && length < sizeof(chain) / sizeof(chain[0])) {
        const edge *item = &p->edges[parent[node]];
        chain[length++] = parent[node];
        possible = possible || item->possible;
        node = item->from;
    }
    finding = nhi_findings_add(
        &p->audit->findings, rule,
        possible ? nhi_severity_lower(nhi_audit_severity(p->audit, rule))
                 : nhi_audit_severity(p->audit, rule),
        identity, decl, entry->text,
        "prohibited action '%s' is %sreachable: %s can become %s, which is "
        "granted it",
        entry->text, possible ? "possibly " : "", identity->name,
        p->graph->identities[found]->name);
    if (finding == NULL)
        return NHI_ENOMEM;
    for (size_t i = length; i > 0 && result >= 0; i--) {
        const edge *first = &p->edges[chain[i - 1]];
        const edge *last = first;
        if (first->to >= p->graph->identity_count) {
            if (i < 2)
                break;
            last = &p->edges[chain[--i - 1]];
        }
        if (finding->path_count < MAX_REPORTED_HOPS)
            result = add_hop(finding, p, first, last);
    }
    return result;
}

static void free_reach(reach *r)
{
    free(r->distance);
    free(r->next);
    free(r->self);
    memset(r, 0, sizeof(*r));
}

/*
 * move.cross-environment: the same backward search, seeded with the
 * production identities, finds every non-production identity (with a
 * known environment) that can become one of them.
 */
static int cross_environment(paths *p)
{
    const nhi_rule_info *rule = nhi_rule_find("move.cross-environment");
    nhi_graph *graph = p->graph;
    bool *seeds = calloc(graph->identity_count + 1, sizeof(bool));
    reach definite = {0}, any = {0};
    bool some = false;
    int result = seeds ? NHI_OK : NHI_ENOMEM;

    for (size_t i = 0; seeds && i < graph->identity_count; i++) {
        seeds[i] = nhi_environment_is_production(
            graph->identities[i]->environment);
        some = some || seeds[i];
    }
    if (result >= 0 && some)
        result = search(p, &definite, false, seeds);
    if (result >= 0 && some)
        result = search(p, &any, true, seeds);
    for (size_t i = 0; result >= 0 && some && i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        if (seeds[i] || identity->environment == NULL ||
            any.distance[i] == UNREACHED ||
            identity->class_ == NHI_CLASS_PROVIDER_MANAGED)
            continue;
        result = report(p, definite.distance[i] != UNREACHED ? &definite : &any,
                        i, rule, true);
    }
    free_reach(&definite);
    free_reach(&any);
    free(seeds);
    return result;
}

/* Whether the identity's grant contains an action of the declared entry. */
static int grants_entry(paths *p, const nhi_identity *identity,
                        const nhi_decl_action *entry)
{
    const char **patterns = NULL;
    size_t count = nhi_decl_aws_patterns(p->audit->workspace->catalog, entry,
                                         &patterns);
    size_t *terms = NULL, matched = 0;
    aws_grant grant;
    int result;

    if (count == 0)
        return 0;
    if (p->admin[identity->index])
        return 1;
    result = aws_grant_build(p->eval, identity, &grant);
    if (result >= 0)
        result = aws_grant_matching(&grant, patterns, count, &terms, &matched);
    aws_grant_free(&grant);
    free(terms);
    return result < 0 ? result : matched > 0;
}

/*
 * scope.prohibited-action-reachable: from each declared identity, a
 * forward breadth-first search over the edges finds the nearest identity
 * it can become that holds a prohibited action it does not hold itself.
 */
static int prohibited_reachable(paths *p)
{
    const nhi_rule_info *rule = nhi_rule_find("scope.prohibited-action-reachable");
    const nhi_decl_set *decls = &p->audit->workspace->decls;
    size_t nodes = p->graph->identity_count + p->hub_count;
    size_t *start = calloc(nodes + 2, sizeof(size_t));
    size_t *outgoing = calloc(p->edge_count + 1, sizeof(size_t));
    size_t *parent = malloc((nodes + 1) * sizeof(size_t));
    size_t *queue = malloc((nodes + 1) * sizeof(size_t));
    int result = NHI_OK;

    if (!start || !outgoing || !parent || !queue) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t e = 0; e < p->edge_count; e++)
        start[p->edges[e].from + 1]++;
    for (size_t n = 0; n < nodes; n++)
        start[n + 1] += start[n];
    {
        size_t *fill = calloc(nodes + 1, sizeof(size_t));
        if (fill == NULL) {
            result = NHI_ENOMEM;
            goto out;
        }
        for (size_t e = 0; e < p->edge_count; e++)
            outgoing[start[p->edges[e].from] + fill[p->edges[e].from]++] = e;
        free(fill);
    }

    for (size_t d = 0; result >= 0 && d < decls->count; d++) {
        const nhi_decl *decl = &decls->items[d];
        const nhi_binding_list *bound = &p->audit->bound[d];
        if (!decl->valid || decl->prohibited_count == 0)
            continue;
        for (size_t b = 0; result >= 0 && b < bound->count; b++) {
            size_t origin = bound->items[b]->index, head = 0, tail = 0;
            for (size_t a = 0; result >= 0 && a < decl->prohibited_count; a++) {
                const nhi_decl_action *entry = &decl->prohibited[a];
                size_t found = UNREACHED;
                /* Granted directly is scope.prohibited-action's finding. */
                if (grants_entry(p, bound->items[b], entry) != 0)
                    continue;
                for (size_t n = 0; n < nodes; n++)
                    parent[n] = UNREACHED;
                head = tail = 0;
                queue[tail++] = origin;
                parent[origin] = SIZE_MAX - 1;
                while (head < tail && found == UNREACHED && result >= 0) {
                    size_t node = queue[head++];
                    for (size_t k = start[node]; k < start[node + 1]; k++) {
                        size_t next = p->edges[outgoing[k]].to;
                        if (parent[next] != UNREACHED)
                            continue;
                        parent[next] = outgoing[k];
                        queue[tail++] = next;
                        if (next < p->graph->identity_count &&
                            (result = grants_entry(p, p->graph->identities[next],
                                                   entry)) == 1) {
                            found = next;
                            break;
                        }
                    }
                }
                if (result < 0 || found == UNREACHED)
                    continue;
                result = report_reachable(p, rule, decl, entry, origin, found,
                                          parent);
            }
        }
    }
out:
    free(start);
    free(outgoing);
    free(parent);
    free(queue);
    return result;
}

/* Keep the edges in the audit, for `nhi graph` and `nhi explain`. */
/*
 * Keep the valid edges that leave or reach the identities (a CI job to its
 * role, a role to its Kubernetes groups) as steps too, so that `nhi graph`
 * shows whole chains. Their consumers and subjects become other nodes.
 */
static int keep_other_steps(paths *p)
{
    nhi_audit *audit = p->audit;
    const nhi_graph *graph = p->graph;
    size_t base = graph->identity_count + audit->pattern_node_count;
    size_t extra = 0;
    nhi_step *steps;

    for (size_t e = 0; e < graph->edge_count; e++)
        extra += graph->edges[e].valid &&
                 (graph->edges[e].from_kind != NHI_NODE_IDENTITY ||
                  graph->edges[e].to_kind != NHI_NODE_IDENTITY);
    /* Namespace edges are counted but kept as pattern nodes: an upper
     * bound is enough for the allocation. */
    if (extra == 0)
        return NHI_OK;
    steps = realloc(audit->steps,
                    (audit->step_count + extra + 1) * sizeof(*steps));
    audit->other_nodes = calloc(graph->consumer_count + extra + 1,
                                sizeof(*audit->other_nodes));
    if (steps == NULL || audit->other_nodes == NULL) {
        if (steps)
            audit->steps = steps;
        return NHI_ENOMEM;
    }
    audit->steps = steps;
    for (size_t c = 0; c < graph->consumer_count; c++)
        audit->other_nodes[audit->other_node_count++] = graph->consumers[c]->id;
    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *link = &graph->edges[e];
        nhi_step *step;
        size_t to;

        if (!link->valid || (link->from_kind == NHI_NODE_IDENTITY &&
                             link->to_kind == NHI_NODE_IDENTITY) ||
            (link->to_kind == NHI_NODE_K8S_SUBJECT &&
             strncmp(link->to_label, "namespace:", 10) == 0))
            continue; /* kept as steps already, or as a namespace node */
        if (link->to_kind == NHI_NODE_K8S_SUBJECT) {
            /* One node per subject label; labels are interned. */
            size_t n = graph->consumer_count;
            while (n < audit->other_node_count &&
                   audit->other_nodes[n] != link->to_label)
                n++;
            if (n == audit->other_node_count)
                audit->other_nodes[audit->other_node_count++] = link->to_label;
            to = base + n;
        } else {
            to = link->to;
        }
        step = &audit->steps[audit->step_count++];
        step->from = link->from_kind == NHI_NODE_CONSUMER ? base + link->from
                                                          : link->from;
        step->to = to;
        step->kind = link->kind;
        step->detail = link->detail;
        step->possible = link->possible;
    }
    return NHI_OK;
}

static int keep_steps(paths *p)
{
    nhi_audit *audit = p->audit;

    audit->steps = calloc(p->edge_count + 1, sizeof(*audit->steps));
    audit->pattern_nodes = calloc(p->hub_count + 1,
                                  sizeof(*audit->pattern_nodes));
    if (audit->steps == NULL || audit->pattern_nodes == NULL)
        return NHI_ENOMEM;
    for (size_t e = 0; e < p->edge_count; e++) {
        const edge *item = &p->edges[e];
        nhi_step *step = &audit->steps[audit->step_count++];
        step->from = item->from;
        step->to = item->to;
        step->kind = item->kind;
        step->detail = item->detail;
        step->possible = item->possible;
    }
    for (size_t h = 0; h < p->hub_count; h++) {
        char label[512];
        snprintf(label, sizeof(label), "%s %s%s%s", p->hubs[h].kind,
                 p->hubs[h].pattern, p->hubs[h].service ? " to " : "",
                 p->hubs[h].service ? p->hubs[h].service : "");
        audit->pattern_nodes[h] = nhi_graph_intern(p->graph, label);
        if (audit->pattern_nodes[h] == NULL)
            return NHI_ENOMEM;
    }
    audit->pattern_node_count = p->hub_count;
    return keep_other_steps(p);
}

/*
 * Largest memory for exact reachable sets (one bit per identity for each
 * strongly connected component): 256 MiB, which covers graphs up to about
 * 45,000 identities when every identity is its own component. Above it,
 * counts are upper bounds: the sum over successors, which counts an
 * identity reached two ways twice.
 */
#define BLAST_MEMORY_MAX ((size_t)256 << 20)

/* Capabilities each identity holds itself, from the scope findings. */
static void own_capabilities(const paths *p, unsigned *mask)
{
    const nhi_findings *findings = &p->audit->findings;

    for (size_t i = 0; i < findings->count; i++) {
        const nhi_finding *finding = &findings->items[i];
        if (finding->identity == NULL)
            continue;
        if (strcmp(finding->rule->id, "scope.full-admin") == 0) {
            mask[finding->identity->index] |= (1u << NHI_CAPABILITY_AWS_COUNT) - 1;
            continue;
        }
        if (strcmp(finding->rule->id, "k8s.cluster-admin") == 0) {
            mask[finding->identity->index] |= NHI_CAPABILITY_KUBERNETES_ADMIN;
            continue;
        }
        if (strcmp(finding->rule->id, "scope.sensitive-wildcard") != 0)
            continue;
        for (unsigned bit = 1; bit < NHI_CAPABILITY_AWS_COUNT; bit++)
            if (strcmp(finding->subject, nhi_capability_name(bit)) == 0)
                mask[finding->identity->index] |= 1u << bit;
    }
    for (size_t i = 0; i < p->graph->identity_count; i++)
        if (p->admin[i])
            mask[i] |= (1u << NHI_CAPABILITY_AWS_COUNT) - 1;
}

/* The own capabilities of every node of blast_radius (identities, then
 * pattern nodes and accounts, which hold none), or NULL. */
static unsigned *blast_masks(const paths *p)
{
    size_t nodes = p->graph->identity_count + p->hub_count +
                   p->graph->account_count;
    unsigned *mask = calloc(nodes + 1, sizeof(unsigned));

    if (mask)
        own_capabilities(p, mask);
    return mask;
}

/*
 * Blast radius: how many identities each can become, and the sensitive
 * capabilities they add up to. `mask` contains each node's own capabilities
 * (see blast_masks) and is freed here. The strongly connected components of the
 * graph (Tarjan's algorithm, iterative, so chains of any length are safe)
 * come out sinks first, so each component's set is its members plus the
 * union of its successors' sets, computed once for all identities.
 */
static int blast_radius(paths *p, unsigned *mask)
{
    nhi_audit *audit = p->audit;
    size_t identities = p->graph->identity_count;
    size_t accounts = p->graph->account_count;
    /* An admin can become any identity of its account: one node per
     * account stands for that, with an edge from each admin and to each
     * identity of the account (the path rules do not need these). */
    size_t nodes = identities + p->hub_count + accounts;
    size_t extra = 2 * identities;
    size_t *account_node = calloc(identities + 1, sizeof(size_t));
    size_t *start = calloc(nodes + 2, sizeof(size_t));
    size_t *adjacent = calloc(p->edge_count + extra + 1, sizeof(size_t));
    size_t *index = malloc((nodes + 1) * sizeof(size_t));
    size_t *low = malloc((nodes + 1) * sizeof(size_t));
    size_t *component = malloc((nodes + 1) * sizeof(size_t));
    size_t *stack = malloc((nodes + 1) * sizeof(size_t));
    size_t *call = malloc((nodes + 1) * sizeof(size_t)); /* DFS stack */
    size_t *cursor = malloc((nodes + 1) * sizeof(size_t));
    bool *on_stack = calloc(nodes + 1, sizeof(bool));
    size_t *count = NULL, *members = NULL, components = 0, counter = 0;
    size_t depth = 0, top = 0, words = (identities + 63) / 64;
    uint64_t *sets = NULL;
    unsigned *component_mask = NULL;
    /* The words of each component's set that may be nonzero, so that a
     * union copies only those: reachable identities are mostly close in
     * index, because the export lists each account's identities together. */
    size_t *first_word = NULL, *last_word = NULL;
    size_t *bucket = NULL;
    int result = NHI_OK;

    audit->blast_radius = calloc(identities + 1, sizeof(size_t));
    audit->blast_capabilities = calloc(identities + 1, sizeof(unsigned));
    if (!start || !adjacent || !index || !low || !component || !stack ||
        !call || !cursor || !on_stack || !mask || !audit->blast_radius ||
        !audit->blast_capabilities) {
        result = NHI_ENOMEM;
        goto out;
    }
    if (account_node == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < identities; i++) {
        const char *account = p->graph->identities[i]->account;
        account_node[i] = SIZE_MAX;
        for (size_t a = 0; account && a < accounts; a++)
            if (strcmp(p->graph->accounts[a], account) == 0)
                account_node[i] = identities + p->hub_count + a;
    }
    for (size_t e = 0; e < p->edge_count; e++)
        if (p->edges[e].from != p->edges[e].to)
            start[p->edges[e].from + 1]++;
    for (size_t i = 0; i < identities; i++) {
        if (account_node[i] == SIZE_MAX)
            continue;
        start[account_node[i] + 1]++; /* account -> identity */
        if (p->admin[i])
            start[i + 1]++;           /* admin -> account */
    }
    for (size_t n = 0; n < nodes; n++)
        start[n + 1] += start[n];
    memset(cursor, 0, (nodes + 1) * sizeof(size_t));
    for (size_t e = 0; e < p->edge_count; e++)
        if (p->edges[e].from != p->edges[e].to)
            adjacent[start[p->edges[e].from] + cursor[p->edges[e].from]++] =
                p->edges[e].to;
    for (size_t i = 0; i < identities; i++) {
        size_t node = account_node[i];
        if (node == SIZE_MAX)
            continue;
        adjacent[start[node] + cursor[node]++] = i;
        if (p->admin[i])
            adjacent[start[i] + cursor[i]++] = node;
    }
    for (size_t n = 0; n < nodes; n++)
        index[n] = UNREACHED;

    /* Tarjan's strongly connected components, without recursion. */
    for (size_t root = 0; root < nodes; root++) {
        if (index[root] != UNREACHED)
            continue;
        call[depth++] = root;
        cursor[root] = start[root];
        index[root] = low[root] = counter++;
        stack[top++] = root;
        on_stack[root] = true;
        while (depth > 0) {
            size_t node = call[depth - 1];
            if (cursor[node] < start[node + 1]) {
                size_t next = adjacent[cursor[node]++];
                if (index[next] == UNREACHED) {
                    index[next] = low[next] = counter++;
                    stack[top++] = next;
                    on_stack[next] = true;
                    cursor[next] = start[next];
                    call[depth++] = next;
                } else if (on_stack[next] && index[next] < low[node]) {
                    low[node] = index[next];
                }
                continue;
            }
            depth--;
            if (depth > 0 && low[node] < low[call[depth - 1]])
                low[call[depth - 1]] = low[node];
            if (low[node] != index[node])
                continue;
            size_t member;
            do {
                member = stack[--top];
                on_stack[member] = false;
                component[member] = components;
            } while (member != node);
            components++;
        }
    }

    /* Components in creation order are sinks first. */
    count = calloc(components + 1, sizeof(size_t));
    members = calloc(components + 1, sizeof(size_t));
    component_mask = calloc(components + 1, sizeof(unsigned));
    if (count == NULL || members == NULL || component_mask == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t n = 0; n < identities; n++) {
        members[component[n]]++;
        component_mask[component[n]] |= mask[n];
    }
    audit->blast_bounded = components > 0 &&
                           words > BLAST_MEMORY_MAX / 8 / components;
    if (!audit->blast_bounded && components > 0) {
        sets = calloc(components * words + 1, sizeof(uint64_t));
        if (sets == NULL)
            audit->blast_bounded = true;
    }
    if (sets) {
        first_word = malloc((components + 1) * sizeof(size_t));
        last_word = calloc(components + 1, sizeof(size_t));
        if (first_word == NULL || last_word == NULL) {
            result = NHI_ENOMEM;
            goto out;
        }
        for (size_t c = 0; c < components; c++)
            first_word[c] = SIZE_MAX;
    }
    for (size_t n = 0; sets && n < identities; n++) {
        size_t c = component[n], w = n / 64;
        sets[c * words + w] |= (uint64_t)1 << (n % 64);
        first_word[c] = w < first_word[c] ? w : first_word[c];
        last_word[c] = w > last_word[c] ? w : last_word[c];
    }

    /* Visit nodes by component, sinks first: each component takes the
     * sets, counts and capabilities of its successors. */
    size_t *order = cursor; /* reused: nodes sorted by component */
    bucket = calloc(components + 2, sizeof(size_t));
    if (bucket == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t n = 0; n < nodes; n++)
        bucket[component[n] + 1]++;
    for (size_t c = 0; c < components; c++)
        bucket[c + 1] += bucket[c];
    for (size_t n = 0; n < nodes; n++)
        order[bucket[component[n]]++] = n;
    for (size_t k = 0; k < nodes; k++) {
        size_t node = order[k], from = component[node];
        for (size_t a = start[node]; a < start[node + 1]; a++) {
            size_t to = component[adjacent[a]];
            if (to == from)
                continue;
            component_mask[from] |= component_mask[to];
            if (sets && first_word[to] != SIZE_MAX) {
                for (size_t w = first_word[to]; w <= last_word[to]; w++)
                    sets[from * words + w] |= sets[to * words + w];
                if (first_word[to] < first_word[from])
                    first_word[from] = first_word[to];
                if (last_word[to] > last_word[from])
                    last_word[from] = last_word[to];
            } else if (!sets) {
                count[from] += count[to] + members[to];
            }
        }
    }
    for (size_t n = 0; n < identities; n++) {
        size_t c = component[n], total = 0;
        if (sets && first_word[c] != SIZE_MAX)
            for (size_t w = first_word[c]; w <= last_word[c]; w++)
                total += (size_t)__builtin_popcountll(sets[c * words + w]);
        else if (!sets)
            total = count[c] + members[c];
        total = total > identities ? identities : total;
        audit->blast_radius[n] = total > 0 ? total - 1 : 0; /* not itself */
        audit->blast_capabilities[n] = component_mask[c];
    }
out:
    free(bucket);
    free(component_mask);
    free(first_word);
    free(last_word);
    free(account_node);
    free(start);
    free(adjacent);
    free(index);
    free(low);
    free(component);
    free(stack);
    free(call);
    free(cursor);
    free(on_stack);
    free(mask);
    free(count);
    free(members);
    free(sets);
    return result;
}

/* Targets tried per caller for an edit-then-become step: bounds the work
 * for callers that can become thousands of identities. */
#define MODIFY_CANDIDATES 256

/* The action that edits a target's permissions, by target kind. */
static const char *const modify_user[] = {"iam:PutUserPolicy",
                                          "iam:AttachUserPolicy"};
static const char *const modify_role[] = {"iam:PutRolePolicy",
                                          "iam:AttachRolePolicy"};


/* The data every modify search reads: the edges built before it, by source
 * node, and whether each policy has an Allow that can name a modify
 * action. */
typedef struct modify_graph {
    size_t *start;    /* by node: first index into `outgoing` */
    size_t *outgoing; /* edge numbers, grouped by source node */
    bool *allows;     /* by policy index */
} modify_graph;

/* Scratch space of one thread's searches: nodes seen in the current
 * search carry its stamp, their identity depth, the first step's kind and
 * whether a step on the way is only possible. */
typedef struct modify_scratch {
    size_t *seen;
    size_t *depth;
    size_t *queue;
    const char **first_kind;
    bool *maybe;
    size_t stamp;
} modify_scratch;

static int scratch_init(modify_scratch *scratch, size_t nodes)
{
    memset(scratch, 0, sizeof(*scratch));
    scratch->seen = calloc(nodes + 1, sizeof(size_t));
    scratch->depth = calloc(nodes + 1, sizeof(size_t));
    scratch->queue = malloc((nodes + 1) * sizeof(size_t));
    scratch->first_kind = calloc(nodes + 1, sizeof(*scratch->first_kind));
    scratch->maybe = calloc(nodes + 1, sizeof(bool));
    return scratch->seen && scratch->depth && scratch->queue &&
                   scratch->first_kind && scratch->maybe
               ? NHI_OK
               : NHI_ENOMEM;
}

static void scratch_free(modify_scratch *scratch)
{
    free(scratch->seen);
    free(scratch->depth);
    free(scratch->queue);
    free(scratch->first_kind);
    free(scratch->maybe);
}

/*
 * Add the self hop of caller `i`, when it can edit the permissions of an
 * identity it can become: a breadth-first search over the edges of
 * `graph`, nearest targets first.
 * NOTE: at most MODIFY_CANDIDATES targets are tried per caller, so a
 * caller whose grant matches only a farther one is missed.
 */
static int modify_one(paths *p, const modify_graph *graph,
                      modify_scratch *scratch, size_t i)
{
    size_t identities = p->graph->identity_count;
    nhi_identity *caller = p->graph->identities[i];
    bool users = false, roles = false, done = false, any = false;
    size_t tried = 0, head = 0, tail = 0;
    char how[512];

    if (p->admin[i])
        return p->result;
    for (size_t k = 0; k < caller->policy_count && !any; k++)
        any = graph->allows[caller->policies[k].policy->index];
    if (!any)
        return p->result;
    for (size_t a = 0; a < 2; a++) {
        users = users || may(p, caller, modify_user[a], NULL, NULL, NULL) !=
                             PERMISSION_NO;
        roles = roles || may(p, caller, modify_role[a], NULL, NULL, NULL) !=
                             PERMISSION_NO;
    }
    if (!users && !roles)
        return p->result;

    scratch->stamp++;
    scratch->seen[i] = scratch->stamp;
    scratch->depth[i] = 0;
    scratch->queue[tail++] = i;
    while (head < tail && !done && p->result >= 0 &&
           tried < MODIFY_CANDIDATES) {
        size_t node = scratch->queue[head++];
        for (size_t k = graph->start[node];
             k < graph->start[node + 1] && !done && p->result >= 0 &&
             tried < MODIFY_CANDIDATES;
             k++) {
            const edge *hop = &p->edges[graph->outgoing[k]];
            size_t next = hop->to;
            const char *const *actions;
            nhi_identity *target;
            if (scratch->seen[next] == scratch->stamp)
                continue;
            scratch->seen[next] = scratch->stamp;
            scratch->depth[next] = scratch->depth[node] + (next < identities);
            scratch->first_kind[next] =
                node == i ? hop->kind : scratch->first_kind[node];
            scratch->maybe[next] =
                (node != i && scratch->maybe[node]) || hop->possible;
            scratch->queue[tail++] = next;
            if (next >= identities)
                continue;
            tried++;
            target = p->graph->identities[next];
            if (target->kind == NHI_KIND_AWS_USER && users)
                actions = modify_user;
            else if (target->kind == NHI_KIND_AWS_ROLE && roles)
                actions = modify_role;
            else
                continue;
            for (size_t a = 0; a < 2 && !done; a++) {
                grant_source source = {0};
                permission allowed = may(p, caller, actions[a], target->id,
                                         NULL, &source);
                if (allowed == PERMISSION_NO)
                    continue;
                if (scratch->depth[next] <= 1)
                    snprintf(how, sizeof(how), "%s on %s, then %s it",
                             actions[a], target->name,
                             scratch->first_kind[next]);
                else
                    snprintf(how, sizeof(how),
                             "%s on %s, then become it in %zu steps, "
                             "the first %s",
                             actions[a], target->name, scratch->depth[next],
                             scratch->first_kind[next]);
                p->result = add_edge(p, i, i, actions[a], &source, NULL, how,
                                     allowed == PERMISSION_POSSIBLE ||
                                         scratch->maybe[next]);
                done = true;
            }
        }
    }
    return p->result;
}

/* One pass over every identity on several threads: each unit of
 * LINK_CHUNK identities adds its steps through a copy of `paths` that
 * logs them. */
typedef struct unit_run {
    paths *p;
    /* Add the steps of identity `i` through `p`. */
    void (*visit)(paths *p, const void *shared, modify_scratch *scratch,
                  size_t i);
    const void *shared;  /* read by every thread */
    size_t scratch_size; /* nodes of each thread's scratch space; 0: none */
    step_log *logs;      /* by unit */
    int *results;        /* by unit */
} unit_run;

/* A thread's own scratch space and condition cache. */
typedef struct unit_thread {
    modify_scratch scratch;
    int ready;
    bool own_cache;
} unit_thread;

static void *unit_begin(void *context)
{
    unit_run *run = context;
    unit_thread *thread = calloc(1, sizeof(*thread));

    if (thread == NULL)
        return NULL;
    thread->ready = run->scratch_size
                        ? scratch_init(&thread->scratch, run->scratch_size)
                        : NHI_OK;
    /* The calling thread keeps the cache it already has. */
    thread->own_cache = condition_arena == NULL;
    if (thread->own_cache)
        condition_arena = nhi_arena_new();
    return thread;
}

static void unit_visit(void *context, void *state, size_t unit)
{
    unit_run *run = context;
    unit_thread *thread = state;
    size_t identities = run->p->graph->identity_count;
    size_t end = (unit + 1) * LINK_CHUNK;
    paths copy = *run->p;

    copy.log = &run->logs[unit];
    copy.log->arena = nhi_arena_new();
    copy.result = thread == NULL || copy.log->arena == NULL ? NHI_ENOMEM
                                                            : thread->ready;
    if (end > identities)
        end = identities;
    for (size_t i = unit * LINK_CHUNK; copy.result >= 0 && i < end; i++)
        run->visit(&copy, run->shared, &thread->scratch, i);
    run->results[unit] = copy.result;
}

static void unit_end(void *context, void *state)
{
    unit_thread *thread = state;

    (void)context;
    if (thread == NULL)
        return;
    if (thread->own_cache) {
        nhi_strmap_free(&condition_cache);
        nhi_arena_free(condition_arena);
        condition_arena = NULL;
    }
    scratch_free(&thread->scratch);
    free(thread);
}

/*
 * Visit every identity on every processor. Each unit of identities logs
 * its steps, and the logs are replayed in unit order, so edges and hubs
 * come out as one thread would make them.
 */
static int run_units(paths *p,
                     void (*visit)(paths *, const void *, modify_scratch *,
                                   size_t),
                     const void *shared, size_t scratch_size)
{
    size_t identities = p->graph->identity_count;
    unit_run run = {p, visit, shared, scratch_size, NULL, NULL};
    nhi_units units = {(identities + LINK_CHUNK - 1) / LINK_CHUNK, &run,
                       unit_begin, unit_visit, unit_end};

    if (nhi_thread_count() == 1 || units.count < 2) {
        modify_scratch scratch = {0};
        if (scratch_size)
            p->result = scratch_init(&scratch, scratch_size);
        for (size_t i = 0; i < identities && p->result >= 0; i++)
            visit(p, shared, &scratch, i);
        scratch_free(&scratch);
        return p->result;
    }
    run.logs = calloc(units.count + 1, sizeof(*run.logs));
    run.results = calloc(units.count + 1, sizeof(*run.results));
    if (run.logs == NULL || run.results == NULL) {
        free(run.logs);
        free(run.results);
        return p->result = NHI_ENOMEM;
    }
    nhi_units_run(&units);
    for (size_t u = 0; u < units.count; u++) {
        if (p->result >= 0 && run.results[u] < 0)
            p->result = run.results[u];
        if (p->result >= 0)
            replay(p, &run.logs[u]);
        free(run.logs[u].steps);
        nhi_arena_free(run.logs[u].arena);
    }
    free(run.logs);
    free(run.results);
    return p->result;
}

static void visit_modify(paths *p, const void *shared,
                         modify_scratch *scratch, size_t i)
{
    modify_one(p, shared, scratch, i);
}

/*
 * An identity that can edit another identity's permissions and can also
 * become it (assume it, create its keys, ... through any chain of the
 * edges already built) can make it admin first: a self hop. Each caller
 * with such a grant is checked once, on every processor; the edges are
 * added in caller order, as one thread would add them.
 */
static int link_modify_then_become(paths *p)
{
    size_t identities = p->graph->identity_count;
    size_t nodes = identities + p->hub_count;
    size_t *fill = calloc(nodes + 1, sizeof(size_t));
    modify_graph graph = {calloc(nodes + 2, sizeof(size_t)),
                          calloc(p->edge_count + 1, sizeof(size_t)),
                          calloc(p->graph->policy_count + 1, sizeof(bool))};

    if (!fill || !graph.start || !graph.outgoing || !graph.allows) {
        p->result = NHI_ENOMEM;
        goto out;
    }
    for (size_t e = 0; e < p->edge_count; e++)
        graph.start[p->edges[e].from + 1]++;
    for (size_t n = 0; n < nodes; n++)
        graph.start[n + 1] += graph.start[n];
    for (size_t e = 0; e < p->edge_count; e++)
        graph.outgoing[graph.start[p->edges[e].from] +
                       fill[p->edges[e].from]++] = e;
    /* Per policy, once: whether some Allow can name a modify action. */
    for (size_t k = 0; k < p->graph->policy_count; k++) {
        const nhi_policy_version *version =
            aws_default_version(p->graph->policies[k]);
        for (size_t s = 0; version && s < version->statement_count; s++)
            for (size_t a = 0; a < 2; a++)
                if (version->statements[s].allow &&
                    (aws_statement_matches(&version->statements[s],
                                           modify_user[a]) ||
                     aws_statement_matches(&version->statements[s],
                                           modify_role[a])))
                    graph.allows[k] = true;
    }

    run_units(p, visit_modify, &graph, nodes);
out:
    free(fill);
    free(graph.start);
    free(graph.outgoing);
    free(graph.allows);
    return p->result;
}

/*
 * Edges of other providers, so that paths and blast radius run through
 * them: identity-to-identity ones (a service account becoming an AWS role
 * through IRSA), and the rights over every account of a namespace. Each
 * such namespace becomes one pattern node with an edge to each of its
 * service accounts, so the graph stays linear in the accounts.
 */
static int link_cross_provider(paths *p)
{
    const nhi_graph *graph = p->graph;
    size_t first_hub = p->hub_count;

    for (size_t e = 0; e < graph->edge_count; e++) {
        const nhi_edge *link = &graph->edges[e];
        size_t to = link->to;
        if (link->from_kind != NHI_NODE_IDENTITY || !link->valid)
            continue;
        if (link->to_kind == NHI_NODE_K8S_SUBJECT &&
            strncmp(link->to_label, "namespace:", 10) == 0) {
            to = hub_for(p, "namespace", link->to_label + 10, NULL, NULL,
                         NULL, "a pod spec, a token request or impersonation "
                               "may name any service account of the "
                               "namespace");
            if (to == SIZE_MAX)
                return p->result;
        } else if (link->to_kind != NHI_NODE_IDENTITY) {
            continue;
        }
        if (add_edge(p, link->from, to, link->kind, NULL, NULL, link->detail,
                     link->possible) < 0)
            return NHI_ENOMEM;
    }
    /* Each new namespace node leads to every account of its namespace. */
    for (size_t i = 0; first_hub < p->hub_count && i < graph->identity_count;
         i++) {
        const nhi_identity *account = graph->identities[i];
        const char *label;
        size_t number;
        if (account->kind != NHI_KIND_K8S_SERVICE_ACCOUNT ||
            account->path == NULL ||
            (label = nhi_k8s_namespace_label(p->graph, account->account,
                                             account->path)) == NULL)
            continue;
        char key[1100];
        int length = snprintf(key, sizeof(key), "namespace\x1f%s\x1f\x1f",
                              label + 10);
        if (length < 0 || (size_t)length >= sizeof(key))
            continue;
        number = (size_t)(uintptr_t)nhi_strmap_get(&p->hub_index, key,
                                                   (size_t)length);
        if (number == 0 || number - 1 < first_hub)
            continue;
        if (add_edge(p, graph->identity_count + number - 1, i, "runs-in",
                     NULL, NULL, NULL, false) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* Add the edges that start at one identity, and the trust by ARN into it
 * when it is a role. */
static int link_identity(paths *p, nhi_identity *identity)
{
    if (identity->provider != NHI_PROVIDER_AWS)
        return p->result;
    /* Edges into an admin matter; edges out of one do not. */
    if (identity->kind == NHI_KIND_AWS_ROLE)
        link_trust_by_arn(p, identity);
    if (!p->admin[identity->index]) {
        link_self(p, identity);
        link_caller(p, identity);
    }
    return p->result;
}

static void visit_link(paths *p, const void *shared, modify_scratch *scratch,
                       size_t i)
{
    (void)shared;
    (void)scratch;
    link_identity(p, p->graph->identities[i]);
}

typedef struct blast_job {
    paths *p;
    unsigned *mask; /* freed by blast_radius */
    int result;
} blast_job;

static void *blast_run(void *data)
{
    blast_job *job = data;

    job->result = blast_radius(job->p, job->mask);
    return NULL;
}

int nhi_rules_escalation(nhi_audit *audit)
{
    paths p = {0};
    reach r = {0}, definite = {0};
    blast_job blast = {NULL, NULL, NHI_OK};
    pthread_t blast_thread;
    bool blast_started = false;
    nhi_graph *graph = audit->graph;
    int result;

    p.audit = audit;
    p.graph = graph;
    condition_arena = nhi_arena_new();
    p.admin_groups = calloc(graph->group_count + 1, sizeof(*p.admin_groups));
    for (size_t g = 0; p.admin_groups && g < graph->group_count; g++)
        if (group_is_admin(graph->groups[g]))
            p.admin_groups[p.admin_group_count++] = graph->groups[g];
    p.admin = calloc(graph->identity_count + 1, sizeof(bool));
    p.allowed = calloc(graph->identity_count + 1, sizeof(*p.allowed));
    result = p.admin && p.allowed ? aws_eval_new(graph, &p.eval) : NHI_ENOMEM;
    for (size_t i = 0; result >= 0 && i < graph->identity_count; i++)
        join_allow_masks(graph->identities[i], &p.allowed[i]);

    for (size_t i = 0; result >= 0 && i < graph->identity_count; i++) {
        aws_grant grant;
        if (audit->admin && audit->admin[i] >= 0) {
            p.admin[i] = audit->admin[i] == 1;
            continue;
        }
        result = aws_grant_build(p.eval, graph->identities[i], &grant);
        if (result >= 0)
            result = aws_grant_is_admin(p.eval, &grant);
        if (result >= 0)
            p.admin[i] = result == 1;
        aws_grant_free(&grant);
    }
    if (result >= 0)
        result = run_units(&p, visit_link, NULL, 0);
    if (result >= 0)
        result = link_hubs(&p);
    if (result >= 0)
        result = link_modify_then_become(&p);
    if (result >= 0)
        result = link_cross_provider(&p);
    /* The blast radius reads the finished edges and writes only its own
     * arrays, so it runs beside the searches and their findings. */
    if (result >= 0) {
        blast.p = &p;
        blast.mask = blast_masks(&p);
        result = blast.mask ? NHI_OK : NHI_ENOMEM;
    }
    if (result >= 0 && nhi_thread_count() > 1 &&
        pthread_create(&blast_thread, NULL, blast_run, &blast) == 0)
        blast_started = true;
    /* Paths of definite steps first; possible steps only where no
     * definite path exists. */
    if (result >= 0)
        result = search(&p, &definite, false, NULL);
    if (result >= 0)
        result = search(&p, &r, true, NULL);

    for (size_t i = 0; result >= 0 && i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        if (p.admin[i] || r.distance[i] == UNREACHED ||
            identity->class_ == NHI_CLASS_PROVIDER_MANAGED)
            continue;
        result = report(&p, definite.distance[i] != UNREACHED ? &definite : &r,
                        i, nhi_rule_find("move.escalation-path"), false);
    }
    if (result >= 0)
        result = keep_steps(&p);
    if (result >= 0)
        result = cross_environment(&p);
    if (result >= 0)
        result = prohibited_reachable(&p);
    if (blast_started) {
        pthread_join(blast_thread, NULL);
        if (result >= 0)
            result = blast.result;
    } else if (result >= 0) {
        result = blast_radius(&p, blast.mask);
    } else {
        free(blast.mask);
    }

    free_reach(&r);
    free_reach(&definite);
    free(p.edges);
    free(p.hubs);
    free(p.admin);
    free(p.allowed);
    free(p.admin_groups);
    nhi_strmap_free(&p.hub_index);
    nhi_strmap_free(&condition_cache);
    nhi_arena_free(condition_arena);
    condition_arena = NULL;
    aws_eval_free(p.eval);
    return result < 0 ? result : NHI_OK;
}
