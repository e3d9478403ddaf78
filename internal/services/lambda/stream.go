package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// preparedInvoke is a function version ready to run synchronously.
type preparedInvoke struct {
	rt *lambdart.Manager
	fn *lambdart.Function
	// invoked is the ARN the caller named (qualified when it was).
	invoked string
}

// prepareInvoke resolves the version a synchronous invocation of rawName (with qualifier)
// runs, sets the function's reserved concurrency and builds its runtime spec.
func (s *Service) prepareInvoke(ctx context.Context, call *protocol.Call, rawName string, qualifier *string) (*preparedInvoke, error) {
	t, err := s.resolveInvoked(ctx, call, rawName, qualifier)
	if err != nil {
		return nil, err
	}
	name := t.name
	// resolve accepted the name, so parsing it again cannot fail.
	ref, _ := parseFunctionIn(call, rawName)
	q, _ := qualifierOf(ref, qualifier)
	if q == latest {
		q = ""
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	if err := s.applyReserved(rt, call, t.function); err != nil {
		return nil, fmt.Errorf("reserve concurrency of %s: %w", name, err)
	}
	fn, err := s.runtimeSpec(ctx, rt, call, t)
	if err != nil {
		return nil, err
	}
	return &preparedInvoke{rt: rt, fn: fn, invoked: functionARN(call, name, q)}, nil
}

// invokeError maps a runtime error of an invocation that did not run to the API's.
func invokeError(fn *lambdart.Function, err error) error {
	var te *lambdart.ThrottleError
	if errors.As(err, &te) {
		e := NewTooManyRequestsException(te.Message)
		e.Fields = map[string]any{"Type": "User", "Reason": te.Reason}
		return e
	}
	return fmt.Errorf("invoke %s: %w", fn.ARN, err)
}

// InvokeWithResponseStream runs a function version and streams its response as
// PayloadChunk events, ending with an InvokeComplete event that carries the failure
// (ErrorCode, ErrorDetails) and, with LogType Tail, the log tail. A function that does
// not stream answers in one chunk. DryRun only checks that the function exists (204).
func (s *Service) InvokeWithResponseStream(ctx context.Context, in *InvokeWithResponseStreamInput) (*InvokeWithResponseStreamOutput, error) {
	call := callOf(ctx)
	if len(in.Payload) > maxSyncPayload {
		return nil, invokeTooLarge(maxSyncPayload)
	}
	payload := in.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if err := checkPayload(payload); err != nil {
		return nil, err
	}
	clientContext, err := decodeClientContext(in.ClientContext)
	if err != nil {
		return nil, err
	}
	if deref(in.InvocationType) == ResponseStreamingInvocationTypeDryRun {
		if _, _, _, err := s.lookup(ctx, call, *in.FunctionName, in.Qualifier); err != nil {
			return nil, err
		}
		return &InvokeWithResponseStreamOutput{StatusCode: ptr(int32(204))}, nil
	}
	p, err := s.prepareInvoke(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	tail := deref(in.LogType) == LogTypeTail
	st, err := p.rt.InvokeStream(ctx, p.fn, &lambdart.InvokeRequest{
		RequestID:          call.RequestID,
		Payload:            payload,
		InvokedFunctionARN: p.invoked,
		ClientContext:      clientContext,
		LogTail:            tail,
	})
	if err != nil {
		return nil, invokeError(p.fn, err)
	}
	return &InvokeWithResponseStreamOutput{
		StatusCode:      ptr(int32(200)),
		ExecutedVersion: ptr(st.ExecutedVersion),
		EventStream:     &responseStream{st: st, tail: tail},
	}, nil
}

// responseStream turns a function's streamed response into the events of
// InvokeWithResponseStream.
type responseStream struct {
	st   *lambdart.Stream
	tail bool
	buf  []byte
	done bool
}

var _ protocol.EventStream = (*responseStream)(nil)

// Next returns a PayloadChunk for each piece the function writes, then InvokeComplete.
func (r *responseStream) Next(ctx context.Context) (any, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.buf == nil {
		r.buf = make([]byte, 32*1024)
	}
	for {
		n, err := r.st.Body.Read(r.buf)
		if n > 0 {
			chunk := append([]byte(nil), r.buf[:n]...)
			return &InvokeWithResponseStreamResponseEvent{PayloadChunk: &InvokeResponseStreamUpdate{Payload: chunk}}, nil
		}
		if err != nil {
			break
		}
	}
	r.done = true
	res := r.st.Wait()
	done := &InvokeWithResponseStreamCompleteEvent{}
	if res.FunctionError != "" {
		done.ErrorCode = ptr(res.ErrorType)
		done.ErrorDetails = ptr(string(res.Payload))
	}
	if r.tail {
		done.LogResult = ptr(base64.StdEncoding.EncodeToString(res.LogTail))
	}
	return &InvokeWithResponseStreamResponseEvent{InvokeComplete: done}, nil
}

// Close abandons what the client did not read; the function runs to its end.
func (r *responseStream) Close() error {
	return r.st.Body.Close()
}
