package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// maxSyncPayload is the request and response limit of synchronous invocations; Event
// invocations take up to maxAsyncPayload
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
)

// Invoke runs a function version. RequestResponse waits for the result; Event queues the
// invocation and answers 202; DryRun only checks that the function exists (204).
func (s *Service) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	call := callOf(ctx)
	typ := deref(in.InvocationType)
	if typ == "" {
		typ = InvocationTypeRequestResponse
	}
	limit := maxSyncPayload
	if typ == InvocationTypeEvent {
		limit = maxAsyncPayload
	}
	if len(in.Payload) > limit {
		return nil, invokeTooLarge(limit)
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
	t, err := s.resolveInvoked(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	name := t.name
	// resolve accepted the name, so parsing it again cannot fail.
	ref, _ := parseFunctionIn(call, *in.FunctionName)
	q, _ := qualifierOf(ref, in.Qualifier)
	switch typ {
	case InvocationTypeDryRun:
		return &InvokeOutput{StatusCode: ptr(int32(204))}, nil
	case InvocationTypeEvent:
		if err := s.enqueueEvent(ctx, call, name, q, payload); err != nil {
			return nil, err
		}
		return &InvokeOutput{StatusCode: ptr(int32(202))}, nil
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
	invoked := functionARN(call, name, q)
	res, err := rt.Invoke(ctx, fn, &lambdart.InvokeRequest{
		RequestID:          call.RequestID,
		Payload:            payload,
		InvokedFunctionARN: invoked,
		ClientContext:      clientContext,
		LogTail:            deref(in.LogType) == LogTypeTail,
	})
	s.recordInvocation(call, name, q, res, err)
	var te *lambdart.ThrottleError
	switch {
	case errors.As(err, &te):
		e := NewTooManyRequestsException(te.Message)
		e.Fields = map[string]any{"Type": "User", "Reason": te.Reason}
		return nil, e
	case err != nil:
		return nil, fmt.Errorf("invoke %s: %w", fn.ARN, err)
	}
	out := &InvokeOutput{
		StatusCode:      ptr(int32(200)),
		Payload:         res.Payload,
		ExecutedVersion: ptr(res.ExecutedVersion),
	}
	if res.FunctionError != "" {
		out.FunctionError = ptr(res.FunctionError)
	}
	if deref(in.LogType) == LogTypeTail {
		out.LogResult = ptr(base64.StdEncoding.EncodeToString(res.LogTail))
	}
	return out, nil
}

// resolveInvoked resolves the target of an invocation. AWS names an unqualified function
// that does not exist by its $LATEST ARN.
func (s *Service) resolveInvoked(ctx context.Context, call *protocol.Call, rawName string, qualifier *string) (*target, error) {
	t, err := s.resolve(ctx, call, rawName, qualifier)
	var pe *protocol.Error
	if err != nil && errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		if ref, perr := parseFunctionIn(call, rawName); perr == nil {
			if q, qerr := qualifierOf(ref, qualifier); qerr == nil && q == "" {
				return nil, errFunctionNotFound(call, ref.Name, latest)
			}
		}
	}
	return t, err
}

// invokeTooLarge is AWS's answer to an invocation payload over limit. The model names
// RequestTooLargeException, but AWS answers RequestEntityTooLargeException, as for every
// request over an operation's size limit.
func invokeTooLarge(limit int) error {
	return protocol.NewError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge,
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))
}

// decodeClientContext returns the JSON a caller's ClientContext (X-Amz-Client-Context)
// encodes: the runtime hands the function the decoded document.
func decodeClientContext(cc *string) (string, error) {
	if cc == nil || *cc == "" {
		return "", nil
	}
	doc, err := base64.StdEncoding.DecodeString(*cc)
	var obj map[string]json.RawMessage
	if err != nil || json.Unmarshal(doc, &obj) != nil {
		return "", NewInvalidRequestContentException("Client context must be a valid Base64-encoded JSON object.")
	}
	return string(doc), nil
}

// runtimeFunction builds the runtime's spec of a function version, unpacking its code
// into the cache when it is not there (after a restart or on another node).
func (s *Service) runtimeFunction(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, name string, v *store.LambdaVersion, c *functionConfig) (*lambdart.Function, error) {
	code, ok := rt.Code().Lookup(c.CodeSHA256)
	if !ok {
		zip, err := s.db.LambdaVersionCode(ctx, call.Account, call.Region, name, v.Version)
		if err != nil {
			return nil, fmt.Errorf("load code of %s: %w", name, err)
		}
		if code, err = rt.Code().Unpack(zip); err != nil {
			return nil, fmt.Errorf("unpack code of %s: %w", name, err)
		}
	}
	layers, err := s.layerCodes(ctx, rt, c)
	if err != nil {
		return nil, err
	}
	q := versionName(v.Version)
	arn := functionARN(call, name, "")
	if v.Version != store.LambdaLatest {
		arn = functionARN(call, name, q)
	}
	return &lambdart.Function{
		FunctionKey:         lambdart.FunctionKey{AccountID: call.Account, Region: call.Region, Name: name, Version: q},
		ARN:                 arn,
		Runtime:             c.Runtime,
		Handler:             c.Handler,
		Code:                code,
		Layers:              layers,
		MemoryMB:            int(c.MemorySize),
		Timeout:             time.Duration(c.Timeout) * time.Second,
		EphemeralStorageMB:  int(c.Ephemeral),
		Environment:         c.Environment,
		LogGroup:            c.Logging.Group,
		LogFormat:           c.Logging.format(),
		ApplicationLogLevel: c.Logging.AppLevel,
		SystemLogLevel:      c.Logging.SystemLevel,
		// A 12-digit access key is that account's, so SDK calls from the function land in
		// the function's own account.
		Credentials: lambdart.Credentials{AccessKeyID: call.Account, SecretAccessKey: "overcast"},
	}, nil
}
