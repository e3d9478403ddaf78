"""Asynchronous invocation through boto3: event invoke config CRUD and its errors, an
always-failing function whose event lands in its SQS dead-letter queue with Lambda's
message attributes after MaximumRetryAttempts=1, and invocation records sent to SQS
on-failure and on-success destinations. The server must run with a small --retry-scale.
Takes a unique name as its first argument and the path of the handler source as its
second, and exits non-zero with a message naming the failed check."""
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import check, equal, expect_error




def receive_one(url, what):
    deadline = time.time() + 60
    while time.time() < deadline:
        out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"])
        msgs = out.get("Messages", [])
        if msgs:
            equal(len(msgs), 1, f"{what}: one message")
            return msgs[0]
    sys.exit(f"FAIL: {what}: no message within 60 s")


name, source = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.write(source, "app.py")
code = buf.getvalue()

cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
lam = boto3.client("lambda", config=cfg)
sqs = boto3.client("sqs", config=cfg)
role = "arn:aws:iam::000000000000:role/lambda-role"

queues = {}
for q in ("dlq", "failed", "ok"):
    url = sqs.create_queue(QueueName=f"{name}-{q}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queues[q] = (url, arn)

fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                         Code={"ZipFile": code}, DeadLetterConfig={"TargetArn": queues["dlq"][1]})
equal(fn["DeadLetterConfig"]["TargetArn"], queues["dlq"][1], "DeadLetterConfig on create")
lam.get_waiter("function_active_v2").wait(FunctionName=name)
arn = fn["FunctionArn"]

# Event invoke config CRUD.
e = expect_error(lambda: lam.get_function_event_invoke_config(FunctionName=name), "ResourceNotFoundException", 404, "no config yet")
equal(e.response["Error"]["Message"], f"The function {arn}:$LATEST doesn't have an EventInvokeConfig", "no config message")
expect_error(lambda: lam.put_function_event_invoke_config(FunctionName=name), "InvalidParameterValueException", 400, "put without settings")
expect_error(lambda: lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1),
             "ResourceNotFoundException", 404, "update without config")
expect_error(lambda: lam.put_function_event_invoke_config(
    FunctionName=name, DestinationConfig={"OnFailure": {"Destination": "arn:aws:dynamodb:us-east-1:000000000000:table/t"}}),
    "InvalidParameterValueException", 400, "destination of an unsupported service")
expect_error(lambda: lam.put_function_event_invoke_config(
    FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}}),
    "InvalidParameterValueException", 400, "the function as its own destination")
expect_error(lambda: lam.put_function_event_invoke_config(FunctionName=name + "-missing", MaximumRetryAttempts=1),
             "ResourceNotFoundException", 404, "missing function")
expect_error(lambda: lam.put_function_event_invoke_config(FunctionName=name, Qualifier="nope", MaximumRetryAttempts=1),
             "ResourceNotFoundException", 404, "missing alias")

put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=3600,
                                           DestinationConfig={"OnFailure": {"Destination": queues["failed"][1]}})
equal(put["FunctionArn"], arn + ":$LATEST", "FunctionArn")
equal(put["MaximumRetryAttempts"], 1, "MaximumRetryAttempts")
equal(put["MaximumEventAgeInSeconds"], 3600, "MaximumEventAgeInSeconds")
equal(put["DestinationConfig"], {"OnSuccess": {}, "OnFailure": {"Destination": queues["failed"][1]}}, "DestinationConfig")
check(put["LastModified"].year >= 2024, "LastModified is a timestamp")
up = lam.update_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queues["ok"][1]}})
equal(up["MaximumRetryAttempts"], 1, "update keeps MaximumRetryAttempts")
equal(up["DestinationConfig"]["OnSuccess"], {"Destination": queues["ok"][1]}, "update sets OnSuccess")
equal(up["DestinationConfig"]["OnFailure"], {"Destination": queues["failed"][1]}, "update keeps OnFailure")
got = lam.get_function_event_invoke_config(FunctionName=name)
equal(got["DestinationConfig"], up["DestinationConfig"], "get")
listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
equal([c["FunctionArn"] for c in listed], [arn + ":$LATEST"], "list")

# A failing event: two attempts, then the DLQ and the on-failure destination.
out = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True, "n": 1}))
equal(out["StatusCode"], 202, "Event status")
request_id = out["ResponseMetadata"]["RequestId"]
msg = receive_one(queues["dlq"][0], "dead-letter queue")
equal(json.loads(msg["Body"]), {"fail": True, "n": 1}, "DLQ body is the event")
attrs = msg["MessageAttributes"]
equal(attrs["RequestID"], {"DataType": "String", "StringValue": request_id}, "RequestID attribute")
equal(attrs["ErrorCode"], {"DataType": "Number", "StringValue": "200"}, "ErrorCode attribute")
equal(attrs["ErrorMessage"], {"DataType": "String", "StringValue": "boom"}, "ErrorMessage attribute")

rec = json.loads(receive_one(queues["failed"][0], "on-failure destination")["Body"])
equal(rec["version"], "1.0", "record version")
equal(rec["requestContext"], {"requestId": request_id, "functionArn": arn + ":$LATEST",
                              "condition": "RetriesExhausted", "approximateInvokeCount": 2}, "failure requestContext")
equal(rec["requestPayload"], {"fail": True, "n": 1}, "failure requestPayload")
equal(rec["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}, "failure responseContext")
equal(rec["responsePayload"]["errorMessage"], "boom", "failure responsePayload")

# A successful event: the on-success destination gets the response.
out = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 2}))
rec = json.loads(receive_one(queues["ok"][0], "on-success destination")["Body"])
equal(rec["requestContext"]["condition"], "Success", "success condition")
equal(rec["requestContext"]["approximateInvokeCount"], 1, "success invoke count")
equal(rec["requestContext"]["requestId"], out["ResponseMetadata"]["RequestId"], "success requestId")
equal(rec["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST"}, "success responseContext")
equal(rec["responsePayload"]["echo"], {"n": 2}, "success responsePayload")

# Removing the dead-letter queue and the config.
fn = lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})
check("DeadLetterConfig" not in fn or not fn["DeadLetterConfig"].get("TargetArn"), "DeadLetterConfig removed")
lam.get_waiter("function_updated_v2").wait(FunctionName=name)
lam.delete_function_event_invoke_config(FunctionName=name)
expect_error(lambda: lam.delete_function_event_invoke_config(FunctionName=name), "ResourceNotFoundException", 404, "delete twice")
lam.delete_function(FunctionName=name)

# An SNS topic as dead-letter queue (seen through a raw SQS subscription, which keeps the
# message attributes) and an EventBridge bus as on-success destination (seen through a
# rule forwarding to SQS).
sns = boto3.client("sns", config=cfg)
events = boto3.client("events", config=cfg)
topic = sns.create_topic(Name=f"{name}-dlq")["TopicArn"]
sub_url, sub_arn = queues["dlq"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sub_arn, Attributes={"RawMessageDelivery": "true"})
bus = events.create_event_bus(Name=f"{name}-bus")["EventBusArn"]
events.put_rule(Name=f"{name}-rule", EventBusName=f"{name}-bus", EventPattern=json.dumps({"source": ["lambda"]}))
events.put_targets(Rule=f"{name}-rule", EventBusName=f"{name}-bus", Targets=[{"Id": "q", "Arn": queues["ok"][1]}])

second = name + "-2"
fn2 = lam.create_function(FunctionName=second, Runtime="python3.12", Role=role, Handler="app.handler",
                          Code={"ZipFile": code}, DeadLetterConfig={"TargetArn": topic})
lam.get_waiter("function_active_v2").wait(FunctionName=second)
lam.put_function_event_invoke_config(FunctionName=second, MaximumRetryAttempts=0,
                                     DestinationConfig={"OnSuccess": {"Destination": bus}})

out = lam.invoke(FunctionName=second, InvocationType="Event", Payload=json.dumps({"fail": True, "n": 3}))
msg = receive_one(sub_url, "SNS dead-letter topic")
equal(json.loads(msg["Body"]), {"fail": True, "n": 3}, "SNS DLQ body is the event")
equal(msg["MessageAttributes"]["RequestID"]["StringValue"], out["ResponseMetadata"]["RequestId"], "SNS DLQ RequestID")
equal(msg["MessageAttributes"]["ErrorCode"], {"DataType": "Number", "StringValue": "200"}, "SNS DLQ ErrorCode")

out = lam.invoke(FunctionName=second, InvocationType="Event", Payload=json.dumps({"n": 4}))
ev = json.loads(receive_one(queues["ok"][0], "EventBridge destination")["Body"])
equal(ev["source"], "lambda", "event source")
equal(ev["detail-type"], "Lambda Function Invocation Result - Success", "event detail-type")
equal(ev["resources"], [fn2["FunctionArn"], bus], "event resources")
equal(ev["detail"]["requestContext"]["condition"], "Success", "event detail condition")
equal(ev["detail"]["responsePayload"]["echo"], {"n": 4}, "event detail response")
lam.delete_function(FunctionName=second)
print("ok")
