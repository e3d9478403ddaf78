package lambda

import "context"

// InvokeAsync is Lambda's deprecated asynchronous invoke
// (https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html): it queues an
// Event invocation of the function's $LATEST, or the version or alias the name carries,
// exactly as Invoke with InvocationType Event does, and answers 202.
func (s *Service) InvokeAsync(ctx context.Context, in *InvokeAsyncInput) (*InvokeAsyncOutput, error) {
	call := callOf(ctx)
	if len(in.InvokeArgs) > maxAsyncPayload {
		return nil, invokeTooLarge(maxAsyncPayload)
	}
	payload := in.InvokeArgs
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if err := checkPayload(payload); err != nil {
		return nil, err
	}
	name, _, _, err := s.lookup(ctx, call, *in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	// lookup accepted the name, so parsing it again cannot fail.
	ref, _ := parseFunctionIn(call, *in.FunctionName)
	if err := s.enqueueEvent(ctx, call, name, ref.Qualifier, payload); err != nil {
		return nil, err
	}
	return &InvokeAsyncOutput{Status: ptr(int32(202))}, nil
}
