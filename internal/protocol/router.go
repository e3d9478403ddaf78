package protocol

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Router finds the operation of a rest-json or rest-xml service from the method, path
// and query of a request, by the operations' modeled URI templates
// ("/2015-03-31/functions/{FunctionName}/invocations", "/{Bucket}/{Key+}?uploads").
// A Router is immutable and safe for concurrent use.
type Router struct {
	byMethod map[string][]*route
}

type route struct {
	op   *Operation
	tmpl *uriTemplate
	// rank orders the segments of the template: literal 2, label 1, greedy label 0.
	rank []byte
	// reqQuery and reqHeader are query parameters and headers the input requires
	// (tagged required, or reported missing when validating an empty input); an operation whose requirements are not met
	// loses to one whose are (S3 UploadPart against PutObject on the same template).
	reqQuery, reqHeader []string
	// boundQuery and boundHeader are all query parameters and headers the input binds.
	boundQuery, boundHeader []string
}

// uriTemplate is a parsed RequestURI.
type uriTemplate struct {
	segs  []tmplSeg
	query []queryLit
}

type tmplSeg struct {
	lit    string
	label  string
	greedy bool
}

// queryLit is a literal query part of a template: "uploads" must be present,
// "list-type=2" must have that value.
type queryLit struct {
	key, value string
	hasValue   bool
}

// NewRouter builds the router of svc from the RequestURI of its operations.
func NewRouter(svc *ServiceInfo) *Router {
	r := &Router{byMethod: map[string][]*route{}}
	for _, op := range svc.Operations {
		if op.RequestURI == "" {
			continue
		}
		method := op.Method
		if method == "" {
			method = http.MethodPost
		}
		rt := &route{op: op, tmpl: templateOf(op)}
		for _, s := range rt.tmpl.segs {
			switch {
			case s.greedy:
				rt.rank = append(rt.rank, 0)
			case s.label != "":
				rt.rank = append(rt.rank, 1)
			default:
				rt.rank = append(rt.rank, 2)
			}
		}
		rt.bindings()
		r.byMethod[method] = append(r.byMethod[method], rt)
	}
	return r
}

// Match returns the operation whose template fits method, rawPath (the escaped path)
// and query best, with its URI labels unescaped. The most specific template wins: more
// literal segments, then more literal query parameters, then the operation an x-id
// parameter names, then the one whose required query parameters are present. Operations that require headers lose here; use
// MatchRequest to take headers into account.
func (r *Router) Match(method, rawPath string, query url.Values) (op *Operation, labels map[string]string, ok bool) {
	return r.match(method, rawPath, query, nil)
}

// MatchRequest is Match for an HTTP request, also weighing the headers its input binds
// (S3 CopyObject is PutObject's template plus an x-amz-copy-source header).
func (r *Router) MatchRequest(req *http.Request) (op *Operation, labels map[string]string, ok bool) {
	return r.match(req.Method, req.URL.EscapedPath(), req.URL.Query(), req.Header)
}

type candidate struct {
	rt        *route
	labels    map[string]string
	queryLits int
	xid       bool
	satisfied bool
	bound     int
}

func (r *Router) match(method, rawPath string, query url.Values, header http.Header) (*Operation, map[string]string, bool) {
	routes := r.byMethod[method]
	if len(routes) == 0 {
		return nil, nil, false
	}
	segs := splitPath(rawPath)
	var best *candidate
	for _, rt := range routes {
		labels, ok := rt.tmpl.matchPath(segs)
		if !ok {
			continue
		}
		n, ok := rt.tmpl.matchQuery(query)
		if !ok {
			continue
		}
		c := &candidate{rt: rt, labels: labels, queryLits: n, satisfied: true}
		c.xid = query.Get("x-id") == rt.op.Name
		for _, q := range rt.reqQuery {
			if !query.Has(q) {
				c.satisfied = false
			}
		}
		for _, h := range rt.reqHeader {
			if header == nil || header.Get(h) == "" {
				c.satisfied = false
			}
		}
		for _, q := range rt.boundQuery {
			if query.Has(q) {
				c.bound++
			}
		}
		for _, h := range rt.boundHeader {
			if header != nil && header.Get(h) != "" {
				c.bound++
			}
		}
		if best == nil || better(c, best) {
			best = c
		}
	}
	if best == nil {
		return nil, nil, false
	}
	return best.rt.op, best.labels, true
}

// better reports whether a is a more specific match than b.
func better(a, b *candidate) bool {
	if c := slices.Compare(a.rt.rank, b.rt.rank); c != 0 {
		return c > 0
	}
	if a.queryLits != b.queryLits {
		return a.queryLits > b.queryLits
	}
	// SDKs built from Smithy models name the operation in x-id (S3 ?x-id=CopyObject).
	if a.xid != b.xid {
		return a.xid
	}
	if a.satisfied != b.satisfied {
		return a.satisfied
	}
	if a.bound != b.bound {
		return a.bound > b.bound
	}
	an, bn := a.rt.op.Name, b.rt.op.Name
	// AWS supersedes an operation with one whose name extends it on the same template
	// (S3 GetBucketLifecycle → GetBucketLifecycleConfiguration): prefer the newer one.
	if strings.HasPrefix(an, bn) != strings.HasPrefix(bn, an) {
		return strings.HasPrefix(an, bn)
	}
	return an < bn
}

// bindings records which query parameters and headers the operation's input binds,
// and which of them it requires.
func (rt *route) bindings() {
	if rt.op.NewInput == nil {
		return
	}
	in := rt.op.NewInput()
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	si := structOf(v.Type())
	byName := map[string]*fieldInfo{}
	for _, f := range si.fields {
		switch f.loc {
		case locQuery:
			if f.t.kind != kindMap {
				rt.boundQuery = append(rt.boundQuery, f.name)
			}
		case locHeader:
			rt.boundHeader = append(rt.boundHeader, f.name)
		default:
			continue
		}
		byName[f.name] = f
	}
	required := map[string]bool{}
	for _, f := range si.fields {
		if f.required {
			required[f.name] = true
		}
	}
	for _, name := range missingMembers(in) {
		required[name] = true
	}
	for name := range required {
		f := byName[name]
		switch {
		case f == nil:
		case f.loc == locQuery:
			rt.reqQuery = append(rt.reqQuery, name)
		case f.loc == locHeader:
			rt.reqHeader = append(rt.reqHeader, name)
		}
	}
}

// missingMembers returns the wire names of the top-level members the generated
// validator reports missing on an empty input: the required ones.
func missingMembers(in any) (names []string) {
	vin, ok := in.(Validatable)
	if !ok {
		return nil
	}
	defer func() {
		if recover() != nil {
			names = nil
		}
	}()
	var val Validator
	vin.Validate(&val)
	for _, x := range val.Violations() {
		if x.Kind == Missing && !strings.Contains(x.Path, ".") {
			names = append(names, x.Path)
		}
	}
	return names
}

var templates sync.Map // *Operation -> *uriTemplate

// templateOf returns the parsed RequestURI of op.
func templateOf(op *Operation) *uriTemplate {
	if t, ok := templates.Load(op); ok {
		return t.(*uriTemplate)
	}
	t := parseTemplate(op.RequestURI)
	templates.Store(op, t)
	return t
}

func parseTemplate(s string) *uriTemplate {
	t := &uriTemplate{}
	path, rawQuery, _ := strings.Cut(s, "?")
	for _, seg := range splitPath(path) {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			greedy := strings.HasSuffix(name, "+")
			t.segs = append(t.segs, tmplSeg{label: strings.TrimSuffix(name, "+"), greedy: greedy})
			continue
		}
		lit, err := url.PathUnescape(seg)
		if err != nil {
			lit = seg
		}
		t.segs = append(t.segs, tmplSeg{lit: lit})
	}
	if rawQuery != "" {
		for _, part := range strings.Split(rawQuery, "&") {
			if part == "" {
				continue
			}
			k, v, has := strings.Cut(part, "=")
			t.query = append(t.query, queryLit{key: k, value: v, hasValue: has})
		}
	}
	return t
}

// splitPath splits an escaped path into its segments, ignoring the leading slash and
// one trailing slash ("/a/b/" and "/a/b" are the same path; "/" has no segments).
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	if n := len(segs); n > 1 && segs[n-1] == "" {
		segs = segs[:n-1]
	}
	return segs
}

// matchPath matches escaped path segments against the template and returns the
// unescaped labels.
func (t *uriTemplate) matchPath(segs []string) (map[string]string, bool) {
	greedy := -1
	for i, s := range t.segs {
		if s.greedy {
			greedy = i
			break
		}
	}
	if greedy < 0 && len(segs) != len(t.segs) || greedy >= 0 && len(segs) < len(t.segs) {
		return nil, false
	}
	var labels map[string]string
	setLabel := func(name, raw string) bool {
		val, err := url.PathUnescape(raw)
		if err != nil || val == "" {
			return false
		}
		if labels == nil {
			labels = make(map[string]string, 2)
		}
		labels[name] = val
		return true
	}
	one := func(ts tmplSeg, seg string) bool {
		if ts.label != "" {
			return setLabel(ts.label, seg)
		}
		if ts.lit == seg {
			return true
		}
		val, err := url.PathUnescape(seg)
		return err == nil && val == ts.lit
	}
	if greedy < 0 {
		for i, ts := range t.segs {
			if !one(ts, segs[i]) {
				return nil, false
			}
		}
		return labels, true
	}
	after := len(t.segs) - greedy - 1
	for i := 0; i < greedy; i++ {
		if !one(t.segs[i], segs[i]) {
			return nil, false
		}
	}
	for i := 0; i < after; i++ {
		if !one(t.segs[greedy+1+i], segs[len(segs)-after+i]) {
			return nil, false
		}
	}
	if !setLabel(t.segs[greedy].label, strings.Join(segs[greedy:len(segs)-after], "/")) {
		return nil, false
	}
	return labels, true
}

// matchQuery checks the template's literal query parts and returns how many it has.
// "x-id" (which SDKs built from Smithy models add to name the operation) is not
// required, since older clients do not send it; when sent it must agree.
func (t *uriTemplate) matchQuery(q url.Values) (int, bool) {
	n := 0
	for _, l := range t.query {
		vals, present := q[l.key]
		if !present {
			if l.key == "x-id" {
				continue
			}
			return 0, false
		}
		if l.hasValue && !slices.Contains(vals, l.value) {
			return 0, false
		}
		n++
	}
	return n, true
}

// labelsFor matches the request path against op's template, for a request whose
// labels the edge did not resolve.
func labelsFor(req *Request) map[string]string {
	if req.Op == nil || req.Op.RequestURI == "" || req.HTTP == nil || req.HTTP.URL == nil {
		return nil
	}
	labels, _ := templateOf(req.Op).matchPath(splitPath(req.HTTP.URL.EscapedPath()))
	return labels
}

// templateQueryKeys returns the literal query keys of op's template, which are not
// parameters of any member.
func templateQueryKeys(op *Operation) []queryLit {
	if op == nil || op.RequestURI == "" {
		return nil
	}
	return templateOf(op).query
}
