package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/store"
)

// moveTaskHandle is the content of a TaskHandle: the task and its source queue.
type moveTaskHandle struct {
	TaskID    string `json:"taskId"`
	SourceArn string `json:"sourceArn"`
}

func encodeTaskHandle(id, sourceARN string) string {
	b, _ := json.Marshal(moveTaskHandle{TaskID: id, SourceArn: sourceARN})
	return base64.StdEncoding.EncodeToString(b)
}

// parseTaskHandle decodes a TaskHandle; it reports false for anything encodeTaskHandle did
// not make.
func parseTaskHandle(s string) (moveTaskHandle, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return moveTaskHandle{}, false
	}
	var h moveTaskHandle
	if json.Unmarshal(b, &h) != nil || h.TaskID == "" {
		return moveTaskHandle{}, false
	}
	if _, ok := parseQueueARN(h.SourceArn); !ok {
		return moveTaskHandle{}, false
	}
	return h, true
}

func errSourceNotFound() error {
	return NewResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.")
}

// isDeadLetterQueue reports whether some queue's redrive policy targets q.
func (s *Service) isDeadLetterQueue(ctx context.Context, q *queue) (bool, error) {
	rows, err := s.db.SQSQueueList(ctx, &store.SQSQueueListParams{Account: q.Account, Region: q.Region, DLQARN: q.ARN, Limit: 1})
	return len(rows) > 0, err
}

// StartMessageMoveTask starts moving the messages of a dead-letter queue back to their
// source queues (or to DestinationArn). The task runs in the background, survives restarts
// and moves at most MaxNumberOfMessagesPerSecond messages a second when that is given.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskInput) (*StartMessageMoveTaskOutput, error) {
	src, err := s.resolveARN(ctx, *in.SourceARN)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errSourceNotFound()
	}
	dest := ""
	if in.DestinationARN != nil && *in.DestinationARN != "" {
		d, err := s.resolveARN(ctx, *in.DestinationARN)
		if err != nil {
			return nil, err
		}
		if d == nil {
			return nil, NewResourceNotFoundException("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		dest = d.ARN
	}
	var rate int64
	if in.MaxNumberOfMessagesPerSecond != nil {
		rate = int64(*in.MaxNumberOfMessagesPerSecond)
		if rate < 1 || rate > maxMoveTaskRatePerSec {
			return nil, errParamInvalid(rate, "MaxNumberOfMessagesPerSecond", "You must enter a number that's between 1 and 500.")
		}
	}
	dlq, err := s.isDeadLetterQueue(ctx, src)
	if err != nil {
		return nil, err
	}
	if !dlq {
		return nil, errInvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
	}
	handle := encodeTaskHandle(newMessageID(), src.ARN)
	_, err = s.db.SQSMoveTaskStart(ctx, &store.SQSMoveTask{
		Handle: handle, SourceQueueID: src.ID, SourceARN: src.ARN, DestARN: dest,
		MaxPerSecond: rate, StartedAt: s.now(),
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, errInvalidParameterValue("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	case errors.Is(err, store.ErrNotFound):
		return nil, errSourceNotFound()
	case err != nil:
		return nil, err
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return &StartMessageMoveTaskOutput{TaskHandle: &handle}, nil
}

// ListMessageMoveTasks lists the most recent tasks of a source queue (MaxResults, 1 to 10,
// default 1), newest first.
func (s *Service) ListMessageMoveTasks(ctx context.Context, in *ListMessageMoveTasksInput) (*ListMessageMoveTasksOutput, error) {
	limit := 1
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
		if limit < 1 || limit > 10 {
			return nil, errInvalidParameterValue(fmt.Sprintf("Value %d for parameter MaxResults is invalid.", limit))
		}
	}
	src, err := s.resolveARN(ctx, *in.SourceARN)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errSourceNotFound()
	}
	tasks, err := s.db.SQSMoveTaskList(ctx, src.ARN, limit)
	if err != nil {
		return nil, err
	}
	out := &ListMessageMoveTasksOutput{Results: []*ListMessageMoveTasksResultEntry{}}
	for _, t := range tasks {
		e := &ListMessageMoveTasksResultEntry{
			Status:                            ptr(t.Status),
			SourceARN:                         ptr(t.SourceARN),
			DestinationARN:                    optional(t.DestARN),
			ApproximateNumberOfMessagesMoved:  ptr(t.Moved),
			ApproximateNumberOfMessagesToMove: ptr(t.ToMove),
			FailureReason:                     optional(t.FailureReason),
			StartedTimestamp:                  ptr(t.StartedAt),
		}
		if t.Status == store.SQSTaskRunning {
			e.TaskHandle = ptr(t.Handle)
		}
		if t.MaxPerSecond > 0 {
			e.MaxNumberOfMessagesPerSecond = ptr(int32(t.MaxPerSecond))
		}
		out.Results = append(out.Results, e)
	}
	return out, nil
}

// CancelMessageMoveTask stops a running task; messages already moved stay moved.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskInput) (*CancelMessageMoveTaskOutput, error) {
	h, ok := parseTaskHandle(*in.TaskHandle)
	if !ok {
		return nil, errInvalidParameterValue("Value for parameter TaskHandle is invalid.")
	}
	src, err := s.resolveARN(ctx, h.SourceArn)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errSourceNotFound()
	}
	t, err := s.db.SQSMoveTaskCancel(ctx, *in.TaskHandle, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewResourceNotFoundException("Task does not exist.")
	case errors.Is(err, store.ErrPreconditionFailed):
		return nil, errInvalidParameterValue("Only active tasks can be cancelled.")
	case err != nil:
		return nil, err
	}
	return &CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: ptr(t.Moved)}, nil
}

// moveUnlimitedBatch is how many messages a task without a rate moves per step.
const moveUnlimitedBatch = 1000

// stepMoveTasks advances every running task by one step.
func (s *Service) stepMoveTasks(ctx context.Context) error {
	tasks, err := s.db.SQSMoveTaskRunning(ctx)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		limit := moveUnlimitedBatch
		if t.MaxPerSecond > 0 {
			limit = max(1, int(t.MaxPerSecond*s.cfg.MoveTaskInterval.Milliseconds()/1000))
		}
		_, err := s.db.SQSMoveTaskStep(ctx, &store.SQSMoveStepParams{
			TaskID: t.ID, Now: s.now(), Limit: limit,
			Resolve: func(arn string) store.SQSMoveDest {
				q, err := s.resolveARN(ctx, arn)
				if err != nil || q == nil {
					return store.SQSMoveDest{}
				}
				return store.SQSMoveDest{QueueID: q.ID, OK: true}
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
