-- AWS Lambda layers and provisioned concurrency configs. See 0005_layers.sqlite.sql for
-- the SQLite twin; the two differ in the collation of names (COLLATE "C" here) and
-- the type of code (BYTEA here, BLOB there).

-- One row per layer name ever published: last_version is the number of the latest
-- version published, kept after the versions are deleted so that numbers are never reused.
CREATE TABLE lambda_layers (
	account      TEXT   NOT NULL,
	region       TEXT   NOT NULL,
	name         TEXT   COLLATE "C" NOT NULL,
	last_version BIGINT NOT NULL,
	PRIMARY KEY (account, region, name)
);

-- One row per layer version. config is the JSON description owned by the service; policy
-- is the JSON array of the version's permission statements ('' when none), revision_id the
-- policy's revision. A deleted version keeps its row (deleted = 1) and its code: functions
-- that use it keep working, as on AWS.
CREATE TABLE lambda_layer_versions (
	account     TEXT   NOT NULL,
	region      TEXT   NOT NULL,
	layer       TEXT   COLLATE "C" NOT NULL,
	version     BIGINT NOT NULL,
	created_at  BIGINT NOT NULL,
	config      TEXT   NOT NULL,
	policy      TEXT   NOT NULL DEFAULT '',
	revision_id TEXT   NOT NULL,
	deleted     BIGINT NOT NULL DEFAULT 0,
	code        BYTEA  NOT NULL,
	PRIMARY KEY (account, region, layer, version)
);

-- One row per provisioned concurrency config: qualifier is a version number or an alias
-- name; modified is the last change, unix milliseconds.
CREATE TABLE lambda_provisioned (
	account   TEXT   NOT NULL,
	region    TEXT   NOT NULL,
	function  TEXT   COLLATE "C" NOT NULL,
	qualifier TEXT   COLLATE "C" NOT NULL,
	requested BIGINT NOT NULL,
	modified  BIGINT NOT NULL,
	PRIMARY KEY (account, region, function, qualifier)
);
