package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// sendEntry is one message to send, from SendMessage or an entry of SendMessageBatch.
type sendEntry struct {
	Body         *string
	DelaySeconds *int32
	Attributes   map[string]*MessageAttributeValue
	System       map[string]*MessageSystemAttributeValue
	DedupID      *string
	GroupID      *string
}

// preparedSend is a validated message with what the send answers about it.
type preparedSend struct {
	msg          store.SQSNewMessage
	md5Body      string
	md5Attrs     string
	md5System    string
	bytes        int
	scopeIsGroup bool
}

// newMessageID returns a random (version 4) UUID, as SQS message ids are.
func newMessageID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newToken returns a random non-zero receipt token.
func newToken() int64 {
	for {
		if t := rand.Int64(); t != 0 {
			return t
		}
	}
}

// seqString renders a FIFO sequence number as AWS does: 20 digits, growing with each
// message.
func seqString(id int64) string { return fmt.Sprintf("1%019d", id) }

// validFIFOID applies AWS's rule for MessageGroupId and MessageDeduplicationId: 1 to 128
// alphanumeric and punctuation characters.
func validFIFOID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func rawAttrs(in map[string]*MessageAttributeValue) map[string]rawAttr {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]rawAttr, len(in))
	for k, v := range in {
		if v == nil {
			v = &MessageAttributeValue{}
		}
		out[k] = rawAttr{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return out
}

func rawSystemAttrs(in map[string]*MessageSystemAttributeValue) map[string]rawAttr {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]rawAttr, len(in))
	for k, v := range in {
		if v == nil {
			v = &MessageSystemAttributeValue{}
		}
		out[k] = rawAttr{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return out
}

// prepareSend validates a message for queue q and builds what the store keeps.
func (s *Service) prepareSend(c *protocol.Call, q *queue, e *sendEntry, now int64) (*preparedSend, error) {
	body := ""
	if e.Body != nil {
		body = *e.Body
	}
	if body == "" {
		return nil, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be at least one character.")
	}
	if !validBodyChars(body) {
		return nil, errInvalidMessageContents()
	}
	attrs, attrBytes, err := validateMessageAttributes(rawAttrs(e.Attributes))
	if err != nil {
		return nil, err
	}
	system, sysBytes, err := validateSystemAttributes(rawSystemAttrs(e.System))
	if err != nil {
		return nil, err
	}
	size := len(body) + attrBytes + sysBytes
	if size > q.Attrs.MaximumMessageSize {
		return nil, errInvalidParameterValue(fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.Attrs.MaximumMessageSize))
	}
	delay := q.Attrs.DelaySeconds
	if e.DelaySeconds != nil {
		d := int(*e.DelaySeconds)
		if d < 0 || d > maxDelaySeconds {
			return nil, errParamInvalid(d, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
		}
		if q.FIFO && d > 0 {
			return nil, errParamInvalid(d, "DelaySeconds", "The request include parameter that is not valid for this queue type.")
		}
		if !q.FIFO {
			delay = d
		}
	}
	p := &preparedSend{
		md5Body:   md5Hex(body),
		md5Attrs:  md5OfAttributes(attrs),
		md5System: md5OfAttributes(system),
		bytes:     size,
	}
	m := &p.msg
	m.MessageID = newMessageID()
	m.Body = body
	m.SenderID = c.Account
	m.VisibleAt = now + int64(delay)*1000
	if attrs != nil {
		b, _ := json.Marshal(attrs)
		m.Attrs = string(b)
	}
	if system != nil {
		b, _ := json.Marshal(system)
		m.SysAttrs = string(b)
	}
	if e.GroupID != nil {
		if !validFIFOID(*e.GroupID) {
			return nil, errParamInvalid(*e.GroupID, "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		m.GroupID = *e.GroupID
	}
	if !q.FIFO {
		if e.DedupID != nil {
			return nil, errParamInvalid(*e.DedupID, "MessageDeduplicationId", "The request includes a parameter that is not valid for this queue type.")
		}
		return p, nil
	}
	if e.GroupID == nil {
		return nil, errMissingParameter("MessageGroupId")
	}
	switch {
	case e.DedupID != nil:
		if !validFIFOID(*e.DedupID) {
			return nil, errParamInvalid(*e.DedupID, "MessageDeduplicationId", "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		m.DedupID = *e.DedupID
	case q.Attrs.ContentBasedDeduplication:
		sum := sha256.Sum256([]byte(body))
		m.DedupID = hex.EncodeToString(sum[:])
	default:
		return nil, errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	if q.Attrs.DeduplicationScope == dedupScopeMessageGroup {
		m.DedupScope = m.GroupID
	}
	return p, nil
}

// sendParams returns the store parameters for sending msgs to q.
func sendParams(q *queue, now int64, msgs []store.SQSNewMessage) *store.SQSSendParams {
	p := &store.SQSSendParams{QueueID: q.ID, Now: now, Messages: msgs}
	if q.FIFO {
		p.DedupIntervalMs = dedupInterval * 1000
	}
	return p
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SendMessage sends one message.
func (s *Service) SendMessage(ctx context.Context, in *SendMessageInput) (*SendMessageOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p, err := s.prepareSend(callOf(ctx), q, &sendEntry{
		Body: in.MessageBody, DelaySeconds: in.DelaySeconds, Attributes: in.MessageAttributes,
		System: in.MessageSystemAttributes, DedupID: in.MessageDeduplicationID, GroupID: in.MessageGroupID,
	}, now)
	if err != nil {
		return nil, err
	}
	out := &SendMessageOutput{
		MD5OfMessageBody:             &p.md5Body,
		MD5OfMessageAttributes:       optional(p.md5Attrs),
		MD5OfMessageSystemAttributes: optional(p.md5System),
		MessageID:                    &p.msg.MessageID,
	}
	if !q.FIFO {
		if err := s.sends.send(ctx, sendParams(q, now, []store.SQSNewMessage{p.msg})); err != nil {
			return nil, err
		}
		return out, nil
	}
	sent, err := s.db.SQSMessageSend(ctx, sendParams(q, now, []store.SQSNewMessage{p.msg}))
	if err != nil {
		return nil, err
	}
	out.MessageID = &sent[0].MessageID
	out.SequenceNumber = ptr(seqString(sent[0].Seq))
	return out, nil
}

// receiveLimits validates ReceiveMessage's numbers and returns the count, the visibility
// timeout and the wait.
func receiveLimits(q *queue, in *ReceiveMessageInput) (int, int, int, error) {
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = int(*in.MaxNumberOfMessages)
		if max < 1 || max > maxBatchEntries {
			return 0, 0, 0, errParamInvalid(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
		}
	}
	vt := q.Attrs.VisibilityTimeout
	if in.VisibilityTimeout != nil {
		vt = int(*in.VisibilityTimeout)
		if vt < 0 || vt > maxVisibilityTimeout {
			return 0, 0, 0, errParamInvalid(vt, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.")
		}
	}
	wait := q.Attrs.ReceiveMessageWaitTimeSeconds
	if in.WaitTimeSeconds != nil {
		wait = int(*in.WaitTimeSeconds)
		if wait < 0 || wait > maxReceiveWait {
			return 0, 0, 0, errParamInvalid(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
		}
	}
	return max, vt, wait, nil
}

// noMessages is the answer of a receive that found nothing. AWS's JSON answer carries an
// empty Messages list ({"Messages": []}); the query answer an empty ReceiveMessageResult.
func noMessages() *ReceiveMessageOutput {
	return &ReceiveMessageOutput{Messages: []*Message{}}
}

// ReceiveMessage receives up to MaxNumberOfMessages messages. With a wait (WaitTimeSeconds
// or the queue's ReceiveMessageWaitTimeSeconds) it returns as soon as a message is
// available: a send, a move or a visibility change wakes it through the store's notifier
// (across nodes on PostgreSQL), and a message whose delay or visibility timeout ends during
// the wait wakes it by a timer on the service clock.
func (s *Service) ReceiveMessage(ctx context.Context, in *ReceiveMessageInput) (*ReceiveMessageOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	max, vt, wait, err := receiveLimits(q, in)
	if err != nil {
		return nil, err
	}
	p := &store.SQSReceiveParams{QueueID: q.ID, FIFO: q.FIFO, Max: max}
	if s.cfg.InflightLimit > 0 {
		p.InflightLimit = s.cfg.InflightLimit
	}
	if q.FIFO && in.ReceiveRequestAttemptID != nil && *in.ReceiveRequestAttemptID != "" {
		if !validFIFOID(*in.ReceiveRequestAttemptID) {
			return nil, errParamInvalid(*in.ReceiveRequestAttemptID, "ReceiveRequestAttemptId", "ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		p.AttemptID = *in.ReceiveRequestAttemptID
		p.AttemptTTLMs = receiveAttemptInterval * 1000
	}
	if rp := q.Attrs.RedrivePolicy; rp != nil {
		dlq, err := s.resolveARN(ctx, rp.DeadLetterTargetArn)
		if err != nil {
			return nil, err
		}
		if dlq != nil {
			p.Redrive = &store.SQSRedrive{QueueID: dlq.ID, MaxReceiveCount: int64(rp.MaxReceiveCount), SourceARN: q.ARN, ResetEnqueued: dlq.FIFO}
		}
	}

	var (
		wake     <-chan string
		deadline <-chan time.Time
	)
	if wait > 0 {
		// Listen before the first look, so that a send between the look and the wait is
		// not missed.
		ch, unlisten := s.db.Notifier().Listen(store.SQSWakeChannel(q.ID))
		defer unlisten()
		wake = ch
		t := s.clock.NewTimer(time.Duration(wait) * time.Second)
		defer t.Stop()
		deadline = t.C()
	}
	for {
		now := s.clock.Now()
		p.Now = now.UnixMilli()
		p.VisibleAt = p.Now + int64(vt)*1000
		p.ExpireBefore = p.Now - int64(q.Attrs.MessageRetentionPeriod)*1000
		p.Token = newToken()
		res, err := s.db.SQSMessageReceive(ctx, p)
		if err != nil {
			return nil, err
		}
		if res.OverLimit {
			if wait == 0 && !q.FIFO {
				return nil, NewOverLimit("Maximum number of inflight messages reached")
			}
			return noMessages(), nil
		}
		if len(res.Messages) > 0 {
			return s.receiveOutput(q, in, res.Messages), nil
		}
		if wait == 0 {
			return noMessages(), nil
		}
		var next <-chan time.Time
		var nextTimer interface{ Stop() bool }
		if res.NextVisibleAt > 0 {
			t := s.clock.NewTimer(time.Duration(res.NextVisibleAt-p.Now) * time.Millisecond)
			next, nextTimer = t.C(), t
		}
		if s.onWait != nil {
			s.onWait(q.ID)
		}
		select {
		case _, ok := <-wake:
			if !ok {
				wake = nil
			}
		case <-next:
		case <-deadline:
			if nextTimer != nil {
				nextTimer.Stop()
			}
			return noMessages(), nil
		case <-ctx.Done():
			if nextTimer != nil {
				nextTimer.Stop()
			}
			return nil, ctx.Err()
		}
		if nextTimer != nil {
			nextTimer.Stop()
		}
	}
}

// systemAttributeNames returns the message system attributes a receive asked for.
func systemAttributeNames(in *ReceiveMessageInput) (all bool, names map[string]bool) {
	names = map[string]bool{}
	for _, list := range [][]string{in.AttributeNames, in.MessageSystemAttributeNames} {
		for _, n := range list {
			if n == attrAll {
				all = true
			}
			names[n] = true
		}
	}
	return all, names
}

// receiveOutput renders received messages.
func (s *Service) receiveOutput(q *queue, in *ReceiveMessageInput, msgs []*store.SQSMessage) *ReceiveMessageOutput {
	all, names := systemAttributeNames(in)
	want := func(n string) bool { return all || names[n] }
	out := &ReceiveMessageOutput{Messages: make([]*Message, 0, len(msgs))}
	for _, m := range msgs {
		msg := &Message{
			MessageID:     ptr(m.MessageID),
			ReceiptHandle: ptr(receipt{QueueID: q.ID, MessageID: m.ID, Token: m.Token}.encode()),
			MD5OfBody:     ptr(md5Hex(m.Body)),
			Body:          ptr(m.Body),
		}
		sys := map[string]string{}
		add := func(name, v string) {
			if v != "" && want(name) {
				sys[name] = v
			}
		}
		add("SenderId", m.SenderID)
		add("SentTimestamp", strconv.FormatInt(m.SentAt, 10))
		add("ApproximateReceiveCount", strconv.FormatInt(m.ReceiveCount, 10))
		add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(m.FirstReceiveAt, 10))
		add("MessageGroupId", m.GroupID)
		add("DeadLetterQueueSourceArn", m.DLQSourceARN)
		if q.FIFO {
			add("SequenceNumber", seqString(m.ID))
			add("MessageDeduplicationId", m.DedupID)
		}
		if m.SysAttrs != "" {
			var system map[string]attrValue
			if json.Unmarshal([]byte(m.SysAttrs), &system) == nil {
				add(attrTraceHeader, system[attrTraceHeader].StringValue)
			}
		}
		if len(sys) > 0 {
			msg.Attributes = sys
		}
		if m.Attrs != "" && len(in.MessageAttributeNames) > 0 {
			var attrs map[string]attrValue
			if json.Unmarshal([]byte(m.Attrs), &attrs) == nil {
				if sel := selectAttributes(attrs, in.MessageAttributeNames); len(sel) > 0 {
					msg.MessageAttributes = make(map[string]*MessageAttributeValue, len(sel))
					for _, n := range sortedKeys(sel) {
						a := sel[n]
						v := &MessageAttributeValue{DataType: ptr(a.DataType)}
						if a.isBinary() {
							v.BinaryValue = a.BinaryValue
						} else {
							v.StringValue = ptr(a.StringValue)
						}
						msg.MessageAttributes[n] = v
					}
					msg.MD5OfMessageAttributes = ptr(md5OfAttributes(sel))
				} else if len(attrs) > 0 && anyValidAttrPattern(in.MessageAttributeNames) {
					// AWS answers an empty MessageAttributes map when valid names select
					// none of the message's attributes (names it cannot use are ignored).
					msg.MessageAttributes = map[string]*MessageAttributeValue{}
				}
			}
		}
		out.Messages = append(out.Messages, msg)
	}
	return out
}

// handleFor parses a receipt handle of queue q.
func handleFor(q *queue, h string) (store.SQSHandle, error) {
	r, ok := parseReceipt(h)
	if !ok || r.QueueID != q.ID {
		return store.SQSHandle{}, errReceiptHandleInvalid(h)
	}
	return store.SQSHandle{ID: r.MessageID, Token: r.Token}, nil
}

// DeleteMessage deletes a received message. On standard queues a handle from an earlier
// receive of the message still deletes it. On FIFO queues only the handle of the current
// receive does, while the message is in flight: AWS answers an expired handle (received
// again, or visibility timeout ended) with InvalidParameterValue and keeps the message.
// Deleting a message that is already gone succeeds on both.
func (s *Service) DeleteMessage(ctx context.Context, in *DeleteMessageInput) (*DeleteMessageOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	h, err := handleFor(q, *in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	if q.FIFO {
		res, err := s.db.SQSMessageDeleteFIFO(ctx, q.ID, s.now(), []store.SQSHandle{h})
		if err != nil {
			return nil, err
		}
		if res[0] == store.SQSDeleteExpired {
			return nil, errReceiptHandleExpired(*in.ReceiptHandle)
		}
		return &DeleteMessageOutput{}, nil
	}
	if _, err := s.db.SQSMessageDelete(ctx, q.ID, []store.SQSHandle{h}, true); err != nil {
		return nil, err
	}
	return &DeleteMessageOutput{}, nil
}

// visibilityFor validates a new visibility timeout.
func visibilityFor(v *int32) (int, error) {
	if v == nil {
		return 0, errMissingParameter("VisibilityTimeout")
	}
	n := int(*v)
	if n < 0 || n > maxVisibilityTimeout {
		return 0, errParamInvalid(n, "VisibilityTimeout", "Must be between 0 and 43200, if provided.")
	}
	return n, nil
}

// visibilityError turns a store outcome into the error SQS answers for handle.
func visibilityError(outcome, timeout int, handle string) error {
	switch outcome {
	case store.SQSVisibilityNotInFlight:
		return NewMessageNotInflight(msgMessageNotInflight)
	case store.SQSVisibilityGone:
		// AWS answers a deleted message with InvalidParameterValue, not MessageNotInflight.
		return errParamInvalid(handle, "ReceiptHandle", msgMessageNotInflight)
	case store.SQSVisibilityTooLong:
		return errParamInvalid(timeout, "VisibilityTimeout", "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	}
	return nil
}

// ChangeMessageVisibility changes how long an in-flight message stays hidden, counted from
// now; the total since the receive may not exceed 12 hours.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityInput) (*ChangeMessageVisibilityOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	vt, err := visibilityFor(in.VisibilityTimeout)
	if err != nil {
		return nil, err
	}
	h, err := handleFor(q, *in.ReceiptHandle)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res, err := s.db.SQSMessageChangeVisibility(ctx, q.ID, now, maxVisibilityTimeout*1000,
		[]store.SQSVisibility{{Handle: h, VisibleAt: now + int64(vt)*1000, AnyToken: !q.FIFO}})
	if err != nil {
		return nil, err
	}
	if err := visibilityError(res[0], vt, *in.ReceiptHandle); err != nil {
		return nil, err
	}
	return &ChangeMessageVisibilityOutput{}, nil
}
