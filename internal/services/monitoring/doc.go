// Package monitoring serves Amazon CloudWatch metrics and alarms.
//
// Metrics: PutMetricData (Value, Values/Counts, StatisticValues; AWS's limits and error
// wording), ListMetrics (namespace, name and dimension filters, RecentlyActive, NextToken),
// GetMetricStatistics (the five statistics and pNN percentiles, per period and unit) and
// GetMetricData (MetricStat queries, AWS's default labels, ScanBy, MaxDatapoints paging,
// the MultipleUnits message). Data are kept in the store for 15 days. Metric math
// expressions are refused with a ValidationError naming the expression. Percentiles are
// exact (nearest rank) over the values kept; data published as StatisticValues have none.
//
// Other services publish through Publish and AddSource (AWS/Lambda's Invocations, Errors,
// Throttles and Duration): samples are buffered in memory and written once a second in
// one lazy write, so that the publishing path never waits for the store.
//
// Alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms and
// SetAlarmState store and describe metric alarms. Alarms are not evaluated and run no
// actions: their state changes only through SetAlarmState.
//
// Other operations (composite alarms, dashboards, anomaly detectors, insight rules,
// metric streams, tags) answer NotImplemented.
package monitoring
