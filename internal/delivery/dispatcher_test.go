package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
)

// t0 is the virtual time the tests start at.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// attempt is one call of the test deliverer.
type attempt struct {
	job Job
	at  time.Time
}

// deadLetter is one call of the test owner's dead-letter function.
type deadLetter struct {
	job     Job
	failure Failure
}

type testBundle struct {
	db    *store.DB
	clock *clock.Virtual
	d     *Dispatcher

	mu       sync.Mutex
	attempts []attempt
	dead     []deadLetter
}

// setup builds a dispatcher on a SQLite store in a temporary directory and a virtual clock,
// with deliver as the "test" target's deliverer and a dead-letter function for owner "owner"
// that records what it gets. Jitter draws are 0 unless cfg says otherwise.
func setup(t *testing.T, cfg Config, deliver func(ctx context.Context, j *Job) error) *testBundle {
	t.Helper()
	b := &testBundle{db: MustOpen(t, t.TempDir()), clock: clock.NewVirtual(t0)}
	cfg.Store, cfg.Clock = b.db, b.clock
	if cfg.RandFunc == nil {
		cfg.RandFunc = func() float64 { return 0 }
	}
	b.d = New(cfg)
	b.d.Register("test", DelivererFunc(func(ctx context.Context, j *Job) error {
		b.mu.Lock()
		b.attempts = append(b.attempts, attempt{job: *j, at: b.clock.Now()})
		b.mu.Unlock()
		return deliver(ctx, j)
	}))
	b.d.RegisterDeadLetter("owner", func(ctx context.Context, tx *store.Tx, j *Job, f *Failure) error {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.dead = append(b.dead, deadLetter{job: *j, failure: *f})
		return nil
	})
	t.Cleanup(b.d.Stop)
	return b
}

// MustOpen opens a SQLite store in dir and closes it when the test ends.
func MustOpen(tb testing.TB, dir string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: dir})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, db.Close()) })
	return db
}

func (b *testBundle) mustStart(t *testing.T) {
	t.Helper()
	require.NoError(t, b.d.Start(t.Context()))
}

func (b *testBundle) mustEnqueue(t *testing.T, j *Job) *Job {
	t.Helper()
	if j.Target == "" {
		j.Target = "test"
	}
	require.NoError(t, b.d.Enqueue(t.Context(), nil, j))
	return j
}

func (b *testBundle) attemptCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.attempts)
}

func (b *testBundle) deadLetters() []deadLetter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.dead)
}

// waitRetry waits until job id has failed failures times and waits for its next attempt,
// and returns its status.
func (b *testBundle) waitRetry(t *testing.T, id int64, failures int) *Status {
	t.Helper()
	var st *Status
	require.Eventually(t, func() bool {
		var err error
		st, err = b.d.Get(t.Context(), id)
		return err == nil && st.Failures+st.Throttles == failures && !st.Claimed
	}, 10*time.Second, time.Millisecond, "job %d never failed %d times", id, failures)
	return st
}

// requireGone waits until job id is no longer stored.
func (b *testBundle) requireGone(t *testing.T, id int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := b.d.Get(t.Context(), id)
		return errors.Is(err, store.ErrNotFound)
	}, 10*time.Second, time.Millisecond, "job %d is still stored", id)
}

// waitDead waits for n dead letters.
func (b *testBundle) waitDead(t *testing.T, n int) []deadLetter {
	t.Helper()
	require.Eventually(t, func() bool { return len(b.deadLetters()) >= n }, 10*time.Second, time.Millisecond)
	return b.deadLetters()
}

// failing returns a deliverer whose k-th call fails with "boom k".
func failing() func(context.Context, *Job) error {
	var mu sync.Mutex
	n := 0
	return func(context.Context, *Job) error {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Errorf("boom %d", n)
	}
}

func TestLambdaAsyncRetriesThenDeadLetter(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, failing())
	j := b.mustEnqueue(t, &Job{
		Dest: "arn:aws:lambda:us-east-1:123456789012:function:f", Payload: []byte(`{"k":1}`),
		Attributes: map[string]string{"RequestId": "r-1"}, Policy: LambdaAsync(2, LambdaMaxAge), Owner: "owner",
	})
	require.NotZero(t, j.ID)
	require.Equal(t, t0, j.EnqueuedAt)
	b.mustStart(t)

	st := b.waitRetry(t, j.ID, 1)
	require.Equal(t, t0.Add(time.Minute), st.DueAt, "first retry after one minute")
	require.Equal(t, "boom 1", st.LastError)
	b.clock.Advance(time.Minute)
	st = b.waitRetry(t, j.ID, 2)
	require.Equal(t, t0.Add(3*time.Minute), st.DueAt, "second retry two minutes later")
	b.clock.Advance(2 * time.Minute)

	dl := b.waitDead(t, 1)
	require.Len(t, dl, 1)
	require.Equal(t, RetriesExhausted, dl[0].failure.Reason)
	require.Equal(t, 3, dl[0].failure.Attempts)
	require.EqualError(t, dl[0].failure.Err, "boom 3")
	require.Equal(t, `{"k":1}`, string(dl[0].job.Payload))
	require.Equal(t, "r-1", dl[0].job.Attributes["RequestId"])
	b.requireGone(t, j.ID)

	require.Equal(t, 3, b.attemptCount())
	for i, a := range b.attempts {
		require.Equal(t, i+1, a.job.Attempt)
		require.Equal(t, []time.Time{t0, t0.Add(time.Minute), t0.Add(3 * time.Minute)}[i], a.at)
		require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f", a.job.Dest)
		require.Equal(t, t0, a.job.EnqueuedAt)
	}
	require.Empty(t, b.attempts[0].job.LastError)
	require.Equal(t, "boom 2", b.attempts[2].job.LastError)
}

// TestRetriesFollowPresets drives a job that always fails under each preset and checks the
// due time of every retry against AWS's documented delays.
func TestRetriesFollowPresets(t *testing.T) {
	t.Parallel()
	const s = time.Second
	tests := []struct {
		name   string
		policy Policy
		scale  float64
		want   []time.Duration // delay before each retry, then the job dead-letters
		more   bool            // the policy allows more retries than want lists
	}{
		{name: "lambda async", policy: LambdaAsync(2, LambdaMaxAge), want: []time.Duration{time.Minute, 2 * time.Minute}},
		{name: "lambda async, one retry", policy: LambdaAsync(1, LambdaMaxAge), want: []time.Duration{time.Minute}},
		{name: "lambda async, scaled for development", policy: LambdaAsync(2, LambdaMaxAge), scale: 0.01,
			want: []time.Duration{600 * time.Millisecond, 1200 * time.Millisecond}},
		{name: "sns http default", policy: SNS(SNSHTTPDefault()), want: []time.Duration{20 * s, 20 * s, 20 * s}},
		{name: "sns managed endpoint", policy: SNS(SNSManagedEndpoint()), want: []time.Duration{0, 0, 0, 1 * s, 1 * s, 1 * s}, more: true},
		{name: "eventbridge", policy: EventBridge(4, EventBridgeMaxAge), want: []time.Duration{1 * s, 2 * s, 4 * s, 8 * s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, Config{RetryScale: tt.scale}, failing())
			j := b.mustEnqueue(t, &Job{Policy: tt.policy, Owner: "owner"})
			b.mustStart(t)
			wantAt := []time.Time{t0} // when each attempt should happen
			for i, delay := range tt.want {
				at := wantAt[i].Add(delay)
				if delay == 0 {
					// An immediate retry is not observable as a waiting job.
					require.Eventually(t, func() bool { return b.attemptCount() >= i+2 }, 10*time.Second, time.Millisecond)
				} else {
					st := b.waitRetry(t, j.ID, i+1)
					require.Equal(t, at, st.DueAt, "retry %d", i+1)
					b.clock.Advance(delay)
				}
				wantAt = append(wantAt, at)
			}
			if tt.more {
				b.waitRetry(t, j.ID, len(tt.want)+1)
			} else {
				dl := b.waitDead(t, 1)
				require.Equal(t, RetriesExhausted, dl[0].failure.Reason)
				require.Equal(t, len(tt.want)+1, dl[0].failure.Attempts)
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			var got []time.Time
			for _, a := range b.attempts {
				got = append(got, a.at)
			}
			require.Equal(t, wantAt, got, "attempt times")
		})
	}
}

func TestMaxEventAge(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, failing())
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(2, 90*time.Second), Owner: "owner"})
	b.mustStart(t)
	require.Equal(t, t0.Add(time.Minute), b.waitRetry(t, j.ID, 1).DueAt, "a retry within the age limit")
	b.clock.Advance(time.Minute)
	// The next retry would be 3 minutes after enqueue, past 90 seconds.
	dl := b.waitDead(t, 1)
	require.Equal(t, EventAgeExceeded, dl[0].failure.Reason)
	require.Equal(t, 2, dl[0].failure.Attempts)
	require.EqualError(t, dl[0].failure.Err, "boom 2")
	b.requireGone(t, j.ID)
}

func TestMaxEventAgeBeforeFirstAttempt(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, failing())
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(2, time.Minute), Owner: "owner"})
	b.clock.Advance(2 * time.Minute) // the node was down
	b.mustStart(t)
	dl := b.waitDead(t, 1)
	require.Equal(t, EventAgeExceeded, dl[0].failure.Reason)
	require.Zero(t, dl[0].failure.Attempts)
	require.NoError(t, dl[0].failure.Err)
	require.Zero(t, b.attemptCount(), "an expired job is not delivered")
	b.requireGone(t, j.ID)
}

func TestPermanentFailure(t *testing.T) {
	t.Parallel()
	errNoQueue := errors.New("no such queue")
	b := setup(t, Config{}, func(context.Context, *Job) error { return Permanent(errNoQueue) })
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(2, LambdaMaxAge), Owner: "owner"})
	b.mustStart(t)
	dl := b.waitDead(t, 1)
	require.Equal(t, PermanentFailure, dl[0].failure.Reason)
	require.Equal(t, 1, dl[0].failure.Attempts)
	require.ErrorIs(t, dl[0].failure.Err, errNoQueue)
	b.requireGone(t, j.ID)
}

func TestThrottlesDoNotCount(t *testing.T) {
	t.Parallel()
	var calls int
	b := setup(t, Config{}, func(context.Context, *Job) error {
		calls++
		if calls <= 3 {
			return Throttled(errors.New("TooManyRequestsException"))
		}
		return nil
	})
	// No retries allowed, yet throttles are retried: 1s, 2s, 4s.
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(0, LambdaMaxAge), Owner: "owner"})
	b.mustStart(t)
	for i, delay := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		failedAt := b.clock.Now()
		st := b.waitRetry(t, j.ID, i+1)
		require.Equal(t, i+1, st.Throttles)
		require.Zero(t, st.Failures)
		require.Equal(t, failedAt.Add(delay), st.DueAt)
		b.clock.Advance(delay)
	}
	b.requireGone(t, j.ID)
	require.Equal(t, 4, b.attemptCount())
	require.Empty(t, b.deadLetters())
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	var calls int
	b := setup(t, Config{RetryScale: 0.001}, func(context.Context, *Job) error {
		calls++
		if calls == 1 {
			return RetryAfter(errors.New("503"), 7*time.Second)
		}
		return nil
	})
	j := b.mustEnqueue(t, &Job{Policy: SNS(SNSHTTPDefault())})
	b.mustStart(t)
	require.Equal(t, t0.Add(7*time.Second), b.waitRetry(t, j.ID, 1).DueAt, "Retry-After is not scaled")
	b.clock.Advance(7 * time.Second)
	b.requireGone(t, j.ID)
}

func TestPanickingDelivererIsAFailure(t *testing.T) {
	t.Parallel()
	var calls int
	b := setup(t, Config{}, func(context.Context, *Job) error {
		calls++
		if calls == 1 {
			panic("deliverer bug")
		}
		return nil
	})
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(2, LambdaMaxAge)})
	b.mustStart(t)
	st := b.waitRetry(t, j.ID, 1)
	require.Contains(t, st.LastError, "deliverer bug")
	b.clock.Advance(time.Minute)
	b.requireGone(t, j.ID)
}

func TestFinalFailureWithoutOwnerIsDropped(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, func(context.Context, *Job) error { return Permanent(errors.New("gone")) })
	j := b.mustEnqueue(t, &Job{})
	b.mustStart(t)
	b.requireGone(t, j.ID)
	require.Empty(t, b.deadLetters())
}

// TestDeadLetterHandOff has the owner enqueue each finally failed job to a dead-letter
// target in the hand-off's transaction; a failing hand-off is retried later, without
// delivering the job again.
func TestDeadLetterHandOff(t *testing.T) {
	t.Parallel()
	b := &testBundle{db: MustOpen(t, t.TempDir()), clock: clock.NewVirtual(t0)}
	b.d = New(Config{Store: b.db, Clock: b.clock})
	t.Cleanup(b.d.Stop)
	var delivered, dlq []string
	var mu sync.Mutex
	b.d.Register("sqs", DelivererFunc(func(ctx context.Context, j *Job) error {
		mu.Lock()
		defer mu.Unlock()
		delivered = append(delivered, string(j.Payload))
		return Permanent(errors.New("AccessDenied"))
	}))
	b.d.Register("dlq", DelivererFunc(func(ctx context.Context, j *Job) error {
		mu.Lock()
		defer mu.Unlock()
		dlq = append(dlq, string(j.Payload)+" "+j.Attributes["ERROR_MESSAGE"])
		return nil
	}))
	handOffs := 0
	b.d.RegisterDeadLetter("events", func(ctx context.Context, tx *store.Tx, j *Job, f *Failure) error {
		handOffs++
		if handOffs == 1 {
			return errors.New("dead-letter queue unavailable")
		}
		return b.d.Enqueue(ctx, tx, &Job{
			Target: "dlq", Dest: "arn:aws:sqs:us-east-1:123456789012:dlq", Payload: j.Payload,
			Attributes: map[string]string{"ERROR_MESSAGE": f.Err.Error()},
		})
	})
	j := &Job{Target: "sqs", Payload: []byte("event"), Policy: EventBridge(EventBridgeMaxRetries, EventBridgeMaxAge), Owner: "events"}
	require.NoError(t, b.d.Enqueue(t.Context(), nil, j))
	b.mustStart(t)

	var st *Status
	require.Eventually(t, func() bool {
		var err error
		st, err = b.d.Get(t.Context(), j.ID)
		return err == nil && st.DeadReason != "" && !st.Claimed
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, PermanentFailure, st.DeadReason)
	require.Equal(t, t0.Add(DefaultDeadLetterRetry), st.DueAt)
	require.Equal(t, "AccessDenied", st.LastError)

	b.clock.Advance(DefaultDeadLetterRetry)
	b.requireGone(t, j.ID)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(dlq) == 1
	}, 10*time.Second, time.Millisecond)
	require.Equal(t, []string{"event AccessDenied"}, dlq)
	require.Equal(t, []string{"event"}, delivered, "the hand-off is retried, not the delivery")
}

func TestUnregisteredOwnerKeepsJob(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, func(context.Context, *Job) error { return Permanent(errors.New("no")) })
	j := b.mustEnqueue(t, &Job{Owner: "elsewhere"})
	b.mustStart(t)
	require.Eventually(t, func() bool {
		st, err := b.d.Get(t.Context(), j.ID)
		return err == nil && st.DeadReason == PermanentFailure && !st.Claimed
	}, 10*time.Second, time.Millisecond)
	b.clock.Advance(DefaultDeadLetterRetry)
	var st *Status
	require.Eventually(t, func() bool {
		var err error
		st, err = b.d.Get(t.Context(), j.ID)
		return err == nil && st.DueAt.Equal(t0.Add(2*DefaultDeadLetterRetry)) && !st.Claimed
	}, 10*time.Second, time.Millisecond, "the hand-off is tried again, later")
	require.Equal(t, 1, b.attemptCount(), "a dead job is not delivered again")
	require.Equal(t, 1, st.Attempt, "hand-off retries are not delivery attempts")
}

func TestEnqueueInTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, func(context.Context, *Job) error { return nil })
	b.mustStart(t)
	errAbort := errors.New("publish failed")
	err := b.db.Write(t.Context(), func(tx *store.Tx) error {
		if err := b.d.Enqueue(t.Context(), tx, &Job{Target: "test", Payload: []byte("rolled back")}); err != nil {
			return err
		}
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	list, err := b.d.List(t.Context(), "")
	require.NoError(t, err)
	require.Empty(t, list, "a failed transaction leaves no job")

	j := &Job{Target: "test", Payload: []byte("committed")}
	require.NoError(t, b.db.Write(t.Context(), func(tx *store.Tx) error { return b.d.Enqueue(t.Context(), tx, j) }))
	b.requireGone(t, j.ID)
	require.Equal(t, 1, b.attemptCount())
	require.Equal(t, "committed", string(b.attempts[0].job.Payload))
}

func TestEnqueueValidates(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, nil)
	require.Error(t, b.d.Enqueue(t.Context(), nil, &Job{}))
	require.Error(t, b.d.Enqueue(t.Context(), nil, &Job{Target: "test"}, &Job{Target: "test", Policy: Policy{MaxAge: -1}}))
	list, err := b.d.List(t.Context(), "")
	require.NoError(t, err)
	require.Empty(t, list, "an invalid job stores none of its batch")
}

// TestOrderingKeyUnderConcurrency enqueues jobs of a few keys from several goroutines and
// delivers them with many workers and random failures: each key's jobs are delivered one at
// a time, successfully in enqueue order.
func TestOrderingKeyUnderConcurrency(t *testing.T) {
	t.Parallel()
	const (
		keys      = 4
		perKey    = 40
		producers = 4
	)
	var (
		mu        sync.Mutex
		inFlight  = map[string]bool{}
		delivered = map[string][]int64{}
		overlaps  []string
	)
	b := setup(t, Config{Concurrency: 16}, func(ctx context.Context, j *Job) error {
		mu.Lock()
		if inFlight[j.OrderingKey] {
			overlaps = append(overlaps, fmt.Sprintf("key %s: job %d delivered alongside another", j.OrderingKey, j.ID))
		}
		inFlight[j.OrderingKey] = true
		mu.Unlock()
		runtime.Gosched()
		fail := rand.IntN(3) == 0
		mu.Lock()
		inFlight[j.OrderingKey] = false
		if !fail {
			delivered[j.OrderingKey] = append(delivered[j.OrderingKey], j.ID)
		}
		mu.Unlock()
		if fail {
			return errors.New("transient")
		}
		return nil
	})
	// Retried at once, without limit: order must survive failures.
	policy := Policy{MaxRetries: -1}
	b.mustStart(t)
	var (
		wg       sync.WaitGroup
		enqueued = map[string][]int64{}
		emu      sync.Mutex
	)
	for p := range producers {
		wg.Go(func() {
			for i := range keys * perKey / producers {
				key := fmt.Sprintf("fifo-%d", (i+p)%keys)
				j := &Job{Target: "test", Payload: []byte(key), OrderingKey: key, Policy: policy}
				// Enqueue order is commit order: hold the lock across the commit.
				emu.Lock()
				err := b.d.Enqueue(t.Context(), nil, j)
				enqueued[key] = append(enqueued[key], j.ID)
				emu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, ids := range delivered {
			n += len(ids)
		}
		return n == keys*perKey
	}, 30*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, overlaps)
	require.Equal(t, enqueued, delivered)
}

func TestStopReleasesInFlight(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	b := setup(t, Config{}, func(ctx context.Context, j *Job) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	})
	j := b.mustEnqueue(t, &Job{Policy: LambdaAsync(0, LambdaMaxAge)})
	b.mustStart(t)
	<-started
	b.d.Stop()
	st, err := b.d.Get(t.Context(), j.ID)
	require.NoError(t, err)
	require.False(t, st.Claimed)
	require.Zero(t, st.Attempt, "an attempt cut short by Stop does not count")
	require.Zero(t, st.Failures)
	require.Equal(t, t0, st.DueAt)
	b.d.Stop()
	require.NoError(t, b.d.Start(t.Context()), "Start after Stop does nothing")
}

func TestRegisterRules(t *testing.T) {
	t.Parallel()
	d := New(Config{Store: MustOpen(t, t.TempDir())})
	d.Stop() // before Start
	nop := DelivererFunc(func(context.Context, *Job) error { return nil })
	require.Panics(t, func() { d.Register("", nop) })
	d.Register("sqs", nop)
	require.Panics(t, func() { d.Register("sqs", nop) })
	require.Panics(t, func() { d.RegisterDeadLetter("", nil) })

	e := New(Config{Store: MustOpen(t, t.TempDir())})
	e.Register("sqs", nop)
	require.NoError(t, e.Start(t.Context()))
	require.Panics(t, func() { e.Register("sns", nop) })
	require.Panics(t, func() {
		e.RegisterDeadLetter("x", func(context.Context, *store.Tx, *Job, *Failure) error { return nil })
	})
	e.Stop()
	e.Stop()
}

func TestOnlyRegisteredTargets(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, func(context.Context, *Job) error { return nil })
	other := b.mustEnqueue(t, &Job{Target: "elsewhere"})
	mine := b.mustEnqueue(t, &Job{})
	b.mustStart(t)
	b.requireGone(t, mine.ID)
	st, err := b.d.Get(t.Context(), other.ID)
	require.NoError(t, err, "a target this node has no deliverer for is left to the nodes that have one")
	require.False(t, st.Claimed)
	list, err := b.d.List(t.Context(), "elsewhere")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.True(t, strings.HasPrefix(list[0].Target, "elsewhere"))
}
