package store

import (
	"context"
	"fmt"
)

// Statuses of SQS message move tasks, as the API reports them.
const (
	SQSTaskRunning   = "RUNNING"
	SQSTaskCompleted = "COMPLETED"
	SQSTaskCancelled = "CANCELLED"
	SQSTaskFailed    = "FAILED"
)

// SQSMoveTask is one message move task (dead-letter queue redrive).
type SQSMoveTask struct {
	ID            int64
	Handle        string
	SourceQueueID int64
	SourceARN     string
	// DestARN is the destination queue, "" to send each message back to its source.
	DestARN string
	// MaxPerSecond is the requested rate, 0 when the task runs as fast as it can.
	MaxPerSecond  int64
	Status        string
	Moved, ToMove int64
	FailureReason string
	StartedAt     int64
	UpdatedAt     int64
	// MaxMessageID bounds the messages the task moves: those present when it started.
	MaxMessageID int64
}

const sqsTaskColumns = "id, handle, source_queue_id, source_arn, dest_arn, max_per_second, status, moved, to_move, failure_reason, started_at, updated_at, max_message_id"

func scanSQSTask(row interface{ Scan(...any) error }) (*SQSMoveTask, error) {
	var t SQSMoveTask
	if err := row.Scan(&t.ID, &t.Handle, &t.SourceQueueID, &t.SourceARN, &t.DestARN, &t.MaxPerSecond, &t.Status,
		&t.Moved, &t.ToMove, &t.FailureReason, &t.StartedAt, &t.UpdatedAt, &t.MaxMessageID); err != nil {
		return nil, err
	}
	return &t, nil
}

// SQSMoveTaskStart records a running task for t.SourceQueueID, counting the messages it will
// move (those of the source queue now). Handle, SourceQueueID, SourceARN, DestARN,
// MaxPerSecond and StartedAt come from t. It returns ErrConflict when a task is already
// running for the source queue.
func (db *DB) SQSMoveTaskStart(ctx context.Context, t *SQSMoveTask) (*SQSMoveTask, error) {
	var out *SQSMoveTask
	err := db.Write(ctx, func(tx *Tx) error {
		lock := "SELECT id FROM sqs_queues WHERE id = ? AND deleted_at = 0"
		if tx.Dialect() == Postgres {
			lock += " FOR UPDATE"
		}
		if err := tx.QueryRow(ctx, lock, t.SourceQueueID).Scan(new(int64)); err != nil {
			return err
		}
		var running int64
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqs_move_tasks WHERE source_queue_id = ? AND status = ?", t.SourceQueueID, SQSTaskRunning).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return ErrConflict
		}
		var count, maxID int64
		if err := tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM sqs_messages WHERE queue_id = ?", t.SourceQueueID).Scan(&count, &maxID); err != nil {
			return err
		}
		var err error
		out, err = scanSQSTask(tx.QueryRow(ctx, "INSERT INTO sqs_move_tasks (handle, source_queue_id, source_arn, dest_arn, max_per_second, status, to_move, started_at, updated_at, max_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "+sqsTaskColumns,
			t.Handle, t.SourceQueueID, t.SourceARN, t.DestARN, t.MaxPerSecond, SQSTaskRunning, count, t.StartedAt, t.StartedAt, maxID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("start sqs move task: %w", err)
	}
	return out, nil
}

// SQSMoveTaskList returns the most recent tasks of a source queue ARN, newest first.
func (db *DB) SQSMoveTaskList(ctx context.Context, sourceARN string, limit int) ([]*SQSMoveTask, error) {
	var out []*SQSMoveTask
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanSQSTask, "SELECT "+sqsTaskColumns+" FROM sqs_move_tasks WHERE source_arn = ? ORDER BY id DESC LIMIT ?", sourceARN, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sqs move tasks: %w", err)
	}
	return out, nil
}

// SQSMoveTaskRunning returns every running task, oldest first.
func (db *DB) SQSMoveTaskRunning(ctx context.Context) ([]*SQSMoveTask, error) {
	var out []*SQSMoveTask
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanSQSTask, "SELECT "+sqsTaskColumns+" FROM sqs_move_tasks WHERE status = ? ORDER BY id", SQSTaskRunning)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list running sqs move tasks: %w", err)
	}
	return out, nil
}

// SQSMoveTaskCancel cancels the running task handle and returns it. It returns ErrNotFound
// for an unknown handle and ErrPreconditionFailed when the task is not running.
func (db *DB) SQSMoveTaskCancel(ctx context.Context, handle string, now int64) (*SQSMoveTask, error) {
	var out *SQSMoveTask
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		out, err = scanSQSTask(tx.QueryRow(ctx, "SELECT "+sqsTaskColumns+" FROM sqs_move_tasks WHERE handle = ?", handle))
		if err != nil {
			return err
		}
		n, err := tx.Exec(ctx, "UPDATE sqs_move_tasks SET status = ?, updated_at = ? WHERE id = ? AND status = ?", SQSTaskCancelled, now, out.ID, SQSTaskRunning)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrPreconditionFailed
		}
		out.Status, out.UpdatedAt = SQSTaskCancelled, now
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cancel sqs move task: %w", err)
	}
	return out, nil
}

// SQSMoveDest is where messages from one dead-letter source go.
type SQSMoveDest struct {
	QueueID int64
	// OK is false when the destination queue no longer exists: the task fails.
	OK bool
}

// SQSMoveStepParams are the arguments of SQSMoveTaskStep.
type SQSMoveStepParams struct {
	TaskID int64
	Now    int64
	// Limit caps the messages moved by this step.
	Limit int
	// Resolve maps a message's dead-letter source ARN (or the task's DestARN, when set) to
	// the queue it moves to. It runs inside the write and must not write itself.
	Resolve func(arn string) SQSMoveDest
}

// SQSMoveTaskStep moves up to Limit visible messages of a running task's source queue to
// their destination, in one write: each becomes a fresh message there (visible now, never
// received, retention restarting) keeping its id, body, attributes and SentTimestamp. The
// task completes when no message it should move is left, and fails when a destination
// does not exist. It returns the task after the step; a task that is no longer running is
// returned unchanged.
func (db *DB) SQSMoveTaskStep(ctx context.Context, p *SQSMoveStepParams) (*SQSMoveTask, error) {
	var out *SQSMoveTask
	err := db.Write(ctx, func(tx *Tx) error {
		q := "SELECT " + sqsTaskColumns + " FROM sqs_move_tasks WHERE id = ?"
		if tx.Dialect() == Postgres {
			q += " FOR UPDATE"
		}
		t, err := scanSQSTask(tx.QueryRow(ctx, q, p.TaskID))
		if err != nil {
			return err
		}
		out = t
		if t.Status != SQSTaskRunning {
			return nil
		}
		sel := "SELECT id, dlq_source_arn FROM sqs_messages WHERE queue_id = ? AND id <= ? AND visible_at <= ? ORDER BY id LIMIT ?"
		if tx.Dialect() == Postgres {
			sel += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.Query(ctx, sel, t.SourceQueueID, t.MaxMessageID, p.Now, p.Limit)
		if err != nil {
			return err
		}
		byDest := map[int64][]int64{}
		var order []int64
		failed := false
		seen := 0
		for rows.Next() {
			var (
				id  int64
				arn string
			)
			if err := rows.Scan(&id, &arn); err != nil {
				return err
			}
			seen++
			if t.DestARN != "" {
				arn = t.DestARN
			}
			d := p.Resolve(arn)
			if !d.OK {
				failed = true
				break
			}
			if _, ok := byDest[d.QueueID]; !ok {
				order = append(order, d.QueueID)
			}
			byDest[d.QueueID] = append(byDest[d.QueueID], id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		moved := int64(0)
		for _, dest := range order {
			ids := byDest[dest]
			n, err := tx.Exec(ctx, "UPDATE sqs_messages SET queue_id = ?, receive_count = 0, first_receive_at = 0, received_at = 0, receipt_token = 0, visible_at = ?, enqueued_at = ?, dlq_source_arn = '' WHERE id IN ("+inList(len(ids))+")",
				int64Args(ids, dest, p.Now, p.Now)...)
			if err != nil {
				return err
			}
			moved += n
			tx.NotifyAfterCommit(SQSWakeChannel(dest), "")
		}
		t.Moved += moved
		t.UpdatedAt = p.Now
		switch {
		case failed:
			t.Status, t.FailureReason = SQSTaskFailed, "AWS.SimpleQueueService.NonExistentQueue"
		case seen < p.Limit:
			var left int64
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqs_messages WHERE queue_id = ? AND id <= ?", t.SourceQueueID, t.MaxMessageID).Scan(&left); err != nil {
				return err
			}
			if left == 0 {
				t.Status = SQSTaskCompleted
			}
		}
		_, err = tx.Exec(ctx, "UPDATE sqs_move_tasks SET moved = ?, status = ?, failure_reason = ?, updated_at = ? WHERE id = ?",
			t.Moved, t.Status, t.FailureReason, t.UpdatedAt, t.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("step sqs move task %d: %w", p.TaskID, err)
	}
	return out, nil
}
