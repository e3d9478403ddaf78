package store

import (
	"context"
	"fmt"
	"strconv"
)

// LambdaLatest is the version number under which a Lambda function's $LATEST is stored.
const LambdaLatest = 0

// LambdaFunction is one Lambda function row: what belongs to the function as a whole
// rather than to one of its versions. Times are unix milliseconds.
type LambdaFunction struct {
	Account, Region, Name string
	// CreatedAt is the creation time.
	CreatedAt int64
	// Tags is the JSON object of the function's tags, owned by the service.
	Tags string
	// Policy is the function's resource-based policy document, "" when none.
	Policy string
	// Reserved is the function's reserved concurrency, -1 when none.
	Reserved int64
	// LastVersion is the number of the latest published version, 0 when none.
	LastVersion int64
}

// LambdaVersion is one version of a Lambda function: Version LambdaLatest is $LATEST.
type LambdaVersion struct {
	Account, Region, Function string
	Version                   int64
	RevisionID                string
	// Config is the JSON configuration of the version, owned by the service.
	Config string
}

const lambdaFunctionColumns = "account, region, name, created_at, tags, policy, reserved, last_version"

func scanLambdaFunction(row interface{ Scan(...any) error }) (*LambdaFunction, error) {
	var f LambdaFunction
	if err := row.Scan(&f.Account, &f.Region, &f.Name, &f.CreatedAt, &f.Tags, &f.Policy, &f.Reserved, &f.LastVersion); err != nil {
		return nil, err
	}
	return &f, nil
}

const lambdaVersionColumns = "account, region, function, version, revision_id, config"

func scanLambdaVersion(row interface{ Scan(...any) error }) (*LambdaVersion, error) {
	var v LambdaVersion
	if err := row.Scan(&v.Account, &v.Region, &v.Function, &v.Version, &v.RevisionID, &v.Config); err != nil {
		return nil, err
	}
	return &v, nil
}

// LambdaFunctionCreateParams are the arguments of LambdaFunctionCreate.
type LambdaFunctionCreateParams struct {
	Account, Region, Name string
	// Now is the creation time.
	Now int64
	// Tags is the JSON object of the tags; "" means none.
	Tags string
	// Config, RevisionID and Code make the function's $LATEST.
	Config     string
	RevisionID string
	Code       []byte
	// Publish, when set, also publishes version 1 from $LATEST: PublishConfig and
	// PublishRevisionID are that version's.
	Publish           bool
	PublishConfig     string
	PublishRevisionID string
}

// LambdaFunctionCreate creates a function with its $LATEST (and version 1 when
// p.Publish). It returns ErrConflict when the account already has a function of that name
// in the region.
func (db *DB) LambdaFunctionCreate(ctx context.Context, p *LambdaFunctionCreateParams) error {
	tags := p.Tags
	if tags == "" {
		tags = "{}"
	}
	err := db.Write(ctx, func(tx *Tx) error {
		last := int64(0)
		if p.Publish {
			last = 1
		}
		n, err := tx.Exec(ctx, `INSERT INTO lambda_functions (account, region, name, created_at, tags, last_version)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO NOTHING`, p.Account, p.Region, p.Name, p.Now, tags, last)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrConflict
		}
		// A function deleted while a write raced it may have left versions behind.
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_versions WHERE account = ? AND region = ? AND function = ?",
			p.Account, p.Region, p.Name); err != nil {
			return err
		}
		if err := insertLambdaVersion(ctx, tx, p.Account, p.Region, p.Name, LambdaLatest, p.RevisionID, p.Config, p.Code); err != nil {
			return err
		}
		if p.Publish {
			return insertLambdaVersion(ctx, tx, p.Account, p.Region, p.Name, 1, p.PublishRevisionID, p.PublishConfig, p.Code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create function %s: %w", p.Name, err)
	}
	return nil
}

func insertLambdaVersion(ctx context.Context, tx *Tx, account, region, function string, version int64, revision, config string, code []byte) error {
	if code == nil {
		code = []byte{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO lambda_versions (account, region, function, version, revision_id, config, code)
VALUES (?, ?, ?, ?, ?, ?, ?)`, account, region, function, version, revision, config, code)
	return err
}

// LambdaFunctionGet returns the function name of account in region, or ErrNotFound.
func (db *DB) LambdaFunctionGet(ctx context.Context, account, region, name string) (*LambdaFunction, error) {
	var f *LambdaFunction
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		f, err = scanLambdaFunction(tx.QueryRow(ctx, "SELECT "+lambdaFunctionColumns+" FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			account, region, name))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get function %s: %w", name, err)
	}
	return f, nil
}

// LambdaFunctionUpdate reads the function, lets fn change its Tags, Policy and Reserved
// and stores them, in one transaction. An error from fn is returned unchanged (wrapped)
// and nothing is written. fn may run more than once. Returns ErrNotFound when the function
// does not exist.
func (db *DB) LambdaFunctionUpdate(ctx context.Context, account, region, name string, fn func(f *LambdaFunction) error) (*LambdaFunction, error) {
	var f *LambdaFunction
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		f, err = scanLambdaFunction(tx.QueryRow(ctx, "SELECT "+lambdaFunctionColumns+" FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			account, region, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_functions SET tags = ?, policy = ?, reserved = ? WHERE account = ? AND region = ? AND name = ?",
			f.Tags, f.Policy, f.Reserved, account, region, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update function %s: %w", name, err)
	}
	return f, nil
}

// LambdaFunctionDelete deletes a function with all its versions, aliases and settings. Returns ErrNotFound when
// it does not exist.
func (db *DB) LambdaFunctionDelete(ctx context.Context, account, region, name string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM lambda_functions WHERE account = ? AND region = ? AND name = ?", account, region, name)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_aliases WHERE account = ? AND region = ? AND function = ?", account, region, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function = ?", account, region, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_function_urls WHERE account = ? AND region = ? AND function = ?", account, region, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ?", account, region, name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM lambda_function_settings WHERE account = ? AND region = ? AND function = ?", account, region, name); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM lambda_versions WHERE account = ? AND region = ? AND function = ?", account, region, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete function %s: %w", name, err)
	}
	return nil
}

// LambdaVersionGet returns one version of a function (LambdaLatest for $LATEST), without
// its code, or ErrNotFound.
func (db *DB) LambdaVersionGet(ctx context.Context, account, region, function string, version int64) (*LambdaVersion, error) {
	var v *LambdaVersion
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		v, err = scanLambdaVersion(tx.QueryRow(ctx, "SELECT "+lambdaVersionColumns+" FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?",
			account, region, function, version))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get function %s version %d: %w", function, version, err)
	}
	return v, nil
}

// LambdaVersionCode returns the zip file of one version of a function, or ErrNotFound.
func (db *DB) LambdaVersionCode(ctx context.Context, account, region, function string, version int64) ([]byte, error) {
	var code []byte
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT code FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?",
			account, region, function, version).Scan(&code)
	})
	if err != nil {
		return nil, fmt.Errorf("get code of function %s version %d: %w", function, version, err)
	}
	return code, nil
}

// LambdaVersionUpdate reads a function's $LATEST, lets fn change its RevisionID and
// Config, and stores them, with code when code is not nil. An error from fn is returned
// (wrapped) and nothing is written. fn may run more than once. Returns ErrNotFound when
// the function does not exist.
func (db *DB) LambdaVersionUpdate(ctx context.Context, account, region, function string, code []byte, fn func(v *LambdaVersion) error) (*LambdaVersion, error) {
	var v *LambdaVersion
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		v, err = scanLambdaVersion(tx.QueryRow(ctx, "SELECT "+lambdaVersionColumns+" FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?",
			account, region, function, LambdaLatest))
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		if code != nil {
			_, err = tx.Exec(ctx, "UPDATE lambda_versions SET revision_id = ?, config = ?, code = ? WHERE account = ? AND region = ? AND function = ? AND version = ?",
				v.RevisionID, v.Config, code, account, region, function, LambdaLatest)
		} else {
			_, err = tx.Exec(ctx, "UPDATE lambda_versions SET revision_id = ?, config = ? WHERE account = ? AND region = ? AND function = ? AND version = ?",
				v.RevisionID, v.Config, account, region, function, LambdaLatest)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update function %s: %w", function, err)
	}
	return v, nil
}

// LambdaVersionPublish publishes a new version of a function from its $LATEST: fn gets
// $LATEST and the new version's number and returns the new version's configuration and
// revision id; the code is copied. An error from fn is returned (wrapped) and nothing is
// written. fn may run more than once. Returns ErrNotFound when the function does not
// exist.
func (db *DB) LambdaVersionPublish(ctx context.Context, account, region, function string, fn func(latest *LambdaVersion, version int64) (config, revisionID string, err error)) (*LambdaVersion, error) {
	var v *LambdaVersion
	err := db.Write(ctx, func(tx *Tx) error {
		f, err := scanLambdaFunction(tx.QueryRow(ctx, "SELECT "+lambdaFunctionColumns+" FROM lambda_functions WHERE account = ? AND region = ? AND name = ?",
			account, region, function))
		if err != nil {
			return err
		}
		latest, err := scanLambdaVersion(tx.QueryRow(ctx, "SELECT "+lambdaVersionColumns+" FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?",
			account, region, function, LambdaLatest))
		if err != nil {
			return err
		}
		n := f.LastVersion + 1
		config, rev, err := fn(latest, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO lambda_versions (account, region, function, version, revision_id, config, code)
SELECT account, region, function, ?, ?, ?, code FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?`,
			n, rev, config, account, region, function, LambdaLatest); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE lambda_functions SET last_version = ? WHERE account = ? AND region = ? AND name = ?",
			n, account, region, function); err != nil {
			return err
		}
		v = &LambdaVersion{Account: account, Region: region, Function: function, Version: n, RevisionID: rev, Config: config}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish function %s: %w", function, err)
	}
	return v, nil
}

// LambdaVersionDelete deletes one published version of a function. Returns ErrNotFound
// when it does not exist.
func (db *DB) LambdaVersionDelete(ctx context.Context, account, region, function string, version int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "DELETE FROM lambda_versions WHERE account = ? AND region = ? AND function = ? AND version = ?",
			account, region, function, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		// The version's provisioned concurrency config goes with it.
		_, err = tx.Exec(ctx, "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, strconv.FormatInt(version, 10))
		if err != nil {
			return err
		}
		// So does its event invoke config.
		_, err = tx.Exec(ctx, "DELETE FROM lambda_event_configs WHERE account = ? AND region = ? AND function = ? AND qualifier = ?",
			account, region, function, strconv.FormatInt(version, 10))
		return err
	})
	if err != nil {
		return fmt.Errorf("delete function %s version %d: %w", function, version, err)
	}
	return nil
}

// LambdaVersionListParams are the arguments of LambdaVersionList.
type LambdaVersionListParams struct {
	Account, Region string
	// Function, when set, lists that function's versions only; otherwise every function's.
	Function string
	// AllVersions lists published versions too; otherwise only $LATEST rows.
	AllVersions bool
	// AfterFunction and AfterVersion resume after that row (pagination); AfterFunction ""
	// starts at the beginning.
	AfterFunction string
	AfterVersion  int64
	// Limit caps the result; the caller asks for one more than a page to learn whether
	// another page follows.
	Limit int
}

// LambdaVersionList returns versions, without code, ordered by function name in byte
// order, then by version number ($LATEST first).
func (db *DB) LambdaVersionList(ctx context.Context, p *LambdaVersionListParams) ([]*LambdaVersion, error) {
	var out []*LambdaVersion
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		q := "SELECT " + lambdaVersionColumns + " FROM lambda_versions WHERE account = ? AND region = ?"
		args := []any{p.Account, p.Region}
		if p.Function != "" {
			q += " AND function = ?"
			args = append(args, p.Function)
		}
		if !p.AllVersions {
			q += " AND version = ?"
			args = append(args, LambdaLatest)
		}
		if p.AfterFunction != "" {
			q += " AND (function > ? OR (function = ? AND version > ?))"
			args = append(args, p.AfterFunction, p.AfterFunction, p.AfterVersion)
		}
		q += " ORDER BY function, version"
		if p.Limit > 0 {
			q += " LIMIT ?"
			args = append(args, p.Limit)
		}
		var err error
		out, err = queryAll(ctx, tx, scanLambdaVersion, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	return out, nil
}
