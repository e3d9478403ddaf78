package store

import (
	"context"
	"fmt"
)

// S3Object is one S3 object row.
type S3Object struct {
	Bucket string
	Key    string
	// Body is the object's bytes; nil when read without them (S3ObjectHead, S3ObjectList).
	Body []byte
	Size int64
	// ETag is the entity tag as S3 answers it, quotes included.
	ETag        string
	ContentType string
	// Headers is the JSON object of the stored system headers (Cache-Control, ...).
	Headers string
	// Metadata is the JSON object of the user metadata.
	Metadata string
	// Tags is the JSON array of the object's tag set ("[]" when none).
	Tags string
	// ModifiedAt is the last-modified time, unix milliseconds.
	ModifiedAt int64
	// VersionID is the object's version ("null", or "" which stores as "null", for objects
	// written while the bucket was not versioning).
	VersionID string
	// Seq orders the versions of a key, newest highest.
	Seq int64
	// DeleteMarker and IsLatest describe versions read by the version functions
	// (s3_version.go); a current object is always the latest and never a delete marker.
	DeleteMarker bool
	IsLatest     bool
}

const s3ObjectMetaColumns = "bucket, object_key, size, etag, content_type, headers, metadata, tags, modified_at, version_id, seq"

func scanS3Object(row interface{ Scan(...any) error }, withBody bool) (*S3Object, error) {
	var o S3Object
	dest := []any{&o.Bucket, &o.Key, &o.Size, &o.ETag, &o.ContentType, &o.Headers, &o.Metadata, &o.Tags, &o.ModifiedAt, &o.VersionID, &o.Seq}
	if withBody {
		dest = append(dest, &o.Body)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if withBody && o.Body == nil {
		o.Body = []byte{}
	}
	return &o, nil
}

// S3WriteHook runs inside the transaction of an object write, after the write itself: S3
// enqueues the write's event notifications there, so that they commit with it.
type S3WriteHook func(tx *Tx) error

// runS3Hooks runs hooks in tx, stopping at the first error.
func runS3Hooks(tx *Tx, hooks []S3WriteHook) error {
	for _, h := range hooks {
		if err := h(tx); err != nil {
			return err
		}
	}
	return nil
}

// S3ObjectPut creates o or replaces the object of that key, then runs hooks in the same
// transaction. It returns ErrNotFound when the bucket does not exist.
func (db *DB) S3ObjectPut(ctx context.Context, o *S3Object, hooks ...S3WriteHook) error {
	body := o.Body
	if body == nil {
		body = []byte{}
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_buckets", "name", o.Bucket); err != nil || !ok {
			return orNotFound(err)
		}
		if err := insertS3Object(ctx, tx, o, body); err != nil {
			return err
		}
		return runS3Hooks(tx, hooks)
	})
	if err != nil {
		return fmt.Errorf("put object %s/%s: %w", o.Bucket, o.Key, err)
	}
	return nil
}

// insertS3Object makes o with body the current version of its key. The current version
// it replaces is kept as a noncurrent version unless both are the "null" version, and a
// new "null" version replaces the noncurrent "null" version (or delete marker), as S3
// keeps one null version per key.
func insertS3Object(ctx context.Context, tx *Tx, o *S3Object, body []byte) error {
	vid := orNullVersion(o.VersionID)
	if vid == "null" {
		if _, err := tx.Exec(ctx, "DELETE FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = 'null'", o.Bucket, o.Key); err != nil {
			return err
		}
	}
	if err := archiveCurrentS3Object(ctx, tx, o.Bucket, o.Key, vid); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO s3_objects (`+s3ObjectMetaColumns+`, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket, object_key) DO UPDATE SET size = excluded.size, etag = excluded.etag, content_type = excluded.content_type,
headers = excluded.headers, metadata = excluded.metadata, tags = excluded.tags, modified_at = excluded.modified_at, body = excluded.body,
version_id = excluded.version_id, seq = excluded.seq`,
		o.Bucket, o.Key, int64(len(body)), o.ETag, o.ContentType, orEmptyJSON(o.Headers), orEmptyJSON(o.Metadata), orEmptyList(o.Tags), o.ModifiedAt,
		vid, o.Seq, body)
	return err
}

// S3ObjectGet returns the object of key in bucket with its body, or ErrNotFound.
func (db *DB) S3ObjectGet(ctx context.Context, bucket, key string) (*S3Object, error) {
	return db.s3ObjectRead(ctx, bucket, key, true)
}

// S3ObjectHead returns the object of key in bucket without its body, or ErrNotFound.
func (db *DB) S3ObjectHead(ctx context.Context, bucket, key string) (*S3Object, error) {
	return db.s3ObjectRead(ctx, bucket, key, false)
}

func (db *DB) s3ObjectRead(ctx context.Context, bucket, key string, withBody bool) (*S3Object, error) {
	cols := s3ObjectMetaColumns
	if withBody {
		cols += ", body"
	}
	var o *S3Object
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		o, err = scanS3Object(tx.QueryRow(ctx, "SELECT "+cols+" FROM s3_objects WHERE bucket = ? AND object_key = ?", bucket, key), withBody)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get object %s/%s: %w", bucket, key, err)
	}
	return o, nil
}

// S3ObjectDelete deletes the current version of key in bucket (in a bucket that does not
// version), runs hooks in the same transaction and reports whether the object existed.
func (db *DB) S3ObjectDelete(ctx context.Context, bucket, key string, hooks ...S3WriteHook) (bool, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if n, err = tx.Exec(ctx, "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ?", bucket, key); err != nil {
			return err
		}
		return runS3Hooks(tx, hooks)
	})
	if err != nil {
		return false, fmt.Errorf("delete object %s/%s: %w", bucket, key, err)
	}
	return n > 0, nil
}

// S3ObjectListParams are the arguments of S3ObjectList.
type S3ObjectListParams struct {
	Bucket string
	// After keeps keys ordered strictly after it ("" for all).
	After string
	// From keeps keys ordered at or after it (the listing prefix: keys starting with it
	// sort at or after it). Both After and From apply.
	From string
	// Limit is the most objects returned.
	Limit int
}

// S3ObjectList returns objects of a bucket without their bodies, ordered by key bytes.
func (db *DB) S3ObjectList(ctx context.Context, p *S3ObjectListParams) ([]*S3Object, error) {
	var out []*S3Object
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+s3ObjectMetaColumns+" FROM s3_objects WHERE bucket = ? AND object_key > ? AND object_key >= ? ORDER BY object_key LIMIT ?",
			p.Bucket, p.After, p.From, p.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanS3Object(rows, false)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", p.Bucket, err)
	}
	return out, nil
}

// S3ObjectSetTags replaces the tag set of an object (a JSON array; "" clears it), leaving
// the rest as it is. It returns ErrNotFound when there is no such object.
func (db *DB) S3ObjectSetTags(ctx context.Context, bucket, key, tags string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE s3_objects SET tags = ? WHERE bucket = ? AND object_key = ?", orEmptyList(tags), bucket, key)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("tag object %s/%s: %w", bucket, key, err)
	}
	return nil
}
