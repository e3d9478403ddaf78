package monitoring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// AWS pages GetMetricData by MaxDatapoints: NextToken until every datapoint was handed
// out, StatusCode PartialData on a page that cut a result short and Complete on the last.
func TestGetMetricDataPages(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ns := uniqueNamespace(t)
	now := time.Now().UTC().Truncate(time.Minute)
	var data []types.MetricDatum
	for i := 1; i <= 5; i++ {
		data = append(data, types.MetricDatum{MetricName: aws.String("Requests"), Value: aws.Float64(float64(i)),
			Timestamp: aws.Time(now.Add(-time.Duration(i) * time.Minute)), Unit: types.StandardUnitCount})
	}
	_, err := c.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: &ns, MetricData: data})
	require.NoError(t, err)

	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), MaxDatapoints: aws.Int32(2),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("r"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: &ns, MetricName: aws.String("Requests")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}},
	}
	var values []float64
	var statuses []types.StatusCode
	for page := 0; page < 5; page++ {
		out, err := c.GetMetricData(t.Context(), in)
		require.NoError(t, err)
		require.Len(t, out.MetricDataResults, 1)
		values = append(values, out.MetricDataResults[0].Values...)
		statuses = append(statuses, out.MetricDataResults[0].StatusCode)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	// Newest first, the default TimestampDescending.
	require.Equal(t, []float64{1, 2, 3, 4, 5}, values)
	require.Equal(t, []types.StatusCode{types.StatusCodePartialData, types.StatusCodePartialData, types.StatusCodeComplete}, statuses)
}

// AWS refuses a datum that gives both Value and StatisticValues, naming both members.
func TestPutMetricDataValueAndStatisticValues(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ns := uniqueNamespace(t)
	_, err := c.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: &ns, MetricData: []types.MetricDatum{{
		MetricName: aws.String("m"), Value: aws.Float64(1),
		StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)},
	}}})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want an API error, got %v", err)
	require.Equal(t, "InvalidParameterCombination", ae.ErrorCode())
	require.Equal(t, "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.", ae.ErrorMessage())
	out, err := c.ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{Namespace: &ns})
	require.NoError(t, err)
	require.Empty(t, out.Metrics, "a refused call stores nothing")
}
