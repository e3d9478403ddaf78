package lambda

import (
	"context"
	"errors"

	"github.com/overcast/overcast/internal/store"
)

// Recursive loop detection (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html).
// The setting is stored and returned; Overcast does not trace invocation chains, so
// Terminate stops no loop.

// GetFunctionRecursionConfig returns a function's recursive loop setting, Terminate unless
// it was changed.
func (s *Service) GetFunctionRecursionConfig(ctx context.Context, in *GetFunctionRecursionConfigInput) (*GetFunctionRecursionConfigOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name); errors.Is(err, store.ErrNotFound) {
		return nil, errFunctionNotFound(call, name, "")
	} else if err != nil {
		return nil, err
	}
	set, err := s.db.LambdaFunctionSettingGet(ctx, call.Account, call.Region, name, store.LambdaSettingRecursion, "")
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &GetFunctionRecursionConfigOutput{RecursiveLoop: ptr(RecursiveLoopTerminate)}, nil
	case err != nil:
		return nil, err
	}
	return &GetFunctionRecursionConfigOutput{RecursiveLoop: ptr(set.Value)}, nil
}

// PutFunctionRecursionConfig sets a function's recursive loop setting.
func (s *Service) PutFunctionRecursionConfig(ctx context.Context, in *PutFunctionRecursionConfigInput) (*PutFunctionRecursionConfigOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaFunctionSettingPut(ctx, &store.LambdaFunctionSetting{
		Account: call.Account, Region: call.Region, Function: name, Kind: store.LambdaSettingRecursion, Value: *in.RecursiveLoop,
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	}
	return &PutFunctionRecursionConfigOutput{RecursiveLoop: in.RecursiveLoop}, nil
}
