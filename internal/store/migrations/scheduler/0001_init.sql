-- EventBridge Scheduler: schedule groups and schedules. Each resource is one row whose doc
-- is JSON owned by the scheduler service; parent names a schedule's group. Times are unix
-- milliseconds (UTC).
CREATE TABLE scheduler_resources (
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
CREATE INDEX scheduler_resources_ref ON scheduler_resources (account, region, kind, ref);
