/* SPDX-License-Identifier: MIT */
/* Readers of AWS exports into the identity graph. */
#ifndef NHI_AWS_H
#define NHI_AWS_H

#include "nhi/error.h"
#include "nhi/graph.h"

/*
 * Largest AWS export read: 4 GiB. Real accounts with 100,000 principals
 * export a few hundred MB; the file is memory-mapped and read one array
 * element at a time, so memory follows the model, not the file.
 */
#define NHI_AWS_MAX_FILE ((size_t)4 << 30)

/*
 * Read an `aws iam get-account-authorization-details` export (JSON) into
 * `graph`: users, groups, roles, managed policies with every version,
 * inline policies, trust policies, boundaries, tags, RoleLastUsed,
 * instance profiles. A syntax error (invalid or truncated JSON) adds
 * nothing of the file to the graph; a problem inside one element (a
 * statement with an unknown field, a policy that is not valid JSON after
 * URL-decoding, an ARN that does not parse) is reported and only that
 * part is left out. Returns NHI_OK, NHI_EINPUT or NHI_ENOMEM.
 */
int nhi_aws_read_authz(nhi_graph *graph, const char *path, nhi_diags *diags);

#endif
