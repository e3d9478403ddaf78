-- S3 bucket configurations (policy, CORS, lifecycle, encryption, public access block,
-- ownership controls, website, logging, ...): one JSON document per bucket and kind, owned
-- by the S3 service. A kind without a row is "not configured".
CREATE TABLE s3_bucket_configs (
	bucket TEXT NOT NULL,
	kind   TEXT NOT NULL,
	config TEXT NOT NULL,
	PRIMARY KEY (bucket, kind)
);

-- Buckets created since 2023 carry ownership controls BucketOwnerEnforced (ACLs disabled)
-- and block all public access; the buckets that existed before this migration get them too.
INSERT INTO s3_bucket_configs (bucket, kind, config)
SELECT name, 'ownership', '{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}' FROM s3_buckets;
INSERT INTO s3_bucket_configs (bucket, kind, config)
SELECT name, 'publicAccessBlock', '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}' FROM s3_buckets;
