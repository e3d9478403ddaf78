"""SNS through boto3: topics, attributes, fan-out to SQS with a filter policy, raw
delivery, FIFO topics, PublishBatch and the documented errors."""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

prefix = sys.argv[1]
sns = boto3.client("sns")
sqs = boto3.client("sqs")


def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)


def expect_error(fn, code, what):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"{what}: code {got}, want {code}")
        return e
    raise SystemExit(f"FAIL: {what}: no error")


def queue(name, attrs=None):
    url = sqs.create_queue(QueueName=name, Attributes=attrs or {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(url, n, within=10):
    out, deadline = [], time.time() + within
    while len(out) < n and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        for m in r.get("Messages", []):
            out.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


topic = sns.create_topic(Name=prefix, Attributes={"DisplayName": "py"}, Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
check(topic.endswith(":" + prefix), "TopicArn " + topic)
attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
check(attrs["DisplayName"] == "py", "DisplayName")
check(attrs["SubscriptionsConfirmed"] == "0", "SubscriptionsConfirmed")
check(sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "k", "Value": "v"}], "tags")

red_url, red_arn = queue(prefix + "-red")
raw_url, raw_arn = queue(prefix + "-raw")
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=red_arn, Attributes={"FilterPolicy": json.dumps({"color": ["red"]})})
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)
check(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "2", "two confirmed")

for color in ("red", "blue"):
    r = sns.publish(TopicArn=topic, Message="paint it " + color, Subject="colors",
                    MessageAttributes={"color": {"DataType": "String", "StringValue": color}})
    check("MessageId" in r, "MessageId")
red = receive(red_url, 1)
check(len(red) == 1, f"red got {len(red)}")
env = json.loads(red[0]["Body"])
check(env["Message"] == "paint it red" and env["Subject"] == "colors", "envelope " + red[0]["Body"])
raw = receive(raw_url, 2)
check(sorted(m["Body"] for m in raw) == ["paint it blue", "paint it red"], "raw bodies")
check(all(m["MessageAttributes"]["color"]["DataType"] == "String" for m in raw), "raw attributes")

fifo = sns.create_topic(Name=prefix + ".fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
a = sns.publish(TopicArn=fifo, Message="once", MessageGroupId="g")
b = sns.publish(TopicArn=fifo, Message="once", MessageGroupId="g")
check(a["MessageId"] == b["MessageId"] and a["SequenceNumber"] == b["SequenceNumber"], "content-based deduplication")

# AWS validates every entry first: one invalid entry fails the whole batch.
expect_error(lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "one"},
    {"Id": "b", "Message": "two", "MessageStructure": "json"},
]), "InvalidParameter", "batch with an invalid entry")
res = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "one"},
    {"Id": "b", "Message": "two"},
])
check([s["Id"] for s in res["Successful"]] == ["a", "b"] and res["Failed"] == [], "batch successes")

ex = sns.exceptions
expect_error(lambda: sns.publish(TopicArn=topic + "-missing", Message="x"), "NotFound", "publish to a missing topic")
expect_error(lambda: sns.publish(TopicArn=topic, Message="x", MessageStructure="json"), "InvalidParameter", "bad structure")
expect_error(lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=red_arn + "-x",
                                   Attributes={"FilterPolicy": "{bad"}), "InvalidParameter", "bad filter policy")
expect_error(lambda: sns.set_topic_attributes(TopicArn=topic, AttributeName="Nope", AttributeValue="1"), "InvalidParameter", "unknown attribute")

sns.delete_topic(TopicArn=topic)
expect_error(lambda: sns.get_topic_attributes(TopicArn=topic), "NotFound", "deleted topic")
print("ok")
