package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func metricFilterInput(group, name, pattern, metric string) *PutMetricFilterInput {
	return &PutMetricFilterInput{
		LogGroupName: ptr(group), FilterName: ptr(name), FilterPattern: ptr(pattern),
		MetricTransformations: []*MetricTransformation{{MetricName: ptr(metric), MetricNamespace: ptr("App"), MetricValue: ptr("1")}},
	}
}

func filterNames(fs []*MetricFilter) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = *f.LogGroupName + "/" + *f.FilterName
	}
	return out
}

func TestMetricFilterLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "/app/a")
	b.MustGroup(t, "/app/b")

	_, err := b.svc.PutMetricFilter(b.ctx, metricFilterInput("/app/missing", "f", "ERROR", "Errors"))
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.PutMetricFilter(b.ctx, metricFilterInput("/app/a", "f", `{ $.x = `, "Errors"))
	RequireCode(t, err, ErrCodeInvalidParameterException, "")

	for _, in := range []*PutMetricFilterInput{
		metricFilterInput("/app/a", "errors", "ERROR", "Errors"),
		metricFilterInput("/app/a", "warnings", "WARN", "Warnings"),
		metricFilterInput("/app/b", "errors", "ERROR", "Errors"),
	} {
		_, err := b.svc.PutMetricFilter(b.ctx, in)
		require.NoError(t, err)
	}

	all, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{})
	require.NoError(t, err)
	require.Equal(t, []string{"/app/a/errors", "/app/a/warnings", "/app/b/errors"}, filterNames(all.MetricFilters))
	require.Nil(t, all.NextToken)
	first := all.MetricFilters[0]
	require.Equal(t, "ERROR", *first.FilterPattern)
	require.Equal(t, "Errors", *first.MetricTransformations[0].MetricName)
	require.Equal(t, b.nowMs(), *first.CreationTime)

	byGroup, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{LogGroupName: ptr("/app/a"), FilterNamePrefix: ptr("w")})
	require.NoError(t, err)
	require.Equal(t, []string{"/app/a/warnings"}, filterNames(byGroup.MetricFilters))

	// Without logGroupName, AWS ignores filterNamePrefix.
	noGroup, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{FilterNamePrefix: ptr("w")})
	require.NoError(t, err)
	require.Len(t, noGroup.MetricFilters, 3)

	byMetric, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{MetricName: ptr("Errors"), MetricNamespace: ptr("App")})
	require.NoError(t, err)
	require.Equal(t, []string{"/app/a/errors", "/app/b/errors"}, filterNames(byMetric.MetricFilters))

	// Pages of one, following nextToken.
	var pages []string
	var tok *string
	for {
		out, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{Limit: ptr(int32(1)), NextToken: tok})
		require.NoError(t, err)
		pages = append(pages, filterNames(out.MetricFilters)...)
		if tok = out.NextToken; tok == nil {
			break
		}
	}
	require.Equal(t, filterNames(all.MetricFilters), pages)

	// Replacing a filter keeps its creation time.
	b.clock.Advance(60_000_000_000)
	_, err = b.svc.PutMetricFilter(b.ctx, metricFilterInput("/app/a", "errors", "?ERROR ?FATAL", "Errors"))
	require.NoError(t, err)
	out, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{LogGroupName: ptr("/app/a"), FilterNamePrefix: ptr("errors")})
	require.NoError(t, err)
	require.Equal(t, "?ERROR ?FATAL", *out.MetricFilters[0].FilterPattern)
	require.Equal(t, *first.CreationTime, *out.MetricFilters[0].CreationTime)

	_, err = b.svc.DeleteMetricFilter(b.ctx, &DeleteMetricFilterInput{LogGroupName: ptr("/app/a"), FilterName: ptr("errors")})
	require.NoError(t, err)
	_, err = b.svc.DeleteMetricFilter(b.ctx, &DeleteMetricFilterInput{LogGroupName: ptr("/app/a"), FilterName: ptr("errors")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgMetricFilterNotFound)
	_, err = b.svc.DeleteMetricFilter(b.ctx, &DeleteMetricFilterInput{LogGroupName: ptr("/app/missing"), FilterName: ptr("errors")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)

	// Deleting the group deletes its filters: a new group of that name has none.
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("/app/a")})
	require.NoError(t, err)
	b.MustGroup(t, "/app/a")
	out, err = b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{LogGroupName: ptr("/app/a")})
	require.NoError(t, err)
	require.Empty(t, out.MetricFilters)
}

func TestMetricFilterErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "g")
	_, err := b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{MetricName: ptr("Errors")})
	RequireCode(t, err, ErrCodeInvalidParameterException, "")
	_, err = b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{MetricNamespace: ptr("App")})
	RequireCode(t, err, ErrCodeInvalidParameterException, "")
	_, err = b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{LogGroupName: ptr("missing")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.DescribeMetricFilters(b.ctx, &DescribeMetricFiltersInput{NextToken: ptr("bogus")})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgInvalidNextToken)

	for i := range maxMetricFilters {
		_, err := b.svc.PutMetricFilter(b.ctx, metricFilterInput("g", fmt.Sprintf("f%03d", i), "", "M"))
		require.NoError(t, err)
	}
	_, err = b.svc.PutMetricFilter(b.ctx, metricFilterInput("g", "one-more", "", "M"))
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	// Replacing an existing filter is not a new one.
	_, err = b.svc.PutMetricFilter(b.ctx, metricFilterInput("g", "f000", "x", "M"))
	require.NoError(t, err)
}

func TestTestMetricFilter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name     string
		pattern  string
		messages []string
		want     []*MetricFilterMatchRecord
		wantCode string
	}{
		{
			name: "terms", pattern: "ERROR",
			messages: []string{"INFO ok", "ERROR boom", "ERROR again"},
			want: []*MetricFilterMatchRecord{
				{EventNumber: ptr(int64(2)), EventMessage: ptr("ERROR boom"), ExtractedValues: map[string]string{}},
				{EventNumber: ptr(int64(3)), EventMessage: ptr("ERROR again"), ExtractedValues: map[string]string{}},
			},
		},
		{
			name: "space-delimited", pattern: "[ip, user, ..., status=404, size]",
			messages: []string{
				`127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
				`127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 200 1534`,
			},
			want: []*MetricFilterMatchRecord{{
				EventNumber:     ptr(int64(1)),
				EventMessage:    ptr(`127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`),
				ExtractedValues: map[string]string{"$ip": "127.0.0.1", "$user": "frank", "$status": "404", "$size": "1534"},
			}},
		},
		{
			name: "json", pattern: `{ $.level = "error" }`,
			messages: []string{`{"level":"info"}`, `{"level":"error"}`},
			want:     []*MetricFilterMatchRecord{{EventNumber: ptr(int64(2)), EventMessage: ptr(`{"level":"error"}`), ExtractedValues: map[string]string{}}},
		},
		{name: "no match", pattern: "FATAL", messages: []string{"ERROR"}, want: []*MetricFilterMatchRecord{}},
		{name: "bad pattern", pattern: `{ $.level = `, messages: []string{"x"}, wantCode: ErrCodeInvalidParameterException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := b.svc.TestMetricFilter(b.ctx, &TestMetricFilterInput{FilterPattern: ptr(tt.pattern), LogEventMessages: tt.messages})
			if tt.wantCode != "" {
				RequireCode(t, err, tt.wantCode, "")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out.Matches)
		})
	}
}
