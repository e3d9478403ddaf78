package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// timerCases returns the conformance cases of the timer store methods.
func timerCases() []Case {
	return []Case{
		{"TimerScheduleClaimTake", testTimerScheduleClaimTake},
		{"TimerRescheduleReplaces", testTimerRescheduleReplaces},
		{"TimerLeaseExpiry", testTimerLeaseExpiry},
		{"TimerRetry", testTimerRetry},
		{"TimerCancel", testTimerCancel},
		{"TimerTakeRollback", testTimerTakeRollback},
		{"TimerReleaseClaims", testTimerReleaseClaims},
		{"TimerTwoNodesNoOverlap", testTimerTwoNodes},
	}
}

// timerT0 is the time the timer cases start at (unix milliseconds).
const timerT0 = int64(1_772_366_400_000)

// timerLease is the lease the timer cases claim with.
const timerLease = int64(60_000)

// MustTimerSchedule schedules kind/key due at dueAt with payload, in a Write of its own.
func MustTimerSchedule(tb testing.TB, db *store.DB, kind, key string, dueAt int64, payload string) *store.Timer {
	tb.Helper()
	t := &store.Timer{Kind: kind, Key: key, DueAt: dueAt, Payload: []byte(payload), CreatedAt: timerT0}
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error { return tx.TimerUpsert(context.Background(), t) }))
	return t
}

// MustTimerClaim claims up to limit timers of kinds at now with a random token.
func MustTimerClaim(tb testing.TB, db *store.DB, now int64, limit int, kinds ...string) *store.TimerClaimResult {
	tb.Helper()
	res, err := db.TimerClaim(context.Background(), &store.TimerClaimParams{Kinds: kinds, Now: now, Limit: limit, LeaseMs: timerLease, Token: randomToken()})
	require.NoError(tb, err)
	return res
}

func mustTimerTake(tb testing.TB, db *store.DB, t *store.Timer) bool {
	tb.Helper()
	var ok bool
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		ok, err = tx.TimerTake(context.Background(), t.ID, t.LeaseToken)
		return err
	}))
	return ok
}

func timerKeys(ts []*store.Timer) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	return out
}

func testTimerScheduleClaimTake(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustTimerSchedule(t, db, "states.wait", "late", timerT0+20_000, "p-late")
	MustTimerSchedule(t, db, "states.wait", "b", timerT0+10_000, "p-b")
	MustTimerSchedule(t, db, "states.wait", "a", timerT0+5_000, "p-a")
	MustTimerSchedule(t, db, "other", "x", timerT0, "p-x")

	res := MustTimerClaim(t, db, timerT0+4_999, 10, "states.wait")
	require.Empty(t, res.Timers)
	require.Equal(t, timerT0+5_000, res.NextRunAt)

	res = MustTimerClaim(t, db, timerT0+10_000, 10, "states.wait")
	require.Equal(t, []string{"a", "b"}, timerKeys(res.Timers), "due timers of the kinds asked, in due order")
	require.Equal(t, "p-a", string(res.Timers[0].Payload))
	require.Equal(t, timerT0+5_000, res.Timers[0].DueAt)
	require.Equal(t, timerT0+10_000+timerLease, res.Timers[0].RunAt)
	require.Equal(t, timerT0+20_000, res.NextRunAt)
	require.Empty(t, MustTimerClaim(t, db, timerT0+10_000, 10, "states.wait").Timers, "claimed timers are not claimed again")

	require.True(t, mustTimerTake(t, db, res.Timers[0]))
	require.False(t, mustTimerTake(t, db, res.Timers[0]), "a timer is taken once")
	_, err := db.TimerGet(ctx, "states.wait", "a")
	require.ErrorIs(t, err, store.ErrNotFound)
	stale := *res.Timers[1]
	stale.LeaseToken++
	require.False(t, mustTimerTake(t, db, &stale), "only the claim's token takes it")
	require.True(t, mustTimerTake(t, db, res.Timers[1]))

	list, err := db.TimerList(ctx, &store.TimerListParams{})
	require.NoError(t, err)
	require.Equal(t, []string{"late", "x"}, timerKeys(list))
	list, err = db.TimerList(ctx, &store.TimerListParams{Kind: "other"})
	require.NoError(t, err)
	require.Equal(t, []string{"x"}, timerKeys(list))
	require.Equal(t, []string{"x"}, timerKeys(MustTimerClaim(t, db, timerT0, 10, "other", "absent").Timers))
}

func testTimerRescheduleReplaces(t *testing.T, db *store.DB) {
	ctx := t.Context()
	first := MustTimerSchedule(t, db, "k", "t", timerT0+1_000, "one")
	second := MustTimerSchedule(t, db, "k", "t", timerT0+2_000, "two")
	require.Equal(t, first.ID, second.ID, "same kind and key: the same timer")
	list, err := db.TimerList(ctx, &store.TimerListParams{Kind: "k"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, timerT0+2_000, list[0].DueAt)
	require.Equal(t, "two", string(list[0].Payload))
	require.Empty(t, MustTimerClaim(t, db, timerT0+1_999, 10, "k").Timers)

	// Rescheduling a claimed timer voids the claim: the handler that holds it cannot take
	// it, and the new schedule fires.
	res := MustTimerClaim(t, db, timerT0+2_000, 10, "k")
	require.Len(t, res.Timers, 1)
	MustTimerSchedule(t, db, "k", "t", timerT0+3_000, "three")
	require.False(t, mustTimerTake(t, db, res.Timers[0]))
	res = MustTimerClaim(t, db, timerT0+3_000, 10, "k")
	require.Len(t, res.Timers, 1)
	require.Equal(t, "three", string(res.Timers[0].Payload))
	require.Zero(t, res.Timers[0].Attempts)
	require.True(t, mustTimerTake(t, db, res.Timers[0]))
}

func testTimerLeaseExpiry(t *testing.T, db *store.DB) {
	MustTimerSchedule(t, db, "k", "t", timerT0, "")
	first := MustTimerClaim(t, db, timerT0, 10, "k")
	require.Len(t, first.Timers, 1)
	require.Zero(t, first.NextRunAt, "a claim's own timers are not a wake-up time for it")
	none := MustTimerClaim(t, db, timerT0+timerLease-1, 10, "k")
	require.Empty(t, none.Timers)
	require.Equal(t, timerT0+timerLease, none.NextRunAt, "another claim wakes when the lease expires")

	second := MustTimerClaim(t, db, timerT0+timerLease, 10, "k")
	require.Len(t, second.Timers, 1, "an expired lease is retaken")
	require.False(t, mustTimerTake(t, db, first.Timers[0]), "the old claim is void")
	require.True(t, mustTimerTake(t, db, second.Timers[0]))
}

func testTimerRetry(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustTimerSchedule(t, db, "k", "t", timerT0, "p")
	res := MustTimerClaim(t, db, timerT0, 10, "k")
	require.Len(t, res.Timers, 1)
	tm := res.Timers[0]
	var ok bool
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		ok, err = tx.TimerRetry(ctx, tm.ID, tm.LeaseToken+1, timerT0+1_000, 1, "stale")
		return err
	}))
	require.False(t, ok)
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		ok, err = tx.TimerRetry(ctx, tm.ID, tm.LeaseToken, timerT0+1_000, 1, "handler failed")
		return err
	}))
	require.True(t, ok)
	res = MustTimerClaim(t, db, timerT0+999, 10, "k")
	require.Empty(t, res.Timers)
	require.Equal(t, timerT0+1_000, res.NextRunAt)
	res = MustTimerClaim(t, db, timerT0+1_000, 10, "k")
	require.Len(t, res.Timers, 1)
	require.Equal(t, 1, res.Timers[0].Attempts)
	require.Equal(t, "handler failed", res.Timers[0].LastError)
	require.Equal(t, timerT0, res.Timers[0].DueAt, "the due time stays the scheduled one")
}

func testTimerCancel(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustTimerSchedule(t, db, "k", "t", timerT0, "")
	res := MustTimerClaim(t, db, timerT0, 10, "k")
	var found bool
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		found, err = tx.TimerDelete(ctx, "k", "t")
		return err
	}))
	require.True(t, found)
	require.False(t, mustTimerTake(t, db, res.Timers[0]), "a cancelled timer does not fire")
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		found, err = tx.TimerDelete(ctx, "k", "t")
		return err
	}))
	require.False(t, found)
}

func testTimerTakeRollback(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustTimerSchedule(t, db, "k", "t", timerT0, "")
	res := MustTimerClaim(t, db, timerT0, 10, "k")
	require.ErrorIs(t, db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.TimerTake(ctx, res.Timers[0].ID, res.Timers[0].LeaseToken)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("claimed timer not taken")
		}
		return errTest // the handler failed
	}), errTest)
	got, err := db.TimerGet(ctx, "k", "t")
	require.NoError(t, err, "a failed fire keeps the timer")
	require.Equal(t, res.Timers[0].LeaseToken, got.LeaseToken)
	require.True(t, mustTimerTake(t, db, res.Timers[0]))
}

func testTimerReleaseClaims(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustTimerSchedule(t, db, "k", "a", timerT0, "")
	MustTimerSchedule(t, db, "k", "b", timerT0+50_000, "")
	require.Len(t, MustTimerClaim(t, db, timerT0, 10, "k").Timers, 1)
	require.NoError(t, db.TimerReleaseClaims(ctx, timerT0+1))
	got, err := db.TimerGet(ctx, "k", "a")
	require.NoError(t, err)
	require.Zero(t, got.LeaseToken)
	require.Equal(t, timerT0+1, got.RunAt)
	got, err = db.TimerGet(ctx, "k", "b")
	require.NoError(t, err)
	require.Equal(t, timerT0+50_000, got.RunAt, "unclaimed timers keep their time")
}

// testTimerTwoNodes has schedulers on two handles of one PostgreSQL schema claim timers: no
// timer is held by two claims at once.
func testTimerTwoNodes(t *testing.T, db *store.DB) {
	if db.Dialect() != store.Postgres {
		t.Skip("several nodes share a database only on PostgreSQL")
	}
	second := openSameSchema(t, db)
	const total = 300
	for i := range total {
		MustTimerSchedule(t, db, "k", fmt.Sprint(i), timerT0+int64(i%7), "")
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
		errs []error
	)
	for _, node := range []*store.DB{db, second, db, second, db, second} {
		wg.Go(func() {
			for {
				res, err := node.TimerClaim(t.Context(), &store.TimerClaimParams{Kinds: []string{"k"}, Now: timerT0 + 10, Limit: 7, LeaseMs: timerLease, Token: randomToken()})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				for _, tm := range res.Timers {
					seen[tm.Key]++
				}
				mu.Unlock()
				if len(res.Timers) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Len(t, seen, total)
	for key, n := range seen {
		require.Equal(t, 1, n, "timer %s claimed twice", key)
	}
}
