package lambdart

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// MaxResponseSize is the largest buffered response a function may return (6 MB plus the
// 100 bytes of slack AWS allows). A larger one fails with Function.ResponseSizeTooLarge.
const MaxResponseSize = 6*1024*1024 + 100

// MaxStreamResponseSize is the largest streamed response (20 MB). A longer stream is cut
// and the invocation fails with Function.ResponseSizeTooLarge.
const MaxStreamResponseSize = 20 * 1024 * 1024

// InvokeRequest is one invocation.
type InvokeRequest struct {
	// RequestID is the invocation's request id; empty means a new UUID.
	RequestID string
	// Payload is the event, passed to the runtime as is.
	Payload []byte
	// InvokedFunctionARN is the ARN the caller invoked (qualified with a version or alias
	// when it was); empty means the function's ARN.
	InvokedFunctionARN string
	// ClientContext is the client context JSON (already base64-decoded); optional.
	ClientContext string
	// CognitoIdentity is the Cognito identity JSON; optional.
	CognitoIdentity string
	// TraceID is the X-Ray trace header; empty means a new root.
	TraceID string
	// LogTail asks for the last 4 KB of the invocation's log in the result.
	LogTail bool
}

// InvokeResult is the outcome of an invocation that ran, successfully or not. Failures of
// the function (handler errors, init errors, timeouts, crashes) are results with
// FunctionError set, not Go errors: the API answers them with 200 and X-Amz-Function-Error.
type InvokeResult struct {
	RequestID string
	// ExecutedVersion is the version that ran.
	ExecutedVersion string
	// Payload is the response, or the error document when FunctionError is set. For a
	// streamed invocation it holds only the error document, if any.
	Payload []byte
	// ContentType is the response's content type as the runtime posted it.
	ContentType string
	// FunctionError is "Unhandled" when the invocation failed, else empty.
	FunctionError string
	// ErrorType is the failure's type ("Runtime.ImportModuleError", "Sandbox.Timedout",
	// "Exception", ...), empty on success.
	ErrorType string
	// LogTail is the last 4 KB of the invocation's log when the request asked for it.
	LogTail []byte
	// Cold reports that the invocation started a new environment.
	Cold bool
	// InitDuration is the cold start's init phase; zero when warm.
	InitDuration time.Duration
	// Duration is the invoke phase, as REPORT states it.
	Duration time.Duration
	// BilledDuration is Duration (plus InitDuration when cold) rounded up to 1 ms.
	BilledDuration time.Duration
	// MaxMemoryUsedMB is the environment's peak memory as REPORT states it.
	MaxMemoryUsedMB int
	// Timing breaks down where time went, for benchmarks and diagnostics.
	Timing Timing
}

// Timing is the breakdown of one invocation's latency.
type Timing struct {
	// Setup is Overcast's share of a cold start before the runtime runs: directories,
	// sandbox, cgroup, Runtime API listener and process start.
	Setup time.Duration
	// RuntimeInit is from the runtime's start to its first call for the next event,
	// including extensions' init.
	RuntimeInit time.Duration
	// Dispatch is from the invocation being ready to go to the runtime receiving it.
	Dispatch time.Duration
	// Runtime is from the runtime receiving the event to its response arriving: the
	// function's and its runtime client's share of the invocation.
	Runtime time.Duration
}

// Stream is a response streamed from a function (InvokeWithResponseStream). Body yields
// the bytes as the function writes them; Wait returns the outcome once it is known.
type Stream struct {
	// RequestID is the invocation's request id.
	RequestID string
	// ExecutedVersion is the version that runs.
	ExecutedVersion string
	// ContentType is the content type the runtime declared for the stream.
	ContentType string
	// Body is the streamed response. Read returns io.EOF at the end of the stream, whether
	// the function succeeded or failed mid-stream; Wait tells which. Closing it early
	// abandons the rest of the stream; the function keeps running to its end.
	Body io.ReadCloser

	once   sync.Once
	done   chan struct{}
	result *InvokeResult
}

// Wait blocks until the invocation has finished and returns its result. Payload holds the
// error document when the function failed; ErrorType and FunctionError are set then.
func (s *Stream) Wait() *InvokeResult {
	<-s.done
	return s.result
}

// errorDocument renders the {"errorMessage","errorType"} document the platform returns for
// failures it detects itself.
func errorDocument(errType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errType})
	return b
}
