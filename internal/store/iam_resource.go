package store

import "context"

// IAMResourceInsert creates r in iam_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) IAMResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "iam_resources", r)
}

// IAMResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) IAMResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "iam_resources", r)
}

// IAMResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) IAMResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "iam_resources", account, region, kind, parent, name)
}

// IAMResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) IAMResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "iam_resources", p)
}

// IAMResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) IAMResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "iam_resources", account, region, kind, parent, name)
}

// IAMResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) IAMResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "iam_resources", account, region, kind, parent)
}
