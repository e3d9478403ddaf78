"""Drives IAM managed and inline policies with boto3 in an account of the test's own and
checks AWS's recorded answers. Prints "ok" when every check passed."""
import json
import sys

import boto3
from awserror import error

prefix = sys.argv[1]
iam = boto3.client("iam")
acct = boto3.client("sts").get_caller_identity()["Account"]

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example bucket"}}



role = prefix + "-role"
iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))

# CreatePolicy answers the policy with v1 as default and no attachments.
name = prefix + "-policy"
p = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(POLICY))["Policy"]
assert p["Arn"] == "arn:aws:iam::%s:policy/%s" % (acct, name), p
assert p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0 and p["PermissionsBoundaryUsageCount"] == 0, p
assert p["IsAttachable"] is True and p["Path"] == "/" and p["PolicyId"].startswith("ANPA"), p
assert error(iam.create_policy, PolicyName=name, PolicyDocument=json.dumps(POLICY)) == (
    "EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed." % name, 409)
arn = p["Arn"]
got = iam.get_policy(PolicyArn=arn)["Policy"]
assert got["Tags"] == [] and got["DefaultVersionId"] == "v1", got

# Policy tags are case-sensitive and listed by key.
tagged = iam.create_policy(PolicyName=name + "-tags", PolicyDocument=json.dumps(POLICY), Description="testing",
                           Tags=[{"Key": "a", "Value": "lowercase"}, {"Key": "A", "Value": "uppercase"}])["Policy"]
assert tagged["Tags"] == [{"Key": "a", "Value": "lowercase"}, {"Key": "A", "Value": "uppercase"}], tagged
assert iam.list_policy_tags(PolicyArn=tagged["Arn"])["Tags"] == [{"Key": "A", "Value": "uppercase"}, {"Key": "a", "Value": "lowercase"}]
assert iam.get_policy(PolicyArn=tagged["Arn"])["Policy"]["Description"] == "testing"
iam.untag_policy(PolicyArn=tagged["Arn"], TagKeys=["a"])
iam.tag_policy(PolicyArn=tagged["Arn"], Tags=[{"Key": "somekey", "Value": "somevalue"}])
first = iam.list_policy_tags(PolicyArn=tagged["Arn"], MaxItems=1)
assert first["IsTruncated"] is True and first["Tags"] == [{"Key": "A", "Value": "uppercase"}], first
rest = iam.list_policy_tags(PolicyArn=tagged["Arn"], Marker=first["Marker"])
assert rest["IsTruncated"] is False and rest["Tags"] == [{"Key": "somekey", "Value": "somevalue"}], rest
assert error(iam.tag_policy, PolicyArn=tagged["Arn"], Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]) == (
    "InvalidInput", "Duplicate tag keys found.", 400)
not_a_policy = "arn:aws:iam::%s:policy/NotAPolicy" % acct
assert error(iam.tag_policy, PolicyArn=not_a_policy, Tags=[{"Key": "k", "Value": "v"}]) == (
    "NoSuchEntity", "Policy %s was not found." % not_a_policy, 404)
iam.delete_policy(PolicyArn=tagged["Arn"])

# Versions: at most five, numbers never reused, newest first, the default protected.
v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY), SetAsDefault=True)["PolicyVersion"]
assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True and "Document" not in v2, v2
for _ in range(3):
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
assert error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(POLICY)) == (
    "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 409)
versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
    ("v5", False), ("v4", False), ("v3", False), ("v2", True), ("v1", False)], versions
assert error(iam.delete_policy_version, PolicyArn=arn, VersionId="v2") == (
    "DeleteConflict", "Cannot delete the default version of a policy.", 409)
iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))["PolicyVersion"]["VersionId"] == "v6"
iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
gone = "arn:aws:iam::%s:policy/TestNonExistingPolicy" % acct
for fn in (iam.get_policy_version, iam.set_default_policy_version):
    assert error(fn, PolicyArn=gone, VersionId="v1") == (
        "NoSuchEntity", "Policy %s version v1 does not exist or is not attachable." % gone, 404), fn
assert error(iam.get_policy_version, PolicyArn=arn, VersionId="v9") == (
    "NoSuchEntity", "Policy %s version v9 does not exist or is not attachable." % arn, 404)
assert error(iam.delete_policy_version, PolicyArn=arn, VersionId="v9") == (
    "NoSuchEntity", "Policy %s version v9 does not exist or is not attachable." % arn, 404)
got = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
assert got["Document"] == POLICY and got["IsDefaultVersion"] is False, got
assert error(iam.get_policy_version, PolicyArn=arn, VersionId="v1.x-")[0] == "NoSuchEntity"
assert error(iam.get_policy_version, PolicyArn=arn, VersionId="version1") == (
    "ValidationError", "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", 400)

# Attach and detach: AWS's errors for malformed, unknown and unattached policies.
missing = "arn:aws:iam::%s:policy/nonexistent-policy" % acct
assert error(iam.attach_role_policy, RoleName=role, PolicyArn=missing) == (
    "NoSuchEntity", "Policy %s does not exist or is not attachable." % missing, 404)
assert error(iam.attach_role_policy, RoleName=role, PolicyArn="longpolicynamebutnoarn") == (
    "ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400)
assert error(iam.detach_role_policy, RoleName=role, PolicyArn=arn) == ("NoSuchEntity", "Policy %s was not found." % arn, 404)
empty = iam.list_attached_role_policies(RoleName=role)
assert empty["AttachedPolicies"] == [] and empty["IsTruncated"] is False, empty
iam.attach_role_policy(RoleName=role, PolicyArn=arn)
iam.attach_role_policy(RoleName=role, PolicyArn=arn)
assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
assert error(iam.delete_policy, PolicyArn=arn) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)

# AWS managed policies: attachable by ARN, readable, counted per account.
basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
sqs_exec = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
iam.attach_role_policy(RoleName=role, PolicyArn=basic)
iam.attach_role_policy(RoleName=role, PolicyArn=sqs_exec)
attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
assert attached == [
    {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": basic},
    {"PolicyName": "AWSLambdaSQSQueueExecutionRole", "PolicyArn": sqs_exec},
    {"PolicyName": name, "PolicyArn": arn}], attached
entities = iam.list_entities_for_policy(PolicyArn=basic)
role_id = iam.get_role(RoleName=role)["Role"]["RoleId"]
assert entities["PolicyRoles"] == [{"RoleName": role, "RoleId": role_id}], entities
assert entities["PolicyUsers"] == [] and entities["PolicyGroups"] == [] and entities["IsTruncated"] is False, entities
assert iam.list_entities_for_policy(PolicyArn=basic, EntityFilter="User")["PolicyRoles"] == []
got = iam.get_policy(PolicyArn=basic)["Policy"]
assert got["Path"] == "/service-role/" and got["AttachmentCount"] == 1 and got["Tags"] == [], got
assert got["Description"] == "Provides write permissions to CloudWatch Logs.", got
doc = iam.get_policy_version(PolicyArn=basic, VersionId=got["DefaultVersionId"])["PolicyVersion"]["Document"]
assert doc == {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}, doc
assert error(iam.attach_role_policy, RoleName=role, PolicyArn="arn:aws:iam::aws:policy/Nonexistent") == (
    "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nonexistent does not exist or is not attachable.", 404)
assert error(iam.detach_role_policy, RoleName=role, PolicyArn="arn:aws:iam::aws:policy/Nonexistent") == (
    "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nonexistent was not found.", 404)
for a in ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess",
          "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "CloudWatchLogsFullAccess", "AmazonEventBridgeFullAccess",
          "AWSStepFunctionsFullAccess", "AmazonKinesisFullAccess", "AWSLambda_FullAccess", "AmazonDynamoDBFullAccess",
          "service-role/AWSLambdaRole", "service-role/AWSLambdaVPCAccessExecutionRole",
          "service-role/AWSLambdaKinesisExecutionRole", "service-role/AWSLambdaDynamoDBExecutionRole"]:
    iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/" + a)

# ListPolicies: Scope, OnlyAttached, pagination.
local = iam.list_policies(Scope="Local")["Policies"]
assert [x["Arn"] for x in local] == [arn], local
only = iam.list_policies(OnlyAttached=True)["Policies"]
assert sorted(x["Arn"] for x in only) == sorted([arn, basic, sqs_exec]), only
page = iam.list_policies(Scope="AWS", MaxItems=2)
assert page["IsTruncated"] is True and len(page["Policies"]) == 2 and "Marker" in page, page
assert all(x["Arn"].startswith("arn:aws:iam::aws:policy/") for x in page["Policies"]), page
nxt = iam.list_policies(Scope="AWS", MaxItems=2, Marker=page["Marker"])
assert not {x["Arn"] for x in nxt["Policies"]} & {x["Arn"] for x in page["Policies"]}, nxt

iam.detach_role_policy(RoleName=role, PolicyArn=arn)
assert error(iam.delete_policy, PolicyArn=arn)[0:2] == ("DeleteConflict",
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
for v in ["v1", "v2", "v3", "v4"]:
    iam.delete_policy_version(PolicyArn=arn, VersionId=v)
iam.delete_policy(PolicyArn=arn)
assert error(iam.get_policy, PolicyArn=arn) == ("NoSuchEntity", "Policy %s was not found." % arn, 404)

# Inline policies: documents come back as they were put; AWS's NoSuchEntity wording.
iam.put_role_policy(RoleName=role, PolicyName="p1", PolicyDocument=json.dumps(POLICY))
iam.put_role_policy(RoleName=role, PolicyName="p2", PolicyDocument=json.dumps(POLICY))
got = iam.get_role_policy(RoleName=role, PolicyName="p1")
assert got["PolicyDocument"] == POLICY and got["RoleName"] == role and got["PolicyName"] == "p1", got
listed = iam.list_role_policies(RoleName=role)
assert listed["PolicyNames"] == ["p1", "p2"] and listed["IsTruncated"] is False, listed
iam.delete_role_policy(RoleName=role, PolicyName="p1")
assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["p2"]
assert error(iam.get_role_policy, RoleName=role, PolicyName="p1") == (
    "NoSuchEntity", "The role policy with name p1 cannot be found.", 404)
assert error(iam.delete_role_policy, RoleName=role, PolicyName="p1") == (
    "NoSuchEntity", "The role policy with name p1 cannot be found.", 404)
assert error(iam.put_role_policy, RoleName=prefix + "-nope", PolicyName="p", PolicyDocument=json.dumps(POLICY)) == (
    "NoSuchEntity", "The role with name %s-nope cannot be found." % prefix, 404)

# Identity policy grammar.
for doc, msg in [
    ("This is not a json document", "Syntax errors in policy."),
    ({"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}}, "Policy document must be version 2012-10-17 or greater."),
    ({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:List:Bucket", "Resource": "*"}}, "Actions/Condition can contain only one colon."),
    ({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3::example_bucket"}}, "The policy failed legacy parsing"),
    ({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "aws:s3:::example_bucket"}},
     'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}, "Policy statement must contain resources."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Policy statement must contain actions."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]},
     "Policy document should not specify a principal."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ListBucket", "Resource": "*"}]},
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
]:
    body = doc if isinstance(doc, str) else json.dumps(doc)
    assert error(iam.create_policy, PolicyName=prefix + "-bad", PolicyDocument=body) == ("MalformedPolicyDocument", msg, 400), msg
print("ok")
