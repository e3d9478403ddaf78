"""CloudWatch alarms through boto3: each check asserts AWS's recorded answer and exits
non-zero naming the failed check."""
import sys

import boto3
from botocore.exceptions import ClientError

prefix = sys.argv[1]
cw = boto3.client("cloudwatch")
region = cw.meta.region_name


def check(cond, what):
    if not cond:
        sys.exit("check failed: " + what)


def error(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response["Error"].get("Message", ""), e.response["ResponseMetadata"]["HTTPStatusCode"]
    sys.exit("check failed: %s(%r) succeeded, want an error" % (fn.__name__, kw))


name = prefix + "-minimal"
cw.put_metric_alarm(AlarmName=name, MetricName="metric1", Namespace=prefix, Statistic="Sum", Period=10,
                    EvaluationPeriods=1, Threshold=30, ComparisonOperator="GreaterThanThreshold")
out = cw.describe_alarms(AlarmNames=[name])
check(out["CompositeAlarms"] == [] and len(out["MetricAlarms"]) == 1, "one metric alarm: %r" % out)
a = out["MetricAlarms"][0]
for k in ("AlarmConfigurationUpdatedTimestamp", "StateTransitionedTimestamp", "StateUpdatedTimestamp"):
    check(k in a, "%s present: %r" % (k, a))
    del a[k]
account = a["AlarmArn"].split(":")[4]
# AWS's recorded minimal alarm.
check(a == {
    "ActionsEnabled": True, "AlarmActions": [], "AlarmArn": "arn:aws:cloudwatch:%s:%s:alarm:%s" % (region, account, name),
    "AlarmName": name, "ComparisonOperator": "GreaterThanThreshold", "Dimensions": [], "EvaluationPeriods": 1,
    "InsufficientDataActions": [], "MetricName": "metric1", "Namespace": prefix, "OKActions": [], "Period": 10,
    "StateReason": "Unchecked: Initial alarm creation", "StateValue": "INSUFFICIENT_DATA", "Statistic": "Sum", "Threshold": 30.0,
}, "minimal alarm: %r" % a)

full = prefix + "-full"
cw.put_metric_alarm(AlarmName=full, AlarmDescription="testing cloudwatch alarms", MetricName="my-metric1", Namespace=prefix,
                    Statistic="Average", Period=30, EvaluationPeriods=1, Threshold=2, ComparisonOperator="GreaterThanThreshold",
                    Dimensions=[{"Name": "InstanceId", "Value": "abc"}], Unit="Seconds", TreatMissingData="notBreaching",
                    AlarmActions=["arn:aws:sns:%s:%s:topic" % (region, account)])
cw.set_alarm_state(AlarmName=full, StateValue="ALARM", StateReason="testing alarm")
a = cw.describe_alarms(AlarmNames=[full])["MetricAlarms"][0]
check(a["StateValue"] == "ALARM" and a["StateReason"] == "testing alarm" and a["TreatMissingData"] == "notBreaching"
      and a["Unit"] == "Seconds" and a["Dimensions"] == [{"Name": "InstanceId", "Value": "abc"}], "SetAlarmState: %r" % a)
# PutMetricAlarm on an existing alarm keeps its state.
cw.put_metric_alarm(AlarmName=full, MetricName="my-metric1", Namespace=prefix, Statistic="Average", Period=30, EvaluationPeriods=2,
                    Threshold=2, ComparisonOperator="GreaterThanThreshold", Dimensions=[{"Name": "InstanceId", "Value": "abc"}])
a = cw.describe_alarms(AlarmNames=[full])["MetricAlarms"][0]
check(a["StateValue"] == "ALARM" and a["EvaluationPeriods"] == 2, "update keeps state: %r" % a)

got = [x["AlarmName"] for x in cw.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]]
check(got == [full, name], "AlarmNamePrefix in name order: %r" % got)
got = [x["AlarmName"] for x in cw.describe_alarms(AlarmNamePrefix=prefix, StateValue="ALARM")["MetricAlarms"]]
check(got == [full], "StateValue filter: %r" % got)
page = cw.describe_alarms(AlarmNamePrefix=prefix, MaxRecords=1)
check([x["AlarmName"] for x in page["MetricAlarms"]] == [full] and "NextToken" in page, "first page: %r" % page)
page = cw.describe_alarms(AlarmNamePrefix=prefix, MaxRecords=1, NextToken=page["NextToken"])
check([x["AlarmName"] for x in page["MetricAlarms"]] == [name] and "NextToken" not in page, "second page: %r" % page)
got = [x["AlarmName"] for x in cw.describe_alarms_for_metric(MetricName="my-metric1", Namespace=prefix,
                                                             Dimensions=[{"Name": "InstanceId", "Value": "abc"}])["MetricAlarms"]]
check(got == [full], "DescribeAlarmsForMetric: %r" % got)

code, msg, status = error(cw.set_alarm_state, AlarmName=name, StateValue="INVALID", StateReason="x")
check((code, status) == ("ValidationError", 400) and msg == "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
      "bad StateValue: %r" % ((code, msg, status),))
code, msg, status = error(cw.set_alarm_state, AlarmName=prefix + "-missing", StateValue="OK", StateReason="x")
check((code, status) == ("ResourceNotFound", 404), "SetAlarmState of a missing alarm: %r" % ((code, msg, status),))

# Tags: given at creation, changed by TagResource/UntagResource; AWS ignores the Tags of
# a PutMetricAlarm that updates an alarm.
tagged = prefix + "-tags"
cw.put_metric_alarm(AlarmName=tagged, MetricName="store_tags", Namespace=prefix, Statistic="Sum", Period=60, EvaluationPeriods=1,
                    Threshold=30, ComparisonOperator="GreaterThanThreshold", Tags=[{"Key": "tag1", "Value": "foo"}])
arn = cw.describe_alarms(AlarmNames=[tagged])["MetricAlarms"][0]["AlarmArn"]
cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "tag2", "Value": "bar"}])
check(cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tag1", "Value": "foo"}, {"Key": "tag2", "Value": "bar"}], "tags")
cw.untag_resource(ResourceARN=arn, TagKeys=["tag1"])
check(cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tag2", "Value": "bar"}], "tags after untag")
cw.put_metric_alarm(AlarmName=tagged, MetricName="store_tags", Namespace=prefix, Statistic="Sum", Period=60, EvaluationPeriods=1,
                    Threshold=30, ComparisonOperator="GreaterThanThreshold", Tags=[{"Key": "tag3", "Value": "x"}])
check(cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tag2", "Value": "bar"}], "update ignores Tags")
cw.delete_alarms(AlarmNames=[tagged])

cw.delete_alarms(AlarmNames=[name])
out = cw.describe_alarms(AlarmNames=[name])
check(out["MetricAlarms"] == [] and out["CompositeAlarms"] == [], "after delete: %r" % out)
print("ok")
