package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// logsResourceOps are the CloudWatch Logs resource table methods (metric filters,
// subscription filters, resource policies).
var logsResourceOps = resourceOps{
	insert: (*store.Tx).LogsResourceInsert, put: (*store.Tx).LogsResourcePut, get: (*store.Tx).LogsResourceGet,
	list: (*store.Tx).LogsResourceList, del: (*store.Tx).LogsResourceDelete, deleteChildren: (*store.Tx).LogsResourceDeleteChildren,
}

// testLogsGroupDeleteResources checks that deleting a log group deletes the resources
// under it, and only those.
func testLogsGroupDeleteResources(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "/app/a")
	MustLogsGroup(t, db, "/app/b")
	put := func(kind, parent, name string) {
		require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
			return tx.LogsResourceInsert(ctx, &store.Resource{Account: "123456789012", Region: "us-east-1",
				Kind: kind, Parent: parent, Name: name, Doc: "{}", CreatedAt: logsT0, ModifiedAt: logsT0})
		}))
	}
	put("metric-filter", "/app/a", "f1")
	put("subscription-filter", "/app/a", "s1")
	put("metric-filter", "/app/b", "f1")
	put("resource-policy", "", "p1")

	require.NoError(t, db.LogsGroupDelete(ctx, g.ID))
	require.ErrorIs(t, db.LogsGroupDelete(ctx, g.ID), store.ErrNotFound)

	count := func(kind string, parent *string) int {
		var n int
		require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
			rs, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: "123456789012", Region: "us-east-1", Kind: kind, Parent: parent})
			n = len(rs)
			return err
		}))
		return n
	}
	a, b := "/app/a", "/app/b"
	require.Zero(t, count("metric-filter", &a))
	require.Zero(t, count("subscription-filter", &a))
	require.Equal(t, 1, count("metric-filter", &b))
	require.Equal(t, 1, count("resource-policy", nil))
}
