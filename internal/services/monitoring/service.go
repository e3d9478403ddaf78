package monitoring

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Deps are what the CloudWatch service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service serves Amazon CloudWatch metrics on the store. Operations without a handler
// (alarms, dashboards, insight rules, metric streams, ...) answer NotImplemented through
// the embedded UnimplementedAPI.
type Service struct {
	UnimplementedAPI

	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	// lastPurge is when data past the retention was last deleted (unix milliseconds): the
	// purge rides along with a write at most once per purgeEvery.
	lastPurge atomic.Int64
	// pub buffers the metrics other services publish.
	pub publisher
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
	return &Service{db: d.Store, clock: d.Clock, log: d.Logger}
}

// retention is how long CloudWatch keeps data: Overcast keeps every datum for 15 days,
// AWS's retention of its finest (one-minute) resolution.
const retention = 15 * 24 * time.Hour

// purgeEvery is how often a write also deletes the data past the retention.
const purgeEvery = time.Hour

// purgeBefore returns the cut-off to pass to MonitoringPut, or 0 when a purge ran lately.
func (s *Service) purgeBefore(now time.Time) int64 {
	last := s.lastPurge.Load()
	if now.UnixMilli()-last < purgeEvery.Milliseconds() || !s.lastPurge.CompareAndSwap(last, now.UnixMilli()) {
		return 0
	}
	return now.Add(-retention).UnixMilli()
}

// defaultAccount is the account of calls that reach the service without one.
const defaultAccount = "000000000000"

// callOf returns the caller's account and region, with Overcast's defaults for calls made
// without them.
func callOf(ctx context.Context) (account, region string) {
	c := protocol.CallFrom(ctx)
	account, region = c.Account, c.Region
	if account == "" {
		account = defaultAccount
	}
	if region == "" {
		region = "us-east-1"
	}
	return account, region
}
