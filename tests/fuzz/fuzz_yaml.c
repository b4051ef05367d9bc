/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the YAML reader and the declaration reader: the
 * input is parsed as a YAML stream, every workload_identity document is
 * read with the built-in catalog, and the set checks run across them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/catalog.h"
#include "nhi/decl.h"
#include "nhi/error.h"
#include "ytree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built once and kept for the whole run, because the readers only borrow
 * it. */
static nhi_catalog *builtin_catalog(void)
{
    static nhi_catalog *catalog;

    if (catalog == NULL && nhi_catalog_new_builtin(&catalog) != NHI_OK)
        abort();
    return catalog;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const nhi_catalog *catalog = builtin_catalog();
    /* An exact-size copy without a NUL lets AddressSanitizer catch any
     * read past the end of the text. */
    char *text = malloc(size ? size : 1);
    nhi_yfile *file = NULL;
    nhi_decl_set set;
    nhi_diags diags;

    if (text == NULL)
        return 0;
    if (size > 0)
        memcpy(text, data, size);
    nhi_decl_set_init(&set);
    nhi_diags_init(&diags);

    nhi_yaml_parse("fuzz.yaml", text, size, &file, &diags);
    for (size_t i = 0; file != NULL && i < file->count; i++) {
        const nhi_ynode *root = file->documents[i];
        if (nhi_ymap_get(root, "workload_identity") == NULL)
            continue;
        if (nhi_decl_read(&set, "fuzz.yaml", root, catalog, &diags) ==
            NHI_ENOMEM)
            break;
    }
    nhi_decl_check_set(&set, &diags);

    nhi_decl_set_free(&set);
    nhi_diags_free(&diags);
    nhi_yfile_free(file);
    free(text);
    return 0;
}
