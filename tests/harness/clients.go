package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Identity is the access key, secret and region a client signs with.
type Identity struct {
	AccessKey string
	Secret    string
	Region    string
}

// DefaultIdentity is the identity of every client unless told otherwise: the "test" key,
// which belongs to the server's default account.
var DefaultIdentity = Identity{AccessKey: "test", Secret: "test", Region: "us-east-1"}

func (id Identity) withDefaults() Identity {
	if id.AccessKey == "" {
		id.AccessKey = DefaultIdentity.AccessKey
	}
	if id.Secret == "" {
		id.Secret = DefaultIdentity.Secret
	}
	if id.Region == "" {
		id.Region = DefaultIdentity.Region
	}
	return id
}

// Env is the environment for a subprocess client (AWS CLI, boto3) talking to the server
// as DefaultIdentity. The user's AWS config files are hidden from it.
func (s *Server) Env() []string { return s.EnvAs(DefaultIdentity) }

// EnvAs is Env for another identity.
func (s *Server) EnvAs(id Identity) []string {
	id = id.withDefaults()
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "OVERCAST_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"AWS_ENDPOINT_URL="+s.Endpoint(),
		"AWS_ACCESS_KEY_ID="+id.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+id.Secret,
		"AWS_DEFAULT_REGION="+id.Region,
		"AWS_REGION="+id.Region,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
	)
}

// SQS returns an aws-sdk-go-v2 SQS client for the server, signing as DefaultIdentity. It
// makes one attempt per call, so that the first answer is the one a test sees.
func (s *Server) SQS(optFns ...func(*sqs.Options)) *sqs.Client {
	return s.SQSAs(DefaultIdentity, optFns...)
}

// SQSAs is SQS for another identity.
func (s *Server) SQSAs(id Identity, optFns ...func(*sqs.Options)) *sqs.Client {
	id = id.withDefaults()
	opts := sqs.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(s.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       s.client,
		RetryMaxAttempts: 1,
	}
	return sqs.New(opts, optFns...)
}

// DialAllTo returns an HTTP client whose connections all go to addr (host:port) whatever
// the URL's host, so that a request can carry a host name that does not resolve (such as
// sqs.us-east-1.localhost) in its URL and Host header.
func DialAllTo(addr string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		},
		Timeout: 60 * time.Second,
	}
}

// CLIResult is the outcome of one AWS CLI run.
type CLIResult struct {
	Args     []string
	Stdout   []byte
	Stderr   string
	ExitCode int
}

// JSON decodes the CLI's stdout into v.
func (r CLIResult) JSON(t testing.TB, v any) {
	t.Helper()
	if len(bytes.TrimSpace(r.Stdout)) == 0 {
		t.Fatalf("aws %s printed nothing on stdout (stderr: %s)", strings.Join(r.Args, " "), r.Stderr)
	}
	if err := json.Unmarshal(r.Stdout, v); err != nil {
		t.Fatalf("aws %s: stdout is not JSON: %v\n%s", strings.Join(r.Args, " "), err, r.Stdout)
	}
}

// AWS runs the AWS CLI (`aws ARGS... --output json`) against the server and returns its
// result without judging it.
func (s *Server) AWS(t testing.TB, args ...string) CLIResult {
	t.Helper()
	return s.AWSAs(t, DefaultIdentity, args...)
}

// AWSAs is AWS for another identity.
func (s *Server) AWSAs(t testing.TB, id Identity, args ...string) CLIResult {
	t.Helper()
	aws := tool("aws")
	if aws == "" {
		t.Skip("the AWS CLI is not installed")
	}
	// The AWS CLI v1 does not read AWS_ENDPOINT_URL, so the endpoint is also a flag.
	full := append(append([]string{}, args...), "--output", "json", "--endpoint-url", s.Endpoint())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, aws, full...)
	cmd.Env = s.EnvAs(id)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := CLIResult{Args: full, Stdout: stdout.Bytes(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	case err != nil:
		t.Fatalf("run aws %s: %v", strings.Join(full, " "), err)
	}
	return res
}

// MustAWS runs the AWS CLI, fails the test unless it exits 0, and decodes its JSON output
// into out when out is not nil.
func (s *Server) MustAWS(t testing.TB, out any, args ...string) {
	t.Helper()
	res := s.AWS(t, args...)
	if res.ExitCode != 0 {
		t.Fatalf("aws %s: exit %d\n%s", strings.Join(res.Args, " "), res.ExitCode, res.Stderr)
	}
	if out != nil {
		res.JSON(t, out)
	}
}

// Python runs python3 on script (a path) with args and the server's client environment,
// and fails the test, printing the script's output, unless it exits 0.
func (s *Server) Python(t testing.TB, script string, args ...string) string {
	t.Helper()
	return s.PythonAs(t, DefaultIdentity, script, args...)
}

// PythonAs is Python for another identity.
func (s *Server) PythonAs(t testing.TB, id Identity, script string, args ...string) string {
	t.Helper()
	py := tool("python3")
	if py == "" {
		t.Skip("python3 is not installed")
	}
	abs, err := filepath.Abs(script)
	if err != nil {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{abs}, args...)...)
	cmd.Env = s.EnvAs(id)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 %s %s: %v\n%s", filepath.Base(script), strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	toolMu    sync.Mutex
	toolPaths = map[string]string{}
)

// tool returns the path of an executable, "" if there is none. A pyenv shim is resolved
// to the program it stands for: the shim's own start-up costs seconds on a busy machine.
func tool(name string) string {
	toolMu.Lock()
	defer toolMu.Unlock()
	if p, ok := toolPaths[name]; ok {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		p = ""
	} else if strings.Contains(p, "/.pyenv/shims/") {
		if out, err := exec.Command("pyenv", "which", name).Output(); err == nil {
			if real := strings.TrimSpace(string(out)); real != "" {
				p = real
			}
		}
	}
	toolPaths[name] = p
	return p
}
