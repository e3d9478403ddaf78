package store

import (
	"context"
	"fmt"
)

// Kinds of LambdaFunctionSetting.
const (
	// LambdaSettingCodeSigning is the code signing config a function uses: qualifier "",
	// value the config's id.
	LambdaSettingCodeSigning = "code-signing"
	// LambdaSettingRecursion is a function's recursive loop detection: qualifier "", value
	// Allow or Terminate.
	LambdaSettingRecursion = "recursion"
	// LambdaSettingRuntime is the runtime management config of a function version:
	// qualifier $LATEST or a version number, value a JSON document owned by the service.
	LambdaSettingRuntime = "runtime"
)

// LambdaCodeSigningConfig is one Lambda code signing config.
type LambdaCodeSigningConfig struct {
	Account, Region string
	// ID is csc-<17 hex characters>.
	ID string
	// Config is the JSON configuration, owned by the service.
	Config string
	// LastModified is the time of the last change, in unix milliseconds.
	LastModified int64
}

const lambdaCSCColumns = "account, region, id, config, last_modified"

func scanLambdaCSC(row interface{ Scan(...any) error }) (*LambdaCodeSigningConfig, error) {
	var c LambdaCodeSigningConfig
	if err := row.Scan(&c.Account, &c.Region, &c.ID, &c.Config, &c.LastModified); err != nil {
		return nil, err
	}
	return &c, nil
}

// LambdaCodeSigningConfigCreate stores a new code signing config. It returns ErrConflict
// when the id is taken.
func (db *DB) LambdaCodeSigningConfigCreate(ctx context.Context, c *LambdaCodeSigningConfig) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO lambda_code_signing_configs (account, region, id, config, last_modified)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, id) DO NOTHING`, c.Account, c.Region, c.ID, c.Config, c.LastModified)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create code signing config %s: %w", c.ID, err)
	}
	return nil
}

// LambdaCodeSigningConfigGet returns a code signing config, or ErrNotFound.
func (db *DB) LambdaCodeSigningConfigGet(ctx context.Context, account, region, id string) (*LambdaCodeSigningConfig, error) {
	var c *LambdaCodeSigningConfig
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		c, err = scanLambdaCSC(tx.QueryRow(ctx, "SELECT "+lambdaCSCColumns+" FROM lambda_code_signing_configs WHERE account = ? AND region = ? AND id = ?",
			account, region, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get code signing config %s: %w", id, err)
	}
	return c, nil
}

// LambdaCodeSigningConfigUpdate reads a code signing config, lets fn change its Config
// and LastModified and stores them, in one transaction. An error from fn is returned
// (wrapped) and nothing is written. fn may run more than once. Returns ErrNotFound when
// the config does not exist.
func (db *DB) LambdaCodeSigningConfigUpdate(ctx context.Context, account, region, id string, fn func(c *LambdaCodeSigningConfig) error) (*LambdaCodeSigningConfig, error) {
	var c *LambdaCodeSigningConfig
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		c, err = scanLambdaCSC(tx.QueryRow(ctx, "SELECT "+lambdaCSCColumns+" FROM lambda_code_signing_configs WHERE account = ? AND region = ? AND id = ?",
			account, region, id))
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_code_signing_configs SET config = ?, last_modified = ? WHERE account = ? AND region = ? AND id = ?",
			c.Config, c.LastModified, account, region, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update code signing config %s: %w", id, err)
	}
	return c, nil
}

// LambdaCodeSigningConfigDelete deletes a code signing config. It returns ErrNotFound when
// there is none and ErrConflict, deleting nothing, while a function uses it.
func (db *DB) LambdaCodeSigningConfigDelete(ctx context.Context, account, region, id string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var used int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM lambda_function_settings WHERE account = ? AND region = ? AND kind = ? AND value = ?",
			account, region, LambdaSettingCodeSigning, id).Scan(&used); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, "DELETE FROM lambda_code_signing_configs WHERE account = ? AND region = ? AND id = ?", account, region, id)
		switch {
		case err != nil:
			return err
		case n == 0:
			return ErrNotFound
		case used > 0:
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete code signing config %s: %w", id, err)
	}
	return nil
}

// LambdaCodeSigningConfigList returns up to limit code signing configs of account in
// region whose id sorts after after ("" from the start), in id order.
func (db *DB) LambdaCodeSigningConfigList(ctx context.Context, account, region, after string, limit int) ([]*LambdaCodeSigningConfig, error) {
	var out []*LambdaCodeSigningConfig
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanLambdaCSC, "SELECT "+lambdaCSCColumns+" FROM lambda_code_signing_configs WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?",
			account, region, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list code signing configs: %w", err)
	}
	return out, nil
}

// LambdaFunctionSetting is one setting of a Lambda function (see the LambdaSetting
// kinds).
type LambdaFunctionSetting struct {
	Account, Region, Function string
	Kind, Qualifier, Value    string
}

// LambdaFunctionSettingPut creates or replaces a setting of s's function. It returns
// ErrNotFound when the function does not exist and, for LambdaSettingCodeSigning,
// ErrPreconditionFailed when the code signing config s.Value names does not exist.
func (db *DB) LambdaFunctionSettingPut(ctx context.Context, s *LambdaFunctionSetting) error {
	err := db.Write(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			s.Account, s.Region, s.Function).Scan(&one); err != nil {
			return err
		}
		if s.Kind == LambdaSettingCodeSigning {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM lambda_code_signing_configs WHERE account = ? AND region = ? AND id = ?",
				s.Account, s.Region, s.Value).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return ErrPreconditionFailed
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO lambda_function_settings (account, region, function, kind, qualifier, value)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, function, kind, qualifier) DO UPDATE SET value = excluded.value`,
			s.Account, s.Region, s.Function, s.Kind, s.Qualifier, s.Value)
		return err
	})
	if err != nil {
		return fmt.Errorf("put %s setting of function %s: %w", s.Kind, s.Function, err)
	}
	return nil
}

// LambdaFunctionSettingGet returns a setting of a function, or ErrNotFound when it was
// never set (or the function does not exist).
func (db *DB) LambdaFunctionSettingGet(ctx context.Context, account, region, function, kind, qualifier string) (*LambdaFunctionSetting, error) {
	s := &LambdaFunctionSetting{Account: account, Region: region, Function: function, Kind: kind, Qualifier: qualifier}
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT value FROM lambda_function_settings WHERE account = ? AND region = ? AND function = ? AND kind = ? AND qualifier = ?",
			account, region, function, kind, qualifier).Scan(&s.Value)
	})
	if err != nil {
		return nil, fmt.Errorf("get %s setting of function %s: %w", kind, function, err)
	}
	return s, nil
}

// LambdaFunctionSettingDelete deletes a setting of a function and returns ErrNotFound when
// there is none. With kind "" it deletes every setting of the function, and deleting
// nothing is no error.
func (db *DB) LambdaFunctionSettingDelete(ctx context.Context, account, region, function, kind, qualifier string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if kind == "" {
			_, err := tx.Exec(ctx, "DELETE FROM lambda_function_settings WHERE account = ? AND region = ? AND function = ?", account, region, function)
			return err
		}
		n, err := tx.Exec(ctx, "DELETE FROM lambda_function_settings WHERE account = ? AND region = ? AND function = ? AND kind = ? AND qualifier = ?",
			account, region, function, kind, qualifier)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %s setting of function %s: %w", kind, function, err)
	}
	return nil
}

// LambdaFunctionSettingFunctions returns up to limit names of the functions of account in
// region whose setting of kind has value, sorting after after ("" from the start), in
// byte order.
func (db *DB) LambdaFunctionSettingFunctions(ctx context.Context, account, region, kind, value, after string, limit int) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.Query(ctx, "SELECT DISTINCT function FROM lambda_function_settings WHERE account = ? AND region = ? AND kind = ? AND value = ? AND function > ? ORDER BY function LIMIT ?",
			account, region, kind, value, after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			out = append(out, name)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list functions by %s setting: %w", kind, err)
	}
	return out, nil
}
