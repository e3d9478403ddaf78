-- EventBridge: event buses, rules, targets, archives and their events. Each resource is one
-- row whose doc is JSON owned by the events service; the columns beside it are the ones SQL
-- filters on. parent names the owning resource (a rule's bus, a target's bus/rule) and ref
-- a value looked up across parents (a target's ARN). Times are unix milliseconds (UTC).
CREATE TABLE events_resources (
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
CREATE INDEX events_resources_ref ON events_resources (account, region, kind, ref);
