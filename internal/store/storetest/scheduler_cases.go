package storetest

import (
	"testing"

	"github.com/overcast/overcast/internal/store"
)

// schedulerCases returns the conformance cases of the EventBridge Scheduler store methods.
func schedulerCases() []Case {
	ops := resourceOps{
		insert: (*store.Tx).SchedulerResourceInsert, put: (*store.Tx).SchedulerResourcePut, get: (*store.Tx).SchedulerResourceGet,
		list: (*store.Tx).SchedulerResourceList, del: (*store.Tx).SchedulerResourceDelete, deleteChildren: (*store.Tx).SchedulerResourceDeleteChildren,
	}
	return []Case{
		{"SchedulerResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, ops) }},
		{"SchedulerResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, ops) }},
	}
}
