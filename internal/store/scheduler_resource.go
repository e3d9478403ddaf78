package store

import "context"

// SchedulerResourceInsert creates r in scheduler_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) SchedulerResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "scheduler_resources", r)
}

// SchedulerResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) SchedulerResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "scheduler_resources", r)
}

// SchedulerResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) SchedulerResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "scheduler_resources", account, region, kind, parent, name)
}

// SchedulerResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) SchedulerResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "scheduler_resources", p)
}

// SchedulerResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) SchedulerResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "scheduler_resources", account, region, kind, parent, name)
}

// SchedulerResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) SchedulerResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "scheduler_resources", account, region, kind, parent)
}
