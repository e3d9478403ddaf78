"""AWS Lambda provisioned concurrency through boto3: configs on a version and an alias,
polling until READY as boto3 users do, invocations served by environments initialised
beforehand (no Init Duration, a module-level init time before the invoke), listing,
deleting, and the documented errors. Takes a unique function name as its first argument
and exits non-zero with a message naming the failed check."""
import base64
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import check, equal, expect_error_message




SOURCE = """import os, time
INIT_AT = time.time()
INIT_TYPE = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE")
def handler(event, context):
    return {"init_at": INIT_AT, "init_type": INIT_TYPE}
"""

name = sys.argv[1]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("app.py", SOURCE)
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"
lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                         Code={"ZipFile": buf.getvalue()}, Publish=True)
lam.get_waiter("published_version_active").wait(FunctionName=name, Qualifier="1")
lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")

msg = expect_error_message(lambda: lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST",
                                                                  ProvisionedConcurrentExecutions=1),
                   "InvalidParameterValueException", 400, "$LATEST")
equal(msg, "Provisioned Concurrency Configs cannot be applied to unpublished function versions.", "$LATEST message")
expect_error_message(lambda: lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="42",
                                                            ProvisionedConcurrentExecutions=1),
             "ResourceNotFoundException", 404, "missing version")
expect_error_message(lambda: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live"),
             "ProvisionedConcurrencyConfigNotFoundException", 404, "no config yet")

put = lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2)
equal(put["ResponseMetadata"]["HTTPStatusCode"], 202, "PutProvisionedConcurrencyConfig status")
equal(put["Status"], "IN_PROGRESS", "status right after Put")
equal(put["RequestedProvisionedConcurrentExecutions"], 2, "requested")

deadline = time.time() + 30
while True:
    cfg = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    if cfg["Status"] != "IN_PROGRESS" or time.time() > deadline:
        break
    time.sleep(0.1)
equal(cfg["Status"], "READY", "status once initialised")
equal(cfg["AllocatedProvisionedConcurrentExecutions"], 2, "allocated")
equal(cfg["AvailableProvisionedConcurrentExecutions"], 2, "available")
check("LastModified" in cfg, "LastModified")

before = time.time()
out = lam.invoke(FunctionName=name, Qualifier="live", Payload=b"{}", LogType="Tail")
body = json.loads(out["Payload"].read())
equal(body["init_type"], "provisioned-concurrency", "the invocation ran in a provisioned environment")
check(body["init_at"] < before, "the environment was initialised before the invocation")
tail = base64.b64decode(out["LogResult"]).decode()
check("REPORT RequestId" in tail, "REPORT line in the tail")
check("Init Duration" not in tail, "no Init Duration for a provisioned environment: " + tail)

configs = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
unqualified = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
equal([c["FunctionArn"] for c in configs], [unqualified + ":live"], "listed configs")
expect_error_message(lambda: lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="1",
                                                            ProvisionedConcurrentExecutions=1),
             "ResourceConflictException", 409, "version already provisioned through an alias")

lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
msg = expect_error_message(lambda: lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live",
                                                                  ProvisionedConcurrentExecutions=6),
                   "InvalidParameterValueException", 400, "above the reservation")
equal(msg, "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
      "above the reservation message")
equal(lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 5, "reservation kept")
lam.delete_function_concurrency(FunctionName=name)

lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
expect_error_message(lambda: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live"),
             "ProvisionedConcurrencyConfigNotFoundException", 404, "deleted config")
equal(lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"], [], "no configs left")
lam.delete_function(FunctionName=name)
print("ok")
