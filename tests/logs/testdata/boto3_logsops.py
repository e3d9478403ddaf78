"""CloudWatch Logs operations beyond groups, streams and events through boto3: the older
tag API, metric filters and TestMetricFilter, subscription filters delivering to a real
Lambda function (which decodes the gzipped awslogs payload and prints what it received),
resource policies, KMS key association and data protection policies, with their
documented errors. Takes a unique log group name prefix as its first argument and exits
non-zero with a message naming the failed check."""
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


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


# The subscriber: decodes what CloudWatch Logs delivers and prints one line per event.
SUBSCRIBER = '''
import base64, gzip, json

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    for e in data["logEvents"]:
        print("RECEIVED " + json.dumps({"messageType": data["messageType"], "owner": data["owner"],
              "logGroup": data["logGroup"], "logStream": data["logStream"],
              "filters": data["subscriptionFilters"], "id": e["id"], "timestamp": e["timestamp"],
              "message": e["message"]}))
'''

prefix = sys.argv[1]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
logs = boto3.client("logs", config=cfg)
lam = boto3.client("lambda", config=cfg)
ex = logs.exceptions
group = prefix + "/ops"
missing = prefix + "/missing"
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName="web")

# The older, name-based tag API shares the tags of TagResource.
logs.tag_log_group(logGroupName=group, tags={"team": "core", "env": "dev"})
logs.untag_log_group(logGroupName=group, tags=["env"])
equal(logs.list_tags_log_group(logGroupName=group)["tags"], {"team": "core"}, "ListTagsLogGroup")
arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["logGroupArn"]
equal(logs.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "core"}, "ListTagsForResource after TagLogGroup")
expect_error(lambda: logs.tag_log_group(logGroupName=missing, tags={"a": "b"}), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log group does not exist.", "TagLogGroup on a missing group")
expect_error(lambda: logs.list_tags_log_group(logGroupName=missing), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log group does not exist.", "ListTagsLogGroup on a missing group")

# Metric filters.
mt = [{"metricName": "Errors", "metricNamespace": prefix.strip("/").replace("/", "-"), "metricValue": "1", "defaultValue": 0.0}]
logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", metricTransformations=mt)
logs.put_metric_filter(logGroupName=group, filterName="status", filterPattern="[ip, user, status, size]",
                       metricTransformations=[dict(mt[0], metricName="Bytes", metricValue="$size")])
mfs = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
equal([f["filterName"] for f in mfs], ["errors", "status"], "DescribeMetricFilters names")
equal(mfs[0]["metricTransformations"][0]["metricName"], "Errors", "metric name")
equal(mfs[0]["logGroupName"], group, "metric filter group")
check(mfs[0]["creationTime"] > 0, "creationTime")
byname = logs.describe_metric_filters(metricName="Bytes", metricNamespace=mt[0]["metricNamespace"])["metricFilters"]
equal([f["filterName"] for f in byname], ["status"], "DescribeMetricFilters by metric")
page = logs.describe_metric_filters(logGroupName=group, limit=1)
equal(len(page["metricFilters"]), 1, "one per page")
page2 = logs.describe_metric_filters(logGroupName=group, limit=1, nextToken=page["nextToken"])
equal(page2["metricFilters"][0]["filterName"], "status", "second page")
equal(logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"], 2, "metricFilterCount")
expect_error(lambda: logs.put_metric_filter(logGroupName=missing, filterName="x", filterPattern="", metricTransformations=mt),
             "ResourceNotFoundException", ex.ResourceNotFoundException, "The specified log group does not exist.", "PutMetricFilter on a missing group")
expect_error(lambda: logs.describe_metric_filters(metricName="Errors"), "InvalidParameterException",
             ex.InvalidParameterException, None, "metricName without metricNamespace")
logs.delete_metric_filter(logGroupName=group, filterName="status")
expect_error(lambda: logs.delete_metric_filter(logGroupName=group, filterName="status"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified metric filter does not exist.", "DeleteMetricFilter twice")

tested = logs.test_metric_filter(filterPattern="[ip, user, status=404, size]", logEventMessages=[
    "127.0.0.1 frank 404 1534", "127.0.0.1 frank 200 10", "10.0.0.1 ann 404 7"])["matches"]
equal([m["eventNumber"] for m in tested], [1, 3], "TestMetricFilter event numbers")
equal(tested[0]["extractedValues"], {"$ip": "127.0.0.1", "$user": "frank", "$status": "404", "$size": "1534"}, "extracted values")
expect_error(lambda: logs.test_metric_filter(filterPattern="{ $.x = ", logEventMessages=["x"]), "InvalidParameterException",
             ex.InvalidParameterException, None, "TestMetricFilter with a bad pattern")

# Subscription filters, delivering to a Lambda function.
fname = prefix.strip("/").replace("/", "-")[-50:] + "-sub"
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("app.py", SUBSCRIBER)
fn = lam.create_function(FunctionName=fname, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
                         Handler="app.handler", Code={"ZipFile": buf.getvalue()})
lam.get_waiter("function_active_v2").wait(FunctionName=fname)
farn = fn["FunctionArn"]
account = farn.split(":")[4]
region = farn.split(":")[3]

expect_error(lambda: logs.put_subscription_filter(logGroupName=group, filterName="k", filterPattern="",
                                                  destinationArn=f"arn:aws:kinesis:{region}:{account}:stream/s",
                                                  roleArn=f"arn:aws:iam::{account}:role/r"),
             "InvalidParameterException", ex.InvalidParameterException, None, "Kinesis destination")
expect_error(lambda: logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="",
                                                  destinationArn=f"arn:aws:firehose:{region}:{account}:deliverystream/d"),
             "InvalidParameterException", ex.InvalidParameterException, None, "Firehose destination")
expect_error(lambda: logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="",
                                                  destinationArn=farn + "-missing"),
             "InvalidParameterException", ex.InvalidParameterException,
             "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
             "missing function")
expect_error(lambda: logs.put_subscription_filter(logGroupName=missing, filterName="f", filterPattern="", destinationArn=farn),
             "ResourceNotFoundException", ex.ResourceNotFoundException, "The specified log group does not exist.", "missing group")

logs.put_subscription_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=farn)
logs.put_subscription_filter(logGroupName=group, filterName="fatal", filterPattern="FATAL", destinationArn=farn)
expect_error(lambda: logs.put_subscription_filter(logGroupName=group, filterName="third", filterPattern="", destinationArn=farn),
             "LimitExceededException", ex.LimitExceededException, "Resource limit exceeded.", "third subscription filter")
sfs = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
equal([f["filterName"] for f in sfs], ["errors", "fatal"], "DescribeSubscriptionFilters")
equal(sfs[0]["destinationArn"], farn, "destinationArn")
equal(sfs[0]["distribution"], "ByLogStream", "default distribution")
logs.delete_subscription_filter(logGroupName=group, filterName="fatal")
expect_error(lambda: logs.delete_subscription_filter(logGroupName=group, filterName="fatal"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified subscription filter does not exist.", "DeleteSubscriptionFilter twice")

now = int(time.time() * 1000)
logs.put_log_events(logGroupName=group, logStreamName="web", logEvents=[
    {"timestamp": now - 2, "message": "INFO fine"},
    {"timestamp": now - 1, "message": "ERROR disk full"},
    {"timestamp": now, "message": "ERROR again"},
])

received = []
deadline = time.time() + 90
while time.time() < deadline and len(received) < 2:
    try:
        out = logs.filter_log_events(logGroupName="/aws/lambda/" + fname, filterPattern="RECEIVED")
        received = [json.loads(e["message"].split("RECEIVED ", 1)[1]) for e in out["events"]]
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    time.sleep(0.5)
equal([r["message"] for r in received], ["ERROR disk full", "ERROR again"], "events the function received")
r = received[0]
equal(r["messageType"], "DATA_MESSAGE", "messageType")
equal(r["owner"], account, "owner")
equal(r["logGroup"], group, "logGroup")
equal(r["logStream"], "web", "logStream")
equal(r["filters"], ["errors"], "subscriptionFilters")
equal(r["timestamp"], now - 1, "timestamp")
equal(len(r["id"]), 56, "event id")

# Resource policies.
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
                                                          "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "*"}]})
pname = fname + "-policy"
put = logs.put_resource_policy(policyName=pname, policyDocument=doc)["resourcePolicy"]
equal(put["policyName"], pname, "PutResourcePolicy name")
equal(put["policyDocument"], doc, "PutResourcePolicy document")
pols = [p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == pname]
equal(len(pols), 1, "DescribeResourcePolicies lists the policy")
equal(pols[0]["policyDocument"], doc, "described document")
expect_error(lambda: logs.put_resource_policy(policyName=pname, policyDocument="{not json"), "InvalidParameterException",
             ex.InvalidParameterException, None, "policy that is not JSON")
logs.delete_resource_policy(policyName=pname)
expect_error(lambda: logs.delete_resource_policy(policyName=pname), "ResourceNotFoundException",
             ex.ResourceNotFoundException, f"Policy with name [{pname}] does not exist.", "DeleteResourcePolicy twice")

# KMS key and data protection policy.
key = f"arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
equal(logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0].get("kmsKeyId"), key, "kmsKeyId after AssociateKmsKey")
logs.disassociate_kms_key(logGroupName=group)
check("kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0], "kmsKeyId after DisassociateKmsKey")
expect_error(lambda: logs.associate_kms_key(logGroupName=missing, kmsKeyId=key), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log group does not exist.", "AssociateKmsKey on a missing group")

dp = json.dumps({"Name": "dp", "Version": "2021-06-01", "Statement": [
    {"Sid": "audit", "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
     "Operation": {"Audit": {"FindingsDestination": {}}}}]})
logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=dp)
got = logs.get_data_protection_policy(logGroupIdentifier=group)
equal(got["policyDocument"], dp, "GetDataProtectionPolicy")
equal(logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0].get("dataProtectionStatus"), "ACTIVATED", "dataProtectionStatus")
logs.delete_data_protection_policy(logGroupIdentifier=group)
check("policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group), "policy deleted")
expect_error(lambda: logs.delete_data_protection_policy(logGroupIdentifier=group), "ResourceNotFoundException",
             ex.ResourceNotFoundException, None, "DeleteDataProtectionPolicy twice")

# Deleting the group takes its filters with it.
logs.delete_log_group(logGroupName=group)
logs.create_log_group(logGroupName=group)
equal(logs.describe_metric_filters(logGroupName=group)["metricFilters"], [], "metric filters of a re-created group")
equal(logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"], [], "subscription filters of a re-created group")
logs.delete_log_group(logGroupName=group)
lam.delete_function(FunctionName=fname)
print("ok")
