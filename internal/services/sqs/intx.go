package sqs

import (
	"context"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// ErrNotInTx is SendInTx's answer for a queue whose sends cannot join another write: a
// FIFO queue, whose deduplication and ordering need a write of their own. The caller sends
// through SendToARN instead.
var ErrNotInTx = errors.New("sqs: sends to FIFO queues cannot join another write")

// SendInTx sends in to the standard queue queueARN names as part of tx, the write of
// another Overcast service (SNS publishing to raw subscriptions): the message exists
// exactly when that write commits, and the queue's receivers are woken after it. It
// applies every rule SendMessage applies and answers its errors without touching tx, so a
// caller can fall back to a retried delivery; it answers ErrNotInTx for a FIFO queue.
// in.QueueURL is ignored; the message's SenderId is the queue's account.
func (s *Service) SendInTx(ctx context.Context, tx *store.Tx, queueARN string, in *SendMessageInput) error {
	send, err := s.prepareStandard(ctx, queueARN, in)
	if err != nil {
		return err
	}
	return tx.SQSMessageSendMany(ctx, send)
}

// prepareStandard checks and prepares in for the standard queue queueARN names, on behalf
// of another service. It answers ErrNotInTx for a FIFO queue.
func (s *Service) prepareStandard(ctx context.Context, queueARN string, in *SendMessageInput) ([]*store.SQSSendParams, error) {
	ref, ok := parseQueueARN(queueARN)
	if !ok {
		return nil, errQueueDoesNotExist(ctx)
	}
	q, err := s.resolveARN(ctx, queueARN)
	switch {
	case err != nil:
		return nil, fmt.Errorf("resolve queue %s: %w", queueARN, err)
	case q == nil:
		return nil, errQueueDoesNotExist(ctx)
	case q.FIFO:
		return nil, ErrNotInTx
	}
	call := &protocol.Call{Account: ref.Account, Region: ref.Region, Host: defaultHost, Scheme: "http"}
	now := s.now()
	p, err := s.prepareSend(call, q, &sendEntry{
		Body: in.MessageBody, DelaySeconds: in.DelaySeconds, Attributes: in.MessageAttributes,
		System: in.MessageSystemAttributes, DedupID: in.MessageDeduplicationID, GroupID: in.MessageGroupID,
	}, now)
	if err != nil {
		return nil, err
	}
	return []*store.SQSSendParams{sendParams(q, now, []store.SQSNewMessage{p.msg})}, nil
}

// SendLazy sends in to the queue queueARN names on behalf of a delivery job of another
// Overcast service (an SNS subscription, an EventBridge target), applying every rule
// SendMessage applies. On a standard queue the message is stored with a lazy write
// (store.DB.WriteLazy): the job's completion is written after it and the log keeps the
// two in order, so a machine crash that loses the message loses the completion too, and
// the job delivers again. FIFO queues take the durable path of SendToARN, since their
// deduplication must not forget what it acknowledged.
func (s *Service) SendLazy(ctx context.Context, queueARN string, in *SendMessageInput) error {
	send, err := s.prepareStandard(ctx, queueARN, in)
	if errors.Is(err, ErrNotInTx) {
		_, err = s.SendToARN(ctx, queueARN, in)
		return err
	}
	if err != nil {
		return err
	}
	return s.db.WriteLazy(ctx, func(tx *store.Tx) error { return tx.SQSMessageSendMany(ctx, send) })
}
