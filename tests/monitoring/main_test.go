package monitoring_test

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "monitoring"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off. Tests
// on it use namespaces of their own.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// client returns an aws-sdk-go-v2 CloudWatch client for srv, making one attempt per call.
// The SDK gzips PutMetricData bodies (AWS's request compression), as it does against AWS.
func client(srv *harness.Server) *cloudwatch.Client {
	id := harness.DefaultIdentity
	return cloudwatch.New(cloudwatch.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// uniqueNamespace returns a namespace unique to this test run.
func uniqueNamespace(t *testing.T) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "Conformance/" + nameCleaner.ReplaceAllString(strings.TrimPrefix(t.Name(), "Test"), "-") + "-" + hex.EncodeToString(b[:])
}
