"""Lambda code and layers from S3 (Code.S3Bucket/S3Key, Content.S3Bucket/S3Key), through
boto3: the function runs the code stored in S3, UpdateFunctionCode and PublishLayerVersion
read S3 too, and a missing bucket or key answers InvalidParameterValueException quoting
S3's error as AWS does. Takes a unique name and the path of the Python handler; exits
non-zero naming the failed check."""
import io
import json
import sys
import zipfile

import boto3
from botocore.config import Config

from checks import equal, expect_error_message

name, handler_path = sys.argv[1], sys.argv[2]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})
lam = boto3.client("lambda", config=cfg)
s3 = boto3.client("s3", config=cfg)
bucket = name.lower()[:50] + "-code"


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for arc, body in files.items():
            zf.writestr(arc, body)
    return buf.getvalue()


handler = open(handler_path).read()
s3.create_bucket(Bucket=bucket)
v1 = zipped({"app.py": handler})
s3.put_object(Bucket=bucket, Key="v1.zip", Body=v1)
created = lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                              Handler="app.handler", Code={"S3Bucket": bucket, "S3Key": "v1.zip"})
equal(created["CodeSize"], len(v1), "CodeSize of the S3 package")
lam.get_waiter("function_active_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=b'{"x": 1}')
equal("FunctionError" in out, False, "invoke of S3 code")

v2 = zipped({"app.py": "def handler(event, context):\n    return {'from': 's3 v2'}\n"})
s3.put_object(Bucket=bucket, Key="v2.zip", Body=v2)
lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="v2.zip")
lam.get_waiter("function_updated_v2").wait(FunctionName=name)
out = lam.invoke(FunctionName=name, Payload=b"{}")
equal(json.loads(out["Payload"].read()), {"from": "s3 v2"}, "invoke after UpdateFunctionCode from S3")

layer = zipped({"python/helper.py": "X = 1\n"})
s3.put_object(Bucket=bucket, Key="layer.zip", Body=layer)
lv = lam.publish_layer_version(LayerName=name, Content={"S3Bucket": bucket, "S3Key": "layer.zip"})
equal(lv["Content"]["CodeSize"], len(layer), "layer CodeSize from S3")

msg = expect_error_message(lambda: lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="missing.zip"),
                           "InvalidParameterValueException", 400, "missing key")
equal(msg, "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.", "missing key message")
msg = expect_error_message(lambda: lam.create_function(FunctionName=name + "-x", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                                                       Handler="app.handler", Code={"S3Bucket": bucket + "-none", "S3Key": "v1.zip"}),
                           "InvalidParameterValueException", 400, "missing bucket")
equal(msg, "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist", "missing bucket message")
lam.delete_function(FunctionName=name)
print("ok")
