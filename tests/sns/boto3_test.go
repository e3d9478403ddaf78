package sns_test

import "testing"

func TestBoto3(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_sns.py", uniqueName(t, "py"))
}
