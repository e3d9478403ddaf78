"""CloudWatch metrics through boto3 (which speaks smithy-rpc-v2-cbor): each check asserts
AWS's documented or recorded answer and exits non-zero naming the failed check."""
import sys
from datetime import datetime, timedelta, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ns = sys.argv[1]
cw = boto3.client("cloudwatch")
now = datetime.now(timezone.utc).replace(second=0, microsecond=0)


def check(cond, what):
    if not cond:
        sys.exit("check failed: " + what)


def error(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    sys.exit("check failed: %s(%r) succeeded, want an error" % (fn.__name__, kw))


dims = [{"Name": "Service", "Value": "api"}, {"Name": "Op", "Value": "get"}]
cw.put_metric_data(Namespace=ns, MetricData=[
    {"MetricName": "Latency", "Dimensions": dims, "Timestamp": now - timedelta(minutes=2), "Value": 10, "Unit": "Milliseconds"},
    {"MetricName": "Latency", "Dimensions": dims, "Timestamp": now - timedelta(minutes=2), "Values": [20, 30], "Counts": [1, 2], "Unit": "Milliseconds"},
    {"MetricName": "Latency", "Dimensions": dims, "Timestamp": now - timedelta(minutes=1),
     "StatisticValues": {"SampleCount": 4, "Sum": 8, "Minimum": 1, "Maximum": 3}, "Unit": "Milliseconds"},
    {"MetricName": "Errors", "Timestamp": now - timedelta(minutes=1), "Value": 1, "Unit": "Count"},
])

# Dimensions name the metric whatever their order.
out = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=list(reversed(dims)),
                               StartTime=now - timedelta(minutes=5), EndTime=now, Period=60,
                               Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"])
check(out["Label"] == "Latency", "Label is the metric name: %r" % out)
dps = sorted(out["Datapoints"], key=lambda d: d["Timestamp"])
check(len(dps) == 2, "two one-minute datapoints: %r" % dps)
first, second = dps
check(first["Timestamp"] == now - timedelta(minutes=2), "datapoint timestamp is its period's start: %r" % first)
check(first["SampleCount"] == 4 and first["Sum"] == 90 and first["Minimum"] == 10 and first["Maximum"] == 30, "Value and Values/Counts aggregate: %r" % first)
check(first["Average"] == 22.5 and first["Unit"] == "Milliseconds", "Average and Unit: %r" % first)
check(second["SampleCount"] == 4 and second["Sum"] == 8 and second["Minimum"] == 1 and second["Maximum"] == 3, "StatisticValues: %r" % second)
out = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=dims, StartTime=now - timedelta(minutes=5), EndTime=now,
                               Period=60, ExtendedStatistics=["p100"])
dps = sorted(out["Datapoints"], key=lambda d: d["Timestamp"])
check(dps[0]["ExtendedStatistics"] == {"p100": 30.0} and "Sum" not in dps[0], "p100 is the largest value: %r" % dps)
check("ExtendedStatistics" not in dps[1], "no percentiles of a statistic set: %r" % dps)

# ListMetrics
ms = cw.list_metrics(Namespace=ns)["Metrics"]
check(sorted(m["MetricName"] for m in ms) == ["Errors", "Latency"], "ListMetrics by namespace: %r" % ms)
ms = cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "Op"}])["Metrics"]
check(len(ms) == 1 and ms[0]["MetricName"] == "Latency" and sorted(ms[0]["Dimensions"], key=lambda d: d["Name"]) == sorted(dims, key=lambda d: d["Name"]),
      "ListMetrics by dimension name: %r" % ms)
ms = cw.list_metrics(Namespace=ns, MetricName="Errors", RecentlyActive="PT3H")["Metrics"]
check(ms == [{"Namespace": ns, "MetricName": "Errors", "Dimensions": []}], "ListMetrics RecentlyActive: %r" % ms)

# GetMetricData
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, ScanBy="TimestampAscending", MetricDataQueries=[
    {"Id": "lat", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}},
    {"Id": "err", "Label": "errors", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Errors"}, "Period": 60, "Stat": "SampleCount"}},
])
r = {x["Id"]: x for x in out["MetricDataResults"]}
check(r["lat"]["Label"] == "Latency" and r["lat"]["StatusCode"] == "Complete", "GetMetricData label and status: %r" % r)
check(r["lat"]["Values"] == [90.0, 8.0] and r["lat"]["Timestamps"] == [now - timedelta(minutes=2), now - timedelta(minutes=1)], "GetMetricData ascending: %r" % r["lat"])
check(r["err"]["Label"] == "errors" and r["err"]["Values"] == [1.0], "GetMetricData label given: %r" % r["err"])
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, MetricDataQueries=[
    {"Id": "lat", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency", "Dimensions": dims}, "Period": 60, "Stat": "Maximum"}}])
check(out["MetricDataResults"][0]["Values"] == [3.0, 30.0], "TimestampDescending is the default: %r" % out)

# Without a Label, AWS names results after the metric and what tells them apart.
q = lambda i, stat, period: {"Id": i, "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency", "Dimensions": dims}, "Period": period, "Stat": stat}}
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, MetricDataQueries=[q("a", "Sum", 60), q("b", "Minimum", 60)])
check([x["Label"] for x in out["MetricDataResults"]] == ["Latency Sum", "Latency Minimum"], "labels by statistic: %r" % out)
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, MetricDataQueries=[q("a", "Sum", 60), q("b", "Minimum", 120)])
check([x["Label"] for x in out["MetricDataResults"]] == ["Latency Sum 60", "Latency Minimum 120"], "labels by statistic and period: %r" % out)
check(out["Messages"] == [] and "Messages" not in out["MetricDataResults"][0], "no messages: %r" % out)

# Data of several units: GetMetricStatistics answers a datapoint per unit, GetMetricData
# aggregates them and says so.
cw.put_metric_data(Namespace=ns, MetricData=[
    {"MetricName": "Mixed", "Timestamp": now - timedelta(minutes=1), "Value": 1, "Unit": "Seconds"},
    {"MetricName": "Mixed", "Timestamp": now - timedelta(minutes=1), "Value": 5, "Unit": "Count"},
    {"MetricName": "Mixed", "Timestamp": now - timedelta(minutes=1), "Value": 10},
])
out = cw.get_metric_statistics(Namespace=ns, MetricName="Mixed", StartTime=now - timedelta(minutes=5), EndTime=now, Period=60, Statistics=["Average"])
check(sorted((d["Unit"], d["Average"]) for d in out["Datapoints"]) == [("Count", 5.0), ("None", 10.0), ("Seconds", 1.0)], "a datapoint per unit: %r" % out)
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, MetricDataQueries=[
    {"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Mixed"}, "Period": 60, "Stat": "Maximum"}}])
res = out["MetricDataResults"][0]
check(res["Values"] == [10.0] and res["Messages"] == [{"Code": "MultipleUnits", "Value": "Multiple units returned: '[Count, None, Seconds]'"}], "MultipleUnits: %r" % res)
out = cw.get_metric_data(StartTime=now - timedelta(minutes=5), EndTime=now, MetricDataQueries=[
    {"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Mixed"}, "Period": 60, "Stat": "Maximum", "Unit": "Milliseconds"}}])
check(out["MetricDataResults"][0]["Values"] == [] and out["MetricDataResults"][0]["StatusCode"] == "Complete", "no data of the unit asked: %r" % out)

# AWS's answers to bad input.
code, msg, status = error(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "m", "Value": 1.5, "Values": [1.0, 10.0]}])
check((code, msg, status) == ("InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.", 400), "Value and Values: %r" % ((code, msg),))
code, msg, status = error(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "m", "Values": [1.0, 10.0], "Counts": [2.0]}])
check((code, msg) == ("InvalidParameterValue", "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."), "Values and Counts sizes: %r" % ((code, msg),))
# botocore gzips bodies of 10 KiB and more, as this one.
code, msg, status = error(cw.put_metric_data, Namespace=ns, MetricData=[{"MetricName": "m%d" % i, "Value": 1} for i in range(1001)])
check((code, msg) == ("InvalidParameterValue", "The collection MetricData must not have a size greater than 1000."), "1001 data: %r" % ((code, msg),))
code, msg, status = error(cw.get_metric_statistics, Namespace=ns, MetricName="Latency", StartTime=now, EndTime=now, Period=60, Statistics=["Sum"])
check((code, msg) == ("InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime."), "StartTime equal to EndTime: %r" % ((code, msg),))
code, msg, status = error(cw.get_metric_statistics, Namespace=ns, MetricName="Latency", StartTime=now - timedelta(days=2), EndTime=now, Period=60, Statistics=["Sum"])
check((code, msg) == ("InvalidParameterCombination", "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range."), "too many datapoints: %r" % ((code, msg),))
code, msg, status = error(cw.get_metric_statistics, Namespace=ns, MetricName="Latency", StartTime=now - timedelta(hours=1), EndTime=now, Period=60, Statistics=["Sum"], ExtendedStatistics=["p99"])
check((code, status) == ("InvalidParameterCombination", 400), "Statistics and ExtendedStatistics: %r" % ((code, msg),))
code, msg, status = error(cw.get_metric_statistics, Namespace=ns, MetricName="Latency", StartTime=now - timedelta(hours=1), EndTime=now, Period=61, Statistics=["Sum"])
check((code, msg) == ("InvalidParameterValue", "The parameter Period must be a multiple of 60."), "Period 61: %r" % ((code, msg),))
print("ok")
