"""AWS Lambda function settings through boto3: code signing configs (create, get, update,
list with pagination, attach to functions, list functions by config, refuse deletion while
used, Enforce refusing unsigned code), recursive loop detection, runtime management per
version, function scaling configs on a function without a capacity provider, and the
deprecated InvokeAsync. Takes a unique function name as its first argument and the path of
the Python handler as its second, and exits non-zero with a message naming the failed
check."""
import io
import re
import sys
import time
import zipfile

import boto3
from botocore.config import Config

from checks import check, equal, expect_error, expect_error_message

name, handler_path = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.write(handler_path, "app.py")
code = buf.getvalue()
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"
profile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/overcast/abcdef0123"

# Code signing configs.
csc = lam.create_code_signing_config(Description="conformance",
                                     AllowedPublishers={"SigningProfileVersionArns": [profile]})["CodeSigningConfig"]
check(re.fullmatch(r"csc-[0-9a-f]{17}", csc["CodeSigningConfigId"]), f"config id {csc['CodeSigningConfigId']}")
arn = csc["CodeSigningConfigArn"]
check(re.fullmatch(r"arn:aws:lambda:[a-z0-9-]+:\d{12}:code-signing-config:csc-[0-9a-f]{17}", arn), f"config ARN {arn}")
equal(csc["CodeSigningPolicies"], {"UntrustedArtifactOnDeployment": "Warn"}, "default policy")
equal(csc["AllowedPublishers"]["SigningProfileVersionArns"], [profile], "publishers")
got = lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
equal(got, csc, "get returns what create returned")
upd = lam.update_code_signing_config(CodeSigningConfigArn=arn, Description="changed")["CodeSigningConfig"]
equal(upd["Description"], "changed", "updated description")
equal(upd["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"], "Warn", "policy kept")

enforce = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [profile]},
                                         CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})["CodeSigningConfig"]["CodeSigningConfigArn"]
seen = set()
for page in lam.get_paginator("list_code_signing_configs").paginate(PaginationConfig={"PageSize": 1}):
    check(len(page["CodeSigningConfigs"]) <= 1, "page size")
    seen.update(c["CodeSigningConfigArn"] for c in page["CodeSigningConfigs"])
check({arn, enforce} <= seen, "both configs listed")

lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": code}, CodeSigningConfigArn=arn)
lam.get_waiter("function_active_v2").wait(FunctionName=name)
equal(lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"], arn, "attached at create")
fns = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"]
check(len(fns) == 1 and fns[0].endswith(":function:" + name), f"functions by config: {fns}")
expect_error(lambda: lam.delete_code_signing_config(CodeSigningConfigArn=arn), "ResourceConflictException", 409,
             "deleting a config in use")
# Warn accepts unsigned code.
lam.update_function_code(FunctionName=name, ZipFile=code)
lam.get_waiter("function_updated_v2").wait(FunctionName=name)

# Enforce refuses it: Overcast cannot see a valid signature on any zip.
lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=enforce)
msg = expect_error_message(lambda: lam.update_function_code(FunctionName=name, ZipFile=code),
                           "CodeVerificationFailedException", 400, "unsigned code under Enforce")
check("Lambda cannot deploy the function" in msg, f"message: {msg}")
expect_error(lambda: lam.create_function(FunctionName=name + "-e", Runtime="python3.12", Role=role, Handler="app.handler",
                                         Code={"ZipFile": code}, CodeSigningConfigArn=enforce),
             "CodeVerificationFailedException", 400, "create under Enforce")
expect_error(lambda: lam.get_function(FunctionName=name + "-e"), "ResourceNotFoundException", 404, "refused function not created")

lam.delete_function_code_signing_config(FunctionName=name)
# A function without a config: AWS answers an empty object.
check("CodeSigningConfigArn" not in lam.get_function_code_signing_config(FunctionName=name), "detached")
lam.delete_code_signing_config(CodeSigningConfigArn=arn)
lam.delete_code_signing_config(CodeSigningConfigArn=enforce)
expect_error(lambda: lam.get_code_signing_config(CodeSigningConfigArn=arn), "ResourceNotFoundException", 404, "deleted config")
expect_error(lambda: lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=arn),
             "CodeSigningConfigNotFoundException", 404, "attaching a deleted config")

# Recursive loop detection.
equal(lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"], "Terminate", "default recursion")
equal(lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")["RecursiveLoop"], "Allow", "put recursion")
equal(lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"], "Allow", "recursion stored")
expect_error(lambda: lam.get_function_recursion_config(FunctionName=name + "-x"), "ResourceNotFoundException", 404,
             "recursion of an unknown function")

# Runtime management, per version.
lam.publish_version(FunctionName=name)
rm = lam.get_runtime_management_config(FunctionName=name)
equal(rm["UpdateRuntimeOn"], "Auto", "default update mode")
check("RuntimeVersionArn" not in rm, "no runtime version ARN in Auto")
rv = "arn:aws:lambda:us-east-1::runtime:" + "ab" * 32
out = lam.put_runtime_management_config(FunctionName=name, Qualifier="1", UpdateRuntimeOn="Manual", RuntimeVersionArn=rv)
check(out["FunctionArn"].endswith(":function:" + name + ":1"), f"qualified ARN {out['FunctionArn']}")
rm = lam.get_runtime_management_config(FunctionName=name, Qualifier="1")
equal((rm["UpdateRuntimeOn"], rm["RuntimeVersionArn"]), ("Manual", rv), "version 1 is Manual")
equal(lam.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"], "Auto", "$LATEST unchanged")
expect_error(lambda: lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual"),
             "InvalidParameterValueException", 400, "Manual without a runtime version")
expect_error(lambda: lam.put_runtime_management_config(FunctionName=name, Qualifier="9", UpdateRuntimeOn="Auto"),
             "ResourceNotFoundException", 404, "unknown version")

# Scaling configs need a capacity provider.
expect_error(lambda: lam.get_function_scaling_config(FunctionName=name, Qualifier="1"),
             "InvalidParameterValueException", 400, "scaling config without a capacity provider")

# InvokeAsync queues an Event invocation.
out = lam.invoke_async(FunctionName=name, InvokeArgs=b'{"via":"invoke-async"}')
equal(out["Status"], 202, "InvokeAsync status")
expect_error(lambda: lam.invoke_async(FunctionName=name + "-x", InvokeArgs=b"{}"), "ResourceNotFoundException", 404,
             "InvokeAsync of an unknown function")

lam.delete_function(FunctionName=name)
print("ok")
