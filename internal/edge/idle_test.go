package edge

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIdlerReleasesOncePerIdlePeriod checks that release runs once requests stop, not
// while they keep coming, and again after the next burst. The timers are an hour long and
// never fire: the test runs their checks itself.
func TestIdlerReleasesOncePerIdlePeriod(t *testing.T) {
	t.Parallel()
	var released atomic.Int32
	d := newIdler(time.Hour, func() { released.Add(1) })
	require.True(t, d.armed.Load(), "start-up counts as activity")

	// A request after the timer was armed: the check waits again instead of releasing.
	seen := d.requests.Load()
	d.touch()
	d.check(seen)
	require.Zero(t, released.Load())
	require.True(t, d.armed.Load())

	// No request since: the check releases and disarms.
	d.check(d.requests.Load())
	require.Equal(t, int32(1), released.Load())
	require.False(t, d.armed.Load())

	// The next request arms it again.
	d.touch()
	require.True(t, d.armed.Load())
	d.check(d.requests.Load())
	require.Equal(t, int32(2), released.Load())
}

// TestIdlerReleasesAfterRequestsStop runs the real timers.
func TestIdlerReleasesAfterRequestsStop(t *testing.T) {
	t.Parallel()
	var released atomic.Int32
	d := newIdler(5*time.Millisecond, func() { released.Add(1) })
	require.Eventually(t, func() bool { return released.Load() == 1 }, 5*time.Second, time.Millisecond)
	d.touch()
	require.Eventually(t, func() bool { return released.Load() == 2 }, 5*time.Second, time.Millisecond)
}

func TestIdlerDisabled(t *testing.T) {
	t.Parallel()
	d := newIdler(-1, func() { t.Error("released while disabled") })
	require.Nil(t, d)
	d.touch() // a nil idler ignores requests
}

// TestEdgeRunsOnIdle checks that Config.OnIdle runs after requests stop.
func TestEdgeRunsOnIdle(t *testing.T) {
	t.Parallel()
	var idle atomic.Int32
	e := New(Config{IdleRelease: 5 * time.Millisecond, OnIdle: func() { idle.Add(1) }})
	require.Eventually(t, func() bool { return idle.Load() == 1 }, 5*time.Second, time.Millisecond)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_overcast/health", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Eventually(t, func() bool { return idle.Load() == 2 }, 5*time.Second, time.Millisecond)
}
