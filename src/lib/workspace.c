/* SPDX-License-Identifier: MIT */
/* Inputs of a run: found under the given paths, recognised, and read. */
#include "nhi/workspace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/aws.h"
#include "nhi/consumer.h"
#include "nhi/k8s.h"
#include "util.h"
#include "ytree.h"

/* Bytes read from the start of a file to recognise a JSON export. */
#define SNIFF_SIZE (64u * 1024)
/* Folder depth below a given path; deeper trees are surely a loop. */
#define MAX_FOLDER_DEPTH 64

static const char *const format_names[NHI_FORMAT_COUNT] = {
    "unknown",
    "declarations",
    "config",
    "aws-authorization-details",
    "aws-credential-report",
    "aws-access-keys",
    "eks",
    "kubernetes",
    "github-workflow",
    "gitlab-ci"};

const char *nhi_format_name(nhi_format format)
{
    return (unsigned)format < NHI_FORMAT_COUNT ? format_names[format]
                                               : "unknown";
}

int nhi_format_from_name(const char *name)
{
    for (int i = 1; i < NHI_FORMAT_COUNT; i++)
        if (strcmp(format_names[i], name) == 0)
            return i;
    return -1;
}

const char *nhi_input_status_name(nhi_input_status status)
{
    switch (status) {
    case NHI_INPUT_OK:
        return "ok";
    case NHI_INPUT_ERROR:
        return "error";
    case NHI_INPUT_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

int nhi_workspace_open(nhi_workspace *workspace, const char *start,
                       const char *config_path, nhi_diags *diags)
{
    int result;

    memset(workspace, 0, sizeof(*workspace));
    nhi_config_init(&workspace->config);
    nhi_decl_set_init(&workspace->decls);
    result = nhi_catalog_new_builtin(&workspace->catalog);
    if (result < 0)
        return result;

    if (config_path) {
        workspace->config.path = strdup(config_path);
        workspace->config.root = strdup(start);
        if (!workspace->config.path || !workspace->config.root)
            return NHI_ENOMEM;
    } else {
        result = nhi_workspace_find(&workspace->config, start);
        if (result < 0)
            return result;
    }
    if (workspace->config.path == NULL)
        return NHI_OK;
    result = nhi_config_load(&workspace->config, workspace->config.path,
                             workspace->catalog, diags);
    return result == NHI_EINPUT ? NHI_OK : result;
}

void nhi_workspace_free(nhi_workspace *workspace)
{
    if (workspace == NULL)
        return;
    nhi_config_free(&workspace->config);
    nhi_catalog_free(workspace->catalog);
    nhi_decl_set_free(&workspace->decls);
    for (size_t i = 0; i < workspace->input_count; i++) {
        free(workspace->inputs[i].path);
        free(workspace->inputs[i].error);
    }
    free(workspace->inputs);
    memset(workspace, 0, sizeof(*workspace));
}

static nhi_input *add_input(nhi_workspace *workspace, const char *path,
                            bool named)
{
    nhi_input *input;

    if (nhi_grow((void **)&workspace->inputs, &workspace->input_capacity,
                 workspace->input_count + 1, sizeof(*workspace->inputs)) < 0)
        return NULL;
    input = &workspace->inputs[workspace->input_count];
    memset(input, 0, sizeof(*input));
    input->path = strdup(path);
    if (input->path == NULL)
        return NULL;
    input->named = named;
    workspace->input_count++;
    return input;
}

void nhi_input_fail(nhi_input *input, const nhi_diags *diags, size_t from)
{
    input->status = NHI_INPUT_ERROR;
    for (size_t i = from; i < diags->count && input->error == NULL; i++) {
        const nhi_error *error = &diags->items[i];
        if (error->level != NHI_LEVEL_ERROR)
            continue;
        if (error->line)
            input->error = nhi_asprintf("%u:%u: %s", error->line,
                                        error->column, error->message);
        else
            input->error = strdup(error->message);
    }
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(nhi_workspace *workspace, const char *folder, int depth,
                nhi_diags *diags);

static int visit(nhi_workspace *workspace, const char *path, bool named,
                 int depth, nhi_diags *diags)
{
    struct stat info;

    if ((named ? stat(path, &info) : lstat(path, &info)) < 0) {
        nhi_error *error = nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, path,
                                         0, 0, "cannot read '%s': %s", path,
                                         strerror(errno));
        nhi_error_set_hint(error, "check the path and its permissions");
        nhi_input *input = add_input(workspace, path, named);
        if (input == NULL)
            return NHI_ENOMEM;
        nhi_input_fail(input, diags, diags->count - 1);
        return NHI_OK;
    }
    if (S_ISLNK(info.st_mode))
        return NHI_OK; /* links inside folders could leave the tree */
    if (S_ISDIR(info.st_mode))
        return walk(workspace, path, depth + 1, diags);
    if (!S_ISREG(info.st_mode))
        return NHI_OK;
    return add_input(workspace, path, named) ? NHI_OK : NHI_ENOMEM;
}

static int walk(nhi_workspace *workspace, const char *folder, int depth,
                nhi_diags *diags)
{
    char **names = NULL;
    size_t count = 0, capacity = 0;
    struct dirent *entry;
    DIR *directory;
    int result = NHI_OK;

    if (depth > MAX_FOLDER_DEPTH) {
        nhi_diags_add(diags, NHI_LEVEL_WARNING, NHI_ELIMIT, folder, 0, 0,
                      "folders nested deeper than %d levels are not read",
                      MAX_FOLDER_DEPTH);
        return NHI_OK;
    }
    directory = opendir(folder);
    if (directory == NULL) {
        nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, folder, 0, 0,
                      "cannot read folder: %s", strerror(errno));
        return NHI_OK;
    }
    while ((entry = readdir(directory)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
            strcmp(name, ".nhi") == 0 || strcmp(name, ".git") == 0)
            continue;
        if (nhi_grow((void **)&names, &capacity, count + 1, sizeof(*names)) <
                0 ||
            (names[count] = strdup(name)) == NULL) {
            result = NHI_ENOMEM;
            goto out;
        }
        count++;
    }
    qsort(names, count, sizeof(*names), compare_names);

    for (size_t i = 0; i < count && result >= 0; i++) {
        /* Files under "." are named without the "./" prefix. */
        char *path = strcmp(folder, ".") == 0
                         ? strdup(names[i])
                         : nhi_asprintf("%s%s%s", folder,
                                        folder[strlen(folder) - 1] == '/'
                                            ? ""
                                            : "/",
                                        names[i]);
        if (path == NULL) {
            result = NHI_ENOMEM;
            break;
        }
        result = visit(workspace, path, false, depth, diags);
        free(path);
    }
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(directory);
    return result;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

static bool first_byte_is(const char *text, size_t length, char wanted)
{
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        /* A UTF-8 byte order mark may precede a JSON document. */
        if ((unsigned char)c == 0xEF && i + 3 < length)
            return text[i + 3] == wanted;
        return c == wanted;
    }
    return false;
}

static bool mentions_key(const char *text, size_t length, const char *key)
{
    size_t key_length = strlen(key);

    for (size_t i = 0; i + key_length + 2 <= length; i++)
        if (text[i] == '"' && memcmp(text + i + 1, key, key_length) == 0 &&
            text[i + 1 + key_length] == '"')
            return true;
    return false;
}

/*
 * Whether the first key of the JSON object at the start of `text` (or of
 * the first object of an array) is "apiVersion" or "kind", as kubectl
 * prints Kubernetes objects and Lists (keys sorted). Other files that
 * mention both keys are checked on their parsed tree instead.
 */
static bool kubectl_shaped(const char *text, size_t length)
{
    static const char *const keys[] = {"\"apiVersion\"", "\"kind\""};
    size_t i = 0;
    int opened = 0;

    /* Up to two openings: `[` then `{`, or `{` alone; a BOM first. */
    if (length >= 3 && (unsigned char)text[0] == 0xEF)
        i = 3;
    for (; i < length && opened < 2; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '[' && opened == 0) {
            opened = 1;
            continue;
        }
        if (c != '{')
            return false;
        opened = 2;
    }
    while (i < length && (text[i] == ' ' || text[i] == '\t' ||
                          text[i] == '\r' || text[i] == '\n'))
        i++;
    for (size_t k = 0; opened == 2 && k < 2; k++) {
        size_t n = strlen(keys[k]);
        if (i + n <= length && memcmp(text + i, keys[k], n) == 0)
            return true;
    }
    return false;
}

/* Recognise an export (JSON, or the credential report's CSV) from the
 * first bytes of the file. `*certain` is false when the format is only
 * likely and the parsed tree must confirm it. */
static nhi_format sniff_export(const char *path, bool *certain)
{
    char buffer[SNIFF_SIZE];
    ssize_t length;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *certain = true;
    if (fd < 0)
        return NHI_FORMAT_UNKNOWN;
    length = read(fd, buffer, sizeof(buffer));
    close(fd);
    if (length <= 0)
        return NHI_FORMAT_UNKNOWN;
    if (kubectl_shaped(buffer, (size_t)length) &&
        mentions_key(buffer, (size_t)length, "apiVersion"))
        return NHI_FORMAT_KUBERNETES;
    if (nhi_aws_sniff_credential_report(buffer, (size_t)length))
        return NHI_FORMAT_AWS_CREDENTIAL_REPORT;
    if (first_byte_is(buffer, (size_t)length, '[') &&
        mentions_key(buffer, (size_t)length, "apiVersion") &&
        mentions_key(buffer, (size_t)length, "kind")) {
        *certain = false;
        return NHI_FORMAT_KUBERNETES;
    }
    if (nhi_eks_sniff(buffer, (size_t)length))
        return NHI_FORMAT_EKS; /* an object, or an array of them */
    if (!first_byte_is(buffer, (size_t)length, '{'))
        return NHI_FORMAT_UNKNOWN;
    if (mentions_key(buffer, (size_t)length, "apiVersion") &&
        mentions_key(buffer, (size_t)length, "kind")) {
        *certain = false;
        return NHI_FORMAT_KUBERNETES;
    }
    if (nhi_aws_sniff_access_keys(buffer, (size_t)length))
        return NHI_FORMAT_AWS_ACCESS_KEYS;
    if (mentions_key(buffer, (size_t)length, "UserDetailList") ||
        mentions_key(buffer, (size_t)length, "RoleDetailList") ||
        mentions_key(buffer, (size_t)length, "GroupDetailList"))
        return NHI_FORMAT_AWS_AUTHZ;
    return NHI_FORMAT_UNKNOWN;
}

static bool is_declaration(const nhi_ynode *root)
{
    return root && root->kind == NHI_YNODE_MAPPING &&
           nhi_ymap_get(root, "workload_identity") != NULL;
}

static int read_declarations(nhi_workspace *workspace, nhi_input *input,
                             const nhi_yfile *file, nhi_diags *diags)
{
    int result = NHI_OK;

    for (size_t i = 0; i < file->count; i++) {
        const nhi_ynode *root = file->documents[i];
        if (nhi_ynode_is_null(root))
            continue;
        if (!is_declaration(root)) {
            nhi_error *error = nhi_diags_add(
                diags, NHI_LEVEL_ERROR, NHI_EINPUT, input->path, root->line,
                root->column, "YAML document %zu is not a declaration", i + 1);
            nhi_error_set_hint(error, "start each document of a declaration "
                                      "file with 'workload_identity:'");
            continue;
        }
        result = nhi_decl_read(&workspace->decls, input->path, root,
                               workspace->catalog, diags);
        if (result == NHI_ENOMEM)
            return result;
    }
    return NHI_OK;
}

static bool is_yaml_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0);
}

/* The first document that is not empty, or NULL. */
static const nhi_ynode *first_document(const nhi_yfile *file)
{
    for (size_t i = 0; file && i < file->count; i++)
        if (!nhi_ynode_is_null(file->documents[i]))
            return file->documents[i];
    return NULL;
}

static bool in_workflow_folder(const char *path)
{
    return strstr(path, "/.github/workflows/") != NULL ||
           strncmp(path, ".github/workflows/", 18) == 0;
}

/*
 * Recognise a YAML (or JSON) export from its parsed tree. A GitLab
 * pipeline starts at a file named .gitlab-ci.yml, and the files it
 * includes are read through it: read alone they would be jobs of no
 * pipeline, so other names are not recognised as GitLab CI. In a
 * workflow folder, a mapping with `jobs` is a workflow even when its
 * jobs are malformed, so that the reader reports them.
 */
static nhi_format sniff_tree(const nhi_yfile *file, const char *path)
{
    const nhi_ynode *root = first_document(file);

    if (root == NULL)
        return NHI_FORMAT_UNKNOWN;
    if (nhi_k8s_sniff(root))
        return NHI_FORMAT_KUBERNETES;
    if (nhi_github_sniff(root) ||
        (in_workflow_folder(path) && root->kind == NHI_YNODE_MAPPING &&
         nhi_ymap_get(root, "jobs")))
        return NHI_FORMAT_GITHUB_WORKFLOW;
    if (strcmp(base_name(path), ".gitlab-ci.yml") == 0 &&
        nhi_gitlab_sniff(root))
        return NHI_FORMAT_GITLAB_CI;
    return NHI_FORMAT_UNKNOWN;
}

/* After a YAML syntax error, the path or text may still show what the
 * file is meant to be, so that its error is reported, not skipped. */
static nhi_format guess_broken(const char *path, const nhi_yfile *file)
{
    const char *text = file ? file->text : NULL;

    if (text && strstr(text, "workload_identity:"))
        return NHI_FORMAT_DECLARATIONS;
    if (in_workflow_folder(path))
        return NHI_FORMAT_GITHUB_WORKFLOW;
    if (strcmp(base_name(path), ".gitlab-ci.yml") == 0)
        return NHI_FORMAT_GITLAB_CI;
    if (text && strstr(text, "apiVersion") && strstr(text, "kind"))
        return NHI_FORMAT_KUBERNETES;
    return NHI_FORMAT_UNKNOWN;
}

/*
 * Recognise a YAML or JSON input by its tree. Declarations are read here.
 * For an export, only the format is set, and the audit reads the file.
 * A file of no known format is left unknown for the caller.
 */
static int read_yaml(nhi_workspace *workspace, nhi_input *input,
                     nhi_format hint, nhi_diags *diags)
{
    nhi_diags local;
    nhi_yfile *file = NULL;
    int result;
    nhi_format format = NHI_FORMAT_UNKNOWN;

    nhi_diags_init(&local);
    result = nhi_yaml_load(input->path, &file, &local);
    if (result == NHI_ENOMEM)
        goto out;

    if (workspace->forced_format != NHI_FORMAT_UNKNOWN)
        format = workspace->forced_format;
    else if (file && file->count > 0 && is_declaration(file->documents[0]))
        format = NHI_FORMAT_DECLARATIONS;
    else if (result == NHI_EINPUT && file == NULL && hint != NHI_FORMAT_UNKNOWN)
        format = hint; /* unreadable, too large: its reader says so */
    else if (result == NHI_EINPUT)
        format = guess_broken(input->path, file);
    else
        format = sniff_tree(file, input->path);
    if (format == NHI_FORMAT_UNKNOWN) {
        result = NHI_OK;
        goto out; /* not ours: unknown, decided by the caller */
    }

    input->format = format;
    if (format != NHI_FORMAT_DECLARATIONS) {
        /* The reader parses the file again and reports its errors. */
        result = NHI_OK;
        goto out;
    }
    result = nhi_diags_move(diags, &local);
    if (result < 0)
        goto out;
    if (file)
        result = read_declarations(workspace, input, file, diags);
out:
    nhi_diags_free(&local);
    nhi_yfile_free(file);
    return result;
}

static bool same_file(const char *a, const char *b)
{
    struct stat first, second;

    return a && b && stat(a, &first) == 0 && stat(b, &second) == 0 &&
           first.st_dev == second.st_dev && first.st_ino == second.st_ino;
}

static int read_input(nhi_workspace *workspace, nhi_input *input,
                      nhi_diags *diags)
{
    size_t from = diags->count;
    size_t errors = diags->errors;
    nhi_format sniffed;
    bool certain = false;
    int result = NHI_OK;

    if (strcmp(base_name(input->path), NHI_CONFIG_NAME) == 0 ||
        workspace->forced_format == NHI_FORMAT_CONFIG) {
        input->format = NHI_FORMAT_CONFIG;
        /* The workspace's own config was read when it was opened. */
        if (!same_file(input->path, workspace->config.path)) {
            /* Another workspace's config is checked, never applied: its
             * catalog goes to a scratch copy. */
            nhi_catalog *scratch = NULL;
            nhi_config other;
            nhi_config_init(&other);
            result = nhi_catalog_new_builtin(&scratch);
            if (result == NHI_OK)
                result = nhi_config_load(&other, input->path, scratch, diags);
            nhi_config_free(&other);
            nhi_catalog_free(scratch);
        }
    } else if (workspace->forced_format >= NHI_FORMAT_AWS_AUTHZ) {
        input->format = workspace->forced_format; /* read by the audit */
    } else if (workspace->forced_format == NHI_FORMAT_UNKNOWN &&
               (sniffed = sniff_export(input->path, &certain)) !=
                   NHI_FORMAT_UNKNOWN) {
        /* JSON naming apiVersion and kind may be Kubernetes objects or
         * something that merely mentions them: the tree decides. */
        if (!certain)
            result = read_yaml(workspace, input, sniffed, diags);
        else
            input->format = sniffed; /* read by the audit */
    } else if (workspace->forced_format == NHI_FORMAT_DECLARATIONS ||
               (workspace->forced_format == NHI_FORMAT_UNKNOWN &&
                is_yaml_name(input->path))) {
        result = read_yaml(workspace, input, NHI_FORMAT_UNKNOWN, diags);
    }
    if (result == NHI_ENOMEM)
        return result;

    if (input->format == NHI_FORMAT_UNKNOWN) {
        if (!input->named) {
            input->status = NHI_INPUT_SKIPPED;
            return NHI_OK;
        }
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_EINPUT, input->path, 0, 0,
            "input format not recognised");
        nhi_error_set_hint(error, "give a declaration file, nhi.yaml or a "
                                  "supported export (see docs/inputs.md), "
                                  "or name the format with --input-format");
    }
    if (diags->errors > errors)
        nhi_input_fail(input, diags, from);
    return NHI_OK;
}

int nhi_workspace_read(nhi_workspace *workspace, const char *const *paths,
                       size_t count, nhi_diags *diags)
{
    size_t first = workspace->input_count;
    size_t errors = diags->errors;
    int result;

    for (size_t i = 0; i < count; i++) {
        result = visit(workspace, paths[i], true, 0, diags);
        if (result < 0)
            return result;
    }
    for (size_t i = first; i < workspace->input_count; i++) {
        if (workspace->inputs[i].status == NHI_INPUT_ERROR)
            continue;
        result = read_input(workspace, &workspace->inputs[i], diags);
        if (result < 0)
            return result;
    }
    result = nhi_decl_check_set(&workspace->decls, diags);
    if (result == NHI_ENOMEM)
        return result;
    /* Cross-declaration errors belong to the files that hold them. */
    for (size_t i = 0; i < diags->count; i++) {
        const nhi_error *error = &diags->items[i];
        for (size_t j = first; error->path && j < workspace->input_count; j++)
            if (workspace->inputs[j].status == NHI_INPUT_OK &&
                error->level == NHI_LEVEL_ERROR &&
                strcmp(workspace->inputs[j].path, error->path) == 0)
                nhi_input_fail(&workspace->inputs[j], diags, i);
    }
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}
