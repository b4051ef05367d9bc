/* SPDX-License-Identifier: MIT */
/* Unit tests for the GitHub Actions reader: consumers, logins, literals,
 * anchors, every reported bad shape, and the workflows of the corpus. */
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
#include "nhi/error.h"
#include "nhi/graph.h"
#include "ytree.h"

#define MAX_WRITTEN 16

typedef struct fixture {
    nhi_graph *graph;
    nhi_diags diags;
    char root[64];           /* mkdtemp folder */
    char folder[160];        /* ROOT/acme/app/.github/workflows */
    char path[256];          /* the workflow last written */
    char *written[MAX_WRITTEN];
    size_t written_count;
} fixture;

static const char *const made_folders[] = {"acme", "acme/app",
                                           "acme/app/.github",
                                           "acme/app/.github/workflows"};

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char folder[200];

    if (f == NULL || nhi_graph_new(&f->graph) != NHI_OK)
        return -1;
    nhi_diags_init(&f->diags);
    snprintf(f->root, sizeof(f->root), "/tmp/nhi-gha-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(made_folders) / sizeof(made_folders[0]);
         i++) {
        snprintf(folder, sizeof(folder), "%s/%s", f->root, made_folders[i]);
        if (mkdir(folder, 0700) != 0)
            return -1;
    }
    snprintf(f->folder, sizeof(f->folder), "%s/acme/app/.github/workflows",
             f->root);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    char folder[200];

    for (size_t i = 0; i < f->written_count; i++) {
        unlink(f->written[i]);
        free(f->written[i]);
    }
    for (size_t i = sizeof(made_folders) / sizeof(made_folders[0]); i > 0;
         i--) {
        snprintf(folder, sizeof(folder), "%s/%s", f->root,
                 made_folders[i - 1]);
        rmdir(folder);
    }
    rmdir(f->root);
    nhi_diags_free(&f->diags);
    nhi_graph_free(f->graph);
    free(f);
    return 0;
}

/* Write `text` as `folder/name` and remember it for the teardown. */
static const char *write_file(fixture *f, const char *folder,
                              const char *name, const char *text)
{
    FILE *file;

    snprintf(f->path, sizeof(f->path), "%s/%s", folder, name);
    file = fopen(f->path, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
    assert_int_equal(fclose(file), 0);
    assert_true(f->written_count < MAX_WRITTEN);
    f->written[f->written_count] = strdup(f->path);
    assert_non_null(f->written[f->written_count]);
    f->written_count++;
    return f->path;
}

/* Write `text` as acme/app/.github/workflows/NAME and read it. */
static int read_workflow(fixture *f, const char *name, const char *text)
{
    return nhi_github_read(f->graph, write_file(f, f->folder, name, text),
                           &f->diags);
}

static const nhi_consumer *consumer_at(const fixture *f, size_t index)
{
    assert_true(index < f->graph->consumer_count);
    return f->graph->consumers[index];
}

static void assert_error_at(const fixture *f, size_t index, unsigned line,
                            unsigned column, const char *message)
{
    const nhi_error *error;

    assert_true(index < f->diags.count);
    error = &f->diags.items[index];
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_int_equal(error->code, NHI_EINPUT);
    assert_string_equal(error->path, f->path);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
    assert_non_null(error->hint);
}

/* The first document of `text`, for the recogniser. */
static bool sniff_text(const char *text)
{
    nhi_yfile *file = NULL;
    nhi_diags diags;
    bool result;

    nhi_diags_init(&diags);
    assert_int_equal(nhi_yaml_parse("sniff.yml", text, strlen(text), &file,
                                    &diags),
                     NHI_OK);
    assert_true(file->count >= 1);
    result = nhi_github_sniff(file->documents[0]);
    nhi_yfile_free(file);
    nhi_diags_free(&diags);
    return result;
}

static void github_sniff_shapes(void **state)
{
    (void)state;
    assert_true(sniff_text("on: push\n"
                           "jobs:\n"
                           "  build:\n"
                           "    runs-on: ubuntu-latest\n"
                           "    steps:\n"
                           "      - run: make\n"));
    assert_true(sniff_text("on: workflow_dispatch\n"
                           "jobs:\n"
                           "  call:\n"
                           "    uses: ./.github/workflows/deploy.yml\n"));
    /* A job of a bad shape is left for the reader to report. */
    assert_true(sniff_text("jobs:\n"
                           "  build:\n"
                           "    runs-on: ubuntu-latest\n"
                           "  broken: 3\n"));
    assert_false(sniff_text("workload_identity:\n"
                            "  name: ci\n"
                            "jobs:\n"
                            "  build:\n"
                            "    runs-on: x\n"));
    assert_false(sniff_text("apiVersion: v1\n"
                            "kind: Pod\n"
                            "jobs:\n"
                            "  build:\n"
                            "    runs-on: x\n"));
    assert_false(sniff_text("stages: [test]\n"
                            "test:\n"
                            "  stage: test\n"
                            "  script:\n"
                            "    - make test\n"));
    assert_false(sniff_text("version: 1\n"
                            "inputs:\n"
                            "  - path: aws\n"));
    assert_false(sniff_text("jobs:\n"
                            "  build:\n"
                            "    script: make\n"));
    assert_false(sniff_text("jobs: {}\n"));
    assert_false(sniff_text("- jobs\n"));
}

static const char consumer_workflow[] =
    "name: Deploy\n"                               /* 1 */
    "on:\n"                                        /* 2 */
    "  push:\n"                                    /* 3 */
    "    branches: [main, 'release/*']\n"          /* 4 */
    "    tags: v*\n"                               /* 5 */
    "  workflow_dispatch:\n"                       /* 6 */
    "permissions:\n"                               /* 7 */
    "  id-token: write\n"                          /* 8 */
    "  contents: read\n"                           /* 9 */
    "jobs:\n"                                      /* 10 */
    "  deploy:\n"                                  /* 11 */
    "    name: Deploy to production\n"             /* 12 */
    "    runs-on: ubuntu-latest\n"                 /* 13 */
    "    environment:\n"                           /* 14 */
    "      name: production\n"                     /* 15 */
    "      url: https://example.org\n"             /* 16 */
    "    steps:\n"                                 /* 17 */
    "      - run: make deploy\n"                   /* 18 */
    "  lint:\n"                                    /* 19 */
    "    runs-on: ubuntu-latest\n"                 /* 20 */
    "    environment: staging\n"                   /* 21 */
    "    permissions:\n"                           /* 22 */
    "      contents: read\n"                       /* 23 */
    "    steps:\n"                                 /* 24 */
    "      - run: make lint\n"                     /* 25 */
    "  all:\n"                                     /* 26 */
    "    runs-on: ubuntu-latest\n"                 /* 27 */
    "    permissions: write-all\n"                 /* 28 */
    "    steps: []\n";                             /* 29 */

static void github_consumer_fields(void **state)
{
    fixture *f = *state;
    const nhi_consumer *deploy, *lint, *all;

    assert_int_equal(read_workflow(f, "deploy.yml", consumer_workflow),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->consumer_count, 3);

    deploy = consumer_at(f, 0);
    assert_int_equal(deploy->kind, NHI_CONSUMER_GITHUB_JOB);
    assert_string_equal(deploy->id, "acme/app/.github/workflows/deploy.yml#deploy");
    assert_string_equal(deploy->repository, "acme/app");
    assert_string_equal(deploy->workflow, "deploy.yml");
    assert_string_equal(deploy->job, "deploy");
    assert_string_equal(deploy->display, "Deploy to production");
    assert_string_equal(deploy->deployment, "production");
    assert_int_equal(deploy->trigger_count, 2);
    assert_string_equal(deploy->triggers[0], "push");
    assert_string_equal(deploy->triggers[1], "workflow_dispatch");
    assert_false(deploy->untrusted_trigger);
    assert_int_equal(deploy->branch_count, 2);
    assert_string_equal(deploy->branches[0], "main");
    assert_string_equal(deploy->branches[1], "release/*");
    assert_int_equal(deploy->tag_count, 1);
    assert_string_equal(deploy->tags[0], "v*");
    assert_true(deploy->id_token);
    assert_int_equal(deploy->login_count, 0);
    assert_string_equal(deploy->location.source, f->path);
    assert_int_equal(deploy->location.line, 11);
    assert_int_equal(deploy->location.column, 3);
    assert_string_equal(deploy->location.json_path, "jobs.deploy");

    lint = consumer_at(f, 1);
    assert_string_equal(lint->id, "acme/app/.github/workflows/deploy.yml#lint");
    assert_null(lint->display);
    assert_string_equal(lint->deployment, "staging");
    /* The job's permissions replace the workflow's. */
    assert_false(lint->id_token);
    assert_int_equal(lint->location.line, 19);

    all = consumer_at(f, 2);
    assert_true(all->id_token);
    assert_null(all->deployment);
    /* Strings are interned: equal ids share one pointer. */
    assert_ptr_equal(deploy->workflow, all->workflow);
    assert_ptr_equal(deploy->repository, lint->repository);
}

static void github_triggers_forms(void **state)
{
    fixture *f = *state;
    const nhi_consumer *consumer;
    static const char *const untrusted[] = {
        "pull_request_target", "workflow_run",
        "issue_comment",       "issues",
        "discussion",          "discussion_comment",
        "pull_request_review", "pull_request_review_comment"};
    char text[256];

    assert_int_equal(read_workflow(f, "scalar.yml",
                                   "on: pull_request\n"
                                   "jobs:\n"
                                   "  a:\n"
                                   "    runs-on: x\n"),
                     NHI_OK);
    consumer = consumer_at(f, 0);
    assert_int_equal(consumer->trigger_count, 1);
    assert_string_equal(consumer->triggers[0], "pull_request");
    assert_false(consumer->untrusted_trigger);
    assert_false(consumer->id_token);

    assert_int_equal(read_workflow(f, "list.yml",
                                   "on: [push, pull_request_target]\n"
                                   "jobs:\n"
                                   "  a:\n"
                                   "    runs-on: x\n"),
                     NHI_OK);
    consumer = consumer_at(f, 1);
    assert_int_equal(consumer->trigger_count, 2);
    assert_string_equal(consumer->triggers[1], "pull_request_target");
    assert_true(consumer->untrusted_trigger);
    /* A list of events has no branch filter, so any branch matches. */
    assert_int_equal(consumer->branch_count, 0);

    for (size_t i = 0; i < sizeof(untrusted) / sizeof(untrusted[0]); i++) {
        snprintf(text, sizeof(text),
                 "on:\n  %s:\n    types: [created]\njobs:\n  a:\n"
                 "    runs-on: x\n",
                 untrusted[i]);
        assert_int_equal(read_workflow(f, "event.yml", text), NHI_OK);
        consumer = consumer_at(f, f->graph->consumer_count - 1);
        assert_int_equal(consumer->trigger_count, 1);
        assert_string_equal(consumer->triggers[0], untrusted[i]);
        assert_true(consumer->untrusted_trigger);
    }
    assert_int_equal(f->diags.count, 0);
}

static void github_repository_sources(void **state)
{
    fixture *f = *state;
    static const char text[] = "on: push\n"
                               "jobs:\n"
                               "  a:\n"
                               "    runs-on: x\n";

    /* The workspace config wins over the folder layout. */
    f->graph->reading_repository = "northwind/payments";
    assert_int_equal(read_workflow(f, "ci.yml", text), NHI_OK);
    f->graph->reading_repository = NULL;
    assert_string_equal(consumer_at(f, 0)->id, "northwind/payments/.github/workflows/ci.yml#a");
    assert_string_equal(consumer_at(f, 0)->repository, "northwind/payments");

    /* No OWNER/REPO/.github/workflows layout. */
    assert_int_equal(nhi_github_read(f->graph,
                                     write_file(f, f->root, "ci.yml", text),
                                     &f->diags),
                     NHI_OK);
    assert_string_equal(consumer_at(f, 1)->id, "unknown/unknown/.github/workflows/ci.yml#a");
    assert_null(consumer_at(f, 1)->repository);
    assert_string_equal(consumer_at(f, 1)->workflow, "ci.yml");
}

static const char aws_workflow[] =
    "on: push\n"                                                     /* 1 */
    "permissions:\n"                                                 /* 2 */
    "  id-token: write\n"                                            /* 3 */
    "jobs:\n"                                                        /* 4 */
    "  deploy:\n"                                                    /* 5 */
    "    runs-on: ubuntu-latest\n"                                   /* 6 */
    "    env:\n"                                                     /* 7 */
    "      KEY_FROM_SECRET: ${{ secrets.DEPLOY_KEY_ID }}\n"          /* 8 */
    "    steps:\n"                                                   /* 9 */
    "      - name: OIDC role\n"                                      /* 10 */
    "        uses: aws-actions/configure-aws-credentials@v4\n"       /* 11 */
    "        with:\n"                                                /* 12 */
    "          role-to-assume: arn:aws:iam::111122223333:role/ci\n"  /* 13 */
    "          aws-region: eu-west-1\n"                              /* 14 */
    "      - uses: AWS-Actions/Configure-AWS-Credentials@main\n"     /* 15 */
    "        with:\n"                                                /* 16 */
    "          aws-access-key-id: ${{ secrets.AWS_KEY_ID }}\n"       /* 17 */
    "          aws-secret-access-key: ${{ secrets.AWS_SECRET }}\n"   /* 18 */
    "          role-to-assume: ${{ vars.ROLE }}\n"                   /* 19 */
    "      - name: Literal key\n"                                    /* 20 */
    "        uses: aws-actions/configure-aws-credentials@v1\n"       /* 21 */
    "        with:\n"                                                /* 22 */
    "          aws-access-key-id: AKIAZ7Q4M2LK9PW3HX5N\n"            /* 23 */
    "      - name: Chained\n"                                        /* 24 */
    "        uses: aws-actions/configure-aws-credentials@v4\n"       /* 25 */
    "        with:\n"                                                /* 26 */
    "          aws-access-key-id: ${{ env.AWS_ACCESS_KEY_ID }}\n"    /* 27 */
    "          role-to-assume: arn:aws:iam::444455556666:role/sar\n" /* 28 */
    "      - name: Key through env\n"                                /* 29 */
    "        uses: aws-actions/configure-aws-credentials@v4\n"       /* 30 */
    "        with:\n"                                                /* 31 */
    "          aws-access-key-id: ${{ env.KEY_FROM_SECRET }}\n"      /* 32 */
    "      - name: Dummy key\n"                                      /* 33 */
    "        uses: aws-actions/configure-aws-credentials@v4\n"       /* 34 */
    "        with:\n"                                                /* 35 */
    "          aws-access-key-id: random_key\n"                      /* 36 */
    "      - name: Vendored copy\n"                                  /* 37 */
    "        uses: ./.github/actions/configure-aws-credentials\n"    /* 38 */
    "        with:\n"                                                /* 39 */
    "          aws-access-key-id: ${{ secrets.DOCS_KEY_ID }}\n";     /* 40 */

static void github_aws_action_logins(void **state)
{
    fixture *f = *state;
    const nhi_consumer *consumer;
    const nhi_login *login;

    assert_int_equal(read_workflow(f, "aws.yml", aws_workflow), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    consumer = consumer_at(f, 0);
    assert_true(consumer->id_token);
    assert_int_equal(consumer->login_count, 6);

    login = &consumer->logins[0];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_ROLE);
    assert_string_equal(login->target, "arn:aws:iam::111122223333:role/ci");
    assert_false(login->target_expression);
    assert_null(login->secret);
    assert_null(login->key_id);
    assert_string_equal(login->step, "OIDC role");
    assert_string_equal(login->location.source, f->path);
    assert_int_equal(login->location.line, 10);
    assert_int_equal(login->location.column, 9);
    assert_string_equal(login->location.json_path, "jobs.deploy.steps[0]");

    /* A stored key, with the role it assumes; the name is compared
     * without case. */
    login = &consumer->logins[1];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(login->secret, "secrets.AWS_KEY_ID");
    assert_null(login->key_id);
    assert_string_equal(login->target, "${{ vars.ROLE }}");
    assert_true(login->target_expression);
    assert_string_equal(login->step,
                        "AWS-Actions/Configure-AWS-Credentials@main");
    assert_string_equal(login->location.json_path, "jobs.deploy.steps[1]");

    login = &consumer->logins[2];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_null(login->secret);
    assert_string_equal(login->key_id, "AKIAZ7Q4M2LK9PW3HX5N");
    assert_null(login->target);

    /* No env block sets AWS_ACCESS_KEY_ID: an earlier step exported it. */
    login = &consumer->logins[3];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_ROLE);
    assert_string_equal(login->target, "arn:aws:iam::444455556666:role/sar");
    assert_null(login->secret);
    assert_string_equal(login->step, "Chained");

    login = &consumer->logins[4];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(login->secret, "secrets.DEPLOY_KEY_ID");
    assert_string_equal(login->step, "Key through env");

    /* `random_key` is a test value: no login. */
    login = &consumer->logins[5];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(login->secret, "secrets.DOCS_KEY_ID");
    assert_string_equal(login->step, "Vendored copy");
    assert_string_equal(login->location.json_path, "jobs.deploy.steps[6]");

    /* The literal key id in `with` is also a plaintext literal. */
    assert_int_equal(f->graph->plaintext_count, 1);
    assert_string_equal(f->graph->plaintexts[0]->kind, "aws-access-key-id");
    assert_int_equal(f->graph->plaintexts[0]->location.line, 23);
    assert_int_equal(f->graph->plaintexts[0]->location.column, 30);
}

static const char cloud_workflow[] =
    "on: push\n"                                                       /* 1 */
    "jobs:\n"                                                          /* 2 */
    "  gcp:\n"                                                         /* 3 */
    "    runs-on: ubuntu-latest\n"                                     /* 4 */
    "    permissions:\n"                                               /* 5 */
    "      id-token: write\n"                                          /* 6 */
    "    steps:\n"                                                     /* 7 */
    "      - name: Authenticate\n"                                     /* 8 */
    "        uses: google-github-actions/auth@v2\n"                    /* 9 */
    "        with:\n"                                                  /* 10 */
    "          workload_identity_provider: projects/1/locations/global/"
    "workloadIdentityPools/gh/providers/gh\n"                          /* 11 */
    "          service_account: deploy@p.iam.gserviceaccount.com\n"    /* 12 */
    "      - uses: google-github-actions/auth@v1\n"                    /* 13 */
    "        with:\n"                                                  /* 14 */
    "          credentials_json: ${{ secrets.GCP_KEY }}\n"             /* 15 */
    "      - uses: google-github-actions/setup-gcloud@master\n"        /* 16 */
    "        with:\n"                                                  /* 17 */
    "          service_account_key: ${{ secrets.GCP_SA_KEY }}\n"       /* 18 */
    "      - uses: GoogleCloudPlatform/github-actions/setup-gcloud@master\n"
    "        with:\n"                                                  /* 20 */
    "          service_account_key: ${{ secrets.OLD_KEY }}\n"          /* 21 */
    "  azure:\n"                                                       /* 22 */
    "    runs-on: ubuntu-latest\n"                                     /* 23 */
    "    steps:\n"                                                     /* 24 */
    "      - uses: azure/login@v1\n"                                   /* 25 */
    "        with:\n"                                                  /* 26 */
    "          creds: ${{ secrets.AZURE_CREDENTIALS }}\n"              /* 27 */
    "      - name: OIDC\n"                                             /* 28 */
    "        uses: Azure/login@v2\n"                                   /* 29 */
    "        with:\n"                                                  /* 30 */
    "          client-id: ${{ vars.AZURE_CLIENT_ID }}\n"               /* 31 */
    "          tenant-id: ${{ vars.AZURE_TENANT_ID }}\n"               /* 32 */
    "      - uses: azure/login@v2\n"                                   /* 33 */
    "        with:\n"                                                  /* 34 */
    "          enable-AzPSSession: true\n";                            /* 35 */

static void github_gcp_azure_logins(void **state)
{
    fixture *f = *state;
    const nhi_consumer *gcp, *azure;
    const nhi_login *login;

    assert_int_equal(read_workflow(f, "cloud.yml", cloud_workflow), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->consumer_count, 2);

    gcp = consumer_at(f, 0);
    assert_true(gcp->id_token);
    assert_int_equal(gcp->login_count, 4);
    login = &gcp->logins[0];
    assert_int_equal(login->kind, NHI_LOGIN_GCP_FEDERATION);
    assert_string_equal(login->target, "projects/1/locations/global/"
                                       "workloadIdentityPools/gh/providers/gh");
    assert_false(login->target_expression);
    assert_string_equal(login->step, "Authenticate (service account "
                                     "deploy@p.iam.gserviceaccount.com)");
    assert_int_equal(login->location.line, 8);
    login = &gcp->logins[1];
    assert_int_equal(login->kind, NHI_LOGIN_GCP_KEY);
    assert_string_equal(login->secret, "secrets.GCP_KEY");
    assert_string_equal(login->step, "google-github-actions/auth@v1");
    login = &gcp->logins[2];
    assert_int_equal(login->kind, NHI_LOGIN_GCP_KEY);
    assert_string_equal(login->secret, "secrets.GCP_SA_KEY");
    login = &gcp->logins[3];
    assert_int_equal(login->kind, NHI_LOGIN_GCP_KEY);
    assert_string_equal(login->secret, "secrets.OLD_KEY");
    assert_string_equal(login->location.json_path, "jobs.gcp.steps[3]");

    azure = consumer_at(f, 1);
    assert_false(azure->id_token);
    assert_int_equal(azure->login_count, 2);
    login = &azure->logins[0];
    assert_int_equal(login->kind, NHI_LOGIN_AZURE_SECRET);
    assert_string_equal(login->secret, "secrets.AZURE_CREDENTIALS");
    assert_null(login->target);
    login = &azure->logins[1];
    assert_int_equal(login->kind, NHI_LOGIN_AZURE_FEDERATION);
    assert_string_equal(login->target, "${{ vars.AZURE_CLIENT_ID }}");
    assert_true(login->target_expression);
    assert_null(login->secret);
    assert_string_equal(login->step, "OIDC");
}

static const char env_workflow[] =
    "on: push\n"                                                    /* 1 */
    "env:\n"                                                        /* 2 */
    "  AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"       /* 3 */
    "  AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
    "jobs:\n"                                                       /* 5 */
    "  one:\n"                                                      /* 6 */
    "    runs-on: x\n"                                              /* 7 */
    "    env:\n"                                                    /* 8 */
    "      CACHE_AWS_ACCESS_KEY_ID: AKIAZ7Q4M2LK9PW3HX5N\n"         /* 9 */
    "      GOOGLE_CREDENTIALS: ${{ secrets.GOOGLE }}\n"             /* 10 */
    "    steps:\n"                                                  /* 11 */
    "      - name: Terraform\n"                                     /* 12 */
    "        run: terraform apply\n"                                /* 13 */
    "        env:\n"                                                /* 14 */
    "          ARM_CLIENT_SECRET: ${{ secrets.ARM_SECRET }}\n"      /* 15 */
    "          AZURE_CLIENT_SECRET: ${{ secrets.AZ_SECRET }}\n"     /* 16 */
    "          GCP_SA_KEY: plain-text-not-a-secret-reference\n"     /* 17 */
    "          TEST_AWS_ACCESS_KEY_ID: random_key\n"                /* 18 */
    "          OTHER_AWS_ACCESS_KEY_ID: ${{ env.CACHE }}\n"         /* 19 */
    "  two:\n"                                                      /* 20 */
    "    runs-on: x\n";                                             /* 21 */

static void github_env_logins(void **state)
{
    fixture *f = *state;
    const nhi_consumer *one, *two;
    const nhi_login *login;

    assert_int_equal(read_workflow(f, "env.yml", env_workflow), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    one = consumer_at(f, 0);
    two = consumer_at(f, 1);

    /* The workflow's variable is every job's, at its env entry. */
    assert_int_equal(one->login_count, 5);
    login = &one->logins[0];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(login->secret, "secrets.AWS_ACCESS_KEY_ID");
    assert_null(login->step);
    assert_int_equal(login->location.line, 3);
    assert_int_equal(login->location.column, 3);
    assert_string_equal(login->location.json_path, "env.AWS_ACCESS_KEY_ID");

    login = &one->logins[1];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_null(login->secret);
    assert_string_equal(login->key_id, "AKIAZ7Q4M2LK9PW3HX5N");
    assert_int_equal(login->location.line, 9);
    assert_string_equal(login->location.json_path,
                        "jobs.one.env.CACHE_AWS_ACCESS_KEY_ID");

    login = &one->logins[2];
    assert_int_equal(login->kind, NHI_LOGIN_GCP_KEY);
    assert_string_equal(login->secret, "secrets.GOOGLE");

    login = &one->logins[3];
    assert_int_equal(login->kind, NHI_LOGIN_AZURE_SECRET);
    assert_string_equal(login->secret, "secrets.ARM_SECRET");
    assert_string_equal(login->step, "Terraform");
    assert_int_equal(login->location.line, 15);
    assert_int_equal(login->location.column, 11);
    assert_string_equal(login->location.json_path,
                        "jobs.one.steps[0].env.ARM_CLIENT_SECRET");

    login = &one->logins[4];
    assert_int_equal(login->kind, NHI_LOGIN_AZURE_SECRET);
    assert_string_equal(login->secret, "secrets.AZ_SECRET");

    assert_int_equal(two->login_count, 1);
    assert_int_equal(two->logins[0].kind, NHI_LOGIN_AWS_KEY);
    assert_int_equal(two->logins[0].location.line, 3);
}

static const char shadow_workflow[] =
    "on: push\n"                                                  /* 1 */
    "env:\n"                                                      /* 2 */
    "  AWS_ACCESS_KEY_ID: ${{ secrets.BOT_KEY_ID }}\n"            /* 3 */
    "jobs:\n"                                                     /* 4 */
    "  shared:\n"                                                 /* 5 */
    "    runs-on: x\n"                                            /* 6 */
    "    steps: [{run: make}]\n"                                  /* 7 */
    "  own:\n"                                                    /* 8 */
    "    runs-on: x\n"                                            /* 9 */
    "    env:\n"                                                  /* 10 */
    "      AWS_ACCESS_KEY_ID: ${{ secrets.OWN_KEY_ID }}\n"        /* 11 */
    "    steps: [{run: make}]\n";                                 /* 12 */

/* A job's env replaces the workflow's variable of the same name. */
static void github_env_shadowed(void **state)
{
    fixture *f = *state;
    const nhi_consumer *shared, *own;

    assert_int_equal(read_workflow(f, "shadow.yml", shadow_workflow), NHI_OK);
    shared = consumer_at(f, 0);
    own = consumer_at(f, 1);
    assert_int_equal(shared->login_count, 1);
    assert_string_equal(shared->logins[0].secret, "secrets.BOT_KEY_ID");
    assert_int_equal(own->login_count, 1);
    assert_string_equal(own->logins[0].secret, "secrets.OWN_KEY_ID");
    assert_int_equal(own->logins[0].location.line, 11);
}

static const char plaintext_workflow[] =
    "on: push\n"                                                  /* 1 */
    "env:\n"                                                      /* 2 */
    "  DEPLOY_KEY_ID: AKIAZ7Q4M2LK9PW3HX5N\n"                     /* 3 */
    "jobs:\n"                                                     /* 4 */
    "  build:\n"                                                  /* 5 */
    "    runs-on: x\n"                                            /* 6 */
    "    services:\n"                                             /* 7 */
    "      db:\n"                                                 /* 8 */
    "        image: postgres\n"                                   /* 9 */
    "        env:\n"                                              /* 10 */
    "          POSTGRES_PASSWORD: postgres\n"                     /* 11 */
    "          REPLICA_PASSWORD: hT7#kLq2!wZx9\n"                 /* 12 */
    "    steps:\n"                                                /* 13 */
    "      - uses: some/action@v1\n"                              /* 14 */
    "        with:\n"                                             /* 15 */
    "          api_key: Zk8vQ2pW7nR4tY6u\n"                       /* 16 */
    "          token: ${{ secrets.TOKEN }}\n"                     /* 17 */
    "        env:\n"                                              /* 18 */
    "          DB_PASSWORD: \"9fQ!x7Lm#2Rv\"\n";                  /* 19 */

static void github_plaintext_literals(void **state)
{
    fixture *f = *state;
    const nhi_plaintext *plaintext;
    char fingerprint[17];

    assert_int_equal(read_workflow(f, "literals.yml", plaintext_workflow),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->plaintext_count, 4);

    /* Workflow-level env: outside any job. */
    plaintext = f->graph->plaintexts[0];
    assert_string_equal(plaintext->kind, "aws-access-key-id");
    assert_string_equal(plaintext->key, "DEPLOY_KEY_ID");
    assert_null(plaintext->consumer);
    assert_string_equal(plaintext->location.source, f->path);
    assert_int_equal(plaintext->location.line, 3);
    assert_int_equal(plaintext->location.column, 18);
    assert_string_equal(plaintext->location.json_path, "env.DEPLOY_KEY_ID");
    assert_non_null(nhi_secret_literal_kind("DEPLOY_KEY_ID",
                                            "AKIAZ7Q4M2LK9PW3HX5N",
                                            fingerprint));
    assert_string_equal(plaintext->fingerprint, fingerprint);

    plaintext = f->graph->plaintexts[1];
    assert_string_equal(plaintext->kind, "password");
    assert_string_equal(plaintext->key, "REPLICA_PASSWORD");
    assert_ptr_equal(plaintext->consumer, consumer_at(f, 0));
    assert_int_equal(plaintext->location.line, 12);
    assert_string_equal(plaintext->location.json_path,
                        "jobs.build.services.db.env.REPLICA_PASSWORD");

    /* Step env is read before with. */
    plaintext = f->graph->plaintexts[2];
    assert_string_equal(plaintext->key, "DB_PASSWORD");
    assert_int_equal(plaintext->location.line, 19);
    assert_int_equal(plaintext->location.column, 24);
    assert_string_equal(plaintext->location.json_path,
                        "jobs.build.steps[0].env.DB_PASSWORD");

    plaintext = f->graph->plaintexts[3];
    assert_string_equal(plaintext->kind, "password");
    assert_string_equal(plaintext->key, "api_key");
    assert_int_equal(plaintext->location.line, 16);
    assert_string_equal(plaintext->location.json_path,
                        "jobs.build.steps[0].with.api_key");

    /* A literal key id under a name that is not a key-id variable is not
     * a login. */
    assert_int_equal(consumer_at(f, 0)->login_count, 0);
}

static void github_reusable_job(void **state)
{
    fixture *f = *state;
    const nhi_consumer *consumer;

    assert_int_equal(read_workflow(f, "call.yml",
                                   "on: push\n"
                                   "jobs:\n"
                                   "  call:\n"
                                   "    uses: octo/shared/.github/workflows/"
                                   "deploy.yml@v1\n"
                                   "    permissions:\n"
                                   "      id-token: write\n"
                                   "    secrets: inherit\n"
                                   "    with:\n"
                                   "      stage: prod\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->consumer_count, 1);
    consumer = consumer_at(f, 0);
    assert_string_equal(consumer->id, "acme/app/.github/workflows/call.yml#call");
    assert_true(consumer->id_token);
    assert_int_equal(consumer->login_count, 0);
}

static const char anchor_workflow[] =
    "on: push\n"                                                   /* 1 */
    "x-defaults: &defaults\n"                                      /* 2 */
    "  runs-on: ubuntu-latest\n"                                   /* 3 */
    "  environment: staging\n"                                     /* 4 */
    "  permissions:\n"                                             /* 5 */
    "    id-token: write\n"                                        /* 6 */
    "jobs:\n"                                                      /* 7 */
    "  first:\n"                                                   /* 8 */
    "    <<: *defaults\n"                                          /* 9 */
    "    environment: production\n"                                /* 10 */
    "    steps: &steps\n"                                          /* 11 */
    "      - &login\n"                                             /* 12 */
    "        name: Login\n"                                        /* 13 */
    "        uses: aws-actions/configure-aws-credentials@v4\n"     /* 14 */
    "        with: &aws\n"                                         /* 15 */
    "          role-to-assume: &role arn:aws:iam::1:role/ci\n"     /* 16 */
    "  second:\n"                                                  /* 17 */
    "    <<: *defaults\n"                                          /* 18 */
    "    steps: *steps\n"                                          /* 19 */
    "  third:\n"                                                   /* 20 */
    "    runs-on: x\n"                                             /* 21 */
    "    steps:\n"                                                 /* 22 */
    "      - *login\n"                                             /* 23 */
    "      - uses: aws-actions/configure-aws-credentials@v4\n"     /* 24 */
    "        with: *aws\n"                                         /* 25 */
    "      - uses: aws-actions/configure-aws-credentials@v4\n"     /* 26 */
    "        with:\n"                                              /* 27 */
    "          <<: *aws\n"                                         /* 28 */
    "          role-to-assume: *role\n";                           /* 29 */

static void github_anchors_and_merges(void **state)
{
    fixture *f = *state;
    const nhi_consumer *first, *second, *third;

    assert_int_equal(read_workflow(f, "anchors.yml", anchor_workflow),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    /* `x-defaults` is no job; `jobs` has three. */
    assert_int_equal(f->graph->consumer_count, 3);

    first = consumer_at(f, 0);
    /* The explicit key wins over the merged one. */
    assert_string_equal(first->deployment, "production");
    assert_true(first->id_token);
    assert_int_equal(first->login_count, 1);
    assert_int_equal(first->logins[0].kind, NHI_LOGIN_AWS_ROLE);
    assert_string_equal(first->logins[0].target, "arn:aws:iam::1:role/ci");
    /* An anchored step starts at its anchor. */
    assert_int_equal(first->logins[0].location.line, 12);

    second = consumer_at(f, 1);
    assert_string_equal(second->deployment, "staging");
    assert_true(second->id_token);
    assert_int_equal(second->login_count, 1);
    assert_string_equal(second->logins[0].location.json_path,
                        "jobs.second.steps[0]");

    third = consumer_at(f, 2);
    assert_false(third->id_token);
    assert_int_equal(third->login_count, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(third->logins[i].target, "arn:aws:iam::1:role/ci");
    assert_int_equal(third->logins[1].location.line, 24);
}

static void github_bad_jobs_shape(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_workflow(f, "bad.yml",
                                   "on: push\n"
                                   "jobs:\n"
                                   "  - build\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(f, 0, 3, 3, "'jobs' must be a mapping, not a list");
    assert_string_equal(f->diags.items[0].location, "jobs");
    assert_int_equal(f->graph->consumer_count, 0);

    assert_int_equal(read_workflow(f, "nojobs.yml", "on: push\nname: x\n"),
                     NHI_EINPUT);
    assert_error_at(f, 1, 1, 1, "workflow has no jobs");

    assert_int_equal(read_workflow(f, "list.yml", "- on\n- jobs\n"),
                     NHI_EINPUT);
    assert_error_at(f, 2, 1, 1, "a workflow must be a mapping, not a list");
}

static void github_bad_job_shape(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_workflow(f, "bad.yml",
                                   "on: push\n"          /* 1 */
                                   "jobs:\n"             /* 2 */
                                   "  broken: 3\n"       /* 3 */
                                   "  empty:\n"          /* 4 */
                                   "  good:\n"           /* 5 */
                                   "    runs-on: x\n"),  /* 6 */
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(f, 0, 3, 11, "job 'broken' must be a mapping, not a "
                                 "scalar");
    assert_string_equal(f->diags.items[0].location, "jobs.broken");
    assert_error_at(f, 1, 4, 9, "job 'empty' must be a mapping, not empty");
    /* The other job is still read. */
    assert_int_equal(f->graph->consumer_count, 1);
    assert_string_equal(consumer_at(f, 0)->job, "good");
}

static void github_bad_steps_shape(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_workflow(f, "bad.yml",
                                   "on: push\n"                      /* 1 */
                                   "jobs:\n"                         /* 2 */
                                   "  a:\n"                          /* 3 */
                                   "    runs-on: x\n"                /* 4 */
                                   "    steps:\n"                    /* 5 */
                                   "      run: make\n"               /* 6 */
                                   "  b:\n"                          /* 7 */
                                   "    runs-on: x\n"                /* 8 */
                                   "    steps:\n"                    /* 9 */
                                   "      - make\n"                  /* 10 */
                                   "      - uses: azure/login@v1\n"  /* 11 */
                                   "        with:\n"                 /* 12 */
                                   "          creds: ${{ secrets.C }}\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(f, 0, 6, 7, "'steps' must be a list, not a mapping");
    assert_string_equal(f->diags.items[0].location, "jobs.a.steps");
    assert_error_at(f, 1, 10, 9, "a step must be a mapping, not a scalar");
    assert_string_equal(f->diags.items[1].location, "jobs.b.steps[0]");
    /* Both jobs are consumers; the good step is still read. */
    assert_int_equal(f->graph->consumer_count, 2);
    assert_int_equal(consumer_at(f, 1)->login_count, 1);
    assert_string_equal(consumer_at(f, 1)->logins[0].location.json_path,
                        "jobs.b.steps[1]");
}

static void github_bad_env_with_shape(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_workflow(f, "bad.yml",
                                   "on: push\n"                     /* 1 */
                                   "env: [A]\n"                     /* 2 */
                                   "jobs:\n"                        /* 3 */
                                   "  a:\n"                         /* 4 */
                                   "    runs-on: x\n"               /* 5 */
                                   "    env: plain\n"               /* 6 */
                                   "    steps:\n"                   /* 7 */
                                   "      - uses: azure/login@v1\n" /* 8 */
                                   "        with:\n"                /* 9 */
                                   "          - creds\n"            /* 10 */
                                   "        env: ${{ fromJSON(vars.E) }}\n"
                                   "      - run: make\n"            /* 12 */
                                   "        env:\n"                 /* 13 */
                                   "          - A=1\n"),            /* 14 */
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 4);
    assert_error_at(f, 0, 2, 6, "'env' must be a mapping, not a list");
    assert_string_equal(f->diags.items[0].location, "env");
    assert_error_at(f, 1, 6, 10, "'env' must be a mapping, not a scalar");
    assert_string_equal(f->diags.items[1].location, "jobs.a.env");
    assert_error_at(f, 2, 10, 11, "'with' must be a mapping, not a list");
    assert_string_equal(f->diags.items[2].location, "jobs.a.steps[0].with");
    /* The expression in line 11 is fine. */
    assert_error_at(f, 3, 14, 11, "'env' must be a mapping, not a list");
    assert_string_equal(f->diags.items[3].location, "jobs.a.steps[1].env");
    assert_int_equal(f->graph->consumer_count, 1);
    /* azure/login without a readable `with` logs in with nothing known. */
    assert_int_equal(consumer_at(f, 0)->login_count, 0);
}

static void github_yaml_syntax_error(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_workflow(f, "broken.yml",
                                   "on: push\n"
                                   "jobs:\n"
                                   "  a:\n"
                                   "    runs-on: [x\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_int_equal(f->diags.items[0].code, NHI_EINPUT);
    assert_int_equal(f->graph->consumer_count, 0);

    assert_int_equal(read_workflow(f, "empty.yml", ""), NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_string_equal(f->diags.items[1].message, "workflow file is empty");
}

static void github_alias_work_limit(void **state)
{
    fixture *f = *state;
    char *text = malloc(64 * 1024);
    size_t length = 0;

    /* 1,000 env entries, used by 300 steps through one alias: 300,000
     * entries to read from a 20 KB file. */
    assert_non_null(text);
    length += (size_t)sprintf(text + length, "on: push\n"
                                             "x-env: &env\n");
    for (int i = 0; i < 1000; i++)
        length += (size_t)sprintf(text + length, "  E%d: v\n", i);
    length += (size_t)sprintf(text + length, "jobs:\n"
                                             "  a:\n"
                                             "    runs-on: x\n"
                                             "    steps:\n");
    for (int i = 0; i < 300; i++)
        length += (size_t)sprintf(text + length, "      - env: *env\n");
    assert_true(length < 64 * 1024);

    assert_int_equal(read_workflow(f, "large.yml", text), NHI_EINPUT);
    free(text);
    assert_int_equal(f->diags.count, 1);
    assert_string_equal(f->diags.items[0].message,
                        "workflow has more than 200000 jobs, steps and env "
                        "or with entries, counting each use of an alias");
    assert_non_null(f->diags.items[0].hint);
    /* The job read before the limit is kept. */
    assert_int_equal(f->graph->consumer_count, 1);
}

/* ---- The corpus ---- */

/* The corpus folder, or NULL after a printed note when it is absent. */
static const char *corpus_folder(void)
{
    const char *root = getenv("NHI_CORPUS");
    static char folder[512];
    struct stat info;

    if (root == NULL) {
        print_message("NHI_CORPUS is not set; skipping the workflow corpus\n");
        return NULL;
    }
    snprintf(folder, sizeof(folder), "%s/gha-workflows", root);
    if (stat(folder, &info) != 0 || !S_ISDIR(info.st_mode)) {
        print_message("no workflow corpus at %s; skipping\n", folder);
        return NULL;
    }
    return folder;
}

/* Read one corpus file into the fixture's graph; returns the index of
 * its first consumer. */
static size_t read_corpus(fixture *f, const char *folder, const char *name)
{
    char path[768];
    size_t first = f->graph->consumer_count;

    snprintf(path, sizeof(path), "%s/%s", folder, name);
    assert_int_equal(nhi_github_read(f->graph, path, &f->diags), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    return first;
}

/* Read every file under `folder`, recursively; returns the count. */
static size_t read_tree(fixture *f, const char *folder)
{
    DIR *directory = opendir(folder);
    struct dirent *entry;
    size_t count = 0;

    assert_non_null(directory);
    while ((entry = readdir(directory)) != NULL) {
        char path[1024];
        struct stat info;

        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
        assert_int_equal(stat(path, &info), 0);
        if (S_ISDIR(info.st_mode)) {
            count += read_tree(f, path);
            continue;
        }
        if (nhi_github_read(f->graph, path, &f->diags) != NHI_OK)
            print_message("unexpected diagnostics in %s\n", path);
        count++;
    }
    closedir(directory);
    return count;
}

static void corpus_every_file(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();

    if (folder == NULL)
        skip();
    /* Every file of the corpus is a valid workflow. */
    assert_int_equal(read_tree(f, folder), 69);
    for (size_t i = 0; i < f->diags.count; i++)
        print_message("%s:%u:%u: %s\n", f->diags.items[i].path,
                      f->diags.items[i].line, f->diags.items[i].column,
                      f->diags.items[i].message);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->consumer_count, 179);
    /* The six key ids of rust-lang and the inline Codecov token of
     * serverless. */
    assert_int_equal(f->graph->plaintext_count, 7);
}

static void corpus_oidc_chaining(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-oidc/"
                        "powertools-lambda-python_reusable_deploy_v3_sar.yml");
    assert_int_equal(f->graph->consumer_count - first, 1);
    consumer = consumer_at(f, first);
    assert_string_equal(consumer->id,
                        "unknown/unknown/.github/workflows/"
                        "powertools-lambda-python_reusable_deploy_v3_sar.yml"
                        "#deploy-sar-app");
    assert_null(consumer->repository);
    assert_string_equal(consumer->deployment, "${{ inputs.environment }}");
    assert_int_equal(consumer->trigger_count, 1);
    assert_string_equal(consumer->triggers[0], "workflow_call");
    assert_false(consumer->untrusted_trigger);
    assert_true(consumer->id_token);
    assert_int_equal(consumer->location.line, 69);
    assert_int_equal(consumer->login_count, 2);

    assert_int_equal(consumer->logins[0].kind, NHI_LOGIN_AWS_ROLE);
    assert_string_equal(consumer->logins[0].target,
                        "${{ secrets.AWS_LAYERS_ROLE_ARN }}");
    assert_true(consumer->logins[0].target_expression);
    assert_string_equal(consumer->logins[0].step, "AWS credentials");
    assert_int_equal(consumer->logins[0].location.line, 89);
    assert_string_equal(consumer->logins[0].location.json_path,
                        "jobs.deploy-sar-app.steps[2]");
    /* aws-access-key-id: ${{ env.AWS_ACCESS_KEY_ID }} with no env block
     * setting it: the keys of the step before, so a chained role. */
    assert_int_equal(consumer->logins[1].kind, NHI_LOGIN_AWS_ROLE);
    assert_string_equal(consumer->logins[1].target,
                        "${{ secrets.AWS_SAR_V2_ROLE_ARN }}");
    assert_null(consumer->logins[1].secret);
    assert_string_equal(consumer->logins[1].step, "AWS credentials SAR role");
    assert_int_equal(consumer->logins[1].location.line, 99);
    assert_int_equal(f->graph->plaintext_count, 0);
}

static void corpus_vagrant_env_key(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    const nhi_login *login;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/hashicorp_vagrant_.github_workflows_"
                        "code.yml");
    assert_int_equal(f->graph->consumer_count - first, 1);
    consumer = consumer_at(f, first);
    assert_string_equal(consumer->job, "sync-blackbox");
    assert_int_equal(consumer->trigger_count, 1);
    assert_string_equal(consumer->triggers[0], "push");
    assert_int_equal(consumer->branch_count, 2);
    assert_string_equal(consumer->branches[0], "main");
    assert_string_equal(consumer->branches[1], "spec-test-*");
    assert_false(consumer->id_token);
    /* One login for the key-id variable; the secret key adds none. */
    assert_int_equal(consumer->login_count, 1);
    login = &consumer->logins[0];
    assert_int_equal(login->kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(login->secret, "secrets.AWS_ACCESS_KEY_ID");
    assert_null(login->key_id);
    assert_string_equal(login->step, "Sync Blackbox Testing Repository");
    assert_int_equal(login->location.line, 25);
    assert_int_equal(login->location.column, 11);
    assert_string_equal(login->location.json_path,
                        "jobs.sync-blackbox.steps[2].env.AWS_ACCESS_KEY_ID");
}

static void corpus_rust_key_ids(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    static const char *const jobs[] = {"auto", "try", "master"};
    static const unsigned lines[] = {153, 518, 628};
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/rust-lang_rust_.github_workflows_"
                        "ci.yml");
    assert_int_equal(f->graph->consumer_count - first, 8);
    /* `pr` reads the key id from env.CACHES_AWS_ACCESS_KEY_ID, which no
     * env block of its own sets. */
    assert_string_equal(consumer_at(f, first)->job, "pr");
    assert_int_equal(consumer_at(f, first)->login_count, 0);

    for (size_t j = 0; j < 3; j++) {
        const nhi_consumer *consumer = consumer_at(f, first + 1 + j);
        assert_string_equal(consumer->job, jobs[j]);
        assert_int_equal(consumer->login_count, 2);
        assert_int_equal(consumer->logins[0].kind, NHI_LOGIN_AWS_KEY);
        assert_string_equal(consumer->logins[0].key_id,
                            "AKIAEXAMPLECACHES001");
        assert_null(consumer->logins[0].secret);
        assert_int_equal(consumer->logins[0].location.line, lines[j]);
        assert_int_equal(consumer->logins[1].kind, NHI_LOGIN_AWS_KEY);
        assert_string_equal(consumer->logins[1].key_id,
                            "AKIAEXAMPLEARTIFA002");
        assert_int_equal(consumer->logins[1].location.line, lines[j] + 1);
    }

    assert_int_equal(f->graph->plaintext_count, 6);
    for (size_t i = 0; i < 6; i++) {
        const nhi_plaintext *plaintext = f->graph->plaintexts[i];
        assert_string_equal(plaintext->kind, "aws-access-key-id");
        assert_ptr_equal(plaintext->consumer, consumer_at(f, first + 1 + i / 2));
        assert_int_equal(plaintext->location.line, lines[i / 2] + i % 2);
        assert_string_equal(plaintext->fingerprint,
                            i % 2 ? "ec3522ddc61b3add" : "f057cb8d1c1b28a7");
    }
    assert_int_equal(f->graph->plaintexts[0]->location.column, 33);
    assert_string_equal(f->graph->plaintexts[0]->key,
                        "CACHES_AWS_ACCESS_KEY_ID");
}

static void corpus_deno_gcp_key(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/denoland_deno_.github_workflows_"
                        "ci.yml");
    assert_int_equal(f->graph->consumer_count - first, 1);
    consumer = consumer_at(f, first);
    assert_string_equal(consumer->display,
                        "${{ matrix.kind }} ${{ matrix.profile }} "
                        "${{ matrix.os }}");
    assert_int_equal(consumer->trigger_count, 2);
    assert_int_equal(consumer->login_count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(consumer->logins[i].kind, NHI_LOGIN_GCP_KEY);
        assert_string_equal(consumer->logins[i].secret, "secrets.GCP_SA_KEY");
        assert_null(consumer->logins[i].target);
    }
    assert_string_equal(consumer->logins[0].step, "Setup gcloud (unix)");
    assert_int_equal(consumer->logins[0].location.line, 124);
    assert_string_equal(consumer->logins[0].location.json_path,
                        "jobs.build.steps[11]");
    assert_string_equal(consumer->logins[1].step, "Setup gcloud (windows)");
    assert_int_equal(consumer->logins[1].location.line, 138);
}

static void corpus_eshop_azure_creds(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/dotnet-architecture_eShopOnContainers_"
                        ".github_workflows_basket-api-deploy.yml");
    consumer = consumer_at(f, first);
    assert_string_equal(consumer->job, "deploy-to-k8s");
    assert_int_equal(consumer->trigger_count, 3);
    assert_string_equal(consumer->triggers[2], "workflow_run");
    assert_true(consumer->untrusted_trigger);
    /* azure/aks-set-context also takes creds, but it is no login. */
    assert_int_equal(consumer->login_count, 1);
    assert_int_equal(consumer->logins[0].kind, NHI_LOGIN_AZURE_SECRET);
    assert_string_equal(consumer->logins[0].secret,
                        "secrets.AZURE_CREDENTIALS");
    assert_string_equal(consumer->logins[0].step, "azure/login@v1");
    assert_int_equal(consumer->logins[0].location.line, 27);
    assert_int_equal(consumer->logins[0].location.column, 9);
}

static void corpus_airflow_triggers(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *docs;
    size_t first, docs_index = 0;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/apache_airflow_.github_workflows_"
                        "ci.yml");
    assert_int_equal(f->graph->consumer_count - first, 24);
    for (size_t i = first; i < f->graph->consumer_count; i++) {
        const nhi_consumer *consumer = consumer_at(f, i);
        assert_int_equal(consumer->trigger_count, 3);
        /* pull_request_target appears in comments only: the triggers are
         * schedule, push and pull_request. */
        assert_false(consumer->untrusted_trigger);
        if (strcmp(consumer->job, "docs") == 0)
            docs_index = i;
        else
            assert_int_equal(consumer->login_count, 0);
    }
    assert_string_equal(consumer_at(f, first)->triggers[0], "schedule");
    assert_string_equal(consumer_at(f, first)->triggers[2], "pull_request");
    assert_int_equal(consumer_at(f, first)->branch_count, 2);
    assert_string_equal(consumer_at(f, first)->branches[1],
                        "v[0-9]+-[0-9]+-test");

    /* The vendored ./.github/actions/configure-aws-credentials. */
    assert_int_not_equal(docs_index, 0);
    docs = consumer_at(f, docs_index);
    assert_int_equal(docs->login_count, 1);
    assert_int_equal(docs->logins[0].kind, NHI_LOGIN_AWS_KEY);
    assert_string_equal(docs->logins[0].secret,
                        "secrets.DOCS_AWS_ACCESS_KEY_ID");
    assert_int_equal(docs->logins[0].location.line, 496);
}

static void corpus_untrusted_neovim(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "realworld-2021/neovim_neovim_.github_workflows_"
                        "labeler.yml");
    consumer = consumer_at(f, first);
    assert_int_equal(consumer->trigger_count, 1);
    assert_string_equal(consumer->triggers[0], "pull_request_target");
    assert_true(consumer->untrusted_trigger);
    assert_false(consumer->id_token);
}

static void corpus_actionlint_anchors(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    static const char *const triggers[] = {"label", "check_run", "push",
                                           "pull_request",
                                           "pull_request_target"};
    const nhi_consumer *test3;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder, "actionlint-testdata/anchors.yaml");
    assert_int_equal(f->graph->consumer_count - first, 6);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(consumer_at(f, first)->triggers[i], triggers[i]);
    /* pull_request_target: *filters */
    assert_true(consumer_at(f, first)->untrusted_trigger);
    /* test3 is an alias of the whole test2 mapping. */
    test3 = consumer_at(f, first + 2);
    assert_string_equal(test3->id, "unknown/unknown/.github/workflows/anchors.yaml#test3");
    assert_int_equal(test3->location.line, 62);
    /* PASS: P@ssw0rd is under a name that is not a secret's. */
    assert_int_equal(f->graph->plaintext_count, 0);
}

static void corpus_zizmor_trigger_alias(void **state)
{
    fixture *f = *state;
    const char *folder = corpus_folder();
    const nhi_consumer *consumer;
    size_t first;

    if (folder == NULL)
        skip();
    first = read_corpus(f, folder,
                        "zizmor-testdata/anchors/trigger-block-alias.yml");
    consumer = consumer_at(f, first);
    assert_int_equal(consumer->trigger_count, 2);
    assert_string_equal(consumer->triggers[0], "push");
    assert_string_equal(consumer->triggers[1], "pull_request_target");
    assert_true(consumer->untrusted_trigger);
    assert_int_equal(consumer->branch_count, 1);
    assert_string_equal(consumer->branches[0], "main");
    /* permissions: {} */
    assert_false(consumer->id_token);
}

#define GITHUB_TEST(name)                                                     \
    cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(github_sniff_shapes),
        GITHUB_TEST(github_consumer_fields),
        GITHUB_TEST(github_triggers_forms),
        GITHUB_TEST(github_repository_sources),
        GITHUB_TEST(github_aws_action_logins),
        GITHUB_TEST(github_gcp_azure_logins),
        GITHUB_TEST(github_env_logins),
        GITHUB_TEST(github_env_shadowed),
        GITHUB_TEST(github_plaintext_literals),
        GITHUB_TEST(github_reusable_job),
        GITHUB_TEST(github_anchors_and_merges),
        GITHUB_TEST(github_bad_jobs_shape),
        GITHUB_TEST(github_bad_job_shape),
        GITHUB_TEST(github_bad_steps_shape),
        GITHUB_TEST(github_bad_env_with_shape),
        GITHUB_TEST(github_yaml_syntax_error),
        GITHUB_TEST(github_alias_work_limit),
        GITHUB_TEST(corpus_every_file),
        GITHUB_TEST(corpus_oidc_chaining),
        GITHUB_TEST(corpus_vagrant_env_key),
        GITHUB_TEST(corpus_rust_key_ids),
        GITHUB_TEST(corpus_deno_gcp_key),
        GITHUB_TEST(corpus_eshop_azure_creds),
        GITHUB_TEST(corpus_airflow_triggers),
        GITHUB_TEST(corpus_untrusted_neovim),
        GITHUB_TEST(corpus_actionlint_anchors),
        GITHUB_TEST(corpus_zizmor_trigger_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
