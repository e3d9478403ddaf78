package lambda

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Function URLs (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html):
// one per function and qualifier ($LATEST or an alias), each with a URL id that names its
// HTTP endpoint. The endpoint itself is served by internal/server, which turns requests
// into payload format 2.0 events and calls InvokeURL or InvokeURLStream.

const (
	// urlTimeFmt is how CreationTime and LastModifiedTime read ("2023-03-14T17:19:11.945000Z").
	urlTimeFmt = "2006-01-02T15:04:05.000000Z"
	// URLHostLabel is the label that marks a function URL host:
	// <url-id>.lambda-url.<region>.localhost locally, <url-id>.lambda-url.<region>.on.aws on AWS.
	URLHostLabel = "lambda-url"
	// URLPathPrefix is the path form of a function URL that needs no DNS:
	// http://<host>:<port>/_overcast/lambda-url/<url-id>/<path>.
	URLPathPrefix = "/_overcast/lambda-url/"
	// urlQualifierPattern is the model's FunctionUrlQualifier pattern, which Go's regexp
	// cannot compile (it uses a lookahead), checked by hand in urlTarget.
	urlQualifierPattern = `((?!^\d+$)^[0-9a-zA-Z-_]+$)`
	// maxURLItems is ListFunctionUrlConfigs' default and largest page.
	maxURLItems = 50
)

// urlConfig is the stored configuration of a function URL.
type urlConfig struct {
	AuthType   string `json:"auth"`
	InvokeMode string `json:"mode"`
	Cors       *Cors  `json:"cors,omitempty"`
}

func decodeURLConfig(s string) (*urlConfig, error) {
	var c urlConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode function url config: %w", err)
	}
	return &c, nil
}

func (c *urlConfig) encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// newURLID returns 32 random lowercase letters and digits, the shape of AWS's URL ids.
func newURLID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// FunctionURLHost returns the local host name of a function URL,
// <url-id>.lambda-url.<region>.localhost.
func FunctionURLHost(urlID, region string) string {
	return urlID + "." + URLHostLabel + "." + region + ".localhost"
}

// functionURLFor returns the URL handed back to clients: the local host name of the URL
// with the scheme and port the request came in on.
func functionURLFor(call *protocol.Call, urlID string) string {
	scheme := call.Scheme
	if scheme == "" {
		scheme = "http"
	}
	host := FunctionURLHost(urlID, call.Region)
	if _, port, err := net.SplitHostPort(call.Host); err == nil && port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + "/"
}

// urlTarget resolves the function and qualifier a function URL operation names: the
// qualifier comes from the Qualifier parameter or the name, is an alias or $LATEST
// (never a version), and defaults to $LATEST.
func urlTarget(call *protocol.Call, raw string, qualifier *string) (string, string, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", "", err
	}
	if qualifier != nil && !validURLQualifier(*qualifier) {
		return "", "", qualifierViolation(*qualifier)
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return "", "", err
	}
	switch {
	case q == "":
		q = latest
	case q == latest:
	case !validURLQualifier(q):
		return "", "", qualifierViolation(q)
	}
	return ref.Name, q, nil
}

// validURLQualifier reports whether q matches the model's FunctionUrlQualifier pattern:
// letters, digits, '-' and '_', and not only digits.
func validURLQualifier(q string) bool {
	if q == "" {
		return false
	}
	digits := true
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			digits = false
		default:
			return false
		}
	}
	return !digits
}

func qualifierViolation(q string) *protocol.Error {
	return protocol.DefaultValidationError(nil, []protocol.Violation{{
		Kind: protocol.BadPattern, Path: "Qualifier", Value: q,
		Constraint: "Member must satisfy regular expression pattern: " + urlQualifierPattern,
	}})
}

// errURLNotFound is Lambda's answer when a function has no URL for the qualifier.
func errURLNotFound() *protocol.Error {
	return NewResourceNotFoundException("The resource you requested does not exist.")
}

// checkURLTarget checks that the function and, for an alias, the alias exist. AWS
// answers "Function does not exist" for either.
func (s *Service) checkURLTarget(ctx context.Context, call *protocol.Call, name, q string) error {
	var err error
	if q == latest {
		_, err = s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	} else {
		_, err = s.db.LambdaAliasGet(ctx, call.Account, call.Region, name, q)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errURLFunctionMissing()
	case err != nil:
		return err
	}
	return nil
}

// errURLFunctionMissing is AWS's answer when the function or alias a URL is created,
// updated or listed for does not exist.
func errURLFunctionMissing() *protocol.Error {
	return NewResourceNotFoundException("Function does not exist")
}

// urlARN is the FunctionArn of a URL config: qualified only for an alias.
func urlARN(call *protocol.Call, name, q string) string {
	if q == latest {
		return functionARN(call, name, "")
	}
	return functionARN(call, name, q)
}

func (s *Service) wireURL(call *protocol.Call, u *store.LambdaFunctionURL, c *urlConfig) *FunctionUrlConfig {
	return &FunctionUrlConfig{
		FunctionURL:      ptr(functionURLFor(call, u.URLID)),
		FunctionARN:      ptr(urlARN(call, u.Function, u.Qualifier)),
		AuthType:         ptr(c.AuthType),
		Cors:             c.Cors,
		InvokeMode:       ptr(c.InvokeMode),
		CreationTime:     ptr(time.UnixMilli(u.CreatedAt).UTC().Format(urlTimeFmt)),
		LastModifiedTime: ptr(time.UnixMilli(u.ModifiedAt).UTC().Format(urlTimeFmt)),
	}
}

// CreateFunctionUrlConfig gives a function ($LATEST or an alias) a URL.
func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *CreateFunctionUrlConfigInput) (*CreateFunctionUrlConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := urlTarget(call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if err := s.checkURLTarget(ctx, call, name, q); err != nil {
		return nil, err
	}
	c := &urlConfig{AuthType: *in.AuthType, InvokeMode: deref(in.InvokeMode), Cors: in.Cors}
	if c.InvokeMode == "" {
		c.InvokeMode = InvokeModeBUFFERED
	}
	now := s.clock.Now().UnixMilli()
	u := &store.LambdaFunctionURL{
		Account: call.Account, Region: call.Region, Function: name, Qualifier: q,
		URLID: newURLID(), Config: c.encode(), CreatedAt: now, ModifiedAt: now,
	}
	err = s.db.LambdaFunctionURLCreate(ctx, u)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errURLFunctionMissing()
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceConflictException("Failed to create function url config for [functionArn = " + urlARN(call, name, q) + "]. Error message:  FunctionUrlConfig exists for this Lambda function")
	case err != nil:
		return nil, err
	}
	w := s.wireURL(call, u, c)
	// AWS answers InvokeMode only when the request gave it; GetFunctionUrlConfig and
	// UpdateFunctionUrlConfig answer the mode in force (BUFFERED by default).
	return &CreateFunctionUrlConfigOutput{
		FunctionURL: w.FunctionURL, FunctionARN: w.FunctionARN, AuthType: w.AuthType,
		Cors: w.Cors, CreationTime: w.CreationTime, InvokeMode: in.InvokeMode,
	}, nil
}

// urlConfigOf reads the URL of a function and qualifier.
func (s *Service) urlConfigOf(ctx context.Context, call *protocol.Call, name, q string) (*store.LambdaFunctionURL, *urlConfig, error) {
	u, err := s.db.LambdaFunctionURLGet(ctx, call.Account, call.Region, name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// AWS answers the same whether the function, the alias or only its URL is
		// missing.
		return nil, nil, errURLNotFound()
	case err != nil:
		return nil, nil, err
	}
	c, err := decodeURLConfig(u.Config)
	if err != nil {
		return nil, nil, err
	}
	return u, c, nil
}

// GetFunctionUrlConfig returns the URL of a function ($LATEST or an alias).
func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *GetFunctionUrlConfigInput) (*GetFunctionUrlConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := urlTarget(call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	u, c, err := s.urlConfigOf(ctx, call, name, q)
	if err != nil {
		return nil, err
	}
	w := s.wireURL(call, u, c)
	return &GetFunctionUrlConfigOutput{
		FunctionURL: w.FunctionURL, FunctionARN: w.FunctionARN, AuthType: w.AuthType, Cors: w.Cors,
		CreationTime: w.CreationTime, LastModifiedTime: w.LastModifiedTime, InvokeMode: w.InvokeMode,
	}, nil
}

// UpdateFunctionUrlConfig changes the auth type, CORS or invoke mode of a URL; members
// left out keep their values, and Cors given replaces the whole CORS configuration.
func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *UpdateFunctionUrlConfigInput) (*UpdateFunctionUrlConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := urlTarget(call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var c *urlConfig
	u, err := s.db.LambdaFunctionURLUpdate(ctx, call.Account, call.Region, name, q, func(u *store.LambdaFunctionURL) error {
		var err error
		if c, err = decodeURLConfig(u.Config); err != nil {
			return err
		}
		if in.AuthType != nil {
			c.AuthType = *in.AuthType
		}
		if in.InvokeMode != nil {
			c.InvokeMode = *in.InvokeMode
		}
		if in.Cors != nil {
			c.Cors = in.Cors
		}
		u.Config, u.ModifiedAt = c.encode(), s.clock.Now().UnixMilli()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Unlike Get and Delete, Update tells a missing function or alias from a
		// missing URL.
		if err := s.checkURLTarget(ctx, call, name, q); err != nil {
			return nil, err
		}
		return nil, errURLNotFound()
	case err != nil:
		return nil, err
	}
	w := s.wireURL(call, u, c)
	return &UpdateFunctionUrlConfigOutput{
		FunctionURL: w.FunctionURL, FunctionARN: w.FunctionARN, AuthType: w.AuthType, Cors: w.Cors,
		CreationTime: w.CreationTime, LastModifiedTime: w.LastModifiedTime, InvokeMode: w.InvokeMode,
	}, nil
}

// DeleteFunctionUrlConfig removes the URL of a function ($LATEST or an alias); the URL
// stops answering at once.
func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *DeleteFunctionUrlConfigInput) (*DeleteFunctionUrlConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := urlTarget(call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaFunctionURLDelete(ctx, call.Account, call.Region, name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// As GetFunctionUrlConfig: the same answer for a missing function or alias.
		return nil, errURLNotFound()
	case err != nil:
		return nil, err
	}
	return &DeleteFunctionUrlConfigOutput{}, nil
}

// ListFunctionUrlConfigs lists a function's URLs ordered by qualifier; the marker is the
// last qualifier of the previous page.
func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *ListFunctionUrlConfigsInput) (*ListFunctionUrlConfigsOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if err := s.checkURLTarget(ctx, call, name, latest); err != nil {
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, maxURLItems))
	rows, err := s.db.LambdaFunctionURLList(ctx, call.Account, call.Region, name, deref(in.Marker), limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionUrlConfigsOutput{FunctionURLConfigs: []*FunctionUrlConfig{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextMarker = ptr(rows[limit-1].Qualifier)
	}
	for _, u := range rows {
		c, err := decodeURLConfig(u.Config)
		if err != nil {
			return nil, err
		}
		out.FunctionURLConfigs = append(out.FunctionURLConfigs, s.wireURL(call, u, c))
	}
	return out, nil
}

// URLFunction is a function URL as its HTTP endpoint needs it.
type URLFunction struct {
	Account, Region, Function string
	// Qualifier is $LATEST or an alias name.
	Qualifier string
	URLID     string
	// AuthType is FunctionUrlAuthTypeNONE or FunctionUrlAuthTypeAWSIAM.
	AuthType string
	// InvokeMode is InvokeModeBUFFERED or InvokeModeRESPONSESTREAM.
	InvokeMode string
	// Cors is nil when the URL answers no CORS.
	Cors *Cors
}

// ErrNoFunctionURL is returned by FunctionURLByID for an id no URL has.
var ErrNoFunctionURL = errors.New("no function url")

// FunctionURLByID returns the function URL with id urlID, or ErrNoFunctionURL.
func (s *Service) FunctionURLByID(ctx context.Context, urlID string) (*URLFunction, error) {
	u, err := s.db.LambdaFunctionURLGetByID(ctx, urlID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNoFunctionURL
	case err != nil:
		return nil, err
	}
	c, err := decodeURLConfig(u.Config)
	if err != nil {
		return nil, err
	}
	return &URLFunction{
		Account: u.Account, Region: u.Region, Function: u.Function, Qualifier: u.Qualifier,
		URLID: u.URLID, AuthType: c.AuthType, InvokeMode: c.InvokeMode, Cors: c.Cors,
	}, nil
}

// urlCall is the identity a URL invocation runs under: the function's account and region.
func urlCall(u *URLFunction, requestID string) *protocol.Call {
	return &protocol.Call{Account: u.Account, Region: u.Region, RequestID: requestID}
}

// InvokeURL runs the function of a URL synchronously with event (a payload format 2.0
// event) and returns its result. Errors are *protocol.Error for a function that is gone
// (ResourceNotFoundException) or throttled (TooManyRequestsException), else failures of
// Overcast.
func (s *Service) InvokeURL(ctx context.Context, u *URLFunction, requestID string, event []byte) (*lambdart.InvokeResult, error) {
	call := urlCall(u, requestID)
	p, err := s.prepareInvoke(ctx, call, u.Function, ptr(u.Qualifier))
	if err != nil {
		return nil, err
	}
	res, err := p.rt.Invoke(ctx, p.fn, &lambdart.InvokeRequest{RequestID: requestID, Payload: event, InvokedFunctionARN: p.invoked})
	s.recordInvocation(call, u.Function, u.Qualifier, res, err)
	if err != nil {
		return nil, invokeError(p.fn, err)
	}
	return res, nil
}

// InvokeURLStream is InvokeURL for a URL in RESPONSE_STREAM mode: it returns once the
// function starts its response.
func (s *Service) InvokeURLStream(ctx context.Context, u *URLFunction, requestID string, event []byte) (*lambdart.Stream, error) {
	call := urlCall(u, requestID)
	p, err := s.prepareInvoke(ctx, call, u.Function, ptr(u.Qualifier))
	if err != nil {
		return nil, err
	}
	st, err := p.rt.InvokeStream(ctx, p.fn, &lambdart.InvokeRequest{RequestID: requestID, Payload: event, InvokedFunctionARN: p.invoked})
	if err != nil {
		return nil, invokeError(p.fn, err)
	}
	return st, nil
}

// URLEndpointDomain is the domainName of a URL event for a request that reached the URL
// by its path form: the URL's local host name.
func URLEndpointDomain(u *URLFunction) string { return FunctionURLHost(u.URLID, u.Region) }

// corsAllowsOrigin reports whether origin may call the URL, and the
// Access-Control-Allow-Origin value to answer.
func corsAllowsOrigin(c *Cors, origin string) (string, bool) {
	if c == nil || origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			if c.AllowCredentials != nil && *c.AllowCredentials {
				return origin, true
			}
			return "*", true
		}
		if strings.EqualFold(strings.TrimSuffix(o, "/"), strings.TrimSuffix(origin, "/")) {
			return origin, true
		}
	}
	return "", false
}

// CorsHeaders returns the CORS headers of a URL's answer to a request from origin: for
// a preflight request (preflight true, with the requested method) the allowed methods,
// headers and max age too. It returns nil when the URL has no CORS configuration or the
// origin, or the requested method, is not allowed.
func CorsHeaders(c *Cors, origin string, preflight bool, method string) map[string]string {
	allow, ok := corsAllowsOrigin(c, origin)
	if !ok {
		return nil
	}
	h := map[string]string{"Access-Control-Allow-Origin": allow}
	if allow != "*" {
		h["Vary"] = "Origin"
	}
	if c.AllowCredentials != nil && *c.AllowCredentials {
		h["Access-Control-Allow-Credentials"] = "true"
	}
	if !preflight {
		if len(c.ExposeHeaders) > 0 {
			h["Access-Control-Expose-Headers"] = strings.Join(c.ExposeHeaders, ",")
		}
		return h
	}
	if method != "" && !corsAllows(c.AllowMethods, method) {
		return nil
	}
	if len(c.AllowMethods) > 0 {
		h["Access-Control-Allow-Methods"] = strings.Join(c.AllowMethods, ",")
	}
	if len(c.AllowHeaders) > 0 {
		h["Access-Control-Allow-Headers"] = strings.Join(c.AllowHeaders, ",")
	}
	if c.MaxAge != nil {
		h["Access-Control-Max-Age"] = strconv.Itoa(int(*c.MaxAge))
	}
	return h
}

func corsAllows(list []string, v string) bool {
	for _, x := range list {
		if x == "*" || strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
