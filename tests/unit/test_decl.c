/* SPDX-License-Identifier: MIT */
/* Unit tests for declarations: parsed fields and every input error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/catalog.h"
#include "nhi/decl.h"
#include "nhi/error.h"
#include "ytree.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* The minimal form of a declaration, byte for byte as the product
 * contract gives it. */
static const char seed_minimal[] =
    "workload_identity:\n"
    "  name: invoices-processor\n"
    "  environment: production\n"
    "  allowed_actions:\n"
    "    - queue.read\n"
    "    - object.get\n"
    "    - db.write\n"
    "  prohibited_actions:\n"
    "    - iam.admin\n"
    "    - billing.export\n"
    "  credential_model: short-lived-token\n"
    "  review: monthly\n";

typedef struct fixture {
    nhi_catalog *catalog;
    nhi_decl_set set;
    nhi_diags diags;
} fixture;

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || nhi_catalog_new_builtin(&f->catalog) != NHI_OK)
        return -1;
    nhi_decl_set_init(&f->set);
    nhi_diags_init(&f->diags);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;

    nhi_decl_set_free(&f->set);
    nhi_diags_free(&f->diags);
    nhi_catalog_free(f->catalog);
    free(f);
    return 0;
}

/*
 * Parse `text` as the file `path` and read every document into the set.
 * Returns the last nhi_decl_read status, or the YAML status when the
 * text is not valid YAML.
 */
static int read_text(fixture *f, const char *path, const char *text)
{
    nhi_yfile *file = NULL;
    int result = nhi_yaml_parse(path, text, strlen(text), &file, &f->diags);

    assert_non_null(file);
    for (size_t i = 0; i < file->count; i++)
        result = nhi_decl_read(&f->set, path, file->documents[i], f->catalog,
                               &f->diags);
    nhi_yfile_free(file);
    return result;
}

static void assert_error_at(const nhi_error *error, const char *path,
                            unsigned line, unsigned column,
                            const char *message)
{
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_int_equal(error->code, NHI_EINPUT);
    assert_string_equal(error->path, path);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static void decl_seed_minimal_form(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;
    static const char *const allowed[] = {"queue.read", "object.get",
                                          "db.write"};
    static const char *const prohibited[] = {"iam.admin", "billing.export"};

    assert_int_equal(read_text(f, "invoices.yaml", seed_minimal), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->set.count, 1);

    decl = &f->set.items[0];
    assert_true(decl->valid);
    assert_string_equal(decl->path, "invoices.yaml");
    assert_int_equal(decl->line, 1);
    assert_int_equal(decl->column, 1);
    assert_string_equal(decl->name, "invoices-processor");
    assert_string_equal(decl->environment, "production");
    assert_null(decl->owner);
    assert_null(decl->description);

    assert_int_equal(decl->allowed_count, ARRAY_SIZE(allowed));
    for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
        assert_string_equal(decl->allowed[i].text, allowed[i]);
        assert_int_equal(decl->allowed[i].kind, NHI_ACTION_NEUTRAL);
        assert_int_equal(decl->allowed[i].line, 5 + i);
        assert_int_equal(decl->allowed[i].column, 7);
    }
    assert_int_equal(decl->prohibited_count, ARRAY_SIZE(prohibited));
    for (size_t i = 0; i < ARRAY_SIZE(prohibited); i++) {
        assert_string_equal(decl->prohibited[i].text, prohibited[i]);
        assert_int_equal(decl->prohibited[i].kind, NHI_ACTION_NEUTRAL);
        assert_int_equal(decl->prohibited[i].line, 9 + i);
    }

    assert_int_equal(decl->credential_model, NHI_CREDENTIAL_SHORT_LIVED_TOKEN);
    assert_string_equal(decl->review, "monthly");
    assert_int_equal(decl->review_seconds, 31 * 86400);
    assert_int_equal(decl->identity_count, 0);
    assert_int_equal(decl->consumer_count, 0);
    assert_int_equal(decl->max_credential_age, -1);
    assert_true(decl->last_reviewed == NHI_TIME_UNKNOWN);
    assert_true(decl->expires == NHI_TIME_UNKNOWN);
}

static void decl_every_optional_key(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;

    assert_int_equal(
        read_text(f, "full.yaml",
                  "workload_identity:\n"
                  "  name: ci-deployer\n"
                  "  description: Deploys the services\n"
                  "  owner: platform-team\n"
                  "  environment: production\n"
                  "  identities:\n"
                  "    - aws: arn:aws:iam::111122223333:role/ci/ci-deployer\n"
                  "    - gcp: deployer@proj.iam.gserviceaccount.com\n"
                  "    - azure: 0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f\n"
                  "    - kubernetes: system:serviceaccount:ci:deployer\n"
                  "  consumers:\n"
                  "    - github: northwind/payments/deploy.yml#deploy\n"
                  "    - kubernetes: ci/Deployment/runner\n"
                  "  allowed_actions:\n"
                  "    - s3:GetObject\n"
                  "    - storage.objects.get\n"
                  "    - Microsoft.Storage/storageAccounts/read\n"
                  "    - get secrets\n"
                  "  credential_model: rotated-key\n"
                  "  max_credential_age: 60d\n"
                  "  review: 2w\n"
                  "  last_reviewed: 2026-09-15\n"
                  "  expires: 2027-06-30\n"),
        NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->set.count, 1);
    decl = &f->set.items[0];
    assert_true(decl->valid);
    assert_string_equal(decl->description, "Deploys the services");
    assert_string_equal(decl->owner, "platform-team");

    assert_int_equal(decl->identity_count, 4);
    assert_int_equal(decl->identities[0].provider, NHI_PROVIDER_AWS);
    assert_string_equal(decl->identities[0].id,
                        "arn:aws:iam::111122223333:role/ci/ci-deployer");
    assert_int_equal(decl->identities[0].line, 7);
    assert_int_equal(decl->identities[0].column, 12);
    assert_int_equal(decl->identities[1].provider, NHI_PROVIDER_GCP);
    assert_int_equal(decl->identities[2].provider, NHI_PROVIDER_AZURE);
    assert_int_equal(decl->identities[3].provider, NHI_PROVIDER_KUBERNETES);
    assert_string_equal(decl->identities[3].id,
                        "system:serviceaccount:ci:deployer");

    assert_int_equal(decl->consumer_count, 2);
    assert_string_equal(decl->consumers[0].kind, "github");
    assert_string_equal(decl->consumers[0].id,
                        "northwind/payments/deploy.yml#deploy");
    assert_string_equal(decl->consumers[1].kind, "kubernetes");

    assert_int_equal(decl->allowed_count, 4);
    assert_int_equal(decl->allowed[0].kind, NHI_ACTION_NATIVE);
    assert_int_equal(decl->allowed[0].provider, NHI_PROVIDER_AWS);
    assert_int_equal(decl->allowed[1].provider, NHI_PROVIDER_GCP);
    assert_int_equal(decl->allowed[2].provider, NHI_PROVIDER_AZURE);
    assert_int_equal(decl->allowed[3].provider, NHI_PROVIDER_KUBERNETES);
    assert_int_equal(decl->prohibited_count, 0);

    assert_int_equal(decl->credential_model, NHI_CREDENTIAL_ROTATED_KEY);
    assert_int_equal(decl->max_credential_age, 60 * 86400);
    assert_int_equal(decl->review_seconds, 14 * 86400);
    /* 2026-09-15 is day 20711 after 1970-01-01: 56 years with 14 leap
     * days to 2026-01-01 (20454), then 243 days to September and 14. */
    assert_int_equal(decl->last_reviewed, 1789430400);
    /* 2027-06-30 is day 20999: 20454 + 365 + 151 days to June + 29. */
    assert_int_equal(decl->expires, 1814313600);
}

static void decl_date_time_with_offset(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;

    assert_int_equal(read_text(f, "a.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: staging\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: static-key\n"
                               "  review: yearly\n"
                               "  last_reviewed: 2026-12-01T12:30:00+02:00\n"),
                     NHI_OK);
    decl = &f->set.items[0];
    assert_int_equal(decl->credential_model, NHI_CREDENTIAL_STATIC_KEY);
    assert_int_equal(decl->review_seconds, 366 * 86400);
    /* Day 20788 (20454 + 334), plus 12:30 less the two-hour offset. */
    assert_int_equal(decl->last_reviewed, 1796083200 + 45000 - 7200);
}

static void decl_review_cadences(void **state)
{
    static const struct {
        const char *text;
        int64_t seconds;
    } valid[] = {
        {"weekly", 7 * 86400},     {"monthly", 31 * 86400},
        {"quarterly", 92 * 86400}, {"yearly", 366 * 86400},
        {"1d", 86400},             {"30d", 30 * 86400},
        {"2w", 14 * 86400},        {"100000d", 100000 * (int64_t)86400},
    };
    static const char *const invalid[] = {
        "", "d", "0d", "12h", "1m", "7 d", "-1d", "1.5w", "Weekly",
        "fortnightly", "100001d", "30dd",
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
        int64_t seconds = -1;
        if (!nhi_review_parse(valid[i].text, &seconds))
            print_error("review '%s' was rejected\n", valid[i].text);
        assert_true(nhi_review_parse(valid[i].text, &seconds));
        assert_int_equal(seconds, valid[i].seconds);
    }
    for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
        int64_t seconds = -1;
        if (nhi_review_parse(invalid[i], &seconds))
            print_error("review '%s' was accepted\n", invalid[i]);
        assert_false(nhi_review_parse(invalid[i], &seconds));
        assert_int_equal(seconds, -1);
    }
}

static void decl_durations(void **state)
{
    int64_t seconds = -1;

    (void)state;
    assert_true(nhi_duration_parse("12h", true, &seconds));
    assert_int_equal(seconds, 12 * 3600);
    assert_true(nhi_duration_parse("90d", true, &seconds));
    assert_int_equal(seconds, 90 * 86400);
    assert_true(nhi_duration_parse("4w", true, &seconds));
    assert_int_equal(seconds, 28 * 86400);
    seconds = -1;
    assert_false(nhi_duration_parse("12h", false, &seconds));
    assert_false(nhi_duration_parse("90", true, &seconds));
    assert_false(nhi_duration_parse("90m", true, &seconds));
    assert_false(nhi_duration_parse("0h", true, &seconds));
    assert_false(nhi_duration_parse("99999999999999999999d", true, &seconds));
    assert_int_equal(seconds, -1);
}

static void decl_unknown_key_suggests(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "typo.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  enviroment: production\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "typo.yaml", 3, 3,
                    "unknown key 'enviroment' in workload_identity");
    assert_string_equal(f->diags.items[0].hint, "did you mean 'environment'?");
    assert_false(f->set.items[0].valid);
}

static void decl_unknown_key_lists_keys(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "odd.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"
                               "  team_channel: '#ops'\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "odd.yaml", 7, 3,
                    "unknown key 'team_channel' in workload_identity");
    assert_string_equal(f->diags.items[0].hint,
                        "the keys are name, environment, allowed_actions, "
                        "prohibited_actions, credential_model, review, "
                        "owner, description, identities, consumers, "
                        "max_credential_age, last_reviewed, expires");
}

static void decl_missing_required_keys(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "short.yaml",
                               "# a comment line\n"
                               "workload_identity:\n"
                               "  name: a\n"
                               "  allowed_actions: [queue.read]\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(&f->diags.items[0], "short.yaml", 2, 1,
                    "missing required key 'environment' in "
                    "workload_identity");
    assert_string_equal(f->diags.items[0].hint,
                        "add 'environment:' (see docs/declarations.md)");
    assert_error_at(&f->diags.items[1], "short.yaml", 2, 1,
                    "missing required key 'credential_model' in "
                    "workload_identity");
    assert_false(f->set.items[0].valid);
    assert_int_equal(f->set.items[0].line, 2);
}

static void decl_unknown_action(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;

    assert_int_equal(read_text(f, "actions.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions:\n"
                               "    - queue.read\n"
                               "    - queue.reed\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "actions.yaml", 6, 7,
                    "unknown action 'queue.reed'");
    assert_string_equal(f->diags.items[0].hint,
                        "use a neutral action that 'nhi catalog' lists, or "
                        "a provider action such as s3:GetObject, "
                        "storage.objects.get, Microsoft.Storage/.../read "
                        "or 'get secrets'");
    decl = &f->set.items[0];
    assert_false(decl->valid);
    /* The action is kept, marked unknown, so later checks still see it. */
    assert_int_equal(decl->allowed_count, 2);
    assert_int_equal(decl->allowed[1].kind, NHI_ACTION_UNKNOWN);
}

static void decl_allowed_and_prohibited(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "both.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions:\n"
                               "    - queue.read\n"
                               "    - s3:GetObject\n"
                               "  prohibited_actions:\n"
                               "    - iam.admin\n"
                               "    - S3:getobject\n"
                               "    - s3:getobject\n"
                               "    - queue.read\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    /* AWS action names compare without case; neutral names exactly. The
     * service prefix must be lower case, so `S3:getobject` is unknown. */
    assert_int_equal(f->diags.count, 3);
    assert_error_at(&f->diags.items[0], "both.yaml", 9, 7,
                    "unknown action 'S3:getobject'");
    assert_error_at(&f->diags.items[1], "both.yaml", 10, 7,
                    "action 's3:getobject' is both allowed (line 6) and "
                    "prohibited");
    assert_error_at(&f->diags.items[2], "both.yaml", 11, 7,
                    "action 'queue.read' is both allowed (line 5) and "
                    "prohibited");
    assert_string_equal(f->diags.items[2].hint,
                        "remove it from allowed_actions or from "
                        "prohibited_actions");
    assert_false(f->set.items[0].valid);
}

static void decl_bad_values(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "values.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: static\n"
                               "  review: fortnightly\n"
                               "  max_credential_age: 90m\n"
                               "  last_reviewed: 2026-02-30\n"
                               "  expires: tomorrow\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 5);
    assert_error_at(&f->diags.items[0], "values.yaml", 5, 21,
                    "invalid credential_model 'static'");
    assert_string_equal(f->diags.items[0].hint,
                        "use short-lived-token, rotated-key or static-key");
    assert_error_at(&f->diags.items[1], "values.yaml", 6, 11,
                    "invalid review cadence 'fortnightly'");
    assert_string_equal(f->diags.items[1].hint,
                        "use weekly, monthly, quarterly, yearly, or a number "
                        "of days or weeks such as 30d or 2w");
    assert_error_at(&f->diags.items[2], "values.yaml", 7, 23,
                    "invalid duration '90m' for 'max_credential_age'");
    assert_string_equal(f->diags.items[2].hint,
                        "write a whole number of hours, days or weeks, such "
                        "as 12h, 90d or 4w");
    assert_error_at(&f->diags.items[3], "values.yaml", 8, 18,
                    "invalid date '2026-02-30' for 'last_reviewed'");
    assert_string_equal(f->diags.items[3].hint,
                        "write an RFC 3339 date such as 2026-12-01 or "
                        "2026-12-01T00:00:00Z");
    assert_error_at(&f->diags.items[4], "values.yaml", 9, 12,
                    "invalid date 'tomorrow' for 'expires'");
    assert_null(f->set.items[0].review);
    assert_int_equal(f->set.items[0].max_credential_age, -1);
    assert_true(f->set.items[0].last_reviewed == NHI_TIME_UNKNOWN);
}

static void decl_wrong_node_kinds(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "kinds.yaml",
                               "workload_identity:\n"
                               "  name: [a, b]\n"
                               "  environment:\n"
                               "  allowed_actions: queue.read\n"
                               "  prohibited_actions:\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 4);
    assert_error_at(&f->diags.items[0], "kinds.yaml", 2, 9,
                    "'name' must be a single value, not a list");
    assert_error_at(&f->diags.items[1], "kinds.yaml", 3, 15,
                    "'environment' has no value");
    assert_error_at(&f->diags.items[2], "kinds.yaml", 4, 20,
                    "'allowed_actions' must be a list, not a scalar");
    assert_error_at(&f->diags.items[3], "kinds.yaml", 5, 22,
                    "'prohibited_actions' must be a list, not empty");
}

static void decl_bad_identities(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;

    assert_int_equal(read_text(f, "ids.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"
                               "  identities:\n"
                               "    - aws: arn:aws:s3:::bucket\n"
                               "    - gcp: nope\n"
                               "    - kubernetes: system:serviceaccount:ns\n"
                               "    - oracle: x\n"
                               "    - just-a-string\n"
                               "    - aws: arn:aws:iam::111122223333:role/ok\n"
                               "  consumers:\n"
                               "    - travis: x\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 6);
    assert_error_at(&f->diags.items[0], "ids.yaml", 8, 12,
                    "invalid aws identity 'arn:aws:s3:::bucket'");
    assert_string_equal(f->diags.items[0].hint,
                        "write an IAM ARN such as "
                        "arn:aws:iam::111122223333:role/NAME");
    assert_error_at(&f->diags.items[1], "ids.yaml", 9, 12,
                    "invalid gcp identity 'nope'");
    assert_error_at(&f->diags.items[2], "ids.yaml", 10, 19,
                    "invalid kubernetes identity "
                    "'system:serviceaccount:ns'");
    assert_error_at(&f->diags.items[3], "ids.yaml", 11, 7,
                    "unknown provider 'oracle'");
    assert_error_at(&f->diags.items[4], "ids.yaml", 12, 7,
                    "each entry of 'identities' must be one 'kind: id' "
                    "pair");
    assert_error_at(&f->diags.items[5], "ids.yaml", 15, 7,
                    "unknown consumer kind 'travis'");
    decl = &f->set.items[0];
    assert_int_equal(decl->identity_count, 1);
    assert_string_equal(decl->identities[0].id,
                        "arn:aws:iam::111122223333:role/ok");
}

static void decl_top_level_key(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "top.yaml",
                               "kind: Declaration\n"
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "top.yaml", 1, 1,
                    "unexpected top-level key 'kind' in a declaration");
    assert_int_equal(f->set.items[0].line, 2);
    assert_false(f->set.items[0].valid);
}

static void decl_body_not_mapping(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_text(f, "flat.yaml", "workload_identity: a\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "flat.yaml", 1, 20,
                    "'workload_identity' must be a mapping, not a scalar");
}

static void decl_root_without_key(void **state)
{
    fixture *f = *state;

    /* nhi_decl_read is meant for workload_identity documents, but any
     * other mapping is reported, not dereferenced. */
    assert_int_equal(read_text(f, "other.yaml", "name: a\n"), NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(&f->diags.items[0], "other.yaml", 1, 1,
                    "unexpected top-level key 'name' in a declaration");
    assert_error_at(&f->diags.items[1], "other.yaml", 1, 1,
                    "missing key 'workload_identity'");
    assert_false(f->set.items[0].valid);
}

static void decl_repeated_keys(void **state)
{
    fixture *f = *state;
    const nhi_decl *decl;

    /* The second lists are shorter than the first: reading them again
     * once overflowed the arrays sized for them. */
    assert_int_equal(read_text(f, "repeat.yaml",
                               "workload_identity:\n"
                               "  name: a\n"
                               "  environment: production\n"
                               "  allowed_actions: [queue.read, db.read]\n"
                               "  identities:\n"
                               "    - aws: arn:aws:iam::111122223333:role/x\n"
                               "    - aws: arn:aws:iam::111122223333:role/y\n"
                               "  identities:\n"
                               "    - aws: arn:aws:iam::111122223333:role/z\n"
                               "  allowed_actions: [~]\n"
                               "  credential_model: rotated-key\n"
                               "  review: 2w\n"
                               "  review: 3w\n"
                               "  name: b\n"),
                     NHI_EINPUT);
    /* ytree reports each repeated key once; the first value is read. */
    assert_int_equal(f->diags.count, 4);
    assert_int_equal(f->diags.errors, 4);
    decl = &f->set.items[0];
    assert_false(decl->valid);
    assert_string_equal(decl->name, "a");
    assert_string_equal(decl->review, "2w");
    assert_int_equal(decl->allowed_count, 2);
    assert_int_equal(decl->identity_count, 2);
    assert_string_equal(decl->identities[1].id,
                        "arn:aws:iam::111122223333:role/y");
}

static void decl_several_documents(void **state)
{
    fixture *f = *state;

    read_text(f, "multi.yaml",
              "workload_identity:\n"
              "  name: first\n"
              "  environment: production\n"
              "  allowed_actions: [queue.read]\n"
              "  credential_model: rotated-key\n"
              "  review: weekly\n"
              "---\n"
              "workload_identity:\n"
              "  name: second\n"
              "  environment: production\n"
              "  allowed_actions: [queue.read]\n"
              "  credential_model: sometimes\n"
              "  review: weekly\n"
              "---\n"
              "workload_identity:\n"
              "  name: third\n"
              "  environment: staging\n"
              "  allowed_actions: [object.get]\n"
              "  credential_model: static-key\n"
              "  review: quarterly\n");
    assert_int_equal(f->set.count, 3);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "multi.yaml", 12, 21,
                    "invalid credential_model 'sometimes'");
    assert_true(f->set.items[0].valid);
    assert_false(f->set.items[1].valid);
    assert_true(f->set.items[2].valid);
    assert_int_equal(f->set.items[1].line, 8);
    assert_int_equal(f->set.items[2].line, 15);
    assert_string_equal(f->set.items[2].name, "third");
    assert_int_equal(f->set.items[2].review_seconds, 92 * 86400);
    assert_int_equal(nhi_decl_check_set(&f->set, &f->diags), NHI_OK);
}

static void decl_name_used_twice(void **state)
{
    fixture *f = *state;
    static const char body[] = "  environment: production\n"
                               "  allowed_actions: [queue.read]\n"
                               "  credential_model: rotated-key\n"
                               "  review: weekly\n";
    char first[256], second[256];

    snprintf(first, sizeof(first), "workload_identity:\n  name: shared\n%s",
             body);
    snprintf(second, sizeof(second),
             "# the same name in another file\n"
             "workload_identity:\n  name: shared\n%s",
             body);
    assert_int_equal(read_text(f, "one.yaml", first), NHI_OK);
    assert_int_equal(read_text(f, "two.yaml", second), NHI_OK);
    assert_int_equal(f->diags.count, 0);

    assert_int_equal(nhi_decl_check_set(&f->set, &f->diags), NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "two.yaml", 2, 1,
                    "declaration name 'shared' is already used at "
                    "one.yaml:1:1");
    assert_string_equal(f->diags.items[0].hint,
                        "give each workload identity its own name; this "
                        "declaration is not applied");
    assert_true(f->set.items[0].valid);
    assert_false(f->set.items[1].valid);
}

static void decl_identity_bound_twice(void **state)
{
    fixture *f = *state;

    read_text(f, "bound.yaml",
              "workload_identity:\n"
              "  name: one\n"
              "  environment: production\n"
              "  allowed_actions: [queue.read]\n"
              "  credential_model: rotated-key\n"
              "  review: weekly\n"
              "  identities:\n"
              "    - gcp: sa@p.iam.gserviceaccount.com\n"
              "---\n"
              "workload_identity:\n"
              "  name: two\n"
              "  environment: production\n"
              "  allowed_actions: [queue.read]\n"
              "  credential_model: rotated-key\n"
              "  review: weekly\n"
              "  identities:\n"
              "    - aws: arn:aws:iam::111122223333:role/other\n"
              "    - gcp: sa@p.iam.gserviceaccount.com\n");
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(nhi_decl_check_set(&f->set, &f->diags), NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], "bound.yaml", 18, 12,
                    "identity 'sa@p.iam.gserviceaccount.com' is also bound "
                    "by declaration 'one' at bound.yaml:8:12");
    assert_string_equal(f->diags.items[0].hint,
                        "bind each identity in one declaration only; both "
                        "are still applied");
    /* A clash between declarations drops neither. */
    assert_true(f->set.items[0].valid);
    assert_true(f->set.items[1].valid);
}

static void decl_model_names(void **state)
{
    (void)state;
    assert_string_equal(nhi_credential_model_name(
                            NHI_CREDENTIAL_SHORT_LIVED_TOKEN),
                        "short-lived-token");
    assert_string_equal(nhi_credential_model_name(NHI_CREDENTIAL_ROTATED_KEY),
                        "rotated-key");
    assert_string_equal(nhi_credential_model_name(NHI_CREDENTIAL_STATIC_KEY),
                        "static-key");
}

#define DECL_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DECL_TEST(decl_seed_minimal_form),
        DECL_TEST(decl_every_optional_key),
        DECL_TEST(decl_date_time_with_offset),
        cmocka_unit_test(decl_review_cadences),
        cmocka_unit_test(decl_durations),
        DECL_TEST(decl_unknown_key_suggests),
        DECL_TEST(decl_unknown_key_lists_keys),
        DECL_TEST(decl_missing_required_keys),
        DECL_TEST(decl_unknown_action),
        DECL_TEST(decl_allowed_and_prohibited),
        DECL_TEST(decl_bad_values),
        DECL_TEST(decl_wrong_node_kinds),
        DECL_TEST(decl_bad_identities),
        DECL_TEST(decl_top_level_key),
        DECL_TEST(decl_body_not_mapping),
        DECL_TEST(decl_root_without_key),
        DECL_TEST(decl_repeated_keys),
        DECL_TEST(decl_several_documents),
        DECL_TEST(decl_name_used_twice),
        DECL_TEST(decl_identity_bound_twice),
        cmocka_unit_test(decl_model_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
