package lambdart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
)

// Config configures a Manager. Zero values mean the documented defaults.
type Config struct {
	// DataDir holds the code cache, merged layers, the bootstraps and per-environment
	// directories. Required.
	DataDir string
	// Clock drives idle reaping, timeouts and log timestamps; nil means the real clock. The
	// Deadline-Ms header and measured durations use the host's clock, because the runtime
	// compares them with its own.
	Clock clock.Clock
	// Logger receives Overcast's own diagnostics; nil means slog.Default().
	Logger *slog.Logger
	// LogSink receives the functions' logs; nil discards them.
	LogSink LogSink
	// Endpoint is handed to functions as AWS_ENDPOINT_URL so that SDK calls reach Overcast,
	// e.g. "http://127.0.0.1:4566". Empty leaves it unset.
	Endpoint string
	// AccountConcurrency is each account's concurrent executions limit per region; zero
	// means 1,000.
	AccountConcurrency int
	// MinUnreservedConcurrency is what reservations must leave unreserved; zero means 100.
	MinUnreservedConcurrency int
	// IdleTimeout is how long an idle on-demand environment is kept; zero means 5 minutes.
	IdleTimeout time.Duration
	// InitTimeout bounds an environment's init phase; zero means 10 seconds, as on AWS.
	InitTimeout time.Duration
	// ShutdownGrace is how long extensions get to handle SHUTDOWN; zero means 2 seconds.
	ShutdownGrace time.Duration
	// Interpreters maps a runtime id ("python3.12") or a family ("python", "node") to a
	// host interpreter. Unmapped runtimes use the exact version's command (python3.12,
	// node22) when it works, else python3 or node from PATH.
	Interpreters map[string]string
	// Sandbox selects isolation; empty means SandboxAuto.
	Sandbox SandboxMode
	// IsolateNetwork gives each environment a private network namespace holding only
	// loopback, the Runtime API and a forwarder to Endpoint. Off by default.
	IsolateNetwork bool
	// CPUQuota enforces a hard CPU quota proportional to memory (1,769 MB = one vCPU) in
	// addition to the proportional CPU weight. Off by default: small functions would start
	// many times slower than on AWS, whose init phase runs unthrottled.
	CPUQuota bool
	// MaxUnzippedSize limits a package's unzipped size; zero means 250 MB.
	MaxUnzippedSize int64
}

const (
	initOnDemand    = "on-demand"
	initProvisioned = "provisioned-concurrency"
)

// Manager runs Lambda execution environments: it starts them from a Function spec, keeps
// them warm, reuses them one invocation at a time, reaps idle ones and enforces
// concurrency. It is safe for concurrent use.
type Manager struct {
	cfg        Config
	clock      clock.Clock
	log        *slog.Logger
	logOut     *logDispatcher
	code       *CodeCache
	runtimeDir string
	report     SandboxReport
	cgroups    *cgroupDriver
	conc       *concurrency
	interp     sync.Map // runtime id → *interpResult

	mu      sync.Mutex
	started bool
	stopped bool
	pools   map[FunctionKey]*pool
	envs    map[*env]struct{}
	prov    map[FunctionKey]*provState
	stopCh  chan struct{}
	wg      sync.WaitGroup // reaper, interpreter probes, provisioning
	// shutdowns counts environments being shut down in the background.
	shutdowns sync.WaitGroup
}

type interpResult struct {
	once sync.Once
	path string
}

// pool holds the environments of one function version started from one configuration.
type pool struct {
	key       FunctionKey
	fp        string
	fn        *Function
	idle      []*env // on-demand, most recently used last
	provIdle  []*env
	live      int
	provLive  int // provisioned environments, starting or ready
	provReady int // provisioned environments that finished init
	retired   bool
}

// New checks the configuration, prepares the data directory and finds out what the host's
// sandbox can enforce (logged once).
func New(cfg Config) (*Manager, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("lambda runtime: DataDir is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LogSink == nil {
		cfg.LogSink = DiscardLogs
	}
	if cfg.AccountConcurrency <= 0 {
		cfg.AccountConcurrency = DefaultAccountConcurrency
	}
	if cfg.MinUnreservedConcurrency <= 0 {
		cfg.MinUnreservedConcurrency = DefaultMinUnreserved
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 2 * time.Second
	}
	if cfg.Sandbox == "" {
		cfg.Sandbox = SandboxAuto
	}
	if cfg.Sandbox != SandboxAuto && cfg.Sandbox != SandboxOff {
		return nil, fmt.Errorf("lambda runtime: Sandbox %q is not auto or off", cfg.Sandbox)
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("lambda runtime: %w", err)
	}
	cfg.DataDir = abs
	code, err := NewCodeCache(filepath.Join(cfg.DataDir, "cache"), cfg.MaxUnzippedSize)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		cfg:    cfg,
		clock:  cfg.Clock,
		log:    cfg.Logger,
		logOut: newLogDispatcher(cfg.LogSink),
		code:   code,
		conc:   newConcurrency(cfg.AccountConcurrency, cfg.MinUnreservedConcurrency),
		pools:  map[FunctionKey]*pool{},
		envs:   map[*env]struct{}{},
		prov:   map[FunctionKey]*provState{},
		stopCh: make(chan struct{}),
	}
	if m.runtimeDir, err = writeBootstraps(cfg.DataDir); err != nil {
		m.logOut.close()
		return nil, err
	}
	_ = os.RemoveAll(filepath.Join(cfg.DataDir, "envs"))
	m.report, m.cgroups = detectSandbox(&m.cfg, m.log)
	attrs := []any{"namespaces", m.report.Namespaces, "tmp_size", m.report.TmpSize,
		"cgroup", m.report.Cgroup, "cpu_quota", m.report.CPUQuota, "network", m.report.Network}
	if m.report.Reason != "" {
		attrs = append(attrs, "limits", m.report.Reason)
	}
	m.log.Info("lambda sandbox", attrs...)
	return m, nil
}

// Code returns the manager's code cache, where the control plane unpacks packages and
// layers.
func (m *Manager) Code() *CodeCache { return m.code }

// Sandbox reports what the sandbox enforces on this host.
func (m *Manager) Sandbox() SandboxReport { return m.report }

// Start starts the idle reaper and resolves the hosts' interpreters in the background.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return ErrStopped
	}
	if m.started {
		return nil
	}
	m.started = true
	m.wg.Add(2)
	go m.reapLoop()
	go func() {
		defer m.wg.Done()
		for _, id := range Runtimes() {
			rt, _ := LookupRuntime(id)
			if rt.Family != FamilyProvided {
				select {
				case <-m.stopCh:
					return
				default:
				}
				m.interpreterFor(rt)
			}
		}
	}()
	return nil
}

// Stop shuts every environment down (extensions get SHUTDOWN) and waits for background
// work. Invocations in flight fail. Stop may be called twice, or before Start.
func (m *Manager) Stop() {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		m.wg.Wait()
		m.shutdowns.Wait()
		return
	}
	m.stopped = true
	close(m.stopCh)
	envs := make([]*env, 0, len(m.envs))
	for e := range m.envs {
		envs = append(envs, e)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.shutdown("spindown")
		}()
	}
	wg.Wait()
	m.wg.Wait()
	m.shutdowns.Wait()
	m.logOut.close()
	if m.cgroups != nil {
		m.cgroups.removeParent()
	}
	_ = os.RemoveAll(filepath.Join(m.cfg.DataDir, "envs"))
}

// interpreterFor returns the host interpreter for a runtime, resolving it once.
func (m *Manager) interpreterFor(rt Runtime) string {
	if rt.Family == FamilyProvided {
		return ""
	}
	v, _ := m.interp.LoadOrStore(rt.ID, &interpResult{})
	r := v.(*interpResult)
	r.once.Do(func() {
		r.path, _ = resolveInterpreter(rt, m.cfg.Interpreters)
	})
	return r.path
}

// Invoke runs one invocation synchronously and returns its result. A function failure is
// a result with FunctionError set. Errors are *ThrottleError (ErrThrottled) when no
// concurrency is left, ErrUnsupportedRuntime or ErrInvalidFunction for a spec the manager
// cannot run, ErrStopped, or ctx's error when it ends before the invocation starts. Once
// started, an invocation runs to its end or timeout whatever ctx does, as on AWS.
func (m *Manager) Invoke(ctx context.Context, fn *Function, req *InvokeRequest) (*InvokeResult, error) {
	return m.run(ctx, fn, req, nil)
}

// InvokeStream runs one invocation whose response is streamed: it returns once the
// function starts its response (or has failed before), with Body yielding the bytes as the
// function writes them. A function that does not stream yields its whole response at
// once. Errors are as for Invoke.
func (m *Manager) InvokeStream(ctx context.Context, fn *Function, req *InvokeRequest) (*Stream, error) {
	if req.RequestID == "" {
		req.RequestID = newUUID()
	}
	sink := newStreamSink()
	st := &Stream{done: make(chan struct{}), ContentType: "application/octet-stream"}
	errc := make(chan error, 1)
	go func() {
		res, err := m.run(ctx, fn, req, sink)
		if err != nil {
			errc <- err
			sink.abort()
			st.result = &InvokeResult{}
			close(st.done)
			return
		}
		st.result = res
		if res.FunctionError == "" && !sink.wasStarted() {
			// A buffered answer (or one that never wrote) becomes a one-chunk stream.
			sink.started(res.ContentType)
			go func() {
				_, _ = sink.pw.Write(res.Payload)
				sink.pw.Close()
			}()
			res.Payload = nil
		} else {
			sink.abort()
		}
		close(st.done)
	}()
	select {
	case <-sink.start:
	case err := <-errc:
		return nil, err
	case <-st.done:
	}
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	st.Body = sink.pr
	if sink.contentType != "" {
		st.ContentType = sink.contentType
	}
	st.ExecutedVersion = fn.version()
	st.RequestID = req.RequestID
	return st, nil
}

func (m *Manager) run(ctx context.Context, fn *Function, req *InvokeRequest, stream *streamSink) (*InvokeResult, error) {
	if err := fn.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	release, err := m.conc.acquire(fn.AccountID, fn.Region, fn.Name)
	if err != nil {
		return nil, err
	}
	defer release()

	if req.RequestID == "" {
		req.RequestID = newUUID()
	}
	inv := &invocation{
		id:      req.RequestID,
		req:     req,
		arn:     req.InvokedFunctionARN,
		traceID: req.TraceID,
		stream:  stream,
	}
	if inv.arn == "" {
		inv.arn = fn.ARN
	}
	if inv.traceID == "" {
		inv.traceID = newTraceID(time.Now())
	}

	acquireStart := time.Now()
	e, cold, err := m.acquire(fn)
	if err != nil {
		return nil, err
	}
	var timing Timing
	if cold {
		prepared := time.Since(acquireStart)
		if inv.req.LogTail {
			// A failed init runs within this invocation: its output is part of the tail.
			inv.tail = &tailBuffer{}
			e.initTail = inv.tail
		}
		f, t := e.start(inv.id)
		e.initTail = nil
		timing = t
		timing.Setup += prepared
		if f != nil {
			return m.initFailed(e, inv, f), nil
		}
	}
	res, out := e.invoke(inv, cold, &timing)
	m.release(e, out)
	return res, nil
}

// initFailed reports a failed init as the invocation's result and discards the environment.
func (m *Manager) initFailed(e *env, inv *invocation, f *failure) *InvokeResult {
	if inv.req.LogTail && inv.tail == nil {
		inv.tail = &tailBuffer{}
	}
	e.logs.platform(inv.tail, "START RequestId: "+inv.id+" Version: "+e.fn.version())
	e.kill()
	d := e.initDur
	mem := e.maxMemoryMB()
	e.logs.endInvocation("END RequestId: "+inv.id,
		reportLine(inv.id, d, 0, e.fn.memoryMB(), mem, f.status, f.errType))
	if len(f.lines) > 0 {
		e.logs.after(f.lines...)
	}
	res := f.result(inv.id, e.fn.version())
	res.Cold = true
	res.InitDuration = d
	res.Duration = d
	res.BilledDuration = time.Duration(billedMillis(d)) * time.Millisecond
	res.MaxMemoryUsedMB = mem
	if inv.tail != nil {
		res.LogTail = e.logs.tailOf(inv.tail)
	}
	m.release(e, outcomeFailure)
	return res
}

// poolLocked returns the pool for a function spec, retiring the pools of the same version
// that were started from another configuration.
func (m *Manager) poolLocked(fn *Function) *pool {
	key := fn.FunctionKey
	key.Version = fn.version()
	fp := fn.fingerprint()
	p := m.pools[key]
	if p != nil && p.fp == fp {
		return p
	}
	if p != nil {
		m.retireLocked(p)
	}
	cp := *fn
	p = &pool{key: key, fp: fp, fn: &cp}
	m.pools[key] = p
	return p
}

// retireLocked stops a pool from serving: its idle environments are shut down now, its
// busy ones when they finish.
func (m *Manager) retireLocked(p *pool) {
	p.retired = true
	if m.pools[p.key] == p {
		delete(m.pools, p.key)
	}
	for _, e := range append(p.idle, p.provIdle...) {
		m.shutdownLocked(e, "spindown")
	}
	p.idle, p.provIdle = nil, nil
}

// acquire takes an idle environment (provisioned ones first, then the most recently used)
// or prepares a new one.
func (m *Manager) acquire(fn *Function) (*env, bool, error) {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return nil, false, ErrStopped
	}
	p := m.poolLocked(fn)
	for _, list := range []*[]*env{&p.provIdle, &p.idle} {
		for len(*list) > 0 {
			n := len(*list)
			e := (*list)[n-1]
			(*list)[n-1] = nil
			*list = (*list)[:n-1]
			if e.alive() {
				m.mu.Unlock()
				return e, false, nil
			}
			m.shutdownLocked(e, "failure")
		}
	}
	p.live++
	m.mu.Unlock()

	e, err := m.newEnv(p, initOnDemand)
	if err != nil {
		m.mu.Lock()
		p.live--
		m.mu.Unlock()
		return nil, false, err
	}
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		e.shutdown("spindown")
		return nil, false, ErrStopped
	}
	m.envs[e] = struct{}{}
	m.mu.Unlock()
	return e, true, nil
}

// isReady reports whether the environment finished its init.
func (e *env) isReady() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ready
}

// alive reports whether an idle environment's runtime still runs.
func (e *env) alive() bool {
	if e.rtProc == nil {
		return false
	}
	select {
	case <-e.rtProc.exited:
		return false
	case <-e.gone:
		return false
	default:
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.destroyed && e.rtState == rtReady
}

// release returns an environment to its pool after an invocation, or shuts it down.
func (m *Manager) release(e *env, out outcome) {
	if out == outcomeBusy {
		return
	}
	if out == outcomeReuse && !e.sb.tmpEnforced {
		e.checkTmpUsage()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := e.pool
	switch {
	case out == outcomeTimeout:
		m.shutdownLocked(e, "timeout")
	case out != outcomeReuse:
		m.shutdownLocked(e, "failure")
	case m.stopped || p.retired || !e.alive():
		m.shutdownLocked(e, "spindown")
	case e.provisioned && p.provLive > m.provRequestedLocked(p.key):
		m.shutdownLocked(e, "spindown")
	default:
		e.lastUsed = m.clock.Now()
		if e.provisioned {
			p.provIdle = append(p.provIdle, e)
		} else {
			p.idle = append(p.idle, e)
		}
		return
	}
	if e.provisioned {
		m.refillLocked(p.key)
	}
}

// shutdownLocked takes an environment out of service and shuts it down in the background.
func (m *Manager) shutdownLocked(e *env, reason string) {
	if _, ok := m.envs[e]; !ok {
		return
	}
	delete(m.envs, e)
	p := e.pool
	p.live--
	if e.provisioned {
		p.provLive--
		if e.isReady() {
			p.provReady--
		}
	}
	m.shutdowns.Add(1)
	go func() {
		defer m.shutdowns.Done()
		e.shutdown(reason)
	}()
}

// retireIdle discards an idle environment whose runtime has exited.
func (m *Manager) retireIdle(e *env) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := e.pool
	for _, list := range []*[]*env{&p.idle, &p.provIdle} {
		for i, x := range *list {
			if x == e {
				*list = append((*list)[:i], (*list)[i+1:]...)
				m.shutdownLocked(e, "failure")
				if e.provisioned {
					m.refillLocked(p.key)
				}
				return
			}
		}
	}
}

// reapLoop shuts down on-demand environments idle for longer than IdleTimeout.
func (m *Manager) reapLoop() {
	defer m.wg.Done()
	interval := min(max(m.cfg.IdleTimeout/4, time.Second), 30*time.Second)
	for {
		t := m.clock.NewTimer(interval)
		select {
		case <-t.C():
		case <-m.stopCh:
			t.Stop()
			return
		}
		m.reapIdle()
	}
}

func (m *Manager) reapIdle() {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, p := range m.pools {
		if p.live == 0 && m.prov[key] == nil {
			// Nothing runs for this version: forget its configuration.
			delete(m.pools, key)
			continue
		}
		keep := p.idle[:0]
		for _, e := range p.idle {
			if now.Sub(e.lastUsed) >= m.cfg.IdleTimeout {
				m.shutdownLocked(e, "spindown")
				continue
			}
			keep = append(keep, e)
		}
		clear(p.idle[len(keep):])
		p.idle = keep
	}
}

// EnvStats counts a function version's environments.
type EnvStats struct {
	// Total is every live environment, busy or idle.
	Total int
	// Idle is the environments waiting for an invocation.
	Idle int
	// Provisioned is the live provisioned-concurrency environments.
	Provisioned int
}

// Environments counts the environments of a function version.
func (m *Manager) Environments(key FunctionKey) EnvStats {
	if key.Version == "" {
		key.Version = "$LATEST"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.pools[key]
	if p == nil {
		return EnvStats{}
	}
	return EnvStats{Total: p.live, Idle: len(p.idle) + len(p.provIdle), Provisioned: p.provLive}
}

// Evict shuts down the environments of a function: every version when version is empty,
// else that version. Running invocations finish first. The control plane calls it when a
// function or version is deleted; provisioned concurrency of evicted versions is dropped.
func (m *Manager) Evict(account, region, name, version string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, p := range m.pools {
		if key.AccountID == account && key.Region == region && key.Name == name && (version == "" || key.Version == version) {
			m.retireLocked(p)
			delete(m.prov, key)
		}
	}
}

// SetReservedConcurrency reserves n concurrent executions for a function (all its
// versions): it never runs more than n at once, and the others share what is left. n may
// be 0, which throttles every invocation. It returns a *ReservationError
// (ErrReservationTooLarge) when fewer than the minimum would stay unreserved. The control
// plane persists reservations and sets them again after a restart.
func (m *Manager) SetReservedConcurrency(account, region, name string, n int) error {
	if n < 0 {
		return fmt.Errorf("%w: negative reserved concurrency", ErrInvalidFunction)
	}
	return m.conc.setReserved(account, region, name, n)
}

// DeleteReservedConcurrency removes a function's reservation.
func (m *Manager) DeleteReservedConcurrency(account, region, name string) {
	m.conc.deleteReserved(account, region, name)
}

// SetAccountConcurrencyLimit changes one account's concurrent executions limit in a region.
func (m *Manager) SetAccountConcurrencyLimit(account, region string, n int) {
	m.conc.setLimit(account, region, n)
}

// AccountConcurrency reports an account's concurrency in a region.
func (m *Manager) AccountConcurrency(account, region string) AccountConcurrency {
	return m.conc.account(account, region)
}

// ConcurrentExecutions reports how many invocations of a function are running.
func (m *Manager) ConcurrentExecutions(account, region, name string) int {
	return m.conc.inflight(account, region, name)
}

func writeBootstraps(dataDir string) (string, error) {
	h := sha256.New()
	for _, f := range bootstrapFiles {
		h.Write([]byte(f.name))
		h.Write(f.data)
	}
	dir := filepath.Join(dataDir, "runtime", hex.EncodeToString(h.Sum(nil))[:16])
	for _, f := range bootstrapFiles {
		p := filepath.Join(dir, f.name)
		if b, err := os.ReadFile(p); err == nil && string(b) == string(f.data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("write bootstraps: %w", err)
		}
		tmp := p + ".tmp-" + randomHex(4)
		if err := os.WriteFile(tmp, f.data, 0o644); err != nil {
			return "", fmt.Errorf("write bootstraps: %w", err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return "", fmt.Errorf("write bootstraps: %w", err)
		}
	}
	return dir, nil
}
