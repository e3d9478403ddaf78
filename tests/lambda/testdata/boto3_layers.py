"""AWS Lambda layers through boto3: publish layer versions, use them from a Python function
(a module imported from the layer's python/ directory, later layers overwriting earlier
ones) and from a provided.al2023 function whose bootstrap comes from a layer, layer
version permissions, listing with filters, deletes, and the documented errors. Takes a
unique name as its first argument and exits non-zero with a message naming the failed
check."""
import base64
import hashlib
import io
import json
import sys
import urllib.request
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import check, equal, expect_error_message




def zip_of(files, mode=0o644):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, body)
    return buf.getvalue()


name = sys.argv[1]
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"
first, second = name + "-one", name + "-two"

# Publish: CodeSha256 and CodeSize exact, Location downloadable, numbering per layer.
zip1 = zip_of({"python/shared.py": "VALUE = 'one'\n", "python/only_one.py": "X = 1\n"})
l1 = lam.publish_layer_version(LayerName=first, Description="first layer", Content={"ZipFile": zip1},
                               CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"],
                               LicenseInfo="MIT")
equal(l1["Version"], 1, "first version")
equal(l1["Content"]["CodeSha256"], base64.b64encode(hashlib.sha256(zip1).digest()).decode(), "CodeSha256")
equal(l1["Content"]["CodeSize"], len(zip1), "CodeSize")
check(l1["LayerVersionArn"].endswith(":layer:" + first + ":1"), "LayerVersionArn")
equal(l1["LayerArn"] + ":1", l1["LayerVersionArn"], "LayerArn")
equal(l1["CompatibleRuntimes"], ["python3.12"], "CompatibleRuntimes")
equal(l1["LicenseInfo"], "MIT", "LicenseInfo")
with urllib.request.urlopen(l1["Content"]["Location"]) as resp:
    equal(resp.read(), zip1, "the zip at Content.Location")
l2 = lam.publish_layer_version(LayerName=second, Content={"ZipFile": zip_of({"python/shared.py": "VALUE = 'two'\n"})},
                               CompatibleRuntimes=["nodejs20.x"])
got = lam.get_layer_version(LayerName=first, VersionNumber=1)
equal(got["Description"], "first layer", "GetLayerVersion Description")
got = lam.get_layer_version_by_arn(Arn=l2["LayerVersionArn"])
equal(got["Version"], 1, "GetLayerVersionByArn")
expect_error_message(lambda: lam.get_layer_version(LayerName=first, VersionNumber=5),
             "ResourceNotFoundException", 404, "missing layer version")
msg = expect_error_message(lambda: lam.publish_layer_version(LayerName=first, Content={"ZipFile": b"not a zip"}),
                   "InvalidParameterValueException", 400, "malformed zip")
equal(msg, "Could not unzip uploaded file. Please check your file, then try to upload again.", "malformed zip message")

# A Python function importing from the layers: the later layer wins.
code = zip_of({"app.py": "import shared, only_one\ndef handler(event, context):\n    return {'value': shared.VALUE, 'x': only_one.X}\n"})
fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                         Code={"ZipFile": code}, Layers=[l1["LayerVersionArn"], l2["LayerVersionArn"]])
equal([l["Arn"] for l in fn["Layers"]], [l1["LayerVersionArn"], l2["LayerVersionArn"]], "Layers of the function")
equal(fn["Layers"][0]["CodeSize"], len(zip1), "a layer's CodeSize")
lam.get_waiter("function_active_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=b"{}")
check("FunctionError" not in out, "invocation with layers succeeds")
equal(json.loads(out["Payload"].read()), {"value": "two", "x": 1}, "modules from the layers")
cfg = lam.get_function_configuration(FunctionName=name)
equal(len(cfg["Layers"]), 2, "GetFunctionConfiguration Layers")
lam.update_function_configuration(FunctionName=name, Layers=[l2["LayerVersionArn"], l1["LayerVersionArn"]])
lam.get_waiter("function_updated_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=b"{}")
equal(json.loads(out["Payload"].read())["value"], "one", "reordered layers")
published = lam.publish_version(FunctionName=name)

# Errors of functions using layers.
missing = l1["LayerArn"] + ":9"
msg = expect_error_message(lambda: lam.update_function_configuration(FunctionName=name, Layers=[missing]),
                   "InvalidParameterValueException", 400, "missing layer version")
equal(msg, f"Layer version {missing} does not exist.", "missing layer message")
msg = expect_error_message(lambda: lam.update_function_configuration(FunctionName=name, Layers=[l1["LayerVersionArn"]] * 6),
                   "InvalidParameterValueException", 400, "six layers")
equal(msg, "Cannot reference more than 5 layers.", "six layers message")

# Deleting a layer version: gone from the API, numbers not reused, functions keep it.
lam.delete_layer_version(LayerName=first, VersionNumber=1)
lam.delete_layer_version(LayerName=first, VersionNumber=1)  # idempotent
expect_error_message(lambda: lam.get_layer_version(LayerName=first, VersionNumber=1),
             "ResourceNotFoundException", 404, "deleted layer version")
again = lam.publish_layer_version(LayerName=first, Content={"ZipFile": zip1}, CompatibleRuntimes=["python3.13"])
equal(again["Version"], 2, "numbers are never reused")
out = lam.invoke(FunctionName=name, Qualifier=published["Version"], Payload=b"{}")
equal(json.loads(out["Payload"].read())["value"], "one", "a published version keeps its deleted layer")

# Listing with filters.
layers = {l["LayerName"]: l for l in lam.list_layers()["Layers"]}
equal(layers[first]["LatestMatchingVersion"]["Version"], 2, "ListLayers latest version")
py = {l["LayerName"] for l in lam.list_layers(CompatibleRuntime="python3.13")["Layers"]}
check(first in py and second not in py, "ListLayers CompatibleRuntime filter")
node = {l["LayerName"] for l in lam.list_layers(CompatibleRuntime="nodejs20.x")["Layers"]}
check(second in node and first not in node, "ListLayers nodejs filter")
arm = {l["LayerName"] for l in lam.list_layers(CompatibleArchitecture="arm64")["Layers"]}
check(first not in arm and second not in arm, "ListLayers CompatibleArchitecture filter")
versions = lam.list_layer_versions(LayerName=first)["LayerVersions"]
equal([v["Version"] for v in versions], [2], "ListLayerVersions after the delete")

# Layer version permissions.
expect_error_message(lambda: lam.get_layer_version_policy(LayerName=second, VersionNumber=1),
             "ResourceNotFoundException", 404, "no policy yet")
added = lam.add_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="xaccount",
                                         Action="lambda:GetLayerVersion", Principal="210987654321")
statement = json.loads(added["Statement"])
equal(statement["Principal"], {"AWS": "arn:aws:iam::210987654321:root"}, "statement principal")
equal(statement["Resource"], l2["LayerVersionArn"], "statement resource")
expect_error_message(lambda: lam.add_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="xaccount",
                                                      Action="lambda:GetLayerVersion", Principal="*"),
             "ResourceConflictException", 409, "duplicate statement id")
expect_error_message(lambda: lam.add_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="all",
                                                      Action="lambda:GetLayerVersion", Principal="*",
                                                      RevisionId="not-the-revision"),
             "PreconditionFailedException", 412, "stale RevisionId")
lam.add_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="all",
                                 Action="lambda:GetLayerVersion", Principal="*", RevisionId=added["RevisionId"])
policy = lam.get_layer_version_policy(LayerName=second, VersionNumber=1)
doc = json.loads(policy["Policy"])
equal([s["Sid"] for s in doc["Statement"]], ["xaccount", "all"], "policy statements")
equal(doc["Version"], "2012-10-17", "policy version")
expect_error_message(lambda: lam.remove_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="nope"),
             "ResourceNotFoundException", 404, "removing an unknown statement")
lam.remove_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="xaccount",
                                    RevisionId=policy["RevisionId"])
lam.remove_layer_version_permission(LayerName=second, VersionNumber=1, StatementId="all")
expect_error_message(lambda: lam.get_layer_version_policy(LayerName=second, VersionNumber=1),
             "ResourceNotFoundException", 404, "policy emptied")

# A provided.al2023 function whose bootstrap comes from a layer.
bootstrap = """#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    body = json.dumps({"bootstrap": "from a layer", "event": event}).encode()
    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body, method="POST")).read()
"""
runtime = lam.publish_layer_version(LayerName=name + "-runtime", Content={"ZipFile": zip_of({"bootstrap": bootstrap}, 0o755)})
lam.create_function(FunctionName=name + "-provided", Runtime="provided.al2023", Role=role, Handler="unused",
                    Code={"ZipFile": zip_of({"README": "the bootstrap is in a layer"})},
                    Layers=[runtime["LayerVersionArn"]])
lam.get_waiter("function_active_v2").wait(FunctionName=name + "-provided")
out = lam.invoke(FunctionName=name + "-provided", Payload=b'{"k": 1}')
check("FunctionError" not in out, "provided function with a layer bootstrap succeeds")
equal(json.loads(out["Payload"].read()), {"bootstrap": "from a layer", "event": {"k": 1}}, "bootstrap from a layer")

for fn_name in (name, name + "-provided"):
    lam.delete_function(FunctionName=fn_name)
print("ok")
