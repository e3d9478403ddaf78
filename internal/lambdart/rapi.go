package lambdart

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Runtime API and Extensions API paths and headers.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
const (
	runtimePrefix   = "/2018-06-01/runtime/"
	invocationPath  = runtimePrefix + "invocation/"
	nextPath        = invocationPath + "next"
	initErrorPath   = runtimePrefix + "init/error"
	extRegisterPath = "/2020-01-01/extension/register"
	extNextPath     = "/2020-01-01/extension/event/next"
	extInitErrPath  = "/2020-01-01/extension/init/error"
	extExitErrPath  = "/2020-01-01/extension/exit/error"

	hdrRequestID        = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline         = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN      = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID          = "Lambda-Runtime-Trace-Id"
	hdrClientContext    = "Lambda-Runtime-Client-Context"
	hdrCognito          = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType        = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody        = "Lambda-Runtime-Function-Error-Body"
	hdrResponseMode     = "Lambda-Runtime-Function-Response-Mode"
	hdrExtName          = "Lambda-Extension-Name"
	hdrExtID            = "Lambda-Extension-Identifier"
	hdrExtErrorType     = "Lambda-Extension-Function-Error-Type"
	hdrExtEventID       = "Lambda-Extension-Event-Identifier"
	hdrExtAcceptFeature = "Lambda-Extension-Accept-Feature"
)

// Error types the Runtime API answers misuse with.
const (
	errInvalidStateTransition = "InvalidStateTransition"
	errInvalidRequestID       = "InvalidRequestID"
	errEntityTooLarge         = "RequestEntityTooLarge"
	errTruncatedRequest       = "TruncatedHTTPRequest"
	errInvalidResponseMode    = "InvalidFunctionResponseMode"
	errInvalidRequestFormat   = "InvalidRequestFormat"
	errExtNameInvalid         = "Extension.InvalidExtensionName"
	errExtRegistrationClosed  = "Extension.RegistrationClosed"
	errExtIDMissing           = "Extension.MissingExtensionIdentifier"
	errExtIDInvalid           = "Extension.InvalidExtensionIdentifier"
	errExtIDUnknown           = "Extension.UnknownExtensionIdentifier"
	errExtInvalidState        = "Extension.InvalidExtensionState"
	errExtMissingHeader       = "Extension.MissingHeader"
	errExtTooMany             = "Extension.TooManyExtensions"
	errExtInvalidEvent        = "Extension.InvalidEventType"

	stateTransitionRuntime   = "State transition from %s to %s failed for runtime. Error: State transition is not allowed"
	stateTransitionExtension = "State transition from %s to %s failed for extension %s. Error: State transition is not allowed"
)

var discardLogger = log.New(io.Discard, "", 0)

var (
	jsonContentType = []string{"application/json"}
	acceptedBody    = []byte(`{"status":"OK"}` + "\n")
)

// ServeHTTP serves the environment's Runtime API and Extensions API. Every answer to
// misuse is the status and {"errorMessage","errorType"} body the AWS Runtime API gives.
func (e *env) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == nextPath:
		if requireMethod(w, r, http.MethodGet) {
			e.handleNext(w, r)
		}
	case strings.HasPrefix(p, invocationPath):
		rest := p[len(invocationPath):]
		i := strings.LastIndexByte(rest, '/')
		if i <= 0 {
			http.NotFound(w, r)
			return
		}
		id, action := rest[:i], rest[i+1:]
		if action != "response" && action != "error" {
			http.NotFound(w, r)
			return
		}
		if requireMethod(w, r, http.MethodPost) {
			e.handleResponse(w, r, id, action == "error")
		}
	case p == initErrorPath:
		if requireMethod(w, r, http.MethodPost) {
			e.handleInitError(w, r)
		}
	case p == extRegisterPath:
		if requireMethod(w, r, http.MethodPost) {
			e.handleExtRegister(w, r)
		}
	case p == extNextPath:
		if requireMethod(w, r, http.MethodGet) {
			e.handleExtNext(w, r)
		}
	case p == extInitErrPath, p == extExitErrPath:
		if requireMethod(w, r, http.MethodPost) {
			e.handleExtError(w, r, p == extExitErrPath)
		}
	default:
		http.NotFound(w, r)
	}
}

func requireMethod(w http.ResponseWriter, r *http.Request, m string) bool {
	if r.Method == m {
		return true
	}
	w.Header().Set("Allow", m)
	w.WriteHeader(http.StatusMethodNotAllowed)
	return false
}

// writeAPIError answers with the Runtime API's error document.
func writeAPIError(w http.ResponseWriter, status int, errType, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	body, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, errType})
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeAccepted(w http.ResponseWriter) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody)
}

// send hands an event to whoever drives the environment.
func (e *env) send(ev envEvent) {
	select {
	case e.events <- ev:
	case <-e.gone:
	}
}

// handleNext serves GET /runtime/invocation/next: it ends init or the previous invocation
// and blocks until the next event.
func (e *env) handleNext(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	prev := e.rtState
	switch {
	case prev == rtStarted, prev == rtResponded:
	case prev == rtReady && !e.nextWaiting:
		// The runtime dropped its previous long poll and polls again.
	default:
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition, stateTransitionRuntime, prev, rtReady)
		return
	}
	e.rtState = rtReady
	e.nextWaiting = true
	if prev == rtResponded {
		e.cur = nil
	}
	e.mu.Unlock()
	if prev != rtReady {
		e.send(envEvent{kind: evRuntimeNext})
	}

	var inv *invocation
	select {
	case inv = <-e.nextCh:
	case <-r.Context().Done():
		e.mu.Lock()
		e.nextWaiting = false
		e.mu.Unlock()
		return
	case <-e.gone:
		return
	}
	e.mu.Lock()
	e.rtState = rtRunning
	e.nextWaiting = false
	e.cur = inv
	inv.takenAt = time.Now()
	e.mu.Unlock()

	h := w.Header()
	h[hdrRequestID] = []string{inv.id}
	h[hdrDeadline] = []string{strconv.FormatInt(inv.deadlineMs, 10)}
	h[hdrFunctionARN] = []string{inv.arn}
	h[hdrTraceID] = []string{inv.traceID}
	if inv.req.ClientContext != "" {
		h[hdrClientContext] = []string{inv.req.ClientContext}
	}
	if inv.req.CognitoIdentity != "" {
		h[hdrCognito] = []string{inv.req.CognitoIdentity}
	}
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(inv.req.Payload))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.req.Payload)
}

// handleResponse serves POST /runtime/invocation/{id}/response and .../error.
func (e *env) handleResponse(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	target := "InvocationResponse"
	if isError {
		target = "InvocationErrorResponse"
	}
	e.mu.Lock()
	if e.rtState != rtRunning {
		state := e.rtState
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition, stateTransitionRuntime, state, target)
		return
	}
	inv := e.cur
	if inv == nil || inv.id != id {
		e.mu.Unlock()
		writeAPIError(w, http.StatusBadRequest, errInvalidRequestID, "Invalid request ID")
		return
	}
	if !isError {
		if mode := r.Header.Get(hdrResponseMode); mode != "" && !strings.EqualFold(mode, "streaming") {
			e.mu.Unlock()
			writeAPIError(w, http.StatusBadRequest, errInvalidResponseMode, "Invalid function response mode")
			return
		}
	}
	e.rtState = rtResponding
	e.mu.Unlock()

	var (
		resp   *response
		status = http.StatusAccepted
	)
	if isError {
		resp, status = e.readError(r, inv)
	} else {
		resp, status = e.readResponse(r, inv)
	}
	e.mu.Lock()
	e.rtState = rtResponded
	e.mu.Unlock()
	e.send(envEvent{kind: evResponse, resp: resp})
	switch status {
	case http.StatusRequestEntityTooLarge:
		limit := MaxResponseSize
		if inv.stream != nil {
			limit = MaxStreamResponseSize
		}
		writeAPIError(w, status, errEntityTooLarge, "Exceeded maximum allowed payload size (%d bytes).", limit)
	case http.StatusBadRequest:
		writeAPIError(w, status, errTruncatedRequest, "HTTP request detected as truncated")
	default:
		writeAccepted(w)
	}
}

// readResponse reads a response body, buffered or streamed to the caller, and its
// trailers (a streamed response reports a failure mid-stream through them).
func (e *env) readResponse(r *http.Request, inv *invocation) (*response, int) {
	resp := &response{contentType: r.Header.Get("Content-Type")}
	if resp.contentType == "" {
		resp.contentType = "application/json"
	}
	status := http.StatusAccepted
	if inv.stream != nil {
		e.send(envEvent{kind: evResponseStart, resp: &response{contentType: resp.contentType}})
		tooLarge, err := inv.stream.copyFrom(r.Body, MaxStreamResponseSize)
		switch {
		case tooLarge:
			resp.isError = true
			resp.errType = ErrorTypeResponseTooLarge
			resp.payload = errorDocument(ErrorTypeResponseTooLarge, fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxStreamResponseSize))
			return resp, http.StatusRequestEntityTooLarge
		case err != nil:
			return truncated(inv), http.StatusBadRequest
		}
	} else {
		var buf bytes.Buffer
		if r.ContentLength > 0 && r.ContentLength <= MaxResponseSize {
			buf.Grow(int(r.ContentLength))
		}
		n, err := buf.ReadFrom(io.LimitReader(r.Body, MaxResponseSize+1))
		switch {
		case n > MaxResponseSize:
			// Keep reading (and dropping) so that the runtime is not stuck mid-write.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
			resp.isError = true
			resp.errType = ErrorTypeResponseTooLarge
			resp.payload = errorDocument(ErrorTypeResponseTooLarge, fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseSize))
			return resp, http.StatusRequestEntityTooLarge
		case err != nil:
			return truncated(inv), http.StatusBadRequest
		}
		resp.payload = buf.Bytes()
	}
	if t := r.Trailer.Get(hdrErrorType); t != "" {
		resp.isError = true
		resp.errType = t
		resp.payload = nil
		if raw, err := base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody)); err == nil && len(raw) > 0 {
			resp.payload = raw
		} else {
			resp.payload = errorDocument(t, "")
		}
	}
	return resp, status
}

func truncated(inv *invocation) *response {
	return &response{isError: true, errType: ErrorTypeUnknown, contentType: "application/json",
		payload: errorDocument(ErrorTypeUnknown, "RequestId: "+inv.id+" Error: the runtime's response was truncated")}
}

// readError reads POST .../error: the error document and its type.
func (e *env) readError(r *http.Request, inv *invocation) (*response, int) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseSize+1))
	if err != nil {
		return truncated(inv), http.StatusBadRequest
	}
	if len(body) > MaxResponseSize {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		body = body[:MaxResponseSize]
	}
	errType := r.Header.Get(hdrErrorType)
	if errType == "" {
		var doc struct {
			ErrorType string `json:"errorType"`
		}
		if json.Unmarshal(body, &doc) == nil {
			errType = doc.ErrorType
		}
	}
	if errType == "" {
		errType = ErrorTypeUnknown
	}
	if len(body) == 0 {
		body = errorDocument(errType, "")
	}
	return &response{payload: body, errType: errType, isError: true, contentType: "application/json"}, http.StatusAccepted
}

// handleInitError serves POST /runtime/init/error.
func (e *env) handleInitError(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	if e.rtState != rtStarted {
		state := e.rtState
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errInvalidStateTransition, stateTransitionRuntime, state, rtInitFailed)
		return
	}
	e.rtState = rtInitFailed
	e.mu.Unlock()
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxResponseSize))
	errType := r.Header.Get(hdrErrorType)
	if errType == "" {
		var doc struct {
			ErrorType string `json:"errorType"`
		}
		if json.Unmarshal(body, &doc) == nil {
			errType = doc.ErrorType
		}
	}
	e.send(envEvent{kind: evInitError, resp: &response{payload: body, errType: errType, isError: true}})
	writeAccepted(w)
}

// handleExtRegister serves POST /extension/register.
func (e *env) handleExtRegister(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(hdrExtName)
	if name == "" {
		writeAPIError(w, http.StatusForbidden, errExtNameInvalid, "Empty extension name")
		return
	}
	var req struct {
		Events            []string `json:"events"`
		ConfigurationKeys []string `json:"configurationKeys"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err == nil && len(req.ConfigurationKeys) > 0 {
		err = errors.New("configurationKeys are deprecated; use environment variables instead")
	}
	if err != nil {
		writeAPIError(w, http.StatusForbidden, errInvalidRequestFormat, "%s", err.Error())
		return
	}

	e.mu.Lock()
	x := e.extNames[name]
	external := x != nil && x.external
	var invoke, shutdown bool
	for _, ev := range req.Events {
		switch ev {
		case "INVOKE":
			invoke = true
		case "SHUTDOWN":
			if !external {
				e.mu.Unlock()
				writeAPIError(w, http.StatusForbidden, errExtInvalidEvent, "%s: %s", ev, "internal extensions cannot subscribe to SHUTDOWN")
				return
			}
			shutdown = true
		default:
			e.mu.Unlock()
			writeAPIError(w, http.StatusForbidden, errExtInvalidEvent, "%s: %s", ev, "unknown event type")
			return
		}
	}
	switch {
	case external && x.state != extLaunched:
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtInvalidState, stateTransitionExtension, x.state, extRegistered, name)
		return
	case !external && !e.regOpen:
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtRegistrationClosed, "Extension registration closed already")
		return
	case !external && x != nil:
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtInvalidState, "Extension with this name already registered")
		return
	case !external && len(e.extNames) >= maxExtensions:
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtTooMany, "Extension limit (%d) reached", maxExtensions)
		return
	}
	if x == nil {
		x = &extension{name: name, queue: make(chan []byte, 4)}
		e.extNames[name] = x
	}
	x.id = newUUID()
	x.state = extRegistered
	x.invoke, x.shutdown = invoke, shutdown
	e.exts[x.id] = x
	e.mu.Unlock()
	e.send(envEvent{kind: evExtRegistered, ext: x})

	reg := map[string]string{
		"functionName":    e.fn.Name,
		"functionVersion": e.fn.version(),
		"handler":         e.fn.Handler,
	}
	if strings.Contains(r.Header.Get(hdrExtAcceptFeature), "accountId") {
		reg["accountId"] = e.fn.AccountID
	}
	out, _ := json.Marshal(reg)
	w.Header()[hdrExtID] = []string{x.id}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// extensionFor resolves the Lambda-Extension-Identifier header, answering the API's error
// when it is missing, malformed or unknown.
func (e *env) extensionFor(w http.ResponseWriter, r *http.Request) *extension {
	id := r.Header.Get(hdrExtID)
	switch {
	case id == "":
		writeAPIError(w, http.StatusForbidden, errExtIDMissing, "Missing %s header", hdrExtID)
		return nil
	case !isUUID(id):
		writeAPIError(w, http.StatusForbidden, errExtIDInvalid, "Invalid %s", hdrExtID)
		return nil
	}
	e.mu.Lock()
	x := e.exts[id]
	e.mu.Unlock()
	if x == nil {
		writeAPIError(w, http.StatusForbidden, errExtIDUnknown, "Unknown extension %s", id)
		return nil
	}
	return x
}

// handleExtNext serves GET /extension/event/next.
func (e *env) handleExtNext(w http.ResponseWriter, r *http.Request) {
	x := e.extensionFor(w, r)
	if x == nil {
		return
	}
	e.mu.Lock()
	if x.waiting || x.state == extExited {
		state := x.state
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtInvalidState, stateTransitionExtension, state, extReady, x.id)
		return
	}
	prev := x.state
	x.state = extReady
	x.waiting = true
	e.mu.Unlock()
	if prev == extRegistered || prev == extRunning {
		e.send(envEvent{kind: evExtNext, ext: x})
	}

	var ev []byte
	select {
	case ev = <-x.queue:
	case <-r.Context().Done():
		e.mu.Lock()
		x.waiting = false
		e.mu.Unlock()
		return
	case <-e.gone:
		return
	}
	e.mu.Lock()
	x.state = extRunning
	x.waiting = false
	e.mu.Unlock()
	w.Header()[hdrExtEventID] = []string{newUUID()}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ev)
}

// handleExtError serves POST /extension/init/error and /extension/exit/error.
func (e *env) handleExtError(w http.ResponseWriter, r *http.Request, exit bool) {
	x := e.extensionFor(w, r)
	if x == nil {
		return
	}
	errType := r.Header.Get(hdrExtErrorType)
	if errType == "" {
		writeAPIError(w, http.StatusForbidden, errExtMissingHeader, "%s not found", hdrExtErrorType)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	e.mu.Lock()
	if (!exit && x.state != extRegistered) || x.state == extExited {
		state := x.state
		e.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errExtInvalidState, stateTransitionExtension, state, "InitError", x.id)
		return
	}
	wasRunning := x.state == extRunning
	x.state = extExited
	e.extErr = errType
	e.mu.Unlock()
	kind := evExtInitError
	if exit {
		kind = evExtExit
		if !wasRunning {
			// Only an extension holding an INVOKE event counts towards the invoke phase.
			x2 := *x
			x2.invoke = false
			e.send(envEvent{kind: kind, ext: &x2})
			writeAccepted(w)
			return
		}
	}
	e.send(envEvent{kind: kind, ext: x})
	writeAccepted(w)
}

// renderInvokeEvent renders the INVOKE event extensions receive.
func renderInvokeEvent(inv *invocation) []byte {
	b, _ := json.Marshal(struct {
		EventType          string `json:"eventType"`
		DeadlineMs         int64  `json:"deadlineMs"`
		RequestID          string `json:"requestId"`
		InvokedFunctionArn string `json:"invokedFunctionArn"`
		Tracing            struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"tracing"`
	}{
		EventType:          "INVOKE",
		DeadlineMs:         inv.deadlineMs,
		RequestID:          inv.id,
		InvokedFunctionArn: inv.arn,
		Tracing: struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}{"X-Amzn-Trace-Id", inv.traceID},
	})
	return b
}

// renderShutdownEvent renders the SHUTDOWN event.
func renderShutdownEvent(reason string, deadline time.Time) []byte {
	b, _ := json.Marshal(struct {
		EventType      string `json:"eventType"`
		ShutdownReason string `json:"shutdownReason"`
		DeadlineMs     int64  `json:"deadlineMs"`
	}{"SHUTDOWN", reason, deadline.UnixMilli()})
	return b
}

// streamSink carries a streamed response from the Runtime API handler to the caller.
type streamSink struct {
	pr *io.PipeReader
	pw *io.PipeWriter

	once        sync.Once
	start       chan struct{}
	contentType string
}

func newStreamSink() *streamSink {
	pr, pw := io.Pipe()
	return &streamSink{pr: pr, pw: pw, start: make(chan struct{})}
}

// started records the stream's content type and lets the caller read.
func (s *streamSink) started(contentType string) {
	s.once.Do(func() {
		s.contentType = contentType
		close(s.start)
	})
}

// copyFrom forwards the runtime's body to the caller, stopping at limit bytes. When the
// caller stops reading, the rest is drained so the runtime can finish.
func (s *streamSink) copyFrom(body io.Reader, limit int64) (tooLarge bool, err error) {
	buf := make([]byte, 32*1024)
	callerGone := false
	var n int64
	for {
		m, rerr := body.Read(buf)
		if m > 0 {
			if n+int64(m) > limit {
				m = int(limit - n)
				tooLarge = true
			}
			if !callerGone && m > 0 {
				if _, werr := s.pw.Write(buf[:m]); werr != nil {
					callerGone = true
				}
			}
			n += int64(m)
			if tooLarge {
				_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<20))
				s.pw.Close()
				return true, nil
			}
		}
		if rerr == io.EOF {
			s.pw.Close()
			return false, nil
		}
		if rerr != nil {
			s.pw.Close()
			return false, rerr
		}
	}
}

func (s *streamSink) wasStarted() bool {
	select {
	case <-s.start:
		return true
	default:
		return false
	}
}

// abort ends the caller's stream; the invocation's result tells why.
func (s *streamSink) abort() {
	s.started("")
	s.pw.Close()
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// newTraceID returns an X-Ray trace header with a new root.
func newTraceID(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0",
		now.Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:20]))
}
