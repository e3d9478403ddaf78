package store

import (
	"context"
	"fmt"
)

// LambdaProvisioned is one provisioned concurrency config of a Lambda function version or
// alias.
type LambdaProvisioned struct {
	Account, Region, Function string
	// Qualifier is a version number or an alias name.
	Qualifier string
	// Requested is the number of environments to keep initialised.
	Requested int64
	// Modified is the time of the last change, unix milliseconds.
	Modified int64
}

const lambdaProvisionedColumns = "account, region, function, qualifier, requested, modified"

func scanLambdaProvisioned(row interface{ Scan(...any) error }) (*LambdaProvisioned, error) {
	var p LambdaProvisioned
	if err := row.Scan(&p.Account, &p.Region, &p.Function, &p.Qualifier, &p.Requested, &p.Modified); err != nil {
		return nil, err
	}
	return &p, nil
}

// LambdaProvisionedPut creates or replaces a provisioned concurrency config.
func (db *DB) LambdaProvisionedPut(ctx context.Context, p *LambdaProvisioned) error {
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO lambda_provisioned (account, region, function, qualifier, requested, modified)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, function, qualifier) DO UPDATE SET requested = excluded.requested, modified = excluded.modified`,
			p.Account, p.Region, p.Function, p.Qualifier, p.Requested, p.Modified)
		return err
	})
	if err != nil {
		return fmt.Errorf("put provisioned concurrency of %s:%s: %w", p.Function, p.Qualifier, err)
	}
	return nil
}

// LambdaProvisionedGet returns a provisioned concurrency config, or ErrNotFound.
func (db *DB) LambdaProvisionedGet(ctx context.Context, account, region, function, qualifier string) (*LambdaProvisioned, error) {
	var p *LambdaProvisioned
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, err = scanLambdaProvisioned(tx.QueryRow(ctx, "SELECT "+lambdaProvisionedColumns+" FROM lambda_provisioned WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get provisioned concurrency of %s:%s: %w", function, qualifier, err)
	}
	return p, nil
}

// LambdaProvisionedDelete deletes the provisioned concurrency config of one qualifier or,
// when qualifier is "", every config of the function. Returns ErrNotFound when nothing was
// deleted.
func (db *DB) LambdaProvisionedDelete(ctx context.Context, account, region, function, qualifier string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		q := "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function = ?"
		args := []any{account, region, function}
		if qualifier != "" {
			q += " AND qualifier = ?"
			args = append(args, qualifier)
		}
		n, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete provisioned concurrency of %s:%s: %w", function, qualifier, err)
	}
	return nil
}

// LambdaProvisionedList returns provisioned concurrency configs ordered by account,
// region, function and qualifier in byte order: those of one function, of every function
// of an account and region when function is "", or of every account when account is "".
func (db *DB) LambdaProvisionedList(ctx context.Context, account, region, function string) ([]*LambdaProvisioned, error) {
	var out []*LambdaProvisioned
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		q := "SELECT " + lambdaProvisionedColumns + " FROM lambda_provisioned"
		var args []any
		if account != "" {
			q += " WHERE account = ? AND region = ?"
			args = append(args, account, region)
			if function != "" {
				q += " AND function = ?"
				args = append(args, function)
			}
		}
		var err error
		out, err = queryAll(ctx, tx, scanLambdaProvisioned, q+" ORDER BY account, region, function, qualifier", args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list provisioned concurrency configs: %w", err)
	}
	return out, nil
}
