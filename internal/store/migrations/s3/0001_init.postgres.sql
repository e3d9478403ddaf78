-- S3: buckets and their objects. Times are unix milliseconds (UTC). The twin of
-- 0001_init.sqlite.sql: bytea for the body, and COLLATE "C" so that keys order by their
-- bytes, as S3 lists them.

CREATE TABLE s3_buckets (
	name       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	account    TEXT   NOT NULL,
	region     TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	tags       TEXT   NOT NULL DEFAULT '[]'
);
CREATE INDEX s3_buckets_account ON s3_buckets (account, name);

CREATE TABLE s3_objects (
	bucket       TEXT COLLATE "C" NOT NULL,
	object_key   TEXT COLLATE "C" NOT NULL,
	body         BYTEA  NOT NULL,
	size         BIGINT NOT NULL,
	etag         TEXT   NOT NULL,
	content_type TEXT   NOT NULL,
	headers      TEXT   NOT NULL DEFAULT '{}',
	metadata     TEXT   NOT NULL DEFAULT '{}',
	tags         TEXT   NOT NULL DEFAULT '[]',
	modified_at  BIGINT NOT NULL,
	PRIMARY KEY (bucket, object_key)
);

CREATE TABLE s3_uploads (
	upload_id    TEXT   NOT NULL PRIMARY KEY,
	bucket       TEXT COLLATE "C" NOT NULL,
	object_key   TEXT COLLATE "C" NOT NULL,
	account      TEXT   NOT NULL,
	content_type TEXT   NOT NULL,
	headers      TEXT   NOT NULL DEFAULT '{}',
	metadata     TEXT   NOT NULL DEFAULT '{}',
	tags         TEXT   NOT NULL DEFAULT '[]',
	created_at   BIGINT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, object_key);

CREATE TABLE s3_parts (
	upload_id   TEXT    NOT NULL,
	part_number INTEGER NOT NULL,
	body        BYTEA   NOT NULL,
	size        BIGINT  NOT NULL,
	etag        TEXT    NOT NULL,
	modified_at BIGINT  NOT NULL,
	PRIMARY KEY (upload_id, part_number)
);
