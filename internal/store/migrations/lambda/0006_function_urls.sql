-- AWS Lambda function URLs: at most one per function and qualifier ($LATEST or an alias).
-- url_id is the host label of the URL and unique across accounts; config is the JSON
-- configuration owned by the service (auth type, CORS, invoke mode).
CREATE TABLE lambda_function_urls (
	account     TEXT   NOT NULL,
	region      TEXT   NOT NULL,
	function    TEXT   NOT NULL,
	qualifier   TEXT   NOT NULL,
	url_id      TEXT   NOT NULL UNIQUE,
	config      TEXT   NOT NULL,
	created_at  BIGINT NOT NULL,
	modified_at BIGINT NOT NULL,
	PRIMARY KEY (account, region, function, qualifier)
);
