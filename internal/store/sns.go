package store

import (
	"context"
	"database/sql"
	"errors"
)

// SNSTopic is one SNS topic row. Times are unix milliseconds. Attrs and Tags are JSON
// owned by the SNS service; the store only carries them.
type SNSTopic struct {
	ARN, Account, Region, Name string
	FIFO                       bool
	Attrs, Tags                string
	CreatedAt                  int64
}

const snsTopicColumns = "arn, account, region, name, fifo, attrs, tags, created_at"

func scanSNSTopic(row interface{ Scan(...any) error }) (*SNSTopic, error) {
	var t SNSTopic
	var fifo int64
	if err := row.Scan(&t.ARN, &t.Account, &t.Region, &t.Name, &fifo, &t.Attrs, &t.Tags, &t.CreatedAt); err != nil {
		return nil, err
	}
	t.FIFO = fifo != 0
	return &t, nil
}

// SNSTopicCreate creates topic t, or returns the existing topic of that ARN with created
// false (the caller compares attributes).
func (db *DB) SNSTopicCreate(ctx context.Context, t *SNSTopic) (out *SNSTopic, created bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		out, created = nil, false
		cur, err := scanSNSTopic(tx.QueryRow(ctx, "SELECT "+snsTopicColumns+" FROM sns_topics WHERE arn = ?", t.ARN))
		switch {
		case err == nil:
			out = cur
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO sns_topics (arn, account, region, name, fifo, attrs, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			t.ARN, t.Account, t.Region, t.Name, boolInt(t.FIFO), t.Attrs, t.Tags, t.CreatedAt); err != nil {
			return err
		}
		c := *t
		out, created = &c, true
		return nil
	})
	return out, created, db.interpretError(err)
}

// SNSTopicGet returns the topic of arn, or ErrNotFound.
func (db *DB) SNSTopicGet(ctx context.Context, arn string) (*SNSTopic, error) {
	var t *SNSTopic
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		t, err = scanSNSTopic(tx.QueryRow(ctx, "SELECT "+snsTopicColumns+" FROM sns_topics WHERE arn = ?", arn))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, db.interpretError(err)
}

// SNSTopicList returns up to limit topics of account and region whose ARN sorts after
// after, in ARN order.
func (db *DB) SNSTopicList(ctx context.Context, account, region, after string, limit int) ([]*SNSTopic, error) {
	var out []*SNSTopic
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanSNSTopic, "SELECT "+snsTopicColumns+" FROM sns_topics WHERE account = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?",
			account, region, after, limit)
		return err
	})
	return out, db.interpretError(err)
}

// SNSTopicUpdate replaces the attributes and tags of the topic of arn with what fn makes
// of them, atomically. It returns ErrNotFound when there is no such topic; an error from fn
// aborts the update and is returned as is.
func (db *DB) SNSTopicUpdate(ctx context.Context, arn string, fn func(t *SNSTopic) error) error {
	err := db.Write(ctx, func(tx *Tx) error {
		t, err := scanSNSTopic(tx.QueryRow(ctx, "SELECT "+snsTopicColumns+" FROM sns_topics WHERE arn = ?", arn))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE sns_topics SET attrs = ?, tags = ? WHERE arn = ?", t.Attrs, t.Tags, arn)
		return err
	})
	return db.interpretError(err)
}

// SNSTopicDelete deletes the topic of arn with its subscriptions and deduplication
// entries. Deleting a topic that does not exist succeeds.
func (db *DB) SNSTopicDelete(ctx context.Context, arn string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			"DELETE FROM sns_subscriptions WHERE topic_arn = ?",
			"DELETE FROM sns_dedup WHERE topic_arn = ?",
			"DELETE FROM sns_topics WHERE arn = ?",
		} {
			if _, err := tx.Exec(ctx, q, arn); err != nil {
				return err
			}
		}
		return nil
	})
	return db.interpretError(err)
}

// SNSTopicNextSeq hands out the next FIFO sequence number of the topic of arn, within tx.
// It returns ErrNotFound when there is no such topic.
func (tx *Tx) SNSTopicNextSeq(ctx context.Context, arn string) (int64, error) {
	n, err := tx.Exec(ctx, "UPDATE sns_topics SET seq = seq + 1 WHERE arn = ?", arn)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, ErrNotFound
	}
	var seq int64
	if err := tx.QueryRow(ctx, "SELECT seq FROM sns_topics WHERE arn = ?", arn).Scan(&seq); err != nil {
		return 0, err
	}
	return seq, nil
}

// SNSDedupGet returns the message id and sequence number recorded for dedupID on the
// topic of topicARN and still valid at now, with found false when there is none.
func (tx *Tx) SNSDedupGet(ctx context.Context, topicARN, dedupID string, now int64) (messageID string, seq int64, found bool, err error) {
	err = tx.QueryRow(ctx, "SELECT message_id, seq FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ? AND expires_at > ?",
		topicARN, dedupID, now).Scan(&messageID, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	return messageID, seq, err == nil, err
}

// SNSDedupPut records (or replaces an expired) deduplication entry.
func (tx *Tx) SNSDedupPut(ctx context.Context, topicARN, dedupID, messageID string, seq, expiresAt int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO sns_dedup (topic_arn, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
		topicARN, dedupID, messageID, seq, expiresAt)
	return err
}

// SNSDedupSweep deletes the deduplication entries expired at now.
func (db *DB) SNSDedupSweep(ctx context.Context, now int64) error {
	return db.interpretError(db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sns_dedup WHERE expires_at <= ?", now)
		return err
	}))
}

// SNSSubscription is one subscription row. Attrs is JSON owned by the SNS service.
type SNSSubscription struct {
	ARN, TopicARN, Account, Region string
	Protocol, Endpoint, Owner      string
	Confirmed                      bool
	// Token is the confirmation token of a pending subscription.
	Token     string
	Attrs     string
	CreatedAt int64
}

const snsSubColumns = "arn, topic_arn, account, region, protocol, endpoint, owner, confirmed, token, attrs, created_at"

func scanSNSSub(row interface{ Scan(...any) error }) (*SNSSubscription, error) {
	var s SNSSubscription
	var confirmed int64
	if err := row.Scan(&s.ARN, &s.TopicARN, &s.Account, &s.Region, &s.Protocol, &s.Endpoint, &s.Owner,
		&confirmed, &s.Token, &s.Attrs, &s.CreatedAt); err != nil {
		return nil, err
	}
	s.Confirmed = confirmed != 0
	return &s, nil
}

func scanSNSSubs(rows *sql.Rows) ([]*SNSSubscription, error) {
	defer rows.Close()
	var out []*SNSSubscription
	for rows.Next() {
		s, err := scanSNSSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SNSSubscriptionCreate stores subscription s, or returns the existing subscription of the
// same topic, protocol and endpoint with created false. It returns ErrNotFound when the
// topic does not exist.
func (db *DB) SNSSubscriptionCreate(ctx context.Context, s *SNSSubscription) (out *SNSSubscription, created bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		out, created = nil, false
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM sns_topics WHERE arn = ?", s.TopicARN).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		cur, err := scanSNSSub(tx.QueryRow(ctx, "SELECT "+snsSubColumns+" FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND endpoint = ?",
			s.TopicARN, s.Protocol, s.Endpoint))
		switch {
		case err == nil:
			out = cur
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO sns_subscriptions ("+snsSubColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			s.ARN, s.TopicARN, s.Account, s.Region, s.Protocol, s.Endpoint, s.Owner, boolInt(s.Confirmed), s.Token, s.Attrs, s.CreatedAt); err != nil {
			return err
		}
		c := *s
		out, created = &c, true
		return nil
	})
	return out, created, db.interpretError(err)
}

// SNSSubscriptionGet returns the subscription of arn, or ErrNotFound.
func (db *DB) SNSSubscriptionGet(ctx context.Context, arn string) (*SNSSubscription, error) {
	return db.snsSubOne(ctx, "SELECT "+snsSubColumns+" FROM sns_subscriptions WHERE arn = ?", arn)
}

// SNSSubscriptionGetByToken returns the subscription of topicARN whose confirmation token
// is token, or ErrNotFound.
func (db *DB) SNSSubscriptionGetByToken(ctx context.Context, topicARN, token string) (*SNSSubscription, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	return db.snsSubOne(ctx, "SELECT "+snsSubColumns+" FROM sns_subscriptions WHERE topic_arn = ? AND token = ?", topicARN, token)
}

// SNSSubscriptionGetByAccountToken returns the subscription of account and region whose
// confirmation token is token, whatever its topic, or ErrNotFound.
func (db *DB) SNSSubscriptionGetByAccountToken(ctx context.Context, account, region, token string) (*SNSSubscription, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	return db.snsSubOne(ctx, "SELECT "+snsSubColumns+" FROM sns_subscriptions WHERE account = ? AND region = ? AND token = ? LIMIT 1",
		account, region, token)
}

func (db *DB) snsSubOne(ctx context.Context, q string, args ...any) (*SNSSubscription, error) {
	var s *SNSSubscription
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = scanSNSSub(tx.QueryRow(ctx, q, args...))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return s, db.interpretError(err)
}

// SNSSubscriptionUpdate saves the confirmation state, token and attributes of s. It
// returns ErrNotFound when the subscription is gone.
func (db *DB) SNSSubscriptionUpdate(ctx context.Context, s *SNSSubscription) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE sns_subscriptions SET confirmed = ?, token = ?, attrs = ? WHERE arn = ?",
			boolInt(s.Confirmed), s.Token, s.Attrs, s.ARN)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	return db.interpretError(err)
}

// SNSSubscriptionDelete deletes the subscription of arn. It returns ErrNotFound when there
// is none.
func (db *DB) SNSSubscriptionDelete(ctx context.Context, arn string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM sns_subscriptions WHERE arn = ?", arn)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	return db.interpretError(err)
}

// SNSSubscriptionListParams are the arguments of SNSSubscriptionList. With TopicARN set it
// lists that topic's subscriptions; otherwise those of Account and Region.
type SNSSubscriptionListParams struct {
	Account, Region, TopicARN string
	// After is the ARN the page starts after ("" for the first page).
	After string
	// Limit is the page size; 0 means every subscription.
	Limit int
}

// SNSSubscriptionList returns subscriptions in ARN order.
func (db *DB) SNSSubscriptionList(ctx context.Context, p *SNSSubscriptionListParams) ([]*SNSSubscription, error) {
	q := "SELECT " + snsSubColumns + " FROM sns_subscriptions WHERE account = ? AND region = ? AND arn > ? ORDER BY arn"
	args := []any{p.Account, p.Region, p.After}
	if p.TopicARN != "" {
		q = "SELECT " + snsSubColumns + " FROM sns_subscriptions WHERE topic_arn = ? AND arn > ? ORDER BY arn"
		args = []any{p.TopicARN, p.After}
	}
	if p.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, p.Limit)
	}
	var out []*SNSSubscription
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = scanSNSSubs(rows)
		return err
	})
	return out, db.interpretError(err)
}

// SNSOutboxEntry is a message recorded for an email, SMS or mobile push endpoint.
type SNSOutboxEntry struct {
	ID                        string
	CreatedAt                 int64
	Protocol, Endpoint        string
	TopicARN, SubscriptionARN string
	Subject, Message          string
}

// SNSOutboxInsert records e. Inserting an id again changes nothing (deliveries repeat).
func (db *DB) SNSOutboxInsert(ctx context.Context, e *SNSOutboxEntry) error {
	return db.interpretError(db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sns_outbox (id, created_at, protocol, endpoint, topic_arn, subscription_arn, subject, message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.ID, e.CreatedAt, e.Protocol, e.Endpoint, e.TopicARN, e.SubscriptionARN, e.Subject, e.Message)
		return err
	}))
}

// SNSOutboxList returns every outbox entry, oldest first.
func (db *DB) SNSOutboxList(ctx context.Context) ([]*SNSOutboxEntry, error) {
	var out []*SNSOutboxEntry
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, "SELECT id, created_at, protocol, endpoint, topic_arn, subscription_arn, subject, message FROM sns_outbox ORDER BY created_at, id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e SNSOutboxEntry
			if err := rows.Scan(&e.ID, &e.CreatedAt, &e.Protocol, &e.Endpoint, &e.TopicARN, &e.SubscriptionARN, &e.Subject, &e.Message); err != nil {
				return err
			}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, db.interpretError(err)
}

// SNSRecordPut stores value under (account, region, kind, name), replacing any.
func (db *DB) SNSRecordPut(ctx context.Context, account, region, kind, name, value string) error {
	return db.interpretError(db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sns_records (account, region, kind, name, value) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, region, kind, name) DO UPDATE SET value = excluded.value`, account, region, kind, name, value)
		return err
	}))
}

// SNSRecordInsert stores value under (account, region, kind, name) unless a record is
// there already, and returns the stored value either way.
func (db *DB) SNSRecordInsert(ctx context.Context, account, region, kind, name, value string) (string, error) {
	var out string
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sns_records (account, region, kind, name, value) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, region, kind, name) DO NOTHING`, account, region, kind, name, value); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT value FROM sns_records WHERE account = ? AND region = ? AND kind = ? AND name = ?",
			account, region, kind, name).Scan(&out)
	})
	return out, db.interpretError(err)
}

// SNSRecordGet returns the value under (account, region, kind, name), or ErrNotFound.
func (db *DB) SNSRecordGet(ctx context.Context, account, region, kind, name string) (string, error) {
	var v string
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT value FROM sns_records WHERE account = ? AND region = ? AND kind = ? AND name = ?",
			account, region, kind, name).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, db.interpretError(err)
}

// SNSRecordDelete deletes the record under (account, region, kind, name). It returns
// ErrNotFound when there is none.
func (db *DB) SNSRecordDelete(ctx context.Context, account, region, kind, name string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM sns_records WHERE account = ? AND region = ? AND kind = ? AND name = ?", account, region, kind, name)
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return err
	})
	return db.interpretError(err)
}

// SNSRecord is one named record.
type SNSRecord struct {
	Name, Value string
}

// SNSRecordList returns the records of (account, region, kind) in name order.
func (db *DB) SNSRecordList(ctx context.Context, account, region, kind string) ([]SNSRecord, error) {
	var out []SNSRecord
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, "SELECT name, value FROM sns_records WHERE account = ? AND region = ? AND kind = ? ORDER BY name", account, region, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SNSRecord
			if err := rows.Scan(&r.Name, &r.Value); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, db.interpretError(err)
}
