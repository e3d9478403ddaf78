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
	if vs[0].Kind == protocol.Missing && strings.Contains(vs[0].Path, "MessageAttributes.") {
		// A message attribute without its DataType: AWS's validation wording, with the
		// attribute's name kept as sent.
		return snsValidationError(NewValidationException("1 validation error detected: Value null at '" +
			attributePath(vs[0].Path) + "' failed to satisfy constraint: " + vs[0].Constraint))
	}
	if vs[0].Kind == protocol.Missing {
		name := vs[0].Path
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		return errInvalid(name)
	}
	return snsValidationError(protocol.DefaultValidationError(op, vs))
}

// snsValidationError gives a model validation error the code SNS sends for it.
func snsValidationError(e *protocol.Error) *protocol.Error {
	e.Code = "ValidationError"
	return e
}

func errorsIsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// attributePath renders a violation path inside a message attribute map as AWS does:
// "PublishBatchRequestEntries.1.MessageAttributes.a.b.DataType" becomes
// "publishBatchRequestEntries.1.member.messageAttributes.a.b.member.dataType". The
// attribute name, which may contain dots, is everything between the map and the last
// element.
func attributePath(p string) string {
	parts := strings.Split(p, ".")
	var out []string
	for i := 0; i < len(parts); i++ {
		s := parts[i]
		switch {
		case s == "MessageAttributes" && i+2 < len(parts):
			last := len(parts) - 1
			out = append(out, "messageAttributes", strings.Join(parts[i+1:last], "."), "member")
			i = last - 1
		case s != "" && s[0] >= '0' && s[0] <= '9':
			out = append(out, s, "member")
		case s != "":
			out = append(out, strings.ToLower(s[:1])+s[1:])
		}
	}
	return strings.Join(out, ".")
}
