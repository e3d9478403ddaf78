package edge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"
)

const (
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// verifyBundle is a server that checks the signature of every request it receives with
// the verifier and answers "ok" or the failure, at a time the test sets.
type verifyBundle struct {
	srv *httptest.Server
	mu  sync.Mutex
	now time.Time
}

func (b *verifyBundle) setNow(t time.Time) {
	b.mu.Lock()
	b.now = t
	b.mu.Unlock()
}

func setupVerify(t *testing.T) *verifyBundle {
	t.Helper()
	b := &verifyBundle{}
	var v verifier
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		sig := parseSignature(r)
		if !sig.present || sig.problem != "" {
			http.Error(w, "malformed: "+sig.problem, http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		now := b.now
		b.mu.Unlock()
		f := v.verify(&verifyInput{r: r, sig: &sig, body: body, secret: testSecret, now: now, s3: sig.service == "s3"})
		if f != nil {
			http.Error(w, failureName(f.kind)+": "+f.msg+"\n"+f.canonical, http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func failureName(k authKind) string {
	return map[authKind]string{
		authMissing: "missing", authMalformed: "malformed", authUnknownKey: "unknown key",
		authMismatch: "mismatch", authSkewed: "skewed", authPresignExpired: "presign expired",
		authPresignNotYet: "presign not yet valid", authPayloadHashMismatch: "payload hash mismatch",
	}[k]
}

// send sends r and returns the verdict of the verify server.
func (b *verifyBundle) send(t *testing.T, r *http.Request) string {
	t.Helper()
	resp, err := b.srv.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return strings.TrimSpace(string(body))
}

func sha256HexString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// goSignerCase is a request signed by aws-sdk-go-v2's v4 signer.
type goSignerCase struct {
	name    string
	method  string
	path    string // escaped path and query, as the SDK sends it
	service string
	headers map[string]string
	body    string
	// unsignedPayload signs UNSIGNED-PAYLOAD with X-Amz-Content-Sha256 (S3).
	unsignedPayload bool
}

var goSignerCases = []goSignerCase{
	{name: "sqs json", method: "POST", path: "/", service: "sqs",
		headers: map[string]string{"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
		body:    `{"QueueUrl":"http://localhost/000000000000/q","MessageBody":"hi"}`},
	{name: "lambda arn in path is encoded twice", method: "POST", service: "lambda",
		path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations?Qualifier=%24LATEST",
		body: `{"k":"v"}`},
	{name: "query string sorted and encoded", method: "GET", service: "lambda",
		path: "/2015-03-31/functions/?Marker=a%2Bb%20c&MaxItems=10&FunctionVersion=ALL"},
	{name: "s3 key with reserved characters", method: "PUT", service: "s3",
		path:    "/photos/a%20b%2Bc%3Dd%2A%28%29.txt",
		headers: map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Note": "  two   spaces  "},
		body:    "meow"},
	{name: "s3 unsigned payload", method: "PUT", service: "s3", path: "/photos/k", body: "meow", unsignedPayload: true},
	{name: "s3 subresource without value", method: "GET", service: "s3", path: "/photos?acl"},
	{name: "sns query form", method: "POST", path: "/", service: "sns",
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		body:    "Action=Publish&Message=hi%20there&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At"},
}

// newGoSignerRequest builds the request of c aimed at the verify server.
func newGoSignerRequest(t *testing.T, base string, c goSignerCase) *http.Request {
	t.Helper()
	r, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	require.NoError(t, err)
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	if c.body == "" {
		r.Body = http.NoBody
		r.ContentLength = 0
	}
	return r
}

func goSigner(s3 bool) *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
}

var testCreds = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}

func TestVerifyGoSignerHeader(t *testing.T) {
	t.Parallel()
	b := setupVerify(t)
	signedAt := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b.setNow(signedAt.Add(3 * time.Minute))
	for _, c := range goSignerCases {
		t.Run(c.name, func(t *testing.T) {
			r := newGoSignerRequest(t, b.srv.URL, c)
			hash := sha256HexString(c.body)
			if c.unsignedPayload {
				hash = unsignedPayload
			}
			if c.service == "s3" {
				r.Header.Set("X-Amz-Content-Sha256", hash)
			}
			require.NoError(t, goSigner(c.service == "s3").SignHTTP(context.Background(), testCreds, r, hash, c.service, "us-east-1", signedAt))
			require.Equal(t, "ok", b.send(t, r))
		})
	}
}

func TestVerifyGoSignerPresigned(t *testing.T) {
	t.Parallel()
	b := setupVerify(t)
	signedAt := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b.setNow(signedAt.Add(time.Minute))
	for _, c := range goSignerCases {
		if c.method != "GET" && c.method != "PUT" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			r := newGoSignerRequest(t, b.srv.URL, c)
			r.Header.Set("X-Amz-Expires", "300")
			hash := sha256HexString(c.body)
			if c.service == "s3" {
				hash = unsignedPayload
			}
			u, hdr, err := goSigner(c.service == "s3").PresignHTTP(context.Background(), testCreds, r, hash, c.service, "us-east-1", signedAt)
			require.NoError(t, err)
			pr, err := http.NewRequest(c.method, u, strings.NewReader(c.body))
			require.NoError(t, err)
			for k, vs := range hdr {
				if strings.EqualFold(k, "Host") {
					continue
				}
				pr.Header[k] = vs
			}
			if c.body == "" {
				pr.Body = http.NoBody
			}
			require.Equal(t, "ok", b.send(t, pr))
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	b := setupVerify(t)
	signedAt := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b.setNow(signedAt)
	base := goSignerCase{name: "sqs json", method: "POST", path: "/", service: "sqs",
		headers: map[string]string{"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
		body:    `{"MessageBody":"hi"}`}
	sign := func(t *testing.T, c goSignerCase, secret string) *http.Request {
		r := newGoSignerRequest(t, b.srv.URL, c)
		creds := testCreds
		creds.SecretAccessKey = secret
		require.NoError(t, goSigner(false).SignHTTP(context.Background(), creds, r, sha256HexString(c.body), c.service, "us-east-1", signedAt))
		return r
	}
	t.Run("wrong secret", func(t *testing.T) {
		require.True(t, strings.HasPrefix(b.send(t, sign(t, base, "not-the-secret")), "mismatch"))
	})
	t.Run("body changed after signing", func(t *testing.T) {
		r := sign(t, base, testSecret)
		r.Body = io.NopCloser(strings.NewReader(`{"MessageBody":"ho"}`))
		require.True(t, strings.HasPrefix(b.send(t, r), "mismatch"))
	})
	t.Run("signed header changed after signing", func(t *testing.T) {
		r := sign(t, base, testSecret)
		r.Header.Set("X-Amz-Target", "AmazonSQS.DeleteQueue")
		require.True(t, strings.HasPrefix(b.send(t, r), "mismatch"))
	})
	t.Run("payload hash header lies", func(t *testing.T) {
		c := base
		c.service = "s3"
		c.method = "PUT"
		c.path = "/b/k"
		r := newGoSignerRequest(t, b.srv.URL, c)
		wrong := sha256HexString("something else")
		r.Header.Set("X-Amz-Content-Sha256", wrong)
		require.NoError(t, goSigner(true).SignHTTP(context.Background(), testCreds, r, wrong, "s3", "us-east-1", signedAt))
		require.True(t, strings.HasPrefix(b.send(t, r), "payload hash mismatch"))
	})
	t.Run("signed 16 minutes ago", func(t *testing.T) {
		r := sign(t, base, testSecret)
		bb := setupVerify(t)
		bb.setNow(signedAt.Add(16 * time.Minute))
		r.URL.Host = strings.TrimPrefix(bb.srv.URL, "http://")
		r.Host = ""
		got := bb.send(t, r)
		// The host moved, so only the time check can be what fails first.
		require.Equal(t, "skewed: Signature expired: 20260101T120000Z is now earlier than 20260101T120100Z (20260101T121600Z - 15 min.)", strings.SplitN(got, "\n", 2)[0])
	})
	t.Run("presigned URL expired", func(t *testing.T) {
		bb := setupVerify(t)
		r, err := http.NewRequest("GET", bb.srv.URL+"/photos/k", nil)
		require.NoError(t, err)
		r.Header.Set("X-Amz-Expires", "60")
		u, _, err := goSigner(true).PresignHTTP(context.Background(), testCreds, r, unsignedPayload, "s3", "us-east-1", signedAt)
		require.NoError(t, err)
		bb.setNow(signedAt.Add(59 * time.Second))
		pr, _ := http.NewRequest("GET", u, nil)
		require.Equal(t, "ok", bb.send(t, pr))
		bb.setNow(signedAt.Add(61 * time.Second))
		pr, _ = http.NewRequest("GET", u, nil)
		require.True(t, strings.HasPrefix(bb.send(t, pr), "presign expired"))
	})
}

// TestVerifyBotocore verifies requests signed by botocore (testdata/sign_requests.py): header
// signatures for JSON, query, rest-json and S3 requests, and presigned URLs.
func TestVerifyBotocore(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore is not installed")
	}
	b := setupVerify(t)
	cmd := exec.Command("python3", "testdata/sign_requests.py", b.srv.URL, testAccessKey, testSecret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var reqs []struct {
		Name    string     `json:"name"`
		Method  string     `json:"method"`
		URL     string     `json:"url"`
		Headers [][]string `json:"headers"`
		Body    string     `json:"body"`
		Date    string     `json:"date"`
	}
	require.NoError(t, json.Unmarshal(out, &reqs))
	require.NotEmpty(t, reqs)
	for _, c := range reqs {
		t.Run(c.Name, func(t *testing.T) {
			signedAt, err := time.Parse(amzDateLayout, c.Date)
			require.NoError(t, err)
			b.setNow(signedAt.Add(time.Minute))
			r, err := http.NewRequest(c.Method, c.URL, strings.NewReader(c.Body))
			require.NoError(t, err)
			for _, h := range c.Headers {
				if strings.EqualFold(h[0], "Host") {
					r.Host = h[1]
					continue
				}
				r.Header.Add(h[0], h[1])
			}
			if c.Body == "" {
				r.Body = http.NoBody
			}
			require.Equal(t, "ok", b.send(t, r))
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		h           string
		wantKey     string
		wantRegion  string
		wantService string
		wantSigned  string
		wantProblem string
	}{
		{
			name:    "sdk",
			h:       "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd",
			wantKey: "AKID", wantRegion: "us-east-1", wantService: "sqs", wantSigned: "host;x-amz-date",
		},
		{
			name:    "no spaces after commas",
			h:       "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/s3/aws4_request,SignedHeaders=host,Signature=abcd",
			wantKey: "AKID", wantRegion: "eu-west-1", wantService: "s3", wantSigned: "host",
		},
		{
			name:    "space inside credential",
			h:       "AWS4-HMAC-SHA256 Credential=AKID /20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abcd",
			wantKey: "AKID", wantSigned: "host",
			wantProblem: "'/20260101/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID /20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abcd'.",
		},
		{
			name:    "missing parts",
			h:       "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request",
			wantKey: "AKID", wantRegion: "us-east-1", wantService: "sqs",
			wantProblem: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request",
		},
		{
			name:        "pair without equal sign",
			h:           "AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=abcd",
			wantSigned:  "host",
			wantProblem: "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=abcd'.",
		},
		{
			name:    "bad terminator",
			h:       "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws5_request, SignedHeaders=host, Signature=abcd",
			wantKey: "AKID", wantRegion: "us-east-1", wantService: "sqs", wantSigned: "host",
			wantProblem: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
		},
		{
			name:        "signature version 2",
			h:           "AWS AKID:c2lnbmF0dXJl",
			wantKey:     "AKID",
			wantProblem: "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := parseAuthorization(tt.h)
			require.True(t, s.present)
			require.Equal(t, tt.wantKey, s.accessKey)
			require.Equal(t, tt.wantRegion, s.region)
			require.Equal(t, tt.wantService, s.service)
			require.Equal(t, tt.wantSigned, s.signedHeaders)
			require.Equal(t, tt.wantProblem, s.problem)
		})
	}
}

func TestParseSignatureAllocations(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	var s signature
	allocs := testing.AllocsPerRun(100, func() { s = parseSignature(r) })
	require.Equal(t, "sqs", s.service)
	require.Zero(t, allocs)
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1&a=0", "a=0&a=1&b=2"},
		{"acl", "acl="},
		{"Marker=a+b%20c%2F", "Marker=a%20b%20c%2F"},
		{"k=%7Etilde&X-Amz-Signature=00", "X-Amz-Signature=00&k=~tilde"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, canonicalQuery(tt.raw, false), tt.raw)
	}
	require.Equal(t, "k=v", canonicalQuery("k=v&X-Amz-Signature=00", true))
}

func TestRemoveDotSegments(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/a//b/", "/a/b/"},
		{"/a/./b/../c", "/a/c"},
		{"/..", "/"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, removeDotSegments(tt.in), tt.in)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0f1e2d",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=x",
		"AWS AKID:sig",
		"AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/events/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100",
		"AWS4-HMAC-SHA256 ,,,=,",
		"Bearer token",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		s := parseAuthorization(h)
		if s.problem == "" && !s.v2 {
			if (s.algorithm != sigV4Algorithm && s.algorithm != sigV4aAlgorithm) || s.sig == "" || s.signedHeaders == "" || s.terminator != sigV4Terminator {
				t.Fatalf("well-formed signature with missing parts: %+v", s)
			}
			if got := s.accessKey + "/" + s.scope(); got != s.credential {
				t.Fatalf("credential %q re-joins as %q", s.credential, got)
			}
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20260101T000000Z")
		ps := parseSignature(r)
		if ps.problem == "" && ps.present && !ps.v2 {
			var v verifier
			_ = v.verify(&verifyInput{r: r, sig: &ps, secret: "s", now: time.Now()})
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "acl", "%zz=1", "x=%E2%82%AC&&=&+=+", "X-Amz-Signature=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := canonicalQuery(raw, true)
		// The canonical form is already canonical.
		if again := canonicalQuery(q, false); again != q {
			t.Fatalf("canonicalQuery(%q) = %q, then %q", raw, q, again)
		}
	})
}
