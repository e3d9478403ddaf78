-- SNS: topics, subscriptions, FIFO deduplication, the local outbox and small named
-- records (signing key, SMS settings, sandbox numbers, platform applications and
-- endpoints). Times are unix milliseconds (UTC). The same file serves SQLite and
-- PostgreSQL.

-- One row per topic. attrs and tags are JSON owned by the SNS service; seq is the last
-- FIFO sequence number handed out.
CREATE TABLE sns_topics (
	arn        TEXT   NOT NULL PRIMARY KEY,
	account    TEXT   NOT NULL,
	region     TEXT   NOT NULL,
	name       TEXT   NOT NULL,
	fifo       BIGINT NOT NULL DEFAULT 0,
	attrs      TEXT   NOT NULL DEFAULT '{}',
	tags       TEXT   NOT NULL DEFAULT '{}',
	seq        BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX sns_topics_account ON sns_topics (account, region, arn);

-- One row per subscription. token is the confirmation token of a pending subscription.
CREATE TABLE sns_subscriptions (
	arn        TEXT   NOT NULL PRIMARY KEY,
	topic_arn  TEXT   NOT NULL,
	account    TEXT   NOT NULL,
	region     TEXT   NOT NULL,
	protocol   TEXT   NOT NULL,
	endpoint   TEXT   NOT NULL,
	owner      TEXT   NOT NULL,
	confirmed  BIGINT NOT NULL DEFAULT 0,
	token      TEXT   NOT NULL DEFAULT '',
	attrs      TEXT   NOT NULL DEFAULT '{}',
	created_at BIGINT NOT NULL
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
CREATE INDEX sns_subscriptions_account ON sns_subscriptions (account, region, arn);

-- FIFO topic deduplication entries, kept for the five-minute deduplication interval.
CREATE TABLE sns_dedup (
	topic_arn  TEXT   NOT NULL,
	dedup_id   TEXT   NOT NULL,
	message_id TEXT   NOT NULL,
	seq        BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (topic_arn, dedup_id)
);

-- Messages "delivered" to email, email-json, sms and application endpoints, for inspection.
CREATE TABLE sns_outbox (
	id               TEXT   NOT NULL PRIMARY KEY,
	created_at       BIGINT NOT NULL,
	protocol         TEXT   NOT NULL,
	endpoint         TEXT   NOT NULL,
	topic_arn        TEXT   NOT NULL DEFAULT '',
	subscription_arn TEXT   NOT NULL DEFAULT '',
	subject          TEXT   NOT NULL DEFAULT '',
	message          TEXT   NOT NULL
);
CREATE INDEX sns_outbox_time ON sns_outbox (created_at, id);

-- Small named records by kind: the signing key, SMS attributes, sandbox phone numbers,
-- opted-out numbers, platform applications and endpoints, data protection policies.
CREATE TABLE sns_records (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	kind    TEXT NOT NULL,
	name    TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (account, region, kind, name)
);
