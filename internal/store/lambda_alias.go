package store

import (
	"context"
	"fmt"
)

// LambdaAlias is one alias of a Lambda function.
type LambdaAlias struct {
	Account, Region, Function, Name string
	RevisionID                      string
	// Config is the JSON configuration of the alias, owned by the service.
	Config string
}

const lambdaAliasColumns = "account, region, function, name, revision_id, config"

func scanLambdaAlias(row interface{ Scan(...any) error }) (*LambdaAlias, error) {
	var a LambdaAlias
	if err := row.Scan(&a.Account, &a.Region, &a.Function, &a.Name, &a.RevisionID, &a.Config); err != nil {
		return nil, err
	}
	return &a, nil
}

// LambdaAliasCreate creates an alias. It returns ErrNotFound when the function does not
// exist and ErrConflict when the alias already does.
func (db *DB) LambdaAliasCreate(ctx context.Context, a *LambdaAlias) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			a.Account, a.Region, a.Function).Scan(&one); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `INSERT INTO lambda_aliases (account, region, function, name, revision_id, config)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, function, name) DO NOTHING`,
			a.Account, a.Region, a.Function, a.Name, a.RevisionID, a.Config)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create alias %s of %s: %w", a.Name, a.Function, err)
	}
	return nil
}

// LambdaAliasGet returns an alias, or ErrNotFound.
func (db *DB) LambdaAliasGet(ctx context.Context, account, region, function, name string) (*LambdaAlias, error) {
	var a *LambdaAlias
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		a, err = scanLambdaAlias(tx.QueryRow(ctx, "SELECT "+lambdaAliasColumns+" FROM lambda_aliases WHERE account = ? AND region = ? AND function = ? AND name = ?",
			account, region, function, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get alias %s of %s: %w", name, function, err)
	}
	return a, nil
}

// LambdaAliasUpdate reads an alias, lets fn change its RevisionID and Config and stores
// them. An error from fn is returned (wrapped) and nothing is written. fn may run more
// than once. Returns ErrNotFound when the alias does not exist.
func (db *DB) LambdaAliasUpdate(ctx context.Context, account, region, function, name string, fn func(a *LambdaAlias) error) (*LambdaAlias, error) {
	var a *LambdaAlias
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		a, err = scanLambdaAlias(tx.QueryRow(ctx, "SELECT "+lambdaAliasColumns+" FROM lambda_aliases WHERE account = ? AND region = ? AND function = ? AND name = ?",
			account, region, function, name))
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_aliases SET revision_id = ?, config = ? WHERE account = ? AND region = ? AND function = ? AND name = ?",
			a.RevisionID, a.Config, account, region, function, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update alias %s of %s: %w", name, function, err)
	}
	return a, nil
}

// LambdaAliasDelete deletes an alias. Returns ErrNotFound when it does not exist.
func (db *DB) LambdaAliasDelete(ctx context.Context, account, region, function, name string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM lambda_aliases WHERE account = ? AND region = ? AND function = ? AND name = ?",
			account, region, function, name)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		// An alias's function URL goes with it.
		_, err = tx.Exec(ctx, "DELETE FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, name)
		if err != nil {
			return err
		}
		// So does its provisioned concurrency config.
		_, err = tx.Exec(ctx, "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, name)
		if err != nil {
			return err
		}
		// And its event invoke config.
		_, err = tx.Exec(ctx, "DELETE FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete alias %s of %s: %w", name, function, err)
	}
	return nil
}

// LambdaAliasList returns every alias of a function, in no particular order.
func (db *DB) LambdaAliasList(ctx context.Context, account, region, function string) ([]*LambdaAlias, error) {
	var out []*LambdaAlias
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanLambdaAlias, "SELECT "+lambdaAliasColumns+" FROM lambda_aliases WHERE account = ? AND region = ? AND function = ?",
			account, region, function)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list aliases of %s: %w", function, err)
	}
	return out, nil
}
