package lambda_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// The runtime test functions live with the runtime's own tests; the conformance suite
// zips the same sources.
const (
	pythonFunctionDir = "../../internal/lambdart/testdata/python/basic"
	nodeFunctionDir   = "../../internal/lambdart/testdata/node/cjs"
	goFunctionDir     = "../../internal/lambdart/testdata/go/hello"
)

// zipEntry is one extra file of a zipped directory.
type zipEntry struct {
	data []byte
	mode fs.FileMode
}

// zipDir zips the files under dir (none when dir is "") plus extra, keeping file modes.
func zipDir(t *testing.T, dir string, extra map[string]zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte, mode fs.FileMode) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	if dir != "" {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, "__pycache__") {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			if _, ok := extra[filepath.ToSlash(rel)]; ok {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			add(filepath.ToSlash(rel), data, info.Mode().Perm())
			return nil
		})
		require.NoError(t, err)
	}
	for name, e := range extra {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		add(name, e.data, mode)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

var goBootstrap struct {
	once sync.Once
	path string
	err  error
}

// goBootstrapZip returns a provided.al2023 package: the aws-lambda-go test function
// built as its bootstrap. The binary is kept in the temporary directory under a name
// derived from the sources (the runtime's own tests use the same name), so runs share it
// until the sources change.
func goBootstrapZip(t *testing.T) []byte {
	t.Helper()
	goBootstrap.once.Do(func() {
		src, err := filepath.Abs(goFunctionDir)
		if err != nil {
			goBootstrap.err = err
			return
		}
		h := sha256.New()
		for _, f := range []string{"main.go", "go.mod", "go.sum"} {
			b, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				goBootstrap.err = err
				return
			}
			h.Write(b)
		}
		goBootstrap.path = filepath.Join(os.TempDir(), "overcast-lambdart-go-"+hex.EncodeToString(h.Sum(nil))[:16])
		if _, err := os.Stat(goBootstrap.path); err == nil {
			return
		}
		var suffix [4]byte
		_, _ = rand.Read(suffix[:])
		tmp := goBootstrap.path + ".tmp-" + hex.EncodeToString(suffix[:])
		cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			goBootstrap.err = errors.New(err.Error() + "\n" + string(out))
			return
		}
		goBootstrap.err = os.Rename(tmp, goBootstrap.path)
	})
	if goBootstrap.err != nil {
		t.Fatalf("build the Go test function: %v", goBootstrap.err)
	}
	data, err := os.ReadFile(goBootstrap.path)
	require.NoError(t, err)
	return zipDir(t, "", map[string]zipEntry{"bootstrap": {data: data, mode: 0o755}})
}

// wireError is an error answer as the client saw it.
type wireError struct {
	code, message string
	status        int
}

// apiError returns the code, message and HTTP status of an aws-sdk-go-v2 error.
func apiError(t *testing.T, err error) wireError {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response in %v", err)
	return wireError{code: ae.ErrorCode(), message: ae.ErrorMessage(), status: re.HTTPStatusCode()}
}

// createFunction creates a function and waits until it is active.
func createFunction(t *testing.T, c *lambda.Client, in *lambda.CreateFunctionInput) {
	t.Helper()
	if in.Role == nil {
		in.Role = aws.String(role)
	}
	_, err := c.CreateFunction(t.Context(), in)
	require.NoError(t, err)
	w := lambda.NewFunctionActiveV2Waiter(c)
	require.NoError(t, w.Wait(t.Context(), &lambda.GetFunctionInput{FunctionName: in.FunctionName}, 30*time.Second))
}

// invokeTail invokes synchronously with LogType=Tail and returns the answer and the
// decoded log tail.
func invokeTail(t *testing.T, c *lambda.Client, name, payload string) (*lambda.InvokeOutput, string) {
	t.Helper()
	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload), LogType: types.LogTypeTail})
	require.NoError(t, err)
	require.Equal(t, int32(200), out.StatusCode)
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	require.NoError(t, err, "LogResult is base64")
	require.LessOrEqual(t, len(tail), 4096, "LogResult holds at most the last 4 KB")
	return out, string(tail)
}

// functionErrorDoc is the error document of a failed invocation. Python adds requestId
// and stackTrace, Node.js trace, aws-lambda-go nothing more (stackTrace on panics).
type functionErrorDoc struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    *string  `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
	Trace        []string `json:"trace"`
}

// requireUnhandled checks that an invocation failed with X-Amz-Function-Error: Unhandled
// and decodes its error document.
func requireUnhandled(t *testing.T, out *lambda.InvokeOutput, tail string) functionErrorDoc {
	t.Helper()
	require.Equal(t, "Unhandled", aws.ToString(out.FunctionError), "payload %s\ntail:\n%s", out.Payload, tail)
	var doc functionErrorDoc
	require.NoError(t, json.Unmarshal(out.Payload, &doc), "payload %s", out.Payload)
	return doc
}

// logMessages polls a function's log group in CloudWatch Logs until every wanted
// substring appears in some message, and returns the messages. With cli set it reads them
// with `aws logs filter-log-events`, else with aws-sdk-go-v2.
func logMessages(t *testing.T, srv *harness.Server, function string, cli bool, want ...string) []string {
	t.Helper()
	group := "/aws/lambda/" + function
	id := harness.DefaultIdentity
	logs := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""), RetryMaxAttempts: 1,
	})
	var messages []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		messages = messages[:0]
		if cli {
			var out struct {
				Events []struct{ Message string }
			}
			if r := srv.AWS(t, "logs", "filter-log-events", "--log-group-name", group); r.ExitCode == 0 {
				r.JSON(t, &out)
				for _, e := range out.Events {
					messages = append(messages, e.Message)
				}
			}
		} else if out, err := logs.FilterLogEvents(t.Context(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}); err == nil {
			for _, e := range out.Events {
				messages = append(messages, aws.ToString(e.Message))
			}
		}
		missing := ""
		for _, w := range want {
			if !containsSubstring(messages, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return messages
		}
		if time.Now().After(deadline) {
			t.Fatalf("log group %s has no message containing %q; messages:\n%s", group, missing, strings.Join(messages, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func containsSubstring(messages []string, s string) bool {
	for _, m := range messages {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
