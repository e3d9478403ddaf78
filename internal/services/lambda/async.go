package lambda

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// asyncKind is the delivery target kind of asynchronous invocations.
const asyncKind = "lambda"

// Lambda's defaults for asynchronous invocation: two retries, events kept six hours
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
// PutFunctionEventInvokeConfig changes them per function, version or alias.
const asyncMaxRetries = delivery.LambdaMaxRetries

// InvokeEvent queues an asynchronous (Event) invocation of the function functionARN
// names, qualified or not, with payload. It is the in-process API of services that invoke
// functions (EventBridge, Scheduler, SNS). The function must exist when it is called.
func (s *Service) InvokeEvent(ctx context.Context, functionARN string, payload []byte) error {
	parts := strings.Split(functionARN, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" {
		return fmt.Errorf("invoke %s: not a function ARN", functionARN)
	}
	call := &protocol.Call{Account: parts[4], Region: parts[3], RequestID: protocol.CallFrom(ctx).RequestID}
	ctx = protocol.WithCall(ctx, call)
	q := ""
	if len(parts) == 8 {
		q = parts[7]
	}
	name, _, _, err := s.lookup(ctx, call, parts[6], ptr(q))
	if err != nil {
		return err
	}
	return s.enqueueEvent(ctx, call, name, q, payload)
}

// enqueueEvent queues an Event invocation: durably through the delivery layer when the
// service has one, else in-process (once, without destinations). The job carries the
// retry policy, destinations and dead-letter target in force now: the event invoke config
// of the qualifier invoked and the DeadLetterConfig of the version it resolves to.
func (s *Service) enqueueEvent(ctx context.Context, call *protocol.Call, name, qualifier string, payload []byte) error {
	dest := functionARN(call, name, qualifier)
	if s.disp == nil {
		if !s.goAsync(func(ctx context.Context) {
			ctx = protocol.WithCall(ctx, call)
			if _, err := s.invokeEvent(ctx, dest, call.RequestID, payload); err != nil {
				s.log.Warn("event invocation failed", "function", dest, "err", err)
			}
		}) {
			return NewServiceException("The service is stopping.")
		}
		return nil
	}
	cfg, err := s.asyncConfig(ctx, call, name, qualifier)
	if err != nil {
		return err
	}
	_, _, c, err := s.lookup(ctx, call, name, ptr(qualifier))
	if err != nil {
		return err
	}
	requestID := call.RequestID
	if requestID == "" {
		// Services invoking through InvokeEvent may have no request of their own: the
		// invocation gets its id now, so that its logs, records and DLQ message agree.
		requestID = newRevisionID()
	}
	attrs := map[string]string{attrRequestID: requestID}
	if c.DeadLetter != "" {
		attrs[attrDLQ] = c.DeadLetter
	}
	if cfg != nil && cfg.OnSuccess != "" {
		attrs[attrOnSuccess] = cfg.OnSuccess
	}
	if cfg != nil && cfg.OnFailure != "" {
		attrs[attrOnFailure] = cfg.OnFailure
	}
	return s.disp.Enqueue(ctx, nil, &delivery.Job{
		Target:     asyncKind,
		Dest:       dest,
		Payload:    payload,
		Attributes: attrs,
		Policy:     cfg.policy(),
		Owner:      asyncOwner,
	})
}

// deliver runs one queued Event invocation and, when it succeeds, hands its invocation
// record to the on-success destination before acknowledging it.
func (s *Service) deliver(ctx context.Context, j *delivery.Job) error {
	parts := strings.Split(j.Dest, ":")
	if len(parts) < 7 {
		return delivery.Permanent(fmt.Errorf("bad function ARN %s", j.Dest))
	}
	ctx = protocol.WithCall(ctx, &protocol.Call{Account: parts[4], Region: parts[3], RequestID: j.Attributes[attrRequestID]})
	res, err := s.invokeEvent(ctx, j.Dest, j.Attributes[attrRequestID], j.Payload)
	if err != nil {
		return err
	}
	if dest := j.Attributes[attrOnSuccess]; dest != "" {
		rec := s.record(j, conditionSuccess, j.Attempt, res, nil)
		if err := s.disp.Enqueue(ctx, nil, recordJob(j, dest, rec, true)); err != nil {
			return fmt.Errorf("hand on the invocation record: %w", err)
		}
	}
	return nil
}

// invokeEvent invokes the function dest names once, for an Event invocation. A function
// error is a *functionError (retried by the delivery policy); a function that no longer
// exists, or whose reserved concurrency is zero, is a permanent failure (AWS sends such
// events to the dead-letter queue or on-failure destination at once).
func (s *Service) invokeEvent(ctx context.Context, dest, requestID string, payload []byte) (*lambdart.InvokeResult, error) {
	call := callOf(ctx)
	t, err := s.resolve(ctx, call, dest, nil)
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe):
		return nil, delivery.Permanent(err)
	case err != nil:
		return nil, err
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	if t.function.Reserved == 0 {
		return nil, delivery.Permanent(&lambdart.ThrottleError{Reason: lambdart.ReasonReservedLimit, Message: "Rate Exceeded."})
	}
	if err := s.applyReserved(rt, call, t.function); err != nil {
		return nil, err
	}
	fn, err := s.runtimeSpec(ctx, rt, call, t)
	if err != nil {
		return nil, err
	}
	res, err := rt.Invoke(ctx, fn, &lambdart.InvokeRequest{RequestID: requestID, Payload: payload, InvokedFunctionARN: dest})
	if s.invoked != nil {
		// resolve accepted dest, so parsing it again cannot fail.
		ref, _ := parseFunctionIn(call, dest)
		s.recordInvocation(call, t.name, ref.Qualifier, res, err)
	}
	switch {
	case errors.Is(err, lambdart.ErrThrottled):
		return nil, delivery.Throttled(err)
	case err != nil:
		return nil, err
	case res.FunctionError != "":
		return nil, &functionError{ExecutedVersion: res.ExecutedVersion, FunctionError: res.FunctionError, Payload: string(res.Payload)}
	}
	return res, nil
}
