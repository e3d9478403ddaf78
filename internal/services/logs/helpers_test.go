package logs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// testAccount and testRegion are the caller of every test request.
const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// testStart is the virtual clock's start.
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testBundle is a service on a fresh SQLite store with a virtual clock.
type testBundle struct {
	svc   *Service
	db    *store.DB
	clock *clock.Virtual
	ctx   context.Context
}

func setup(t *testing.T, cfgs ...Config) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(testStart)
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	svc := New(Deps{Store: db, Clock: clk, Config: cfg})
	return &testBundle{svc: svc, db: db, clock: clk, ctx: callContext(t.Context(), testAccount)}
}

// callContext returns ctx carrying a call from account.
func callContext(ctx context.Context, account string) context.Context {
	return protocol.WithCall(ctx, &protocol.Call{Account: account, Region: testRegion, Protocol: protocol.JSON})
}

// nowMs is the virtual clock in unix milliseconds.
func (b *testBundle) nowMs() int64 { return b.clock.Now().UnixMilli() }

// MustGroup creates a log group.
func (b *testBundle) MustGroup(t *testing.T, name string) {
	t.Helper()
	_, err := b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{LogGroupName: &name})
	require.NoError(t, err)
}

// MustStream creates a log stream (and its group when missing).
func (b *testBundle) MustStream(t *testing.T, group, stream string) {
	t.Helper()
	if _, err := b.db.LogsGroupGet(b.ctx, testAccount, testRegion, group); errors.Is(err, store.ErrNotFound) {
		b.MustGroup(t, group)
	}
	_, err := b.svc.CreateLogStream(b.ctx, &CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream})
	require.NoError(t, err)
}

// MustPut puts messages with the given timestamps.
func (b *testBundle) MustPut(t *testing.T, group, stream string, ts []int64, msgs ...string) *PutLogEventsOutput {
	t.Helper()
	out, err := b.svc.PutLogEvents(b.ctx, putInput(group, stream, ts, msgs...))
	require.NoError(t, err)
	return out
}

func putInput(group, stream string, ts []int64, msgs ...string) *PutLogEventsInput {
	in := &PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: []*InputLogEvent{}}
	for i, m := range msgs {
		in.LogEvents = append(in.LogEvents, &InputLogEvent{Timestamp: ptr(ts[i]), Message: ptr(m)})
	}
	return in
}

// RequireCode asserts err is an API error with code and, when msg is not empty, message.
func RequireCode(t *testing.T, err error, code, msg string) *protocol.Error {
	t.Helper()
	require.Error(t, err)
	var perr *protocol.Error
	require.True(t, errors.As(err, &perr), "not an API error: %v", err)
	require.Equal(t, code, perr.Code, perr.Message)
	if msg != "" {
		require.Equal(t, msg, perr.Message)
	}
	require.Equal(t, 400, perr.HTTPStatus())
	return perr
}

func messages(evs []*OutputLogEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = *e.Message
	}
	return out
}

func filtered(evs []*FilteredLogEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = *e.Message
	}
	return out
}
