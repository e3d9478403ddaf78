package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPutLogEventsBatchRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "g", "s")
	now := b.nowMs()

	out := b.MustPut(t, "g", "s", []int64{now - 10, now}, "a", "b")
	require.Nil(t, out.RejectedLogEventsInfo)
	require.Len(t, *out.NextSequenceToken, 56)
	out2 := b.MustPut(t, "g", "s", []int64{now}, "c")
	require.Greater(t, *out2.NextSequenceToken, *out.NextSequenceToken)
	// The sequence token is ignored, whatever it says.
	in := putInput("g", "s", []int64{now}, "d")
	in.SequenceToken = ptr("not-a-token")
	_, err := b.svc.PutLogEvents(b.ctx, in)
	require.NoError(t, err)

	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now, now - 1}, "x", "y"))
	RequireCode(t, err, "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now - 25*60*60*1000, now}, "x", "y"))
	RequireCode(t, err, "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now - 24*60*60*1000, now}, "exactly", "24h"))
	require.NoError(t, err)

	big := strings.Repeat("x", maxBatchBytes-eventOverhead)
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now}, big))
	require.NoError(t, err)
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now}, big+"y"))
	RequireCode(t, err, "InvalidParameterException", "Log event too large: 1048577 bytes exceeds limit of 1048576")
	half := strings.Repeat("x", maxBatchBytes/2)
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "s", []int64{now, now}, half, half))
	RequireCode(t, err, "InvalidParameterException", "Upload too large: 1048628 bytes exceeds limit of 1048576")

	_, err = b.svc.PutLogEvents(b.ctx, putInput("missing", "s", []int64{now}, "x"))
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = b.svc.PutLogEvents(b.ctx, putInput("g", "missing", []int64{now}, "x"))
	RequireCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestPutLogEventsRejections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "g", "s")
	now := b.nowMs()
	const day = 24 * 60 * 60 * 1000
	out := b.MustPut(t, "g", "s",
		[]int64{now - 15*day, now - 14*day - 1, now - 1, now, now + 2*60*60*1000, now + 2*60*60*1000 + 1, now + 3*60*60*1000},
		"old1", "old2", "ok1", "ok2", "ok3", "new1", "new2")
	require.NotNil(t, out.RejectedLogEventsInfo)
	require.EqualValues(t, 2, *out.RejectedLogEventsInfo.TooOldLogEventEndIndex)
	require.EqualValues(t, 5, *out.RejectedLogEventsInfo.TooNewLogEventStartIndex)
	require.Nil(t, out.RejectedLogEventsInfo.ExpiredLogEventEndIndex)
	got, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s"), StartFromHead: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, []string{"ok1", "ok2", "ok3"}, messages(got.Events))

	// With a retention, events older than it are expired.
	_, err = b.svc.PutRetentionPolicy(b.ctx, &PutRetentionPolicyInput{LogGroupName: ptr("g"), RetentionInDays: ptr(int32(1))})
	require.NoError(t, err)
	out = b.MustPut(t, "g", "s", []int64{now - 20*day, now - 2*day, now}, "old", "expired", "fine")
	require.EqualValues(t, 1, *out.RejectedLogEventsInfo.TooOldLogEventEndIndex)
	require.EqualValues(t, 2, *out.RejectedLogEventsInfo.ExpiredLogEventEndIndex)
	require.Nil(t, out.RejectedLogEventsInfo.TooNewLogEventStartIndex)

	// A batch whose every event is rejected still answers a sequence token.
	out = b.MustPut(t, "g", "s", []int64{now + 5*60*60*1000}, "far")
	require.EqualValues(t, 0, *out.RejectedLogEventsInfo.TooNewLogEventStartIndex)
	require.NotNil(t, out.NextSequenceToken)
	// The 24-hour span counts accepted events only.
	out = b.MustPut(t, "g", "s", []int64{now - 20*day, now}, "old", "fine2")
	require.EqualValues(t, 1, *out.RejectedLogEventsInfo.TooOldLogEventEndIndex)
}

func TestGetLogEventsTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "g", "s")
	now := b.nowMs()
	var ts []int64
	var msgs []string
	for i := range 10 {
		ts = append(ts, now-10_000+int64(i)*1000)
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	b.MustPut(t, "g", "s", ts, msgs...)
	get := func(in GetLogEventsInput) *GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName = ptr("g"), ptr("s")
		out, err := b.svc.GetLogEvents(b.ctx, &in)
		require.NoError(t, err)
		require.NotNil(t, out.NextForwardToken)
		require.NotNil(t, out.NextBackwardToken)
		require.Regexp(t, `^f/\d{56}/s$`, *out.NextForwardToken)
		require.Regexp(t, `^b/\d{56}/s$`, *out.NextBackwardToken)
		return out
	}

	// Without a token the latest events come, oldest first.
	tail := get(GetLogEventsInput{Limit: ptr(int32(3))})
	require.Equal(t, []string{"m7", "m8", "m9"}, messages(tail.Events))
	require.Equal(t, ts[7], *tail.Events[0].Timestamp)
	require.Equal(t, now, *tail.Events[0].IngestionTime)
	// Backward from there, page by page, until the token comes back unchanged.
	var back []string
	tok := tail.NextBackwardToken
	for {
		out := get(GetLogEventsInput{Limit: ptr(int32(3)), NextToken: tok})
		if len(out.Events) == 0 {
			require.Equal(t, *tok, *out.NextBackwardToken, "the same token at the start of the stream")
			break
		}
		back = append(messages(out.Events), back...)
		tok = out.NextBackwardToken
	}
	require.Equal(t, msgs[:7], back)
	// Forward from the tail: nothing yet, and the same token.
	fwd := get(GetLogEventsInput{NextToken: tail.NextForwardToken})
	require.Empty(t, fwd.Events)
	require.Equal(t, *tail.NextForwardToken, *fwd.NextForwardToken)
	// Events put later are found with that token.
	b.MustPut(t, "g", "s", []int64{now + 1}, "m10")
	fwd = get(GetLogEventsInput{NextToken: tail.NextForwardToken})
	require.Equal(t, []string{"m10"}, messages(fwd.Events))

	// From the head, forward to the end.
	var all []string
	in := GetLogEventsInput{StartFromHead: ptr(true), Limit: ptr(int32(4))}
	for range 10 {
		out := get(in)
		all = append(all, messages(out.Events)...)
		if in.NextToken != nil && *out.NextForwardToken == *in.NextToken {
			require.Empty(t, out.Events)
			break
		}
		in.NextToken = out.NextForwardToken
	}
	require.Equal(t, append(msgs, "m10"), all)
	// The backward token of an empty forward page leads back to the last events.
	out := get(GetLogEventsInput{NextToken: in.NextToken, Limit: ptr(int32(2))})
	require.Empty(t, out.Events)
	out = get(GetLogEventsInput{NextToken: out.NextBackwardToken, Limit: ptr(int32(2))})
	require.Equal(t, []string{"m9", "m10"}, messages(out.Events))

	// Time range: startTime inclusive, endTime exclusive.
	rng := get(GetLogEventsInput{StartTime: ptr(ts[2]), EndTime: ptr(ts[5]), StartFromHead: ptr(true)})
	require.Equal(t, []string{"m2", "m3", "m4"}, messages(rng.Events))
	empty := get(GetLogEventsInput{StartTime: ptr(now + 100_000)})
	require.Empty(t, empty.Events)

	_, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s"), NextToken: ptr("f/123/s")})
	RequireCode(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("nope")})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("nope"), LogStreamName: ptr("s")})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	viaARN, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupIdentifier: ptr("arn:aws:logs:us-east-1:123456789012:log-group:g"), LogStreamName: ptr("s"), Limit: ptr(int32(1))})
	require.NoError(t, err)
	require.Equal(t, []string{"m10"}, messages(viaARN.Events))
}

func TestGetLogEventsPageSize(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustStream(t, "g", "s")
	now := b.nowMs()
	msg := strings.Repeat("z", 300_000)
	for i := range 5 {
		b.MustPut(t, "g", "s", []int64{now + int64(i)}, msg)
	}
	out, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s"), StartFromHead: ptr(true)})
	require.NoError(t, err)
	require.Len(t, out.Events, 3, "three 300 kB events fit in 1 MB, four do not")
	require.Equal(t, now, *out.Events[0].Timestamp)
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	require.Len(t, out.Events, 3)
	require.Equal(t, now+4, *out.Events[2].Timestamp, "a page from the tail keeps the latest events")
}

func TestFilterLogEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := b.nowMs()
	b.MustStream(t, "g", "app-1")
	b.MustStream(t, "g", "app-2")
	b.MustStream(t, "g", "web")
	b.MustPut(t, "g", "app-1", []int64{now - 5000, now - 2000}, "ERROR disk full", `{"level":"error","latency":700}`)
	b.MustPut(t, "g", "app-2", []int64{now - 4000, now - 1000}, "INFO ok", `{"level":"info","latency":20}`)
	b.MustPut(t, "g", "web", []int64{now - 3000}, `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.html HTTP/1.0" 404 2326`)

	filter := func(in FilterLogEventsInput) *FilterLogEventsOutput {
		t.Helper()
		in.LogGroupName = ptr("g")
		out, err := b.svc.FilterLogEvents(b.ctx, &in)
		require.NoError(t, err)
		require.NotNil(t, out.SearchedLogStreams)
		require.Empty(t, out.SearchedLogStreams)
		return out
	}
	all := filter(FilterLogEventsInput{})
	require.Len(t, all.Events, 5)
	require.Equal(t, "app-1", *all.Events[0].LogStreamName)
	require.Equal(t, "ERROR disk full", *all.Events[0].Message)
	require.Equal(t, now-5000, *all.Events[0].Timestamp)
	require.Equal(t, now, *all.Events[0].IngestionTime)
	require.Len(t, *all.Events[0].EventID, 56)
	require.Nil(t, all.NextToken)
	require.Equal(t, []string{"web"}, streamsOf(filter(FilterLogEventsInput{FilterPattern: ptr("[ip, id, user, ts, request = *html*, status = 4*, bytes > 1000]")}).Events))
	require.Equal(t, []string{"ERROR disk full"}, filtered(filter(FilterLogEventsInput{FilterPattern: ptr("ERROR")}).Events))
	require.Equal(t, []string{`{"level":"error","latency":700}`}, filtered(filter(FilterLogEventsInput{FilterPattern: ptr(`{ $.latency > 500 }`)}).Events))
	require.Equal(t, []string{"ERROR disk full", "INFO ok"}, filtered(filter(FilterLogEventsInput{FilterPattern: ptr(`?ERROR ?INFO`)}).Events))
	require.Equal(t, []string{"app-2", "app-2"}, streamsOf(filter(FilterLogEventsInput{LogStreamNames: []string{"app-2"}}).Events))
	require.Equal(t, []string{"app-1", "app-2", "app-1", "app-2"}, streamsOf(filter(FilterLogEventsInput{LogStreamNamePrefix: ptr("app")}).Events))
	// startTime and endTime are both inclusive.
	require.Equal(t, []string{"app-2", "web", "app-1"}, streamsOf(filter(FilterLogEventsInput{StartTime: ptr(now - 4000), EndTime: ptr(now - 2000)}).Events))

	// Pages of two, with a token until the end.
	var pages [][]string
	in := FilterLogEventsInput{Limit: ptr(int32(2))}
	for {
		out := filter(in)
		pages = append(pages, filtered(out.Events))
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	require.Len(t, pages, 3)
	require.Len(t, pages[2], 1)

	_, err := b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g"), FilterPattern: ptr(`{ $.a = `)})
	RequireCode(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g"), FilterPattern: ptr(`ERROR:`)})
	RequireCode(t, err, "InvalidParameterException", "Invalid filter pattern: Invalid character(s) in term 'ERROR:'")
	_, err = b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g"), LogStreamNames: []string{"web"}, LogStreamNamePrefix: ptr("w")})
	RequireCode(t, err, "InvalidParameterException", "")
	_, err = b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g"), LogStreamNames: []string{"nope"}})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("nope")})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g"), NextToken: ptr("%%%")})
	RequireCode(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
}

func TestFilterLogEventsScanLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{FilterScanLimit: 1500})
	b.MustStream(t, "g", "s")
	now := b.nowMs()
	var ts []int64
	var msgs []string
	for i := range 5000 {
		ts = append(ts, now-int64(5000-i))
		msg := "noise"
		if i == 4999 {
			msg = "needle"
		}
		msgs = append(msgs, msg)
	}
	b.MustPut(t, "g", "s", ts, msgs...)
	// The search stops after each 1,500 or so events with an empty page and a token, and
	// finds the needle on a later page.
	in := &FilterLogEventsInput{LogGroupName: ptr("g"), FilterPattern: ptr("needle")}
	var found []string
	calls := 0
	for {
		out, err := b.svc.FilterLogEvents(b.ctx, in)
		require.NoError(t, err)
		calls++
		found = append(found, filtered(out.Events)...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	require.Equal(t, []string{"needle"}, found)
	require.Greater(t, calls, 2)
}

func TestRetentionHidesAndSweepDeletes(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{SweepInterval: time.Minute})
	require.NoError(t, b.svc.Start(b.ctx))
	t.Cleanup(b.svc.Stop)
	b.MustStream(t, "g", "s")
	now := b.nowMs()
	b.MustPut(t, "g", "s", []int64{now - 2*60*60*1000, now}, "old", "new")
	_, err := b.svc.PutRetentionPolicy(b.ctx, &PutRetentionPolicyInput{LogGroupName: ptr("g"), RetentionInDays: ptr(int32(1))})
	require.NoError(t, err)
	storedBytes := func() int64 {
		out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{})
		require.NoError(t, err)
		return *out.LogGroups[0].StoredBytes
	}
	require.EqualValues(t, 6, storedBytes())

	// 21 hours on, both events are kept.
	b.clock.Advance(21 * time.Hour)
	out, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	require.Equal(t, []string{"old", "new"}, messages(out.Events))

	// 23 hours on, the first is a day old: hidden at once, and deleted by a sweep.
	b.clock.Advance(2 * time.Hour)
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	require.Equal(t, []string{"new"}, messages(out.Events))
	fl, err := b.svc.FilterLogEvents(b.ctx, &FilterLogEventsInput{LogGroupName: ptr("g")})
	require.NoError(t, err)
	require.Equal(t, []string{"new"}, filtered(fl.Events))
	// The sweep runs every minute of the virtual clock: move it a minute at a time until
	// the sweep has run (well within the hour the second event has left).
	require.Eventually(t, func() bool {
		b.clock.Advance(time.Minute)
		return storedBytes() == 3
	}, 10*time.Second, 10*time.Millisecond)
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	require.Equal(t, []string{"new"}, messages(out.Events))

	b.clock.Advance(time.Hour)
	require.Eventually(t, func() bool {
		b.clock.Advance(time.Minute)
		return storedBytes() == 0
	}, 10*time.Second, 10*time.Millisecond)
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	require.Empty(t, out.Events)
}

func streamsOf(evs []*FilteredLogEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = *e.LogStreamName
	}
	return out
}
