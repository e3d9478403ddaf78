package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

type sentMessage struct {
	queue, body, group string
	attrs              map[string]string
}

type testBundle struct {
	svc   *Service
	clock *clock.Virtual
	ctx   context.Context

	mu      sync.Mutex
	sent    []sentMessage
	failing map[string]bool
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{Ephemeral: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	b := &testBundle{clock: clock.NewVirtual(t0), failing: map[string]bool{}}
	disp := delivery.New(delivery.Config{Store: db, Clock: b.clock, RandFunc: func() float64 { return 0 }})
	timers := timer.New(timer.Config{Store: db, Clock: b.clock})
	b.svc = New(Deps{Store: db, Clock: b.clock, Dispatcher: disp, Timers: timers, SendToSQS: b.send, RandFunc: func() float64 { return 0.5 }})
	require.NoError(t, disp.Start(t.Context()))
	require.NoError(t, timers.Start(t.Context()))
	t.Cleanup(func() { timers.Stop(); disp.Stop() })
	b.ctx = protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion})
	return b
}

func (b *testBundle) send(_ context.Context, queue, body, group, _ string, attrs map[string]string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failing[queue] {
		return errors.New("queue unavailable")
	}
	b.sent = append(b.sent, sentMessage{queue, body, group, attrs})
	return nil
}

func (b *testBundle) count(queue string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.sent {
		if m.queue == queue {
			n++
		}
	}
	return n
}

// MustReceive waits until n messages reached queue and returns them.
func (b *testBundle) MustReceive(t *testing.T, queue string, n int) []sentMessage {
	t.Helper()
	require.Eventually(t, func() bool { return b.count(queue) >= n }, 5*time.Second, 5*time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	var got []sentMessage
	for _, m := range b.sent {
		if m.queue == queue {
			got = append(got, m)
		}
	}
	return got
}

func queueARN(name string) string { return "arn:aws:sqs:us-east-1:" + testAccount + ":" + name }

var off = &FlexibleTimeWindow{Mode: ptr("OFF")}

func sqsTarget(name, input string) *Target {
	return &Target{ARN: ptr(queueARN(name)), RoleARN: ptr("arn:aws:iam::123456789012:role/r"), Input: ptr(input)}
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var pe *protocol.Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, code, pe.Code, pe.Message)
}

func TestAtScheduleFiresOnceAndDeletes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("once"), ScheduleExpression: ptr("at(2026-03-01T12:10:00)"),
		FlexibleTimeWindow: off, ActionAfterCompletion: ptr("DELETE"),
		Target: sqsTarget("q", `{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","n":<aws.scheduler.attempt-number>}`)})
	require.NoError(t, err)
	b.clock.Advance(9 * time.Minute)
	_, err = b.svc.GetSchedule(b.ctx, &GetScheduleInput{Name: ptr("once")})
	require.NoError(t, err)
	require.Zero(t, b.count(queueARN("q")))
	b.clock.Advance(time.Minute)
	m := b.MustReceive(t, queueARN("q"), 1)[0]
	require.JSONEq(t, `{"arn":"arn:aws:scheduler:us-east-1:123456789012:schedule/default/once","at":"2026-03-01T12:10:00Z","n":1}`, m.body)
	require.Eventually(t, func() bool {
		_, err := b.svc.GetSchedule(b.ctx, &GetScheduleInput{Name: ptr("once")})
		return err != nil
	}, 5*time.Second, 5*time.Millisecond, "ActionAfterCompletion DELETE removes the schedule")
}

func TestRateScheduleWithTimezoneAndFlexibleWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("tick"), ScheduleExpression: ptr("rate(10 minutes)"),
		FlexibleTimeWindow: &FlexibleTimeWindow{Mode: ptr("FLEXIBLE"), MaximumWindowInMinutes: ptr(int32(4))},
		Target:             sqsTarget("tick", "tick")})
	require.NoError(t, err)
	// The window's midpoint (RandFunc 0.5): 10 minutes + 2 minutes.
	b.clock.Advance(11 * time.Minute)
	require.Zero(t, b.count(queueARN("tick")))
	b.clock.Advance(time.Minute)
	b.MustReceive(t, queueARN("tick"), 1)
	b.clock.Advance(10 * time.Minute)
	b.MustReceive(t, queueARN("tick"), 2)

	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("ny"), ScheduleExpression: ptr("cron(0 9 * * ? *)"),
		ScheduleExpressionTimezone: ptr("America/New_York"), FlexibleTimeWindow: off, Target: sqsTarget("ny", "morning")})
	require.NoError(t, err)
	// 09:00 in New York on 2026-03-02 is 14:00 UTC; the clock is now 12:22 on 03-01.
	b.clock.Set(time.Date(2026, 3, 2, 13, 59, 0, 0, time.UTC))
	require.Zero(t, b.count(queueARN("ny")))
	b.clock.Set(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	b.MustReceive(t, queueARN("ny"), 1)
}

func TestUniversalSQSTargetAndDisabledState(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("u"), ScheduleExpression: ptr("rate(1 minute)"), FlexibleTimeWindow: off,
		Target: &Target{ARN: ptr("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), RoleARN: ptr("arn:aws:iam::123456789012:role/r"),
			Input: ptr(`{"QueueUrl":"http://localhost:4566/123456789012/uq","MessageBody":"hello"}`)}})
	require.NoError(t, err)
	b.clock.Advance(time.Minute)
	require.Equal(t, "hello", b.MustReceive(t, queueARN("uq"), 1)[0].body)

	_, err = b.svc.UpdateSchedule(b.ctx, &UpdateScheduleInput{Name: ptr("u"), ScheduleExpression: ptr("rate(1 minute)"), FlexibleTimeWindow: off,
		State: ptr("DISABLED"), Target: sqsTarget("uq", "x")})
	require.NoError(t, err)
	b.clock.Advance(5 * time.Minute)
	got, err := b.svc.GetSchedule(b.ctx, &GetScheduleInput{Name: ptr("u")})
	require.NoError(t, err)
	require.Equal(t, "DISABLED", *got.State)
	require.Equal(t, 1, b.count(queueARN("uq")))
}

func TestScheduleDeadLetterQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.failing[queueARN("down")] = true
	tgt := sqsTarget("down", "payload")
	tgt.RetryPolicy = &RetryPolicy{MaximumRetryAttempts: ptr(int32(1))}
	tgt.DeadLetterConfig = &DeadLetterConfig{ARN: ptr(queueARN("dlq"))}
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("d"), ScheduleExpression: ptr("at(2026-03-01T12:01:00)"),
		FlexibleTimeWindow: off, Target: tgt})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		b.clock.Advance(2 * time.Second) // short steps: an attempt in flight keeps its lease
		return b.count(queueARN("dlq")) > 0
	}, 5*time.Second, 10*time.Millisecond)
	m := b.MustReceive(t, queueARN("dlq"), 1)[0]
	require.Equal(t, "payload", m.body)
	require.Equal(t, "arn:aws:scheduler:us-east-1:123456789012:schedule/default/d", m.attrs["SCHEDULE_ARN"])
	require.Equal(t, queueARN("down"), m.attrs["TARGET_ARN"])
	require.NotEmpty(t, m.attrs["EXECUTION_ID"])
}

func TestScheduleErrorsAndGroups(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, expr := range []string{"rate(0 minutes)", "cron(0 12 * * * *)", "at(2026-02-30 10:00)", "sometimes"} {
		_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("bad"), ScheduleExpression: ptr(expr), FlexibleTimeWindow: off, Target: sqsTarget("q", "x")})
		requireCode(t, err, "ValidationException")
	}
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("bad"), ScheduleExpression: ptr("rate(5 minutes)"),
		ScheduleExpressionTimezone: ptr("Mars/Olympus"), FlexibleTimeWindow: off, Target: sqsTarget("q", "x")})
	requireCode(t, err, "ValidationException")
	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("bad"), ScheduleExpression: ptr("rate(5 minutes)"), FlexibleTimeWindow: off,
		Target: &Target{ARN: ptr("arn:aws:lambda:us-east-1:123456789012:function:f"), RoleARN: ptr("arn:aws:iam::123456789012:role/r")}})
	requireCode(t, err, "ValidationException")
	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("bad"), ScheduleExpression: ptr("rate(5 minutes)"), FlexibleTimeWindow: off,
		Target: &Target{ARN: ptr("arn:aws:scheduler:::aws-sdk:dynamodb:putItem"), RoleARN: ptr("arn:aws:iam::123456789012:role/r"), Input: ptr("{}")}})
	requireCode(t, err, "ValidationException")
	_, err = b.svc.GetSchedule(b.ctx, &GetScheduleInput{Name: ptr("bad")})
	requireCode(t, err, "ResourceNotFoundException")

	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("s"), GroupName: ptr("g"), ScheduleExpression: ptr("rate(5 minutes)"), FlexibleTimeWindow: off, Target: sqsTarget("q", "x")})
	requireCode(t, err, "ResourceNotFoundException")
	g, err := b.svc.CreateScheduleGroup(b.ctx, &CreateScheduleGroupInput{Name: ptr("g"), Tags: []*Tag{{Key: ptr("team"), Value: ptr("a")}}})
	require.NoError(t, err)
	_, err = b.svc.CreateScheduleGroup(b.ctx, &CreateScheduleGroupInput{Name: ptr("g")})
	requireCode(t, err, "ConflictException")
	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("s"), GroupName: ptr("g"), ScheduleExpression: ptr("rate(5 minutes)"), FlexibleTimeWindow: off, Target: sqsTarget("q", "x")})
	require.NoError(t, err)
	_, err = b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("s"), GroupName: ptr("g"), ScheduleExpression: ptr("rate(5 minutes)"), FlexibleTimeWindow: off, Target: sqsTarget("q", "x")})
	requireCode(t, err, "ConflictException")
	groups, err := b.svc.ListScheduleGroups(b.ctx, &ListScheduleGroupsInput{})
	require.NoError(t, err)
	require.Len(t, groups.ScheduleGroups, 2)
	tags, err := b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: g.ScheduleGroupARN})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	list, err := b.svc.ListSchedules(b.ctx, &ListSchedulesInput{GroupName: ptr("g")})
	require.NoError(t, err)
	require.Len(t, list.Schedules, 1)
	_, err = b.svc.DeleteScheduleGroup(b.ctx, &DeleteScheduleGroupInput{Name: ptr("g")})
	require.NoError(t, err)
	list, err = b.svc.ListSchedules(b.ctx, &ListSchedulesInput{})
	require.NoError(t, err)
	require.Empty(t, list.Schedules)
	_, err = b.svc.DeleteScheduleGroup(b.ctx, &DeleteScheduleGroupInput{Name: ptr("default")})
	requireCode(t, err, "ValidationException")
	b.clock.Advance(10 * time.Minute)
	require.Zero(t, b.count(queueARN("q")), "a deleted group's schedules do not fire")
}

func TestStartAndEndDateAndLambdaTarget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var (
		mu      sync.Mutex
		invoked []string
	)
	b.svc.deps.InvokeFunction = func(_ context.Context, fn string, payload []byte) error {
		mu.Lock()
		defer mu.Unlock()
		invoked = append(invoked, fn+" "+string(payload))
		return nil
	}
	fn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	start, end := t0.Add(time.Hour), t0.Add(time.Hour+25*time.Minute)
	_, err := b.svc.CreateSchedule(b.ctx, &CreateScheduleInput{Name: ptr("window"), ScheduleExpression: ptr("rate(10 minutes)"),
		StartDate: &start, EndDate: &end, FlexibleTimeWindow: off,
		Target: &Target{ARN: ptr(fn), RoleARN: ptr("arn:aws:iam::123456789012:role/r"), Input: ptr(`{"k":1}`)}})
	require.NoError(t, err)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(invoked)
	}
	b.clock.Advance(59 * time.Minute)
	require.Zero(t, count(), "nothing before StartDate")
	// Firings at StartDate, +10 and +20 minutes; +30 is past EndDate.
	for i := 1; i <= 3; i++ {
		b.clock.Advance(10 * time.Minute)
		require.Eventually(t, func() bool { return count() == i }, 5*time.Second, 5*time.Millisecond)
	}
	b.clock.Advance(time.Hour)
	require.Never(t, func() bool { return count() > 3 }, 100*time.Millisecond, 10*time.Millisecond)
	mu.Lock()
	require.Equal(t, fn+` {"k":1}`, invoked[0])
	mu.Unlock()
}
