"""SNS requests the SDKs refuse to send: boto3 with parameter validation off, so the
server's own answers to missing members are checked."""
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

prefix = sys.argv[1]
sns = boto3.client("sns", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
topic = sns.create_topic(Name=prefix)["TopicArn"]


def expect(fn, code, message, what):
    try:
        fn()
    except ClientError as e:
        err = e.response["Error"]
        if (err["Code"], err["Message"]) != (code, message):
            raise SystemExit(f"FAIL: {what}: got {err['Code']} {err['Message']!r}")
        if e.response["ResponseMetadata"]["HTTPStatusCode"] != 400:
            raise SystemExit(f"FAIL: {what}: status {e.response['ResponseMetadata']['HTTPStatusCode']}")
        return
    raise SystemExit(f"FAIL: {what}: no error")


# AWS answers a message attribute without DataType with its validation wording.
expect(lambda: sns.publish(TopicArn=topic, Message="x", MessageAttributes={"attr1": {"StringValue": "x"}}),
       "ValidationError",
       "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' "
       "failed to satisfy constraint: Member must not be null", "publish")
expect(lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
    {"Id": "1", "Message": "x", "MessageAttributes": {"attr1": {"StringValue": "x"}}}]),
       "ValidationError",
       "1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.messageAttributes.attr1.member.dataType' "
       "failed to satisfy constraint: Member must not be null", "publish batch")
print("ok")
