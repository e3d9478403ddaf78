"""Lambda function URLs and InvokeWithResponseStream through boto3: URL configs for
$LATEST and an alias with their documented errors, and response streams read from the
EventStream (a Node.js function streaming with awslambda.streamifyResponse, and a
buffered Python function answering in one chunk). Takes a unique function name, the
path of the Python handler and the path of the Node.js handler, and exits non-zero with
a message naming the failed check."""
import io
import json
import re
import sys
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import check, equal, expect_error




def zipped(path, name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(path, name)
    return buf.getvalue()


def read_stream(out):
    chunks, done = [], None
    for event in out["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
        if "InvokeComplete" in event:
            done = event["InvokeComplete"]
    return b"".join(chunks), len(chunks), done


name, py_source, js_source = sys.argv[1], sys.argv[2], sys.argv[3]
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"

lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": zipped(py_source, "app.py")})
lam.get_waiter("function_active_v2").wait(FunctionName=name)
arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]

url = lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                     Cors={"AllowOrigins": ["*"], "AllowMethods": ["GET"], "AllowCredentials": False})
check(re.match(r"^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/$", url["FunctionUrl"]), "FunctionUrl shape")
equal(url["FunctionArn"], arn, "FunctionArn")
equal(url["AuthType"], "NONE", "AuthType")
check("InvokeMode" not in url, "AWS answers InvokeMode only when the request gave it")
equal(lam.get_function_url_config(FunctionName=name)["InvokeMode"], "BUFFERED", "default InvokeMode")
equal(url["ResponseMetadata"]["HTTPStatusCode"], 201, "create status")
expect_error(lambda: lam.create_function_url_config(FunctionName=name, AuthType="NONE"),
             "ResourceConflictException", 409, "second URL for $LATEST")
expect_error(lambda: lam.create_function_url_config(FunctionName=name, AuthType="SOMETIMES"),
             "ValidationException", 400, "unknown AuthType")
expect_error(lambda: lam.get_function_url_config(FunctionName=name + "-missing"),
             "ResourceNotFoundException", 404, "URL of a missing function")

lam.publish_version(FunctionName=name)
lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
alias_url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="AWS_IAM",
                                           InvokeMode="RESPONSE_STREAM")
equal(alias_url["FunctionArn"], arn + ":live", "alias FunctionArn")
check(alias_url["FunctionUrl"] != url["FunctionUrl"], "the alias has a URL of its own")
got = lam.get_function_url_config(FunctionName=name, Qualifier="live")
equal(got["InvokeMode"], "RESPONSE_STREAM", "alias InvokeMode")
check(got["LastModifiedTime"] >= got["CreationTime"], "LastModifiedTime")
updated = lam.update_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE",
                                         Cors={"AllowOrigins": ["https://x.example"]})
equal(updated["AuthType"], "NONE", "updated AuthType")
equal(updated["Cors"]["AllowOrigins"], ["https://x.example"], "updated Cors")
equal(updated["InvokeMode"], "RESPONSE_STREAM", "InvokeMode kept")
configs = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
equal(sorted(c["FunctionArn"] for c in configs), [arn, arn + ":live"], "listed URLs")
page = lam.list_function_url_configs(FunctionName=name, MaxItems=1)
equal(len(page["FunctionUrlConfigs"]), 1, "first page")
check("NextMarker" in page, "NextMarker")
lam.delete_function_url_config(FunctionName=name, Qualifier="live")
expect_error(lambda: lam.get_function_url_config(FunctionName=name, Qualifier="live"),
             "ResourceNotFoundException", 404, "deleted URL")

# A buffered function answers a response stream in one chunk.
out = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps({"rawPath": "/bare"}), LogType="Tail")
equal(out["StatusCode"], 200, "stream status")
equal(out["ExecutedVersion"], "$LATEST", "ExecutedVersion")
body, n, done = read_stream(out)
equal(n, 1, "one chunk from a buffered function")
equal(json.loads(body)["bare"], True, "buffered payload")
check(done is not None and not done.get("ErrorCode"), "InvokeComplete without error")
check(done.get("LogResult"), "LogResult with LogType Tail")

out = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps({"rawPath": "/fail"}))
body, n, done = read_stream(out)
check(done.get("ErrorCode"), "ErrorCode of a failed function")
check("url failure" in done.get("ErrorDetails", ""), "ErrorDetails of a failed function")
expect_error(lambda: lam.invoke_with_response_stream(FunctionName=name + "-missing"),
             "ResourceNotFoundException", 404, "stream from a missing function")

streamer = name + "-js"
lam.create_function(FunctionName=streamer, Runtime="nodejs20.x", Role=role, Handler="index.handler",
                    Code={"ZipFile": zipped(js_source, "index.js")})
lam.get_waiter("function_active_v2").wait(FunctionName=streamer)
out = lam.invoke_with_response_stream(FunctionName=streamer, Payload=b"{}")
body, n, done = read_stream(out)
equal(body, b"alpha,beta,gamma", "streamed body")
check(not done.get("ErrorCode"), "streamed without error")
out = lam.invoke_with_response_stream(FunctionName=streamer, Payload=json.dumps({"big": True}))
body, n, done = read_stream(out)
equal(len(body), 100000, "big streamed body")
check(n >= 2, f"several chunks from a streaming function, got {n}")
out = lam.invoke_with_response_stream(FunctionName=streamer, Payload=json.dumps({"fail": True}))
body, n, done = read_stream(out)
equal(body, b"alpha,beta,gamma", "chunks before the failure")
check(done.get("ErrorCode"), "ErrorCode mid-stream")
check("stream failure" in done.get("ErrorDetails", ""), "ErrorDetails mid-stream")
print("ok")
