package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The boto3 script under testdata/ asserts on its own and exits non-zero with a message
// naming the failed check; the Go test prints that message.

func TestBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_lambda.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}

func TestCLICreateAndInvoke(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "fn.zip")
	require.NoError(t, os.WriteFile(zipPath, handlerZip(t), 0o600))

	var created struct {
		FunctionName, FunctionArn, State string
	}
	srv.MustAWS(t, &created, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
		"--role", role, "--handler", "app.handler", "--zip-file", "fileb://"+zipPath)
	require.Equal(t, name, created.FunctionName)
	srv.MustAWS(t, nil, "lambda", "wait", "function-active-v2", "--function-name", name)

	outFile := filepath.Join(dir, "out.json")
	var res struct {
		StatusCode      int
		ExecutedVersion string
		LogResult       string
	}
	// The AWS CLI v1 sends blob arguments as given (v2 would expect base64).
	srv.MustAWS(t, &res, "lambda", "invoke", "--function-name", name, "--payload", `{"cli":true}`,
		"--log-type", "Tail", outFile)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "$LATEST", res.ExecutedVersion)
	tail, err := base64.StdEncoding.DecodeString(res.LogResult)
	require.NoError(t, err)
	require.Contains(t, string(tail), "hello from "+name)
	body, err := os.ReadFile(outFile)
	require.NoError(t, err)
	var payload map[string]any
	require.NoError(t, json.Unmarshal(body, &payload))
	require.Equal(t, map[string]any{"cli": true}, payload["echo"])

	r := srv.AWS(t, "lambda", "get-function", "--function-name", name+"-missing")
	require.NotEqual(t, 0, r.ExitCode)
	require.True(t, strings.Contains(r.Stderr, "ResourceNotFoundException"), r.Stderr)
}
