package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/overcast/overcast/internal/store/postgres"
)

// DeliveryWakeChannel is the notifier channel that announces that delivery jobs may have
// become claimable. The payload is the jobs' target kind, so that only that kind's workers
// look again. The store methods send nothing on it themselves: internal/delivery decides when
// a notification (which costs PostgreSQL a serialised commit) is worth it.
const DeliveryWakeChannel = "delivery"

// DeliveryParked is the run_at of a job parked behind an earlier job with the same ordering
// key. It is far beyond any real time and below any overflow.
const DeliveryParked int64 = 1 << 62

// DeliveryJob is one durable delivery job (table delivery_jobs), the row behind
// internal/delivery's Job. Times are unix milliseconds.
type DeliveryJob struct {
	// ID is the row id; it orders the jobs of one ordering key.
	ID int64
	// Target is the kind of deliverer ("sqs", "lambda", "http", ...) and Dest the place it
	// delivers to (an ARN, a URL).
	Target, Dest string
	Payload      []byte
	// Attributes and Policy are JSON owned by internal/delivery ("" for none).
	Attributes, Policy string
	// OrderingKey, when not "", serialises the jobs that share it.
	OrderingKey string
	// Owner names who reacts when the job finally fails.
	Owner      string
	EnqueuedAt int64
	// RunAt is when the job may next be claimed (see the migration for its states).
	RunAt int64
	// LeaseMs is how long a claim holds the job before another worker may take it.
	LeaseMs int64
	// LeaseToken identifies the current claim, 0 when the job is not claimed.
	LeaseToken int64
	// LeaseNode is the node that made the current claim (see NodeHeartbeat), 0 for none;
	// it means nothing while LeaseToken is 0.
	LeaseNode int64
	// Attempts counts claims (deliveries tried), Failures the failures that count against
	// the job's retry limit, Throttles the throttled attempts that do not.
	Attempts, Failures, Throttles int
	LastError                     string
	// DeadReason is "" for a live job, and why it failed once its retries are exhausted.
	DeadReason string
}

const deliveryJobColumns = "id, target, dest, payload, attributes, policy, ordering_key, owner, enqueued_at, run_at, lease_ms, lease_token, lease_node, attempts, failures, throttles, last_error, dead_reason"

func scanDeliveryJob(row interface{ Scan(...any) error }) (*DeliveryJob, error) {
	var j DeliveryJob
	if err := row.Scan(&j.ID, &j.Target, &j.Dest, &j.Payload, &j.Attributes, &j.Policy, &j.OrderingKey, &j.Owner,
		&j.EnqueuedAt, &j.RunAt, &j.LeaseMs, &j.LeaseToken, &j.LeaseNode, &j.Attempts, &j.Failures, &j.Throttles,
		&j.LastError, &j.DeadReason); err != nil {
		return nil, err
	}
	if j.Payload == nil {
		j.Payload = []byte{}
	}
	return &j, nil
}

// lockOrderingKeys serialises, on PostgreSQL, the transactions that add or remove jobs of
// the same ordering keys, so that exactly the earliest job of a key is unparked. The locks
// are taken in one order, so that two such transactions do not deadlock (when a caller's
// transaction takes more in several calls, PostgreSQL detects the deadlock and the write is
// retried). SQLite has one writer and needs none.
func (tx *Tx) lockOrderingKeys(ctx context.Context, keys []string) error {
	if tx.db.dialect != Postgres || len(keys) == 0 {
		return nil
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	for i, key := range keys {
		if i > 0 && key == keys[i-1] {
			continue
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", postgres.LockKey(tx.db.schema, "delivery.order:"+key)); err != nil {
			return err
		}
	}
	return nil
}

// DeliveryJobInsert adds jobs in tx and sets their ID and RunAt. Target, Dest, Payload,
// Attributes, Policy, OrderingKey, Owner, EnqueuedAt, RunAt and LeaseMs come from each job.
// A job whose ordering key already has jobs is parked behind them (RunAt DeliveryParked).
func (tx *Tx) DeliveryJobInsert(ctx context.Context, jobs ...*DeliveryJob) error {
	var keys []string
	for _, j := range jobs {
		if j.OrderingKey != "" {
			keys = append(keys, j.OrderingKey)
		}
	}
	if err := tx.lockOrderingKeys(ctx, keys); err != nil {
		return err
	}
	for _, j := range jobs {
		if j.Payload == nil {
			j.Payload = []byte{}
		}
		runAt := j.RunAt
		if j.OrderingKey != "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM delivery_jobs WHERE ordering_key = ? LIMIT 1) t", j.OrderingKey).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				runAt = DeliveryParked
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO delivery_jobs (target, dest, payload, attributes, policy, ordering_key, owner, enqueued_at, run_at, lease_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			j.Target, j.Dest, j.Payload, j.Attributes, j.Policy, j.OrderingKey, j.Owner, j.EnqueuedAt, runAt, j.LeaseMs).Scan(&j.ID); err != nil {
			return err
		}
		j.RunAt, j.LeaseToken, j.LeaseNode, j.Attempts, j.Failures, j.Throttles, j.LastError, j.DeadReason = runAt, 0, 0, 0, 0, 0, "", ""
	}
	return nil
}

// DeliveryClaimParams selects the jobs DeliveryJobClaim takes.
type DeliveryClaimParams struct {
	// Target is the kind of job to claim.
	Target string
	// Now is the current time: jobs with RunAt <= Now are claimable.
	Now int64
	// Limit caps how many jobs are claimed.
	Limit int
	// Token identifies this claim; it must not be 0 and should be unique (random).
	Token int64
	// Node is the claiming node, recorded with the claim so that other nodes release it
	// when the node dies (see NodeHeartbeat). Zero claims for no node: only the lease
	// ends the claim.
	Node int64
}

// DeliveryClaim is what DeliveryJobClaim took.
type DeliveryClaim struct {
	// Jobs are the claimed jobs in id order, each with Attempts already counting this claim
	// and RunAt its lease expiry.
	Jobs []*DeliveryJob
	// NextRunAt is the earliest RunAt after Now among the target's jobs that are neither
	// parked nor claimed by this claim, 0 when there is none: when to look again if nothing
	// else wakes the caller. It may be the lease expiry of a job claimed earlier that has
	// been finished since; waking then is merely early.
	NextRunAt int64
}

// DeliveryJobClaim claims up to p.Limit due jobs of p.Target for p.Token: each one's lease
// runs from p.Now for its LeaseMs, and no other claim takes it until the lease expires or
// the job is finished or retried. On PostgreSQL, claims by several nodes skip each other's
// rows (FOR UPDATE SKIP LOCKED) and never overlap; a claim lost in a database crash only
// makes its jobs claimable again, so it is a lazy write (see DB.WriteLazy). The claim
// records p.Node, so that it also ends when that node is found dead.
func (db *DB) DeliveryJobClaim(ctx context.Context, p *DeliveryClaimParams) (*DeliveryClaim, error) {
	if p.Token == 0 {
		return nil, fmt.Errorf("claim delivery jobs: zero token")
	}
	var res DeliveryClaim
	err := db.WriteLazy(ctx, func(tx *Tx) error {
		res = DeliveryClaim{}
		sub := "SELECT id FROM delivery_jobs WHERE target = ? AND run_at <= ? ORDER BY run_at, id LIMIT ?"
		if tx.Dialect() == Postgres {
			sub += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.Query(ctx, "UPDATE delivery_jobs SET lease_token = ?, lease_node = ?, run_at = ? + lease_ms, attempts = attempts + 1 WHERE id IN ("+sub+") RETURNING "+deliveryJobColumns,
			p.Token, p.Node, p.Now, p.Target, p.Now, p.Limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			j, err := scanDeliveryJob(rows)
			if err != nil {
				return err
			}
			res.Jobs = append(res.Jobs, j)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		var next sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT MIN(run_at) FROM delivery_jobs WHERE target = ? AND run_at > ? AND run_at < ? AND lease_token <> ?",
			p.Target, p.Now, DeliveryParked, p.Token).Scan(&next); err != nil {
			return err
		}
		res.NextRunAt = next.Int64
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim delivery jobs: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(res.Jobs, func(a, b *DeliveryJob) int { return cmp.Compare(a.ID, b.ID) })
	return &res, nil
}

// DeliveryDone names a claimed job that is finished: delivered, or handed to its owner's
// dead-letter function.
type DeliveryDone struct {
	ID, Token   int64
	OrderingKey string
}

// DeliveryJobDelete removes finished jobs in tx, each only if it is still held by its
// Token (a claim whose lease expired and was retaken elsewhere removes nothing), and
// unparks the next job of each ordering key whose job was removed, due at now. It returns
// how many jobs it removed and the targets of the jobs it unparked.
func (tx *Tx) DeliveryJobDelete(ctx context.Context, now int64, done ...DeliveryDone) (removed int64, unparked []string, err error) {
	byToken := map[int64][]int64{}
	var tokens []int64
	var keys []string
	for _, d := range done {
		if d.OrderingKey != "" {
			keys = append(keys, d.OrderingKey)
			continue
		}
		if _, ok := byToken[d.Token]; !ok {
			tokens = append(tokens, d.Token)
		}
		byToken[d.Token] = append(byToken[d.Token], d.ID)
	}
	for _, tok := range tokens {
		ids := byToken[tok]
		n, err := tx.Exec(ctx, "DELETE FROM delivery_jobs WHERE lease_token = ? AND id IN ("+inList(len(ids))+")", int64Args(ids, tok)...)
		if err != nil {
			return removed, nil, err
		}
		removed += n
	}
	if len(keys) == 0 {
		return removed, nil, nil
	}
	if err := tx.lockOrderingKeys(ctx, keys); err != nil {
		return removed, nil, err
	}
	for _, d := range done {
		if d.OrderingKey == "" {
			continue
		}
		n, err := tx.Exec(ctx, "DELETE FROM delivery_jobs WHERE id = ? AND lease_token = ?", d.ID, d.Token)
		if err != nil {
			return removed, unparked, err
		}
		if n == 0 {
			continue
		}
		removed += n
		target, err := tx.deliveryUnpark(ctx, d.OrderingKey, now)
		if err != nil {
			return removed, unparked, err
		}
		if target != "" && !slices.Contains(unparked, target) {
			unparked = append(unparked, target)
		}
	}
	return removed, unparked, nil
}

// deliveryUnpark makes the earliest job of key due at now if it is parked, and returns its
// target ("" when it unparked nothing).
func (tx *Tx) deliveryUnpark(ctx context.Context, key string, now int64) (string, error) {
	var (
		id     int64
		target string
		runAt  int64
	)
	err := tx.QueryRow(ctx, "SELECT id, target, run_at FROM delivery_jobs WHERE ordering_key = ? ORDER BY id LIMIT 1", key).Scan(&id, &target, &runAt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if runAt != DeliveryParked {
		return "", nil
	}
	if _, err := tx.Exec(ctx, "UPDATE delivery_jobs SET run_at = ? WHERE id = ?", now, id); err != nil {
		return "", err
	}
	return target, nil
}

// DeliveryRetryParams reschedules a claimed job after a failed attempt.
type DeliveryRetryParams struct {
	ID, Token int64
	// RunAt is when the job is due again.
	RunAt int64
	// Failures, Throttles, LastError and DeadReason replace the job's.
	Failures, Throttles int
	LastError           string
	DeadReason          string
	// Release undoes the claim's count in Attempts: the attempt never ran (the worker was
	// stopping).
	Release bool
}

// DeliveryJobRetry ends a claim in tx without finishing the job: it is due again at
// p.RunAt. It reports false, changing nothing, when the job is no longer held by p.Token.
func (tx *Tx) DeliveryJobRetry(ctx context.Context, p *DeliveryRetryParams) (bool, error) {
	release := 0
	if p.Release {
		release = 1
	}
	n, err := tx.Exec(ctx, `UPDATE delivery_jobs SET lease_token = 0, run_at = ?, failures = ?, throttles = ?, last_error = ?, dead_reason = ?, attempts = attempts - ?
WHERE id = ? AND lease_token = ?`,
		p.RunAt, p.Failures, p.Throttles, p.LastError, p.DeadReason, release, p.ID, p.Token)
	return n > 0, err
}

// DeliveryJobReleaseClaims ends every claim on delivery jobs, making them due at now. A
// single node (SQLite) calls it at start: claims in the database are then left over from a
// run that crashed, and waiting for their leases would only delay the jobs. The attempts
// those claims counted stay counted: the deliveries may have happened. Several nodes on
// PostgreSQL release only the claims of dead nodes instead (NodeHeartbeat).
func (db *DB) DeliveryJobReleaseClaims(ctx context.Context, now int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE delivery_jobs SET lease_token = 0, run_at = ? WHERE lease_token <> 0", now)
		return err
	})
	if err != nil {
		return fmt.Errorf("release delivery claims: %w", err)
	}
	return nil
}

// DeliveryJobGet returns the job with id. It returns ErrNotFound when there is none.
func (db *DB) DeliveryJobGet(ctx context.Context, id int64) (*DeliveryJob, error) {
	var j *DeliveryJob
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		j, err = scanDeliveryJob(tx.QueryRow(ctx, "SELECT "+deliveryJobColumns+" FROM delivery_jobs WHERE id = ?", id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get delivery job %d: %w", id, err)
	}
	return j, nil
}

// DeliveryListParams filters DeliveryJobList.
type DeliveryListParams struct {
	// Target, when not "", keeps only that target's jobs.
	Target string
	// AfterID pages: only jobs with a larger id are listed.
	AfterID int64
	// Limit caps the jobs returned; 0 means 1000.
	Limit int
}

// DeliveryJobList returns jobs in id order.
func (db *DB) DeliveryJobList(ctx context.Context, p *DeliveryListParams) ([]*DeliveryJob, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 1000
	}
	var out []*DeliveryJob
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT " + deliveryJobColumns + " FROM delivery_jobs WHERE id > ?"
		args := []any{p.AfterID}
		if p.Target != "" {
			q += " AND target = ?"
			args = append(args, p.Target)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY id LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			j, err := scanDeliveryJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list delivery jobs: %w", err)
	}
	return out, nil
}
