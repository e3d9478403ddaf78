"""Helpers of the boto3 scripts: an S3 client on the server (path-style addressing, one
attempt per call) and checks that exit non-zero naming the failed expectation."""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}),
    )


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def equal(got, want, msg):
    if got != want:
        fail(f"{msg}: got {got!r}, want {want!r}")


def expect_error(fn, code, status, msg):
    """Calls fn, which must raise a ClientError with code and HTTP status; returns it."""
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, msg + " (error code)")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], status, msg + " (HTTP status)")
        return e
    fail(msg + ": no error, want " + code)
