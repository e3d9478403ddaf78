"""Shared by the boto3 scripts: error() calls a client method that must fail and answers
AWS's error code, message and HTTP status."""
from botocore.exceptions import ClientError


def error(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("no error from %s %s" % (fn.__name__, kw))
