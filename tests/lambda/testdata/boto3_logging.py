"""Lambda's logging configuration through boto3: the default LoggingConfig, AWS's error for
a log level with the Text format, switching to JSON with a custom log group, the JSON
records the function's logs then hold in that group (GetLogEvents), and a traceback
arriving as one event. Takes a unique name as its first argument and exits non-zero with
a message naming the failed check."""
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config

from checks import check, equal, expect_error_message

SOURCE = """import logging

def handler(event, context):
    logging.getLogger().debug("debug record")
    logging.getLogger().info("info record")
    if event.get("fail"):
        raise ValueError("boom")
    return "ok"
"""

LEVEL_WITH_TEXT = ('LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
                   'request or change the LogFormat to "JSON" and try again.')

name = sys.argv[1]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("app.py", SOURCE)
code = buf.getvalue()

cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
lam = boto3.client("lambda", config=cfg)
logs = boto3.client("logs", config=cfg)
role = "arn:aws:iam::000000000000:role/lambda-role"

msg = expect_error_message(
    lambda: lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                Code={"ZipFile": code}, LoggingConfig={"ApplicationLogLevel": "DEBUG"}),
    "InvalidParameterValueException", 400, "level without JSON on create")
equal(msg, LEVEL_WITH_TEXT, "level without JSON: message")

fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                         Code={"ZipFile": code})
equal(fn["LoggingConfig"], {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}, "default LoggingConfig")
lam.get_waiter("function_active_v2").wait(FunctionName=name)
equal(lam.get_function_configuration(FunctionName=name)["LoggingConfig"],
      {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}, "default LoggingConfig on read")

msg = expect_error_message(
    lambda: lam.update_function_configuration(FunctionName=name, LoggingConfig={"SystemLogLevel": "WARN"}),
    "InvalidParameterValueException", 400, "level without JSON on update")
equal(msg, LEVEL_WITH_TEXT, "level without JSON on update: message")

group = f"/custom/{name}"
up = lam.update_function_configuration(FunctionName=name, LoggingConfig={"LogFormat": "JSON", "LogGroup": group})
equal(up["LoggingConfig"], {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO", "LogGroup": group},
      "JSON sets both levels to INFO")
lam.get_waiter("function_updated_v2").wait(FunctionName=name)

out = lam.invoke(FunctionName=name, Payload=b'{"fail": true}')
equal(out.get("FunctionError"), "Unhandled", "the function fails")
request_id = out["ResponseMetadata"]["RequestId"]


def messages():
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    out = []
    for s in streams:
        out += [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"],
                                                         startFromHead=True)["events"]]
    return out


deadline = time.time() + 20
records = []
while time.time() < deadline:
    try:
        records = [json.loads(m) for m in messages()]
    except logs.exceptions.ResourceNotFoundException:
        records = []
    if any(r.get("type") == "platform.report" for r in records):
        break
    time.sleep(0.2)
types = [r.get("type") for r in records if "type" in r]
check("platform.start" in types and "platform.report" in types, f"platform records in {group}: {types}")
start = next(r for r in records if r.get("type") == "platform.start")
equal(start["record"], {"requestId": request_id, "version": "$LATEST"}, "platform.start record")
report = next(r for r in records if r.get("type") == "platform.report")
equal(report["record"]["requestId"], request_id, "platform.report requestId")
check("durationMs" in report["record"]["metrics"], "platform.report metrics")
app = [r for r in records if "type" not in r]
equal([r["level"] for r in app], ["INFO", "ERROR"], "application levels at INFO")
equal(app[0]["message"], "info record", "logging record message")
equal(app[0]["requestId"], request_id, "logging record requestId")
equal(app[1]["errorType"], "ValueError", "the error record")
equal(app[1]["errorMessage"], "boom", "the error record's message")
check(isinstance(app[1]["stackTrace"], list) and app[1]["stackTrace"], "the error record's stack")
check(not logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"],
      "nothing in the default group")
print("ok")
