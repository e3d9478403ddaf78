package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// eventConfig is the stored asynchronous invocation configuration of a function, version
// or alias (PutFunctionEventInvokeConfig). Unset limits keep Lambda's defaults.
type eventConfig struct {
	Retries   *int32 `json:"retries,omitempty"`
	MaxAge    *int32 `json:"maxAge,omitempty"`
	OnSuccess string `json:"onSuccess,omitempty"`
	OnFailure string `json:"onFailure,omitempty"`
}

func decodeEventConfig(s string) (*eventConfig, error) {
	var c eventConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode event invoke config: %w", err)
	}
	return &c, nil
}

func (c *eventConfig) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // numbers and strings always marshal
	}
	return string(b)
}

// policy is the delivery policy of an Event invocation under c (nil c: the defaults).
func (c *eventConfig) policy() delivery.Policy {
	retries, age := asyncMaxRetries, delivery.LambdaMaxAge
	if c != nil && c.Retries != nil {
		retries = int(*c.Retries)
	}
	if c != nil && c.MaxAge != nil {
		age = time.Duration(*c.MaxAge) * time.Second
	}
	return delivery.LambdaAsync(retries, age)
}

// wire renders a stored configuration. AWS always returns both destinations, empty when
// unset, and leaves out the limits that were not set.
func (c *eventConfig) wire(call *protocol.Call, row *store.LambdaEventConfig) *FunctionEventInvokeConfig {
	out := &FunctionEventInvokeConfig{
		LastModified:             ptr(time.UnixMilli(row.LastModified).UTC()),
		FunctionARN:              ptr(functionARN(call, row.Function, row.Qualifier)),
		MaximumRetryAttempts:     c.Retries,
		MaximumEventAgeInSeconds: c.MaxAge,
		DestinationConfig:        &DestinationConfig{OnSuccess: &OnSuccess{}, OnFailure: &OnFailure{}},
	}
	if c.OnSuccess != "" {
		out.DestinationConfig.OnSuccess.Destination = ptr(c.OnSuccess)
	}
	if c.OnFailure != "" {
		out.DestinationConfig.OnFailure.Destination = ptr(c.OnFailure)
	}
	return out
}

// errNoEventConfig is Lambda's answer when a function, version or alias has no event
// invoke config.
func errNoEventConfig(call *protocol.Call, name, qualifier string) *protocol.Error {
	return NewResourceNotFoundException(fmt.Sprintf("The function %s doesn't have an EventInvokeConfig", functionARN(call, name, qualifier)))
}

// errNoEventFunction is AWS's answer when the function, version or alias an event
// invoke config is written for does not exist.
func errNoEventFunction() *protocol.Error {
	return NewResourceNotFoundException("The function doesn't exist.")
}

// eventConfigTarget resolves the function and qualifier ($LATEST when none) of an event
// invoke config call. With mustExist it also checks that the version or alias exists.
func (s *Service) eventConfigTarget(ctx context.Context, call *protocol.Call, raw string, qualifier *string, mustExist bool) (string, string, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", "", err
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return "", "", err
	}
	if q == "" {
		q = latest
	}
	if mustExist {
		if _, _, _, err := s.lookup(ctx, call, ref.Name, ptr(q)); err != nil {
			var pe *protocol.Error
			if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
				return "", "", errNoEventFunction()
			}
			return "", "", err
		}
	}
	return ref.Name, q, nil
}

// checkDestinations validates the destinations of d for the function name: SQS queues,
// SNS topics, Lambda functions other than itself and EventBridge buses (S3 buckets, which
// AWS accepts for failures only, are refused while Overcast serves no S3).
func (s *Service) checkDestinations(ctx context.Context, call *protocol.Call, name string, d *DestinationConfig) error {
	if d == nil {
		return nil
	}
	var onSuccess, onFailure string
	if d.OnSuccess != nil {
		onSuccess = deref(d.OnSuccess.Destination)
	}
	if d.OnFailure != nil {
		onFailure = deref(d.OnFailure.Destination)
	}
	invalid := func() error {
		part := func(kind, dest string) string {
			if dest == "" {
				return "null"
			}
			return kind + "(destination=" + dest + ")"
		}
		return NewInvalidParameterValueException(fmt.Sprintf("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.",
			part("OnSuccess", onSuccess), part("OnFailure", onFailure)))
	}
	for i, dest := range []string{onSuccess, onFailure} {
		if dest == "" {
			continue
		}
		parts := strings.SplitN(dest, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" {
			return invalid()
		}
		switch parts[2] {
		case "sqs", "sns":
		case "events":
			if !strings.HasPrefix(parts[5], "event-bus/") {
				return invalid()
			}
		case "lambda":
			ref, err := parseFunctionName(dest)
			if err != nil {
				return invalid()
			}
			if parts[4] != call.Account || parts[3] != call.Region {
				continue
			}
			if ref.Name == name {
				return NewInvalidParameterValueException("You can't specify the function as a destination for itself.")
			}
			// AWS checks that a destination function of the caller's account and region
			// exists.
			if _, _, _, err := s.lookup(ctx, call, dest, nil); err != nil {
				var pe *protocol.Error
				if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
					return NewInvalidParameterValueException("The destination ARN " + dest + " is invalid.")
				}
				return err
			}
		case "s3":
			if i == 0 {
				return invalid()
			}
			return NewInvalidParameterValueException("The destination ARN " + dest + " is an Amazon S3 bucket: Overcast does not deliver invocation records to Amazon S3 yet.")
		default:
			return invalid()
		}
	}
	return nil
}

// setDestinations copies d's destinations into c: a destination left out (or empty)
// clears it, as Put and Update both replace the whole DestinationConfig they are given.
func (c *eventConfig) setDestinations(d *DestinationConfig) {
	c.OnSuccess, c.OnFailure = "", ""
	if d == nil {
		return
	}
	if d.OnSuccess != nil {
		c.OnSuccess = deref(d.OnSuccess.Destination)
	}
	if d.OnFailure != nil {
		c.OnFailure = deref(d.OnFailure.Destination)
	}
}

// errNoEventSetting is Lambda's answer to a Put or Update that sets nothing.
func errNoEventSetting() error {
	return NewInvalidParameterValueException("You must specify at least one of error handling or destination setting.")
}

// PutFunctionEventInvokeConfig creates or replaces the asynchronous invocation settings
// of a function, version or alias: settings left out are removed.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in *PutFunctionEventInvokeConfigInput) (*PutFunctionEventInvokeConfigOutput, error) {
	call := callOf(ctx)
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return nil, errNoEventSetting()
	}
	name, q, err := s.eventConfigTarget(ctx, call, *in.FunctionName, in.Qualifier, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkDestinations(ctx, call, name, in.DestinationConfig); err != nil {
		return nil, err
	}
	c := &eventConfig{Retries: in.MaximumRetryAttempts, MaxAge: in.MaximumEventAgeInSeconds}
	c.setDestinations(in.DestinationConfig)
	row := &store.LambdaEventConfig{Account: call.Account, Region: call.Region, Function: name, Qualifier: q,
		Config: c.encode(), LastModified: s.clock.Now().UnixMilli()}
	err = s.db.LambdaEventConfigPut(ctx, row)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoEventFunction()
	case err != nil:
		return nil, err
	}
	return (*PutFunctionEventInvokeConfigOutput)(c.wire(call, row)), nil
}

// UpdateFunctionEventInvokeConfig changes the settings it is given in an existing
// configuration and keeps the others.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in *UpdateFunctionEventInvokeConfigInput) (*UpdateFunctionEventInvokeConfigOutput, error) {
	call := callOf(ctx)
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return nil, errNoEventSetting()
	}
	name, q, err := s.eventConfigTarget(ctx, call, *in.FunctionName, in.Qualifier, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkDestinations(ctx, call, name, in.DestinationConfig); err != nil {
		return nil, err
	}
	var c *eventConfig
	row, err := s.db.LambdaEventConfigUpdate(ctx, call.Account, call.Region, name, q, func(row *store.LambdaEventConfig) error {
		var err error
		if c, err = decodeEventConfig(row.Config); err != nil {
			return err
		}
		if in.MaximumRetryAttempts != nil {
			c.Retries = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil {
			c.MaxAge = in.MaximumEventAgeInSeconds
		}
		if in.DestinationConfig != nil {
			// A destination given replaces the stored one; one left out is kept.
			if in.DestinationConfig.OnSuccess != nil {
				c.OnSuccess = deref(in.DestinationConfig.OnSuccess.Destination)
			}
			if in.DestinationConfig.OnFailure != nil {
				c.OnFailure = deref(in.DestinationConfig.OnFailure.Destination)
			}
		}
		row.Config, row.LastModified = c.encode(), s.clock.Now().UnixMilli()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoEventConfig(call, name, q)
	case err != nil:
		return nil, err
	}
	return (*UpdateFunctionEventInvokeConfigOutput)(c.wire(call, row)), nil
}

// GetFunctionEventInvokeConfig returns the asynchronous invocation settings of a
// function, version or alias.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, in *GetFunctionEventInvokeConfigInput) (*GetFunctionEventInvokeConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := s.eventConfigTarget(ctx, call, *in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	row, err := s.db.LambdaEventConfigGet(ctx, call.Account, call.Region, name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoEventConfig(call, name, q)
	case err != nil:
		return nil, err
	}
	c, err := decodeEventConfig(row.Config)
	if err != nil {
		return nil, err
	}
	return (*GetFunctionEventInvokeConfigOutput)(c.wire(call, row)), nil
}

// DeleteFunctionEventInvokeConfig removes the asynchronous invocation settings of a
// function, version or alias.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, in *DeleteFunctionEventInvokeConfigInput) (*DeleteFunctionEventInvokeConfigOutput, error) {
	call := callOf(ctx)
	name, q, err := s.eventConfigTarget(ctx, call, *in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaEventConfigDelete(ctx, call.Account, call.Region, name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoEventConfig(call, name, q)
	case err != nil:
		return nil, err
	}
	return &DeleteFunctionEventInvokeConfigOutput{}, nil
}

// ListFunctionEventInvokeConfigs lists the configurations of a function's qualifiers, in
// qualifier order. The marker is the last qualifier returned.
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, in *ListFunctionEventInvokeConfigsInput) (*ListFunctionEventInvokeConfigsOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, ref.Name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoEventFunction()
		}
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	rows, err := s.db.LambdaEventConfigList(ctx, call.Account, call.Region, ref.Name, deref(in.Marker), limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionEventInvokeConfigsOutput{FunctionEventInvokeConfigs: []*FunctionEventInvokeConfig{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextMarker = ptr(rows[len(rows)-1].Qualifier)
	}
	for _, row := range rows {
		c, err := decodeEventConfig(row.Config)
		if err != nil {
			return nil, err
		}
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, c.wire(call, row))
	}
	return out, nil
}

// asyncConfig returns the event invoke config that governs Event invocations of the
// function name through qualifier ("" is $LATEST), or nil when there is none.
func (s *Service) asyncConfig(ctx context.Context, call *protocol.Call, name, qualifier string) (*eventConfig, error) {
	if qualifier == "" {
		qualifier = latest
	}
	row, err := s.db.LambdaEventConfigGet(ctx, call.Account, call.Region, name, qualifier)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return decodeEventConfig(row.Config)
}
