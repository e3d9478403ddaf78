// Package node keeps the heartbeat that makes a started delivery dispatcher or timer
// scheduler a node on PostgreSQL: its claims carry its id, and a node silent for longer
// than the timeout is dead, its claims released by whichever live node notices first (see
// store.DB.NodeHeartbeat). SQLite has one node and does not use it.
package node

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
)

// leaveTimeout bounds the write that removes a stopping node's heartbeat row.
const leaveTimeout = 5 * time.Second

// Heart beats for one node.
type Heart struct {
	DB *store.DB
	// ID is the node's id in its claims and heartbeats: random, never 0.
	ID int64
	// Timeout is the dead-node threshold; beats come every Timeout/3.
	Timeout time.Duration
	// Clock paces and dates the beats (the wall clock, in production); Due is the clock of
	// the jobs and timers, on which released claims become due.
	Clock, Due clock.Clock
	Log        *slog.Logger
	// Released, when set, wakes this node's own workers after a beat released the claims
	// of dead nodes.
	Released func(res *store.NodeHeartbeatResult)
}

// Run beats every Timeout/3 on Clock after the beat at last, until ctx ends.
func (h *Heart) Run(ctx context.Context, last time.Time) {
	interval := h.Timeout / 3
	// Beats keep to a schedule, so that a clock moved while a beat was being written
	// (a virtual one, or the wall clock after a stall) is caught up at once.
	next := last.Add(interval)
	for {
		if t, passed := clock.NewTimerAt(h.Clock, next); !passed {
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
		if err := h.Beat(ctx, h.Clock.Now()); err != nil && ctx.Err() == nil {
			h.Log.Error("node heartbeat", "err", err)
		}
		next = next.Add(interval)
		if now := h.Clock.Now(); next.Before(now) {
			next = now.Add(interval)
		}
	}
}

// Beat sends one heartbeat at now. When it released a dead node's claims, it wakes this
// node's workers (Released) and those of every node (the released claims may be of any
// target or kind), so that the work resumes at once rather than at the next poll.
func (h *Heart) Beat(ctx context.Context, now time.Time) error {
	res, err := h.DB.NodeHeartbeat(ctx, &store.NodeHeartbeatParams{
		Node: h.ID, Now: now.UnixMilli(), DeadBefore: now.Add(-h.Timeout).UnixMilli(),
		DueAt: h.Due.Now().UnixMilli(),
	})
	if err != nil {
		return err
	}
	if len(res.Dead) == 0 {
		return nil
	}
	h.Log.Info("released the claims of dead nodes", "nodes", res.Dead, "jobs", res.Jobs, "timers", res.Timers)
	if h.Released != nil {
		h.Released(res)
	}
	if res.Jobs > 0 {
		if err := h.DB.Notifier().Notify(ctx, store.DeliveryWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released jobs: %w", err)
		}
	}
	if res.Timers > 0 {
		if err := h.DB.Notifier().Notify(ctx, store.TimerWakeChannel, ""); err != nil {
			return fmt.Errorf("notify released timers: %w", err)
		}
	}
	return nil
}

// Leave removes the node's heartbeat row once it has stopped: it holds no claims any more,
// and other nodes need not wait for it to look dead.
func (h *Heart) Leave() {
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	if err := h.DB.NodeDelete(ctx, h.ID); err != nil {
		h.Log.Error("node stop", "err", err)
	}
}
