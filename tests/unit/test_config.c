/* SPDX-License-Identifier: MIT */
/* Unit tests for the workspace config nhi.yaml: keys, errors, catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/catalog.h"
#include "nhi/config.h"
#include "nhi/error.h"

/* A temporary folder holding nhi.yaml, with a catalog and diagnostics. */
typedef struct fixture {
    char folder[64];
    char path[96];
    nhi_config config;
    nhi_catalog *catalog;
    nhi_diags diags;
} fixture;

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");

    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
    assert_int_equal(fclose(file), 0);
}

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->folder, sizeof(f->folder), "/tmp/nhi-test-config-XXXXXX");
    if (mkdtemp(f->folder) == NULL ||
        nhi_catalog_new_builtin(&f->catalog) != NHI_OK)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/nhi.yaml", f->folder);
    nhi_config_init(&f->config);
    nhi_diags_init(&f->diags);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    char path[128];

    snprintf(path, sizeof(path), "%s/extra.csv", f->folder);
    unlink(path);
    unlink(f->path);
    rmdir(f->folder);
    nhi_config_free(&f->config);
    nhi_catalog_free(f->catalog);
    nhi_diags_free(&f->diags);
    free(f);
    return 0;
}

static int load(fixture *f, const char *text)
{
    write_file(f->path, text);
    return nhi_config_load(&f->config, f->path, f->catalog, &f->diags);
}

static void assert_error_at(const fixture *f, size_t index, unsigned line,
                            unsigned column, const char *message)
{
    const nhi_error *error = &f->diags.items[index];

    assert_true(index < f->diags.count);
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_string_equal(error->path, f->path);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static void config_defaults(void **state)
{
    fixture *f = *state;

    assert_null(f->config.path);
    assert_int_equal(f->config.account_count, 0);
    assert_int_equal(f->config.max_credential_age, 90 * 86400);
    assert_int_equal(f->config.unused_after, 90 * 86400);
    assert_int_equal(nhi_config_severity(&f->config, "cred.not-rotated",
                                         NHI_SEVERITY_LOW),
                     NHI_SEVERITY_LOW);
}

static void config_every_key(void **state)
{
    fixture *f = *state;
    const nhi_account *account;

    assert_int_equal(load(f, "accounts:\n"
                             "  \"111122223333\":\n"
                             "    name: payments-prod\n"
                             "    environment: production\n"
                             "  my-gcp-project:\n"
                             "    name: analytics\n"
                             "clusters:\n"
                             "  prod-eu:\n"
                             "    environment: production\n"
                             "    oidc_issuer: https://oidc.example/abc\n"
                             "    inputs: [rbac.yaml]\n"
                             "repositories:\n"
                             "  workflows/payments: northwind/payments\n"
                             "thresholds:\n"
                             "  max_credential_age: 60d\n"
                             "  unused_after: 12h\n"
                             "severities:\n"
                             "  cred.not-rotated: high\n"
                             "suppressions: []\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);

    assert_int_equal(f->config.account_count, 2);
    account = nhi_config_account(&f->config, "111122223333");
    assert_non_null(account);
    assert_string_equal(account->name, "payments-prod");
    assert_string_equal(account->environment, "production");
    assert_int_equal(account->line, 2);
    assert_int_equal(account->column, 3);
    account = nhi_config_account(&f->config, "my-gcp-project");
    assert_non_null(account);
    assert_null(account->environment);
    assert_null(nhi_config_account(&f->config, "999999999999"));

    assert_int_equal(f->config.cluster_count, 1);
    assert_string_equal(f->config.clusters[0].name, "prod-eu");
    assert_string_equal(f->config.clusters[0].oidc_issuer,
                        "https://oidc.example/abc");
    assert_int_equal(f->config.repository_count, 1);
    assert_string_equal(f->config.repositories[0].folder, "workflows/payments");
    assert_string_equal(f->config.repositories[0].repository,
                        "northwind/payments");

    assert_int_equal(f->config.max_credential_age, 60 * 86400);
    assert_int_equal(f->config.unused_after, 12 * 3600);
    assert_int_equal(nhi_config_severity(&f->config, "cred.not-rotated",
                                         NHI_SEVERITY_MEDIUM),
                     NHI_SEVERITY_HIGH);
}

static void config_empty_file(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "# nothing set\n"), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->config.max_credential_age, 90 * 86400);
}

static void config_unknown_key(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "thresholds:\n"
                             "  max_credential_age: 30d\n"
                             "acounts:\n"
                             "  \"1\": {name: a}\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(f, 0, 3, 1, "unknown key 'acounts' in nhi.yaml");
    assert_string_equal(f->diags.items[0].hint,
                        "the keys of nhi.yaml are: accounts, clusters, "
                        "repositories, thresholds, catalog, severities, "
                        "suppressions");
    /* Valid keys still take effect. */
    assert_int_equal(f->config.max_credential_age, 30 * 86400);
}

static void config_unknown_nested_keys(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "accounts:\n"
                             "  \"1\":\n"
                             "    nmae: a\n"
                             "clusters:\n"
                             "  c:\n"
                             "    region: eu\n"
                             "thresholds:\n"
                             "  stale_after: 30d\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 3);
    assert_error_at(f, 0, 3, 5, "unknown key 'nmae' in an account");
    assert_string_equal(f->diags.items[0].hint,
                        "the keys of an account are: name, environment");
    assert_error_at(f, 1, 6, 5, "unknown key 'region' in a cluster");
    assert_error_at(f, 2, 8, 3, "unknown key 'stale_after' in thresholds");
    assert_string_equal(f->diags.items[2].hint,
                        "the keys of thresholds are: max_credential_age, "
                        "unused_after");
}

static void config_bad_threshold(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "thresholds:\n"
                             "  max_credential_age: 3 months\n"
                             "  unused_after: 0d\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(f, 0, 2, 23,
                    "invalid duration '3 months' for 'max_credential_age'");
    assert_string_equal(f->diags.items[0].hint,
                        "write a whole number of hours, days or weeks, such "
                        "as 12h, 90d or 4w");
    assert_error_at(f, 1, 3, 17, "invalid duration '0d' for 'unused_after'");
    assert_int_equal(f->config.max_credential_age, 90 * 86400);
    assert_int_equal(f->config.unused_after, 90 * 86400);
}

static void config_bad_severity(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "severities:\n"
                             "  cred.not-rotated: urgent\n"
                             "  no.such-rule: high\n"
                             "  scope.full-admin: low\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_error_at(f, 0, 2, 21, "invalid severity 'urgent'");
    assert_string_equal(f->diags.items[0].hint,
                        "use critical, high, medium, low or info");
    assert_error_at(f, 1, 3, 3, "unknown rule 'no.such-rule'");
    assert_int_equal(f->config.severity_count, 1);
    assert_int_equal(nhi_config_severity(&f->config, "scope.full-admin",
                                         NHI_SEVERITY_CRITICAL),
                     NHI_SEVERITY_LOW);
    assert_int_equal(nhi_config_severity(&f->config, "cred.not-rotated",
                                         NHI_SEVERITY_MEDIUM),
                     NHI_SEVERITY_MEDIUM);
}

static void config_bad_values(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "accounts: [a, b]\n"
                             "repositories:\n"
                             "  workflows: payments\n"
                             "thresholds:\n"
                             "  max_credential_age: [90d]\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 3);
    assert_error_at(f, 0, 1, 11, "'accounts' must be a mapping, not a list");
    assert_error_at(f, 1, 3, 14, "invalid repository 'payments'");
    assert_string_equal(f->diags.items[1].hint,
                        "write the repository as OWNER/REPO");
    assert_error_at(f, 2, 5, 23,
                    "'max_credential_age' must be a scalar, not a list");
}

static void config_catalog_addition(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry;
    char origin[128];

    assert_int_equal(load(f, "catalog:\n"
                             "  ledger.read:\n"
                             "    description: Read ledger entries\n"
                             "    aws: [dynamodb:GetItem, dynamodb:Query]\n"
                             "    gcp: spanner.databases.read\n"
                             "    kubernetes: [get configmaps]\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    entry = nhi_catalog_find(f->catalog, "ledger.read");
    assert_non_null(entry);
    assert_string_equal(entry->description, "Read ledger entries");
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 2);
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][0],
                        "dynamodb:GetItem");
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][1], "dynamodb:Query");
    assert_int_equal(entry->counts[NHI_PROVIDER_GCP], 1);
    assert_string_equal(entry->patterns[NHI_PROVIDER_GCP][0],
                        "spanner.databases.read");
    assert_int_equal(entry->counts[NHI_PROVIDER_AZURE], 0);
    assert_int_equal(entry->counts[NHI_PROVIDER_KUBERNETES], 1);
    snprintf(origin, sizeof(origin), "%s:2", f->path);
    assert_string_equal(entry->origin, origin);
    assert_int_equal(nhi_catalog_count(f->catalog), 22);
}

static void config_catalog_replacement(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry;

    assert_int_equal(load(f, "catalog:\n"
                             "  object.get:\n"
                             "    aws: s3:GetObject\n"),
                     NHI_OK);
    assert_int_equal(nhi_catalog_count(f->catalog), 21);
    entry = nhi_catalog_find(f->catalog, "object.get");
    assert_non_null(entry);
    /* A replacement is whole: providers it leaves out have no pattern. */
    assert_string_equal(entry->description, "");
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 1);
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][0], "s3:GetObject");
    assert_int_equal(entry->counts[NHI_PROVIDER_GCP], 0);
    assert_int_equal(entry->counts[NHI_PROVIDER_AZURE], 0);
    assert_string_not_equal(entry->origin, "built-in");
}

static void config_catalog_errors(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry;

    assert_int_equal(load(f, "catalog:\n"
                             "  Ledger:\n"
                             "    aws: dynamodb:GetItem\n"
                             "  ledger.write:\n"
                             "    aws: [dynamodb:PutItem, spanner.x.y]\n"
                             "    oracle: x\n"
                             "  ledger.list: dynamodb:Scan\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 4);
    assert_error_at(f, 0, 2, 3, "invalid neutral action name 'Ledger'");
    assert_error_at(f, 1, 5, 29, "invalid aws pattern 'spanner.x.y'");
    assert_error_at(f, 2, 6, 5, "unknown key 'oracle' in a catalog action");
    assert_error_at(f, 3, 7, 16,
                    "'ledger.list' must be a mapping, not a scalar");
    /* The entry is applied with its valid patterns. */
    entry = nhi_catalog_find(f->catalog, "ledger.write");
    assert_non_null(entry);
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 1);
    assert_null(nhi_catalog_find(f->catalog, "Ledger"));
}

static void config_catalog_include(void **state)
{
    fixture *f = *state;
    char csv[128];

    snprintf(csv, sizeof(csv), "%s/extra.csv", f->folder);
    write_file(csv, "action,description,aws,gcp,azure,kubernetes\n"
                    "orders.read,Read orders,dynamodb:GetItem,,,\n");
    assert_int_equal(load(f, "catalog:\n"
                             "  include:\n"
                             "    - extra.csv\n"
                             "    - missing.csv\n"),
                     NHI_EINPUT);
    assert_non_null(nhi_catalog_find(f->catalog, "orders.read"));
    assert_int_equal(f->diags.count, 1);
    assert_int_equal(f->diags.items[0].line, 4);
    assert_int_equal(f->diags.items[0].column, 7);
    assert_non_null(strstr(f->diags.items[0].message,
                           "missing.csv': No such file or directory"));
}

static void config_repeated_keys(void **state)
{
    fixture *f = *state;

    /* The second lists are shorter: reading them into the arrays sized
     * for the first ones once overflowed them. */
    assert_int_equal(load(f, "accounts:\n"
                             "  \"1\": {name: a}\n"
                             "  \"2\": {name: b}\n"
                             "  \"3\": {name: c}\n"
                             "accounts:\n"
                             "  \"4\": {name: d}\n"
                             "severities:\n"
                             "  cred.not-rotated: low\n"
                             "  scope.full-admin: low\n"
                             "severities:\n"
                             "  cred.not-rotated: info\n"
                             "catalog:\n"
                             "  ledger.read:\n"
                             "    aws: [dynamodb:GetItem, dynamodb:Query]\n"
                             "    aws: dynamodb:Scan\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 3);
    assert_error_at(f, 0, 15, 5, "duplicate key 'aws' (first at line 14)");
    assert_error_at(f, 1, 5, 1, "duplicate key 'accounts' (first at line 1)");
    assert_error_at(f, 2, 10, 1,
                    "duplicate key 'severities' (first at line 7)");
    /* The first occurrence of each key is the one applied. */
    assert_int_equal(f->config.account_count, 3);
    assert_null(nhi_config_account(&f->config, "4"));
    assert_int_equal(f->config.severity_count, 2);
    assert_int_equal(nhi_config_severity(&f->config, "cred.not-rotated",
                                         NHI_SEVERITY_HIGH),
                     NHI_SEVERITY_LOW);
    assert_int_equal(
        nhi_catalog_find(f->catalog, "ledger.read")->counts[NHI_PROVIDER_AWS],
        2);
}

static void config_two_documents(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "thresholds:\n"
                             "  unused_after: 30d\n"
                             "---\n"
                             "thresholds:\n"
                             "  unused_after: 60d\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(f, 0, 4, 1, "nhi.yaml must hold one YAML document");
    assert_int_equal(f->config.unused_after, 30 * 86400);
}

static void config_syntax_error(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "thresholds:\n"
                             "  unused_after: [30d\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(f, 0, 3, 1,
                    "invalid YAML: did not find expected ',' or ']' while "
                    "parsing a flow sequence (line 2)");
}

static void config_workspace_find(void **state)
{
    fixture *f = *state;
    char sub[128], expected_root[PATH_MAX];
    nhi_config found;

    write_file(f->path, "thresholds: {unused_after: 1d}\n");
    snprintf(sub, sizeof(sub), "%s/sub", f->folder);
    assert_int_equal(mkdir(sub, 0700), 0);
    nhi_config_init(&found);
    assert_int_equal(nhi_workspace_find(&found, sub), NHI_OK);
    assert_non_null(realpath(f->folder, expected_root));
    assert_string_equal(found.root, expected_root);
    assert_non_null(found.path);
    assert_non_null(strstr(found.path, "/nhi.yaml"));
    nhi_config_free(&found);
    rmdir(sub);
}

#define CONFIG_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CONFIG_TEST(config_defaults),
        CONFIG_TEST(config_every_key),
        CONFIG_TEST(config_empty_file),
        CONFIG_TEST(config_unknown_key),
        CONFIG_TEST(config_unknown_nested_keys),
        CONFIG_TEST(config_bad_threshold),
        CONFIG_TEST(config_bad_severity),
        CONFIG_TEST(config_bad_values),
        CONFIG_TEST(config_catalog_addition),
        CONFIG_TEST(config_catalog_replacement),
        CONFIG_TEST(config_catalog_errors),
        CONFIG_TEST(config_catalog_include),
        CONFIG_TEST(config_repeated_keys),
        CONFIG_TEST(config_two_documents),
        CONFIG_TEST(config_syntax_error),
        CONFIG_TEST(config_workspace_find),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
