package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Tag limits: AWS recommends at most 50 tags per queue and refuses more.
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateTags checks tag keys and values.
func validateTags(tags map[string]string) (map[string]string, error) {
	for _, k := range sortedKeys(tags) {
		v := tags[k]
		if k == "" || utf8.RuneCountInString(k) > maxTagKeyLen {
			return nil, errInvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")
		}
		if utf8.RuneCountInString(v) > maxTagValueLen {
			return nil, errInvalidParameterValue("Tag values must be less than 256 characters in length.")
		}
	}
	if len(tags) > maxTags {
		return nil, errInvalidParameterValue("Too many tags added for queue.")
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}

// modifyTags applies fn to the queue's tags in one write.
func (s *Service) modifyTags(ctx context.Context, q *queue, fn func(tags map[string]string) error) error {
	_, err := s.db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error {
		tags := map[string]string{}
		if err := json.Unmarshal([]byte(r.Tags), &tags); err != nil {
			return fmt.Errorf("decode tags of queue %s: %w", q.Name, err)
		}
		if tags == nil {
			tags = map[string]string{}
		}
		if err := fn(tags); err != nil {
			return err
		}
		b, _ := json.Marshal(tags)
		r.Tags = string(b)
		return nil
	})
	var perr *protocol.Error
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.cache.drop(q.Account, q.Region, q.Name)
		return errQueueDoesNotExist(ctx)
	case errors.As(err, &perr):
		return perr
	}
	return err
}

// TagQueue adds or replaces tags of a queue.
func (s *Service) TagQueue(ctx context.Context, in *TagQueueInput) (*TagQueueOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	if _, err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	err = s.modifyTags(ctx, q, func(tags map[string]string) error {
		for k, v := range in.Tags {
			tags[k] = v
		}
		if len(tags) > maxTags {
			return errInvalidParameterValue(fmt.Sprintf("Too many tags added for queue %s.", q.Name))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagQueueOutput{}, nil
}

// UntagQueue removes tags of a queue; absent keys are ignored.
func (s *Service) UntagQueue(ctx context.Context, in *UntagQueueInput) (*UntagQueueOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errInvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")
	}
	err = s.modifyTags(ctx, q, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagQueueOutput{}, nil
}

// ListQueueTags answers a queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *ListQueueTagsInput) (*ListQueueTagsOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	c := callOf(ctx)
	row, err := s.db.SQSQueueGet(ctx, q.Account, c.Region, q.Name)
	if errors.Is(err, store.ErrNotFound) {
		s.cache.drop(q.Account, q.Region, q.Name)
		return nil, errQueueDoesNotExist(ctx)
	}
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if err := json.Unmarshal([]byte(row.Tags), &tags); err != nil {
		return nil, fmt.Errorf("decode tags of queue %s: %w", q.Name, err)
	}
	if len(tags) == 0 {
		tags = nil
	}
	return &ListQueueTagsOutput{Tags: tags}, nil
}
