package monitoring

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// Tags are kept on alarms, the only taggable resource Overcast stores.

// alarmOfARN returns the account, region and name of an alarm ARN
// (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME).
func alarmOfARN(arn string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "cloudwatch" || parts[5] != "alarm" || parts[6] == "" {
		return "", "", "", false
	}
	return parts[4], parts[3], parts[6], true
}

// errNoResource answers ResourceNotFoundException for an ARN that names nothing stored.
func errNoResource() error {
	return NewResourceNotFoundException("The specified resource does not exist.")
}

// mergeTags sets tags over old: a key given again takes the new value in its place.
func mergeTags(old, tags []*Tag) []*Tag {
	out := append([]*Tag{}, old...)
	for _, t := range tags {
		if t == nil || t.Key == nil {
			continue
		}
		replaced := false
		for i, o := range out {
			if *o.Key == *t.Key {
				out[i], replaced = t, true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// updateTags applies fn to the tags of the alarm arn names.
func (s *Service) updateTags(ctx context.Context, arn string, fn func([]*Tag) []*Tag) error {
	account, region, name, ok := alarmOfARN(arn)
	if !ok {
		return errNoResource()
	}
	var missing bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.MonitoringResourceGet(ctx, account, region, kindAlarm, "", name)
		if errors.Is(err, store.ErrNotFound) {
			missing = true
			return nil
		}
		if err != nil {
			return err
		}
		d, err := decodeAlarm(r)
		if err != nil {
			return err
		}
		d.Tags = fn(d.Tags)
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		r.Doc = string(doc)
		return tx.MonitoringResourcePut(ctx, r)
	})
	if err != nil {
		return err
	}
	if missing {
		return errNoResource()
	}
	return nil
}

// TagResource adds or replaces tags of an alarm.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if err := s.updateTags(ctx, *in.ResourceARN, func(old []*Tag) []*Tag { return mergeTags(old, in.Tags) }); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of an alarm; keys it does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	err := s.updateTags(ctx, *in.ResourceARN, func(old []*Tag) []*Tag {
		out := []*Tag{}
		for _, t := range old {
			if !drop[*t.Key] {
				out = append(out, t)
			}
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists an alarm's tags in the order they were added.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	account, region, name, ok := alarmOfARN(*in.ResourceARN)
	if !ok {
		return nil, errNoResource()
	}
	var r *store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.MonitoringResourceGet(ctx, account, region, kindAlarm, "", name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoResource()
	}
	if err != nil {
		return nil, err
	}
	d, err := decodeAlarm(r)
	if err != nil {
		return nil, err
	}
	tags := d.Tags
	if tags == nil {
		tags = []*Tag{}
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}
