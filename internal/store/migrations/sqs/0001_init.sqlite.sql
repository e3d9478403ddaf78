-- SQS: queues, their messages, FIFO deduplication, receive attempts and message move tasks.
-- Times are unix milliseconds (UTC). See 0001_init.postgres.sql for the PostgreSQL twin;
-- the two differ only in how ids are generated.

-- One row per queue. A deleted queue keeps its row (deleted_at > 0) for the 60 seconds during
-- which its name may not be reused. attrs holds the settable attributes as JSON; the columns
-- beside it are the ones SQL needs to filter on.
CREATE TABLE sqs_queues (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	account      TEXT    NOT NULL,
	region       TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	fifo         INTEGER NOT NULL DEFAULT 0,
	attrs        TEXT    NOT NULL,
	tags         TEXT    NOT NULL DEFAULT '{}',
	dlq_arn      TEXT    NOT NULL DEFAULT '',
	retention_ms BIGINT  NOT NULL,
	created_at   BIGINT  NOT NULL,
	modified_at  BIGINT  NOT NULL,
	purged_at    BIGINT  NOT NULL DEFAULT 0,
	deleted_at   BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sqs_queues_name ON sqs_queues (account, region, name);
CREATE INDEX sqs_queues_dlq ON sqs_queues (dlq_arn) WHERE dlq_arn <> '';

-- One row per message. AUTOINCREMENT keeps ids (and so FIFO sequence numbers) from ever
-- being reused. A message is visible when visible_at <= now; in flight when it is not
-- visible and has been received (receive_count > 0); delayed when it is not visible and
-- never received. receipt_token is the token of its latest receive.
CREATE TABLE sqs_messages (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	queue_id         BIGINT  NOT NULL,
	message_id       TEXT    NOT NULL,
	body             TEXT    NOT NULL,
	attrs            TEXT    NOT NULL DEFAULT '',
	sys_attrs        TEXT    NOT NULL DEFAULT '',
	sender_id        TEXT    NOT NULL DEFAULT '',
	sent_at          BIGINT  NOT NULL,
	enqueued_at      BIGINT  NOT NULL,
	visible_at       BIGINT  NOT NULL,
	receive_count    INTEGER NOT NULL DEFAULT 0,
	first_receive_at BIGINT  NOT NULL DEFAULT 0,
	received_at      BIGINT  NOT NULL DEFAULT 0,
	receipt_token    BIGINT  NOT NULL DEFAULT 0,
	group_id         TEXT    NOT NULL DEFAULT '',
	dedup_id         TEXT    NOT NULL DEFAULT '',
	dlq_source_arn   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at, id);
CREATE INDEX sqs_messages_order ON sqs_messages (queue_id, id) WHERE group_id <> '';
CREATE INDEX sqs_messages_group ON sqs_messages (queue_id, group_id, visible_at) WHERE group_id <> '';

-- FIFO deduplication: a deduplication id seen in the last five minutes, per queue or per
-- message group (scope is '' for queue-wide deduplication).
CREATE TABLE sqs_dedup (
	queue_id   BIGINT NOT NULL,
	scope      TEXT   NOT NULL,
	dedup_id   TEXT   NOT NULL,
	message_id TEXT   NOT NULL,
	seq        BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (queue_id, scope, dedup_id)
);
CREATE INDEX sqs_dedup_expiry ON sqs_dedup (expires_at);

-- FIFO ReceiveRequestAttemptId: what a receive handed out, so a retry gets the same.
CREATE TABLE sqs_receive_attempts (
	queue_id    BIGINT NOT NULL,
	attempt_id  TEXT   NOT NULL,
	token       BIGINT NOT NULL,
	message_ids TEXT   NOT NULL,
	expires_at  BIGINT NOT NULL,
	PRIMARY KEY (queue_id, attempt_id)
);
CREATE INDEX sqs_receive_attempts_expiry ON sqs_receive_attempts (expires_at);

-- Message move tasks (dead-letter queue redrive). dest_arn '' moves each message back to
-- the queue it came from. Only messages with id <= max_message_id (those present at start)
-- are moved.
CREATE TABLE sqs_move_tasks (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	handle          TEXT    NOT NULL,
	source_queue_id BIGINT  NOT NULL,
	source_arn      TEXT    NOT NULL,
	dest_arn        TEXT    NOT NULL DEFAULT '',
	max_per_second  INTEGER NOT NULL DEFAULT 0,
	status          TEXT    NOT NULL,
	moved           BIGINT  NOT NULL DEFAULT 0,
	to_move         BIGINT  NOT NULL DEFAULT 0,
	failure_reason  TEXT    NOT NULL DEFAULT '',
	started_at      BIGINT  NOT NULL,
	updated_at      BIGINT  NOT NULL,
	max_message_id  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX sqs_move_tasks_handle ON sqs_move_tasks (handle);
CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks (source_arn, id);
CREATE INDEX sqs_move_tasks_status ON sqs_move_tasks (status);
