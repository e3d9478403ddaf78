-- CloudWatch Logs: metric filters, subscription filters, resource policies and the other
-- documents the service keeps beside log groups. Each is one row whose doc is JSON owned by
-- the logs service; parent names the owning log group ("" for account-wide resources such
-- as resource policies) and ref a value looked up across groups (a subscription filter's
-- destination ARN). Times are unix milliseconds (UTC). parent and name sort in byte order
-- (COLLATE "C"), as AWS lists them; SQLite's twin, 0002_resources.sqlite.sql, does so by default.
CREATE TABLE logs_resources (
	account     TEXT   NOT NULL,
	region      TEXT   NOT NULL,
	kind        TEXT   NOT NULL,
	parent      TEXT   COLLATE "C" NOT NULL DEFAULT '',
	name        TEXT   COLLATE "C" NOT NULL,
	ref         TEXT   NOT NULL DEFAULT '',
	doc         TEXT   NOT NULL,
	created_at  BIGINT NOT NULL,
	modified_at BIGINT NOT NULL,
	PRIMARY KEY (account, region, kind, parent, name)
);
CREATE INDEX logs_resources_ref ON logs_resources (account, region, kind, ref);
