"""Checks how an Overcast server in sigv4 mode answers boto3.

Usage: boto3_auth.py EXPECT, where EXPECT is "ok" or the error code that ListQueues must
fail with. Endpoint and credentials come from the AWS_* environment.
"""
import sys

import boto3
from botocore.exceptions import ClientError


def main() -> None:
    expect = sys.argv[1]
    sqs = boto3.client("sqs")
    try:
        sqs.list_queues()
    except ClientError as e:
        code = e.response["Error"]["Code"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        if expect == "ok":
            sys.exit(f"FAIL: ListQueues failed with {code} ({status}): {e}")
        if code != expect:
            sys.exit(f"FAIL: ListQueues: want error code {expect}, got {code} ({status}): {e}")
        if status != 403:
            sys.exit(f"FAIL: ListQueues: want HTTP 403 for {code}, got {status}")
        return
    if expect != "ok":
        sys.exit(f"FAIL: ListQueues succeeded, want error {expect}")


if __name__ == "__main__":
    main()
