package events

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recorder is an HTTP endpoint that records what API destinations send it.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	tokens   int
}

type recorded struct {
	method, path, query, body string
	header                    http.Header
}

func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	r := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.URL.Path == "/token" {
			r.tokens++
			user, pass, _ := req.BasicAuth()
			if user != "cid" || pass != "secret" || !strings.Contains(string(body), "grant_type=client_credentials") {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-1", "expires_in": 3600})
			return
		}
		r.requests = append(r.requests, recorded{req.Method, req.URL.Path, req.URL.RawQuery, string(body), req.Header.Clone()})
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *recorder) wait(t *testing.T, n int) []recorded {
	t.Helper()
	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.requests) >= n
	}, 5*time.Second, 5*time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func TestAPIDestinationWithAPIKeyAndOAuth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec, srv := newRecorder(t)

	key, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: ptr("key"), AuthorizationType: ptr("API_KEY"),
		AuthParameters: &CreateConnectionAuthRequestParameters{
			APIKeyAuthParameters:     &CreateConnectionApiKeyAuthRequestParameters{APIKeyName: ptr("x-api-key"), APIKeyValue: ptr("k-123")},
			InvocationHTTPParameters: &ConnectionHttpParameters{QueryStringParameters: []*ConnectionQueryStringParameter{{Key: ptr("from"), Value: ptr("eb")}}},
		}})
	require.NoError(t, err)
	dest, err := b.svc.CreateApiDestination(b.ctx, &CreateApiDestinationInput{Name: ptr("hook"), ConnectionARN: key.ConnectionARN,
		InvocationEndpoint: ptr(srv.URL + "/orders/*"), HTTPMethod: ptr("POST")})
	require.NoError(t, err)
	b.MustRule(t, "", "to-hook", `{"source":["shop"]}`, &Target{ID: ptr("h"), ARN: dest.APIDestinationARN, InputPath: ptr("$.detail"),
		HTTPParameters: &HttpParameters{PathParameterValues: []string{"o-1"}, HeaderParameters: map[string]string{"X-Trace": "t1"}}})

	oauth, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: ptr("oauth"), AuthorizationType: ptr("OAUTH_CLIENT_CREDENTIALS"),
		AuthParameters: &CreateConnectionAuthRequestParameters{OAuthParameters: &CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: ptr(srv.URL + "/token"), HTTPMethod: ptr("POST"),
			ClientParameters: &CreateConnectionOAuthClientRequestParameters{ClientID: ptr("cid"), ClientSecret: ptr("secret")}}}})
	require.NoError(t, err)
	odest, err := b.svc.CreateApiDestination(b.ctx, &CreateApiDestinationInput{Name: ptr("ohook"), ConnectionARN: oauth.ConnectionARN,
		InvocationEndpoint: ptr(srv.URL + "/secure"), HTTPMethod: ptr("PUT")})
	require.NoError(t, err)
	_, err = b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("to-hook"), Targets: []*Target{{ID: ptr("o"), ARN: odest.APIDestinationARN}}})
	require.NoError(t, err)

	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{{Source: ptr("shop"), DetailType: ptr("T"), Detail: ptr(`{"id":7}`)}}})
	require.NoError(t, err)
	reqs := rec.wait(t, 2)
	byPath := map[string]recorded{}
	for _, r := range reqs {
		byPath[r.path] = r
	}
	k := byPath["/orders/o-1"]
	require.Equal(t, "POST", k.method)
	require.Equal(t, "k-123", k.header.Get("x-api-key"))
	require.Equal(t, "t1", k.header.Get("X-Trace"))
	require.Equal(t, "from=eb", k.query)
	require.JSONEq(t, `{"id":7}`, k.body)
	o := byPath["/secure"]
	require.Equal(t, "PUT", o.method)
	require.Equal(t, "Bearer tok-1", o.header.Get("Authorization"))

	d, err := b.svc.DescribeConnection(b.ctx, &DescribeConnectionInput{Name: ptr("oauth")})
	require.NoError(t, err)
	require.Equal(t, "cid", *d.AuthParameters.OAuthParameters.ClientParameters.ClientID)
	_, err = b.svc.DescribeApiDestination(b.ctx, &DescribeApiDestinationInput{Name: ptr("nope")})
	requireCode(t, err, "ResourceNotFoundException")
	list, err := b.svc.ListApiDestinations(b.ctx, &ListApiDestinationsInput{ConnectionARN: key.ConnectionARN})
	require.NoError(t, err)
	require.Len(t, list.APIDestinations, 1)
}

func TestUpdateConnectionToAnotherAuthorizationType(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: ptr("c"), AuthorizationType: ptr("API_KEY"),
		AuthParameters: &CreateConnectionAuthRequestParameters{APIKeyAuthParameters: &CreateConnectionApiKeyAuthRequestParameters{
			APIKeyName: ptr("ApiKey"), APIKeyValue: ptr("secret")}}})
	require.NoError(t, err)
	// Switching types needs the parameters of the new type, and changes nothing without.
	_, err = b.svc.UpdateConnection(b.ctx, &UpdateConnectionInput{Name: ptr("c"), AuthorizationType: ptr("BASIC")})
	requireCode(t, err, "ValidationException")
	_, err = b.svc.UpdateConnection(b.ctx, &UpdateConnectionInput{Name: ptr("c"), AuthorizationType: ptr("BASIC"),
		AuthParameters: &UpdateConnectionAuthRequestParameters{BasicAuthParameters: &UpdateConnectionBasicAuthRequestParameters{
			Username: ptr("user"), Password: ptr("pass")}}})
	require.NoError(t, err)
	d, err := b.svc.DescribeConnection(b.ctx, &DescribeConnectionInput{Name: ptr("c")})
	require.NoError(t, err)
	require.Equal(t, "BASIC", *d.AuthorizationType)
	require.Equal(t, "user", *d.AuthParameters.BasicAuthParameters.Username)
	require.Nil(t, d.AuthParameters.APIKeyAuthParameters, "the API key of the old type is gone")
}

func TestAPIDestinationInactiveWhileConnectionIsNotAuthorized(t *testing.T) {
	t.Parallel()
	b := setup(t)
	conn, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: ptr("c"), AuthorizationType: ptr("BASIC"),
		AuthParameters: &CreateConnectionAuthRequestParameters{BasicAuthParameters: &CreateConnectionBasicAuthRequestParameters{
			Username: ptr("user"), Password: ptr("pass")}}})
	require.NoError(t, err)
	dest, err := b.svc.CreateApiDestination(b.ctx, &CreateApiDestinationInput{Name: ptr("d"), ConnectionARN: conn.ConnectionARN,
		InvocationEndpoint: ptr("https://example.com/api"), HTTPMethod: ptr("POST")})
	require.NoError(t, err)
	require.Equal(t, "ACTIVE", *dest.APIDestinationState)
	_, err = b.svc.DeauthorizeConnection(b.ctx, &DeauthorizeConnectionInput{Name: ptr("c")})
	require.NoError(t, err)
	d, err := b.svc.DescribeApiDestination(b.ctx, &DescribeApiDestinationInput{Name: ptr("d")})
	require.NoError(t, err)
	require.Equal(t, "INACTIVE", *d.APIDestinationState)
	list, err := b.svc.ListApiDestinations(b.ctx, &ListApiDestinationsInput{})
	require.NoError(t, err)
	require.Equal(t, "INACTIVE", *list.APIDestinations[0].APIDestinationState)
	// Updating the connection authorizes it again.
	_, err = b.svc.UpdateConnection(b.ctx, &UpdateConnectionInput{Name: ptr("c")})
	require.NoError(t, err)
	up, err := b.svc.UpdateApiDestination(b.ctx, &UpdateApiDestinationInput{Name: ptr("d"), Description: ptr("again")})
	require.NoError(t, err)
	require.Equal(t, "ACTIVE", *up.APIDestinationState)
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	l := rateLimiter{windows: map[string]*rateWindow{}}
	now := time.Unix(100, 250_000_000)
	require.Zero(t, l.take("d", 2, now))
	require.Zero(t, l.take("d", 2, now))
	require.Equal(t, 750*time.Millisecond, l.take("d", 2, now))
	require.Zero(t, l.take("d", 2, now.Add(time.Second)))
}
