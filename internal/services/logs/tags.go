package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// maxTags is how many tags a log group may carry.
const maxTags = 50

// tagKeyPattern is the model's TagKey pattern.
// Compiled on first use: its Unicode classes make a large program.
var tagKeyPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
})

// checkTags validates the keys of add (the model validates values only), merges add into
// the tags in JSON form current ("" for none) and returns the result as JSON. More than 50
// tags answer TooManyTagsException when resource is set, InvalidParameterException when it
// is not (CreateLogGroup, TagLogGroup).
func checkTags(add map[string]string, current map[string]string, resource ...string) (string, error) {
	for k := range add {
		n := utf8.RuneCountInString(k)
		if n < 1 || n > 128 || !tagKeyPattern().MatchString(k) {
			return "", errConstraint(k, "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "+
				"Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "+tagKeyPattern().String()+"]")
		}
	}
	merged := make(map[string]string, len(current)+len(add))
	for k, v := range current {
		merged[k] = v
	}
	for k, v := range add {
		merged[k] = v
	}
	if len(merged) > maxTags {
		if len(resource) > 0 {
			e := NewTooManyTagsException(msgTooManyTags)
			e.Fields = map[string]any{"resourceName": resource[0]}
			return "", e
		}
		return "", NewInvalidParameterException(msgTooManyTags)
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return "", fmt.Errorf("encode tags: %w", err)
	}
	return string(b), nil
}

// decodeTags reads a group's tags.
func decodeTags(s string) map[string]string {
	out := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	return out
}

// groupFromARN returns the name of the caller's log group that a tagging ARN names. AWS
// tags log groups by the ARN without ":*"; Overcast accepts both forms.
func groupFromARN(c *protocol.Call, arn string) (string, error) {
	if !strings.HasPrefix(arn, "arn:") {
		return "", NewInvalidParameterException(fmt.Sprintf("Invalid ARN: %s", arn))
	}
	ref, ok := parseGroupARN(arn)
	if !ok || ref.Account != c.Account || ref.Region != c.Region {
		return "", NewResourceNotFoundException("The specified resource does not exist.")
	}
	return ref.Name, nil
}

// tag merges add into the tags of log group name.
func (s *Service) tag(ctx context.Context, name string, add map[string]string, resource ...string) error {
	return s.modifyGroup(ctx, name, func(g *store.LogsGroup) error {
		tags, err := checkTags(add, decodeTags(g.Tags), resource...)
		if err != nil {
			return err
		}
		g.Tags = tags
		return nil
	})
}

// untag removes keys from the tags of log group name.
func (s *Service) untag(ctx context.Context, name string, keys []string) error {
	return s.modifyGroup(ctx, name, func(g *store.LogsGroup) error {
		tags := decodeTags(g.Tags)
		for _, k := range keys {
			delete(tags, k)
		}
		b, err := json.Marshal(tags)
		if err != nil {
			return fmt.Errorf("encode tags: %w", err)
		}
		g.Tags = string(b)
		return nil
	})
}

// listTags returns the tags of log group name.
func (s *Service) listTags(ctx context.Context, name string) (map[string]string, error) {
	g, err := s.getGroup(ctx, callOf(ctx), name)
	if err != nil {
		return nil, err
	}
	return decodeTags(g.Tags), nil
}

// TagResource adds or replaces tags of a log group or a destination named by its ARN.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if isDestinationARN(*in.ResourceARN) {
		if err := s.tagDestination(ctx, *in.ResourceARN, in.Tags); err != nil {
			return nil, err
		}
		return &TagResourceOutput{}, nil
	}
	name, err := groupFromARN(callOf(ctx), *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := s.tag(ctx, name, in.Tags, *in.ResourceARN); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of a log group or a destination named by its ARN.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	if isDestinationARN(*in.ResourceARN) {
		if err := s.untagDestination(ctx, *in.ResourceARN, in.TagKeys); err != nil {
			return nil, err
		}
		return &UntagResourceOutput{}, nil
	}
	name, err := groupFromARN(callOf(ctx), *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := s.untag(ctx, name, in.TagKeys); err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists the tags of a log group or a destination named by its ARN.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if isDestinationARN(*in.ResourceARN) {
		tags, err := s.destinationTags(ctx, *in.ResourceARN, nil)
		if err != nil {
			return nil, err
		}
		return &ListTagsForResourceOutput{Tags: tags}, nil
	}
	name, err := groupFromARN(callOf(ctx), *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags, err := s.listTags(ctx, name)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}

// TagLogGroup adds or replaces tags of a log group (the older, name-based API).
func (s *Service) TagLogGroup(ctx context.Context, in *TagLogGroupInput) (*TagLogGroupOutput, error) {
	if err := s.tag(ctx, *in.LogGroupName, in.Tags); err != nil {
		return nil, err
	}
	return &TagLogGroupOutput{}, nil
}

// UntagLogGroup removes tags of a log group (the older, name-based API).
func (s *Service) UntagLogGroup(ctx context.Context, in *UntagLogGroupInput) (*UntagLogGroupOutput, error) {
	if err := s.untag(ctx, *in.LogGroupName, in.Tags); err != nil {
		return nil, err
	}
	return &UntagLogGroupOutput{}, nil
}

// ListTagsLogGroup lists the tags of a log group (the older, name-based API).
func (s *Service) ListTagsLogGroup(ctx context.Context, in *ListTagsLogGroupInput) (*ListTagsLogGroupOutput, error) {
	tags, err := s.listTags(ctx, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return &ListTagsLogGroupOutput{Tags: tags}, nil
}
