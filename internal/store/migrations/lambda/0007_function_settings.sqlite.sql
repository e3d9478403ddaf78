-- AWS Lambda code signing configs and the per-function settings that are not part of a
-- version's configuration. See 0007_function_settings.postgres.sql for the PostgreSQL
-- twin, which sorts names in byte order (COLLATE "C"), as SQLite does.

-- One row per code signing config; id is csc-<17 hex>. config is the JSON document owned
-- by the service (allowed publishers, policy, description, tags); last_modified is unix
-- milliseconds (UTC).
CREATE TABLE lambda_code_signing_configs (
	account       TEXT   NOT NULL,
	region        TEXT   NOT NULL,
	id            TEXT   NOT NULL,
	config        TEXT   NOT NULL,
	last_modified BIGINT NOT NULL,
	PRIMARY KEY (account, region, id)
);

-- One row per function, kind and qualifier: kind "code-signing" (qualifier "", value the
-- code signing config id), "recursion" (qualifier "", value Allow|Terminate) and
-- "runtime" (qualifier $LATEST or a version number, value the JSON runtime management
-- config). Rows go with their function.
CREATE TABLE lambda_function_settings (
	account   TEXT NOT NULL,
	region    TEXT NOT NULL,
	function  TEXT NOT NULL,
	kind      TEXT NOT NULL,
	qualifier TEXT NOT NULL,
	value     TEXT NOT NULL,
	PRIMARY KEY (account, region, function, kind, qualifier)
);
CREATE INDEX lambda_function_settings_by_value ON lambda_function_settings (account, region, kind, value, function);
