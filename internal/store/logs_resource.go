package store

import "context"

// LogsResourceInsert creates r in logs_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) LogsResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "logs_resources", r)
}

// LogsResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) LogsResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "logs_resources", r)
}

// LogsResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) LogsResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "logs_resources", account, region, kind, parent, name)
}

// LogsResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) LogsResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "logs_resources", p)
}

// LogsResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) LogsResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "logs_resources", account, region, kind, parent, name)
}

// LogsResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) LogsResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "logs_resources", account, region, kind, parent)
}
