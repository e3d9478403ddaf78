package sqs

import (
	"fmt"
	"net/http"

	"github.com/overcast/overcast/internal/protocol"
)

// SQS answers several errors that its model does not list (they are common to the query
// API). They are declared here once; the modeled ones come from api_gen.go.

// errInvalidParameterValue answers a parameter whose value SQS rejects.
func errInvalidParameterValue(msg string) *protocol.Error {
	return &protocol.Error{Code: "InvalidParameterValue", Message: msg, Status: http.StatusBadRequest}
}

// errMissingParameter answers a request without a required parameter.
func errMissingParameter(name string) *protocol.Error {
	return &protocol.Error{
		Code:    "MissingParameter",
		Message: "The request must contain the parameter " + name + ".",
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

func errQueueDoesNotExist() *protocol.Error { return NewQueueDoesNotExist(msgQueueDoesNotExist) }

func errUnknownAttribute(name string) *protocol.Error {
	return NewInvalidAttributeName("Unknown Attribute " + name + ".")
}

func errInvalidAttributeValue(name string) *protocol.Error {
	return NewInvalidAttributeValue("Invalid value for the parameter " + name + ".")
}

func errReceiptHandleInvalid(handle string) *protocol.Error {
	return NewReceiptHandleIsInvalid(fmt.Sprintf("The input receipt handle \"%s\" is not a valid receipt handle.", handle))
}

func errInvalidAddress(addr string) *protocol.Error {
	return NewInvalidAddress(fmt.Sprintf("The address %s is not valid for this endpoint.", addr))
}
