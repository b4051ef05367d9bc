/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the GitLab CI reader: consumers, logins, literals and
 * errors from the pipelines under tests/fixtures/gitlab and from small
 * pipelines written to a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/consumer.h"
#include "nhi/graph.h"
#include "ytree.h"

/*
 * The fixtures are under NHI_FIXTURES (the tests/fixtures folder), else
 * found from this source file. The shared corpus is under NHI_CORPUS, else
 * at ../shared/corpus beside the source tree. __FILE__ is relative to the
 * compiler's directory, which is also where the tests run.
 */
static void source_relative(char *buffer, size_t size, const char *variable,
                            const char *relative, const char *name)
{
    const char *root = getenv(variable);
    const char *slash = strrchr(__FILE__, '/');
    int directory = slash ? (int)(slash - __FILE__) : 1;

    if (root && root[0] != '\0')
        snprintf(buffer, size, "%s/%s", root, name);
    else
        snprintf(buffer, size, "%.*s/%s/%s", directory, slash ? __FILE__ : ".",
                 relative, name);
}

/* Join a folder and a name. A path that does not fit fails the test. */
static void join_path(char *buffer, size_t size, const char *folder,
                      const char *name)
{
    int length = snprintf(buffer, size, "%s/%s", folder, name);

    assert_true(length > 0 && (size_t)length < size);
}

typedef struct read_state {
    nhi_graph *graph;
    nhi_diags diags;
    int result;
    char folder[4096];
    char path[4096];
    /* Files written by write_file, removed by free_state. */
    char written[8][4096];
    size_t written_count;
} read_state;

static read_state *new_state(void)
{
    read_state *state = calloc(1, sizeof(*state));

    assert_non_null(state);
    nhi_diags_init(&state->diags);
    assert_int_equal(nhi_graph_new(&state->graph), NHI_OK);
    return state;
}

static void print_diags(const nhi_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        const nhi_error *error = &diags->items[i];
        print_message("%s:%u:%u: %s [%s]\n", error->path, error->line,
                      error->column, error->message,
                      error->hint ? error->hint : "");
    }
}

static void read_path(read_state *state, const char *project)
{
    state->graph->reading_repository = project;
    state->result = nhi_gitlab_read(state->graph, state->path,
                                    &state->diags);
    print_diags(&state->diags);
}

/* Read tests/fixtures/gitlab/NAME/.gitlab-ci.yml. */
static read_state *read_fixture(const char *name, const char *project)
{
    read_state *state = new_state();
    char relative[256];

    snprintf(relative, sizeof(relative), "gitlab/%s", name);
    source_relative(state->folder, sizeof(state->folder), "NHI_FIXTURES",
                    "../fixtures", relative);
    join_path(state->path, sizeof(state->path), state->folder,
              ".gitlab-ci.yml");
    read_path(state, project);
    return state;
}

/* A state with an empty temporary project folder. */
static read_state *temp_project(void)
{
    read_state *state = new_state();

    snprintf(state->folder, sizeof(state->folder), "/tmp/nhi-gitlab-XXXXXX");
    assert_non_null(mkdtemp(state->folder));
    join_path(state->path, sizeof(state->path), state->folder,
              ".gitlab-ci.yml");
    return state;
}

/* Write `text` to NAME in the project folder, or in its `ci/` folder. */
static void write_file(read_state *state, const char *name, const char *text)
{
    char *path;
    FILE *file;

    assert_true(state->written_count < 8);
    path = state->written[state->written_count++];
    if (strncmp(name, "ci/", 3) == 0) {
        join_path(path, 4096, state->folder, "ci");
        mkdir(path, 0700);
    }
    join_path(path, 4096, state->folder, name);
    file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

/* Write `text` as the project's .gitlab-ci.yml and read it. */
static read_state *read_text(const char *text)
{
    read_state *state = temp_project();

    write_file(state, ".gitlab-ci.yml", text);
    read_path(state, NULL);
    return state;
}

static void free_state(read_state *state)
{
    char ci[4200];

    for (size_t i = 0; i < state->written_count; i++)
        unlink(state->written[i]);
    if (state->written_count > 0) {
        join_path(ci, sizeof(ci), state->folder, "ci");
        rmdir(ci);
        rmdir(state->folder);
    }
    nhi_graph_free(state->graph);
    nhi_diags_free(&state->diags);
    free(state);
}

/* The path of a fixture file as the reader names it in locations. */
static void fixture_file(const read_state *state, const char *name,
                         char *buffer, size_t size)
{
    join_path(buffer, size, state->folder, name);
}

static void assert_location(const nhi_location *location, const char *source,
                            unsigned line, unsigned column,
                            const char *json_path)
{
    assert_string_equal(location->source, source);
    assert_int_equal(location->line, line);
    assert_int_equal(location->column, column);
    assert_string_equal(location->json_path, json_path);
}

static void assert_diag(const nhi_error *error, nhi_level level,
                        const char *path, unsigned line, unsigned column,
                        const char *message)
{
    assert_int_equal(error->level, level);
    assert_string_equal(error->path, path);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
    assert_non_null(error->hint);
}

/* A login's kind, target, secret, key id, step and audience. */
static void assert_login(const nhi_login *login, nhi_login_kind kind,
                         const char *target, bool expression,
                         const char *secret, const char *key_id,
                         const char *step, const char *audience)
{
    assert_int_equal(login->kind, kind);
    if (target)
        assert_string_equal(login->target, target);
    else
        assert_null(login->target);
    assert_int_equal(login->target_expression, expression);
    if (secret)
        assert_string_equal(login->secret, secret);
    else
        assert_null(login->secret);
    if (key_id)
        assert_string_equal(login->key_id, key_id);
    else
        assert_null(login->key_id);
    assert_string_equal(login->step, step);
    if (audience)
        assert_string_equal(login->audience, audience);
    else
        assert_null(login->audience);
}

static void assert_consumer(const nhi_consumer *consumer, const char *id,
                            const char *job, const char *deployment,
                            bool id_token, size_t login_count)
{
    assert_int_equal(consumer->kind, NHI_CONSUMER_GITLAB_JOB);
    assert_string_equal(consumer->id, id);
    assert_string_equal(consumer->job, job);
    if (deployment)
        assert_string_equal(consumer->deployment, deployment);
    else
        assert_null(consumer->deployment);
    assert_int_equal(consumer->id_token, id_token);
    assert_int_equal(consumer->login_count, login_count);
}

static nhi_ynode *parse_root(const char *text, nhi_yfile **file)
{
    nhi_diags diags;

    nhi_diags_init(&diags);
    assert_int_equal(nhi_yaml_parse("sniff.yml", text, strlen(text), file,
                                    &diags),
                     NHI_OK);
    nhi_diags_free(&diags);
    assert_int_equal((*file)->count, 1);
    return (*file)->documents[0];
}

static bool sniff_text(const char *text)
{
    nhi_yfile *file = NULL;
    bool result = nhi_gitlab_sniff(parse_root(text, &file));

    nhi_yfile_free(file);
    return result;
}

/* ---- Sniffing ---------------------------------------------------------- */

static void sniff_pipeline_shapes(void **state)
{
    (void)state;
    assert_true(sniff_text("stages: [test]\nunit:\n  script: make test\n"));
    assert_true(sniff_text("child:\n  trigger: ci/child.yml\n"));
    assert_true(sniff_text("build:\n  extends: .base\n"));
    assert_true(sniff_text("steps:\n  run:\n    - name: hello\n"));
    assert_true(sniff_text(".t: &t\n  script: [x]\njob:\n  <<: *t\n"));
}

static void sniff_rejects_others(void **state)
{
    (void)state;
    /* A GitHub workflow has `on:` and `jobs:`. */
    assert_false(sniff_text("on: push\njobs:\n  build:\n    steps: []\n"
                            "deploy:\n  script: x\n"));
    assert_false(sniff_text("apiVersion: v1\nkind: Pod\nspec:\n"
                            "  script: x\n"));
    assert_false(sniff_text("workload_identity:\n  name: x\n"
                            "job:\n  script: x\n"));
    /* Only global keywords and hidden jobs are not enough. */
    assert_false(sniff_text("variables:\n  A: b\ndefault:\n  script: x\n"));
    assert_false(sniff_text("job:\n  stage: test\n"));
    assert_false(sniff_text("- script: x\n"));
}

/* Every GitHub workflow of the corpus is not a GitLab pipeline. */
static void sniff_corpus_workflows(void **state)
{
    char folder[2048];
    DIR *directory;
    struct dirent *entry;
    size_t checked = 0;

    (void)state;
    source_relative(folder, sizeof(folder), "NHI_CORPUS",
                    "../../../shared/corpus", "gha-workflows/realworld-oidc");
    directory = opendir(folder);
    if (directory == NULL) {
        print_message("corpus not found at %s; set NHI_CORPUS\n", folder);
        skip();
    }
    while ((entry = readdir(directory)) != NULL) {
        char path[4096];
        nhi_yfile *file = NULL;
        nhi_diags diags;
        if (entry->d_name[0] == '.')
            continue;
        join_path(path, sizeof(path), folder, entry->d_name);
        nhi_diags_init(&diags);
        nhi_yaml_load(path, &file, &diags);
        for (size_t i = 0; file && i < file->count; i++) {
            if (nhi_gitlab_sniff(file->documents[i]))
                print_message("sniffed as GitLab: %s\n", path);
            assert_false(nhi_gitlab_sniff(file->documents[i]));
        }
        checked++;
        nhi_yfile_free(file);
        nhi_diags_free(&diags);
    }
    closedir(directory);
    assert_true(checked > 0);
}

/* ---- Fixtures ---------------------------------------------------------- */

static void gitlab_aws_oidc(void **unused)
{
    read_state *state = read_fixture("aws-oidc", NULL);
    const nhi_consumer *consumer;
    char path[4200];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", path, sizeof(path));
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    assert_int_equal(state->graph->consumer_count, 3);
    assert_int_equal(state->graph->plaintext_count, 0);

    consumer = state->graph->consumers[0];
    assert_consumer(consumer, "unknown#assume-role", "assume-role",
                    "production", true, 1);
    assert_null(consumer->repository);
    assert_null(consumer->workflow);
    assert_location(&consumer->location, path, 9, 1, "assume-role");
    /* The `when: never` rule for "experimental" adds no branch. */
    assert_int_equal(consumer->branch_count, 2);
    assert_string_equal(consumer->branches[0], "main");
    assert_string_equal(consumer->branches[1], "release");
    assert_int_equal(consumer->tag_count, 0);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/gitlab-deployer", false,
                 NULL, NULL, "script", "https://gitlab.example.com");
    assert_location(&consumer->logins[0].location, path, 25, 7,
                    "assume-role.script[0]");

    consumer = state->graph->consumers[1];
    assert_consumer(consumer, "unknown#sdk-token-file", "sdk-token-file",
                    "staging", true, 1);
    assert_int_equal(consumer->branch_count, 1);
    assert_string_equal(consumer->branches[0], "main");
    assert_int_equal(consumer->tag_count, 1);
    assert_string_equal(consumer->tags[0], "*");
    /* The first entry of an `aud` list is the audience. */
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/gitlab-reader", false, NULL,
                 NULL, "variables", "sts.amazonaws.com");
    assert_location(&consumer->logins[0].location, path, 44, 19,
                    "sdk-token-file.variables.AWS_ROLE_ARN");

    /* A role from a project variable is not known here. */
    consumer = state->graph->consumers[2];
    assert_consumer(consumer, "unknown#unresolved-role", "unresolved-role",
                    NULL, true, 1);
    assert_int_equal(consumer->branch_count, 0);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE, "$DEPLOY_ROLE",
                 true, NULL, NULL, "script", "sts.amazonaws.com");
    assert_location(&consumer->logins[0].location, path, 60, 7,
                    "unresolved-role.script[0]");
    free_state(state);
}

static void gitlab_project_name(void **unused)
{
    read_state *state = read_fixture("aws-oidc", "acme/payments");

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->graph->consumer_count, 3);
    assert_string_equal(state->graph->consumers[0]->id,
                        "acme/payments#assume-role");
    assert_string_equal(state->graph->consumers[0]->repository,
                        "acme/payments");
    assert_string_equal(state->graph->consumers[2]->id,
                        "acme/payments#unresolved-role");
    free_state(state);
}

static void gitlab_static_keys(void **unused)
{
    read_state *state = read_fixture("static-keys", NULL);
    const nhi_consumer *consumer;
    const nhi_plaintext *plaintext;
    char path[4200];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", path, sizeof(path));
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    assert_int_equal(state->graph->consumer_count, 4);

    consumer = state->graph->consumers[0];
    assert_consumer(consumer, "unknown#upload", "upload", NULL, false, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_KEY, NULL, false, NULL,
                 "AKIAQ7K2M9X4T1W8R5N3", "variables", NULL);
    assert_location(&consumer->logins[0].location, path, 9, 24,
                    "upload.variables.AWS_ACCESS_KEY_ID");

    /* The expanded form `value:` referencing another variable. */
    consumer = state->graph->consumers[1];
    assert_consumer(consumer, "unknown#prod-upload", "prod-upload", NULL,
                    false, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_KEY, NULL, false,
                 "$PROD_KEY_ID", NULL, "variables", NULL);
    assert_location(&consumer->logins[0].location, path, 16, 14,
                    "prod-upload.variables.PROD_AWS_ACCESS_KEY_ID");

    /* Dummy keys for tests are no login. */
    consumer = state->graph->consumers[2];
    assert_consumer(consumer, "unknown#unit-tests", "unit-tests", NULL, false,
                    0);

    /* $AWS_ACCESS_KEY_ID from the project's CI/CD variables. */
    consumer = state->graph->consumers[3];
    assert_consumer(consumer, "unknown#project-variables",
                    "project-variables", NULL, false, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_KEY, NULL, false,
                 "$AWS_ACCESS_KEY_ID", NULL, "script", NULL);
    assert_location(&consumer->logins[0].location, path, 30, 7,
                    "project-variables.script[0]");

    /* Fingerprints: the first 16 hex digits of SHA-256 of each value. */
    assert_int_equal(state->graph->plaintext_count, 3);
    plaintext = state->graph->plaintexts[0];
    assert_string_equal(plaintext->kind, "aws-secret-access-key");
    assert_string_equal(plaintext->fingerprint, "e36b77403e1ba131");
    assert_string_equal(plaintext->key, "AWS_SECRET_ACCESS_KEY");
    assert_null(plaintext->consumer);
    assert_location(&plaintext->location, path, 5, 26,
                    "variables.AWS_SECRET_ACCESS_KEY");

    plaintext = state->graph->plaintexts[1];
    assert_string_equal(plaintext->kind, "aws-access-key-id");
    assert_string_equal(plaintext->fingerprint, "60b136f838a92471");
    assert_string_equal(plaintext->key, "AWS_ACCESS_KEY_ID");
    assert_ptr_equal(plaintext->consumer, state->graph->consumers[0]);
    assert_location(&plaintext->location, path, 9, 24,
                    "upload.variables.AWS_ACCESS_KEY_ID");

    plaintext = state->graph->plaintexts[2];
    assert_string_equal(plaintext->kind, "gitlab-token");
    assert_string_equal(plaintext->fingerprint, "e8202d5a2457c738");
    assert_string_equal(plaintext->key, "GITLAB_TOKEN");
    assert_ptr_equal(plaintext->consumer, state->graph->consumers[3]);
    assert_location(&plaintext->location, path, 32, 7,
                    "project-variables.script[2]");
    free_state(state);
}

static void gitlab_gcp_azure(void **unused)
{
    read_state *state = read_fixture("gcp-azure", NULL);
    const nhi_consumer *consumer;
    char path[4200];
    static const char provider[] =
        "projects/123456789012/locations/global/workloadIdentityPools/"
        "gitlab-pool/providers/gitlab-provider";

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", path, sizeof(path));
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    assert_int_equal(state->graph->consumer_count, 5);
    assert_int_equal(state->graph->plaintext_count, 0);

    /* create-cred-config in a plain scalar folded over several lines. */
    consumer = state->graph->consumers[0];
    assert_consumer(consumer, "unknown#gcp-federated", "gcp-federated", NULL,
                    true, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_GCP_FEDERATION, provider,
                 false, NULL, NULL, "script",
                 "https://iam.googleapis.com/projects/123456789012/locations/"
                 "global/workloadIdentityPools/gitlab-pool/providers/"
                 "gitlab-provider");
    assert_location(&consumer->logins[0].location, path, 14, 7,
                    "gcp-federated.script[1]");

    consumer = state->graph->consumers[1];
    assert_consumer(consumer, "unknown#gcp-provider-variable",
                    "gcp-provider-variable", NULL, true, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_GCP_FEDERATION, provider,
                 false, NULL, NULL, "variables",
                 "//iam.googleapis.com/projects/123456789012/locations/"
                 "global/workloadIdentityPools/gitlab-pool/providers/"
                 "gitlab-provider");
    assert_location(&consumer->logins[0].location, path, 26, 37,
                    "gcp-provider-variable.variables."
                    "GCP_WORKLOAD_IDENTITY_PROVIDER");

    consumer = state->graph->consumers[2];
    assert_consumer(consumer, "unknown#gcp-key", "gcp-key", NULL, false, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_GCP_KEY, NULL, false,
                 "$GCP_SA_JSON", NULL, "variables", NULL);
    assert_location(&consumer->logins[0].location, path, 32, 22,
                    "gcp-key.variables.GCP_SERVICE_KEY");

    consumer = state->graph->consumers[3];
    assert_consumer(consumer, "unknown#azure-federated", "azure-federated",
                    NULL, true, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AZURE_FEDERATION,
                 "00000000-1111-2222-3333-444444444444", false, NULL, NULL,
                 "script", "api://AzureADTokenExchange");
    assert_location(&consumer->logins[0].location, path, 45, 7,
                    "azure-federated.script[0]");

    /* `az login --password "$ARM_CLIENT_SECRET"`, and the variable that
     * holds it, are one login of the secret it references. */
    consumer = state->graph->consumers[4];
    assert_consumer(consumer, "unknown#azure-secret", "azure-secret", NULL,
                    false, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AZURE_SECRET,
                 "$ARM_CLIENT_ID", true, "$AZURE_SP_SECRET", NULL,
                 "before_script", NULL);
    assert_location(&consumer->logins[0].location, path, 52, 7,
                    "azure-secret.before_script[0]");
    free_state(state);
}

static void gitlab_templates(void **unused)
{
    read_state *state = read_fixture("templates", NULL);
    const nhi_consumer *consumer;
    char path[4200];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", path, sizeof(path));
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    /* Hidden jobs are templates, not consumers. */
    assert_int_equal(state->graph->consumer_count, 4);

    /* extends, an alias used as the environment, default id_tokens, and
     * the template's variable over the global one. */
    consumer = state->graph->consumers[0];
    assert_consumer(consumer, "unknown#deploy-staging", "deploy-staging",
                    "staging", true, 1);
    assert_location(&consumer->location, path, 43, 1, "deploy-staging");
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/staging", false, NULL, NULL,
                 "script", "https://gitlab.example.com");
    /* The script is the anchored list of the hidden `.aws-login`. */
    assert_location(&consumer->logins[0].location, path, 13, 5,
                    "deploy-staging.script[0]");

    /* A list of templates: the later one wins. */
    consumer = state->graph->consumers[1];
    assert_consumer(consumer, "unknown#deploy-production",
                    "deploy-production", "production", true, 1);
    assert_int_equal(consumer->tag_count, 1);
    assert_string_equal(consumer->tags[0], "*");
    assert_int_equal(consumer->branch_count, 0);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/production", false, NULL,
                 NULL, "script", "https://gitlab.example.com");

    /* Merge keys: the job's own `variables` replaces the merged one. */
    consumer = state->graph->consumers[2];
    assert_consumer(consumer, "unknown#merged-job", "merged-job", NULL, true,
                    2);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/base", false, NULL, NULL,
                 "script", "https://gitlab.example.com");
    assert_location(&consumer->logins[0].location, path, 13, 5,
                    "merged-job.script[0][0]");
    assert_login(&consumer->logins[1], NHI_LOGIN_GCP_FEDERATION,
                 "projects/1/locations/global/workloadIdentityPools/ci/"
                 "providers/gitlab",
                 false, NULL, NULL, "variables",
                 "https://gitlab.example.com");
    assert_location(&consumer->logins[1].location, path, 41, 35,
                    "merged-job.variables.GCP_WORKLOAD_IDENTITY_PROVIDER");

    /* inherit: no default id_tokens, no global variables. */
    consumer = state->graph->consumers[3];
    assert_consumer(consumer, "unknown#no-default", "no-default", NULL, false,
                    1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE, "$DEPLOY_ROLE",
                 true, NULL, NULL, "script", NULL);
    assert_location(&consumer->logins[0].location, path, 63, 7,
                    "no-default.script[0]");
    free_state(state);
}

static void gitlab_include_local(void **unused)
{
    read_state *state = read_fixture("include", NULL);
    const nhi_consumer *consumer;
    char top[4200], aws[4200], nested[4200];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", top, sizeof(top));
    fixture_file(state, "ci/aws.yml", aws, sizeof(aws));
    fixture_file(state, "ci/nested.yml", nested, sizeof(nested));
    /* Includes that cannot be read offline are warnings. */
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 3);
    assert_int_equal(state->diags.errors, 0);
    assert_diag(&state->diags.items[0], NHI_LEVEL_WARNING, top, 5, 5,
                "remote include 'https://example.com/ci/shared.yml' is not "
                "read offline: its jobs are not seen");
    assert_diag(&state->diags.items[1], NHI_LEVEL_WARNING, top, 6, 5,
                "template include 'Security/SAST.gitlab-ci.yml' is not read "
                "offline: its jobs are not seen");
    assert_diag(&state->diags.items[2], NHI_LEVEL_WARNING, top, 7, 5,
                "project include 'platform/ci-templates' is not read "
                "offline: its jobs are not seen");

    /* The top file's jobs first, then each included file's. */
    assert_int_equal(state->graph->consumer_count, 3);
    consumer = state->graph->consumers[0];
    assert_consumer(consumer, "unknown#build", "build",
                    "review/$CI_COMMIT_REF_SLUG", false, 0);
    assert_location(&consumer->location, top, 13, 1, "build");

    /* The top file's global variable wins over the included one. */
    consumer = state->graph->consumers[1];
    assert_consumer(consumer, "unknown#aws-deploy", "aws-deploy", NULL, true,
                    1);
    assert_location(&consumer->location, aws, 8, 1, "aws-deploy");
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/main-wins", false, NULL,
                 NULL, "script", "sts.amazonaws.com");
    assert_location(&consumer->logins[0].location, aws, 13, 7,
                    "aws-deploy.script[0]");

    /* `local: /ci/nested.yml` from ci/aws.yml: the leading `/` is the
     * top file's folder. */
    consumer = state->graph->consumers[2];
    assert_consumer(consumer, "unknown#nested-job", "nested-job", NULL, false,
                    0);
    assert_location(&consumer->location, nested, 2, 1, "nested-job");
    free_state(state);
}

static void gitlab_include_missing(void **unused)
{
    read_state *state = read_fixture("include-missing", NULL);
    char top[4200], missing[4200];
    char message[8600];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", top, sizeof(top));
    fixture_file(state, "ci/missing.yml", missing, sizeof(missing));
    snprintf(message, sizeof(message), "included file '%s' not found",
             missing);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, top, 3, 5, message);
    /* The other jobs are still read. */
    assert_int_equal(state->graph->consumer_count, 1);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#test");
    free_state(state);
}

static void gitlab_include_cycle(void **unused)
{
    read_state *state = read_fixture("include-cycle", NULL);
    char b[4200], a[4200];
    char message[8600];

    (void)unused;
    fixture_file(state, "b.yml", b, sizeof(b));
    fixture_file(state, "a.yml", a, sizeof(a));
    snprintf(message, sizeof(message),
             "include cycle: '%s' includes itself through this entry", a);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, b, 2, 5, message);
    assert_int_equal(state->graph->consumer_count, 3);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#top");
    assert_string_equal(state->graph->consumers[1]->id, "unknown#job-a");
    assert_string_equal(state->graph->consumers[2]->id, "unknown#job-b");
    free_state(state);
}

static void gitlab_bad_shapes(void **unused)
{
    read_state *state = read_fixture("bad", NULL);
    const nhi_error *items;
    char path[4200];

    (void)unused;
    fixture_file(state, ".gitlab-ci.yml", path, sizeof(path));
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 9);
    assert_int_equal(state->diags.errors, 9);
    items = state->diags.items;
    assert_diag(&items[0], NHI_LEVEL_ERROR, path, 6, 5,
                "include '42' is neither a .yml or .yaml file nor a URL");
    assert_diag(&items[1], NHI_LEVEL_ERROR, path, 7, 5,
                "invalid include entry: no 'local', 'remote', 'project', "
                "'template' or 'component' key");
    assert_diag(&items[2], NHI_LEVEL_ERROR, path, 3, 3,
                "'variables' must be a mapping, not a list");
    assert_diag(&items[3], NHI_LEVEL_ERROR, path, 9, 12,
                "job 'not-a-job' must be a mapping, not a scalar");
    assert_diag(&items[4], NHI_LEVEL_ERROR, path, 13, 5,
                "'script' must be a string or a list of strings, not a "
                "mapping");
    assert_diag(&items[5], NHI_LEVEL_ERROR, path, 16, 14,
                "'variables' must be a mapping, not a list");
    assert_diag(&items[6], NHI_LEVEL_ERROR, path, 20, 14,
                "'id_tokens' must be a mapping of token names, not a list");
    assert_diag(&items[7], NHI_LEVEL_ERROR, path, 24, 12,
                "'extends' must be a job name or a list of names, not a "
                "mapping");
    assert_diag(&items[8], NHI_LEVEL_ERROR, path, 28, 12,
                "unknown template '.missing' in 'extends'");

    /* Every job but the one that is not a mapping is still read. */
    assert_int_equal(state->graph->consumer_count, 6);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#bad-script");
    assert_false(state->graph->consumers[3]->id_token);
    assert_string_equal(state->graph->consumers[5]->id, "unknown#good");
    assert_int_equal(state->graph->consumers[5]->login_count, 1);
    free_state(state);
}

/* ---- Small pipelines ---------------------------------------------------- */

static void gitlab_extends_cycle(void **unused)
{
    read_state *state = read_text(".a:\n"
                                  "  extends: .b\n"
                                  ".b:\n"
                                  "  extends: [.c, .a]\n"
                                  ".c:\n"
                                  "  script: [echo]\n"
                                  "job:\n"
                                  "  extends: .a\n");

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, state->path, 4, 17,
                "'extends' cycle: '.b' extends '.a', which leads back to "
                "'.b'");
    assert_int_equal(state->graph->consumer_count, 1);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#job");
    free_state(state);
}

/* Write a chain of `levels` templates under a job: job extends .t1, ...,
 * .t(N-1) extends .tN. */
static read_state *read_extends_chain(int levels)
{
    char text[4096];
    size_t length = 0;

    length += (size_t)snprintf(text + length, sizeof(text) - length,
                               "job:\n  extends: .t1\n");
    for (int i = 1; i < levels; i++)
        length += (size_t)snprintf(text + length, sizeof(text) - length,
                                   ".t%d:\n  extends: .t%d\n", i, i + 1);
    snprintf(text + length, sizeof(text) - length,
             ".t%d:\n  environment: deepest\n  script: [echo]\n", levels);
    return read_text(text);
}

static void gitlab_extends_depth(void **unused)
{
    read_state *state = read_extends_chain(11);

    (void)unused;
    /* 11 levels is GitLab's limit and still valid. */
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    assert_string_equal(state->graph->consumers[0]->deployment, "deepest");
    free_state(state);

    state = read_extends_chain(12);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    /* `.t11: extends: .t12` is the 12th level. */
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, state->path, 24, 12,
                "'extends' nests deeper than 11 levels at '.t11'");
    assert_null(state->graph->consumers[0]->deployment);
    free_state(state);
}

static void gitlab_syntax_error(void **unused)
{
    read_state *state = read_text("job:\n  script: [echo\n");

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.errors, 1);
    assert_string_equal(state->diags.items[0].path, state->path);
    assert_int_equal(state->graph->consumer_count, 0);
    free_state(state);
}

static void gitlab_missing_file(void **unused)
{
    read_state *state = new_state();

    (void)unused;
    snprintf(state->path, sizeof(state->path),
             "/nonexistent/nhi/.gitlab-ci.yml");
    read_path(state, NULL);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.errors, 1);
    assert_int_equal(state->graph->consumer_count, 0);
    free_state(state);
}

/* The project is the folder of the top file: `..` may not leave it. */
static void gitlab_include_outside(void **unused)
{
    read_state *state = temp_project();
    char message[4400];

    (void)unused;
    write_file(state, "outside.yml", "outside:\n  script: [echo]\n");
    write_file(state, "ci/.gitlab-ci.yml",
               "include:\n  - local: ../outside.yml\n"
               "job:\n  script: [echo]\n");
    join_path(state->path, sizeof(state->path), state->folder,
              "ci/.gitlab-ci.yml");
    read_path(state, NULL);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    snprintf(message, sizeof(message),
             "included file '%s/ci/../outside.yml' is outside the project "
             "folder",
             state->folder);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, state->path, 2, 5,
                message);
    assert_int_equal(state->graph->consumer_count, 1);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#job");
    free_state(state);
}

static void gitlab_include_self(void **unused)
{
    read_state *state = read_text("include: /.gitlab-ci.yml\n"
                                  "job:\n  script: [echo]\n");
    char message[4400];

    (void)unused;
    snprintf(message, sizeof(message),
             "include cycle: '%s' includes itself through this entry",
             state->path);
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 1);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, state->path, 1, 10,
                message);
    assert_int_equal(state->graph->consumer_count, 1);
    free_state(state);
}

/* A file included twice without a cycle is read once, no error. */
static void gitlab_include_twice(void **unused)
{
    read_state *state = temp_project();

    (void)unused;
    write_file(state, "ci/shared.yml", "shared:\n  script: [echo]\n");
    write_file(state, "ci/other.yml", "include: ci/shared.yml\n"
                                      "other:\n  script: [echo]\n");
    write_file(state, ".gitlab-ci.yml",
               "include:\n  - ci/shared.yml\n  - ci/other.yml\n"
               "job:\n  script: [echo]\n");
    read_path(state, NULL);
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 0);
    assert_int_equal(state->graph->consumer_count, 3);
    assert_string_equal(state->graph->consumers[0]->id, "unknown#job");
    assert_string_equal(state->graph->consumers[1]->id, "unknown#shared");
    assert_string_equal(state->graph->consumers[2]->id, "unknown#other");
    free_state(state);
}

/* A template that only a remote include could define is a warning. */
static void gitlab_remote_template(void **unused)
{
    read_state *state = read_text("include:\n"
                                  "  - component: gitlab.com/acme/aws@1.0\n"
                                  "job:\n  extends: .aws\n");

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->diags.count, 2);
    assert_diag(&state->diags.items[1], NHI_LEVEL_WARNING, state->path, 4, 12,
                "template '.aws' in 'extends' is not defined in the files "
                "read");
    free_state(state);
}

static void gitlab_unused_template_literal(void **unused)
{
    read_state *state = read_text(
        ".unused:\n"
        "  variables:\n"
        "    AWS_ACCESS_KEY_ID: AKIAQ7K2M9X4T1W8R5N3\n"
        "job:\n"
        "  script: [echo]\n");

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->graph->consumer_count, 1);
    assert_int_equal(state->graph->consumers[0]->login_count, 0);
    assert_int_equal(state->graph->plaintext_count, 1);
    assert_string_equal(state->graph->plaintexts[0]->kind,
                        "aws-access-key-id");
    assert_null(state->graph->plaintexts[0]->consumer);
    assert_location(&state->graph->plaintexts[0]->location, state->path, 3,
                    24, ".unused.variables.AWS_ACCESS_KEY_ID");
    free_state(state);
}

static void gitlab_bad_merge_key(void **unused)
{
    read_state *state = read_text("job:\n"
                                  "  <<: [not, mappings]\n"
                                  "  script: [echo]\n");

    (void)unused;
    assert_int_equal(state->result, NHI_EINPUT);
    assert_int_equal(state->diags.count, 2);
    assert_diag(&state->diags.items[0], NHI_LEVEL_ERROR, state->path, 2, 8,
                "the merge key '<<' must name a mapping or a list of "
                "mappings, not a scalar");
    assert_int_equal(state->graph->consumer_count, 1);
    free_state(state);
}

/* `inherit: variables:` as a list takes only the global variables named. */
static void gitlab_inherit_variables(void **unused)
{
    read_state *state = read_text(
        "variables:\n"
        "  AWS_ROLE_ARN: arn:aws:iam::111122223333:role/global\n"
        "  AWS_WEB_IDENTITY_TOKEN_FILE: /tmp/token\n"
        "  GOOGLE_CREDENTIALS: $GCP_KEY_JSON\n"
        "both:\n"
        "  inherit:\n"
        "    variables: [AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE]\n"
        "  script: [echo]\n"
        "override:\n"
        "  variables:\n"
        "    AWS_ROLE_ARN: arn:aws:iam::111122223333:role/job\n"
        "  script: [echo]\n");
    const nhi_consumer *consumer;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->graph->consumer_count, 2);
    consumer = state->graph->consumers[0];
    assert_int_equal(consumer->login_count, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/global", false, NULL, NULL,
                 "variables", NULL);
    assert_location(&consumer->logins[0].location, state->path, 2, 17,
                    "variables.AWS_ROLE_ARN");

    consumer = state->graph->consumers[1];
    assert_int_equal(consumer->login_count, 2);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/job", false, NULL, NULL,
                 "variables", NULL);
    assert_location(&consumer->logins[0].location, state->path, 11, 19,
                    "override.variables.AWS_ROLE_ARN");
    assert_login(&consumer->logins[1], NHI_LOGIN_GCP_KEY, NULL, false,
                 "$GCP_KEY_JSON", NULL, "variables", NULL);
    free_state(state);
}

/* `default: before_script` runs in every job that does not set its own. */
static void gitlab_default_scripts(void **unused)
{
    read_state *state = read_text(
        "default:\n"
        "  before_script:\n"
        "    - export AWS_ACCESS_KEY_ID=$CI_AWS_KEY\n"
        "    - aws configure set region us-east-1 --profile $AWS_ACCESS_KEY_ID\n"
        "inherits:\n"
        "  script: [make]\n"
        "own:\n"
        "  before_script: [echo]\n"
        "  script: [make]\n");
    const nhi_consumer *consumer;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    assert_int_equal(state->graph->consumer_count, 2);
    consumer = state->graph->consumers[0];
    assert_int_equal(consumer->login_count, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_KEY, NULL, false,
                 "$AWS_ACCESS_KEY_ID", NULL, "before_script", NULL);
    assert_location(&consumer->logins[0].location, state->path, 4, 7,
                    "default.before_script[1]");
    assert_int_equal(state->graph->consumers[1]->login_count, 0);
    free_state(state);
}

/* Variables that mention $AWS_ACCESS_KEY_ID after a web identity call are
 * the temporary credentials, not a stored key. */
static void gitlab_key_after_assume(void **unused)
{
    read_state *state = read_text(
        "deploy:\n"
        "  script:\n"
        "    - >\n"
        "      CREDS=$(aws sts assume-role-with-web-identity\n"
        "      --role-arn=arn:aws:iam::111122223333:role/ci\n"
        "      --web-identity-token $TOKEN)\n"
        "    - echo $AWS_ACCESS_KEY_ID\n");
    const nhi_consumer *consumer;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    consumer = state->graph->consumers[0];
    assert_int_equal(consumer->login_count, 1);
    assert_login(&consumer->logins[0], NHI_LOGIN_AWS_ROLE,
                 "arn:aws:iam::111122223333:role/ci", false, NULL, NULL,
                 "script", NULL);
    assert_location(&consumer->logins[0].location, state->path, 3, 7,
                    "deploy.script[0]");
    free_state(state);
}

/* `only: refs:` lists refs as written; `tags` means every tag. */
/* Credentials written in scripts: a key exported by the script is a
 * login with that key, and a token in any word is a literal. */
static void gitlab_script_literals(void **unused)
{
    read_state *state = read_text(
        "upload:\n"
        "  script:\n"
        "    - export AWS_ACCESS_KEY_ID=AKIAZ7Q4M2LK9PW3HX5N\n"
        "    - 'curl -H \"PRIVATE-TOKEN: glpat-Zq8Vt2LmW9xRk4Pn7JsB\" x'\n");
    const nhi_consumer *consumer;
    const nhi_graph *graph;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    graph = state->graph;
    consumer = graph->consumers[0];
    assert_int_equal(consumer->login_count, 1);
    assert_int_equal(consumer->logins[0].kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(consumer->logins[0].key_id, "AKIAZ7Q4M2LK9PW3HX5N");
    assert_int_equal(consumer->logins[0].location.line, 3);
    assert_int_equal(graph->plaintext_count, 2);
    assert_string_equal(graph->plaintexts[0]->kind, "aws-access-key-id");
    assert_string_equal(graph->plaintexts[1]->kind, "gitlab-token");
    assert_int_equal(graph->plaintexts[1]->location.line, 4);
    free_state(state);
}

static void gitlab_only_refs(void **unused)
{
    read_state *state = read_text("job:\n"
                                  "  only:\n"
                                  "    refs: [main, /^release-.*$/, tags, "
                                  "schedules]\n"
                                  "  rules:\n"
                                  "    - if: '$CI_COMMIT_TAG == null'\n"
                                  "    - if: $CI_COMMIT_BRANCH == \"main\"\n"
                                  "  script: [echo]\n");
    const nhi_consumer *consumer;

    (void)unused;
    assert_int_equal(state->result, NHI_OK);
    consumer = state->graph->consumers[0];
    assert_int_equal(consumer->branch_count, 2);
    assert_string_equal(consumer->branches[0], "main");
    /* A regular expression stands for branches not known here. */
    assert_string_equal(consumer->branches[1], "*");
    assert_int_equal(consumer->tag_count, 1);
    assert_string_equal(consumer->tags[0], "*");
    free_state(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniff_pipeline_shapes),
        cmocka_unit_test(sniff_rejects_others),
        cmocka_unit_test(sniff_corpus_workflows),
        cmocka_unit_test(gitlab_aws_oidc),
        cmocka_unit_test(gitlab_project_name),
        cmocka_unit_test(gitlab_static_keys),
        cmocka_unit_test(gitlab_gcp_azure),
        cmocka_unit_test(gitlab_templates),
        cmocka_unit_test(gitlab_include_local),
        cmocka_unit_test(gitlab_include_missing),
        cmocka_unit_test(gitlab_include_cycle),
        cmocka_unit_test(gitlab_bad_shapes),
        cmocka_unit_test(gitlab_extends_cycle),
        cmocka_unit_test(gitlab_extends_depth),
        cmocka_unit_test(gitlab_syntax_error),
        cmocka_unit_test(gitlab_missing_file),
        cmocka_unit_test(gitlab_include_outside),
        cmocka_unit_test(gitlab_include_self),
        cmocka_unit_test(gitlab_include_twice),
        cmocka_unit_test(gitlab_remote_template),
        cmocka_unit_test(gitlab_unused_template_literal),
        cmocka_unit_test(gitlab_bad_merge_key),
        cmocka_unit_test(gitlab_inherit_variables),
        cmocka_unit_test(gitlab_default_scripts),
        cmocka_unit_test(gitlab_key_after_assume),
        cmocka_unit_test(gitlab_only_refs),
        cmocka_unit_test(gitlab_script_literals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
