package events

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestArchiveAndReplay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	busARN := "arn:aws:events:us-east-1:123456789012:event-bus/default"
	arc, err := b.svc.CreateArchive(b.ctx, &CreateArchiveInput{ArchiveName: ptr("all"), EventSourceARN: ptr(busARN), EventPattern: ptr(`{"source":["app"]}`)})
	require.NoError(t, err)
	_, err = b.svc.CreateArchive(b.ctx, &CreateArchiveInput{ArchiveName: ptr("all"), EventSourceARN: ptr(busARN)})
	requireCode(t, err, "ResourceAlreadyExistsException")

	put := func(src, detail string, at time.Time) {
		_, err := b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{{Source: ptr(src), DetailType: ptr("T"), Detail: ptr(detail), Time: &at}}})
		require.NoError(t, err)
	}
	put("app", `{"n":1}`, t0.Add(-2*time.Hour))
	put("app", `{"n":2}`, t0.Add(-time.Hour))
	put("other", `{"n":3}`, t0.Add(-time.Hour))
	put("app", `{"n":4}`, t0)

	d, err := b.svc.DescribeArchive(b.ctx, &DescribeArchiveInput{ArchiveName: ptr("all")})
	require.NoError(t, err)
	require.Equal(t, int64(3), *d.EventCount, "the archive keeps the events its pattern matches")

	// A rule added after the events were put sees them only through a replay.
	b.MustRule(t, "", "late", `{"source":["app"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("late")), InputPath: ptr("$.detail")})
	other := &Target{ID: ptr("q"), ARN: ptr(queueARN("other"))}
	b.MustRule(t, "", "other", `{"source":["app"]}`, other)
	ruleARN := "arn:aws:events:us-east-1:123456789012:rule/late"
	_, err = b.svc.StartReplay(b.ctx, &StartReplayInput{ReplayName: ptr("r1"), EventSourceARN: arc.ArchiveARN,
		EventStartTime: ptr(t0.Add(-90 * time.Minute)), EventEndTime: ptr(t0.Add(time.Minute)),
		Destination: &ReplayDestination{ARN: ptr(busARN), FilterARNs: []string{ruleARN}}})
	require.NoError(t, err)
	msgs := b.MustReceive(t, queueARN("late"), 2)
	require.Len(t, msgs, 2)
	require.ElementsMatch(t, []string{`{"n":2}`, `{"n":4}`}, []string{msgs[0].body, msgs[1].body})
	require.Eventually(t, func() bool {
		r, err := b.svc.DescribeReplay(b.ctx, &DescribeReplayInput{ReplayName: ptr("r1")})
		return err == nil && *r.State == "COMPLETED"
	}, 5*time.Second, 5*time.Millisecond)
	b.mu.Lock()
	for _, m := range b.sent {
		require.NotEqual(t, queueARN("other"), m.queue, "FilterArns limits the replay to the rules named")
	}
	b.mu.Unlock()
	d, err = b.svc.DescribeArchive(b.ctx, &DescribeArchiveInput{ArchiveName: ptr("all")})
	require.NoError(t, err)
	require.Equal(t, int64(3), *d.EventCount, "replayed events are not archived again")

	_, err = b.svc.CancelReplay(b.ctx, &CancelReplayInput{ReplayName: ptr("r1")})
	requireCode(t, err, "IllegalStatusException")
	_, err = b.svc.StartReplay(b.ctx, &StartReplayInput{ReplayName: ptr("r2"), EventSourceARN: arc.ArchiveARN,
		EventStartTime: ptr(t0), EventEndTime: ptr(t0.Add(-time.Hour)), Destination: &ReplayDestination{ARN: ptr(busARN)}})
	requireCode(t, err, "ValidationException")
	list, err := b.svc.ListReplays(b.ctx, &ListReplaysInput{})
	require.NoError(t, err)
	require.Len(t, list.Replays, 1)
	_, err = b.svc.DeleteArchive(b.ctx, &DeleteArchiveInput{ArchiveName: ptr("all")})
	require.NoError(t, err)
	_, err = b.svc.DescribeArchive(b.ctx, &DescribeArchiveInput{ArchiveName: ptr("all")})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestArchiveRetention(t *testing.T) {
	t.Parallel()
	b := setup(t)
	busARN := "arn:aws:events:us-east-1:123456789012:event-bus/default"
	_, err := b.svc.CreateArchive(b.ctx, &CreateArchiveInput{ArchiveName: ptr("short"), EventSourceARN: ptr(busARN), RetentionDays: ptr(int32(1))})
	require.NoError(t, err)
	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{{Source: ptr("a"), DetailType: ptr("T"), Detail: ptr(`{}`)}}})
	require.NoError(t, err)
	d, err := b.svc.DescribeArchive(b.ctx, &DescribeArchiveInput{ArchiveName: ptr("short")})
	require.NoError(t, err)
	require.Equal(t, int64(1), *d.EventCount)
	b.clock.Advance(25 * time.Hour)
	d, err = b.svc.DescribeArchive(b.ctx, &DescribeArchiveInput{ArchiveName: ptr("short")})
	require.NoError(t, err)
	require.Zero(t, *d.EventCount, "past RetentionDays an event is gone")
}
