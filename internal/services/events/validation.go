package events

import (
	"sync"

	"github.com/overcast/overcast/internal/protocol"
)

// installInfo guards the one change New makes to the shared Info.
var installInfo sync.Once

// apiDestinationMethods is the HttpMethod enum in the order AWS lists it in its
// validation messages, which is not the model's order.
const apiDestinationMethods = "Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]"

// validationError answers model violations as EventBridge does: ValidationException in
// the model's words, except that an API destination's HttpMethod lists the methods in
// AWS's order.
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	out := make([]protocol.Violation, len(vs))
	for i, v := range vs {
		if v.Kind == protocol.BadEnum && v.Path == "HttpMethod" && op != nil &&
			(op.Name == "CreateApiDestination" || op.Name == "UpdateApiDestination") {
			v.Constraint = apiDestinationMethods
		}
		out[i] = v
	}
	return protocol.DefaultValidationError(op, out)
}
