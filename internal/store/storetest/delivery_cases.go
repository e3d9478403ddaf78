package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// deliveryCases returns the conformance cases of the delivery job store methods.
func deliveryCases() []Case {
	return []Case{
		{"DeliveryInsertClaimFinish", testDeliveryInsertClaimFinish},
		{"DeliveryClaimDueOrderAndLimit", testDeliveryClaimDueOrderAndLimit},
		{"DeliveryLeaseExpiry", testDeliveryLeaseExpiry},
		{"DeliveryInsertRollback", testDeliveryInsertRollback},
		{"DeliveryOrderingKey", testDeliveryOrderingKey},
		{"DeliveryOrderingKeyConcurrent", testDeliveryOrderingKeyConcurrent},
		{"DeliveryOrderingKeyInsertRacesFinish", testDeliveryOrderingKeyInsertRacesFinish},
		{"DeliveryReleaseClaims", testDeliveryReleaseClaims},
		{"DeliveryTwoNodesNoOverlap", testDeliveryTwoNodes},
	}
}

// deliveryT0 is the time the delivery cases start at (unix milliseconds).
const deliveryT0 = int64(1_772_366_400_000)

// deliveryLease is the lease of the jobs the cases insert.
const deliveryLease = int64(30_000)

// MustDeliveryInsert inserts jobs for target in one Write, due at deliveryT0 with payloads
// "<prefix>-0", "<prefix>-1", ..., and returns them with their ids.
func MustDeliveryInsert(tb testing.TB, db *store.DB, target, orderingKey, prefix string, n int) []*store.DeliveryJob {
	tb.Helper()
	jobs := make([]*store.DeliveryJob, n)
	for i := range jobs {
		jobs[i] = &store.DeliveryJob{
			Target: target, Dest: "arn:aws:sqs:us-east-1:123456789012:" + target, Payload: fmt.Appendf(nil, "%s-%d", prefix, i),
			OrderingKey: orderingKey, EnqueuedAt: deliveryT0, RunAt: deliveryT0, LeaseMs: deliveryLease,
		}
	}
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.DeliveryJobInsert(context.Background(), jobs...)
	}))
	return jobs
}

// MustDeliveryClaim claims up to limit jobs of target at now with a random token.
func MustDeliveryClaim(tb testing.TB, db *store.DB, target string, now int64, limit int) *store.DeliveryClaim {
	tb.Helper()
	res, err := db.DeliveryJobClaim(context.Background(), &store.DeliveryClaimParams{Target: target, Now: now, Limit: limit, Token: randomToken()})
	require.NoError(tb, err)
	return res
}

func randomToken() int64 { return mrand.Int64N(1<<62) + 1 }

func mustDeliveryDelete(tb testing.TB, db *store.DB, now int64, done ...store.DeliveryDone) int64 {
	tb.Helper()
	var n int64
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		n, _, err = tx.DeliveryJobDelete(context.Background(), now, done...)
		return err
	}))
	return n
}

func mustDeliveryRetry(tb testing.TB, db *store.DB, p *store.DeliveryRetryParams) bool {
	tb.Helper()
	var ok bool
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		ok, err = tx.DeliveryJobRetry(context.Background(), p)
		return err
	}))
	return ok
}

func doneOf(j *store.DeliveryJob) store.DeliveryDone {
	return store.DeliveryDone{ID: j.ID, Token: j.LeaseToken, OrderingKey: j.OrderingKey}
}

func payloads(jobs []*store.DeliveryJob) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = string(j.Payload)
	}
	return out
}

func testDeliveryInsertClaimFinish(t *testing.T, db *store.DB) {
	ctx := t.Context()
	binary := []byte{0, 1, 0xfe, 0xff, 0}
	in := &store.DeliveryJob{
		Target: "sqs", Dest: "arn:aws:sqs:us-east-1:123456789012:q", Payload: binary,
		Attributes: `{"a":"b"}`, Policy: `{"r":2}`, Owner: "sns", EnqueuedAt: deliveryT0, RunAt: deliveryT0, LeaseMs: deliveryLease,
	}
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error { return tx.DeliveryJobInsert(ctx, in) }))
	require.NotZero(t, in.ID)
	others := MustDeliveryInsert(t, db, "sqs", "", "other", 2)
	MustDeliveryInsert(t, db, "lambda", "", "fn", 1)

	got, err := db.DeliveryJobGet(ctx, in.ID)
	require.NoError(t, err)
	require.Equal(t, binary, got.Payload)
	require.Equal(t, `{"a":"b"}`, got.Attributes)
	require.Equal(t, `{"r":2}`, got.Policy)
	require.Equal(t, "sns", got.Owner)
	require.Zero(t, got.Attempts)

	res := MustDeliveryClaim(t, db, "sqs", deliveryT0, 10)
	require.Len(t, res.Jobs, 3, "only the sqs jobs")
	require.Equal(t, []int64{in.ID, others[0].ID, others[1].ID}, []int64{res.Jobs[0].ID, res.Jobs[1].ID, res.Jobs[2].ID})
	for _, j := range res.Jobs {
		require.Equal(t, 1, j.Attempts)
		require.Equal(t, deliveryT0+deliveryLease, j.RunAt, "claimed until the lease expires")
		require.NotZero(t, j.LeaseToken)
	}
	require.Equal(t, binary, res.Jobs[0].Payload)
	require.Zero(t, res.NextRunAt, "a claim's own jobs are not a wake-up time for it")
	again := MustDeliveryClaim(t, db, "sqs", deliveryT0+1000, 10)
	require.Empty(t, again.Jobs, "claimed jobs are not claimed again")
	require.Equal(t, deliveryT0+deliveryLease, again.NextRunAt, "another claim wakes when their lease expires")

	// A finish with the wrong token does nothing; the right one removes.
	require.Zero(t, mustDeliveryDelete(t, db, deliveryT0, store.DeliveryDone{ID: res.Jobs[0].ID, Token: res.Jobs[0].LeaseToken + 1}))
	require.EqualValues(t, 2, mustDeliveryDelete(t, db, deliveryT0, doneOf(res.Jobs[0]), doneOf(res.Jobs[1])))
	_, err = db.DeliveryJobGet(ctx, in.ID)
	require.ErrorIs(t, err, store.ErrNotFound)

	// A retry ends the claim and makes the job due again.
	last := res.Jobs[2]
	require.False(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{ID: last.ID, Token: last.LeaseToken + 1, RunAt: deliveryT0}))
	require.True(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{
		ID: last.ID, Token: last.LeaseToken, RunAt: deliveryT0 + 5000, Failures: 1, LastError: "boom",
	}))
	res = MustDeliveryClaim(t, db, "sqs", deliveryT0+4999, 10)
	require.Empty(t, res.Jobs)
	require.Equal(t, deliveryT0+5000, res.NextRunAt)
	res = MustDeliveryClaim(t, db, "sqs", deliveryT0+5000, 10)
	require.Len(t, res.Jobs, 1)
	require.Equal(t, 2, res.Jobs[0].Attempts)
	require.Equal(t, 1, res.Jobs[0].Failures)
	require.Equal(t, "boom", res.Jobs[0].LastError)

	// A released claim does not count as an attempt.
	require.True(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{
		ID: last.ID, Token: res.Jobs[0].LeaseToken, RunAt: deliveryT0 + 5000, Failures: 1, LastError: "boom", Release: true,
	}))
	got, err = db.DeliveryJobGet(ctx, last.ID)
	require.NoError(t, err)
	require.Equal(t, 1, got.Attempts)
	require.Zero(t, got.LeaseToken)

	list, err := db.DeliveryJobList(ctx, &store.DeliveryListParams{})
	require.NoError(t, err)
	require.Equal(t, []string{"other-1", "fn-0"}, payloads(list))
	list, err = db.DeliveryJobList(ctx, &store.DeliveryListParams{Target: "lambda"})
	require.NoError(t, err)
	require.Equal(t, []string{"fn-0"}, payloads(list))
}

func testDeliveryClaimDueOrderAndLimit(t *testing.T, db *store.DB) {
	ctx := t.Context()
	var jobs []*store.DeliveryJob
	for i, due := range []int64{300, 100, 200, 100, 900} {
		jobs = append(jobs, &store.DeliveryJob{
			Target: "http", Dest: "http://127.0.0.1/", Payload: fmt.Appendf(nil, "%d", i),
			EnqueuedAt: deliveryT0, RunAt: deliveryT0 + due, LeaseMs: deliveryLease,
		})
	}
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error { return tx.DeliveryJobInsert(ctx, jobs...) }))

	res := MustDeliveryClaim(t, db, "http", deliveryT0+250, 2)
	require.Equal(t, []string{"1", "3"}, payloads(res.Jobs), "earliest due first, id breaking ties")
	res = MustDeliveryClaim(t, db, "http", deliveryT0+250, 2)
	require.Equal(t, []string{"2"}, payloads(res.Jobs), "not yet due jobs stay")
	require.Equal(t, deliveryT0+300, res.NextRunAt)
	res = MustDeliveryClaim(t, db, "http", deliveryT0+1000, 10)
	require.Equal(t, []string{"0", "4"}, payloads(res.Jobs))
}

func testDeliveryLeaseExpiry(t *testing.T, db *store.DB) {
	jobs := MustDeliveryInsert(t, db, "sqs", "", "j", 1)
	first := MustDeliveryClaim(t, db, "sqs", deliveryT0, 10)
	require.Len(t, first.Jobs, 1)
	require.Empty(t, MustDeliveryClaim(t, db, "sqs", deliveryT0+deliveryLease-1, 10).Jobs)

	// The holder died: after its lease the job is retaken, and the old claim is void.
	second := MustDeliveryClaim(t, db, "sqs", deliveryT0+deliveryLease, 10)
	require.Len(t, second.Jobs, 1)
	require.Equal(t, jobs[0].ID, second.Jobs[0].ID)
	require.Equal(t, 2, second.Jobs[0].Attempts)
	require.NotEqual(t, first.Jobs[0].LeaseToken, second.Jobs[0].LeaseToken)
	require.False(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{ID: jobs[0].ID, Token: first.Jobs[0].LeaseToken, RunAt: deliveryT0}))
	require.Zero(t, mustDeliveryDelete(t, db, deliveryT0, doneOf(first.Jobs[0])))
	require.EqualValues(t, 1, mustDeliveryDelete(t, db, deliveryT0, doneOf(second.Jobs[0])))
}

func testDeliveryInsertRollback(t *testing.T, db *store.DB) {
	ctx := t.Context()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeliveryJobInsert(ctx, &store.DeliveryJob{Target: "sqs", Payload: []byte("x"), EnqueuedAt: deliveryT0, RunAt: deliveryT0, LeaseMs: 1}); err != nil {
			return err
		}
		return errTest
	})
	require.ErrorIs(t, err, errTest)
	list, err := db.DeliveryJobList(ctx, &store.DeliveryListParams{})
	require.NoError(t, err)
	require.Empty(t, list)
	require.Empty(t, MustDeliveryClaim(t, db, "sqs", deliveryT0+1, 10).Jobs)
}

func testDeliveryOrderingKey(t *testing.T, db *store.DB) {
	ctx := t.Context()
	keyed := MustDeliveryInsert(t, db, "sqs", "g1", "g1", 3)
	other := MustDeliveryInsert(t, db, "sqs", "g2", "g2", 1)
	free := MustDeliveryInsert(t, db, "sqs", "", "free", 1)
	for i, j := range keyed {
		got, err := db.DeliveryJobGet(ctx, j.ID)
		require.NoError(t, err)
		if i == 0 {
			require.Equal(t, deliveryT0, got.RunAt)
		} else {
			require.Equal(t, store.DeliveryParked, got.RunAt, "job %d waits behind the first of its key", i)
		}
	}

	res := MustDeliveryClaim(t, db, "sqs", deliveryT0, 10)
	require.Equal(t, []string{"g1-0", "g2-0", "free-0"}, payloads(res.Jobs), "one job per key at a time")
	require.Zero(t, res.NextRunAt, "parked jobs are not a wake-up time")
	g1, g2 := res.Jobs[0], res.Jobs[1]
	require.Equal(t, other[0].ID, g2.ID)
	require.Equal(t, free[0].ID, res.Jobs[2].ID)

	// A failed head stays the head: its successors wait through its retries.
	require.True(t, mustDeliveryRetry(t, db, &store.DeliveryRetryParams{ID: g1.ID, Token: g1.LeaseToken, RunAt: deliveryT0 + 10, Failures: 1}))
	require.Empty(t, MustDeliveryClaim(t, db, "sqs", deliveryT0+5, 10).Jobs)
	res = MustDeliveryClaim(t, db, "sqs", deliveryT0+10, 10)
	require.Equal(t, []string{"g1-0"}, payloads(res.Jobs))

	// Finishing the head unparks the next, due at the finish time.
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		n, unparked, err := tx.DeliveryJobDelete(ctx, deliveryT0+20, doneOf(res.Jobs[0]))
		if err == nil && (n != 1 || len(unparked) != 1 || unparked[0] != "sqs") {
			err = fmt.Errorf("removed %d, unparked %v; want 1 and [sqs]", n, unparked)
		}
		return err
	}))
	got, err := db.DeliveryJobGet(ctx, keyed[1].ID)
	require.NoError(t, err)
	require.Equal(t, deliveryT0+20, got.RunAt)
	got, err = db.DeliveryJobGet(ctx, keyed[2].ID)
	require.NoError(t, err)
	require.Equal(t, store.DeliveryParked, got.RunAt)
	res = MustDeliveryClaim(t, db, "sqs", deliveryT0+20, 10)
	require.Equal(t, []string{"g1-1"}, payloads(res.Jobs))

	// A job enqueued behind a key whose jobs are all gone is due at once.
	require.EqualValues(t, 1, mustDeliveryDelete(t, db, deliveryT0+30, doneOf(g2)))
	later := MustDeliveryInsert(t, db, "sqs", "g2", "g2-later", 1)
	got, err = db.DeliveryJobGet(ctx, later[0].ID)
	require.NoError(t, err)
	require.Equal(t, deliveryT0, got.RunAt)

	// A stale finish of a head unparks nothing.
	require.Zero(t, mustDeliveryDelete(t, db, deliveryT0+40, store.DeliveryDone{ID: res.Jobs[0].ID, Token: 1, OrderingKey: "g1"}))
	got, err = db.DeliveryJobGet(ctx, keyed[2].ID)
	require.NoError(t, err)
	require.Equal(t, store.DeliveryParked, got.RunAt)
}

// testDeliveryOrderingKeyConcurrent has producers insert jobs of a few keys while several
// workers claim and finish them: no two jobs of a key are ever held at once, and each key's
// jobs are finished in insert order.
func testDeliveryOrderingKeyConcurrent(t *testing.T, db *store.DB) {
	requireOrderedDelivery(t, []*store.DB{db, db, db, db})
}

// requireOrderedDelivery runs the ordering-key workload with one worker per entry of dbs.
func requireOrderedDelivery(t *testing.T, dbs []*store.DB) {
	const (
		keys     = 3
		perKey   = 40
		producer = 3
	)
	ctx := t.Context()
	var (
		mu       sync.Mutex
		inserted = map[string][]int64{} // key → ids in insert order
		held     = map[string]int64{}   // key → id of its job being worked
		finished = map[string][]int64{}
		errs     []error
		total    int
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Errorf(format, args...))
		mu.Unlock()
	}
	var producers sync.WaitGroup
	for p := range producer {
		producers.Go(func() {
			for i := range perKey * keys / producer {
				key := fmt.Sprintf("k%d", (i+p)%keys)
				j := &store.DeliveryJob{Target: "sqs", Payload: []byte(key), OrderingKey: key, EnqueuedAt: deliveryT0, RunAt: deliveryT0, LeaseMs: 3_600_000}
				// Ids are taken in commit order per key: record under the lock around the
				// write, so that the recorded order is the order the store saw.
				mu.Lock()
				err := dbs[p%len(dbs)].Write(ctx, func(tx *store.Tx) error { return tx.DeliveryJobInsert(ctx, j) })
				if err == nil {
					inserted[key] = append(inserted[key], j.ID)
					total++
				}
				mu.Unlock()
				if err != nil {
					fail("insert: %v", err)
					return
				}
			}
		})
	}
	var workers sync.WaitGroup
	stop := make(chan struct{})
	for w, node := range dbs {
		workers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := node.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: "sqs", Now: deliveryT0, Limit: 4, Token: randomToken()})
				if err != nil {
					fail("worker %d claim: %v", w, err)
					return
				}
				mu.Lock()
				for _, j := range res.Jobs {
					if other, ok := held[j.OrderingKey]; ok {
						errs = append(errs, fmt.Errorf("key %s: job %d claimed while job %d is held", j.OrderingKey, j.ID, other))
					}
					held[j.OrderingKey] = j.ID
				}
				mu.Unlock()
				for _, j := range res.Jobs {
					mu.Lock()
					delete(held, j.OrderingKey)
					finished[j.OrderingKey] = append(finished[j.OrderingKey], j.ID)
					mu.Unlock()
					err := node.Write(ctx, func(tx *store.Tx) error {
						n, _, err := tx.DeliveryJobDelete(ctx, deliveryT0, doneOf(j))
						if err == nil && n != 1 {
							err = fmt.Errorf("job %d: finish removed %d rows", j.ID, n)
						}
						return err
					})
					if err != nil {
						fail("worker %d finish: %v", w, err)
						return
					}
				}
			}
		})
	}
	producers.Wait()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, ids := range finished {
			n += len(ids)
		}
		return n >= total || len(errs) > 0
	}, time.Minute, 10*time.Millisecond)
	close(stop)
	workers.Wait()
	require.Empty(t, errs)
	require.Equal(t, inserted, finished, "each key's jobs finished once each, in insert order")
}

// testDeliveryOrderingKeyInsertRacesFinish inserts a job of a key while the transaction
// finishing the key's only job is still open: the new job must not be parked behind a job
// that is about to disappear (it would wait forever).
func testDeliveryOrderingKeyInsertRacesFinish(t *testing.T, db *store.DB) {
	if db.Dialect() != store.Postgres {
		t.Skip("SQLite has one writer: the two transactions cannot overlap")
	}
	ctx := t.Context()
	MustDeliveryInsert(t, db, "sqs", "k", "head", 1)
	head := MustDeliveryClaim(t, db, "sqs", deliveryT0, 1).Jobs[0]

	deleted, release := make(chan struct{}), make(chan struct{})
	finish := make(chan error, 1)
	go func() {
		finish <- db.Write(ctx, func(tx *store.Tx) error {
			if _, _, err := tx.DeliveryJobDelete(ctx, deliveryT0, doneOf(head)); err != nil {
				return err
			}
			close(deleted)
			<-release
			return nil
		})
	}()
	<-deleted
	next := &store.DeliveryJob{Target: "sqs", Payload: []byte("next"), OrderingKey: "k", EnqueuedAt: deliveryT0, RunAt: deliveryT0, LeaseMs: deliveryLease}
	insert := make(chan error, 1)
	go func() {
		insert <- db.Write(ctx, func(tx *store.Tx) error { return tx.DeliveryJobInsert(ctx, next) })
	}()
	// Let the finish commit once the insert has either completed or is waiting for it.
	require.Eventually(t, func() bool {
		if len(insert) > 0 {
			return true
		}
		return countRows(t, db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0
	}, 10*time.Second, time.Millisecond)
	close(release)
	require.NoError(t, <-finish)
	require.NoError(t, <-insert)
	got, err := db.DeliveryJobGet(ctx, next.ID)
	require.NoError(t, err)
	require.NotEqual(t, store.DeliveryParked, got.RunAt, "nothing is ahead of the new job")
	require.Len(t, MustDeliveryClaim(t, db, "sqs", deliveryT0, 10).Jobs, 1)
}

func testDeliveryReleaseClaims(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustDeliveryInsert(t, db, "sqs", "", "j", 2)
	res := MustDeliveryClaim(t, db, "sqs", deliveryT0, 1)
	require.Len(t, res.Jobs, 1)
	require.NoError(t, db.DeliveryJobReleaseClaims(ctx, deliveryT0+7))
	got, err := db.DeliveryJobGet(ctx, res.Jobs[0].ID)
	require.NoError(t, err)
	require.Zero(t, got.LeaseToken)
	require.Equal(t, deliveryT0+7, got.RunAt)
	require.Equal(t, 1, got.Attempts, "the attempt may have happened")
	require.Len(t, MustDeliveryClaim(t, db, "sqs", deliveryT0+7, 10).Jobs, 2)
}

// testDeliveryTwoNodes has workers on two handles of one PostgreSQL schema drain jobs: no
// job is held by two claims at once.
func testDeliveryTwoNodes(t *testing.T, db *store.DB) {
	if db.Dialect() != store.Postgres {
		t.Skip("several nodes share a database only on PostgreSQL")
	}
	second := openSameSchema(t, db)
	const total = 300
	MustDeliveryInsert(t, db, "sqs", "", "j", total)
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
		errs []error
	)
	for _, node := range []*store.DB{db, second, db, second, db, second} {
		wg.Go(func() {
			for {
				res, err := node.DeliveryJobClaim(t.Context(), &store.DeliveryClaimParams{Target: "sqs", Now: deliveryT0, Limit: 7, Token: randomToken()})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				for _, j := range res.Jobs {
					seen[j.ID]++
				}
				mu.Unlock()
				if len(res.Jobs) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Len(t, seen, total)
	for id, n := range seen {
		require.Equal(t, 1, n, "job %d claimed twice", id)
	}

	// Ordering keys hold across nodes as well.
	requireOrderedDelivery(t, []*store.DB{db, second, db, second})
}

// MustPostgresNodes opens n stores on one fresh PostgreSQL schema, as n Overcast nodes
// sharing a database, and drops the schema when the test ends. The server comes from
// TEST_DATABASE_URL (default: the local test database). When it is unreachable the test is
// skipped, or failed if OVERCAST_REQUIRE_POSTGRES=1.
func MustPostgresNodes(t testing.TB, n int) []*store.DB {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		msg := "PostgreSQL is unreachable (" + err.Error() + "); set TEST_DATABASE_URL to run the PostgreSQL tests"
		if os.Getenv("OVERCAST_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + " (OVERCAST_REQUIRE_POSTGRES=1)")
		}
		t.Skip("SKIPPING POSTGRES TESTS: " + msg)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	_, err = admin.Exec(ctx, `CREATE SCHEMA "`+schema+`"`)
	admin.Close(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() {
		admin, err := pgx.Connect(context.Background(), base)
		require.NoError(t, err)
		defer admin.Close(context.Background())
		_, err = admin.Exec(context.Background(), `DROP SCHEMA "`+schema+`" CASCADE`)
		require.NoError(t, err)
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out := make([]*store.DB, n)
	for i := range out {
		db, err := store.Open(t.Context(), store.Options{URL: u.String()})
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		out[i] = db
	}
	return out
}
