package storetest

import (
	"context"
	"testing"

	"github.com/overcast/overcast/internal/store"
)

// monitoringCases returns the conformance cases of the CloudWatch metrics and alarms store
// methods.
func monitoringCases() []Case {
	ops := resourceOps{
		insert: (*store.Tx).MonitoringResourceInsert, put: (*store.Tx).MonitoringResourcePut, get: (*store.Tx).MonitoringResourceGet,
		list: (*store.Tx).MonitoringResourceList, del: (*store.Tx).MonitoringResourceDelete, deleteChildren: (*store.Tx).MonitoringResourceDeleteChildren,
	}
	return []Case{
		{"MonitoringPutQueryList", testMonitoringPutQueryList},
		{"MonitoringPurge", testMonitoringPurge},
		{"MonitoringResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, ops) }},
		{"MonitoringResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, ops) }},
	}
}

func monitoringDatum(metric, dims string, ts int64, v float64, unit string) *store.MonitoringDatum {
	return &store.MonitoringDatum{Account: "111111111111", Region: "us-east-1", Namespace: "App", Metric: metric, Dims: dims,
		Timestamp: ts, Unit: unit, SampleCount: 1, Sum: v, Min: v, Max: v, Values: "", ReceivedAt: ts}
}

func testMonitoringPutQueryList(t *testing.T, db *store.DB) {
	ctx := context.Background()
	data := []*store.MonitoringDatum{
		monitoringDatum("Latency", "[]", 1000, 5, "Milliseconds"),
		monitoringDatum("Latency", "[]", 3000, 7, "Seconds"),
		monitoringDatum("Latency", "[]", 2000, 6, "Milliseconds"),
		monitoringDatum("Latency", `[{"Name":"Op","Value":"Get"}]`, 1500, 9, "Milliseconds"),
		monitoringDatum("Errors", "[]", 500, 1, "Count"),
	}
	other := monitoringDatum("Latency", "[]", 1000, 5, "Milliseconds")
	other.Account = "222222222222"
	data = append(data, other)
	if err := db.MonitoringPut(ctx, &store.MonitoringPutParams{Data: data}); err != nil {
		t.Fatalf("MonitoringPut: %v", err)
	}
	got, err := db.MonitoringQuery(ctx, &store.MonitoringQueryParams{Account: "111111111111", Region: "us-east-1",
		Namespace: "App", Metric: "Latency", Dims: "[]", Start: 1000, End: 3000})
	if err != nil {
		t.Fatalf("MonitoringQuery: %v", err)
	}
	if len(got) != 2 || got[0].Timestamp != 1000 || got[1].Timestamp != 2000 || got[1].Sum != 6 {
		t.Fatalf("MonitoringQuery = %+v, want the data at 1000 and 2000 in order", got)
	}
	got, err = db.MonitoringQuery(ctx, &store.MonitoringQueryParams{Account: "111111111111", Region: "us-east-1",
		Namespace: "App", Metric: "Latency", Dims: "[]", Start: 0, End: 10000, Unit: "Seconds"})
	if err != nil || len(got) != 1 || got[0].Sum != 7 {
		t.Fatalf("MonitoringQuery by unit = %+v, %v; want the one datum in Seconds", got, err)
	}
	ms, err := db.MonitoringMetricList(ctx, &store.MonitoringMetricListParams{Account: "111111111111", Region: "us-east-1"})
	if err != nil {
		t.Fatalf("MonitoringMetricList: %v", err)
	}
	if len(ms) != 3 || ms[0].Metric != "Errors" || ms[1].Dims != "[]" || ms[1].LastReceived != 3000 || ms[2].Dims == "[]" {
		t.Fatalf("MonitoringMetricList = %+v", ms)
	}
	ms, err = db.MonitoringMetricList(ctx, &store.MonitoringMetricListParams{Account: "111111111111", Region: "us-east-1",
		Metric: "Latency", ReceivedSince: 2500})
	if err != nil || len(ms) != 1 || ms[0].Dims != "[]" {
		t.Fatalf("MonitoringMetricList since 2500 = %+v, %v; want the dimensionless Latency", ms, err)
	}
}

func testMonitoringPurge(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if err := db.MonitoringPut(ctx, &store.MonitoringPutParams{Data: []*store.MonitoringDatum{
		monitoringDatum("M", "[]", 100, 1, "None"), monitoringDatum("M", "[]", 200, 2, "None"),
	}}); err != nil {
		t.Fatalf("MonitoringPut: %v", err)
	}
	if err := db.MonitoringPut(ctx, &store.MonitoringPutParams{PurgeBefore: 150, Lazy: true,
		Data: []*store.MonitoringDatum{monitoringDatum("M", "[]", 300, 3, "None")}}); err != nil {
		t.Fatalf("MonitoringPut with purge: %v", err)
	}
	got, err := db.MonitoringQuery(ctx, &store.MonitoringQueryParams{Account: "111111111111", Region: "us-east-1",
		Namespace: "App", Metric: "M", Dims: "[]", Start: 0, End: 1000})
	if err != nil || len(got) != 2 || got[0].Timestamp != 200 || got[1].Timestamp != 300 {
		t.Fatalf("after purge = %+v, %v; want the data at 200 and 300", got, err)
	}
}
