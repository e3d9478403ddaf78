package store

import "context"

// STSResourceInsert creates r in sts_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) STSResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "sts_resources", r)
}

// STSResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) STSResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "sts_resources", r)
}

// STSResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) STSResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "sts_resources", account, region, kind, parent, name)
}

// STSResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) STSResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "sts_resources", p)
}

// STSResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) STSResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "sts_resources", account, region, kind, parent, name)
}

// STSResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) STSResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "sts_resources", account, region, kind, parent)
}
