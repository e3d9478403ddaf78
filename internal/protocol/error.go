package protocol

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Fault says which side of the call caused an error, as AWS reports it.
type Fault int

const (
	// FaultSender is a client mistake (4xx). It is the zero value.
	FaultSender Fault = iota
	// FaultReceiver is a server-side failure (5xx).
	FaultReceiver
)

// String returns the fault as the query protocol spells it.
func (f Fault) String() string {
	if f == FaultReceiver {
		return "Receiver"
	}
	return "Sender"
}

// Error is an AWS API error: everything the encoders need to answer it exactly as the
// SDKs parse it.
type Error struct {
	// Code is the error code, e.g. "QueueDoesNotExist" or "ValidationException".
	Code string
	// Message is the human-readable message, copied exactly as AWS words it.
	Message string
	// Status is the HTTP status code. Zero means 400 for sender faults and 500 for
	// receiver faults.
	Status int
	// Fault is Sender or Receiver.
	Fault Fault
	// QueryCode is the code used by the awsQuery protocol when it differs from Code
	// (awsQueryCompatible services such as SQS: "AWS.SimpleQueueService.NonExistentQueue").
	// Empty means Code.
	QueryCode string
	// MessageKey is the body member that carries Message in JSON and CBOR error bodies,
	// as the error shape names it ("Message" for Lambda's and Scheduler's capitalised
	// members, which boto3 reports under that key). Empty means "message".
	MessageKey string
	// Fields are extra members of the modeled error shape, written next to the message in
	// the body (e.g. Lambda's TooManyRequestsException "Reason"). Keys are wire names.
	Fields map[string]any
	// Headers are extra response headers (e.g. Retry-After).
	Headers map[string]string
	// Cause is an internal error behind an InternalFailure; it is logged, never sent.
	Cause error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

// messageKey returns the body member of the message.
func (e *Error) messageKey() string {
	if e.MessageKey != "" {
		return e.MessageKey
	}
	return "message"
}

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.Cause }

// HTTPStatus returns the status to answer with.
func (e *Error) HTTPStatus() int {
	switch {
	case e.Status != 0:
		return e.Status
	case e.Fault == FaultReceiver:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// WireQueryCode returns the code for the awsQuery protocol and the x-amzn-query-error header.
func (e *Error) WireQueryCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// With returns a copy of e carrying the given message.
func (e *Error) With(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// NewError returns a sender-fault error with the given code, status and message.
func NewError(code string, status int, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

// AsError returns err as an *Error. Anything that is not an API error becomes an
// InternalFailure that keeps err as its cause so it can be logged under the request id.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalFailure(err)
}

// InternalFailure is the answer to any failure that is not the client's fault.
func InternalFailure(cause error) *Error {
	return &Error{
		Code:    "InternalFailure",
		Message: "The request processing has failed because of an unknown error, exception or failure.",
		Status:  http.StatusInternalServerError,
		Fault:   FaultReceiver,
		Cause:   cause,
	}
}

// NotImplemented answers an operation Overcast routes but does not serve yet.
func NotImplemented(service, operation string) *Error {
	return &Error{
		Code:    "NotImplemented",
		Message: fmt.Sprintf("The operation %s of service %s is not implemented by Overcast.", operation, service),
		Status:  http.StatusNotImplemented,
		Fault:   FaultReceiver,
	}
}

// SerializationException answers a body that cannot be decoded (awsJson, rest-json, cbor).
func SerializationException(msg string) *Error {
	return &Error{Code: "SerializationException", Message: msg, Status: http.StatusBadRequest}
}

// MalformedQueryString answers a query/XML request that cannot be parsed.
func MalformedQueryString(msg string) *Error {
	return &Error{Code: "MalformedQueryString", Message: msg, Status: http.StatusBadRequest}
}

// UnknownOperation answers a request naming an operation the service does not have.
func UnknownOperation(msg string) *Error {
	return &Error{Code: "UnknownOperationException", Message: msg, Status: http.StatusBadRequest}
}

// InvalidAction answers a query-protocol request whose Action is unknown.
func InvalidAction(action string) *Error {
	return &Error{
		Code:    "InvalidAction",
		Message: invalidActionPrefix + action + invalidActionSuffix,
		Status:  http.StatusBadRequest,
	}
}

const (
	invalidActionPrefix = "The action "
	invalidActionSuffix = " is not valid for this web service."
)

// sqsInvalidAction rewords InvalidAction as SQS's query API does: the action is not valid
// "for this endpoint" rather than "for this web service". The error is built before the
// service answering it is known, so the query encoder applies this.
func sqsInvalidAction(e *Error) *Error {
	rest, ok := strings.CutPrefix(e.Message, invalidActionPrefix)
	if !ok {
		return e
	}
	action, ok := strings.CutSuffix(rest, invalidActionSuffix)
	if !ok {
		return e
	}
	return e.With(invalidActionPrefix + action + " is not valid for this endpoint.")
}

// RequestEntityTooLarge answers a body above the edge's limit.
func RequestEntityTooLarge(msg string) *Error {
	return &Error{Code: "RequestEntityTooLarge", Message: msg, Status: http.StatusRequestEntityTooLarge}
}

// ValidationException is the default answer to model validation failures.
func ValidationException(msg string) *Error {
	return &Error{Code: "ValidationException", Message: msg, Status: http.StatusBadRequest}
}
