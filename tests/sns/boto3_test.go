package sns_test

import "testing"

func TestBoto3(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_sns.py", uniqueName(t, "py"))
}

// TestBoto3Unvalidated sends what the SDKs refuse to (a message attribute without
// DataType) and checks AWS's validation answer.
func TestBoto3Unvalidated(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_sns_unvalidated.py", uniqueName(t, "py"))
}
