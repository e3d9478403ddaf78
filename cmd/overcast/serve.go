package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/config"
	"github.com/overcast/overcast/internal/server"
)

// ServeCommand is `overcast serve`.
type ServeCommand struct {
	Config config.Config
	stdout io.Writer
	stderr io.Writer
}

// NewServeCommand returns the command with the default configuration.
func NewServeCommand(stdout, stderr io.Writer) *ServeCommand {
	return &ServeCommand{Config: config.Default(), stdout: stdout, stderr: stderr}
}

// ParseFlags applies the environment, then the flags, then validates.
func (m *ServeCommand) ParseFlags(args []string) error {
	c := &m.Config
	if err := c.ApplyEnv(config.LookupEnv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("overcast serve", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to listen on (OVERCAST_LISTEN)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the embedded store (OVERCAST_DATA_DIR)")
	fs.StringVar(&c.Store, "store", c.Store, "sqlite, or a postgres:// URL to share state between nodes (OVERCAST_STORE)")
	fs.BoolVar(&c.Ephemeral, "ephemeral", c.Ephemeral, "keep everything in memory; nothing survives a restart (OVERCAST_EPHEMERAL)")
	fs.StringVar(&c.Sync, "sync", c.Sync, "full: fsync every acknowledged write; process: survive kill -9, not power loss (OVERCAST_SYNC)")
	fs.StringVar(&c.Auth, "auth", c.Auth, "off, or sigv4 to verify request signatures (OVERCAST_AUTH)")
	creds := fs.String("credentials", "", "access keys accepted in sigv4 mode: AKID:SECRET[:ACCOUNT],... (OVERCAST_CREDENTIALS; default test:test)")
	fs.StringVar(&c.Clock, "clock", c.Clock, "real, or virtual: time moves only through /_overcast/clock (OVERCAST_CLOCK)")
	fs.StringVar(&c.DefaultAccount, "default-account", c.DefaultAccount, "account of keys that are not 12-digit account ids (OVERCAST_DEFAULT_ACCOUNT)")
	fs.StringVar(&c.DefaultRegion, "default-region", c.DefaultRegion, "region of unsigned requests (OVERCAST_DEFAULT_REGION)")
	fs.StringVar(&c.SQSURLStyle, "sqs-url-style", c.SQSURLStyle, "QueueUrl style handed out: path or host (OVERCAST_SQS_URL_STYLE)")
	fs.Float64Var(&c.RetryScale, "retry-scale", c.RetryScale, "multiply durable delivery retry delays, in (0, 1]: 0.01 makes AWS's one-minute retries 600 ms (OVERCAST_RETRY_SCALE)")
	fs.StringVar(&c.SNSSMTP, "sns-smtp", c.SNSSMTP, "host:port of an SMTP server for SNS email subscriptions; empty: the outbox only (OVERCAST_SNS_SMTP)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (OVERCAST_LOG_LEVEL)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a clean shutdown may take")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *creds != "" {
		cs, err := config.ParseCredentials(*creds)
		if err != nil {
			return fmt.Errorf("-credentials: %w", err)
		}
		c.Credentials = cs
	}
	return c.Validate()
}

// gcPercent is the collector's pacing unless GOGC is set. Overcast keeps its state in the
// store, so its live heap is a few megabytes and Go's default (collect each time the heap
// doubles) runs a collection every few megabytes of request garbage: about 5% of the
// server's CPU under load. At 400 collections are four times rarer; the heap grows by some
// megabytes under load, and the edge returns them to the system once requests stop.
const gcPercent = 400

// Run starts the server and blocks until ctx is cancelled (SIGINT/SIGTERM), then shuts
// down cleanly.
func (m *ServeCommand) Run(ctx context.Context) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	logger := slog.New(slog.NewTextHandler(m.stderr, &slog.HandlerOptions{Level: level(m.Config.LogLevel)}))
	start := time.Now()
	srv, err := server.New(m.Config, logger)
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "overcast %s listening on http://%s (store: %s) ready in %s\n",
		Version, srv.Addr(), srv.StoreDescription(), time.Since(start).Round(time.Millisecond))
	<-ctx.Done()
	fmt.Fprintln(m.stdout, "overcast shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	return srv.Stop(sctx)
}

func level(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
