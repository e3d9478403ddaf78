package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// maxTags is how many tags a function may carry.
const maxTags = 50

// taggedFunction returns the name of the function a tagging call's Resource ARN names.
func taggedFunction(call *protocol.Call, resource string) (string, error) {
	ref, err := parseFunctionIn(call, resource)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		return "", err
	}
	if err != nil || !strings.HasPrefix(resource, "arn:") {
		return "", NewInvalidParameterValueException("Invalid ARN: " + resource)
	}
	if ref.Qualifier != "" {
		return "", NewInvalidParameterValueException("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	return ref.Name, nil
}

// updateTags applies change to a function's tags.
func (s *Service) updateTags(ctx context.Context, resource string, change func(tags map[string]string) error) error {
	call := callOf(ctx)
	name, err := taggedFunction(call, resource)
	if err != nil {
		return err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, name, func(f *store.LambdaFunction) error {
		tags := map[string]string{}
		if err := json.Unmarshal([]byte(f.Tags), &tags); err != nil {
			return fmt.Errorf("decode tags: %w", err)
		}
		if err := change(tags); err != nil {
			return err
		}
		b, err := json.Marshal(tags)
		f.Tags = string(b)
		return err
	})
	s.cache.forget(call.Account, call.Region, name)
	return s.updateError(call, name, err)
}

// TagResource adds or replaces tags of a function.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if len(in.Tags) == 0 {
		// AWS refuses an empty tag map with this generic message.
		return nil, NewInvalidParameterValueException("An error occurred and the request cannot be processed.")
	}
	err := s.updateTags(ctx, *in.Resource, func(tags map[string]string) error {
		for k, v := range in.Tags {
			tags[k] = v
		}
		if len(tags) > maxTags {
			return NewInvalidParameterValueException("Number of tags exceeds resource tag limit.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of a function; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	err := s.updateTags(ctx, *in.Resource, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTags returns a function's tags.
func (s *Service) ListTags(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	call := callOf(ctx)
	name, err := taggedFunction(call, *in.Resource)
	if err != nil {
		return nil, err
	}
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	}
	tags := map[string]string{}
	if err := json.Unmarshal([]byte(f.Tags), &tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	return &ListTagsOutput{Tags: tags}, nil
}
