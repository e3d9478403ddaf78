package edge

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/overcast/overcast/internal/protocol"

	"github.com/overcast/overcast/internal/awsid"
)

// service is one served API with the lookup tables built for it at New.
type service struct {
	info    *protocol.ServiceInfo
	api     any
	ops     map[string]*operation
	router  func() *protocol.Router // built on first use: most services are never called
	fam     authFamily
	maxBody int64
	// query is true when the service accepts awsQuery requests (its model lists the
	// protocol, or it is awsQueryCompatible: SQS still answers query clients).
	query bool
	// cbor is true when the service accepts rpcv2Cbor.
	cbor bool
	// rest is true for restJson1 and restXml services.
	rest bool
	// s3 is true for the S3 API itself, whose buckets may be named by the Host.
	s3 bool
	// unknown meters the requests that reach the service but name none of its operations.
	unknown *meter
	// placeholder is true for the stand-ins that answer requests no service claims.
	placeholder bool
}

// operation is one operation of a served API.
type operation struct {
	svc   *service
	op    *protocol.Operation
	meter *meter
}

// route is the outcome of identifying a request.
type route struct {
	svc *service
	// op is nil when the request names no operation of svc (then err says so).
	op    *operation
	proto string
	// labels are the URI labels of rest operations.
	labels map[string]string
	// err is why the request cannot be served, answered in svc's protocol.
	err *protocol.Error
	// needAction is true for a form-encoded POST whose Action is in the body, which is
	// read only after the headers have chosen a body limit.
	needAction bool
	// cands are the services the signature or Host named, kept for needAction.
	cands []*service
	// host is the parsed Host, when identification needed it.
	host hostInfo
}

func (rt *route) meter() *meter {
	if rt.op != nil {
		return rt.op.meter
	}
	return rt.svc.unknown
}

// identify finds service, operation and protocol of r from its headers, path and query,
// the way AWS front ends do. A form-encoded POST is left with needAction set, for
// identifyQuery once the body is read.
func (e *Edge) identify(r *http.Request, sig *signature) route {
	if p := r.Header["Smithy-Protocol"]; len(p) > 0 {
		return e.identifyCBOR(r, p[0])
	}
	if t := headerValue(r.Header, "X-Amz-Target"); t != "" {
		return e.identifyTarget(r, t)
	}
	var rt route
	rt.cands, rt.host = e.candidates(r, sig)
	if isQueryShaped(r) && (len(rt.cands) == 0 || anyQuery(rt.cands)) {
		if r.Method == http.MethodPost && r.ContentLength != 0 {
			rt.needAction = true
			rt.proto = protocol.Query
			rt.svc = e.queryHolder(rt.cands)
			return rt
		}
		action, _ := formValue(r.URL.RawQuery, "Action")
		e.identifyQuery(&rt, r, action)
		return rt
	}
	e.identifyRest(r, &rt)
	return rt
}

// candidates returns the services the request names by its signing scope or, failing
// that, by the endpoint prefix of its Host.
func (e *Edge) candidates(r *http.Request, sig *signature) ([]*service, hostInfo) {
	if sig.service != "" {
		if c := e.bySigning[sig.service]; len(c) > 0 {
			return c, hostInfo{}
		}
	}
	h := parseHost(r.Host, e.prefixes)
	if h.prefix != "" {
		return e.byEndpoint[h.prefix], h
	}
	return nil, h
}

func anyQuery(ss []*service) bool {
	for _, s := range ss {
		if s.query {
			return true
		}
	}
	return false
}

// isQueryShaped reports whether r looks like an awsQuery request: a form-encoded POST,
// or a GET or POST carrying an Action parameter in its URL.
func isQueryShaped(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return false
	}
	if r.Method == http.MethodPost {
		const form = "application/x-www-form-urlencoded"
		ct := headerValue(r.Header, "Content-Type")
		if len(ct) >= len(form) && strings.EqualFold(ct[:len(form)], form) {
			return true
		}
	}
	// Presigned query calls carry their parameters in the URL.
	return strings.HasPrefix(r.URL.RawQuery, "Action=") || strings.Contains(r.URL.RawQuery, "&Action=")
}

// identifyCBOR routes an rpcv2Cbor request by its path,
// {prefix?}/service/{serviceName}/operation/{operationName}.
func (e *Edge) identifyCBOR(r *http.Request, header string) route {
	rt := route{proto: protocol.CBOR, svc: e.fallback[protocol.CBOR]}
	if header != "rpc-v2-cbor" {
		rt.err = protocol.SerializationException("Unsupported smithy-protocol " + header + ".")
		return rt
	}
	p := r.URL.Path
	i := strings.LastIndex(p, "/service/")
	if i < 0 {
		rt.err = notFound(protocol.CBOR, "An rpc-v2-cbor request must be posted to /service/{serviceName}/operation/{operationName}.")
		return rt
	}
	name, opName, ok := strings.Cut(p[i+len("/service/"):], "/operation/")
	if !ok || strings.IndexByte(opName, '/') >= 0 {
		rt.err = notFound(protocol.CBOR, "An rpc-v2-cbor request must be posted to /service/{serviceName}/operation/{operationName}.")
		return rt
	}
	// Servers accept the absolute shape id with '#' written as '.'.
	if j := strings.LastIndexByte(name, '.'); j >= 0 {
		name = name[j+1:]
	}
	s := e.byCBOR[name]
	if s == nil {
		rt.err = notFound(protocol.CBOR, "No service named "+name+" is served here.")
		return rt
	}
	rt.svc = s
	if headerValue(r.Header, "X-Amz-Target") != "" || headerValue(r.Header, "X-Amzn-Target") != "" {
		// The rpcv2Cbor specification requires servers to reject these for security.
		rt.err = protocol.SerializationException("An rpc-v2-cbor request must not carry an X-Amz-Target header.")
		return rt
	}
	if rt.op = s.ops[opName]; rt.op == nil {
		rt.err = unknownOperation(s, opName)
	}
	return rt
}

// identifyTarget routes an awsJson request ("X-Amz-Target: AmazonSQS.SendMessage"). A
// service that also speaks rpcv2Cbor gets CBOR when the body is CBOR.
func (e *Edge) identifyTarget(r *http.Request, target string) route {
	rt := route{proto: protocol.JSON, svc: e.fallback[protocol.JSON]}
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		rt.err = notFound(protocol.JSON, "X-Amz-Target "+target+" does not name an operation.")
		return rt
	}
	s := e.byTarget[target[:i]]
	if s == nil {
		rt.err = notFound(protocol.JSON, "No service with target prefix "+target[:i]+" is served here.")
		return rt
	}
	rt.svc = s
	if s.cbor && strings.HasPrefix(headerValue(r.Header, "Content-Type"), "application/cbor") {
		rt.proto = protocol.CBOR
	}
	if rt.op = s.ops[target[i+1:]]; rt.op == nil {
		rt.err = unknownOperation(s, target[i+1:])
	}
	return rt
}

// queryHolder returns the service whose codec answers a query request before its Action
// is known (a body that is too large).
func (e *Edge) queryHolder(cands []*service) *service {
	for _, s := range cands {
		if s.query {
			return s
		}
	}
	return e.fallback[protocol.Query]
}

// identifyQuery routes an awsQuery request by its Action: among the services the
// signature or Host named; else SQS for a POST to a queue URL (/<account>/<queue>); else
// the one service that has the action.
func (e *Edge) identifyQuery(rt *route, r *http.Request, action string) {
	rt.needAction = false
	rt.proto = protocol.Query
	if len(rt.cands) > 0 {
		var first *service
		for _, s := range rt.cands {
			if !s.query {
				continue
			}
			if first == nil {
				first = s
			}
			if op := s.ops[action]; op != nil {
				rt.svc, rt.op = s, op
				return
			}
		}
		rt.svc = first
		rt.err = invalidAction(action)
		return
	}
	if e.sqs != nil && isQueueURLPath(r.URL.Path) {
		rt.svc = e.sqs
		if rt.op = e.sqs.ops[action]; rt.op == nil {
			rt.err = invalidAction(action)
		}
		return
	}
	if ss := e.byAction[action]; len(ss) > 0 {
		rt.svc, rt.op = ss[0], ss[0].ops[action]
		return
	}
	rt.svc = e.fallback[protocol.Query]
	rt.err = invalidAction(action)
}

// isQueueURLPath reports whether p is an SQS queue URL path, /<12-digit account>/<name>.
func isQueueURLPath(p string) bool {
	if len(p) < 15 || p[0] != '/' || p[13] != '/' {
		return false
	}
	return awsid.IsAccount(p[1:13]) && strings.IndexByte(p[14:], '/') < 0
}

// identifyRest routes a restJson1 or restXml request by method and path, among the
// services the signature or Host named, else among all rest services with S3 last (its
// /{Bucket}/{Key+} matches nearly any path).
func (e *Edge) identifyRest(r *http.Request, rt *route) {
	cands := rt.cands
	if len(cands) == 0 {
		cands = e.restOrder
	}
	for _, s := range cands {
		if !s.rest {
			continue
		}
		req := r
		if s.s3 {
			req = e.s3PathStyle(r, rt)
		}
		op, labels, ok := s.router().MatchRequest(req)
		if !ok {
			continue
		}
		rt.svc, rt.proto, rt.labels = s, s.info.Protocol, labels
		if rt.op = e.byOp[op]; rt.op == nil {
			rt.err = unknownOperation(s, op.Name)
		}
		return
	}
	if len(rt.cands) > 0 {
		s := rt.cands[0]
		rt.svc, rt.proto = s, s.info.Protocol
		rt.err = noRoute(s, r)
		return
	}
	rt.proto = protocol.RestJSON
	if strings.Contains(headerValue(r.Header, "Content-Type"), "xml") {
		rt.proto = protocol.RestXML
	}
	rt.svc = e.fallback[rt.proto]
	rt.err = notFound(rt.proto, "No service operation matches "+r.Method+" "+r.URL.Path+".")
}

// s3PathStyle returns r as a path-style S3 request: a virtual-hosted request
// ("photos.s3.localhost/cat.jpg") names its bucket in the Host, and the model's routes
// start with the bucket. r itself is returned when the Host names no bucket.
func (e *Edge) s3PathStyle(r *http.Request, rt *route) *http.Request {
	if rt.host == (hostInfo{}) {
		rt.host = parseHost(r.Host, e.prefixes)
	}
	h := rt.host
	if h.sub == "" || (h.prefix != "" && h.prefix != "s3") {
		return r
	}
	u := *r.URL
	if u.Path == "/" || u.Path == "" {
		u.Path, u.RawPath = "/"+h.sub, ""
	} else {
		u.Path, u.RawPath = "/"+h.sub+r.URL.Path, "/"+h.sub+r.URL.EscapedPath()
	}
	r2 := *r
	r2.URL = &u
	return &r2
}

// formValue returns the first value of key in an application/x-www-form-urlencoded
// string, without parsing the rest.
func formValue(s, key string) (string, bool) {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
		}
		return v, true
	}
	return "", false
}

// Errors of identification.

func unknownOperation(s *service, name string) *protocol.Error {
	return protocol.UnknownOperation("Operation " + name + " is not defined by " + s.info.FullName + ".")
}

func noRoute(s *service, r *http.Request) *protocol.Error {
	if s.info.Protocol == protocol.Query {
		return missingAction()
	}
	e := protocol.UnknownOperation("No operation of " + s.info.FullName + " matches " + r.Method + " " + r.URL.Path + ".")
	if s.rest {
		e.Status = http.StatusNotFound
	}
	return e
}

func notFound(proto, msg string) *protocol.Error {
	e := protocol.UnknownOperation(msg)
	if proto == protocol.RestJSON || proto == protocol.RestXML {
		e.Status = http.StatusNotFound
	}
	return e
}

func invalidAction(action string) *protocol.Error {
	if action == "" {
		return missingAction()
	}
	return protocol.InvalidAction(action)
}

func missingAction() *protocol.Error {
	return protocol.NewError("MissingAction", http.StatusBadRequest, "The request must contain the parameter Action.")
}
