"""Drives STS with boto3 in an account of the test's own and checks AWS's recorded
answers: caller identities, role sessions and their credentials, federation and session
tokens. Prints "ok" when every check passed."""
import base64
import json
import sys

import boto3
from awserror import error

prefix = sys.argv[1]
sts = boto3.client("sts")
iam = boto3.client("iam")
me = sts.get_caller_identity()
acct = me["Account"]
# A 12-digit access key acts as that account's root user.
assert me["Arn"] == "arn:aws:iam::%s:root" % acct and me["UserId"] == acct, me



def client(service, creds):
    return boto3.client(service, aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": acct}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName=prefix + "-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]

# AssumeRole: ASIA credentials, the assumed-role ARN without the role's path, the role id
# and session name as AssumedRoleId.
out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="session-1")
creds = out["Credentials"]
assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20, creds
assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"], creds
assert out["AssumedRoleUser"] == {
    "Arn": "arn:aws:sts::%s:assumed-role/%s-role/session-1" % (acct, prefix),
    "AssumedRoleId": role["RoleId"] + ":session-1"}, out
assert "PackedPolicySize" not in out, out
who = client("sts", creds).get_caller_identity()
assert who["Account"] == acct and who["Arn"] == out["AssumedRoleUser"]["Arn"], who
assert who["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"], who
assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == acct

# A session policy is packed and its size answered.
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="with-policy", Policy=json.dumps(policy))
assert 0 < out["PackedPolicySize"] <= 100, out

# Role chaining is limited to one hour; the role's MaxSessionDuration bounds the rest.
chained = client("sts", creds)
assert error(chained.assume_role, RoleArn=role["Arn"], RoleSessionName="chain", DurationSeconds=7200) == (
    "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400)
assert chained.assume_role(RoleArn=role["Arn"], RoleSessionName="chain")["AssumedRoleUser"]["AssumedRoleId"].endswith(":chain")
assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200) == (
    "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)
iam.update_role(RoleName=prefix + "-role", MaxSessionDuration=7200)
sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200)

# Input checks, as AWS words them.
for arn in ["nothing-valid-in-here", "arn::b:::something/test-role", "arn:a::::something/test-role",
            "arn:a:::something/test-role", "arn:a:a::aaaaaaaaaa:"]:
    assert error(sts.assume_role, RoleArn=arn, RoleSessionName="s1") == ("ValidationError", arn + " is invalid", 400), arn
assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="Session1:2") == (
    "ValidationError", "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400)
assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s" * 65) == (
    "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64" % ("s" * 65), 400)
assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="tags",
             Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]) == (
    "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="tags",
             Tags=[{"Key": "a", "Value": "1"}], TransitiveTagKeys=["b"]) == (
    "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.", 400)
# A role the account does not have is refused.
gone = "arn:aws:iam::%s:role/%s-gone" % (acct, prefix)
code, msg, status = error(sts.assume_role, RoleArn=gone, RoleSessionName="s1")
assert (code, status) == ("AccessDenied", 403) and gone in msg, msg

# GetFederationToken and GetSessionToken.
fed = sts.get_federation_token(Name="TestName", DurationSeconds=900)
assert fed["FederatedUser"] == {"Arn": "arn:aws:sts::%s:federated-user/TestName" % acct,
                                "FederatedUserId": "%s:TestName" % acct}, fed
assert fed["PackedPolicySize"] == 0 and fed["Credentials"]["AccessKeyId"].startswith("ASIA"), fed
assert client("sts", fed["Credentials"]).get_caller_identity()["Arn"] == fed["FederatedUser"]["Arn"]
tok = sts.get_session_token(DurationSeconds=900)["Credentials"]
assert client("sts", tok).get_caller_identity()["Arn"] == "arn:aws:iam::%s:root" % acct
assert error(client("sts", tok).get_session_token) == (
    "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)

# Web identity and SAML: tokens are accepted without verification.
claims = base64.urlsafe_b64encode(json.dumps({"sub": "user-1", "aud": "client-1", "iss": "https://idp.example.com"}).encode()).decode().rstrip("=")
web = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken="e30." + claims + ".sig")
assert web["AssumedRoleUser"]["Arn"].endswith(":assumed-role/%s-role/web" % prefix), web
assert web["SubjectFromWebIdentityToken"] == "user-1" and web["Audience"] == "client-1" and web["Provider"] == "idp.example.com", web
assertion = base64.b64encode(b'<Response><Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">'
                             b'<AttributeValue>saml-user</AttributeValue></Attribute></Response>').decode()
saml = sts.assume_role_with_saml(RoleArn=role["Arn"], PrincipalArn="arn:aws:iam::%s:saml-provider/idp" % acct, SAMLAssertion=assertion)
assert saml["AssumedRoleUser"]["AssumedRoleId"] == role["RoleId"] + ":saml-user", saml
print("ok")
