"""Shared checks for the boto3 scripts of the SQS conformance suite.

Every script takes a unique name prefix as its first argument, talks to the endpoint in
AWS_ENDPOINT_URL, and exits non-zero with a message naming the failed check.
"""
import hashlib
import struct
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client():
    return boto3.client("sqs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


def equal(got, want, what):
    if got != want:
        sys.exit(f"FAIL: {what}: want {want!r}, got {got!r}")


def expect_error(fn, code, status=None, exc=None, what=""):
    """Calls fn and checks that it fails with the client-visible code (the query code) and,
    when given, the HTTP status and the modeled exception class."""
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        if got != code:
            sys.exit(f"FAIL: {what}: want error {code}, got {got}: {e}")
        if status is not None and e.response["ResponseMetadata"]["HTTPStatusCode"] != status:
            sys.exit(f"FAIL: {what}: want HTTP {status} for {code}, got {e.response['ResponseMetadata']['HTTPStatusCode']}")
        if exc is not None and not isinstance(e, exc):
            sys.exit(f"FAIL: {what}: want exception {exc.__name__}, got {type(e).__name__} ({got})")
        return e
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


def md5(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return hashlib.md5(b).hexdigest()


def md5_of_attributes(attrs):
    """MD5OfMessageAttributes as the SQS Developer Guide defines it."""
    if not attrs:
        return None
    h = hashlib.md5()

    def put(b):
        if isinstance(b, str):
            b = b.encode("utf-8")
        h.update(struct.pack(">I", len(b)))
        h.update(b)

    for name in sorted(attrs):
        v = attrs[name]
        put(name)
        put(v["DataType"])
        if "BinaryValue" in v:
            h.update(b"\x02")
            put(v["BinaryValue"])
        else:
            h.update(b"\x01")
            put(v["StringValue"])
    return h.hexdigest()


def receive_n(sqs, url, n, **kw):
    """Short-polls until n messages have arrived (bounded)."""
    got = []
    for _ in range(200):
        if len(got) >= n:
            break
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kw)
        for m in r.get("Messages", []):
            equal(m["MD5OfBody"], md5(m["Body"]), f"MD5OfBody of {m['MessageId']}")
            got.append(m)
    equal(len(got), n, f"messages received from {url}")
    return got
