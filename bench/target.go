package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Target names, in report order.
const (
	targetOvercast   = "overcast"
	targetOvercastPG = "overcast-pg"
	targetCeiling    = "ceiling"
	targetMoto       = "moto"
)

var targetNames = []string{targetOvercast, targetOvercastPG, targetCeiling, targetMoto}

// target is one server under test, running as a child process on a loopback port.
type target struct {
	name string
	// desc says what the target is, for the report.
	desc     string
	endpoint string
	// fixed is set for the ceiling: its replies are fixed, so message tracking does not
	// apply.
	fixed bool
	// slow is set for moto: runs get small counts.
	slow bool

	proc *process
}

func (t *target) pid() int {
	if t.proc == nil {
		return 0
	}
	return t.proc.cmd.Process.Pid
}

// cpuTicks returns the server process's user plus system CPU time in clock ticks.
func (t *target) cpuTicks() (int64, error) {
	if t.proc == nil {
		return 0, errors.New("no server process")
	}
	return procCPUTicks(t.pid())
}

// process is a started child process whose output is kept (the tail of it) for
// diagnostics.
type process struct {
	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{}
	err  error
}

// startProcess starts name with args; its stdout and stderr go to a bounded buffer.
func startProcess(name string, args []string, env []string) (*process, error) {
	cmd := exec.Command(name, args...)
	out := &tailBuffer{max: 16 << 10}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the process to end (SIGTERM) and kills it when it has not within timeout.
func (p *process) stop(timeout time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

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
	return string(bytes.TrimSpace(b.buf))
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls url until ok accepts a response, the process exits or timeout passes.
// It returns the time from since to the first accepted response.
func waitReady(ctx context.Context, p *process, url string, ok func(*http.Response) bool, since time.Time, timeout time.Duration) (time.Duration, error) {
	// A fresh connection per poll: readiness includes accepting connections.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err == nil {
			accepted := ok(resp)
			resp.Body.Close()
			if accepted {
				return time.Since(since), nil
			}
		}
		if p.exited() {
			return 0, fmt.Errorf("exited before ready (%v): %s", p.err, lastLines(p.out.String(), 10))
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("not ready after %s: %s", timeout, lastLines(p.out.String(), 10))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func status200(r *http.Response) bool { return r.StatusCode == http.StatusOK }
func anyStatus(*http.Response) bool   { return true }

// procCPUTicks reads utime+stime (fields 14 and 15) from /proc/<pid>/stat.
func procCPUTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses; fields after the last
	// ')' start at field 3.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
	}
	return utime + stime, nil
}

// procRSSKB reads VmRSS from /proc/<pid>/status, in KiB.
func procRSSKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// clockTicks returns the kernel's clock ticks per second (getconf CLK_TCK), 100 when it
// cannot be read.
func clockTicks() int64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return 100
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil || n <= 0 {
		return 100
	}
	return n
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
