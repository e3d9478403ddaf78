package sts

import (
	"net/http"

	"github.com/overcast/overcast/internal/protocol"
)

// STS's common answers, worded as AWS words them.

// errValidation answers ValidationError (400), the code STS gives every input it refuses
// outside the modeled errors.
func errValidation(msg string) *protocol.Error {
	return protocol.NewError("ValidationError", http.StatusBadRequest, msg)
}

// errInvalidParameter answers InvalidParameterValue (400).
func errInvalidParameter(msg string) *protocol.Error {
	return protocol.NewError("InvalidParameterValue", http.StatusBadRequest, msg)
}

// errAccessDenied answers AccessDenied (403), as STS refuses to assume a role that does
// not exist.
func errAccessDenied(msg string) *protocol.Error {
	return protocol.NewError("AccessDenied", http.StatusForbidden, msg)
}

// validationError words model validation failures as STS does: the default wording under
// the code ValidationError ("1 validation error detected: Value 'Session1:2' at
// 'roleSessionName' failed to satisfy constraint: ...").
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	e := protocol.DefaultValidationError(op, vs)
	e.Code = "ValidationError"
	return e
}
