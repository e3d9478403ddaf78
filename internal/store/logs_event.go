package store

import (
	"context"
	"fmt"
	"strings"
)

// LogsNewEvent is an event to append to a log stream.
type LogsNewEvent struct {
	// Timestamp is the event time in unix milliseconds.
	Timestamp int64
	Message   string
}

// LogsEvent is one stored log event.
type LogsEvent struct {
	ID       int64
	StreamID int64
	// StreamName is the name of the event's stream.
	StreamName string
	// Timestamp is the event time and IngestedAt the time it was appended, in unix
	// milliseconds.
	Timestamp  int64
	IngestedAt int64
	Message    string
}

// Cursor returns the event's position in (Timestamp, ID) order.
func (e *LogsEvent) Cursor() LogsEventCursor {
	return LogsEventCursor{Timestamp: e.Timestamp, ID: e.ID}
}

// LogsEventCursor is a position between events, which are ordered by (Timestamp, ID).
type LogsEventCursor struct {
	Timestamp int64
	ID        int64
}

// LogsEventAppendParams are the arguments of LogsEventAppend.
type LogsEventAppendParams struct {
	StreamID int64
	// Events may be empty: the append then only advances the stream's Seq.
	Events []LogsNewEvent
	// Now is the ingestion time.
	Now int64
	// Lazy writes the append with WriteLazy: for the logs Overcast's own services emit
	// (function output), of which a machine crash may lose the last; never for a client's
	// PutLogEvents, which is acknowledged durably.
	Lazy bool
}

// logsAppendChunk is how many events one INSERT statement carries (6 parameters each,
// well under SQLite's limit of 32766 parameters).
const logsAppendChunk = 500

// LogsEventAppend appends events to a log stream and updates its first and last event
// times, ingestion time, stored bytes and Seq. It returns the stream as updated, or
// ErrNotFound when the stream does not exist.
func (db *DB) LogsEventAppend(ctx context.Context, p *LogsEventAppendParams) (*LogsStream, error) {
	var (
		minTS, maxTS int64
		bytes        int64
	)
	for i, e := range p.Events {
		if i == 0 || e.Timestamp < minTS {
			minTS = e.Timestamp
		}
		if i == 0 || e.Timestamp > maxTS {
			maxTS = e.Timestamp
		}
		bytes += int64(len(e.Message))
	}
	var s *LogsStream
	write := db.Write
	if p.Lazy {
		write = db.WriteLazy
	}
	err := write(ctx, func(tx *Tx) error {
		var err error
		if len(p.Events) == 0 {
			s, err = scanLogsStream(tx.QueryRow(ctx, "UPDATE logs_streams SET seq = seq + 1 WHERE id = ? RETURNING "+logsStreamColumns, p.StreamID))
			return err
		}
		// The row update comes first: it fails when the stream is gone and, on
		// PostgreSQL, holds the stream so that a concurrent delete waits for these events.
		s, err = scanLogsStream(tx.QueryRow(ctx, `UPDATE logs_streams SET
	first_event_at = CASE WHEN last_ingestion_at = 0 OR ? < first_event_at THEN ? ELSE first_event_at END,
	last_event_at = CASE WHEN last_ingestion_at = 0 OR ? > last_event_at THEN ? ELSE last_event_at END,
	last_ingestion_at = ?, stored_bytes = stored_bytes + ?, seq = seq + 1
WHERE id = ? RETURNING `+logsStreamColumns, minTS, minTS, maxTS, maxTS, p.Now, bytes, p.StreamID))
		if err != nil {
			return err
		}
		for start := 0; start < len(p.Events); start += logsAppendChunk {
			batch := p.Events[start:min(start+logsAppendChunk, len(p.Events))]
			var q strings.Builder
			q.WriteString("INSERT INTO logs_events (group_id, stream_id, ts, ingested_at, size, message) VALUES ")
			args := make([]any, 0, len(batch)*6)
			for i, e := range batch {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?)")
				args = append(args, s.GroupID, s.ID, e.Timestamp, p.Now, int64(len(e.Message)), []byte(e.Message))
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("append to log stream %d: %w", p.StreamID, err)
	}
	return s, nil
}

// LogsEventListParams are the arguments of LogsEventList. Exactly one of StreamID and
// GroupID is set.
type LogsEventListParams struct {
	// StreamID lists the events of one stream.
	StreamID int64
	// GroupID lists the events of a whole log group, narrowed by StreamNames or
	// StreamPrefix.
	GroupID      int64
	StreamNames  []string
	StreamPrefix string
	// Start and End bound the event timestamps: Start <= Timestamp < End.
	Start, End int64
	// After keeps events past the cursor in (Timestamp, ID) order; Before keeps events
	// before it. Either may be nil.
	After, Before *LogsEventCursor
	// Descending lists the latest events first.
	Descending bool
	// Limit caps the result.
	Limit int
}

// LogsEventList returns events of a stream or a log group in (Timestamp, ID) order, or
// in the reverse order when Descending.
func (db *DB) LogsEventList(ctx context.Context, p *LogsEventListParams) ([]*LogsEvent, error) {
	var out []*LogsEvent
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		var q strings.Builder
		q.WriteString("SELECT e.id, e.stream_id, s.name, e.ts, e.ingested_at, e.message FROM logs_events e JOIN logs_streams s ON s.id = e.stream_id WHERE ")
		var args []any
		if p.StreamID != 0 {
			q.WriteString("e.stream_id = ?")
			args = append(args, p.StreamID)
		} else {
			q.WriteString("e.group_id = ?")
			args = append(args, p.GroupID)
			if len(p.StreamNames) > 0 {
				q.WriteString(" AND s.name IN (" + inList(len(p.StreamNames)) + ")")
				for _, n := range p.StreamNames {
					args = append(args, n)
				}
			}
			if p.StreamPrefix != "" {
				q.WriteString(" AND substr(s.name, 1, ?) = ?")
				args = append(args, len([]rune(p.StreamPrefix)), p.StreamPrefix)
			}
		}
		q.WriteString(" AND e.ts >= ? AND e.ts < ?")
		args = append(args, p.Start, p.End)
		if p.After != nil {
			q.WriteString(" AND (e.ts, e.id) > (?, ?)")
			args = append(args, p.After.Timestamp, p.After.ID)
		}
		if p.Before != nil {
			q.WriteString(" AND (e.ts, e.id) < (?, ?)")
			args = append(args, p.Before.Timestamp, p.Before.ID)
		}
		if p.Descending {
			q.WriteString(" ORDER BY e.ts DESC, e.id DESC")
		} else {
			q.WriteString(" ORDER BY e.ts, e.id")
		}
		q.WriteString(" LIMIT ?")
		args = append(args, p.Limit)
		rows, err := tx.Query(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e   LogsEvent
				msg []byte
			)
			if err := rows.Scan(&e.ID, &e.StreamID, &e.StreamName, &e.Timestamp, &e.IngestedAt, &msg); err != nil {
				return err
			}
			e.Message = string(msg)
			out = append(out, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list log events: %w", err)
	}
	return out, nil
}

// LogsSweepParams are the arguments of LogsSweep.
type LogsSweepParams struct {
	// Now is the current time; a group's events older than its retention are deleted.
	Now int64
	// Limit caps the events deleted per log group and call.
	Limit int
}

// LogsSweep deletes the events that have outlived their log group's retention, at most
// Limit per group, and returns how many it deleted. The streams' stored bytes and first
// event times follow.
func (db *DB) LogsSweep(ctx context.Context, p *LogsSweepParams) (int64, error) {
	type group struct {
		id   int64
		days int64
	}
	var groups []group
	err := db.Read(ctx, func(tx *Tx) error {
		groups = groups[:0]
		rows, err := tx.Query(ctx, "SELECT id, retention_days FROM logs_groups WHERE retention_days > 0")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.id, &g.days); err != nil {
				return err
			}
			groups = append(groups, g)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("sweep logs: %w", err)
	}
	var total int64
	for _, g := range groups {
		cutoff := p.Now - g.days*24*60*60*1000
		var n int64
		err := db.Write(ctx, func(tx *Tx) error {
			n = 0
			rows, err := tx.Query(ctx, "SELECT id, stream_id, size FROM logs_events WHERE group_id = ? AND ts < ? ORDER BY ts, id LIMIT ?",
				g.id, cutoff, p.Limit)
			if err != nil {
				return err
			}
			var ids []int64
			freed := map[int64]int64{}
			for rows.Next() {
				var id, stream, size int64
				if err := rows.Scan(&id, &stream, &size); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
				freed[stream] += size
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for start := 0; start < len(ids); start += logsAppendChunk {
				chunk := ids[start:min(start+logsAppendChunk, len(ids))]
				k, err := tx.Exec(ctx, "DELETE FROM logs_events WHERE id IN ("+inList(len(chunk))+")", int64Args(chunk)...)
				if err != nil {
					return err
				}
				n += k
			}
			for stream, size := range freed {
				if _, err := tx.Exec(ctx, `UPDATE logs_streams SET stored_bytes = stored_bytes - ?,
	first_event_at = COALESCE((SELECT MIN(ts) FROM logs_events WHERE stream_id = ?), first_event_at)
WHERE id = ?`, size, stream, stream); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("sweep log group %d: %w", g.id, err)
		}
		total += n
	}
	return total, nil
}
