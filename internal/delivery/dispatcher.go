package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/node"
	"github.com/overcast/overcast/internal/store"
)

// Config configures a Dispatcher.
type Config struct {
	// Store holds the jobs. Required.
	Store *store.DB
	// Clock tells the time and waits: due times, backoff and MaxAge follow it, so a virtual
	// clock drives retries. Nil means the wall clock.
	Clock clock.Clock
	// Logger receives failures. Nil discards.
	Logger *slog.Logger
	// Concurrency caps the deliveries in flight per target kind on this node. Zero means
	// DefaultConcurrency.
	Concurrency int
	// KindConcurrency overrides Concurrency for some target kinds.
	KindConcurrency map[string]int
	// AttemptTimeout is the default Policy.AttemptTimeout. Zero means
	// DefaultAttemptTimeout. Attempt timeouts bound real work and follow the wall clock.
	AttemptTimeout time.Duration
	// LeaseMargin is added to a job's attempt timeout to make its claim's lease, on the
	// Clock. Zero means DefaultLeaseMargin.
	LeaseMargin time.Duration
	// RetryScale multiplies every backoff delay; zero means 1. Below 1 it shortens AWS's
	// minutes-long retries for local development (0.01 turns Lambda's one-minute retry
	// into 600 ms). RetryAfter delays are not scaled.
	RetryScale float64
	// RandFunc returns the jitter draws, in [0, 1). Nil means math/rand/v2's Float64; a
	// constant makes retry times exact in tests.
	RandFunc func() float64
	// DeadLetterRetry is the wait before trying again a dead-letter hand-off that failed
	// (or whose owner is not registered on this node). Zero means 1 minute.
	DeadLetterRetry time.Duration
	// PollInterval, on PostgreSQL, is how often an idle node looks for jobs that no
	// notification announced to it (jobs another node enqueued and delivers itself, unless
	// it died). Zero means DefaultPollInterval. SQLite has one node and does not poll.
	PollInterval time.Duration
	// NodeTimeout, on PostgreSQL, is the dead-node threshold: a started Dispatcher is a
	// node that records a heartbeat every NodeTimeout/3 on the NodeClock, and releases the
	// claims of the nodes (dispatchers and timer schedulers) whose last heartbeat is older
	// than NodeTimeout, so that the jobs of a crashed node are retried after about
	// NodeTimeout instead of after their leases. Zero means DefaultNodeTimeout. It must
	// be the same on every node. SQLite has one node and releases every claim at Start.
	NodeTimeout time.Duration
	// NodeClock paces the heartbeats and dates them. Nil means the wall clock, whatever
	// Clock is: liveness is a matter of real time, and nodes whose virtual clocks were
	// moved differently (or one clock moved past a beat) must not find each other dead.
	// Tests of dead nodes set it to a virtual clock.
	NodeClock clock.Clock
}

// Default Config values.
const (
	DefaultConcurrency     = 64
	DefaultAttemptTimeout  = time.Minute
	DefaultLeaseMargin     = 30 * time.Second
	DefaultDeadLetterRetry = time.Minute
	DefaultPollInterval    = 5 * time.Second
	DefaultNodeTimeout     = 15 * time.Second
)

// maxErrorLen caps the last error kept with a job.
const maxErrorLen = 4096

// completeBatch caps how many outcomes one store write records.
const completeBatch = 256

// errStale aborts a dead-letter hand-off whose claim was lost (its lease expired and another
// worker took the job).
var errStale = errors.New("delivery: claim is stale")

// Dispatcher is Overcast's one delivery mechanism: it stores jobs durably (Enqueue) and
// delivers them through the Deliverer registered for their target kind, retrying failures
// under each job's Policy and handing final failures to the job's owner. Create it with
// New, Register the deliverers and dead-letter functions, then Start it. Enqueue works at
// any time, also before Start and on nodes whose Dispatcher is never started. It is safe
// for concurrent use.
type Dispatcher struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	node  int64 // this node's id in the claims and heartbeats
	heart *node.Heart

	mu       sync.Mutex
	pools    map[string]*pool // fixed once Start is called; read without the lock
	owners   map[string]DeadLetterFunc
	randMu   sync.Mutex
	started  bool
	stopped  bool
	cancel   context.CancelFunc
	loops    sync.WaitGroup // claim loops and the notification router
	workers  sync.WaitGroup // deliveries in flight
	results  chan *outcome
	finished chan struct{} // closed when the completer has recorded every outcome
	stopOnce sync.Once
}

// pool is the workers of one target kind on this node.
type pool struct {
	kind     string
	d        Deliverer
	limit    int
	inflight atomic.Int64
	nextWake atomic.Int64 // unix ms the loop sleeps until; 0 while it claims or has no deadline
	kick     chan struct{}
	slot     chan struct{}
}

// wakeBy wakes the pool's loop if it sleeps past dueMs, or is claiming and may have missed
// it.
func (p *pool) wakeBy(dueMs int64) {
	if next := p.nextWake.Load(); next <= 0 || dueMs < next {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
}

// New returns a Dispatcher; it delivers nothing until Start.
func New(cfg Config) *Dispatcher {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.LeaseMargin <= 0 {
		cfg.LeaseMargin = DefaultLeaseMargin
	}
	if cfg.RetryScale <= 0 {
		cfg.RetryScale = 1
	}
	if cfg.RandFunc == nil {
		cfg.RandFunc = rand.Float64
	}
	if cfg.DeadLetterRetry <= 0 {
		cfg.DeadLetterRetry = DefaultDeadLetterRetry
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = DefaultNodeTimeout
	}
	if cfg.NodeClock == nil {
		cfg.NodeClock = clock.Real{}
	}
	d := &Dispatcher{
		db: cfg.Store, clock: cfg.Clock, log: cfg.Logger, cfg: cfg, node: newToken(),
		pools:    map[string]*pool{},
		owners:   map[string]DeadLetterFunc{},
		results:  make(chan *outcome, completeBatch),
		finished: make(chan struct{}),
	}
	d.heart = &node.Heart{
		DB: cfg.Store, ID: d.node, Timeout: cfg.NodeTimeout, Clock: cfg.NodeClock, Due: cfg.Clock, Log: cfg.Logger,
		Released: func(res *store.NodeHeartbeatResult) {
			if res.Jobs > 0 {
				for _, p := range d.pools {
					p.wakeBy(0)
				}
			}
		},
	}
	return d
}

// Register makes d deliver the jobs whose Target is kind, with Config.Concurrency (or its
// KindConcurrency entry) deliveries at once. It must be called before Start, once per kind;
// it panics otherwise, as wiring mistakes should fail at start-up. A node delivers only the
// kinds registered on it.
func (d *Dispatcher) Register(kind string, dl Deliverer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case kind == "" || dl == nil:
		panic("delivery: Register needs a kind and a deliverer")
	case d.started:
		panic("delivery: Register of " + kind + " after Start")
	case d.pools[kind] != nil:
		panic("delivery: target kind " + kind + " registered twice")
	}
	limit := d.cfg.Concurrency
	if n := d.cfg.KindConcurrency[kind]; n > 0 {
		limit = n
	}
	d.pools[kind] = &pool{kind: kind, d: dl, limit: limit, kick: make(chan struct{}, 1), slot: make(chan struct{}, 1)}
}

// RegisterDeadLetter makes fn receive the final failures of the jobs whose Owner is owner.
// Like Register, it must be called before Start, once per owner.
func (d *Dispatcher) RegisterDeadLetter(owner string, fn DeadLetterFunc) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case owner == "" || fn == nil:
		panic("delivery: RegisterDeadLetter needs an owner and a function")
	case d.started:
		panic("delivery: RegisterDeadLetter of " + owner + " after Start")
	case d.owners[owner] != nil:
		panic("delivery: owner " + owner + " registered twice")
	}
	d.owners[owner] = fn
}

// Enqueue stores jobs for delivery and sets their ID and EnqueuedAt. With a non-nil tx the
// jobs are part of the caller's transaction: they exist, and are delivered, only if it
// commits (so a caller can acknowledge its client once its transaction has committed, and
// know the deliveries are durable); the workers are woken by a notification after the
// commit, which on PostgreSQL reaches every node. With a nil tx the jobs are written in a
// transaction of their own and are durable when Enqueue returns; this node's workers for
// their target take them at once (on PostgreSQL, other nodes are notified only when this
// node has no deliverer for the target, since notifying serialises commits). Enqueue
// validates each job (Target set, Policy valid) and stores none if one is invalid.
func (d *Dispatcher) Enqueue(ctx context.Context, tx *store.Tx, jobs ...*Job) error {
	if len(jobs) == 0 {
		return nil
	}
	now := d.clock.Now().UnixMilli()
	rows := make([]*store.DeliveryJob, len(jobs))
	for i, j := range jobs {
		row, err := d.toRow(j, now)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	var err error
	if tx != nil {
		err = tx.DeliveryJobInsert(ctx, rows...)
		if err == nil {
			for _, target := range dueTargets(rows) {
				tx.NotifyAfterCommit(store.DeliveryWakeChannel, target)
			}
		}
	} else {
		err = d.db.Write(ctx, func(tx *store.Tx) error { return tx.DeliveryJobInsert(ctx, rows...) })
	}
	if err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	for i, j := range jobs {
		j.ID = rows[i].ID
		j.EnqueuedAt = time.UnixMilli(now).UTC()
	}
	if tx == nil {
		d.wake(dueTargets(rows))
	}
	return nil
}

// dueTargets lists the targets of the rows that are not parked, once each.
func dueTargets(rows []*store.DeliveryJob) []string {
	var out []string
	for _, r := range rows {
		if r.RunAt != store.DeliveryParked && !slices.Contains(out, r.Target) {
			out = append(out, r.Target)
		}
	}
	return out
}

// wake tells the workers of targets that jobs have become due, after the commit that made
// them so: this node's pool when it has one, otherwise, on PostgreSQL, every node.
func (d *Dispatcher) wake(targets []string) {
	for _, target := range targets {
		if p := d.pools[target]; p != nil {
			p.wakeBy(0)
			continue
		}
		if d.db.Dialect() == store.Postgres {
			if err := d.db.Notifier().Notify(context.Background(), store.DeliveryWakeChannel, target); err != nil {
				d.log.Warn("notify delivery workers", "target", target, "err", err)
			}
		}
	}
}

func (d *Dispatcher) toRow(j *Job, now int64) (*store.DeliveryJob, error) {
	if j.Target == "" {
		return nil, errors.New("enqueue delivery: job has no Target")
	}
	if err := j.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("enqueue delivery to %s %s: %w", j.Target, j.Dest, err)
	}
	var attrs string
	if len(j.Attributes) > 0 {
		b, err := json.Marshal(j.Attributes)
		if err != nil {
			return nil, fmt.Errorf("enqueue delivery: attributes: %w", err)
		}
		attrs = string(b)
	}
	pol, err := json.Marshal(j.Policy)
	if err != nil {
		return nil, fmt.Errorf("enqueue delivery: policy: %w", err)
	}
	return &store.DeliveryJob{
		Target: j.Target, Dest: j.Dest, Payload: j.Payload, Attributes: attrs, Policy: string(pol),
		OrderingKey: j.OrderingKey, Owner: j.Owner, EnqueuedAt: now, RunAt: now,
		LeaseMs: (d.attemptTimeout(j.Policy) + d.cfg.LeaseMargin).Milliseconds(),
	}, nil
}

func (d *Dispatcher) attemptTimeout(p Policy) time.Duration {
	if p.AttemptTimeout > 0 {
		return p.AttemptTimeout
	}
	return d.cfg.AttemptTimeout
}

// fromRow rebuilds a Job from its row.
func fromRow(row *store.DeliveryJob) (*Job, error) {
	j := &Job{
		ID: row.ID, Target: row.Target, Dest: row.Dest, Payload: row.Payload,
		OrderingKey: row.OrderingKey, Owner: row.Owner,
		EnqueuedAt: time.UnixMilli(row.EnqueuedAt).UTC(), Attempt: row.Attempts, LastError: row.LastError,
	}
	if row.Attributes != "" {
		if err := json.Unmarshal([]byte(row.Attributes), &j.Attributes); err != nil {
			return j, fmt.Errorf("delivery job %d: attributes: %w", row.ID, err)
		}
	}
	if row.Policy != "" {
		if err := json.Unmarshal([]byte(row.Policy), &j.Policy); err != nil {
			return j, fmt.Errorf("delivery job %d: policy: %w", row.ID, err)
		}
	}
	return j, nil
}

// Status is a stored job, for inspection.
type Status struct {
	Job
	// DueAt is when the job is next claimable: its due time, or its lease expiry while it
	// is Claimed. Zero while it is Parked.
	DueAt time.Time
	// Claimed reports a worker holding the job (or a crashed one, until the lease expires).
	Claimed bool
	// Parked reports the job waiting for an earlier job of its ordering key.
	Parked bool
	// Failures counts the failed attempts that count against MaxRetries, Throttles the
	// throttled ones that do not.
	Failures, Throttles int
	// DeadReason is set once the job finally failed and waits for its dead-letter hand-off.
	DeadReason Reason
}

func statusOf(row *store.DeliveryJob) *Status {
	j, _ := fromRow(row)
	s := &Status{Job: *j, Failures: row.Failures, Throttles: row.Throttles, DeadReason: Reason(row.DeadReason)}
	switch {
	case row.RunAt == store.DeliveryParked:
		s.Parked = true
	default:
		s.DueAt = time.UnixMilli(row.RunAt).UTC()
		s.Claimed = row.LeaseToken != 0
	}
	return s
}

// Get returns the job id as stored. It returns an error wrapping store.ErrNotFound when
// there is none (delivered, dead-lettered, or never enqueued).
func (d *Dispatcher) Get(ctx context.Context, id int64) (*Status, error) {
	row, err := d.db.DeliveryJobGet(ctx, id)
	if err != nil {
		return nil, err
	}
	return statusOf(row), nil
}

// List returns up to 1000 stored jobs of target ("" for every target) in enqueue order.
func (d *Dispatcher) List(ctx context.Context, target string) ([]*Status, error) {
	rows, err := d.db.DeliveryJobList(ctx, &store.DeliveryListParams{Target: target})
	if err != nil {
		return nil, err
	}
	out := make([]*Status, len(rows))
	for i, row := range rows {
		out[i] = statusOf(row)
	}
	return out, nil
}

// Start begins delivering the jobs of the registered target kinds. The loops run until
// Stop, not until ctx ends. On SQLite, where this node is the only one, claims left by a
// previous run are released first, so jobs it held when it crashed are retried at once. On
// PostgreSQL the Dispatcher joins the nodes (see Config.NodeTimeout): its first heartbeat
// releases the claims of the nodes already dead, such as this process's previous run when
// it crashed more than NodeTimeout ago. Start may be called once; later calls, and calls
// after Stop, do nothing.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.stopped {
		return nil
	}
	nodes, now, beatAt := d.db.Dialect() == store.Postgres, d.clock.Now(), d.cfg.NodeClock.Now()
	if nodes {
		if err := d.heart.Beat(ctx, beatAt); err != nil {
			return fmt.Errorf("start delivery: %w", err)
		}
	} else if err := d.db.DeliveryJobReleaseClaims(ctx, now.UnixMilli()); err != nil {
		return fmt.Errorf("start delivery: %w", err)
	}
	d.started = true
	// Listen before the first claim, so that nothing enqueued in between goes unnoticed.
	notes, unlisten := d.db.Notifier().Listen(store.DeliveryWakeChannel)
	ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	d.loops.Go(func() {
		defer unlisten()
		d.route(ctx, notes)
	})
	for _, p := range d.pools {
		d.loops.Go(func() { d.loop(ctx, p) })
	}
	if nodes {
		d.loops.Go(func() { d.heart.Run(ctx, beatAt) })
	}
	go d.complete()
	return nil
}

// Stop ends the claim loops, cancels the deliveries in flight (a delivery cut short is
// released, to be retried without counting), records their outcomes and returns; on
// PostgreSQL it then removes the node's heartbeat. It may be called more than once, and
// before Start.
func (d *Dispatcher) Stop() {
	d.mu.Lock()
	d.stopped = true
	cancel := d.cancel
	d.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	d.loops.Wait()
	d.workers.Wait()
	d.stopOnce.Do(func() { close(d.results) })
	<-d.finished
	if d.db.Dialect() == store.Postgres {
		d.heart.Leave()
	}
}

// route wakes the pool each notification names; an empty one (sent after a lost database
// connection came back) wakes them all.
func (d *Dispatcher) route(ctx context.Context, notes <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case kind, ok := <-notes:
			if !ok {
				return
			}
			if kind == "" {
				for _, p := range d.pools {
					p.wakeBy(0)
				}
				continue
			}
			if p := d.pools[kind]; p != nil {
				p.wakeBy(0)
			}
		}
	}
}

// errorPause is how long a loop waits after a failed claim.
const errorPause = time.Second

// loop claims due jobs of p's kind while p has free workers, and sleeps until the next due
// time, a wake-up or, when full, a free worker.
func (d *Dispatcher) loop(ctx context.Context, p *pool) {
	for {
		free := p.limit - int(p.inflight.Load())
		var next int64
		if free > 0 {
			now := d.clock.Now().UnixMilli()
			res, err := d.db.DeliveryJobClaim(ctx, &store.DeliveryClaimParams{Target: p.kind, Now: now, Limit: free, Token: newToken(), Node: d.node})
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				d.log.Error("claim delivery jobs", "target", p.kind, "err", err)
				next = now + errorPause.Milliseconds()
			default:
				for _, row := range res.Jobs {
					p.inflight.Add(1)
					d.workers.Go(func() { d.work(ctx, p, row) })
				}
				if len(res.Jobs) == free {
					continue // more may be due
				}
				next = res.NextRunAt
			}
		}
		if !d.wait(ctx, p, next, free <= 0) {
			return
		}
	}
}

// wait sleeps until next (unix ms; 0 for no deadline), a wake-up or, when full, a free
// worker. It returns false when ctx ends.
func (d *Dispatcher) wait(ctx context.Context, p *pool, next int64, full bool) bool {
	if full {
		next = 0
	} else if d.db.Dialect() == store.Postgres {
		if poll := d.clock.Now().Add(d.cfg.PollInterval).UnixMilli(); next == 0 || next > poll {
			next = poll
		}
	}
	var due <-chan time.Time
	if next > 0 {
		t, passed := clock.NewTimerAt(d.clock, time.UnixMilli(next))
		if passed {
			return true
		}
		defer t.Stop()
		due = t.C()
	}
	p.nextWake.Store(next)
	defer p.nextWake.Store(0)
	for {
		select {
		case <-ctx.Done():
			return false
		case <-due:
			return true
		case <-p.kick:
			if !full {
				return true
			}
		case <-p.slot:
			if full {
				return true
			}
		}
	}
}

// rand draws a jitter fraction.
func (d *Dispatcher) rand() float64 {
	d.randMu.Lock()
	defer d.randMu.Unlock()
	return d.cfg.RandFunc()
}

// newToken returns a random non-zero claim token.
func newToken() int64 {
	for {
		if t := rand.Int64(); t != 0 {
			return t
		}
	}
}
