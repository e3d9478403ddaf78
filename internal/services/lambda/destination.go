package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// MessageAttribute is one message attribute of a message Lambda sends to a dead-letter
// queue or topic. DataType is "String" or "Number".
type MessageAttribute struct {
	Name, DataType, Value string
}

// SQSSendFunc sends body to the SQS queue queueARN with attrs. It returns the SQS
// service's error (a *protocol.Error for a client mistake such as a missing queue).
type SQSSendFunc func(ctx context.Context, queueARN, body string, attrs []MessageAttribute) error

// SNSPublishFunc publishes message to the SNS topic topicARN with attrs.
type SNSPublishFunc func(ctx context.Context, topicARN, message string, attrs []MessageAttribute) error

// PutEventFunc puts one event on the EventBridge bus busARN; detail is a JSON object.
type PutEventFunc func(ctx context.Context, busARN, source, detailType, detail string, resources []string) error

// Targets are the services Lambda hands dead-lettered events and invocation records to.
// A nil function refuses that kind of destination: the hand-off fails permanently.
type Targets struct {
	SendToSQS    SQSSendFunc
	PublishToSNS SNSPublishFunc
	PutEvent     PutEventFunc
}

// Delivery target kind and dead-letter owner of the asynchronous invocation machinery.
const (
	// destinationKind carries dead-lettered events and invocation records to their
	// queue, topic, function or bus.
	destinationKind = "lambda.destination"
	// asyncOwner learns of Event invocations that finally failed.
	asyncOwner = "lambda"
)

// Job attributes of Event invocations and of destination hand-offs.
const (
	attrRequestID = "requestId"
	// attrOnSuccess, attrOnFailure and attrDLQ are the destinations and dead-letter target
	// in force when the invocation was queued.
	attrOnSuccess = "onSuccess"
	attrOnFailure = "onFailure"
	attrDLQ       = "dlq"
	// attrMessageAttrs is the JSON list of message attributes of a dead-letter message.
	attrMessageAttrs = "messageAttributes"
	// attrDetailType and attrFunction make the EventBridge event of an invocation record.
	attrDetailType = "detailType"
	attrFunction   = "functionArn"
)

// Invocation record conditions
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
const (
	conditionSuccess          = "Success"
	conditionRetriesExhausted = "RetriesExhausted"
	conditionEventAgeExceeded = "EventAgeExceeded"
	// conditionZeroReserved is the condition of an event refused at once because its
	// function's reserved concurrency is zero: AWS never invokes it.
	conditionZeroReserved = "ZeroReservedConcurrency"
)

// maxDLQErrorMessage caps the ErrorMessage attribute of dead-letter messages: "the first
// 1 KB of the error message".
const maxDLQErrorMessage = 1024

// handOffPolicy retries a failed hand-off to a destination or dead-letter queue for a
// while; Lambda drops the record after that (and counts DestinationDeliveryFailures or
// DeadLetterErrors, which Overcast logs).
var handOffPolicy = delivery.Policy{
	MaxRetries: 10,
	MaxAge:     time.Hour,
	Backoff:    delivery.ExponentialBackoff(time.Second, time.Minute, 2, 0.5),
}

// registerAsync registers the destination deliverer and the dead-letter owner of Event
// invocations with d.
func (s *Service) registerAsync(d *delivery.Dispatcher) {
	d.Register(destinationKind, delivery.DelivererFunc(s.deliverDestination))
	d.RegisterDeadLetter(asyncOwner, s.deadLetter)
}

// functionError is a function's error response to an Event invocation. It survives a
// restart as its Error text (the delivery layer keeps only that), which
// functionErrorFrom decodes again.
type functionError struct {
	ExecutedVersion string `json:"v"`
	FunctionError   string `json:"e"`
	Payload         string `json:"p"`
}

const functionErrorPrefix = "function error: "

func (e *functionError) Error() string {
	b, _ := json.Marshal(e)
	return functionErrorPrefix + string(b)
}

// functionErrorFrom returns the function error err carries, or nil: the error itself in
// the process that made it, else the stored text that functionError.Error wrote.
func functionErrorFrom(err error) *functionError {
	var fe *functionError
	if errors.As(err, &fe) {
		return fe
	}
	if err == nil {
		return nil
	}
	text, ok := strings.CutPrefix(err.Error(), functionErrorPrefix)
	if !ok {
		return nil
	}
	fe = &functionError{}
	if json.Unmarshal([]byte(text), fe) != nil {
		return nil
	}
	return fe
}

// invocationRecord is the document Lambda sends to destinations.
type invocationRecord struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  requestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *responseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

type requestContext struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// jsonOrString returns b when it is a JSON document, else b as a JSON string; empty b is
// null.
func jsonOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b))
	return s
}

// record builds the invocation record of the Event invocation j. fe is the function's
// error response, or res its successful one; without either (the event expired before
// the function answered) the record has no response.
func (s *Service) record(j *delivery.Job, condition string, attempts int, res *lambdart.InvokeResult, fe *functionError) []byte {
	arn := j.Dest
	if strings.Count(arn, ":") == 6 {
		arn += ":" + latest
	}
	r := invocationRecord{
		Version:   "1.0",
		Timestamp: s.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: requestContext{
			RequestID: j.Attributes[attrRequestID], FunctionARN: arn, Condition: condition, ApproximateInvokeCount: attempts,
		},
		RequestPayload: jsonOrString(j.Payload),
	}
	switch {
	case res != nil:
		r.ResponseContext = &responseContext{StatusCode: 200, ExecutedVersion: res.ExecutedVersion}
		r.ResponsePayload = jsonOrString(res.Payload)
	case fe != nil:
		r.ResponseContext = &responseContext{StatusCode: 200, ExecutedVersion: fe.ExecutedVersion, FunctionError: fe.FunctionError}
		r.ResponsePayload = jsonOrString([]byte(fe.Payload))
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // raw messages are valid JSON by construction
	}
	return b
}

// recordJob is the hand-off of an invocation record to dest.
func recordJob(j *delivery.Job, dest string, record []byte, success bool) *delivery.Job {
	detailType := "Lambda Function Invocation Result - Failure"
	if success {
		detailType = "Lambda Function Invocation Result - Success"
	}
	return &delivery.Job{
		Target:  destinationKind,
		Dest:    dest,
		Payload: record,
		Policy:  handOffPolicy,
		Attributes: map[string]string{
			attrRequestID: j.Attributes[attrRequestID], attrDetailType: detailType, attrFunction: j.Dest,
		},
	}
}

// deadLetter hands an Event invocation that finally failed to its dead-letter queue or
// topic (the event as it was, with AWS's RequestID, ErrorCode and ErrorMessage
// attributes) and its on-failure destination (the invocation record). AWS sends to both
// when both are set: destinations come "in addition to or instead of" a dead-letter
// queue. https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
func (s *Service) deadLetter(ctx context.Context, tx *store.Tx, j *delivery.Job, f *delivery.Failure) error {
	dlq, onFailure := j.Attributes[attrDLQ], j.Attributes[attrOnFailure]
	if dlq == "" && onFailure == "" {
		s.log.Warn("event invocation discarded", "function", j.Dest, "requestId", j.Attributes[attrRequestID], "reason", f.Reason, "err", f.Err)
		return nil
	}
	fe := functionErrorFrom(f.Err)
	var jobs []*delivery.Job
	if dlq != "" {
		code, msg := dlqError(f, fe)
		attrs, _ := json.Marshal([]MessageAttribute{
			{Name: "RequestID", DataType: "String", Value: j.Attributes[attrRequestID]},
			{Name: "ErrorCode", DataType: "Number", Value: strconv.Itoa(code)},
			{Name: "ErrorMessage", DataType: "String", Value: msg},
		})
		jobs = append(jobs, &delivery.Job{
			Target: destinationKind, Dest: dlq, Payload: j.Payload, Policy: handOffPolicy,
			Attributes: map[string]string{attrRequestID: j.Attributes[attrRequestID], attrMessageAttrs: string(attrs)},
		})
	}
	if onFailure != "" {
		condition, attempts := conditionRetriesExhausted, f.Attempts
		switch {
		case f.Reason == delivery.EventAgeExceeded:
			condition = conditionEventAgeExceeded
		case errors.Is(f.Err, lambdart.ErrThrottled):
			// Throttles are retried until the event expires; the only throttle that
			// fails an event at once is a reserved concurrency of zero (invokeEvent).
			condition, attempts = conditionZeroReserved, 0
		}
		jobs = append(jobs, recordJob(j, onFailure, s.record(j, condition, attempts, nil, fe), false))
	}
	return s.disp.Enqueue(ctx, tx, jobs...)
}

// dlqError returns the ErrorCode and ErrorMessage attributes of a dead-lettered event: the
// Invoke status (200 for a function error, 429 for throttling) and the first 1 KB of the
// error message.
func dlqError(f *delivery.Failure, fe *functionError) (int, string) {
	code, msg := 500, "Event age exceeded."
	switch {
	case fe != nil:
		code, msg = 200, fe.Payload
		var doc struct {
			ErrorMessage *string `json:"errorMessage"`
		}
		if json.Unmarshal([]byte(fe.Payload), &doc) == nil && doc.ErrorMessage != nil {
			msg = *doc.ErrorMessage
		}
	case errors.Is(f.Err, lambdart.ErrThrottled):
		code, msg = 429, "Rate Exceeded."
	case f.Err != nil:
		msg = f.Err.Error()
		var pe *protocol.Error
		if errors.As(f.Err, &pe) {
			code, msg = pe.Status, pe.Message
		}
	}
	if len(msg) > maxDLQErrorMessage {
		msg = msg[:maxDLQErrorMessage]
	}
	return code, msg
}

// deliverDestination hands a dead-lettered event or an invocation record to its queue,
// topic, function or event bus.
func (s *Service) deliverDestination(ctx context.Context, j *delivery.Job) error {
	parts := strings.SplitN(j.Dest, ":", 6)
	if len(parts) < 6 {
		return delivery.Permanent(fmt.Errorf("bad destination ARN %s", j.Dest))
	}
	var attrs []MessageAttribute
	if a := j.Attributes[attrMessageAttrs]; a != "" {
		if err := json.Unmarshal([]byte(a), &attrs); err != nil {
			return delivery.Permanent(fmt.Errorf("decode message attributes: %w", err))
		}
	}
	switch parts[2] {
	case "sqs":
		if s.targets.SendToSQS == nil {
			return delivery.Permanent(errors.New("SQS destinations are not available"))
		}
		return permanentIfClient(s.targets.SendToSQS(ctx, j.Dest, string(j.Payload), attrs))
	case "sns":
		if s.targets.PublishToSNS == nil {
			return delivery.Permanent(errors.New("SNS destinations are not available"))
		}
		return permanentIfClient(s.targets.PublishToSNS(ctx, j.Dest, string(j.Payload), attrs))
	case "events":
		if s.targets.PutEvent == nil {
			return delivery.Permanent(errors.New("EventBridge destinations are not available"))
		}
		resources := []string{j.Attributes[attrFunction], j.Dest}
		return permanentIfClient(s.targets.PutEvent(ctx, j.Dest, "lambda", j.Attributes[attrDetailType], string(j.Payload), resources))
	case "lambda":
		// The destination function is invoked asynchronously, as its own new request.
		ctx = protocol.WithCall(ctx, &protocol.Call{RequestID: newRevisionID()})
		return permanentIfClient(s.InvokeEvent(ctx, j.Dest, j.Payload))
	default:
		return delivery.Permanent(fmt.Errorf("unsupported destination %s", j.Dest))
	}
}

// permanentIfClient marks client errors of the destination (a missing queue, a rejected
// message) as permanent: retrying cannot fix them.
func permanentIfClient(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Status >= 400 && pe.Status < 500 && pe.Status != 429 {
		return delivery.Permanent(err)
	}
	return err
}

// checkDeadLetter validates a DeadLetterConfig target: an SQS queue or SNS topic, or ""
// for none.
func checkDeadLetter(target string) error {
	if target == "" {
		return nil
	}
	parts := strings.SplitN(target, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && (parts[2] == "sqs" || parts[2] == "sns") && parts[5] != "" {
		return nil
	}
	return NewInvalidParameterValueException("The provided target arn " + target + " is invalid. A dead-letter target must be an Amazon SQS queue or an Amazon SNS topic.")
}

// deadLetterTarget returns a DeadLetterConfig's target, "" for none (an empty TargetArn
// removes the dead-letter queue).
func deadLetterTarget(d *DeadLetterConfig) string {
	if d == nil {
		return ""
	}
	return deref(d.TargetARN)
}
