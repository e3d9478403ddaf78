package s3_test

import "testing"

// Each boto3 script under testdata/ asserts on its own and exits non-zero with a message
// naming the failed check; the Go test prints that message.

func TestBoto3Objects(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_objects.py", uniqueBucket(t))
}

func TestBoto3Notifications(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_notifications.py", uniqueBucket(t))
}

func TestBoto3BucketConfigs(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_configs.py", uniqueBucket(t))
}

func TestBoto3Versioning(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_versioning.py", uniqueBucket(t))
}
