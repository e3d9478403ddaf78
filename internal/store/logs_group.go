package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LogsGroup is one CloudWatch Logs log group row. Times are unix milliseconds.
type LogsGroup struct {
	ID      int64
	Account string
	Region  string
	Name    string
	// CreatedAt is the creation time.
	CreatedAt int64
	// RetentionDays is how long events are kept; 0 keeps them for ever.
	RetentionDays int32
	// KMSKeyID is the ARN of the group's KMS key, "" when none.
	KMSKeyID string
	// Class is the log group class (STANDARD, INFREQUENT_ACCESS, DELIVERY).
	Class string
	// DeletionProtection blocks DeleteLogGroup while set.
	DeletionProtection bool
	// Tags is the JSON object of the group's tags, owned by the service.
	Tags string
	// StoredBytes is the sum of the stored bytes of the group's streams. Store methods
	// compute it when reading; writes ignore it.
	StoredBytes int64
}

const logsGroupColumns = "g.id, g.account, g.region, g.name, g.created_at, g.retention_days, g.kms_key_id, g.class, g.deletion_protection, g.tags, " +
	"CAST(COALESCE((SELECT SUM(s.stored_bytes) FROM logs_streams s WHERE s.group_id = g.id), 0) AS BIGINT)"

func scanLogsGroup(row interface{ Scan(...any) error }) (*LogsGroup, error) {
	var (
		g    LogsGroup
		prot int64
	)
	if err := row.Scan(&g.ID, &g.Account, &g.Region, &g.Name, &g.CreatedAt, &g.RetentionDays, &g.KMSKeyID,
		&g.Class, &prot, &g.Tags, &g.StoredBytes); err != nil {
		return nil, err
	}
	g.DeletionProtection = prot != 0
	return &g, nil
}

// LogsGroupCreateParams are the arguments of LogsGroupCreate.
type LogsGroupCreateParams struct {
	Account, Region, Name string
	KMSKeyID              string
	// Class is the log group class; "" means STANDARD.
	Class              string
	DeletionProtection bool
	// Tags is the JSON object of the tags; "" means none.
	Tags string
	// Now is the creation time.
	Now int64
}

// LogsGroupCreate creates a log group. It returns ErrConflict when the account already
// has a group of that name in the region.
func (db *DB) LogsGroupCreate(ctx context.Context, p *LogsGroupCreateParams) (*LogsGroup, error) {
	class, tags := p.Class, p.Tags
	if class == "" {
		class = "STANDARD"
	}
	if tags == "" {
		tags = "{}"
	}
	var g *LogsGroup
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO logs_groups (account, region, name, created_at, kms_key_id, class, deletion_protection, tags)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING`,
			p.Account, p.Region, p.Name, p.Now, p.KMSKeyID, class, boolInt(p.DeletionProtection), tags)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		g, err = scanLogsGroup(tx.QueryRow(ctx, "SELECT "+logsGroupColumns+" FROM logs_groups g WHERE account = ? AND region = ? AND name = ?",
			p.Account, p.Region, p.Name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create log group %s: %w", p.Name, err)
	}
	return g, nil
}

// LogsGroupGet returns the log group name of account in region, or ErrNotFound.
func (db *DB) LogsGroupGet(ctx context.Context, account, region, name string) (*LogsGroup, error) {
	var g *LogsGroup
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		g, err = scanLogsGroup(tx.QueryRow(ctx, "SELECT "+logsGroupColumns+" FROM logs_groups g WHERE account = ? AND region = ? AND name = ?",
			account, region, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get log group %s: %w", name, err)
	}
	return g, nil
}

// LogsGroupListParams are the arguments of LogsGroupList.
type LogsGroupListParams struct {
	Account, Region string
	// Prefix keeps groups whose name starts with it.
	Prefix string
	// Contains keeps groups whose name contains it (case-sensitive).
	Contains string
	// Names, when not empty, keeps only the groups named.
	Names []string
	// Class, when set, keeps only groups of that class.
	Class string
	// After keeps groups whose name sorts after it (pagination).
	After string
	// Limit caps the result; the caller asks for one more than a page to learn whether
	// another page follows.
	Limit int
}

// LogsGroupList returns log groups of an account and region in byte order of name.
func (db *DB) LogsGroupList(ctx context.Context, p *LogsGroupListParams) ([]*LogsGroup, error) {
	var out []*LogsGroup
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		var q strings.Builder
		q.WriteString("SELECT " + logsGroupColumns + " FROM logs_groups g WHERE g.account = ? AND g.region = ? AND g.name > ?")
		args := []any{p.Account, p.Region, p.After}
		if p.Prefix != "" {
			// substr rather than LIKE: SQLite's LIKE ignores case, and names do not.
			q.WriteString(" AND substr(g.name, 1, ?) = ?")
			args = append(args, utf8.RuneCountInString(p.Prefix), p.Prefix)
		}
		if p.Contains != "" {
			if tx.Dialect() == Postgres {
				q.WriteString(" AND strpos(g.name, ?) > 0")
			} else {
				q.WriteString(" AND instr(g.name, ?) > 0")
			}
			args = append(args, p.Contains)
		}
		if len(p.Names) > 0 {
			q.WriteString(" AND g.name IN (" + inList(len(p.Names)) + ")")
			for _, n := range p.Names {
				args = append(args, n)
			}
		}
		if p.Class != "" {
			q.WriteString(" AND g.class = ?")
			args = append(args, p.Class)
		}
		q.WriteString(" ORDER BY g.name LIMIT ?")
		args = append(args, p.Limit)
		var err error
		out, err = queryAll(ctx, tx, scanLogsGroup, q.String(), args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list log groups: %w", err)
	}
	return out, nil
}

// LogsGroupModify reads log group id in a write transaction (locking it on PostgreSQL),
// lets fn change RetentionDays, KMSKeyID, DeletionProtection and Tags, and saves them. fn
// may return an error to abort; it may run more than once on PostgreSQL. Returns
// ErrNotFound when the group does not exist.
func (db *DB) LogsGroupModify(ctx context.Context, id int64, fn func(g *LogsGroup) error) (*LogsGroup, error) {
	var g *LogsGroup
	err := db.Write(ctx, func(tx *Tx) error {
		query := "SELECT " + logsGroupColumns + " FROM logs_groups g WHERE g.id = ?"
		if tx.Dialect() == Postgres {
			query += " FOR UPDATE OF g"
		}
		var err error
		g, err = scanLogsGroup(tx.QueryRow(ctx, query, id))
		if err != nil {
			return err
		}
		if err := fn(g); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE logs_groups SET retention_days = ?, kms_key_id = ?, deletion_protection = ?, tags = ? WHERE id = ?",
			g.RetentionDays, g.KMSKeyID, boolInt(g.DeletionProtection), g.Tags, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("modify log group %d: %w", id, err)
	}
	return g, nil
}

// LogsGroupDelete deletes log group id with its streams, events and the resources
// (logs_resources rows) whose parent is the group. Returns ErrNotFound when the group
// does not exist.
func (db *DB) LogsGroupDelete(ctx context.Context, id int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var account, region, name string
		err := tx.QueryRow(ctx, "SELECT account, region, name FROM logs_groups WHERE id = ?", id).Scan(&account, &region, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		// The group row first, then the streams, then the events: on PostgreSQL each
		// statement waits for writers holding those rows (stream creation locks the group,
		// appends lock their stream) and then sees what they committed.
		n, err := tx.Exec(ctx, "DELETE FROM logs_groups WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, "DELETE FROM logs_resources WHERE account = ? AND region = ? AND parent = ?", account, region, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM logs_streams WHERE group_id = ?", id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM logs_events WHERE group_id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete log group %d: %w", id, err)
	}
	return nil
}
