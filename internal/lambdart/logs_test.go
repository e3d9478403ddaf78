package lambdart

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// callSink records every call it gets, and blocks the first one until released.
type callSink struct {
	mu       sync.Mutex
	calls    []streamBatch
	inFlight map[LogStream]bool
	overlap  bool
	release  chan struct{}
}

func (s *callSink) PutLogEvents(stream LogStream, events []LogEvent) {
	s.mu.Lock()
	if s.inFlight[stream] {
		s.overlap = true
	}
	s.inFlight[stream] = true
	first := len(s.calls) == 0
	s.calls = append(s.calls, streamBatch{stream: stream, events: events})
	s.mu.Unlock()
	if first && s.release != nil {
		<-s.release
	}
	s.mu.Lock()
	s.inFlight[stream] = false
	s.mu.Unlock()
}

// TestLogDispatcherMergesPerStream checks that batches queued while the sink is busy
// reach it merged per stream, in order, one call per stream at a time, and that a flush
// waits for everything queued before it.
func TestLogDispatcherMergesPerStream(t *testing.T) {
	t.Parallel()
	sink := &callSink{inFlight: map[LogStream]bool{}, release: make(chan struct{})}
	d := newLogDispatcher(sink)
	defer d.close()
	a, b := LogStream{Group: "g", Name: "a"}, LogStream{Group: "g", Name: "b"}
	d.put(a, []LogEvent{{Message: "a0"}})
	// The first round is delivered while the sink holds its first call; what follows
	// queues up behind it.
	require.Eventually(t, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.calls) == 1
	}, 10*time.Second, time.Millisecond)
	for i := 1; i <= 3; i++ {
		d.put(a, []LogEvent{{Message: fmt.Sprintf("a%d", i)}})
		d.put(b, []LogEvent{{Message: fmt.Sprintf("b%d", i)}})
	}
	close(sink.release)
	d.flush()

	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.False(t, sink.overlap, "two calls for one stream ran at once")
	got := map[string][]string{}
	for _, c := range sink.calls {
		for _, e := range c.events {
			got[c.stream.Name] = append(got[c.stream.Name], e.Message)
		}
	}
	require.Equal(t, []string{"a0", "a1", "a2", "a3"}, got["a"])
	require.Equal(t, []string{"b1", "b2", "b3"}, got["b"])
	require.Len(t, sink.calls, 3, "the queued batches arrive as one call per stream")
}
