#!/usr/bin/env python3
"""Prints, as JSON, requests signed by botocore for an endpoint, without sending them:
header-signed calls of several protocols and presigned URLs. The edge's SigV4 tests send
them to a verifier. Usage: sign_requests.py ENDPOINT ACCESS_KEY SECRET
"""
import base64
import json
import sys

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config


class Captured(Exception):
    pass


def main():
    endpoint, key, secret = sys.argv[1:4]
    out = []

    def client(name, region="us-east-1", **cfg):
        return boto3.client(name, region_name=region, endpoint_url=endpoint, aws_access_key_id=key,
                            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, **cfg))

    def call(name, c, op, **params):
        rec = {}

        def before_send(request, **kwargs):
            body = request.body or b""
            if hasattr(body, "read"):
                body = body.read()
            if isinstance(body, str):
                body = body.encode()
            headers = [[k, v.decode() if isinstance(v, bytes) else v] for k, v in request.headers.items()]
            rec.update(name=name, method=request.method, url=request.url, headers=headers,
                       body=body.decode("latin-1"), date=request.headers["X-Amz-Date"].decode()
                       if isinstance(request.headers["X-Amz-Date"], bytes) else request.headers["X-Amz-Date"])
            raise Captured()

        c.meta.events.register("before-send", before_send)
        try:
            getattr(c, op)(**params)
        except Captured:
            pass
        out.append(rec)

    q = endpoint + "/000000000000/orders"
    call("sqs json SendMessage", client("sqs"), "send_message", QueueUrl=q, MessageBody="hi  there")
    call("sns query Publish", client("sns", "eu-west-1"), "publish",
         TopicArn="arn:aws:sns:eu-west-1:000000000000:t", Message="a+b c&d=e")
    call("lambda Invoke by ARN", client("lambda"), "invoke",
         FunctionName="arn:aws:lambda:us-east-1:000000000000:function:f", Qualifier="$LATEST", Payload=b"{}")
    call("lambda ListFunctions with marker", client("lambda"), "list_functions", Marker="a b+c/d", MaxItems=5)
    call("s3 PutObject reserved characters", client("s3", s3={"addressing_style": "path"}), "put_object",
         Bucket="photos", Key="dir/a b+c=d(e)*~.txt", Body=b"meow", Metadata={"note": "two  spaces"})
    call("s3 ListObjectsV2 with prefix", client("s3", s3={"addressing_style": "path"}), "list_objects_v2",
         Bucket="photos", Prefix="dir/a b", Delimiter="/")
    call("apigatewayv2 GetRoutes", client("apigatewayv2"), "get_routes", ApiId="abc123")
    call("cloudwatch PutMetricData", client("cloudwatch"), "put_metric_data",
         Namespace="App", MetricData=[{"MetricName": "m", "Value": 1.5}])
    call("sts GetCallerIdentity", client("sts"), "get_caller_identity")

    # Low-level botocore signers, for paths SDK clients never build.
    creds = botocore.credentials.Credentials(key, secret)
    req = botocore.awsrequest.AWSRequest(method="GET", url=endpoint + "/2015-03-31/functions/./f/../g//configuration")
    botocore.auth.SigV4Auth(creds, "lambda", "us-east-1").add_auth(req)
    p = req.prepare()
    out.append({"name": "lambda path with dot segments", "method": "GET", "url": p.url,
                "headers": [[k, v] for k, v in p.headers.items()], "body": "", "date": p.headers["X-Amz-Date"]})

    s3 = client("s3", s3={"addressing_style": "path"}, signature_version="s3v4")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "photos", "Key": "dir/a b.txt"}, ExpiresIn=600)
    out.append({"name": "s3 presigned GetObject", "method": "GET", "url": url, "headers": [], "body": "",
                "date": url.split("X-Amz-Date=")[1][:16]})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "photos", "Key": "up.txt"}, ExpiresIn=600)
    out.append({"name": "s3 presigned PutObject", "method": "PUT", "url": url, "headers": [], "body": "data",
                "date": url.split("X-Amz-Date=")[1][:16]})
    sts = client("sts", "us-west-2")
    url = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=600)
    # botocore signs presigned URLs with the operation's method, POST for STS.
    out.append({"name": "sts presigned GetCallerIdentity", "method": "POST", "url": url, "headers": [], "body": "",
                "date": url.split("X-Amz-Date=")[1][:16]})
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
