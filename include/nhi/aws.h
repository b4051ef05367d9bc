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

/*
 * Read an IAM credential report into `graph`: the CSV of `aws iam
 * get-credential-report`, or its JSON response (also a boto3 response
 * recorded by placebo, under "data") whose Content contains the CSV,
 * base64-encoded or plain. Each row joins the identity with its ARN, or
 * adds an IAM user (or the root user) when no other input has it, and
 * sets its password, MFA, access key and certificate data. Keys that
 * list-access-keys output already added are matched by creation time.
 * A row with an invalid field is reported at its line:column and left
 * out. A header with a missing or unknown column, invalid JSON or invalid
 * base64 adds nothing. Problems in the CSV of a JSON response are reported
 * at the Content member, with the CSV line in the message. Read the
 * authorization details export first, because that reader does not join
 * users that a report already added. Returns NHI_OK, NHI_EINPUT (the valid
 * rows are still added), NHI_EIO or NHI_ELIMIT (the file cannot be read),
 * or NHI_ENOMEM.
 */
int nhi_aws_read_credential_report(nhi_graph *graph, const char *path,
                                   nhi_diags *diags);

/*
 * Read `aws iam list-access-keys` output into `graph`: one response, several
 * written one after another, or a JSON array of them. Each key is matched
 * to the IAM user of that name already in the graph. It fills in the id
 * and status of the same key (same id, or the credential report's key
 * created in the same second), or is added. A key whose user is in no
 * other input is reported and left out, because the output names no
 * account. A user name that several accounts share is an error. A
 * SecretAccessKey is reported and never kept. A syntax error adds nothing
 * of the file. Returns the same codes as nhi_aws_read_credential_report.
 */
int nhi_aws_read_access_keys(nhi_graph *graph, const char *path,
                             nhi_diags *diags);

/* Whether the first bytes of a file look like these inputs, for recognition
 * by content. `head` contains up to the first 64 KiB of the file. */
bool nhi_aws_sniff_credential_report(const char *head, size_t length);
bool nhi_aws_sniff_access_keys(const char *head, size_t length);

#endif
