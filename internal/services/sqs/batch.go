package sqs

import (
	"context"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// validBatchID applies AWS's rule for batch entry ids: 1 to 80 alphanumerics, hyphens and
// underscores.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !nameChar(id[i]) {
			return false
		}
	}
	return true
}

// checkBatch applies the rules every batch shares: 1 to 10 entries with valid, distinct
// ids. entry names the entry type in the EmptyBatchRequest message.
func checkBatch(ids []*string, entry string) error {
	if len(ids) == 0 {
		return NewEmptyBatchRequest("There should be at least one " + entry + " in the request.")
	}
	if len(ids) > maxBatchEntries {
		return NewTooManyEntriesInBatchRequest(fmt.Sprintf("Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids)))
	}
	seen := make(map[string]bool, len(ids))
	for _, p := range ids {
		id := ""
		if p != nil {
			id = *p
		}
		if !validBatchID(id) {
			return NewInvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return NewBatchEntryIdsNotDistinct(fmt.Sprintf("Id %s repeated.", id))
		}
		seen[id] = true
	}
	return nil
}

// failure renders err as a failed batch entry. Errors that are not the client's fault
// stop the whole batch instead.
func failure(id string, err error) (*BatchResultErrorEntry, error) {
	var perr *protocol.Error
	if !errors.As(err, &perr) || perr.Fault != protocol.FaultSender {
		return nil, err
	}
	return &BatchResultErrorEntry{ID: ptr(id), SenderFault: ptr(true), Code: ptr(batchCode(perr)), Message: ptr(perr.Message)}, nil
}

// entrySize is what a batch entry counts toward the batch size limit: its body and its
// attributes' names, types and values.
func entrySize(e *SendMessageBatchRequestEntry) int {
	n := 0
	if e.MessageBody != nil {
		n += len(*e.MessageBody)
	}
	for k, v := range e.MessageAttributes {
		n += len(k)
		if v != nil {
			if v.DataType != nil {
				n += len(*v.DataType)
			}
			if v.StringValue != nil {
				n += len(*v.StringValue)
			}
			n += len(v.BinaryValue)
		}
	}
	for k, v := range e.MessageSystemAttributes {
		n += len(k)
		if v != nil {
			if v.DataType != nil {
				n += len(*v.DataType)
			}
			if v.StringValue != nil {
				n += len(*v.StringValue)
			}
			n += len(v.BinaryValue)
		}
	}
	return n
}

// SendMessageBatch sends up to 10 messages in one write. Entries that fail validation are
// answered in Failed; the others are sent. A FIFO entry without its group or deduplication
// id fails the whole request, as AWS answers.
func (s *Service) SendMessageBatch(ctx context.Context, in *SendMessageBatchInput) (*SendMessageBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids := make([]*string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		if e == nil {
			e = &SendMessageBatchRequestEntry{}
			in.Entries[i] = e
		}
		ids[i] = e.ID
		total += entrySize(e)
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	// The total is bounded by SQS's message size limit, not by the queue's
	// MaximumMessageSize: AWS accepts a batch larger than the queue's limit when each entry
	// fits it.
	if total > maxMessageSize {
		return nil, NewBatchRequestTooLong(fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxMessageSize, total))
	}
	if q.FIFO {
		if err := checkFIFOBatch(q, in.Entries); err != nil {
			return nil, err
		}
	}
	c := callOf(ctx)
	now := s.now()
	out := &SendMessageBatchOutput{Successful: []*SendMessageBatchResultEntry{}, Failed: []*BatchResultErrorEntry{}}
	var (
		prepared []*preparedSend
		entryIDs []string
		msgs     []store.SQSNewMessage
	)
	for _, e := range in.Entries {
		p, err := s.prepareSend(c, q, &sendEntry{
			Body: e.MessageBody, DelaySeconds: e.DelaySeconds, Attributes: e.MessageAttributes,
			System: e.MessageSystemAttributes, DedupID: e.MessageDeduplicationID, GroupID: e.MessageGroupID,
		}, now)
		if err != nil {
			f, err := failure(*e.ID, err)
			if err != nil {
				return nil, err
			}
			out.Failed = append(out.Failed, f)
			continue
		}
		prepared = append(prepared, p)
		entryIDs = append(entryIDs, *e.ID)
		msgs = append(msgs, p.msg)
	}
	if len(msgs) == 0 {
		return out, nil
	}
	var sent []store.SQSSent
	if q.FIFO {
		if sent, err = s.db.SQSMessageSend(ctx, sendParams(q, now, msgs)); err != nil {
			return nil, err
		}
	} else {
		if err := s.sends.send(ctx, sendParams(q, now, msgs)); err != nil {
			return nil, err
		}
		sent = make([]store.SQSSent, len(msgs))
		for i, m := range msgs {
			sent[i] = store.SQSSent{MessageID: m.MessageID}
		}
	}
	for i, r := range sent {
		p := prepared[i]
		e := &SendMessageBatchResultEntry{
			ID:                           ptr(entryIDs[i]),
			MessageID:                    ptr(r.MessageID),
			MD5OfMessageBody:             ptr(p.md5Body),
			MD5OfMessageAttributes:       optional(p.md5Attrs),
			MD5OfMessageSystemAttributes: optional(p.md5System),
		}
		if q.FIFO {
			e.SequenceNumber = ptr(seqString(r.Seq))
		}
		out.Successful = append(out.Successful, e)
	}
	return out, nil
}

// checkFIFOBatch refuses a FIFO batch with an entry that has no MessageGroupId, or no
// deduplication id on a queue without content-based deduplication: AWS fails the whole
// request with InvalidParameterValue then, not the entry.
func checkFIFOBatch(q *queue, entries []*SendMessageBatchRequestEntry) error {
	for _, e := range entries {
		if e.MessageGroupID == nil {
			return errInvalidParameterValue("The request must contain the parameter MessageGroupId.")
		}
		if e.MessageDeduplicationID == nil && !q.Attrs.ContentBasedDeduplication {
			return errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	}
	return nil
}

// DeleteMessageBatch deletes up to 10 received messages in one write.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *DeleteMessageBatchInput) (*DeleteMessageBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids := make([]*string, len(in.Entries))
	for i, e := range in.Entries {
		if e == nil {
			e = &DeleteMessageBatchRequestEntry{}
			in.Entries[i] = e
		}
		ids[i] = e.ID
	}
	if err := checkBatch(ids, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &DeleteMessageBatchOutput{Successful: []*DeleteMessageBatchResultEntry{}, Failed: []*BatchResultErrorEntry{}}
	var (
		handles   []store.SQSHandle
		ok        []string
		okHandles []string
	)
	for _, e := range in.Entries {
		h, err := handleFor(q, deref(e.ReceiptHandle))
		if err != nil {
			f, err := failure(*e.ID, err)
			if err != nil {
				return nil, err
			}
			out.Failed = append(out.Failed, f)
			continue
		}
		handles = append(handles, h)
		ok = append(ok, *e.ID)
		okHandles = append(okHandles, deref(e.ReceiptHandle))
	}
	var outcomes []int
	switch {
	case len(handles) == 0:
	case q.FIFO:
		if outcomes, err = s.db.SQSMessageDeleteFIFO(ctx, q.ID, s.now(), handles); err != nil {
			return nil, err
		}
	default:
		if _, err := s.db.SQSMessageDelete(ctx, q.ID, handles, true); err != nil {
			return nil, err
		}
	}
	for i, id := range ok {
		if outcomes != nil && outcomes[i] == store.SQSDeleteExpired {
			f, err := failure(id, errReceiptHandleExpired(okHandles[i]))
			if err != nil {
				return nil, err
			}
			out.Failed = append(out.Failed, f)
			continue
		}
		out.Successful = append(out.Successful, &DeleteMessageBatchResultEntry{ID: ptr(id)})
	}
	return out, nil
}

// ChangeMessageVisibilityBatch changes the visibility of up to 10 messages in one write.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchInput) (*ChangeMessageVisibilityBatchOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids := make([]*string, len(in.Entries))
	for i, e := range in.Entries {
		if e == nil {
			e = &ChangeMessageVisibilityBatchRequestEntry{}
			in.Entries[i] = e
		}
		ids[i] = e.ID
	}
	if err := checkBatch(ids, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &ChangeMessageVisibilityBatchOutput{Successful: []*ChangeMessageVisibilityBatchResultEntry{}, Failed: []*BatchResultErrorEntry{}}
	now := s.now()
	var (
		changes   []store.SQSVisibility
		timeouts  []int
		okIDs     []string
		okHandles []string
	)
	fail := func(id string, err error) error {
		f, err := failure(id, err)
		if err != nil {
			return err
		}
		out.Failed = append(out.Failed, f)
		return nil
	}
	for _, e := range in.Entries {
		vt, err := visibilityFor(e.VisibilityTimeout)
		if err == nil {
			var h store.SQSHandle
			if h, err = handleFor(q, deref(e.ReceiptHandle)); err == nil {
				changes = append(changes, store.SQSVisibility{Handle: h, VisibleAt: now + int64(vt)*1000, AnyToken: !q.FIFO})
				timeouts = append(timeouts, vt)
				okIDs = append(okIDs, *e.ID)
				okHandles = append(okHandles, deref(e.ReceiptHandle))
				continue
			}
		}
		if err := fail(*e.ID, err); err != nil {
			return nil, err
		}
	}
	if len(changes) > 0 {
		res, err := s.db.SQSMessageChangeVisibility(ctx, q.ID, now, maxVisibilityTimeout*1000, changes)
		if err != nil {
			return nil, err
		}
		for i, r := range res {
			if err := visibilityError(r, timeouts[i], okHandles[i]); err != nil {
				if err := fail(okIDs[i], err); err != nil {
					return nil, err
				}
				continue
			}
			out.Successful = append(out.Successful, &ChangeMessageVisibilityBatchResultEntry{ID: ptr(okIDs[i])})
		}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
