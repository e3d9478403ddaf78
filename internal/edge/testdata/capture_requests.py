#!/usr/bin/env python3
"""Records the HTTP requests botocore (boto3 and the AWS CLI share it) sends for a set of
API calls, without sending them, into requests.json. The edge's identification tests
replay them. Run from this directory: python3 capture_requests.py > requests.json
"""
import base64
import json
import sys
import urllib.parse

import boto3
import botocore.awsrequest
import botocore.auth
import botocore.credentials
from botocore.config import Config


class Captured(Exception):
    pass


def capture(name, client_name, op, params, region="us-east-1", endpoint="http://localhost:4566",
            config=None, want_op=None, want_service=None, unsigned=False, key="AKIAIOSFODNN7EXAMPLE"):
    cfg = Config(retries={"max_attempts": 1}, **(config or {}))
    if unsigned:
        cfg = cfg.merge(Config(signature_version=botocore.UNSIGNED))
    c = boto3.client(client_name, region_name=region, endpoint_url=endpoint,
                     aws_access_key_id=key, aws_secret_access_key="secret", config=cfg)
    out = {}

    def before_send(request, **kwargs):
        out.update(request_record(request))
        raise Captured()

    c.meta.events.register("before-send", before_send)
    try:
        getattr(c, op)(**params)
    except Captured:
        pass
    out.update(name=name, client=client_name,
               want_model=want_service or c.meta.service_model.service_name,
               want_op=want_op or c.meta.service_model.operation_model(
                   c.meta.method_to_api_mapping[op]).name)
    return out


def request_record(request):
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    headers = [[k, v.decode() if isinstance(v, bytes) else v] for k, v in request.headers.items()]
    return {"method": request.method, "url": request.url, "headers": headers,
            "body": base64.b64encode(body).decode()}


def query_request(name, service, url, params, want_model, want_op, region="us-east-1"):
    """A SigV4-signed awsQuery request, as older SDKs and the AWS CLI v1 send SQS calls."""
    body = urllib.parse.urlencode(params)
    req = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    creds = botocore.credentials.Credentials("AKIAIOSFODNN7EXAMPLE", "secret")
    botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
    rec = request_record(req.prepare())
    rec.update(name=name, client="botocore-query", want_model=want_model, want_op=want_op)
    return rec


def main():
    q = "http://localhost:4566/000000000000/orders"
    recs = [
        capture("sqs json SendMessage", "sqs", "send_message", {"QueueUrl": q, "MessageBody": "hi"}),
        capture("sqs json ReceiveMessage long poll", "sqs", "receive_message", {"QueueUrl": q, "WaitTimeSeconds": 20}),
        capture("sqs json CreateQueue in eu-west-1", "sqs", "create_queue", {"QueueName": "q"}, region="eu-west-1"),
        query_request("sqs query SendMessage to queue URL", "sqs", q,
                      {"Action": "SendMessage", "Version": "2012-11-05", "MessageBody": "hi"}, "sqs", "SendMessage"),
        query_request("sqs query ListQueues at root", "sqs", "http://localhost:4566/",
                      {"Action": "ListQueues", "Version": "2012-11-05"}, "sqs", "ListQueues"),
        capture("sns query Publish", "sns", "publish", {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Message": "m"}),
        capture("sns query CreateTopic", "sns", "create_topic", {"Name": "t"}),
        capture("sts query GetCallerIdentity", "sts", "get_caller_identity", {}),
        capture("sts unsigned AssumeRoleWithWebIdentity", "sts", "assume_role_with_web_identity",
                {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "session", "WebIdentityToken": "t" * 10}),
        capture("iam query ListRoles", "iam", "list_roles", {}),
        capture("lambda rest-json Invoke", "lambda", "invoke", {"FunctionName": "f", "Payload": b"{}"}),
        capture("lambda rest-json ListFunctions", "lambda", "list_functions", {}),
        capture("lambda rest-json GetFunction by ARN", "lambda", "get_function",
                {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f"}),
        capture("lambda rest-json CreateEventSourceMapping", "lambda", "create_event_source_mapping",
                {"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:q"}),
        capture("s3 path-style PutObject", "s3", "put_object", {"Bucket": "photos", "Key": "cats/tom.jpg", "Body": b"meow"},
                config={"s3": {"addressing_style": "path"}}),
        capture("s3 virtual-host GetObject", "s3", "get_object", {"Bucket": "photos", "Key": "cats/tom.jpg"},
                config={"s3": {"addressing_style": "virtual"}}),
        capture("s3 virtual-host ListObjectsV2", "s3", "list_objects_v2", {"Bucket": "photos"},
                config={"s3": {"addressing_style": "virtual"}}),
        capture("s3 default-style ListObjectsV2", "s3", "list_objects_v2", {"Bucket": "photos"}),
        capture("s3 ListBuckets", "s3", "list_buckets", {}),
        capture("s3 path-style DeleteObjects", "s3", "delete_objects",
                {"Bucket": "photos", "Delete": {"Objects": [{"Key": "a"}]}}, config={"s3": {"addressing_style": "path"}}),
        capture("s3 path-style CreateBucket", "s3", "create_bucket", {"Bucket": "photos"},
                config={"s3": {"addressing_style": "path"}}),
        capture("cloudwatch json PutMetricData", "cloudwatch", "put_metric_data",
                {"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": 1.0}]}),
        capture("events json PutEvents", "events", "put_events",
                {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]}),
        capture("stepfunctions json StartExecution", "stepfunctions", "start_execution",
                {"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m"}),
        capture("kinesis json PutRecord", "kinesis", "put_record",
                {"StreamName": "s", "Data": b"x", "PartitionKey": "p"}),
        capture("logs json PutLogEvents", "logs", "put_log_events",
                {"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": "m"}]}),
        capture("cognito-idp unsigned InitiateAuth", "cognito-idp", "initiate_auth",
                {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "c", "AuthParameters": {"USERNAME": "u"}}),
        capture("apigateway v1 GetRestApis", "apigateway", "get_rest_apis", {}),
        capture("apigateway v1 GetResources", "apigateway", "get_resources", {"restApiId": "abc123"}),
        capture("apigateway v2 GetApis", "apigatewayv2", "get_apis", {}),
        capture("apigateway v2 GetRoutes", "apigatewayv2", "get_routes", {"ApiId": "abc123"}),
        capture("kinesisvideo GetDataEndpoint", "kinesisvideo", "get_data_endpoint",
                {"StreamName": "s", "APIName": "GET_MEDIA"}),
        capture("kinesis-video-archived-media GetHLSStreamingSessionURL", "kinesis-video-archived-media",
                "get_hls_streaming_session_url", {"StreamName": "s"}),
        capture("scheduler CreateSchedule", "scheduler", "create_schedule",
                {"Name": "n", "ScheduleExpression": "rate(1 minute)", "FlexibleTimeWindow": {"Mode": "OFF"},
                 "Target": {"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::000000000000:role/r"}}),
        capture("sqs json with 12-digit access key", "sqs", "list_queues", {}, key="123456789012"),
    ]
    # Presigned URLs: S3 GET (virtual host) and STS GetCallerIdentity.
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url="http://localhost:4566",
                      aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret",
                      config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "photos", "Key": "cats/tom.jpg"}, ExpiresIn=600)
    recs.append({"name": "s3 presigned GetObject", "client": "s3", "method": "GET", "url": url, "headers": [],
                 "body": "", "want_model": "s3", "want_op": "GetObject"})
    sts = boto3.client("sts", region_name="us-west-2", endpoint_url="http://localhost:4566",
                       aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret")
    url = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=600)
    # botocore signs presigned URLs with the operation's method, POST for STS.
    recs.append({"name": "sts presigned GetCallerIdentity", "client": "sts", "method": "POST", "url": url, "headers": [],
                 "body": "", "want_model": "sts", "want_op": "GetCallerIdentity"})
    json.dump(recs, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
