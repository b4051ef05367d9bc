/* SPDX-License-Identifier: MIT */
/* Unit tests for the YAML tree reader: nodes, positions and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/error.h"
#include "ytree.h"

/* A parsed text with its diagnostics, freed by parsed_free. */
typedef struct parsed {
    nhi_yfile *file;
    nhi_diags diags;
    int result;
} parsed;

static void parse_bytes(parsed *out, const char *text, size_t length)
{
    nhi_diags_init(&out->diags);
    out->file = NULL;
    out->result = nhi_yaml_parse("test.yaml", text, length, &out->file,
                                 &out->diags);
    assert_non_null(out->file);
}

static void parse_text(parsed *out, const char *text)
{
    parse_bytes(out, text, strlen(text));
}

static void parsed_free(parsed *p)
{
    nhi_yfile_free(p->file);
    nhi_diags_free(&p->diags);
}

static void assert_error_at(const nhi_error *error, unsigned line,
                            unsigned column, const char *message)
{
    assert_int_equal(error->level, NHI_LEVEL_ERROR);
    assert_string_equal(error->path, "test.yaml");
    assert_int_equal(error->line, line);
    assert_int_equal(error->column, column);
    assert_string_equal(error->message, message);
}

static void ytree_mapping_positions(void **state)
{
    parsed p;
    const nhi_ynode *root, *name, *list;

    (void)state;
    parse_text(&p, "top:\n"
                   "  name: alpha\n"
                   "  list:\n"
                   "    - one\n"
                   "    - 'two'\n");
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.diags.count, 0);
    assert_int_equal(p.file->count, 1);

    root = p.file->documents[0];
    assert_int_equal(root->kind, NHI_YNODE_MAPPING);
    assert_int_equal(root->count, 2);
    assert_int_equal(root->line, 1);
    assert_int_equal(root->column, 1);

    name = nhi_ymap_get(nhi_ymap_get(root, "top"), "name");
    assert_non_null(name);
    assert_int_equal(name->kind, NHI_YNODE_SCALAR);
    assert_string_equal(name->value, "alpha");
    assert_int_equal(name->length, 5);
    assert_true(name->plain);
    assert_int_equal(name->line, 2);
    assert_int_equal(name->column, 9);

    list = nhi_ymap_get(nhi_ymap_get(root, "top"), "list");
    assert_non_null(list);
    assert_int_equal(list->kind, NHI_YNODE_SEQUENCE);
    assert_int_equal(list->count, 2);
    assert_int_equal(list->line, 4);
    assert_int_equal(list->column, 5);
    assert_string_equal(list->items[1]->value, "two");
    assert_false(list->items[1]->plain);
    assert_int_equal(list->items[1]->line, 5);
    assert_int_equal(list->items[1]->column, 7);

    assert_null(nhi_ymap_get(root, "missing"));
    assert_null(nhi_ymap_get(name, "top"));
    parsed_free(&p);
}

static void ytree_null_spellings(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "a:\nb: ~\nc: null\nd: NULL\ne: 'null'\nf: x\n");
    assert_int_equal(p.result, NHI_OK);
    root = p.file->documents[0];
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "a")));
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "b")));
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "c")));
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "d")));
    assert_false(nhi_ynode_is_null(nhi_ymap_get(root, "e")));
    assert_false(nhi_ynode_is_null(nhi_ymap_get(root, "f")));
    assert_false(nhi_ynode_is_null(root));
    assert_true(nhi_ynode_is_null(NULL));
    parsed_free(&p);
}

static void ytree_several_documents(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "a: 1\n---\nb: 2\n---\n- c\n");
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.file->count, 3);
    assert_int_equal(p.file->documents[0]->kind, NHI_YNODE_MAPPING);
    assert_int_equal(p.file->documents[1]->kind, NHI_YNODE_MAPPING);
    assert_int_equal(p.file->documents[1]->line, 3);
    assert_int_equal(p.file->documents[2]->kind, NHI_YNODE_SEQUENCE);
    assert_int_equal(p.file->documents[2]->line, 5);
    assert_string_equal(p.file->documents[2]->items[0]->value, "c");
    parsed_free(&p);
}

static void ytree_empty_text(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "");
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.file->count, 0);
    assert_int_equal(p.diags.count, 0);
    parsed_free(&p);
}

static void ytree_tab_indentation(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "top:\n  a: 1\n\tb: 2\n");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 0);
    assert_int_equal(p.diags.count, 1);
    assert_int_equal(p.diags.errors, 1);
    assert_error_at(&p.diags.items[0], 3, 1,
                    "invalid YAML: found a tab character that violates "
                    "indentation while scanning a plain scalar (line 2)");
    assert_string_equal(p.diags.items[0].hint,
                        "indent with spaces: YAML does not allow tabs in "
                        "indentation");
    parsed_free(&p);
}

static void ytree_truncated_flow_sequence(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "a: 1\n---\nlist: [one, two\n");
    assert_int_equal(p.result, NHI_EINPUT);
    /* The first document is complete and kept. */
    assert_int_equal(p.file->count, 1);
    assert_string_equal(nhi_ymap_get(p.file->documents[0], "a")->value, "1");
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 4, 1,
                    "invalid YAML: did not find expected ',' or ']' while "
                    "parsing a flow sequence (line 3)");
    assert_string_equal(p.diags.items[0].hint,
                        "the file ends too early; check that it was not "
                        "truncated");
    parsed_free(&p);
}

static void ytree_truncated_quote(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "a: \"open");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 0);
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 1, 9,
                    "invalid YAML: found unexpected end of stream while "
                    "scanning a quoted scalar (line 1)");
    assert_string_equal(p.diags.items[0].hint,
                        "the file ends too early; check that it was not "
                        "truncated");
    parsed_free(&p);
}

static void ytree_invalid_utf8(void **state)
{
    /* The 0xFF byte follows "  owner: " (9 characters) on line 3, so it
     * is at column 10. */
    static const char text[] = "top:\n  name: x\n  owner: \xff\n";
    parsed p;

    (void)state;
    parse_bytes(&p, text, sizeof(text) - 1);
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 3, 10,
                    "invalid text: invalid leading UTF-8 octet (byte 0xff)");
    assert_string_equal(p.diags.items[0].hint, "save the file as UTF-8");
    parsed_free(&p);
}

static void ytree_invalid_utf8_after_multibyte(void **state)
{
    /* Columns count characters: "é" is two bytes but one column. */
    static const char text[] = "a: \xc3\xa9\xff\n";
    parsed p;

    (void)state;
    parse_bytes(&p, text, sizeof(text) - 1);
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 1, 5,
                    "invalid text: invalid leading UTF-8 octet (byte 0xff)");
    parsed_free(&p);
}

static void ytree_duplicate_key(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "name: a\nother: b\nname: c\n");
    /* A duplicate key does not stop the parse: the tree is complete. */
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 1);
    root = p.file->documents[0];
    assert_int_equal(root->count, 6);
    assert_string_equal(nhi_ymap_get(root, "name")->value, "a");

    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 3, 1,
                    "duplicate key 'name' (first at line 1)");
    assert_string_equal(p.diags.items[0].hint,
                        "remove one of the two 'name' entries");
    parsed_free(&p);
}

static void ytree_duplicate_key_three_times(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "outer:\n  k: 1\n  k: 2\n  j: 0\n  k: 3\n");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.diags.count, 2);
    assert_error_at(&p.diags.items[0], 3, 3,
                    "duplicate key 'k' (first at line 2)");
    assert_error_at(&p.diags.items[1], 5, 3,
                    "duplicate key 'k' (first at line 2)");
    parsed_free(&p);
}

static void ytree_keys_differing_in_length(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "ab: 1\na: 2\nabc: 3\n");
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.diags.count, 0);
    parsed_free(&p);
}

/* `depth` opening brackets and as many closing ones. */
static char *nested_sequences(size_t depth)
{
    char *text = malloc(2 * depth + 2);

    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\n';
    text[2 * depth + 1] = '\0';
    return text;
}

static void ytree_depth_ten_thousand(void **state)
{
    char *text = nested_sequences(10000);
    parsed p;

    (void)state;
    parse_text(&p, text);
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 0);
    /* The 101st bracket, at column 101, is one level too deep. */
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 1, 101,
                    "nesting deeper than 100 levels");
    assert_string_equal(p.diags.items[0].hint,
                        "flatten the document; no nhi input needs this "
                        "depth");
    parsed_free(&p);
    free(text);
}

static void ytree_depth_at_limit(void **state)
{
    char *text = nested_sequences(NHI_YAML_MAX_DEPTH);
    const nhi_ynode *node;
    size_t levels = 0;
    parsed p;

    (void)state;
    parse_text(&p, text);
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.diags.count, 0);
    assert_int_equal(p.file->count, 1);
    for (node = p.file->documents[0]; node->count == 1; node = node->items[0])
        levels++;
    assert_int_equal(levels + 1, NHI_YAML_MAX_DEPTH);
    parsed_free(&p);
    free(text);
}

static void ytree_depth_block_mappings(void **state)
{
    char *text = malloc(200 * 1024);
    size_t used = 0;
    parsed p;

    (void)state;
    assert_non_null(text);
    for (int level = 0; level < 150; level++) {
        memset(text + used, ' ', (size_t)level);
        used += (size_t)level;
        used += (size_t)sprintf(text + used, "k%d:\n", level);
    }
    text[used] = '\0';
    parse_text(&p, text);
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.diags.count, 1);
    /* Mapping 101 starts at key k100, line 101, indented 100 spaces. */
    assert_error_at(&p.diags.items[0], 101, 101,
                    "nesting deeper than 100 levels");
    parsed_free(&p);
    free(text);
}

static void ytree_alias_shares_node(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "base: &b {x: 1}\ncopy: *b\n");
    assert_int_equal(p.result, NHI_OK);
    root = p.file->documents[0];
    assert_ptr_equal(nhi_ymap_get(root, "base"), nhi_ymap_get(root, "copy"));
    assert_string_equal(nhi_ymap_get(nhi_ymap_get(root, "copy"), "x")->value,
                        "1");
    parsed_free(&p);
}

static void ytree_many_anchors(void **state)
{
    enum { ANCHORS = 5000 };
    char *text = malloc(ANCHORS * 40);
    const nhi_ynode *root;
    size_t used = 0;
    parsed p;

    (void)state;
    assert_non_null(text);
    for (int i = 0; i < ANCHORS; i++)
        used += (size_t)sprintf(text + used, "- &a%d v%d\n", i, i);
    /* The aliases in reverse order, so each lookup differs from the last. */
    for (int i = ANCHORS - 1; i >= 0; i--)
        used += (size_t)sprintf(text + used, "- *a%d\n", i);
    parse_text(&p, text);
    assert_int_equal(p.result, NHI_OK);
    assert_int_equal(p.diags.count, 0);
    root = p.file->documents[0];
    assert_int_equal(root->count, 2 * ANCHORS);
    for (size_t i = 0; i < ANCHORS; i++)
        assert_ptr_equal(root->items[2 * ANCHORS - 1 - i], root->items[i]);
    parsed_free(&p);
    free(text);
}

static void ytree_alias_latest_anchor(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "- &a one\n- &a two\n- *a\n");
    assert_int_equal(p.result, NHI_OK);
    root = p.file->documents[0];
    assert_int_equal(root->count, 3);
    assert_string_equal(root->items[2]->value, "two");
    parsed_free(&p);
}

static void ytree_alias_without_anchor(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "a: 1\nb: *nowhere\nc: 3\n");
    assert_int_equal(p.result, NHI_EINPUT);
    /* The parse goes on after an unknown alias. */
    assert_int_equal(p.file->count, 1);
    root = p.file->documents[0];
    assert_int_equal(root->count, 6);
    /* A null scalar takes the alias's place, so keys and values stay
     * paired. */
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "b")));
    assert_non_null(nhi_ymap_get(root, "c"));
    assert_string_equal(nhi_ymap_get(root, "c")->value, "3");
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 2, 4, "alias '*nowhere' names no anchor");
    assert_string_equal(p.diags.items[0].hint,
                        "define '&nowhere' before using it");
    parsed_free(&p);
}

static void ytree_alias_to_ancestor(void **state)
{
    parsed p;
    const nhi_ynode *root;

    (void)state;
    parse_text(&p, "top: &loop\n  self: *loop\n  next: 1\n");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 2, 9,
                    "alias '*loop' refers to a node that contains it");
    assert_string_equal(p.diags.items[0].hint,
                        "write the values out: nhi reads no recursive YAML");
    /* The tree has no cycle: a null scalar is in the alias's place. */
    root = nhi_ymap_get(p.file->documents[0], "top");
    assert_non_null(root);
    assert_true(nhi_ynode_is_null(nhi_ymap_get(root, "self")));
    assert_string_equal(nhi_ymap_get(root, "next")->value, "1");
    parsed_free(&p);
}

static void ytree_alias_other_document(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "a: &shared 1\n---\nb: *shared\n");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 2);
    assert_int_equal(p.diags.count, 1);
    assert_error_at(&p.diags.items[0], 3, 4, "alias '*shared' names no anchor");
    parsed_free(&p);
}

static void ytree_syntax_error_keeps_earlier(void **state)
{
    parsed p;

    (void)state;
    parse_text(&p, "a: 1\n---\nb: 2\n---\nc: [\n  d: : :\n");
    assert_int_equal(p.result, NHI_EINPUT);
    assert_int_equal(p.file->count, 2);
    assert_int_equal(p.diags.count, 1);
    assert_int_equal(p.diags.items[0].line, 6);
    parsed_free(&p);
}

static void ytree_load_missing_file(void **state)
{
    nhi_yfile *file = (nhi_yfile *)1;
    nhi_diags diags;

    (void)state;
    nhi_diags_init(&diags);
    assert_int_equal(nhi_yaml_load("/nonexistent/nhi-test.yaml", &file,
                                   &diags),
                     NHI_EINPUT);
    assert_null(file);
    assert_int_equal(diags.count, 1);
    assert_int_equal(diags.items[0].line, 0);
    assert_string_equal(diags.items[0].path, "/nonexistent/nhi-test.yaml");
    assert_string_equal(diags.items[0].message,
                        "cannot read file: No such file or directory");
    nhi_diags_free(&diags);
}

static void ytree_kind_names(void **state)
{
    (void)state;
    assert_string_equal(nhi_ynode_kind_name(NHI_YNODE_SCALAR), "a scalar");
    assert_string_equal(nhi_ynode_kind_name(NHI_YNODE_SEQUENCE), "a list");
    assert_string_equal(nhi_ynode_kind_name(NHI_YNODE_MAPPING), "a mapping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ytree_mapping_positions),
        cmocka_unit_test(ytree_null_spellings),
        cmocka_unit_test(ytree_several_documents),
        cmocka_unit_test(ytree_empty_text),
        cmocka_unit_test(ytree_tab_indentation),
        cmocka_unit_test(ytree_truncated_flow_sequence),
        cmocka_unit_test(ytree_truncated_quote),
        cmocka_unit_test(ytree_invalid_utf8),
        cmocka_unit_test(ytree_invalid_utf8_after_multibyte),
        cmocka_unit_test(ytree_duplicate_key),
        cmocka_unit_test(ytree_duplicate_key_three_times),
        cmocka_unit_test(ytree_keys_differing_in_length),
        cmocka_unit_test(ytree_depth_ten_thousand),
        cmocka_unit_test(ytree_depth_at_limit),
        cmocka_unit_test(ytree_depth_block_mappings),
        cmocka_unit_test(ytree_alias_shares_node),
        cmocka_unit_test(ytree_many_anchors),
        cmocka_unit_test(ytree_alias_latest_anchor),
        cmocka_unit_test(ytree_alias_without_anchor),
        cmocka_unit_test(ytree_alias_to_ancestor),
        cmocka_unit_test(ytree_alias_other_document),
        cmocka_unit_test(ytree_syntax_error_keeps_earlier),
        cmocka_unit_test(ytree_load_missing_file),
        cmocka_unit_test(ytree_kind_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
