package store

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Job states: a queued job is claimed either by the writer (running) or by its caller
// giving up (abandoned), never both.
const (
	jobQueued int32 = iota
	jobRunning
	jobAbandoned
)

// job is one Write call waiting for the SQLite writer.
type job struct {
	ctx   context.Context
	fn    func(*Tx) error
	state atomic.Int32
	err   error
	done  chan struct{}
	notes []notification
	lazy  bool // WriteLazy: need not reach the disk before the answer
}

// writer is SQLite's group-commit writer: the only goroutine that writes.
type writer struct {
	db       *DB
	maxBatch int
	queue    chan *job

	mu     sync.RWMutex // guards closed against sends on queue
	closed bool
	exited chan struct{}

	pending atomic.Int64 // jobs queued, not yet taken into a batch
	writes  atomic.Int64 // jobs committed or failed by the writer
	batches atomic.Int64 // transactions committed or attempted
}

func startWriter(db *DB, maxBatch int) *writer {
	if maxBatch <= 0 {
		maxBatch = DefaultMaxBatch
	}
	w := &writer{
		db:       db,
		maxBatch: maxBatch,
		queue:    make(chan *job, maxBatch),
		exited:   make(chan struct{}),
	}
	go w.loop()
	return w
}

// submit queues fn and waits for its outcome.
func (w *writer) submit(ctx context.Context, fn func(*Tx) error, lazy bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{}), lazy: lazy}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	w.pending.Add(1)
	select {
	case w.queue <- j:
	case <-ctx.Done():
		w.pending.Add(-1)
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()

	select {
	case <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		// The writer already runs fn; its outcome is what the caller must learn.
		<-j.done
	}
	return repanic(j.err)
}

// close stops accepting writes, lets the writer finish what is queued, and waits for it.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.exited
}

func (w *writer) loop() {
	defer close(w.exited)
	batch := make([]*job, 0, w.maxBatch)
	shared := false // whether the last group had more than one job
	for {
		j, ok := <-w.queue
		if !ok {
			return
		}
		batch = append(batch[:0], j)
		if w.fill(&batch) && shared && len(batch) < w.maxBatch {
			// The last group was shared, so writers are concurrent: let the ones that are
			// runnable reach the queue before committing. A commit's fixed cost (the WAL
			// frames of the pages it touches and the fsync) is then shared by more writes,
			// for the price of one trip through the scheduler.
			runtime.Gosched()
			w.fill(&batch)
		}
		shared = len(batch) > 1
		w.pending.Add(-int64(len(batch)))
		w.run(batch)
	}
}

// fill adds queued jobs to batch without waiting; it reports false once the queue is closed.
func (w *writer) fill(batch *[]*job) bool {
	for len(*batch) < w.maxBatch {
		select {
		case j, ok := <-w.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, j)
		default:
			return true
		}
	}
	return true
}

// run commits one group. Jobs their callers abandoned are dropped first. If the
// transaction itself breaks (an I/O error, a full disk), the jobs already run are failed
// with that error and the rest go into a fresh transaction.
func (w *writer) run(batch []*job) {
	claimed := batch[:0]
	for _, j := range batch {
		if j.state.CompareAndSwap(jobQueued, jobRunning) {
			claimed = append(claimed, j)
		}
	}
	for len(claimed) > 0 {
		claimed = w.runTx(claimed)
	}
}

// runTx runs claimed jobs in one transaction and answers them. It returns the jobs it did
// not start because the transaction broke.
func (w *writer) runTx(jobs []*job) (rest []*job) {
	ctx := context.Background()
	w.batches.Add(1)
	if w.db.lazySync && allLazy(jobs) {
		// The safety level cannot change inside a transaction: set it around this one.
		if _, err := w.db.writerDB.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err == nil {
			defer func() {
				if _, err := w.db.writerDB.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
					// Never leave durable writes unflushed: stop writing instead.
					panic(fmt.Sprintf("store: restore synchronous=FULL: %v", err))
				}
			}()
		}
	}
	tx, err := w.db.writerDB.BeginTx(ctx, nil)
	if err != nil {
		err = fmt.Errorf("begin group commit: %w", err)
		for _, j := range jobs {
			w.answer(j, err)
		}
		return nil
	}
	if len(jobs) == 1 {
		// Alone in its transaction, a function needs no savepoint: failing, it rolls the
		// whole transaction back. This saves two statements when there is no contention.
		j := jobs[0]
		t := &Tx{tx: tx, db: w.db, detach: true, stmts: w.db.writeStmts}
		ferr := callFn(t, j.fn)
		t.finish()
		if ferr != nil {
			tx.Rollback()
			w.answer(j, w.db.interpretError(ferr))
			return nil
		}
		if err := tx.Commit(); err != nil {
			w.answer(j, fmt.Errorf("group commit: %w", err))
			return nil
		}
		w.notify(t.notifications)
		w.answer(j, nil)
		return nil
	}

	// The jobs share the transaction, so they share its prepared statements too.
	shared := &Tx{tx: tx, db: w.db, detach: true, stmts: w.db.writeStmts}
	exec := func(q string) error {
		_, err := shared.Exec(ctx, q)
		return err
	}
	var ran []*job // jobs whose fn succeeded, answered after commit
	broken := func(err error) {
		tx.Rollback()
		for _, j := range ran {
			w.answer(j, err)
		}
	}
	for i, j := range jobs {
		if err := exec("SAVEPOINT w"); err != nil {
			ran = append(ran, j)
			broken(fmt.Errorf("group commit savepoint: %w", err))
			return jobs[i+1:]
		}
		t := &Tx{tx: tx, db: w.db, detach: true, stmts: w.db.writeStmts, prepared: shared.prepared}
		ferr := callFn(t, j.fn)
		t.finish()
		shared.prepared = t.prepared
		if ferr != nil {
			// The function's error is its answer either way: none of its work commits.
			w.answer(j, w.db.interpretError(ferr))
			if err := exec("ROLLBACK TO w"); err != nil {
				broken(fmt.Errorf("group commit rollback to savepoint: %w", err))
				return jobs[i+1:]
			}
			if err := exec("RELEASE w"); err != nil {
				broken(fmt.Errorf("group commit release savepoint: %w", err))
				return jobs[i+1:]
			}
			continue
		}
		if err := exec("RELEASE w"); err != nil {
			ran = append(ran, j)
			broken(fmt.Errorf("group commit release savepoint: %w", err))
			return jobs[i+1:]
		}
		j.notes = t.notifications
		ran = append(ran, j)
	}
	if len(ran) == 0 {
		tx.Rollback()
		return nil
	}
	if err := tx.Commit(); err != nil {
		broken(fmt.Errorf("group commit: %w", err))
		return nil
	}
	for _, j := range ran {
		w.notify(j.notes)
		w.answer(j, nil)
	}
	return nil
}

// allLazy reports whether every job is a WriteLazy one.
func allLazy(jobs []*job) bool {
	for _, j := range jobs {
		if !j.lazy {
			return false
		}
	}
	return true
}

// notify sends a committed function's notifications.
func (w *writer) notify(notes []notification) {
	for _, n := range notes {
		w.db.sqlNotify.Notify(context.Background(), n.channel, n.payload)
	}
}

func (w *writer) answer(j *job, err error) {
	w.writes.Add(1)
	j.err = err
	close(j.done)
}

// Stats counts the SQLite group-commit writer's work; on PostgreSQL it is all zeros.
type Stats struct {
	// Pending is how many Write calls wait for the writer.
	Pending int64
	// Writes is how many Write calls the writer has answered.
	Writes int64
	// Batches is how many transactions the writer has run; Writes/Batches is the mean
	// group size.
	Batches int64
}

// Stats returns the writer's counters.
func (db *DB) Stats() Stats {
	if db.writer == nil {
		return Stats{}
	}
	return Stats{
		Pending: db.writer.pending.Load(),
		Writes:  db.writer.writes.Load(),
		Batches: db.writer.batches.Load(),
	}
}
