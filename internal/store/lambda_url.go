package store

import (
	"context"
	"fmt"
)

// LambdaFunctionURL is the URL configuration of a function for one qualifier ($LATEST or
// an alias name).
type LambdaFunctionURL struct {
	Account, Region, Function string
	// Qualifier is "$LATEST" or an alias name.
	Qualifier string
	// URLID is the URL's host label, unique across accounts and regions.
	URLID string
	// Config is the JSON configuration, owned by the service.
	Config string
	// CreatedAt and ModifiedAt are Unix milliseconds.
	CreatedAt, ModifiedAt int64
}

const lambdaURLColumns = "account, region, function, qualifier, url_id, config, created_at, modified_at"

func scanLambdaURL(row interface{ Scan(...any) error }) (*LambdaFunctionURL, error) {
	var u LambdaFunctionURL
	if err := row.Scan(&u.Account, &u.Region, &u.Function, &u.Qualifier, &u.URLID, &u.Config, &u.CreatedAt, &u.ModifiedAt); err != nil {
		return nil, err
	}
	return &u, nil
}

// LambdaFunctionURLCreate stores a new URL configuration. It returns ErrNotFound when the
// function does not exist and ErrConflict when the function and qualifier already have
// one (or, unlikely, the URL id is taken).
func (db *DB) LambdaFunctionURLCreate(ctx context.Context, u *LambdaFunctionURL) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			u.Account, u.Region, u.Function).Scan(&one); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `INSERT INTO lambda_function_urls (`+lambdaURLColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			u.Account, u.Region, u.Function, u.Qualifier, u.URLID, u.Config, u.CreatedAt, u.ModifiedAt)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create url of %s:%s: %w", u.Function, u.Qualifier, err)
	}
	return nil
}

// LambdaFunctionURLGet returns the URL configuration of a function and qualifier, or
// ErrNotFound.
func (db *DB) LambdaFunctionURLGet(ctx context.Context, account, region, function, qualifier string) (*LambdaFunctionURL, error) {
	var u *LambdaFunctionURL
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = scanLambdaURL(tx.QueryRow(ctx, "SELECT "+lambdaURLColumns+" FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get url of %s:%s: %w", function, qualifier, err)
	}
	return u, nil
}

// LambdaFunctionURLGetByID returns the URL configuration with a URL id, or ErrNotFound.
func (db *DB) LambdaFunctionURLGetByID(ctx context.Context, urlID string) (*LambdaFunctionURL, error) {
	var u *LambdaFunctionURL
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = scanLambdaURL(tx.QueryRow(ctx, "SELECT "+lambdaURLColumns+" FROM lambda_function_urls WHERE url_id = ?", urlID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get url %s: %w", urlID, err)
	}
	return u, nil
}

// LambdaFunctionURLUpdate reads a URL configuration, lets fn change its Config and
// ModifiedAt and stores them. An error from fn is returned (wrapped) and nothing is
// written. fn may run more than once. Returns ErrNotFound when there is none.
func (db *DB) LambdaFunctionURLUpdate(ctx context.Context, account, region, function, qualifier string, fn func(u *LambdaFunctionURL) error) (*LambdaFunctionURL, error) {
	var u *LambdaFunctionURL
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		u, err = scanLambdaURL(tx.QueryRow(ctx, "SELECT "+lambdaURLColumns+" FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, qualifier))
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_function_urls SET config = ?, modified_at = ? WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			u.Config, u.ModifiedAt, account, region, function, qualifier)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update url of %s:%s: %w", function, qualifier, err)
	}
	return u, nil
}

// LambdaFunctionURLDelete deletes the URL configuration of a function and qualifier.
// Returns ErrNotFound when there is none.
func (db *DB) LambdaFunctionURLDelete(ctx context.Context, account, region, function, qualifier string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
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
		return fmt.Errorf("delete url of %s:%s: %w", function, qualifier, err)
	}
	return nil
}

// LambdaFunctionURLList returns up to limit URL configurations of a function ordered by
// qualifier, starting after the qualifier after ("" from the start).
func (db *DB) LambdaFunctionURLList(ctx context.Context, account, region, function, after string, limit int) ([]*LambdaFunctionURL, error) {
	var out []*LambdaFunctionURL
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanLambdaURL, "SELECT "+lambdaURLColumns+" FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ? AND qualifier > ? ORDER BY qualifier LIMIT ?",
			account, region, function, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list urls of %s: %w", function, err)
	}
	return out, nil
}
