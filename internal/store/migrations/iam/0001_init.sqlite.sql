-- IAM and STS. iam_resources holds the IAM entities of each account (roles, users, groups,
-- managed policies and their versions, inline policies, attachments, access keys,
-- instance profiles); sts_resources the temporary credentials STS issued. Each row's doc
-- is JSON owned by its service; parent names the owning entity ("" for top-level ones)
-- and ref a value looked up across parents (an attachment's policy ARN, an access key's
-- user). IAM is global: region is always ''. The two tables are apart so that a reset of
-- one service (iam_..., sts_...) leaves the other's state alone. Times are unix
-- milliseconds (UTC). 0001_init.postgres.sql is the PostgreSQL twin, which sorts names in
-- byte order as SQLite does by default.
CREATE TABLE iam_resources (
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
CREATE INDEX iam_resources_ref ON iam_resources (account, region, kind, ref);
CREATE TABLE sts_resources (
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
