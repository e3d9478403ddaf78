package edge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
)

// mrapBucket is an S3 Multi-Region Access Point; the SDK signs requests to it with SigV4a.
const mrapBucket = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"

func TestDeriveSigV4aKey(t *testing.T) {
	t.Parallel()
	// The key-derivation vector published with the AWS SDKs' SigV4a test suites.
	priv, err := deriveSigV4aKey("AKISORANDOMAASORANDOM", "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom")
	require.NoError(t, err)
	wantX, _ := new(big.Int).SetString("15D242CEEBF8D8169FD6A8B5A746C41140414C3B07579038DA06AF89190FFFCB", 16)
	wantY, _ := new(big.Int).SetString("0515242CEDD82E94799482E4C0514B505AFCCF2C0C98D6A553BF539F424C5EC0", 16)
	x, y := mustPublicXY(t, priv.PublicKey.Bytes)
	require.Zero(t, wantX.Cmp(x), "X = %X", x)
	require.Zero(t, wantY.Cmp(y), "Y = %X", y)
}

// mustPublicXY splits an uncompressed P-256 point into its coordinates.
func mustPublicXY(t *testing.T, encode func() ([]byte, error)) (*big.Int, *big.Int) {
	t.Helper()
	b, err := encode()
	require.NoError(t, err)
	require.Len(t, b, 65)
	require.Equal(t, byte(4), b[0])
	return new(big.Int).SetBytes(b[1:33]), new(big.Int).SetBytes(b[33:])
}

func TestRegionOfSet(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"us-west-2": "us-west-2", " eu-west-1 ": "eu-west-1", "*": "", "us-*": "", "us-east-1,us-west-2": "", "": ""} {
		require.Equal(t, want, regionOfSet(in), in)
	}
}

// sdkRequest is a request as an SDK sent it.
type sdkRequest struct {
	method string
	uri    string
	host   string
	header http.Header
	body   []byte
}

// signedAt is the request's X-Amz-Date, from the header or the query.
func (r sdkRequest) signedAt(t *testing.T) time.Time {
	t.Helper()
	d := r.header.Get("X-Amz-Date")
	if d == "" {
		u, err := url.Parse(r.uri)
		require.NoError(t, err)
		d = u.Query().Get("X-Amz-Date")
	}
	at, err := time.Parse(amzDateLayout, d)
	require.NoError(t, err)
	return at
}

// to builds the request aimed at base, keeping the Host the SDK signed.
func (r sdkRequest) to(t *testing.T, base string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(r.method, base+r.uri, bytes.NewReader(r.body))
	require.NoError(t, err)
	for k, vs := range r.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Host = r.host
	if len(r.body) == 0 {
		req.Body = http.NoBody
	}
	return req
}

// captureBundle records the requests SDK clients send to it and answers each with an
// empty JSON document, which every client here accepts.
type captureBundle struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []sdkRequest
}

func setupCapture(t *testing.T) *captureBundle {
	t.Helper()
	b := &captureBundle{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.reqs = append(b.reqs, sdkRequest{method: r.Method, uri: r.RequestURI, host: r.Host, header: r.Header.Clone(), body: body})
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// last returns the last request captured.
func (b *captureBundle) last(t *testing.T) sdkRequest {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.NotEmpty(t, b.reqs)
	return b.reqs[len(b.reqs)-1]
}

// redirectTransport sends every request to target, keeping the Host the SDK addressed,
// so clients resolving AWS hostnames (Multi-Region Access Points) reach a test server.
type redirectTransport struct{ target *url.URL }

func (rt redirectTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	r.URL.Scheme, r.URL.Host = rt.target.Scheme, rt.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

func redirectClient(t *testing.T, base string) *http.Client {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	return &http.Client{Transport: redirectTransport{target: u}}
}

func eventsClient(base, key, secret string, optFns ...func(*eventbridge.Options)) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(base),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	}, optFns...)
}

func s3Client(t *testing.T, base, key, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:       redirectClient(t, base),
		RetryMaxAttempts: 1,
	})
}

// globalPutEvents calls PutEvents on a global endpoint, which the SDK signs with SigV4a.
func globalPutEvents(ctx context.Context, c *eventbridge.Client) error {
	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{
		EndpointId: aws.String("abcde.veo"),
		Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("app"), DetailType: aws.String("Thing"), Detail: aws.String(`{"n":1}`)},
		},
	})
	return err
}

// sdkSigV4aRequests signs requests with aws-sdk-go-v2's SigV4a signer through its
// clients and returns them as sent, by name.
func sdkSigV4aRequests(t *testing.T, key, secret string) map[string]sdkRequest {
	t.Helper()
	cb := setupCapture(t)
	ctx := t.Context()
	out := map[string]sdkRequest{}

	require.NoError(t, globalPutEvents(ctx, eventsClient(cb.srv.URL, key, secret)))
	out["events global endpoint"] = cb.last(t)
	require.NoError(t, globalPutEvents(ctx, eventsClient(cb.srv.URL, key, secret, eventbridge.WithSigV4ASigningRegions([]string{"eu-west-1"}))))
	out["events one region"] = cb.last(t)

	c := s3Client(t, cb.srv.URL, key, secret)
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(mrapBucket), Key: aws.String("photos/a b+c.txt")})
	require.NoError(t, err)
	out["s3 mrap get"] = cb.last(t)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(mrapBucket), Key: aws.String("k"), Body: strings.NewReader("meow"), ContentType: aws.String("text/plain")})
	require.NoError(t, err)
	out["s3 mrap put"] = cb.last(t)

	p, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(mrapBucket), Key: aws.String("k")},
		s3.WithPresignExpires(5*time.Minute))
	require.NoError(t, err)
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	out["s3 mrap presigned get"] = sdkRequest{method: p.Method, uri: u.RequestURI(), host: u.Host, header: http.Header{}}

	for name, r := range out {
		if name == "s3 mrap presigned get" {
			require.Contains(t, r.uri, "X-Amz-Algorithm="+sigV4aAlgorithm, name)
			continue
		}
		require.True(t, strings.HasPrefix(r.header.Get("Authorization"), sigV4aAlgorithm+" "), "%s: %s", name, r.header.Get("Authorization"))
	}
	return out
}

func TestVerifySigV4aGoSigner(t *testing.T) {
	t.Parallel()
	reqs := sdkSigV4aRequests(t, testAccessKey, testSecret)
	b := setupVerify(t)
	for name, r := range reqs {
		t.Run(name, func(t *testing.T) {
			b.setNow(r.signedAt(t).Add(time.Minute))
			require.Equal(t, "ok", b.send(t, r.to(t, b.srv.URL)))
		})
	}
}

func TestVerifySigV4aRejects(t *testing.T) {
	t.Parallel()
	reqs := sdkSigV4aRequests(t, testAccessKey, testSecret)
	wrong := sdkSigV4aRequests(t, testAccessKey, "not-the-secret")
	b := setupVerify(t)
	tests := []struct {
		name   string
		req    sdkRequest
		change func(r *http.Request)
		want   string
	}{
		{name: "wrong secret", req: wrong["events global endpoint"], want: "mismatch"},
		{name: "wrong secret presigned", req: wrong["s3 mrap presigned get"], want: "mismatch"},
		{name: "body changed", req: reqs["events global endpoint"], want: "mismatch", change: func(r *http.Request) {
			body := []byte(`{"EndpointId":"abcde.veo","Entries":[]}`)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}},
		{name: "region set widened", req: reqs["events one region"], want: "mismatch", change: func(r *http.Request) {
			r.Header.Set(regionSetHeader, "*")
		}},
		{name: "signed header changed", req: reqs["s3 mrap get"], want: "mismatch", change: func(r *http.Request) {
			r.Host = "other.mrap.accesspoint.s3-global.amazonaws.com"
		}},
		{name: "signature is not hex", req: reqs["events global endpoint"], want: "mismatch", change: func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-1]+"z")
		}},
		{name: "signature truncated", req: reqs["events global endpoint"], want: "mismatch", change: func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-8])
		}},
		{name: "no region set", req: reqs["events global endpoint"], change: func(r *http.Request) {
			r.Header.Del(regionSetHeader)
		}, want: "malformed: SigV4a requests must include the 'X-Amz-Region-Set' header or query parameter."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.setNow(tt.req.signedAt(t).Add(time.Minute))
			r := tt.req.to(t, b.srv.URL)
			if tt.change != nil {
				tt.change(r)
			}
			got := b.send(t, r)
			require.True(t, strings.HasPrefix(got, tt.want), got)
		})
	}
	t.Run("signed 16 minutes ago", func(t *testing.T) {
		r := reqs["events global endpoint"]
		b.setNow(r.signedAt(t).Add(16 * time.Minute))
		require.True(t, strings.HasPrefix(b.send(t, r.to(t, b.srv.URL)), "skewed: Signature expired"))
	})
	t.Run("presigned URL expired", func(t *testing.T) {
		r := reqs["s3 mrap presigned get"]
		b.setNow(r.signedAt(t).Add(6 * time.Minute))
		require.True(t, strings.HasPrefix(b.send(t, r.to(t, b.srv.URL)), "presign expired"))
	})
}

func TestParseSigV4a(t *testing.T) {
	t.Parallel()
	const h = "AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/events/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"
	tests := []struct {
		name        string
		auth        string
		regionSet   string
		wantService string
		wantRegion  string
		wantProblem string
	}{
		{name: "any region", auth: h, regionSet: "*", wantService: "events"},
		{name: "one region", auth: h, regionSet: "eu-west-1", wantService: "events", wantRegion: "eu-west-1"},
		{name: "no region set", auth: h, wantService: "events",
			wantProblem: "SigV4a requests must include the 'X-Amz-Region-Set' header or query parameter."},
		{name: "region in scope", auth: strings.Replace(h, "/events/", "/us-east-1/events/", 1), regionSet: "*",
			wantProblem: "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got 'AKID/20260101/us-east-1/events/aws4_request'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", tt.auth)
			r.Header.Set("X-Amz-Date", "20260101T000000Z")
			if tt.regionSet != "" {
				r.Header.Set(regionSetHeader, tt.regionSet)
			}
			s := parseSignature(r)
			require.True(t, s.v4a)
			require.Equal(t, "AKID", s.accessKey)
			require.Equal(t, tt.wantService, s.service)
			require.Equal(t, tt.wantRegion, s.region)
			require.Equal(t, tt.wantProblem, s.problem)
		})
	}

	q := "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKID%2F20260101%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z" +
		"&X-Amz-Expires=900&X-Amz-Region-Set=us-west-2&X-Amz-SignedHeaders=host&X-Amz-Signature=3045"
	s := parsePresigned(q)
	require.Empty(t, s.problem)
	require.True(t, s.v4a)
	require.Equal(t, "s3", s.service)
	require.Equal(t, "us-west-2", s.region)
	s = parsePresigned(strings.NewReplacer("AWS4-ECDSA-P256-SHA256", "AWS4-HMAC-SHA512", "%2Fs3%2F", "%2Fus-east-1%2Fs3%2F").Replace(q))
	require.Equal(t, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256" and "AWS4-ECDSA-P256-SHA256"`, s.problem)
}

// sigV4aEdgeBundle is an edge in sigv4 mode behind a test server, on a clock that follows
// real time, as the SDK signs with the real time.
type sigV4aEdgeBundle struct {
	edge *Edge
	srv  *httptest.Server
}

func setupSigV4aEdge(t *testing.T) *sigV4aEdgeBundle {
	t.Helper()
	e := MustModelEdge(t, Config{
		Auth:        AuthSigV4,
		Clock:       clock.NewVirtual(time.Now()),
		Credentials: map[string]Credential{testAccessKey: {Secret: testSecret, Account: "444455556666"}},
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &sigV4aEdgeBundle{edge: e, srv: srv}
}

func requireAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	if message != "" {
		require.Equal(t, message, ae.ErrorMessage())
	}
}

func TestAuthSigV4a(t *testing.T) {
	t.Parallel()
	b := setupSigV4aEdge(t)
	ctx := t.Context()

	t.Run("events global endpoint", func(t *testing.T) {
		require.NoError(t, globalPutEvents(ctx, eventsClient(b.srv.URL, testAccessKey, testSecret)))
	})
	t.Run("events unknown key", func(t *testing.T) {
		err := globalPutEvents(ctx, eventsClient(b.srv.URL, "AKIDUNKNOWN", testSecret))
		requireAPIError(t, err, "UnrecognizedClientException", msgInvalidToken)
	})
	t.Run("events wrong secret", func(t *testing.T) {
		err := globalPutEvents(ctx, eventsClient(b.srv.URL, testAccessKey, "wrong"))
		requireAPIError(t, err, "InvalidSignatureException", msgSignatureNoMatch)
	})
	t.Run("s3 multi-region access point", func(t *testing.T) {
		_, err := s3Client(t, b.srv.URL, testAccessKey, testSecret).PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(mrapBucket), Key: aws.String("k"), Body: strings.NewReader("meow")})
		require.NoError(t, err)
	})
	t.Run("s3 wrong secret", func(t *testing.T) {
		_, err := s3Client(t, b.srv.URL, testAccessKey, "wrong").GetObject(ctx, &s3.GetObjectInput{
			Bucket: aws.String(mrapBucket), Key: aws.String("k")})
		requireAPIError(t, err, "SignatureDoesNotMatch", msgS3NoMatch)
	})
	t.Run("s3 presigned", func(t *testing.T) {
		p, err := s3.NewPresignClient(s3Client(t, b.srv.URL, testAccessKey, testSecret)).PresignGetObject(ctx,
			&s3.GetObjectInput{Bucket: aws.String(mrapBucket), Key: aws.String("k")})
		require.NoError(t, err)
		u, err := url.Parse(p.URL)
		require.NoError(t, err)
		r := sdkRequest{method: "GET", uri: u.RequestURI(), host: u.Host, header: http.Header{}}
		resp, err := b.srv.Client().Do(r.to(t, b.srv.URL))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)

		r.uri = strings.Replace(r.uri, "X-Amz-Region-Set=%2A", "X-Amz-Region-Set=us-east-1", 1)
		resp, err = b.srv.Client().Do(r.to(t, b.srv.URL))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 403, resp.StatusCode)
	})
}

func TestAuthSigV4aMalformed(t *testing.T) {
	t.Parallel()
	reqs := sdkSigV4aRequests(t, testAccessKey, testSecret)
	r := reqs["events global endpoint"]
	e := MustModelEdge(t, Config{
		Auth:        AuthSigV4,
		Clock:       clock.NewVirtual(r.signedAt(t).Add(time.Minute)),
		Credentials: map[string]Credential{testAccessKey: {Secret: testSecret}},
	})
	tests := []struct {
		name    string
		change  func(r *http.Request)
		status  int
		code    string
		message string
	}{
		{name: "valid", status: 200},
		{name: "region in scope", status: 400, code: "IncompleteSignatureException", change: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/events/", "/us-east-1/events/", 1))
		}},
		{name: "no region set", status: 400, code: "IncompleteSignatureException",
			message: "SigV4a requests must include the 'X-Amz-Region-Set' header or query parameter.",
			change:  func(r *http.Request) { r.Header.Del(regionSetHeader) }},
		{name: "scoped to another service", status: 400, code: "IncompleteSignatureException",
			message: "Credential should be scoped to correct service: 'events'. ",
			change: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/events/", "/sqs/", 1))
				r.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := r.to(t, "http://localhost:4566")
			req.RequestURI = req.URL.RequestURI()
			if tt.change != nil {
				tt.change(req)
			}
			rec := serve(e, req)
			if tt.status == 200 {
				require.Equal(t, 200, rec.Code, rec.Body.String())
				return
			}
			got := readWireError(t, rec)
			require.Equal(t, tt.status, got.status, got.raw)
			require.Equal(t, tt.code, got.code, got.raw)
			if tt.message != "" {
				require.Equal(t, tt.message, got.message)
			}
		})
	}
}

func TestSigV4aCallRegion(t *testing.T) {
	t.Parallel()
	reqs := sdkSigV4aRequests(t, testAccessKey, testSecret)
	// The off mode takes the account and, from a one-region set, the region.
	off := MustModelEdge(t, Config{Credentials: map[string]Credential{testAccessKey: {Secret: testSecret, Account: "444455556666"}}})
	for name, want := range map[string]string{"events global endpoint": "us-east-1", "events one region": "eu-west-1"} {
		req := reqs[name].to(t, "http://localhost:4566")
		var x exchange
		x.req.HTTP = req
		sig := parseSignature(req)
		off.fillCall(&x, &sig)
		require.Equal(t, "444455556666", x.call.Account, name)
		require.Equal(t, want, x.call.Region, name)
	}
}
