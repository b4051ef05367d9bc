/* SPDX-License-Identifier: MIT */
/*
 * Recognition of credential literals written into CI files and manifests:
 * provider key and token formats, private keys, and generated-looking
 * passwords under secret-sounding names. Only the kind and a fingerprint
 * leave this file; the value is never copied.
 */
#include "nhi/consumer.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* The access key id that the AWS documentation uses in every example. */
#define AWS_DOCUMENTATION_KEY_ID "AKIAIOSFODNN7EXAMPLE"

/* Maximum length of a key name that is normalised for matching, NUL
 * included. Longer names are compared on their first 127 bytes only. */
#define KEY_NAME_MAX 128

/* Shortest value that a generated password is assumed to have. */
#define PASSWORD_MIN_LENGTH 12

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/*
 * Values that are not literals: empty, and expressions that a CI system
 * or shell expands: GitHub `${{ }}`, shell `${VAR}`, `$VAR` and `$(cmd)`,
 * and template `{{ }}` (Helm, Jinja, Go templates).
 */
static bool is_expression(const char *value)
{
    return value[0] == '\0' || value[0] == '$' || strstr(value, "${{") ||
           strstr(value, "${") || strstr(value, "$(") || strstr(value, "{{");
}

/* Markers that someone blanked or templated the value. */
static bool is_redacted(const char *value)
{
    size_t length = strlen(value);

    if (nhi_contains_nocase(value, "redacted") ||
        nhi_contains_nocase(value, "changeme") || nhi_contains_nocase(value, "xxxx") ||
        strstr(value, "****") != NULL)
        return true;
    if (length >= 3 && tolower((unsigned char)value[0]) == 'x' &&
        tolower((unsigned char)value[1]) == 'x' &&
        tolower((unsigned char)value[2]) == 'x')
        return true;
    return length >= 2 && value[0] == '<' && value[length - 1] == '>';
}

/* Words that mark a sample or test value. */
static bool has_placeholder_word(const char *value)
{
    return nhi_contains_nocase(value, "example") ||
           nhi_contains_nocase(value, "dummy") ||
           nhi_contains_nocase(value, "placeholder") ||
           nhi_contains_nocase(value, "test") || nhi_contains_nocase(value, "fake") ||
           nhi_contains_nocase(value, "sample");
}

static size_t count_span(const char *text, bool (*accept)(int c))
{
    size_t count = 0;

    while (text[count] && accept((unsigned char)text[count]))
        count++;
    return count;
}

static bool is_upper_or_digit(int c)
{
    return isupper(c) || isdigit(c);
}

static bool is_alnum(int c)
{
    return isalnum(c) != 0;
}

static bool is_token_char(int c)
{
    return isalnum(c) || c == '_' || c == '-';
}

static bool is_base64_char(int c)
{
    return isalnum(c) || c == '/' || c == '+' || c == '=';
}

/*
 * An IAM access key id: a four-letter prefix and 16 upper-case letters or
 * digits. AKIA is a long-term user key, ASIA a temporary (STS) key, ABIA
 * an AWS STS service bearer token, ACCA a context-specific credential
 * (IAM User Guide, "Reference information about IAM identifiers", unique
 * identifier prefixes). The whole value must be the id.
 */
static bool is_aws_key_id(const char *value)
{
    static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA"};
    bool prefixed = false;

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        prefixed = prefixed || starts_with(value, prefixes[i]);
    return prefixed && strlen(value) == 20 &&
           count_span(value + 4, is_upper_or_digit) == 16;
}

/*
 * A secret access key: 40 characters of base64 text. IAM does not
 * document the format; every key it issues has this shape, and a random
 * one mixes lower case, upper case and digits.
 */
static bool is_aws_secret_key(const char *value)
{
    bool lower = false, upper = false, digit = false;

    if (strlen(value) != 40 || count_span(value, is_base64_char) != 40)
        return false;
    for (const char *c = value; *c; c++) {
        lower = lower || islower((unsigned char)*c);
        upper = upper || isupper((unsigned char)*c);
        digit = digit || isdigit((unsigned char)*c);
    }
    return lower && upper && digit;
}

/* PEM armour of a private key: PKCS#8 `PRIVATE KEY`, and the RSA, EC,
 * DSA and OPENSSH variants, which all end in `PRIVATE KEY-----`. */
static bool is_private_key(const char *value)
{
    return strstr(value, "-----BEGIN") != NULL &&
           strstr(value, "PRIVATE KEY-----") != NULL;
}

/* Skip JSON white space. */
static const char *skip_space(const char *c)
{
    while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
        c++;
    return c;
}

/*
 * A Google Cloud service-account key file: JSON whose "type" member is
 * "service_account" and that has a "private_key" member (the format that
 * `gcloud iam service-accounts keys create` writes).
 */
static bool is_gcp_key(const char *value)
{
    const char *at = value;

    if (strstr(value, "\"private_key\"") == NULL)
        return false;
    while ((at = strstr(at, "\"type\"")) != NULL) {
        const char *c = skip_space(at + 6);
        at += 6;
        if (*c != ':')
            continue;
        c = skip_space(c + 1);
        if (starts_with(c, "\"service_account\""))
            return true;
    }
    return false;
}

/*
 * A token with a known prefix, found anywhere in the value at a word
 * start (so that `Bearer ghp_...` and URLs with a token count), followed
 * by at least `min_length` characters accepted by `accept`.
 */
static bool has_prefixed_token(const char *value, const char *prefix,
                               bool (*accept)(int c), size_t min_length)
{
    size_t prefix_length = strlen(prefix);

    for (const char *at = value; (at = strstr(at, prefix)) != NULL; at++) {
        if (at > value && is_alnum((unsigned char)at[-1]))
            continue;
        if (count_span(at + prefix_length, accept) >= min_length)
            return true;
    }
    return false;
}

/*
 * GitHub tokens: `ghp_` (personal access token, classic), `gho_` (OAuth
 * access token), `ghu_` (GitHub App user-to-server), `ghs_` (GitHub App
 * installation, server-to-server), `ghr_` (refresh token), each with 36
 * base62 characters, and `github_pat_` (fine-grained personal access
 * token). The prefixes are from GitHub's "About authentication to GitHub"
 * (token formats); the lengths asked for are kept below the real ones.
 */
static bool is_github_token(const char *value)
{
    static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_",
                                           "ghr_"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (has_prefixed_token(value, prefixes[i], is_alnum, 30))
            return true;
    return has_prefixed_token(value, "github_pat_", is_token_char, 22);
}

/*
 * Slack tokens: `xoxb-` (bot), `xoxp-` (user), `xoxa-` (workspace app),
 * `xoxr-` (refresh) and `xoxs-` (session), from Slack's "Token types"
 * documentation. Real tokens carry dozens of characters after the
 * prefix; ten excludes a prefix mentioned in text.
 */
static bool is_slack_token(const char *value)
{
    static const char *const prefixes[] = {"xoxb-", "xoxp-", "xoxa-", "xoxr-",
                                           "xoxs-"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (has_prefixed_token(value, prefixes[i], is_token_char, 10))
            return true;
    return false;
}

/* A key name lowered, with `-` written as `_`, cut at KEY_NAME_MAX - 1. */
static void normalise_key(const char *key, char out[KEY_NAME_MAX])
{
    size_t i = 0;

    for (; key && key[i] && i + 1 < KEY_NAME_MAX; i++)
        out[i] = key[i] == '-' ? '_' : (char)tolower((unsigned char)key[i]);
    out[i] = '\0';
}

static bool key_names_secret(const char *normal)
{
    return strstr(normal, "secret") != NULL;
}

static bool key_names_password(const char *normal)
{
    return strstr(normal, "password") || strstr(normal, "passwd") ||
           strstr(normal, "secret") || strstr(normal, "token") ||
           strstr(normal, "api_key") || strstr(normal, "apikey");
}

/*
 * Whether a value under a password-like key looks generated rather than
 * typed for a test: no white space and no URL, at least
 * PASSWORD_MIN_LENGTH characters, a digit, and three of the four
 * classes lower case, upper case, digit and symbol. Requiring a digit
 * keeps dotted names such as `secrets.GITHUB_TOKEN` out.
 */
static bool looks_generated(const char *value)
{
    static const char *const common[] = {"password", "passwd", "secret",
                                         "admin",    "qwerty", "letmein",
                                         "welcome",  "default"};
    bool lower = false, upper = false, digit = false, symbol = false;

    if (strlen(value) < PASSWORD_MIN_LENGTH || strstr(value, "://"))
        return false;
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        if (nhi_contains_nocase(value, common[i]))
            return false;
    for (const char *c = value; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (isspace(ch) || iscntrl(ch))
            return false;
        lower = lower || islower(ch);
        upper = upper || isupper(ch);
        digit = digit || isdigit(ch);
        symbol = symbol || !isalnum(ch);
    }
    return digit && lower + upper + digit + symbol >= 3;
}

static const char *classify(const char *key, const char *value)
{
    char normal[KEY_NAME_MAX];

    if (is_expression(value) || is_redacted(value))
        return NULL;

    /* Formats with a fixed structure come first: a placeholder word in a
     * key id is the corpus's replacement of a real key, and base64 key
     * bodies may spell any word. */
    if (is_gcp_key(value))
        return "gcp-service-account-key";
    if (is_private_key(value))
        return "private-key";
    if (is_aws_key_id(value))
        return strcmp(value, AWS_DOCUMENTATION_KEY_ID) == 0
                   ? NULL
                   : "aws-access-key-id";

    if (has_placeholder_word(value))
        return NULL;
    if (is_github_token(value))
        return "github-token";
    /* GitLab personal, project and group access tokens (GitLab docs,
     * "Token prefixes"): glpat- and 20 characters. */
    if (has_prefixed_token(value, "glpat-", is_token_char, 20))
        return "gitlab-token";
    if (is_slack_token(value))
        return "slack-token";
    /* Google API keys: AIza and 35 more characters, 39 in all. */
    if (has_prefixed_token(value, "AIza", is_token_char, 35))
        return "google-api-key";

    normalise_key(key, normal);
    if (key_names_secret(normal) && is_aws_secret_key(value))
        return "aws-secret-access-key";
    if (key_names_password(normal) && looks_generated(value))
        return "password";
    return NULL;
}

static void write_fingerprint(const char *value, char fingerprint[17])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned digest_length = 0;

    if (EVP_Digest(value, strlen(value), digest, &digest_length, EVP_sha256(),
                   NULL) != 1 ||
        digest_length < 8) {
        /* Not reachable with a working libcrypto; an empty fingerprint
         * matches nothing. */
        fingerprint[0] = '\0';
        return;
    }
    for (size_t i = 0; i < 8; i++)
        snprintf(fingerprint + 2 * i, 3, "%02x", digest[i]);
}

const char *nhi_secret_literal_kind(const char *key, const char *value,
                                    char fingerprint[17])
{
    const char *kind;

    if (value == NULL)
        return NULL;
    kind = classify(key, value);
    if (kind && fingerprint)
        write_fingerprint(value, fingerprint);
    return kind;
}

/* Characters that end a bare value or key in one line of YAML, JSON or
 * shell text. */
static bool ends_word(char c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ',' ||
           c == ';' || c == '(' || c == ')' || c == '[' || c == ']' ||
           c == '{' || c == '}' || c == '<' || c == '>' || c == '\0';
}

/* Overwrite line[from, to) with '*' when it is a credential literal set
 * under `key` (may be NULL). */
static void redact_span(char *line, size_t from, size_t to, const char *key)
{
    char value[4096];

    if (to <= from || to - from >= sizeof(value))
        return;
    memcpy(value, line + from, to - from);
    value[to - from] = '\0';
    if (nhi_secret_literal_kind(key, value, NULL) != NULL)
        memset(line + from, '*', to - from);
}

void nhi_redact_line(char *line)
{
    size_t length = strlen(line);

    /* Values set under a key: `KEY: value`, `KEY=value`, `"KEY": "v"`. */
    for (size_t i = 0; i < length; i++) {
        char key[KEY_NAME_MAX];
        size_t key_end = i, key_start, from, to;

        if (line[i] != ':' && line[i] != '=')
            continue;
        while (key_end > 0 && (line[key_end - 1] == '"' ||
                               line[key_end - 1] == '\'' ||
                               line[key_end - 1] == ' '))
            key_end--;
        key_start = key_end;
        while (key_start > 0 && !ends_word(line[key_start - 1]) &&
               line[key_start - 1] != ':' && line[key_start - 1] != '=')
            key_start--;
        if (key_end - key_start >= sizeof(key))
            continue;
        memcpy(key, line + key_start, key_end - key_start);
        key[key_end - key_start] = '\0';

        from = i + 1;
        while (from < length && line[from] == ' ')
            from++;
        if (from < length && (line[from] == '"' || line[from] == '\'')) {
            char quote = line[from++];
            for (to = from; to < length && line[to] != quote; to++)
                if (line[to] == '\\' && to + 1 < length)
                    to++;
        } else if (line[i] == '=') {
            for (to = from; to < length && !ends_word(line[to]); to++)
                ;
        } else {
            /* YAML: the rest of the line, without a trailing comment, or
             * up to a quote that closes an enclosing string. */
            to = length;
            const char *comment = strstr(line + from, " #");
            if (comment)
                to = (size_t)(comment - line);
            for (size_t q = from; q < to; q++)
                if (line[q] == '"' || line[q] == '\'') {
                    to = q;
                    break;
                }
            while (to > from && line[to - 1] == ' ')
                to--;
        }
        redact_span(line, from, to, key);
    }
    /* Values of a recognisable shape anywhere: AKIA..., ghp_..., ... */
    for (size_t i = 0; i < length;) {
        size_t end = i;
        while (end < length && !ends_word(line[end]) && line[end] != '=' &&
               line[end] != ':')
            end++;
        if (end > i)
            redact_span(line, i, end, NULL);
        i = end + 1;
    }
}
