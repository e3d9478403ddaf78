package storetest

import (
	"testing"

	"github.com/overcast/overcast/internal/store"
)

// iamCases run the shared resource cases on IAM's and STS's tables, which hold every
// IAM entity of an account (region ”) and the credentials STS issued.
func iamCases() []Case {
	return []Case{
		{"IAMResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, iamResourceOps) }},
		{"IAMResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, iamResourceOps) }},
		{"STSResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, stsResourceOps) }},
		{"STSResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, stsResourceOps) }},
	}
}

var iamResourceOps = resourceOps{
	insert: (*store.Tx).IAMResourceInsert, put: (*store.Tx).IAMResourcePut, get: (*store.Tx).IAMResourceGet,
	list: (*store.Tx).IAMResourceList, del: (*store.Tx).IAMResourceDelete, deleteChildren: (*store.Tx).IAMResourceDeleteChildren,
}

var stsResourceOps = resourceOps{
	insert: (*store.Tx).STSResourceInsert, put: (*store.Tx).STSResourcePut, get: (*store.Tx).STSResourceGet,
	list: (*store.Tx).STSResourceList, del: (*store.Tx).STSResourceDelete, deleteChildren: (*store.Tx).STSResourceDeleteChildren,
}
