package logs

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startQuery runs src over group between start and end (epoch seconds).
func (b *testBundle) startQuery(t *testing.T, group, src string, start, end int64) string {
	t.Helper()
	out, err := b.svc.StartQuery(b.ctx, &StartQueryInput{LogGroupName: &group, QueryString: &src, StartTime: &start, EndTime: &end})
	require.NoError(t, err)
	return *out.QueryID
}

func fieldMap(row []*ResultField) map[string]string {
	m := map[string]string{}
	for _, f := range row {
		m[*f.Field] = *f.Value
	}
	return m
}

func TestStartQueryAndResults(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "app", "s1")
	now := b.nowMs()
	b.MustPut(t, "app", "s1", []int64{now - 3000, now - 2000, now - 1000},
		`{"level":"info","ms":5}`, `{"level":"error","ms":50}`, `{"level":"info","ms":7}`)
	sec := now / 1000

	id := b.startQuery(t, "app", `fields @timestamp, level, ms | filter level = "info" | sort @timestamp desc`, sec-60, sec)
	res, err := b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id})
	require.NoError(t, err)
	require.Equal(t, queryComplete, *res.Status)
	require.Len(t, res.Results, 2)
	first := fieldMap(res.Results[0])
	require.Equal(t, "7", first["ms"])
	require.Equal(t, time.UnixMilli(now-1000).UTC().Format(insightsTimeLayout), first["@timestamp"])
	require.NotEmpty(t, first["@ptr"])
	require.Equal(t, float64(2), *res.Statistics.RecordsMatched)
	require.Equal(t, float64(3), *res.Statistics.RecordsScanned)
	require.Positive(t, *res.Statistics.BytesScanned)

	// @ptr reads back the whole record.
	rec, err := b.svc.GetLogRecord(b.ctx, &GetLogRecordInput{LogRecordPointer: ptr(first["@ptr"])})
	require.NoError(t, err)
	require.Equal(t, `{"level":"info","ms":7}`, rec.LogRecord["@message"])
	require.Equal(t, "s1", rec.LogRecord["@logStream"])
	require.Equal(t, testAccount+":app", rec.LogRecord["@log"])
	require.Equal(t, fmt.Sprint(now-1000), rec.LogRecord["@timestamp"])
	require.Equal(t, "info", rec.LogRecord["level"])

	// Paging the results.
	page, err := b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id, MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, page.Results, 1)
	require.NotNil(t, page.NextToken)
	page, err = b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id, MaxItems: ptr(int32(1)), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Equal(t, "5", fieldMap(page.Results[0])["ms"])

	// Stats.
	id2 := b.startQuery(t, "app", "stats count(*) as n, max(ms) as worst by level | sort n desc", sec-60, sec)
	res, err = b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id2})
	require.NoError(t, err)
	require.Equal(t, []map[string]string{{"level": "info", "n": "2", "worst": "7"}, {"level": "error", "n": "1", "worst": "50"}},
		[]map[string]string{fieldMap(res.Results[0]), fieldMap(res.Results[1])})

	// The time range excludes older events.
	id3 := b.startQuery(t, "app", "fields @message", sec+1, sec+60)
	res, err = b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id3})
	require.NoError(t, err)
	require.Empty(t, res.Results)

	// DescribeQueries lists them newest first.
	dq, err := b.svc.DescribeQueries(b.ctx, &DescribeQueriesInput{LogGroupName: ptr("app")})
	require.NoError(t, err)
	require.Len(t, dq.Queries, 3)
	require.Equal(t, id3, *dq.Queries[0].QueryID)
	require.Equal(t, queryComplete, *dq.Queries[0].Status)
	dq, err = b.svc.DescribeQueries(b.ctx, &DescribeQueriesInput{MaxResults: ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, dq.Queries, 2)
	dq, err = b.svc.DescribeQueries(b.ctx, &DescribeQueriesInput{MaxResults: ptr(int32(2)), NextToken: dq.NextToken})
	require.NoError(t, err)
	require.Len(t, dq.Queries, 1)
	require.Equal(t, id, *dq.Queries[0].QueryID)
	dq, err = b.svc.DescribeQueries(b.ctx, &DescribeQueriesInput{Status: ptr(queryRunning)})
	require.NoError(t, err)
	require.Empty(t, dq.Queries)

	// A finished query cannot be stopped.
	_, err = b.svc.StopQuery(b.ctx, &StopQueryInput{QueryID: &id})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgQueryNotRunning)

	// Another account sees none of it.
	other := callContext(b.ctx, "210987654321")
	_, err = b.svc.GetQueryResults(other, &GetQueryResultsInput{QueryID: &id})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgQueryNotFound)
	_, err = b.svc.GetLogRecord(other, &GetLogRecordInput{LogRecordPointer: ptr(first["@ptr"])})
	RequireCode(t, err, ErrCodeResourceNotFoundException, "")

	// Results expire after seven days.
	b.clock.Advance(queryRetention + time.Minute)
	_, err = b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: &id})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgQueryNotFound)
}

func TestStartQueryErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "g")
	s, e := int64(0), int64(100)
	tests := []struct {
		name     string
		in       *StartQueryInput
		wantCode string
		wantMsg  string
	}{
		{"malformed", &StartQueryInput{LogGroupName: ptr("g"), QueryString: ptr("fields a |"), StartTime: &s, EndTime: &e},
			ErrCodeMalformedQueryException, "unexpected symbol found <EOF> at line 1 and position 11"},
		{"unknown command", &StartQueryInput{LogGroupName: ptr("g"), QueryString: ptr("bogus x"), StartTime: &s, EndTime: &e},
			ErrCodeMalformedQueryException, "unexpected symbol found bogus at line 1 and position 1"},
		{"no group", &StartQueryInput{QueryString: ptr("fields a"), StartTime: &s, EndTime: &e},
			ErrCodeInvalidParameterException, msgQueryGroupsOne},
		{"two ways", &StartQueryInput{LogGroupName: ptr("g"), LogGroupNames: []string{"g"}, QueryString: ptr("fields a"), StartTime: &s, EndTime: &e},
			ErrCodeInvalidParameterException, msgQueryGroupsOne},
		{"end before start", &StartQueryInput{LogGroupName: ptr("g"), QueryString: ptr("fields a"), StartTime: &e, EndTime: &s},
			ErrCodeInvalidParameterException, msgQueryEndBefore},
		{"identifier of another account", &StartQueryInput{LogGroupIdentifiers: []string{GroupARN(testRegion, "999999999999", "g")}, QueryString: ptr("fields a"), StartTime: &s, EndTime: &e},
			ErrCodeResourceNotFoundException, msgGroupNotFound},
		{"sql", &StartQueryInput{QueryLanguage: ptr("SQL"), LogGroupName: ptr("g"), QueryString: ptr("SELECT 1"), StartTime: &s, EndTime: &e},
			ErrCodeInvalidParameterException, msgQueryLanguage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.StartQuery(b.ctx, tt.in)
			RequireCode(t, err, tt.wantCode, tt.wantMsg)
		})
	}
	// AWS passes on its query backend's message, with that backend's request id.
	_, err := b.svc.StartQuery(b.ctx, &StartQueryInput{LogGroupNames: []string{"g", "nope"}, QueryString: ptr("fields a"), StartTime: &s, EndTime: &e})
	perr := RequireCode(t, err, ErrCodeResourceNotFoundException, "")
	require.Regexp(t, `^Log group 'nope' does not exist for account ID '123456789012' \(Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$`, perr.Message)

	_, err = b.svc.StartQuery(b.ctx, &StartQueryInput{LogGroupName: ptr("g"), QueryString: ptr("fields a | bogus"), StartTime: &s, EndTime: &e})
	perr = RequireCode(t, err, ErrCodeMalformedQueryException, "unexpected symbol found bogus at line 1 and position 12")
	require.Equal(t, map[string]any{
		"location": map[string]any{"startCharOffset": 11, "endCharOffset": 15},
		"message":  "unexpected symbol found bogus at line 1 and position 12",
	}, perr.Fields["queryCompileError"])
	dq, err := b.svc.DescribeQueries(b.ctx, &DescribeQueriesInput{})
	require.NoError(t, err)
	require.Empty(t, dq.Queries, "a refused query is not kept")

	// Identifiers may be ARNs of the caller's groups.
	out, err := b.svc.StartQuery(b.ctx, &StartQueryInput{LogGroupIdentifiers: []string{GroupARN(testRegion, testAccount, "g") + ":*"},
		QueryString: ptr("fields a"), StartTime: &s, EndTime: &e})
	require.NoError(t, err)
	require.NotEmpty(t, *out.QueryID)

	_, err = b.svc.StopQuery(b.ctx, &StopQueryInput{QueryID: ptr("nope")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgQueryNotFound)
	_, err = b.svc.GetQueryResults(b.ctx, &GetQueryResultsInput{QueryID: out.QueryID, NextToken: ptr("garbage")})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgInvalidNextToken)
	_, err = b.svc.GetLogRecord(b.ctx, &GetLogRecordInput{LogRecordPointer: ptr("garbage")})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgBadPointer)
}

func TestQueryRegistryBound(t *testing.T) {
	t.Parallel()
	r := newQueryRegistry()
	c := callOf(callContext(t.Context(), testAccount))
	for i := range maxKeptQueries + 5 {
		r.add(&insightsQuery{account: c.Account, region: c.Region, id: fmt.Sprint(i), groups: []string{"g"}}, 0)
	}
	require.Len(t, r.list(c, 0), maxKeptQueries)
	require.Nil(t, r.get(c, "0", 0), "the oldest query goes first")
	require.NotNil(t, r.get(c, fmt.Sprint(maxKeptQueries+4), 0))
	r.clear()
	require.Empty(t, r.list(c, 0))
}

func TestGetLogGroupFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "app", "s")
	now := b.nowMs()
	b.MustPut(t, "app", "s", []int64{now - 3000, now - 2000, now - 1000, now - 500},
		`{"level":"info","req":{"id":"1"}}`, `{"level":"warn"}`, `{"level":"info"}`, "plain")
	out, err := b.svc.GetLogGroupFields(b.ctx, &GetLogGroupFieldsInput{LogGroupName: ptr("app")})
	require.NoError(t, err)
	got := map[string]int32{}
	for _, f := range out.LogGroupFields {
		got[*f.Name] = *f.Percent
	}
	require.Equal(t, int32(100), got["@message"])
	require.Equal(t, int32(100), got["@timestamp"])
	require.Equal(t, int32(75), got["level"])
	require.Equal(t, int32(25), got["req.id"])
	require.NotContains(t, got, "@ptr")

	// Events more than 15 minutes before time are not looked at.
	out, err = b.svc.GetLogGroupFields(b.ctx, &GetLogGroupFieldsInput{LogGroupName: ptr("app"), Time: ptr(now/1000 + 3600)})
	require.NoError(t, err)
	require.Empty(t, out.LogGroupFields)

	_, err = b.svc.GetLogGroupFields(b.ctx, &GetLogGroupFieldsInput{LogGroupName: ptr("nope")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
}

func TestQueryDefinitions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	put := func(name, q string, id *string) string {
		out, err := b.svc.PutQueryDefinition(b.ctx, &PutQueryDefinitionInput{Name: &name, QueryString: &q, QueryDefinitionID: id, LogGroupNames: []string{"g"}})
		require.NoError(t, err)
		return *out.QueryDefinitionID
	}
	errs := put("errors/all", "filter level = 'error'", nil)
	put("errors/recent", "filter level = 'error' | limit 5", nil)
	put("latency", "stats avg(ms)", nil)

	out, err := b.svc.DescribeQueryDefinitions(b.ctx, &DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: ptr("errors/")})
	require.NoError(t, err)
	require.Len(t, out.QueryDefinitions, 2)
	require.Equal(t, "errors/all", *out.QueryDefinitions[0].Name)
	require.Equal(t, []string{"g"}, out.QueryDefinitions[0].LogGroupNames)

	// Replacing keeps the id.
	require.Equal(t, errs, put("errors/everything", "filter level = 'error' or level = 'fatal'", &errs))
	out, err = b.svc.DescribeQueryDefinitions(b.ctx, &DescribeQueryDefinitionsInput{MaxResults: ptr(int32(2))})
	require.NoError(t, err)
	require.Equal(t, "errors/everything", *out.QueryDefinitions[0].Name)
	require.Equal(t, "filter level = 'error' or level = 'fatal'", *out.QueryDefinitions[0].QueryString)
	require.NotNil(t, out.NextToken)
	out, err = b.svc.DescribeQueryDefinitions(b.ctx, &DescribeQueryDefinitionsInput{MaxResults: ptr(int32(2)), NextToken: out.NextToken})
	require.NoError(t, err)
	require.Len(t, out.QueryDefinitions, 1)
	require.Equal(t, "latency", *out.QueryDefinitions[0].Name)
	require.Nil(t, out.NextToken)

	_, err = b.svc.PutQueryDefinition(b.ctx, &PutQueryDefinitionInput{Name: ptr("x"), QueryString: ptr("fields a"), QueryDefinitionID: ptr("nope")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgQueryDefNotFound)

	del, err := b.svc.DeleteQueryDefinition(b.ctx, &DeleteQueryDefinitionInput{QueryDefinitionID: &errs})
	require.NoError(t, err)
	require.True(t, *del.Success)
	_, err = b.svc.DeleteQueryDefinition(b.ctx, &DeleteQueryDefinitionInput{QueryDefinitionID: &errs})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgQueryDefNotFound)
	out, err = b.svc.DescribeQueryDefinitions(b.ctx, &DescribeQueryDefinitionsInput{})
	require.NoError(t, err)
	require.Len(t, out.QueryDefinitions, 2)
}

func TestListLogGroups(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, n := range []string{"/aws/lambda/a", "/aws/lambda/b", "app-discovery", "other"} {
		b.MustGroup(t, n)
	}
	names := func(in *ListLogGroupsInput) ([]string, *string) {
		out, err := b.svc.ListLogGroups(b.ctx, in)
		require.NoError(t, err)
		var ns []string
		for _, g := range out.LogGroups {
			ns = append(ns, *g.LogGroupName)
			require.Equal(t, GroupARN(testRegion, testAccount, *g.LogGroupName), *g.LogGroupARN)
		}
		return ns, out.NextToken
	}
	got, _ := names(&ListLogGroupsInput{LogGroupNamePattern: ptr("^/aws/lambda|discovery")})
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b", "app-discovery"}, got)
	got, tok := names(&ListLogGroupsInput{Limit: ptr(int32(3))})
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b", "app-discovery"}, got)
	require.NotNil(t, tok)
	got, tok = names(&ListLogGroupsInput{Limit: ptr(int32(3)), NextToken: tok})
	require.Equal(t, []string{"other"}, got)
	require.Nil(t, tok)
	got, _ = names(&ListLogGroupsInput{LogGroupNamePattern: ptr("^lambda|ther")})
	require.Equal(t, []string{"other"}, got)
}
