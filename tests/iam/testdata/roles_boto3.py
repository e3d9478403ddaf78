"""Drives IAM roles with boto3 in an account of the test's own (the access key is a
12-digit account id) and checks AWS's recorded answers. Prints "ok" when every check
passed."""
import json
import sys

import boto3
from awserror import error

prefix = sys.argv[1]
iam = boto3.client("iam")
acct = boto3.client("sts").get_caller_identity()["Account"]

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}



name = prefix + "-role"
# CreateRole answers the role without MaxSessionDuration, Description or RoleLastUsed.
role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Description="initial description")["Role"]
assert set(role) == {"Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument"}, role
assert role["Arn"] == "arn:aws:iam::%s:role/%s" % (acct, name), role
assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21, role
assert role["Path"] == "/" and role["AssumeRolePolicyDocument"] == TRUST, role

# GetRole adds MaxSessionDuration 3600, the description and an empty RoleLastUsed; names
# are case-insensitive.
got = iam.get_role(RoleName=name.upper())["Role"]
assert got["RoleName"] == name and got["MaxSessionDuration"] == 3600, got
assert got["Description"] == "initial description" and got["RoleLastUsed"] == {}, got

assert error(iam.create_role, RoleName=name.upper(), AssumeRolePolicyDocument=json.dumps(TRUST)) == (
    "EntityAlreadyExists", "Role with name %s already exists." % name.upper(), 409)
missing = prefix + "-missing"
for fn, kw in [(iam.get_role, {}), (iam.update_role, {"Description": "x"}), (iam.delete_role, {}),
               (iam.tag_role, {"Tags": [{"Key": "k", "Value": "v"}]}), (iam.untag_role, {"TagKeys": ["k"]}),
               (iam.list_role_tags, {}), (iam.list_role_policies, {}), (iam.list_attached_role_policies, {})]:
    assert error(fn, RoleName=missing, **kw) == ("NoSuchEntity", "The role with name %s cannot be found." % missing, 404), fn

# UpdateRole changes what it is given and keeps the rest; UpdateRoleDescription answers
# the role without MaxSessionDuration and RoleLastUsed.
iam.update_role(RoleName=name, Description="updated description", MaxSessionDuration=7200)
got = iam.get_role(RoleName=name)["Role"]
assert got["Description"] == "updated description" and got["MaxSessionDuration"] == 7200, got
upd = iam.update_role_description(RoleName=name, Description="via update_role_description")["Role"]
assert upd["Description"] == "via update_role_description", upd
assert "MaxSessionDuration" not in upd and "RoleLastUsed" not in upd, upd
iam.update_role(RoleName=name)
got = iam.get_role(RoleName=name)["Role"]
assert got["Description"] == "via update_role_description" and got["MaxSessionDuration"] == 7200, got

# Trust policies: AWS's MalformedPolicyDocument wording.
bad_action = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:InvalidAction"}]}
with_resource = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "arn:aws:s3:::b"}]}
assert error(iam.update_assume_role_policy, RoleName=name, PolicyDocument="not valid json") == (
    "MalformedPolicyDocument", "This policy contains invalid Json", 400)
assert error(iam.update_assume_role_policy, RoleName=name, PolicyDocument=json.dumps(bad_action)) == (
    "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.", 400)
assert error(iam.update_assume_role_policy, RoleName=name, PolicyDocument=json.dumps(with_resource)) == (
    "MalformedPolicyDocument", "Has prohibited field Resource", 400)
assert error(iam.create_role, RoleName=prefix + "-bad", AssumeRolePolicyDocument="{") == (
    "MalformedPolicyDocument", "This policy contains invalid Json", 400)
new_trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}
iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(new_trust))
assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == new_trust

# Tags: added in order, values replaced, removed by key; duplicates refused.
iam.tag_role(RoleName=name, Tags=[{"Key": "somekey", "Value": "somevalue"}, {"Key": "someotherkey", "Value": "someothervalue"}])
iam.tag_role(RoleName=name, Tags=[{"Key": "somekey", "Value": "updatedvalue"}])
tags = iam.list_role_tags(RoleName=name)
assert tags["Tags"] == [{"Key": "somekey", "Value": "updatedvalue"}, {"Key": "someotherkey", "Value": "someothervalue"}], tags
assert tags["IsTruncated"] is False, tags
assert error(iam.tag_role, RoleName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]) == (
    "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
assert error(iam.tag_role, RoleName=name, Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)]) == (
    "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
assert error(iam.tag_role, RoleName=name, Tags=[{"Key": "k" * 129, "Value": "v"}]) == (
    "ValidationError", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
key_rule = ("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
            "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, "
            "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]")
assert error(iam.untag_role, RoleName=name, TagKeys=["k" * 129]) == ("ValidationError", key_rule, 400)
assert error(iam.untag_role, RoleName=name, TagKeys=["bad#key", "k" * 129]) == ("ValidationError", key_rule, 400)
assert error(iam.untag_role, RoleName=name, TagKeys=["k%d" % i for i in range(51)]) == (
    "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50", 400)
iam.untag_role(RoleName=name, TagKeys=["somekey"])
assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "someotherkey", "Value": "someothervalue"}]
iam.untag_role(RoleName=name, TagKeys=["someotherkey"])
assert iam.list_role_tags(RoleName=name)["Tags"] == []
tagged = iam.create_role(RoleName=prefix + "-tagged", Path="/role-with-tags/", AssumeRolePolicyDocument=json.dumps(TRUST),
                         Tags=[{"Key": "test", "Value": "value"}])["Role"]
assert tagged["Tags"] == [{"Key": "test", "Value": "value"}], tagged
assert tagged["Arn"] == "arn:aws:iam::%s:role/role-with-tags/%s-tagged" % (acct, prefix), tagged

# ListRoles leaves out Tags and RoleLastUsed, filters by PathPrefix and pages.
listed = iam.list_roles(PathPrefix="/role-with-tags/")
assert listed["IsTruncated"] is False and len(listed["Roles"]) == 1, listed
assert "Tags" not in listed["Roles"][0] and "RoleLastUsed" not in listed["Roles"][0], listed
assert listed["Roles"][0]["MaxSessionDuration"] == 3600, listed
assert iam.list_roles(PathPrefix="/nonexistent-path/")["Roles"] == []
path = "/%s/" % prefix
for i in range(5):
    iam.create_role(RoleName="%s-page-%d" % (prefix, i), Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))
first = iam.list_roles(PathPrefix=path, MaxItems=2)
assert first["IsTruncated"] is True and "Marker" in first, first
assert [r["RoleName"] for r in first["Roles"]] == ["%s-page-0" % prefix, "%s-page-1" % prefix], first
rest = iam.list_roles(PathPrefix=path, Marker=first["Marker"])
assert rest["IsTruncated"] is False and "Marker" not in rest, rest
assert [r["RoleName"] for r in rest["Roles"]] == ["%s-page-%d" % (prefix, i) for i in (2, 3, 4)], rest

# DeleteRole refuses while policies are attached, inline policies exist or an instance
# profile holds the role.
policy = iam.create_policy(PolicyName=prefix + "-p", PolicyDocument=json.dumps(POLICY))["Policy"]
iam.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
assert error(iam.delete_role, RoleName=name) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
iam.detach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(POLICY))
assert error(iam.delete_role, RoleName=name) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
iam.delete_role_policy(RoleName=name, PolicyName="inline")
profile = iam.create_instance_profile(InstanceProfileName=prefix + "-ip")["InstanceProfile"]
assert profile["Roles"] == [] and profile["Arn"] == "arn:aws:iam::%s:instance-profile/%s-ip" % (acct, prefix), profile
iam.add_role_to_instance_profile(InstanceProfileName=prefix + "-ip", RoleName=name)
assert error(iam.delete_role, RoleName=name) == (
    "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409)
got = iam.get_instance_profile(InstanceProfileName=prefix + "-ip")["InstanceProfile"]
assert [r["RoleName"] for r in got["Roles"]] == [name] and got["Tags"] == [], got
assert "MaxSessionDuration" not in got["Roles"][0], got
assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]] == [prefix + "-ip"]
assert error(iam.create_instance_profile, InstanceProfileName=prefix + "-ip") == (
    "EntityAlreadyExists", "Instance Profile %s-ip already exists." % prefix, 409)
assert error(iam.add_role_to_instance_profile, InstanceProfileName=prefix + "-ip", RoleName=prefix + "-tagged") == (
    "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
assert error(iam.delete_instance_profile, InstanceProfileName=prefix + "-ip") == (
    "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409)
iam.remove_role_from_instance_profile(InstanceProfileName=prefix + "-ip", RoleName=name)
iam.delete_instance_profile(InstanceProfileName=prefix + "-ip")
assert error(iam.get_instance_profile, InstanceProfileName=prefix + "-ip") == (
    "NoSuchEntity", "Instance Profile %s-ip cannot be found." % prefix, 404)
assert iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"] == []
iam.delete_role(RoleName=name)
assert error(iam.get_role, RoleName=name) == ("NoSuchEntity", "The role with name %s cannot be found." % name, 404)

# Permissions boundaries must be managed policies.
bad_boundary = "arn:aws:iam::%s:not_a_policy/invalid" % acct
assert error(iam.create_role, RoleName=prefix + "-b", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=bad_boundary) == (
    "InvalidInput", "ARN %s is not valid." % bad_boundary, 400)
gone = "arn:aws:iam::%s:policy/nonexistent-policy" % acct
assert error(iam.create_role, RoleName=prefix + "-b", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=gone) == (
    "NoSuchEntity", "Scope ARN: %s does not exist or is not attachable." % gone, 404)
bounded = iam.create_role(RoleName=prefix + "-b", AssumeRolePolicyDocument=json.dumps(TRUST), PermissionsBoundary=policy["Arn"])["Role"]
assert bounded["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy["Arn"]}, bounded
iam.delete_role_permissions_boundary(RoleName=prefix + "-b")
assert "PermissionsBoundary" not in iam.get_role(RoleName=prefix + "-b")["Role"]
print("ok")
