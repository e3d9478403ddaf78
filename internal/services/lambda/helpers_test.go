package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
	testRole    = "arn:aws:iam::123456789012:role/lambda-role"
)

// testHandler is the Python function the tests deploy: it echoes its event, fails when
// asked, and prints a line.
const testHandler = `import os
def handler(event, context):
    print("hello from", context.function_name)
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("boom")
    return {"echo": event, "greeting": os.environ.get("GREETING", "")}
`

// testBundle is a service on a fresh SQLite store with a virtual clock and a real
// runtime.
type testBundle struct {
	svc   *Service
	db    *store.DB
	clock *clock.Virtual
	ctx   context.Context
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return setupWith(t, nil, lambdart.DiscardLogs)
}

// setupWith is setup with a delivery dispatcher (nil for none) and a log sink. The
// dispatcher is started after the service registers its deliverer.
func setupWith(t *testing.T, disp func(db *store.DB) *delivery.Dispatcher, sink lambdart.LogSink) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	var d *delivery.Dispatcher
	if disp != nil {
		d = disp(db)
	}
	svc := New(Deps{Store: db, Clock: clk, Dispatcher: d, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: dir, LogSink: sink, Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(svc.Stop)
	if d != nil {
		require.NoError(t, d.Start(t.Context()))
		t.Cleanup(d.Stop)
	}
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion, RequestID: "req-1", Protocol: protocol.RestJSON})
	return &testBundle{svc: svc, db: db, clock: clk, ctx: ctx}
}

// MustZip returns a zip holding files.
func MustZip(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(tb, err)
		_, err = w.Write([]byte(body))
		require.NoError(tb, err)
	}
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

// createInput is a valid CreateFunction request for a Python function.
func createInput(tb testing.TB, name string) *CreateFunctionInput {
	return &CreateFunctionInput{
		FunctionName: ptr(name),
		Runtime:      ptr("python3.12"),
		Role:         ptr(testRole),
		Handler:      ptr("app.handler"),
		Code:         &FunctionCode{ZipFile: MustZip(tb, map[string]string{"app.py": testHandler})},
	}
}

// MustCreate creates a Python function.
func (b *testBundle) MustCreate(t *testing.T, name string) *CreateFunctionOutput {
	t.Helper()
	out, err := b.svc.CreateFunction(b.ctx, createInput(t, name))
	require.NoError(t, err)
	return out
}

// requireCode asserts that err is the API error code, and returns it.
func requireCode(t *testing.T, err error, code string) *protocol.Error {
	t.Helper()
	var pe *protocol.Error
	require.True(t, errors.As(err, &pe), "want %s, got %v", code, err)
	require.Equal(t, code, pe.Code, pe.Message)
	return pe
}
