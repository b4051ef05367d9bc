/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the credential report and list-access-keys readers, on the
 * real reports of the shared corpus and on hand-written fixtures.
 *
 *   test_aws_credreport [SOURCE_ROOT]
 *
 * SOURCE_ROOT (default ".") contains tests/fixtures/credreport. The corpus
 * of real reports is read from SOURCE_ROOT/../shared/corpus/aws-credreport,
 * and the tests that need it are skipped when it is absent. Epoch seconds
 * were computed with `date -u -d DATE +%s`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/aws.h"
#include "nhi/error.h"
#include "nhi/graph.h"

static const char *source_root = ".";

typedef struct fixture {
    nhi_graph *graph;
    nhi_diags diags;
    char path[4096];
} fixture;

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || nhi_graph_new(&f->graph) != NHI_OK)
        return -1;
    nhi_diags_init(&f->diags);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;

    nhi_diags_free(&f->diags);
    nhi_graph_free(f->graph);
    free(f);
    return 0;
}

static const char *fixture_path(fixture *f, const char *name)
{
    snprintf(f->path, sizeof(f->path), "%s/tests/fixtures/credreport/%s",
             source_root, name);
    return f->path;
}

/* Return the corpus file's path, or skip the test when the file is absent. */
static const char *corpus_path(fixture *f, const char *name)
{
    snprintf(f->path, sizeof(f->path),
             "%s/../shared/corpus/aws-credreport/%s", source_root, name);
    if (access(f->path, R_OK) != 0) {
        print_message("corpus file %s not found; test skipped\n", f->path);
        skip();
    }
    return f->path;
}

static int read_report(fixture *f, const char *path)
{
    return nhi_aws_read_credential_report(f->graph, path, &f->diags);
}

static int read_keys(fixture *f, const char *path)
{
    return nhi_aws_read_access_keys(f->graph, path, &f->diags);
}

static nhi_identity *identity(const fixture *f, const char *arn)
{
    nhi_identity *found = nhi_graph_find_identity(f->graph, arn);

    if (found == NULL)
        fail_msg("no identity %s in the graph", arn);
    return found;
}

/* Return the credential of `kind` in `slot`, or fail the test. */
static const nhi_credential *credential(const nhi_identity *owner,
                                        nhi_credential_kind kind,
                                        unsigned slot)
{
    for (size_t i = 0; i < owner->credential_count; i++)
        if (owner->credentials[i]->kind == kind &&
            owner->credentials[i]->slot == slot)
            return owner->credentials[i];
    fail_msg("%s has no %s in slot %u", owner->id,
             nhi_credential_kind_name(kind), slot);
    return NULL;
}

static const nhi_credential *key_by_id(const nhi_identity *owner,
                                       const char *key_id)
{
    for (size_t i = 0; i < owner->credential_count; i++)
        if (owner->credentials[i]->key_id &&
            strcmp(owner->credentials[i]->key_id, key_id) == 0)
            return owner->credentials[i];
    fail_msg("%s has no access key %s", owner->id, key_id);
    return NULL;
}

static size_t count_active_keys(const nhi_graph *graph)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->credential_count; i++)
        if (graph->credentials[i]->kind == NHI_CREDENTIAL_ACCESS_KEY &&
            graph->credentials[i]->active)
            count++;
    return count;
}

static size_t count_kind(const nhi_graph *graph, nhi_identity_kind kind)
{
    size_t count = 0;

    for (size_t i = 0; i < graph->identity_count; i++)
        if (graph->identities[i]->kind == kind)
            count++;
    return count;
}

static void assert_diag(const nhi_error *error, nhi_level level,
                        unsigned line, unsigned column, const char *message)
{
    assert_int_equal(error->level, level);
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static void assert_key(const nhi_credential *key, bool active,
                       nhi_time created, nhi_time last_used,
                       const char *region, const char *service)
{
    assert_int_equal(key->kind, NHI_CREDENTIAL_ACCESS_KEY);
    assert_int_equal(key->active, active);
    assert_int_equal(key->created, created);
    assert_int_equal(key->last_used, last_used);
    if (region == NULL)
        assert_null(key->last_used_region);
    else
        assert_string_equal(key->last_used_region, region);
    if (service == NULL)
        assert_null(key->last_used_service);
    else
        assert_string_equal(key->last_used_service, service);
}

static void assert_same_string(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Every identity and credential of `a` is in `b` with the same values
 * (locations aside), and the counts match. */
static void assert_same_graph(const nhi_graph *a, const nhi_graph *b)
{
    assert_int_equal(a->identity_count, b->identity_count);
    assert_int_equal(a->credential_count, b->credential_count);
    assert_int_equal(a->account_count, b->account_count);
    for (size_t i = 0; i < a->identity_count; i++) {
        const nhi_identity *x = a->identities[i];
        const nhi_identity *y = nhi_graph_find_identity(b, x->id);

        assert_non_null(y);
        assert_int_equal(x->kind, y->kind);
        assert_string_equal(x->name, y->name);
        assert_string_equal(x->account, y->account);
        assert_string_equal(x->path, y->path);
        assert_int_equal(x->created, y->created);
        assert_int_equal(x->has_credential_data, y->has_credential_data);
        assert_int_equal(x->password_enabled, y->password_enabled);
        assert_int_equal(x->password_last_used, y->password_last_used);
        assert_int_equal(x->mfa_active, y->mfa_active);
        assert_int_equal(x->credential_count, y->credential_count);
        for (size_t c = 0; c < x->credential_count; c++) {
            const nhi_credential *p = x->credentials[c];
            const nhi_credential *q = y->credentials[c];
            assert_int_equal(p->kind, q->kind);
            assert_int_equal(p->slot, q->slot);
            assert_int_equal(p->active, q->active);
            assert_int_equal(p->created, q->created);
            assert_int_equal(p->last_used, q->last_used);
            assert_int_equal(p->never_used, q->never_used);
            assert_int_equal(p->usage_unknown, q->usage_unknown);
            assert_same_string(p->last_used_region, q->last_used_region);
            assert_same_string(p->last_used_service, q->last_used_service);
        }
    }
}

/* Write the Content of the JSON response at `path` to a temporary CSV
 * file, whose name goes to `out`. */
static void write_content_csv(const char *path, char *out, size_t size)
{
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    const json_t *content, *data;
    FILE *file;
    int fd;

    assert_non_null(root);
    data = json_object_get(root, "data");
    content = json_object_get(data ? data : root, "Content");
    assert_true(json_is_string(content));
    snprintf(out, size, "/tmp/test_aws_credreport.XXXXXX");
    fd = mkstemp(out);
    assert_true(fd >= 0);
    file = fdopen(fd, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(json_string_value(content), 1,
                            json_string_length(content), file),
                     json_string_length(content));
    assert_int_equal(fclose(file), 0);
    json_decref(root);
}

/* Check that the JSON response at `json_path` gives the graph of the CSV
 * that its Content contains. */
static void assert_json_matches_csv(fixture *f, const char *json_path)
{
    char csv_path[64];
    nhi_graph *from_csv;
    nhi_diags diags;

    write_content_csv(json_path, csv_path, sizeof(csv_path));
    assert_int_equal(nhi_graph_new(&from_csv), NHI_OK);
    nhi_diags_init(&diags);
    assert_int_equal(
        nhi_aws_read_credential_report(from_csv, csv_path, &diags), NHI_OK);
    unlink(csv_path);

    assert_int_equal(read_report(f, json_path), NHI_OK);
    assert_same_graph(f->graph, from_csv);
    assert_int_equal(f->diags.count, diags.count);
    nhi_diags_free(&diags);
    nhi_graph_free(from_csv);
}

/* ---- The corpus ---- */

static void credreport_testbench_csv(void **state)
{
    fixture *f = *state;
    const nhi_identity *root, *user;
    const nhi_credential *key;

    assert_int_equal(
        read_report(f, corpus_path(f, "aws-testbench_credential_report.csv")),
        NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 5);
    assert_int_equal(count_kind(f->graph, NHI_KIND_AWS_ROOT), 1);
    assert_int_equal(count_active_keys(f->graph), 3);
    assert_int_equal(f->graph->credential_count, 3);
    assert_int_equal(f->graph->account_count, 1);
    assert_string_equal(f->graph->accounts[0], "123412341234");

    /* not_supported with a sign-in date: the root password is enabled. */
    root = identity(f, "arn:aws:iam::123412341234:root");
    assert_int_equal(root->kind, NHI_KIND_AWS_ROOT);
    assert_string_equal(root->name, "<root_account>");
    assert_string_equal(root->path, "/");
    assert_int_equal(root->created, 1646755345);
    assert_true(root->password_enabled);
    assert_int_equal(root->password_last_used, 1671639563);
    assert_false(root->mfa_active);
    assert_int_equal(root->credential_count, 0);

    user = identity(f, "arn:aws:iam::123412341234:user/cloudgoat");
    assert_int_equal(user->kind, NHI_KIND_AWS_USER);
    assert_string_equal(user->name, "cloudgoat");
    assert_string_equal(user->account, "123412341234");
    assert_string_equal(user->path, "/");
    assert_int_equal(user->class_, NHI_CLASS_UNKNOWN);
    assert_int_equal(user->last_used, NHI_TIME_UNKNOWN);
    assert_true(user->has_credential_data);
    assert_false(user->password_enabled);
    assert_int_equal(user->password_last_used, NHI_TIME_UNKNOWN);
    key = credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1);
    assert_key(key, true, 1653647144, 1671647400, "us-east-1", "rds");
    assert_null(key->key_id);
    assert_false(key->never_used);
    assert_false(key->usage_unknown);
    assert_string_equal(key->location.source, f->path);
    assert_int_equal(key->location.line, 3);

    /* An active key never used: N/A in last_used_date. */
    user = identity(f, "arn:aws:iam::123412341234:user/test_key_account");
    key = credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1);
    assert_key(key, true, 1671441743, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(key->never_used);
    assert_false(key->usage_unknown);

    user = identity(f, "arn:aws:iam::123412341234:user/test_account");
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, NHI_TIME_UNKNOWN);
    assert_int_equal(user->credential_count, 0);
}

static void credreport_cloudmapper_json(void **state)
{
    fixture *f = *state;
    const nhi_identity *root, *user;
    const nhi_credential *key;
    const char *path =
        corpus_path(f, "cloudmapper_get-credential-report-response.json");

    assert_int_equal(read_report(f, path), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 3);
    assert_int_equal(count_kind(f->graph, NHI_KIND_AWS_ROOT), 1);
    assert_int_equal(count_active_keys(f->graph), 4);

    root = identity(f, "arn:aws:iam::123456789012:root");
    assert_true(root->mfa_active);
    assert_true(root->password_enabled);
    key = credential(root, NHI_CREDENTIAL_ACCESS_KEY, 1);
    assert_key(key, true, 1542988874, 1543276920, "us-east-1", "ecr");
    /* Inside JSON, locations are the Content member and the CSV line. */
    assert_int_equal(key->location.line, 2);
    assert_int_equal(key->location.column, 5);
    assert_string_equal(key->location.json_path, "Content, CSV line 2");

    user = identity(f, "arn:aws:iam::123456789012:user/user");
    assert_int_equal(user->credential_count, 2);
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, 1525707354);
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1), true,
               1557243355, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 2), true,
               1525707354, 1525707354, "us-east-1", "s3");
}

static void credreport_custodian_csv(void **state)
{
    fixture *f = *state;
    const nhi_identity *user;
    const nhi_credential *key;

    assert_int_equal(
        read_report(f, corpus_path(f, "custodian_credential-report.csv")),
        NHI_OK);
    assert_int_equal(f->graph->identity_count, 20);
    assert_int_equal(count_kind(f->graph, NHI_KIND_AWS_ROOT), 1);
    assert_int_equal(count_active_keys(f->graph), 15);
    assert_int_equal(f->graph->credential_count, 15);

    /* user-e is listed twice: a warning, and the first row is kept. */
    assert_int_equal(f->diags.count, 1);
    assert_int_equal(f->diags.errors, 0);
    assert_diag(&f->diags.items[0], NHI_LEVEL_WARNING, 10, 8,
                "duplicate row for arn:aws:iam::777788889999:user/user-e: the "
                "row at line 9 is kept");
    user = identity(f, "arn:aws:iam::777788889999:user/user-e");
    assert_int_equal(user->credential_count, 0);
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, NHI_TIME_UNKNOWN);
    assert_int_equal(user->location.line, 9);

    /* Two active keys on one user. */
    user = identity(f, "arn:aws:iam::777788889999:user/user-k");
    assert_int_equal(user->credential_count, 2);
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1), true,
               1473259073, 1479834420, "us-east-1", "sts");
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 2), true,
               1475239433, 1479939660, "us-west-2", "ec2");

    user = identity(f, "arn:aws:iam::777788889999:user/user-a");
    key = credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1);
    assert_key(key, true, 1476199655, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(key->never_used);
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 2), true,
               1472583950, 1476995220, "us-east-1", "ec2");
    assert_false(user->mfa_active);

    /* N/A region with a service. */
    user = identity(f, "arn:aws:iam::777788889999:user/user-c");
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1), true,
               1479235611, 1479245760, NULL, "s3");
    assert_true(user->mfa_active);

    /* no_information as the password's last use. */
    user = identity(f, "arn:aws:iam::777788889999:user/user-g");
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, NHI_TIME_UNKNOWN);

    user = identity(f, "arn:aws:iam::777788889999:root");
    assert_true(user->mfa_active);
    assert_true(user->password_enabled);
    assert_int_equal(user->created, 1463422391);
}

static void credreport_placebo_json(void **state)
{
    fixture *f = *state;
    const nhi_error *warning;
    const char *path =
        corpus_path(f, "custodian_GetCredentialReport-placebo.json");

    assert_int_equal(read_report(f, path), NHI_OK);
    assert_int_equal(f->graph->identity_count, 20);
    assert_int_equal(count_active_keys(f->graph), 15);
    assert_int_equal(f->diags.count, 1);
    warning = &f->diags.items[0];
    assert_diag(warning, NHI_LEVEL_WARNING, 4, 5,
                "CSV line 10: duplicate row for "
                "arn:aws:iam::777788889999:user/user-e: the row at CSV line 9 "
                "is kept");
    assert_string_equal(warning->location, "data.Content");
}

static void credreport_saa_2025_csv(void **state)
{
    fixture *f = *state;
    const nhi_identity *root, *user;

    assert_int_equal(
        read_report(f, corpus_path(f, "saa-notes_credential-report-2025.csv")),
        NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 3);
    assert_int_equal(count_kind(f->graph, NHI_KIND_AWS_ROOT), 1);
    assert_int_equal(count_active_keys(f->graph), 0);
    assert_int_equal(f->graph->credential_count, 0);

    /* This report writes true, not not_supported, for the root. */
    root = identity(f, "arn:aws:iam::567856785678:root");
    assert_true(root->password_enabled);
    assert_true(root->mfa_active);
    assert_int_equal(root->created, 1738085112);
    assert_int_equal(root->password_last_used, NHI_TIME_UNKNOWN);

    user = identity(f, "arn:aws:iam::567856785678:user/Ad");
    assert_int_equal(user->created, 1738105758);
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, 1738169174);
    assert_false(user->mfa_active);
}

static void credreport_json_matches_csv(void **state)
{
    fixture *f = *state;

    assert_json_matches_csv(
        f, corpus_path(f, "cloudmapper_get-credential-report-response.json"));
}

static void credreport_placebo_matches_csv(void **state)
{
    fixture *f = *state;

    assert_json_matches_csv(
        f, corpus_path(f, "custodian_GetCredentialReport-placebo.json"));
}

/* ---- Fixtures ---- */

static void credreport_fixture_values(void **state)
{
    fixture *f = *state;
    const nhi_identity *root, *user;
    const nhi_credential *item;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 4);

    /* not_supported and no sign-in date: taken as no password. */
    root = identity(f, "arn:aws:iam::111122223333:root");
    assert_false(root->password_enabled);

    user = identity(f, "arn:aws:iam::111122223333:user/ci/ci-deploy");
    assert_string_equal(user->path, "/ci/");
    assert_string_equal(user->name, "ci-deploy");
    assert_int_equal(user->created, 1614834367);
    assert_int_equal(user->credential_count, 3);
    assert_key(credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1), true,
               1614834368, 1717243200, "eu-west-1", "s3");
    item = credential(user, NHI_CREDENTIAL_ACCESS_KEY, 2);
    assert_key(item, true, 1675209600, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(item->never_used);
    item = credential(user, NHI_CREDENTIAL_CERTIFICATE, 1);
    assert_true(item->active);
    assert_int_equal(item->created, 1620172800);
    assert_true(item->usage_unknown);

    /* An inactive key still has a rotation date, so it is a credential. */
    user = identity(f, "arn:aws:iam::111122223333:user/alice");
    assert_true(user->password_enabled);
    assert_int_equal(user->password_last_used, 1714885505);
    assert_true(user->mfa_active);
    item = credential(user, NHI_CREDENTIAL_ACCESS_KEY, 1);
    assert_key(item, false, 1562577600, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(item->usage_unknown);
    assert_false(item->never_used);
}

static void credreport_base64_matches_csv(void **state)
{
    fixture *f = *state;
    nhi_graph *from_csv;
    nhi_diags diags;

    assert_int_equal(nhi_graph_new(&from_csv), NHI_OK);
    nhi_diags_init(&diags);
    assert_int_equal(nhi_aws_read_credential_report(
                         from_csv, fixture_path(f, "report.csv"), &diags),
                     NHI_OK);
    assert_int_equal(read_report(f, fixture_path(f, "report-base64.json")),
                     NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_same_graph(f->graph, from_csv);
    nhi_diags_free(&diags);
    nhi_graph_free(from_csv);
}

static void credreport_missing_column(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "missing-column.csv")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 1, 1,
                "missing column 'mfa_active' in the credential report header");
    assert_string_equal(f->diags.items[0].path, f->path);
    assert_int_equal(f->graph->identity_count, 0);
}

static void credreport_unknown_column(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "unknown-column.csv")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 1, 459,
                "unknown column 'notes' in the credential report header");
    assert_non_null(f->diags.items[0].hint);
    assert_int_equal(f->graph->identity_count, 0);
}

static void credreport_broken_quote(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "broken-quote.csv")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 3, 1,
                "invalid CSV: a quoted field is not closed properly");
    /* The row before the quote is read; the rest of the file is not. */
    assert_int_equal(f->graph->identity_count, 1);
    identity(f, "arn:aws:iam::111122223333:user/ci/ci-deploy");
}

static void credreport_bad_values(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "bad-values.csv")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 3, 105,
                "invalid date '2021-02-30T00:00:00Z' in column "
                "access_key_1_last_rotated: expected a date-time such as "
                "2025-01-28T23:09:18Z, or N/A");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 4, 131,
                "invalid boolean 'yes' in column mfa_active: expected true or "
                "false");
    /* The two bad rows are left out, the others read. */
    assert_int_equal(f->graph->identity_count, 2);
    identity(f, "arn:aws:iam::111122223333:root");
    identity(f, "arn:aws:iam::111122223333:user/bob");
    assert_null(nhi_graph_find_identity(
        f->graph, "arn:aws:iam::111122223333:user/alice"));
    assert_int_equal(f->graph->credential_count, 0);
}

static void credreport_duplicate_row(void **state)
{
    fixture *f = *state;
    const nhi_identity *alice;

    assert_int_equal(read_report(f, fixture_path(f, "duplicate-row.csv")),
                     NHI_OK);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_WARNING, 4, 7,
                "duplicate row for arn:aws:iam::111122223333:user/alice: the "
                "row at line 2 is kept");
    assert_int_equal(f->graph->identity_count, 2);
    alice = identity(f, "arn:aws:iam::111122223333:user/alice");
    assert_true(alice->password_enabled);
    assert_int_equal(alice->password_last_used, 1714885505);
    assert_int_equal(alice->credential_count, 1);
}

static void credreport_bad_base64(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "bad-base64.json")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 2, 5,
                "Content is neither CSV nor valid base64: character 13 ('*') "
                "is not a base64 character");
    assert_int_equal(f->graph->identity_count, 0);
}

static void credreport_bad_values_base64(void **state)
{
    fixture *f = *state;

    assert_int_equal(
        read_report(f, fixture_path(f, "bad-values-base64.json")), NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 3, 5,
                "CSV line 3: invalid date '2021-02-30T00:00:00Z' in column "
                "access_key_1_last_rotated: expected a date-time such as "
                "2025-01-28T23:09:18Z, or N/A");
    assert_string_equal(f->diags.items[0].location, "Content");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 3, 5,
                "CSV line 4: invalid boolean 'yes' in column mfa_active: "
                "expected true or false");
    assert_int_equal(f->diags.errors, 2);
    assert_int_equal(f->graph->identity_count, 2);
}

static void credreport_invalid_json(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "keys-broken.json")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 12, 1,
                "invalid JSON: end of file expected near '{'");
}

static void credreport_missing_file(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "no-such-file.csv")),
                     NHI_EIO);
    assert_int_equal(f->diags.count, 1);
    assert_int_equal(f->diags.items[0].line, 0);
    assert_int_equal(f->graph->identity_count, 0);
}

/* A user already in the graph gains the report's data; none is added. */
static void credreport_joins_identity(void **state)
{
    fixture *f = *state;
    const char *arn = "arn:aws:iam::111122223333:user/alice";
    nhi_identity *alice = nhi_graph_alloc(f->graph, sizeof(*alice));

    assert_non_null(alice);
    alice->provider = NHI_PROVIDER_AWS;
    alice->kind = NHI_KIND_AWS_USER;
    alice->id = nhi_graph_intern(f->graph, arn);
    alice->name = "alice";
    alice->account = "111122223333";
    alice->path = "/";
    alice->created = 1000;
    alice->last_used = NHI_TIME_UNKNOWN;
    assert_int_equal(nhi_graph_add_identity(f->graph, alice), NHI_OK);

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(f->graph->identity_count, 4);
    assert_ptr_equal(nhi_graph_find_identity(f->graph, arn), alice);
    assert_ptr_equal(f->graph->identities[0], alice);
    assert_true(alice->has_credential_data);
    assert_true(alice->mfa_active);
    assert_int_equal(alice->created, 1000);
    assert_int_equal(alice->credential_count, 1);
    assert_ptr_equal(alice->credentials[0]->identity, alice);
    assert_int_equal(alice->credentials[0]->slot, 1);
}

static void credreport_read_twice(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(read_report(f, fixture_path(f, "report-base64.json")),
                     NHI_OK);
    assert_int_equal(f->graph->identity_count, 4);
    assert_int_equal(f->graph->credential_count, 4);
    assert_int_equal(f->diags.count, 4);
    assert_diag(&f->diags.items[0], NHI_LEVEL_WARNING, 2, 5,
                "CSV line 2: credential report data for "
                "arn:aws:iam::111122223333:root was already read from another "
                "input; this row was left out");
}

/* ---- list-access-keys ---- */

static void keys_after_report(void **state)
{
    fixture *f = *state;
    const nhi_identity *user;
    const nhi_credential *key;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(read_keys(f, fixture_path(f, "keys.json")), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->credential_count, 5);

    user = identity(f, "arn:aws:iam::111122223333:user/ci/ci-deploy");
    key = key_by_id(user, "AKIAEXAMPLECIDEPLOY1");
    assert_int_equal(key->slot, 1);
    assert_key(key, true, 1614834368, 1717243200, "eu-west-1", "s3");
    key = key_by_id(user, "AKIAEXAMPLECIDEPLOY2");
    assert_int_equal(key->slot, 2);

    /* Key 1 matches the report's slot by creation time; key 2 is newer
     * than the report and is added. */
    user = identity(f, "arn:aws:iam::111122223333:user/alice");
    assert_int_equal(user->credential_count, 2);
    key = key_by_id(user, "AKIAEXAMPLEALICE0001");
    assert_int_equal(key->slot, 1);
    assert_false(key->active);
    key = key_by_id(user, "AKIAEXAMPLEALICE0002");
    assert_int_equal(key->slot, 0);
    assert_key(key, true, 1719828000, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(key->usage_unknown);
    assert_int_equal(key->location.line, 18);
    assert_int_equal(key->location.column, 1);
    assert_string_equal(key->location.json_path, "AccessKeyMetadata[1]");
}

/* Add an IAM user as the authorization details reader would. `path` is
 * "/" or "/PATH/". */
static nhi_identity *add_user(fixture *f, const char *account,
                              const char *path, const char *name)
{
    nhi_identity *user = nhi_graph_alloc(f->graph, sizeof(*user));
    char arn[128];

    assert_non_null(user);
    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:user%s%s", account, path,
             name);
    user->provider = NHI_PROVIDER_AWS;
    user->kind = NHI_KIND_AWS_USER;
    user->id = nhi_graph_intern(f->graph, arn);
    user->name = nhi_graph_intern(f->graph, name);
    user->account = nhi_graph_intern(f->graph, account);
    user->path = nhi_graph_intern(f->graph, path);
    user->created = NHI_TIME_UNKNOWN;
    user->last_used = NHI_TIME_UNKNOWN;
    assert_int_equal(nhi_graph_add_identity(f->graph, user), NHI_OK);
    return user;
}

/* Keys read first gain the report's slot and usage without a copy. */
static void keys_before_report(void **state)
{
    fixture *f = *state;
    const nhi_identity *ci, *alice;
    const nhi_credential *key;

    ci = add_user(f, "111122223333", "/ci/", "ci-deploy");
    alice = add_user(f, "111122223333", "/", "alice");
    assert_int_equal(read_keys(f, fixture_path(f, "keys.json")), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->credential_count, 4);
    key = key_by_id(ci, "AKIAEXAMPLECIDEPLOY1");
    assert_int_equal(key->slot, 0);
    assert_key(key, true, 1614834368, NHI_TIME_UNKNOWN, NULL, NULL);
    assert_true(key->usage_unknown);

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(f->diags.count, 0);
    assert_int_equal(f->graph->identity_count, 4);
    /* Only ci-deploy's certificate is new. */
    assert_int_equal(f->graph->credential_count, 5);
    assert_int_equal(ci->credential_count, 3);
    key = key_by_id(ci, "AKIAEXAMPLECIDEPLOY1");
    assert_int_equal(key->slot, 1);
    assert_key(key, true, 1614834368, 1717243200, "eu-west-1", "s3");
    assert_false(key->usage_unknown);
    key = key_by_id(ci, "AKIAEXAMPLECIDEPLOY2");
    assert_int_equal(key->slot, 2);
    assert_true(key->never_used);

    assert_int_equal(alice->credential_count, 2);
    key = key_by_id(alice, "AKIAEXAMPLEALICE0001");
    assert_int_equal(key->slot, 1);
    assert_false(key->active);
    assert_true(key->usage_unknown);
    assert_int_equal(key_by_id(alice, "AKIAEXAMPLEALICE0002")->slot, 0);
}

static void keys_broken_json(void **state)
{
    fixture *f = *state;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(read_keys(f, fixture_path(f, "keys-broken.json")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 18, 24,
                "invalid JSON: '}' expected near '\"CreateDate\"'");
    /* Nothing of the file is applied, not even the valid first object. */
    for (size_t i = 0; i < f->graph->credential_count; i++)
        assert_null(f->graph->credentials[i]->key_id);
}

static void keys_secret_reported(void **state)
{
    fixture *f = *state;
    const nhi_error *error;
    const nhi_credential *key;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(read_keys(f, fixture_path(f, "keys-secret.json")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 1);
    error = &f->diags.items[0];
    assert_diag(error, NHI_LEVEL_ERROR, 7, 13,
                "file holds a secret access key; remove it");
    assert_string_equal(error->location,
                        "AccessKeyMetadata[0].SecretAccessKey");
    assert_non_null(strstr(error->hint, "AKIAIOSFODNN7EXAMPLE"));
    assert_null(strstr(error->hint, "wJalrXUtnFEMI"));
    assert_null(strstr(error->message, "wJalrXUtnFEMI"));

    /* The key's metadata is still read. */
    key = key_by_id(identity(f, "arn:aws:iam::111122223333:user/bob"),
                    "AKIAIOSFODNN7EXAMPLE");
    assert_int_equal(key->created, 1646092800);
}

static void keys_bad_values(void **state)
{
    fixture *f = *state;
    const nhi_identity *bob;

    assert_int_equal(read_report(f, fixture_path(f, "report.csv")), NHI_OK);
    assert_int_equal(read_keys(f, fixture_path(f, "keys-bad-values.json")),
                     NHI_EINPUT);
    assert_int_equal(f->diags.count, 4);
    assert_diag(&f->diags.items[0], NHI_LEVEL_WARNING, 13, 5,
                "IsTruncated is true: keys on later pages are missing");
    assert_string_equal(f->diags.items[0].location, "[1].IsTruncated");
    assert_diag(&f->diags.items[1], NHI_LEVEL_ERROR, 13, 5,
                "invalid Status 'Enabled': expected Active, Inactive or "
                "Expired");
    assert_string_equal(f->diags.items[1].location,
                        "[1].AccessKeyMetadata[0]");
    assert_diag(&f->diags.items[2], NHI_LEVEL_ERROR, 13, 5,
                "invalid CreateDate 'yesterday': expected a date-time such as "
                "2019-05-07T15:35:55Z");
    assert_string_equal(f->diags.items[2].location,
                        "[1].AccessKeyMetadata[1]");
    assert_diag(&f->diags.items[3], NHI_LEVEL_WARNING, 2, 5,
                "user 'mallory' of access key AKIAEXAMPLEMALLORY1 is not in "
                "the other exports; the key was left out");
    assert_string_equal(f->diags.items[3].location,
                        "[0].AccessKeyMetadata[0]");

    bob = identity(f, "arn:aws:iam::111122223333:user/bob");
    assert_int_equal(bob->credential_count, 1);
    assert_int_equal(key_by_id(bob, "AKIAEXAMPLEBOB00003")->created,
                     1683356889);
}

static void keys_ambiguous_user(void **state)
{
    fixture *f = *state;

    add_user(f, "111122223333", "/", "alice");
    add_user(f, "444455556666", "/", "alice");
    add_user(f, "111122223333", "/ci/", "ci-deploy");
    assert_int_equal(read_keys(f, fixture_path(f, "keys.json")), NHI_EINPUT);
    assert_int_equal(f->diags.count, 2);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 18, 1,
                "user 'alice' of access key AKIAEXAMPLEALICE0001 exists in "
                "several accounts; the key was left out");
    assert_int_equal(f->graph->credential_count, 2);
}

static void keys_empty_file(void **state)
{
    fixture *f = *state;
    char path[] = "/tmp/test_aws_keys.XXXXXX";
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, " \n", 2), 2);
    close(fd);
    assert_int_equal(read_keys(f, path), NHI_EINPUT);
    unlink(path);
    assert_int_equal(f->diags.count, 1);
    assert_diag(&f->diags.items[0], NHI_LEVEL_ERROR, 1, 1,
                "empty file: expected the output of `aws iam "
                "list-access-keys`");
}

/* ---- Recognition by content ---- */

static bool sniff_file(const char *path, bool keys)
{
    char head[65536];
    FILE *file = fopen(path, "rb");
    size_t length;

    assert_non_null(file);
    length = fread(head, 1, sizeof(head), file);
    fclose(file);
    return keys ? nhi_aws_sniff_access_keys(head, length)
                : nhi_aws_sniff_credential_report(head, length);
}

static void sniff_corpus(void **state)
{
    static const char *const names[] = {
        "aws-testbench_credential_report.csv",
        "cloudmapper_get-credential-report-response.json",
        "custodian_GetCredentialReport-placebo.json",
        "custodian_credential-report.csv",
        "saa-notes_credential-report-2025.csv",
    };
    fixture *f = *state;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *path = corpus_path(f, names[i]);
        assert_true(sniff_file(path, false));
        assert_false(sniff_file(path, true));
    }
}

static void sniff_fixtures(void **state)
{
    fixture *f = *state;

    assert_true(sniff_file(fixture_path(f, "report-base64.json"), false));
    assert_false(sniff_file(f->path, true));
    assert_true(sniff_file(fixture_path(f, "keys.json"), true));
    assert_false(sniff_file(f->path, false));
    assert_true(sniff_file(fixture_path(f, "keys-bad-values.json"), true));
    assert_false(nhi_aws_sniff_credential_report("user,arn\n", 9));
    assert_false(nhi_aws_sniff_access_keys("AccessKeyMetadata", 17));
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, \
                                                   fixture_teardown)

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        TEST(credreport_testbench_csv),
        TEST(credreport_cloudmapper_json),
        TEST(credreport_custodian_csv),
        TEST(credreport_placebo_json),
        TEST(credreport_saa_2025_csv),
        TEST(credreport_json_matches_csv),
        TEST(credreport_placebo_matches_csv),
        TEST(credreport_fixture_values),
        TEST(credreport_base64_matches_csv),
        TEST(credreport_missing_column),
        TEST(credreport_unknown_column),
        TEST(credreport_broken_quote),
        TEST(credreport_bad_values),
        TEST(credreport_duplicate_row),
        TEST(credreport_bad_base64),
        TEST(credreport_bad_values_base64),
        TEST(credreport_invalid_json),
        TEST(credreport_missing_file),
        TEST(credreport_joins_identity),
        TEST(credreport_read_twice),
        TEST(keys_after_report),
        TEST(keys_before_report),
        TEST(keys_broken_json),
        TEST(keys_secret_reported),
        TEST(keys_bad_values),
        TEST(keys_ambiguous_user),
        TEST(keys_empty_file),
        TEST(sniff_corpus),
        TEST(sniff_fixtures),
    };

    if (argc > 1)
        source_root = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
