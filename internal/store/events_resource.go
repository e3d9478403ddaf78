package store

import "context"

// EventsResourceInsert creates r in events_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) EventsResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "events_resources", r)
}

// EventsResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) EventsResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "events_resources", r)
}

// EventsResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) EventsResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "events_resources", account, region, kind, parent, name)
}

// EventsResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) EventsResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "events_resources", p)
}

// EventsResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) EventsResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "events_resources", account, region, kind, parent, name)
}

// EventsResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) EventsResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "events_resources", account, region, kind, parent)
}
