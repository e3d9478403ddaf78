package store

import "context"

// MonitoringResourceInsert creates r in monitoring_resources. It returns ErrConflict if a resource
// of that account, region, kind, parent and name exists.
func (tx *Tx) MonitoringResourceInsert(ctx context.Context, r *Resource) error {
	return tx.resourceInsert(ctx, "monitoring_resources", r)
}

// MonitoringResourcePut creates r or replaces its Ref, Doc and ModifiedAt.
func (tx *Tx) MonitoringResourcePut(ctx context.Context, r *Resource) error {
	return tx.resourcePut(ctx, "monitoring_resources", r)
}

// MonitoringResourceGet returns one resource, or ErrNotFound.
func (tx *Tx) MonitoringResourceGet(ctx context.Context, account, region, kind, parent, name string) (*Resource, error) {
	return tx.resourceGet(ctx, "monitoring_resources", account, region, kind, parent, name)
}

// MonitoringResourceList returns the resources p selects, ordered by parent and name.
func (tx *Tx) MonitoringResourceList(ctx context.Context, p *ResourceListParams) ([]*Resource, error) {
	return tx.resourceList(ctx, "monitoring_resources", p)
}

// MonitoringResourceDelete deletes one resource and reports whether it existed.
func (tx *Tx) MonitoringResourceDelete(ctx context.Context, account, region, kind, parent, name string) (bool, error) {
	return tx.resourceDelete(ctx, "monitoring_resources", account, region, kind, parent, name)
}

// MonitoringResourceDeleteChildren deletes the resources of one kind under parent and returns
// how many there were.
func (tx *Tx) MonitoringResourceDeleteChildren(ctx context.Context, account, region, kind, parent string) (int64, error) {
	return tx.resourceDeleteChildren(ctx, "monitoring_resources", account, region, kind, parent)
}
