-- S3 event notifications: the bucket's notification configuration, as JSON owned by the S3
-- service ('' for none).
ALTER TABLE s3_buckets ADD COLUMN notification TEXT NOT NULL DEFAULT '';
