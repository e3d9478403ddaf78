package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
)

// wireError is an error response as a client reads it, whatever the protocol.
type wireError struct {
	status     int
	code       string
	message    string
	queryError string
	raw        string
}

var (
	xmlCode    = regexp.MustCompile(`<Code>([^<]*)</Code>`)
	xmlMessage = regexp.MustCompile(`<Message>([^<]*)</Message>`)
)

func readWireError(t *testing.T, rec *httptest.ResponseRecorder) wireError {
	t.Helper()
	raw := rec.Body.String()
	w := wireError{status: rec.Code, raw: raw, queryError: rec.Header().Get("X-Amzn-Query-Error")}
	if m := xmlCode.FindStringSubmatch(raw); m != nil {
		w.code = m[1]
		if mm := xmlMessage.FindStringSubmatch(raw); mm != nil {
			w.message = mm[1]
		}
		return w
	}
	var body map[string]any
	if json.Unmarshal([]byte(raw), &body) == nil {
		w.code, _ = body["__type"].(string)
		w.message, _ = body["message"].(string)
		if w.message == "" {
			w.message, _ = body["Message"].(string)
		}
	}
	if h := rec.Header().Get("X-Amzn-Errortype"); h != "" && w.code == "" {
		w.code = h
	}
	if i := strings.IndexByte(w.code, ':'); i >= 0 {
		w.code = w.code[:i]
	}
	if i := strings.LastIndexByte(w.code, '#'); i >= 0 {
		w.code = w.code[i+1:]
	}
	return w
}

func serve(e *Edge, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	return rec
}

// TestAuthCapturedRequests replays the botocore requests of testdata/requests.json, signed
// with the secret "secret", through an edge in sigv4 mode.
func TestAuthCapturedRequests(t *testing.T) {
	t.Parallel()
	reqs := MustCapturedRequests(t)
	var latest time.Time
	for _, c := range reqs {
		for _, h := range c.Headers {
			if h[0] == "X-Amz-Date" {
				ts, err := time.Parse(amzDateLayout, h[1])
				require.NoError(t, err)
				if ts.After(latest) {
					latest = ts
				}
			}
		}
	}
	require.False(t, latest.IsZero())
	e := MustModelEdge(t, Config{
		Auth:  AuthSigV4,
		Clock: clock.NewVirtual(latest.Add(time.Minute)),
		Credentials: map[string]Credential{
			"AKIAIOSFODNN7EXAMPLE": {Secret: "secret"},
			"123456789012":         {Secret: "secret"},
		},
	})
	for _, c := range reqs {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rec := serve(e, c.httpRequest(t))
			require.Less(t, rec.Code, 300, rec.Body.String())
		})
	}
}

// authBundle is an edge in sigv4 mode serving the test models, at a fixed time.
type authBundle struct {
	edge  *Edge
	clock *clock.Virtual
	now   time.Time
}

func setupAuth(t *testing.T) *authBundle {
	t.Helper()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	vc := clock.NewVirtual(now)
	e := MustModelEdge(t, Config{
		Auth:        AuthSigV4,
		Clock:       vc,
		Credentials: map[string]Credential{testAccessKey: {Secret: testSecret, Account: "444455556666"}},
	})
	return &authBundle{edge: e, clock: vc, now: now}
}

// request is a request of one protocol family for the auth tests.
type authRequest struct {
	service string
	method  string
	path    string
	headers map[string]string
	body    string
}

var authRequests = map[string]authRequest{
	"sqs": {service: "sqs", method: "POST", path: "/", body: `{"QueueName":"q"}`,
		headers: map[string]string{"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"}},
	"lambda": {service: "lambda", method: "GET", path: "/2015-03-31/functions/"},
	"sns": {service: "sns", method: "POST", path: "/", body: "Action=ListTopics&Version=2010-03-31",
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
	"s3": {service: "s3", method: "GET", path: "/photos?list-type=2"},
}

// signed builds the request of kind, signed at t with secret by aws-sdk-go-v2.
func (b *authBundle) signed(t *testing.T, kind, key, secret string, at time.Time) *http.Request {
	t.Helper()
	a := authRequests[kind]
	r := httptest.NewRequest(a.method, "http://localhost:4566"+a.path, strings.NewReader(a.body))
	r.RequestURI = r.URL.RequestURI()
	for k, v := range a.headers {
		r.Header.Set(k, v)
	}
	r.ContentLength = int64(len(a.body))
	hash := sha256HexString(a.body)
	if a.service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	creds := testCreds
	creds.AccessKeyID, creds.SecretAccessKey = key, secret
	require.NoError(t, goSigner(a.service == "s3").SignHTTP(context.Background(), creds, r, hash, a.service, "us-east-1", at))
	return r
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	b := setupAuth(t)
	type want struct {
		status     int
		code       string
		message    string
		queryError string
	}
	tests := []struct {
		name string
		kind string
		req  func(t *testing.T) *http.Request
		want want
	}{
		{name: "valid", kind: "sqs", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sqs", testAccessKey, testSecret, b.now)
		}, want: want{status: 200}},
		{name: "valid", kind: "s3", req: func(t *testing.T) *http.Request {
			return b.signed(t, "s3", testAccessKey, testSecret, b.now.Add(-14*time.Minute))
		}, want: want{status: 200}},

		{name: "unknown key", kind: "sqs", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sqs", "AKIDUNKNOWN", testSecret, b.now)
		}, want: want{403, "InvalidClientTokenId", msgInvalidToken, "InvalidClientTokenId;Sender"}},
		{name: "unknown key", kind: "lambda", req: func(t *testing.T) *http.Request {
			return b.signed(t, "lambda", "AKIDUNKNOWN", testSecret, b.now)
		}, want: want{403, "UnrecognizedClientException", msgInvalidToken, ""}},
		{name: "unknown key", kind: "sns", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sns", "AKIDUNKNOWN", testSecret, b.now)
		}, want: want{403, "InvalidClientTokenId", msgInvalidToken, ""}},
		{name: "unknown key", kind: "s3", req: func(t *testing.T) *http.Request {
			return b.signed(t, "s3", "AKIDUNKNOWN", testSecret, b.now)
		}, want: want{403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", ""}},

		{name: "wrong secret", kind: "sqs", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sqs", testAccessKey, "wrong", b.now)
		}, want: want{403, "SignatureDoesNotMatch", msgSignatureNoMatch, "SignatureDoesNotMatch;Sender"}},
		{name: "wrong secret", kind: "lambda", req: func(t *testing.T) *http.Request {
			return b.signed(t, "lambda", testAccessKey, "wrong", b.now)
		}, want: want{403, "InvalidSignatureException", msgSignatureNoMatch, ""}},
		{name: "wrong secret", kind: "sns", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sns", testAccessKey, "wrong", b.now)
		}, want: want{403, "SignatureDoesNotMatch", msgSignatureNoMatch, ""}},
		{name: "wrong secret", kind: "s3", req: func(t *testing.T) *http.Request {
			return b.signed(t, "s3", testAccessKey, "wrong", b.now)
		}, want: want{403, "SignatureDoesNotMatch", msgS3NoMatch, ""}},

		{name: "unsigned", kind: "sqs", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "sqs", testAccessKey, testSecret, b.now)
			r.Header.Del("Authorization")
			return r
		}, want: want{403, "MissingAuthenticationToken", "Request is missing Authentication Token", "MissingAuthenticationToken;Sender"}},
		{name: "unsigned", kind: "lambda", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "lambda", testAccessKey, testSecret, b.now)
			r.Header.Del("Authorization")
			return r
		}, want: want{403, "MissingAuthenticationTokenException", "Missing Authentication Token", ""}},
		{name: "unsigned", kind: "s3", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "s3", testAccessKey, testSecret, b.now)
			r.Header.Del("Authorization")
			return r
		}, want: want{403, "AccessDenied", "Access Denied", ""}},

		{name: "signed 20 minutes ago", kind: "lambda", req: func(t *testing.T) *http.Request {
			return b.signed(t, "lambda", testAccessKey, testSecret, b.now.Add(-20*time.Minute))
		}, want: want{400, "InvalidSignatureException",
			"Signature expired: 20260301T094000Z is now earlier than 20260301T094500Z (20260301T100000Z - 15 min.)", ""}},
		{name: "signed 20 minutes ahead", kind: "sns", req: func(t *testing.T) *http.Request {
			return b.signed(t, "sns", testAccessKey, testSecret, b.now.Add(20*time.Minute))
		}, want: want{403, "SignatureDoesNotMatch",
			"Signature not yet current: 20260301T102000Z is still later than 20260301T101500Z (20260301T100000Z + 15 min.)", ""}},
		{name: "signed 20 minutes ago", kind: "s3", req: func(t *testing.T) *http.Request {
			return b.signed(t, "s3", testAccessKey, testSecret, b.now.Add(-20*time.Minute))
		}, want: want{403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", ""}},

		{name: "garbled header", kind: "sns", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "sns", testAccessKey, testSecret, b.now)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20260301/us-east-1/sns/aws4_request")
			return r
		}, want: want{400, "IncompleteSignature",
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + testAccessKey + "/20260301/us-east-1/sns/aws4_request", ""}},
		{name: "garbled header", kind: "lambda", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "lambda", testAccessKey, testSecret, b.now)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential= ", 1))
			return r
		}, want: want{status: 400, code: "IncompleteSignatureException"}},
		{name: "garbled header", kind: "s3", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "s3", testAccessKey, testSecret, b.now)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20260301/us-east-1/s3/aws4_request")
			return r
		}, want: want{400, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", ""}},
		{name: "scoped to another service", kind: "sqs", req: func(t *testing.T) *http.Request {
			r := b.signed(t, "sqs", testAccessKey, testSecret, b.now)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/sqs/", "/sns/", 1))
			return r
		}, want: want{400, "IncompleteSignature", "Credential should be scoped to correct service: 'sqs'. ", "IncompleteSignature;Sender"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.name, func(t *testing.T) {
			t.Parallel()
			rec := serve(b.edge, tt.req(t))
			if tt.want.status == 200 {
				require.Equal(t, 200, rec.Code, rec.Body.String())
				return
			}
			got := readWireError(t, rec)
			require.Equal(t, tt.want.status, got.status, got.raw)
			require.Equal(t, tt.want.code, got.code, got.raw)
			if tt.want.message != "" {
				require.Equal(t, tt.want.message, got.message, got.raw)
			}
			require.Equal(t, tt.want.queryError, got.queryError)
		})
	}
}

func TestAuthNoAuthOperation(t *testing.T) {
	t.Parallel()
	b := setupAuth(t)
	// Cognito's InitiateAuth is modeled without authentication; CreateUserPool is not.
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	require.Equal(t, 200, serve(b.edge, r).Code)
	r = httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool")
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	got := readWireError(t, serve(b.edge, r))
	require.Equal(t, "MissingAuthenticationTokenException", got.code, got.raw)
}

func TestAuthSessionToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	e := MustModelEdge(t, Config{
		Auth:  AuthSigV4,
		Clock: clock.NewVirtual(now),
		CredentialFunc: func(akid string) (Credential, bool) {
			if akid != "ASIATEMPORARY" {
				return Credential{}, false
			}
			return Credential{Secret: testSecret, Account: "777788889999", SessionToken: "token-1"}, true
		},
	})
	b := &authBundle{edge: e, now: now}
	for _, tc := range []struct {
		token string
		want  int
	}{{"token-1", 200}, {"token-2", 403}, {"", 403}} {
		r := b.signed(t, "lambda", "ASIATEMPORARY", testSecret, now)
		if tc.token != "" {
			r.Header.Set("X-Amz-Security-Token", tc.token)
		}
		rec := serve(e, r)
		require.Equal(t, tc.want, rec.Code, "token %q: %s", tc.token, rec.Body.String())
	}
}

// TestAuthExpiredToken: temporary credentials past their expiry answer AWS's
// ExpiredToken, worded per service family, even when the signature is right.
func TestAuthExpiredToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	e := MustModelEdge(t, Config{
		Auth:  AuthSigV4,
		Clock: clock.NewVirtual(now),
		CredentialFunc: func(akid string) (Credential, bool) {
			exp := now.Add(time.Hour)
			if akid == "ASIAEXPIRED" {
				exp = now.Add(-time.Second)
			}
			return Credential{Secret: testSecret, Account: "777788889999", SessionToken: "token-1", Expires: exp}, true
		},
	})
	b := &authBundle{edge: e, now: now}
	for _, tc := range []struct {
		svc, akid string
		status    int
		code      string
	}{
		{"lambda", "ASIAVALID", 200, ""},
		{"lambda", "ASIAEXPIRED", 403, "ExpiredTokenException"},
		{"sns", "ASIAEXPIRED", 403, "ExpiredToken"},
	} {
		r := b.signed(t, tc.svc, tc.akid, testSecret, now)
		r.Header.Set("X-Amz-Security-Token", "token-1")
		rec := serve(e, r)
		require.Equal(t, tc.status, rec.Code, "%s %s: %s", tc.svc, tc.akid, rec.Body.String())
		if tc.code != "" {
			require.Contains(t, rec.Body.String()+rec.Header().Get("X-Amzn-Errortype"), tc.code)
			require.Contains(t, rec.Body.String(), "The security token included in the request is expired")
		}
	}
}

// awsChunkedExample is the body of AWS's signed chunked upload example
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html): 66560 bytes
// of 'a' in chunks of 65536, 1024 and 0 bytes, with the documented signatures.
func awsChunkedExample(corrupt bool) []byte {
	var b bytes.Buffer
	for _, c := range []struct {
		n   int
		sig string
	}{
		{65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
		{1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
		{0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"},
	} {
		b.WriteString(strconv.FormatInt(int64(c.n), 16) + ";chunk-signature=" + c.sig + "\r\n")
		data := bytes.Repeat([]byte("a"), c.n)
		if corrupt && c.n == 1024 {
			data[7] = 'b'
		}
		b.Write(data)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func awsChunkedExampleRequest(body []byte) *http.Request {
	r := httptest.NewRequest("PUT", "/examplebucket/chunkObject.txt", bytes.NewReader(body))
	r.Host = "s3.amazonaws.com"
	for k, v := range map[string]string{
		"X-Amz-Date":                   "20130524T000000Z",
		"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
		"X-Amz-Content-Sha256":         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Decoded-Content-Length": "66560",
		"Content-Length":               strconv.Itoa(len(body)),
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	} {
		r.Header.Set(k, v)
	}
	return r
}

func TestAuthChunkedUpload(t *testing.T) {
	t.Parallel()
	e := MustModelEdge(t, Config{
		Auth:        AuthSigV4,
		Clock:       clock.NewVirtual(time.Date(2013, 5, 24, 0, 1, 0, 0, time.UTC)),
		Credentials: map[string]Credential{testAccessKey: {Secret: testSecret}},
	})
	rec := serve(e, awsChunkedExampleRequest(awsChunkedExample(false)))
	require.Equal(t, 200, rec.Code, rec.Body.String())

	got := readWireError(t, serve(e, awsChunkedExampleRequest(awsChunkedExample(true))))
	require.Equal(t, 403, got.status, got.raw)
	require.Equal(t, "SignatureDoesNotMatch", got.code)
}

func TestDecodeAWSChunked(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("Content-Encoding", "aws-chunked,gzip")
	out, perr := decodeAWSChunked(awsChunkedExample(false), h)
	require.Nil(t, perr)
	require.Equal(t, bytes.Repeat([]byte("a"), 66560), out)
	require.Equal(t, "gzip", h.Get("Content-Encoding"))
	require.Equal(t, "66560", h.Get("Content-Length"))

	// Unsigned chunks with a trailing checksum, as SDKs send STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	h = http.Header{"Content-Encoding": {"aws-chunked"}}
	out, perr = decodeAWSChunked([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), h)
	require.Nil(t, perr)
	require.Equal(t, "hello", string(out))
	require.Equal(t, "NhCmhg==", h.Get("X-Amz-Checksum-Crc32"))
	require.Empty(t, h.Values("Content-Encoding"))

	for _, bad := range []string{"", "zz\r\n", "5\r\nhel", "5\r\nhelloXX0\r\n\r\n", "0\r\nno-colon\r\n"} {
		_, perr := decodeAWSChunked([]byte(bad), http.Header{})
		require.NotNil(t, perr, "%q", bad)
		require.Equal(t, "IncompleteBody", perr.Code)
	}
}

func FuzzParseAWSChunked(f *testing.F) {
	f.Add(awsChunkedExample(false)[:200])
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"))
	f.Add([]byte("0;chunk-signature=00\r\n\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, perr := parseAWSChunked(body)
		if perr != nil {
			return
		}
		n := 0
		for _, c := range p.chunks {
			n += len(c.data)
		}
		if n > len(body) {
			t.Fatalf("%d payload bytes from a %d-byte body", n, len(body))
		}
		if last := p.chunks[len(p.chunks)-1]; len(last.data) != 0 {
			t.Fatalf("last chunk is not empty")
		}
	})
}

func TestReadBodyIncomplete(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/", io.LimitReader(strings.NewReader("0123456789"), 4))
	r.ContentLength = 10
	_, perr := readBody(r, 100, familyJSON)
	require.NotNil(t, perr)
	require.Equal(t, "IncompleteBody", perr.Code)
}

func TestAuthSignatureVersion2(t *testing.T) {
	t.Parallel()
	b := setupAuth(t)
	off := MustModelEdge(t, Config{Credentials: map[string]Credential{testAccessKey: {Secret: testSecret, Account: "444455556666"}}})
	// boto3 presigns S3 URLs with Signature Version 2 unless told otherwise.
	r := httptest.NewRequest("GET", "/photos/k?AWSAccessKeyId="+testAccessKey+"&Signature=c2ln&Expires=1900000000", nil)
	got := readWireError(t, serve(b.edge, r))
	require.Equal(t, 400, got.status, got.raw)
	require.Equal(t, "InvalidRequest", got.code)

	var x exchange
	x.req.HTTP = r
	sig := parseSignature(r)
	off.fillCall(&x, &sig)
	require.Equal(t, "444455556666", x.call.Account)
	require.Equal(t, 200, serve(off, httptest.NewRequest("GET", "/photos/k?AWSAccessKeyId="+testAccessKey+"&Signature=c2ln&Expires=1900000000", nil)).Code)
}
