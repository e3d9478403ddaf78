package lambdart

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"time"
)

// Defaults AWS applies to a function configuration.
const (
	DefaultMemoryMB           = 128
	DefaultTimeout            = 3 * time.Second
	DefaultEphemeralStorageMB = 512
	// MBPerVCPU is the memory size that buys one full vCPU.
	MBPerVCPU = 1769
)

// FunctionKey names one version of one function: the unit environments are pooled by and
// provisioned concurrency is configured for.
type FunctionKey struct {
	AccountID string
	Region    string
	Name      string
	// Version is "$LATEST" or a published version number.
	Version string
}

func (k FunctionKey) String() string {
	return k.AccountID + "/" + k.Region + "/" + k.Name + ":" + k.Version
}

// functionScope names a function across its versions: reserved concurrency applies to it.
type functionScope struct {
	AccountID, Region, Name string
}

// Credentials are the execution role's temporary credentials, handed to the function as
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Function is everything an execution environment needs to run one version of a function.
// The control plane builds it from the stored configuration. Environments are reused only
// for a Function whose fields are all equal to the one they were started with: changing
// $LATEST's configuration retires its warm environments, as AWS does.
type Function struct {
	FunctionKey
	// ARN is the unqualified function ARN; it is the default invoked ARN.
	ARN string
	// Runtime is a runtime identifier (see Runtimes). Empty means provided.al2023, the
	// runtime of container-style "bootstrap" packages.
	Runtime string
	// Handler is the configured handler ("lambda_function.lambda_handler", "index.handler").
	Handler string
	// Code is the unpacked deployment package (see CodeCache.Unpack).
	Code *Code
	// Layers are the unpacked layers in the function's order; later layers overwrite earlier
	// ones under /opt. At most 5.
	Layers []*Code
	// MemoryMB is the memory size; zero means 128. It sets the cgroup memory limit and CPU
	// share (1,769 MB = one vCPU).
	MemoryMB int
	// Timeout is the invocation timeout; zero means 3 seconds.
	Timeout time.Duration
	// EphemeralStorageMB is the size of /tmp; zero means 512.
	EphemeralStorageMB int
	// Environment holds the function's own environment variables.
	Environment map[string]string
	// Credentials are the execution role's credentials; empty fields are left unset. An
	// environment keeps the credentials it was started with.
	Credentials Credentials
	// LogGroup overrides the log group; empty means "/aws/lambda/<Name>".
	LogGroup string
	// LogFormat is "Text" (or empty) or "JSON". With JSON the platform lines are JSON
	// records, the managed runtimes log JSON (AWS_LAMBDA_LOG_FORMAT=JSON) and the levels
	// below filter them, as AWS's advanced logging controls do.
	LogFormat string
	// ApplicationLogLevel (TRACE to FATAL) filters the runtimes' own log records;
	// SystemLogLevel (DEBUG, INFO, WARN) the platform's. Empty means INFO. Both apply only
	// with the JSON format.
	ApplicationLogLevel string
	SystemLogLevel      string
}

func (f *Function) jsonLogs() bool { return f.LogFormat == "JSON" }

func (f *Function) appLogLevel() string {
	if f.ApplicationLogLevel == "" {
		return "INFO"
	}
	return f.ApplicationLogLevel
}

func (f *Function) systemLogLevel() string {
	if f.SystemLogLevel == "" {
		return "INFO"
	}
	return f.SystemLogLevel
}

func (f *Function) memoryMB() int {
	if f.MemoryMB <= 0 {
		return DefaultMemoryMB
	}
	return f.MemoryMB
}

func (f *Function) timeout() time.Duration {
	if f.Timeout <= 0 {
		return DefaultTimeout
	}
	return f.Timeout
}

func (f *Function) ephemeralMB() int {
	if f.EphemeralStorageMB <= 0 {
		return DefaultEphemeralStorageMB
	}
	return f.EphemeralStorageMB
}

func (f *Function) logGroup() string {
	if f.LogGroup != "" {
		return f.LogGroup
	}
	return "/aws/lambda/" + f.Name
}

func (f *Function) runtimeID() string {
	if f.Runtime == "" {
		return "provided.al2023"
	}
	return f.Runtime
}

func (f *Function) version() string {
	if f.Version == "" {
		return "$LATEST"
	}
	return f.Version
}

// validate reports a spec the manager cannot run. The control plane validates the API
// input; this guards the package's own invariants.
func (f *Function) validate() error {
	if f.Name == "" {
		return fmt.Errorf("%w: function name is empty", ErrInvalidFunction)
	}
	if _, ok := LookupRuntime(f.runtimeID()); !ok {
		return fmt.Errorf("%w: %q", ErrUnsupportedRuntime, f.Runtime)
	}
	if f.Code == nil || f.Code.Dir == "" {
		return fmt.Errorf("%w: function %s has no unpacked code", ErrInvalidFunction, f.Name)
	}
	if len(f.Layers) > MaxLayers {
		return fmt.Errorf("%w: %d layers, at most %d", ErrInvalidFunction, len(f.Layers), MaxLayers)
	}
	for _, l := range f.Layers {
		if l == nil || l.Dir == "" {
			return fmt.Errorf("%w: function %s has a layer without unpacked code", ErrInvalidFunction, f.Name)
		}
	}
	return nil
}

// fingerprint hashes every field that shapes an environment, so that a changed
// configuration never reuses an environment started for the old one. Credentials are left
// out: they rotate, and an environment keeps the ones it started with, as on AWS.
func (f *Function) fingerprint() string {
	h := sha256.New()
	w := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	w(f.AccountID)
	w(f.Region)
	w(f.Name)
	w(f.version())
	w(f.ARN)
	w(f.runtimeID())
	w(f.Handler)
	if f.Code != nil {
		w(f.Code.Dir)
	}
	for _, l := range f.Layers {
		if l != nil {
			w(l.Dir)
		}
	}
	w(fmt.Sprint(f.memoryMB(), f.timeout(), f.ephemeralMB()))
	keys := make([]string, 0, len(f.Environment))
	for k := range f.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w(k)
		w(f.Environment[k])
	}
	w(f.logGroup())
	if f.jsonLogs() {
		w(f.LogFormat + " " + f.appLogLevel() + " " + f.systemLogLevel())
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
