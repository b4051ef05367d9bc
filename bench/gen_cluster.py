#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a synthetic Kubernetes cluster as one `kubectl get ... -A -o json`
List, and the AWS roles it refers to as an authorization-details export,
for the benchmark of the Kubernetes reader, RBAC evaluation and the
cross-provider edges.

usage: gen_cluster.py ACCOUNTS CLUSTER_OUTPUT AUTHZ_OUTPUT

ACCOUNTS service accounts are spread over namespaces of 20 accounts each.
Each account has a Deployment running as it (one in five as `default`
instead), a Role and a RoleBinding in its namespace. One namespace in ten
has a deployer Role that can create pods and read secrets, bound to a
group that an aws-auth entry maps a role to. One account in fifty has an
IRSA annotation to a role whose trust admits it. The output is
deterministic for a given ACCOUNTS.
"""
import json
import sys

ACCOUNTS_PER_NAMESPACE = 20


def meta(name, namespace=None, **extra):
    data = {"name": name}
    if namespace:
        data["namespace"] = namespace
    data.update(extra)
    return data


ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0000000000000000000000001"


def role(name, trust):
    return {"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLE%09d" % len(name),
            "Arn": "arn:aws:iam::111122223333:role/" + name,
            "CreateDate": "2026-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17",
                                         "Statement": [trust]},
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "app", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["s3:GetObject"],
                    "Resource": "arn:aws:s3:::bucket-%s/*" % name}]}}],
            "AttachedManagedPolicies": [], "Tags": [],
            "RoleLastUsed": {"LastUsedDate": "2026-12-01T00:00:00Z"}}


def irsa_trust(namespace, name):
    return {"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:"
                                       "oidc-provider/" + ISSUER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                ISSUER + ":sub": "system:serviceaccount:%s:%s" % (namespace,
                                                                  name),
                ISSUER + ":aud": "sts.amazonaws.com"}}}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    count = int(sys.argv[1])
    items = []
    map_roles = []
    roles = []
    namespaces = (count + ACCOUNTS_PER_NAMESPACE - 1) // ACCOUNTS_PER_NAMESPACE
    for n in range(namespaces):
        namespace = "team-%05d" % n
        for a in range(ACCOUNTS_PER_NAMESPACE):
            index = n * ACCOUNTS_PER_NAMESPACE + a
            if index >= count:
                break
            name = "svc-%06d" % index
            annotations = {}
            if index % 50 == 0:
                annotations["eks.amazonaws.com/role-arn"] = (
                    "arn:aws:iam::111122223333:role/irsa-%06d" % index)
                roles.append(role("irsa-%06d" % index,
                                  irsa_trust(namespace, name)))
            items.append({"apiVersion": "v1", "kind": "ServiceAccount",
                          "metadata": meta(name, namespace,
                                           annotations=annotations)})
            runs_as = "default" if index % 5 == 0 else name
            items.append({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": meta(name, namespace),
                "spec": {"template": {"spec": {
                    "serviceAccountName": runs_as,
                    "containers": [{"name": "app", "image": "app:1",
                                    "env": [{"name": "MODE",
                                             "value": "production"}]}]}}}})
            items.append({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": meta(name, namespace),
                "rules": [{"apiGroups": [""],
                           "resources": ["configmaps", "pods"],
                           "verbs": ["get", "list", "watch"]}]})
            items.append({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": meta(name, namespace),
                "subjects": [{"kind": "ServiceAccount", "name": name}],
                "roleRef": {"kind": "Role", "name": name,
                            "apiGroup": "rbac.authorization.k8s.io"}})
        if n % 10 == 0:
            group = "deployers-%05d" % n
            items.append({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": meta("deployer", namespace),
                "rules": [{"apiGroups": [""], "resources": ["pods", "secrets"],
                           "verbs": ["get", "list", "create"]}]})
            items.append({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": meta("deployers", namespace),
                "subjects": [{"kind": "Group", "name": group,
                              "apiGroup": "rbac.authorization.k8s.io"}],
                "roleRef": {"kind": "Role", "name": "deployer",
                            "apiGroup": "rbac.authorization.k8s.io"}})
            map_roles.append("- rolearn: arn:aws:iam::111122223333:role/"
                             "deploy-%05d\n  username: deploy-%05d\n"
                             "  groups:\n    - %s\n" % (n, n, group))
            roles.append(role("deploy-%05d" % n, {
                "Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"},
                "Action": "sts:AssumeRole"}))
    items.append({"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": meta("aws-auth", "kube-system"),
                  "data": {"mapRoles": "".join(map_roles)}})
    with open(sys.argv[2], "w") as out:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, out,
                  indent=4)
        out.write("\n")
    with open(sys.argv[3], "w") as out:
        json.dump({"UserDetailList": [], "GroupDetailList": [],
                   "RoleDetailList": roles, "Policies": [],
                   "IsTruncated": False}, out, indent=4)
        out.write("\n")


if __name__ == "__main__":
    main()
