package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// taggable locates the stored resource an ARN names: a custom bus or a rule.
func taggable(arn string) (account, region, kind, parent, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "events" {
		return "", "", "", "", "", false
	}
	account, region = parts[4], parts[3]
	switch res := parts[5]; {
	case strings.HasPrefix(res, "event-bus/"):
		return account, region, "bus", "", strings.TrimPrefix(res, "event-bus/"), true
	case strings.HasPrefix(res, "rule/"):
		rest := strings.TrimPrefix(res, "rule/")
		if bus, rule, has := strings.Cut(rest, "/"); has {
			return account, region, "rule", bus, rule, true
		}
		return account, region, "rule", defaultBus, rest, true
	}
	return "", "", "", "", "", false
}

// modifyTags applies fn to the tags of the resource arn names.
func (s *Service) modifyTags(ctx context.Context, arn string, fn func(map[string]string)) (map[string]string, error) {
	account, region, kind, parent, name, ok := taggable(arn)
	if !ok {
		return nil, NewResourceNotFoundException(fmt.Sprintf("Resource %s does not exist.", arn))
	}
	// AWS names the missing resource the way DescribeRule and DescribeEventBus do.
	notFound := errBusNotFound(busKey{account: account, region: region, name: name})
	if kind == "rule" {
		notFound = errRuleNotFound(name, busKey{account: account, region: region, name: parent})
	}
	var tags map[string]string
	write := fn != nil
	run := func(tx *store.Tx) error {
		r, err := tx.EventsResourceGet(ctx, account, region, kind, parent, name)
		if errors.Is(err, store.ErrNotFound) {
			if kind == "bus" && name == defaultBus {
				r = &store.Resource{Account: account, Region: region, Kind: kind, Name: name, Doc: "{}", CreatedAt: s.now().UnixMilli()}
			} else {
				return notFound
			}
		} else if err != nil {
			return err
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.Doc), &doc); err != nil {
			return err
		}
		tags = map[string]string{}
		if raw, ok := doc["tags"]; ok {
			_ = json.Unmarshal(raw, &tags)
		}
		if !write {
			return nil
		}
		fn(tags)
		if len(tags) == 0 {
			delete(doc, "tags")
		} else {
			doc["tags"], _ = json.Marshal(tags)
		}
		b, _ := json.Marshal(doc)
		r.Doc, r.ModifiedAt = string(b), s.now().UnixMilli()
		return tx.EventsResourcePut(ctx, r)
	}
	var err error
	if write {
		err = s.db.Write(ctx, run)
	} else {
		err = s.db.Read(ctx, run)
	}
	return tags, err
}

// TagResource adds tags to a bus or rule.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	_, err := s.modifyTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, t := range in.Tags {
			m[*t.Key] = *t.Value
		}
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags from a bus or rule.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	_, err := s.modifyTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists the tags of a bus or rule.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	tags, err := s.modifyTags(ctx, *in.ResourceARN, nil)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &ListTagsForResourceOutput{Tags: []*Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, &Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out, nil
}
