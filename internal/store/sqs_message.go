package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// SQSWakeChannel is the notifier channel on which the store announces that messages of
// queue id may have become available (sent, moved in, made visible). Long polls listen on
// it; on PostgreSQL it reaches every node.
func SQSWakeChannel(queueID int64) string { return "sqs." + strconv.FormatInt(queueID, 10) }

// SQSMessage is one message row. Times are unix milliseconds.
type SQSMessage struct {
	// ID is the row id; it orders messages and is the FIFO sequence number.
	ID      int64
	QueueID int64
	// MessageID is the id clients see.
	MessageID string
	Body      string
	// Attrs and SysAttrs are the JSON of user and system message attributes ("" for none).
	Attrs, SysAttrs string
	SenderID        string
	SentAt          int64
	// EnqueuedAt is where retention counts from: SentAt, except after a move.
	EnqueuedAt     int64
	VisibleAt      int64
	ReceiveCount   int64
	FirstReceiveAt int64
	ReceivedAt     int64
	// Token is the receipt token of the latest receive.
	Token        int64
	GroupID      string
	DedupID      string
	DLQSourceARN string
}

const sqsMessageColumns = "id, queue_id, message_id, body, attrs, sys_attrs, sender_id, sent_at, enqueued_at, visible_at, receive_count, first_receive_at, received_at, receipt_token, group_id, dedup_id, dlq_source_arn"

func scanSQSMessage(row interface{ Scan(...any) error }) (*SQSMessage, error) {
	var m SQSMessage
	err := row.Scan(&m.ID, &m.QueueID, &m.MessageID, &m.Body, &m.Attrs, &m.SysAttrs, &m.SenderID,
		&m.SentAt, &m.EnqueuedAt, &m.VisibleAt, &m.ReceiveCount, &m.FirstReceiveAt, &m.ReceivedAt,
		&m.Token, &m.GroupID, &m.DedupID, &m.DLQSourceARN)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// SQSNewMessage is a message to send.
type SQSNewMessage struct {
	MessageID       string
	Body            string
	Attrs, SysAttrs string
	SenderID        string
	// VisibleAt is the send time plus the message's delay.
	VisibleAt int64
	GroupID   string
	// DedupID is the FIFO deduplication id ("" on standard queues).
	DedupID string
	// DedupScope is the deduplication scope key: "" for queue-wide deduplication, the group
	// id for per-group deduplication.
	DedupScope string
}

// SQSSendParams are the arguments of SQSMessageSend.
type SQSSendParams struct {
	QueueID int64
	// Now is the send time (SentTimestamp).
	Now int64
	// DedupIntervalMs is the FIFO deduplication interval; zero for standard queues, which
	// do not deduplicate.
	DedupIntervalMs int64
	Messages        []SQSNewMessage
}

// SQSSent is the outcome of sending one message.
type SQSSent struct {
	// MessageID is the id of the stored message, or of the original for a duplicate.
	MessageID string
	// Seq is the message's row id (the original's for a duplicate); zero on standard queues.
	Seq int64
	// Duplicate is true when the message was accepted but dropped by FIFO deduplication.
	Duplicate bool
}

// SQSMessageSend stores messages in one write. With DedupIntervalMs set (FIFO), a message
// whose deduplication id was seen in the interval is not stored and reports the original's
// id. Listeners of SQSWakeChannel are woken after commit.
func (db *DB) SQSMessageSend(ctx context.Context, p *SQSSendParams) ([]SQSSent, error) {
	out := make([]SQSSent, len(p.Messages))
	err := db.Write(ctx, func(tx *Tx) error {
		stored := false
		for i := range p.Messages {
			m := &p.Messages[i]
			if p.DedupIntervalMs == 0 {
				if _, err := tx.Exec(ctx, "INSERT INTO sqs_messages (queue_id, message_id, body, attrs, sys_attrs, sender_id, sent_at, enqueued_at, visible_at, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					p.QueueID, m.MessageID, m.Body, m.Attrs, m.SysAttrs, m.SenderID, p.Now, p.Now, m.VisibleAt, m.GroupID); err != nil {
					return err
				}
				out[i] = SQSSent{MessageID: m.MessageID}
				stored = true
				continue
			}
			var (
				origID  string
				origSeq int64
			)
			err := tx.QueryRow(ctx, "SELECT message_id, seq FROM sqs_dedup WHERE queue_id = ? AND scope = ? AND dedup_id = ? AND expires_at > ?",
				p.QueueID, m.DedupScope, m.DedupID, p.Now).Scan(&origID, &origSeq)
			switch {
			case err == nil:
				out[i] = SQSSent{MessageID: origID, Seq: origSeq, Duplicate: true}
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO sqs_messages (queue_id, message_id, body, attrs, sys_attrs, sender_id, sent_at, enqueued_at, visible_at, group_id, dedup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				p.QueueID, m.MessageID, m.Body, m.Attrs, m.SysAttrs, m.SenderID, p.Now, p.Now, m.VisibleAt, m.GroupID, m.DedupID).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO sqs_dedup (queue_id, scope, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
				p.QueueID, m.DedupScope, m.DedupID, m.MessageID, id, p.Now+p.DedupIntervalMs); err != nil {
				return err
			}
			out[i] = SQSSent{MessageID: m.MessageID, Seq: id}
			stored = true
		}
		if stored {
			tx.NotifyAfterCommit(SQSWakeChannel(p.QueueID), "")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("send to sqs queue %d: %w", p.QueueID, err)
	}
	return out, nil
}

// sqsInsertChunk caps the rows of one multi-row INSERT (11 arguments each, far below
// either dialect's limit on arguments).
const sqsInsertChunk = 100

// sqsInsertTexts holds the multi-row INSERT of each row count, built on first use: every
// combined send uses one, so building it once spares the text and its hashing by the
// statement cache a fresh string would cost.
var sqsInsertTexts [sqsInsertChunk + 1]atomic.Pointer[string]

// sqsInsertText returns the INSERT of n messages (1 <= n <= sqsInsertChunk).
func sqsInsertText(n int) string {
	if p := sqsInsertTexts[n].Load(); p != nil {
		return *p
	}
	var b strings.Builder
	b.WriteString("INSERT INTO sqs_messages (queue_id, message_id, body, attrs, sys_attrs, sender_id, sent_at, enqueued_at, visible_at, group_id) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	q := b.String()
	sqsInsertTexts[n].Store(&q)
	return q
}

// SQSMessageSendMany stores the messages of several standard-queue sends in one write,
// with multi-row INSERTs: the way concurrent SendMessage calls share one commit cheaply.
// It does not deduplicate (DedupIntervalMs must be zero). Listeners of each queue's
// SQSWakeChannel are woken after commit. Either every message is stored or none is.
func (db *DB) SQSMessageSendMany(ctx context.Context, sends []*SQSSendParams) error {
	if err := checkCombinable(sends); err != nil {
		return err
	}
	err := db.Write(ctx, func(tx *Tx) error { return tx.SQSMessageSendMany(ctx, sends) })
	if err != nil {
		return fmt.Errorf("send to sqs queues: %w", err)
	}
	return nil
}

// checkCombinable refuses deduplicating sends, which SQSMessageSendMany cannot take.
func checkCombinable(sends []*SQSSendParams) error {
	for _, p := range sends {
		if p.DedupIntervalMs != 0 {
			return fmt.Errorf("send to sqs queue %d: deduplicating sends cannot be combined", p.QueueID)
		}
	}
	return nil
}

// SQSMessageSendMany is DB.SQSMessageSendMany inside tx: another service's write (an SNS
// publish) stores the messages of standard-queue sends in its own transaction, so they
// exist exactly when that transaction commits. Listeners of each queue's SQSWakeChannel
// are woken after the commit.
func (tx *Tx) SQSMessageSendMany(ctx context.Context, sends []*SQSSendParams) error {
	if err := checkCombinable(sends); err != nil {
		return err
	}
	type row struct {
		queueID, now int64
		m            *SQSNewMessage
	}
	var rows []row
	for _, p := range sends {
		for i := range p.Messages {
			rows = append(rows, row{p.QueueID, p.Now, &p.Messages[i]})
		}
	}
	for start := 0; start < len(rows); start += sqsInsertChunk {
		chunk := rows[start:min(start+sqsInsertChunk, len(rows))]
		args := make([]any, 0, len(chunk)*10)
		for _, r := range chunk {
			args = append(args, r.queueID, r.m.MessageID, r.m.Body, r.m.Attrs, r.m.SysAttrs, r.m.SenderID, r.now, r.now, r.m.VisibleAt, r.m.GroupID)
		}
		if _, err := tx.Exec(ctx, sqsInsertText(len(chunk)), args...); err != nil {
			return err
		}
	}
	woken := map[int64]bool{}
	for _, p := range sends {
		if !woken[p.QueueID] && len(p.Messages) > 0 {
			woken[p.QueueID] = true
			tx.NotifyAfterCommit(SQSWakeChannel(p.QueueID), "")
		}
	}
	return nil
}

// SQSRedrive says where messages received too often go.
type SQSRedrive struct {
	// QueueID is the dead-letter queue.
	QueueID int64
	// MaxReceiveCount is the redrive policy's maxReceiveCount: a message already received
	// that many times moves instead of being received again.
	MaxReceiveCount int64
	// SourceARN is recorded on moved messages (DeadLetterQueueSourceArn).
	SourceARN string
	// ResetEnqueued restarts retention at the move (FIFO dead-letter queues, as AWS does);
	// standard queues keep the original enqueue time.
	ResetEnqueued bool
}

// SQSReceiveParams are the arguments of SQSMessageReceive.
type SQSReceiveParams struct {
	QueueID int64
	FIFO    bool
	Now     int64
	// Max is how many messages to receive (1 to 10).
	Max int
	// VisibleAt is when the received messages become visible again (Now + visibility
	// timeout).
	VisibleAt int64
	// Token is the receipt token of this receive; it must be non-zero.
	Token int64
	// ExpireBefore: messages enqueued at or before it have outlived the retention period;
	// they are deleted rather than received.
	ExpireBefore int64
	// Redrive, when set, moves messages received MaxReceiveCount times to a dead-letter
	// queue.
	Redrive *SQSRedrive
	// InflightLimit, when positive, receives nothing (OverLimit) once that many messages
	// are in flight.
	InflightLimit int
	// AttemptID is the FIFO ReceiveRequestAttemptId: a receive repeating an attempt within
	// AttemptTTLMs gets the same messages (and receipt tokens) back, their visibility timeout
	// restarted.
	AttemptID    string
	AttemptTTLMs int64
}

// SQSReceiveResult is the outcome of SQSMessageReceive.
type SQSReceiveResult struct {
	// Messages are the received messages, in queue order, with their new receive count and
	// token.
	Messages []*SQSMessage
	// OverLimit is true when InflightLimit stopped the receive.
	OverLimit bool
	// NextVisibleAt, when no message was received, is the earliest time at which a message
	// of the queue becomes visible (0 when none is waiting), so a long poll knows when to
	// look again.
	NextVisibleAt int64
	// Moved is how many messages went to the dead-letter queue.
	Moved int
}

// sqsReceiveRounds bounds how often one receive looks again after skipping expired and
// dead-lettered messages.
const sqsReceiveRounds = 4

// SQSMessageReceive receives up to Max visible messages of a queue in one write: each is
// hidden until VisibleAt, its receive count raised and its receipt token set. Expired
// messages met on the way are deleted and messages over the redrive limit are moved to the
// dead-letter queue. On FIFO queues messages are taken in order and no message of a group
// with a message in flight is received; concurrent receivers of one FIFO queue are
// serialised (a row lock on PostgreSQL, the single writer on SQLite). On standard queues
// PostgreSQL receivers skip rows locked by each other, so no message is handed out twice.
func (db *DB) SQSMessageReceive(ctx context.Context, p *SQSReceiveParams) (*SQSReceiveResult, error) {
	var res *SQSReceiveResult
	err := db.Write(ctx, func(tx *Tx) error {
		res = &SQSReceiveResult{}
		return sqsReceive(ctx, tx, p, res)
	})
	if err != nil {
		return nil, fmt.Errorf("receive from sqs queue %d: %w", p.QueueID, err)
	}
	return res, nil
}

func sqsReceive(ctx context.Context, tx *Tx, p *SQSReceiveParams, res *SQSReceiveResult) error {
	pg := tx.Dialect() == Postgres
	if p.FIFO && pg {
		if err := tx.QueryRow(ctx, "SELECT id FROM sqs_queues WHERE id = ? FOR UPDATE", p.QueueID).Scan(new(int64)); err != nil {
			return err
		}
	}
	if p.AttemptID != "" {
		done, err := sqsRepeatAttempt(ctx, tx, p, res)
		if err != nil || done {
			return err
		}
	}
	if p.InflightLimit > 0 {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM sqs_messages WHERE queue_id = ? AND visible_at > ? AND receive_count > 0 LIMIT ?) t",
			p.QueueID, p.Now, p.InflightLimit).Scan(&n); err != nil {
			return err
		}
		if n >= p.InflightLimit {
			res.OverLimit = true
			return nil
		}
	}
	for round := 0; round < sqsReceiveRounds && len(res.Messages) < p.Max; round++ {
		want := p.Max - len(res.Messages)
		var (
			query string
			args  []any
		)
		if p.FIFO {
			// A group is blocked while any of its messages is in flight, or while an earlier
			// one is still delayed: strict order within the group.
			// Walk the queue in send order (on SQLite the planner would otherwise sort every
			// visible message) and stop at the limit.
			from := "sqs_messages m"
			if !pg {
				from = "sqs_messages m INDEXED BY sqs_messages_order"
			}
			query = `SELECT m.id, m.receive_count, m.enqueued_at FROM ` + from + `
WHERE m.queue_id = ? AND m.group_id <> '' AND m.visible_at <= ?
AND NOT EXISTS (SELECT 1 FROM sqs_messages b WHERE b.queue_id = m.queue_id AND b.group_id = m.group_id AND b.group_id <> '' AND b.visible_at > ? AND (b.receive_count > 0 OR b.id < m.id))
ORDER BY m.id LIMIT ?`
			args = []any{p.QueueID, p.Now, p.Now, want}
		} else {
			query = "SELECT id, receive_count, enqueued_at FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?"
			if pg {
				query += " FOR UPDATE SKIP LOCKED"
			}
			args = []any{p.QueueID, p.Now, want}
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		var claim, expired, dead []int64
		seen := 0
		for rows.Next() {
			var id, count, enqueued int64
			if err := rows.Scan(&id, &count, &enqueued); err != nil {
				return err
			}
			seen++
			switch {
			case enqueued <= p.ExpireBefore:
				expired = append(expired, id)
			case p.Redrive != nil && count >= p.Redrive.MaxReceiveCount:
				dead = append(dead, id)
			default:
				claim = append(claim, id)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(expired) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM sqs_messages WHERE id IN ("+inList(len(expired))+")", int64Args(expired)...); err != nil {
				return err
			}
		}
		if len(dead) > 0 {
			if err := sqsMoveToDLQ(ctx, tx, p, dead); err != nil {
				return err
			}
			res.Moved += len(dead)
		}
		if len(claim) > 0 {
			msgs, err := sqsClaim(ctx, tx, p, claim)
			if err != nil {
				return err
			}
			res.Messages = append(res.Messages, msgs...)
		}
		if seen < want || len(expired)+len(dead) == 0 {
			break
		}
	}
	if len(res.Messages) == 0 {
		var next sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT MIN(visible_at) FROM sqs_messages WHERE queue_id = ? AND visible_at > ?", p.QueueID, p.Now).Scan(&next); err != nil {
			return err
		}
		res.NextVisibleAt = next.Int64
		return nil
	}
	if p.AttemptID != "" {
		ids := make([]string, len(res.Messages))
		for i, m := range res.Messages {
			ids[i] = strconv.FormatInt(m.ID, 10)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sqs_receive_attempts (queue_id, attempt_id, token, message_ids, expires_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (queue_id, attempt_id) DO UPDATE SET token = excluded.token, message_ids = excluded.message_ids, expires_at = excluded.expires_at`,
			p.QueueID, p.AttemptID, p.Token, strings.Join(ids, ","), p.Now+p.AttemptTTLMs); err != nil {
			return err
		}
	}
	return nil
}

// sqsClaim hides the messages ids for this receive and returns them in the order of ids.
func sqsClaim(ctx context.Context, tx *Tx, p *SQSReceiveParams, ids []int64) ([]*SQSMessage, error) {
	rows, err := tx.Query(ctx, `UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1,
first_receive_at = CASE WHEN first_receive_at = 0 THEN ? ELSE first_receive_at END, received_at = ?, receipt_token = ?
WHERE id IN (`+inList(len(ids))+") RETURNING "+sqsMessageColumns,
		int64Args(ids, p.VisibleAt, p.Now, p.Now, p.Token)...)
	if err != nil {
		return nil, err
	}
	return sqsCollect(rows, ids)
}

// sqsCollect reads message rows and returns them in the order of ids.
func sqsCollect(rows *sql.Rows, ids []int64) ([]*SQSMessage, error) {
	defer rows.Close()
	byID := make(map[int64]*SQSMessage, len(ids))
	for rows.Next() {
		m, err := scanSQSMessage(rows)
		if err != nil {
			return nil, err
		}
		byID[m.ID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*SQSMessage, 0, len(byID))
	for _, id := range ids {
		if m := byID[id]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// sqsMoveToDLQ moves messages ids to the dead-letter queue, available at once and never
// received there yet.
func sqsMoveToDLQ(ctx context.Context, tx *Tx, p *SQSReceiveParams, ids []int64) error {
	r := p.Redrive
	set := "queue_id = ?, receive_count = 0, first_receive_at = 0, received_at = 0, receipt_token = 0, visible_at = ?, dlq_source_arn = ?"
	args := []any{r.QueueID, p.Now, r.SourceARN}
	if r.ResetEnqueued {
		set += ", enqueued_at = ?"
		args = append(args, p.Now)
	}
	if _, err := tx.Exec(ctx, "UPDATE sqs_messages SET "+set+" WHERE id IN ("+inList(len(ids))+")", int64Args(ids, args...)...); err != nil {
		return err
	}
	tx.NotifyAfterCommit(SQSWakeChannel(r.QueueID), "")
	return nil
}

// sqsRepeatAttempt answers a receive whose attempt id was seen in the last AttemptTTLMs:
// the messages that receive handed out and that are still held under its token come back
// with their visibility restarted. It reports false when there is nothing to repeat.
func sqsRepeatAttempt(ctx context.Context, tx *Tx, p *SQSReceiveParams, res *SQSReceiveResult) (bool, error) {
	var (
		token int64
		list  string
	)
	err := tx.QueryRow(ctx, "SELECT token, message_ids FROM sqs_receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at > ?",
		p.QueueID, p.AttemptID, p.Now).Scan(&token, &list)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var ids []int64
	for _, s := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return false, nil
	}
	rows, err := tx.Query(ctx, "UPDATE sqs_messages SET visible_at = ? WHERE queue_id = ? AND receipt_token = ? AND id IN ("+inList(len(ids))+") RETURNING "+sqsMessageColumns,
		int64Args(ids, p.VisibleAt, p.QueueID, token)...)
	if err != nil {
		return false, err
	}
	msgs, err := sqsCollect(rows, ids)
	if err != nil {
		return false, err
	}
	if len(msgs) == 0 {
		return false, nil
	}
	res.Messages = msgs
	return true, nil
}

// SQSHandle names one received message: its row and the receipt token it was received with.
type SQSHandle struct {
	ID    int64
	Token int64
}

// SQSMessageDelete deletes messages of queue queueID named by handles, in one write. With
// anyToken (standard queues) a handle from an earlier receive still deletes the message;
// otherwise (FIFO) only the latest receipt token does. Handles of messages that no longer
// exist are ignored, as SQS ignores them. It returns how many messages were deleted.
func (db *DB) SQSMessageDelete(ctx context.Context, queueID int64, handles []SQSHandle, anyToken bool) (int64, error) {
	var total int64
	err := db.Write(ctx, func(tx *Tx) error {
		total = 0
		for _, h := range handles {
			q := "DELETE FROM sqs_messages WHERE id = ? AND queue_id = ?"
			args := []any{h.ID, queueID}
			if !anyToken {
				q += " AND receipt_token = ?"
				args = append(args, h.Token)
			}
			n, err := tx.Exec(ctx, q, args...)
			if err != nil {
				return err
			}
			total += n
		}
		if !anyToken && total > 0 {
			// On a FIFO queue a delete can unlock its message group: wake the long polls
			// waiting for it.
			tx.NotifyAfterCommit(SQSWakeChannel(queueID), "")
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete from sqs queue %d: %w", queueID, err)
	}
	return total, nil
}

// Outcomes of SQSMessageDeleteFIFO, one per handle.
const (
	// SQSDeleteDone: the message was deleted, or was already gone.
	SQSDeleteDone = iota
	// SQSDeleteExpired: the message is there but the handle no longer holds it: it was
	// received again, or its visibility timeout ended. The message is kept.
	SQSDeleteExpired
)

// SQSMessageDeleteFIFO deletes messages of FIFO queue queueID named by handles, in one
// write, and returns one outcome per handle. A handle deletes its message only while the
// message is in flight under it at now (its receipt token, visibility not yet ended);
// otherwise the message stays and the outcome is SQSDeleteExpired. Handles of messages that
// no longer exist are SQSDeleteDone, as SQS ignores them. Long polls are woken when a
// message was deleted, since a delete can unlock its message group.
func (db *DB) SQSMessageDeleteFIFO(ctx context.Context, queueID, now int64, handles []SQSHandle) ([]int, error) {
	out := make([]int, len(handles))
	err := db.Write(ctx, func(tx *Tx) error {
		deleted := false
		for i, h := range handles {
			out[i] = SQSDeleteDone
			n, err := tx.Exec(ctx, "DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND receipt_token = ? AND visible_at > ?",
				h.ID, queueID, h.Token, now)
			if err != nil {
				return err
			}
			if n > 0 {
				deleted = true
				continue
			}
			exists, err := sqsMessageExists(ctx, tx, queueID, h.ID)
			if err != nil {
				return err
			}
			if exists {
				out[i] = SQSDeleteExpired
			}
		}
		if deleted {
			tx.NotifyAfterCommit(SQSWakeChannel(queueID), "")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete from sqs queue %d: %w", queueID, err)
	}
	return out, nil
}

// sqsMessageExists reports whether message id of queue queueID is still there.
func sqsMessageExists(ctx context.Context, tx *Tx, queueID, id int64) (bool, error) {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM sqs_messages WHERE id = ? AND queue_id = ?", id, queueID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// SQSVisibility is one visibility change.
type SQSVisibility struct {
	Handle SQSHandle
	// VisibleAt is the new end of the message's invisibility.
	VisibleAt int64
	// AnyToken (standard queues) applies the change with any handle of the message, also
	// once its visibility timeout has ended or after it was received again, as SQS does;
	// a message that no longer exists is then SQSVisibilityGone.
	AnyToken bool
}

// Outcomes of a visibility change.
const (
	// SQSVisibilityChanged: the message's visibility was changed.
	SQSVisibilityChanged = iota
	// SQSVisibilityNotInFlight: the message does not exist, is not in flight, or was
	// received again since the handle was issued.
	SQSVisibilityNotInFlight
	// SQSVisibilityTooLong: VisibleAt is more than maxTotalMs after the receive.
	SQSVisibilityTooLong
	// SQSVisibilityGone: the message no longer exists (only reported for AnyToken changes).
	SQSVisibilityGone
)

// SQSMessageChangeVisibility changes the visibility of in-flight messages of queueID, in one
// write, and returns one outcome per change. A message is changed only while in flight under
// the handle's token (or, for AnyToken changes, while it exists) and when the new VisibleAt
// is at most maxTotalMs after the message was last received. Long polls are woken when a message becomes visible.
func (db *DB) SQSMessageChangeVisibility(ctx context.Context, queueID, now, maxTotalMs int64, changes []SQSVisibility) ([]int, error) {
	out := make([]int, len(changes))
	err := db.Write(ctx, func(tx *Tx) error {
		wake := false
		for i, c := range changes {
			if c.AnyToken {
				n, err := tx.Exec(ctx, "UPDATE sqs_messages SET visible_at = ? WHERE id = ? AND queue_id = ? AND receive_count > 0 AND received_at >= ?",
					c.VisibleAt, c.Handle.ID, queueID, c.VisibleAt-maxTotalMs)
				if err != nil {
					return err
				}
				if n > 0 {
					out[i] = SQSVisibilityChanged
					wake = wake || c.VisibleAt <= now
					continue
				}
				exists, err := sqsMessageExists(ctx, tx, queueID, c.Handle.ID)
				if err != nil {
					return err
				}
				out[i] = SQSVisibilityGone
				if exists {
					out[i] = SQSVisibilityTooLong
				}
				continue
			}
			n, err := tx.Exec(ctx, "UPDATE sqs_messages SET visible_at = ? WHERE id = ? AND queue_id = ? AND receipt_token = ? AND visible_at > ? AND receive_count > 0 AND received_at >= ?",
				c.VisibleAt, c.Handle.ID, queueID, c.Handle.Token, now, c.VisibleAt-maxTotalMs)
			if err != nil {
				return err
			}
			if n > 0 {
				out[i] = SQSVisibilityChanged
				wake = wake || c.VisibleAt <= now
				continue
			}
			var token, visibleAt, count int64
			err = tx.QueryRow(ctx, "SELECT receipt_token, visible_at, receive_count FROM sqs_messages WHERE id = ? AND queue_id = ?",
				c.Handle.ID, queueID).Scan(&token, &visibleAt, &count)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				out[i] = SQSVisibilityNotInFlight
			case err != nil:
				return err
			case token == c.Handle.Token && visibleAt > now && count > 0:
				out[i] = SQSVisibilityTooLong
			default:
				out[i] = SQSVisibilityNotInFlight
			}
		}
		if wake {
			tx.NotifyAfterCommit(SQSWakeChannel(queueID), "")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("change visibility in sqs queue %d: %w", queueID, err)
	}
	return out, nil
}

// SQSSweepParams are the arguments of SQSSweep.
type SQSSweepParams struct {
	Now int64
	// DeletedCooldownMs is how long tombstones of deleted queues are kept.
	DeletedCooldownMs int64
	// TaskHistoryMs is how long finished move tasks are kept.
	TaskHistoryMs int64
	// Limit caps the messages deleted per queue in one call.
	Limit int
}

// SQSSweep deletes what has expired: messages older than their queue's retention period
// (oldest first, up to Limit per queue), messages of deleted queues, deduplication entries
// and receive attempts past their interval, tombstones past the cooldown and old finished
// move tasks. It returns how many messages it deleted. Receives never return expired
// messages whatever the sweep has done; the sweep only reclaims space.
func (db *DB) SQSSweep(ctx context.Context, p *SQSSweepParams) (int64, error) {
	type queue struct{ id, retention int64 }
	var queues []queue
	err := db.Read(ctx, func(tx *Tx) error {
		queues = queues[:0]
		rows, err := tx.Query(ctx, "SELECT id, retention_ms FROM sqs_queues WHERE deleted_at = 0")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q queue
			if err := rows.Scan(&q.id, &q.retention); err != nil {
				return err
			}
			queues = append(queues, q)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("sweep sqs: %w", err)
	}
	var total int64
	for _, q := range queues {
		var ids []int64
		err := db.Read(ctx, func(tx *Tx) error {
			ids = ids[:0]
			// Messages are mostly in enqueue order by id: look at the oldest only.
			rows, err := tx.Query(ctx, "SELECT id, enqueued_at FROM sqs_messages WHERE queue_id = ? ORDER BY id LIMIT ?", q.id, p.Limit)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, enq int64
				if err := rows.Scan(&id, &enq); err != nil {
					return err
				}
				if enq <= p.Now-q.retention {
					ids = append(ids, id)
				}
			}
			return rows.Err()
		})
		if err != nil {
			return total, fmt.Errorf("sweep sqs queue %d: %w", q.id, err)
		}
		if len(ids) == 0 {
			continue
		}
		var n int64
		err = db.Write(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.Exec(ctx, "DELETE FROM sqs_messages WHERE queue_id = ? AND enqueued_at <= ? AND id IN ("+inList(len(ids))+")",
				int64Args(ids, q.id, p.Now-q.retention)...)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sweep sqs queue %d: %w", q.id, err)
		}
		total += n
	}
	err = db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM sqs_messages WHERE queue_id IN (SELECT id FROM sqs_queues WHERE deleted_at > 0)")
		if err != nil {
			return err
		}
		total += n
		for _, s := range []struct {
			q   string
			arg int64
		}{
			{"DELETE FROM sqs_dedup WHERE expires_at <= ?", p.Now},
			{"DELETE FROM sqs_receive_attempts WHERE expires_at <= ?", p.Now},
			{"DELETE FROM sqs_queues WHERE deleted_at > 0 AND deleted_at <= ?", p.Now - p.DeletedCooldownMs},
			{"DELETE FROM sqs_move_tasks WHERE status <> 'RUNNING' AND updated_at <= ?", p.Now - p.TaskHistoryMs},
		} {
			if _, err := tx.Exec(ctx, s.q, s.arg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("sweep sqs: %w", err)
	}
	return total, nil
}
