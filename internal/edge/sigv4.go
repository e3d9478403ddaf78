package edge

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Names and formats of Signature Version 4, as in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html.
const (
	sigV4Algorithm   = "AWS4-HMAC-SHA256"
	sigV4Terminator  = "aws4_request"
	amzDateLayout    = "20060102T150405Z"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
	emptySHA256      = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	maxClockSkew     = 15 * time.Minute
	maxPresignExpiry = 7 * 24 * 60 * 60
)

// signature is what a request says about its signature: the credential scope (which names
// the access key, region and service), the signed headers and the signature itself. Its
// strings point into the request's header or query; parsing allocates nothing for header
// signatures, which is every SDK call.
type signature struct {
	// present is true when the request carries any signature (header, presigned query or
	// a legacy Signature Version 2 header).
	present bool
	// presigned is true for a signature in the query string (X-Amz-Credential, ...).
	presigned bool
	// v2 is true for the legacy "AWS AKID:signature" header; only the access key is known.
	v2 bool
	// v4a is true for a Signature Version 4a (AWS4-ECDSA-P256-SHA256) signature, whose
	// scope has no region; region is then the region set's only region, if it names one.
	v4a bool

	// raw is the Authorization header as sent (for messages).
	raw        string
	algorithm  string
	credential string
	accessKey  string
	date       string
	region     string
	service    string
	terminator string
	// signedHeaders is the semicolon-separated list, e.g. "host;x-amz-date".
	signedHeaders string
	// sig is the hex signature the client sent.
	sig string
	// amzDate is X-Amz-Date (header or query), or the Date header converted.
	amzDate string
	// expires is X-Amz-Expires of a presigned request.
	expires string
	// token is X-Amz-Security-Token.
	token string
	// regionSet is X-Amz-Region-Set (header or query) of a SigV4a signature.
	regionSet string

	// problem says why the signature is malformed, as AWS words it; "" when well formed.
	// Only the sigv4 mode acts on it.
	problem string
}

// parseSignature reads the signature of r from its Authorization header or, failing that,
// its presigned query parameters. It never fails: a malformed signature keeps what could
// be read (so the off mode can still use the scope) and says why in problem.
func parseSignature(r *http.Request) signature {
	if h := r.Header["Authorization"]; len(h) > 0 && h[0] != "" {
		s := parseAuthorization(h[0])
		s.amzDate = headerValue(r.Header, "X-Amz-Date")
		s.token = headerValue(r.Header, "X-Amz-Security-Token")
		if s.v4a {
			s.setRegionSet(headerValue(r.Header, regionSetHeader))
		}
		if s.amzDate == "" && !s.v2 {
			if d := headerValue(r.Header, "Date"); d != "" {
				if t, err := http.ParseTime(d); err == nil {
					s.amzDate = t.UTC().Format(amzDateLayout)
				}
			}
			if s.amzDate == "" && s.problem == "" {
				s.problem = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + s.raw
			}
		}
		return s
	}
	// AWS matches the presigned parameters case-sensitively; checking for the credential
	// first keeps the common unsigned or header-signed path free of query parsing.
	if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		return parsePresigned(r.URL.RawQuery)
	}
	if strings.Contains(r.URL.RawQuery, "AWSAccessKeyId=") {
		// A Signature Version 2 presigned URL (boto3's default for S3 in us-east-1).
		key, _ := formValue(r.URL.RawQuery, "AWSAccessKeyId")
		return signature{present: true, presigned: true, v2: true, accessKey: key, problem: sigV2Problem}
	}
	return signature{}
}

// headerValue returns the first value of a header given in canonical form, without the
// key canonicalisation http.Header.Get performs.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

const sigV2Problem = "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256."

// parseAuthorization parses an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request,
//	SignedHeaders=host;x-amz-date, Signature=0123abcd...
func parseAuthorization(h string) signature {
	s := signature{present: true, raw: h}
	alg, rest, _ := strings.Cut(strings.TrimLeft(h, " "), " ")
	s.algorithm = alg
	s.v4a = alg == sigV4aAlgorithm
	if alg == "AWS" {
		// Signature Version 2: "AWS AKID:signature".
		s.v2 = true
		s.accessKey, _, _ = strings.Cut(strings.TrimSpace(rest), ":")
		s.problem = sigV2Problem
		return s
	}
	// AWS splits the parameters at commas and white space, so a stray space inside a
	// value leaves a piece without '=' (a copied access key with a trailing space).
	for rest != "" {
		i := indexSeparator(rest)
		part := rest
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			if s.problem == "" {
				s.problem = "'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + h + "'."
			}
			continue
		}
		switch k {
		case "Credential":
			s.credential = v
		case "SignedHeaders":
			s.signedHeaders = v
		case "Signature":
			s.sig = v
		}
	}
	s.parseCredential()
	if s.problem != "" {
		return s
	}
	var missing []string
	if s.credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if s.sig == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if s.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		s.problem = strings.Join(missing, " ") + " Authorization=" + h
		return s
	}
	if alg != sigV4Algorithm && !s.v4a {
		s.problem = "Unsupported AWS 'algorithm': '" + alg + "'"
	}
	return s
}

// indexSeparator returns the index of the first comma, space or tab in s, or -1.
func indexSeparator(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == ' ' || c == '\t' {
			return i
		}
	}
	return -1
}

// parsePresigned reads a signature from the X-Amz-* query parameters of a presigned URL.
func parsePresigned(rawQuery string) signature {
	q, _ := url.ParseQuery(rawQuery)
	s := signature{
		present:       true,
		presigned:     true,
		algorithm:     q.Get("X-Amz-Algorithm"),
		credential:    q.Get("X-Amz-Credential"),
		signedHeaders: q.Get("X-Amz-SignedHeaders"),
		sig:           q.Get("X-Amz-Signature"),
		amzDate:       q.Get("X-Amz-Date"),
		expires:       q.Get("X-Amz-Expires"),
		token:         q.Get("X-Amz-Security-Token"),
	}
	s.v4a = s.algorithm == sigV4aAlgorithm
	s.parseCredential()
	if s.problem != "" {
		return s
	}
	var missing []string
	for _, p := range [...]struct{ name, v string }{
		{"X-Amz-Algorithm", s.algorithm},
		{"X-Amz-Credential", s.credential},
		{"X-Amz-Signature", s.sig},
		{"X-Amz-SignedHeaders", s.signedHeaders},
		{"X-Amz-Date", s.amzDate},
	} {
		if p.v == "" {
			missing = append(missing, "AWS query-string parameters must include '"+p.name+"'.")
		}
	}
	switch {
	case len(missing) > 0:
		s.problem = strings.Join(missing, " ") + " Re-examine the query-string parameters."
	case s.algorithm != sigV4Algorithm && !s.v4a:
		s.problem = "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\" and \"AWS4-ECDSA-P256-SHA256\""
	case s.v4a:
		s.setRegionSet(q.Get(regionSetHeader))
	}
	return s
}

// parseCredential splits the credential "AKID/20260101/us-east-1/sqs/aws4_request" (or,
// for SigV4a, "AKID/20260101/sqs/aws4_request") into its scope.
func (s *signature) parseCredential() {
	if s.credential == "" {
		return
	}
	want := 5
	if s.v4a {
		want = 4
	}
	parts := s.credential
	var fields [5]string
	n := 0
	for n < want {
		i := strings.IndexByte(parts, '/')
		if i < 0 {
			fields[n] = parts
			n++
			parts = ""
			break
		}
		fields[n] = parts[:i]
		parts = parts[i+1:]
		n++
	}
	// The access key is useful even when the rest is garbled: the off mode still maps it
	// to an account.
	s.accessKey = fields[0]
	if s.problem != "" {
		return
	}
	switch {
	case s.v4a && (n != 4 || parts != ""):
		s.problem = "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got '" + s.credential + "'"
		return
	case s.v4a:
		s.date, s.service, s.terminator = fields[1], fields[2], fields[3]
	case n != 5 || parts != "":
		s.problem = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + s.credential + "'"
		return
	default:
		s.date, s.region, s.service, s.terminator = fields[1], fields[2], fields[3], fields[4]
	}
	if s.terminator != sigV4Terminator && s.problem == "" {
		s.problem = "Credential should be scoped with a valid terminator: 'aws4_request', not '" + s.terminator + "'."
	}
}

// scope returns "20260101/us-east-1/sqs/aws4_request", or for SigV4a
// "20260101/sqs/aws4_request".
func (s *signature) scope() string {
	if s.v4a {
		return s.date + "/" + s.service + "/" + s.terminator
	}
	return s.date + "/" + s.region + "/" + s.service + "/" + s.terminator
}

// setRegionSet records the region set of a SigV4a signature, which it requires, and takes
// the call's region from it when it names a single region.
func (s *signature) setRegionSet(set string) {
	s.regionSet = set
	s.region = regionOfSet(set)
	if set == "" && s.problem == "" {
		s.problem = "SigV4a requests must include the '" + regionSetHeader + "' header or query parameter."
	}
}

// authFailure is why a signature was rejected, before it is worded for the service.
type authFailure struct {
	kind authKind
	// msg is the message where the kind's message varies (malformed, expired).
	msg string
	// Details for S3's error body.
	stringToSign   string
	canonical      string
	requestTime    string
	serverTime     string
	expires        string
	clientSHA256   string
	computedSHA256 string
}

type authKind int

const (
	authMissing authKind = iota + 1
	authMalformed
	authUnknownKey
	authMismatch
	authSkewed
	authPresignExpired
	authPresignNotYet
	authPayloadHashMismatch
	authExpiredToken
)

// verifier checks Signature Version 4 signatures. It caches derived signing keys, which
// change once a day per key, region and service. It is safe for concurrent use.
type verifier struct {
	mu   sync.Mutex
	keys map[string][]byte
	// ecKeys are the SigV4a public keys by access key and secret.
	ecKeys map[string]*ecdsa.PublicKey
}

// maxCachedKeys bounds the signing-key cache; it is cleared when full, which costs one
// derivation per key afterwards.
const maxCachedKeys = 1024

func (v *verifier) signingKey(secret, date, region, service string) []byte {
	ck := secret + "\x00" + date + "\x00" + region + "\x00" + service
	v.mu.Lock()
	k, ok := v.keys[ck]
	v.mu.Unlock()
	if ok {
		return k
	}
	k = hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, sigV4Terminator)
	v.mu.Lock()
	if v.keys == nil || len(v.keys) >= maxCachedKeys {
		v.keys = make(map[string][]byte)
	}
	v.keys[ck] = k
	v.mu.Unlock()
	return k
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// verifyInput is what verification needs of a request.
type verifyInput struct {
	r    *http.Request
	sig  *signature
	body []byte
	// bodyHash is the hex SHA-256 of body, computed lazily.
	bodyHash string
	secret   string
	now      time.Time
	// s3 selects S3's canonical URI rule (no second encoding, no normalisation).
	s3 bool
}

// verify checks a parsed, well-formed Signature Version 4 or 4a signature against the
// secret. It returns nil when the signature is valid.
func (v *verifier) verify(in *verifyInput) *authFailure {
	s := in.sig
	t, err := time.Parse(amzDateLayout, s.amzDate)
	if err != nil {
		return &authFailure{kind: authMalformed, msg: "Date must be in ISO-8601 'basic format'. Got '" + s.amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
	}
	if s.presigned {
		if f := checkPresignTime(s, t, in.now); f != nil {
			return f
		}
	} else if f := checkSkew(t, in.now); f != nil {
		return f
	}
	if s.date != s.amzDate[:8] {
		return &authFailure{kind: authMismatch, msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + s.date + "' != '" + s.amzDate[:8] + "', from '" + s.amzDate + "'."}
	}

	algorithm, match := sigV4Algorithm, func(string) bool { return false }
	if s.v4a {
		algorithm = sigV4aAlgorithm
		if m, err := v.sigV4aMatcher(in); err == nil {
			match = m
		}
	} else {
		key := v.signingKey(in.secret, s.date, s.region, s.service)
		sig := []byte(strings.ToLower(s.sig))
		match = func(sts string) bool {
			return hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(key, sts))), sig)
		}
	}
	uri := canonicalURI(in.r, in.s3)
	query := canonicalQuery(in.r.URL.RawQuery, s.presigned)
	headers, ok := canonicalHeaders(in.r, s.signedHeaders)
	if !ok {
		return &authFailure{kind: authMalformed, msg: "Signed headers must be lowercase, sorted and separated by semicolons: '" + s.signedHeaders + "'."}
	}

	claimed := headerValue(in.r.Header, "X-Amz-Content-Sha256")
	hashes := payloadHashes(in, claimed)
	var first authFailure
	for _, u := range uris(uri, in) {
		for _, ph := range hashes {
			canonical := in.r.Method + "\n" + u + "\n" + query + "\n" + headers + "\n" + s.signedHeaders + "\n" + ph
			sts := algorithm + "\n" + s.amzDate + "\n" + s.scope() + "\n" + sha256Hex([]byte(canonical))
			if match(sts) {
				return checkPayloadHash(in, claimed)
			}
			if first.kind == 0 {
				first = authFailure{kind: authMismatch, stringToSign: sts, canonical: canonical}
			}
		}
	}
	return &first
}

// uris returns the canonical URIs to try: the one AWS defines and, for services other
// than S3 whose path has empty or dot segments, the unnormalised one too (botocore
// normalises such paths before signing, aws-sdk-go-v2 does not).
func uris(normalized string, in *verifyInput) []string {
	if in.s3 {
		return []string{normalized}
	}
	raw := uriEncode(escapedPath(in.r), false)
	if raw == normalized {
		return []string{normalized}
	}
	return []string{normalized, raw}
}

// payloadHashes returns the payload hashes the client may have signed with.
func payloadHashes(in *verifyInput, claimed string) []string {
	if claimed != "" {
		return []string{claimed}
	}
	if in.bodyHash == "" {
		in.bodyHash = sha256Hex(in.body)
	}
	if in.sig.presigned {
		// S3 presigned URLs sign UNSIGNED-PAYLOAD; other services' presigners sign the
		// hash of the (usually empty) body.
		return []string{in.bodyHash, unsignedPayload}
	}
	return []string{in.bodyHash}
}

// checkPayloadHash rejects a body whose X-Amz-Content-Sha256 is a hash that does not
// match it. Streaming and unsigned payloads are not hashes.
func checkPayloadHash(in *verifyInput, claimed string) *authFailure {
	if len(claimed) != 64 {
		return nil
	}
	if _, err := hex.DecodeString(claimed); err != nil {
		return nil
	}
	if in.bodyHash == "" {
		in.bodyHash = sha256Hex(in.body)
	}
	if !strings.EqualFold(claimed, in.bodyHash) {
		return &authFailure{kind: authPayloadHashMismatch, clientSHA256: claimed, computedSHA256: in.bodyHash}
	}
	return nil
}

func checkSkew(t, now time.Time) *authFailure {
	switch {
	case now.Sub(t) > maxClockSkew:
		return &authFailure{
			kind:        authSkewed,
			msg:         "Signature expired: " + t.Format(amzDateLayout) + " is now earlier than " + now.Add(-maxClockSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " - 15 min.)",
			requestTime: t.Format(amzDateLayout), serverTime: now.UTC().Format(time.RFC3339),
		}
	case t.Sub(now) > maxClockSkew:
		return &authFailure{
			kind:        authSkewed,
			msg:         "Signature not yet current: " + t.Format(amzDateLayout) + " is still later than " + now.Add(maxClockSkew).UTC().Format(amzDateLayout) + " (" + now.UTC().Format(amzDateLayout) + " + 15 min.)",
			requestTime: t.Format(amzDateLayout), serverTime: now.UTC().Format(time.RFC3339),
		}
	}
	return nil
}

func checkPresignTime(s *signature, t, now time.Time) *authFailure {
	exp, err := strconv.ParseInt(s.expires, 10, 64)
	switch {
	case s.expires == "":
		return &authFailure{kind: authMalformed, msg: "AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters."}
	case err != nil || exp < 0:
		return &authFailure{kind: authMalformed, msg: "X-Amz-Expires should be a number"}
	case exp > maxPresignExpiry:
		return &authFailure{kind: authMalformed, msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"}
	}
	end := t.Add(time.Duration(exp) * time.Second)
	if now.After(end) {
		return &authFailure{
			kind:       authPresignExpired,
			msg:        "Signature expired: " + end.Format(amzDateLayout) + " is now earlier than " + now.UTC().Format(amzDateLayout) + ".",
			expires:    end.Format(time.RFC3339),
			serverTime: now.UTC().Format(time.RFC3339),
		}
	}
	if t.Sub(now) > maxClockSkew {
		return &authFailure{kind: authPresignNotYet}
	}
	return nil
}

// escapedPath returns the request path exactly as the client sent it.
func escapedPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p[0] != '/' {
		// Absolute-form or missing request target (tests, proxies): fall back to the URL.
		p = r.URL.EscapedPath()
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "/"
	}
	return p
}

// canonicalURI is the CanonicalURI of the canonical request. S3 signs the path as sent;
// every other service signs the sent path normalised and URI-encoded once more, so that a
// "%2F" in a label becomes "%252F".
func canonicalURI(r *http.Request, s3 bool) string {
	p := escapedPath(r)
	if s3 {
		return p
	}
	return uriEncode(removeDotSegments(p), false)
}

// removeDotSegments resolves "." and ".." segments and drops empty ones, keeping a leading
// and trailing slash, as botocore does before signing.
func removeDotSegments(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	res := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		res += "/"
	}
	return res
}

// uriEncode percent-encodes every byte outside the unreserved set (A-Z a-z 0-9 - _ . ~)
// with uppercase hex; '/' is kept unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && (c != '/' || encodeSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexUpper = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && !encodeSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalQuery is the CanonicalQueryString: every parameter decoded and re-encoded
// strictly, sorted by name then value. A presigned request leaves out its signature.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// canonicalHeaders renders the signed headers "name:value\n" in the order listed. It
// reports false when the list is not lowercase and sorted, which AWS rejects.
func canonicalHeaders(r *http.Request, signed string) (string, bool) {
	var b strings.Builder
	prev := ""
	for rest := signed; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		if name == "" || name != strings.ToLower(name) || name < prev {
			return "", false
		}
		prev = name
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			b.WriteString(trimAll(r.Host))
		case "content-length":
			if v := r.Header["Content-Length"]; len(v) > 0 {
				b.WriteString(trimAll(v[0]))
			} else if r.ContentLength >= 0 {
				b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			}
		default:
			for i, v := range r.Header[textproto.CanonicalMIMEHeaderKey(name)] {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(trimAll(v))
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), true
}

// trimAll trims a header value and collapses runs of spaces, as the canonical headers
// require.
func trimAll(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") && !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
