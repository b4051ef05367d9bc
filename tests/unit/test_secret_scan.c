/* SPDX-License-Identifier: MIT */
/* Unit tests for credential-literal recognition: every kind, the values
 * that are not literals, and the fingerprint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nhi/consumer.h"

/*
 * Token-shaped values are built at run time from a prefix and a filler,
 * so that no complete token is written in the source and secret scanners
 * of code hosts do not flag this file.
 */
static const char *make_token(char *buffer, size_t size, const char *prefix,
                              const char *filler, size_t filler_count)
{
    size_t length = strlen(prefix), filler_length = strlen(filler);

    assert_true(length + filler_count < size);
    memcpy(buffer, prefix, length);
    for (size_t i = 0; i < filler_count; i++)
        buffer[length + i] = filler[i % filler_length];
    buffer[length + filler_count] = '\0';
    return buffer;
}

static void assert_kind(const char *key, const char *value,
                        const char *expected)
{
    const char *kind = nhi_secret_literal_kind(key, value, NULL);

    if (expected == NULL) {
        assert_null(kind);
        return;
    }
    assert_non_null(kind);
    assert_string_equal(kind, expected);
}

static void scan_aws_key_id(void **state)
{
    (void)state;
    assert_kind(NULL, "AKIAZ7Q4M2LK9PW3HX5N", "aws-access-key-id");
    assert_kind(NULL, "ASIAZ7Q4M2LK9PW3HX5N", "aws-access-key-id");
    assert_kind(NULL, "ABIAZ7Q4M2LK9PW3HX5N", "aws-access-key-id");
    assert_kind(NULL, "ACCAZ7Q4M2LK9PW3HX5N", "aws-access-key-id");
    /* The corpus's stand-ins for real ids are still key ids. */
    assert_kind("CACHES_AWS_ACCESS_KEY_ID", "AKIAEXAMPLECACHES001",
                "aws-access-key-id");
}

static void scan_aws_key_id_rejects(void **state)
{
    (void)state;
    /* The AWS documentation's key id. */
    assert_kind(NULL, "AKIAIOSFODNN7EXAMPLE", NULL);
    /* One character short, one too many, lower case, a space. */
    assert_kind(NULL, "AKIAZ7Q4M2LK9PW3HX5", NULL);
    assert_kind(NULL, "AKIAZ7Q4M2LK9PW3HX5NQ", NULL);
    assert_kind(NULL, "AKIAz7q4m2lk9pw3hx5n", NULL);
    assert_kind(NULL, "AKIAZ7Q4M2LK9PW3HX5 ", NULL);
    /* Another prefix. */
    assert_kind(NULL, "AIDAZ7Q4M2LK9PW3HX5N", NULL);
    assert_kind(NULL, "AKIAXXXXXXXXXXXXXXXX", NULL);
}

static void scan_aws_secret_key(void **state)
{
    static const char secret[] = "q8Xv2Lr9TzK4mW7pN1sB6dF3hJ0cV5gY/a+E8uRk";

    (void)state;
    assert_int_equal(strlen(secret), 40);
    assert_kind("AWS_SECRET_ACCESS_KEY", secret, "aws-secret-access-key");
    assert_kind("aws-secret-access-key", secret, "aws-secret-access-key");
    assert_kind("MY_Secret", secret, "aws-secret-access-key");
    /* Not under a secret's name: nothing separates it from other base64. */
    assert_kind("CHECKSUM", secret, NULL);
    assert_kind(NULL, secret, NULL);
    /* The documentation's secret key, and one without digits. */
    assert_kind("AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL);
    assert_kind("AWS_SECRET_ACCESS_KEY",
                "qXvLrTzKmWpNsBdFhJcVgYaEuRkqXvLrTzKmWpNs", NULL);
    assert_kind("AWS_SECRET_ACCESS_KEY", "random_secret", NULL);
}

static void scan_private_key(void **state)
{
    (void)state;
    assert_kind("SSH_KEY",
                "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAA\n"
                "-----END OPENSSH PRIVATE KEY-----\n",
                "private-key");
    assert_kind("TLS_KEY",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n"
                "-----END RSA PRIVATE KEY-----",
                "private-key");
    /* A certificate is public. */
    assert_kind("TLS_CERT",
                "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n"
                "-----END CERTIFICATE-----",
                NULL);
    assert_kind("TLS_KEY",
                "-----BEGIN PRIVATE KEY-----\nREDACTED\n"
                "-----END PRIVATE KEY-----",
                NULL);
}

static void scan_gcp_key(void **state)
{
    (void)state;
    assert_kind("GOOGLE_CREDENTIALS",
                "{\"type\": \"service_account\", \"project_id\": \"p\", "
                "\"private_key_id\": \"0a1b\", \"private_key\": "
                "\"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE "
                "KEY-----\\n\"}",
                "gcp-service-account-key");
    assert_kind("GOOGLE_CREDENTIALS",
                "{\n  \"type\" :\"service_account\",\n  \"private_key\": "
                "\"k\"\n}",
                "gcp-service-account-key");
    /* An authorized-user file and a key file without its key. */
    assert_kind("GOOGLE_CREDENTIALS",
                "{\"type\": \"authorized_user\", \"private_key\": \"k\"}",
                NULL);
    assert_kind("GOOGLE_CREDENTIALS",
                "{\"type\": \"service_account\", \"private_key_id\": \"k\"}",
                NULL);
}

static void scan_github_token(void **state)
{
    char token[96];
    static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_",
                                           "ghr_"};

    (void)state;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        assert_kind("GH", make_token(token, sizeof(token), prefixes[i],
                                     "Zq7Rk2Wm9Lp4", 36),
                    "github-token");
    assert_kind("GH", make_token(token, sizeof(token), "github_pat_",
                                 "11AbC9_xYz3Q", 82),
                "github-token");
    /* Inside a larger value, after a word boundary. */
    assert_kind("AUTH",
                make_token(token, sizeof(token), "Bearer ghp_",
                           "Zq7Rk2Wm9Lp4", 36),
                "github-token");
    /* 29 characters are too few; a prefix inside a word does not count. */
    assert_kind("GH", make_token(token, sizeof(token), "ghp_", "Zq7Rk2Wm9Lp4",
                                 29),
                NULL);
    assert_kind("GH", make_token(token, sizeof(token), "xghp_",
                                 "Zq7Rk2Wm9Lp4", 36),
                NULL);
    assert_kind("GH", make_token(token, sizeof(token), "github_pat_",
                                 "11AbC9_xYz3Q", 21),
                NULL);
}

static void scan_other_tokens(void **state)
{
    char token[96];

    (void)state;
    assert_kind("GL", make_token(token, sizeof(token), "glpat-",
                                 "Hq3-Vz8_Lk2w", 20),
                "gitlab-token");
    assert_kind("GL", make_token(token, sizeof(token), "glpat-",
                                 "Hq3-Vz8_Lk2w", 19),
                NULL);
    assert_kind("SLACK", make_token(token, sizeof(token), "xoxb-",
                                    "1234-5678-Qz9Wk", 40),
                "slack-token");
    assert_kind("SLACK", make_token(token, sizeof(token), "xoxp-",
                                    "1234-5678-Qz9Wk", 40),
                "slack-token");
    assert_kind("SLACK", "xoxb-", NULL);
    assert_kind("MAPS", make_token(token, sizeof(token), "AIza",
                                   "Sy7-Qk2_Wm9Lp4Rz", 35),
                "google-api-key");
    assert_kind("MAPS", make_token(token, sizeof(token), "AIza",
                                   "Sy7-Qk2_Wm9Lp4Rz", 34),
                NULL);
}

static void scan_password(void **state)
{
    (void)state;
    assert_kind("DB_PASSWORD", "hT7#kLq2!wZx9", "password");
    assert_kind("db-passwd", "hT7#kLq2!wZx9", "password");
    assert_kind("CLIENT_SECRET", "Zk8vQ2pW7nR4tY6u", "password");
    assert_kind("API-KEY", "Zk8vQ2pW7nR4tY6u", "password");
    assert_kind("apikey", "Zk8vQ2pW7nR4tY6u", "password");
    assert_kind("CODECOV_TOKEN", "5c1e7a3b-9d2f-4e8a-b6c0-1f3d5e7a9b2c",
                "password");
    /* Not a secret's name. */
    assert_kind("BUILD_ID", "hT7#kLq2!wZx9", NULL);
    assert_kind(NULL, "hT7#kLq2!wZx9", NULL);
}

static void scan_password_rejects(void **state)
{
    (void)state;
    /* Typed test values: short, dictionary words, too few classes. */
    assert_kind("PASSWORD", "secret", NULL);
    assert_kind("PASSWORD", "root", NULL);
    assert_kind("PASSWORD", "password", NULL);
    assert_kind("PASSWORD", "yes", NULL);
    assert_kind("PASSWORD", "P@ssw0rd", NULL);
    assert_kind("PASSWORD", "Password123!", NULL);
    assert_kind("PASSWORD", "averylongpassphrase", NULL);
    assert_kind("PASSWORD", "alllowercase1234", NULL);
    /* Sentences, URLs and names of secrets. */
    assert_kind("TOKEN_HELP", "Set It To 42 Now", NULL);
    assert_kind("TOKEN_URL", "https://auth.Example.org/v2/token", NULL);
    assert_kind("TOKEN", "secrets.GITHUB_TOKEN", NULL);
    assert_kind("PASSWORD", "MyTestPass12!", NULL);
}

static void scan_not_literals(void **state)
{
    (void)state;
    assert_kind("AWS_ACCESS_KEY_ID", "", NULL);
    assert_kind("AWS_ACCESS_KEY_ID", "${{ secrets.AWS_ACCESS_KEY_ID }}", NULL);
    assert_kind("PASSWORD", "${DB_PASSWORD}", NULL);
    assert_kind("PASSWORD", "$DB_PASSWORD", NULL);
    assert_kind("PASSWORD", "$(cat /run/secrets/db)", NULL);
    assert_kind("PASSWORD", "{{ .Values.password }}", NULL);
    assert_kind("PASSWORD", "pre${{ secrets.X }}Zk8vQ2pW7n", NULL);
    assert_kind("PASSWORD", "REDACTED", NULL);
    assert_kind("PASSWORD", "xxxxxxxxxxxxxxxx", NULL);
    assert_kind("PASSWORD", "changeme-Zk8vQ2p7", NULL);
    assert_kind("PASSWORD", "<your-password-1A>", NULL);
    assert_kind("PASSWORD", "Example-Zk8vQ2p7", NULL);
    assert_kind("PASSWORD", "dummy-Zk8vQ2p7x", NULL);
    assert_kind("PASSWORD", "placeholder-Zk8vQ2p7", NULL);
    assert_kind("PASSWORD", "Zk8vQ2p7-test-x", NULL);
    assert_null(nhi_secret_literal_kind("PASSWORD", NULL, NULL));
}

static void scan_fingerprint(void **state)
{
    char fingerprint[17];
    const char *kind;

    (void)state;
    memset(fingerprint, '#', sizeof(fingerprint));
    kind = nhi_secret_literal_kind("CACHES_AWS_ACCESS_KEY_ID",
                                   "AKIAEXAMPLECACHES001", fingerprint);
    assert_non_null(kind);
    /* printf 'AKIAEXAMPLECACHES001' | sha256sum, first 16 digits. */
    assert_string_equal(fingerprint, "f057cb8d1c1b28a7");
}

static void scan_fingerprint_untouched(void **state)
{
    char fingerprint[17];

    (void)state;
    memset(fingerprint, '#', sizeof(fingerprint));
    assert_null(nhi_secret_literal_kind("NAME", "plain value", fingerprint));
    for (size_t i = 0; i < sizeof(fingerprint); i++)
        assert_int_equal(fingerprint[i], '#');
}

/* Each line redacted, and what it must read afterwards. */
static void redact_lines(void **state)
{
    static const struct {
        const char *line;
        const char *expected;
    } cases[] = {
        {"      AWS_SECRET_ACCESS_KEY: Zx9TqWm2Lp8Rv4Ks7Hn3Bd6Fg1Jc5Yt0Ue2Qa8Wo",
         "      AWS_SECRET_ACCESS_KEY: ****************************************"},
        {"  - export AWS_ACCESS_KEY_ID=AKIAEXAMPLE000000777 && aws s3 ls",
         "  - export AWS_ACCESS_KEY_ID=******************** && aws s3 ls"},
        {"{\"token\": \"ghp_0123456789abcdefghijABCDEFGHIJ0123\"}",
         "{\"token\": \"**************************************\"}"},
        {"curl -H \"PRIVATE-TOKEN: glpat-Zq8Vt2LmW9xRk4Pn7JsB\" https://x",
         "curl -H \"PRIVATE-TOKEN: **************************\" https://x"},
        {"  role-to-assume: arn:aws:iam::111122223333:role/deploy",
         "  role-to-assume: arn:aws:iam::111122223333:role/deploy"},
        {"  password: ${{ secrets.DB_PASSWORD }}",
         "  password: ${{ secrets.DB_PASSWORD }}"},
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char line[256];
        snprintf(line, sizeof(line), "%s", cases[i].line);
        nhi_redact_line(line);
        assert_string_equal(line, cases[i].expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scan_aws_key_id),
        cmocka_unit_test(scan_aws_key_id_rejects),
        cmocka_unit_test(scan_aws_secret_key),
        cmocka_unit_test(scan_private_key),
        cmocka_unit_test(scan_gcp_key),
        cmocka_unit_test(scan_github_token),
        cmocka_unit_test(scan_other_tokens),
        cmocka_unit_test(scan_password),
        cmocka_unit_test(scan_password_rejects),
        cmocka_unit_test(scan_not_literals),
        cmocka_unit_test(scan_fingerprint),
        cmocka_unit_test(scan_fingerprint_untouched),
        cmocka_unit_test(redact_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
