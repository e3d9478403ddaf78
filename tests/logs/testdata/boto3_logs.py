"""CloudWatch Logs through boto3: groups, streams, events, filters, retention and tags, with
their documented errors. Takes a unique log group name prefix as its first argument and
exits non-zero with a message naming the failed check."""
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


def equal(got, want, what):
    if got != want:
        sys.exit(f"FAIL: {what}: want {want!r}, got {got!r}")


def expect_error(fn, code, exc, message=None, what=""):
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, f"{what}: error code")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, f"{what}: HTTP status")
        check(isinstance(e, exc), f"{what}: want {exc.__name__}, got {type(e).__name__}")
        if message is not None:
            equal(e.response["Error"]["Message"], message, f"{what}: message")
        return e
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


prefix = sys.argv[1]
logs = boto3.client("logs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
ex = logs.exceptions
group = prefix + "/boto3"

logs.create_log_group(logGroupName=group, tags={"env": "test"})
expect_error(lambda: logs.create_log_group(logGroupName=group), "ResourceAlreadyExistsException",
             ex.ResourceAlreadyExistsException, "The specified log group already exists", "CreateLogGroup twice")
expect_error(lambda: logs.create_log_group(logGroupName=prefix + "/bad name"), "InvalidParameterException",
             ex.InvalidParameterException, None, "CreateLogGroup with a space")
for s in ("alpha", "beta"):
    logs.create_log_stream(logGroupName=group, logStreamName=s)
expect_error(lambda: logs.create_log_stream(logGroupName=group, logStreamName="alpha"), "ResourceAlreadyExistsException",
             ex.ResourceAlreadyExistsException, "The specified log stream already exists", "CreateLogStream twice")
expect_error(lambda: logs.create_log_stream(logGroupName=group + "-missing", logStreamName="x"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log group does not exist.", "CreateLogStream in a missing group")

now = int(time.time() * 1000)
out = logs.put_log_events(logGroupName=group, logStreamName="alpha", logEvents=[
    {"timestamp": now - 3000, "message": "ERROR first"},
    {"timestamp": now - 2000, "message": '{"status": 500, "path": "/a"}'},
    {"timestamp": now - 1000, "message": "INFO third"},
])
check(out.get("nextSequenceToken"), "nextSequenceToken")
check("rejectedLogEventsInfo" not in out, f"nothing rejected: {out}")
logs.put_log_events(logGroupName=group, logStreamName="beta", logEvents=[
    {"timestamp": now - 2500, "message": "WARN beta"},
], sequenceToken="ignored")
out = logs.put_log_events(logGroupName=group, logStreamName="beta", logEvents=[
    {"timestamp": now - 20 * 86400000, "message": "too old"},
    {"timestamp": now, "message": "ok"},
    {"timestamp": now + 4 * 3600000, "message": "too new"},
])
equal(out["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 2}, "rejectedLogEventsInfo")
expect_error(lambda: logs.put_log_events(logGroupName=group, logStreamName="beta", logEvents=[
    {"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]),
    "InvalidParameterException", ex.InvalidParameterException,
    "Log events in a single PutLogEvents request must be in chronological order.", "events out of order")
expect_error(lambda: logs.put_log_events(logGroupName=group, logStreamName="gamma", logEvents=[{"timestamp": now, "message": "x"}]),
             "ResourceNotFoundException", ex.ResourceNotFoundException, "The specified log stream does not exist.", "missing stream")

got = logs.get_log_events(logGroupName=group, logStreamName="alpha", startFromHead=True, limit=2)
equal([e["message"] for e in got["events"]], ["ERROR first", '{"status": 500, "path": "/a"}'], "first page")
check(got["nextForwardToken"].startswith("f/") and got["nextBackwardToken"].startswith("b/"), f"tokens {got}")
got2 = logs.get_log_events(logGroupName=group, logStreamName="alpha", nextToken=got["nextForwardToken"])
equal([e["message"] for e in got2["events"]], ["INFO third"], "second page")
got3 = logs.get_log_events(logGroupName=group, logStreamName="alpha", nextToken=got2["nextForwardToken"])
equal(got3["events"], [], "past the end")
equal(got3["nextForwardToken"], got2["nextForwardToken"], "the same token at the end of the stream")

pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, PaginationConfig={"PageSize": 2})
msgs = [e["message"] for page in pages for e in page["events"]]
equal(msgs, ["ERROR first", "WARN beta", '{"status": 500, "path": "/a"}', "INFO third", "ok"], "all events, interleaved by timestamp")
res = logs.filter_log_events(logGroupName=group, filterPattern="{ $.status >= 500 }")
equal([(e["logStreamName"], e["message"]) for e in res["events"]], [("alpha", '{"status": 500, "path": "/a"}')], "JSON filter")
res = logs.filter_log_events(logGroupName=group, filterPattern="?ERROR ?WARN", logStreamNames=["beta"])
equal([e["message"] for e in res["events"]], ["WARN beta"], "OR terms in one stream")
res = logs.filter_log_events(logGroupName=group, filterPattern="[level = INFO, ...]")
equal([e["message"] for e in res["events"]], ["INFO third"], "space-delimited filter")
expect_error(lambda: logs.filter_log_events(logGroupName=group, filterPattern="[a, b"), "InvalidParameterException",
             ex.InvalidParameterException, "Invalid filter pattern", "bad pattern")

streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
equal([s["logStreamName"] for s in streams], ["beta", "alpha"], "streams by last event time")
equal(streams[0]["lastEventTimestamp"], now, "lastEventTimestamp")
equal(streams[0]["storedBytes"], 0, "storedBytes of a stream")
check(streams[0]["arn"].endswith(":log-group:" + group + ":log-stream:beta"), f"stream arn {streams[0]['arn']}")

logs.put_retention_policy(logGroupName=group, retentionInDays=7)
g = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
equal(len(g), 1, "one group")
equal(g[0]["retentionInDays"], 7, "retentionInDays")
check(g[0]["storedBytes"] > 0, "storedBytes of the group")
expect_error(lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=8), "InvalidParameterException",
             ex.InvalidParameterException, None, "retention of 8 days")
logs.delete_retention_policy(logGroupName=group)
check("retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0], "retention removed")

arn = g[0]["logGroupArn"]
check(not arn.endswith(":*") and g[0]["arn"] == arn + ":*", f"arn {g[0]['arn']} and logGroupArn {arn}")
logs.tag_resource(resourceArn=arn, tags={"team": "a"})
equal(logs.list_tags_for_resource(resourceArn=arn)["tags"], {"env": "test", "team": "a"}, "tags")
logs.untag_resource(resourceArn=arn, tagKeys=["env"])
equal(logs.list_tags_log_group(logGroupName=group)["tags"], {"team": "a"}, "tags after untag")

logs.delete_log_stream(logGroupName=group, logStreamName="alpha")
expect_error(lambda: logs.get_log_events(logGroupName=group, logStreamName="alpha"), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log stream does not exist.", "deleted stream")
logs.delete_log_group(logGroupName=group)
expect_error(lambda: logs.describe_log_streams(logGroupName=group), "ResourceNotFoundException",
             ex.ResourceNotFoundException, "The specified log group does not exist.", "deleted group")
print("ok")
