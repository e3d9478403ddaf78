"""CloudWatch Logs destinations and account policies through boto3, with their documented
errors. Takes a unique destination name as its first argument and exits non-zero with a
message naming the failed check. Runs on a server of its own: some account policies are
one per account."""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


def equal(got, want, what):
    if got != want:
        sys.exit(f"FAIL: {what}: want {want!r}, got {got!r}")


def expect_error(fn, code, exc, message=None, what=""):
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, f"{what}: error code")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, f"{what}: HTTP status")
        check(isinstance(e, exc), f"{what}: want {exc.__name__}, got {type(e).__name__}")
        if message is not None:
            equal(e.response["Error"]["Message"], message, f"{what}: message")
        return e
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


name = sys.argv[1]
logs = boto3.client("logs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
sender = boto3.client("logs", aws_access_key_id="210987654321", aws_secret_access_key="test",
                      config=Config(retries={"max_attempts": 1, "mode": "standard"}))
ex = logs.exceptions
role = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
stream = "arn:aws:kinesis:us-east-1:123456789012:stream/RecipientStream"
not_found = "The specified destination does not exist."

# Destinations.
d = logs.put_destination(destinationName=name, targetArn=stream, roleArn=role, tags={"team": "logs"})["destination"]
equal(d["destinationName"], name, "PutDestination name")
check(d["arn"].startswith("arn:aws:logs:us-east-1:") and d["arn"].endswith(":destination:" + name), f"destination ARN {d['arn']}")
equal(d["targetArn"], stream, "PutDestination targetArn")
equal(d["roleArn"], role, "PutDestination roleArn")
check(isinstance(d["creationTime"], int) and d["creationTime"] > 0, "creationTime")
check("accessPolicy" not in d, "no access policy yet")
created = d["creationTime"]

policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "210987654321"},
                                                             "Action": "logs:PutSubscriptionFilter", "Resource": d["arn"]}]})
logs.put_destination_policy(destinationName=name, accessPolicy=policy, forceUpdate=True)
firehose = "arn:aws:firehose:us-east-1:123456789012:deliverystream/ds"
d2 = logs.put_destination(destinationName=name, targetArn=firehose, roleArn=role)["destination"]
equal(d2["targetArn"], firehose, "PutDestination again changes the target")
equal(d2["creationTime"], created, "PutDestination again keeps the creation time")
equal(d2["accessPolicy"], policy, "PutDestination again keeps the access policy")

logs.put_destination(destinationName=name + "-2", targetArn=stream, roleArn=role)
listed = [x["destinationName"] for p in logs.get_paginator("describe_destinations").paginate(
    DestinationNamePrefix=name, PaginationConfig={"PageSize": 1}) for x in p["destinations"]]
equal(listed, [name, name + "-2"], "DescribeDestinations pages")
equal(logs.describe_destinations(DestinationNamePrefix=name + "-nothing")["destinations"], [], "prefix matching nothing")

expect_error(lambda: logs.put_destination(destinationName=name, targetArn="kinesis", roleArn=role),
             "InvalidParameterException", ex.InvalidParameterException, "Invalid targetArn: kinesis", "PutDestination with a bad target")
expect_error(lambda: logs.put_destination(destinationName="a:b", targetArn=stream, roleArn=role),
             "InvalidParameterException", ex.InvalidParameterException, None, "PutDestination with a colon in the name")
expect_error(lambda: logs.put_destination_policy(destinationName=name + "-missing", accessPolicy=policy),
             "ResourceNotFoundException", ex.ResourceNotFoundException, not_found, "PutDestinationPolicy of a missing destination")
expect_error(lambda: logs.put_destination_policy(destinationName=name, accessPolicy="{"),
             "InvalidParameterException", ex.InvalidParameterException, "Access policy is not a valid JSON document.",
             "PutDestinationPolicy with broken JSON")
expect_error(lambda: logs.describe_destinations(nextToken="bogus"), "InvalidParameterException", ex.InvalidParameterException,
             None, "DescribeDestinations with a bad token")
try:
    logs.describe_destinations(limit=0)
    sys.exit("FAIL: DescribeDestinations limit 0 accepted")
except ParamValidationError:
    pass

# Subscriptions to a destination: another account needs the access policy; a Kinesis
# target is refused.
sender.create_log_group(logGroupName="/" + name)
expect_error(lambda: sender.put_subscription_filter(logGroupName="/" + name, filterName="f", filterPattern="",
                                                    destinationArn=d["arn"].replace(name, name + "-2")),
             "AccessDeniedException", sender.exceptions.AccessDeniedException,
             "User with accountId: 210987654321 is not authorized to perform: logs:PutSubscriptionFilter on resource: "
             + d["arn"].replace(name, name + "-2"), "subscribing without an access policy")
expect_error(lambda: sender.put_subscription_filter(logGroupName="/" + name, filterName="f", filterPattern="", destinationArn=d["arn"]),
             "InvalidParameterException", ex.InvalidParameterException, None, "subscribing to a destination forwarding to Firehose")
equal(sender.describe_subscription_filters(logGroupName="/" + name)["subscriptionFilters"], [], "refused filters are not stored")

logs.delete_destination(destinationName=name)
logs.delete_destination(destinationName=name + "-2")
expect_error(lambda: logs.delete_destination(destinationName=name), "ResourceNotFoundException", ex.ResourceNotFoundException,
             not_found, "DeleteDestination twice")
equal(logs.describe_destinations(DestinationNamePrefix=name)["destinations"], [], "destinations deleted")

# Account policies: stored and returned.
sub_doc = json.dumps({"DestinationArn": "arn:aws:lambda:us-east-1:123456789012:function:f", "FilterPattern": "", "Distribution": "Random"})
p = logs.put_account_policy(policyName="subs", policyDocument=sub_doc, policyType="SUBSCRIPTION_FILTER_POLICY",
                            scope="ALL", selectionCriteria='LogGroupName NOT IN ["/app"]')["accountPolicy"]
equal(p["policyName"], "subs", "PutAccountPolicy name")
equal(p["policyDocument"], sub_doc, "PutAccountPolicy document")
equal(p["policyType"], "SUBSCRIPTION_FILTER_POLICY", "PutAccountPolicy type")
equal(p["scope"], "ALL", "PutAccountPolicy scope")
equal(p["selectionCriteria"], 'LogGroupName NOT IN ["/app"]', "PutAccountPolicy selection criteria")
check(len(p["accountId"]) == 12, "accountId")
expect_error(lambda: logs.put_account_policy(policyName="subs-2", policyDocument=sub_doc, policyType="SUBSCRIPTION_FILTER_POLICY"),
             "LimitExceededException", ex.LimitExceededException, "Resource limit exceeded.", "a second subscription filter policy")
dp_doc = json.dumps({"Name": "dp", "Version": "2021-06-01", "Statement": []})
logs.put_account_policy(policyName="dp", policyDocument=dp_doc, policyType="DATA_PROTECTION_POLICY")
expect_error(lambda: logs.put_account_policy(policyName="dp", policyDocument=dp_doc, policyType="DATA_PROTECTION_POLICY",
                                             selectionCriteria='LogGroupName NOT IN ["/app"]'),
             "InvalidParameterException", ex.InvalidParameterException, None, "data protection policy with selection criteria")
logs.put_account_policy(policyName="tr", policyDocument='{"transformerConfig":[]}', policyType="TRANSFORMER_POLICY",
                        selectionCriteria='LogGroupNamePrefix IN ["/aws"]')
expect_error(lambda: logs.put_account_policy(policyName="tr", policyDocument="{", policyType="TRANSFORMER_POLICY"),
             "InvalidParameterException", ex.InvalidParameterException, "Policy document is not a valid JSON document.",
             "PutAccountPolicy with broken JSON")
for typ, want in (("SUBSCRIPTION_FILTER_POLICY", ["subs"]), ("DATA_PROTECTION_POLICY", ["dp"]),
                  ("TRANSFORMER_POLICY", ["tr"]), ("FIELD_INDEX_POLICY", [])):
    got = [x["policyName"] for x in logs.describe_account_policies(policyType=typ)["accountPolicies"]]
    equal(got, want, f"DescribeAccountPolicies {typ}")
equal(logs.describe_account_policies(policyType="TRANSFORMER_POLICY", policyName="nope")["accountPolicies"], [], "by name")
equal(sender.describe_account_policies(policyType="TRANSFORMER_POLICY")["accountPolicies"], [], "per account")
logs.delete_account_policy(policyName="tr", policyType="TRANSFORMER_POLICY")
expect_error(lambda: logs.delete_account_policy(policyName="tr", policyType="TRANSFORMER_POLICY"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "Policy with name [tr] does not exist", "DeleteAccountPolicy twice")
expect_error(lambda: logs.delete_account_policy(policyName="subs", policyType="FIELD_INDEX_POLICY"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "Policy with name [subs] does not exist", "DeleteAccountPolicy of another type")
print("ok")
