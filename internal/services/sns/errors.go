package sns

import (
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// SNS's common answers, worded as AWS words them. The error types come from the generated
// constructors in api_gen.go.

// errInvalid answers InvalidParameter with "Invalid parameter: <what>".
func errInvalid(what string) *protocol.Error {
	return NewInvalidParameterException("Invalid parameter: " + what)
}

func errTopicNotFound() *protocol.Error { return NewNotFoundException("Topic does not exist") }

func errSubscriptionNotFound() *protocol.Error {
	return NewNotFoundException("Subscription does not exist")
}

func errEndpointNotFound() *protocol.Error { return NewNotFoundException("Endpoint does not exist") }

func errAppNotFound() *protocol.Error {
	return NewNotFoundException("PlatformApplication does not exist")
}

func errResourceNotFound() *protocol.Error {
	return NewResourceNotFoundException("Resource does not exist")
}

// validationError answers model validation failures the way SNS does: InvalidParameter
// naming the first offending parameter for a missing one, and the default
// ValidationError wording for the rest.
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	if len(vs) == 0 {
		return nil
	}
	if vs[0].Kind == protocol.Missing {
		name := vs[0].Path
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		return errInvalid(name)
	}
	e := protocol.DefaultValidationError(op, vs)
	e.Code = "ValidationError"
	return e
}

func errorsIsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
