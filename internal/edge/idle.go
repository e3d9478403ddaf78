package edge

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// DefaultIdleRelease is the default of Config.IdleRelease.
const DefaultIdleRelease = 250 * time.Millisecond

// idler runs release once requests have stopped arriving for delay: a burst of traffic
// grows the heap, and the Go runtime otherwise keeps the pages it no longer needs until
// the next collection, which an idle process does not start for minutes. While requests
// arrive it costs one atomic add per request and one timer per delay.
type idler struct {
	delay    time.Duration
	release  func()
	requests atomic.Uint64
	armed    atomic.Bool
}

func newIdler(delay time.Duration, release func()) *idler {
	if delay == 0 {
		delay = DefaultIdleRelease
	}
	if delay < 0 {
		return nil
	}
	d := &idler{delay: delay, release: release}
	// The start-up itself (migrations, tables) leaves garbage behind.
	d.touch()
	return d
}

// touch records a request.
func (d *idler) touch() {
	if d == nil {
		return
	}
	n := d.requests.Add(1)
	if !d.armed.Load() && d.armed.CompareAndSwap(false, true) {
		d.arm(n)
	}
}

func (d *idler) arm(seen uint64) {
	time.AfterFunc(d.delay, func() { d.check(seen) })
}

// check releases memory if no request arrived since the timer was armed, else waits again.
func (d *idler) check(seen uint64) {
	if n := d.requests.Load(); n != seen {
		d.arm(n)
		return
	}
	d.armed.Store(false)
	if n := d.requests.Load(); n != seen {
		// A request arrived as the timer was being disarmed and saw it armed.
		if d.armed.CompareAndSwap(false, true) {
			d.arm(n)
		}
		return
	}
	d.release()
}

// releaseMemory collects garbage and returns the free heap to the operating system.
func releaseMemory() { debug.FreeOSMemory() }
