package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LogsStream is one CloudWatch Logs log stream row. Times are unix milliseconds.
type LogsStream struct {
	ID      int64
	GroupID int64
	Name    string
	// CreatedAt is the creation time.
	CreatedAt int64
	// FirstEventAt and LastEventAt are the smallest and largest event timestamps, and
	// LastIngestionAt the time of the latest append; all three are 0 while the stream has
	// no events (HasEvents is false).
	FirstEventAt    int64
	LastEventAt     int64
	LastIngestionAt int64
	// StoredBytes is the message bytes of the stream's events.
	StoredBytes int64
	// Seq counts the appends to the stream.
	Seq int64
}

// HasEvents reports whether anything was ever appended to the stream.
func (s *LogsStream) HasEvents() bool { return s.LastIngestionAt != 0 }

const logsStreamColumns = "id, group_id, name, created_at, first_event_at, last_event_at, last_ingestion_at, stored_bytes, seq"

func scanLogsStream(row interface{ Scan(...any) error }) (*LogsStream, error) {
	var s LogsStream
	if err := row.Scan(&s.ID, &s.GroupID, &s.Name, &s.CreatedAt, &s.FirstEventAt, &s.LastEventAt,
		&s.LastIngestionAt, &s.StoredBytes, &s.Seq); err != nil {
		return nil, err
	}
	return &s, nil
}

// lockLogsGroup checks that group id exists and, on PostgreSQL, holds a share lock on it
// so that a concurrent LogsGroupDelete waits for this transaction.
func lockLogsGroup(ctx context.Context, tx *Tx, id int64) error {
	query := "SELECT id FROM logs_groups WHERE id = ?"
	if tx.Dialect() == Postgres {
		query += " FOR SHARE"
	}
	var got int64
	return tx.QueryRow(ctx, query, id).Scan(&got)
}

// LogsStreamCreate creates stream name in log group groupID. It returns ErrNotFound when
// the group does not exist and ErrConflict when the stream does.
func (db *DB) LogsStreamCreate(ctx context.Context, groupID int64, name string, now int64) (*LogsStream, error) {
	var s *LogsStream
	err := db.Write(ctx, func(tx *Tx) error {
		if err := lockLogsGroup(ctx, tx, groupID); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, "INSERT INTO logs_streams (group_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (group_id, name) DO NOTHING",
			groupID, name, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		s, err = scanLogsStream(tx.QueryRow(ctx, "SELECT "+logsStreamColumns+" FROM logs_streams WHERE group_id = ? AND name = ?", groupID, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create log stream %s: %w", name, err)
	}
	return s, nil
}

// LogsStreamGet returns stream name of log group groupID, or ErrNotFound.
func (db *DB) LogsStreamGet(ctx context.Context, groupID int64, name string) (*LogsStream, error) {
	var s *LogsStream
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = scanLogsStream(tx.QueryRow(ctx, "SELECT "+logsStreamColumns+" FROM logs_streams WHERE group_id = ? AND name = ?", groupID, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get log stream %s: %w", name, err)
	}
	return s, nil
}

// LogsStreamCursor is a position in a stream listing: the last stream of the previous
// page.
type LogsStreamCursor struct {
	// LastEventAt is used when ordering by last event time.
	LastEventAt int64
	Name        string
}

// LogsStreamListParams are the arguments of LogsStreamList.
type LogsStreamListParams struct {
	GroupID int64
	// Prefix keeps streams whose name starts with it.
	Prefix string
	// ByLastEvent orders by (LastEventAt, Name) instead of by Name.
	ByLastEvent bool
	// Descending reverses the order.
	Descending bool
	// After, when set, keeps streams past it in the listing order.
	After *LogsStreamCursor
	// Limit caps the result.
	Limit int
}

// LogsStreamList returns streams of a log group in the order asked for.
func (db *DB) LogsStreamList(ctx context.Context, p *LogsStreamListParams) ([]*LogsStream, error) {
	var out []*LogsStream
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		var q strings.Builder
		q.WriteString("SELECT " + logsStreamColumns + " FROM logs_streams WHERE group_id = ?")
		args := []any{p.GroupID}
		if p.Prefix != "" {
			q.WriteString(" AND substr(name, 1, ?) = ?")
			args = append(args, utf8.RuneCountInString(p.Prefix), p.Prefix)
		}
		cmp, dir := ">", ""
		if p.Descending {
			cmp, dir = "<", " DESC"
		}
		if p.After != nil {
			if p.ByLastEvent {
				q.WriteString(" AND (last_event_at, name) " + cmp + " (?, ?)")
				args = append(args, p.After.LastEventAt, p.After.Name)
			} else {
				q.WriteString(" AND name " + cmp + " ?")
				args = append(args, p.After.Name)
			}
		}
		if p.ByLastEvent {
			q.WriteString(" ORDER BY last_event_at" + dir + ", name" + dir)
		} else {
			q.WriteString(" ORDER BY name" + dir)
		}
		q.WriteString(" LIMIT ?")
		args = append(args, p.Limit)
		var err error
		out, err = queryAll(ctx, tx, scanLogsStream, q.String(), args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list log streams: %w", err)
	}
	return out, nil
}

// LogsStreamDelete deletes stream name of log group groupID with its events. Returns
// ErrNotFound when the stream does not exist.
func (db *DB) LogsStreamDelete(ctx context.Context, groupID int64, name string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var id int64
		// The stream row first: on PostgreSQL this waits for an append holding it, and the
		// event delete after it then sees what the append wrote.
		if err := tx.QueryRow(ctx, "DELETE FROM logs_streams WHERE group_id = ? AND name = ? RETURNING id", groupID, name).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM logs_events WHERE stream_id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete log stream %s: %w", name, err)
	}
	return nil
}

// LogsStreamEnsureParams are the arguments of LogsStreamEnsure.
type LogsStreamEnsureParams struct {
	Account, Region string
	Group, Stream   string
	// Now is the creation time of whatever is created.
	Now int64
}

// LogsStreamEnsure returns the stream Stream of log group Group, creating the group (with
// default settings) and the stream when they do not exist. Concurrent calls for the same
// names create each once.
func (db *DB) LogsStreamEnsure(ctx context.Context, p *LogsStreamEnsureParams) (*LogsStream, error) {
	var s *LogsStream
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO logs_groups (account, region, name, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (account, region, name) DO NOTHING`, p.Account, p.Region, p.Group, p.Now); err != nil {
			return err
		}
		query := "SELECT id FROM logs_groups WHERE account = ? AND region = ? AND name = ?"
		if tx.Dialect() == Postgres {
			query += " FOR SHARE"
		}
		var groupID int64
		if err := tx.QueryRow(ctx, query, p.Account, p.Region, p.Group).Scan(&groupID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO logs_streams (group_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (group_id, name) DO NOTHING",
			groupID, p.Stream, p.Now); err != nil {
			return err
		}
		var err error
		s, err = scanLogsStream(tx.QueryRow(ctx, "SELECT "+logsStreamColumns+" FROM logs_streams WHERE group_id = ? AND name = ?", groupID, p.Stream))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		// Deleted between the inserts and the reads by another node: the caller may retry.
		return nil, fmt.Errorf("ensure log stream %s/%s: %w", p.Group, p.Stream, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("ensure log stream %s/%s: %w", p.Group, p.Stream, err)
	}
	return s, nil
}
