"""Drives EventBridge and Scheduler with boto3: a rule with an input transformer to SQS,
and a schedule group's lifecycle. Prints "ok" when every check passed."""
import json
import sys
import time

import boto3

name = sys.argv[1]
eb = boto3.client("events")
sqs = boto3.client("sqs")
sch = boto3.client("scheduler")

url = sqs.create_queue(QueueName=name)["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

eb.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
res = eb.put_targets(Rule=name, Targets=[{
    "Id": "q", "Arn": arn,
    "InputTransformer": {"InputPathsMap": {"v": "$.detail.v"}, "InputTemplate": '"value is <v>"'},
}])
assert res["FailedEntryCount"] == 0, res
rules = eb.list_rules(NamePrefix=name)["Rules"]
assert [r["Name"] for r in rules] == [name], rules
assert eb.list_rule_names_by_target(TargetArn=arn)["RuleNames"] == [name]

out = eb.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": json.dumps({"v": "x"})}])
assert out["FailedEntryCount"] == 0, out

body = None
deadline = time.time() + 15
while body is None and time.time() < deadline:
    msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    if msgs:
        body = msgs[0]["Body"]
assert body == '"value is x"', body

try:
    eb.put_rule(Name=name + "-bad", EventPattern='{"source": [')
    raise AssertionError("invalid pattern accepted")
except eb.exceptions.InvalidEventPatternException:
    pass

sch.create_schedule_group(Name=name)
groups = [g["Name"] for g in sch.list_schedule_groups(NamePrefix=name)["ScheduleGroups"]]
assert groups == [name], groups
sch.create_schedule(Name="s", GroupName=name, ScheduleExpression="rate(1 day)",
                    FlexibleTimeWindow={"Mode": "OFF"},
                    Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": "hi"})
got = sch.get_schedule(Name="s", GroupName=name)
assert got["State"] == "ENABLED" and got["Target"]["Arn"] == arn, got
try:
    sch.get_schedule(Name="nope", GroupName=name)
    raise AssertionError("missing schedule found")
except sch.exceptions.ResourceNotFoundException:
    pass
sch.delete_schedule_group(Name=name)
print("ok")
