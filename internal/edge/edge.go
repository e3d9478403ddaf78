package edge

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"

	"github.com/overcast/overcast/internal/awsid"
)

// Service is one API the edge serves.
type Service struct {
	// Info is the generated description of the API (the Info variable of the service
	// package).
	Info *protocol.ServiceInfo
	// API implements the service package's generated API interface. Nil answers every
	// operation with NotImplemented.
	API any
	// MaxBodyBytes bounds request bodies of this service. Zero means the built-in limit
	// for the service if it has one (Lambda accepts 50 MB zipped code inline, S3 5 GiB
	// objects in one PUT), else Config.MaxBodyBytes.
	MaxBodyBytes int64
}

// Config configures an Edge.
type Config struct {
	// Services are the APIs served. The first of several services that could claim an
	// ambiguous request (an unsigned query Action two services define) wins.
	Services []Service
	// DefaultAccount is the account of requests whose access key names none.
	// Default "000000000000".
	DefaultAccount string
	// DefaultRegion is the region of requests whose signature and Host name none.
	// Default "us-east-1".
	DefaultRegion string
	// Auth is AuthOff (default) or AuthSigV4.
	Auth string
	// Credentials maps access key ids to their secret and account. In AuthOff mode only
	// the accounts are used.
	Credentials map[string]Credential
	// CredentialFunc, when set, is asked for access keys missing from Credentials
	// (temporary credentials issued by STS). It runs on every request signed with such a
	// key and must be cheap.
	CredentialFunc func(accessKeyID string) (Credential, bool)
	// Clock tells the time signatures are checked against and temporary credentials
	// expire by. Default: the real clock.
	Clock clock.Clock
	// SignatureClock, when set, is the time signatures are checked against instead of
	// Clock (request time skew, presigned URL expiry). The server sets the wall clock:
	// clients sign with their own time, wherever a virtual Clock has been moved to.
	SignatureClock clock.Clock
	// Logger receives internal failures and panics. Default: slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies of services without a limit of their own.
	// Default 16 MiB: above every JSON and query API's own limit (SQS and EventBridge
	// 1 MiB, Lambda invocations 6 MB, Kinesis PutRecords 10 MiB), so those answer their own
	// modeled errors.
	MaxBodyBytes int64
	// Extra serves the /_overcast/ paths other than health and metrics (reset, clock).
	// Nil answers them 404.
	Extra http.Handler
	// IdleRelease is how long after the last request the edge returns unused memory to
	// the operating system (a garbage collection and a release of the free heap), once per
	// idle period, and runs OnIdle. Zero means DefaultIdleRelease; negative never.
	IdleRelease time.Duration
	// OnIdle, when set, runs once per idle period too, before the release.
	OnIdle func()
	// HostHandlers serve the documented local hostnames of non-AWS endpoints, by label:
	// a request whose Host is <sub>.<label>[.<region>].localhost (or .on.aws) goes to
	// HostHandlers[label] whatever its path ("lambda-url": function URLs).
	HostHandlers map[string]http.Handler
}

// DefaultMaxBodyBytes is the default of Config.MaxBodyBytes.
const DefaultMaxBodyBytes = 16 << 20

// serviceBodyLimits are the built-in limits of services whose requests are larger than
// DefaultMaxBodyBytes.
var serviceBodyLimits = map[string]int64{
	// CreateFunction and UpdateFunctionCode take up to 50 MB of zipped code, base64 in JSON.
	"lambda": 80 << 20,
	// PutObject and UploadPart take up to 5 GiB.
	"s3": 5 << 30,
}

// Edge is Overcast's front door: an http.Handler that identifies the AWS service and
// operation of each request, authenticates it, and runs it through the service's codec
// and implementation. Its tables are built once by New; it is safe for concurrent use.
type Edge struct {
	cfg    Config
	clock  clock.Clock
	logger *slog.Logger
	sigv4  bool

	services   []*service
	byTarget   map[string]*service
	byCBOR     map[string]*service
	bySigning  map[string][]*service
	byEndpoint map[string][]*service
	byAction   map[string][]*service
	byOp       map[*protocol.Operation]*operation
	prefixes   map[string]bool
	restOrder  []*service
	sqs        *service
	// fallback answers requests no service claims, one stand-in per protocol.
	fallback map[string]*service

	codecs   map[string]protocol.Codec
	idle     *idler
	meters   []*meter
	health   []byte
	verifier verifier
}

var _ http.Handler = (*Edge)(nil)

// New builds an Edge for cfg. It panics if two services share an X-Amz-Target prefix or
// a service's protocol has no codec, which are programming errors.
func New(cfg Config) *Edge {
	if cfg.DefaultAccount == "" {
		cfg.DefaultAccount = "000000000000"
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "us-east-1"
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.SignatureClock == nil {
		cfg.SignatureClock = cfg.Clock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	e := &Edge{
		cfg:        cfg,
		clock:      cfg.Clock,
		logger:     cfg.Logger,
		sigv4:      cfg.Auth == AuthSigV4,
		byTarget:   make(map[string]*service),
		byCBOR:     make(map[string]*service),
		bySigning:  make(map[string][]*service),
		byEndpoint: make(map[string][]*service),
		byAction:   make(map[string][]*service),
		byOp:       make(map[*protocol.Operation]*operation),
		prefixes:   make(map[string]bool),
		fallback:   make(map[string]*service),
		codecs:     make(map[string]protocol.Codec),
	}
	for _, p := range []string{protocol.JSON, protocol.Query, protocol.RestJSON, protocol.RestXML, protocol.CBOR} {
		e.codecs[p] = protocol.CodecFor(p)
		e.fallback[p] = e.placeholder(p)
	}
	var s3 *service
	for _, sc := range cfg.Services {
		s := e.addService(sc)
		switch {
		case s.s3:
			s3 = s
		case s.rest:
			e.restOrder = append(e.restOrder, s)
		}
	}
	if s3 != nil {
		e.restOrder = append(e.restOrder, s3)
	}
	e.buildMeters()
	e.health = e.buildHealth()
	e.idle = newIdler(cfg.IdleRelease, func() {
		if cfg.OnIdle != nil {
			cfg.OnIdle()
		}
		releaseMemory()
	})
	return e
}

// placeholder is the stand-in service that answers unroutable requests in protocol p.
func (e *Edge) placeholder(p string) *service {
	info := &protocol.ServiceInfo{
		Package:     "unknown",
		ModelName:   "unknown",
		FullName:    "Overcast",
		Protocol:    p,
		Protocols:   []string{p},
		JSONVersion: "1.0",
	}
	s := &service{info: info, ops: map[string]*operation{}, placeholder: true, maxBody: e.cfg.MaxBodyBytes}
	s.unknown = &meter{service: "unknown", operation: "unknown"}
	return s
}

func (e *Edge) addService(sc Service) *service {
	info := sc.Info
	s := &service{
		info:    info,
		api:     sc.API,
		ops:     make(map[string]*operation, len(info.Operations)),
		fam:     familyOf(info),
		maxBody: sc.MaxBodyBytes,
		query:   info.Speaks(protocol.Query) || info.QueryCompatible,
		cbor:    info.Speaks(protocol.CBOR),
		rest:    info.Protocol == protocol.RestJSON || info.Protocol == protocol.RestXML,
		unknown: &meter{service: info.Package, operation: "unknown"},
	}
	s.s3 = s.rest && info.Protocol == protocol.RestXML && info.EndpointPrefix == "s3"
	if s.maxBody <= 0 {
		s.maxBody = serviceBodyLimits[info.Package]
	}
	if s.maxBody <= 0 {
		s.maxBody = e.cfg.MaxBodyBytes
	}
	for _, p := range info.Protocols {
		if e.codecs[p] == nil {
			panic(fmt.Sprintf("edge: service %s speaks %s, which has no codec", info.Package, p))
		}
	}
	for _, op := range info.Operations {
		o := &operation{svc: s, op: op, meter: &meter{service: info.Package, operation: op.Name}}
		s.ops[op.Name] = o
		e.byOp[op] = o
		if s.query {
			e.byAction[op.Name] = append(e.byAction[op.Name], s)
		}
	}
	if s.rest {
		s.router = sync.OnceValue(func() *protocol.Router { return protocol.NewRouter(info) })
	}
	if info.TargetPrefix != "" {
		if prev := e.byTarget[info.TargetPrefix]; prev != nil {
			panic(fmt.Sprintf("edge: services %s and %s share target prefix %s", prev.info.Package, info.Package, info.TargetPrefix))
		}
		e.byTarget[info.TargetPrefix] = s
		if s.cbor {
			// botocore and the SDKs put the target prefix (the Smithy service shape name)
			// in the rpcv2Cbor path.
			e.byCBOR[info.TargetPrefix] = s
		}
	}
	if info.SigningName != "" {
		e.bySigning[info.SigningName] = append(e.bySigning[info.SigningName], s)
	}
	if info.EndpointPrefix != "" {
		e.byEndpoint[info.EndpointPrefix] = append(e.byEndpoint[info.EndpointPrefix], s)
		e.prefixes[info.EndpointPrefix] = true
	}
	if info.EndpointPrefix == "sqs" && s.query {
		e.sqs = s
	}
	e.services = append(e.services, s)
	return s
}

// buildMeters lists every meter in a stable order (service, then operation), for the
// metrics exposition.
func (e *Edge) buildMeters() {
	ss := append([]*service(nil), e.services...)
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].info.Package < ss[j].info.Package })
	for _, s := range ss {
		for _, op := range s.info.Operations {
			e.meters = append(e.meters, s.ops[op.Name].meter)
		}
		e.meters = append(e.meters, s.unknown)
	}
	// The stand-ins share one meter: requests that reached no service.
	shared := &meter{service: "unknown", operation: "unknown"}
	for _, f := range e.fallback {
		f.unknown = shared
	}
	e.meters = append(e.meters, shared)
}

func (e *Edge) buildHealth() []byte {
	services := make(map[string]string, len(e.services))
	for _, s := range e.services {
		state := "running"
		if s.api == nil {
			state = "unimplemented"
		}
		services[s.info.Package] = state
	}
	b, _ := json.Marshal(struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
	}{"ok", services})
	return append(b, '\n')
}

// exchange is the per-request state, allocated once per request.
type exchange struct {
	req  protocol.Request
	call protocol.Call
	w    statusWriter
	rt   route
}

// ServeHTTP serves one request: a local hostname of HostHandlers, /_overcast/ routes,
// or an AWS API call.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.idle.touch()
	if h := e.hostHandler(r.Host); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_overcast/") {
		e.serveAdmin(w, r)
		return
	}
	start := time.Now()
	x := &exchange{w: statusWriter{ResponseWriter: w, status: http.StatusOK}}
	x.req.HTTP = r
	x.req.RequestID = newRequestID()
	x.call.RequestID = x.req.RequestID
	defer e.finish(x, start)
	e.serve(x)
}

func (e *Edge) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_overcast/health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(e.health)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(e.health)
		}
	case "/_overcast/metrics":
		e.serveMetrics(w, r)
	default:
		if e.cfg.Extra == nil {
			http.NotFound(w, r)
			return
		}
		e.cfg.Extra.ServeHTTP(w, r)
	}
}

func (e *Edge) serve(x *exchange) {
	r := x.req.HTTP
	sig := parseSignature(r)
	x.rt = e.identify(r, &sig)
	rt := &x.rt

	if r.Method == http.MethodOptions && !rt.svc.s3 && headerValue(r.Header, "Access-Control-Request-Method") != "" {
		// A browser's preflight names no operation, and an unsigned one no service either:
		// on Overcast's port only S3 answers them (function URLs have hosts of their own).
		if svc := e.s3Service(); svc != nil {
			rt.svc, rt.err = svc, nil
		}
	}
	if rt.svc.s3 && e.cors(x, &sig) {
		return
	}
	body, berr := readBody(r, rt.svc.maxBody, rt.svc.fam)
	// plain is the body the service decodes: the SDKs gzip some requests (CloudWatch's
	// PutMetricData) after serializing and before signing, so the signature covers body
	// and the codec reads plain. S3's Content-Encoding describes the object instead.
	plain, unzipped := body, false
	if berr == nil && rt.svc.fam != familyS3 && gzipped(r) {
		plain, berr = gunzip(body, rt.svc.maxBody, rt.svc.fam)
		unzipped = true
	}
	if berr == nil && rt.needAction {
		action, ok := formValue(string(plain), "Action")
		if !ok {
			action, _ = formValue(r.URL.RawQuery, "Action")
		}
		e.identifyQuery(rt, r, action)
	}
	x.req.Service = rt.svc.info
	x.req.Protocol = rt.proto
	x.req.Labels = rt.labels
	x.req.Body = body
	if rt.op != nil {
		x.req.Op = rt.op.op
	}
	e.fillCall(x, &sig)
	if berr != nil {
		e.fail(x, berr)
		return
	}
	if rt.err != nil {
		e.fail(x, rt.err)
		return
	}
	svc, op := rt.svc, rt.op.op
	if e.sigv4 {
		if aerr := e.authenticate(x, &sig); aerr != nil {
			e.fail(x, aerr)
			return
		}
	}
	if unzipped {
		x.req.Body = plain
		r.ContentLength = int64(len(plain))
	}
	if isAWSChunked(r) {
		decoded, derr := decodeAWSChunked(x.req.Body, r.Header)
		if derr != nil {
			e.fail(x, derr)
			return
		}
		x.req.Body = decoded
		r.ContentLength = int64(len(decoded))
	}

	codec := e.codecs[rt.proto]
	in := op.NewInput()
	if err := codec.Decode(&x.req, in); err != nil {
		e.fail(x, protocol.AsError(err))
		return
	}
	if svc.info.PrepareFunc != nil {
		svc.info.PrepareFunc(&x.call, op, in)
	}
	if verr := protocol.Validate(svc.info, op, in); verr != nil {
		e.fail(x, verr)
		return
	}
	if svc.api == nil {
		e.fail(x, protocol.NotImplemented(svc.info.Package, op.Name))
		return
	}
	out, err := op.Call(protocol.WithCall(r.Context(), &x.call), svc.api, in)
	if err != nil {
		e.fail(x, protocol.AsError(err))
		return
	}
	codec.EncodeOutput(&x.w, &x.req, out)
}

// fillCall sets who is calling, from where, and how the client reached us.
func (e *Edge) fillCall(x *exchange, sig *signature) {
	r := x.req.HTTP
	c := &x.call
	c.AccessKey = sig.accessKey
	c.Account = e.accountOf(sig.accessKey)
	switch {
	case sig.region != "":
		c.Region = sig.region
	case x.rt.host.region != "":
		c.Region = x.rt.host.region
	default:
		c.Region = e.cfg.DefaultRegion
	}
	c.Scheme = "http"
	if r.TLS != nil {
		c.Scheme = "https"
	}
	if p := strings.TrimSpace(firstItem(headerValue(r.Header, "X-Forwarded-Proto"))); p == "http" || p == "https" {
		c.Scheme = p
	}
	c.Host = r.Host
	if h := headerValue(r.Header, "X-Forwarded-Host"); h != "" {
		c.Host = strings.TrimSpace(firstItem(h))
	}
	c.Path = r.URL.Path
	c.Protocol = x.req.Protocol
}

func firstItem(s string) string {
	if i := strings.IndexByte(s, ','); i >= 0 {
		return s[:i]
	}
	return s
}

// accountOf maps an access key to its account: a 12-digit key is that account, a known
// key has its account, anything else is the default account.
func (e *Edge) accountOf(akid string) string {
	if akid == "" {
		return e.cfg.DefaultAccount
	}
	if awsid.IsAccount(akid) {
		return akid
	}
	if c, ok := e.credential(akid); ok && c.Account != "" {
		return c.Account
	}
	return e.cfg.DefaultAccount
}

func (e *Edge) credential(akid string) (Credential, bool) {
	if c, ok := e.cfg.Credentials[akid]; ok {
		return c, true
	}
	if e.cfg.CredentialFunc != nil {
		return e.cfg.CredentialFunc(akid)
	}
	return Credential{}, false
}

// authenticate verifies the request's signature in sigv4 mode.
func (e *Edge) authenticate(x *exchange, sig *signature) *protocol.Error {
	svc, op := x.rt.svc, x.rt.op.op
	fam := svc.fam
	if !sig.present {
		if op.NoAuth {
			return nil
		}
		return authError(fam, &authFailure{kind: authMissing}, sig)
	}
	if sig.problem != "" {
		return authError(fam, &authFailure{kind: authMalformed, msg: sig.problem}, sig)
	}
	if sn := svc.info.SigningName; sn != "" && sig.service != sn {
		return authError(fam, &authFailure{kind: authMalformed, msg: "Credential should be scoped to correct service: '" + sn + "'. "}, sig)
	}
	cred, ok := e.credential(sig.accessKey)
	if !ok || (cred.SessionToken != "" && cred.SessionToken != sig.token) {
		return authError(fam, &authFailure{kind: authUnknownKey}, sig)
	}
	f := e.verifier.verify(&verifyInput{
		r:      x.req.HTTP,
		sig:    sig,
		body:   x.req.Body,
		secret: cred.Secret,
		now:    e.cfg.SignatureClock.Now(),
		s3:     sig.service == "s3",
	})
	if f == nil && isAWSChunked(x.req.HTTP) && strings.HasPrefix(headerValue(x.req.HTTP.Header, "X-Amz-Content-Sha256"), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
		f = e.verifier.verifyChunks(x.req.Body, sig, cred.Secret)
	}
	if f != nil {
		return authError(fam, f, sig)
	}
	if !cred.Expires.IsZero() && !e.clock.Now().Before(cred.Expires) {
		return authError(fam, &authFailure{kind: authExpiredToken}, sig)
	}
	return nil
}

// fail answers e in the request's protocol; an internal failure's cause is logged once,
// under the request id the client sees.
func (e *Edge) fail(x *exchange, perr *protocol.Error) {
	if perr.Fault == protocol.FaultReceiver && perr.Cause != nil {
		if errors.Is(perr.Cause, context.Canceled) && x.req.HTTP.Context().Err() != nil {
			// The client went away mid-call; nobody reads the answer and nothing failed.
			e.logger.Debug("client disconnected",
				"request_id", x.req.RequestID,
				"service", x.req.Service.Package,
				"operation", opName(x.req.Op))
			e.codecs[x.req.Protocol].EncodeError(&x.w, &x.req, perr)
			return
		}
		e.logger.Error("internal failure",
			"request_id", x.req.RequestID,
			"service", x.req.Service.Package,
			"operation", opName(x.req.Op),
			"err", perr.Cause)
	}
	e.codecs[x.req.Protocol].EncodeError(&x.w, &x.req, perr)
}

func opName(op *protocol.Operation) string {
	if op == nil {
		return ""
	}
	return op.Name
}

// finish records the request in the metrics and turns a panic into an InternalFailure
// (or, when the response has begun, an aborted connection).
func (e *Edge) finish(x *exchange, start time.Time) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			e.observe(x, start)
			panic(p)
		}
		e.logger.Error("panic serving request",
			"request_id", x.req.RequestID,
			"service", serviceName(x),
			"operation", opName(x.req.Op),
			"panic", fmt.Sprint(p),
			"stack", string(debug.Stack()))
		if x.w.wrote {
			e.observe(x, start)
			panic(http.ErrAbortHandler)
		}
		x.w.status = http.StatusInternalServerError
		e.answerPanic(x, fmt.Errorf("panic: %v", p))
	}
	e.observe(x, start)
}

// answerPanic answers InternalFailure after a panic, without logging again. Should the
// codec itself panic, a bare 500 goes out.
func (e *Edge) answerPanic(x *exchange, cause error) {
	defer func() {
		if recover() != nil && !x.w.wrote {
			http.Error(&x.w, "InternalFailure", http.StatusInternalServerError)
		}
	}()
	if x.req.Service == nil {
		x.req.Service = e.fallback[protocol.RestJSON].info
		x.req.Protocol = protocol.RestJSON
	}
	e.codecs[x.req.Protocol].EncodeError(&x.w, &x.req, protocol.InternalFailure(cause))
}

func serviceName(x *exchange) string {
	if x.req.Service == nil {
		return ""
	}
	return x.req.Service.Package
}

func (e *Edge) observe(x *exchange, start time.Time) {
	m := e.fallback[protocol.RestJSON].unknown
	if x.rt.svc != nil {
		m = x.rt.meter()
	}
	m.observe(x.w.status, time.Since(start))
}

// CORSResponder is implemented by a service API that answers browsers' CORS itself (S3,
// from each bucket's CORS rules): the edge hands it preflight requests (OPTIONS) and asks
// it for the headers of the other requests that carry an Origin.
type CORSResponder interface {
	CORSPreflight(ctx context.Context, bucket, key, origin, method string, headers []string) (http.Header, error)
	CORSHeaders(ctx context.Context, bucket, origin, method string) http.Header
}

// s3Service returns the S3 API's service, or nil when none is configured.
func (e *Edge) s3Service() *service {
	for _, svc := range e.bySigning["s3"] {
		if svc.s3 {
			return svc
		}
	}
	return nil
}

// cors applies an S3 bucket's CORS rules to x: it answers a preflight (OPTIONS) itself and
// reports true, or adds the allowing headers to the answer of a request with an Origin.
func (e *Edge) cors(x *exchange, sig *signature) bool {
	r := x.req.HTTP
	origin := headerValue(r.Header, "Origin")
	if r.Method != http.MethodOptions && origin == "" {
		return false
	}
	cr, ok := x.rt.svc.api.(CORSResponder)
	if !ok {
		return false
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(e.s3PathStyle(r, &x.rt).URL.Path, "/"), "/")
	if bucket == "" {
		return false
	}
	ctx := r.Context()
	if r.Method != http.MethodOptions {
		for k, v := range cr.CORSHeaders(ctx, bucket, origin, r.Method) {
			x.w.Header()[k] = v
		}
		return false
	}
	var headers []string
	for _, h := range strings.Split(headerValue(r.Header, "Access-Control-Request-Headers"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			headers = append(headers, h)
		}
	}
	h, err := cr.CORSPreflight(ctx, bucket, key, origin, headerValue(r.Header, "Access-Control-Request-Method"), headers)
	if err != nil {
		x.req.Service, x.req.Protocol = x.rt.svc.info, protocol.RestXML
		e.fillCall(x, sig)
		e.fail(x, protocol.AsError(err))
		return true
	}
	for k, v := range h {
		x.w.Header()[k] = v
	}
	x.w.WriteHeader(http.StatusOK)
	return true
}

// readBody reads the whole body, refusing more than limit bytes.
func readBody(r *http.Request, limit int64, fam authFamily) ([]byte, *protocol.Error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, tooLarge(fam, limit)
	}
	if r.ContentLength > 0 {
		b := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, incompleteBody(err)
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, incompleteBody(err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(fam, limit)
	}
	return b, nil
}

// gzipped reports whether the request body is gzip-compressed (Content-Encoding gzip,
// alone or first).
func gzipped(r *http.Request) bool {
	enc := strings.TrimSpace(firstItem(headerValue(r.Header, "Content-Encoding")))
	return strings.EqualFold(enc, "gzip")
}

// gunzip returns the decompressed body, refusing more than limit bytes of it.
func gunzip(body []byte, limit int64, fam authFamily) ([]byte, *protocol.Error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, protocol.NewError("SerializationException", http.StatusBadRequest, "The request body is not valid gzip data.")
	}
	b, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, protocol.NewError("SerializationException", http.StatusBadRequest, "The request body is not valid gzip data.")
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(fam, limit)
	}
	return b, nil
}

func tooLarge(fam authFamily, limit int64) *protocol.Error {
	msg := "Request body must not exceed " + strconv.FormatInt(limit, 10) + " bytes."
	switch fam {
	case familyS3:
		e := protocol.NewError("EntityTooLarge", http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size")
		e.Fields = map[string]any{"MaxSizeAllowed": strconv.FormatInt(limit, 10)}
		return e
	case familyJSON:
		return protocol.NewError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, msg)
	default:
		return protocol.RequestEntityTooLarge(msg)
	}
}

func incompleteBody(err error) *protocol.Error {
	msg := "The request body could not be read."
	if errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "The request body is shorter than its Content-Length."
	}
	return protocol.NewError("IncompleteBody", http.StatusBadRequest, msg)
}

// statusWriter remembers the status of the response for metrics and for the panic
// handler, which can answer only while nothing has been written.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// WriteHeader records the status of the response.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write marks the response as begun.
func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data (event streams).
func (w *statusWriter) Flush() {
	w.wrote = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
