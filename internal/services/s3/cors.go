package s3

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// CORS evaluation of a bucket's stored rules
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): the first rule whose
// origin, method and headers all match answers.

const corsNotAllowed = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
	"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

func errCORS(msg, method, resource string) *protocol.Error {
	return &protocol.Error{Code: "AccessForbidden", Message: msg, Status: http.StatusForbidden,
		Fields: map[string]any{"Method": method, "ResourceType": resource}}
}

// corsWildcardMatch matches s against a pattern with at most one "*", case-insensitively
// when fold.
func corsWildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	before, after, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if corsWildcardMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// matchCORS returns the first rule allowing origin, method and every one of headers.
func matchCORS(rules []*CORSRule, origin, method string, headers []string) *CORSRule {
	for _, r := range rules {
		if !anyMatch(r.AllowedOrigins, origin, false) || !anyMatch(r.AllowedMethods, method, false) {
			continue
		}
		ok := true
		for _, h := range headers {
			ok = ok && anyMatch(r.AllowedHeaders, h, true)
		}
		if ok {
			return r
		}
	}
	return nil
}

// corsHeaders are the headers S3 answers for rule r to origin (requested: the preflight's
// Access-Control-Request-Headers).
func corsHeaders(r *CORSRule, origin string, requested []string) http.Header {
	h := http.Header{}
	if anyMatch(r.AllowedOrigins, origin, false) && !slices.Contains(r.AllowedOrigins, "*") {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(*r.MaxAgeSeconds)))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	return h
}

// CORSPreflight answers an OPTIONS preflight for bucket (key "" for the bucket itself)
// from origin, for method (Access-Control-Request-Method) and the requested headers
// (Access-Control-Request-Headers, split), as S3 does: the headers of a 200 answer, or
// S3's error. The edge calls it for unsigned OPTIONS requests to S3.
func (s *Service) CORSPreflight(ctx context.Context, bucket, key, origin, method string, headers []string) (http.Header, error) {
	if origin == "" {
		return nil, &protocol.Error{Code: codeBadRequest, Message: "Insufficient information. Origin request header needed.", Status: http.StatusBadRequest}
	}
	shown := method
	if shown == "" {
		shown = http.MethodOptions
	}
	if _, err := s.db.S3BucketGet(ctx, bucket); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errCORS("CORSResponse: Bucket not found", shown, "BUCKET")
		}
		return nil, errInternal(err)
	}
	doc, err := s.db.S3BucketConfigGet(ctx, bucket, cfgCORS)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errCORS("CORSResponse: CORS is not enabled for this bucket.", shown, "BUCKET")
	case err != nil:
		return nil, errInternal(err)
	}
	var c CORSConfiguration
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, errInternal(err)
	}
	resource := "OBJECT"
	if key == "" {
		resource = "BUCKET"
	}
	r := matchCORS(c.CORSRules, origin, method, headers)
	if method == "" || r == nil {
		return nil, errCORS(corsNotAllowed, shown, resource)
	}
	return corsHeaders(r, origin, headers), nil
}

// CORSHeaders returns the CORS headers S3 adds to the answer of a request with an Origin
// header to bucket, or nil when no rule allows it (the request itself is served either
// way).
func (s *Service) CORSHeaders(ctx context.Context, bucket, origin, method string) http.Header {
	if origin == "" {
		return nil
	}
	doc, err := s.db.S3BucketConfigGet(ctx, bucket, cfgCORS)
	if err != nil {
		return nil
	}
	var c CORSConfiguration
	if json.Unmarshal([]byte(doc), &c) != nil {
		return nil
	}
	if r := matchCORS(c.CORSRules, origin, method, nil); r != nil {
		return corsHeaders(r, origin, nil)
	}
	return nil
}
