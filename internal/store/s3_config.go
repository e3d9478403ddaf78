package store

import (
	"context"
	"fmt"
)

// S3BucketConfigGet returns the configuration of kind ("policy", "cors", ...) stored for
// bucket, or ErrNotFound when the bucket has none of that kind. It does not tell a missing
// bucket from a missing configuration: the S3 service checks the bucket first.
func (db *DB) S3BucketConfigGet(ctx context.Context, bucket, kind string) (string, error) {
	var config string
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT config FROM s3_bucket_configs WHERE bucket = ? AND kind = ?", bucket, kind).Scan(&config)
	})
	if err != nil {
		return "", fmt.Errorf("get %s configuration of bucket %s: %w", kind, bucket, err)
	}
	return config, nil
}

// S3BucketConfigPut stores config as the configuration of kind for bucket, replacing any.
// It returns ErrNotFound when there is no such bucket.
func (db *DB) S3BucketConfigPut(ctx context.Context, bucket, kind, config string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_buckets", "name", bucket); err != nil || !ok {
			return orNotFound(err)
		}
		return tx.s3PutConfig(ctx, bucket, kind, config)
	})
	if err != nil {
		return fmt.Errorf("put %s configuration of bucket %s: %w", kind, bucket, err)
	}
	return nil
}

// S3BucketConfigDelete deletes the configuration of kind of bucket, if any. It returns
// ErrNotFound when there is no such bucket.
func (db *DB) S3BucketConfigDelete(ctx context.Context, bucket, kind string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_buckets", "name", bucket); err != nil || !ok {
			return orNotFound(err)
		}
		_, err := tx.Exec(ctx, "DELETE FROM s3_bucket_configs WHERE bucket = ? AND kind = ?", bucket, kind)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete %s configuration of bucket %s: %w", kind, bucket, err)
	}
	return nil
}

func (tx *Tx) s3PutConfig(ctx context.Context, bucket, kind, config string) error {
	_, err := tx.Exec(ctx, "INSERT INTO s3_bucket_configs (bucket, kind, config) VALUES (?, ?, ?) "+
		"ON CONFLICT (bucket, kind) DO UPDATE SET config = excluded.config", bucket, kind, config)
	return err
}
