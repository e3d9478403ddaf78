-- AWS Lambda aliases: one row per alias of a function. config is the JSON configuration
-- owned by the service (target version, description, routing weights).
CREATE TABLE lambda_aliases (
	account     TEXT    NOT NULL,
	region      TEXT    NOT NULL,
	function    TEXT    NOT NULL,
	name        TEXT    NOT NULL,
	revision_id TEXT    NOT NULL,
	config      TEXT    NOT NULL,
	PRIMARY KEY (account, region, function, name)
);
