package lambdart

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runtimeState is the runtime's position in the Runtime API's state machine.
type runtimeState int

const (
	rtStarted    runtimeState = iota // process started; has not asked for an event yet
	rtReady                          // waiting in next
	rtRunning                        // holds an event
	rtResponding                     // posting its response
	rtResponded                      // response posted; next not called yet
	rtInitFailed                     // posted an init error
)

// String names the state as the Runtime API's error messages do.
func (s runtimeState) String() string {
	return [...]string{"Started", "Ready", "Running", "InvocationResponse", "ResponseSent", "InitError"}[s]
}

type extState int

const (
	extLaunched   extState = iota // external extension started, not registered
	extRegistered                 // registered, has not called next yet
	extReady                      // waiting in next
	extRunning                    // holds an event
	extExited                     // reported exit error or its process ended
)

func (s extState) String() string {
	return [...]string{"Launched", "Registered", "Ready", "Running", "Exited"}[s]
}

// extension is one registered (or launched) extension of an environment.
type extension struct {
	id       string
	name     string
	external bool
	invoke   bool // subscribed to INVOKE
	shutdown bool // subscribed to SHUTDOWN
	state    extState
	waiting  bool
	queue    chan []byte // events to deliver, rendered
	proc     *process
}

type evKind int

const (
	evRuntimeNext evKind = iota
	evResponseStart
	evResponse
	evInitError
	evExtRegistered
	evExtNext
	evExtInitError
	evExtExit
)

// envEvent is something the runtime or an extension did through the API, for whoever
// drives the environment (its init, or the invocation in progress).
type envEvent struct {
	kind evKind
	resp *response
	ext  *extension
}

// response is what the runtime posted for an invocation.
type response struct {
	payload     []byte
	contentType string
	errType     string
	isError     bool
}

// invocation is one event on its way through an environment.
type invocation struct {
	id         string
	req        *InvokeRequest
	arn        string
	traceID    string
	deadlineMs int64
	stream     *streamSink // nil unless the caller streams
	tail       *tailBuffer
	takenAt    time.Time // when the runtime received the event; guarded by env.mu
}

// process is one process of an environment (the runtime or an extension).
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // exit status, valid once exited is closed
}

// env is one execution environment: a runtime process (plus extensions) and the Runtime
// API server it talks to.
type env struct {
	m        *Manager
	id       string
	pool     *pool
	fn       *Function
	rt       Runtime
	initType string
	stream   LogStream
	logs     *logPipe
	logW     *os.File
	srv      *http.Server
	ln       net.Listener
	addr     string
	sb       *sandbox
	environ  []string

	rtProc   *process
	extProcs []*process

	events chan envEvent
	nextCh chan *invocation
	gone   chan struct{} // closed when the environment is destroyed

	mu          sync.Mutex
	rtState     runtimeState
	nextWaiting bool
	cur         *invocation
	regOpen     bool
	exts        map[string]*extension
	extNames    map[string]*extension
	extErr      string // type of an extension's init or exit error
	destroyed   bool
	initDur     time.Duration
	lastUsed    time.Time
	provisioned bool
	ready       bool // init completed; guarded by mu
	invokes     int
	tmpWarned   bool
	// initTail, when set before start, collects the init phase's output after
	// INIT_START: a cold invocation whose init fails returns it in its log tail.
	initTail *tailBuffer
}

// maxExtensions is the most extensions one function may run.
const maxExtensions = 10

// failure is a failed init or invocation as the platform reports it.
type failure struct {
	errType string
	payload []byte
	status  string   // REPORT / INIT_REPORT status: "error" or "timeout"
	lines   []string // platform lines logged after REPORT
}

func (f *failure) result(id, version string) *InvokeResult {
	return &InvokeResult{
		RequestID:       id,
		ExecutedVersion: version,
		Payload:         f.payload,
		ContentType:     "application/json",
		FunctionError:   "Unhandled",
		ErrorType:       f.errType,
	}
}

// newEnv prepares an environment: directories, sandbox, log pipe and Runtime API listener.
// Nothing runs until start.
func (m *Manager) newEnv(p *pool, initType string) (*env, error) {
	fn := p.fn
	rt, _ := LookupRuntime(fn.runtimeID())
	now := m.clock.Now()
	e := &env{
		m:        m,
		id:       randomHex(16),
		pool:     p,
		fn:       fn,
		rt:       rt,
		initType: initType,
		events:   make(chan envEvent, 16),
		nextCh:   make(chan *invocation, 1),
		gone:     make(chan struct{}),
		exts:     map[string]*extension{},
		extNames: map[string]*extension{},
		regOpen:  true,
		lastUsed: now,
	}
	e.provisioned = initType == initProvisioned
	e.stream = LogStream{
		AccountID: fn.AccountID,
		Region:    fn.Region,
		Group:     fn.logGroup(),
		Name:      logStreamName(now, fn.version(), e.id),
	}
	opt, err := m.code.MergeLayers(fn.Layers)
	if err != nil {
		return nil, err
	}
	sb, err := m.newSandbox(e.id, fn, opt)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	e.sb = sb
	w, lp, err := newLogPipe(m.logOut, e.stream, m.clock)
	if err != nil {
		sb.close()
		return nil, err
	}
	lp.json = newJSONLogs(fn, initType)
	e.logW, e.logs = w, lp
	ln, err := sb.listen()
	if err != nil {
		w.Close()
		sb.close()
		return nil, fmt.Errorf("runtime api listener: %w", err)
	}
	e.ln = ln
	e.addr = ln.Addr().String()
	e.srv = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          discardLogger,
	}
	go func() { _ = e.srv.Serve(ln) }()
	e.environ = e.buildEnviron()
	return e, nil
}

// buildEnviron assembles the process environment: defaults the function may override,
// the function's own variables, then the reserved variables AWS always sets.
func (e *env) buildEnviron() []string {
	fn, paths := e.fn, e.sb.paths
	vars := map[string]string{
		"LANG":            "en_US.UTF-8",
		"TZ":              ":UTC",
		"PATH":            "/usr/local/bin:/usr/bin/:/bin:" + paths.opt + "/bin",
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + paths.runtime + ":" + paths.runtime + "/lib:" + paths.task + ":" + paths.task + "/lib:" + paths.opt + "/lib",
	}
	if paths.tmp != "/tmp" {
		// Without a mount namespace /tmp is a directory of the environment's own.
		vars["TMPDIR"] = paths.tmp
	}
	if interp := e.m.interpreterFor(e.rt); interp != "" {
		vars["PATH"] = filepath.Dir(interp) + ":" + vars["PATH"]
	}
	switch e.rt.Family {
	case FamilyNode:
		vars["NODE_PATH"] = paths.opt + "/nodejs/node" + e.rt.Version + "/node_modules:" + paths.opt + "/nodejs/node_modules:" + paths.runtime + "/node_modules:" + paths.runtime + ":" + paths.task
	case FamilyPython:
		// AWS sets PYTHONPATH to the runtime directory; the bootstrap puts the layer
		// directories under /opt on sys.path itself. Without a mount namespace /opt is
		// elsewhere, and PYTHONPATH names it.
		vars["PYTHONPATH"] = paths.runtime
		if paths.opt != "/opt" {
			vars["PYTHONPATH"] = paths.opt + "/python/lib/python" + e.rt.Version + "/site-packages:" + paths.opt + "/python:" + paths.runtime
		}
		if !e.sb.isolated {
			// Without a read-only /var/task the interpreter would write bytecode into the
			// shared code cache.
			vars["PYTHONDONTWRITEBYTECODE"] = "1"
		}
	}
	if e.m.cfg.Endpoint != "" {
		vars["AWS_ENDPOINT_URL"] = e.m.cfg.Endpoint
	}
	for k, v := range fn.Environment {
		vars[k] = v
	}
	reserved := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     fn.version(),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.memoryMB()),
		"AWS_LAMBDA_LOG_GROUP_NAME":       e.stream.Group,
		"AWS_LAMBDA_LOG_STREAM_NAME":      e.stream.Name,
		"AWS_REGION":                      fn.Region,
		"AWS_DEFAULT_REGION":              fn.Region,
		"LAMBDA_TASK_ROOT":                paths.task,
		"LAMBDA_RUNTIME_DIR":              paths.runtime,
		"AWS_LAMBDA_RUNTIME_API":          e.addr,
		"_HANDLER":                        fn.Handler,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  e.initType,
		"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
		"AWS_XRAY_DAEMON_ADDRESS":         xrayDaemonHost + ":" + xrayDaemonPort,
		"_AWS_XRAY_DAEMON_ADDRESS":        xrayDaemonHost,
		"_AWS_XRAY_DAEMON_PORT":           xrayDaemonPort,
	}
	if e.rt.Family == FamilyPython || e.rt.Family == FamilyNode {
		// AWS's managed runtimes are started by a shell script, which leaves these.
		reserved["PWD"] = paths.task
		reserved["SHLVL"] = "0"
	}
	if ee := e.rt.ExecutionEnv(); ee != "" {
		reserved["AWS_EXECUTION_ENV"] = ee
	}
	if fn.jsonLogs() {
		// AWS tells the runtime clients the format and the application log level.
		reserved["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		reserved["AWS_LAMBDA_LOG_LEVEL"] = fn.appLogLevel()
	}
	creds := fn.Credentials
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":     creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":     creds.SessionToken,
	} {
		delete(vars, k)
		if v != "" {
			reserved[k] = v
		}
	}
	delete(vars, "_X_AMZN_TRACE_ID")
	for k, v := range reserved {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// The X-Ray daemon address AWS gives every function. Nothing listens there; tracing SDKs
// send their UDP segments into the void, as they would without the daemon.
const (
	xrayDaemonHost = "169.254.79.129"
	xrayDaemonPort = "2000"
)

// runtimeCommand returns the argv that starts the runtime, or a failure when there is
// nothing to start.
func (e *env) runtimeCommand(requestID string) ([]string, *failure) {
	paths := e.sb.paths
	var argv []string
	switch e.rt.Family {
	case FamilyProvided:
		candidates := []struct{ host, seen string }{
			{filepath.Join(e.fn.Code.Dir, "bootstrap"), paths.task + "/bootstrap"},
			{filepath.Join(e.sb.hostOpt, "bootstrap"), paths.opt + "/bootstrap"},
		}
		for _, c := range candidates {
			if fi, err := os.Stat(c.host); err == nil && fi.Mode().IsRegular() {
				return []string{c.seen}, nil
			}
		}
		return nil, &failure{
			errType: ErrorTypeInvalidEntrypoint,
			payload: errorDocument(ErrorTypeInvalidEntrypoint, fmt.Sprintf(
				"RequestId: %s Error: Couldn't find valid bootstrap(s): [%s/bootstrap %s/bootstrap]", requestID, paths.task, paths.opt)),
			status: "error",
		}
	case FamilyPython, FamilyNode:
		interp := e.m.interpreterFor(e.rt)
		if interp == "" {
			_, tried := resolveInterpreter(e.rt, e.m.cfg.Interpreters)
			return nil, &failure{
				errType: ErrorTypeInvalidEntrypoint,
				payload: errorDocument(ErrorTypeInvalidEntrypoint, fmt.Sprintf(
					"RequestId: %s Error: no interpreter for runtime %s on this host (tried %s)", requestID, e.rt.ID, strings.Join(tried, ", "))),
				status: "error",
			}
		}
		if e.rt.Family == FamilyPython {
			argv = []string{interp, "-S", paths.runtime + "/python/bootstrap.py"}
		} else {
			heap := e.fn.memoryMB() * 9 / 10
			argv = []string{interp, "--expose-gc", "--max-http-header-size=81920",
				"--max-old-space-size=" + strconv.Itoa(max(heap, 16)), paths.runtime + "/node/bootstrap.js"}
		}
		if w := e.fn.Environment["AWS_LAMBDA_EXEC_WRAPPER"]; w != "" {
			argv = append([]string{w}, argv...)
		}
	}
	return argv, nil
}

// spawn starts one process of the environment with its output on the log pipe. onExit,
// if not nil, runs once the process has exited. telemetry hands the process the
// telemetry log descriptor.
func (e *env) spawn(argv []string, onExit func(), telemetry bool) (*process, error) {
	cmd := &exec.Cmd{
		Path:   argv[0],
		Args:   argv,
		Env:    e.environ,
		Dir:    e.sb.paths.task,
		Stdout: e.logW,
		Stderr: e.logW,
	}
	if telemetry {
		// The telemetry log descriptor (logs_frame.go): another handle on the log pipe,
		// for the managed runtimes' bootstraps, which write their records there framed.
		cmd.ExtraFiles = []*os.File{e.logW}
		cmd.Env = append(slices.Clip(e.environ), "_LAMBDA_TELEMETRY_LOG_FD="+telemetryFD)
	}
	if err := e.sb.start(cmd); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
		if onExit != nil {
			onExit()
		}
	}()
	return p, nil
}

// start runs the init phase: extensions, then the runtime, until every one of them has
// asked for its first event. It returns a failure when init does not complete.
func (e *env) start(requestID string) (*failure, Timing) {
	var timing Timing
	begin := time.Now()
	e.logs.platform(nil, "INIT_START Runtime Version: "+runtimeVersion(e.rt)+"\tRuntime Version ARN: "+runtimeVersionARN(e.fn.Region, e.rt))
	if e.initTail != nil {
		e.logs.platform(e.initTail)
	}
	initTimeout := e.m.cfg.InitTimeout
	deadline := e.m.clock.NewTimer(initTimeout)
	defer deadline.Stop()
	fail := func(f *failure) (*failure, Timing) {
		d := time.Since(begin)
		e.initDur = d
		lines := []string{initReportLine(d, f.status, f.errType)}
		e.logs.after(lines...)
		return f, timing
	}

	extPaths := e.discoverExtensions()
	timing.Setup = time.Since(begin)
	if len(extPaths) > 0 {
		for _, p := range extPaths {
			name := filepath.Base(p.host)
			ext := &extension{name: name, external: true, queue: make(chan []byte, 4), state: extLaunched}
			e.mu.Lock()
			e.extNames[name] = ext
			e.mu.Unlock()
			proc, err := e.spawn([]string{p.seen}, nil, false)
			if err != nil {
				return fail(&failure{errType: "Extension.LaunchError", status: "error",
					payload: errorDocument("Extension.LaunchError", fmt.Sprintf("RequestId: %s Error: %v", requestID, err))})
			}
			ext.proc = proc
			e.extProcs = append(e.extProcs, proc)
		}
		// Extensions register before the runtime starts.
		for !e.allExternalRegistered() {
			if f := e.waitInitEvent(deadline, requestID); f != nil {
				return fail(f)
			}
		}
	}
	argv, f := e.runtimeCommand(requestID)
	if f != nil {
		return fail(f)
	}
	spawnStart := time.Now()
	proc, err := e.spawn(argv, e.runtimeExited, e.rt.Family == FamilyPython || e.rt.Family == FamilyNode)
	if err != nil && e.fn.Environment["AWS_LAMBDA_EXEC_WRAPPER"] != "" && (e.rt.Family == FamilyPython || e.rt.Family == FamilyNode) {
		// AWS's managed runtimes start through a shell script that runs the wrapper: the
		// runtime exits with the shell's status, 127 for a wrapper that does not exist,
		// 126 for one it cannot execute.
		status := 126
		if errors.Is(err, fs.ErrNotExist) {
			status = 127
		}
		msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: exit status %d", requestID, status)
		return fail(&failure{errType: ErrorTypeExit, status: "error", payload: errorDocument(ErrorTypeExit, msg), lines: []string{msg, ErrorTypeExit}})
	}
	if err != nil {
		msg := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = "fork/exec " + argv[0] + ": " + pe.Err.Error()
		}
		return fail(&failure{errType: ErrorTypeInvalidEntrypoint, status: "error",
			payload: errorDocument(ErrorTypeInvalidEntrypoint, fmt.Sprintf("RequestId: %s Error: %s", requestID, msg))})
	}
	e.rtProc = proc
	timing.Setup += time.Since(spawnStart)
	// Every process has its copy of the pipe's writing end; ours would keep it open.
	e.logW.Close()

	for !e.initComplete() {
		if f := e.waitInitEvent(deadline, requestID); f != nil {
			return fail(f)
		}
	}
	e.initDur = time.Since(begin)
	e.mu.Lock()
	e.ready = true
	e.mu.Unlock()
	timing.RuntimeInit = e.initDur - timing.Setup
	// The first invocation runs inside the memory limit: wait for the runtime's move into
	// its cgroup if it is still under way (it usually finished during init).
	waitStart := time.Now()
	e.sb.attaching.Wait()
	timing.Setup += time.Since(waitStart)
	if err := e.sb.attachErr; err != nil {
		e.m.log.Warn("lambda runtime not moved into its cgroup: its memory is not limited", "function", e.fn.Name, "error", err)
	}
	return nil, timing
}

type extPath struct{ host, seen string }

// discoverExtensions lists the executables in /opt/extensions, in name order.
func (e *env) discoverExtensions() []extPath {
	dir := filepath.Join(e.sb.hostOpt, "extensions")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []extPath
	for _, de := range entries {
		fi, err := os.Stat(filepath.Join(dir, de.Name()))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		out = append(out, extPath{host: filepath.Join(dir, de.Name()), seen: e.sb.paths.opt + "/extensions/" + de.Name()})
		if len(out) == maxExtensions {
			break
		}
	}
	return out
}

func (e *env) allExternalRegistered() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.extNames {
		if x.external && x.state == extLaunched {
			return false
		}
	}
	return true
}

// initComplete reports whether the runtime and every extension have asked for an event.
func (e *env) initComplete() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rtState != rtReady {
		return false
	}
	for _, x := range e.exts {
		if x.state == extRegistered {
			return false
		}
	}
	e.regOpen = false
	return true
}

// waitInitEvent waits for the next thing to happen during init and turns failures into a
// failure value.
func (e *env) waitInitEvent(deadline interface{ C() <-chan time.Time }, requestID string) *failure {
	var rtExited <-chan struct{}
	if e.rtProc != nil {
		rtExited = e.rtProc.exited
	}
	select {
	case ev := <-e.events:
		switch ev.kind {
		case evInitError:
			return initErrorFailure(ev.resp)
		case evExtInitError, evExtExit:
			e.mu.Lock()
			t := e.extErr
			e.mu.Unlock()
			return &failure{errType: t, status: "error",
				payload: errorDocument(t, fmt.Sprintf("RequestId: %s Error: extension %s failed to initialise", requestID, ev.ext.name))}
		}
		return nil
	case <-rtExited:
		// A runtime that reports its init error and exits: the report wins.
		if ev := e.pendingEvent(evInitError); ev != nil {
			return initErrorFailure(ev.resp)
		}
		return e.exitFailure(requestID)
	case <-e.extensionExited():
		return &failure{errType: "Extension.Crash", status: "error",
			payload: errorDocument("Extension.Crash", fmt.Sprintf("RequestId: %s Error: an extension exited during init", requestID))}
	case <-deadline.C():
		d := e.m.cfg.InitTimeout
		return &failure{errType: ErrorTypeTimeout, status: "timeout",
			payload: errorDocument(ErrorTypeTimeout, fmt.Sprintf("RequestId: %s Error: Task timed out after %s seconds", requestID, timeoutSeconds(d)))}
	case <-e.gone:
		return &failure{errType: ErrorTypeUnknown, status: "error",
			payload: errorDocument(ErrorTypeUnknown, fmt.Sprintf("RequestId: %s Error: execution environment shut down", requestID))}
	}
}

func initErrorFailure(resp *response) *failure {
	errType := resp.errType
	if errType == "" {
		errType = ErrorTypeUnknown
	}
	payload := resp.payload
	if len(payload) == 0 {
		payload = errorDocument(errType, "")
	}
	return &failure{errType: errType, payload: payload, status: "error"}
}

// pendingEvent takes an event of the given kind already waiting, if any, dropping the
// others; it is used once the runtime has exited, when only its last reports matter.
func (e *env) pendingEvent(kind evKind) *envEvent {
	for {
		select {
		case ev := <-e.events:
			if ev.kind == kind {
				return &ev
			}
		default:
			return nil
		}
	}
}

// extensionExited returns a channel closed when any external extension process exits
// before registering, or nil.
func (e *env) extensionExited() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.extNames {
		if x.external && x.proc != nil && x.state == extLaunched {
			return x.proc.exited
		}
	}
	return nil
}

// exitFailure describes the runtime's exit as AWS does: Runtime.OutOfMemory when the
// memory limit killed it, else Runtime.ExitError.
func (e *env) exitFailure(requestID string) *failure {
	// A runtime that exits with status 0 gave no reason, in AWS's words.
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", requestID)
	if e.rtProc != nil && e.rtProc.err != nil {
		msg = fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, e.rtProc.err.Error())
	}
	errType := ErrorTypeExit
	if e.sb.oomKilled() {
		errType = ErrorTypeOutOfMemory
	}
	return &failure{errType: errType, status: "error", payload: errorDocument(errType, msg), lines: []string{msg, errType}}
}

// runtimeExited discards an environment whose runtime exits while it is idle; during init
// or an invocation, whoever drives the environment sees the exit.
func (e *env) runtimeExited() {
	e.mu.Lock()
	idle := !e.destroyed && e.cur == nil && e.rtState == rtReady && e.ready
	e.mu.Unlock()
	if idle {
		e.m.retireIdle(e)
	}
}

// outcome says what becomes of an environment after an invocation.
type outcome int

const (
	outcomeReuse   outcome = iota // idle again: back to the pool
	outcomeBusy                   // extensions still working; finishExtensions releases it
	outcomeTimeout                // timed out: shut down with reason "timeout"
	outcomeFailure                // crashed or unusable: shut down with reason "failure"
)

// invoke runs one invocation on an initialised, idle environment. It returns when the
// runtime has answered and asked for its next event (or failed), so the environment is
// idle again by then unless extensions are still busy.
func (e *env) invoke(inv *invocation, cold bool, timing *Timing) (res *InvokeResult, out outcome) {
	fn := e.fn
	version := fn.version()
	if inv.req.LogTail {
		inv.tail = &tailBuffer{}
	}
	e.logs.platform(inv.tail, "START RequestId: "+inv.id+" Version: "+version)

	// Events left over from init or the previous invocation (a runtime and extensions
	// asking for their next event) must not count towards this one.
	for drained := false; !drained; {
		select {
		case <-e.events:
		default:
			drained = true
		}
	}
	start := time.Now()
	timeout := fn.timeout()
	inv.deadlineMs = start.Add(timeout).UnixMilli()
	e.mu.Lock()
	e.invokes++
	var extPending int
	if len(e.exts) > 0 {
		ev := renderInvokeEvent(inv)
		for _, x := range e.exts {
			if x.invoke && x.state != extExited {
				x.queue <- ev
				extPending++
			}
		}
	}
	e.mu.Unlock()

	e.nextCh <- inv
	timer := e.m.clock.NewTimer(timeout)
	defer timer.Stop()

	var (
		resp        *response
		runtimeDone bool
		fail        *failure
		respondedAt time.Duration
	)
loop:
	for {
		select {
		case ev := <-e.events:
			switch ev.kind {
			case evResponseStart:
				if inv.stream != nil {
					inv.stream.started(ev.resp.contentType)
				}
			case evResponse:
				resp = ev.resp
				respondedAt = time.Since(start)
				e.mu.Lock()
				if takenAt := inv.takenAt; !takenAt.IsZero() {
					timing.Dispatch = takenAt.Sub(start)
					timing.Runtime = time.Since(takenAt)
				}
				e.mu.Unlock()
			case evRuntimeNext:
				runtimeDone = true
			case evExtNext:
				extPending--
			case evExtExit:
				// The extension is gone; it no longer holds up the invoke phase.
				if ev.ext.invoke && ev.ext.state == extRunning {
					extPending--
				}
			}
			if resp != nil && runtimeDone && extPending <= 0 {
				break loop
			}
			if resp != nil && runtimeDone {
				// Extensions are still working; the caller has its answer, the invoke phase
				// ends when they are done.
				res := e.result(inv, resp, cold, respondedAt, timing)
				res.MaxMemoryUsedMB = e.maxMemoryMB()
				go e.finishExtensions(inv, extPending, start)
				return res, outcomeBusy
			}
		case <-e.rtProc.exited:
			if resp == nil {
				// A runtime that answers and exits at once (Node.js after an uncaught
				// exception): the answer stands.
				if ev := e.pendingEvent(evResponse); ev != nil {
					resp = ev.resp
					respondedAt = time.Since(start)
				}
			}
			if resp == nil {
				fail = e.exitFailure(inv.id)
			}
			break loop
		case <-timer.C():
			fail = &failure{errType: ErrorTypeTimeout, status: "timeout",
				payload: errorDocument(ErrorTypeTimeout, fmt.Sprintf("RequestId: %s Error: Task timed out after %s seconds", inv.id, timeoutSeconds(timeout))),
				lines:   []string{formatTimestamp(e.m.clock.Now()) + " " + inv.id + " Task timed out after " + timeoutSeconds(timeout) + " seconds"}}
			break loop
		case <-e.gone:
			fail = &failure{errType: ErrorTypeUnknown, status: "error",
				payload: errorDocument(ErrorTypeUnknown, fmt.Sprintf("RequestId: %s Error: execution environment shut down", inv.id))}
			break loop
		}
	}
	d := time.Since(start)
	if resp != nil && fail == nil {
		d = respondedAt
	}
	switch {
	case fail != nil && fail.status == "timeout":
		out = outcomeTimeout
	case fail != nil || !runtimeDone:
		out = outcomeFailure
	}
	if fail != nil {
		// The runtime is killed before the log is closed so that nothing it writes later
		// is attributed to this invocation; extensions get their SHUTDOWN event after.
		if e.rtProc != nil {
			e.sb.kill([]*process{e.rtProc})
		}
		if inv.stream != nil {
			inv.stream.abort()
		}
	}
	memUsed := e.maxMemoryMB()
	var status, errType string
	if fail != nil {
		status, errType = fail.status, fail.errType
	}
	init := time.Duration(0)
	if cold {
		init = e.initDur
	}
	e.logs.endInvocation("END RequestId: "+inv.id,
		reportLine(inv.id, d, init, fn.memoryMB(), memUsed, status, errType))
	if fail != nil && len(fail.lines) > 0 {
		e.logs.after(fail.lines...)
	}
	if fail != nil {
		res = fail.result(inv.id, version)
	} else {
		res = e.result(inv, resp, cold, d, timing)
	}
	res.Duration = d
	res.MaxMemoryUsedMB = memUsed
	res.Cold = cold
	res.InitDuration = init
	res.BilledDuration = time.Duration(billedMillis(d+init)) * time.Millisecond
	res.Timing = *timing
	if inv.tail != nil {
		res.LogTail = e.logs.tailOf(inv.tail)
	}
	return res, out
}

// finishExtensions ends the invoke phase once the extensions have asked for their next
// event, after the caller already has its response.
func (e *env) finishExtensions(inv *invocation, pending int, start time.Time) {
	remaining := e.fn.timeout() - time.Since(start)
	timer := e.m.clock.NewTimer(remaining)
	defer timer.Stop()
	out := outcomeReuse
	status := ""
	for pending > 0 && out == outcomeReuse {
		select {
		case ev := <-e.events:
			if ev.kind == evExtNext || (ev.kind == evExtExit && ev.ext.invoke) {
				pending--
			}
		case <-timer.C():
			out, status = outcomeTimeout, "timeout"
		case <-e.rtProc.exited:
			out, status = outcomeFailure, "error"
		case <-e.gone:
			return
		}
	}
	e.logs.endInvocation("END RequestId: "+inv.id,
		reportLine(inv.id, time.Since(start), 0, e.fn.memoryMB(), e.maxMemoryMB(), status, ""))
	e.m.release(e, out)
}

func (e *env) result(inv *invocation, resp *response, cold bool, d time.Duration, timing *Timing) *InvokeResult {
	res := &InvokeResult{
		RequestID:       inv.id,
		ExecutedVersion: e.fn.version(),
		Payload:         resp.payload,
		ContentType:     resp.contentType,
		Cold:            cold,
		Duration:        d,
		Timing:          *timing,
	}
	if resp.isError {
		res.FunctionError = "Unhandled"
		res.ErrorType = resp.errType
		res.ContentType = "application/json"
	}
	if cold {
		res.InitDuration = e.initDur
	}
	res.BilledDuration = time.Duration(billedMillis(d+res.InitDuration)) * time.Millisecond
	if inv.tail != nil {
		res.LogTail = e.logs.tailOf(inv.tail)
	}
	return res
}

func (e *env) maxMemoryMB() int {
	pid := 0
	if e.rtProc != nil && e.rtProc.cmd.Process != nil {
		pid = e.rtProc.cmd.Process.Pid
	}
	return e.sb.peakMemoryMB(pid)
}

// kill ends every process of the environment at once.
func (e *env) kill() {
	var procs []*process
	if e.rtProc != nil {
		procs = append(procs, e.rtProc)
	}
	procs = append(procs, e.extProcs...)
	e.sb.kill(procs)
}

// shutdown ends the environment: extensions subscribed to SHUTDOWN get the event and a
// grace period, the runtime gets SIGTERM first when extensions are registered (as on AWS),
// then everything is killed and the sandbox is removed. reason is "spindown", "timeout"
// or "failure".
func (e *env) shutdown(reason string) {
	e.mu.Lock()
	if e.destroyed {
		e.mu.Unlock()
		return
	}
	e.destroyed = true
	var subscribers []*extension
	for _, x := range e.exts {
		if x.shutdown && x.state != extExited {
			subscribers = append(subscribers, x)
		}
	}
	hasExts := len(e.exts) > 0
	e.mu.Unlock()

	grace := e.m.cfg.ShutdownGrace
	if hasExts && e.rtProc != nil && reason == "spindown" {
		_ = e.rtProc.cmd.Process.Signal(syscall.SIGTERM)
		e.waitExit(e.rtProc, grace/4)
	}
	if len(subscribers) > 0 && reason != "failure" {
		ev := renderShutdownEvent(reason, time.Now().Add(grace))
		for _, x := range subscribers {
			select {
			case x.queue <- ev:
			default:
			}
		}
		deadline := time.Now().Add(grace)
		for _, x := range subscribers {
			if x.proc != nil {
				e.waitExit(x.proc, time.Until(deadline))
			}
		}
	}
	e.kill()
	close(e.gone)
	_ = e.srv.Close()
	if e.logW != nil {
		e.logW.Close()
	}
	e.logs.wait(time.Second)
	e.sb.close()
}

func (e *env) waitExit(p *process, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
	}
}

// checkTmpUsage warns once when an environment without a size-limited /tmp holds more than
// its ephemeral storage.
func (e *env) checkTmpUsage() {
	if e.sb.tmpEnforced || e.tmpWarned {
		return
	}
	limit := int64(e.fn.ephemeralMB()) << 20
	var used int64
	_ = filepath.WalkDir(e.sb.hostTmp, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				used += fi.Size()
			}
		}
		return nil
	})
	if used > limit {
		e.tmpWarned = true
		e.m.log.Warn("lambda /tmp exceeds its ephemeral storage size", "function", e.fn.Name, "used", used, "limit", limit)
	}
}

func runtimeVersion(rt Runtime) string {
	switch rt.Family {
	case FamilyPython:
		return "python:" + rt.Version + ".v1"
	case FamilyNode:
		return "nodejs:" + rt.Version + ".v1"
	default:
		return strings.Replace(rt.ID, ".", ":", 1) + ".v1"
	}
}

func runtimeVersionARN(region string, rt Runtime) string {
	h := fmt.Sprintf("%x", []byte(runtimeVersion(rt)))
	for len(h) < 64 {
		h += h
	}
	return "arn:aws:lambda:" + region + "::runtime:" + h[:64]
}
