package protocol_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/services/monitoring"
)

type fakeCloudWatch struct {
	monitoring.UnimplementedAPI
	mu   sync.Mutex
	put  *monitoring.PutMetricDataInput
	data *monitoring.GetMetricDataInput
}

func (f *fakeCloudWatch) PutMetricData(_ context.Context, in *monitoring.PutMetricDataInput) (*monitoring.PutMetricDataOutput, error) {
	f.mu.Lock()
	f.put = in
	f.mu.Unlock()
	return &monitoring.PutMetricDataOutput{}, nil
}

var cwTimes = []time.Time{
	time.Date(2004, 1, 16, 16, 48, 44, 235e6, time.UTC),
	time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
	time.Date(2024, 5, 6, 7, 8, 9, 999e6, time.UTC),
}

func (f *fakeCloudWatch) GetMetricData(_ context.Context, in *monitoring.GetMetricDataInput) (*monitoring.GetMetricDataOutput, error) {
	f.mu.Lock()
	f.data = in
	f.mu.Unlock()
	return &monitoring.GetMetricDataOutput{
		MetricDataResults: []*monitoring.MetricDataResult{{
			ID:         ptr("q1"),
			Label:      ptr("CPU"),
			Timestamps: cwTimes,
			Values:     []float64{1.5, -0.25, 1e300},
			StatusCode: ptr("Complete"),
		}},
		Messages: []*monitoring.MessageData{{Code: ptr("Warn"), Value: ptr("partial")}},
	}, nil
}

func (f *fakeCloudWatch) GetDashboard(context.Context, *monitoring.GetDashboardInput) (*monitoring.GetDashboardOutput, error) {
	return nil, monitoring.NewDashboardNotFoundError("Dashboard x does not exist")
}

func (f *fakeCloudWatch) DescribeAlarms(context.Context, *monitoring.DescribeAlarmsInput) (*monitoring.DescribeAlarmsOutput, error) {
	return nil, monitoring.NewInternalServiceFault("try again")
}

func TestSDKCloudWatchCBOR(t *testing.T) {
	t.Parallel()
	fake := &fakeCloudWatch{}
	srv := startEdge(t, monitoring.Info, fake)
	client := awscw.New(awscw.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
		// Large PutMetricData bodies are gzipped; decompressing is the edge's job.
		DisableRequestCompression: true,
	})
	ctx := t.Context()

	ts := time.Date(2024, 5, 6, 7, 8, 9, 500e6, time.UTC)
	_, err := client.PutMetricData(ctx, &awscw.PutMetricDataInput{
		Namespace: aws.String("App/Orders"),
		MetricData: []cwtypes.MetricDatum{
			{
				MetricName:        aws.String("Latency"),
				Dimensions:        []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("api")}},
				Timestamp:         &ts,
				Value:             aws.Float64(12.5),
				Unit:              cwtypes.StandardUnitMilliseconds,
				StorageResolution: aws.Int32(1),
			},
			{
				MetricName:      aws.String("Batch"),
				Values:          []float64{1, 2.5, -3},
				Counts:          []float64{10, 1, 1},
				StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(3), Sum: aws.Float64(0.5), Minimum: aws.Float64(-3), Maximum: aws.Float64(math.MaxFloat64)},
			},
		},
	})
	require.NoError(t, err)
	fake.mu.Lock()
	put := fake.put
	fake.mu.Unlock()
	require.Equal(t, "App/Orders", *put.Namespace)
	require.Len(t, put.MetricData, 2)
	d := put.MetricData[0]
	require.Equal(t, "Latency", *d.MetricName)
	require.Equal(t, "Service", *d.Dimensions[0].Name)
	require.Equal(t, "api", *d.Dimensions[0].Value)
	require.Equal(t, ts, d.Timestamp.UTC())
	require.Equal(t, 12.5, *d.Value)
	require.Equal(t, "Milliseconds", *d.Unit)
	require.Equal(t, int32(1), *d.StorageResolution)
	b := put.MetricData[1]
	require.Equal(t, []float64{1, 2.5, -3}, b.Values)
	require.Equal(t, []float64{10, 1, 1}, b.Counts)
	require.Equal(t, math.MaxFloat64, *b.StatisticValues.Maximum)

	start := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	out, err := client.GetMetricData(ctx, &awscw.GetMetricDataInput{
		StartTime: &start,
		EndTime:   aws.Time(start.Add(time.Hour)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id:         aws.String("q1"),
			Expression: aws.String("SUM(METRICS())"),
			ReturnData: aws.Bool(true),
		}},
		ScanBy: cwtypes.ScanByTimestampDescending,
	})
	require.NoError(t, err)
	require.Len(t, out.MetricDataResults, 1)
	r := out.MetricDataResults[0]
	require.Equal(t, "q1", aws.ToString(r.Id))
	require.Equal(t, "CPU", aws.ToString(r.Label))
	require.Len(t, r.Timestamps, len(cwTimes))
	for i, want := range cwTimes {
		require.Equal(t, want, r.Timestamps[i].UTC(), "timestamp %d", i)
	}
	require.Equal(t, []float64{1.5, -0.25, 1e300}, r.Values)
	require.Equal(t, cwtypes.StatusCodeComplete, r.StatusCode)
	require.Equal(t, "partial", aws.ToString(out.Messages[0].Value))
	fake.mu.Lock()
	q := fake.data
	fake.mu.Unlock()
	require.Equal(t, start, q.StartTime.UTC())
	require.Equal(t, "SUM(METRICS())", *q.MetricDataQueries[0].Expression)
	require.True(t, *q.MetricDataQueries[0].ReturnData)

	_, err = client.GetDashboard(ctx, &awscw.GetDashboardInput{DashboardName: aws.String("x")})
	var dnf *cwtypes.DashboardNotFoundError
	require.ErrorAs(t, err, &dnf)
	require.Equal(t, "Dashboard x does not exist", dnf.ErrorMessage())
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "ResourceNotFound", apiErr.ErrorCode())
	require.Equal(t, smithy.FaultClient, apiErr.ErrorFault())

	_, err = client.DescribeAlarms(ctx, &awscw.DescribeAlarmsInput{})
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "InternalServiceError", apiErr.ErrorCode())
	require.Equal(t, smithy.FaultServer, apiErr.ErrorFault())
}
