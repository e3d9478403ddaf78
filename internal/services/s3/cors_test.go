package s3

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	svc, ctx := setup(t)
	_, err := svc.CreateBucket(ctx, &CreateBucketInput{Bucket: ptr("cors-bkt")})
	require.NoError(t, err)

	// AWS answers 400 without an Origin, 403 for a missing bucket or one without CORS.
	_, err = svc.CORSPreflight(ctx, "cors-bkt", "k", "", "GET", nil)
	pe := requireS3Error(t, err, "BadRequest", 400)
	require.Equal(t, "Insufficient information. Origin request header needed.", pe.Message)
	_, err = svc.CORSPreflight(ctx, "no-such-bkt", "k", "https://localhost:4200", "", nil)
	pe = requireS3Error(t, err, "AccessForbidden", 403)
	require.Equal(t, "CORSResponse: Bucket not found", pe.Message)
	require.Equal(t, map[string]any{"Method": "OPTIONS", "ResourceType": "BUCKET"}, pe.Fields)
	_, err = svc.CORSPreflight(ctx, "cors-bkt", "k", "https://localhost:4200", "PUT", nil)
	pe = requireS3Error(t, err, "AccessForbidden", 403)
	require.Equal(t, "CORSResponse: CORS is not enabled for this bucket.", pe.Message)
	require.Equal(t, map[string]any{"Method": "PUT", "ResourceType": "BUCKET"}, pe.Fields)

	_, err = svc.PutBucketCors(ctx, &PutBucketCorsInput{Bucket: ptr("cors-bkt"), CORSConfiguration: &CORSConfiguration{CORSRules: []*CORSRule{
		{AllowedOrigins: []string{"https://localhost:4200"}, AllowedMethods: []string{"GET", "PUT"}, MaxAgeSeconds: ptr(int32(3000)),
			AllowedHeaders: []string{"x-amz-request-payer", "x-AMZ-expected-*"}},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "PUT"}, MaxAgeSeconds: ptr(int32(3000))},
	}}})
	require.NoError(t, err)

	h, err := svc.CORSPreflight(ctx, "cors-bkt", "k", "https://localhost:4200", "GET", []string{"x-amz-request-payer", "x-amz-expected-bucket-owner"})
	require.NoError(t, err)
	require.Equal(t, "https://localhost:4200", h.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"))
	require.Equal(t, "GET, PUT", h.Get("Access-Control-Allow-Methods"))
	require.Equal(t, "x-amz-request-payer, x-amz-expected-bucket-owner", h.Get("Access-Control-Allow-Headers"))
	require.Equal(t, "3000", h.Get("Access-Control-Max-Age"))
	require.Equal(t, "Origin, Access-Control-Request-Headers, Access-Control-Request-Method", h.Get("Vary"))

	// Any other origin matches the wildcard rule: "*" and no credentials.
	h, err = svc.CORSPreflight(ctx, "cors-bkt", "k", "https://example.org", "PUT", nil)
	require.NoError(t, err)
	require.Equal(t, "*", h.Get("Access-Control-Allow-Origin"))
	require.Empty(t, h.Get("Access-Control-Allow-Credentials"))

	// A method or header no rule allows is refused.
	_, err = svc.CORSPreflight(ctx, "cors-bkt", "k", "https://example.org", "DELETE", nil)
	pe = requireS3Error(t, err, "AccessForbidden", 403)
	require.Equal(t, corsNotAllowed, pe.Message)
	require.Equal(t, map[string]any{"Method": "DELETE", "ResourceType": "OBJECT"}, pe.Fields)
	_, err = svc.CORSPreflight(ctx, "cors-bkt", "k", "https://example.org", "GET", []string{"x-custom"})
	requireS3Error(t, err, "AccessForbidden", 403)

	// The answer to the request itself carries the matching rule's headers.
	require.Equal(t, "https://localhost:4200", svc.CORSHeaders(ctx, "cors-bkt", "https://localhost:4200", "GET").Get("Access-Control-Allow-Origin"))
	require.Nil(t, svc.CORSHeaders(ctx, "cors-bkt", "https://localhost:4200", "DELETE"))
	require.Nil(t, svc.CORSHeaders(ctx, "cors-bkt", "", "GET"))
}
