package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/overcast/overcast/internal/edge"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
)

// Function URLs are served on two local forms: by Host,
// http://<url-id>.lambda-url.<region>.localhost:<port>/<path> (what FunctionUrl hands back;
// the edge routes such hosts here), and by path, for machines where *.localhost does not
// resolve, http://<host>:<port>/_overcast/lambda-url/<url-id>/<path>. Requests become
// payload format 2.0 events (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).

const (
	// maxURLRequestBody is the largest request body a function URL takes: the
	// synchronous invocation limit.
	maxURLRequestBody = 6 * 1024 * 1024
	// httpIntegrationType is the content type of a streamed response that starts with the
	// HTTP integration prelude (awslambda.HttpResponseStream.from).
	httpIntegrationType = "application/vnd.awslambda.http-integration-response"
	// urlEventTimeFmt is requestContext.time ("12/Mar/2020:19:03:58 +0000").
	urlEventTimeFmt = "02/Jan/2006:15:04:05 -0700"
)

// functionURLs serves function URL requests.
type functionURLs struct {
	l      *lambda.Service
	srv    *Server
	logger *slog.Logger
}

// hostHandlers returns the handlers of the edge's local hostnames.
func (s *Server) hostHandlers() map[string]http.Handler {
	for _, svc := range s.services {
		if l, ok := svc.entry.API.(*lambda.Service); ok {
			h := &functionURLs{l: l, srv: s, logger: s.logger.With("component", "function-urls")}
			return map[string]http.Handler{lambda.URLHostLabel: http.HandlerFunc(h.serveHost)}
		}
	}
	return nil
}

// functionURLPathRoute registers the path form of function URLs on mux.
func (s *Server) functionURLPathRoute(mux *http.ServeMux, l *lambda.Service) {
	h := &functionURLs{l: l, srv: s, logger: s.logger.With("component", "function-urls")}
	mux.HandleFunc(lambda.URLPathPrefix, h.servePath)
}

// serveHost serves http://<url-id>.lambda-url.<region>.localhost/<path>.
func (h *functionURLs) serveHost(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	id, _, _ := strings.Cut(host, ".")
	h.serve(w, r, id, host, r.URL.EscapedPath())
}

// servePath serves http://<host>/_overcast/lambda-url/<url-id>/<path>.
func (h *functionURLs) servePath(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), lambda.URLPathPrefix)
	id, path, _ := strings.Cut(rest, "/")
	h.serve(w, r, strings.ToLower(id), "", "/"+path)
}

// writeMessage answers {"Message": msg}, the shape of the endpoint's own errors.
func writeMessage(w http.ResponseWriter, status int, msg string, requestID string) {
	w.Header().Set("Content-Type", "application/json")
	if requestID != "" {
		w.Header().Set("X-Amzn-Requestid", requestID)
	}
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"Message": msg})
	_, _ = w.Write(b)
}

func (h *functionURLs) serve(w http.ResponseWriter, r *http.Request, urlID, domain, rawPath string) {
	ctx := r.Context()
	requestID := uuid.NewString()
	u, err := h.l.FunctionURLByID(ctx, urlID)
	switch {
	case errors.Is(err, lambda.ErrNoFunctionURL):
		writeMessage(w, http.StatusForbidden, "Forbidden", requestID)
		return
	case err != nil:
		h.logger.Error("look up function url", "url_id", urlID, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error", requestID)
		return
	}
	if domain == "" {
		domain = lambda.URLEndpointDomain(u)
	}
	origin := r.Header.Get("Origin")
	// A CORS preflight is answered by Lambda itself when the URL has a CORS configuration,
	// without authentication, as browsers send it unsigned.
	if r.Method == http.MethodOptions && u.Cors != nil && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		for k, v := range lambda.CorsHeaders(u.Cors, origin, true, r.Header.Get("Access-Control-Request-Method")) {
			w.Header().Set(k, v)
		}
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxURLRequestBody+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request", requestID)
		return
	}
	if len(body) > maxURLRequestBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", requestID)
		return
	}
	var caller *edge.Identity
	if u.AuthType == lambda.FunctionUrlAuthTypeAWSIAM {
		id, err := h.srv.edge.VerifySignature(r, body, "lambda")
		if err != nil {
			writeMessage(w, http.StatusForbidden, "Forbidden", requestID)
			return
		}
		caller = &id
	}
	event := urlEvent(r, u, caller, body, domain, rawPath, requestID, h.srv.clock.Now())
	cors := lambda.CorsHeaders(u.Cors, origin, false, "")
	if u.InvokeMode == lambda.InvokeModeRESPONSESTREAM {
		h.serveStream(w, r, u, event, requestID, cors)
		return
	}
	res, err := h.l.InvokeURL(ctx, u, requestID, event)
	if err != nil {
		h.invokeFailed(w, u, err, requestID)
		return
	}
	if res.FunctionError != "" {
		writeMessage(w, http.StatusBadGateway, "Internal Server Error", requestID)
		return
	}
	resp, ok := parseURLResult(res.Payload)
	if !ok {
		writeMessage(w, http.StatusBadGateway, "Internal Server Error", requestID)
		return
	}
	hdr := w.Header()
	for k, v := range resp.headers {
		hdr.Set(k, v)
	}
	for _, c := range resp.cookies {
		hdr.Add("Set-Cookie", c)
	}
	for k, v := range cors {
		hdr.Set(k, v)
	}
	hdr.Set("X-Amzn-Requestid", requestID)
	hdr.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// invokeFailed answers an invocation that did not run.
func (h *functionURLs) invokeFailed(w http.ResponseWriter, u *lambda.URLFunction, err error, requestID string) {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case lambda.ErrCodeTooManyRequestsException:
			writeMessage(w, http.StatusTooManyRequests, "Rate Exceeded.", requestID)
			return
		case lambda.ErrCodeResourceNotFoundException:
			writeMessage(w, http.StatusForbidden, "Forbidden", requestID)
			return
		}
	}
	h.logger.Error("invoke function url", "function", u.Function, "qualifier", u.Qualifier, "err", err)
	writeMessage(w, http.StatusInternalServerError, "Internal Server Error", requestID)
}

// serveStream answers a RESPONSE_STREAM URL: the function's stream as the body, after the
// status, headers and cookies of its HTTP integration prelude when it sent one.
func (h *functionURLs) serveStream(w http.ResponseWriter, r *http.Request, u *lambda.URLFunction, event []byte, requestID string, cors map[string]string) {
	st, err := h.l.InvokeURLStream(r.Context(), u, requestID, event)
	if err != nil {
		h.invokeFailed(w, u, err, requestID)
		return
	}
	defer st.Body.Close()
	br := bufio.NewReaderSize(st.Body, 32*1024)
	// A function that fails before writing anything gets the same answer as a buffered one.
	if _, err := br.Peek(1); err != nil {
		if res := st.Wait(); res.FunctionError != "" {
			writeMessage(w, http.StatusBadGateway, "Internal Server Error", requestID)
			return
		}
	}
	hdr := w.Header()
	status := http.StatusOK
	ctype := st.ContentType
	if ctype == httpIntegrationType {
		p, ok := readPrelude(br)
		if !ok {
			writeMessage(w, http.StatusBadGateway, "Internal Server Error", requestID)
			return
		}
		if p.StatusCode != 0 {
			status = p.StatusCode
		}
		ctype = "application/octet-stream"
		for k, v := range p.Headers {
			if strings.EqualFold(k, "Content-Type") {
				ctype = v
				continue
			}
			hdr.Set(k, v)
		}
		for _, c := range p.Cookies {
			hdr.Add("Set-Cookie", c)
		}
	}
	hdr.Set("Content-Type", ctype)
	for k, v := range cors {
		hdr.Set(k, v)
	}
	hdr.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	buf := make([]byte, 32*1024)
	for {
		n, err := br.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

// urlPrelude is the JSON that awslambda.HttpResponseStream.from writes first.
type urlPrelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// readPrelude reads the HTTP integration prelude: JSON, then eight zero bytes.
func readPrelude(br *bufio.Reader) (*urlPrelude, bool) {
	var buf bytes.Buffer
	zeros := 0
	for buf.Len() < 64*1024 {
		c, err := br.ReadByte()
		if err != nil {
			return nil, false
		}
		if c == 0 {
			zeros++
			if zeros == 8 {
				var p urlPrelude
				if err := json.Unmarshal(buf.Bytes(), &p); err != nil {
					return nil, false
				}
				return &p, true
			}
			continue
		}
		for ; zeros > 0; zeros-- {
			buf.WriteByte(0)
		}
		buf.WriteByte(c)
	}
	return nil, false
}

// urlEventBody is a payload format 2.0 event as function URLs send it.
type urlEventBody struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        urlRequestContext `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type urlRequestContext struct {
	AccountID    string         `json:"accountId"`
	APIID        string         `json:"apiId"`
	Authorizer   *urlAuthorizer `json:"authorizer,omitempty"`
	DomainName   string         `json:"domainName"`
	DomainPrefix string         `json:"domainPrefix"`
	HTTP         urlHTTP        `json:"http"`
	RequestID    string         `json:"requestId"`
	RouteKey     string         `json:"routeKey"`
	Stage        string         `json:"stage"`
	Time         string         `json:"time"`
	TimeEpoch    int64          `json:"timeEpoch"`
}

type urlAuthorizer struct {
	IAM urlIAM `json:"iam"`
}

type urlIAM struct {
	AccessKey       string  `json:"accessKey"`
	AccountID       string  `json:"accountId"`
	CallerID        string  `json:"callerId"`
	CognitoIdentity *string `json:"cognitoIdentity"`
	PrincipalOrgID  *string `json:"principalOrgId"`
	UserARN         string  `json:"userArn"`
	UserID          string  `json:"userId"`
}

type urlHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// urlEvent builds the payload format 2.0 event of a function URL request: headers in
// lower case with repeated values joined by commas, the Cookie header as cookies, query
// parameters likewise joined, and a body that is not text base64-encoded.
func urlEvent(r *http.Request, u *lambda.URLFunction, caller *edge.Identity, body []byte, domain, rawPath, requestID string, now time.Time) []byte {
	ev := urlEventBody{
		Version: "2.0", RouteKey: "$default", RawPath: rawPath, RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{},
	}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[lk] = strings.Join(vs, ",")
	}
	if _, ok := ev.Headers["host"]; !ok && r.Host != "" {
		ev.Headers["host"] = r.Host
	}
	sourceIP := r.RemoteAddr
	if h, _, err := net.SplitHostPort(sourceIP); err == nil {
		sourceIP = h
	}
	// Lambda's front end adds these, as a load balancer would.
	scheme, port := "http", "80"
	if r.TLS != nil {
		scheme, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	for k, v := range map[string]string{"x-forwarded-for": sourceIP, "x-forwarded-proto": scheme, "x-forwarded-port": port} {
		if _, ok := ev.Headers[k]; !ok {
			ev.Headers[k] = v
		}
	}
	if r.URL.RawQuery != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
			ev.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
	}
	if len(body) > 0 {
		s := string(body)
		if !isTextBody(r.Header.Get("Content-Type"), body) {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
		ev.Body = &s
	}
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	now = now.UTC()
	ev.RequestContext = urlRequestContext{
		AccountID: u.Account, APIID: u.URLID, DomainName: domain, DomainPrefix: u.URLID,
		HTTP: urlHTTP{
			Method: r.Method, Path: path, Protocol: r.Proto, SourceIP: sourceIP, UserAgent: r.UserAgent(),
		},
		RequestID: requestID, RouteKey: "$default", Stage: "$default",
		Time: now.Format(urlEventTimeFmt), TimeEpoch: now.UnixMilli(),
	}
	if caller != nil {
		// The request was signed with an access key; Overcast's keys are account keys, so
		// the caller is the account's root.
		ev.RequestContext.Authorizer = &urlAuthorizer{IAM: urlIAM{
			AccessKey: caller.AccessKey, AccountID: caller.Account, CallerID: caller.Account,
			UserARN: "arn:aws:iam::" + caller.Account + ":root", UserID: caller.Account,
		}}
	}
	b, _ := json.Marshal(ev)
	return b
}

// isTextBody reports whether a body of content type ct reaches the function as text
// rather than base64: text/*, JSON, XML, JavaScript and form types, when valid UTF-8.
func isTextBody(ct string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "application/x-www-form-urlencoded",
		mt == "application/yaml", mt == "application/graphql":
		return true
	}
	return false
}

// urlResponse is a function's answer mapped to HTTP.
type urlResponse struct {
	status  int
	headers map[string]string
	cookies []string
	body    []byte
}

// parseURLResult maps a function's result to the HTTP response: an object with a
// statusCode is the response format (statusCode, headers, cookies, body,
// isBase64Encoded); any other JSON value is a 200 application/json body as is. ok is
// false for a result Lambda cannot read.
func parseURLResult(payload []byte) (*urlResponse, bool) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe["statusCode"] == nil {
		return &urlResponse{status: http.StatusOK, headers: map[string]string{"Content-Type": "application/json"}, body: payload}, true
	}
	var res struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Cookies         []string          `json:"cookies"`
		Body            *string           `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(payload, &res); err != nil || res.StatusCode < 100 || res.StatusCode > 599 {
		return nil, false
	}
	out := &urlResponse{status: res.StatusCode, headers: res.Headers, cookies: res.Cookies}
	if out.headers == nil {
		out.headers = map[string]string{}
	}
	hasType := false
	for k := range out.headers {
		if strings.EqualFold(k, "Content-Type") {
			hasType = true
		}
	}
	if !hasType {
		out.headers["Content-Type"] = "application/json"
	}
	if res.Body != nil {
		out.body = []byte(*res.Body)
		if res.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(*res.Body)
			if err != nil {
				return nil, false
			}
			out.body = b
		}
	}
	return out, true
}
