package s3_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "s3"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

func ctx(t *testing.T) context.Context { return t.Context() }

// client returns an aws-sdk-go-v2 S3 client for srv with path-style addressing, signing
// as harness.DefaultIdentity in region (us-east-1 when "").
func client(srv *harness.Server, region string) *s3.Client {
	id := harness.DefaultIdentity
	if region != "" {
		id.Region = region
	}
	return clientAs(srv, id)
}

// clientAs is client signing as id.
func clientAs(srv *harness.Server, id harness.Identity) *s3.Client {
	return s3.New(s3.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
		UsePathStyle:     true,
	})
}

var nameCleaner = regexp.MustCompile(`[^a-z0-9-]+`)

// uniqueBucket returns a bucket name unique to this test run, valid under S3's rules.
func uniqueBucket(t *testing.T) string {
	t.Helper()
	base := nameCleaner.ReplaceAllString(strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), "-")
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := "-" + hex.EncodeToString(b[:])
	if max := 60 - len(suffix); len(base) > max {
		base = base[:max]
	}
	return strings.Trim(base, "-") + suffix
}

// newBucket creates a bucket with a unique name in us-east-1.
func newBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	name := uniqueBucket(t)
	_, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err, "CreateBucket %s", name)
	return name
}

// requireCode checks that err is an API error with the given code and HTTP status.
func requireCode(t *testing.T, err error, code string, status int, what string) smithy.APIError {
	t.Helper()
	require.Error(t, err, "want error %s: %s", code, what)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want API error %s, got %T: %v (%s)", code, err, err, what)
	require.Equal(t, code, ae.ErrorCode(), "error code (message %q): %s", ae.ErrorMessage(), what)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response in %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "HTTP status of %s: %s", code, what)
	return ae
}
