// Package harness starts the built overcast binary for the conformance suites under
// tests/ and hands out real clients for it: aws-sdk-go-v2, the AWS CLI and python3 with
// boto3.
//
// The binary is built once per test process (or taken from OVERCAST_BINARY) and every
// server listens on 127.0.0.1:0 with its data in t.TempDir(). A server can be stopped,
// killed with SIGKILL and restarted on the same data directory, which the crash tests
// rely on.
//
// Setting OVERCAST_TEST_ENDPOINT points every suite at a server that is already running
// (for example another implementation, to check the tests themselves). Features that
// need control over the process (kill, restart, the virtual clock, reset) then skip.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options configure one server. The zero value is a SQLite server with the real clock and
// authentication off.
type Options struct {
	// Store is "" or "sqlite" for the embedded store, or a postgres:// URL.
	Store string
	// Clock is "" (real) or "virtual".
	Clock string
	// Auth is "" (off) or "sigv4".
	Auth string
	// Credentials is the --credentials list: AKID:SECRET[:ACCOUNT],...
	Credentials string
	// DefaultAccount is the --default-account; "" keeps the server's default.
	DefaultAccount string
	// SQSURLStyle is "" (path) or "host".
	SQSURLStyle string
	// Ephemeral keeps the server's state in memory.
	Ephemeral bool
	// DataDir is the data directory; "" means a fresh t.TempDir().
	DataDir string
	// Args are appended to the serve flags.
	Args []string
}

// Server is one running overcast process (or an external endpoint).
type Server struct {
	opts     Options
	external bool

	// DataDir is the server's data directory; it survives Kill and Restart.
	DataDir string

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	endpoint string
	port     string
	log      *tailBuffer
	client   *http.Client
}

// ErrExternal is returned by operations that need control of the process when the suite
// runs against OVERCAST_TEST_ENDPOINT.
var ErrExternal = errors.New("server is external (OVERCAST_TEST_ENDPOINT)")

var readyLine = regexp.MustCompile(`listening on (http://[^\s]+)`)

// Start builds the binary if needed, starts a server and waits until it is healthy. The
// server is stopped when the test ends; if the test failed, the tail of its log is
// printed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if ep := os.Getenv("OVERCAST_TEST_ENDPOINT"); ep != "" {
		if opts.Clock == "virtual" || opts.Auth == "sigv4" || opts.SQSURLStyle == "host" ||
			opts.DefaultAccount != "" || strings.HasPrefix(opts.Store, "postgres") {
			t.Skipf("needs a server started with options %+v; OVERCAST_TEST_ENDPOINT is external", opts)
		}
		s := &Server{opts: opts, external: true, endpoint: strings.TrimRight(ep, "/"), client: newHTTPClient()}
		s.port = s.endpoint[strings.LastIndex(s.endpoint, ":")+1:]
		return s
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	s := &Server{opts: opts, DataDir: opts.DataDir, log: newTailBuffer(256 << 10), client: newHTTPClient()}
	t.Cleanup(func() {
		s.stop(10 * time.Second)
		if t.Failed() {
			t.Logf("overcast log tail (%s):\n%s", s.endpoint, s.log.String())
		}
	})
	if err := s.start(Binary(t)); err != nil {
		t.Fatalf("start overcast: %v", err)
	}
	return s
}

// StartShared starts a server that outlives any one test, for a package whose tests share
// it (each with its own resource names). opts.DataDir must be set. The caller stops it
// with Close, typically after m.Run in TestMain.
func StartShared(opts Options) (*Server, error) {
	if ep := os.Getenv("OVERCAST_TEST_ENDPOINT"); ep != "" {
		s := &Server{opts: opts, external: true, endpoint: strings.TrimRight(ep, "/"), client: newHTTPClient()}
		s.port = s.endpoint[strings.LastIndex(s.endpoint, ":")+1:]
		return s, nil
	}
	if opts.DataDir == "" {
		return nil, errors.New("StartShared needs a DataDir")
	}
	bin, err := buildBinary()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, DataDir: opts.DataDir, log: newTailBuffer(1 << 20), client: newHTTPClient()}
	if err := s.start(bin); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops a server started with StartShared.
func (s *Server) Close() { s.stop(10 * time.Second) }

// External reports whether the server is an external endpoint that the harness does not
// control.
func (s *Server) External() bool { return s.external }

// Endpoint is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) Endpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endpoint
}

// Port is the port the server listens on.
func (s *Server) Port() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Log returns the tail of the server's stdout and stderr.
func (s *Server) Log() string {
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

func (s *Server) args() []string {
	o := s.opts
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", s.DataDir}
	if o.Store != "" {
		args = append(args, "--store", o.Store)
	}
	if o.Clock != "" {
		args = append(args, "--clock", o.Clock)
	}
	if o.Auth != "" {
		args = append(args, "--auth", o.Auth)
	}
	if o.Credentials != "" {
		args = append(args, "--credentials", o.Credentials)
	}
	if o.DefaultAccount != "" {
		args = append(args, "--default-account", o.DefaultAccount)
	}
	if o.SQSURLStyle != "" {
		args = append(args, "--sqs-url-style", o.SQSURLStyle)
	}
	if o.Ephemeral {
		args = append(args, "--ephemeral")
	}
	return append(args, o.Args...)
}

// serverEnv is the environment of the server process: the test's own, without OVERCAST_*
// variables, so that only the flags configure it.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OVERCAST_") {
			env = append(env, kv)
		}
	}
	return env
}

func (s *Server) start(bin string) error {
	cmd := exec.Command(bin, s.args()...)
	cmd.Env = serverEnv()
	// A process group of its own, so that a kill reaches anything it started and never
	// the test process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.log, line)
			if m := readyLine.FindStringSubmatch(line); m != nil && !sent {
				ready <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	select {
	case ep := <-ready:
		ep = strings.TrimRight(ep, "/")
		s.mu.Lock()
		s.endpoint = ep
		s.port = ep[strings.LastIndex(ep, ":")+1:]
		s.mu.Unlock()
	case <-exited:
		return fmt.Errorf("overcast %s exited before it was ready: %v\n%s", strings.Join(s.args(), " "), cmd.ProcessState, s.log.String())
	case <-time.After(90 * time.Second):
		s.signal(syscall.SIGKILL)
		<-exited
		return fmt.Errorf("overcast printed no ready line within 90s:\n%s", s.log.String())
	}
	return s.waitHealthy(30 * time.Second)
}

func (s *Server) waitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := s.client.Get(s.Endpoint() + "/_overcast/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("health answered %s", resp.Status)
		} else {
			last = err
		}
		select {
		case <-s.exited:
			return fmt.Errorf("overcast exited while waiting for health: %v\n%s", last, s.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("overcast not healthy after %s: %v", timeout, last)
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	// Negative pid: the whole process group.
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}

// stop sends SIGTERM and waits up to grace, then SIGKILLs.
func (s *Server) stop(grace time.Duration) {
	if s.external {
		return
	}
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	if exited == nil {
		return
	}
	s.signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
		s.signal(syscall.SIGKILL)
		<-exited
	}
}

// Stop shuts the server down cleanly (SIGTERM, then SIGKILL after 10s).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.external {
		t.Skip(ErrExternal)
	}
	s.stop(10 * time.Second)
}

// Kill ends the server with SIGKILL, as a crash would, and waits for it to exit.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if s.external {
		t.Skip(ErrExternal)
	}
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	s.signal(syscall.SIGKILL)
	if exited != nil {
		<-exited
	}
}

// Restart starts the server again on the same data directory and options. It listens on
// a new port; Endpoint returns it.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.external {
		t.Skip(ErrExternal)
	}
	s.stop(10 * time.Second)
	fmt.Fprintf(s.log, "--- restart on %s ---\n", s.DataDir)
	if err := s.start(Binary(t)); err != nil {
		t.Fatalf("restart overcast: %v", err)
	}
}

// HTTPClient returns a plain HTTP client for raw requests to the server.
func (s *Server) HTTPClient() *http.Client { return s.client }

// Admin sends a request to an /_overcast/ route and returns the status and body.
func (s *Server) Admin(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("marshal admin body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.Endpoint()+path, rd)
	if err != nil {
		t.Fatalf("admin request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// AdvanceClock moves the virtual clock forward by d through POST /_overcast/clock.
func (s *Server) AdvanceClock(t testing.TB, d time.Duration) {
	t.Helper()
	if s.external {
		t.Skip(ErrExternal)
	}
	status, body := s.Admin(t, http.MethodPost, "/_overcast/clock", map[string]string{"advance": d.String()})
	if status != http.StatusOK {
		t.Fatalf("advance clock by %s: %d %s", d, status, body)
	}
}

// Reset wipes the state of one service ("" for all) through POST /_overcast/reset.
func (s *Server) Reset(t testing.TB, service string) {
	t.Helper()
	if s.external {
		t.Skip(ErrExternal)
	}
	path := "/_overcast/reset"
	if service != "" {
		path += "?service=" + service
	}
	status, body := s.Admin(t, http.MethodPost, path, nil)
	if status != http.StatusOK {
		t.Fatalf("reset %q: %d %s", service, status, body)
	}
}

func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 32,
			IdleConnTimeout:     30 * time.Second,
		},
		Timeout: 60 * time.Second,
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// Binary returns the path of the overcast binary: OVERCAST_BINARY if set, otherwise the
// result of building ./cmd/overcast once per test process.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return bin
}

func buildBinary() (string, error) {
	if b := os.Getenv("OVERCAST_BINARY"); b != "" {
		return b, nil
	}
	buildOnce.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		buildDir, err = os.MkdirTemp("", "overcast-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(buildDir, "overcast")
		// go test runs packages in parallel, and each conformance package builds the
		// binary. One build at a time lets the second find every package in the build
		// cache instead of compiling them all again beside the first.
		if lock, err := os.OpenFile(filepath.Join(os.TempDir(), "overcast-harness-build.lock"), os.O_CREATE|os.O_RDWR, 0o600); err == nil {
			defer lock.Close()
			if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX) == nil {
				defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
			}
		}
		cmd := exec.Command(goTool(), "build", "-o", buildBin, "./cmd/overcast")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/overcast: %v\n%s", err, out)
		}
	})
	return buildBin, buildErr
}

// Main runs the tests of a conformance package, then runs each cleanup and removes the
// built binary. Call it from TestMain.
//
// The conformance tests spend most of their time waiting on servers and subprocesses, so
// unless -test.parallel is given, Main lets 8 parallel tests run at once rather than one
// per core.
func Main(m *testing.M, cleanups ...func()) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			explicit = true
		}
	})
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// ModuleRoot returns the directory holding go.mod, found upwards from the working
// directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
