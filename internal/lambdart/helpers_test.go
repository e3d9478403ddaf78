package lambdart

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
)

// memSink keeps every log event, per stream. Reading it first waits for the manager to
// deliver what is queued.
type memSink struct {
	mu      sync.Mutex
	streams map[LogStream][]LogEvent
	flush   func()
}

func newMemSink() *memSink { return &memSink{streams: map[LogStream][]LogEvent{}} }

func (s *memSink) PutLogEvents(stream LogStream, events []LogEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[stream] = append(s.streams[stream], events...)
}

// lines returns the messages logged to a log group without their newline, in order per
// stream; rawLines returns them as delivered.
func (s *memSink) lines(group string) []string {
	raw := s.rawLines(group)
	for i, l := range raw {
		raw[i] = strings.TrimSuffix(l, "\n")
	}
	return raw
}

func (s *memSink) rawLines(group string) []string {
	if s.flush != nil {
		s.flush()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for st, evs := range s.streams {
		if st.Group != group {
			continue
		}
		for _, e := range evs {
			out = append(out, e.Message)
		}
	}
	return out
}

func (s *memSink) streamNames(group string) []string {
	if s.flush != nil {
		s.flush()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for st := range s.streams {
		if st.Group == group {
			out = append(out, st.Name)
		}
	}
	return out
}

type testBundle struct {
	m     *Manager
	sink  *memSink
	clock clock.Clock
}

type setupOption func(*Config)

func setup(t testing.TB, opts ...setupOption) *testBundle {
	t.Helper()
	sink := newMemSink()
	cfg := Config{
		DataDir:     t.TempDir(),
		LogSink:     sink,
		Endpoint:    "http://127.0.0.1:4566",
		InitTimeout: 20 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	m, err := New(cfg)
	require.NoError(t, err)
	sink.flush = m.logOut.flush
	require.NoError(t, m.Start(context.Background()))
	t.Cleanup(m.Stop)
	return &testBundle{m: m, sink: sink, clock: m.clock}
}

// fileSpec overrides or adds one file of a zipped package.
type fileSpec struct {
	data string
	mode fs.FileMode
}

// mustZipDir zips a directory of testdata (plus extra files) the way a user's zip tool
// would, keeping executable bits.
func mustZipDir(t testing.TB, dir string, extra map[string]fileSpec) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if dir != "" {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			require.NoError(t, err)
			if d.IsDir() || strings.Contains(p, "__pycache__") {
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			require.NoError(t, err)
			if _, overridden := extra[filepath.ToSlash(rel)]; overridden {
				return nil
			}
			info, err := d.Info()
			require.NoError(t, err)
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			addZipFile(t, zw, filepath.ToSlash(rel), data, info.Mode().Perm())
			return nil
		})
		require.NoError(t, err)
	}
	for name, f := range extra {
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		addZipFile(t, zw, name, []byte(f.data), mode)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func addZipFile(t testing.TB, zw *zip.Writer, name string, data []byte, mode fs.FileMode) {
	t.Helper()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, err := zw.CreateHeader(h)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
}

// function builds a Function spec around unpacked code.
func (b *testBundle) function(t testing.TB, name, runtime, handler string, code []byte, mods ...func(*Function)) *Function {
	t.Helper()
	c, err := b.m.Code().Unpack(code)
	require.NoError(t, err)
	fn := &Function{
		FunctionKey: FunctionKey{AccountID: "000000000000", Region: "us-east-1", Name: name, Version: "$LATEST"},
		ARN:         "arn:aws:lambda:us-east-1:000000000000:function:" + name,
		Runtime:     runtime,
		Handler:     handler,
		Code:        c,
		Timeout:     10 * time.Second,
	}
	for _, m := range mods {
		m(fn)
	}
	return fn
}

func (b *testBundle) layer(t testing.TB, data []byte) *Code {
	t.Helper()
	c, err := b.m.Code().Unpack(data)
	require.NoError(t, err)
	return c
}

func mustInvoke(t testing.TB, m *Manager, fn *Function, payload string) *InvokeResult {
	t.Helper()
	res, err := m.Invoke(context.Background(), fn, &InvokeRequest{Payload: []byte(payload), LogTail: true})
	require.NoError(t, err)
	return res
}

// mustSucceed invokes and requires success, decoding the JSON response into out.
func mustSucceed(t testing.TB, m *Manager, fn *Function, payload string, out any) *InvokeResult {
	t.Helper()
	res := mustInvoke(t, m, fn, payload)
	require.Empty(t, res.FunctionError, "payload: %s\nlog:\n%s", res.Payload, res.LogTail)
	if out != nil {
		require.NoError(t, json.Unmarshal(res.Payload, out), "payload: %s", res.Payload)
	}
	return res
}

type errorDoc struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    *string  `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
	Trace        []string `json:"trace"`
}

func mustFunctionError(t testing.TB, res *InvokeResult) errorDoc {
	t.Helper()
	require.Equal(t, "Unhandled", res.FunctionError, "payload: %s\nlog:\n%s", res.Payload, res.LogTail)
	var doc errorDoc
	require.NoError(t, json.Unmarshal(res.Payload, &doc), "payload: %s", res.Payload)
	return doc
}

var (
	goBootstrapOnce sync.Once
	goBootstrapPath string
	goBootstrapErr  error
)

// mustGoBootstrap compiles testdata/go/hello with aws-lambda-go into a provided.al2023
// bootstrap. The binary is kept in the temporary directory under a name derived from the
// sources, so test runs share it until the sources change.
func mustGoBootstrap(t testing.TB) []byte {
	t.Helper()
	goBootstrapOnce.Do(func() {
		src, _ := filepath.Abs("testdata/go/hello")
		h := sha256.New()
		for _, f := range []string{"main.go", "go.mod", "go.sum"} {
			b, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				goBootstrapErr = err
				return
			}
			h.Write(b)
		}
		goBootstrapPath = filepath.Join(os.TempDir(), "overcast-lambdart-go-"+hex.EncodeToString(h.Sum(nil))[:16])
		if _, err := os.Stat(goBootstrapPath); err == nil {
			return
		}
		tmp := goBootstrapPath + ".tmp-" + randomHex(4)
		cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			goBootstrapErr = &buildError{out: string(out), err: err}
			return
		}
		goBootstrapErr = os.Rename(tmp, goBootstrapPath)
	})
	if goBootstrapErr != nil {
		t.Fatalf("build Go bootstrap: %v", goBootstrapErr)
	}
	data, err := os.ReadFile(goBootstrapPath)
	require.NoError(t, err)
	return data
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// requireInterpreter skips a test whose runtime has no interpreter on this host.
func requireInterpreter(t testing.TB, runtime string) {
	t.Helper()
	rt, ok := LookupRuntime(runtime)
	require.True(t, ok)
	if p, _ := resolveInterpreter(rt, nil); p == "" {
		t.Skipf("no interpreter for %s on this host", runtime)
	}
}

func containsLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func discardSlog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
