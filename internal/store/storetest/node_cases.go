package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// nodeCases returns the conformance cases of the node heartbeat store methods.
func nodeCases() []Case {
	return []Case{
		{"NodeHeartbeatReleasesDeadClaims", testNodeHeartbeatReleasesDeadClaims},
		{"NodeHeartbeatKeepsLiveClaims", testNodeHeartbeatKeepsLiveClaims},
		{"NodeDelete", testNodeDelete},
		{"NodeTwoNodesReleaseOnce", testNodeTwoNodesReleaseOnce},
	}
}

// nodeDeadMs is the dead-node threshold the node cases use.
const nodeDeadMs = int64(15_000)

// MustNodeHeartbeat records a heartbeat of node at now, releasing the nodes silent for
// longer than nodeDeadMs.
func MustNodeHeartbeat(tb testing.TB, db *store.DB, node, now int64) *store.NodeHeartbeatResult {
	tb.Helper()
	res, err := db.NodeHeartbeat(tb.Context(), &store.NodeHeartbeatParams{Node: node, Now: now, DeadBefore: now - nodeDeadMs})
	require.NoError(tb, err)
	return res
}

// testNodeHeartbeatReleasesDeadClaims has node 1 claim delivery jobs and timers and fall
// silent: node 2's heartbeat past the threshold makes them due at once, without undoing
// the attempts counted, voids node 1's tokens and deletes its row.
func testNodeHeartbeatReleasesDeadClaims(t *testing.T, db *store.DB) {
	ctx := t.Context()
	t0 := deliveryT0
	require.Empty(t, MustNodeHeartbeat(t, db, 1, t0).Dead)
	MustNodeHeartbeat(t, db, 2, t0)
	MustDeliveryInsert(t, db, "sqs", "", "p", 3)
	MustDeliveryInsert(t, db, "sqs", "k", "o", 2)
	claim, err := db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: t0, Limit: 10, Token: randomToken(), Node: 1})
	require.NoError(t, err)
	require.Len(t, claim.Jobs, 4, "three plain jobs and the first of the ordering key")
	for _, j := range claim.Jobs {
		require.Equal(t, int64(1), j.LeaseNode)
	}
	// Node 2 holds a job of its own, which stays claimed.
	extra := MustDeliveryInsert(t, db, "sqs", "", "x", 1)
	mine, err := db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: t0, Limit: 10, Token: randomToken(), Node: 2})
	require.NoError(t, err)
	require.Len(t, mine.Jobs, 1)
	MustTimerSchedule(t, db, "k", "a", t0, "")
	MustTimerSchedule(t, db, "k", "b", t0+50_000, "")
	tc, err := db.TimerClaim(ctx, &store.TimerClaimParams{Kinds: []string{"k"}, Now: t0, Limit: 10, LeaseMs: timerLease, Token: randomToken(), Node: 1})
	require.NoError(t, err)
	require.Len(t, tc.Timers, 1)
	require.Equal(t, int64(1), tc.Timers[0].LeaseNode)

	// Within the threshold nothing is released.
	res := MustNodeHeartbeat(t, db, 2, t0+nodeDeadMs)
	require.Empty(t, res.Dead)
	require.Zero(t, res.Jobs)

	now := t0 + nodeDeadMs + 1
	res = MustNodeHeartbeat(t, db, 2, now)
	require.Equal(t, []int64{1}, res.Dead)
	require.Equal(t, int64(4), res.Jobs)
	require.Equal(t, int64(1), res.Timers)
	nodes, err := db.NodeList(ctx)
	require.NoError(t, err)
	require.Equal(t, map[int64]int64{2: now}, nodes)

	for _, j := range claim.Jobs {
		got, err := db.DeliveryJobGet(ctx, j.ID)
		require.NoError(t, err)
		require.Zero(t, got.LeaseToken)
		require.Equal(t, now, got.RunAt)
		require.Equal(t, 1, got.Attempts, "the attempt may have happened and stays counted")
	}
	got, err := db.DeliveryJobGet(ctx, extra[0].ID)
	require.NoError(t, err)
	require.Equal(t, mine.Jobs[0].LeaseToken, got.LeaseToken, "a live node's claim stays")
	// The dead node's tokens are void.
	require.Zero(t, mustDeliveryDelete(t, db, now, doneOf(claim.Jobs[0])))
	require.False(t, mustTimerTake(t, db, tc.Timers[0]))
	timer, err := db.TimerGet(ctx, "k", "a")
	require.NoError(t, err)
	require.Zero(t, timer.LeaseToken)
	require.Equal(t, now, timer.RunAt)
	timer, err = db.TimerGet(ctx, "k", "b")
	require.NoError(t, err)
	require.Equal(t, t0+50_000, timer.RunAt, "unclaimed timers keep their time")

	// The released jobs are claimable again at once; the parked job of the key stays parked.
	again := MustDeliveryClaim(t, db, "sqs", now, 10)
	require.ElementsMatch(t, []string{"p-0", "p-1", "p-2", "o-0"}, payloads(again.Jobs))
	// A second heartbeat finds nothing more to release.
	res = MustNodeHeartbeat(t, db, 2, now+1)
	require.Empty(t, res.Dead)
}

// testNodeHeartbeatKeepsLiveClaims checks that a node's own heartbeat never releases its
// claims however late it is, that claims of a node with no row wait for their leases, and
// that a retried job's claim is not released again.
func testNodeHeartbeatKeepsLiveClaims(t *testing.T, db *store.DB) {
	ctx := t.Context()
	t0 := deliveryT0
	MustNodeHeartbeat(t, db, 1, t0)
	MustDeliveryInsert(t, db, "sqs", "", "p", 2)
	claim, err := db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: t0, Limit: 1, Token: randomToken(), Node: 1})
	require.NoError(t, err)
	require.Len(t, claim.Jobs, 1)
	unknown, err := db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: t0, Limit: 1, Token: randomToken(), Node: 7})
	require.NoError(t, err)
	require.Len(t, unknown.Jobs, 1)

	res := MustNodeHeartbeat(t, db, 1, t0+10*nodeDeadMs)
	require.Empty(t, res.Dead)
	require.Zero(t, res.Jobs)
	for _, j := range append(claim.Jobs, unknown.Jobs...) {
		got, err := db.DeliveryJobGet(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, j.LeaseToken, got.LeaseToken)
	}

	// Node 1 retries its job; when it dies, the job keeps its retry time.
	retryAt := t0 + 100*nodeDeadMs
	require.True(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{ID: claim.Jobs[0].ID, Token: claim.Jobs[0].LeaseToken, RunAt: retryAt, Failures: 1}))
	res = MustNodeHeartbeat(t, db, 2, t0+12*nodeDeadMs)
	require.Equal(t, []int64{1}, res.Dead)
	require.Zero(t, res.Jobs)
	got, err := db.DeliveryJobGet(ctx, claim.Jobs[0].ID)
	require.NoError(t, err)
	require.Equal(t, retryAt, got.RunAt)

	_, err = db.NodeHeartbeat(ctx, &store.NodeHeartbeatParams{Now: t0})
	require.Error(t, err, "node 0 is no node")
}

// testNodeDelete checks that a node that stops removes its row, and that the other nodes
// then leave its claims to their leases.
func testNodeDelete(t *testing.T, db *store.DB) {
	ctx := t.Context()
	t0 := timerT0
	MustNodeHeartbeat(t, db, 1, t0)
	MustNodeHeartbeat(t, db, 2, t0)
	MustTimerSchedule(t, db, "k", "a", t0, "")
	tc, err := db.TimerClaim(ctx, &store.TimerClaimParams{Kinds: []string{"k"}, Now: t0, Limit: 10, LeaseMs: timerLease, Token: randomToken(), Node: 1})
	require.NoError(t, err)
	require.Len(t, tc.Timers, 1)
	require.NoError(t, db.NodeDelete(ctx, 1))
	require.NoError(t, db.NodeDelete(ctx, 1), "deleting twice is harmless")
	nodes, err := db.NodeList(ctx)
	require.NoError(t, err)
	require.Equal(t, map[int64]int64{2: t0}, nodes)
	res := MustNodeHeartbeat(t, db, 2, t0+2*nodeDeadMs)
	require.Empty(t, res.Dead)
	require.Zero(t, res.Timers)
	require.True(t, mustTimerTake(t, db, tc.Timers[0]), "the claim is still held")
}

// testNodeTwoNodesReleaseOnce has two live nodes on two handles of one PostgreSQL schema
// heartbeat at once after a third died: the dead node's claims are released exactly once.
func testNodeTwoNodesReleaseOnce(t *testing.T, db *store.DB) {
	if db.Dialect() != store.Postgres {
		t.Skip("several nodes share a database only on PostgreSQL")
	}
	second := openSameSchema(t, db)
	ctx := t.Context()
	t0 := deliveryT0
	MustNodeHeartbeat(t, db, 3, t0)
	MustDeliveryInsert(t, db, "sqs", "", "p", 50)
	claim, err := db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: t0, Limit: 50, Token: randomToken(), Node: 3})
	require.NoError(t, err)
	require.Len(t, claim.Jobs, 50)
	now := t0 + nodeDeadMs + 1
	results := make(chan *store.NodeHeartbeatResult, 2)
	for i, node := range []*store.DB{db, second} {
		go func() {
			res, err := node.NodeHeartbeat(ctx, &store.NodeHeartbeatParams{Node: int64(i + 1), Now: now, DeadBefore: now - nodeDeadMs})
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	var jobs int64
	var dead []int64
	for range 2 {
		if res := <-results; res != nil {
			jobs += res.Jobs
			dead = append(dead, res.Dead...)
		}
	}
	require.Equal(t, []int64{3}, dead)
	require.Equal(t, int64(50), jobs)
	require.Len(t, MustDeliveryClaim(t, second, "sqs", now, 100).Jobs, 50)
}
