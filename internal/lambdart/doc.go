// Package lambdart runs AWS Lambda functions: execution environments, the Lambda Runtime
// API and Extensions API they talk to, the Python and Node.js bootstraps shipped inside the
// binary, and the sandbox around them. The Lambda control plane (internal/services/lambda)
// stores functions and calls this package to run them; nothing here knows the Lambda wire
// API.
//
// # Using it
//
//	m, err := lambdart.New(lambdart.Config{
//		DataDir:  filepath.Join(dataDir, "lambda"),
//		LogSink:  cloudWatchLogsAdapter,           // see LogSink
//		Endpoint: "http://127.0.0.1:4566",        // AWS_ENDPOINT_URL inside functions
//	})
//	m.Start(ctx)
//	defer m.Stop()
//
//	code, err := m.Code().Unpack(zipBytes)        // CreateFunction / UpdateFunctionCode
//	res, err := m.Invoke(ctx, &lambdart.Function{
//		FunctionKey: lambdart.FunctionKey{AccountID: acct, Region: region, Name: "f", Version: "$LATEST"},
//		ARN: arn, Runtime: "python3.12", Handler: "app.handler", Code: code,
//		MemoryMB: 128, Timeout: 3 * time.Second, Environment: vars, Credentials: roleCreds,
//	}, &lambdart.InvokeRequest{Payload: event, LogTail: logTypeTail})
//
// The Function spec is passed on every call; the manager keeps no function registry.
// Environments are pooled per FunctionKey and reused only for an identical spec (every
// field but Credentials), so changing $LATEST's configuration retires its environments as
// AWS does. Evict shuts a function's environments down (DeleteFunction, DeleteAlias of a
// provisioned version, ...).
//
// # Results and errors
//
// A function that ran returns an *InvokeResult, failed or not: handler errors, init
// errors, timeouts, crashes and out-of-memory kills set FunctionError ("Unhandled"),
// ErrorType and put the error document in Payload; the API answers them with 200 and
// X-Amz-Function-Error. Result fields map to the API: ExecutedVersion to
// X-Amz-Executed-Version, LogTail (base64) to X-Amz-Log-Result.
//
// Go errors are for invocations that did not run:
//
//	*ThrottleError (ErrThrottled)   TooManyRequestsException, 429, Type "User", Reason from
//	                                the error (ReservedFunctionConcurrentInvocationLimitExceeded
//	                                or ConcurrentInvocationLimitExceeded), message "Rate Exceeded."
//	ErrUnsupportedRuntime           InvalidParameterValueException at create/update time
//	ErrInvalidFunction              a spec the control plane should not have built
//	ErrStopped, ctx.Err()           the server is stopping / the caller went away
//
// Code cache errors, from Unpack and CheckCombinedSize:
//
//	ErrInvalidZip                   InvalidParameterValueException "Could not unzip uploaded
//	                                file. Please check your file, then try to upload again."
//	*CodeSizeError (ErrCodeTooLarge) InvalidParameterValueException "Unzipped size must be
//	                                smaller than 262144000 bytes" (or the combined-size message)
//	*ReservationError               PutFunctionConcurrency's InvalidParameterValueException
//
// Streaming (InvokeWithResponseStream): InvokeStream returns a *Stream once the function
// starts its response; Body yields PayloadChunk bytes, Wait gives the InvokeComplete
// outcome (ErrorType and Payload as ErrorCode and ErrorDetails, LogTail as LogResult).
// A function that does not stream yields its response as one chunk.
//
// # Concurrency
//
// Each account and region has a concurrency limit (Config.AccountConcurrency, default
// 1,000). SetReservedConcurrency gives a function (all versions) its own share, which it
// never exceeds; the others share the rest; a reservation that leaves fewer than
// MinUnreservedConcurrency (default 100) unreserved is refused. Reservations are not
// persisted here: the control plane stores them and sets them again at start.
// SetProvisionedConcurrency keeps N initialised environments of a version
// (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency) that are never reaped and are
// used first; ProvisionedConcurrency reports IN_PROGRESS, READY or FAILED. AccountConcurrency
// and ConcurrentExecutions serve GetAccountSettings and metrics.
//
// # Lifecycle
//
// A cold start unpacks nothing (code is unpacked once per content, into a directory named
// by its SHA-256), merges the layers under /opt (cached per layer list), starts the
// extensions found in /opt/extensions, waits for them to register, starts the runtime and
// waits until the runtime and every extension ask for their first event (init phase,
// bounded by Config.InitTimeout, 10 s). Then the invocation is handed over; Invoke
// returns when the runtime has answered and asked for its next event, so the environment
// is idle again and a following Invoke reuses it. One invocation at a time runs in an
// environment. Timeouts, crashes and OOM kills end the environment (extensions get
// SHUTDOWN with reason "timeout" or "failure"); the next invocation starts a new one.
// Idle on-demand environments are shut down after Config.IdleTimeout (5 minutes) on
// Config.Clock, with SHUTDOWN "spindown".
//
// # Logs
//
// Every line an environment's processes write to stdout or stderr goes to the LogSink,
// one event per line with its newline (as AWS delivers them), in group
// /aws/lambda/<name> and stream
// YYYY/MM/DD/[<version>]<32 hex digits>, one stream per environment; so do the platform
// lines: INIT_START, START RequestId: <id> Version: <v>, END RequestId: <id>, REPORT with
// Duration, Billed Duration (1 ms granularity, the init phase included on a cold start as
// AWS bills it since August 2025), Memory Size, Max Memory Used, Init Duration, each
// followed by a tab as in AWS's line, and on failure Status and Error Type (none for a
// timeout); INIT_REPORT for failed inits; and the timeout and
// runtime-exit lines. InvokeRequest.LogTail asks for the last 4 KB of the invocation's
// own log (START to REPORT; from the end of INIT_START when the invocation's own init
// fails, so that the runtime's error and INIT_REPORT are in it, as on AWS). Lines reach the LogSink in rounds of up to 10 ms, merged per
// stream; calls for different streams may be concurrent, so a store can write them in one
// commit.
//
// The Python and Node.js bootstraps write their log records (the logging module,
// console.*, unhandled errors) through the telemetry log descriptor, as AWS's runtime
// clients do: _LAMBDA_TELEMETRY_LOG_FD names a second handle on the log pipe, each record
// is one frame (logs_frame.go), so a multi-line record (a traceback, a multi-line
// console.log) is one event with \n between its lines, in order with the plain output.
//
// Function.LogFormat "JSON" (LoggingConfig) turns the platform lines into JSON records,
// {"time","type","record"}: platform.initStart, platform.start, platform.report (metrics,
// status), platform.initReport, and platform.runtimeDone for END, which AWS logs at DEBUG
// only; records below SystemLogLevel (default INFO) are left out. The runtimes get
// AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL=ApplicationLogLevel (default INFO)
// and log JSON records ({"timestamp","level","message","logger","requestId"} in Python,
// {"timestamp","level","requestId","message"} in Node.js, with errorType, errorMessage and
// stackTrace for errors) at that level and above.
//
// # Runtimes
//
// provided.al2023, provided.al2 and provided run a bootstrap from the code (/var/task) or
// a layer (/opt); any Runtime API client works, e.g. aws-lambda-go. python3.9–python3.14
// and nodejs18.x–nodejs24.x run the bootstraps in bootstrap/ (standard library only) with
// a host interpreter: the exact version's command (python3.12, node22) when it works,
// else python3 or node, unless Config.Interpreters says otherwise. A runtime without an
// interpreter fails its invocations with Runtime.InvalidEntrypoint. The bootstraps
// reproduce AWS's handler resolution, context object, error documents and log format.
// AWS_LAMBDA_EXEC_WRAPPER is honoured.
//
// Environment variables: AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE,
// AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_REGION, AWS_DEFAULT_REGION,
// AWS_EXECUTION_ENV (managed runtimes), LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR,
// AWS_LAMBDA_RUNTIME_API, _HANDLER, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_FORMAT
// and AWS_LAMBDA_LOG_LEVEL (JSON format only), the role's
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and
// AWS_XRAY_CONTEXT_MISSING, AWS_XRAY_DAEMON_ADDRESS, _AWS_XRAY_DAEMON_ADDRESS and
// _AWS_XRAY_DAEMON_PORT are reserved, and so are PWD and SHLVL=0 in Python and Node.js;
// TZ=:UTC, LANG, PATH, LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH (/var/runtime: the Python
// bootstrap puts /opt/python/lib/pythonX.Y/site-packages and /opt/python on sys.path, as
// AWS's does), TMPDIR (only without a private /tmp) and AWS_ENDPOINT_URL are defaults the
// function's own variables may override. The runtimes set _X_AMZN_TRACE_ID per
// invocation.
//
// # Sandbox
//
// New detects what the host allows and logs it once (Manager.Sandbox reports it). On
// Linux as root: each environment gets a private mount namespace with its code bind-mounted
// read-only at /var/task, the merged layers at /opt, the bootstraps at /var/runtime and a
// tmpfs of the ephemeral storage size at /tmp; each process gets its own pid namespace;
// a cgroup (v2, or v1 memory and cpu) per environment limits memory to MemorySize (an OOM
// kill reports Runtime.OutOfMemory), gives CPU weight in proportion to memory (1,769 MB =
// one vCPU; Config.CPUQuota adds a hard quota) and measures peak memory.
// Config.IsolateNetwork adds a network namespace with only loopback, the Runtime API and a
// forwarder to Config.Endpoint. Without privileges environments are plain processes with
// LAMBDA_TASK_ROOT at the unpacked code and a private TMPDIR: same behaviour, no limits.
//
// Known differences from AWS: the runtime and each extension get separate pid namespaces
// and /proc is the host's; functions run as Overcast's user (root inside the sandbox);
// files in /tmp count towards the memory limit (tmpfs pages are charged to the cgroup);
// a failed init is not retried in the invoke phase; the Python bootstrap adds
// site-packages without processing .pth files; with the JSON log format, plain stdout
// lines are not turned into records nor filtered by a "level" field, the platform's
// timeout and runtime-exit lines stay text, and platform.report's status is "success"
// for a function error (AWS's telemetry may say otherwise); a record written right after
// an unterminated line ends that line; SnapStart and the Telemetry API are not
// implemented.
package lambdart
