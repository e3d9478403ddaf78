package logs_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"
)

// Conformance of Logs Insights: queries started and polled as users poll them, query
// definitions, GetLogRecord, GetLogGroupFields and ListLogGroups.

func TestBoto3Insights(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_insights.py", uniqueName(t))
}

// pollQuery calls GetQueryResults until the query leaves Scheduled and Running, as the
// CloudWatch Logs documentation's examples do.
func pollQuery(t *testing.T, c *cloudwatchlogs.Client, id string) *cloudwatchlogs.GetQueryResultsOutput {
	t.Helper()
	var out *cloudwatchlogs.GetQueryResultsOutput
	require.Eventually(t, func() bool {
		var err error
		out, err = c.GetQueryResults(t.Context(), &cloudwatchlogs.GetQueryResultsInput{QueryId: &id})
		require.NoError(t, err)
		return out.Status != types.QueryStatusScheduled && out.Status != types.QueryStatusRunning
	}, 30*time.Second, 50*time.Millisecond)
	return out
}

func resultMap(row []types.ResultField) map[string]string {
	m := map[string]string{}
	for _, f := range row {
		m[aws.ToString(f.Field)] = aws.ToString(f.Value)
	}
	return m
}

func TestInsightsQuery(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "api")
	now := nowMs()
	mustPut(t, c, group, "api", events([]int64{now - 4000, now - 3000, now - 2000, now - 1000},
		`{"level":"INFO","path":"/users","ms":12}`,
		`{"level":"ERROR","path":"/orders","ms":250}`,
		`{"level":"INFO","path":"/orders","ms":40}`,
		`START RequestId: 42 Version: $LATEST`))
	start, end := now/1000-300, now/1000+1

	// Fields, filter, sort and limit; every row carries @ptr.
	q, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: &group, StartTime: aws.Int64(start), EndTime: aws.Int64(end),
		QueryString: aws.String(`fields @timestamp, @message, level, ms | filter level = "INFO" | sort ms desc | limit 10`),
	})
	require.NoError(t, err)
	res := pollQuery(t, c, aws.ToString(q.QueryId))
	require.Equal(t, types.QueryStatusComplete, res.Status)
	require.Len(t, res.Results, 2)
	top := resultMap(res.Results[0])
	require.Equal(t, "40", top["ms"])
	require.Equal(t, time.UnixMilli(now-2000).UTC().Format("2006-01-02 15:04:05.000"), top["@timestamp"])
	require.NotEmpty(t, top["@ptr"])
	require.Equal(t, 2.0, res.Statistics.RecordsMatched)
	require.Equal(t, 4.0, res.Statistics.RecordsScanned)
	require.Positive(t, res.Statistics.BytesScanned)

	rec, err := c.GetLogRecord(ctx, &cloudwatchlogs.GetLogRecordInput{LogRecordPointer: aws.String(top["@ptr"])})
	require.NoError(t, err)
	require.Equal(t, `{"level":"INFO","path":"/orders","ms":40}`, rec.LogRecord["@message"])
	require.Equal(t, "api", rec.LogRecord["@logStream"])

	// Parse and stats.
	q, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: []string{group}, StartTime: aws.Int64(start), EndTime: aws.Int64(end),
		QueryString: aws.String(`filter ispresent(path) | stats count(*) as requests, avg(ms) as avgMs by path | sort requests desc`),
	})
	require.NoError(t, err)
	res = pollQuery(t, c, aws.ToString(q.QueryId))
	require.Len(t, res.Results, 2)
	require.Equal(t, map[string]string{"path": "/orders", "requests": "2", "avgMs": "145"}, resultMap(res.Results[0]))
	require.Equal(t, map[string]string{"path": "/users", "requests": "1", "avgMs": "12"}, resultMap(res.Results[1]))

	q, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupIdentifiers: []string{group}, StartTime: aws.Int64(start), EndTime: aws.Int64(end),
		QueryString: aws.String(`parse @message "START RequestId: * Version: *" as requestId, version | filter ispresent(requestId) | display requestId, version`),
	})
	require.NoError(t, err)
	res = pollQuery(t, c, aws.ToString(q.QueryId))
	require.Len(t, res.Results, 1)
	row := resultMap(res.Results[0])
	require.Equal(t, "42", row["requestId"])
	require.Equal(t, "$LATEST", row["version"])

	// DescribeQueries knows the queries of the group.
	dq, err := c.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: &group})
	require.NoError(t, err)
	require.Len(t, dq.Queries, 3)
	require.Equal(t, aws.ToString(q.QueryId), aws.ToString(dq.Queries[0].QueryId))
	require.Equal(t, types.QueryStatusComplete, dq.Queries[0].Status)

	// Errors.
	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: &group, StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields @message | frobnicate"),
	})
	requireError[*types.MalformedQueryException](t, err, "MalformedQueryException", "", "unknown command")
	var mq *types.MalformedQueryException
	require.ErrorAs(t, err, &mq)
	require.NotNil(t, mq.QueryCompileError, "queryCompileError")
	require.Equal(t, int32(18), aws.ToInt32(mq.QueryCompileError.Location.StartCharOffset), "where the unknown command starts")
	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(group + "-missing"), StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields @message"),
	})
	requireNotFound(t, err, "", "StartQuery on a missing group (message: TestInsightsQuerySourceAndMissingGroup)")
	_, err = c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")})
	requireNotFound(t, err, "", "GetQueryResults of an unknown query")
	_, err = c.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: q.QueryId})
	requireInvalidParameter(t, err, "", "StopQuery of a finished query")
}

func TestInsightsQueryDefinitions(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	prefix := uniqueName(t)
	put, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
		Name: aws.String(prefix + "/errors"), QueryString: aws.String(`filter level = "ERROR"`), LogGroupNames: []string{"/app"},
	})
	require.NoError(t, err)
	_, err = c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
		Name: aws.String(prefix + "/slow"), QueryString: aws.String(`filter ms > 100`),
	})
	require.NoError(t, err)

	list, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Len(t, list.QueryDefinitions, 2)
	require.Equal(t, prefix+"/errors", aws.ToString(list.QueryDefinitions[0].Name))
	require.Equal(t, []string{"/app"}, list.QueryDefinitions[0].LogGroupNames)
	require.Equal(t, aws.ToString(put.QueryDefinitionId), aws.ToString(list.QueryDefinitions[0].QueryDefinitionId))

	page, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String(prefix), MaxResults: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, page.QueryDefinitions, 1)
	require.NotNil(t, page.NextToken)
	page, err = c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String(prefix), MaxResults: aws.Int32(1), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Equal(t, prefix+"/slow", aws.ToString(page.QueryDefinitions[0].Name))

	del, err := c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: put.QueryDefinitionId})
	require.NoError(t, err)
	require.True(t, del.Success)
	_, err = c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: put.QueryDefinitionId})
	requireNotFound(t, err, "", "DeleteQueryDefinition twice")
}

func TestInsightsFieldsAndListLogGroups(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	now := nowMs()
	mustPut(t, c, group, "s", events([]int64{now - 2000, now - 1000}, `{"user":"ann"}`, "plain"))

	fields, err := c.GetLogGroupFields(ctx, &cloudwatchlogs.GetLogGroupFieldsInput{LogGroupName: &group})
	require.NoError(t, err)
	got := map[string]int32{}
	for _, f := range fields.LogGroupFields {
		got[aws.ToString(f.Name)] = f.Percent
	}
	require.Equal(t, int32(100), got["@message"])
	require.Equal(t, int32(50), got["user"])

	// The pattern's alternatives are prefixes (^) or substrings of 3 to 24 characters.
	list, err := c.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/nomatch|" + group[len(group)-9:])})
	require.NoError(t, err)
	require.Len(t, list.LogGroups, 1)
	require.Equal(t, group, aws.ToString(list.LogGroups[0].LogGroupName))
	require.Contains(t, aws.ToString(list.LogGroups[0].LogGroupArn), ":log-group:"+group)
	_, err = c.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupNamePattern: aws.String("a(b")})
	requireInvalidParameter(t, err, "", "a pattern outside the model's form")
}

// DescribeQueries shows a query with the SOURCE command AWS prefixes it with (its end
// inclusive to the last millisecond), and StartQuery on a missing group passes on the
// query backend's message.
func TestInsightsQuerySourceAndMissingGroup(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	start, end := nowMs()/1000-3600, nowMs()/1000+300
	q, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: &group, StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields @message"),
	})
	require.NoError(t, err)
	out, err := c.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: &group})
	require.NoError(t, err)
	require.Len(t, out.Queries, 1)
	got := out.Queries[0]
	require.Equal(t, aws.ToString(q.QueryId), aws.ToString(got.QueryId))
	require.Equal(t, fmt.Sprintf(`SOURCE "%s" START=%d000 END=%d999 | fields @message`, group, start, end), aws.ToString(got.QueryString))
	require.Equal(t, group, aws.ToString(got.LogGroupName))
	require.Equal(t, types.QueryLanguageCwli, got.QueryLanguage)
	scheduled, err := c.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: &group, Status: types.QueryStatusScheduled})
	require.NoError(t, err)
	require.Empty(t, scheduled.Queries)

	missing := group + "-missing"
	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: &missing, StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields @message"),
	})
	requireNotFound(t, err, "", "StartQuery on a missing group")
	var rnf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &rnf)
	require.Regexp(t, `^Log group '`+regexp.QuoteMeta(missing)+`' does not exist for account ID '`+defaultAccount+
		`' \(Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$`, rnf.ErrorMessage())
}
