package sqs

import (
	"context"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// SendToARN sends a message to the queue named by queueARN on behalf of another Overcast
// service (SNS subscriptions, EventBridge and Scheduler targets, Lambda destinations and
// dead-letter queues). It applies every rule SendMessage applies and answers the same
// errors: QueueDoesNotExist when the queue is gone, InvalidMessageContents,
// MissingParameter for a FIFO queue without MessageGroupId, and so on. in.QueueURL is
// ignored. The message's SenderId is the queue's account.
func (s *Service) SendToARN(ctx context.Context, queueARN string, in *SendMessageInput) (*SendMessageOutput, error) {
	ref, ok := parseQueueARN(queueARN)
	if !ok {
		return nil, errQueueDoesNotExist(ctx)
	}
	call := &protocol.Call{Account: ref.Account, Region: ref.Region, Host: defaultHost, Scheme: "http"}
	msg := *in
	url := queueURL(URLStylePath, call.Scheme, call.Host, ref.Region, ref.Account, ref.Name)
	msg.QueueURL = &url
	return s.SendMessage(protocol.WithCall(ctx, call), &msg)
}

// QueueInfo is what another Overcast service may learn about a queue.
type QueueInfo struct {
	ARN  string
	FIFO bool
	// VisibilityTimeout is the queue's default visibility timeout, in seconds.
	VisibilityTimeout int
}

// inProcessCall is the call another service makes on the queue ref names.
func inProcessCall(ctx context.Context, ref arnRef) (context.Context, string) {
	call := &protocol.Call{Account: ref.Account, Region: ref.Region, Host: defaultHost, Scheme: "http", RequestID: protocol.CallFrom(ctx).RequestID}
	url := queueURL(URLStylePath, call.Scheme, call.Host, ref.Region, ref.Account, ref.Name)
	return protocol.WithCall(ctx, call), url
}

// QueueByARN describes the queue queueARN names, on behalf of another Overcast service
// (Lambda event source mappings). Returns QueueDoesNotExist when there is no such queue.
func (s *Service) QueueByARN(ctx context.Context, queueARN string) (*QueueInfo, error) {
	q, err := s.resolveARN(ctx, queueARN)
	if err != nil {
		return nil, fmt.Errorf("resolve queue %s: %w", queueARN, err)
	}
	if q == nil {
		return nil, errQueueDoesNotExist(ctx)
	}
	return &QueueInfo{ARN: q.ARN, FIFO: q.FIFO, VisibilityTimeout: q.Attrs.VisibilityTimeout}, nil
}

// ReceiveFromARN receives from the queue queueARN names on behalf of another Overcast
// service (Lambda event source mappings): it is ReceiveMessage with every rule and error
// of it (long polls, visibility, FIFO group locks, redrive to the dead-letter queue).
// in.QueueURL is ignored.
func (s *Service) ReceiveFromARN(ctx context.Context, queueARN string, in *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	ref, ok := parseQueueARN(queueARN)
	if !ok {
		return nil, errQueueDoesNotExist(ctx)
	}
	ctx, url := inProcessCall(ctx, ref)
	r := *in
	r.QueueURL = &url
	return s.ReceiveMessage(ctx, &r)
}

// DeleteFromARN deletes received messages, by their receipt handles, from the queue
// queueARN names, with DeleteMessage's rules: an older handle of a message of a standard
// queue still deletes it, one of a FIFO queue does not (the store wakes the queue's long polls, since the
// messages' group may be unlocked). Returns QueueDoesNotExist or
// ReceiptHandleIsInvalid (and deletes nothing) for a handle of another queue.
func (s *Service) DeleteFromARN(ctx context.Context, queueARN string, receiptHandles []string) error {
	if len(receiptHandles) == 0 {
		return nil
	}
	q, err := s.resolveARN(ctx, queueARN)
	if err != nil {
		return fmt.Errorf("resolve queue %s: %w", queueARN, err)
	}
	if q == nil {
		return errQueueDoesNotExist(ctx)
	}
	hs := make([]store.SQSHandle, len(receiptHandles))
	for i, rh := range receiptHandles {
		if hs[i], err = handleFor(q, rh); err != nil {
			return err
		}
	}
	_, err = s.db.SQSMessageDelete(ctx, q.ID, hs, !q.FIFO)
	if err != nil {
		return err
	}
	return nil
}

// ChangeVisibilityFromARN is ChangeMessageVisibility on the queue queueARN names, on
// behalf of another Overcast service.
func (s *Service) ChangeVisibilityFromARN(ctx context.Context, queueARN, receiptHandle string, seconds int) error {
	ref, ok := parseQueueARN(queueARN)
	if !ok {
		return errQueueDoesNotExist(ctx)
	}
	ctx, url := inProcessCall(ctx, ref)
	vt := int32(seconds)
	_, err := s.ChangeMessageVisibility(ctx, &ChangeMessageVisibilityInput{QueueURL: &url, ReceiptHandle: &receiptHandle, VisibilityTimeout: &vt})
	return err
}
