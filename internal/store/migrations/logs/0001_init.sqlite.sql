-- CloudWatch Logs: log groups, log streams and log events. Times are unix milliseconds
-- (UTC). See 0001_init.postgres.sql for the PostgreSQL twin; the two differ in how ids
-- are generated and in the type of message bodies (BLOB here, BYTEA there, so that a
-- message may hold any character, NUL included).

-- One row per log group. retention_days 0 means events never expire. tags is a JSON
-- object owned by the service.
CREATE TABLE logs_groups (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	account             TEXT    NOT NULL,
	region              TEXT    NOT NULL,
	name                TEXT    NOT NULL,
	created_at          BIGINT  NOT NULL,
	retention_days      INTEGER NOT NULL DEFAULT 0,
	kms_key_id          TEXT    NOT NULL DEFAULT '',
	class               TEXT    NOT NULL DEFAULT 'STANDARD',
	deletion_protection INTEGER NOT NULL DEFAULT 0,
	tags                TEXT    NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX logs_groups_name ON logs_groups (account, region, name);
CREATE INDEX logs_groups_retention ON logs_groups (retention_days) WHERE retention_days > 0;

-- One row per log stream. last_ingestion_at 0 means the stream has no events yet; then
-- first_event_at and last_event_at mean nothing. stored_bytes counts the message bytes of
-- the stream's events; seq counts PutLogEvents calls (the legacy sequence token).
CREATE TABLE logs_streams (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id          BIGINT  NOT NULL,
	name              TEXT    NOT NULL,
	created_at        BIGINT  NOT NULL,
	first_event_at    BIGINT  NOT NULL DEFAULT 0,
	last_event_at     BIGINT  NOT NULL DEFAULT 0,
	last_ingestion_at BIGINT  NOT NULL DEFAULT 0,
	stored_bytes      BIGINT  NOT NULL DEFAULT 0,
	seq               BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX logs_streams_name ON logs_streams (group_id, name);
CREATE INDEX logs_streams_last_event ON logs_streams (group_id, last_event_at, name);

-- One row per log event. Events are ordered by (ts, id): the event time, then the order
-- of ingestion. size is the message length in bytes.
CREATE TABLE logs_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id    BIGINT  NOT NULL,
	stream_id   BIGINT  NOT NULL,
	ts          BIGINT  NOT NULL,
	ingested_at BIGINT  NOT NULL,
	size        BIGINT  NOT NULL,
	message     BLOB    NOT NULL
);
CREATE INDEX logs_events_stream ON logs_events (stream_id, ts, id);
CREATE INDEX logs_events_group ON logs_events (group_id, ts, id);
