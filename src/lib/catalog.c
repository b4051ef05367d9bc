/* SPDX-License-Identifier: MIT */
/* The action catalog: neutral actions mapped to provider patterns. */
#include "nhi/catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvread.h"
#include "util.h"

extern const char nhi_builtin_catalog_csv[];
extern const size_t nhi_builtin_catalog_csv_length;

/* Columns of the catalog CSV, in the order of the header. */
static const char *const columns[] = {"action",     "description", "aws",
                                      "gcp",        "azure",       "kubernetes"};
#define COLUMN_COUNT (sizeof(columns) / sizeof(columns[0]))

struct nhi_catalog {
    nhi_catalog_entry *entries; /* sorted by name */
    size_t count;
    size_t capacity;
};

static void entry_clear(nhi_catalog_entry *entry)
{
    free(entry->name);
    free(entry->description);
    free(entry->origin);
    for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
        for (size_t i = 0; i < entry->counts[p]; i++)
            free(entry->patterns[p][i]);
        free(entry->patterns[p]);
    }
    memset(entry, 0, sizeof(*entry));
}

void nhi_catalog_free(nhi_catalog *catalog)
{
    if (catalog == NULL)
        return;
    for (size_t i = 0; i < catalog->count; i++)
        entry_clear(&catalog->entries[i]);
    free(catalog->entries);
    free(catalog);
}

/* Index of `name`, or of where it would be inserted with *found false. */
static size_t search(const nhi_catalog *catalog, const char *name, bool *found)
{
    size_t low = 0, high = catalog->count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(catalog->entries[middle].name, name);
        if (order == 0) {
            *found = true;
            return middle;
        }
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    *found = false;
    return low;
}

static int copy_entry(nhi_catalog_entry *entry, const char *name,
                      const char *description,
                      const char *const *const patterns[NHI_PROVIDER_COUNT],
                      const size_t counts[NHI_PROVIDER_COUNT],
                      const char *origin)
{
    memset(entry, 0, sizeof(*entry));
    entry->name = strdup(name);
    entry->description = strdup(description ? description : "");
    entry->origin = strdup(origin ? origin : "built-in");
    if (!entry->name || !entry->description || !entry->origin)
        return NHI_ENOMEM;
    for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
        if (counts[p] == 0)
            continue;
        entry->patterns[p] = calloc(counts[p], sizeof(char *));
        if (entry->patterns[p] == NULL)
            return NHI_ENOMEM;
        for (size_t i = 0; i < counts[p]; i++) {
            entry->patterns[p][i] = strdup(patterns[p][i]);
            if (entry->patterns[p][i] == NULL)
                return NHI_ENOMEM;
            entry->counts[p] = i + 1;
        }
    }
    return NHI_OK;
}

int nhi_catalog_set(nhi_catalog *catalog, const char *name,
                    const char *description,
                    const char *const *const patterns[NHI_PROVIDER_COUNT],
                    const size_t counts[NHI_PROVIDER_COUNT],
                    const char *origin)
{
    nhi_catalog_entry entry;
    bool found;
    size_t index;

    if (copy_entry(&entry, name, description, patterns, counts, origin) < 0) {
        entry_clear(&entry);
        return NHI_ENOMEM;
    }
    index = search(catalog, name, &found);
    if (found) {
        entry_clear(&catalog->entries[index]);
        catalog->entries[index] = entry;
        return NHI_OK;
    }
    if (nhi_grow((void **)&catalog->entries, &catalog->capacity,
                 catalog->count + 1, sizeof(*catalog->entries)) < 0) {
        entry_clear(&entry);
        return NHI_ENOMEM;
    }
    memmove(&catalog->entries[index + 1], &catalog->entries[index],
            (catalog->count - index) * sizeof(*catalog->entries));
    catalog->entries[index] = entry;
    catalog->count++;
    return NHI_OK;
}

typedef struct csv_context {
    nhi_catalog *catalog;
    const char *path;
    const char *text;
    size_t length;
    nhi_diags *diags;
    bool builtin;
    bool header_done;
    bool header_bad; /* rows after a wrong header are not read */
} csv_context;

static nhi_error *row_error(csv_context *context, unsigned line, size_t field,
                            const char *message, const char *value)
{
    unsigned column = nhi_csv_field_column(context->text, context->length,
                                           line, field);

    return nhi_diags_add(context->diags, NHI_LEVEL_ERROR, NHI_EINPUT,
                         context->path, line, column, "%s '%s'", message,
                         value);
}

static int check_header(csv_context *context, const nhi_csv_row *row)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        if (i < row->count && strcmp(row->fields[i], columns[i]) == 0)
            continue;
        nhi_error *error =
            row_error(context, row->line, i, "invalid catalog header: expected",
                      columns[i]);
        nhi_error_set_hint(error, "start the file with the header line "
                                  "action,description,aws,gcp,azure,"
                                  "kubernetes");
        return NHI_EINPUT;
    }
    return NHI_OK;
}

/* Split a cell on `|` into trimmed patterns; the copies are the caller's. */
static int split_patterns(const char *cell, char ***out, size_t *out_count)
{
    char **patterns = NULL;
    size_t count = 0, capacity = 0;
    const char *start = cell;

    for (;;) {
        const char *end = strchr(start, '|');
        const char *stop = end ? end : start + strlen(start);
        while (start < stop && *start == ' ')
            start++;
        while (stop > start && stop[-1] == ' ')
            stop--;
        if (stop > start) {
            if (nhi_grow((void **)&patterns, &capacity, count + 1,
                         sizeof(*patterns)) < 0)
                goto fail;
            patterns[count] = nhi_strndup(start, (size_t)(stop - start));
            if (patterns[count] == NULL)
                goto fail;
            count++;
        }
        if (end == NULL)
            break;
        start = end + 1;
    }
    *out = patterns;
    *out_count = count;
    return NHI_OK;
fail:
    for (size_t i = 0; i < count; i++)
        free(patterns[i]);
    free(patterns);
    return NHI_ENOMEM;
}

/* The form of a provider's patterns, for hints. */
static const char *pattern_form(nhi_provider provider)
{
    switch (provider) {
    case NHI_PROVIDER_AWS:
        return "an AWS action such as s3:GetObject";
    case NHI_PROVIDER_GCP:
        return "a GCP permission such as storage.objects.get";
    case NHI_PROVIDER_AZURE:
        return "an Azure operation such as "
               "Microsoft.Storage/storageAccounts/read";
    default:
        return "a Kubernetes verb and resource such as 'get secrets'";
    }
}

static int on_catalog_row(const nhi_csv_row *row, void *data)
{
    csv_context *context = data;
    char **patterns[NHI_PROVIDER_COUNT] = {0};
    size_t counts[NHI_PROVIDER_COUNT] = {0};
    char *origin = NULL;
    int result = NHI_OK;

    if (!context->header_done) {
        context->header_done = true;
        result = check_header(context, row);
        context->header_bad = result != NHI_OK;
        return result;
    }
    if (context->header_bad)
        return NHI_OK;
    if (!nhi_catalog_valid_name(row->fields[0])) {
        nhi_error *error = row_error(context, row->line, 0,
                                     "invalid neutral action name",
                                     row->fields[0]);
        nhi_error_set_hint(error, "name neutral actions 'area.verb' in "
                                  "lower case, such as 'object.get'");
        return NHI_EINPUT;
    }

    for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
        result = split_patterns(row->fields[2 + p], &patterns[p], &counts[p]);
        if (result < 0)
            goto out;
        for (size_t i = 0; i < counts[p]; i++) {
            nhi_provider shape;
            if (nhi_action_classify(NULL, patterns[p][i], &shape) ==
                    NHI_ACTION_NATIVE &&
                shape == (nhi_provider)p)
                continue;
            nhi_error *error = row_error(context, row->line, 2 + (size_t)p,
                                         "invalid pattern", patterns[p][i]);
            nhi_error_set_hint(error, "write %s (see docs/catalog.md)",
                               pattern_form((nhi_provider)p));
            result = NHI_EINPUT;
            goto out;
        }
    }

    origin = context->builtin ? strdup("built-in")
                              : nhi_asprintf("%s:%u", context->path, row->line);
    if (origin == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    result = nhi_catalog_set(context->catalog, row->fields[0], row->fields[1],
                             (const char *const *const *)patterns, counts,
                             origin);
out:
    free(origin);
    for (int p = 0; p < NHI_PROVIDER_COUNT; p++) {
        for (size_t i = 0; i < counts[p]; i++)
            free(patterns[p][i]);
        free(patterns[p]);
    }
    return result;
}

static int load_csv(nhi_catalog *catalog, const char *path, const char *text,
                    size_t length, nhi_diags *diags, bool builtin)
{
    csv_context context = {catalog, path, text, length, diags, builtin, false, false};

    return nhi_csv_parse(path, text, length, on_catalog_row, &context, diags);
}

int nhi_catalog_load_csv(nhi_catalog *catalog, const char *path,
                         const char *text, size_t length, nhi_diags *diags)
{
    return load_csv(catalog, path, text, length, diags, false);
}

int nhi_catalog_new_builtin(nhi_catalog **out)
{
    nhi_catalog *catalog = calloc(1, sizeof(*catalog));
    nhi_diags diags;
    int result;

    *out = NULL;
    if (catalog == NULL)
        return NHI_ENOMEM;
    nhi_diags_init(&diags);
    result = load_csv(catalog, "catalog.csv", nhi_builtin_catalog_csv,
                      nhi_builtin_catalog_csv_length, &diags, true);
    /* The built-in data is checked by the test suite; an error here is
     * a build defect, not an input problem. */
    if (result == NHI_EINPUT || diags.errors > 0)
        result = NHI_EINTERNAL;
    nhi_diags_free(&diags);
    if (result < 0) {
        nhi_catalog_free(catalog);
        return result;
    }
    *out = catalog;
    return NHI_OK;
}

size_t nhi_catalog_count(const nhi_catalog *catalog)
{
    return catalog->count;
}

const nhi_catalog_entry *nhi_catalog_at(const nhi_catalog *catalog,
                                        size_t index)
{
    return index < catalog->count ? &catalog->entries[index] : NULL;
}

const nhi_catalog_entry *nhi_catalog_find(const nhi_catalog *catalog,
                                          const char *name)
{
    bool found;
    size_t index = search(catalog, name, &found);

    return found ? &catalog->entries[index] : NULL;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

int nhi_catalog_valid_name(const char *name)
{
    const char *dot = strchr(name, '.');

    if (dot == NULL || dot == name || strchr(dot + 1, '.') || !is_lower(name[0]))
        return 0;
    if (!is_lower(dot[1]))
        return 0;
    for (const char *c = name; *c; c++)
        if (!is_lower(*c) && !is_digit(*c) && *c != '-' && *c != '.' &&
            *c != '_')
            return 0;
    return 1;
}

/* `svc:Action`: an IAM service prefix, a colon, an action name or glob. */
static bool is_aws_action(const char *text)
{
    const char *colon = strchr(text, ':');

    if (colon == NULL || colon == text || colon[1] == '\0')
        return false;
    for (const char *c = text; c < colon; c++)
        if (!is_lower(*c) && !is_digit(*c) && *c != '-' && *c != '*' &&
            *c != '?')
            return false;
    for (const char *c = colon + 1; *c; c++)
        if (!is_alpha(*c) && !is_digit(*c) && *c != '*' && *c != '?' &&
            *c != '-' && *c != '_')
            return false;
    return true;
}

/*
 * `service.resource.verb`: three or more segments. A wildcard may stand
 * for several segments, so a pattern with `*` needs only two.
 */
static bool is_gcp_permission(const char *text)
{
    size_t segments = 1;
    bool empty = true, wildcard = false;

    for (const char *c = text; *c; c++) {
        if (*c == '.') {
            if (empty)
                return false;
            segments++;
            empty = true;
        } else if (is_alpha(*c) || is_digit(*c) || *c == '*' || *c == '_') {
            empty = false;
            wildcard = wildcard || *c == '*';
        } else {
            return false;
        }
    }
    return !empty && (segments >= 3 || (segments == 2 && wildcard));
}

/* `Microsoft.Provider/type/.../operation`, case-insensitive prefix. */
static bool is_azure_action(const char *text)
{
    if (strncasecmp(text, "Microsoft.", 10) != 0 || strchr(text, '/') == NULL)
        return false;
    for (const char *c = text; *c; c++)
        if (*c == ' ' || *c == ':')
            return false;
    return true;
}

/* `verb resource[.group]`, with `*` allowed for verb or resource. */
static bool is_kubernetes_action(const char *text)
{
    const char *space = strchr(text, ' ');
    const char *c;

    if (space == NULL || space == text || space[1] == '\0')
        return false;
    for (c = text; c < space; c++)
        if (!is_lower(*c) && *c != '*')
            return false;
    for (c = space + 1; *c; c++)
        if (!is_lower(*c) && !is_digit(*c) && *c != '.' && *c != '/' &&
            *c != '-' && *c != '*')
            return false;
    return true;
}

nhi_action_kind nhi_action_classify(const nhi_catalog *catalog,
                                    const char *action,
                                    nhi_provider *provider)
{
    if (catalog && nhi_catalog_find(catalog, action))
        return NHI_ACTION_NEUTRAL;
    if (is_azure_action(action))
        *provider = NHI_PROVIDER_AZURE;
    else if (is_aws_action(action))
        *provider = NHI_PROVIDER_AWS;
    else if (is_kubernetes_action(action))
        *provider = NHI_PROVIDER_KUBERNETES;
    else if (is_gcp_permission(action))
        *provider = NHI_PROVIDER_GCP;
    else
        return NHI_ACTION_UNKNOWN;
    return NHI_ACTION_NATIVE;
}
