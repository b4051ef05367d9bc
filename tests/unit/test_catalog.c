/* SPDX-License-Identifier: MIT */
/* Unit tests for the action catalog: built-in data, CSV and classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nhi/catalog.h"
#include "nhi/error.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

#define HEADER "action,description,aws,gcp,azure,kubernetes\n"

/* The neutral actions every build must ship, in name order. */
static const char *const builtin_names[] = {
    "billing.export", "billing.read",  "compute.admin", "compute.run",
    "db.read",        "db.write",      "iam.admin",     "iam.read",
    "keys.admin",     "keys.use",      "logs.read",     "logs.write",
    "network.admin",  "object.delete", "object.get",    "object.list",
    "object.put",     "queue.read",    "queue.write",   "secrets.read",
    "secrets.write",
};

typedef struct fixture {
    nhi_catalog *catalog;
    nhi_diags diags;
} fixture;

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || nhi_catalog_new_builtin(&f->catalog) != NHI_OK)
        return -1;
    nhi_diags_init(&f->diags);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;

    nhi_diags_free(&f->diags);
    nhi_catalog_free(f->catalog);
    free(f);
    return 0;
}

static int load(fixture *f, const char *text)
{
    return nhi_catalog_load_csv(f->catalog, "extra.csv", text, strlen(text),
                                &f->diags);
}

static void assert_error_at(const nhi_error *error, unsigned line,
                            unsigned column, const char *message)
{
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_string_equal(error->path, "extra.csv");
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static bool has_pattern(const nhi_catalog_entry *entry, nhi_provider provider,
                        const char *pattern)
{
    for (size_t i = 0; i < entry->counts[provider]; i++)
        if (strcmp(entry->patterns[provider][i], pattern) == 0)
            return true;
    return false;
}

static void catalog_builtin_names(void **state)
{
    fixture *f = *state;

    assert_int_equal(nhi_catalog_count(f->catalog), ARRAY_SIZE(builtin_names));
    for (size_t i = 0; i < ARRAY_SIZE(builtin_names); i++) {
        const nhi_catalog_entry *entry = nhi_catalog_at(f->catalog, i);
        assert_non_null(entry);
        assert_string_equal(entry->name, builtin_names[i]);
        assert_string_equal(entry->origin, "built-in");
        assert_true(entry->description[0] != '\0');
    }
    assert_null(nhi_catalog_at(f->catalog, ARRAY_SIZE(builtin_names)));
}

static void catalog_builtin_entry(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry = nhi_catalog_find(f->catalog,
                                                      "secrets.read");

    assert_non_null(entry);
    assert_string_equal(entry->description, "Read secret values");
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 5);
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][0],
                        "secretsmanager:GetSecretValue");
    assert_int_equal(entry->counts[NHI_PROVIDER_GCP], 1);
    assert_string_equal(entry->patterns[NHI_PROVIDER_GCP][0],
                        "secretmanager.versions.access");
    assert_int_equal(entry->counts[NHI_PROVIDER_AZURE], 1);
    assert_int_equal(entry->counts[NHI_PROVIDER_KUBERNETES], 3);
    assert_string_equal(entry->patterns[NHI_PROVIDER_KUBERNETES][2],
                        "watch secrets");

    /* A quoted description keeps its comma, and an empty cell has no
     * pattern. */
    entry = nhi_catalog_find(f->catalog, "queue.read");
    assert_non_null(entry);
    assert_string_equal(entry->description, "Receive, acknowledge and "
                                            "inspect messages of a queue or "
                                            "subscription");
    assert_int_equal(entry->counts[NHI_PROVIDER_KUBERNETES], 0);
    assert_null(nhi_catalog_find(f->catalog, "queue.reed"));
}

static void catalog_iam_admin_writes(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *admin = nhi_catalog_find(f->catalog, "iam.admin");
    const nhi_catalog_entry *read = nhi_catalog_find(f->catalog, "iam.read");
    static const char *const aws_writes[] = {
        "iam:Create*", "iam:Put*",    "iam:Attach*", "iam:Detach*",
        "iam:Update*", "iam:Delete*", "iam:Add*",    "iam:Remove*",
        "iam:Set*",    "iam:PassRole", "iam:Upload*",
    };

    assert_non_null(admin);
    assert_non_null(read);
    for (size_t i = 0; i < ARRAY_SIZE(aws_writes); i++) {
        if (!has_pattern(admin, NHI_PROVIDER_AWS, aws_writes[i]))
            print_error("iam.admin lacks %s\n", aws_writes[i]);
        assert_true(has_pattern(admin, NHI_PROVIDER_AWS, aws_writes[i]));
    }
    assert_true(has_pattern(admin, NHI_PROVIDER_GCP, "*.setIamPolicy"));
    assert_true(has_pattern(admin, NHI_PROVIDER_KUBERNETES,
                            "escalate roles.rbac.authorization.k8s.io"));
    assert_true(has_pattern(admin, NHI_PROVIDER_KUBERNETES,
                            "impersonate serviceaccounts"));
    /* IAM reads belong to iam.read, never to iam.admin. */
    assert_false(has_pattern(admin, NHI_PROVIDER_AWS, "iam:Get*"));
    assert_false(has_pattern(admin, NHI_PROVIDER_AWS, "iam:List*"));
    assert_true(has_pattern(read, NHI_PROVIDER_AWS, "iam:Get*"));
}

static void catalog_classify(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *action;
        nhi_action_kind kind;
        nhi_provider provider;
    } cases[] = {
        {"s3:GetObject", NHI_ACTION_NATIVE, NHI_PROVIDER_AWS},
        {"iam:*", NHI_ACTION_NATIVE, NHI_PROVIDER_AWS},
        {"storage.objects.get", NHI_ACTION_NATIVE, NHI_PROVIDER_GCP},
        {"compute.firewalls.*", NHI_ACTION_NATIVE, NHI_PROVIDER_GCP},
        {"*.setIamPolicy", NHI_ACTION_NATIVE, NHI_PROVIDER_GCP},
        {"Microsoft.Storage/storageAccounts/read", NHI_ACTION_NATIVE,
         NHI_PROVIDER_AZURE},
        {"microsoft.storage/storageAccounts/read", NHI_ACTION_NATIVE,
         NHI_PROVIDER_AZURE},
        {"get secrets", NHI_ACTION_NATIVE, NHI_PROVIDER_KUBERNETES},
        {"create pods/exec", NHI_ACTION_NATIVE, NHI_PROVIDER_KUBERNETES},
        {"* roles.rbac.authorization.k8s.io", NHI_ACTION_NATIVE,
         NHI_PROVIDER_KUBERNETES},
    };
    static const char *const unknown[] = {
        "foo", "", "s3:", ":GetObject", "S3:GetObject", "s3:Get Object",
        "storage.objects", "storage..get", "Microsoft.Storage",
        "get  secrets", "Get secrets", "get ", "queue.reed",
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        nhi_provider provider = NHI_PROVIDER_COUNT;
        nhi_action_kind kind = nhi_action_classify(f->catalog, cases[i].action,
                                                   &provider);
        if (kind != cases[i].kind || provider != cases[i].provider)
            print_error("classify '%s': kind %d provider %d\n",
                        cases[i].action, kind, provider);
        assert_int_equal(kind, cases[i].kind);
        assert_int_equal(provider, cases[i].provider);
    }
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
        nhi_provider provider = NHI_PROVIDER_COUNT;
        nhi_action_kind kind = nhi_action_classify(f->catalog, unknown[i],
                                                   &provider);
        if (kind != NHI_ACTION_UNKNOWN)
            print_error("classify '%s': kind %d\n", unknown[i], kind);
        assert_int_equal(kind, NHI_ACTION_UNKNOWN);
    }
}

static void catalog_classify_neutral(void **state)
{
    fixture *f = *state;
    nhi_provider provider = NHI_PROVIDER_COUNT;

    assert_int_equal(nhi_action_classify(f->catalog, "queue.read", &provider),
                     NHI_ACTION_NEUTRAL);
    assert_int_equal(provider, NHI_PROVIDER_COUNT);
    /* Without a catalog, `queue.read` has no provider's shape: two
     * segments without a wildcard are not a GCP permission. */
    assert_int_equal(nhi_action_classify(NULL, "queue.read", &provider),
                     NHI_ACTION_UNKNOWN);
}

static void catalog_valid_names(void **state)
{
    static const char *const valid[] = {"object.get", "orders.read",
                                        "db2.read-only", "a.b_c"};
    static const char *const invalid[] = {"object",     ".get",   "object.",
                                          "Object.get", "a.b.c",  "1a.get",
                                          "object.Get", "a.-b",   "obj ect.get"};

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(valid); i++)
        assert_true(nhi_catalog_valid_name(valid[i]));
    for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
        if (nhi_catalog_valid_name(invalid[i]))
            print_error("'%s' was accepted\n", invalid[i]);
        assert_false(nhi_catalog_valid_name(invalid[i]));
    }
}

static void catalog_csv_adds_entry(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry;

    assert_int_equal(load(f, HEADER "orders.read,Read orders,"
                                    "dynamodb:GetItem | dynamodb:Query,,,\n"),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(nhi_catalog_count(f->catalog),
                     ARRAY_SIZE(builtin_names) + 1);
    entry = nhi_catalog_find(f->catalog, "orders.read");
    assert_non_null(entry);
    assert_string_equal(entry->origin, "extra.csv:2");
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 2);
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][1],
                        "dynamodb:Query");
    assert_int_equal(entry->counts[NHI_PROVIDER_GCP], 0);
}

static void catalog_csv_replaces_builtin(void **state)
{
    fixture *f = *state;
    const nhi_catalog_entry *entry;

    assert_int_equal(load(f, HEADER "object.get,Only the one bucket API,"
                                    "s3:GetObject,,,\n"),
                     NHI_OK);
    assert_int_equal(nhi_catalog_count(f->catalog), ARRAY_SIZE(builtin_names));
    entry = nhi_catalog_find(f->catalog, "object.get");
    assert_non_null(entry);
    assert_string_equal(entry->description, "Only the one bucket API");
    assert_string_equal(entry->origin, "extra.csv:2");
    assert_int_equal(entry->counts[NHI_PROVIDER_AWS], 1);
    assert_int_equal(entry->counts[NHI_PROVIDER_GCP], 0);
    assert_int_equal(entry->counts[NHI_PROVIDER_AZURE], 0);
}

static void catalog_csv_missing_column(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, HEADER "orders.read,Read orders,dynamodb:GetItem,,\n"
                                    "orders.write,Write orders,"
                                    "dynamodb:PutItem,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], 2, 1,
                    "row has 5 columns but the header has 6");
    assert_string_equal(f->diags.items[0].hint,
                        "restore the missing or extra columns of this row; "
                        "the row was left out");
    /* The bad row is left out and the good one still applied. */
    assert_null(nhi_catalog_find(f->catalog, "orders.read"));
    assert_non_null(nhi_catalog_find(f->catalog, "orders.write"));
}

static void catalog_csv_bad_header(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "action,description,aws,gpc,azure,kubernetes\n"
                             "orders.read,Read orders,dynamodb:GetItem,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    /* `gpc` starts after "action,description,aws," (23 bytes). */
    assert_error_at(&f->diags.items[0], 1, 24,
                    "invalid catalog header: expected 'gcp'");
    assert_string_equal(f->diags.items[0].hint,
                        "start the file with the header line "
                        "action,description,aws,gcp,azure,kubernetes");
    /* Rows under a wrong header are not read. */
    assert_null(nhi_catalog_find(f->catalog, "orders.read"));
}

static void catalog_csv_short_header(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "action,description,aws,gcp,azure\n"), NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], 1, 33,
                    "invalid catalog header: expected 'kubernetes'");
}

static void catalog_csv_header_missing_column(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, "action,description,aws,gcp,kubernetes\n"
                             "orders.read,Read orders,dynamodb:GetItem,,,\n"
                             "orders.list,List orders,dynamodb:Scan,,,\n"),
                     NHI_EINPUT);
    /* One error for the header. The rows under it are not read, and not
     * reported once more for their column count. */
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], 1, 28,
                    "invalid catalog header: expected 'azure'");
    assert_null(nhi_catalog_find(f->catalog, "orders.read"));
    assert_null(nhi_catalog_find(f->catalog, "orders.list"));
}

static void catalog_csv_bad_pattern(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, HEADER
                          "orders.read,Read orders,dynamodb:GetItem,"
                          "storage.objects.get|dynamodb:Query,,\n"
                          "orders.list,List orders,dynamodb:Scan,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    /* The gcp cell starts after "orders.read,Read orders,dynamodb:GetItem,"
     * (41 bytes). */
    assert_error_at(&f->diags.items[0], 2, 42,
                    "invalid pattern 'dynamodb:Query'");
    assert_string_equal(f->diags.items[0].hint,
                        "write a GCP permission such as "
                        "storage.objects.get (see docs/catalog.md)");
    assert_null(nhi_catalog_find(f->catalog, "orders.read"));
    assert_non_null(nhi_catalog_find(f->catalog, "orders.list"));
}

static void catalog_csv_bad_name(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, HEADER "Orders,Read orders,dynamodb:GetItem,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], 2, 1,
                    "invalid neutral action name 'Orders'");
}

static void catalog_csv_broken_quote(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, HEADER "orders.read,Read orders,,,,\n"
                                    "orders.list,\"List orders,,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_error_at(&f->diags.items[0], 3, 1,
                    "invalid CSV: a quoted field is not closed properly");
    assert_non_null(nhi_catalog_find(f->catalog, "orders.read"));
}

static void catalog_csv_quoted_multiline(void **state)
{
    fixture *f = *state;

    assert_int_equal(load(f, HEADER "orders.read,\"Read\norders\",,,,\n"
                                    "Bad,x,,,,\n"),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    /* The second row starts on line 4: the first spans lines 2 and 3. */
    assert_error_at(&f->diags.items[0], 4, 1,
                    "invalid neutral action name 'Bad'");
    assert_string_equal(
        nhi_catalog_find(f->catalog, "orders.read")->description,
        "Read\norders");
}

static void catalog_set_direct(void **state)
{
    fixture *f = *state;
    static const char *const aws[] = {"sqs:SendMessage"};
    const char *const *patterns[NHI_PROVIDER_COUNT] = {aws, NULL, NULL, NULL};
    const size_t counts[NHI_PROVIDER_COUNT] = {1, 0, 0, 0};
    const nhi_catalog_entry *entry;

    assert_int_equal(nhi_catalog_set(f->catalog, "aaa.first", NULL, patterns,
                                     counts, NULL),
                     NHI_OK);
    entry = nhi_catalog_at(f->catalog, 0);
    assert_string_equal(entry->name, "aaa.first");
    assert_string_equal(entry->description, "");
    assert_string_equal(entry->origin, "built-in");
    assert_string_equal(entry->patterns[NHI_PROVIDER_AWS][0],
                        "sqs:SendMessage");
}

#define CATALOG_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CATALOG_TEST(catalog_builtin_names),
        CATALOG_TEST(catalog_builtin_entry),
        CATALOG_TEST(catalog_iam_admin_writes),
        CATALOG_TEST(catalog_classify),
        CATALOG_TEST(catalog_classify_neutral),
        cmocka_unit_test(catalog_valid_names),
        CATALOG_TEST(catalog_csv_adds_entry),
        CATALOG_TEST(catalog_csv_replaces_builtin),
        CATALOG_TEST(catalog_csv_missing_column),
        CATALOG_TEST(catalog_csv_bad_header),
        CATALOG_TEST(catalog_csv_short_header),
        CATALOG_TEST(catalog_csv_header_missing_column),
        CATALOG_TEST(catalog_csv_bad_pattern),
        CATALOG_TEST(catalog_csv_bad_name),
        CATALOG_TEST(catalog_csv_broken_quote),
        CATALOG_TEST(catalog_csv_quoted_multiline),
        CATALOG_TEST(catalog_set_direct),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
