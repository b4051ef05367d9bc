#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a synthetic AWS organisation as one authorization-details export.

The output has the shape of `aws iam get-account-authorization-details
--output json` (AWS CLI v2): the top-level keys UserDetailList,
GroupDetailList, RoleDetailList, Policies and IsTruncated, four-space
indentation, and the field names and order that the IAM API returns.
Principals (roles and users) spread over several accounts of one
organisation, so one file stands for a merged multi-account export.

The output is written one list element at a time and never held whole in
memory. Only a compact plan (names, accounts, trust edges, attachment
counts) is kept, so 100,000 principals stay cheap to generate.

Uses the Python standard library only. The same --seed and --principals
produce byte-identical output.
"""

import argparse
import json
import sys
import time
from random import Random

POLICY_VERSION = "2012-10-17"
ROLE_SHARE = 0.7
FIRST_ACCOUNT = "111122223333"
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_ORG = "example-org"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ENVIRONMENTS = ["prod", "staging", "dev", "sandbox"]
TEAMS = ["payments", "search", "identity", "data", "platform", "mobile",
         "billing", "growth", "ml", "security", "infra", "checkout"]
APPS = ["api", "worker", "ingest", "etl", "web", "scheduler", "reports",
        "gateway", "indexer", "notifier", "exporter", "sync"]
FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
               "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy",
               "rupert", "sybil", "trent", "victor", "walter", "yasmin"]
LAST_NAMES = ["smith", "jones", "garcia", "miller", "davis", "martin",
              "lopez", "wilson", "anderson", "thomas", "moore", "jackson",
              "white", "harris", "clark", "lewis", "young", "walker"]
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

# Service-linked roles that AWS creates in most accounts, with the service
# principal each one trusts and the AWS managed policy attached to it.
SERVICE_LINKED_ROLES = [
    ("AWSServiceRoleForSupport", "support.amazonaws.com",
     "AWSSupportServiceRolePolicy"),
    ("AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com",
     "AWSTrustedAdvisorServiceRolePolicy"),
    ("AWSServiceRoleForOrganizations", "organizations.amazonaws.com",
     "AWSOrganizationsServiceTrustPolicy"),
    ("AWSServiceRoleForSSO", "sso.amazonaws.com",
     "AWSSSOServiceRolePolicy"),
    ("AWSServiceRoleForConfig", "config.amazonaws.com",
     "AWSConfigServiceRolePolicy"),
    ("AWSServiceRoleForAmazonSSM", "ssm.amazonaws.com",
     "AmazonSSMServiceRolePolicy"),
    ("AWSServiceRoleForECS", "ecs.amazonaws.com",
     "AmazonECSServiceRolePolicy"),
    ("AWSServiceRoleForElasticLoadBalancing",
     "elasticloadbalancing.amazonaws.com",
     "AWSElasticLoadBalancingServiceRolePolicy"),
]

# IAM Identity Center permission sets, each a role under
# /aws-reserved/sso.amazonaws.com/ trusted through the SSO SAML provider.
SSO_PERMISSION_SETS = [
    ("AdministratorAccess", "AdministratorAccess"),
    ("ReadOnlyAccess", "ReadOnlyAccess"),
    ("PowerUserAccess", "PowerUserAccess"),
    ("ViewOnlyAccess", "ViewOnlyAccess"),
]

# Role kinds other than the service-linked and SSO roles, with weights.
# "chain" roles are trusted by other roles of the organisation.
ROLE_KIND_WEIGHTS = [
    ("service", 36), ("github", 14), ("eks", 8), ("saml", 5),
    ("chain", 24), ("cross-account", 4), ("account-root", 5),
    ("user-trust", 4),
]


def doc(*statements):
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def allow(actions, resource="*", **extra):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    statement.update(extra)
    return statement


# AWS managed policies by PolicyName: path under arn:aws:iam::aws:policy/,
# PolicyId, DefaultVersionId, CreateDate, UpdateDate and the default version's
# document. Policies that appear in the public iam-vulnerable export of the
# cloudsplaining project have its ids, versions and dates. The others
# (AmazonDynamoDBFullAccess, CloudWatchLogsFullAccess,
# SecretsManagerReadWrite, AWSLambdaBasicExecutionRole,
# AmazonECSTaskExecutionRolePolicy, AmazonEKSWorkerNodePolicy,
# AmazonECSServiceRolePolicy) have ids and dates of the same form that were
# not checked against AWS.
# NOTE: documents longer than about 1 KB (ReadOnlyAccess, ViewOnlyAccess,
# SecurityAudit and most service-role policies) are shortened to a
# representative subset of their statements, so they are far smaller than
# the real ones.
AWS_MANAGED = {
    "AdministratorAccess": (
        "/", "ANPAIWMBCKSKIEE64ZLYK", "v1", "2015-02-06T18:39:46+00:00",
        "2015-02-06T18:39:46+00:00", doc(allow("*"))),
    "PowerUserAccess": (
        "/", "ANPAJYRXTHIB4FOVS3ZXS", "v4", "2015-02-06T18:39:47+00:00",
        "2019-03-20T22:19:03+00:00", doc(
            {"Effect": "Allow",
             "NotAction": ["iam:*", "organizations:*", "account:*"],
             "Resource": "*"},
            allow(["iam:CreateServiceLinkedRole",
                   "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                   "organizations:DescribeOrganization",
                   "account:ListRegions"]))),
    "ReadOnlyAccess": (
        "/", "ANPAILL3HVNFSB6DCOWYQ", "v98", "2015-02-06T18:39:48+00:00",
        "2023-03-13T18:25:39+00:00", doc(allow(sorted(
            f"{service}:{verb}*"
            for service in ["acm", "apigateway", "autoscaling",
                            "cloudformation", "cloudfront", "cloudtrail",
                            "cloudwatch", "codebuild", "codecommit",
                            "codepipeline", "config", "dynamodb", "ec2",
                            "ecr", "ecs", "eks", "elasticache",
                            "elasticloadbalancing", "events", "iam", "kms",
                            "lambda", "logs", "rds", "route53", "s3",
                            "secretsmanager", "sns", "sqs", "ssm", "sts"]
            for verb in ["Describe", "Get", "List"])))),
    "ViewOnlyAccess": (
        "/job-function/", "ANPAID22R6XPJATWOFDK6", "v17",
        "2016-11-10T17:20:15+00:00", "2023-03-06T15:59:28+00:00", doc(allow(
            ["acm:ListCertificates", "cloudtrail:DescribeTrails",
             "dynamodb:ListTables", "ec2:DescribeInstances",
             "ec2:DescribeSecurityGroups", "ecs:ListClusters",
             "iam:ListRoles", "iam:ListUsers", "lambda:ListFunctions",
             "rds:DescribeDBInstances", "s3:ListAllMyBuckets",
             "sqs:ListQueues"]))),
    "SecurityAudit": (
        "/", "ANPAIX2T3QCXHR2OGGCTO", "v32", "2015-02-06T18:41:01+00:00",
        "2020-02-25T16:08:50+00:00", doc(
            allow(["acm:Describe*", "acm:List*", "cloudtrail:DescribeTrails",
                   "cloudtrail:GetEventSelectors", "config:Describe*",
                   "ec2:Describe*", "iam:GenerateCredentialReport",
                   "iam:Get*", "iam:List*", "kms:Describe*", "kms:Get*",
                   "kms:List*", "s3:GetBucketPolicy", "s3:GetBucketAcl",
                   "s3:ListAllMyBuckets"]),
            allow(["apigateway:GET"],
                  ["arn:aws:apigateway:*::/restapis",
                   "arn:aws:apigateway:*::/restapis/*/stages"]))),
    "IAMFullAccess": (
        "/", "ANPAI7XKCFMBPM3QQRRVQ", "v2", "2015-02-06T18:40:38+00:00",
        "2019-06-21T19:40:00+00:00", doc(allow(
            ["iam:*", "organizations:DescribeAccount",
             "organizations:DescribeOrganization",
             "organizations:DescribeOrganizationalUnit",
             "organizations:DescribePolicy", "organizations:ListChildren",
             "organizations:ListParents",
             "organizations:ListPoliciesForTarget", "organizations:ListRoots",
             "organizations:ListPolicies",
             "organizations:ListTargetsForPolicy"]))),
    "IAMReadOnlyAccess": (
        "/", "ANPAJKSO7NDY4T57MWDSQ", "v4", "2015-02-06T18:40:39+00:00",
        "2018-01-25T19:11:27+00:00", doc(allow(
            ["iam:GenerateCredentialReport",
             "iam:GenerateServiceLastAccessedDetails", "iam:Get*",
             "iam:List*", "iam:SimulateCustomPolicy",
             "iam:SimulatePrincipalPolicy"]))),
    "AmazonS3FullAccess": (
        "/", "ANPAIFIR6V6BVTRAHWINE", "v1", "2015-02-06T18:40:58+00:00",
        "2015-02-06T18:40:58+00:00", doc(allow("s3:*"))),
    "AmazonS3ReadOnlyAccess": (
        "/", "ANPAIZTJ4DXE7G6AGAE6M", "v1", "2015-02-06T18:40:59+00:00",
        "2015-02-06T18:40:59+00:00", doc(allow(["s3:Get*", "s3:List*"]))),
    "AmazonEC2FullAccess": (
        "/", "ANPAI3VAJF5ZCRZ7MCQE6", "v5", "2015-02-06T18:40:15+00:00",
        "2018-11-27T02:16:56+00:00", doc(
            allow("ec2:*"), allow("elasticloadbalancing:*"),
            allow("cloudwatch:*"), allow("autoscaling:*"),
            allow("iam:CreateServiceLinkedRole", Condition={
                "StringEquals": {"iam:AWSServiceName": [
                    "autoscaling.amazonaws.com",
                    "ec2scheduled.amazonaws.com",
                    "elasticloadbalancing.amazonaws.com",
                    "spot.amazonaws.com", "spotfleet.amazonaws.com",
                    "transitgateway.amazonaws.com"]}}))),
    "AmazonDynamoDBFullAccess": (
        "/", "ANPAINUGF2JSOSUY76KYA", "v12", "2015-02-06T18:40:11+00:00",
        "2019-05-08T21:20:48+00:00", doc(
            allow(["dynamodb:*", "dax:*", "application-autoscaling:*",
                   "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
                   "cloudwatch:PutMetricAlarm", "kms:DescribeKey",
                   "kms:ListAliases", "sns:ListTopics",
                   "iam:GetRole", "iam:ListRoles"]),
            allow("iam:PassRole", Condition={"StringLike": {
                "iam:PassedToService": [
                    "application-autoscaling.amazonaws.com",
                    "dax.amazonaws.com"]}}))),
    "AmazonSQSFullAccess": (
        "/", "ANPAI65L554VRJ33ECQS6", "v1", "2015-02-06T18:41:07+00:00",
        "2015-02-06T18:41:07+00:00", doc(allow(["sqs:*"]))),
    "CloudWatchLogsFullAccess": (
        "/", "ANPAJ3ZGNWK2R5HW5BQFO", "v1", "2015-02-06T18:40:02+00:00",
        "2015-02-06T18:40:02+00:00", doc(allow("logs:*"))),
    "SecretsManagerReadWrite": (
        "/", "ANPAI3VG7CI5BIQZQ6G2E", "v4", "2018-04-04T18:05:29+00:00",
        "2020-05-27T21:00:14+00:00", doc(
            allow(["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases",
                   "kms:ListKeys", "rds:DescribeDBInstances",
                   "tag:GetResources"]),
            allow(["lambda:CreateFunction", "lambda:AddPermission",
                   "lambda:InvokeFunction"],
                  "arn:aws:lambda:*:*:function:SecretsManager*"))),
    "AmazonSSMManagedInstanceCore": (
        "/", "ANPAIXSHM2BNB2D3AXXRU", "v2", "2019-03-15T17:22:12+00:00",
        "2019-05-23T16:54:21+00:00", doc(
            allow(["ssm:DescribeAssociation",
                   "ssm:GetDeployablePatchSnapshotForInstance",
                   "ssm:GetDocument", "ssm:DescribeDocument",
                   "ssm:GetManifest", "ssm:GetParameter",
                   "ssm:GetParameters", "ssm:ListAssociations",
                   "ssm:ListInstanceAssociations", "ssm:PutInventory",
                   "ssm:PutComplianceItems",
                   "ssm:PutConfigurePackageResult",
                   "ssm:UpdateAssociationStatus",
                   "ssm:UpdateInstanceAssociationStatus",
                   "ssm:UpdateInstanceInformation"]),
            allow(["ssmmessages:CreateControlChannel",
                   "ssmmessages:CreateDataChannel",
                   "ssmmessages:OpenControlChannel",
                   "ssmmessages:OpenDataChannel"]),
            allow(["ec2messages:AcknowledgeMessage",
                   "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                   "ec2messages:GetEndpoint", "ec2messages:GetMessages",
                   "ec2messages:SendReply"]))),
    "AWSLambdaBasicExecutionRole": (
        "/service-role/", "ANPAJNCQGXC42545SKXIK", "v1",
        "2015-04-09T15:03:43+00:00", "2015-04-09T15:03:43+00:00", doc(allow(
            ["logs:CreateLogGroup", "logs:CreateLogStream",
             "logs:PutLogEvents"]))),
    "AmazonECSTaskExecutionRolePolicy": (
        "/service-role/", "ANPAJG4T4G4PV56DE72PY", "v1",
        "2017-11-16T18:48:22+00:00", "2017-11-16T18:48:22+00:00", doc(allow(
            ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
             "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
             "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonEKSWorkerNodePolicy": (
        "/", "ANPAIBVMOY52IPQ6HD3PO", "v3", "2018-05-27T21:09:01+00:00",
        "2024-01-05T20:59:24+00:00", doc(allow(
            ["ec2:DescribeInstances", "ec2:DescribeRouteTables",
             "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
             "ec2:DescribeVolumes", "ec2:DescribeVpcs",
             "eks:DescribeCluster"]))),
    "AWSSupportServiceRolePolicy": (
        "/aws-service-role/", "ANPAJ7W6266ELXF5MISDS", "v28",
        "2018-04-19T18:04:44+00:00", "2023-03-16T20:29:42+00:00", doc(allow(
            ["apigateway:GET", "cloudtrail:DescribeTrails", "ec2:Describe*",
             "iam:GetAccountSummary", "iam:ListRoles", "rds:Describe*",
             "s3:GetBucketPolicy", "s3:ListAllMyBuckets"]))),
    "AWSTrustedAdvisorServiceRolePolicy": (
        "/aws-service-role/", "ANPAJH4QJ2WMHBOB47BUE", "v9",
        "2018-02-22T21:24:25+00:00", "2021-08-10T22:41:30+00:00", doc(allow(
            ["autoscaling:Describe*", "cloudformation:DescribeStacks",
             "ec2:Describe*", "iam:GenerateCredentialReport",
             "iam:GetAccountPasswordPolicy", "iam:ListUsers",
             "s3:GetBucketAcl", "s3:ListAllMyBuckets"]))),
    "AWSOrganizationsServiceTrustPolicy": (
        "/aws-service-role/", "ANPAIQH6ROMVVECFVRJPK", "v2",
        "2017-10-10T23:04:07+00:00", "2017-11-01T06:01:18+00:00", doc(
            {"Sid": "AllowDeletionOfServiceLinkedRoleForOrganizations",
             "Effect": "Allow", "Action": ["iam:DeleteRole"],
             "Resource": ["arn:aws:iam::*:role/aws-service-role/"
                          "organizations.amazonaws.com/*"]},
            {"Sid": "AllowCreationOfServiceLinkedRoles", "Effect": "Allow",
             "Action": ["iam:CreateServiceLinkedRole"],
             "Resource": "*"})),
    "AWSSSOServiceRolePolicy": (
        "/aws-service-role/", "ANPAIJ52KSWOD4GI54XP2", "v17",
        "2017-12-05T18:36:15+00:00", "2022-10-20T20:05:47+00:00", doc(
            allow(["iam:AttachRolePolicy", "iam:CreateRole",
                   "iam:DeleteRole", "iam:DeleteRolePolicy",
                   "iam:DetachRolePolicy", "iam:PutRolePolicy",
                   "iam:UpdateRole"],
                  "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"),
            allow(["iam:ListRoles", "iam:GetSAMLProvider",
                   "organizations:DescribeOrganization"]))),
    "AWSConfigServiceRolePolicy": (
        "/aws-service-role/", "ANPAJUCWFHNZER665LLQQ", "v42",
        "2018-05-30T23:31:46+00:00", "2023-03-21T18:23:30+00:00", doc(allow(
            ["acm:DescribeCertificate", "cloudtrail:DescribeTrails",
             "ec2:Describe*", "iam:GetPolicy", "iam:GetRole",
             "iam:ListAttachedRolePolicies", "s3:GetBucketPolicy",
             "s3:ListAllMyBuckets"]))),
    "AmazonSSMServiceRolePolicy": (
        "/aws-service-role/", "ANPAIXJ26NUGBA3TCV7EC", "v14",
        "2017-11-13T19:20:08+00:00", "2022-09-14T19:46:49+00:00", doc(
            allow(["ssm:CancelCommand", "ssm:GetCommandInvocation",
                   "ssm:ListCommandInvocations", "ssm:ListCommands",
                   "ssm:SendCommand", "ec2:DescribeInstanceAttribute",
                   "ec2:DescribeInstanceStatus", "ec2:DescribeInstances"]),
            allow("iam:PassRole", Condition={"StringEquals": {
                "iam:PassedToService": ["ssm.amazonaws.com"]}}))),
    "AmazonECSServiceRolePolicy": (
        "/aws-service-role/", "ANPAIVUWKCAI7URU4WUEI", "v22",
        "2017-10-14T01:18:58+00:00", "2023-04-18T15:40:11+00:00", doc(allow(
            ["ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
             "ec2:DeleteNetworkInterface", "ec2:Describe*",
             "elasticloadbalancing:RegisterTargets",
             "elasticloadbalancing:DeregisterTargets",
             "servicediscovery:RegisterInstance",
             "servicediscovery:DeregisterInstance"]))),
    "AWSElasticLoadBalancingServiceRolePolicy": (
        "/aws-service-role/", "ANPAIMHWGGSRHLOQUICJQ", "v4",
        "2017-09-19T22:19:04+00:00", "2019-10-07T22:55:16+00:00", doc(allow(
            ["ec2:DescribeAddresses", "ec2:DescribeInstances",
             "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
             "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs",
             "ec2:DescribeInternetGateways",
             "ec2:DescribeAccountAttributes",
             "ec2:DescribeClassicLinkInstances",
             "ec2:DescribeVpcClassicLink", "ec2:CreateSecurityGroup",
             "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
             "ec2:ModifyNetworkInterfaceAttribute",
             "ec2:AuthorizeSecurityGroupIngress", "ec2:AssociateAddress",
             "ec2:DisassociateAddress", "ec2:AttachNetworkInterface",
             "ec2:DetachNetworkInterface", "ec2:AssignPrivateIpAddresses",
             "ec2:AssignIpv6Addresses", "ec2:UnassignIpv6Addresses",
             "logs:CreateLogDelivery", "logs:GetLogDelivery",
             "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
             "logs:ListLogDeliveries"]))),
}

# AWS managed policies attached to ordinary principals, with weights.
AWS_MANAGED_WEIGHTS = [
    ("ReadOnlyAccess", 10), ("AmazonS3ReadOnlyAccess", 12),
    ("AmazonS3FullAccess", 6), ("AmazonEC2FullAccess", 3),
    ("AmazonDynamoDBFullAccess", 4), ("AmazonSQSFullAccess", 4),
    ("CloudWatchLogsFullAccess", 6), ("SecretsManagerReadWrite", 3),
    ("IAMReadOnlyAccess", 3), ("SecurityAudit", 2), ("ViewOnlyAccess", 2),
    ("PowerUserAccess", 1), ("IAMFullAccess", 0.3),
    ("AdministratorAccess", 0.6),
]

# Services and resource ARN templates for specific-action statements. In the
# templates {a} is the account id, {r} a region and {n} a resource name.
SERVICES = {
    "s3": (["GetObject", "PutObject", "DeleteObject", "ListBucket",
            "GetBucketLocation", "GetObjectVersion", "PutObjectAcl",
            "AbortMultipartUpload"],
           ["arn:aws:s3:::{n}", "arn:aws:s3:::{n}/*"]),
    "dynamodb": (["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
                  "Scan", "BatchGetItem", "BatchWriteItem",
                  "DescribeTable"],
                 ["arn:aws:dynamodb:{r}:{a}:table/{n}",
                  "arn:aws:dynamodb:{r}:{a}:table/{n}/index/*"]),
    "sqs": (["SendMessage", "ReceiveMessage", "DeleteMessage",
             "GetQueueAttributes", "GetQueueUrl", "ChangeMessageVisibility"],
            ["arn:aws:sqs:{r}:{a}:{n}"]),
    "sns": (["Publish", "Subscribe", "GetTopicAttributes"],
            ["arn:aws:sns:{r}:{a}:{n}"]),
    "kms": (["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey",
             "ReEncrypt*"],
            ["arn:aws:kms:{r}:{a}:key/{n}"]),
    "secretsmanager": (["GetSecretValue", "DescribeSecret",
                        "PutSecretValue", "RotateSecret"],
                       ["arn:aws:secretsmanager:{r}:{a}:secret:{n}-*"]),
    "ssm": (["GetParameter", "GetParameters", "GetParametersByPath",
             "PutParameter"],
            ["arn:aws:ssm:{r}:{a}:parameter/{n}/*"]),
    "logs": (["CreateLogGroup", "CreateLogStream", "PutLogEvents",
              "DescribeLogStreams"],
             ["arn:aws:logs:{r}:{a}:log-group:/aws/{n}:*"]),
    "lambda": (["InvokeFunction", "GetFunction", "UpdateFunctionCode",
                "UpdateFunctionConfiguration", "CreateFunction"],
               ["arn:aws:lambda:{r}:{a}:function:{n}"]),
    "ecr": (["BatchGetImage", "GetDownloadUrlForLayer", "PutImage",
             "InitiateLayerUpload", "UploadLayerPart",
             "CompleteLayerUpload", "BatchCheckLayerAvailability"],
            ["arn:aws:ecr:{r}:{a}:repository/{n}"]),
    "ec2": (["StartInstances", "StopInstances", "RunInstances",
             "TerminateInstances", "CreateTags"],
            ["arn:aws:ec2:{r}:{a}:instance/*"]),
    "cloudformation": (["CreateStack", "UpdateStack", "DeleteStack",
                        "DescribeStacks", "CreateChangeSet",
                        "ExecuteChangeSet"],
                       ["arn:aws:cloudformation:{r}:{a}:stack/{n}/*"]),
}

# Service-wide wildcard actions, from harmless to broad.
WILDCARD_ACTIONS = ["s3:Get*", "s3:List*", "ec2:Describe*", "logs:*",
                    "cloudwatch:*", "dynamodb:*", "sqs:*", "sns:*",
                    "lambda:*", "ecr:*", "ecs:*", "kms:*", "ssm:Get*",
                    "secretsmanager:Get*", "cloudformation:*", "iam:Get*",
                    "iam:List*", "iam:*", "sts:*", "s3:*"]

# IAM actions that let a principal change its own or others' permissions.
ESCALATION_ACTIONS = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
                      "iam:AttachRolePolicy", "iam:PutRolePolicy",
                      "iam:AttachUserPolicy", "iam:PutUserPolicy",
                      "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey",
                      "iam:CreateLoginProfile", "iam:AddUserToGroup",
                      "iam:PutGroupPolicy", "iam:AttachGroupPolicy"]


class Writer:
    """Stream the export as AWS CLI JSON with four-space indentation."""

    def __init__(self, stream):
        self.stream = stream
        self.first_in_list = True

    def begin(self):
        self.stream.write("{\n")

    def begin_list(self, key, first_key):
        if not first_key:
            self.stream.write(",\n")
        self.stream.write(f"    {json.dumps(key)}: [")
        self.first_in_list = True

    def element(self, value):
        text = json.dumps(value, indent=4).replace("\n", "\n        ")
        self.stream.write("\n        " if self.first_in_list else ",\n        ")
        self.stream.write(text)
        self.first_in_list = False

    def end_list(self):
        self.stream.write("]" if self.first_in_list else "\n    ]")

    def end(self, is_truncated):
        self.stream.write(f',\n    "IsTruncated": {json.dumps(is_truncated)}\n}}\n')


class Generator:
    """Plan a synthetic organisation, then write it out element by element."""

    def __init__(self, principals, seed, accounts):
        self.rng = Random(seed)
        self.principals = principals
        self.role_count = round(principals * ROLE_SHARE)
        self.user_count = principals - self.role_count
        account_count = accounts or max(3, min(50, principals // 2000))
        self.accounts = [FIRST_ACCOUNT] + [
            self.random_account() for _ in range(account_count - 1)]
        self.external_accounts = [self.random_account() for _ in range(4)]
        self.sso_suffix = {a: self.hex_string(16) for a in self.accounts}
        self.eks_issuers = {
            a: [f"oidc.eks.{self.rng.choice(REGIONS)}.amazonaws.com/id/"
                f"{self.hex_string(32).upper()}"
                for _ in range(self.rng.randint(1, 3))]
            for a in self.accounts}
        self.attachments = {}
        self.boundary_uses = {}
        self.user_may_assume = {}
        self.plan_policies()
        self.plan_groups()
        self.plan_users()
        self.plan_roles()

    # Random helpers.

    def random_account(self):
        return str(self.rng.randrange(100000000000, 999999999999))

    def hex_string(self, length):
        return format(self.rng.getrandbits(4 * length), f"0{length}x")

    def unique_id(self, prefix):
        """Return an IAM unique id: the prefix and 17 base32 characters."""
        bits = self.rng.getrandbits(5 * 17)
        characters = []
        for _ in range(17):
            characters.append(ID_ALPHABET[bits & 31])
            bits >>= 5
        return prefix + "".join(characters)

    def date(self, first_year=2017, last_year=2025):
        # No date is later than November 2026, so none lies in the future
        # for the audit that run.sh runs with --now 2026-12-01.
        year = self.rng.randint(first_year, last_year)
        last_month = 11 if year >= 2026 else 12
        return (f"{year}-{self.rng.randint(1, last_month):02d}-"
                f"{self.rng.randint(1, 28):02d}T"
                f"{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}:"
                f"{self.rng.randint(0, 59):02d}+00:00")

    def weighted(self, pairs):
        names = [name for name, _ in pairs]
        weights = [weight for _, weight in pairs]
        return self.rng.choices(names, weights)[0]

    def one_or_list(self, values):
        """Return a single value as a string, several as a list, as IAM allows."""
        if len(values) == 1 and self.rng.random() < 0.6:
            return values[0]
        return values

    # Planning: names, accounts and edges, kept compact.

    def plan_policies(self):
        """Choose the customer managed policy pool, a list per account."""
        count = max(20, self.principals // 20)
        self.policies = []
        self.policies_by_account = {a: [] for a in self.accounts}
        self.boundaries_by_account = {}
        for account in self.accounts:
            name = f"workload-boundary-{account[-4:]}"
            self.add_policy(account, name, "/boundaries/", "boundary")
            self.boundaries_by_account[account] = self.policies[-1]["Arn"]
        for index in range(count):
            account = self.rng.choice(self.accounts)
            team = self.rng.choice(TEAMS)
            kind = self.weighted([("app", 80), ("deploy", 10),
                                  ("iam-admin", 4), ("admin", 2),
                                  ("readonly", 4)])
            name = f"{team}-{self.rng.choice(APPS)}-{kind}-{index:05d}"
            path = self.rng.choice(["/", "/", "/", f"/{team}/"])
            self.add_policy(account, name, path, kind)
            self.policies_by_account[account].append(self.policies[-1]["Arn"])

    def add_policy(self, account, name, path, kind):
        arn = f"arn:aws:iam::{account}:policy{path}{name}"
        self.policies.append({"Arn": arn, "PolicyName": name, "Path": path,
                              "Account": account, "Kind": kind})

    def plan_groups(self):
        count = max(5, self.principals // 50)
        self.groups = []
        self.groups_by_account = {a: [] for a in self.accounts}
        purposes = ["developers", "operators", "readonly", "billing",
                    "deployers", "auditors", "data-engineers", "admins"]
        for index in range(count):
            account = self.accounts[index % len(self.accounts)]
            purpose = purposes[index % len(purposes)]
            name = f"{self.rng.choice(TEAMS)}-{purpose}-{index:04d}"
            self.groups.append({"GroupName": name, "Account": account,
                                "Purpose": purpose})
            self.groups_by_account[account].append(name)

    def plan_users(self):
        """Place users in accounts, 40% of them in the first (identity) account."""
        self.users = []
        for index in range(self.user_count):
            if self.rng.random() < 0.4:
                account = self.accounts[0]
            else:
                account = self.rng.choice(self.accounts)
            human = self.rng.random() < 0.55
            if human:
                name = (f"{self.rng.choice(FIRST_NAMES)}."
                        f"{self.rng.choice(LAST_NAMES)}{index}")
            else:
                name = (f"{self.rng.choice(['svc', 'ci', 'deploy', 'bot'])}-"
                        f"{self.rng.choice(TEAMS)}-"
                        f"{self.rng.choice(APPS)}-{index}")
            self.users.append((account, name, human))

    def plan_roles(self):
        """Choose every role's name, kind and trust, and the role chains.

        Chain roles are cut into chains of 2 to 5 roles, each trusted by the
        role before it, and about one chain in six closes into a cycle. The
        first role of a chain is trusted by a workload (service, GitHub or
        user), so every chain starts somewhere.
        """
        self.roles = []
        for account in self.accounts:
            for name, service, policy in SERVICE_LINKED_ROLES:
                self.roles.append({
                    "Account": account, "RoleName": name,
                    "Path": f"/aws-service-role/{service}/",
                    "Kind": "service-linked", "Service": service,
                    "Policy": policy})
            for set_name, policy in SSO_PERMISSION_SETS:
                suffix = self.hex_string(16)
                self.roles.append({
                    "Account": account,
                    "RoleName": f"AWSReservedSSO_{set_name}_{suffix}",
                    "Path": self.rng.choice([
                        "/aws-reserved/sso.amazonaws.com/",
                        f"/aws-reserved/sso.amazonaws.com/"
                        f"{self.rng.choice(REGIONS)}/"]),
                    "Kind": "sso", "Policy": policy})
        del self.roles[self.role_count:]
        for index in range(len(self.roles), self.role_count):
            account = self.rng.choice(self.accounts)
            kind = self.weighted(ROLE_KIND_WEIGHTS)
            env = self.rng.choice(ENVIRONMENTS)
            team = self.rng.choice(TEAMS)
            name = f"{team}-{self.rng.choice(APPS)}-{env}-{kind}-{index}"
            path = self.rng.choice(["/", "/", "/", "/service-role/",
                                    f"/{team}/"])
            self.roles.append({"Account": account, "RoleName": name,
                               "Path": path, "Kind": kind, "Env": env,
                               "Team": team, "TrustedBy": [],
                               "MayAssume": []})
        for role in self.roles:
            role["Arn"] = (f"arn:aws:iam::{role['Account']}:role"
                           f"{role['Path']}{role['RoleName']}")
        self.plan_chains()

    def plan_chains(self):
        chain_roles = [r for r in self.roles if r.get("Kind") == "chain"]
        self.chain_count = 0
        self.cycle_count = 0
        position = 0
        while position < len(chain_roles):
            length = self.rng.randint(2, 5)
            chain = chain_roles[position:position + length]
            position += length
            chain[0]["Kind"] = "chain-head"
            for previous, current in zip(chain, chain[1:]):
                current["TrustedBy"].append(previous["Arn"])
                previous["MayAssume"].append(current["Arn"])
            if len(chain) > 1 and self.rng.random() < 0.17:
                chain[0]["TrustedBy"].append(chain[-1]["Arn"])
                chain[-1]["MayAssume"].append(chain[0]["Arn"])
                self.cycle_count += 1
            # Fan-in: another role of the organisation may also assume a
            # chain member.
            if self.rng.random() < 0.3:
                other = self.rng.choice(chain_roles)
                target = self.rng.choice(chain)
                if other is not target:
                    target["TrustedBy"].append(other["Arn"])
                    other["MayAssume"].append(target["Arn"])
            self.chain_count += 1
        workload_roles = [r for r in self.roles if "TrustedBy" in r]
        for role in self.roles:
            if role["Kind"] == "user-trust" and self.users:
                for _ in range(self.rng.randint(1, 3)):
                    self.trust_user(role, self.rng.choice(self.users))
            elif role["Kind"] == "chain-head" and self.users and \
                    self.rng.random() < 0.3:
                self.trust_user(role, self.rng.choice(self.users))
            elif role["Kind"] == "cross-account" and self.rng.random() < 0.4:
                other = self.rng.choice(workload_roles)
                if other["Account"] != role["Account"]:
                    role["TrustedBy"].append(other["Arn"])
                    other["MayAssume"].append(role["Arn"])

    def trust_user(self, role, user):
        account, name, _ = user
        arn = f"arn:aws:iam::{account}:user/{name}"
        if arn not in role["TrustedBy"]:
            role["TrustedBy"].append(arn)
            self.user_may_assume.setdefault(name, []).append(role["Arn"])

    # Policy documents.

    def resource_name(self, team=None):
        return (f"{team or self.rng.choice(TEAMS)}-"
                f"{self.rng.choice(APPS)}-{self.rng.choice(ENVIRONMENTS)}")

    def specific_statement(self, account, team=None):
        service = self.rng.choice(list(SERVICES))
        actions, templates = SERVICES[service]
        chosen = self.rng.sample(actions, self.rng.randint(1, len(actions)))
        resources = []
        for _ in range(self.rng.randint(1, 3)):
            name = self.resource_name(team)
            region = self.rng.choice(REGIONS)
            for template in templates:
                resources.append(template.format(a=account, r=region, n=name))
        statement = allow(self.one_or_list([f"{service}:{a}" for a in chosen]),
                          self.one_or_list(resources))
        if self.rng.random() < 0.3:
            statement = {"Sid": f"{service.capitalize()}Access", **statement}
        return statement

    def condition(self, account):
        choice = self.rng.randrange(6)
        if choice == 0:
            return {"StringEquals": {"aws:RequestedRegion":
                                     self.rng.sample(REGIONS, 2)}}
        if choice == 1:
            return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if choice == 2:
            return {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}
        if choice == 3:
            return {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24",
                                                   "198.51.100.0/24"]}}
        if choice == 4:
            return {"StringEquals": {"aws:ResourceTag/environment":
                                     self.rng.choice(ENVIRONMENTS)}}
        return {"StringLike": {"aws:PrincipalArn":
                               f"arn:aws:iam::{account}:role/"
                               f"{self.rng.choice(TEAMS)}-*"}}

    def random_statement(self, account, team=None):
        kind = self.weighted([("specific", 50), ("wildcard", 14),
                              ("not-action", 3), ("deny", 8),
                              ("condition", 10), ("not-resource", 3),
                              ("pass-role", 6), ("escalation", 2),
                              ("star", 0.4)])
        if kind == "specific":
            return self.specific_statement(account, team)
        if kind == "wildcard":
            count = self.rng.randint(1, 4)
            return allow(self.one_or_list(
                self.rng.sample(WILDCARD_ACTIONS, count)), "*")
        if kind == "not-action":
            return {"Effect": "Allow",
                    "NotAction": self.one_or_list(self.rng.sample(
                        ["iam:*", "organizations:*", "account:*", "sts:*",
                         "kms:*"], self.rng.randint(1, 3))),
                    "Resource": "*"}
        if kind == "deny":
            statement = {"Effect": "Deny",
                         "Action": self.one_or_list(self.rng.sample(
                             ["iam:*", "iam:CreateUser", "iam:CreateAccessKey",
                              "s3:DeleteBucket", "kms:ScheduleKeyDeletion",
                              "organizations:LeaveOrganization",
                              "cloudtrail:StopLogging", "ec2:*"],
                             self.rng.randint(1, 3))),
                         "Resource": "*"}
            if self.rng.random() < 0.4:
                statement["Condition"] = {"StringNotEquals": {
                    "aws:RequestedRegion": self.rng.sample(REGIONS, 2)}}
            return statement
        if kind == "condition":
            statement = self.specific_statement(account, team)
            statement["Condition"] = self.condition(account)
            return statement
        if kind == "not-resource":
            return {"Effect": "Allow",
                    "Action": self.rng.choice(["s3:*", "dynamodb:*",
                                               "secretsmanager:*"]),
                    "NotResource": [
                        f"arn:aws:s3:::{self.resource_name()}",
                        f"arn:aws:s3:::{self.resource_name()}/*"]}
        if kind == "pass-role":
            target = (f"arn:aws:iam::{account}:role/"
                      f"{self.rng.choice(TEAMS)}-*")
            statement = allow("iam:PassRole",
                              self.rng.choice([target, target, "*"]))
            if self.rng.random() < 0.5:
                statement["Condition"] = {"StringEquals": {
                    "iam:PassedToService": self.rng.choice(
                        ["lambda.amazonaws.com", "ec2.amazonaws.com",
                         "ecs-tasks.amazonaws.com"])}}
            return statement
        if kind == "escalation":
            return allow(self.one_or_list(self.rng.sample(
                ESCALATION_ACTIONS, self.rng.randint(1, 3))),
                self.rng.choice(["*", f"arn:aws:iam::{account}:role/*",
                                 f"arn:aws:iam::{account}:policy/*"]))
        return allow("*", "*")

    def random_document(self, account, team=None, statements=None,
                        extra=()):
        count = statements or self.rng.randint(1, 5)
        body = [self.random_statement(account, team) for _ in range(count)]
        body.extend(extra)
        return doc(*body)

    def assume_statement(self, targets):
        return {"Sid": "AssumeNextRole", "Effect": "Allow",
                "Action": self.rng.choice(["sts:AssumeRole",
                                           ["sts:AssumeRole",
                                            "sts:TagSession"]]),
                "Resource": self.one_or_list(targets)}

    def inline_policies(self, account, team, extra=()):
        """Return an inline policy list, non-empty for about half of callers.

        Statements in extra (the sts:AssumeRole of a chain) always get a
        policy.
        """
        policies = []
        if extra or self.rng.random() < 0.5:
            for index in range(self.rng.randint(1, 3)):
                first = index == 0
                policies.append({
                    "PolicyName": f"{team or 'inline'}-"
                                  f"{self.rng.choice(APPS)}-policy-{index}",
                    "PolicyDocument": self.random_document(
                        account, team, extra=extra if first else ())})
        return policies

    def managed_attachments(self, account, minimum=0):
        """Choose customer and AWS managed attachments and count them."""
        chosen = []
        local = self.policies_by_account[account]
        for _ in range(self.rng.randint(minimum, 3)):
            if local:
                chosen.append(self.rng.choice(local))
        for _ in range(self.rng.choice([0, 0, 1, 1, 2])):
            chosen.append("arn:aws:iam::aws:policy/"
                          + self.aws_policy_path(
                              self.weighted(AWS_MANAGED_WEIGHTS)))
        return self.attach(chosen)

    def aws_policy_path(self, name):
        """Return the part after "policy/" of an AWS managed policy's ARN."""
        path = AWS_MANAGED[name][0]
        return path.lstrip("/") + name

    def attach(self, arns):
        seen = []
        for arn in arns:
            if arn not in seen:
                seen.append(arn)
        for arn in seen:
            self.attachments[arn] = self.attachments.get(arn, 0) + 1
        return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                for arn in seen]

    def tags(self, env, team, owner=True):
        tags = []
        if self.rng.random() < 0.9:
            tags.append({"Key": "environment", "Value": env})
        tags.append({"Key": "team", "Value": team})
        if owner:
            tags.append({"Key": "owner",
                         "Value": f"{team}-oncall@example.com"})
        if self.rng.random() < 0.5:
            tags.append({"Key": "cost-center",
                         "Value": f"cc-{self.rng.randint(1000, 9999)}"})
        return tags

    # Trust policies.

    def service_trust(self):
        services = self.rng.choice([
            ["ec2.amazonaws.com"], ["lambda.amazonaws.com"],
            ["ecs-tasks.amazonaws.com"], ["lambda.amazonaws.com",
                                          "edgelambda.amazonaws.com"],
            ["states.amazonaws.com"], ["codebuild.amazonaws.com"],
            ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]])
        return {"Effect": "Allow",
                "Principal": {"Service": self.one_or_list(services)},
                "Action": "sts:AssumeRole"}

    def github_trust(self, account, team):
        repository = f"{GITHUB_ORG}/{team}-{self.rng.choice(APPS)}"
        subject = self.weighted([
            (f"repo:{repository}:ref:refs/heads/main", 40),
            (f"repo:{repository}:environment:production", 25),
            (f"repo:{repository}:pull_request", 5),
            (f"repo:{repository}:*", 20),
            (f"repo:{GITHUB_ORG}/*", 10)])
        operator = "StringLike" if "*" in subject else "StringEquals"
        condition = {"StringEquals": {
            f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com"}}
        if operator == "StringLike":
            condition["StringLike"] = {f"{GITHUB_ISSUER}:sub": subject}
        else:
            condition["StringEquals"][f"{GITHUB_ISSUER}:sub"] = subject
        return {"Effect": "Allow",
                "Principal": {"Federated":
                              f"arn:aws:iam::{account}:oidc-provider/"
                              f"{GITHUB_ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition}

    def eks_trust(self, account, team):
        issuer = self.rng.choice(self.eks_issuers[account])
        namespace = f"{team}-{self.rng.choice(ENVIRONMENTS)}"
        return {"Effect": "Allow",
                "Principal": {"Federated":
                              f"arn:aws:iam::{account}:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:"
                                     f"{self.rng.choice(APPS)}",
                    f"{issuer}:aud": "sts.amazonaws.com"}}}

    def saml_trust(self, account, provider):
        return {"Effect": "Allow",
                "Principal": {"Federated":
                              f"arn:aws:iam::{account}:saml-provider/"
                              f"{provider}"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {
                    "SAML:aud": "https://signin.aws.amazon.com/saml"}}}

    def role_trust(self, role):
        account = role["Account"]
        kind = role["Kind"]
        team = role.get("Team", "")
        statements = []
        if kind == "service-linked":
            statements.append({"Effect": "Allow",
                               "Principal": {"Service": role["Service"]},
                               "Action": "sts:AssumeRole"})
        elif kind == "sso":
            statements.append(self.saml_trust(
                account, f"AWSSSO_{self.sso_suffix[account]}_DO_NOT_DELETE"))
        elif kind == "service":
            statements.append(self.service_trust())
            if self.rng.random() < 0.3:
                statements[0]["Condition"] = {"StringEquals": {
                    "aws:SourceAccount": account}}
        elif kind == "github":
            statements.append(self.github_trust(account, team))
        elif kind == "eks":
            statements.append(self.eks_trust(account, team))
        elif kind == "saml":
            statements.append(self.saml_trust(
                account, self.rng.choice(["Okta", "AzureAD", "Google"])))
        elif kind == "cross-account" and not role["TrustedBy"]:
            # A vendor outside the organisation, with an external id.
            external = self.rng.choice(self.external_accounts)
            statements.append({
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{external}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {
                    "sts:ExternalId": self.hex_string(24)}}})
        elif kind == "account-root":
            statements.append({"Effect": "Allow",
                               "Principal": {"AWS":
                                             f"arn:aws:iam::{account}:root"},
                               "Action": "sts:AssumeRole"})
        elif kind == "chain-head" and not role["TrustedBy"]:
            if self.rng.random() < 0.5:
                statements.append(self.service_trust())
            else:
                statements.append(self.github_trust(account, team))
        trusted_by = role.get("TrustedBy") or []
        if trusted_by:
            statement = {"Effect": "Allow",
                         "Principal": {"AWS": self.one_or_list(trusted_by)},
                         "Action": self.rng.choice(
                             ["sts:AssumeRole",
                              ["sts:AssumeRole", "sts:TagSession"]])}
            if self.rng.random() < 0.2:
                statement["Condition"] = {"StringEquals": {
                    "aws:PrincipalOrgID": "o-exampleorgid"}}
            statements.append(statement)
        if not statements:
            # A user-trust role in an organisation without users.
            statements.append({"Effect": "Allow",
                               "Principal": {"AWS":
                                             f"arn:aws:iam::{account}:root"},
                               "Action": "sts:AssumeRole"})
        if self.rng.random() < 0.02:
            statements.append({"Effect": "Deny",
                               "Principal": {"AWS": "*"},
                               "Action": "sts:AssumeRole",
                               "Condition": {"Bool": {
                                   "aws:SecureTransport": "false"}}})
        for statement in statements:
            if self.rng.random() < 0.15:
                statement["Sid"] = ""
        return doc(*statements)

    # Elements.

    def instance_profiles(self, element):
        """Return an instance profile for a role that EC2 may assume, else []."""
        trust = element["AssumeRolePolicyDocument"]
        if "ec2.amazonaws.com" not in json.dumps(trust["Statement"]):
            return []
        name = element["RoleName"]
        account = element["Arn"].split(":")[4]
        role_summary = {key: element[key] for key in
                        ["Path", "RoleName", "RoleId", "Arn", "CreateDate",
                         "AssumeRolePolicyDocument"]}
        return [{"Path": "/", "InstanceProfileName": name,
                 "InstanceProfileId": self.unique_id("AIPA"),
                 "Arn": f"arn:aws:iam::{account}:instance-profile/{name}",
                 "CreateDate": element["CreateDate"],
                 "Roles": [role_summary]}]

    def role_element(self, role):
        account = role["Account"]
        element = {"Path": role["Path"], "RoleName": role["RoleName"],
                   "RoleId": self.unique_id("AROA"), "Arn": role["Arn"],
                   "CreateDate": self.date(),
                   "AssumeRolePolicyDocument": self.role_trust(role)}
        element["InstanceProfileList"] = self.instance_profiles(element)

        if role["Kind"] in ("service-linked", "sso"):
            element["RolePolicyList"] = []
            element["AttachedManagedPolicies"] = self.attach(
                ["arn:aws:iam::aws:policy/" + self.aws_policy_path(
                    role["Policy"])])
            element["Tags"] = []
        else:
            extra = ()
            if role["MayAssume"]:
                extra = (self.assume_statement(role["MayAssume"]),)
            element["RolePolicyList"] = self.inline_policies(
                account, role["Team"], extra)
            element["AttachedManagedPolicies"] = self.managed_attachments(
                account, minimum=0 if element["RolePolicyList"] else 1)

            if self.rng.random() < 0.1:
                boundary = self.boundaries_by_account[account]
                self.boundary_uses[boundary] = (
                    self.boundary_uses.get(boundary, 0) + 1)
                element["PermissionsBoundary"] = {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": boundary}
            element["Tags"] = self.tags(role["Env"], role["Team"])

        if self.rng.random() < 0.6:
            element["RoleLastUsed"] = {
                "LastUsedDate": self.date(2024, 2026),
                "Region": self.rng.choice(REGIONS)}
        else:
            element["RoleLastUsed"] = {}
        return element

    def user_element(self, account, name, human):
        team = self.rng.choice(TEAMS)
        element = {"Path": "/" if not human or self.rng.random() < 0.7
                   else "/people/",
                   "UserName": name, "UserId": self.unique_id("AIDA"),
                   "Arn": f"arn:aws:iam::{account}:user/{name}",
                   "CreateDate": self.date()}
        extra = ()
        if name in self.user_may_assume:
            extra = (self.assume_statement(self.user_may_assume[name]),)
        inline = self.inline_policies(account, team, extra)
        if inline:
            element["UserPolicyList"] = inline
        groups = self.groups_by_account[account]
        membership = []
        if groups and (human or self.rng.random() < 0.2):
            membership = self.rng.sample(
                groups, min(len(groups), self.rng.randint(1, 3)))
        element["GroupList"] = membership
        element["AttachedManagedPolicies"] = self.managed_attachments(
            account) if not human or self.rng.random() < 0.3 else []
        element["Tags"] = self.tags(self.rng.choice(ENVIRONMENTS), team,
                                    owner=not human)
        return element

    def group_element(self, group):
        account = group["Account"]
        name = group["GroupName"]
        purpose = group["Purpose"]
        aws_policy = {"admins": ["AdministratorAccess"],
                      "readonly": ["ReadOnlyAccess"],
                      "auditors": ["SecurityAudit"],
                      "billing": ["ViewOnlyAccess"],
                      "operators": ["PowerUserAccess"]}.get(purpose, [])
        arns = ["arn:aws:iam::aws:policy/" + self.aws_policy_path(p)
                for p in aws_policy]
        local = self.policies_by_account[account]
        if local and purpose not in ("admins", "readonly"):
            arns.extend(self.rng.sample(local,
                                        min(len(local),
                                            self.rng.randint(1, 3))))
        inline = []
        if self.rng.random() < 0.5:
            inline.append({"PolicyName": f"{name}-inline",
                           "PolicyDocument": self.random_document(
                               account, extra=[{
                                   "Effect": "Deny", "Action": "*",
                                   "Resource": "*",
                                   "Condition": {"BoolIfExists": {
                                       "aws:MultiFactorAuthPresent":
                                       "false"}}}])})
        return {"Path": "/", "GroupName": name,
                "GroupId": self.unique_id("AGPA"),
                "Arn": f"arn:aws:iam::{account}:group/{name}",
                "CreateDate": self.date(),
                "GroupPolicyList": inline,
                "AttachedManagedPolicies": self.attach(arns)}

    def customer_policy_versions(self, policy):
        """Return (PolicyVersionList newest first, DefaultVersionId)."""
        account = policy["Account"]
        kind = policy["Kind"]
        count = self.weighted([(1, 40), (2, 25), (3, 15), (4, 10), (5, 10)])
        first = self.rng.randint(1, 6)
        numbers = list(range(first, first + count))
        default = numbers[-1] if self.rng.random() < 0.9 else \
            self.rng.choice(numbers)
        versions = []
        created = self.date(2019, 2025)
        for number in reversed(numbers):
            if kind == "boundary":
                document = doc(
                    {"Sid": "AllowWorkloadServices", "Effect": "Allow",
                     "Action": ["s3:*", "dynamodb:*", "sqs:*", "sns:*",
                                "logs:*", "kms:Decrypt", "ssm:Get*",
                                "secretsmanager:GetSecretValue",
                                "sts:AssumeRole"],
                     "Resource": "*"},
                    {"Sid": "DenyIdentityChanges", "Effect": "Deny",
                     "Action": ["iam:*", "organizations:*"],
                     "Resource": "*"},
                    {"Sid": "DenyBoundaryRemoval", "Effect": "Deny",
                     "Action": ["iam:DeleteRolePermissionsBoundary",
                                "iam:PutRolePermissionsBoundary"],
                     "Resource": "*",
                     "Condition": {"StringNotEquals": {
                         "iam:PermissionsBoundary": policy["Arn"]}}})
            elif kind == "admin" or (number != default and
                                     self.rng.random() < 0.15):
                # An old, broader version: SetDefaultPolicyVersion escalation.
                document = doc(allow("*", "*"))
            elif kind == "iam-admin":
                document = self.random_document(account, extra=[allow(
                    self.rng.sample(ESCALATION_ACTIONS, 3), "*")])
            elif kind == "readonly":
                document = doc(allow(self.rng.sample(
                    [a for a in WILDCARD_ACTIONS
                     if a.endswith(("Get*", "List*", "Describe*"))], 3)))
            elif kind == "deploy":
                document = self.random_document(account, extra=[
                    allow(["cloudformation:*", "s3:*"]),
                    allow("iam:PassRole",
                          f"arn:aws:iam::{account}:role/*")])
            else:
                document = self.random_document(account)
            versions.append({"Document": document,
                             "VersionId": f"v{number}",
                             "IsDefaultVersion": number == default,
                             "CreateDate": created})
        return versions, f"v{default}", created

    def customer_policy_element(self, policy):
        versions, default, created = self.customer_policy_versions(policy)
        arn = policy["Arn"]
        return {"PolicyName": policy["PolicyName"],
                "PolicyId": self.unique_id("ANPA"), "Arn": arn,
                "Path": policy["Path"], "DefaultVersionId": default,
                "AttachmentCount": self.attachments.get(arn, 0),
                "PermissionsBoundaryUsageCount":
                    self.boundary_uses.get(arn, 0),
                "IsAttachable": True,
                "CreateDate": self.date(2017, 2019),
                "UpdateDate": created,
                "PolicyVersionList": versions}

    def aws_policy_element(self, key):
        path, policy_id, version, created, updated, document = \
            AWS_MANAGED[key]
        arn = "arn:aws:iam::aws:policy/" + self.aws_policy_path(key)
        return {"PolicyName": key, "PolicyId": policy_id, "Arn": arn,
                "Path": path, "DefaultVersionId": version,
                "AttachmentCount": self.attachments.get(arn, 0),
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True, "CreateDate": created,
                "UpdateDate": updated,
                "PolicyVersionList": [{"Document": document,
                                       "VersionId": version,
                                       "IsDefaultVersion": True,
                                       "CreateDate": updated}]}

    def write(self, stream):
        writer = Writer(stream)
        writer.begin()
        writer.begin_list("UserDetailList", first_key=True)
        for account, name, human in self.users:
            writer.element(self.user_element(account, name, human))
        writer.end_list()
        writer.begin_list("GroupDetailList", first_key=False)
        for group in self.groups:
            writer.element(self.group_element(group))
        writer.end_list()
        writer.begin_list("RoleDetailList", first_key=False)
        for role in self.roles:
            writer.element(self.role_element(role))
        writer.end_list()
        # A real export lists customer managed policies and only those AWS
        # managed policies that something in the account attaches.
        writer.begin_list("Policies", first_key=False)
        for policy in self.policies:
            writer.element(self.customer_policy_element(policy))
        for key in AWS_MANAGED:
            arn = "arn:aws:iam::aws:policy/" + self.aws_policy_path(key)
            if self.attachments.get(arn):
                writer.element(self.aws_policy_element(key))
        writer.end_list()
        writer.end(is_truncated=False)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Write a synthetic AWS organisation in the format of "
                    "'aws iam get-account-authorization-details --output "
                    "json'.")
    parser.add_argument("--principals", type=int, default=1000,
                        help="number of principals, roles plus users; about "
                             "70%% are roles (default 1000)")
    parser.add_argument("--seed", type=int, default=1,
                        help="random seed; the same seed and sizes give the "
                             "same bytes (default 1)")
    parser.add_argument("--accounts", type=int, default=0,
                        help="number of AWS accounts (default: principals / "
                             "2000, at least 3 and at most 50)")
    parser.add_argument("--output", default="-",
                        help="output file, or - for standard output "
                             "(default -)")
    arguments = parser.parse_args(argv)
    if arguments.principals < 1:
        parser.error(f"--principals must be at least 1, got "
                     f"{arguments.principals}")
    if arguments.accounts < 0:
        parser.error(f"--accounts must be 0 (automatic) or more, got "
                     f"{arguments.accounts}")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    started = time.monotonic()
    generator = Generator(arguments.principals, arguments.seed,
                          arguments.accounts)
    if arguments.output == "-":
        generator.write(sys.stdout)
    else:
        with open(arguments.output, "w", encoding="utf-8",
                  buffering=1 << 20) as stream:
            generator.write(stream)
    print(f"gen_authz: {arguments.principals} principals "
          f"({generator.role_count} roles, {generator.user_count} users), "
          f"{len(generator.groups)} groups, {len(generator.accounts)} "
          f"accounts, {len(generator.policies)} customer managed policies, "
          f"{generator.chain_count} role chains ({generator.cycle_count} "
          f"cycles) in {time.monotonic() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
