package store

import (
	"context"
	"fmt"
)

// LambdaEventConfig is the asynchronous invocation configuration of one function
// qualifier ($LATEST, a version number or an alias name).
type LambdaEventConfig struct {
	Account, Region, Function, Qualifier string
	// Config is the JSON configuration, owned by the service.
	Config string
	// LastModified is the time of the last change, in unix milliseconds.
	LastModified int64
}

const lambdaEventConfigColumns = "account, region, function, qualifier, config, last_modified"

func scanLambdaEventConfig(row interface{ Scan(...any) error }) (*LambdaEventConfig, error) {
	var c LambdaEventConfig
	if err := row.Scan(&c.Account, &c.Region, &c.Function, &c.Qualifier, &c.Config, &c.LastModified); err != nil {
		return nil, err
	}
	return &c, nil
}

// LambdaEventConfigPut creates or replaces the configuration of c's function and
// qualifier. It returns ErrNotFound when the function does not exist.
func (db *DB) LambdaEventConfigPut(ctx context.Context, c *LambdaEventConfig) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			c.Account, c.Region, c.Function).Scan(&one); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO lambda_event_configs (account, region, function, qualifier, config, last_modified)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, function, qualifier) DO UPDATE SET config = excluded.config, last_modified = excluded.last_modified`,
			c.Account, c.Region, c.Function, c.Qualifier, c.Config, c.LastModified)
		return err
	})
	if err != nil {
		return fmt.Errorf("put event invoke config of %s:%s: %w", c.Function, c.Qualifier, err)
	}
	return nil
}

// LambdaEventConfigGet returns the configuration of a function qualifier, or ErrNotFound.
func (db *DB) LambdaEventConfigGet(ctx context.Context, account, region, function, qualifier string) (*LambdaEventConfig, error) {
	var c *LambdaEventConfig
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		c, err = scanLambdaEventConfig(tx.QueryRow(ctx, "SELECT "+lambdaEventConfigColumns+" FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get event invoke config of %s:%s: %w", function, qualifier, err)
	}
	return c, nil
}

// LambdaEventConfigUpdate reads a configuration, lets fn change its Config and
// LastModified and stores them, in one transaction. An error from fn is returned
// (wrapped) and nothing is written. fn may run more than once. Returns ErrNotFound when
// the configuration does not exist.
func (db *DB) LambdaEventConfigUpdate(ctx context.Context, account, region, function, qualifier string, fn func(c *LambdaEventConfig) error) (*LambdaEventConfig, error) {
	var c *LambdaEventConfig
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		c, err = scanLambdaEventConfig(tx.QueryRow(ctx, "SELECT "+lambdaEventConfigColumns+" FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier))
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_event_configs SET config = ?, last_modified = ? WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			c.Config, c.LastModified, account, region, function, qualifier)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update event invoke config of %s:%s: %w", function, qualifier, err)
	}
	return c, nil
}

// LambdaEventConfigDelete deletes the configuration of a function qualifier or, with
// qualifier "", every configuration of the function (when the function is deleted). With
// a qualifier it returns ErrNotFound when there is none; without, deleting nothing is no
// error.
func (db *DB) LambdaEventConfigDelete(ctx context.Context, account, region, function, qualifier string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if qualifier == "" {
			_, err := tx.Exec(ctx, "DELETE FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ?",
				account, region, function)
			return err
		}
		n, err := tx.Exec(ctx, "DELETE FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete event invoke config of %s:%s: %w", function, qualifier, err)
	}
	return nil
}

// LambdaEventConfigList returns up to limit configurations of a function whose qualifier
// sorts after after (byte order; "" from the start), in qualifier order.
func (db *DB) LambdaEventConfigList(ctx context.Context, account, region, function, after string, limit int) ([]*LambdaEventConfig, error) {
	var out []*LambdaEventConfig
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanLambdaEventConfig, "SELECT "+lambdaEventConfigColumns+" FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier > ? ORDER BY qualifier LIMIT ?",
			account, region, function, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list event invoke configs of %s: %w", function, err)
	}
	return out, nil
}
