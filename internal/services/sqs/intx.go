package sqs

import (
	"context"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// ErrNotInTx is SendManyInTx's answer for a queue whose sends cannot join another write: a
// FIFO queue, whose deduplication and ordering need a write of their own. The caller sends
// through SendToARN instead.
var ErrNotInTx = errors.New("sqs: sends to FIFO queues cannot join another write")

// InTxSend is one message SendManyInTx sends: in to the queue queueARN names.
type InTxSend struct {
	QueueARN string
	Input    *SendMessageInput
}

// SendManyInTx sends each message to its standard queue as part of tx, the write of
// another Overcast service (SNS publishing to raw subscriptions): the messages exist
// exactly when that write commits, and the queues' receivers are woken after it. They are
// stored with one statement, whatever their queues. Each message gets every rule
// SendMessage applies; errs[i] is sends[i]'s own answer (nil, SendMessage's error, or
// ErrNotInTx for a FIFO queue), given without touching tx, so that the caller can fall
// back to a retried delivery for it. A non-nil err is the store's and the write must
// stop. Input.QueueURL is ignored; a message's SenderId is its queue's account.
func (s *Service) SendManyInTx(ctx context.Context, tx *store.Tx, sends []InTxSend) (errs []error, err error) {
	errs = make([]error, len(sends))
	params := make([]*store.SQSSendParams, 0, len(sends))
	for i, in := range sends {
		p, err := s.prepareStandard(ctx, in.QueueARN, in.Input)
		if err != nil {
			errs[i] = err
			continue
		}
		params = append(params, p...)
	}
	if len(params) == 0 {
		return errs, nil
	}
	return errs, tx.SQSMessageSendMany(ctx, params)
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
