package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LambdaLayerVersion is one version of a Lambda layer. Times are unix milliseconds.
type LambdaLayerVersion struct {
	Account, Region, Layer string
	Version                int64
	CreatedAt              int64
	// Config is the JSON description of the version, owned by the service.
	Config string
	// Policy is the JSON array of the version's permission statements, "" when none;
	// RevisionID is the policy's revision.
	Policy     string
	RevisionID string
}

const lambdaLayerVersionColumns = "account, region, layer, version, created_at, config, policy, revision_id"

func scanLambdaLayerVersion(row interface{ Scan(...any) error }) (*LambdaLayerVersion, error) {
	var v LambdaLayerVersion
	if err := row.Scan(&v.Account, &v.Region, &v.Layer, &v.Version, &v.CreatedAt, &v.Config, &v.Policy, &v.RevisionID); err != nil {
		return nil, err
	}
	return &v, nil
}

// LambdaLayerVersionPublishParams are the arguments of LambdaLayerVersionPublish.
type LambdaLayerVersionPublishParams struct {
	Account, Region, Layer string
	// Now is the creation time.
	Now int64
	// Config and RevisionID make the new version; Code is its zip file.
	Config     string
	RevisionID string
	Code       []byte
}

// LambdaLayerVersionPublish creates the next version of a layer (creating the layer on
// its first version) and returns it. Version numbers start at 1 and are never reused,
// even after every version was deleted.
func (db *DB) LambdaLayerVersionPublish(ctx context.Context, p *LambdaLayerVersionPublishParams) (*LambdaLayerVersion, error) {
	var v *LambdaLayerVersion
	code := p.Code
	if code == nil {
		code = []byte{}
	}
	err := db.Write(ctx, func(tx *Tx) error {
		var last int64
		err := tx.QueryRow(ctx, "SELECT last_version FROM lambda_layers WHERE account = ? AND region = ? AND name = ?",
			p.Account, p.Region, p.Layer).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(ctx, "INSERT INTO lambda_layers (account, region, name, last_version) VALUES (?, ?, ?, 1)",
				p.Account, p.Region, p.Layer); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.Exec(ctx, "UPDATE lambda_layers SET last_version = ? WHERE account = ? AND region = ? AND name = ?",
				last+1, p.Account, p.Region, p.Layer); err != nil {
				return err
			}
		}
		v = &LambdaLayerVersion{Account: p.Account, Region: p.Region, Layer: p.Layer, Version: last + 1, CreatedAt: p.Now, Config: p.Config, RevisionID: p.RevisionID}
		_, err = tx.Exec(ctx, `INSERT INTO lambda_layer_versions (account, region, layer, version, created_at, config, policy, revision_id, deleted, code)
VALUES (?, ?, ?, ?, ?, ?, '', ?, 0, ?)`, v.Account, v.Region, v.Layer, v.Version, v.CreatedAt, v.Config, v.RevisionID, code)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish layer %s: %w", p.Layer, err)
	}
	return v, nil
}

// LambdaLayerVersionGet returns a layer version that was not deleted, or ErrNotFound.
func (db *DB) LambdaLayerVersionGet(ctx context.Context, account, region, layer string, version int64) (*LambdaLayerVersion, error) {
	var v *LambdaLayerVersion
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		v, err = scanLambdaLayerVersion(tx.QueryRow(ctx, "SELECT "+lambdaLayerVersionColumns+" FROM lambda_layer_versions WHERE account = ? AND region = ? AND layer = ? AND version = ? AND deleted = 0",
			account, region, layer, version))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get layer %s version %d: %w", layer, version, err)
	}
	return v, nil
}

// LambdaLayerVersionCode returns the zip file of a layer version, deleted or not: the
// functions that use a deleted version keep it. Returns ErrNotFound when the version was
// never published.
func (db *DB) LambdaLayerVersionCode(ctx context.Context, account, region, layer string, version int64) ([]byte, error) {
	var code []byte
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT code FROM lambda_layer_versions WHERE account = ? AND region = ? AND layer = ? AND version = ?",
			account, region, layer, version).Scan(&code)
	})
	if err != nil {
		return nil, fmt.Errorf("get code of layer %s version %d: %w", layer, version, err)
	}
	return code, nil
}

// LambdaLayerVersionList returns the versions that were not deleted of one layer, or of
// every layer of the account and region when layer is "", ordered by layer name in byte
// order, then newest version first.
func (db *DB) LambdaLayerVersionList(ctx context.Context, account, region, layer string) ([]*LambdaLayerVersion, error) {
	var out []*LambdaLayerVersion
	err := db.Read(ctx, func(tx *Tx) error {
		out = nil
		q := "SELECT " + lambdaLayerVersionColumns + " FROM lambda_layer_versions WHERE account = ? AND region = ? AND deleted = 0"
		args := []any{account, region}
		if layer != "" {
			q += " AND layer = ?"
			args = append(args, layer)
		}
		var err error
		out, err = queryAll(ctx, tx, scanLambdaLayerVersion, q+" ORDER BY layer, version DESC", args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list layer versions: %w", err)
	}
	return out, nil
}

// LambdaLayerVersionDelete deletes a layer version: it is no longer listed or readable,
// its policy is dropped, and its number is not reused; its code stays for the functions
// that use it. Returns ErrNotFound when the version does not exist or was deleted.
func (db *DB) LambdaLayerVersionDelete(ctx context.Context, account, region, layer string, version int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n, err := tx.Exec(ctx, "UPDATE lambda_layer_versions SET deleted = 1, policy = '' WHERE account = ? AND region = ? AND layer = ? AND version = ? AND deleted = 0",
			account, region, layer, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete layer %s version %d: %w", layer, version, err)
	}
	return nil
}

// LambdaLayerVersionUpdatePolicy reads a layer version that was not deleted, lets fn
// change its Policy and RevisionID and stores them, in one transaction. An error from fn
// is returned (wrapped) and nothing is written. fn may run more than once. Returns
// ErrNotFound when the version does not exist.
func (db *DB) LambdaLayerVersionUpdatePolicy(ctx context.Context, account, region, layer string, version int64, fn func(v *LambdaLayerVersion) error) (*LambdaLayerVersion, error) {
	var v *LambdaLayerVersion
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		v, err = scanLambdaLayerVersion(tx.QueryRow(ctx, "SELECT "+lambdaLayerVersionColumns+" FROM lambda_layer_versions WHERE account = ? AND region = ? AND layer = ? AND version = ? AND deleted = 0",
			account, region, layer, version))
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE lambda_layer_versions SET policy = ?, revision_id = ? WHERE account = ? AND region = ? AND layer = ? AND version = ?",
			v.Policy, v.RevisionID, account, region, layer, version)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update policy of layer %s version %d: %w", layer, version, err)
	}
	return v, nil
}
