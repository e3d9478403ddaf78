"""The members of Lambda's and EventBridge Scheduler's error bodies, as boto3 reports them
next to Error: Lambda's errors carry Type "User" and the message under the member name
their shape gives it ("Message" for ResourceNotFoundException, "message" for
ResourceConflictException), Scheduler's under "Message". Takes a unique function name and
the path of the Python handler; exits non-zero naming the failed check."""
import io
import sys
import zipfile

import boto3
from botocore.config import Config

from checks import equal

name, handler_path = sys.argv[1], sys.argv[2]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
lam = boto3.client("lambda", config=cfg)
sch = boto3.client("scheduler", config=cfg)


def caught(fn, **kwargs):
    try:
        fn(**kwargs)
    except lam.exceptions.ClientError as e:
        return e.response
    raise SystemExit(f"{fn.__name__}: no error")


r = caught(lam.get_function, FunctionName=name)
equal(r["Error"]["Code"], "ResourceNotFoundException", "get_function code")
equal(r.get("Type"), "User", "ResourceNotFoundException Type")
equal(r.get("Message"), r["Error"]["Message"], "ResourceNotFoundException Message member")

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.write(handler_path, "app.py")
kwargs = dict(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
              Handler="app.handler", Code={"ZipFile": buf.getvalue()})
lam.create_function(**kwargs)
r = caught(lam.create_function, **kwargs)
equal(r["Error"]["Code"], "ResourceConflictException", "second create code")
equal(r.get("Type"), "User", "ResourceConflictException Type")
equal(r.get("message"), r["Error"]["Message"], "ResourceConflictException message member")
lam.delete_function(FunctionName=name)

r = caught(sch.get_schedule, Name=name)
equal(r["Error"]["Code"], "ResourceNotFoundException", "get_schedule code")
equal(r.get("Message"), r["Error"]["Message"], "Scheduler Message member")
print("ok")
