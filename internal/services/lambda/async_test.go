package lambda

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/store"
)

// logRecorder keeps every log line functions write.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) PutLogEvents(_ lambdart.LogStream, events []lambdart.LogEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		r.lines = append(r.lines, e.Message)
	}
}

func (r *logRecorder) count(substr string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.lines {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

func TestInvokeEventDelivered(t *testing.T) {
	t.Parallel()
	rec := &logRecorder{}
	b := setupWith(t, func(db *store.DB) *delivery.Dispatcher {
		// The dispatcher's clock is the wall clock, so that retries would happen; the first
		// attempt is immediate either way.
		return delivery.New(delivery.Config{Store: db})
	}, rec)
	b.MustCreate(t, "ev")
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("ev"), InvocationType: ptr("Event"), Payload: []byte(`{"a":1}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), *out.StatusCode)
	require.NoError(t, b.svc.InvokeEvent(b.ctx, "arn:aws:lambda:us-east-1:123456789012:function:ev", []byte(`{"b":2}`)))
	require.Eventually(t, func() bool { return rec.count("hello from ev") == 2 }, 30*time.Second, 20*time.Millisecond)

	err = b.svc.InvokeEvent(b.ctx, "arn:aws:lambda:us-east-1:123456789012:function:nope", []byte(`{}`))
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("ev"), InvocationType: ptr("Event"), Payload: []byte(`"` + strings.Repeat("x", maxAsyncPayload) + `"`)})
	requireCode(t, err, "RequestEntityTooLargeException")
}

func TestInvokeEventInProcess(t *testing.T) {
	t.Parallel()
	rec := &logRecorder{}
	b := setupWith(t, nil, rec)
	b.MustCreate(t, "ev")
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("ev"), InvocationType: ptr("Event"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), *out.StatusCode)
	require.Eventually(t, func() bool { return rec.count("hello from ev") == 1 }, 30*time.Second, 20*time.Millisecond)
}
