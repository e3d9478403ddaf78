-- CloudWatch metrics: one row per datum a PutMetricData call (or another service) published.
-- Times are unix milliseconds (UTC). The statement runs unchanged on SQLite and PostgreSQL.
--
-- dims is the datum's dimensions in canonical form (a JSON array of {"Name","Value"} sorted
-- by name), so that a metric is (namespace, metric_name, dims). sample_count, sum, min and
-- max summarise the datum; vals, when not '', is a JSON array of [value, count] pairs that
-- percentiles are computed from (a StatisticValues datum has none). received_at is when the
-- datum arrived, for ListMetrics' RecentlyActive.
CREATE TABLE monitoring_datapoints (
	account      TEXT             NOT NULL,
	region       TEXT             NOT NULL,
	namespace    TEXT             NOT NULL,
	metric_name  TEXT             NOT NULL,
	dims         TEXT             NOT NULL,
	ts           BIGINT           NOT NULL,
	unit         TEXT             NOT NULL,
	sample_count DOUBLE PRECISION NOT NULL,
	sum          DOUBLE PRECISION NOT NULL,
	min          DOUBLE PRECISION NOT NULL,
	max          DOUBLE PRECISION NOT NULL,
	vals         TEXT             NOT NULL DEFAULT '',
	received_at  BIGINT           NOT NULL
);
CREATE INDEX monitoring_datapoints_metric ON monitoring_datapoints (account, region, namespace, metric_name, dims, ts);
CREATE INDEX monitoring_datapoints_ts ON monitoring_datapoints (ts);
