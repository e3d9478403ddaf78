package sqs

import (
	"context"
	"fmt"
	"net/http"

	"github.com/overcast/overcast/internal/protocol"
)

// SQS answers several errors that its model does not list (they are common to the query
// API). They are declared here once; the modeled ones come from api_gen.go.

// Codes of the unmodeled errors: AWS's JSON responses name them by these types
// (botocore reports them as QueryErrorCode), and x-amzn-query-error and the query
// protocol by their query codes.
const (
	codeInvalidParameterValue = "InvalidParameterValueException"
	codeMissingParameter      = "MissingRequiredParameterException"
)

// errInvalidParameterValue answers a parameter whose value SQS rejects.
func errInvalidParameterValue(msg string) *protocol.Error {
	return &protocol.Error{Code: codeInvalidParameterValue, QueryCode: "InvalidParameterValue", Message: msg, Status: http.StatusBadRequest}
}

// errMissingParameter answers a request without a required parameter.
func errMissingParameter(name string) *protocol.Error {
	return &protocol.Error{
		Code:      codeMissingParameter,
		QueryCode: "MissingParameter",
		Message:   "The request must contain the parameter " + name + ".",
		Status:    http.StatusBadRequest,
	}
}

// batchCode is the code a failed batch entry carries: the query code of the unmodeled
// errors ("InvalidParameterValue"), the error's own code otherwise.
func batchCode(e *protocol.Error) string {
	switch e.Code {
	case codeInvalidParameterValue, codeMissingParameter:
		return e.WireQueryCode()
	}
	return e.Code
}

// errNotAtQueueURL answers a query request for an action that names no queue (CreateQueue,
// ListQueues) when it was sent to a queue's URL: AWS serves those actions only at the
// service endpoint and answers InvalidAction elsewhere.
func errNotAtQueueURL(ctx context.Context, action string) *protocol.Error {
	c := protocol.CallFrom(ctx)
	if c.Protocol != protocol.Query {
		return nil
	}
	if _, ok := parseQueueURL(c.Path); !ok {
		return nil
	}
	return &protocol.Error{
		Code:    "InvalidAction",
		Message: "The action " + action + " is not valid for this endpoint.",
		Status:  http.StatusBadRequest,
	}
}

// errInvalidParameterCombination answers parameters that cannot go together.
func errInvalidParameterCombination(msg string) *protocol.Error {
	return &protocol.Error{Code: "InvalidParameterCombination", Message: msg, Status: http.StatusBadRequest}
}

// errParamInvalid is SQS's usual "Value X for parameter P is invalid. Reason: R." answer.
func errParamInvalid(value any, param, reason string) *protocol.Error {
	return errInvalidParameterValue(fmt.Sprintf("Value %v for parameter %s is invalid. Reason: %s", value, param, reason))
}

// Messages of the modeled errors, as AWS words them.
const (
	msgQueueDoesNotExist  = "The specified queue does not exist."
	msgMessageNotInflight = "Message does not exist or is not available for visibility timeout change."
)

// msgQueueDoesNotExistQuery is how AWS words QueueDoesNotExist to query-protocol clients.
const msgQueueDoesNotExistQuery = "The specified queue does not exist for this wsdl version."

// errQueueDoesNotExist answers a queue that is not there. AWS words it differently by
// protocol: the query API keeps its historical message, which the AWS SDKs' own smoke
// tests check for (GetQueueUrl of an unknown name).
func errQueueDoesNotExist(ctx context.Context) *protocol.Error {
	if protocol.CallFrom(ctx).Protocol == protocol.Query {
		return NewQueueDoesNotExist(msgQueueDoesNotExistQuery)
	}
	return NewQueueDoesNotExist(msgQueueDoesNotExist)
}

func errUnknownAttribute(name string) *protocol.Error {
	return NewInvalidAttributeName("Unknown Attribute " + name + ".")
}

func errInvalidAttributeValue(name string) *protocol.Error {
	return NewInvalidAttributeValue("Invalid value for the parameter " + name + ".")
}

func errReceiptHandleInvalid(handle string) *protocol.Error {
	return NewReceiptHandleIsInvalid(fmt.Sprintf("The input receipt handle \"%s\" is not a valid receipt handle.", handle))
}

// errReceiptHandleExpired answers a FIFO handle that no longer holds its message.
func errReceiptHandleExpired(handle string) *protocol.Error {
	return errParamInvalid(handle, "ReceiptHandle", "The receipt handle has expired.")
}

func errInvalidAddress(addr string) *protocol.Error {
	return NewInvalidAddress(fmt.Sprintf("The address %s is not valid for this endpoint.", addr))
}
