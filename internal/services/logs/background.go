package logs

import (
	"context"

	"github.com/overcast/overcast/internal/store"
)

// backgroundLock is the lease that makes one node run the retention sweep.
const backgroundLock = "logs.background"

// sweepLimit caps the events deleted per log group and store call; sweepRounds caps the
// calls of one sweep, so that a large backlog is worked off over several sweeps.
const (
	sweepLimit  = 10_000
	sweepRounds = 10
)

// background runs the retention sweep every SweepInterval of the service clock until ctx
// ends, so a virtual clock drives it too. Only the holder of backgroundLock sweeps; the
// others try to take the lease at each tick.
func (s *Service) background(ctx context.Context) {
	var release func()
	defer func() {
		if release != nil {
			release()
		}
	}()
	for {
		t := s.clock.NewTimer(s.cfg.SweepInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		if release == nil {
			r, ok, err := s.db.TryLock(ctx, backgroundLock)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("logs: background lease", "error", err)
			}
			if ok {
				release = r
			}
		}
		if release != nil {
			s.sweep(ctx)
		}
	}
}

// sweep deletes the events that have outlived their log group's retention.
func (s *Service) sweep(ctx context.Context) {
	for range sweepRounds {
		n, err := s.db.LogsSweep(ctx, &store.LogsSweepParams{Now: s.now(), Limit: sweepLimit})
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("logs: retention sweep", "error", err)
			}
			return
		}
		if n > 0 {
			s.log.Debug("logs: deleted expired events", "count", n)
		}
		if n < sweepLimit {
			return
		}
	}
}
