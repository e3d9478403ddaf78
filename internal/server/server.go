// Package server is Overcast's composition root: it opens the store, builds the clock and
// every service, wires them to the edge and owns the HTTP listener. `overcast serve` and
// the end-to-end tests both start Overcast through it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/config"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/edge"
	"github.com/overcast/overcast/internal/services/sts"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// Server is one Overcast node.
type Server struct {
	cfg    config.Config
	logger *slog.Logger
	clock  clock.Clock

	db *store.DB
	// delivery and timers are shared by every service: services register their target
	// kinds and timer kinds while being built, and both start once all are built.
	delivery *delivery.Dispatcher
	timers   *timer.Scheduler
	services []service
	// sts knows the credentials STS and IAM issued, for the edge.
	sts *sts.Service
	// monitor is CloudWatch metrics and the buffers of what other services publish to it.
	monitor  *monitorHub
	edge     *edge.Edge
	http     *http.Server
	ln       net.Listener
	serveErr chan error

	stopOnce sync.Once
	stopErr  error
}

// service is what the server needs of each service package beyond its API.
type service struct {
	entry edge.Service
	// start and stop run background loops; nil when the service has none.
	start func(ctx context.Context) error
	stop  func()
	// reset drops in-memory state (caches) after its tables were wiped; nil when none.
	reset func()
}

// New builds a server from cfg; nothing is opened until Start.
func New(cfg config.Config, logger *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{cfg: cfg, logger: logger}
	if cfg.Clock == "virtual" {
		s.clock = clock.NewVirtual(time.Now().UTC().Truncate(time.Second))
	} else {
		s.clock = clock.Real{}
	}
	return s, nil
}

// Clock returns the server's clock (a *clock.Virtual in virtual mode).
func (s *Server) Clock() clock.Clock { return s.clock }

// Start opens the store, starts every service and begins serving on cfg.Listen.
func (s *Server) Start(ctx context.Context) error {
	db, err := store.Open(ctx, store.Options{
		URL:       s.cfg.Store,
		DataDir:   s.cfg.DataDir,
		Ephemeral: s.cfg.Ephemeral,
		Sync:      s.cfg.Sync,
		Logger:    s.logger,
	})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	s.db = db
	// Listen before anything starts: services that start work at once (provisioned Lambda
	// environments, event source pollers) hand functions s.Endpoint(), which must carry
	// the real port when cfg.Listen asks for port 0. Connections wait in the backlog until
	// Serve.
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	s.delivery = delivery.New(delivery.Config{
		Store: db, Clock: s.clock, Logger: s.logger.With("component", "delivery"), RetryScale: s.cfg.RetryScale,
	})
	s.timers = timer.New(timer.Config{Store: db, Clock: s.clock, Logger: s.logger.With("component", "timer")})
	s.services = s.buildServices()
	for i, svc := range s.services {
		if svc.start == nil {
			continue
		}
		if err := svc.start(ctx); err != nil {
			for _, started := range s.services[:i] {
				if started.stop != nil {
					started.stop()
				}
			}
			_ = ln.Close()
			_ = db.Close()
			return fmt.Errorf("start %s: %w", svc.entry.Info.Package, err)
		}
	}
	// Delivery and timers start after every service has registered its kinds, so no job
	// or timer is claimed before its handler exists.
	if err := s.delivery.Start(ctx); err != nil {
		s.stopServices()
		_ = ln.Close()
		_ = db.Close()
		return fmt.Errorf("start delivery: %w", err)
	}
	if err := s.timers.Start(ctx); err != nil {
		s.delivery.Stop()
		s.stopServices()
		_ = ln.Close()
		_ = db.Close()
		return fmt.Errorf("start timers: %w", err)
	}
	entries := make([]edge.Service, len(s.services))
	for i, svc := range s.services {
		entries[i] = svc.entry
	}
	creds := make(map[string]edge.Credential, len(s.cfg.Credentials))
	for _, c := range s.cfg.Credentials {
		creds[c.AccessKey] = edge.Credential{Secret: c.Secret, Account: c.Account}
	}
	s.edge = edge.New(edge.Config{
		Services:       entries,
		DefaultAccount: s.cfg.DefaultAccount,
		DefaultRegion:  s.cfg.DefaultRegion,
		Auth:           s.cfg.Auth,
		Credentials:    creds,
		CredentialFunc: s.issuedCredential,
		Clock:          s.clock,
		SignatureClock: clock.Real{},
		Logger:         s.logger,
		Extra:          s.adminHandler(),
		HostHandlers:   s.hostHandlers(),
	})
	s.http = s.edge.Server(ln.Addr().String())
	s.serveErr = make(chan error, 1)
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	// Start-up builds much that becomes garbage at once (models, migrations, caches):
	// hand the freed pages back, so an idle Overcast holds only what it uses.
	debug.FreeOSMemory()
	return nil
}

// Addr returns the address the server listens on (useful with port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.cfg.Listen
	}
	return s.ln.Addr().String()
}

// Endpoint returns the base URL clients use.
func (s *Server) Endpoint() string { return "http://" + s.Addr() }

// StoreDescription says where the data lives, for the start-up line.
func (s *Server) StoreDescription() string {
	switch {
	case s.cfg.Ephemeral:
		return "ephemeral, in memory"
	case s.cfg.IsPostgres():
		return s.cfg.RedactedStore()
	case s.cfg.Sync == "process":
		return "sqlite in " + s.cfg.DataDir + ", sync=process"
	default:
		return "sqlite in " + s.cfg.DataDir
	}
}

// Stop stops serving, waits for in-flight requests (bounded by ctx), stops the services
// and closes the store. It may be called more than once.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.http != nil {
			if err := s.http.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("shutdown http: %w", err))
				_ = s.http.Close()
			}
			if err := <-s.serveErr; err != nil {
				errs = append(errs, fmt.Errorf("serve: %w", err))
			}
		}
		s.stopBackground()
		if s.db != nil {
			if err := s.db.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close store: %w", err))
			}
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// stopBackground stops timers and deliveries first (no new work reaches services), then
// the services' own loops.
func (s *Server) stopBackground() {
	if s.timers != nil {
		s.timers.Stop()
	}
	if s.delivery != nil {
		s.delivery.Stop()
	}
	s.stopServices()
}

func (s *Server) stopServices() {
	for i := len(s.services) - 1; i >= 0; i-- {
		if s.services[i].stop != nil {
			s.services[i].stop()
		}
	}
}

// Reset wipes the state of one service (by package id, e.g. "sqs") or of all when
// service is "".
func (s *Server) Reset(ctx context.Context, service string) error {
	found := service == ""
	for _, svc := range s.services {
		if service == "" || svc.entry.Info.Package == service || svc.entry.Info.ModelName == service {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: %q", errUnknownService, service)
	}
	if err := s.db.Reset(ctx, service); err != nil {
		return err
	}
	for _, svc := range s.services {
		if svc.reset != nil && (service == "" || svc.entry.Info.Package == service || svc.entry.Info.ModelName == service) {
			svc.reset()
		}
	}
	return nil
}

var errUnknownService = errors.New("unknown service")

// issuedCredential finds an access key STS (AssumeRole and its kin) or IAM
// (CreateAccessKey) issued, so that requests signed with it are verified in sigv4 mode and
// act in the key's account in every mode; in sigv4 mode an expired session answers
// ExpiredToken.
func (s *Server) issuedCredential(akid string) (edge.Credential, bool) {
	if s.sts == nil {
		return edge.Credential{}, false
	}
	c, ok := s.sts.Credential(akid)
	if !ok {
		return edge.Credential{}, false
	}
	return edge.Credential{Secret: c.Secret, Account: c.Account, SessionToken: c.SessionToken, Expires: c.Expiration}, true
}
