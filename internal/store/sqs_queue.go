package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"
)

// SQSQueue is one SQS queue row. Times are unix milliseconds. Attrs and Tags are JSON owned
// by the SQS service; the store only carries them.
type SQSQueue struct {
	ID      int64
	Account string
	Region  string
	Name    string
	FIFO    bool
	// Attrs is the JSON of the queue's settable attributes.
	Attrs string
	// Tags is the JSON object of the queue's tags.
	Tags string
	// DLQARN is the ARN of the dead-letter target of the queue's redrive policy, "" when none.
	DLQARN string
	// RetentionMs is the message retention period, for the retention sweep.
	RetentionMs int64
	CreatedAt   int64
	ModifiedAt  int64
	PurgedAt    int64
}

const sqsQueueColumns = "id, account, region, name, fifo, attrs, tags, dlq_arn, retention_ms, created_at, modified_at, purged_at"

func scanSQSQueue(row interface{ Scan(...any) error }) (*SQSQueue, error) {
	var (
		q    SQSQueue
		fifo int64
	)
	if err := row.Scan(&q.ID, &q.Account, &q.Region, &q.Name, &fifo, &q.Attrs, &q.Tags, &q.DLQARN,
		&q.RetentionMs, &q.CreatedAt, &q.ModifiedAt, &q.PurgedAt); err != nil {
		return nil, err
	}
	q.FIFO = fifo != 0
	return &q, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// SQSQueueCreateParams are the arguments of SQSQueueCreate.
type SQSQueueCreateParams struct {
	Account, Region, Name string
	FIFO                  bool
	Attrs, Tags, DLQARN   string
	RetentionMs           int64
	// Now is the creation time.
	Now int64
	// DeletedCooldownMs is how long after a deletion the name stays unusable.
	DeletedCooldownMs int64
}

// SQSQueueCreate creates a queue, or returns the live queue of that name with created
// false (the caller compares attributes). It returns ErrPreconditionFailed when a queue of
// that name was deleted less than DeletedCooldownMs ago.
func (db *DB) SQSQueueCreate(ctx context.Context, p *SQSQueueCreateParams) (q *SQSQueue, created bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		q, created = nil, false
		var deletedAt int64
		err := tx.QueryRow(ctx, "SELECT deleted_at FROM sqs_queues WHERE account = ? AND region = ? AND name = ?",
			p.Account, p.Region, p.Name).Scan(&deletedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case deletedAt == 0:
			q, err = scanSQSQueue(tx.QueryRow(ctx, "SELECT "+sqsQueueColumns+" FROM sqs_queues WHERE account = ? AND region = ? AND name = ?",
				p.Account, p.Region, p.Name))
			return err
		case p.Now-deletedAt < p.DeletedCooldownMs:
			return ErrPreconditionFailed
		default:
			if _, err := tx.Exec(ctx, "DELETE FROM sqs_queues WHERE account = ? AND region = ? AND name = ?", p.Account, p.Region, p.Name); err != nil {
				return err
			}
		}
		q, err = scanSQSQueue(tx.QueryRow(ctx, "INSERT INTO sqs_queues (account, region, name, fifo, attrs, tags, dlq_arn, retention_ms, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "+sqsQueueColumns,
			p.Account, p.Region, p.Name, boolInt(p.FIFO), p.Attrs, p.Tags, p.DLQARN, p.RetentionMs, p.Now, p.Now))
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("create sqs queue %s: %w", p.Name, err)
	}
	return q, created, nil
}

// SQSQueueGet returns the live queue name of account in region, or ErrNotFound.
func (db *DB) SQSQueueGet(ctx context.Context, account, region, name string) (*SQSQueue, error) {
	var q *SQSQueue
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		q, err = scanSQSQueue(tx.QueryRow(ctx, "SELECT "+sqsQueueColumns+" FROM sqs_queues WHERE account = ? AND region = ? AND name = ? AND deleted_at = 0",
			account, region, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get sqs queue %s: %w", name, err)
	}
	return q, nil
}

// SQSQueueListParams are the arguments of SQSQueueList.
type SQSQueueListParams struct {
	Account, Region string
	// Prefix keeps queues whose name starts with it.
	Prefix string
	// After keeps queues whose name sorts after it (pagination).
	After string
	// DLQARN, when set, keeps only queues whose redrive policy targets it.
	DLQARN string
	// Limit caps the result; the caller asks for one more than a page to know whether
	// another page follows.
	Limit int
}

// SQSQueueList returns the live queues of an account and region in order of name.
func (db *DB) SQSQueueList(ctx context.Context, p *SQSQueueListParams) ([]*SQSQueue, error) {
	var out []*SQSQueue
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		q := "SELECT " + sqsQueueColumns + " FROM sqs_queues WHERE account = ? AND region = ? AND deleted_at = 0 AND name > ?"
		args := []any{p.Account, p.Region, p.After}
		if p.Prefix != "" {
			// substr rather than LIKE: SQLite's LIKE ignores case, and queue names do not.
			q += " AND substr(name, 1, ?) = ?"
			args = append(args, utf8.RuneCountInString(p.Prefix), p.Prefix)
		}
		if p.DLQARN != "" {
			q += " AND dlq_arn = ?"
			args = append(args, p.DLQARN)
		}
		q += " ORDER BY name LIMIT ?"
		args = append(args, p.Limit)
		var err error
		out, err = queryAll(ctx, tx, scanSQSQueue, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sqs queues: %w", err)
	}
	return out, nil
}

// SQSQueueModify reads the live queue id in a write transaction (locking it on
// PostgreSQL), lets fn change Attrs, Tags, DLQARN and RetentionMs, and saves the result with
// ModifiedAt as fn left it. fn may return an error to abort. Returns ErrNotFound when the
// queue does not exist. fn may run more than once on PostgreSQL.
func (db *DB) SQSQueueModify(ctx context.Context, id int64, fn func(q *SQSQueue) error) (*SQSQueue, error) {
	var q *SQSQueue
	err := db.Write(ctx, func(tx *Tx) error {
		query := "SELECT " + sqsQueueColumns + " FROM sqs_queues WHERE id = ? AND deleted_at = 0"
		if tx.Dialect() == Postgres {
			query += " FOR UPDATE"
		}
		var err error
		q, err = scanSQSQueue(tx.QueryRow(ctx, query, id))
		if err != nil {
			return err
		}
		if err := fn(q); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE sqs_queues SET attrs = ?, tags = ?, dlq_arn = ?, retention_ms = ?, modified_at = ? WHERE id = ?",
			q.Attrs, q.Tags, q.DLQARN, q.RetentionMs, q.ModifiedAt, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("modify sqs queue %d: %w", id, err)
	}
	return q, nil
}

// SQSQueueDelete deletes the queue id with its messages, deduplication entries, receive
// attempts and running move tasks. The row stays as a tombstone (deleted_at = now) until
// the sweep removes it. Returns ErrNotFound when the queue does not exist.
func (db *DB) SQSQueueDelete(ctx context.Context, id, now int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE sqs_queues SET deleted_at = ? WHERE id = ? AND deleted_at = 0", now, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		for _, q := range []string{
			"DELETE FROM sqs_messages WHERE queue_id = ?",
			"DELETE FROM sqs_dedup WHERE queue_id = ?",
			"DELETE FROM sqs_receive_attempts WHERE queue_id = ?",
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE sqs_move_tasks SET status = 'FAILED', failure_reason = 'AWS.SimpleQueueService.NonExistentQueue', updated_at = ? WHERE source_queue_id = ? AND status = 'RUNNING'", now, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete sqs queue %d: %w", id, err)
	}
	return nil
}

// SQSQueuePurge deletes every message of queue id, unless the queue was purged less than
// minIntervalMs ago (ErrPreconditionFailed). Returns ErrNotFound when the queue does not
// exist.
func (db *DB) SQSQueuePurge(ctx context.Context, id, now, minIntervalMs int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var purgedAt int64
		if err := tx.QueryRow(ctx, "SELECT purged_at FROM sqs_queues WHERE id = ? AND deleted_at = 0", id).Scan(&purgedAt); err != nil {
			return err
		}
		if purgedAt > 0 && now-purgedAt < minIntervalMs {
			return ErrPreconditionFailed
		}
		if _, err := tx.Exec(ctx, "UPDATE sqs_queues SET purged_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM sqs_messages WHERE queue_id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("purge sqs queue %d: %w", id, err)
	}
	return nil
}

// SQSQueueCounts are the approximate message counts of a queue.
type SQSQueueCounts struct {
	// Visible messages are available for retrieval.
	Visible int64
	// NotVisible messages are in flight.
	NotVisible int64
	// Delayed messages are not yet available because of a delay.
	Delayed int64
}

// SQSQueueCount counts the messages of queue id at now that have not expired (enqueued
// after expireBefore).
func (db *DB) SQSQueueCount(ctx context.Context, id, now, expireBefore int64) (SQSQueueCounts, error) {
	var c SQSQueueCounts
	err := db.Read(ctx, func(tx *Tx) error {
		var v, nv, d sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT
	SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END),
	SUM(CASE WHEN visible_at > ? AND receive_count > 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN visible_at > ? AND receive_count = 0 THEN 1 ELSE 0 END)
FROM sqs_messages WHERE queue_id = ? AND enqueued_at > ?`, now, now, now, id, expireBefore).Scan(&v, &nv, &d)
		c = SQSQueueCounts{Visible: v.Int64, NotVisible: nv.Int64, Delayed: d.Int64}
		return err
	})
	if err != nil {
		return c, fmt.Errorf("count sqs queue %d: %w", id, err)
	}
	return c, nil
}
