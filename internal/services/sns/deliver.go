package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// envelope is the JSON document SNS delivers to SQS and HTTP/S endpoints (and the "Sns"
// object of a Lambda event, with Url spelt differently there).
// https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html
type envelope struct {
	Type              string                  `json:"Type"`
	MessageID         string                  `json:"MessageId"`
	Token             string                  `json:"Token,omitempty"`
	SequenceNumber    string                  `json:"SequenceNumber,omitempty"`
	TopicARN          string                  `json:"TopicArn"`
	Subject           *string                 `json:"Subject,omitempty"`
	Message           string                  `json:"Message"`
	SubscribeURL      string                  `json:"SubscribeURL,omitempty"`
	Timestamp         string                  `json:"Timestamp"`
	SignatureVersion  string                  `json:"SignatureVersion,omitempty"`
	Signature         string                  `json:"Signature,omitempty"`
	SigningCertURL    string                  `json:"SigningCertURL,omitempty"`
	UnsubscribeURL    string                  `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes,omitempty"`
	// Replayed marks a message replayed from a FIFO topic's archive.
	Replayed bool `json:"Replayed,omitempty"`
}

// envelopeAttr is a message attribute in an envelope.
type envelopeAttr struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// certPath is where the signing certificate is served.
const certPath = "/_overcast/sns/SimpleNotificationService.pem"

// envelopeOf builds and signs the envelope of n. FIFO notifications carry a
// SequenceNumber and, delivered to SQS as on AWS, no signature.
func (s *Service) envelopeOf(n *notice) (*envelope, error) {
	e := &envelope{
		Type: n.Type, MessageID: n.MessageID, Token: n.Token, TopicARN: n.TopicARN, Subject: n.Subject,
		Message: n.Message, SubscribeURL: n.SubscribeURL, Timestamp: n.Timestamp, SequenceNumber: n.SequenceNumber,
		Replayed: n.Replayed,
	}
	if n.Type == "Notification" {
		e.UnsubscribeURL = unsubscribeURL(n.Base, n.SubscriptionARN)
		if len(n.Attributes) > 0 {
			e.MessageAttributes = make(map[string]envelopeAttr, len(n.Attributes))
			for k, a := range n.Attributes {
				e.MessageAttributes[k] = envelopeAttr{Type: a.Type, Value: a.value()}
			}
		}
	}
	if n.FIFO && n.Type == "Notification" && n.Protocol == "sqs" {
		return e, nil
	}
	sv := n.SignatureVersion
	if sv == "" {
		sv = "1"
	}
	sig, err := s.signer.sign(sv, canonicalString(e))
	if err != nil {
		return nil, err
	}
	e.SignatureVersion, e.Signature, e.SigningCertURL = sv, sig, n.Base+certPath
	return e, nil
}

// marshal encodes v as AWS does, without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func noticeOf(j *delivery.Job) (*notice, error) {
	var n notice
	if err := json.Unmarshal(j.Payload, &n); err != nil {
		return nil, delivery.Permanent(fmt.Errorf("decode sns notice: %w", err))
	}
	return &n, nil
}

// deliverSQS sends a notification to an SQS queue: the JSON envelope, or with raw message
// delivery the message itself with its attributes as SQS message attributes.
func (s *Service) deliverSQS(ctx context.Context, j *delivery.Job) error {
	n, err := noticeOf(j)
	if err != nil {
		return err
	}
	if s.queues == nil {
		return errors.New("sqs is not available to sns")
	}
	m, err := s.queueMessage(n, j.Dest)
	if err != nil {
		return err
	}
	err = s.queues.SendToQueue(ctx, j.Dest, m)
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Status >= 400 && perr.Status < 500 && perr.Status != http.StatusTooManyRequests {
		// A queue that is gone or refuses the message is a client-side error: AWS does
		// not retry it, it moves the message to the dead-letter queue at once.
		// https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
		return delivery.Permanent(err)
	}
	return err
}

// queueMessage is the SQS message that carries n to the queue of queueARN.
func (s *Service) queueMessage(n *notice, queueARN string) (*QueueMessage, error) {
	m := &QueueMessage{}
	if n.Raw {
		m.Body = n.Message
		if len(n.Attributes) > 0 {
			m.Attributes = make(map[string]QueueAttribute, len(n.Attributes))
			for k, a := range n.Attributes {
				m.Attributes[k] = QueueAttribute{DataType: a.Type, StringValue: a.String, BinaryValue: a.Binary}
			}
		}
	} else {
		e, err := s.envelopeOf(n)
		if err != nil {
			return nil, err
		}
		b, err := marshal(e)
		if err != nil {
			return nil, delivery.Permanent(err)
		}
		m.Body = string(b)
	}
	if strings.HasSuffix(queueARN, ".fifo") {
		m.GroupID = n.GroupID
		if m.GroupID == "" {
			m.GroupID = n.TopicARN
		}
		m.DedupID = n.DedupID
		if m.DedupID == "" {
			m.DedupID = n.MessageID
		}
	} else if n.GroupID != "" && !n.FIFO {
		// Standard topics pass MessageGroupId on to fair queues.
		m.GroupID = n.GroupID
	}
	return m, nil
}

// deliverHTTP posts a notification or a (un)subscription confirmation to an HTTP/S endpoint.
// A 2xx answer is a delivery; anything else is retried under the delivery policy.
func (s *Service) deliverHTTP(ctx context.Context, j *delivery.Job) error {
	n, err := noticeOf(j)
	if err != nil {
		return err
	}
	var body []byte
	if n.Raw && n.Type == "Notification" {
		body = []byte(n.Message)
	} else {
		e, err := s.envelopeOf(n)
		if err != nil {
			return err
		}
		if body, err = marshal(e); err != nil {
			return delivery.Permanent(err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Dest, bytes.NewReader(body))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("build request to %s: %w", j.Dest, err))
	}
	ct := n.ContentType
	if ct == "" {
		ct = "text/plain; charset=UTF-8"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	req.Header.Set("Accept-Encoding", "gzip,deflate")
	req.Header.Set("x-amz-sns-message-type", n.Type)
	req.Header.Set("x-amz-sns-message-id", n.MessageID)
	req.Header.Set("x-amz-sns-topic-arn", n.TopicARN)
	// The subscription exists for notifications and unsubscribe confirmations, not yet
	// for a subscription confirmation.
	if n.Type != "SubscriptionConfirmation" {
		req.Header.Set("x-amz-sns-subscription-arn", n.SubscriptionARN)
	}
	if n.Type == "Notification" && n.Raw {
		req.Header.Set("x-amz-sns-rawdelivery", "true")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", j.Dest, err)
	}
	if rep := reportOf(ctx); rep != nil {
		// The delivery status log records the endpoint's answer.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		rep.status, rep.response = resp.StatusCode, string(b)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("post to %s: status %d", j.Dest, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			return delivery.Throttled(err)
		}
		return err
	}
	return nil
}

// lambdaEvent is the event SNS invokes a function with.
type lambdaEvent struct {
	Records []lambdaRecord `json:"Records"`
}

type lambdaRecord struct {
	EventSource          string    `json:"EventSource"`
	EventVersion         string    `json:"EventVersion"`
	EventSubscriptionArn string    `json:"EventSubscriptionArn"`
	Sns                  lambdaSNS `json:"Sns"`
}

type lambdaSNS struct {
	Type              string                  `json:"Type"`
	MessageID         string                  `json:"MessageId"`
	TopicARN          string                  `json:"TopicArn"`
	Subject           *string                 `json:"Subject"`
	Message           string                  `json:"Message"`
	Timestamp         string                  `json:"Timestamp"`
	SignatureVersion  string                  `json:"SignatureVersion"`
	Signature         string                  `json:"Signature"`
	SigningCertURL    string                  `json:"SigningCertUrl"`
	UnsubscribeURL    string                  `json:"UnsubscribeUrl"`
	MessageAttributes map[string]envelopeAttr `json:"MessageAttributes"`
}

// deliverLambda invokes a function asynchronously with the SNS event.
func (s *Service) deliverLambda(ctx context.Context, j *delivery.Job) error {
	n, err := noticeOf(j)
	if err != nil {
		return err
	}
	if s.functions == nil {
		return errors.New("lambda is not available to sns: the function cannot be invoked")
	}
	// AWS signs Lambda events with SignatureVersion 1 whatever the topic's setting.
	n.SignatureVersion = "1"
	e, err := s.envelopeOf(n)
	if err != nil {
		return err
	}
	attrs := e.MessageAttributes
	if attrs == nil {
		attrs = map[string]envelopeAttr{}
	}
	ev := lambdaEvent{Records: []lambdaRecord{{
		EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: n.SubscriptionARN,
		Sns: lambdaSNS{
			Type: e.Type, MessageID: e.MessageID, TopicARN: e.TopicARN, Subject: e.Subject, Message: e.Message,
			Timestamp: e.Timestamp, SignatureVersion: e.SignatureVersion, Signature: e.Signature,
			SigningCertURL: e.SigningCertURL, UnsubscribeURL: e.UnsubscribeURL, MessageAttributes: attrs,
		},
	}}}
	b, err := marshal(ev)
	if err != nil {
		return delivery.Permanent(err)
	}
	return s.functions.InvokeAsync(ctx, j.Dest, b)
}

// deliverOutbox records an email, email-json, SMS or push message in the outbox.
func (s *Service) deliverOutbox(ctx context.Context, j *delivery.Job) error {
	n, err := noticeOf(j)
	if err != nil {
		return err
	}
	msg := n.Message
	switch {
	case n.Protocol == "email-json":
		e, err := s.envelopeOf(n)
		if err != nil {
			return err
		}
		b, err := marshal(e)
		if err != nil {
			return delivery.Permanent(err)
		}
		msg = string(b)
	case n.Type == "SubscriptionConfirmation":
		msg = n.Message + "\n" + n.SubscribeURL
	}
	subject := ""
	if n.Subject != nil {
		subject = *n.Subject
	}
	if n.Type == "SubscriptionConfirmation" {
		subject = "AWS Notification - Subscription Confirmation"
	}
	if err := s.db.SNSOutboxInsert(ctx, &store.SNSOutboxEntry{
		ID: n.MessageID + "/" + n.Endpoint, CreatedAt: s.clock.Now().UnixMilli(), Protocol: n.Protocol,
		Endpoint: n.Endpoint, TopicARN: n.TopicARN, SubscriptionARN: n.SubscriptionARN, Subject: subject, Message: msg,
	}); err != nil {
		return err
	}
	// The outbox insert is idempotent, so a failed send retried later records nothing twice.
	if s.cfg.SMTPAddr != "" && (n.Protocol == "email" || n.Protocol == "email-json") {
		return s.sendMail(ctx, n.Endpoint, subject, msg)
	}
	return nil
}

// deliverUnsupported fails deliveries to protocols Overcast does not deliver to yet
// (firehose), so they take the retry and dead-letter path.
func (s *Service) deliverUnsupported(_ context.Context, j *delivery.Job) error {
	return fmt.Errorf("sns delivery to %s is not supported by Overcast yet", j.Dest)
}

// deadLetter hands a finally failed notification to its subscription's dead-letter queue,
// in the transaction that removes the failed job.
func (s *Service) deadLetter(ctx context.Context, tx *store.Tx, j *delivery.Job, f *delivery.Failure) error {
	dlq := j.Attributes["dlq"]
	if dlq == "" {
		return nil
	}
	s.log.Info("sns delivery failed, moving to dead-letter queue", "dest", j.Dest, "dlq", dlq, "reason", f.Reason, "attempts", f.Attempts)
	return s.dispatch.Enqueue(ctx, tx, &delivery.Job{
		Target: kindSQS, Dest: dlq, Payload: j.Payload, Policy: delivery.SNS(delivery.SNSManagedEndpoint()),
	})
}
