-- Timers: durable "later"s with a due time, fired by one scheduler (internal/timer). Times
-- are unix milliseconds (UTC). See 0001_timers.postgres.sql for the PostgreSQL twin; the two
-- differ only in how ids are generated and in the payload's binary type.
--
-- A timer is named by (kind, timer_key): scheduling it again replaces it. run_at is when it
-- may next be claimed: due_at while it waits, the lease expiry while a scheduler holds it
-- (lease_token <> 0), or the retry time after its handler failed (attempts > 0).
CREATE TABLE timer_timers (
	id          INTEGER PRIMARY KEY,
	kind        TEXT    NOT NULL,
	timer_key   TEXT    NOT NULL,
	due_at      BIGINT  NOT NULL,
	run_at      BIGINT  NOT NULL,
	payload     BLOB    NOT NULL,
	lease_token BIGINT  NOT NULL DEFAULT 0,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT    NOT NULL DEFAULT '',
	created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX timer_timers_key ON timer_timers (kind, timer_key);
CREATE INDEX timer_timers_run ON timer_timers (run_at);
