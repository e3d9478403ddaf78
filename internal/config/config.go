// Package config holds Overcast's configuration tree. Values come from Default(), then the
// environment (OVERCAST_*), then command-line flags; Validate names every bad field. Only
// this package reads the environment.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is everything `overcast serve` can be told.
type Config struct {
	// Listen is the address of the one HTTP port. Default 127.0.0.1:4566.
	Listen string
	// DataDir holds the embedded store and other durable files. Default: ./.overcast/data
	// under the working directory... see Default.
	DataDir string
	// Store is "sqlite" (default, embedded in DataDir) or a postgres:// URL.
	Store string
	// Ephemeral keeps everything in memory (tmpfs); nothing survives a restart.
	Ephemeral bool
	// Sync is how far the embedded store makes an acknowledged write durable before
	// answering: "full" (default: fsynced, survives power loss) or "process" (handed to
	// the operating system, survives kill -9 but not a machine crash; lower latency).
	Sync string
	// Auth is "off" (default: signatures parsed, never rejected) or "sigv4".
	Auth string
	// Credentials are the access keys accepted in sigv4 mode, as "AKID:SECRET[:ACCOUNT]"
	// entries. Default: test:test.
	Credentials []Credential
	// Clock is "real" (default) or "virtual": time moves only through /_overcast/clock.
	Clock string
	// DefaultAccount is the account of requests whose access key is not a 12-digit account
	// id. Default 000000000000.
	DefaultAccount string
	// DefaultRegion is the region of unsigned requests. Default us-east-1.
	DefaultRegion string
	// SQSURLStyle is "path" (default: http://host:port/<account>/<queue>) or "host"
	// (http://sqs.<region>.host:port/<account>/<queue>). Requests in either form always work.
	SQSURLStyle string
	// RetryScale multiplies the retry delays of durable deliveries (async Lambda retries,
	// SNS, EventBridge). Default 1 (AWS's delays); 0.01 turns a one-minute retry into
	// 600 ms for local development.
	RetryScale float64
	// SNSSMTP is the host:port of an SMTP server that SNS email and email-json deliveries
	// are sent to, besides being recorded in the outbox. Default "" (the outbox only).
	SNSSMTP string
	// LogLevel is debug, info (default), warn or error.
	LogLevel string
	// ShutdownTimeout bounds a clean shutdown. Default 10s.
	ShutdownTimeout time.Duration
}

// Credential is one access key accepted in sigv4 mode.
type Credential struct {
	AccessKey string
	Secret    string
	// Account is the account the key belongs to; empty means the key's own 12 digits or
	// the default account.
	Account string
}

// Default returns the configuration used when nothing is said.
func Default() Config {
	return Config{
		Listen:          "127.0.0.1:4566",
		DataDir:         defaultDataDir(),
		Store:           "sqlite",
		Sync:            "full",
		Auth:            "off",
		Credentials:     []Credential{{AccessKey: "test", Secret: "test"}},
		Clock:           "real",
		DefaultAccount:  "000000000000",
		DefaultRegion:   "us-east-1",
		SQSURLStyle:     "path",
		RetryScale:      1,
		LogLevel:        "info",
		ShutdownTimeout: 10 * time.Second,
	}
}

// defaultDataDir is $XDG_DATA_HOME/overcast, else ~/.local/share/overcast, else
// ./.overcast.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "overcast")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "share", "overcast")
	}
	return ".overcast"
}

// Env names and the fields they set.
var envVars = []struct {
	name string
	set  func(c *Config, v string) error
}{
	{"OVERCAST_LISTEN", func(c *Config, v string) error { c.Listen = v; return nil }},
	{"OVERCAST_DATA_DIR", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"OVERCAST_STORE", func(c *Config, v string) error { c.Store = v; return nil }},
	{"OVERCAST_EPHEMERAL", func(c *Config, v string) error {
		b, err := parseBool(v)
		c.Ephemeral = b
		return err
	}},
	{"OVERCAST_SYNC", func(c *Config, v string) error { c.Sync = v; return nil }},
	{"OVERCAST_AUTH", func(c *Config, v string) error { c.Auth = v; return nil }},
	{"OVERCAST_CREDENTIALS", func(c *Config, v string) error {
		creds, err := ParseCredentials(v)
		c.Credentials = creds
		return err
	}},
	{"OVERCAST_CLOCK", func(c *Config, v string) error { c.Clock = v; return nil }},
	{"OVERCAST_DEFAULT_ACCOUNT", func(c *Config, v string) error { c.DefaultAccount = v; return nil }},
	{"OVERCAST_DEFAULT_REGION", func(c *Config, v string) error { c.DefaultRegion = v; return nil }},
	{"OVERCAST_SQS_URL_STYLE", func(c *Config, v string) error { c.SQSURLStyle = v; return nil }},
	{"OVERCAST_RETRY_SCALE", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		c.RetryScale = f
		return err
	}},
	{"OVERCAST_LOG_LEVEL", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"OVERCAST_SNS_SMTP", func(c *Config, v string) error { c.SNSSMTP = v; return nil }},
}

// ApplyEnv overrides c with the OVERCAST_* variables found by lookup (os.LookupEnv in
// production).
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	var errs []error
	for _, e := range envVars {
		if v, ok := lookup(e.name); ok {
			if err := e.set(c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// LookupEnv is os.LookupEnv; the one place Overcast reads its environment.
func LookupEnv(name string) (string, bool) { return os.LookupEnv(name) }

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", v)
}

// ParseCredentials parses "AKID:SECRET[:ACCOUNT],..." entries.
func ParseCredentials(s string) ([]Credential, error) {
	var out []Credential
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, ":")
		if len(f) < 2 || len(f) > 3 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("credential %q: want ACCESS_KEY:SECRET[:ACCOUNT]", part)
		}
		c := Credential{AccessKey: f[0], Secret: f[1]}
		if len(f) == 3 {
			c.Account = f[2]
		}
		out = append(out, c)
	}
	return out, nil
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// ValidationError lists every bad field of a Config.
type ValidationError struct {
	Fields []string
}

func (e *ValidationError) Error() string {
	return "invalid configuration: " + strings.Join(e.Fields, "; ")
}

// Validate checks every field and names each bad one.
func (c *Config) Validate() error {
	var bad []string
	if c.Listen == "" {
		bad = append(bad, "listen: must not be empty")
	}
	if !c.Ephemeral && c.DataDir == "" && !c.IsPostgres() {
		bad = append(bad, "data-dir: must not be empty")
	}
	if c.Store != "sqlite" && !c.IsPostgres() {
		bad = append(bad, fmt.Sprintf("store: %q is neither sqlite nor a postgres:// URL", c.Store))
	}
	if c.Sync != "full" && c.Sync != "process" {
		bad = append(bad, fmt.Sprintf("sync: %q is neither full nor process", c.Sync))
	}
	if c.Auth != "off" && c.Auth != "sigv4" {
		bad = append(bad, fmt.Sprintf("auth: %q is neither off nor sigv4", c.Auth))
	}
	if c.Clock != "real" && c.Clock != "virtual" {
		bad = append(bad, fmt.Sprintf("clock: %q is neither real nor virtual", c.Clock))
	}
	if !accountRE.MatchString(c.DefaultAccount) {
		bad = append(bad, fmt.Sprintf("default-account: %q is not a 12-digit account id", c.DefaultAccount))
	}
	if c.DefaultRegion == "" {
		bad = append(bad, "default-region: must not be empty")
	}
	if c.SQSURLStyle != "path" && c.SQSURLStyle != "host" {
		bad = append(bad, fmt.Sprintf("sqs-url-style: %q is neither path nor host", c.SQSURLStyle))
	}
	for _, cr := range c.Credentials {
		if cr.Account != "" && !accountRE.MatchString(cr.Account) {
			bad = append(bad, fmt.Sprintf("credentials: account %q of key %q is not a 12-digit account id", cr.Account, cr.AccessKey))
		}
	}
	if !(c.RetryScale > 0 && c.RetryScale <= 1) {
		bad = append(bad, fmt.Sprintf("retry-scale: %v is not in (0, 1]", c.RetryScale))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad = append(bad, fmt.Sprintf("log-level: %q is not debug, info, warn or error", c.LogLevel))
	}
	if len(bad) > 0 {
		return &ValidationError{Fields: bad}
	}
	return nil
}

// IsPostgres reports whether the store is a PostgreSQL URL.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.Store, "postgres://") || strings.HasPrefix(c.Store, "postgresql://")
}

// RedactedStore returns Store with any password removed, for printing.
func (c *Config) RedactedStore() string {
	if !c.IsPostgres() {
		return c.Store
	}
	return redactURL(c.Store)
}

var passwordRE = regexp.MustCompile(`(://[^:/@]+:)[^@]*@`)

func redactURL(u string) string { return passwordRE.ReplaceAllString(u, "${1}xxxxx@") }
