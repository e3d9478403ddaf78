package sqs_test

import (
	"testing"
)

// Each boto3 script under testdata/ asserts on its own and exits non-zero with a message
// naming the failed check; the Go test prints that message.

func TestBoto3Queues(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_queues.py", uniqueName(t, ""))
}

func TestBoto3Messages(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_messages.py", uniqueName(t, ""))
}

func TestBoto3FIFO(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_fifo.py", uniqueName(t, ""))
}
