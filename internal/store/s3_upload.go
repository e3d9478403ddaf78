package store

import (
	"context"
	"fmt"
)

// S3Upload is one multipart upload in progress.
type S3Upload struct {
	UploadID string
	Bucket   string
	Key      string
	// Account is the initiator's account.
	Account     string
	ContentType string
	// Headers and Metadata are the JSON objects the completed object will carry.
	Headers  string
	Metadata string
	// Tags is the JSON array of the completed object's tag set.
	Tags string
	// CreatedAt is the initiation time, unix milliseconds.
	CreatedAt int64
}

// S3Part is one uploaded part of a multipart upload.
type S3Part struct {
	UploadID   string
	PartNumber int32
	// Body is nil when the part is read without it (S3PartList).
	Body       []byte
	Size       int64
	ETag       string
	ModifiedAt int64
}

const s3UploadColumns = "upload_id, bucket, object_key, account, content_type, headers, metadata, tags, created_at"

func scanS3Upload(row interface{ Scan(...any) error }) (*S3Upload, error) {
	var u S3Upload
	if err := row.Scan(&u.UploadID, &u.Bucket, &u.Key, &u.Account, &u.ContentType, &u.Headers, &u.Metadata, &u.Tags, &u.CreatedAt); err != nil {
		return nil, err
	}
	return &u, nil
}

// S3UploadCreate records u. It returns ErrNotFound when its bucket does not exist.
func (db *DB) S3UploadCreate(ctx context.Context, u *S3Upload) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_buckets", "name", u.Bucket); err != nil || !ok {
			return orNotFound(err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO s3_uploads ("+s3UploadColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			u.UploadID, u.Bucket, u.Key, u.Account, u.ContentType, orEmptyJSON(u.Headers), orEmptyJSON(u.Metadata), orEmptyList(u.Tags), u.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("create upload %s/%s: %w", u.Bucket, u.Key, err)
	}
	return nil
}

func orEmptyJSON(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// S3UploadGet returns the upload uploadID, or ErrNotFound.
func (db *DB) S3UploadGet(ctx context.Context, uploadID string) (*S3Upload, error) {
	var u *S3Upload
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = scanS3Upload(tx.QueryRow(ctx, "SELECT "+s3UploadColumns+" FROM s3_uploads WHERE upload_id = ?", uploadID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get upload %s: %w", uploadID, err)
	}
	return u, nil
}

// S3PartPut stores p, replacing an earlier part of that number. It returns ErrNotFound
// when the upload does not exist (aborted or completed meanwhile).
func (db *DB) S3PartPut(ctx context.Context, p *S3Part) error {
	body := p.Body
	if body == nil {
		body = []byte{}
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_uploads", "upload_id", p.UploadID); err != nil || !ok {
			return orNotFound(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO s3_parts (upload_id, part_number, body, size, etag, modified_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (upload_id, part_number) DO UPDATE SET body = excluded.body, size = excluded.size, etag = excluded.etag, modified_at = excluded.modified_at`,
			p.UploadID, p.PartNumber, body, int64(len(body)), p.ETag, p.ModifiedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("put part %d of %s: %w", p.PartNumber, p.UploadID, err)
	}
	return nil
}

// S3PartList returns up to limit parts of an upload numbered above after, in order,
// without their bodies.
func (db *DB) S3PartList(ctx context.Context, uploadID string, after int32, limit int) ([]*S3Part, error) {
	var out []*S3Part
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT part_number, size, etag, modified_at FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
			uploadID, after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p := &S3Part{UploadID: uploadID}
			if err := rows.Scan(&p.PartNumber, &p.Size, &p.ETag, &p.ModifiedAt); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list parts of %s: %w", uploadID, err)
	}
	return out, nil
}

// S3UploadComplete stores o with the bodies of parts, in that order, as its body, and
// deletes the upload and all its parts. It returns ErrNotFound when the upload or one of
// the parts is missing. hooks run last in the same transaction, with o.Size set.
func (db *DB) S3UploadComplete(ctx context.Context, uploadID string, parts []int32, o *S3Object, hooks ...S3WriteHook) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if ok, err := tx.s3RowExists(ctx, "s3_uploads", "upload_id", uploadID); err != nil || !ok {
			return orNotFound(err)
		}
		var body []byte
		for _, pn := range parts {
			var b []byte
			if err := tx.QueryRow(ctx, "SELECT body FROM s3_parts WHERE upload_id = ? AND part_number = ?", uploadID, pn).Scan(&b); err != nil {
				return err
			}
			body = append(body, b...)
		}
		if body == nil {
			body = []byte{}
		}
		if err := insertS3Object(ctx, tx, o, body); err != nil {
			return err
		}
		o.Size = int64(len(body))
		if err := deleteS3Upload(ctx, tx, uploadID); err != nil {
			return err
		}
		return runS3Hooks(tx, hooks)
	})
	if err != nil {
		return fmt.Errorf("complete upload %s: %w", uploadID, err)
	}
	return nil
}

func deleteS3Upload(ctx context.Context, tx *Tx, uploadID string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM s3_parts WHERE upload_id = ?", uploadID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM s3_uploads WHERE upload_id = ?", uploadID)
	return err
}

// S3UploadDelete deletes an upload and its parts and reports whether it existed.
func (db *DB) S3UploadDelete(ctx context.Context, uploadID string) (bool, error) {
	var existed bool
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if existed, err = tx.s3RowExists(ctx, "s3_uploads", "upload_id", uploadID); err != nil || !existed {
			return err
		}
		return deleteS3Upload(ctx, tx, uploadID)
	})
	if err != nil {
		return false, fmt.Errorf("delete upload %s: %w", uploadID, err)
	}
	return existed, nil
}

// S3UploadList returns the uploads in progress of a bucket ordered by key, then by
// initiation.
func (db *DB) S3UploadList(ctx context.Context, bucket string) ([]*S3Upload, error) {
	var out []*S3Upload
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+s3UploadColumns+" FROM s3_uploads WHERE bucket = ? ORDER BY object_key, created_at, upload_id", bucket)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanS3Upload(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list uploads of %s: %w", bucket, err)
	}
	return out, nil
}
