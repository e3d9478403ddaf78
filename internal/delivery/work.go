package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/store"
)

// outcomeKind is what becomes of a claimed job after an attempt.
type outcomeKind int

const (
	delivered outcomeKind = iota // remove it
	retry                        // due again later
	dead                         // hand it to its owner, then remove it
	release                      // not attempted (stopping): due again now, uncounted
)

// outcome is one attempt's result, recorded by the completer.
type outcome struct {
	kind    outcomeKind
	pool    *pool
	row     *store.DeliveryJob
	job     *Job
	retry   store.DeliveryRetryParams
	failure *Failure
}

// work runs one claimed job and hands its outcome to the completer.
func (d *Dispatcher) work(ctx context.Context, p *pool, row *store.DeliveryJob) {
	o := d.attempt(ctx, p, row)
	d.results <- o
	p.inflight.Add(-1)
	select {
	case p.slot <- struct{}{}:
	default:
	}
}

// attempt delivers row, unless it is already dead or too old, and judges the result.
func (d *Dispatcher) attempt(ctx context.Context, p *pool, row *store.DeliveryJob) *outcome {
	o := &outcome{pool: p, row: row}
	job, err := fromRow(row)
	o.job = job
	if err != nil {
		// Only a damaged row gets here: no attempt can succeed.
		return d.unattemptedDead(o, PermanentFailure, err)
	}
	if row.DeadReason != "" {
		// This claim only retries the hand-off.
		return d.unattemptedDead(o, Reason(row.DeadReason), errFromText(row.LastError))
	}
	if pol := job.Policy; pol.MaxAge > 0 && d.clock.Now().Sub(job.EnqueuedAt) > pol.MaxAge {
		return d.unattemptedDead(o, EventAgeExceeded, errFromText(row.LastError))
	}
	actx, cancel := context.WithTimeout(ctx, d.attemptTimeout(job.Policy))
	err = callDeliver(actx, p.d, job)
	cancel()
	switch {
	case err == nil:
		o.kind = delivered
		return o
	case ctx.Err() != nil:
		o.kind = release
		o.retry = store.DeliveryRetryParams{
			ID: row.ID, Token: row.LeaseToken, RunAt: d.clock.Now().UnixMilli(),
			Failures: row.Failures, Throttles: row.Throttles, LastError: row.LastError, Release: true,
		}
		return o
	}
	return d.judge(o, err)
}

// judge turns a failed attempt into a retry or a final failure.
func (d *Dispatcher) judge(o *outcome, err error) *outcome {
	row, pol := o.row, o.job.Policy
	var de *Error
	errors.As(err, &de)
	failures, throttles := row.Failures, row.Throttles
	if de != nil && de.Permanent {
		return d.deadOutcome(o, PermanentFailure, err, failures, throttles)
	}
	var delay time.Duration
	if de != nil && de.Throttled && len(pol.Throttle.Phases) > 0 {
		throttles++
		delay = pol.Throttle.Delay(throttles, d.rand())
	} else {
		failures++
		if pol.MaxRetries >= 0 && failures > pol.MaxRetries {
			return d.deadOutcome(o, RetriesExhausted, err, failures, throttles)
		}
		delay = pol.Backoff.Delay(failures, d.rand())
	}
	if de != nil && de.RetryAfter > 0 {
		delay = de.RetryAfter
	} else {
		delay = time.Duration(float64(delay) * d.cfg.RetryScale)
	}
	now := d.clock.Now()
	runAt := now.Add(delay)
	if pol.MaxAge > 0 && runAt.Sub(o.job.EnqueuedAt) > pol.MaxAge {
		return d.deadOutcome(o, EventAgeExceeded, err, failures, throttles)
	}
	o.kind = retry
	o.retry = store.DeliveryRetryParams{
		ID: row.ID, Token: row.LeaseToken, RunAt: ceilMilli(runAt),
		Failures: failures, Throttles: throttles, LastError: errorText(err),
	}
	return o
}

// unattemptedDead is a final failure found without delivering: the claim, which counted an
// attempt, is not one.
func (d *Dispatcher) unattemptedDead(o *outcome, reason Reason, err error) *outcome {
	o.row.Attempts--
	d.deadOutcome(o, reason, err, o.row.Failures, o.row.Throttles)
	o.retry.Release = true
	return o
}

func (d *Dispatcher) deadOutcome(o *outcome, reason Reason, err error, failures, throttles int) *outcome {
	o.kind = dead
	o.failure = &Failure{Reason: reason, Err: err, Attempts: o.row.Attempts}
	o.retry = store.DeliveryRetryParams{
		ID: o.row.ID, Token: o.row.LeaseToken, Failures: failures, Throttles: throttles,
		LastError: errorText(err), DeadReason: string(reason),
	}
	return o
}

// callDeliver runs the deliverer, turning a panic into a failure.
func callDeliver(ctx context.Context, dl Deliverer, j *Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("deliverer for %s panicked: %v", j.Target, v)
		}
	}()
	return dl.Deliver(ctx, j)
}

// complete records outcomes until Stop closes the results, a batch per store write.
func (d *Dispatcher) complete() {
	defer close(d.finished)
	batch := make([]*outcome, 0, completeBatch)
	for o := range d.results {
		batch = append(batch[:0], o)
	fill:
		for len(batch) < completeBatch {
			select {
			case o, ok := <-d.results:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		d.record(batch)
	}
}

// record writes a batch of outcomes: deliveries, retries and releases in one transaction,
// each dead-letter hand-off in one of its own (an owner's failure must not undo the rest).
func (d *Dispatcher) record(batch []*outcome) {
	ctx := context.Background()
	now := d.clock.Now().UnixMilli()
	var (
		done    []store.DeliveryDone
		retries []*outcome
		deads   []*outcome
	)
	for _, o := range batch {
		switch o.kind {
		case delivered:
			done = append(done, store.DeliveryDone{ID: o.row.ID, Token: o.row.LeaseToken, OrderingKey: o.row.OrderingKey})
		case retry, release:
			retries = append(retries, o)
		case dead:
			deads = append(deads, o)
		}
	}
	if len(done)+len(retries) > 0 {
		var unparked []string
		err := d.db.WriteLazy(ctx, func(tx *store.Tx) error {
			var err error
			if _, unparked, err = tx.DeliveryJobDelete(ctx, now, done...); err != nil {
				return err
			}
			for _, o := range retries {
				if _, err := tx.DeliveryJobRetry(ctx, &o.retry); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// The claims expire and the jobs are attempted again: at least once.
			d.log.Error("record delivery outcomes", "jobs", len(done)+len(retries), "err", err)
		} else {
			for _, o := range retries {
				o.pool.wakeBy(o.retry.RunAt)
			}
			d.wake(unparked)
		}
	}
	for _, o := range deads {
		d.deadLetter(ctx, o, now)
	}
}

// deadLetter hands a finally failed job to its owner and removes it, or, when that fails,
// keeps it marked dead to try the hand-off again later.
func (d *Dispatcher) deadLetter(ctx context.Context, o *outcome, now int64) {
	job := o.job
	fn := d.owners[job.Owner]
	if job.Owner != "" && fn == nil {
		d.log.Error("no dead-letter function for the owner of a failed delivery job; keeping it", "owner", job.Owner, "job", job.ID)
		d.keepDead(ctx, o, now)
		return
	}
	var unparked []string
	err := d.db.WriteLazy(ctx, func(tx *store.Tx) error {
		n, up, err := tx.DeliveryJobDelete(ctx, now, store.DeliveryDone{ID: o.row.ID, Token: o.row.LeaseToken, OrderingKey: o.row.OrderingKey})
		unparked = up
		if err != nil {
			return err
		}
		if n == 0 {
			return errStale
		}
		if fn == nil {
			return nil
		}
		return callDeadLetter(ctx, fn, tx, job, o.failure)
	})
	switch {
	case err == nil:
		d.wake(unparked)
		if fn == nil {
			d.log.Warn("delivery job failed finally and has no owner; dropped", "target", job.Target, "dest", job.Dest,
				"job", job.ID, "reason", o.failure.Reason, "err", o.failure.Err)
		}
	case errors.Is(err, errStale):
	default:
		d.log.Error("dead-letter hand-off failed; will try again", "owner", job.Owner, "job", job.ID, "err", err)
		d.keepDead(ctx, o, now)
	}
}

// keepDead ends the claim on a dead job, marked so that its next claim tries the hand-off
// again instead of a delivery.
func (d *Dispatcher) keepDead(ctx context.Context, o *outcome, now int64) {
	o.retry.RunAt = now + d.cfg.DeadLetterRetry.Milliseconds()
	err := d.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.DeliveryJobRetry(ctx, &o.retry)
		return err
	})
	if err != nil {
		d.log.Error("record failed dead-letter hand-off", "job", o.row.ID, "err", err)
		return
	}
	o.pool.wakeBy(o.retry.RunAt)
}

// callDeadLetter runs an owner's function, turning a panic into an error.
func callDeadLetter(ctx context.Context, fn DeadLetterFunc, tx *store.Tx, j *Job, f *Failure) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("dead-letter function of %s panicked: %v", j.Owner, v)
		}
	}()
	return fn(ctx, tx, j, f)
}

// errorText is the stored form of a delivery error: valid UTF-8 without NUL (which
// PostgreSQL's text refuses), at most maxErrorLen bytes.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) > maxErrorLen {
		cut := maxErrorLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// ceilMilli returns t in unix milliseconds, rounded up, so that nothing runs early.
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}
