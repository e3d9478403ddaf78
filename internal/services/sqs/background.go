package sqs

import (
	"context"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// backgroundLock is the lease that makes one node run SQS's background work.
const backgroundLock = "sqs.background"

// taskHistory is how long finished message move tasks are listed (AWS keeps 14 days).
const taskHistory = 14 * 24 * time.Hour

// sweepLimit caps the expired messages deleted per queue and sweep.
const sweepLimit = 1000

// background runs the retention sweep and message move tasks until ctx ends. Timers are on
// the service clock, so a virtual clock drives them too. Only the holder of backgroundLock
// does the work; the others retry taking it every MoveTaskInterval.
func (s *Service) background(ctx context.Context) {
	var release func()
	defer func() {
		if release != nil {
			release()
		}
	}()
	sweep := s.clock.NewTimer(s.cfg.SweepInterval)
	defer func() { sweep.Stop() }()
	for {
		if release == nil {
			r, ok, err := s.db.TryLock(ctx, backgroundLock)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("sqs: background lease", "error", err)
			}
			if ok {
				release = r
			}
		}
		if release != nil {
			if err := s.stepMoveTasks(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("sqs: message move tasks", "error", err)
			}
		}
		step := s.clock.NewTimer(s.cfg.MoveTaskInterval)
		select {
		case <-ctx.Done():
			step.Stop()
			return
		case <-s.kick:
		case <-step.C():
		case <-sweep.C():
			if release != nil {
				s.sweep(ctx)
			}
			sweep = s.clock.NewTimer(s.cfg.SweepInterval)
		}
		step.Stop()
	}
}

// sweep deletes expired messages and bookkeeping.
func (s *Service) sweep(ctx context.Context) {
	n, err := s.db.SQSSweep(ctx, &store.SQSSweepParams{
		Now:               s.now(),
		DeletedCooldownMs: s.cfg.DeletedQueueCooldown.Milliseconds(),
		TaskHistoryMs:     taskHistory.Milliseconds(),
		Limit:             sweepLimit,
	})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("sqs: retention sweep", "error", err)
		return
	}
	if n > 0 {
		s.log.Debug("sqs: deleted expired messages", "count", n)
	}
}
