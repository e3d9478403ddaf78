package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LambdaESM is one Lambda event source mapping.
type LambdaESM struct {
	UUID            string
	Account, Region string
	// Function is the name of the function the mapping invokes; FunctionARN the ARN it
	// invokes, qualified when the mapping names a version or an alias.
	Function, FunctionARN string
	EventSourceARN        string
	// Enabled reports whether the mapping polls its source.
	Enabled bool
	// ModifiedAt is the time of the last change, unix milliseconds.
	ModifiedAt int64
	// Config is the JSON configuration of the mapping, owned by the service.
	Config string
}

const lambdaESMColumns = "uuid, account, region, function, function_arn, event_source_arn, enabled, modified_at, config"

func scanLambdaESM(row interface{ Scan(...any) error }) (*LambdaESM, error) {
	var m LambdaESM
	var enabled int64
	if err := row.Scan(&m.UUID, &m.Account, &m.Region, &m.Function, &m.FunctionARN, &m.EventSourceARN, &enabled, &m.ModifiedAt, &m.Config); err != nil {
		return nil, err
	}
	m.Enabled = enabled != 0
	return &m, nil
}

// LambdaESMCreate stores a new event source mapping. It returns ErrConflict when the
// account already maps m.EventSourceARN to m.FunctionARN in the region (or the UUID is
// taken).
func (db *DB) LambdaESMCreate(ctx context.Context, m *LambdaESM) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO lambda_event_source_mappings (`+lambdaESMColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			m.UUID, m.Account, m.Region, m.Function, m.FunctionARN, m.EventSourceARN, boolInt(m.Enabled), m.ModifiedAt, m.Config)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create event source mapping %s: %w", m.UUID, err)
	}
	return nil
}

// LambdaESMGet returns the account's mapping uuid in region, or ErrNotFound.
func (db *DB) LambdaESMGet(ctx context.Context, account, region, uuid string) (*LambdaESM, error) {
	var m *LambdaESM
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		m, err = scanLambdaESM(tx.QueryRow(ctx, "SELECT "+lambdaESMColumns+" FROM lambda_event_source_mappings WHERE uuid = ? AND account = ? AND region = ?",
			uuid, account, region))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get event source mapping %s: %w", uuid, err)
	}
	return m, nil
}

// LambdaESMUpdate reads a mapping, lets fn change it and stores the change (every field
// but UUID, Account and Region). An error from fn is returned (wrapped) and nothing is
// written; fn may run more than once. Returns ErrNotFound when the mapping does not exist
// and ErrConflict when the change maps the source to a function it already maps to.
func (db *DB) LambdaESMUpdate(ctx context.Context, account, region, uuid string, fn func(m *LambdaESM) error) (*LambdaESM, error) {
	var m *LambdaESM
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		m, err = scanLambdaESM(tx.QueryRow(ctx, "SELECT "+lambdaESMColumns+" FROM lambda_event_source_mappings WHERE uuid = ? AND account = ? AND region = ?",
			uuid, account, region))
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		var other string
		err = tx.QueryRow(ctx, "SELECT uuid FROM lambda_event_source_mappings WHERE account = ? AND region = ? AND event_source_arn = ? AND function_arn = ? AND uuid <> ?",
			account, region, m.EventSourceARN, m.FunctionARN, uuid).Scan(&other)
		switch {
		case err == nil:
			return ErrConflict
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE lambda_event_source_mappings SET function = ?, function_arn = ?, event_source_arn = ?, enabled = ?, modified_at = ?, config = ?
WHERE uuid = ? AND account = ? AND region = ?`,
			m.Function, m.FunctionARN, m.EventSourceARN, boolInt(m.Enabled), m.ModifiedAt, m.Config, uuid, account, region)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update event source mapping %s: %w", uuid, err)
	}
	return m, nil
}

// LambdaESMDelete deletes a mapping and returns it. Returns ErrNotFound when it does not
// exist.
func (db *DB) LambdaESMDelete(ctx context.Context, account, region, uuid string) (*LambdaESM, error) {
	var m *LambdaESM
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		m, err = scanLambdaESM(tx.QueryRow(ctx, "SELECT "+lambdaESMColumns+" FROM lambda_event_source_mappings WHERE uuid = ? AND account = ? AND region = ?",
			uuid, account, region))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM lambda_event_source_mappings WHERE uuid = ?", uuid)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete event source mapping %s: %w", uuid, err)
	}
	return m, nil
}

// LambdaESMListParams select the mappings LambdaESMList returns. Zero fields do not
// filter.
type LambdaESMListParams struct {
	// Account and Region scope the list; both "" list every account's mappings.
	Account, Region string
	EventSourceARN  string
	// Function keeps the mappings of the function of that name, whatever their qualifier.
	Function string
	// FunctionARN keeps the mappings that invoke exactly that (qualified or unqualified) ARN.
	FunctionARN string
	// After lists the mappings whose UUID sorts after it.
	After string
	// Limit caps the number of rows; 0 is no limit.
	Limit int
}

// LambdaESMList returns the mappings p selects, ordered by UUID.
func (db *DB) LambdaESMList(ctx context.Context, p *LambdaESMListParams) ([]*LambdaESM, error) {
	q := "SELECT " + lambdaESMColumns + " FROM lambda_event_source_mappings WHERE uuid > ?"
	args := []any{p.After}
	if p.Account != "" || p.Region != "" {
		q += " AND account = ? AND region = ?"
		args = append(args, p.Account, p.Region)
	}
	if p.EventSourceARN != "" {
		q += " AND event_source_arn = ?"
		args = append(args, p.EventSourceARN)
	}
	if p.Function != "" {
		q += " AND function = ?"
		args = append(args, p.Function)
	}
	if p.FunctionARN != "" {
		q += " AND function_arn = ?"
		args = append(args, p.FunctionARN)
	}
	q += " ORDER BY uuid"
	if p.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", p.Limit)
	}
	var out []*LambdaESM
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanLambdaESM, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list event source mappings: %w", err)
	}
	return out, nil
}
