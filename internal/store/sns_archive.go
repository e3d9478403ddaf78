package store

import "context"

// SNSArchivedMessage is one message of a FIFO topic's archive. Seq is the message's
// sequence number on its topic; times are unix milliseconds. Message is JSON owned by the
// SNS service.
type SNSArchivedMessage struct {
	TopicARN    string
	Seq         int64
	PublishedAt int64
	ExpiresAt   int64
	Message     string
}

// SNSArchivePut archives m within tx, the publish's write. Archiving a sequence number
// again replaces the earlier row (a retried write).
func (tx *Tx) SNSArchivePut(ctx context.Context, m *SNSArchivedMessage) error {
	_, err := tx.Exec(ctx, `INSERT INTO sns_archive (topic_arn, seq, published_at, expires_at, message) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (topic_arn, seq) DO UPDATE SET published_at = excluded.published_at, expires_at = excluded.expires_at, message = excluded.message`,
		m.TopicARN, m.Seq, m.PublishedAt, m.ExpiresAt, m.Message)
	return err
}

// SNSArchiveListParams are the arguments of SNSArchiveList.
type SNSArchiveListParams struct {
	TopicARN string
	// From and To bound the publish times listed, both included.
	From, To int64
	// AfterSeq lists only messages whose sequence number is greater (paging).
	AfterSeq int64
	// Now hides the messages expired at that time.
	Now   int64
	Limit int
}

// SNSArchiveList returns up to p.Limit archived messages of p.TopicARN in sequence
// order.
func (db *DB) SNSArchiveList(ctx context.Context, p *SNSArchiveListParams) ([]*SNSArchivedMessage, error) {
	var out []*SNSArchivedMessage
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT topic_arn, seq, published_at, expires_at, message FROM sns_archive
			WHERE topic_arn = ? AND seq > ? AND published_at >= ? AND published_at <= ? AND expires_at > ?
			ORDER BY seq LIMIT ?`, p.TopicARN, p.AfterSeq, p.From, p.To, p.Now, p.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m SNSArchivedMessage
			if err := rows.Scan(&m.TopicARN, &m.Seq, &m.PublishedAt, &m.ExpiresAt, &m.Message); err != nil {
				return err
			}
			out = append(out, &m)
		}
		return rows.Err()
	})
	return out, db.interpretError(err)
}

// SNSArchiveSweep deletes the archived messages expired at now and returns how many.
func (db *DB) SNSArchiveSweep(ctx context.Context, now int64) (int64, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.Exec(ctx, "DELETE FROM sns_archive WHERE expires_at <= ?", now)
		return err
	})
	return n, db.interpretError(err)
}

// SNSArchiveDeleteTopic deletes the archive of the topic of topicARN. Deleting an archive
// that does not exist succeeds.
func (db *DB) SNSArchiveDeleteTopic(ctx context.Context, topicARN string) error {
	return db.interpretError(db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sns_archive WHERE topic_arn = ?", topicARN)
		return err
	}))
}
