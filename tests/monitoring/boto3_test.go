package monitoring_test

import (
	"strings"
	"testing"
)

// The boto3 script under testdata/ asserts on its own and exits non-zero with a message
// naming the failed check; the Go test prints that message.

func TestBoto3Metrics(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_metrics.py", uniqueNamespace(t))
}

func TestBoto3Alarms(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_alarms.py", uniqueNamespace(t))
}

func TestBoto3LambdaMetrics(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_lambda_metrics.py", "metrics-"+strings.ToLower(uniqueNamespace(t)[len("Conformance/"):]))
}
