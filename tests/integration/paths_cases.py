#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write one small authorization-details export per escalation case, and
print "NAME EXPECTED" lines: whether user `caller` must get a
move.escalation-path finding, and of what kind: "definite", "possible"
(a step needs a resource or a condition the export cannot show) or "no".
Each case is a known path or a look-alike that must not be reported."""
import json
import os
import sys

A, B = "111122223333", "444455556666"
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(actions, resource="*"):
    return {"Effect": "Deny", "Action": actions, "Resource": resource}


def user(name, statements=(), account=A, managed=(), boundary=None):
    item = {"Path": "/", "UserName": name, "UserId": "AIDAEXAMPLE" + name.upper()[:9],
            "Arn": "arn:aws:iam::%s:user/%s" % (account, name),
            "CreateDate": "2025-01-01T00:00:00Z", "GroupList": [], "Tags": [],
            "UserPolicyList": [{"PolicyName": name + "-inline", "PolicyDocument": doc(*statements)}]
            if statements else [],
            "AttachedManagedPolicies": [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn}
                                        for arn in managed]}
    if boundary:
        item["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                       "PermissionsBoundaryArn": boundary}
    return item


def role(name, trust, statements=(ADMIN,), account=A, path="/", profile=False):
    return {"Path": path, "RoleName": name, "RoleId": "AROAEXAMPLE" + name.upper()[:9],
            "Arn": "arn:aws:iam::%s:role%s%s" % (account, path, name),
            "CreateDate": "2025-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Principal": trust,
                                             "Action": "sts:AssumeRole"}),
            "InstanceProfileList": [{"InstanceProfileName": name + "-profile"}] if profile else [],
            "RolePolicyList": [{"PolicyName": name + "-inline", "PolicyDocument": doc(*statements)}],
            "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {}}


def managed(name, versions, default):
    return {"PolicyName": name, "PolicyId": "ANPAEXAMPLE" + name.upper()[:9],
            "Arn": "arn:aws:iam::%s:policy/%s" % (A, name), "Path": "/",
            "DefaultVersionId": default, "AttachmentCount": 1, "IsAttachable": True,
            "PolicyVersionList": [{"Document": document, "VersionId": version,
                                   "IsDefaultVersion": version == default,
                                   "CreateDate": "2025-01-01T00:00:00Z"}
                                  for version, document in versions]}


CALLER = "arn:aws:iam::%s:user/caller" % A
EC2 = {"Service": "ec2.amazonaws.com"}
POLICY = "arn:aws:iam::%s:policy/own" % A
SET_DEFAULT = doc(allow("iam:SetDefaultPolicyVersion", POLICY))
PASS_EC2 = ["iam:PassRole", "ec2:RunInstances"]

cases = {
    "set-default-to-admin-version": (True, [user("caller", managed=[POLICY])], [],
                                     [managed("own", [("v1", SET_DEFAULT), ("v2", doc(ADMIN))], "v1")]),
    # The caller picks the version: one written later is a step to admin.
    "set-default-without-admin-version": ("possible", [user("caller", managed=[POLICY])], [],
                                          [managed("own", [("v1", SET_DEFAULT)], "v1")]),
    # A resource pattern longer than any buffer of the path search, on
    # another user, leaves the caller's own path alone.
    "self-edit-beside-long-pattern": (
        True, [user("caller", [allow("iam:PutUserPolicy", CALLER)]),
               user("other", [allow("sts:AssumeRole",
                                    "arn:aws:iam::%s:role/%s*" % (A, "a" * 1100))])], [], []),
    # An admin version of a policy that is not attached to the caller.
    "set-default-on-unattached-policy": (
        False, [user("caller", [allow("iam:SetDefaultPolicyVersion")])], [],
        [managed("other", [("v1", doc(allow("s3:GetObject"))), ("v2", doc(ADMIN))], "v1")]),
    "set-default-denied-on-own-policy": (
        False, [user("caller", [allow("iam:SetDefaultPolicyVersion"),
                                deny("iam:SetDefaultPolicyVersion", POLICY)], managed=[POLICY])], [],
        [managed("own", [("v1", doc(allow("s3:GetObject"))), ("v2", doc(ADMIN))], "v1")]),
    "pass-role-to-ec2": (True, [user("caller", [allow(PASS_EC2)])],
                         [role("admin", EC2, profile=True)], []),
    "pass-role-condition-other-service": (
        False, [user("caller", [allow("iam:PassRole", "*", {"StringEquals": {
            "iam:PassedToService": "lambda.amazonaws.com"}}), allow("ec2:RunInstances")])],
        [role("admin", EC2, profile=True)], []),
    "pass-role-condition-same-service": (
        True, [user("caller", [allow("iam:PassRole", "*", {"StringEquals": {
            "iam:PassedToService": "ec2.amazonaws.com"}}), allow("ec2:RunInstances")])],
        [role("admin", EC2, profile=True)], []),
    "pass-role-to-role-of-other-service": (False, [user("caller", [allow(PASS_EC2)])],
                                           [role("admin", {"Service": "lambda.amazonaws.com"})], []),
    "ec2-role-without-instance-profile": (False, [user("caller", [allow(PASS_EC2)])],
                                          [role("admin", EC2)], []),
    "ec2-role-with-profile-created": (
        True, [user("caller", [allow(PASS_EC2 + ["iam:CreateInstanceProfile",
                                                  "iam:AddRoleToInstanceProfile"])])],
        [role("admin", EC2)], []),
    "assume-root-trust-without-allow": (False, [user("caller", [allow("s3:GetObject")])],
                                        [role("admin", {"AWS": "arn:aws:iam::%s:root" % A})], []),
    "assume-root-trust-with-allow": (True, [user("caller", [allow("sts:AssumeRole")])],
                                     [role("admin", {"AWS": "arn:aws:iam::%s:root" % A})], []),
    "assume-trust-naming-caller": (True, [user("caller", [allow("s3:GetObject")])],
                                   [role("admin", {"AWS": CALLER})], []),
    "assume-trust-naming-caller-denied": (False, [user("caller", [deny("sts:AssumeRole")])],
                                          [role("admin", {"AWS": CALLER})], []),
    "put-own-policy": (True, [user("caller", [allow("iam:PutUserPolicy", CALLER)])], [], []),
    "put-own-policy-denied": (False, [user("caller", [allow("iam:PutUserPolicy", CALLER),
                                                      deny("iam:PutUserPolicy", CALLER)])], [], []),
    "put-other-user-policy": (False, [user("caller", [allow(
        "iam:PutUserPolicy", "arn:aws:iam::%s:user/other" % A)]), user("other")], [], []),
    "boundary-blocks-iam": (False, [user("caller", [allow("iam:*")],
                                         boundary="arn:aws:iam::%s:policy/s3-only" % A)], [],
                            [managed("s3-only", [("v1", doc(allow("s3:*")))], "v1")]),
    "create-key-admin-user": (True, [user("caller", [allow("iam:CreateAccessKey")]),
                                     user("boss", [ADMIN])], [], []),
    "create-key-admin-user-other-account": (
        False, [user("caller", [allow("iam:CreateAccessKey")]), user("boss", [ADMIN], account=B)],
        [], []),
    "rewrite-trust-of-admin-role": (True, [user("caller", [allow("iam:UpdateAssumeRolePolicy")])],
                                    [role("admin", EC2)], []),
    "rewrite-trust-of-service-linked-role": (
        False, [user("caller", [allow("iam:UpdateAssumeRolePolicy")])],
        [role("admin", EC2, path="/aws-service-role/ec2.amazonaws.com/")], []),
    "lambda-create-without-invoke": (False, [user("caller", [allow(["iam:PassRole",
                                                                    "lambda:CreateFunction"])])],
                                     [role("admin", {"Service": "lambda.amazonaws.com"})], []),
    "lambda-create-and-invoke": (True, [user("caller", [allow(["iam:PassRole", "lambda:CreateFunction",
                                                               "lambda:InvokeFunction"])])],
                                 [role("admin", {"Service": "lambda.amazonaws.com"})], []),
    "put-policy-on-role-then-assume": (
        True, [user("caller", [allow("iam:PutRolePolicy", "arn:aws:iam::%s:role/worker" % A)])],
        [role("worker", {"AWS": CALLER}, [allow("s3:GetObject")])], []),
    "put-policy-on-role-not-assumable": (
        False, [user("caller", [allow("iam:PutRolePolicy", "arn:aws:iam::%s:role/worker" % A)])],
        [role("worker", EC2, [allow("s3:GetObject")])], []),
    "attach-policy-to-user-then-create-key": (
        True, [user("caller", [allow(["iam:AttachUserPolicy", "iam:CreateAccessKey"],
                                     "arn:aws:iam::%s:user/helper" % A)]), user("helper")], [], []),
    "attach-policy-to-user-without-key": (
        False, [user("caller", [allow("iam:AttachUserPolicy", "arn:aws:iam::%s:user/helper" % A)]),
                user("helper")], [], []),
    "create-policy-version-of-own-policy": (
        True, [user("caller", managed=[POLICY])], [],
        [managed("own", [("v1", doc(allow("iam:CreatePolicyVersion", POLICY)))], "v1")]),
    "create-policy-version-of-aws-namespace": (
        False, [user("caller", managed=[POLICY])], [],
        [managed("own", [("v1", doc(allow("iam:CreatePolicyVersion",
                                          "arn:aws:iam::aws:policy/own*")))], "v1")]),
}



def group(name, statements=()):
    return {"Path": "/", "GroupName": name, "GroupId": "AGPAEXAMPLE" + name.upper()[:9],
            "Arn": "arn:aws:iam::%s:group/%s" % (A, name),
            "CreateDate": "2025-01-01T00:00:00Z",
            "GroupPolicyList": [{"PolicyName": name + "-inline", "PolicyDocument": doc(*statements)}]
            if statements else [],
            "AttachedManagedPolicies": []}


def member(item, *groups):
    item["GroupList"] = list(groups)
    return item


def service(name):
    return {"Service": name + ".amazonaws.com"}


# One case per service that runs code as a passed role (the pathfinding.cloud
# PassRole paths): the caller needs iam:PassRole and every action of the
# service, and the admin role must trust that service. Without iam:PassRole
# the caller cannot hand the role over, unless one of the actions also runs
# code that already exists (third field).
PASS_PATHS = {
    "ec2-spot": ("ec2", ["ec2:RequestSpotInstances"], False),
    "imagebuilder": ("ec2", ["imagebuilder:CreateComponent", "imagebuilder:CreateImageRecipe",
                             "imagebuilder:CreateInfrastructureConfiguration",
                             "imagebuilder:CreateImage"], False),
    "lambda-add-permission": ("lambda", ["lambda:CreateFunction", "lambda:AddPermission"], False),
    "lambda-event-source": ("lambda", ["lambda:CreateFunction",
                                       "lambda:CreateEventSourceMapping"], False),
    "cloudformation": ("cloudformation", ["cloudformation:CreateStack"], False),
    "cloudformation-stack-set": ("cloudformation", ["cloudformation:CreateStackSet",
                                                    "cloudformation:CreateStackInstances"], False),
    "glue-dev-endpoint": ("glue", ["glue:CreateDevEndpoint"], False),
    "glue-job": ("glue", ["glue:CreateJob", "glue:StartJobRun"], False),
    "glue-job-trigger": ("glue", ["glue:CreateJob", "glue:CreateTrigger"], False),
    "glue-session": ("glue", ["glue:CreateSession", "glue:RunStatement"], False),
    "datapipeline": ("datapipeline", ["datapipeline:CreatePipeline",
                                      "datapipeline:PutPipelineDefinition",
                                      "datapipeline:ActivatePipeline"], False),
    "sagemaker-notebook": ("sagemaker", ["sagemaker:CreateNotebookInstance"], False),
    "sagemaker-training": ("sagemaker", ["sagemaker:CreateTrainingJob"], False),
    "sagemaker-processing": ("sagemaker", ["sagemaker:CreateProcessingJob"], False),
    # StartBuild and StartBuildBatch also run existing projects.
    "codebuild": ("codebuild", ["codebuild:CreateProject", "codebuild:StartBuild"], "possible"),
    "codebuild-batch": ("codebuild", ["codebuild:CreateProject", "codebuild:StartBuildBatch"],
                        "possible"),
    "ecs-run-task": ("ecs-tasks", ["ecs:RegisterTaskDefinition", "ecs:RunTask"], False),
    "ecs-start-task": ("ecs-tasks", ["ecs:RegisterTaskDefinition", "ecs:StartTask"], False),
    "ecs-service": ("ecs-tasks", ["ecs:RegisterTaskDefinition", "ecs:CreateService"], False),
    # SubmitJob also runs existing job definitions.
    "batch": ("ecs-tasks", ["batch:RegisterJobDefinition", "batch:SubmitJob"], "possible"),
    "apprunner": ("tasks.apprunner", ["apprunner:CreateService"], False),
    "braket": ("braket", ["braket:CreateJob"], False),
    "emr-serverless": ("emr-serverless", ["emr-serverless:CreateApplication",
                                          "emr-serverless:StartJobRun"], False),
    "kinesisanalytics": ("kinesisanalytics", ["kinesisanalytics:CreateApplication",
                                              "kinesisanalytics:StartApplication"], False),
    "omics": ("omics", ["omics:CreateWorkflow", "omics:StartRun"], False),
    "ssm-automation": ("ssm", ["ssm:CreateDocument", "ssm:StartAutomationExecution"], False),
    "bedrock-code-interpreter": ("bedrock-agentcore",
                                 ["bedrock-agentcore:CreateCodeInterpreter",
                                  "bedrock-agentcore:StartCodeInterpreterSession",
                                  "bedrock-agentcore:InvokeCodeInterpreter"], False),
}
for path, (name, actions, without_pass_role) in PASS_PATHS.items():
    profile = name == "ec2"
    principal = service(name)
    cases["pass-role-to-" + path] = (True, [user("caller", [allow(["iam:PassRole"] + actions)])],
                                     [role("admin", principal, profile=profile)], [])
    # Without the last action the service never starts the code.
    cases["pass-role-to-" + path + "-missing-action"] = (
        False, [user("caller", [allow(["iam:PassRole"] + actions[:-1])])],
        [role("admin", principal, profile=profile)], [])
    cases["pass-role-to-" + path + "-without-pass-role"] = (
        without_pass_role, [user("caller", [allow(actions)])],
        [role("admin", principal, profile=profile)], [])
    # A role of another service is not handed to this one.
    cases["pass-role-to-" + path + "-other-service"] = (
        False, [user("caller", [allow(["iam:PassRole"] + actions)])],
        [role("admin", service("states"), profile=profile)], [])

cases.update({
    # A deny in the boundary removes one action of the row: no path.
    "boundary-deny-removes-last-action": (
        False, [user("caller", [allow(["iam:PassRole", "braket:CreateJob"])],
                     boundary="arn:aws:iam::%s:policy/all-but-braket" % A)],
        [role("admin", service("braket"))],
        [managed("all-but-braket", [("v1", doc(allow("*"), deny("braket:CreateJob")))],
                 "v1")]),
    "boundary-deny-own-policy-edit": (
        False, [user("caller", [allow("iam:PutUserPolicy", CALLER)],
                     boundary="arn:aws:iam::%s:policy/no-iam-writes" % A)], [],
        [managed("no-iam-writes", [("v1", doc(allow("*"), deny("iam:Put*")))], "v1")]),
    # A condition nhi cannot decide on the service's action: possible.
    "pass-role-undecided-condition-on-start": (
        "possible", [user("caller", [allow("iam:PassRole"),
                                     allow("braket:CreateJob", "*", {"IpAddress": {
                                         "aws:SourceIp": "203.0.113.0/24"}})])],
        [role("admin", service("braket"))], []),
    # App Runner is the service the roles of its tasks are passed to.
    "pass-role-apprunner-passed-to-apprunner": (
        True, [user("caller", [allow("iam:PassRole", "*", {"StringEquals": {
            "iam:PassedToService": "apprunner.amazonaws.com"}}),
            allow("apprunner:CreateService")])],
        [role("admin", service("tasks.apprunner"))], []),
    # A deny of iam:PassRole for one service is decided per service.
    "pass-role-denied-for-same-service": (
        False, [user("caller", [allow(["iam:PassRole", "glue:CreateDevEndpoint"]),
                                dict(deny("iam:PassRole"), Condition={"StringEquals": {
                                    "iam:PassedToService": "glue.amazonaws.com"}})])],
        [role("admin", service("glue"))], []),
    "pass-role-denied-for-other-service": (
        True, [user("caller", [allow(["iam:PassRole", "glue:CreateDevEndpoint"]),
                               dict(deny("iam:PassRole"), Condition={"StringEquals": {
                                   "iam:PassedToService": "ec2.amazonaws.com"}})])],
        [role("admin", service("glue"))], []),
})

# Code that already runs as an admin role: reported (as possible). The
# third field is whether the role needs an instance profile.
EXISTING = {
    "lambda-update-code": ("lambda", ["lambda:UpdateFunctionCode"], False),
    "glue-update-dev-endpoint": ("glue", ["glue:UpdateDevEndpoint"], False),
    "ssm-send-command": ("ec2", ["ssm:SendCommand"], True),
    "ssm-start-session": ("ec2", ["ssm:StartSession"], True),
    "ec2-instance-connect": ("ec2", ["ec2-instance-connect:SendSSHPublicKey"], True),
    "ec2-user-data": ("ec2", ["ec2:ModifyInstanceAttribute", "ec2:StopInstances",
                              "ec2:StartInstances"], True),
    "ec2-launch-template": ("ec2", ["ec2:CreateLaunchTemplateVersion",
                                    "ec2:ModifyLaunchTemplate"], True),
    "codedeploy": ("ec2", ["codedeploy:CreateDeployment",
                           "codedeploy:RegisterApplicationRevision"], True),
    "sagemaker-presigned-url": ("sagemaker", ["sagemaker:CreatePresignedNotebookInstanceUrl"],
                                False),
    "sagemaker-lifecycle-config": ("sagemaker", ["sagemaker:CreateNotebookInstanceLifecycleConfig",
                                                 "sagemaker:UpdateNotebookInstance",
                                                 "sagemaker:StopNotebookInstance",
                                                 "sagemaker:StartNotebookInstance"], False),
    "cloudformation-update-stack": ("cloudformation", ["cloudformation:UpdateStack"], False),
    "cloudformation-change-set": ("cloudformation", ["cloudformation:CreateChangeSet",
                                                     "cloudformation:ExecuteChangeSet"], False),
    "codebuild-start-build": ("codebuild", ["codebuild:StartBuild"], False),
    "codebuild-start-build-batch": ("codebuild", ["codebuild:StartBuildBatch"], False),
    "ecs-execute-command": ("ecs-tasks", ["ecs:ExecuteCommand"], False),
    "batch-submit-job": ("ecs-tasks", ["batch:SubmitJob"], False),
    "apprunner-update-service": ("tasks.apprunner", ["apprunner:UpdateService"], False),
    "bedrock-agent-runtime": ("bedrock-agentcore",
                              ["bedrock-agentcore:InvokeAgentRuntimeCommand"], False),
}
for path, (name, actions, profile) in EXISTING.items():
    cases["existing-" + path] = ("possible", [user("caller", [allow(actions)])],
                                 [role("admin", service(name), profile=profile)], [])
    # The same actions on a role of another service reach nothing.
    cases["existing-" + path + "-other-service"] = (
        False, [user("caller", [allow(actions)])],
        [role("admin", service("states"), profile=profile)], [])
    if len(actions) > 1:
        # Without the last action the code never runs.
        cases["existing-" + path + "-missing-action"] = (
            False, [user("caller", [allow(actions[:-1])])],
            [role("admin", service(name), profile=profile)], [])
    if profile:
        # No instance profile: the role is on no instance.
        cases["existing-" + path + "-without-profile"] = (
            False, [user("caller", [allow(actions)])],
            [role("admin", service(name))], [])

BOSS = "arn:aws:iam::%s:user/boss" % A
ADMINS = "arn:aws:iam::%s:group/admins" % A
OWN_GROUP = "arn:aws:iam::%s:group/team" % A
cases.update({
    "create-login-profile-admin-user": (
        True, [user("caller", [allow("iam:CreateLoginProfile", BOSS)]), user("boss", [ADMIN])],
        [], []),
    "update-login-profile-admin-user": (
        True, [user("caller", [allow("iam:UpdateLoginProfile", BOSS)]), user("boss", [ADMIN])],
        [], []),
    "create-login-profile-non-admin-user": (
        False, [user("caller", [allow("iam:CreateLoginProfile", BOSS)]),
                user("boss", [allow("s3:GetObject")])], [], []),
    "attach-own-user-policy": (True, [user("caller", [allow("iam:AttachUserPolicy", CALLER)])],
                               [], []),
    "attach-own-user-policy-other-user-only": (
        False, [user("caller", [allow("iam:AttachUserPolicy", BOSS)]), user("boss")], [], []),
    "attach-policy-to-assumable-role": (
        True, [user("caller", [allow("iam:AttachRolePolicy", "arn:aws:iam::%s:role/worker" % A)])],
        [role("worker", {"AWS": CALLER}, [allow("s3:GetObject")])], []),
    "add-self-to-admin-group": (
        True, [user("caller", [allow("iam:AddUserToGroup", ADMINS)])], [], [],
        [group("admins", [ADMIN])]),
    "add-self-to-non-admin-group": (
        False, [user("caller", [allow("iam:AddUserToGroup", ADMINS)])], [], [],
        [group("admins", [allow("s3:GetObject")])]),
    "put-policy-on-own-group": (
        True, [member(user("caller"), "team")], [], [],
        [group("team", [allow("iam:PutGroupPolicy", OWN_GROUP)])]),
    "attach-policy-to-own-group": (
        True, [member(user("caller"), "team")], [], [],
        [group("team", [allow("iam:AttachGroupPolicy", OWN_GROUP)])]),
    "put-policy-on-group-not-joined": (
        False, [user("caller", [allow("iam:PutGroupPolicy", OWN_GROUP)])], [], [],
        [group("team")]),
})

# Editing an identity reached in several steps: the caller makes it admin,
# then goes there.
HOP = "arn:aws:iam::%s:role/hop" % A
WORKER = "arn:aws:iam::%s:role/worker" % A
cases.update({
    "put-policy-on-role-two-steps-away": (
        True, [user("caller", [allow("iam:PutRolePolicy", WORKER)])],
        [role("hop", {"AWS": CALLER}, [allow("sts:AssumeRole", WORKER)]),
         role("worker", {"AWS": HOP}, [allow("s3:GetObject")])], []),
    "put-policy-on-role-behind-account-trust": (
        True, [user("caller", [allow(["iam:PutRolePolicy", "sts:AssumeRole"], WORKER)])],
        [role("worker", {"AWS": "arn:aws:iam::%s:root" % A}, [allow("s3:GetObject")])], []),
    # The worker trusts its account, so hop needs an allow it lacks.
    "put-policy-on-role-chain-broken": (
        False, [user("caller", [allow("iam:PutRolePolicy", WORKER)])],
        [role("hop", {"AWS": CALLER}, [allow("s3:GetObject")]),
         role("worker", {"AWS": "arn:aws:iam::%s:root" % A}, [allow("s3:GetObject")])], []),
})

folder = sys.argv[1]
for name, case in sorted(cases.items()):
    expected, users, roles, policies = case[:4]
    groups = case[4] if len(case) > 4 else []
    with open(os.path.join(folder, name + ".json"), "w") as handle:
        json.dump({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
                   "Policies": policies}, handle)
    if expected is True:
        expected = "definite"
    print(name, expected if expected else "no")
