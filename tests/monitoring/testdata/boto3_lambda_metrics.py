"""Lambda publishes AWS/Lambda metrics per invocation: Invocations, Errors and Duration by
FunctionName (and across all functions, and by Resource for a qualified invocation)."""
import io
import sys
import time
import zipfile
from datetime import datetime, timedelta, timezone

import boto3
from botocore.config import Config

name = sys.argv[1]
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
cw = boto3.client("cloudwatch")


def check(cond, what):
    if not cond:
        sys.exit("check failed: " + what)


buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("app.py", "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('boom')\n    return 'ok'\n")
lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/lambda-role",
                    Handler="app.handler", Code={"ZipFile": buf.getvalue()})
lam.get_waiter("function_active_v2").wait(FunctionName=name)
start = datetime.now(timezone.utc) - timedelta(minutes=1)
lam.invoke(FunctionName=name, Payload=b"{}")
lam.invoke(FunctionName=name, Payload=b"{}")
lam.invoke(FunctionName=name, Payload=b'{"fail": true}')
lam.publish_version(FunctionName=name)
lam.invoke(FunctionName=name, Qualifier="1", Payload=b"{}")


def stats(metric, dims, stat):
    out = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric, Dimensions=dims, StartTime=start,
                                   EndTime=datetime.now(timezone.utc) + timedelta(minutes=1), Period=300, Statistics=[stat])
    return sum(d[stat] for d in out["Datapoints"]), [d["Unit"] for d in out["Datapoints"]]


by_name = [{"Name": "FunctionName", "Value": name}]
deadline = time.time() + 15
while time.time() < deadline and stats("Invocations", by_name, "Sum")[0] < 4:
    time.sleep(0.5)
check(stats("Invocations", by_name, "Sum") == (4.0, ["Count"]), "Invocations by FunctionName: %r" % (stats("Invocations", by_name, "Sum"),))
check(stats("Errors", by_name, "Sum")[0] == 1.0, "Errors by FunctionName: %r" % (stats("Errors", by_name, "Sum"),))
total, units = stats("Duration", by_name, "SampleCount")
check(total == 4.0 and units == ["Milliseconds"], "Duration by FunctionName: %r" % ((total, units),))
by_resource = by_name + [{"Name": "Resource", "Value": name + ":1"}]
check(stats("Invocations", by_resource, "Sum")[0] == 1.0, "Invocations by Resource: %r" % (stats("Invocations", by_resource, "Sum"),))
ms = cw.list_metrics(Namespace="AWS/Lambda", MetricName="Invocations", Dimensions=[{"Name": "FunctionName", "Value": name}])["Metrics"]
check(len(ms) == 2, "ListMetrics lists the FunctionName and Resource metrics: %r" % ms)
print("ok")
