package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Runtime management (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html).
// Each function version ($LATEST or a published version) has an update mode, Auto unless
// changed. Overcast runs every function on the host's interpreter for its runtime id, so
// the setting is stored and returned but selects no runtime version.

// runtimeManagement is the stored runtime management config of a version.
type runtimeManagement struct {
	UpdateRuntimeOn string `json:"on"`
	// RuntimeVersionARN is set with UpdateRuntimeOn Manual only.
	RuntimeVersionARN string `json:"arn,omitempty"`
}

// runtimeVersionARN is the runtime version a function configuration reports in
// RuntimeVersionConfig: AWS names each runtime version
// arn:aws:lambda:<region>::runtime:<64 hex digits>. Overcast has one version per runtime
// id (the host's interpreter), so the digits are a hash of the runtime id: stable across
// calls, restarts and nodes.
func runtimeVersionARN(call *protocol.Call, runtime string) string {
	sum := sha256.Sum256([]byte(runtime))
	return "arn:aws:lambda:" + call.Region + "::runtime:" + hex.EncodeToString(sum[:])
}

// runtimeVersionOf resolves the version a runtime management call names: $LATEST or a
// published version that exists (no alias). arn is the function's ARN as the answer
// carries it, qualified when the request named a qualifier.
func (s *Service) runtimeVersionOf(ctx context.Context, call *protocol.Call, raw string, qualifier *string) (name, q, arn string, err error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", "", "", err
	}
	q, err = qualifierOf(ref, qualifier)
	if err != nil {
		return "", "", "", err
	}
	n, ok := versionNumber(q)
	if !ok {
		return "", "", "", errFunctionNotFound(call, ref.Name, q)
	}
	if _, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, ref.Name, n); errors.Is(err, store.ErrNotFound) {
		return "", "", "", errFunctionNotFound(call, ref.Name, q)
	} else if err != nil {
		return "", "", "", err
	}
	return ref.Name, versionName(n), functionARN(call, ref.Name, q), nil
}

// GetRuntimeManagementConfig returns a version's runtime update mode and, with Manual,
// its runtime version ARN.
func (s *Service) GetRuntimeManagementConfig(ctx context.Context, in *GetRuntimeManagementConfigInput) (*GetRuntimeManagementConfigOutput, error) {
	call := callOf(ctx)
	name, q, arn, err := s.runtimeVersionOf(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &GetRuntimeManagementConfigOutput{UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto), FunctionARN: ptr(arn)}
	set, err := s.db.LambdaFunctionSettingGet(ctx, call.Account, call.Region, name, store.LambdaSettingRuntime, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return out, nil
	case err != nil:
		return nil, err
	}
	var rm runtimeManagement
	if err := json.Unmarshal([]byte(set.Value), &rm); err != nil {
		return nil, fmt.Errorf("decode runtime management config of %s:%s: %w", name, q, err)
	}
	out.UpdateRuntimeOn = ptr(rm.UpdateRuntimeOn)
	if rm.RuntimeVersionARN != "" {
		out.RuntimeVersionARN = ptr(rm.RuntimeVersionARN)
	}
	return out, nil
}

// PutRuntimeManagementConfig sets a version's runtime update mode. Manual needs a runtime
// version ARN; the other modes take none.
func (s *Service) PutRuntimeManagementConfig(ctx context.Context, in *PutRuntimeManagementConfigInput) (*PutRuntimeManagementConfigOutput, error) {
	call := callOf(ctx)
	rm := runtimeManagement{UpdateRuntimeOn: *in.UpdateRuntimeOn, RuntimeVersionARN: deref(in.RuntimeVersionARN)}
	switch {
	case rm.UpdateRuntimeOn == UpdateRuntimeOnManual && rm.RuntimeVersionARN == "":
		return nil, NewInvalidParameterValueException("RuntimeVersionArn must be specified when UpdateRuntimeOn is Manual.")
	case rm.UpdateRuntimeOn != UpdateRuntimeOnManual && rm.RuntimeVersionARN != "":
		return nil, NewInvalidParameterValueException("RuntimeVersionArn can be specified only when UpdateRuntimeOn is Manual.")
	}
	name, q, arn, err := s.runtimeVersionOf(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(rm)
	if err != nil {
		return nil, fmt.Errorf("encode runtime management config: %w", err)
	}
	err = s.db.LambdaFunctionSettingPut(ctx, &store.LambdaFunctionSetting{
		Account: call.Account, Region: call.Region, Function: name, Kind: store.LambdaSettingRuntime, Qualifier: q, Value: string(b),
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	}
	out := &PutRuntimeManagementConfigOutput{UpdateRuntimeOn: in.UpdateRuntimeOn, FunctionARN: ptr(arn)}
	if rm.RuntimeVersionARN != "" {
		out.RuntimeVersionARN = ptr(rm.RuntimeVersionARN)
	}
	return out, nil
}

// forgetRuntimeManagement deletes the runtime management config of a deleted version.
func (s *Service) forgetRuntimeManagement(ctx context.Context, call *protocol.Call, name, q string) error {
	err := s.db.LambdaFunctionSettingDelete(ctx, call.Account, call.Region, name, store.LambdaSettingRuntime, q)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
