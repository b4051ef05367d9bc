/* SPDX-License-Identifier: MIT */
/* IAM policy documents and IAM ARNs, shared by the AWS readers. */
#ifndef NHI_AWS_POLICY_H
#define NHI_AWS_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"
#include "nhi/graph.h"

/* Which statement fields a document requires. */
typedef enum nhi_aws_document_type {
    NHI_AWS_IDENTITY_POLICY, /* inline or managed: Resource or NotResource */
    NHI_AWS_TRUST_POLICY     /* a role's trust: Principal or NotPrincipal */
} nhi_aws_document_type;

/* Where a document was read, for its diagnostics and its allocations. */
typedef struct nhi_aws_document_source {
    nhi_graph *graph; /* statements live in its arena */
    nhi_diags *diags;
    const char *path;
    unsigned line; /* of the element that contains the document */
    unsigned column;
    /* The document's JSON path: Policies[2].PolicyVersionList[0].Document */
    const char *json_path;
} nhi_aws_document_source;

/*
 * Parse one IAM policy document into `version` (statements and
 * version_2012; the other fields are left alone). `document` is a JSON
 * object, or a string holding the document URL-encoded (as the IAM API
 * returns it) or as JSON text. Problems are reported in `source->diags`.
 * A statement with an unknown field, a bad Effect, no Action and no
 * NotAction, or without the fields that `type` requires is left out. A
 * document that is not a JSON object, even after URL-decoding, sets
 * `version->invalid` and has no statements. Unknown top-level keys and a
 * bad Version are reported, and the statements are still read. Returns
 * NHI_OK or NHI_ENOMEM.
 */
int nhi_aws_policy_parse(const nhi_aws_document_source *source,
                         nhi_aws_document_type type, const json_t *document,
                         nhi_policy_version *version);

/* The parts of an IAM ARN `arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME`. */
typedef struct nhi_aws_arn {
    char account[13];   /* 12 digits, or `aws` for AWS managed policies */
    char type[7];       /* role, user, group or policy */
    const char *path;   /* within the ARN: from the `/` after TYPE to the */
    size_t path_length; /* last `/`, so "/" or "/service-role/" */
    const char *name;   /* within the ARN: after the last `/` */
} nhi_aws_arn;

/*
 * Parse an IAM ARN whose type is role, user, group or policy, and whose
 * account is 12 digits (or `aws`, for policies only). Returns false when
 * `text` is not one.
 */
bool nhi_aws_arn_parse(const char *text, nhi_aws_arn *out);

#endif
