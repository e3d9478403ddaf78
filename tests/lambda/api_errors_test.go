package lambda_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAPIErrorsBoto3 sends boto3 requests naming missing or invalid functions, versions,
// aliases, routing configs, event invoke configs, policies, URLs, provisioned and
// reserved concurrency, code signing configs and tags, and checks AWS's code, status and
// message for each, and the fields GetFunction and the list operations answer.
func TestAPIErrorsBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_api_errors.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}

// TestErrorBodyMembersBoto3 checks the members of error bodies boto3 reports next to
// Error: Lambda's Type and its message under the shape's own member name, and
// Scheduler's Message.
func TestErrorBodyMembersBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_error_bodies.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}
