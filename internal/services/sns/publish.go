package sns

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// notice is the payload of an SNS delivery job: everything a deliverer needs to build
// what the endpoint receives. Signatures are computed at delivery, so Publish stays cheap.
type notice struct {
	Type             string                 `json:"type"`
	MessageID        string                 `json:"id"`
	TopicARN         string                 `json:"topic"`
	SubscriptionARN  string                 `json:"sub,omitempty"`
	Subject          *string                `json:"subject,omitempty"`
	Message          string                 `json:"msg"`
	Timestamp        string                 `json:"ts"`
	Token            string                 `json:"token,omitempty"`
	SubscribeURL     string                 `json:"surl,omitempty"`
	Base             string                 `json:"base"`
	SignatureVersion string                 `json:"sv,omitempty"`
	Attributes       map[string]messageAttr `json:"attrs,omitempty"`
	SequenceNumber   string                 `json:"seq,omitempty"`
	GroupID          string                 `json:"group,omitempty"`
	DedupID          string                 `json:"dedup,omitempty"`
	Raw              bool                   `json:"raw,omitempty"`
	FIFO             bool                   `json:"fifo,omitempty"`
	ContentType      string                 `json:"ct,omitempty"`
	Replayed         bool                   `json:"replayed,omitempty"`
	Protocol         string                 `json:"proto"`
	Endpoint         string                 `json:"ep"`
}

// messageAttr is one message attribute as published.
type messageAttr struct {
	Type   string `json:"t"`
	String string `json:"s,omitempty"`
	Binary []byte `json:"b,omitempty"`
}

// timestamp formats t as SNS does: ISO 8601 in UTC with milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func signatureVersion(attrs map[string]string) string {
	if attrs["SignatureVersion"] == "2" {
		return "2"
	}
	return "1"
}

const (
	maxMessageAttributes = 10
	maxSubjectLength     = 100
	maxBatchEntries      = 10
)

// maxAttributeName is the longest message attribute name AWS accepts, in bytes.
const maxAttributeName = 256

// checkAttributeName validates a message attribute name with AWS's wording for each rule.
func checkAttributeName(name string) *protocol.Error {
	if name == "" {
		return errInvalid("The message attribute name '' is invalid.")
	}
	if len(name) > maxAttributeName {
		return NewInvalidParameterValueException("Length of message attribute name must be less than 256 bytes.")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return NewInvalidParameterValueException(fmt.Sprintf("Invalid non-alphanumeric character '#x%X' was found in "+
				"the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", r))
		}
	}
	switch {
	case strings.HasPrefix(name, "."):
		return NewInvalidParameterValueException("Invalid message attribute name starting with character '.' was found.")
	case strings.HasSuffix(name, "."):
		return NewInvalidParameterValueException("Invalid message attribute name ending with character '.' was found.")
	case strings.Contains(name, ".."):
		return NewInvalidParameterValueException("Message attribute name can not have successive '.' character.")
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return errInvalid("The message attribute name '" + name + "' is invalid.")
	}
	return nil
}

// checkAttributes validates message attributes and returns them with their size in bytes.
func checkAttributes(in map[string]*MessageAttributeValue) (map[string]messageAttr, int, *protocol.Error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	if len(in) > maxMessageAttributes {
		return nil, 0, errInvalid(fmt.Sprintf("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttributes))
	}
	out := make(map[string]messageAttr, len(in))
	size := 0
	for name, v := range in {
		if perr := checkAttributeName(name); perr != nil {
			return nil, 0, perr
		}
		if v == nil || v.DataType == nil {
			return nil, 0, errInvalid("The message attribute '" + name + "' must contain non-empty message attribute type.")
		}
		dt := *v.DataType
		base, _, _ := strings.Cut(dt, ".")
		if dt == "String.Array" {
			base = "String.Array"
		}
		a := messageAttr{Type: dt}
		switch base {
		case "String", "Number", "String.Array":
			if v.StringValue == nil && len(v.BinaryValue) > 0 {
				return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
					"' with type '" + base + "' must use field 'String'.")
			}
			if v.StringValue == nil || *v.StringValue == "" {
				return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
					"' must contain non-empty message attribute value for message attribute type '" + base + "'.")
			}
			a.String = *v.StringValue
			switch base {
			case "Number":
				f, err := strconv.ParseFloat(a.String, 64)
				if err != nil || f < -1e9 || f > 1e9 || len(a.String) > 100 {
					return nil, 0, NewInvalidParameterValueException("Could not cast message attribute '" + name + "' value to number.")
				}
			case "String.Array":
				var arr []any
				if json.Unmarshal([]byte(a.String), &arr) != nil {
					return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
						"' with type 'String.Array' has an invalid value.")
				}
				for _, e := range arr {
					switch e.(type) {
					case string, float64, bool, nil:
					default:
						return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
							"' with type 'String.Array' has an invalid value.")
					}
				}
			}
			size += len(a.String)
		case "Binary":
			if len(v.BinaryValue) == 0 && v.StringValue != nil {
				return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
					"' with type 'Binary' must use field 'Binary'.")
			}
			if len(v.BinaryValue) == 0 {
				return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
					"' must contain non-empty message attribute value for message attribute type 'Binary'.")
			}
			a.Binary = v.BinaryValue
			size += len(a.Binary)
		default:
			return nil, 0, NewInvalidParameterValueException("The message attribute '" + name +
				"' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
		}
		size += len(name) + len(dt)
		out[name] = a
	}
	return out, size, nil
}

// messages parses a MessageStructure "json" message: the message for each protocol, with
// "default" required.
func parseStructure(msg string) (map[string]string, *protocol.Error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(msg), &raw); err != nil {
		return nil, errInvalid("Message Structure - JSON message body failed to parse")
	}
	out := map[string]string{}
	for k, v := range raw {
		var s string
		// Non-string values are ignored, as AWS documents.
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		}
	}
	if _, ok := out["default"]; !ok {
		return nil, errInvalid("Message Structure - No default entry in JSON message body")
	}
	return out, nil
}

// message is one message being published, validated.
type message struct {
	entryID     string
	id          string
	body        string
	perProto    map[string]string
	subject     *string
	attrs       map[string]messageAttr
	patAttrs    map[string]pattern.AttributeValue
	group       string
	dedup       string
	seq         string
	duplicateOf string
}

func (m *message) bodyFor(proto string) string {
	if m.perProto != nil {
		if b, ok := m.perProto[proto]; ok {
			return b
		}
		return m.perProto["default"]
	}
	return m.body
}

// checkMessage validates one message for topic st (nil for a direct SMS or push publish).
func checkMessage(st *topicState, body string, subject, structure *string, attrs map[string]*MessageAttributeValue,
	dedup, group *string) (*message, *protocol.Error) {
	m := &message{id: newID(), body: body}
	if body == "" {
		return nil, errInvalid("Empty message")
	}
	if !utf8.ValidString(body) {
		return nil, errInvalid("Message")
	}
	if subject != nil {
		sub := *subject
		if sub == "" || len(sub) > maxSubjectLength || strings.ContainsAny(sub, "\r\n") || !isPrintableASCII(sub) {
			return nil, errInvalid("Subject")
		}
		m.subject = subject
	}
	if structure != nil && *structure != "" {
		if *structure != "json" {
			return nil, errInvalid("MessageStructure")
		}
		per, err := parseStructure(body)
		if err != nil {
			return nil, err
		}
		m.perProto = per
	}
	var (
		size int
		perr *protocol.Error
	)
	m.attrs, size, perr = checkAttributes(attrs)
	if perr != nil {
		return nil, perr
	}
	maxSize := defaultMaxMessageSize
	fifo := false
	if st != nil {
		if n, err := strconv.Atoi(st.attrs["MaximumMessageSize"]); err == nil && n > 0 {
			maxSize = n
		}
		fifo = st.topic.FIFO
	}
	if len(body)+size > maxSize {
		return nil, errInvalid("Message too long")
	}
	if len(m.attrs) > 0 {
		m.patAttrs = make(map[string]pattern.AttributeValue, len(m.attrs))
		for k, a := range m.attrs {
			m.patAttrs[k] = pattern.AttributeValue{DataType: a.Type, StringValue: a.String, BinaryValue: a.Binary}
		}
	}
	if fifo {
		if group == nil || *group == "" {
			return nil, errInvalid("The MessageGroupId parameter is required for FIFO topics")
		}
		if !validFIFOID(*group) {
			return nil, errInvalid("MessageGroupId")
		}
		m.group = *group
		switch {
		case dedup != nil && *dedup != "":
			if !validFIFOID(*dedup) {
				return nil, errInvalid("MessageDeduplicationId")
			}
			m.dedup = *dedup
		case st.attrs["ContentBasedDeduplication"] == "true":
			sum := sha256.Sum256([]byte(body))
			m.dedup = hex.EncodeToString(sum[:])
		default:
			return nil, errInvalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	} else {
		if dedup != nil {
			return nil, errInvalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		if group != nil {
			if *group == "" || !validFIFOID(*group) {
				return nil, errInvalid("MessageGroupId")
			}
			m.group = *group
		}
	}
	return m, nil
}

var fifoIDRE = protocol.NewLazyRegexp("^[\\x21-\\x7e]{1,128}$")

func validFIFOID(s string) bool { return fifoIDRE.MatchString(s) }

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Publish sends a message to every matching subscription of a topic, to one platform
// endpoint (TargetArn) or to one phone number. It answers once the deliveries are durably
// queued.
func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishOutput, error) {
	set := 0
	for _, p := range []*string{in.TopicARN, in.TargetARN, in.PhoneNumber} {
		if p != nil && *p != "" {
			set++
		}
	}
	switch {
	case set == 0 && in.TopicARN != nil:
		// An empty TopicArn is parsed as an ARN of one element.
		_, perr := checkTopicARN(ctx, "TopicArn", "")
		return nil, perr
	case set == 0:
		return nil, errInvalid("TopicArn or TargetArn Reason: no value for required parameter")
	case set > 1:
		return nil, errInvalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be set")
	case in.PhoneNumber != nil && *in.PhoneNumber != "":
		return s.publishDirect(ctx, "sms", *in.PhoneNumber, in)
	}
	target := ""
	if in.TopicARN != nil {
		target = *in.TopicARN
	} else {
		target = *in.TargetARN
		if a, ok := parseARN(target, "sns"); ok && strings.HasPrefix(a.Resource, "endpoint/") {
			return s.publishDirect(ctx, "application", target, in)
		}
	}
	param := "TargetArn"
	if in.TopicARN != nil {
		param = "TopicArn"
	}
	if _, perr := checkTopicARN(ctx, param, target); perr != nil {
		return nil, perr
	}
	st, err := s.cache.get(ctx, target)
	if err != nil {
		return nil, err
	}
	m, perr := checkMessage(st, *in.Message, in.Subject, in.MessageStructure, in.MessageAttributes, in.MessageDeduplicationID, in.MessageGroupID)
	if perr != nil {
		return nil, perr
	}
	if err := s.commit(ctx, callOf(ctx), st, []*message{m}); err != nil {
		return nil, err
	}
	out := &PublishOutput{MessageID: &m.id}
	if m.duplicateOf != "" {
		out.MessageID = &m.duplicateOf
	}
	if m.seq != "" {
		out.SequenceNumber = &m.seq
	}
	return out, nil
}

// PublishBatch publishes up to ten messages to a topic, together. AWS validates every
// entry first: one invalid entry fails the whole request with that entry's error, and
// nothing is published.
func (s *Service) PublishBatch(ctx context.Context, in *PublishBatchInput) (*PublishBatchOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	entries := in.PublishBatchRequestEntries
	switch {
	case len(entries) == 0:
		return nil, NewEmptyBatchRequestException("The batch request doesn't contain any entries.")
	case len(entries) > maxBatchEntries:
		return nil, NewTooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range entries {
		if e == nil || e.ID == nil || !batchIDRE.MatchString(*e.ID) {
			return nil, NewInvalidBatchEntryIdException("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[*e.ID] {
			return nil, NewBatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
		}
		seen[*e.ID] = true
		if e.Message != nil {
			total += len(*e.Message)
		}
		// Message attributes count towards the batch's size, as towards a message's.
		for name, a := range e.MessageAttributes {
			total += len(name)
			if a == nil {
				continue
			}
			total += len(a.BinaryValue)
			for _, p := range []*string{a.DataType, a.StringValue} {
				if p != nil {
					total += len(*p)
				}
			}
		}
	}
	st, err := s.cache.get(ctx, *in.TopicARN)
	if err != nil {
		return nil, err
	}
	maxSize := defaultMaxMessageSize
	if n, err := strconv.Atoi(st.attrs["MaximumMessageSize"]); err == nil && n > 0 {
		maxSize = n
	}
	if total > maxSize {
		return nil, NewBatchRequestTooLongException("The length of all the messages put together is more than the limit.")
	}
	out := &PublishBatchOutput{Successful: []*PublishBatchResultEntry{}, Failed: []*BatchResultErrorEntry{}}
	var ok []*message
	for _, e := range entries {
		body := ""
		if e.Message != nil {
			body = *e.Message
		}
		m, perr := checkMessage(st, body, e.Subject, e.MessageStructure, e.MessageAttributes, e.MessageDeduplicationID, e.MessageGroupID)
		if perr != nil {
			return nil, perr
		}
		m.entryID = *e.ID
		ok = append(ok, m)
	}
	if err := s.commit(ctx, callOf(ctx), st, ok); err != nil {
		return nil, err
	}
	for _, m := range ok {
		r := &PublishBatchResultEntry{ID: new(m.entryID), MessageID: new(m.id)}
		if m.duplicateOf != "" {
			r.MessageID = new(m.duplicateOf)
		}
		if m.seq != "" {
			r.SequenceNumber = new(m.seq)
		}
		out.Successful = append(out.Successful, r)
	}
	return out, nil
}

var batchIDRE = protocol.NewLazyRegexp(`^[A-Za-z0-9_-]{1,80}$`)

// commit queues the deliveries of msgs to st's subscriptions. On a FIFO topic it also
// deduplicates and numbers the messages, in the same transaction.
func (s *Service) commit(ctx context.Context, c *protocol.Call, st *topicState, msgs []*message) error {
	if len(msgs) == 0 {
		return nil
	}
	now := s.clock.Now()
	ts := timestamp(now)
	base := baseURL(c)
	sv := signatureVersion(st.attrs)
	// inline collects, on standard topics, the raw deliveries to standard queues that
	// can be stored in the publish's own write (see QueueTxSender).
	var inline []inlineSend
	logs := s.loggingOf(st.attrs)
	build := func() ([]*delivery.Job, error) {
		var jobs []*delivery.Job
		inline = inline[:0]
		for _, m := range msgs {
			if m.duplicateOf != "" {
				continue
			}
			for _, ss := range st.subs {
				if !ss.row.Confirmed {
					continue
				}
				body := m.bodyFor(ss.row.Protocol)
				if !matches(ss, body, m) {
					continue
				}
				n := &notice{
					Type: "Notification", MessageID: m.id, TopicARN: st.topic.ARN, SubscriptionARN: ss.row.ARN,
					Subject: m.subject, Message: body, Timestamp: ts, Base: base, SignatureVersion: sv,
					Attributes: m.attrs, SequenceNumber: m.seq, GroupID: m.group, DedupID: m.dedup,
					Raw: ss.raw, FIFO: st.topic.FIFO, Protocol: ss.row.Protocol, Endpoint: ss.row.Endpoint,
					ContentType: ss.contentType,
				}
				if s.txQueues != nil && !st.topic.FIFO && ss.raw && ss.row.Protocol == "sqs" && !strings.HasSuffix(ss.row.Endpoint, ".fifo") {
					inline = append(inline, inlineSend{n: n, ss: ss})
					continue
				}
				j, err := s.jobFor(n, ss.row.Protocol, ss.row.Endpoint, ss.policy, ss.dlq)
				if err != nil {
					return nil, err
				}
				logs.mark(j, ss.row.Protocol)
				jobs = append(jobs, j)
			}
		}
		return jobs, nil
	}
	if !st.topic.FIFO {
		jobs, err := build()
		if err != nil {
			return err
		}
		switch {
		case len(inline) > 0:
			err = s.db.Write(ctx, func(tx *store.Tx) error { return s.sendInline(ctx, tx, inline, jobs, logs) })
		case len(jobs) > 0:
			err = s.dispatch.Enqueue(ctx, nil, jobs...)
		}
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if logs != nil && s.logs != nil {
			var done []loggedAttempt
			for _, in := range inline {
				if in.sent {
					done = append(done, loggedAttempt{n: in.n, dest: in.n.Endpoint, attempt: 1})
				}
			}
			s.logAttempts(ctx, done)
		}
		return nil
	}
	nowMs := now.UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for _, m := range msgs {
			m.duplicateOf, m.seq = "", ""
			id, seq, found, err := tx.SNSDedupGet(ctx, st.topic.ARN, m.dedup, nowMs)
			if err != nil {
				return err
			}
			if found {
				m.duplicateOf, m.seq = id, sequenceNumber(seq)
				continue
			}
			n, err := tx.SNSTopicNextSeq(ctx, st.topic.ARN)
			if err != nil {
				return err
			}
			m.seq = sequenceNumber(n)
			if err := tx.SNSDedupPut(ctx, st.topic.ARN, m.dedup, m.id, n, nowMs+s.cfg.DedupInterval.Milliseconds()); err != nil {
				return err
			}
			if err := archive(ctx, tx, st, m, n, now, ts); err != nil {
				return err
			}
		}
		jobs, err := build()
		if err != nil {
			return err
		}
		return s.dispatch.Enqueue(ctx, tx, jobs...)
	})
	if err != nil {
		if errorsIsNotFound(err) {
			return errTopicNotFound()
		}
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// inlineSend is a delivery Publish stores in its own write.
type inlineSend struct {
	n  *notice
	ss *subState
	// sent says the queue took the message in the write (for the delivery status log).
	sent bool
}

// sendInline stores the deliveries of inline (raw, to standard queues) in tx, the publish's
// write, and enqueues jobs in it. A delivery the queue refuses (it is gone, or the message
// breaks one of its rules) becomes a delivery job like any other, retried under the
// subscription's policy and dead-lettered by its redrive policy. tx may be run again (the
// store retries a write alone when its group commit fails), so it keeps no state between
// runs.
func (s *Service) sendInline(ctx context.Context, tx *store.Tx, inline []inlineSend, jobs []*delivery.Job, logs topicLogging) error {
	all := slices.Clip(jobs)
	sends := make([]QueueSend, len(inline))
	for i := range inline {
		inline[i].sent = false
		m, err := s.queueMessage(inline[i].n, inline[i].n.Endpoint)
		if err != nil {
			return err
		}
		sends[i] = QueueSend{QueueARN: inline[i].n.Endpoint, Message: m}
	}
	// One call for all the copies: the queues store them with one statement.
	errs, err := s.txQueues.SendToQueuesInTx(ctx, tx, sends)
	if err != nil {
		return err
	}
	for i, err := range errs {
		var pe *protocol.Error
		switch {
		case err == nil:
			inline[i].sent = true
			continue
		case !errors.Is(err, ErrNotInTx) && !errors.As(err, &pe):
			return err
		}
		n, ss := inline[i].n, inline[i].ss
		j, err := s.jobFor(n, ss.row.Protocol, ss.row.Endpoint, ss.policy, ss.dlq)
		if err != nil {
			return err
		}
		logs.mark(j, ss.row.Protocol)
		all = append(all, j)
	}
	return s.dispatch.Enqueue(ctx, tx, all...)
}

// sequenceNumber renders a FIFO sequence number the way SNS does: a large decimal number.
func sequenceNumber(n int64) string { return fmt.Sprintf("1%019d", n) }

// matches applies a subscription's filter policy to a message.
func matches(ss *subState, body string, m *message) bool {
	if ss.filter == nil {
		return true
	}
	if ss.filter.Scope() == pattern.ScopeMessageBody {
		ok, err := ss.filter.Matches([]byte(body))
		return err == nil && ok
	}
	return ss.filter.MatchesAttributes(m.patAttrs)
}

// jobFor builds the delivery job of notice n to an endpoint of protocol.
func (s *Service) jobFor(n *notice, proto, endpoint string, policy delivery.Policy, dlq string) (*delivery.Job, error) {
	payload, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("encode notice: %w", err)
	}
	j := &delivery.Job{Target: targetKind(proto), Dest: endpoint, Payload: payload, Policy: policy}
	if dlq != "" {
		j.Owner = ownerSNS
		j.Attributes = map[string]string{"dlq": dlq}
	}
	if n.FIFO && n.SubscriptionARN != "" {
		j.OrderingKey = "sns:" + n.SubscriptionARN + ":" + n.GroupID
	}
	return j, nil
}

func targetKind(proto string) string {
	switch proto {
	case "sqs":
		return kindSQS
	case "http", "https":
		return kindHTTP
	case "lambda":
		return kindLambda
	case "email", "email-json", "sms", "application":
		return kindOutbox
	}
	return kindOther
}

// publishDirect publishes to one phone number (sms) or platform endpoint (application):
// the message goes to the outbox.
func (s *Service) publishDirect(ctx context.Context, proto, dest string, in *PublishInput) (*PublishOutput, error) {
	if proto == "sms" && !phoneRE.MatchString(dest) {
		return nil, errInvalid("PhoneNumber Reason: " + dest + " is not valid to publish to")
	}
	if proto == "application" {
		ep, err := s.endpoint(ctx, dest)
		var perr *protocol.Error
		if errors.As(err, &perr) && perr.Code == errEndpointNotFound().Code {
			// Publish names the parameter rather than answering NotFound.
			return nil, errInvalid("TargetArn Reason: No endpoint found for the target arn specified")
		}
		if err != nil {
			return nil, err
		}
		if ep.Attributes["Enabled"] == "false" {
			return nil, NewEndpointDisabledException("Endpoint is disabled")
		}
		platform := platformOfEndpoint(dest)
		if in.MessageStructure != nil && *in.MessageStructure == "json" {
			per, perr := parseStructure(*in.Message)
			if perr != nil {
				return nil, perr
			}
			if v, ok := per[platform]; ok {
				in.Message = &v
			} else {
				in.Message = new(per["default"])
			}
			in.MessageStructure = nil
		}
	}
	m, perr := checkMessage(nil, *in.Message, in.Subject, in.MessageStructure, in.MessageAttributes, nil, nil)
	if perr != nil {
		return nil, perr
	}
	if proto == "sms" {
		if _, err := s.db.SNSRecordGet(ctx, callOf(ctx).Account, "", "optout", dest); err == nil {
			return nil, NewOptedOutException("Phone number is opted out")
		}
	}
	n := &notice{
		Type: "Notification", MessageID: m.id, Subject: m.subject, Message: m.bodyFor(proto),
		Timestamp: timestamp(s.clock.Now()), Protocol: proto, Endpoint: dest, Base: baseURL(callOf(ctx)),
	}
	j, err := s.jobFor(n, proto, dest, delivery.Policy{}, "")
	if err != nil {
		return nil, err
	}
	if err := s.dispatch.Enqueue(ctx, nil, j); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return &PublishOutput{MessageID: &m.id}, nil
}

// attrValue renders an attribute as it appears in a JSON envelope: binary values base64.
func (a messageAttr) value() string {
	if a.Binary != nil {
		return base64.StdEncoding.EncodeToString(a.Binary)
	}
	return a.String
}
