-- AWS Lambda asynchronous invocation settings (PutFunctionEventInvokeConfig): one row per
-- function and qualifier ($LATEST, a version number or an alias name). config is the JSON
-- document owned by the service (retries, maximum event age, destinations);
-- last_modified is unix milliseconds (UTC). See 0003_event_invoke_configs.postgres.sql
-- for the PostgreSQL twin, which sorts qualifiers in byte order (COLLATE "C"), as SQLite
-- does.
CREATE TABLE lambda_event_configs (
	account       TEXT    NOT NULL,
	region        TEXT    NOT NULL,
	function      TEXT    NOT NULL,
	qualifier     TEXT    NOT NULL,
	config        TEXT    NOT NULL,
	last_modified BIGINT  NOT NULL,
	PRIMARY KEY (account, region, function, qualifier)
);
