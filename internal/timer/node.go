package timer

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
func (s *Scheduler) heartbeat(ctx context.Context, last time.Time) {
	interval := s.cfg.NodeTimeout / 3
	// Beats keep to a schedule, so that a clock moved while a beat was being written
	// (a virtual one, or the wall clock after a stall) is caught up at once.
	next := last.Add(interval)
	for {
		if t, passed := newTimerAt(s.cfg.NodeClock, next.UnixMilli()); !passed {
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
		if err := s.beat(ctx, s.cfg.NodeClock.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("timer node heartbeat", "err", err)
		}
		next = next.Add(interval)
		if now := s.cfg.NodeClock.Now(); next.Before(now) {
			next = now.Add(interval)
		}
	}
}

// beat sends one heartbeat at now. When it released a dead node's claims, it wakes the
// schedulers and dispatchers of every node (the released claims may be of any kind or
// target), so that the work resumes at once rather than at the next poll.
func (s *Scheduler) beat(ctx context.Context, now time.Time) error {
	res, err := s.db.NodeHeartbeat(ctx, &store.NodeHeartbeatParams{
		Node: s.node, Now: now.UnixMilli(), DeadBefore: now.Add(-s.cfg.NodeTimeout).UnixMilli(),
		DueAt: s.clock.Now().UnixMilli(),
	})
	if err != nil {
		return err
	}
	if len(res.Dead) > 0 {
		s.log.Info("released the claims of dead nodes", "nodes", res.Dead, "jobs", res.Jobs, "timers", res.Timers)
	}
	if res.Timers > 0 {
		s.wakeBy(0)
		if err := s.db.Notifier().Notify(ctx, store.TimerWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released timers: %w", err)
		}
	}
	if res.Jobs > 0 {
		if err := s.db.Notifier().Notify(ctx, store.DeliveryWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released jobs: %w", err)
		}
	}
	return nil
}

// leave removes this node's heartbeat row once it has stopped: it holds no claims any
// more, and other nodes need not wait for it to look dead.
func (s *Scheduler) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), stopNodeTimeout)
	defer cancel()
	if err := s.db.NodeDelete(ctx, s.node); err != nil {
		s.log.Error("timer node stop", "err", err)
	}
}
