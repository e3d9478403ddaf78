-- SNS FIFO topic message archive: every message published to a topic with an
-- ArchivePolicy, kept until expires_at (its publish time plus the retention period) for
-- replays. message is JSON owned by the SNS service. Times are unix milliseconds (UTC).
CREATE TABLE sns_archive (
	topic_arn    TEXT   NOT NULL,
	seq          BIGINT NOT NULL,
	published_at BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	message      TEXT   NOT NULL,
	PRIMARY KEY (topic_arn, seq)
);
CREATE INDEX sns_archive_expiry ON sns_archive (expires_at);
