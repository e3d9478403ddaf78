package lambda_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "lambda"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// client returns an aws-sdk-go-v2 Lambda client for srv making one attempt per call.
func client(srv *harness.Server) *lambda.Client {
	id := harness.DefaultIdentity
	return lambda.New(lambda.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

// defaultAccount is the account of the "test" access key.
var defaultAccount = func() string {
	if a := os.Getenv("OVERCAST_TEST_ACCOUNT"); a != "" {
		return a
	}
	return "000000000000"
}()

const role = "arn:aws:iam::000000000000:role/lambda-role"

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a function name unique to this test run.
func uniqueName(t *testing.T) string {
	t.Helper()
	base := nameCleaner.ReplaceAllString(strings.TrimPrefix(t.Name(), "Test"), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return base + "-" + hex.EncodeToString(b[:])
}

// handlerZip zips testdata/app.py, the Python function the suite deploys.
func handlerZip(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "app.py"))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("app.py")
	require.NoError(t, err)
	_, err = w.Write(src)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// requireError checks that err is the modeled error E with code and HTTP status.
func requireError[E error](t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	require.Error(t, err, "want %s", code)
	var target E
	require.True(t, errors.As(err, &target), "want %T, got %T: %v", target, err, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "message %q", ae.ErrorMessage())
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response in %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "HTTP status of %s", code)
	return ae
}
