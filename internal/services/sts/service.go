package sts

import (
	"context"
	"log/slog"
	"sync"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Deps are what the STS service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service serves AWS Security Token Service on the store. Operations without a handler
// (DecodeAuthorizationMessage, AssumeRoot, GetDelegatedAccessToken, GetWebIdentityToken)
// answer NotImplemented through the embedded UnimplementedAPI.
type Service struct {
	UnimplementedAPI

	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	creds credentialCache
}

var _ API = (*Service)(nil)

// installInfo installs the functions of Info once: services are created concurrently in
// tests.
var installInfo sync.Once

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	s := &Service{db: d.Store, clock: d.Clock, log: d.Logger}
	s.creds.entries = map[string]cachedCredential{}
	return s
}

// Reset forgets cached credentials, for after the service's tables were emptied.
func (s *Service) Reset() { s.creds.clear() }

// defaultAccount is the account of calls that reach the service without one.
const defaultAccount = "000000000000"

// callOf returns the caller's identity, with Overcast's defaults for calls made without one.
func callOf(ctx context.Context) *protocol.Call {
	c := *protocol.CallFrom(ctx)
	if c.Account == "" {
		c.Account = defaultAccount
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return &c
}
