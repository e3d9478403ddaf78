-- S3: buckets and their objects. Times are unix milliseconds (UTC). See
-- 0001_init.postgres.sql for the PostgreSQL twin; the two differ only in the blob type and
-- in the collation PostgreSQL needs to order keys by their bytes, as S3 lists them.

-- One row per bucket. Bucket names are global across accounts, as in S3; account is the
-- owner and region the bucket's location.
CREATE TABLE s3_buckets (
	name       TEXT   NOT NULL PRIMARY KEY,
	account    TEXT   NOT NULL,
	region     TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	tags       TEXT   NOT NULL DEFAULT '[]'
);
CREATE INDEX s3_buckets_account ON s3_buckets (account, name);

-- One row per object (no versioning: a PUT replaces the row). headers holds the stored
-- system headers (Cache-Control, Content-Encoding, ...) and metadata the user metadata,
-- both as JSON objects. tags (here and on buckets) is the JSON array of the tag set, in
-- the order it was given.
CREATE TABLE s3_objects (
	bucket       TEXT   NOT NULL,
	object_key   TEXT   NOT NULL,
	body         BLOB   NOT NULL,
	size         BIGINT NOT NULL,
	etag         TEXT   NOT NULL,
	content_type TEXT   NOT NULL,
	headers      TEXT   NOT NULL DEFAULT '{}',
	metadata     TEXT   NOT NULL DEFAULT '{}',
	tags         TEXT   NOT NULL DEFAULT '[]',
	modified_at  BIGINT NOT NULL,
	PRIMARY KEY (bucket, object_key)
);

-- One row per multipart upload in progress: what the completed object will carry.
CREATE TABLE s3_uploads (
	upload_id    TEXT   NOT NULL PRIMARY KEY,
	bucket       TEXT   NOT NULL,
	object_key   TEXT   NOT NULL,
	account      TEXT   NOT NULL,
	content_type TEXT   NOT NULL,
	headers      TEXT   NOT NULL DEFAULT '{}',
	metadata     TEXT   NOT NULL DEFAULT '{}',
	tags         TEXT   NOT NULL DEFAULT '[]',
	created_at   BIGINT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, object_key);

-- The parts uploaded so far; uploading a part number again replaces it.
CREATE TABLE s3_parts (
	upload_id   TEXT    NOT NULL,
	part_number INTEGER NOT NULL,
	body        BLOB    NOT NULL,
	size        BIGINT  NOT NULL,
	etag        TEXT    NOT NULL,
	modified_at BIGINT  NOT NULL,
	PRIMARY KEY (upload_id, part_number)
);
