package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestVirtualFiresInDueOrder(t *testing.T) {
	t.Parallel()
	v := NewVirtual(start)
	late := v.NewTimer(10 * time.Second)
	early := v.NewTimer(5 * time.Second)

	v.Advance(4 * time.Second)
	requireNotFired(t, early)
	requireNotFired(t, late)

	v.Advance(time.Second)
	require.Equal(t, start.Add(5*time.Second), <-early.C())
	requireNotFired(t, late)

	v.Set(start.Add(time.Minute))
	require.Equal(t, start.Add(time.Minute), <-late.C())
	require.Equal(t, start.Add(time.Minute), v.Now())
}

func TestVirtualStop(t *testing.T) {
	t.Parallel()
	v := NewVirtual(start)
	tm := v.NewTimer(time.Second)
	require.True(t, tm.Stop())
	require.False(t, tm.Stop())
	v.Advance(time.Hour)
	requireNotFired(t, tm)
}

func TestVirtualNeverMovesBackwards(t *testing.T) {
	t.Parallel()
	v := NewVirtual(start)
	v.Set(start.Add(-time.Hour))
	require.Equal(t, start, v.Now())
	v.Advance(-time.Hour)
	require.Equal(t, start, v.Now())
}

func TestVirtualZeroDurationFiresAtOnce(t *testing.T) {
	t.Parallel()
	v := NewVirtual(start)
	tm := v.NewTimer(0)
	require.Equal(t, start, <-tm.C())
	require.False(t, tm.Stop())
}

func TestRealTimer(t *testing.T) {
	t.Parallel()
	var c Clock = Real{}
	tm := c.NewTimer(time.Millisecond)
	select {
	case <-tm.C():
	case <-time.After(5 * time.Second):
		t.Fatal("real timer did not fire")
	}
	require.WithinDuration(t, time.Now(), c.Now(), time.Second)
}

func requireNotFired(t *testing.T, tm Timer) {
	t.Helper()
	select {
	case <-tm.C():
		t.Fatal("timer fired early")
	default:
	}
}
