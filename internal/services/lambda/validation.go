package lambda

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// installInfo guards the one change New makes to the shared Info.
var installInfo sync.Once

// weightsPath is the member path of an alias's routing weights; the validator appends
// the map key.
const weightsPath = "RoutingConfig.AdditionalVersionWeights."

// validationError answers model violations as Lambda does: ValidationException in the
// model's words, except where AWS words them its own way.
//
//   - A runtime outside the enum is an InvalidParameterValueException listing the runtimes
//     a function may be created with ("or be a valid ARN").
//   - A routing weight outside [0, 1] names the map entry and the map's value
//     constraints, numbers printed as Java prints them ("{2=2.0}").
//   - A function architecture outside the enum names the list ("[X86_64]") and the
//     list's member constraints.
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	vs = slices.Clone(vs)
	for i, v := range vs {
		switch {
		case v.Kind == protocol.BadEnum && v.Path == "Runtime":
			return NewInvalidParameterValueException("Value " + v.Value + " at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [" +
				strings.Join(lambdart.Runtimes(), ", ") + "] or be a valid ARN")
		case (v.Kind == protocol.TooSmall || v.Kind == protocol.TooLarge) && strings.HasPrefix(v.Path, weightsPath):
			weight, err := strconv.ParseFloat(v.Value, 64)
			if err != nil {
				continue
			}
			vs[i] = protocol.Violation{Kind: v.Kind, Path: strings.TrimSuffix(weightsPath, "."),
				Value:      "{" + strings.TrimPrefix(v.Path, weightsPath) + "=" + javaDouble(weight) + "}",
				Constraint: "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"}
		case v.Kind == protocol.BadEnum && v.Path == "Architectures.1":
			// Architectures holds at most one item (a longer list is refused for its
			// length), so the list is this item.
			vs[i] = protocol.Violation{Kind: v.Kind, Path: "Architectures", Value: "[" + v.Value + "]",
				Constraint: "Member must satisfy constraint: [" + v.Constraint + ", Member must not be null]"}
		}
	}
	return protocol.DefaultValidationError(op, vs)
}
