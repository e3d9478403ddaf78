package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Resource is one row of a service's resource table (events_resources,
// scheduler_resources, logs_resources): a named document owned by the service. Times are unix
// milliseconds.
type Resource struct {
	Account, Region string
	// Kind is the resource type ("bus", "rule", "schedule", ...).
	Kind string
	// Parent names the owning resource, "" for top-level resources.
	Parent string
	Name   string
	// Ref is a value looked up across parents (a target's ARN), "" when none.
	Ref string
	// Doc is the service's JSON document.
	Doc        string
	CreatedAt  int64
	ModifiedAt int64
}

// ResourceListParams select resources of one kind.
type ResourceListParams struct {
	Account, Region, Kind string
	// Parent, when not nil, keeps the resources of that parent only.
	Parent *string
	// ParentPrefix keeps the resources whose parent starts with it.
	ParentPrefix string
	// Prefix keeps names starting with it.
	Prefix string
	// Ref, when not "", keeps resources whose Ref equals it.
	Ref string
	// After keeps names sorting after it (for pagination); with Parent nil it compares
	// parent and name joined by "/".
	After string
	// Limit caps the rows returned; zero means no limit.
	Limit int
}

const resourceColumns = "account, region, kind, parent, name, ref, doc, created_at, modified_at"

func scanResource(row interface{ Scan(...any) error }) (*Resource, error) {
	var r Resource
	if err := row.Scan(&r.Account, &r.Region, &r.Kind, &r.Parent, &r.Name, &r.Ref, &r.Doc, &r.CreatedAt, &r.ModifiedAt); err != nil {
		return nil, err
	}
	return &r, nil
}

func (tx *Tx) resourceInsert(ctx context.Context, table string, r *Resource) error {
	n, err := tx.Exec(ctx, "INSERT INTO "+table+" ("+resourceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "+
		"ON CONFLICT (account, region, kind, parent, name) DO NOTHING",
		r.Account, r.Region, r.Kind, r.Parent, r.Name, r.Ref, r.Doc, r.CreatedAt, r.ModifiedAt)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

func (tx *Tx) resourcePut(ctx context.Context, table string, r *Resource) error {
	_, err := tx.Exec(ctx, "INSERT INTO "+table+" ("+resourceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "+
		"ON CONFLICT (account, region, kind, parent, name) DO UPDATE SET ref = excluded.ref, doc = excluded.doc, modified_at = excluded.modified_at",
		r.Account, r.Region, r.Kind, r.Parent, r.Name, r.Ref, r.Doc, r.CreatedAt, r.ModifiedAt)
	return err
}

func (tx *Tx) resourceGet(ctx context.Context, table, account, region, kind, parent, name string) (*Resource, error) {
	r, err := scanResource(tx.QueryRow(ctx, "SELECT "+resourceColumns+" FROM "+table+
		" WHERE account = ? AND region = ? AND kind = ? AND parent = ? AND name = ?", account, region, kind, parent, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

func (tx *Tx) resourceList(ctx context.Context, table string, p *ResourceListParams) ([]*Resource, error) {
	var (
		q    strings.Builder
		args = []any{p.Account, p.Region, p.Kind}
	)
	q.WriteString("SELECT " + resourceColumns + " FROM " + table + " WHERE account = ? AND region = ? AND kind = ?")
	if p.Parent != nil {
		q.WriteString(" AND parent = ?")
		args = append(args, *p.Parent)
	}
	if p.ParentPrefix != "" {
		q.WriteString(" AND substr(parent, 1, ?) = ?")
		args = append(args, len([]rune(p.ParentPrefix)), p.ParentPrefix)
	}
	if p.Ref != "" {
		q.WriteString(" AND ref = ?")
		args = append(args, p.Ref)
	}
	if p.Prefix != "" {
		// substr rather than LIKE: names may hold % and _.
		q.WriteString(" AND substr(name, 1, ?) = ?")
		args = append(args, len([]rune(p.Prefix)), p.Prefix)
	}
	if p.After != "" {
		if p.Parent != nil {
			q.WriteString(" AND name > ?")
		} else {
			q.WriteString(" AND parent || '/' || name > ?")
		}
		args = append(args, p.After)
	}
	q.WriteString(" ORDER BY parent, name")
	if p.Limit > 0 {
		q.WriteString(" LIMIT ?")
		args = append(args, p.Limit)
	}
	rows, err := tx.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (tx *Tx) resourceDelete(ctx context.Context, table, account, region, kind, parent, name string) (bool, error) {
	n, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE account = ? AND region = ? AND kind = ? AND parent = ? AND name = ?",
		account, region, kind, parent, name)
	return n > 0, err
}

func (tx *Tx) resourceDeleteChildren(ctx context.Context, table, account, region, kind, parent string) (int64, error) {
	return tx.Exec(ctx, "DELETE FROM "+table+" WHERE account = ? AND region = ? AND kind = ? AND parent = ?",
		account, region, kind, parent)
}
