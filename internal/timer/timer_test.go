package timer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
)

// t0 is the virtual time the tests start at.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testBundle struct {
	db    *store.DB
	clock *clock.Virtual
	s     *Scheduler

	mu    sync.Mutex
	fired []*Timer // copies, in fire order
}

func setup(t *testing.T, cfg Config) *testBundle {
	t.Helper()
	b := &testBundle{db: MustOpen(t, t.TempDir()), clock: clock.NewVirtual(t0)}
	cfg.Store, cfg.Clock = b.db, b.clock
	b.s = New(cfg)
	t.Cleanup(b.s.Stop)
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

// record is a handler that notes each fire.
func (b *testBundle) record(ctx context.Context, tx *store.Tx, t *Timer) (time.Time, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := *t
	b.fired = append(b.fired, &c)
	return time.Time{}, nil
}

func (b *testBundle) firedKeys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, len(b.fired))
	for i, t := range b.fired {
		out[i] = t.Key
	}
	return out
}

func (b *testBundle) mustStart(t *testing.T) {
	t.Helper()
	require.NoError(t, b.s.Start(t.Context()))
}

func (b *testBundle) mustSchedule(t *testing.T, kind, key string, due time.Time, payload string) {
	t.Helper()
	require.NoError(t, b.s.Schedule(t.Context(), nil, Timer{Kind: kind, Key: key, DueAt: due, Payload: []byte(payload)}))
}

// requireFired waits until the fired keys are want.
func (b *testBundle) requireFired(t *testing.T, want ...string) {
	t.Helper()
	require.Eventually(t, func() bool { return len(b.firedKeys()) >= len(want) }, 10*time.Second, time.Millisecond,
		"want %v fired, have %v", want, b.firedKeys())
	require.Equal(t, want, b.firedKeys())
}

// requireGone waits until the timer kind/key no longer exists: a handler records its fire
// before the fire's transaction commits.
func (b *testBundle) requireGone(t *testing.T, kind, key string) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := b.s.Get(t.Context(), kind, key)
		return errors.Is(err, store.ErrNotFound)
	}, 10*time.Second, time.Millisecond)
}

// sleeping waits until the loop sleeps with the given deadline, so that a test can check it
// is woken.
func (b *testBundle) sleeping(t *testing.T, until time.Time) {
	t.Helper()
	require.Eventually(t, func() bool { return b.s.nextWake.Load() == until.UnixMilli() }, 10*time.Second, time.Millisecond)
}

func TestFireInDueOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Concurrency: 1})
	b.s.Register("k", HandlerFunc(b.record))
	for _, s := range []int{5, 1, 3, 2, 4} {
		b.mustSchedule(t, "k", fmt.Sprint(s), t0.Add(time.Duration(s)*time.Second), "p"+fmt.Sprint(s))
	}
	b.mustStart(t)
	b.sleeping(t, t0.Add(time.Second))
	require.Empty(t, b.firedKeys(), "nothing is due before the clock moves")

	b.clock.Advance(2500 * time.Millisecond)
	b.requireFired(t, "1", "2")
	b.sleeping(t, t0.Add(3*time.Second))
	b.clock.Advance(time.Hour)
	b.requireFired(t, "1", "2", "3", "4", "5")
	for i, f := range b.fired {
		require.Equal(t, t0.Add(time.Duration(i+1)*time.Second), f.DueAt)
		require.Equal(t, "p"+f.Key, string(f.Payload))
		require.Zero(t, f.Attempt)
	}
	for _, key := range []string{"1", "2", "3", "4", "5"} {
		b.requireGone(t, "k", key)
	}
}

func TestRescheduleReplaces(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Concurrency: 1})
	b.s.Register("k", HandlerFunc(b.record))
	b.mustSchedule(t, "k", "a", t0.Add(10*time.Second), "first")
	b.mustSchedule(t, "k", "a", t0.Add(20*time.Second), "second")
	// Fires right after a's first due time: a would fire before it if it were still due then.
	b.mustSchedule(t, "k", "sentinel", t0.Add(10*time.Second+time.Millisecond), "")
	b.mustStart(t)
	b.clock.Advance(15 * time.Second)
	b.requireFired(t, "sentinel")
	got, err := b.s.Get(t.Context(), "k", "a")
	require.NoError(t, err)
	require.Equal(t, t0.Add(20*time.Second), got.DueAt)
	require.Equal(t, "second", string(got.Payload))
	b.clock.Advance(5 * time.Second)
	b.requireFired(t, "sentinel", "a")
	require.Equal(t, "second", string(b.fired[1].Payload))
}

func TestCancel(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Concurrency: 1})
	b.s.Register("k", HandlerFunc(b.record))
	b.mustSchedule(t, "k", "a", t0.Add(time.Second), "")
	b.mustSchedule(t, "k", "sentinel", t0.Add(2*time.Second), "")
	found, err := b.s.Cancel(t.Context(), nil, "k", "a")
	require.NoError(t, err)
	require.True(t, found)
	found, err = b.s.Cancel(t.Context(), nil, "k", "a")
	require.NoError(t, err)
	require.False(t, found)
	b.mustStart(t)
	b.clock.Advance(time.Minute)
	b.requireFired(t, "sentinel")
	_, err = b.s.Get(t.Context(), "k", "a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestScheduleInFailingTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	errAbort := errors.New("abort")
	err := b.db.Write(t.Context(), func(tx *store.Tx) error {
		if err := b.s.Schedule(t.Context(), tx, Timer{Kind: "k", Key: "a", DueAt: t0}); err != nil {
			return err
		}
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	_, err = b.s.Get(t.Context(), "k", "a")
	require.ErrorIs(t, err, store.ErrNotFound)

	// In a transaction that commits, the timer exists and fires.
	b.s.Register("k", HandlerFunc(b.record))
	b.mustStart(t)
	require.NoError(t, b.db.Write(t.Context(), func(tx *store.Tx) error {
		return b.s.Schedule(t.Context(), tx, Timer{Kind: "k", Key: "b", DueAt: t0})
	}))
	b.requireFired(t, "b")
}

func TestWakesForNearerTimer(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	b.s.Register("k", HandlerFunc(b.record))
	b.mustSchedule(t, "k", "far", t0.Add(time.Hour), "")
	b.mustStart(t)
	b.sleeping(t, t0.Add(time.Hour))

	// Scheduled in a caller's transaction: the notification after commit wakes the loop.
	require.NoError(t, b.db.Write(t.Context(), func(tx *store.Tx) error {
		return b.s.Schedule(t.Context(), tx, Timer{Kind: "k", Key: "near", DueAt: t0.Add(time.Second)})
	}))
	b.sleeping(t, t0.Add(time.Second))
	b.clock.Advance(time.Second)
	b.requireFired(t, "near")

	// Scheduled on its own.
	b.sleeping(t, t0.Add(time.Hour))
	b.mustSchedule(t, "k", "nearer", t0.Add(2*time.Second), "")
	b.sleeping(t, t0.Add(2*time.Second))
	b.clock.Advance(time.Second)
	b.requireFired(t, "near", "nearer")
}

func TestRecurring(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	b.s.Register("rate", HandlerFunc(func(ctx context.Context, tx *store.Tx, tm *Timer) (time.Time, error) {
		b.record(ctx, tx, tm)
		n := len(b.firedKeys())
		if n == 3 {
			return time.Time{}, nil
		}
		tm.Payload = fmt.Appendf(nil, "run %d", n+1)
		return tm.DueAt.Add(time.Minute), nil
	}))
	b.mustSchedule(t, "rate", "every-minute", t0.Add(time.Minute), "run 1")
	b.mustStart(t)
	for i := 1; i <= 3; i++ {
		b.sleeping(t, t0.Add(time.Duration(i)*time.Minute))
		b.clock.Advance(time.Minute)
		require.Eventually(t, func() bool { return len(b.firedKeys()) == i }, 10*time.Second, time.Millisecond)
	}
	for i, f := range b.fired {
		require.Equal(t, t0.Add(time.Duration(i+1)*time.Minute), f.DueAt)
		require.Equal(t, fmt.Sprintf("run %d", i+1), string(f.Payload), "the payload the handler left is kept")
	}
	b.requireGone(t, "rate", "every-minute") // returning no next time ends the recurrence
}

func TestFailedFireRollsBackAndRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{RetryDelay: 2 * time.Second, MaxRetryDelay: 5 * time.Second})
	var calls int
	b.s.Register("k", HandlerFunc(func(ctx context.Context, tx *store.Tx, tm *Timer) (time.Time, error) {
		calls++
		if _, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, value) VALUES (?, ?)", fmt.Sprintf("attempt-%d", calls), tm.LastError); err != nil {
			return time.Time{}, err
		}
		switch calls {
		case 1:
			return time.Time{}, errors.New("first failure")
		case 2:
			panic("second failure")
		case 3:
			return time.Time{}, errors.New("third failure")
		}
		b.record(ctx, tx, tm)
		return time.Time{}, nil
	}))
	b.mustSchedule(t, "k", "a", t0, "")
	b.mustStart(t)
	// Retries wait 2s, 4s, then 5s (the cap), on the clock.
	for i, wait := range []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second} {
		var got *Timer
		require.Eventually(t, func() bool {
			var err error
			got, err = b.s.Get(t.Context(), "k", "a")
			return err == nil && got.Attempt == i+1
		}, 10*time.Second, time.Millisecond)
		b.sleeping(t, b.clock.Now().Add(wait))
		require.NotEmpty(t, got.LastError)
		b.clock.Advance(wait)
	}
	b.requireFired(t, "a")
	require.Equal(t, 3, b.fired[0].Attempt)
	require.Equal(t, "third failure", b.fired[0].LastError)
	b.requireGone(t, "k", "a")
	var ids []string
	require.NoError(t, b.db.Read(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Query(t.Context(), "SELECT id FROM storetest_items ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}))
	require.Equal(t, []string{"attempt-4"}, ids, "a failed fire's writes are rolled back")
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	b.s.Stop() // before Start
	b.s.Stop()
	require.NoError(t, b.s.Start(t.Context()), "Start after Stop does nothing")
	require.Panics(t, func() { b.s.Register("", HandlerFunc(b.record)) })

	c := setup(t, Config{})
	c.s.Register("k", HandlerFunc(c.record))
	require.Panics(t, func() { c.s.Register("k", HandlerFunc(c.record)) })
	c.mustStart(t)
	require.NoError(t, c.s.Start(t.Context()))
	require.Panics(t, func() { c.s.Register("late", HandlerFunc(c.record)) })
	c.s.Stop()
	c.s.Stop()
}

func TestScheduleValidates(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	require.Error(t, b.s.Schedule(t.Context(), nil, Timer{Key: "k"}))
	require.Error(t, b.s.Schedule(t.Context(), nil, Timer{Kind: "k"}))
}

func TestDueAtRoundsUp(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	b.mustSchedule(t, "k", "a", t0.Add(1500*time.Microsecond), "")
	got, err := b.s.Get(t.Context(), "k", "a")
	require.NoError(t, err)
	require.Equal(t, t0.Add(2*time.Millisecond), got.DueAt, "never early")
	b.mustSchedule(t, "k", "now", time.Time{}, "")
	got, err = b.s.Get(t.Context(), "k", "now")
	require.NoError(t, err)
	require.Equal(t, t0, got.DueAt, "the zero time is now")
}

func TestOnlyRegisteredKinds(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{})
	b.s.Register("mine", HandlerFunc(b.record))
	b.mustSchedule(t, "theirs", "x", t0, "")
	b.mustSchedule(t, "mine", "y", t0.Add(time.Millisecond), "")
	b.mustStart(t)
	b.clock.Advance(time.Second)
	b.requireFired(t, "y")
	_, err := b.s.Get(t.Context(), "theirs", "x")
	require.NoError(t, err, "a kind no handler here fires is left for the node that has one")
}
