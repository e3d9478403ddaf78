"""CloudWatch Logs Insights through boto3, the way users run queries: put events, start a
query, poll get_query_results until it is Complete, read a record by @ptr; query
definitions; and the documented errors. Takes a unique log group name prefix as its first
argument and exits non-zero with a message naming the failed check."""
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


def expect_error(fn, code, what):
    try:
        fn()
    except ClientError as e:
        equal(e.response["Error"]["Code"], code, f"{what}: error code")
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, f"{what}: HTTP status")
        return e
    sys.exit(f"FAIL: {what}: want error {code}, the call succeeded")


def run_query(**kwargs):
    qid = logs.start_query(**kwargs)["queryId"]
    deadline = time.time() + 30
    while True:
        res = logs.get_query_results(queryId=qid)
        if res["status"] not in ("Scheduled", "Running"):
            return qid, res
        check(time.time() < deadline, "query finished within 30 s")
        time.sleep(0.1)


def rows(res):
    return [{f["field"]: f["value"] for f in row} for row in res["results"]]


prefix = sys.argv[1]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
logs = boto3.client("logs", config=cfg)
group = prefix + "/insights"
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName="web")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName=group, logStreamName="web", logEvents=[
    {"timestamp": now - 3000, "message": '{"status": 200, "latency": 15}'},
    {"timestamp": now - 2000, "message": '{"status": 500, "latency": 900}'},
    {"timestamp": now - 1000, "message": "ERROR connection reset"},
])
start, end = now // 1000 - 600, now // 1000 + 1

qid, res = run_query(logGroupName=group, startTime=start, endTime=end,
                     queryString="fields @timestamp, @message | filter @message like /ERROR|500/ | sort @timestamp desc")
equal(res["status"], "Complete", "status")
got = rows(res)
equal([r["@message"] for r in got], ["ERROR connection reset", '{"status": 500, "latency": 900}'], "filtered messages")
check(all("@ptr" in r for r in got), "every row has @ptr")
equal(res["statistics"]["recordsMatched"], 2.0, "recordsMatched")
equal(res["statistics"]["recordsScanned"], 3.0, "recordsScanned")
record = logs.get_log_record(logRecordPointer=got[0]["@ptr"])["logRecord"]
equal(record["@message"], "ERROR connection reset", "GetLogRecord @message")

_, res = run_query(logGroupName=group, startTime=start, endTime=end,
                   queryString="filter ispresent(status) | stats count(*) as n, max(latency) as worst, sum(latency) as total")
equal(rows(res), [{"n": "2", "worst": "900", "total": "915"}], "stats")

_, res = run_query(logGroupName=group, startTime=start, endTime=end, limit=1,
                   queryString="fields status | filter status >= 200 | sort status asc")
equal([r["status"] for r in rows(res)], ["200"], "limit parameter")

queries = logs.describe_queries(logGroupName=group)["queries"]
equal(len(queries), 3, "DescribeQueries")
check(any(q["queryId"] == qid for q in queries), "DescribeQueries lists the first query")

expect_error(lambda: logs.start_query(logGroupName=group, startTime=start, endTime=end, queryString="fields | bad"),
             "MalformedQueryException", "malformed query")
expect_error(lambda: logs.start_query(logGroupName=prefix + "/missing", startTime=start, endTime=end,
                                      queryString="fields @message"), "ResourceNotFoundException", "missing group")
expect_error(lambda: logs.start_query(logGroupName=group, startTime=end, endTime=start, queryString="fields @message"),
             "InvalidParameterException", "end before start")

qd = logs.put_query_definition(name=prefix + "/errors", queryString="filter @message like /ERROR/",
                               logGroupNames=[group])["queryDefinitionId"]
defs = logs.describe_query_definitions(queryDefinitionNamePrefix=prefix)["queryDefinitions"]
equal([d["queryDefinitionId"] for d in defs], [qd], "DescribeQueryDefinitions")
equal(defs[0]["logGroupNames"], [group], "query definition log groups")
check(logs.delete_query_definition(queryDefinitionId=qd)["success"], "DeleteQueryDefinition")
expect_error(lambda: logs.delete_query_definition(queryDefinitionId=qd), "ResourceNotFoundException",
             "DeleteQueryDefinition twice")
print("ok")
