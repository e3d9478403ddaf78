// Package servertest starts a complete in-process Overcast on 127.0.0.1:0 for end-to-end
// tests with real SDK clients.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/config"
	"github.com/overcast/overcast/internal/server"
)

// Option adjusts the configuration before start.
type Option func(*config.Config)

// Virtual starts the server with the virtual clock.
func Virtual() Option { return func(c *config.Config) { c.Clock = "virtual" } }

// Server is a running test server.
type Server struct {
	*server.Server
}

// VirtualClock returns the server's clock when it was started with Virtual, else nil.
func (s *Server) VirtualClock() *clock.Virtual {
	v, _ := s.Clock().(*clock.Virtual)
	return v
}

// Start starts Overcast with an SQLite store in t.TempDir() and stops it when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	for _, o := range opts {
		o(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.Default()
	}
	s, err := server.New(cfg, logger)
	if err != nil {
		tb.Fatalf("servertest: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		tb.Fatalf("servertest: start: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			tb.Errorf("servertest: stop: %v", err)
		}
	})
	return &Server{s}
}
