package store

import (
	"context"
	"fmt"
)

// S3Bucket is one S3 bucket row. Bucket names are global across accounts.
type S3Bucket struct {
	Name    string
	Account string
	// Region is the bucket's location.
	Region string
	// CreatedAt is the creation time, unix milliseconds.
	CreatedAt int64
	// Tags is the JSON array of the bucket's tag set ("[]" when none).
	Tags string
	// Notification is the JSON of the bucket's event notification configuration ("" when
	// none), owned by the S3 service.
	Notification string
	// Configs are the configurations (kind to JSON) S3BucketCreate stores with a new
	// bucket, in the same transaction; reads leave it nil (see S3BucketConfigGet).
	Configs map[string]string
}

const s3BucketColumns = "name, account, region, created_at, tags, notification"

func scanS3Bucket(row interface{ Scan(...any) error }) (*S3Bucket, error) {
	var b S3Bucket
	if err := row.Scan(&b.Name, &b.Account, &b.Region, &b.CreatedAt, &b.Tags, &b.Notification); err != nil {
		return nil, err
	}
	return &b, nil
}

// S3BucketCreate creates b. It returns ErrConflict, with the existing bucket, when a bucket
// of that name exists (in any account).
func (db *DB) S3BucketCreate(ctx context.Context, b *S3Bucket) (*S3Bucket, error) {
	var existing *S3Bucket
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "INSERT INTO s3_buckets ("+s3BucketColumns+") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
			b.Name, b.Account, b.Region, b.CreatedAt, orEmptyList(b.Tags), b.Notification)
		if err != nil {
			return err
		}
		if n > 0 {
			for kind, config := range b.Configs {
				if err := tx.s3PutConfig(ctx, b.Name, kind, config); err != nil {
					return err
				}
			}
			return nil
		}
		existing, err = scanS3Bucket(tx.QueryRow(ctx, "SELECT "+s3BucketColumns+" FROM s3_buckets WHERE name = ?", b.Name))
		if err != nil {
			return err
		}
		return ErrConflict
	})
	if err != nil {
		return existing, fmt.Errorf("create bucket %s: %w", b.Name, err)
	}
	return nil, nil
}

// S3BucketGet returns the bucket name, or ErrNotFound.
func (db *DB) S3BucketGet(ctx context.Context, name string) (*S3Bucket, error) {
	var b *S3Bucket
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		b, err = scanS3Bucket(tx.QueryRow(ctx, "SELECT "+s3BucketColumns+" FROM s3_buckets WHERE name = ?", name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get bucket %s: %w", name, err)
	}
	return b, nil
}

// S3BucketList returns the buckets of account ordered by name.
func (db *DB) S3BucketList(ctx context.Context, account string) ([]*S3Bucket, error) {
	var out []*S3Bucket
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanS3Bucket, "SELECT "+s3BucketColumns+" FROM s3_buckets WHERE account = ? ORDER BY name", account)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	return out, nil
}

// S3BucketDelete deletes the bucket name, its multipart uploads and its configurations. It
// returns ErrNotFound when there is none and ErrConflict, deleting nothing, when the bucket
// still holds objects (or object versions).
func (db *DB) S3BucketDelete(ctx context.Context, name string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_buckets", "name", name); err != nil || !ok {
			return orNotFound(err)
		}
		if nonEmpty, err := tx.s3RowExists(ctx, "s3_objects", "bucket", name); err != nil || nonEmpty {
			return orConflict(err)
		}
		// Noncurrent versions and delete markers keep a bucket alive too.
		if nonEmpty, err := tx.s3RowExists(ctx, "s3_object_versions", "bucket", name); err != nil || nonEmpty {
			return orConflict(err)
		}
		// Multipart uploads in progress do not keep a bucket alive; they go with it.
		if _, err := tx.Exec(ctx, "DELETE FROM s3_parts WHERE upload_id IN (SELECT upload_id FROM s3_uploads WHERE bucket = ?)", name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM s3_uploads WHERE bucket = ?", name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM s3_bucket_configs WHERE bucket = ?", name); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM s3_buckets WHERE name = ?", name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	return nil
}

// S3BucketSetTags replaces the tag set of bucket name (a JSON array; "" clears it). It
// returns ErrNotFound when there is no such bucket.
func (db *DB) S3BucketSetTags(ctx context.Context, name, tags string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE s3_buckets SET tags = ? WHERE name = ?", orEmptyList(tags), name)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("tag bucket %s: %w", name, err)
	}
	return nil
}

// S3BucketSetNotification replaces the notification configuration of bucket name (JSON;
// "" clears it). It returns ErrNotFound when there is no such bucket.
func (db *DB) S3BucketSetNotification(ctx context.Context, name, config string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE s3_buckets SET notification = ? WHERE name = ?", config, name)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set notification of bucket %s: %w", name, err)
	}
	return nil
}

func orEmptyList(s string) string {
	if s == "" {
		return "[]"
	}
	return s
}

// s3RowExists reports whether table has a row whose column equals value. table and column
// are constants of this package, never client input.
func (tx *Tx) s3RowExists(ctx context.Context, table, column, value string) (bool, error) {
	var n int64
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+table+" WHERE "+column+" = ? LIMIT 1) r", value).Scan(&n)
	return n > 0, err
}

// orNotFound is err, or ErrNotFound when there is none.
func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return ErrNotFound
}

// orConflict is err, or ErrConflict when there is none.
func orConflict(err error) error {
	if err != nil {
		return err
	}
	return ErrConflict
}
