"""AWS Lambda through boto3: create a Python function from a zip, wait for it, invoke it
(payload, error shape, LogType=Tail), update its code and configuration, publish, list,
tag and delete it, with the documented errors. Takes a unique function name as its first
argument and the path of the handler source as its second, and exits non-zero with a
message naming the failed check."""
import base64
import hashlib
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import check, equal, expect_error




name, source = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.write(source, "app.py")
code = buf.getvalue()

lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"

fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                         Code={"ZipFile": code}, MemorySize=256, Timeout=10,
                         Environment={"Variables": {"GREETING": "boto"}})
equal(fn["CodeSha256"], base64.b64encode(hashlib.sha256(code).digest()).decode(), "CodeSha256")
equal(fn["CodeSize"], len(code), "CodeSize")
equal(fn["MemorySize"], 256, "MemorySize")
check(fn["FunctionArn"].endswith(":function:" + name), "FunctionArn")
lam.get_waiter("function_active_v2").wait(FunctionName=name)

out = lam.invoke(FunctionName=name, Payload=json.dumps({"k": "v"}), LogType="Tail")
equal(out["StatusCode"], 200, "invoke status")
check("FunctionError" not in out, "no FunctionError on success")
body = json.loads(out["Payload"].read())
equal(body["echo"], {"k": "v"}, "echoed event")
equal(body["greeting"], "boto", "environment variable")
tail = base64.b64decode(out["LogResult"]).decode()
check("hello from " + name in tail, "log tail has the function's print")
check("REPORT RequestId:" in tail, "log tail has REPORT")

out = lam.invoke(FunctionName=name, Payload=json.dumps({"fail": True}))
equal(out["FunctionError"], "Unhandled", "FunctionError")
err = json.loads(out["Payload"].read())
equal(err["errorType"], "ValueError", "errorType")
equal(err["errorMessage"], "boom", "errorMessage")
check(isinstance(err.get("stackTrace"), list), "stackTrace")

expect_error(lambda: lam.invoke(FunctionName=name, Payload=b"{not json"), "InvalidRequestContentException", 400, "non-JSON payload")
expect_error(lambda: lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": code}),
             "ResourceConflictException", 409, "duplicate function")
expect_error(lambda: lam.get_function(FunctionName=name + "-missing"), "ResourceNotFoundException", 404, "missing function")
expect_error(lambda: lam.create_function(FunctionName=name + "-env", Runtime="python3.12", Role=role, Handler="app.handler",
                                         Code={"ZipFile": code}, Environment={"Variables": {"BIG": "x" * 5000}}),
             "InvalidParameterValueException", 400, "environment over 4 KB")

cfg = lam.update_function_configuration(FunctionName=name, Timeout=20, Description="updated")
equal(cfg["Timeout"], 20, "updated Timeout")
lam.get_waiter("function_updated_v2").wait(FunctionName=name)
v = lam.publish_version(FunctionName=name)
equal(v["Version"], "1", "published version")
out = lam.invoke(FunctionName=name + ":1", Payload=b"{}")
equal(out["ExecutedVersion"], "1", "ExecutedVersion")

arn = fn["FunctionArn"]
lam.tag_resource(Resource=arn, Tags={"a": "1"})
equal(lam.list_tags(Resource=arn)["Tags"], {"a": "1"}, "tags")
lam.untag_resource(Resource=arn, TagKeys=["a"])
equal(lam.list_tags(Resource=arn)["Tags"], {}, "tags after untag")

names = [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}) for f in page["Functions"]]
check(name in names, "list_functions finds the function")

# Function output reaches CloudWatch Logs in /aws/lambda/<name>.
logs = boto3.client("logs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
deadline = time.time() + 30
messages = []
while time.time() < deadline:
    try:
        messages = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/" + name)["events"]]
    except ClientError:
        messages = []
    if any("hello from " + name in m for m in messages):
        break
    time.sleep(0.2)
check(any("hello from " + name in m for m in messages), f"function output in CloudWatch Logs, got {messages!r}")
check(any(m.startswith("START RequestId:") for m in messages), "START line in CloudWatch Logs")

lam.delete_function(FunctionName=name)
expect_error(lambda: lam.get_function_configuration(FunctionName=name), "ResourceNotFoundException", 404, "deleted function")
print("ok")
