package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

func orNullVersion(vid string) string {
	if vid == "" {
		return "null"
	}
	return vid
}

// archiveCurrentS3Object moves the current version of key to the noncurrent versions,
// unless it has version id keep (it is about to be replaced in place). A current "null"
// version replaced by a new version id is kept as well.
func archiveCurrentS3Object(ctx context.Context, tx *Tx, bucket, key, keep string) error {
	_, err := tx.Exec(ctx, `INSERT INTO s3_object_versions (`+s3ObjectMetaColumns+`, body, delete_marker)
SELECT `+s3ObjectMetaColumns+`, body, 0 FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id <> ?`, bucket, key, keep)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id <> ?", bucket, key, keep)
	return err
}

// S3ObjectDeleteMarker puts a delete marker with version id m.VersionID ("null" in a
// bucket whose versioning is suspended) on m.Key: the current version becomes noncurrent
// (or, being the null version under a null marker, goes). It runs hooks in the same
// transaction.
func (db *DB) S3ObjectDeleteMarker(ctx context.Context, m *S3Object, hooks ...S3WriteHook) error {
	vid := orNullVersion(m.VersionID)
	err := db.Write(ctx, func(tx *Tx) error {
		if vid == "null" {
			if _, err := tx.Exec(ctx, "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = 'null'", m.Bucket, m.Key); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = 'null'", m.Bucket, m.Key); err != nil {
				return err
			}
		}
		if err := archiveCurrentS3Object(ctx, tx, m.Bucket, m.Key, ""); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO s3_object_versions (`+s3ObjectMetaColumns+`, body, delete_marker)
VALUES (?, ?, 0, '', '', '{}', '{}', '[]', ?, ?, ?, ?, 1)`, m.Bucket, m.Key, m.ModifiedAt, vid, m.Seq, []byte{}); err != nil {
			return err
		}
		return runS3Hooks(tx, hooks)
	})
	if err != nil {
		return fmt.Errorf("put delete marker on %s/%s: %w", m.Bucket, m.Key, err)
	}
	return nil
}

// S3ObjectVersionGet returns version vid of key (the current version or a noncurrent one,
// possibly a delete marker), with its body when withBody, or ErrNotFound.
func (db *DB) S3ObjectVersionGet(ctx context.Context, bucket, key, vid string, withBody bool) (*S3Object, error) {
	cols := s3ObjectMetaColumns
	if withBody {
		cols += ", body"
	}
	var o *S3Object
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		o, err = scanS3Object(tx.QueryRow(ctx, "SELECT "+cols+" FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?", bucket, key, vid), withBody)
		if err == nil {
			o.IsLatest = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) && !errors.Is(err, ErrNotFound) {
			return err
		}
		o, err = scanS3Version(tx.QueryRow(ctx, "SELECT "+cols+", delete_marker FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = ?",
			bucket, key, vid), withBody)
		if err != nil {
			return err
		}
		o.IsLatest, err = tx.s3NoNewerVersion(ctx, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get version %s of %s/%s: %w", vid, bucket, key, err)
	}
	return o, nil
}

// S3ObjectLatestMarker returns the delete marker that is the latest version of key, or
// ErrNotFound when the key has a current version or no delete marker on top.
func (db *DB) S3ObjectLatestMarker(ctx context.Context, bucket, key string) (*S3Object, error) {
	var o *S3Object
	err := db.Read(ctx, func(tx *Tx) error {
		if ok, err := tx.s3KeyExists(ctx, "s3_objects", bucket, key); err != nil || ok {
			return orNotFound(err)
		}
		var err error
		o, err = scanS3Version(tx.QueryRow(ctx, "SELECT "+s3ObjectMetaColumns+", delete_marker FROM s3_object_versions WHERE bucket = ? AND object_key = ? ORDER BY seq DESC LIMIT 1",
			bucket, key), false)
		if err != nil {
			return err
		}
		if !o.DeleteMarker {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("latest delete marker of %s/%s: %w", bucket, key, err)
	}
	return o, nil
}

// S3ObjectVersionDelete deletes version vid of key for good and returns it (without body),
// or ErrNotFound. Deleting the current version makes the newest noncurrent version
// current, unless that is a delete marker, which then stays the latest version. It runs
// hooks in the same transaction.
func (db *DB) S3ObjectVersionDelete(ctx context.Context, bucket, key, vid string, hooks ...S3WriteHook) (*S3Object, error) {
	var o *S3Object
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		o, err = scanS3Object(tx.QueryRow(ctx, "SELECT "+s3ObjectMetaColumns+" FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?", bucket, key, vid), false)
		switch {
		case err == nil:
			if _, err := tx.Exec(ctx, "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ?", bucket, key); err != nil {
				return err
			}
			if err := tx.s3PromoteNewest(ctx, bucket, key); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound):
			o, err = scanS3Version(tx.QueryRow(ctx, "SELECT "+s3ObjectMetaColumns+", delete_marker FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = ?",
				bucket, key, vid), false)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = ?", bucket, key, vid); err != nil {
				return err
			}
			// Deleting the delete marker on top brings the version under it back.
			if current, err := tx.s3KeyExists(ctx, "s3_objects", bucket, key); err != nil || current {
				return err
			}
			if err := tx.s3PromoteNewest(ctx, bucket, key); err != nil {
				return err
			}
		default:
			return err
		}
		return runS3Hooks(tx, hooks)
	})
	if err != nil {
		return nil, fmt.Errorf("delete version %s of %s/%s: %w", vid, bucket, key, err)
	}
	return o, nil
}

// s3PromoteNewest makes the newest noncurrent version of key current when it is an
// object, not a delete marker. The key must have no current version.
func (tx *Tx) s3PromoteNewest(ctx context.Context, bucket, key string) error {
	var vid string
	var marker int64
	err := tx.QueryRow(ctx, "SELECT version_id, delete_marker FROM s3_object_versions WHERE bucket = ? AND object_key = ? ORDER BY seq DESC LIMIT 1",
		bucket, key).Scan(&vid, &marker)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) || (err == nil && marker != 0) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO s3_objects (`+s3ObjectMetaColumns+`, body)
SELECT `+s3ObjectMetaColumns+`, body FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = ?`, bucket, key, vid); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "DELETE FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND version_id = ?", bucket, key, vid)
	return err
}

// s3NoNewerVersion reports whether the noncurrent version o is the latest of its key: no
// current version and nothing newer.
func (tx *Tx) s3NoNewerVersion(ctx context.Context, o *S3Object) (bool, error) {
	if current, err := tx.s3KeyExists(ctx, "s3_objects", o.Bucket, o.Key); err != nil || current {
		return false, err
	}
	var n int64
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM s3_object_versions WHERE bucket = ? AND object_key = ? AND seq > ?", o.Bucket, o.Key, o.Seq).Scan(&n)
	return n == 0, err
}

func (tx *Tx) s3KeyExists(ctx context.Context, table, bucket, key string) (bool, error) {
	var n int64
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE bucket = ? AND object_key = ?", bucket, key).Scan(&n)
	return n > 0, err
}

func scanS3Version(row interface{ Scan(...any) error }, withBody bool) (*S3Object, error) {
	var o S3Object
	var marker int64
	dest := []any{&o.Bucket, &o.Key, &o.Size, &o.ETag, &o.ContentType, &o.Headers, &o.Metadata, &o.Tags, &o.ModifiedAt, &o.VersionID, &o.Seq}
	if withBody {
		dest = append(dest, &o.Body)
	}
	if err := row.Scan(append(dest, &marker)...); err != nil {
		return nil, err
	}
	if withBody && o.Body == nil {
		o.Body = []byte{}
	}
	o.DeleteMarker = marker != 0
	return &o, nil
}

// S3ObjectVersionList returns every version of the keys of bucket starting with prefix
// and ordered at or after from, without bodies: by key bytes, then newest first, with
// IsLatest set.
func (db *DB) S3ObjectVersionList(ctx context.Context, bucket, prefix, from string) ([]*S3Object, error) {
	var out []*S3Object
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+s3ObjectMetaColumns+`, delete_marker, latest FROM (
SELECT `+s3ObjectMetaColumns+`, 0 AS delete_marker, 1 AS latest FROM s3_objects WHERE bucket = ? AND object_key >= ? AND object_key >= ?
UNION ALL
SELECT `+s3ObjectMetaColumns+`, delete_marker, 0 AS latest FROM s3_object_versions WHERE bucket = ? AND object_key >= ? AND object_key >= ?
) v ORDER BY object_key, latest DESC, seq DESC`, bucket, prefix, from, bucket, prefix, from)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o S3Object
			var marker, latest int64
			if err := rows.Scan(&o.Bucket, &o.Key, &o.Size, &o.ETag, &o.ContentType, &o.Headers, &o.Metadata, &o.Tags, &o.ModifiedAt,
				&o.VersionID, &o.Seq, &marker, &latest); err != nil {
				return err
			}
			if len(o.Key) < len(prefix) || o.Key[:len(prefix)] != prefix {
				break
			}
			o.DeleteMarker, o.IsLatest = marker != 0, latest != 0
			// The first version of a key without a current version is its latest.
			if n := len(out); !o.IsLatest && (n == 0 || out[n-1].Key != o.Key) {
				o.IsLatest = true
			}
			out = append(out, &o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", bucket, err)
	}
	return out, nil
}

// S3ObjectVersionSetTags replaces the tag set of version vid of key (current or not; a
// JSON array, "" clears it). It returns ErrNotFound when there is no such version.
func (db *DB) S3ObjectVersionSetTags(ctx context.Context, bucket, key, vid, tags string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE s3_objects SET tags = ? WHERE bucket = ? AND object_key = ? AND version_id = ?", orEmptyList(tags), bucket, key, vid)
		if err != nil || n > 0 {
			return err
		}
		n, err = tx.Exec(ctx, "UPDATE s3_object_versions SET tags = ? WHERE bucket = ? AND object_key = ? AND version_id = ? AND delete_marker = 0",
			orEmptyList(tags), bucket, key, vid)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("tag version %s of %s/%s: %w", vid, bucket, key, err)
	}
	return nil
}
