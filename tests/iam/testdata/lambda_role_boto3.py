"""The usual setup code: a role Lambda may assume, AWS's basic execution policy attached,
a function created with the role's ARN and invoked. Prints "ok" when every check passed."""
import io
import json
import sys
import zipfile

import boto3

name = sys.argv[1]
iam = boto3.client("iam")
lam = boto3.client("lambda")
trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return {'echo': event}\n")
fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role["Arn"], Handler="index.handler",
                         Code={"ZipFile": buf.getvalue()})
assert fn["Role"] == role["Arn"], fn
lam.get_waiter("function_active_v2").wait(FunctionName=name)
out = json.loads(lam.invoke(FunctionName=name, Payload=json.dumps({"a": 1}))["Payload"].read())
assert out == {"echo": {"a": 1}}, out
lam.delete_function(FunctionName=name)
iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
iam.delete_role(RoleName=name)
print("ok")
