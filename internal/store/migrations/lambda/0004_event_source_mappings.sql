-- AWS Lambda event source mappings: one row per mapping. function is the function's name,
-- function_arn the ARN the mapping invokes (qualified when it names a version or alias);
-- a queue maps at most once to one function_arn. enabled is 1 when the mapping polls;
-- modified_at is LastModified in unix milliseconds (UTC); config is the JSON configuration
-- owned by the service (batch size, window, filters, ...).
CREATE TABLE lambda_event_source_mappings (
	uuid             TEXT    NOT NULL PRIMARY KEY,
	account          TEXT    NOT NULL,
	region           TEXT    NOT NULL,
	function         TEXT    NOT NULL,
	function_arn     TEXT    NOT NULL,
	event_source_arn TEXT    NOT NULL,
	enabled          INTEGER NOT NULL,
	modified_at      BIGINT  NOT NULL,
	config           TEXT    NOT NULL,
	UNIQUE (account, region, event_source_arn, function_arn)
);

CREATE INDEX lambda_event_source_mappings_function ON lambda_event_source_mappings (account, region, function);
