"""Drives IAM users, access keys and groups with boto3 in an account of the test's own,
and STS with a user's access key. Prints "ok" when every check passed."""
import json
import sys

import boto3
from awserror import error

prefix = sys.argv[1]
iam = boto3.client("iam")
acct = boto3.client("sts").get_caller_identity()["Account"]



name = prefix + "-user"
user = iam.create_user(UserName=name)["User"]
assert set(user) == {"Path", "UserName", "UserId", "Arn", "CreateDate"}, user
assert user["Arn"] == "arn:aws:iam::%s:user/%s" % (acct, name) and user["UserId"].startswith("AIDA"), user
assert error(iam.create_user, UserName=name) == ("EntityAlreadyExists", "User with name %s already exists." % name, 409)
assert error(iam.get_user, UserName=prefix + "-nope") == (
    "NoSuchEntity", "The user with name %s-nope cannot be found." % prefix, 404)
assert iam.get_user(UserName=name)["User"]["UserId"] == user["UserId"]
assert name in [u["UserName"] for u in iam.list_users()["Users"]]

# Access keys: AKIA ids, at most two per user; the key acts as the user.
key = iam.create_access_key(UserName=name)["AccessKey"]
assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20 and key["Status"] == "Active", key
assert len(key["SecretAccessKey"]) == 40, key
iam.create_access_key(UserName=name)
assert error(iam.create_access_key, UserName=name) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
assert key["AccessKeyId"] in [k["AccessKeyId"] for k in listed] and all("SecretAccessKey" not in k for k in listed), listed
as_user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
who = boto3.client("sts", **as_user).get_caller_identity()
assert who == {**who, "Account": acct, "Arn": user["Arn"], "UserId": user["UserId"]}, who
assert boto3.client("sts").get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"] == acct
# GetUser without a name answers the caller.
assert boto3.client("iam", **as_user).get_user()["User"]["UserName"] == name
iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
assert [k["Status"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"] if k["AccessKeyId"] == key["AccessKeyId"]] == ["Inactive"]

last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
assert last["UserName"] == name and last["AccessKeyLastUsed"] == {"Region": "N/A", "ServiceName": "N/A"}, last
code, msg, status = error(iam.get_access_key_last_used, AccessKeyId="AKIAIOSFODNN7EXAMPLE")
assert (code, status) == ("AccessDenied", 403), (code, msg)
assert msg.endswith("is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE"), msg
assert error(iam.update_access_key, UserName=name, AccessKeyId="AKIAIOSFODNN7EXAMPLE", Status="Active") == (
    "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.", 404)
# The account's root user must name the user whose keys it manages.
assert error(iam.delete_access_key, AccessKeyId=key["AccessKeyId"]) == (
    "ValidationError", "Must specify userName when calling with non-User credentials", 400)

# Tags.
assert iam.list_user_tags(UserName=name)["Tags"] == []
iam.tag_user(UserName=name, Tags=[{"Key": "key-1", "Value": "value-1"}, {"Key": "key-2", "Value": "value-2"}])
iam.untag_user(UserName=name, TagKeys=["key-2"])
tags = iam.list_user_tags(UserName=name)
assert tags["Tags"] == [{"Key": "key-1", "Value": "value-1"}] and tags["IsTruncated"] is False, tags
assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "key-1", "Value": "value-1"}]
for fn, kw in [(iam.tag_user, {"Tags": [{"Key": "k", "Value": "v"}]}), (iam.untag_user, {"TagKeys": ["k"]}), (iam.list_user_tags, {})]:
    assert error(fn, UserName="nonexistent-user", **kw) == ("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)

# Groups and user policies.
group = iam.create_group(GroupName=prefix + "-group")["Group"]
assert group["Arn"] == "arn:aws:iam::%s:group/%s-group" % (acct, prefix) and group["GroupId"].startswith("AGPA"), group
iam.add_user_to_group(GroupName=prefix + "-group", UserName=name)
assert [u["UserName"] for u in iam.get_group(GroupName=prefix + "-group")["Users"]] == [name]
groups = iam.list_groups_for_user(UserName=name)
assert [g["GroupName"] for g in groups["Groups"]] == [prefix + "-group"] and groups["IsTruncated"] is False, groups
basic = "arn:aws:iam::aws:policy/ReadOnlyAccess"
iam.attach_user_policy(UserName=name, PolicyArn=basic)
assert iam.list_attached_user_policies(UserName=name)["AttachedPolicies"] == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": basic}]
assert error(iam.delete_user, UserName=name) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
iam.detach_user_policy(UserName=name, PolicyArn=basic)
for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
    iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
assert error(iam.delete_access_key, UserName=name, AccessKeyId=key["AccessKeyId"]) == (
    "NoSuchEntity", "The Access Key with id %s cannot be found." % key["AccessKeyId"], 404)
assert error(iam.create_group, GroupName=prefix + "-group") == (
    "EntityAlreadyExists", "Group with name %s-group already exists." % prefix, 409)
# AWS looks the user up before the group.
assert error(iam.remove_user_from_group, GroupName="non-existent-group", UserName="any-user") == (
    "NoSuchEntity", "The user with name any-user cannot be found.", 404)
assert error(iam.add_user_to_group, GroupName="non-existent-group", UserName=name) == (
    "NoSuchEntity", "The group with name non-existent-group cannot be found.", 404)
group_policy = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::example_bucket"]}}
assert error(iam.get_group_policy, GroupName=prefix + "-group", PolicyName="gp") == (
    "NoSuchEntity", "The group policy with name gp cannot be found.", 404)
iam.put_group_policy(GroupName=prefix + "-group", PolicyName="gp", PolicyDocument=json.dumps(group_policy))
got = iam.get_group_policy(GroupName=prefix + "-group", PolicyName="gp")
assert got["PolicyDocument"] == group_policy and got["GroupName"] == prefix + "-group", got
assert iam.list_group_policies(GroupName=prefix + "-group")["PolicyNames"] == ["gp"]
assert error(iam.delete_group, GroupName=prefix + "-group") == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
iam.delete_group_policy(GroupName=prefix + "-group", PolicyName="gp")
# UpdateGroup renames the group; its members stay.
iam.update_group(GroupName=prefix + "-group", NewGroupName=prefix + "-group2", NewPath="/new-path/")
renamed = iam.get_group(GroupName=prefix + "-group2")
assert renamed["Group"]["GroupId"] == group["GroupId"] and renamed["Group"]["Arn"] == "arn:aws:iam::%s:group/new-path/%s-group2" % (acct, prefix), renamed
assert [u["UserName"] for u in renamed["Users"]] == [name], renamed
assert error(iam.get_group, GroupName=prefix + "-group") == (
    "NoSuchEntity", "The group with name %s-group cannot be found." % prefix, 404)
assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/new-path/")["Groups"]] == [prefix + "-group2"]
iam.remove_user_from_group(GroupName=prefix + "-group2", UserName=name)
assert iam.list_groups_for_user(UserName=name)["Groups"] == []
iam.delete_group(GroupName=prefix + "-group2")
# UpdateUser renames the user and moves it to another path; the old name is gone.
iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
assert error(iam.delete_user, UserName=name) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
iam.update_user(UserName=name, NewUserName=name + "-2", NewPath="/new-path/")
renamed = iam.get_user(UserName=name + "-2")["User"]
assert renamed["UserId"] == user["UserId"] and renamed["Path"] == "/new-path/", renamed
assert renamed["Arn"] == "arn:aws:iam::%s:user/new-path/%s-2" % (acct, name), renamed
assert error(iam.get_user, UserName=name) == ("NoSuchEntity", "The user with name %s cannot be found." % name, 404)
assert iam.list_user_policies(UserName=name + "-2")["PolicyNames"] == ["inline"]
iam.delete_user_policy(UserName=name + "-2", PolicyName="inline")
iam.delete_user(UserName=name + "-2")
assert error(iam.get_user, UserName=name + "-2")[0] == "NoSuchEntity"
print("ok")
