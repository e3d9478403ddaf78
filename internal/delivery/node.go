package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// stopNodeTimeout bounds the write that removes a stopping node's heartbeat row.
const stopNodeTimeout = 5 * time.Second

// heartbeat records, every NodeTimeout/3 on the NodeClock after the beat at last, that this
// node is alive, and releases the claims of the nodes silent for longer than NodeTimeout,
// until ctx ends.
func (d *Dispatcher) heartbeat(ctx context.Context, last time.Time) {
	interval := d.cfg.NodeTimeout / 3
	// Beats keep to a schedule, so that a clock moved while a beat was being written
	// (a virtual one, or the wall clock after a stall) is caught up at once.
	next := last.Add(interval)
	for {
		if t, passed := newTimerAt(d.cfg.NodeClock, next.UnixMilli()); !passed {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C():
			}
		}
		if ctx.Err() != nil {
			return
		}
		if err := d.beat(ctx, d.cfg.NodeClock.Now()); err != nil && ctx.Err() == nil {
			d.log.Error("delivery node heartbeat", "err", err)
		}
		next = next.Add(interval)
		if now := d.cfg.NodeClock.Now(); next.Before(now) {
			next = now.Add(interval)
		}
	}
}

// beat sends one heartbeat at now. When it released a dead node's claims, it wakes the
// dispatchers and schedulers of every node (the released claims may be of any target or
// kind), so that the work resumes at once rather than at the next poll.
func (d *Dispatcher) beat(ctx context.Context, now time.Time) error {
	res, err := d.db.NodeHeartbeat(ctx, &store.NodeHeartbeatParams{
		Node: d.node, Now: now.UnixMilli(), DeadBefore: now.Add(-d.cfg.NodeTimeout).UnixMilli(),
		DueAt: d.clock.Now().UnixMilli(),
	})
	if err != nil {
		return err
	}
	if len(res.Dead) > 0 {
		d.log.Info("released the claims of dead nodes", "nodes", res.Dead, "jobs", res.Jobs, "timers", res.Timers)
	}
	if res.Jobs > 0 {
		for _, p := range d.pools {
			p.wakeBy(0)
		}
		if err := d.db.Notifier().Notify(ctx, store.DeliveryWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released jobs: %w", err)
		}
	}
	if res.Timers > 0 {
		if err := d.db.Notifier().Notify(ctx, store.TimerWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released timers: %w", err)
		}
	}
	return nil
}

// leave removes this node's heartbeat row once it has stopped: it holds no claims any
// more, and other nodes need not wait for it to look dead.
func (d *Dispatcher) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), stopNodeTimeout)
	defer cancel()
	if err := d.db.NodeDelete(ctx, d.node); err != nil {
		d.log.Error("delivery node stop", "err", err)
	}
}
