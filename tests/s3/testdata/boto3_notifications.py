"""S3 event notifications through boto3: configuration round trips and AWS's validation
errors, the s3:TestEvent, and event records delivered to SQS, to SNS and to EventBridge's
default bus."""
import json
import os
import sys
import time

import boto3
from botocore.config import Config

from s3check import check, client, equal, expect_error

bucket = sys.argv[1]
s3 = client()
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=cfg)
sns = boto3.client("sns", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=cfg)
events = boto3.client("events", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=cfg)


def new_queue(name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(url, n, what):
    """Receives n messages from url (waiting up to 20 s) and returns their bodies."""
    bodies = []
    deadline = time.time() + 20
    while len(bodies) < n and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for m in r.get("Messages", []):
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    equal(len(bodies), n, what + ": messages received")
    return bodies


s3.create_bucket(Bucket=bucket)
region = s3.meta.region_name
qurl, qarn = new_queue(bucket + "-q")

# A bucket without a configuration answers an empty one.
got = s3.get_bucket_notification_configuration(Bucket=bucket)
got.pop("ResponseMetadata")
equal(got, {}, "empty notification configuration")

# AWS's validation errors.
e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": "invalid-queue", "Events": ["s3:ObjectCreated:*"]}]}),
    "InvalidArgument", 400, "unparsable queue ARN")
equal(e.response["Error"]["Message"], "The ARN could not be parsed", "unparsable ARN message")
equal(e.response["Error"].get("ArgumentName"), "Queue", "unparsable ARN ArgumentName")
equal(e.response["Error"].get("ArgumentValue"), "invalid-queue", "unparsable ARN ArgumentValue")

missing = qarn + "-missing"
e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]}),
    "InvalidArgument", 400, "missing queue")
equal(e.response["Error"]["Message"], "Unable to validate the following destination configurations", "missing queue message")
equal(e.response["Error"].get("ArgumentName1"), missing, "missing queue ArgumentName1")
equal(e.response["Error"].get("ArgumentValue1"), "The destination queue does not exist", "missing queue ArgumentValue1")

# Every missing destination is named, in order.
e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]},
                            {"QueueArn": missing + "-2", "Events": ["s3:ObjectRemoved:*"]}]}),
    "InvalidArgument", 400, "two missing queues")
equal([e.response["Error"].get(k) for k in ("ArgumentName1", "ArgumentName2")], [missing, missing + "-2"], "two missing queues named")
# A configuration that failed validation changes nothing.
got = s3.get_bucket_notification_configuration(Bucket=bucket)
check("QueueConfigurations" not in got, "a refused configuration is not stored")

e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": qarn, "Events": ["s3:ObjectCreated:*"],
                             "Filter": {"Key": {"FilterRules": [{"Name": "INVALID", "Value": "x"}]}}}]}),
    "InvalidArgument", 400, "bad filter rule name")
equal(e.response["Error"]["Message"], "filter rule name must be either prefix or suffix", "bad filter rule message")
equal(e.response["Error"].get("ArgumentName"), "FilterRule.Name", "bad filter rule ArgumentName")
equal(e.response["Error"].get("ArgumentValue"), "INVALID", "bad filter rule ArgumentValue")

e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": qarn, "Events": ["s3:ObjectCreated:Nope"]}]}),
    "InvalidArgument", 400, "unknown event")
equal(e.response["Error"]["Message"], "The event is not supported for notifications", "unknown event message")

e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": qarn, "Events": ["s3:ObjectCreated:*"]},
                            {"QueueArn": qarn, "Events": ["s3:ObjectCreated:Put"]}]}),
    "InvalidArgument", 400, "overlapping configurations")
equal(e.response["Error"]["Message"],
      "Configurations overlap. Configurations on the same bucket cannot share a common event type.", "overlap message")

# The destination check can be skipped.
s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
    "QueueConfigurations": [{"Id": "id123", "QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
got = s3.get_bucket_notification_configuration(Bucket=bucket)
equal(got["QueueConfigurations"], [{"Id": "id123", "QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}],
      "skipped validation stores the configuration")

# Filter rule names are case-insensitive and answered capitalised.
s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "QueueConfigurations": [{"Id": "created", "QueueArn": qarn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
                             "Filter": {"Key": {"FilterRules": [{"Name": "PREFIX", "Value": "notif-"},
                                                                {"Name": "suffix", "Value": ".txt"}]}}}],
    "EventBridgeConfiguration": {}})
got = s3.get_bucket_notification_configuration(Bucket=bucket)
equal(got["QueueConfigurations"][0]["Filter"], {"Key": {"FilterRules": [
    {"Name": "Prefix", "Value": "notif-"}, {"Name": "Suffix", "Value": ".txt"}]}}, "filter rules")
equal(got.get("EventBridgeConfiguration"), {}, "EventBridgeConfiguration")
# The deprecated GetBucketNotification answers the first queue configuration in the old shape.
old = s3.get_bucket_notification(Bucket=bucket)
# (The old shape names both Event and Events "Event"; botocore reads the list as Events.)
qc = old.get("QueueConfiguration", {})
equal((qc.get("Id"), qc.get("Events"), qc.get("Queue")), ("created", ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"], qarn),
      "GetBucketNotification")

# The configuration sends s3:TestEvent to the queue.
test = receive(qurl, 1, "s3:TestEvent")[0]
equal(test["Service"], "Amazon S3", "TestEvent Service")
equal(test["Event"], "s3:TestEvent", "TestEvent Event")
equal(test["Bucket"], bucket, "TestEvent Bucket")
check("Time" in test and "RequestId" in test and "HostId" in test, f"TestEvent fields: {test}")

# Only keys matching the filter notify; the record is AWS's.
s3.put_object(Bucket=bucket, Key="other.txt", Body=b"ignored")
s3.put_object(Bucket=bucket, Key="notif-a@b c.txt", Body=b"something")
rec = receive(qurl, 1, "ObjectCreated:Put")[0]["Records"]
equal(len(rec), 1, "one record per message")
rec = rec[0]
equal(rec["eventVersion"], "2.1", "eventVersion")
equal(rec["eventSource"], "aws:s3", "eventSource")
equal(rec["awsRegion"], region, "awsRegion")
equal(rec["eventName"], "ObjectCreated:Put", "eventName")
check(rec["eventTime"].endswith("Z") and len(rec["eventTime"]) == 24, f"eventTime {rec['eventTime']}")
check("principalId" in rec["userIdentity"], "userIdentity")
check("sourceIPAddress" in rec["requestParameters"], "requestParameters")
check(set(rec["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}, "responseElements")
s3rec = rec["s3"]
equal(s3rec["s3SchemaVersion"], "1.0", "s3SchemaVersion")
equal(s3rec["configurationId"], "created", "configurationId")
equal(s3rec["bucket"]["name"], bucket, "bucket name")
equal(s3rec["bucket"]["arn"], "arn:aws:s3:::" + bucket, "bucket arn")
check("principalId" in s3rec["bucket"]["ownerIdentity"], "ownerIdentity")
# AWS URL-encodes the key (form encoding: "@" is %40, a space is +).
equal(s3rec["object"]["key"], "notif-a%40b+c.txt", "URL-encoded key")
equal(s3rec["object"]["size"], 9, "size")
equal(s3rec["object"]["eTag"], "437b930db84b8079c2dd804a71936b5f", "eTag")
check(len(s3rec["object"]["sequencer"]) >= 16, "sequencer")

# CopyObject and DeleteObject(s).
s3.copy_object(Bucket=bucket, Key="notif-copy.txt", CopySource={"Bucket": bucket, "Key": "notif-a@b c.txt"})
equal(receive(qurl, 1, "ObjectCreated:Copy")[0]["Records"][0]["eventName"], "ObjectCreated:Copy", "copy eventName")
s3.delete_object(Bucket=bucket, Key="notif-copy.txt")
rec = receive(qurl, 1, "ObjectRemoved:Delete")[0]["Records"][0]
equal(rec["eventName"], "ObjectRemoved:Delete", "delete eventName")
equal(sorted(rec["s3"]["object"]), ["key", "sequencer"], "a delete record has only key and sequencer")
s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "notif-1.txt"}, {"Key": "notif-2.txt"}]})
keys = sorted(m["Records"][0]["s3"]["object"]["key"] for m in receive(qurl, 2, "DeleteObjects"))
equal(keys, ["notif-1.txt", "notif-2.txt"], "DeleteObjects notifies each key")

# CompleteMultipartUpload.
up = s3.create_multipart_upload(Bucket=bucket, Key="notif-mp.txt")
part = s3.upload_part(Bucket=bucket, Key="notif-mp.txt", UploadId=up["UploadId"], PartNumber=1, Body=b"x" * 6144)
s3.complete_multipart_upload(Bucket=bucket, Key="notif-mp.txt", UploadId=up["UploadId"],
                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
rec = receive(qurl, 1, "CompleteMultipartUpload")[0]["Records"][0]
equal(rec["eventName"], "ObjectCreated:CompleteMultipartUpload", "multipart eventName")
equal(rec["s3"]["object"]["size"], 6144, "multipart size")
check(rec["s3"]["object"]["eTag"].endswith("-1"), "multipart eTag")

# SNS: a topic with an SQS subscription gets the record as the message, with S3's subject.
turl, tqarn = new_queue(bucket + "-t")
topic = sns.create_topic(Name=bucket + "-topic")["TopicArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=tqarn)
e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "TopicConfigurations": [{"TopicArn": topic + "-missing", "Events": ["s3:ObjectCreated:*"]}]}),
    "InvalidArgument", 400, "missing topic")
equal(e.response["Error"]["Message"], "Unable to validate the following destination configurations", "missing topic message")
equal(e.response["Error"].get("ArgumentName1"), topic + "-missing", "missing topic ArgumentName1")
equal(e.response["Error"].get("ArgumentValue1"), "The destination topic does not exist", "missing topic ArgumentValue1")
account = qarn.split(":")[4]
fn = f"arn:aws:lambda:{region}:{account}:function:{bucket}-missing"
e = expect_error(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"]}]}),
    "InvalidArgument", 400, "missing function")
equal(e.response["Error"].get("ArgumentName1"), fn, "missing function ArgumentName1")
equal(e.response["Error"].get("ArgumentValue1"), "The destination Lambda does not exist", "missing function ArgumentValue1")
s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
    "TopicConfigurations": [{"Id": "to-topic", "TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]})
note = receive(turl, 1, "SNS s3:TestEvent")[0]
equal(note["Subject"], "Amazon S3 Notification", "SNS Subject")
equal(json.loads(note["Message"])["Event"], "s3:TestEvent", "SNS TestEvent")
s3.put_object(Bucket=bucket, Key="via-sns", Body=b"hello")
note = receive(turl, 1, "SNS record")[0]
equal(note["Subject"], "Amazon S3 Notification", "SNS Subject")
rec = json.loads(note["Message"])["Records"][0]
equal((rec["eventName"], rec["s3"]["configurationId"], rec["s3"]["object"]["key"]), ("ObjectCreated:Put", "to-topic", "via-sns"),
      "record through SNS")

# EventBridge: a rule on the default bus matching source aws.s3 gets Object Created.
eurl, earn = new_queue(bucket + "-e")
rule = bucket[:40] + "-rule"
events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}}))
events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": earn}])
s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
got = s3.get_bucket_notification_configuration(Bucket=bucket)
got.pop("ResponseMetadata")
equal(got, {"EventBridgeConfiguration": {}}, "EventBridge-only configuration")
s3.put_object(Bucket=bucket, Key="eb/key one", Body=b"12345")
s3.delete_object(Bucket=bucket, Key="eb/key one")
evs = receive(eurl, 2, "EventBridge events")
evs.sort(key=lambda e: e["detail-type"])
created, deleted = evs
equal(created["source"], "aws.s3", "source")
equal(created["detail-type"], "Object Created", "detail-type")
equal(created["resources"], ["arn:aws:s3:::" + bucket], "resources")
equal(created["region"], region, "region")
d = created["detail"]
equal(d["version"], "0", "detail version")
equal(d["bucket"], {"name": bucket}, "detail bucket")
equal(d["object"]["key"], "eb/key one", "detail key")
equal(d["object"]["size"], 5, "detail size")
equal(d["object"]["etag"], "827ccb0eea8a706c4c34a16891f84e7b", "detail etag")
check("sequencer" in d["object"], "detail sequencer")
equal(d["reason"], "PutObject", "detail reason")
check("request-id" in d and "requester" in d, "request-id and requester")
equal(deleted["detail-type"], "Object Deleted", "Object Deleted detail-type")
equal(deleted["detail"]["reason"], "DeleteObject", "Object Deleted reason")
equal(deleted["detail"]["deletion-type"], "Permanently Deleted", "deletion-type")

# An empty configuration turns notifications off.
s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
got = s3.get_bucket_notification_configuration(Bucket=bucket)
got.pop("ResponseMetadata")
equal(got, {}, "configuration removed")
print("ok")
