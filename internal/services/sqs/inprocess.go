package sqs

import (
	"context"

	"github.com/overcast/overcast/internal/protocol"
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
		return nil, errQueueDoesNotExist()
	}
	call := &protocol.Call{Account: ref.Account, Region: ref.Region, Host: defaultHost, Scheme: "http"}
	msg := *in
	url := queueURL(URLStylePath, call.Scheme, call.Host, ref.Region, ref.Account, ref.Name)
	msg.QueueURL = &url
	return s.SendMessage(protocol.WithCall(ctx, call), &msg)
}
