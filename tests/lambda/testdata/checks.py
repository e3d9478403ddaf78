"""Assertions shared by the boto3 scripts of the Lambda conformance suite: each exits
non-zero with a message naming the failed check."""
import sys

from botocore.exceptions import ClientError


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


def equal(got, want, what):
    if got != want:
        sys.exit(f"FAIL: {what}: want {want!r}, got {got!r}")


def expect_error(fn, code, status, what):
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, f"{what}: error code")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], status, f"{what}: HTTP status")
        return e
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


def expect_error_message(fn, code, status, what):
    """expect_error, returning the error's message."""
    return expect_error(fn, code, status, what).response["Error"]["Message"]
