package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Deps are what the Lambda service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
	// NewRuntime builds the runtime that runs the functions. The service calls it on first
	// need, after the server listens (functions get its endpoint), starts the runtime and
	// stops it in Stop.
	NewRuntime func() (*lambdart.Manager, error)
	// Dispatcher, when set, carries Event invocations as durable jobs (target kind
	// "lambda", retried as Lambda retries asynchronous invocations); New registers the
	// service's deliverer with it. Nil runs them in-process, once.
	Dispatcher *delivery.Dispatcher
	// Targets receive dead-lettered Event invocations and invocation records
	// (DeadLetterConfig, event invoke config destinations). Unset functions refuse
	// those destinations.
	Targets Targets
	// Queues, when set, is the SQS queues event source mappings poll. Nil refuses SQS
	// mappings.
	Queues QueueClient
	// Objects reads S3 objects for Code.S3Bucket/S3Key and layer Content.S3Bucket/S3Key;
	// its errors are S3's (*protocol.Error). Nil refuses S3 code locations.
	Objects func(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, error)
	// MetadataTTL is how long a node trusts its cached copy of a function version that
	// invocations run. Changes made through this node are seen at once. Zero means one
	// second; negative turns the cache off.
	MetadataTTL time.Duration
	// Invoked, when set, receives the outcome of every synchronous and asynchronous
	// invocation, for the AWS/Lambda metrics. It runs on the invoke path: it must only
	// buffer.
	Invoked func(m InvocationMetric)
}

// Service implements the Lambda API. Operations without a handler answer NotImplemented
// through the embedded UnimplementedAPI.
type Service struct {
	UnimplementedAPI

	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	newRT func() (*lambdart.Manager, error)
	disp  *delivery.Dispatcher

	mu sync.Mutex
	rt *lambdart.Manager
	// reserved is the reserved concurrency handed to rt per account/region/function.
	reserved map[string]int64
	stopped  bool
	ctx      context.Context
	cancel   context.CancelFunc
	// async counts Event invocations still running.
	async sync.WaitGroup
	// prov tracks the provisioned concurrency configs handed to rt (provisioned.go).
	prov provisioned
	// targets receive dead-lettered events and invocation records.
	targets Targets

	// queues is the SQS event source mappings read; esm runs their pollers.
	queues QueueClient
	// objects reads S3 code locations (Deps.Objects).
	objects func(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, error)
	esm     esmPollers

	// cache holds the function versions invocations run (cache.go).
	cache *funcCache
	// invoked receives invocation outcomes (Deps.Invoked, metrics.go).
	invoked func(InvocationMetric)
}

var _ API = (*Service)(nil)

// New returns the service and registers its deliverer of Event invocations with
// d.Dispatcher; the runtime is built on first use. It installs Lambda's validation error
// (validation.go) in Info.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{db: d.Store, clock: d.Clock, log: d.Logger, newRT: d.NewRuntime, disp: d.Dispatcher, reserved: map[string]int64{}, ctx: ctx, cancel: cancel}
	s.queues = d.Queues
	s.objects = d.Objects
	s.targets = d.Targets
	s.cache = newFuncCache(d.MetadataTTL)
	s.invoked = d.Invoked
	if d.Dispatcher != nil {
		d.Dispatcher.Register(asyncKind, delivery.DelivererFunc(s.deliver))
		s.registerAsync(d.Dispatcher)
	}
	return s
}

// runtime returns the function runtime, building and starting it on first use.
func (s *Service) runtime() (*lambdart.Manager, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, lambdart.ErrStopped
	}
	if s.rt != nil {
		return s.rt, nil
	}
	rt, err := s.newRT()
	if err != nil {
		return nil, fmt.Errorf("build lambda runtime: %w", err)
	}
	if err := rt.Start(s.ctx); err != nil {
		rt.Stop()
		return nil, fmt.Errorf("start lambda runtime: %w", err)
	}
	s.rt = rt
	return rt, nil
}

// Start starts the pollers of every enabled event source mapping in the store, of every
// account and region, and keeps them in step with the mappings' changes on every node;
// it also initialises again the environments of the stored provisioned concurrency
// configs, in the background.
func (s *Service) Start(ctx context.Context) error {
	if err := s.startPollers(ctx); err != nil {
		return err
	}
	return s.RestoreProvisioned(ctx)
}

// Stop ends running Event invocations, waits for them and stops the runtime. It may be
// called more than once.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopped = true
	rt := s.rt
	s.mu.Unlock()
	s.cancel()
	s.stopPollers()
	s.async.Wait()
	if rt != nil {
		rt.Stop()
	}
}

// Reset is called after the service's tables were emptied. Environments of deleted
// functions are reaped when idle.
func (s *Service) Reset() {
	s.cache.clear()
	s.resyncPollers()
	s.resetProvisioned()
}

// goAsync runs fn in the background unless the service is stopping; Stop waits for it.
func (s *Service) goAsync(fn func(ctx context.Context)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.async.Add(1)
	go func() {
		defer s.async.Done()
		fn(s.ctx)
	}()
	return true
}

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

// evict shuts down the environments of a function version ("" for all), if any run.
func (s *Service) evict(account, region, name, version string) {
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	if rt != nil {
		rt.Evict(account, region, name, version)
	}
}
