package lambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Lambda's code storage quotas, reported by GetAccountSettings.
const (
	totalCodeSize    = 80 * 1024 * 1024 * 1024
	codeSizeUnzipped = 262144000
	codeSizeZipped   = maxZipBytes
)

// applyReserved hands a function's stored reservation to the runtime when it differs
// from what the runtime has: reservations live in the store, the runtime keeps them in
// memory only.
func (s *Service) applyReserved(rt *lambdart.Manager, call *protocol.Call, f *store.LambdaFunction) error {
	key := call.Account + "/" + call.Region + "/" + f.Name
	s.mu.Lock()
	cur, ok := s.reserved[key]
	s.mu.Unlock()
	if (ok && cur == f.Reserved) || (!ok && f.Reserved < 0) {
		return nil
	}
	if f.Reserved < 0 {
		rt.DeleteReservedConcurrency(call.Account, call.Region, f.Name)
	} else if err := rt.SetReservedConcurrency(call.Account, call.Region, f.Name, int(f.Reserved)); err != nil {
		return err
	}
	s.mu.Lock()
	s.reserved[key] = f.Reserved
	s.mu.Unlock()
	return nil
}

// concurrencyFunction reads the function a concurrency call names. AWS refuses versions
// and aliases with its own message, and PutFunctionConcurrency (put) names $LATEST in
// its not-found message where Get and Delete name the function.
func (s *Service) concurrencyFunction(ctx context.Context, call *protocol.Call, raw string, put bool) (*store.LambdaFunction, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return nil, err
	}
	if ref.Qualifier != "" {
		return nil, NewInvalidParameterValueException("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	}
	name := ref.Name
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if put {
			return nil, errFunctionNotFound(call, name, latest)
		}
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	}
	return f, nil
}

// PutFunctionConcurrency reserves concurrency for a function.
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *PutFunctionConcurrencyInput) (*PutFunctionConcurrencyOutput, error) {
	call := callOf(ctx)
	f, err := s.concurrencyFunction(ctx, call, *in.FunctionName, true)
	if err != nil {
		return nil, err
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	f.Reserved = int64(*in.ReservedConcurrentExecutions)
	var re *lambdart.ReservationError
	switch err := s.applyReserved(rt, call, f); {
	case errors.As(err, &re):
		return nil, NewInvalidParameterValueException(fmt.Sprintf("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", re.MinUnreserved))
	case err != nil:
		return nil, err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, f.Name, func(row *store.LambdaFunction) error {
		row.Reserved = f.Reserved
		return nil
	})
	s.cache.forget(call.Account, call.Region, f.Name)
	if err != nil {
		return nil, s.updateError(call, f.Name, err)
	}
	return &PutFunctionConcurrencyOutput{ReservedConcurrentExecutions: in.ReservedConcurrentExecutions}, nil
}

// GetFunctionConcurrency returns a function's reserved concurrency, if any.
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *GetFunctionConcurrencyInput) (*GetFunctionConcurrencyOutput, error) {
	call := callOf(ctx)
	f, err := s.concurrencyFunction(ctx, call, *in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionConcurrencyOutput{}
	if f.Reserved >= 0 {
		out.ReservedConcurrentExecutions = ptr(int32(f.Reserved))
	}
	return out, nil
}

// DeleteFunctionConcurrency removes a function's reservation.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *DeleteFunctionConcurrencyInput) (*DeleteFunctionConcurrencyOutput, error) {
	call := callOf(ctx)
	f, err := s.concurrencyFunction(ctx, call, *in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, f.Name, func(row *store.LambdaFunction) error {
		row.Reserved = -1
		return nil
	})
	s.cache.forget(call.Account, call.Region, f.Name)
	if err != nil {
		return nil, s.updateError(call, f.Name, err)
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	f.Reserved = -1
	if err := s.applyReserved(rt, call, f); err != nil {
		return nil, err
	}
	return &DeleteFunctionConcurrencyOutput{}, nil
}

// GetAccountSettings reports the account's limits and usage in the region.
func (s *Service) GetAccountSettings(ctx context.Context, in *GetAccountSettingsInput) (*GetAccountSettingsOutput, error) {
	call := callOf(ctx)
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.LambdaVersionList(ctx, &store.LambdaVersionListParams{Account: call.Account, Region: call.Region, AllVersions: true})
	if err != nil {
		return nil, err
	}
	var count, size int64
	for _, v := range rows {
		c, err := decodeConfig(v.Config)
		if err != nil {
			return nil, err
		}
		size += c.CodeSize
		if v.Version == store.LambdaLatest {
			count++
		}
	}
	// Layer archives count against the code storage too.
	layers, err := s.layerStorage(ctx, call)
	if err != nil {
		return nil, err
	}
	size += layers
	conc := rt.AccountConcurrency(call.Account, call.Region)
	// Provisioned concurrency of functions without a reservation comes out of the
	// unreserved pool.
	prov, err := s.provisionedUnreserved(ctx, call, provKey{})
	if err != nil {
		return nil, err
	}
	conc.UnreservedLimit -= int(prov)
	return &GetAccountSettingsOutput{
		AccountLimit: &AccountLimit{
			TotalCodeSize:                  ptr(int64(totalCodeSize)),
			CodeSizeUnzipped:               ptr(int64(codeSizeUnzipped)),
			CodeSizeZipped:                 ptr(int64(codeSizeZipped)),
			ConcurrentExecutions:           ptr(int32(conc.Limit)),
			UnreservedConcurrentExecutions: ptr(int32(conc.UnreservedLimit)),
		},
		AccountUsage: &AccountUsage{TotalCodeSize: ptr(size), FunctionCount: ptr(count)},
	}, nil
}

// forgetReserved drops a deleted function's reservation from the runtime.
func (s *Service) forgetReserved(call *protocol.Call, name string) {
	key := call.Account + "/" + call.Region + "/" + name
	s.mu.Lock()
	_, ok := s.reserved[key]
	delete(s.reserved, key)
	rt := s.rt
	s.mu.Unlock()
	if ok && rt != nil {
		rt.DeleteReservedConcurrency(call.Account, call.Region, name)
	}
}
