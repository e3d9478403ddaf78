package timer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/node"
	"github.com/overcast/overcast/internal/store"
)

// Timer is one durable timer.
type Timer struct {
	// Kind selects the Handler that fires the timer: the owning service and a purpose, such
	// as "states.wait" or "scheduler.schedule".
	Kind string
	// Key names the timer within its kind, such as an execution or schedule ARN.
	Key string
	// DueAt is when the timer fires; the zero time means now. It is kept in milliseconds,
	// rounded up, so a timer never fires early.
	DueAt time.Time
	// Payload is the owner's data, handed back to the handler.
	Payload []byte
	// Attempt counts the failed fires since the timer was scheduled (0 on the first fire).
	// The Scheduler sets it; Schedule ignores it.
	Attempt int
	// LastError is the error of the latest failed fire. The Scheduler sets it; Schedule
	// ignores it.
	LastError string
}

// Handler fires the timers of one kind.
type Handler interface {
	// Fire runs when t is due, inside tx, the transaction that removes t: its writes in tx
	// commit together with the removal. Returning a non-zero next schedules t again at next
	// (with t.Payload as Fire left it), making it recurring. Returning an error rolls tx
	// back and leaves t to be fired again after a backoff. Fire must be quick, must use no
	// transaction but tx, and may run again for the same timer after a crash or a
	// PostgreSQL serialization retry (only a committed run counts).
	Fire(ctx context.Context, tx *store.Tx, t *Timer) (next time.Time, err error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, tx *store.Tx, t *Timer) (next time.Time, err error)

// Fire calls f.
func (f HandlerFunc) Fire(ctx context.Context, tx *store.Tx, t *Timer) (time.Time, error) {
	return f(ctx, tx, t)
}

// Config configures a Scheduler.
type Config struct {
	// Store holds the timers. Required.
	Store *store.DB
	// Clock tells the time and waits. Nil means the wall clock.
	Clock clock.Clock
	// Logger receives failed fires. Nil discards.
	Logger *slog.Logger
	// Concurrency caps how many timers this node fires at once. Zero means 32.
	Concurrency int
	// Lease is how long a claim holds a timer before another node may take it; it bounds
	// how long a crashed node delays its claimed timers on PostgreSQL. Zero means 1 minute.
	Lease time.Duration
	// RetryDelay is the wait after a timer's first failed fire; it doubles with every
	// further failure up to MaxRetryDelay. Zero means 1 second and 5 minutes.
	RetryDelay, MaxRetryDelay time.Duration
	// PollInterval, on PostgreSQL, is how often an idle node looks for timers that no
	// notification announced to it (timers another node scheduled and fires itself, unless
	// it died). Zero means DefaultPollInterval. SQLite has one node and does not poll.
	PollInterval time.Duration
	// NodeTimeout, on PostgreSQL, is the dead-node threshold: a started Scheduler is a node
	// that records a heartbeat every NodeTimeout/3 on the NodeClock, and releases the claims of
	// the nodes (schedulers and delivery dispatchers) whose last heartbeat is older than
	// NodeTimeout, so that the timers of a crashed node fire after about NodeTimeout
	// instead of after their leases. Zero means DefaultNodeTimeout. It must be the same on
	// every node. SQLite has one node and releases every claim at Start.
	NodeTimeout time.Duration
	// NodeClock paces the heartbeats and dates them. Nil means the wall clock, whatever
	// Clock is: liveness is a matter of real time, and nodes whose virtual clocks were
	// moved differently (or one clock moved past a beat) must not find each other dead.
	// Tests of dead nodes set it to a virtual clock.
	NodeClock clock.Clock
}

// Default Config values.
const (
	DefaultConcurrency   = 32
	DefaultLease         = time.Minute
	DefaultRetryDelay    = time.Second
	DefaultMaxRetryDelay = 5 * time.Minute
	DefaultPollInterval  = 5 * time.Second
	DefaultNodeTimeout   = 15 * time.Second
)

// errStale aborts a fire whose timer was rescheduled, cancelled or retaken since the claim.
var errStale = errors.New("timer: claim is stale")

// Scheduler fires due timers. Create it with New, Register the handlers, then Start it.
// Schedule, Cancel and Get may be used at any time, also before Start and on nodes that
// never start a Scheduler. It is safe for concurrent use.
type Scheduler struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	node  int64 // this node's id in the claims and heartbeats
	heart *node.Heart

	mu       sync.Mutex
	handlers map[string]Handler
	started  bool
	stopped  bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	kinds    []string // registered kinds, fixed at Start
	inflight atomic.Int64
	nextWake atomic.Int64 // unix ms the loop sleeps until; 0 when it has nothing to wait for
	kick     chan struct{}
	slot     chan struct{}
}

// New returns a Scheduler; it fires nothing until Start.
func New(cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.MaxRetryDelay <= 0 {
		cfg.MaxRetryDelay = DefaultMaxRetryDelay
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
	s := &Scheduler{
		db: cfg.Store, clock: cfg.Clock, log: cfg.Logger, cfg: cfg, node: newToken(),
		handlers: map[string]Handler{},
		kick:     make(chan struct{}, 1),
		slot:     make(chan struct{}, 1),
	}
	s.heart = &node.Heart{
		DB: cfg.Store, ID: s.node, Timeout: cfg.NodeTimeout, Clock: cfg.NodeClock, Due: cfg.Clock, Log: cfg.Logger,
		Released: func(res *store.NodeHeartbeatResult) {
			if res.Timers > 0 {
				s.wakeBy(0)
			}
		},
	}
	return s
}

// Register makes h fire the timers of kind. It must be called before Start, once per kind;
// it panics otherwise, as wiring mistakes should fail at start-up.
func (s *Scheduler) Register(kind string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case kind == "" || h == nil:
		panic("timer: Register needs a kind and a handler")
	case s.started:
		panic("timer: Register of " + kind + " after Start")
	case s.handlers[kind] != nil:
		panic("timer: kind " + kind + " registered twice")
	}
	s.handlers[kind] = h
}

// Schedule stores t, replacing any timer with the same Kind and Key (so scheduling is
// idempotent, and rescheduling moves the timer). With a non-nil tx it is part of the
// caller's transaction and takes effect when that commits, and a notification after the
// commit wakes the schedulers of every node that planned to wake later. With a nil tx it is
// written in a transaction of its own and is durable when Schedule returns; this node's
// scheduler takes it into account at once (on PostgreSQL, other nodes are notified only
// when this node has no handler for its kind, since notifying serialises commits).
func (s *Scheduler) Schedule(ctx context.Context, tx *store.Tx, t Timer) error {
	if t.Kind == "" || t.Key == "" {
		return fmt.Errorf("schedule timer: kind %q and key %q must not be empty", t.Kind, t.Key)
	}
	now := s.clock.Now()
	due := t.DueAt
	if due.IsZero() {
		due = now
	}
	row := &store.Timer{Kind: t.Kind, Key: t.Key, DueAt: ceilMilli(due), Payload: t.Payload, CreatedAt: now.UnixMilli()}
	if tx != nil {
		if err := tx.TimerUpsert(ctx, row); err != nil {
			return fmt.Errorf("schedule timer %s/%s: %w", t.Kind, t.Key, err)
		}
		tx.NotifyAfterCommit(store.TimerWakeChannel, strconv.FormatInt(row.DueAt, 10))
		return nil
	}
	if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.TimerUpsert(ctx, row) }); err != nil {
		return fmt.Errorf("schedule timer %s/%s: %w", t.Kind, t.Key, err)
	}
	s.mu.Lock()
	local := s.handlers[t.Kind] != nil
	s.mu.Unlock()
	switch {
	case local:
		s.wakeBy(row.DueAt)
	case s.db.Dialect() == store.Postgres:
		if err := s.db.Notifier().Notify(ctx, store.TimerWakeChannel, strconv.FormatInt(row.DueAt, 10)); err != nil {
			s.log.Warn("notify timer schedulers", "kind", t.Kind, "err", err)
		}
	}
	return nil
}

// Cancel removes the timer kind/key, in tx when it is not nil, and reports whether there
// was one. A fire already running for it is rolled back.
func (s *Scheduler) Cancel(ctx context.Context, tx *store.Tx, kind, key string) (bool, error) {
	var found bool
	var err error
	if tx != nil {
		found, err = tx.TimerDelete(ctx, kind, key)
	} else {
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			found, err = tx.TimerDelete(ctx, kind, key)
			return err
		})
	}
	if err != nil {
		return false, fmt.Errorf("cancel timer %s/%s: %w", kind, key, err)
	}
	return found, nil
}

// Get returns the timer kind/key as stored. It returns an error wrapping store.ErrNotFound
// when there is none.
func (s *Scheduler) Get(ctx context.Context, kind, key string) (*Timer, error) {
	row, err := s.db.TimerGet(ctx, kind, key)
	if err != nil {
		return nil, err
	}
	return fromRow(row), nil
}

func fromRow(row *store.Timer) *Timer {
	return &Timer{
		Kind: row.Kind, Key: row.Key, DueAt: time.UnixMilli(row.DueAt).UTC(), Payload: row.Payload,
		Attempt: row.Attempts, LastError: row.LastError,
	}
}

// Start begins firing the timers of the registered kinds. The loop runs until Stop, not
// until ctx ends. On SQLite, where this node is the only one, claims left by a previous
// run are released first, so timers it held when it crashed fire at once. On PostgreSQL the
// Scheduler joins the nodes (see Config.NodeTimeout): its first heartbeat releases the
// claims of the nodes already dead, such as this process's previous run when it crashed
// more than NodeTimeout ago. Start may be called once; later calls, and calls after Stop,
// do nothing.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return nil
	}
	nodes, now, beatAt := s.db.Dialect() == store.Postgres, s.clock.Now(), s.cfg.NodeClock.Now()
	if nodes {
		if err := s.heart.Beat(ctx, beatAt); err != nil {
			return fmt.Errorf("start timer scheduler: %w", err)
		}
	} else if err := s.db.TimerReleaseClaims(ctx, now.UnixMilli()); err != nil {
		return fmt.Errorf("start timer scheduler: %w", err)
	}
	s.started = true
	for kind := range s.handlers {
		s.kinds = append(s.kinds, kind)
	}
	slices.Sort(s.kinds)
	// Listen before the first claim, so that nothing scheduled in between goes unnoticed.
	notes, unlisten := s.db.Notifier().Listen(store.TimerWakeChannel)
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Go(func() {
		defer unlisten()
		s.loop(ctx, notes)
	})
	if nodes {
		s.wg.Go(func() { s.heart.Run(ctx, beatAt) })
	}
	return nil
}

// Stop ends the loop and waits for the fires in progress, which run to completion; on
// PostgreSQL it then removes the node's heartbeat. It may be called more than once, and
// before Start.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.stopped = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	s.wg.Wait()
	if s.db.Dialect() == store.Postgres {
		s.heart.Leave()
	}
}

// wakeBy wakes the loop if it sleeps past dueMs, or is claiming and may have missed it.
func (s *Scheduler) wakeBy(dueMs int64) {
	if next := s.nextWake.Load(); next <= 0 || dueMs < next {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// errorPause is how long the loop waits after a failed claim.
const errorPause = time.Second

func (s *Scheduler) loop(ctx context.Context, notes <-chan string) {
	if len(s.kinds) == 0 {
		<-ctx.Done()
		return
	}
	// Fires outlive Stop's cancellation: they are short, and a fire cut off half-way would
	// only be retried after its lease.
	fireCtx := context.WithoutCancel(ctx)
	for {
		free := s.cfg.Concurrency - int(s.inflight.Load())
		var next int64
		if free > 0 {
			now := s.clock.Now().UnixMilli()
			res, err := s.db.TimerClaim(ctx, &store.TimerClaimParams{
				Kinds: s.kinds, Now: now, Limit: free, LeaseMs: s.cfg.Lease.Milliseconds(), Token: newToken(), Node: s.node,
			})
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				s.log.Error("claim timers", "err", err)
				next = now + errorPause.Milliseconds()
			default:
				for _, row := range res.Timers {
					s.inflight.Add(1)
					s.wg.Go(func() { s.fire(fireCtx, row) })
				}
				if len(res.Timers) == free {
					continue // more may be due
				}
				next = res.NextRunAt
			}
		}
		if !s.wait(ctx, notes, next, free <= 0) {
			return
		}
	}
}

// wait sleeps until next (unix ms; 0 for no deadline), a nearer timer is scheduled, or,
// when full, a fire ends. It returns false when ctx ends.
func (s *Scheduler) wait(ctx context.Context, notes <-chan string, next int64, full bool) bool {
	if full {
		next = 0
	} else if s.db.Dialect() == store.Postgres {
		if poll := s.clock.Now().Add(s.cfg.PollInterval).UnixMilli(); next == 0 || next > poll {
			next = poll
		}
	}
	var due <-chan time.Time
	if next > 0 {
		t, passed := clock.NewTimerAt(s.clock, time.UnixMilli(next))
		if passed {
			return true
		}
		defer t.Stop()
		due = t.C()
	}
	s.nextWake.Store(next)
	defer s.nextWake.Store(0) // while claiming, every schedule may matter: see wakeBy
	for {
		select {
		case <-ctx.Done():
			return false
		case <-due:
			return true
		case <-s.kick:
			if !full {
				return true
			}
		case <-s.slot:
			if full {
				return true
			}
		case p, ok := <-notes:
			if !ok {
				notes = nil
				continue
			}
			if full {
				continue
			}
			if at, err := strconv.ParseInt(p, 10, 64); err == nil && next > 0 && at >= next {
				continue
			}
			return true
		}
	}
}

// fire runs row's handler in the transaction that takes row, or records the failure.
func (s *Scheduler) fire(ctx context.Context, row *store.Timer) {
	defer func() {
		s.inflight.Add(-1)
		select {
		case s.slot <- struct{}{}:
		default:
		}
	}()
	h := s.handlers[row.Kind]
	var nextMs int64
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		nextMs = 0
		ok, err := tx.TimerTake(ctx, row.ID, row.LeaseToken)
		if err != nil {
			return err
		}
		if !ok {
			return errStale
		}
		t := fromRow(row)
		next, err := callFire(ctx, h, tx, t)
		if err != nil {
			return err
		}
		if next.IsZero() {
			return nil
		}
		nextMs = ceilMilli(next)
		return tx.TimerUpsert(ctx, &store.Timer{
			Kind: t.Kind, Key: t.Key, DueAt: nextMs, Payload: t.Payload, CreatedAt: s.clock.Now().UnixMilli(),
		})
	})
	if err == nil && nextMs != 0 {
		s.wakeBy(nextMs)
	}
	if err == nil || errors.Is(err, errStale) {
		return
	}
	attempts := row.Attempts + 1
	runAt := s.clock.Now().Add(s.retryDelay(attempts)).UnixMilli()
	s.log.Warn("timer fire failed", "kind", row.Kind, "key", row.Key, "attempt", attempts, "retry_at", time.UnixMilli(runAt).UTC(), "err", err)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.TimerRetry(ctx, row.ID, row.LeaseToken, runAt, attempts, err.Error())
		return err
	})
	if err != nil {
		// The lease expires and the timer is claimed again.
		s.log.Error("record failed timer fire", "kind", row.Kind, "key", row.Key, "err", err)
		return
	}
	s.wakeBy(runAt)
}

// callFire runs the handler, turning a panic into an error so that one bad timer cannot
// take the node down.
func callFire(ctx context.Context, h Handler, tx *store.Tx, t *Timer) (next time.Time, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("timer handler for %s panicked: %v", t.Kind, v)
		}
	}()
	return h.Fire(ctx, tx, t)
}

// retryDelay is the wait after the attempts-th failed fire.
func (s *Scheduler) retryDelay(attempts int) time.Duration {
	d := s.cfg.RetryDelay
	for i := 1; i < attempts && d < s.cfg.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxRetryDelay)
}

// ceilMilli returns t in unix milliseconds, rounded up.
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}

// newToken returns a random non-zero claim token.
func newToken() int64 {
	for {
		if t := rand.Int64(); t != 0 {
			return t
		}
	}
}
