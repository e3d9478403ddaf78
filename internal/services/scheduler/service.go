package scheduler

import (
	"context"
	"encoding/base64"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	// Time zones for ScheduleExpressionTimezone must resolve on every host.
	_ "time/tzdata"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// SQSSendFunc sends one message to the SQS queue named by queueARN. groupID and dedupID
// are "" for standard queues. It returns the SQS service's error.
type SQSSendFunc func(ctx context.Context, queueARN, body, groupID, dedupID string, attrs map[string]string) error

// SNSPublishFunc publishes one message to the SNS topic named by topicARN.
type SNSPublishFunc func(ctx context.Context, topicARN, message, groupID, dedupID string) error

// PutEventFunc puts one event on the EventBridge bus named by busARN.
type PutEventFunc func(ctx context.Context, busARN, source, detailType, detail string, resources []string) error

// InvokeFunctionFunc invokes a Lambda function (a function ARN, possibly qualified)
// asynchronously with payload.
type InvokeFunctionFunc func(ctx context.Context, functionARN string, payload []byte) error

// StartExecutionFunc starts an execution of a Step Functions state machine with input.
type StartExecutionFunc func(ctx context.Context, stateMachineARN, input string) error

// UniversalTargets runs, in-process, the operations of Overcast's services that universal
// targets (arn:aws:scheduler:::aws-sdk:<service>:<apiAction>) name.
type UniversalTargets interface {
	// Check returns a ValidationException when service and action name no operation
	// Overcast serves, or input is not a valid request of it.
	Check(service, action string, input []byte) error
	// Call runs the operation in account and region with input as its request.
	Call(ctx context.Context, account, region, service, action string, input []byte) error
}

// Deps are what the Scheduler service needs from the rest of Overcast.
type Deps struct {
	Store      *store.DB
	Clock      clock.Clock
	Logger     *slog.Logger
	Dispatcher *delivery.Dispatcher
	Timers     *timer.Scheduler
	// SendToSQS delivers to SQS targets, the aws-sdk:sqs:sendMessage universal target and
	// dead-letter queues. Nil refuses them.
	SendToSQS SQSSendFunc
	// PublishToSNS delivers to SNS targets. Nil refuses them.
	PublishToSNS SNSPublishFunc
	// InvokeFunction delivers to Lambda targets. Nil refuses them.
	InvokeFunction InvokeFunctionFunc
	// StartExecution delivers to Step Functions targets. Nil refuses them.
	StartExecution StartExecutionFunc
	// PutEvent delivers to EventBridge targets. Nil refuses them.
	PutEvent PutEventFunc
	// Universal runs universal targets other than aws-sdk:sqs:sendMessage. Nil refuses
	// them.
	Universal UniversalTargets
	// RandFunc draws the offset within a flexible time window, in [0, 1). Nil means
	// math/rand/v2's Float64.
	RandFunc func() float64
}

// Delivery target kinds and owner, and the timer kind, registered by New.
const (
	kindSQS      = "scheduler.sqs"
	kindSNS      = "scheduler.sns"
	kindEvents   = "scheduler.events"
	kindLambda   = "scheduler.lambda"
	kindStates   = "scheduler.states"
	kindSDK      = "scheduler.aws-sdk"
	owner        = "scheduler"
	timerKind    = "scheduler.schedule"
	defaultGroup = "default"
)

// Service implements the EventBridge Scheduler API on the store.
type Service struct {
	UnimplementedAPI

	db     *store.DB
	clock  clock.Clock
	log    *slog.Logger
	disp   *delivery.Dispatcher
	timers *timer.Scheduler
	deps   Deps
}

var _ API = (*Service)(nil)

// New returns the service and registers its deliverers, dead-letter function and timer
// handler with d.Dispatcher and d.Timers (which must not be started yet).
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.RandFunc == nil {
		d.RandFunc = rand.Float64
	}
	s := &Service{db: d.Store, clock: d.Clock, log: d.Logger, disp: d.Dispatcher, timers: d.Timers, deps: d}
	if s.disp != nil {
		s.disp.Register(kindSQS, delivery.DelivererFunc(s.deliverSQS))
		s.disp.Register(kindSNS, delivery.DelivererFunc(s.deliverSNS))
		s.disp.Register(kindEvents, delivery.DelivererFunc(s.deliverEvents))
		s.disp.Register(kindLambda, delivery.DelivererFunc(s.deliverLambda))
		s.disp.Register(kindStates, delivery.DelivererFunc(s.deliverStates))
		s.disp.Register(kindSDK, delivery.DelivererFunc(s.deliverUniversal))
		s.disp.RegisterDeadLetter(owner, s.deadLetter)
	}
	if s.timers != nil {
		s.timers.Register(timerKind, timer.HandlerFunc(s.fire))
	}
	return s
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

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// paginate returns one page of items from the offset in token and the next token.
func paginate[T any](items []T, token *string, limit *int32) ([]T, *string, error) {
	start := 0
	if token != nil && *token != "" {
		b, err := base64.RawURLEncoding.DecodeString(*token)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, nil, NewValidationException("Invalid NextToken.")
		}
		start = n
	}
	n := 100
	if limit != nil && *limit > 0 {
		n = int(*limit)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
	}
	return items[start:end], next, nil
}
