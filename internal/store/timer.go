package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// TimerWakeChannel is the notifier channel that announces that a timer was scheduled. The
// payload is its due time (unix milliseconds), so that a scheduler already waking earlier can
// ignore it. The store methods send nothing on it themselves: internal/timer decides when a
// notification is worth it.
const TimerWakeChannel = "timer"

// Timer is one durable timer (table timer_timers), the row behind internal/timer's Timer.
// Times are unix milliseconds.
type Timer struct {
	ID int64
	// Kind names the handler; Key names the timer within its kind.
	Kind, Key string
	DueAt     int64
	// RunAt is when the timer may next be claimed: DueAt, a lease expiry, or a retry time.
	RunAt   int64
	Payload []byte
	// LeaseToken identifies the current claim, 0 when the timer is not claimed.
	LeaseToken int64
	// LeaseNode is the node that made the current claim (see NodeHeartbeat), 0 for none;
	// it means nothing while LeaseToken is 0.
	LeaseNode int64
	// Attempts counts the failed fires since the timer was last scheduled.
	Attempts  int
	LastError string
	CreatedAt int64
}

const timerColumns = "id, kind, timer_key, due_at, run_at, payload, lease_token, lease_node, attempts, last_error, created_at"

func scanTimer(row interface{ Scan(...any) error }) (*Timer, error) {
	var t Timer
	if err := row.Scan(&t.ID, &t.Kind, &t.Key, &t.DueAt, &t.RunAt, &t.Payload, &t.LeaseToken, &t.LeaseNode, &t.Attempts, &t.LastError, &t.CreatedAt); err != nil {
		return nil, err
	}
	if t.Payload == nil {
		t.Payload = []byte{}
	}
	return &t, nil
}

// TimerUpsert schedules t in tx: Kind, Key, DueAt, Payload and CreatedAt come from t. A
// timer with the same Kind and Key is replaced, its claim (if any) voided and its attempts
// reset, so a handler still firing the old one finds it gone.
func (tx *Tx) TimerUpsert(ctx context.Context, t *Timer) error {
	if t.Payload == nil {
		t.Payload = []byte{}
	}
	err := tx.QueryRow(ctx, `INSERT INTO timer_timers (kind, timer_key, due_at, run_at, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (kind, timer_key) DO UPDATE SET due_at = excluded.due_at, run_at = excluded.run_at, payload = excluded.payload,
lease_token = 0, attempts = 0, last_error = '', created_at = excluded.created_at
RETURNING id`, t.Kind, t.Key, t.DueAt, t.DueAt, t.Payload, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return err
	}
	t.RunAt, t.LeaseToken, t.LeaseNode, t.Attempts, t.LastError = t.DueAt, 0, 0, 0, ""
	return nil
}

// TimerDelete cancels the timer kind/key in tx and reports whether there was one.
func (tx *Tx) TimerDelete(ctx context.Context, kind, key string) (bool, error) {
	n, err := tx.Exec(ctx, "DELETE FROM timer_timers WHERE kind = ? AND timer_key = ?", kind, key)
	return n > 0, err
}

// TimerTake removes the timer id in tx if it is still held by token, and reports whether it
// did. A scheduler takes a timer in the transaction that runs its handler, so that the fire
// and the handler's writes commit or roll back together; false means the timer was
// rescheduled, cancelled or retaken since the claim, and the handler must not run.
func (tx *Tx) TimerTake(ctx context.Context, id, token int64) (bool, error) {
	n, err := tx.Exec(ctx, "DELETE FROM timer_timers WHERE id = ? AND lease_token = ?", id, token)
	return n > 0, err
}

// TimerClaimParams selects the timers TimerClaim takes.
type TimerClaimParams struct {
	// Kinds are the kinds to claim; timers of other kinds are left alone.
	Kinds []string
	// Now is the current time: timers with RunAt <= Now are claimable.
	Now int64
	// Limit caps how many timers are claimed.
	Limit int
	// LeaseMs is how long the claim holds each timer.
	LeaseMs int64
	// Token identifies this claim; it must not be 0 and should be unique (random).
	Token int64
	// Node is the claiming node, recorded with the claim so that other nodes release it
	// when the node dies (see NodeHeartbeat). Zero claims for no node: only the lease
	// ends the claim.
	Node int64
}

// TimerClaimResult is what TimerClaim took.
type TimerClaimResult struct {
	// Timers are the claimed timers in due order, RunAt being their lease expiry.
	Timers []*Timer
	// NextRunAt is the earliest RunAt after Now among timers of the kinds not claimed by
	// this claim, 0 when there is none: when to look again if nothing else wakes the caller.
	// It may be the lease expiry of a timer claimed earlier that has fired since; waking
	// then is merely early.
	NextRunAt int64
}

// TimerClaim claims up to p.Limit due timers of p.Kinds for p.Token, earliest first, for
// p.LeaseMs. No other claim takes them until the lease expires or they are taken,
// rescheduled or retried. On PostgreSQL, claims by several nodes skip each other's rows
// (FOR UPDATE SKIP LOCKED) and never overlap. The claim records p.Node, so that it also
// ends when that node is found dead.
func (db *DB) TimerClaim(ctx context.Context, p *TimerClaimParams) (*TimerClaimResult, error) {
	if p.Token == 0 {
		return nil, fmt.Errorf("claim timers: zero token")
	}
	if len(p.Kinds) == 0 {
		return &TimerClaimResult{}, nil
	}
	var res TimerClaimResult
	err := db.WriteLazy(ctx, func(tx *Tx) error {
		res = TimerClaimResult{}
		kinds := make([]any, len(p.Kinds))
		for i, k := range p.Kinds {
			kinds[i] = k
		}
		sub := "SELECT id FROM timer_timers WHERE run_at <= ? AND kind IN (" + inList(len(kinds)) + ") ORDER BY run_at, id LIMIT ?"
		if tx.Dialect() == Postgres {
			sub += " FOR UPDATE SKIP LOCKED"
		}
		args := append([]any{p.Token, p.Node, p.Now + p.LeaseMs, p.Now}, kinds...)
		rows, err := tx.Query(ctx, "UPDATE timer_timers SET lease_token = ?, lease_node = ?, run_at = ? WHERE id IN ("+sub+") RETURNING "+timerColumns,
			append(args, p.Limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			t, err := scanTimer(rows)
			if err != nil {
				return err
			}
			res.Timers = append(res.Timers, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		var next sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT MIN(run_at) FROM timer_timers WHERE run_at > ? AND lease_token <> ? AND kind IN ("+inList(len(kinds))+")",
			append([]any{p.Now, p.Token}, kinds...)...).Scan(&next); err != nil {
			return err
		}
		res.NextRunAt = next.Int64
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim timers: %w", err)
	}
	// RETURNING gives no order; a retried timer fires in the order of its original due time.
	slices.SortFunc(res.Timers, func(a, b *Timer) int { return cmp.Or(cmp.Compare(a.DueAt, b.DueAt), cmp.Compare(a.ID, b.ID)) })
	return &res, nil
}

// TimerRetry ends a claim on timer id after its handler failed: it is due again at runAt,
// with attempts and lastErr recorded. It reports false, changing nothing, when the timer is
// no longer held by token.
func (tx *Tx) TimerRetry(ctx context.Context, id, token, runAt int64, attempts int, lastErr string) (bool, error) {
	n, err := tx.Exec(ctx, "UPDATE timer_timers SET lease_token = 0, run_at = ?, attempts = ?, last_error = ? WHERE id = ? AND lease_token = ?",
		runAt, attempts, lastErr, id, token)
	return n > 0, err
}

// TimerReleaseClaims ends every claim on timers, making them due at now. A single node
// (SQLite) calls it at start: claims in the database are then left over from a run that
// crashed, and waiting for their leases would only delay the timers. Several nodes on
// PostgreSQL release only the claims of dead nodes instead (NodeHeartbeat).
func (db *DB) TimerReleaseClaims(ctx context.Context, now int64) error {
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE timer_timers SET lease_token = 0, run_at = ? WHERE lease_token <> 0", now)
		return err
	})
	if err != nil {
		return fmt.Errorf("release timer claims: %w", err)
	}
	return nil
}

// TimerGet returns the timer kind/key. It returns ErrNotFound when there is none.
func (db *DB) TimerGet(ctx context.Context, kind, key string) (*Timer, error) {
	var t *Timer
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		t, err = scanTimer(tx.QueryRow(ctx, "SELECT "+timerColumns+" FROM timer_timers WHERE kind = ? AND timer_key = ?", kind, key))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get timer %s/%s: %w", kind, key, err)
	}
	return t, nil
}

// TimerListParams filters TimerList.
type TimerListParams struct {
	// Kind, when not "", keeps only that kind's timers.
	Kind string
	// AfterID pages: only timers with a larger id are listed.
	AfterID int64
	// Limit caps the timers returned; 0 means 1000.
	Limit int
}

// TimerList returns timers in id order.
func (db *DB) TimerList(ctx context.Context, p *TimerListParams) ([]*Timer, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 1000
	}
	var out []*Timer
	err := db.Read(ctx, func(tx *Tx) error {
		q := "SELECT " + timerColumns + " FROM timer_timers WHERE id > ?"
		args := []any{p.AfterID}
		if p.Kind != "" {
			q += " AND kind = ?"
			args = append(args, p.Kind)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY id LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			t, err := scanTimer(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list timers: %w", err)
	}
	return out, nil
}
