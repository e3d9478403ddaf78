package lambda

import (
	"strings"
	"sync"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// installInfo guards the one change New makes to the shared Info.
var installInfo sync.Once

// validationError answers model violations as Lambda does: ValidationException in the
// model's words (lists, maps and their items rendered as AWS renders them, by the
// protocol layer), except a runtime outside the enum: an InvalidParameterValueException
// listing the runtimes a function may be created with ("or be a valid ARN").
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	for _, v := range vs {
		if v.Kind == protocol.BadEnum && v.Path == "Runtime" {
			return NewInvalidParameterValueException("Value " + v.Value + " at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [" +
				strings.Join(lambdart.Runtimes(), ", ") + "] or be a valid ARN")
		}
	}
	return protocol.DefaultValidationError(op, vs)
}
