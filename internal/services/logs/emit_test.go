package logs

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEmitCreatesGroupAndStream(t *testing.T) {
	t.Parallel()
	b := setup(t)
	group, stream := "/aws/lambda/fn", "2026/03/01/[$LATEST]abcdef"
	at := testStart.Add(-time.Minute)
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, stream, []Event{
		{Time: at, Message: "START RequestId: 1 Version: $LATEST\n"},
		{Message: "hello\n"},
	}))
	out, err := b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, StartFromHead: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, []string{"START RequestId: 1 Version: $LATEST\n", "hello\n"}, messages(out.Events))
	require.Equal(t, at.UnixMilli(), *out.Events[0].Timestamp)
	require.Equal(t, b.nowMs(), *out.Events[1].Timestamp, "the zero time is now")

	// The group is an ordinary group: described, deleted, and created again on next use.
	gs, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{})
	require.NoError(t, err)
	require.Equal(t, group, *gs.LogGroups[0].LogGroupName)
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: &group})
	require.NoError(t, err)
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, stream, []Event{{Message: "again"}}))
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream})
	require.NoError(t, err)
	require.Equal(t, []string{"again"}, messages(out.Events))

	// A stream deleted behind the cache's back (another node) is created again too.
	_, err = b.db.LogsGroupGet(b.ctx, testAccount, testRegion, group)
	require.NoError(t, err)
	g, _ := b.db.LogsGroupGet(b.ctx, testAccount, testRegion, group)
	require.NoError(t, b.db.LogsStreamDelete(b.ctx, g.ID, stream))
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, stream, []Event{{Message: "third"}}))
	out, err = b.svc.GetLogEvents(b.ctx, &GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream})
	require.NoError(t, err)
	require.Equal(t, []string{"third"}, messages(out.Events))

	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, stream, nil))
	require.Error(t, b.svc.Emit(b.ctx, testAccount, testRegion, "", stream, []Event{{Message: "x"}}))
}

func TestEmitConcurrent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const writers, calls, perCall = 8, 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*calls)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("stream-%d", w%2)
			for c := range calls {
				evs := make([]Event, perCall)
				for i := range evs {
					evs[i] = Event{Message: fmt.Sprintf("w%d c%d e%d", w, c, i)}
				}
				errs <- b.svc.Emit(b.ctx, testAccount, testRegion, "/aws/lambda/busy", stream, evs)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	total := 0
	in := &FilterLogEventsInput{LogGroupName: ptr("/aws/lambda/busy")}
	for {
		out, err := b.svc.FilterLogEvents(b.ctx, in)
		require.NoError(t, err)
		total += len(out.Events)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	require.Equal(t, writers*calls*perCall, total)
	ss, err := b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("/aws/lambda/busy")})
	require.NoError(t, err)
	require.Len(t, ss.LogStreams, 2)
}
