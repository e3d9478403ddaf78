"""Lambda's refusals as boto3 sees them. boto3 checks model minimums itself, so the client
runs with parameter validation off to reach the service. Takes a unique function name and
the path of a Python handler file (zipped as lambda_function.py); exits non-zero with a
message naming the failed check."""
import io
import json
import sys
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def equal(got, want, what):
    if got != want:
        sys.exit(f"FAIL: {what}: want {want!r}, got {got!r}")


def expect_error(fn, code, status, what, message=None, prefix=None):
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, f"{what}: error code ({e.response['Error'].get('Message')})")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], status, f"{what}: HTTP status")
        msg = e.response["Error"]["Message"]
        if message is not None:
            equal(msg, message, f"{what}: message")
        if prefix is not None and not msg.startswith(prefix):
            sys.exit(f"FAIL: {what}: message {msg!r} does not start with {prefix!r}")
        return
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buf.getvalue()


name, source = sys.argv[1], sys.argv[2]
with open(source) as f:
    code = zipped({"lambda_function.py": f.read()})

cfg = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
lam = boto3.client("lambda", config=cfg)
role = "arn:aws:iam::000000000000:role/lambda-role"


def create(suffix, **kw):
    args = dict(FunctionName=name + suffix, Runtime="python3.12", Role=role, Handler="lambda_function.hello", Code={"ZipFile": code})
    args.update(kw)
    return lambda: lam.create_function(**args)


def validation(value, member, constraint):
    return f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"


expect_error(create("-m", MemorySize=127), "ValidationException", 400, "MemorySize 127",
             validation(127, "memorySize", "Member must have value greater than or equal to 128"))
expect_error(create("-t", Timeout=0), "ValidationException", 400, "Timeout 0",
             validation(0, "timeout", "Member must have value greater than or equal to 1"))
expect_error(create("-e", EphemeralStorage={"Size": 511}), "ValidationException", 400, "EphemeralStorage 511",
             validation(511, "ephemeralStorage.size", "Member must have value greater than or equal to 512"))
expect_error(create("-h", Handler=""), "ValidationException", 400, "empty Handler",
             validation("", "handler", "Member must satisfy regular expression pattern: [^\\s]+"))
expect_error(create("-z", Code={"ZipFile": b"PK\x03\x04garbage"}), "InvalidParameterValueException", 400, "malformed zip",
             "Could not unzip uploaded file. Please check your file, then try to upload again.")
# AWS answers a runtime outside the enum in words of its own, not the model's.
expect_error(create("-r", Runtime="nodejs99.x"), "InvalidParameterValueException", 400, "unknown runtime",
             prefix="Value nodejs99.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [")
expect_error(create("-v", Environment={"Variables": {"VAR": "x" * 4100}}), "InvalidParameterValueException", 400, "environment over 4 KB",
             prefix="Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.")
names = [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
leaked = [n for n in names if n.startswith(name)]
equal(leaked, [], "functions created by refused requests")

# A zip without the handler's module is accepted; its invocations fail at init.
fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="lambda_function.hello",
                         Code={"ZipFile": zipped({"other.py": "X = 1\n"})})
lam.get_waiter("function_active_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=b"{}")
equal(out["FunctionError"], "Unhandled", "FunctionError of a package without its handler")
err = json.loads(out["Payload"].read())
equal(err["errorType"], "Runtime.ImportModuleError", "errorType")
equal(err["errorMessage"], "Unable to import module 'lambda_function': No module named 'lambda_function'", "errorMessage")

# Fixing the code makes it work.
lam.update_function_code(FunctionName=name, ZipFile=code, Publish=True)
lam.get_waiter("function_updated_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=json.dumps({"name": "boto"}))
equal(json.loads(out["Payload"].read()), {"hello": "boto"}, "invocation after the fix")

arn = fn["FunctionArn"]
expect_error(lambda: lam.invoke(FunctionName=name, Payload=b"{not json"), "InvalidRequestContentException", 400, "payload not JSON",
             prefix="Could not parse request body into json")
expect_error(lambda: lam.invoke(FunctionName=name, Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"'), "RequestEntityTooLargeException", 413,
             "payload over 6 MB", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
expect_error(lambda: lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'"' + b"x" * (1024 * 1024) + b'"'),
             "RequestEntityTooLargeException", 413, "async payload over 1 MB", "Request must be smaller than 1048576 bytes for the InvokeFunction operation")
expect_error(lambda: lam.invoke(FunctionName=name, Qualifier="2", Payload=b"{}"), "ResourceNotFoundException", 404,
             "version that does not exist", f"Function not found: {arn}:2")
expect_error(lambda: lam.invoke(FunctionName=name, Qualifier="prod", Payload=b"{}"), "ResourceNotFoundException", 404,
             "alias that does not exist", f"Function not found: {arn}:prod")
out = lam.invoke(FunctionName=name, Qualifier="1", InvocationType="DryRun")
equal(out["StatusCode"], 204, "DryRun status")
equal(out["Payload"].read(), b"", "DryRun payload")
print("ok")
