// Package clock is Overcast's only source of time. The real clock follows the wall; the
// virtual clock moves only when told (Advance, Set), so users and tests can fast-forward
// delays, visibility timeouts, retention and schedules.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that fires once d has passed on this clock.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer from a Clock.
type Timer interface {
	// C fires once with the clock's time when the timer is due.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was still pending.
	Stop() bool
}

// NewTimerAt returns a timer on c that fires at at, or passed when that time has come
// already. A clock moved (Advance) between reading the time and creating the timer would
// otherwise leave the timer due too late; checking again afterwards closes that gap.
func NewTimerAt(c Clock, at time.Time) (t Timer, passed bool) {
	t = c.NewTimer(at.Sub(c.Now()))
	if !c.Now().Before(at) {
		t.Stop()
		return nil, true
	}
	return t, false
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (Real) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Virtual is a clock that moves only through Advance and Set. It is safe for concurrent use.
type Virtual struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*virtualTimer
}

var _ Clock = (*Virtual)(nil)

// NewVirtual returns a virtual clock reading start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// NewTimer returns a timer due at Now()+d. A timer with d <= 0 fires at once.
func (v *Virtual) NewTimer(d time.Duration) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	t := &virtualTimer{v: v, due: v.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- v.now
		t.fired = true
		return t
	}
	v.waiters = append(v.waiters, t)
	return t
}

// Advance moves the clock forward by d and fires every timer that became due, in due order.
func (v *Virtual) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	v.mu.Lock()
	to := v.now.Add(d)
	v.mu.Unlock()
	return v.Set(to)
}

// Set moves the clock to t (never backwards) and fires the timers that became due.
func (v *Virtual) Set(t time.Time) time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t.After(v.now) {
		v.now = t
	}
	sort.Slice(v.waiters, func(i, j int) bool { return v.waiters[i].due.Before(v.waiters[j].due) })
	keep := v.waiters[:0]
	for _, w := range v.waiters {
		if !w.due.After(v.now) {
			w.fired = true
			w.c <- v.now
			continue
		}
		keep = append(keep, w)
	}
	for i := len(keep); i < len(v.waiters); i++ {
		v.waiters[i] = nil
	}
	v.waiters = keep
	return v.now
}

type virtualTimer struct {
	v     *Virtual
	due   time.Time
	c     chan time.Time
	fired bool
}

func (t *virtualTimer) C() <-chan time.Time { return t.c }

func (t *virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	if t.fired {
		return false
	}
	for i, w := range t.v.waiters {
		if w == t {
			t.v.waiters = append(t.v.waiters[:i], t.v.waiters[i+1:]...)
			break
		}
	}
	t.fired = true
	return true
}
