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
const asyncMaxRetries = 2

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
// service has one, else in-process.
func (s *Service) enqueueEvent(ctx context.Context, call *protocol.Call, name, qualifier string, payload []byte) error {
	dest := functionARN(call, name, qualifier)
	if s.disp == nil {
		if !s.goAsync(func(ctx context.Context) {
			ctx = protocol.WithCall(ctx, call)
			if err := s.invokeEvent(ctx, dest, call.RequestID, payload); err != nil {
				s.log.Warn("event invocation failed", "function", dest, "err", err)
			}
		}) {
			return NewServiceException("The service is stopping.")
		}
		return nil
	}
	return s.disp.Enqueue(ctx, nil, &delivery.Job{
		Target:     asyncKind,
		Dest:       dest,
		Payload:    payload,
		Attributes: map[string]string{"requestId": call.RequestID},
		Policy:     delivery.LambdaAsync(asyncMaxRetries, delivery.LambdaMaxAge),
	})
}

// deliver runs one queued Event invocation.
func (s *Service) deliver(ctx context.Context, j *delivery.Job) error {
	parts := strings.Split(j.Dest, ":")
	if len(parts) < 7 {
		return delivery.Permanent(fmt.Errorf("bad function ARN %s", j.Dest))
	}
	ctx = protocol.WithCall(ctx, &protocol.Call{Account: parts[4], Region: parts[3], RequestID: j.Attributes["requestId"]})
	return s.invokeEvent(ctx, j.Dest, j.Attributes["requestId"], j.Payload)
}

// invokeEvent invokes the function dest names once, for an Event invocation. A function
// error is an error (retried by the delivery policy); a function that no longer exists is
// a permanent failure.
func (s *Service) invokeEvent(ctx context.Context, dest, requestID string, payload []byte) error {
	call := callOf(ctx)
	name, v, c, err := s.lookup(ctx, call, dest, nil)
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe):
		return delivery.Permanent(err)
	case err != nil:
		return err
	}
	rt, err := s.runtime()
	if err != nil {
		return err
	}
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	if err != nil {
		return err
	}
	if err := s.applyReserved(rt, call, f); err != nil {
		return err
	}
	fn, err := s.runtimeFunction(ctx, rt, call, name, v, c)
	if err != nil {
		return err
	}
	res, err := rt.Invoke(ctx, fn, &lambdart.InvokeRequest{RequestID: requestID, Payload: payload, InvokedFunctionARN: dest})
	switch {
	case errors.Is(err, lambdart.ErrThrottled):
		return delivery.Throttled(err)
	case err != nil:
		return err
	case res.FunctionError != "":
		return fmt.Errorf("function error %s: %s", res.ErrorType, res.Payload)
	}
	return nil
}
