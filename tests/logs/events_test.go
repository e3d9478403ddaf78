package logs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"
)

func TestLogStreams(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	_, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group + "-missing"), LogStreamName: aws.String("s")})
	requireNotFound(t, err, msgGroupNotFound, "CreateLogStream in a missing group")

	now := nowMs()
	// Stream names may hold anything but ':' and '*'.
	names := []string{"2026/03/01/[$LATEST]0123abcd", "b stream", "c", "a"}
	for i, n := range names {
		mustStream(t, c, group, n)
		if i < 3 {
			mustPut(t, c, group, n, events([]int64{now - int64(i)*1000}, "m"))
		}
	}
	_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("c")})
	requireError[*types.ResourceAlreadyExistsException](t, err, "ResourceAlreadyExistsException", msgStreamExists, "CreateLogStream twice")
	_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("a:b")})
	requireInvalidParameter(t, err, "", "a stream name with ':'")

	list := func(in cloudwatchlogs.DescribeLogStreamsInput) []string {
		t.Helper()
		in.LogGroupName = &group
		in.Limit = aws.Int32(2)
		var out []string
		p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c, &in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, s := range page.LogStreams {
				out = append(out, aws.ToString(s.LogStreamName))
			}
		}
		return out
	}
	require.Equal(t, []string{"2026/03/01/[$LATEST]0123abcd", "a", "b stream", "c"}, list(cloudwatchlogs.DescribeLogStreamsInput{}))
	require.Equal(t, []string{"c", "b stream", "a", "2026/03/01/[$LATEST]0123abcd"}, list(cloudwatchlogs.DescribeLogStreamsInput{Descending: aws.Bool(true)}))
	require.Equal(t, []string{"b stream"}, list(cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("b")}))
	byTime := list(cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	require.Equal(t, []string{"2026/03/01/[$LATEST]0123abcd", "b stream", "c"}, byTime[:3], "latest event first")

	_, err = c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: &group, OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	requireInvalidParameter(t, err, "", "orderBy LastEventTime with a prefix")

	out, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{
		LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:" + defaultAccount + ":log-group:" + group), LogStreamNamePrefix: aws.String("c"),
	})
	require.NoError(t, err)
	require.Len(t, out.LogStreams, 1)
	s := out.LogStreams[0]
	require.Equal(t, "arn:aws:logs:us-east-1:"+defaultAccount+":log-group:"+group+":log-stream:c", aws.ToString(s.Arn))
	require.Equal(t, now-2000, aws.ToInt64(s.FirstEventTimestamp))
	require.Equal(t, now-2000, aws.ToInt64(s.LastEventTimestamp))
	require.NotNil(t, s.LastIngestionTime)
	require.NotNil(t, s.CreationTime)
	require.EqualValues(t, 0, aws.ToInt64(s.StoredBytes), "storedBytes of log streams is always zero since 2019")

	_, err = c.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("c")})
	require.NoError(t, err)
	_, err = c.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("c")})
	requireNotFound(t, err, msgStreamNotFound, "DeleteLogStream twice")
	_, err = c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group + "-missing")})
	requireNotFound(t, err, msgGroupNotFound, "DescribeLogStreams of a missing group")
}

func TestPutLogEvents(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	now := nowMs()

	out := mustPut(t, c, group, "s", events([]int64{now - 2, now - 1, now}, "a", "b", "c"))
	require.NotEmpty(t, aws.ToString(out.NextSequenceToken), "old clients still read nextSequenceToken")
	require.Nil(t, out.RejectedLogEventsInfo)
	// The sequence token is ignored: a wrong one is accepted, never
	// InvalidSequenceTokenException or DataAlreadyAcceptedException.
	for _, tok := range []string{"49039859552752931545458406208155474713328036906329522386", aws.ToString(out.NextSequenceToken), "nonsense"} {
		_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), SequenceToken: aws.String(tok), LogEvents: events([]int64{now}, "d")})
		require.NoError(t, err, "sequence token %q", tok)
	}

	// Events more than 14 days old or more than 2 hours ahead are rejected, the rest kept.
	const hour, day = int64(60 * 60 * 1000), int64(24 * 60 * 60 * 1000)
	out = mustPut(t, c, group, "s", events([]int64{now - 15*day, now - 15*day + 1, now - hour, now + 3*hour}, "old1", "old2", "kept", "future"))
	require.NotNil(t, out.RejectedLogEventsInfo)
	require.EqualValues(t, 2, aws.ToInt32(out.RejectedLogEventsInfo.TooOldLogEventEndIndex), "tooOldLogEventEndIndex is exclusive")
	require.EqualValues(t, 3, aws.ToInt32(out.RejectedLogEventsInfo.TooNewLogEventStartIndex), "tooNewLogEventStartIndex is inclusive")
	require.Nil(t, out.RejectedLogEventsInfo.ExpiredLogEventEndIndex)
	got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	require.NoError(t, err)
	require.Equal(t, []string{"kept", "a", "b", "c", "d", "d", "d"}, outputMessages(got.Events))

	// Structural rules fail the whole batch.
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: events([]int64{now, now - 1}, "x", "y")})
	requireInvalidParameter(t, err, "Log events in a single PutLogEvents request must be in chronological order.", "events out of order")
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: events([]int64{now - day - hour, now}, "x", "y")})
	requireInvalidParameter(t, err, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.", "a 25-hour batch")
	half := strings.Repeat("h", 1_048_576/2)
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: events([]int64{now, now}, half, half)})
	requireInvalidParameter(t, err, "Upload too large: 1048628 bytes exceeds limit of 1048576", "a batch over 1,048,576 bytes (26 bytes per event)")
	fits := strings.Repeat("f", 1_048_576-2*26-1)
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: events([]int64{now, now}, fits, "g")})
	require.NoError(t, err, "a batch of exactly 1,048,576 bytes")
	tooMany := make([]types.InputLogEvent, 10_001)
	for i := range tooMany {
		tooMany[i] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String("m")}
	}
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: tooMany})
	requireInvalidParameter(t, err, "", "10,001 events")
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: tooMany[:10_000]})
	require.NoError(t, err, "10,000 events")

	// Events older than the group's retention are expired.
	_, err = c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &group, RetentionInDays: aws.Int32(1)})
	require.NoError(t, err)
	out = mustPut(t, c, group, "s", events([]int64{now - 2*day, now}, "expired", "fresh"))
	require.EqualValues(t, 1, aws.ToInt32(out.RejectedLogEventsInfo.ExpiredLogEventEndIndex))

	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("missing"), LogEvents: events([]int64{now}, "x")})
	requireNotFound(t, err, msgStreamNotFound, "PutLogEvents to a missing stream")
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group + "-missing"), LogStreamName: aws.String("s"), LogEvents: events([]int64{now}, "x")})
	requireNotFound(t, err, msgGroupNotFound, "PutLogEvents to a missing group")

	// storedBytes of the group grows with what was stored.
	dg, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &group})
	require.NoError(t, err)
	require.Greater(t, aws.ToInt64(dg.LogGroups[0].StoredBytes), int64(1_048_576-100))
}

func TestGetLogEventsTokens(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	now := nowMs()
	var ts []int64
	var msgs []string
	for i := range 25 {
		ts = append(ts, now-100_000+int64(i)*1000)
		msgs = append(msgs, fmt.Sprintf("event %02d", i))
	}
	mustPut(t, c, group, "s", events(ts, msgs...))
	get := func(in cloudwatchlogs.GetLogEventsInput) *cloudwatchlogs.GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName = &group, aws.String("s")
		out, err := c.GetLogEvents(ctx, &in)
		require.NoError(t, err)
		// "The returned tokens are never null."
		require.NotEmpty(t, aws.ToString(out.NextForwardToken))
		require.NotEmpty(t, aws.ToString(out.NextBackwardToken))
		require.Regexp(t, `^f/`, aws.ToString(out.NextForwardToken))
		require.Regexp(t, `^b/`, aws.ToString(out.NextBackwardToken))
		return out
	}

	// startFromHead false (the default): the latest events, in ascending order.
	tail := get(cloudwatchlogs.GetLogEventsInput{Limit: aws.Int32(5)})
	require.Equal(t, msgs[20:], outputMessages(tail.Events))
	require.Equal(t, ts[20], aws.ToInt64(tail.Events[0].Timestamp))
	require.NotNil(t, tail.Events[0].IngestionTime)

	// Backward to the start; there the token passed in comes back.
	var got []string
	tok := tail.NextBackwardToken
	for range 10 {
		out := get(cloudwatchlogs.GetLogEventsInput{Limit: aws.Int32(5), NextToken: tok})
		if aws.ToString(out.NextBackwardToken) == aws.ToString(tok) {
			require.Empty(t, out.Events)
			break
		}
		got = append(outputMessages(out.Events), got...)
		tok = out.NextBackwardToken
	}
	require.Equal(t, msgs[:20], got)

	// The SDK's paginator reads forward and stops when the token repeats.
	var fwd []string
	p := cloudwatchlogs.NewGetLogEventsPaginator(c, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: &group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(7),
	}, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	pages := 0
	for p.HasMorePages() && pages < 20 {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		fwd = append(fwd, outputMessages(out.Events)...)
	}
	require.Equal(t, msgs, fwd)
	require.Less(t, pages, 20, "the paginator ended")

	// The forward token at the end picks up events put later.
	end := get(cloudwatchlogs.GetLogEventsInput{NextToken: tail.NextForwardToken})
	require.Empty(t, end.Events)
	require.Equal(t, aws.ToString(tail.NextForwardToken), aws.ToString(end.NextForwardToken))
	mustPut(t, c, group, "s", events([]int64{now}, "late"))
	late := get(cloudwatchlogs.GetLogEventsInput{NextToken: tail.NextForwardToken})
	require.Equal(t, []string{"late"}, outputMessages(late.Events))

	// startTime is inclusive, endTime exclusive.
	rng := get(cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(ts[3]), EndTime: aws.Int64(ts[6]), StartFromHead: aws.Bool(true)})
	require.Equal(t, msgs[3:6], outputMessages(rng.Events))

	_, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("missing")})
	requireNotFound(t, err, msgStreamNotFound, "GetLogEvents of a missing stream")
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group + "-missing"), LogStreamName: aws.String("s")})
	requireNotFound(t, err, msgGroupNotFound, "GetLogEvents of a missing group")
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogGroupIdentifier: &group, LogStreamName: aws.String("s")})
	requireError[*types.ValidationException](t, err, "ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.", "both logGroupName and logGroupIdentifier")
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), Limit: aws.Int32(10_001)})
	requireInvalidParameter(t, err, "", "limit 10,001")
}

func TestFilterLogEvents(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	for _, s := range []string{"api-1", "api-2", "web"} {
		mustStream(t, c, group, s)
	}
	now := nowMs()
	mustPut(t, c, group, "api-1", events([]int64{now - 6000, now - 3000}, "[ERROR] A fatal exception has occurred", `{"eventType":"UpdateTrail","latency":1500,"user":{"id":1}}`))
	mustPut(t, c, group, "api-2", events([]int64{now - 5000, now - 2000}, "[WARN] Failed to process the request", `{"eventType":"GetTrail","latency":20,"flag":true}`))
	mustPut(t, c, group, "web", events([]int64{now - 4000, now - 1000},
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
		`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 200 534`))

	filter := func(in cloudwatchlogs.FilterLogEventsInput) []string {
		t.Helper()
		in.LogGroupName = &group
		var out []string
		p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, e := range page.Events {
				require.Len(t, aws.ToString(e.EventId), 56)
				require.NotNil(t, e.IngestionTime)
				out = append(out, aws.ToString(e.LogStreamName)+" "+aws.ToString(e.Message))
			}
		}
		return out
	}
	all := filter(cloudwatchlogs.FilterLogEventsInput{})
	require.Len(t, all, 6)
	require.True(t, strings.HasPrefix(all[0], "api-1 [ERROR]"), "events interleaved by timestamp: %v", all)
	require.True(t, strings.HasPrefix(all[1], "api-2 [WARN]"), "%v", all)
	require.True(t, strings.HasPrefix(all[2], "web "), "%v", all)

	// Examples of the filter pattern syntax.
	count := func(pattern string) int {
		t.Helper()
		return len(filter(cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(pattern)}))
	}
	require.Equal(t, 1, count("ERROR"))
	require.Equal(t, 2, count("?ERROR ?WARN"))
	require.Equal(t, 1, count(`"Failed to process"`))
	require.Equal(t, 0, count("error"), "terms are case sensitive")
	require.Equal(t, 5, count(`-fatal`))
	require.Equal(t, 1, count(`{ $.eventType = "UpdateTrail" }`))
	require.Equal(t, 2, count(`{ $.eventType = *Trail }`))
	require.Equal(t, 1, count(`{ $.latency > 1000 }`))
	require.Equal(t, 1, count(`{ $.flag IS TRUE }`))
	require.Equal(t, 1, count(`{ $.user.id = 1 && $.latency >= 1500 }`))
	require.Equal(t, 2, count(`{ $.user.id = 1 || $.flag IS TRUE }`))
	require.Equal(t, 1, count(`{ $.user NOT EXISTS && $.latency < 100 }`))
	require.Equal(t, 1, count(`[ip, id, user, timestamp, request = *html*, status_code = 4*, bytes]`))
	require.Equal(t, 1, count(`[..., status_code = 200, bytes < 1000]`))
	require.Equal(t, 2, count(`[ip = 127.0.0.1, ...]`))
	require.Equal(t, 6, count(`[first, ...]`), "every message has a first field")

	require.Equal(t, []string{"api-2 [WARN] Failed to process the request", `api-2 {"eventType":"GetTrail","latency":20,"flag":true}`},
		filter(cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"api-2"}}))
	require.Len(t, filter(cloudwatchlogs.FilterLogEventsInput{LogStreamNamePrefix: aws.String("api")}), 4)
	// startTime and endTime are both inclusive.
	require.Len(t, filter(cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(now - 5000), EndTime: aws.Int64(now - 3000)}), 3)

	// A limit pages the results; the last page has no nextToken.
	out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, Limit: aws.Int32(4)})
	require.NoError(t, err)
	require.Len(t, out.Events, 4)
	require.NotNil(t, out.NextToken)
	out, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, Limit: aws.Int32(4), NextToken: out.NextToken})
	require.NoError(t, err)
	require.Len(t, out.Events, 2)
	require.Nil(t, out.NextToken)
	require.Empty(t, out.SearchedLogStreams, "searchedLogStreams is no longer supported and returns an empty list")

	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`{ $.eventType = `)})
	requireInvalidParameter(t, err, "Invalid filter pattern", "an unterminated JSON pattern")
	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, LogStreamNames: []string{"web"}, LogStreamNamePrefix: aws.String("w")})
	requireInvalidParameter(t, err, "", "logStreamNames with logStreamNamePrefix")
	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group + "-missing")})
	requireNotFound(t, err, msgGroupNotFound, "FilterLogEvents of a missing group")
}
