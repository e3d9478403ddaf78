-- AWS Lambda: functions and their versions. Times are unix milliseconds (UTC). See
-- 0001_init.sqlite.sql for the SQLite twin; the two differ in the collation of
-- names (COLLATE "C" here: byte order, SQLite's default) and the type of code (BYTEA
-- here, BLOB there).

-- One row per function. tags and policy are JSON documents owned by the service;
-- reserved is the reserved concurrency, -1 when none; last_version is the number of the
-- latest published version, 0 when none was published.
CREATE TABLE lambda_functions (
	account      TEXT    NOT NULL,
	region       TEXT    NOT NULL,
	name         TEXT    COLLATE "C" NOT NULL,
	created_at   BIGINT  NOT NULL,
	tags         TEXT    NOT NULL DEFAULT '{}',
	policy       TEXT    NOT NULL DEFAULT '',
	reserved     BIGINT  NOT NULL DEFAULT -1,
	last_version BIGINT  NOT NULL DEFAULT 0,
	PRIMARY KEY (account, region, name)
);

-- One row per version of a function: version 0 is $LATEST, the others are published
-- versions. config is the JSON configuration owned by the service; code is the zip file.
CREATE TABLE lambda_versions (
	account     TEXT    NOT NULL,
	region      TEXT    NOT NULL,
	function    TEXT    COLLATE "C" NOT NULL,
	version     BIGINT  NOT NULL,
	revision_id TEXT    NOT NULL,
	config      TEXT    NOT NULL,
	code        BYTEA   NOT NULL,
	PRIMARY KEY (account, region, function, version)
);
