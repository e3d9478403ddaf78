package lambda

import (
	"context"
	"errors"
	"time"
)

// QueueClient is the SQS API event source mappings poll queues through. Queues are named
// by ARN; calls are made in the queue's own account and region.
type QueueClient interface {
	// Queue describes a queue. Returns ErrQueueNotFound when it does not exist.
	Queue(ctx context.Context, arn string) (*Queue, error)
	// Receive receives up to max (1 to 10) messages with every system and message
	// attribute, waiting up to wait (at most 20 seconds) for the first. The messages are
	// hidden for the queue's visibility timeout, and a message past the queue's
	// maxReceiveCount moves to its dead-letter queue, as ReceiveMessage does. Returns
	// ErrQueueNotFound when the queue does not exist.
	Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]*QueueMessage, error)
	// Delete deletes received messages by their receipt handles.
	Delete(ctx context.Context, arn string, receiptHandles []string) error
	// ChangeVisibility makes a received message visible again in seconds.
	ChangeVisibility(ctx context.Context, arn, receiptHandle string, seconds int) error
}

// ErrQueueNotFound is QueueClient's error for a queue that does not exist.
var ErrQueueNotFound = errors.New("queue does not exist")

// Queue is what event source mappings need to know of a queue.
type Queue struct {
	FIFO bool
	// VisibilityTimeout is the queue's default visibility timeout, in seconds.
	VisibilityTimeout int
}

// QueueMessage is a received SQS message.
type QueueMessage struct {
	MessageID, ReceiptHandle, Body, MD5OfBody string
	// MD5OfMessageAttributes is ReceiveMessage's digest of MessageAttributes.
	MD5OfMessageAttributes string
	// Attributes are the message's system attributes (SentTimestamp, SenderId, ...).
	Attributes        map[string]string
	MessageAttributes map[string]QueueMessageAttribute
}

// QueueMessageAttribute is one message attribute: StringValue or BinaryValue is set.
type QueueMessageAttribute struct {
	DataType    string
	StringValue *string
	BinaryValue []byte
}
