package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Deps are what the S3 service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
	// Dispatcher delivers event notifications durably, and Notify hands them to their
	// destinations. Without both, configurations are stored but nothing is delivered and
	// destinations are not checked.
	Dispatcher *delivery.Dispatcher
	Notify     Notifier
}

// Service implements the core of the S3 API (buckets and objects) on the store. It embeds
// UnimplementedAPI, so the operations without a handler answer NotImplemented.
type Service struct {
	UnimplementedAPI
	db     *store.DB
	clock  clock.Clock
	log    *slog.Logger
	disp   *delivery.Dispatcher
	notify Notifier
}

var _ API = (*Service)(nil)

// installInfo installs S3's validation errors in Info once: services are created
// concurrently in tests.
var installInfo sync.Once

// New returns the service. It installs S3's validation errors and status codes in Info.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installInfo.Do(func() {
		Info.ValidationErrorFunc = validationError
		for _, op := range Info.Operations {
			// S3 answers 204 No Content to PutBucketPolicy, where its model says 200.
			if op.Name == "PutBucketPolicy" {
				op.ResponseCode = http.StatusNoContent
			}
		}
	})
	s := &Service{db: d.Store, clock: d.Clock, log: d.Logger}
	if d.Dispatcher != nil && d.Notify != nil {
		s.disp, s.notify = d.Dispatcher, d.Notify
		s.registerDeliverers()
	}
	return s
}

// Reset is called after the service's tables were emptied; S3 keeps no state beside them.
func (s *Service) Reset() {}

// now returns the service clock's time in unix milliseconds.
func (s *Service) now() int64 { return s.clock.Now().UnixMilli() }

// callOf returns the caller's identity, with Overcast's defaults for calls made without
// one. It may be the context's own Call: callers must not modify it.
func callOf(ctx context.Context) *protocol.Call {
	c := protocol.CallFrom(ctx)
	if c.Account != "" && c.Region != "" {
		return c
	}
	cp := *c
	if cp.Account == "" {
		cp.Account = "000000000000"
	}
	if cp.Region == "" {
		cp.Region = "us-east-1"
	}
	return &cp
}

// canonicalID is the canonical user id S3 shows as the owner of an account's buckets and
// objects: 64 hex digits, stable per account.
func canonicalID(account string) string {
	sum := sha256.Sum256([]byte("s3-canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}
