-- S3 versioning. s3_objects keeps the current version of each key (version_id 'null' for
-- objects written while the bucket was unversioned or suspended); s3_object_versions the
-- noncurrent versions and the delete markers. seq orders a key's versions, newest highest.
ALTER TABLE s3_objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';
ALTER TABLE s3_objects ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE s3_object_versions (
	bucket        TEXT COLLATE "C" NOT NULL,
	object_key    TEXT COLLATE "C" NOT NULL,
	version_id    TEXT    NOT NULL,
	seq           BIGINT  NOT NULL,
	delete_marker INTEGER NOT NULL DEFAULT 0,
	body          BYTEA    NOT NULL,
	size          BIGINT  NOT NULL,
	etag          TEXT    NOT NULL,
	content_type  TEXT    NOT NULL,
	headers       TEXT    NOT NULL DEFAULT '{}',
	metadata      TEXT    NOT NULL DEFAULT '{}',
	tags          TEXT    NOT NULL DEFAULT '[]',
	modified_at   BIGINT  NOT NULL,
	PRIMARY KEY (bucket, object_key, version_id)
);
CREATE INDEX s3_object_versions_order ON s3_object_versions (bucket, object_key, seq);
