package logs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Config tunes the CloudWatch Logs service. The zero value is AWS's behaviour with
// Overcast's defaults.
type Config struct {
	// SweepInterval is how often events past their log group's retention are deleted (on
	// the service clock). Reads hide such events at once; the sweep frees their storage.
	// Zero means one minute.
	SweepInterval time.Duration
	// FilterScanLimit is how many events one FilterLogEvents call examines before it
	// answers with what it found so far and a nextToken, as AWS does when a search runs
	// long. Zero means 100,000.
	FilterScanLimit int
	// MaxDeliveryPayload caps the payload of one delivery of a subscription filter to a
	// Lambda function (an asynchronous invocation); larger batches are split. Zero means
	// 1 MiB, Lambda's limit for asynchronous invocations.
	MaxDeliveryPayload int
	// MetadataTTL is how long a node trusts its cached copy of a log group's
	// subscription filters when delivering appended events. Changes made through this
	// node are seen at once, other nodes' (on a shared PostgreSQL store) within the TTL.
	// Zero means one second; negative turns the cache off.
	MetadataTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.SweepInterval <= 0 {
		c.SweepInterval = time.Minute
	}
	if c.FilterScanLimit <= 0 {
		c.FilterScanLimit = 100_000
	}
	if c.MaxDeliveryPayload <= 0 {
		c.MaxDeliveryPayload = 1 << 20
	}
	if c.MetadataTTL == 0 {
		c.MetadataTTL = time.Second
	}
	return c
}

// Deps are what the CloudWatch Logs service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
	// Functions delivers to Lambda subscription filters. Nil refuses Lambda destinations.
	Functions FunctionInvoker
	Config
}

// FunctionInvoker is what subscription filters need from Lambda.
type FunctionInvoker interface {
	// FunctionExists reports whether the function a function ARN (qualified or not) names
	// exists.
	FunctionExists(ctx context.Context, functionARN string) (bool, error)
	// InvokeAsync queues an asynchronous (Event) invocation of the function with payload,
	// durably: it returns once the invocation is queued.
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// Service implements the CloudWatch Logs API on the store. Operations without a handler
// answer NotImplemented through the embedded UnimplementedAPI.
type Service struct {
	UnimplementedAPI

	db      *store.DB
	clock   clock.Clock
	log     *slog.Logger
	cfg     Config
	streams *streamCache
	subs    *subscriptionCache
	fns     FunctionInvoker
	queries *queryRegistry

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ API = (*Service)(nil)

// installInfo guards the one change New makes to the shared Info.
var installInfo sync.Once

// New returns the service. It installs CloudWatch Logs' validation error (AWS answers
// model violations with InvalidParameterException) in Info; nothing runs until Start.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	cfg := d.Config.withDefaults()
	return &Service{
		db:      d.Store,
		clock:   d.Clock,
		log:     d.Logger,
		cfg:     cfg,
		streams: newStreamCache(),
		subs:    newSubscriptionCache(cfg.MetadataTTL),
		fns:     d.Functions,
		queries: newQueryRegistry(),
	}
}

// Start runs the retention sweep. On a PostgreSQL store shared by several nodes, one node
// at a time (holding a lease) sweeps.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return nil
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.background(ctx)
	}()
	return nil
}

// Stop ends the retention sweep and waits for it. It may be called more than once, and
// before Start.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopped = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

// Reset forgets cached stream ids, cached subscription filters and the Logs Insights
// queries of this node, for after the service's tables were emptied.
func (s *Service) Reset() {
	s.streams.clear()
	s.subs.clear()
	s.queries.clear()
}

// now returns the service clock's time in unix milliseconds.
func (s *Service) now() int64 { return s.clock.Now().UnixMilli() }

// callOf returns the caller's identity, with Overcast's defaults for calls made without
// one.
func callOf(ctx context.Context) *protocol.Call {
	c := *protocol.CallFrom(ctx)
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return &c
}
