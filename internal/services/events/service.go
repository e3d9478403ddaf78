package events

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"golang.org/x/sync/singleflight"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// SQSSendFunc sends one message to the SQS queue named by queueARN on behalf of
// EventBridge. groupID and dedupID are "" for standard queues. It returns the SQS
// service's error (a *protocol.Error for a client mistake such as a missing queue).
type SQSSendFunc func(ctx context.Context, queueARN, body, groupID, dedupID string, attrs map[string]string) error

// SNSPublishFunc publishes one message to the SNS topic named by topicARN.
type SNSPublishFunc func(ctx context.Context, topicARN, message, groupID, dedupID string) error

// InvokeFunctionFunc invokes a Lambda function (a function ARN, possibly qualified)
// asynchronously with payload, as EventBridge invokes its Lambda targets.
type InvokeFunctionFunc func(ctx context.Context, functionARN string, payload []byte) error

// LogsEmitFunc appends messages, timestamped at, to a CloudWatch Logs stream, creating the
// group and stream as needed.
type LogsEmitFunc func(ctx context.Context, account, region, group, stream string, at time.Time, messages []string) error

// Config tunes the EventBridge service. The zero value is AWS's behaviour.
type Config struct {
	// MaxPutEventsBytes caps the total entry size of one PutEvents call, computed as AWS
	// documents it. Zero means AWS's 1 MiB.
	MaxPutEventsBytes int
}

// Deps are what the EventBridge service needs from the rest of Overcast.
type Deps struct {
	Store      *store.DB
	Clock      clock.Clock
	Logger     *slog.Logger
	Dispatcher *delivery.Dispatcher
	Timers     *timer.Scheduler
	// SendToSQS delivers to SQS targets and dead-letter queues. Nil refuses SQS targets.
	SendToSQS SQSSendFunc
	// PublishToSNS delivers to SNS targets. Nil refuses SNS targets.
	PublishToSNS SNSPublishFunc
	// InvokeFunction delivers to Lambda targets. Nil refuses them.
	InvokeFunction InvokeFunctionFunc
	// EmitLogs delivers to CloudWatch Logs targets. Nil refuses them.
	EmitLogs LogsEmitFunc
	// HTTPClient makes the calls to API destinations and OAuth token endpoints. Nil means
	// http.DefaultClient; attempts are bounded by the delivery attempt timeout.
	HTTPClient *http.Client
	Config
}

// Delivery target kinds and owners, and the timer kind, registered by New.
const (
	kindSQS    = "events.sqs"
	kindSNS    = "events.sns"
	kindBus    = "events.bus"
	kindLogs   = "events.logs"
	kindHTTP   = "events.http"
	kindLambda = "events.lambda"
	owner      = "events"
	timerRule  = "events.rule"
	cacheTTL   = time.Second
	// cacheMaxAge bounds how long a bus's rules are trusted on an unchanged generation
	// stamp, in case a node died between a change and its stamp.
	cacheMaxAge = time.Minute
	// genKind is the events_resources kind of a bus's generation stamp.
	genKind    = "bus-gen"
	defaultBus = "default"
)

// Service implements the EventBridge API on the store.
type Service struct {
	UnimplementedAPI

	db     *store.DB
	clock  clock.Clock
	log    *slog.Logger
	disp   *delivery.Dispatcher
	timers *timer.Scheduler
	deps   Deps

	mu    sync.Mutex
	loads singleflight.Group // bus loads in progress, by bus ARN
	buses map[busKey]*busState

	tokens  tokenCache
	limiter rateLimiter
}

var _ API = (*Service)(nil)

// New returns the service and registers its deliverers, dead-letter function and timer
// handler with d.Dispatcher and d.Timers (which must not be started yet).
func New(d Deps) *Service {
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxPutEventsBytes <= 0 {
		d.MaxPutEventsBytes = maxPutEventsSize
	}
	s := &Service{db: d.Store, clock: d.Clock, log: d.Logger, disp: d.Dispatcher, timers: d.Timers, deps: d,
		buses: map[busKey]*busState{}}
	s.tokens.tokens = map[string]cachedToken{}
	s.limiter.windows = map[string]*rateWindow{}
	if s.disp != nil {
		s.disp.Register(kindSQS, delivery.DelivererFunc(s.deliverSQS))
		s.disp.Register(kindSNS, delivery.DelivererFunc(s.deliverSNS))
		s.disp.Register(kindBus, delivery.DelivererFunc(s.deliverBus))
		s.disp.Register(kindLogs, delivery.DelivererFunc(s.deliverLogs))
		s.disp.Register(kindHTTP, delivery.DelivererFunc(s.deliverHTTP))
		s.disp.Register(kindLambda, delivery.DelivererFunc(s.deliverLambda))
		s.disp.RegisterDeadLetter(owner, s.deadLetter)
	}
	if s.timers != nil {
		s.timers.Register(timerRule, timer.HandlerFunc(s.fireRule))
		s.timers.Register(timerReplay, timer.HandlerFunc(s.fireReplay))
	}
	return s
}

// Reset forgets cached rules, for after the service's tables were emptied.
func (s *Service) Reset() {
	s.mu.Lock()
	s.buses = map[busKey]*busState{}
	s.mu.Unlock()
}

// callOf returns the caller's identity, with Overcast's defaults for calls made without one.
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

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// protocolCall returns ctx carrying a call from account in region, for work done on a
// timer or a delivery, outside any request.
func protocolCall(ctx context.Context, account, region string) context.Context {
	return protocol.WithCall(ctx, &protocol.Call{Account: account, Region: region})
}
