-- CloudWatch alarms. Each resource is one row whose doc is JSON owned by the monitoring
-- service (kind "alarm"); ref is the alarm's metric, for DescribeAlarmsForMetric. Times are
-- unix milliseconds (UTC).
CREATE TABLE monitoring_resources (
	account     TEXT   NOT NULL,
	region      TEXT   NOT NULL,
	kind        TEXT   NOT NULL,
	parent      TEXT   NOT NULL DEFAULT '',
	name        TEXT   NOT NULL,
	ref         TEXT   NOT NULL DEFAULT '',
	doc         TEXT   NOT NULL,
	created_at  BIGINT NOT NULL,
	modified_at BIGINT NOT NULL,
	PRIMARY KEY (account, region, kind, parent, name)
);
CREATE INDEX monitoring_resources_ref ON monitoring_resources (account, region, kind, ref);
