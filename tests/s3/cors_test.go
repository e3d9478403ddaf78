package s3_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestCORSFromBrowsers: a browser's preflight (an unsigned OPTIONS) is answered from the
// bucket's CORS rules, with AWS's 403 when no rule allows it, and requests carrying an
// allowed Origin get the CORS headers on their answers.
func TestCORSFromBrowsers(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv, "")
	bucket := newBucket(t, c)
	_, err := c.PutBucketCors(ctx(t), &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"http://app.example"}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}},
	}})
	require.NoError(t, err)
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("a.txt"), Body: bytes.NewReader([]byte("hi"))})
	require.NoError(t, err)
	url := srv.Endpoint() + "/" + bucket + "/a.txt"

	do := func(method string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx(t), method, url, nil)
		require.NoError(t, err)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := do(http.MethodOptions, map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "http://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "GET, PUT", resp.Header.Get("Access-Control-Allow-Methods"))
	require.Equal(t, "content-type", resp.Header.Get("Access-Control-Allow-Headers"))
	require.Equal(t, "600", resp.Header.Get("Access-Control-Max-Age"))

	resp, body = do(http.MethodOptions, map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, body)
	require.Contains(t, body, "<Code>AccessForbidden</Code>")
	require.Contains(t, body, "CORSResponse: This CORS request is not allowed.")

	resp, body = do(http.MethodGet, map[string]string{"Origin": "http://app.example"})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "http://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
}
