package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// bench is one run of the whole program over every selected target.
type bench struct {
	opts   *Main
	groups []*group
	log    io.Writer
	start  time.Time
	// clkTck is the kernel's clock ticks per second, the unit of /proc/<pid>/stat times.
	clkTck int64
	rep    *report
	// runID makes resource names unique to this process.
	runID string
	seq   int
}

// live is a started target and what the report keeps about it.
type live struct {
	t       *target
	info    targetInfo
	dataDir string
	cleanup func()
	// dead is set once the server has exited; its remaining runs are skipped.
	dead error
}

// run starts every selected target, then runs each scenario on the targets in turn, run
// after run, so that all targets see the same background load on a shared machine.
func (b *bench) run(ctx context.Context) (*report, error) {
	b.clkTck = clockTicks()
	b.runID = randomHex(4)
	b.rep = newReport(b.opts, b.groups, b.clkTck)
	var lives []*live
	defer func() {
		for _, l := range lives {
			l.cleanup()
		}
	}()
	for _, name := range targetNames {
		if !b.opts.wantTarget(name) {
			continue
		}
		l, err := b.startTarget(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			b.logf("%s: skipped: %v", name, err)
			b.rep.addTarget(targetInfo{Name: name, Skipped: err.Error()})
			continue
		}
		lives = append(lives, l)
	}
	// Idle means started and answered its health check, with nothing asked of it yet.
	time.Sleep(500 * time.Millisecond)
	for _, l := range lives {
		if isOvercastTarget(l.t.name) {
			if kb, err := procRSSKB(l.t.pid()); err == nil {
				l.info.RSSStartKB = kb
			}
		}
	}

	for _, g := range b.groups {
		for _, sc := range g.scenarios {
			for i := range b.opts.Runs {
				for _, l := range lives {
					if err := b.runOnce(ctx, l, sc, i); err != nil {
						return nil, err
					}
				}
			}
		}
	}

	time.Sleep(time.Second)
	for _, l := range lives {
		if l.dead == nil && isOvercastTarget(l.t.name) {
			if kb, err := procRSSKB(l.t.pid()); err == nil {
				l.info.RSSAfterKB = kb
			}
		}
	}
	for _, l := range lives {
		if l.t.name != targetOvercast || l.dead != nil {
			continue
		}
		ready, err := b.measureReady(ctx, l.t, l.dataDir)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			b.logf("%s: time to ready: %v", l.t.name, err)
			l.info.ReadyError = err.Error()
		}
		l.info.ReadyMS = ready
	}
	for _, l := range lives {
		b.rep.addTarget(l.info)
	}
	b.rep.finish(b.groups, time.Since(b.start))
	return b.rep, nil
}

// runOnce runs sc once on l. Only a cancelled ctx is an error: a failed run is recorded.
func (b *bench) runOnce(ctx context.Context, l *live, sc *scenario, i int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := l.t.name
	if l.dead == nil && l.t.proc.exited() {
		l.dead = fmt.Errorf("server exited (%v): %s", l.t.proc.err, lastLines(l.t.proc.out.String(), 10))
		b.logf("%s: %v", name, l.dead)
	}
	if l.dead != nil {
		b.rep.addError(sc.id, name, l.dead)
		return nil
	}
	b.seq++
	runName := fmt.Sprintf("bench-%s-%d", b.runID, b.seq)
	st, err := runScenario(ctx, sc, l.t, sizesFor(b.opts.Quick, l.t.slow), b.clkTck, runName)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.logf("%s %s run %d/%d: error: %v", name, sc.id, i+1, b.opts.Runs, err)
		b.rep.addError(sc.id, name, err)
		return nil
	}
	b.logf("%s %s run %d/%d: %s", name, sc.id, i+1, b.opts.Runs, st.summary(sc))
	b.rep.addRun(sc.id, name, st)
	return nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "[%5.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

// startTarget starts the named target. An error means it cannot run at all.
func (b *bench) startTarget(ctx context.Context, name string) (*live, error) {
	var (
		t       *target
		cleanup func()
		err     error
		dataDir string
	)
	switch name {
	case targetOvercast:
		t, dataDir, cleanup, err = b.startOvercast(ctx, name, "")
	case targetOvercastPG:
		if b.opts.PostgresURL == "" {
			return nil, errors.New("disabled (-pg \"\")")
		}
		var storeURL string
		var drop func()
		storeURL, drop, err = freshSchema(ctx, b.opts.PostgresURL)
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL not reachable: %w", err)
		}
		t, dataDir, cleanup, err = b.startOvercast(ctx, name, storeURL)
		if err != nil {
			drop()
		} else {
			inner := cleanup
			cleanup = func() { inner(); drop() }
		}
	case targetCeiling:
		t, cleanup, err = b.startCeiling(ctx)
	case targetMoto:
		t, cleanup, err = b.startMoto(ctx)
	}
	if err != nil {
		return nil, err
	}
	b.logf("%s: %s on %s (pid %d)", name, t.desc, t.endpoint, t.pid())
	return &live{
		t:       t,
		info:    targetInfo{Name: name, Desc: t.desc, Endpoint: t.endpoint, PID: t.pid()},
		dataDir: dataDir,
		cleanup: cleanup,
	}, nil
}

// startOvercast starts bin/overcast on a fresh data directory, on storeURL when set.
func (b *bench) startOvercast(ctx context.Context, name, storeURL string) (*target, string, func(), error) {
	bin, err := filepath.Abs(b.opts.Overcast)
	if err != nil {
		return nil, "", nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, "", nil, fmt.Errorf("%s not built (make build): %w", b.opts.Overcast, err)
	}
	version := "overcast"
	if out, err := exec.CommandContext(ctx, bin, "version").Output(); err == nil {
		version = strings.TrimSpace(string(out))
	}
	dir, err := os.MkdirTemp("", "overcast-bench-")
	if err != nil {
		return nil, "", nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	t := &target{name: name, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if storeURL == "" {
		t.desc = version + ", durable SQLite in a temporary data directory"
	} else {
		t.desc = version + ", PostgreSQL (fresh schema)"
	}
	args := overcastArgs(port, dir, storeURL)
	t.proc, err = startProcess(bin, args, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	cleanup := func() {
		t.proc.stop(10 * time.Second)
		os.RemoveAll(dir)
	}
	if _, err := waitReady(ctx, t.proc, t.endpoint+"/_overcast/health", status200, time.Now(), 30*time.Second); err != nil {
		cleanup()
		return nil, "", nil, fmt.Errorf("overcast did not start: %w", err)
	}
	return t, dir, cleanup, nil
}

func overcastArgs(port int, dataDir, storeURL string) []string {
	args := []string{"serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--data-dir", dataDir}
	if storeURL != "" {
		args = append(args, "--store", storeURL)
	}
	return args
}

// measureReady restarts Overcast on its existing data directory and times each start
// until the health check answers 200. The target's process is replaced.
func (b *bench) measureReady(ctx context.Context, t *target, dataDir string) ([]float64, error) {
	bin, err := filepath.Abs(b.opts.Overcast)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(t.endpoint[strings.LastIndexByte(t.endpoint, ':')+1:])
	if err != nil {
		return nil, err
	}
	var ready []float64
	for i := range b.opts.Restarts {
		t.proc.stop(10 * time.Second)
		start := time.Now()
		p, err := startProcess(bin, overcastArgs(port, dataDir, ""), nil)
		if err != nil {
			return ready, err
		}
		t.proc = p
		d, err := waitReady(ctx, p, t.endpoint+"/_overcast/health", status200, start, 30*time.Second)
		if err != nil {
			return ready, err
		}
		ready = append(ready, ms(d))
		b.logf("%s: restart %d/%d on existing data directory: ready in %.1f ms", t.name, i+1, b.opts.Restarts, ms(d))
	}
	return ready, nil
}

// startCeiling re-executes this program as the zero-work server, so that its CPU time is
// read from /proc the same way as Overcast's.
func (b *bench) startCeiling(ctx context.Context) (*target, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	t := &target{
		name:     targetCeiling,
		desc:     "zero-work Go net/http server answering fixed replies (loopback ceiling)",
		endpoint: fmt.Sprintf("http://127.0.0.1:%d", port),
		fixed:    true,
	}
	t.proc, err = startProcess(exe, []string{"-ceiling-serve", fmt.Sprintf("127.0.0.1:%d", port)}, nil)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { t.proc.stop(5 * time.Second) }
	if _, err := waitReady(ctx, t.proc, t.endpoint+"/", status200, time.Now(), 10*time.Second); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("ceiling did not start: %w", err)
	}
	return t, cleanup, nil
}

// startMoto starts moto_server when it is installed.
func (b *bench) startMoto(ctx context.Context) (*target, func(), error) {
	if b.opts.Moto == "" {
		return nil, nil, errors.New("disabled (-moto \"\")")
	}
	bin, err := exec.LookPath(b.opts.Moto)
	if err != nil {
		return nil, nil, fmt.Errorf("%s not on PATH", b.opts.Moto)
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	t := &target{
		name:     targetMoto,
		desc:     "moto_server " + motoVersion(ctx),
		endpoint: fmt.Sprintf("http://127.0.0.1:%d", port),
		slow:     true,
	}
	t.proc, err = startProcess(bin, []string{"-H", "127.0.0.1", "-p", strconv.Itoa(port)}, nil)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { t.proc.stop(10 * time.Second) }
	if _, err := waitReady(ctx, t.proc, t.endpoint+"/moto-api/", anyStatus, time.Now(), 60*time.Second); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("moto_server did not start: %w", err)
	}
	return t, cleanup, nil
}

func motoVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "python", "-c", "import moto; print(moto.__version__)").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// freshSchema creates an empty schema in the database at dbURL and returns a URL whose
// connections use it, and a function that drops it.
func freshSchema(ctx context.Context, dbURL string) (string, func(), error) {
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, dbURL)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(context.Background())
	schema := "overcast_bench_" + randomHex(6)
	if _, err := conn.Exec(cctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	}
	return u.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// overcastTargets are the targets whose correctness failures fail the program.
var overcastTargets = []string{targetOvercast, targetOvercastPG}

func isOvercastTarget(name string) bool { return slices.Contains(overcastTargets, name) }
