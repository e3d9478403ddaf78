package logs_test

import "testing"

// The boto3 script under testdata/ asserts on its own and exits non-zero with a message
// naming the failed check; the Go test prints that message.

func TestBoto3(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_logs.py", uniqueName(t))
}
