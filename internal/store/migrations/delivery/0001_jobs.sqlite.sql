-- Delivery: durable jobs that hand work from one service to another (internal/delivery).
-- Times are unix milliseconds (UTC). See 0001_jobs.postgres.sql for the PostgreSQL twin; the
-- two differ only in how ids are generated and in the payload's binary type.
--
-- run_at is when the job may next be claimed: its due time while it waits, its lease expiry
-- while a worker holds it (lease_token <> 0), or 4611686018427387904 (2^62) while it is parked
-- behind an earlier job with the same ordering_key. Only the earliest job of an ordering key
-- is ever unparked, so jobs of one key are delivered one at a time, in id order.
-- dead_reason is '' for a live job; once retries are exhausted it names why, and the next
-- claim hands the job to its owner's dead-letter function instead of delivering it.
CREATE TABLE delivery_jobs (
	id           INTEGER PRIMARY KEY,
	target       TEXT    NOT NULL,
	dest         TEXT    NOT NULL,
	payload      BLOB    NOT NULL,
	attributes   TEXT    NOT NULL DEFAULT '',
	policy       TEXT    NOT NULL DEFAULT '',
	ordering_key TEXT    NOT NULL DEFAULT '',
	owner        TEXT    NOT NULL DEFAULT '',
	enqueued_at  BIGINT  NOT NULL,
	run_at       BIGINT  NOT NULL,
	lease_ms     BIGINT  NOT NULL,
	lease_token  BIGINT  NOT NULL DEFAULT 0,
	attempts     INTEGER NOT NULL DEFAULT 0,
	failures     INTEGER NOT NULL DEFAULT 0,
	throttles    INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	dead_reason  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX delivery_jobs_run ON delivery_jobs (target, run_at, id);
CREATE INDEX delivery_jobs_order ON delivery_jobs (ordering_key, id) WHERE ordering_key <> '';
