package monitoring

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testBundle struct {
	svc   *Service
	clock *clock.Virtual
	ctx   context.Context
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(testStart)
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion, Protocol: protocol.CBOR})
	return &testBundle{svc: New(Deps{Store: db, Clock: clk}), clock: clk, ctx: ctx}
}

func (b *testBundle) put(t *testing.T, ns, metric string, v float64, at time.Time) {
	t.Helper()
	_, err := b.svc.PutMetricData(b.ctx, &PutMetricDataInput{Namespace: &ns, MetricData: []*MetricDatum{{MetricName: &metric, Value: &v, Timestamp: &at}}})
	require.NoError(t, err)
}

func (b *testBundle) sum(t *testing.T, ns, metric string, start, end time.Time, period int32) []float64 {
	t.Helper()
	out, err := b.svc.GetMetricStatistics(b.ctx, &GetMetricStatisticsInput{Namespace: &ns, MetricName: &metric,
		StartTime: &start, EndTime: &end, Period: &period, Statistics: []string{"Sum"}})
	require.NoError(t, err)
	var sums []float64
	for _, d := range out.Datapoints {
		sums = append(sums, *d.Sum)
	}
	return sums
}

// Overcast keeps data 15 days, CloudWatch's retention of one-minute data: an older datum
// is deleted with a later write.
func TestRetention(t *testing.T) {
	b := setup(t)
	b.put(t, "App", "Old", 1, testStart.Add(-time.Hour))
	b.clock.Advance(16 * 24 * time.Hour)
	b.put(t, "App", "New", 2, b.clock.Now())
	out, err := b.svc.ListMetrics(b.ctx, &ListMetricsInput{Namespace: aws("App")})
	require.NoError(t, err)
	require.Len(t, out.Metrics, 1)
	require.Equal(t, "New", *out.Metrics[0].MetricName)
}

// Published samples are written at the next flush, folded per metric and second, and
// answer like data a client put.
func TestPublishFlush(t *testing.T) {
	b := setup(t)
	at := testStart.Add(30 * time.Second)
	for _, v := range []float64{3, 1, 2} {
		b.svc.Publish(Sample{Account: testAccount, Region: testRegion, Namespace: "AWS/Lambda", Metric: "Duration",
			Unit: "Milliseconds", Dims: map[string]string{"FunctionName": "f"}, Value: v, At: at})
	}
	ns, metric := "AWS/Lambda", "Duration"
	start, end := testStart, testStart.Add(time.Minute)
	period := int32(60)
	require.Empty(t, b.sum(t, ns, metric, start, end, period), "nothing before the flush")
	b.svc.flush(b.ctx)
	out, err := b.svc.GetMetricStatistics(b.ctx, &GetMetricStatisticsInput{Namespace: &ns, MetricName: &metric,
		Dimensions: []*Dimension{{Name: aws("FunctionName"), Value: aws("f")}}, StartTime: &start, EndTime: &end, Period: &period,
		ExtendedStatistics: []string{"p0", "p100"}})
	require.NoError(t, err)
	require.Len(t, out.Datapoints, 1)
	d := out.Datapoints[0]
	require.Equal(t, map[string]float64{"p0": 1, "p100": 3}, d.ExtendedStatistics)
	require.Equal(t, "Milliseconds", *d.Unit)
}

// Clients may not publish to the namespaces AWS reserves for its services.
func TestReservedNamespace(t *testing.T) {
	b := setup(t)
	ns, v := "AWS/Lambda", 1.0
	_, err := b.svc.PutMetricData(b.ctx, &PutMetricDataInput{Namespace: &ns, MetricData: []*MetricDatum{{MetricName: aws("m"), Value: &v}}})
	var pe *protocol.Error
	require.True(t, errors.As(err, &pe))
	require.Equal(t, "InvalidParameterValue", pe.QueryCode)
}

// A period of two minutes buckets data by the period's start, rounded from StartTime.
func TestPeriods(t *testing.T) {
	b := setup(t)
	for i, v := range []float64{1, 2, 4, 8} {
		b.put(t, "App", "M", v, testStart.Add(time.Duration(i)*time.Minute+10*time.Second))
	}
	require.Equal(t, []float64{3, 12}, b.sum(t, "App", "M", testStart.Add(20*time.Second), testStart.Add(4*time.Minute), 120))
}

func TestWordingAndPeriods(t *testing.T) {
	require.Equal(t, "MetricData.member.1.Dimensions.member.2.Name", queryPath("MetricData.1.Dimensions.2.Name"))
	require.Equal(t, "2,880", thousands(2880))
	require.Equal(t, "1,234,567", thousands(1234567))
	require.Equal(t, "999", thousands(999))
	require.Equal(t, canonicalDims([]*Dimension{{Name: aws("b"), Value: aws("2")}, {Name: aws("a"), Value: aws("1")}}),
		canonicalMap(map[string]string{"a": "1", "b": "2"}))
	for _, p := range []int64{1, 5, 10, 20, 30, 60, 120, 86400} {
		require.NoError(t, checkPeriod(p), "period %d", p)
	}
	for _, p := range []int64{0, 2, 45, 61, 90} {
		require.Error(t, checkPeriod(p), "period %d", p)
	}
}

// AWS accepts timestamps up to two weeks old and up to two hours ahead.
func TestTimestampWindow(t *testing.T) {
	b := setup(t)
	ns, metric, v := "App", "M", 1.0
	for _, at := range []time.Time{testStart.Add(-15 * 24 * time.Hour), testStart.Add(3 * time.Hour)} {
		_, err := b.svc.PutMetricData(b.ctx, &PutMetricDataInput{Namespace: &ns, MetricData: []*MetricDatum{{MetricName: &metric, Value: &v, Timestamp: &at}}})
		var pe *protocol.Error
		require.True(t, errors.As(err, &pe), "timestamp %v", at)
		require.Equal(t, "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.", pe.Message)
	}
	b.put(t, "App", "M", 1, testStart.Add(-13*24*time.Hour))
	b.put(t, "App", "M", 1, testStart.Add(time.Hour))
}
