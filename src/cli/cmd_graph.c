/* SPDX-License-Identifier: MIT */
/* `nhi graph`: who can become whom, as text or Graphviz DOT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "nhi/audit.h"
#include "nhi/workspace.h"
#include "output.h"

#define NONE ((size_t)-1)

typedef struct view {
    const nhi_audit *audit;
    size_t nodes;
    size_t *parent; /* the step that reached each node in the search */
    bool *declared; /* DOT: the nodes already written */
} view;

static const char *node_label(const view *v, size_t node)
{
    const nhi_graph *graph = v->audit->graph;

    if (node < graph->identity_count)
        return graph->identities[node]->id;
    node -= graph->identity_count;
    if (node < v->audit->pattern_node_count)
        return v->audit->pattern_nodes[node];
    return v->audit->other_nodes[node - v->audit->pattern_node_count];
}

/* An identity by ARN, a consumer by id, or an identity by name when
 * exactly one identity has it. */
static size_t find_node(const nhi_audit *audit, const char *text)
{
    const nhi_graph *graph = audit->graph;
    const nhi_identity *found = nhi_graph_find_identity(graph, text);
    size_t match = NONE;

    if (found)
        return found->index;
    for (size_t n = 0; n < audit->other_node_count; n++)
        if (strcmp(audit->other_nodes[n], text) == 0)
            return graph->identity_count + audit->pattern_node_count + n;
    for (size_t i = 0; i < graph->identity_count; i++) {
        if (strcmp(graph->identities[i]->name, text) != 0)
            continue;
        if (match != NONE)
            return NONE - 1; /* ambiguous */
        match = i;
    }
    return match;
}

/* Breadth-first over the steps, forward or backward, from `start`. */
static int search(view *v, size_t start, bool forward)
{
    const nhi_audit *audit = v->audit;
    size_t *queue = malloc((v->nodes + 1) * sizeof(*queue));
    size_t head = 0, tail = 0;

    if (queue == NULL)
        return -1;
    for (size_t n = 0; n < v->nodes; n++)
        v->parent[n] = NONE;
    v->parent[start] = NONE - 1;
    queue[tail++] = start;
    /* NOTE: each visit scans every step (no adjacency index), which is
     * fine for one interactive question but quadratic on huge graphs. */
    while (head < tail) {
        size_t node = queue[head++];
        for (size_t s = 0; s < audit->step_count; s++) {
            const nhi_step *step = &audit->steps[s];
            size_t near = forward ? step->from : step->to;
            size_t far = forward ? step->to : step->from;
            if (near != node || v->parent[far] != NONE)
                continue;
            v->parent[far] = s;
            queue[tail++] = far;
        }
    }
    free(queue);
    return 0;
}

/* Write a node's DOT line once: identities by name and class, pattern
 * nodes as dashed boxes, consumers and Kubernetes subjects as boxes. */
static void print_dot_node(FILE *out, const view *v, size_t node)
{
    const nhi_graph *graph = v->audit->graph;

    if (v->declared) {
        if (v->declared[node])
            return;
        v->declared[node] = true;
    }
    if (node < graph->identity_count)
        fprintf(out, "  \"%s\" [label=\"%s\\n%s\"];\n", node_label(v, node),
                graph->identities[node]->name,
                nhi_identity_class_name(graph->identities[node]->class_));
    else if (node < graph->identity_count + v->audit->pattern_node_count)
        fprintf(out, "  \"%s\" [shape=box, style=dashed];\n",
                node_label(v, node));
    else
        fprintf(out, "  \"%s\" [shape=box];\n", node_label(v, node));
}

static void print_step(FILE *out, const view *v, const nhi_step *step,
                       bool dot)
{
    if (dot)
        fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s\"%s];\n",
                node_label(v, step->from), node_label(v, step->to), step->kind,
                step->possible ? ", style=dashed" : "");
    else
        fprintf(out, "%s -> %s (%s%s)\n", node_label(v, step->from),
                node_label(v, step->to), step->kind,
                step->possible ? ", possible" : "");
}

/*
 * The steps of the search tree, or of the path to `end` when given, each
 * chain printed from the start of the search outward.
 */
static void print_tree(FILE *out, const view *v, size_t end, bool dot,
                       bool forward)
{
    bool *shown = calloc(v->nodes + 1, sizeof(bool));
    size_t *chain = malloc((v->nodes + 1) * sizeof(size_t));

    for (size_t n = 0; shown && chain && n < v->nodes; n++) {
        size_t length = 0;
        if (end != NONE && n != end)
            continue;
        for (size_t node = n; v->parent[node] < NONE - 1 && !shown[node];) {
            const nhi_step *step = &v->audit->steps[v->parent[node]];
            shown[node] = true;
            chain[length++] = v->parent[node];
            node = step->from == node ? step->to : step->from;
        }
        for (size_t i = 0; i < length; i++) {
            const nhi_step *step =
                &v->audit->steps[chain[forward ? length - 1 - i : i]];
            if (dot) {
                print_dot_node(out, v, step->from);
                print_dot_node(out, v, step->to);
            }
            print_step(out, v, step, dot);
        }
    }
    free(shown);
    free(chain);
}

int cmd_graph(const cli_args *args)
{
    const char *format = args->values[OPT_FORMAT] ? args->values[OPT_FORMAT]
                                                  : "text";
    bool dot = strcmp(format, "dot") == 0;
    nhi_workspace workspace;
    nhi_audit audit;
    nhi_diags diags;
    cli_output output;
    view v = {0};
    size_t from = NONE, to = NONE;
    int status;

    if (!dot && strcmp(format, "text") != 0) {
        cli_error("invalid format '%s' for graph", format);
        cli_note("use --format text or --format dot");
        return EXIT_USAGE;
    }
    if (args->operand_count == 0) {
        cli_error("graph needs at least one PATH");
        return EXIT_USAGE;
    }
    nhi_diags_init(&diags);
    memset(&workspace, 0, sizeof(workspace));
    status = cli_run_audit(args, args->operands, args->operand_count,
                           &workspace, &audit, &diags);
    if (status != 0)
        goto out;

    v.audit = &audit;
    v.nodes = audit.graph->identity_count + audit.pattern_node_count +
              audit.other_node_count;
    for (int side = 0; side < 2; side++) {
        const char *name = args->values[side ? OPT_TO : OPT_FROM];
        size_t *node = side ? &to : &from;
        if (name == NULL)
            continue;
        *node = find_node(&audit, name);
        if (*node >= NONE - 1) {
            cli_error("%s identity '%s' in the inputs",
                      *node == NONE ? "no" : "more than one", name);
            cli_note("give the identity's ARN");
            status = EXIT_USAGE;
            goto out;
        }
    }
    v.parent = malloc((v.nodes + 1) * sizeof(*v.parent));
    v.declared = calloc(v.nodes + 1, sizeof(*v.declared));
    if (v.parent == NULL || cli_output_open(&output, args->values[OPT_OUTPUT]) < 0) {
        status = EXIT_INPUT;
        goto out;
    }
    if (dot)
        fputs("digraph nhi {\n  rankdir=LR;\n", output.stream);
    if (from != NONE || to != NONE) {
        if (search(&v, from != NONE ? from : to, from != NONE) < 0) {
            cli_output_abort(&output);
            status = EXIT_INPUT;
            goto out;
        }
        if (from != NONE && to != NONE && v.parent[to] == NONE && !dot)
            fprintf(output.stream, "no path from %s to %s\n",
                    node_label(&v, from), node_label(&v, to));
        print_tree(output.stream, &v, from != NONE ? to : NONE, dot,
                   from != NONE);
    } else {
        for (size_t s = 0; s < audit.step_count; s++) {
            if (dot) {
                print_dot_node(output.stream, &v, audit.steps[s].from);
                print_dot_node(output.stream, &v, audit.steps[s].to);
            }
            print_step(output.stream, &v, &audit.steps[s], dot);
        }
    }
    if (dot)
        fputs("}\n", output.stream);
    status = cli_output_commit(&output) < 0 ? EXIT_INPUT : EXIT_CLEAN;
    if (status == EXIT_CLEAN && diags.errors > 0)
        status = EXIT_INPUT;
out:
    cli_print_diags(&diags);
    free(v.parent);
    free(v.declared);
    nhi_audit_free(&audit);
    nhi_diags_free(&diags);
    nhi_workspace_free(&workspace);
    return status;
}
