package sqs

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/overcast/overcast/internal/store"
)

// maxCombined caps the sends one combined write takes.
const maxCombined = 512

// sendCombiner merges concurrent sends to standard queues into one store write. A sender
// that finds no write in progress becomes the leader: it writes what waits (its own send
// first), and if more sends arrived meanwhile hands them to a drain goroutine that keeps
// writing batches until none wait, so no caller waits for more than the batch after its
// own. Everyone else waits for the write that carried their messages. Under load a batch
// grows to what arrives during one commit, so the cost of a commit (and of the group
// commit's per-function savepoints) is shared by many messages; a lone sender pays one
// write as before.
type sendCombiner struct {
	db *store.DB

	mu      sync.Mutex
	pending []*combinedSend
	busy    bool
	shared  atomic.Bool // whether the last batch carried more than one send
	drains  sync.WaitGroup
}

type combinedSend struct {
	p    *store.SQSSendParams
	err  error
	done chan struct{}
}

// send stores p (a standard-queue send) and returns once it is durable.
func (c *sendCombiner) send(ctx context.Context, p *store.SQSSendParams) error {
	req := &combinedSend{p: p, done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, req)
	if c.busy {
		c.mu.Unlock()
		select {
		case <-req.done:
			return req.err
		case <-ctx.Done():
			// The message may still be stored; the caller is told it was not
			// acknowledged, which SQS's at-least-once contract allows.
			return ctx.Err()
		}
	}
	c.busy = true
	c.mu.Unlock()
	// The write serves other callers too: it must not stop when this caller gives up.
	c.writeBatch(context.WithoutCancel(ctx))
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.busy = false
	} else {
		c.drains.Add(1)
		go func() {
			defer c.drains.Done()
			c.drain()
		}()
	}
	c.mu.Unlock()
	return req.err
}

// drain writes batches until nothing waits, then gives up the lead.
func (c *sendCombiner) drain() {
	for {
		c.writeBatch(context.Background())
		c.mu.Lock()
		if len(c.pending) == 0 {
			c.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// writeBatch writes up to maxCombined waiting sends and answers them.
func (c *sendCombiner) writeBatch(ctx context.Context) {
	if c.shared.Load() {
		// Senders are concurrent: let the runnable ones join this batch first (see
		// store's group commit, which does the same for its jobs).
		runtime.Gosched()
	}
	c.mu.Lock()
	n := min(len(c.pending), maxCombined)
	batch := c.pending[:n:n]
	c.pending = append([]*combinedSend(nil), c.pending[n:]...)
	c.shared.Store(n > 1)
	c.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	sends := make([]*store.SQSSendParams, len(batch))
	for i, r := range batch {
		sends[i] = r.p
	}
	err := c.db.SQSMessageSendMany(ctx, sends)
	for _, r := range batch {
		r.err = err
		close(r.done)
	}
}

// wait waits for drain goroutines to finish.
func (c *sendCombiner) wait() { c.drains.Wait() }
