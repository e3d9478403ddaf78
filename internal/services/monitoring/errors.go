package monitoring

import (
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// CloudWatch's answers, worded as AWS words them. The codes are the modeled ones; the
// protocol layer sends their query codes (InvalidParameterValue, MissingParameter,
// InvalidParameterCombination) to query and query-compatible clients.

func errInvalidValue(format string, args ...any) *protocol.Error {
	return NewInvalidParameterValueException(fmt.Sprintf(format, args...))
}

func errMissing(format string, args ...any) *protocol.Error {
	return NewMissingRequiredParameterException(fmt.Sprintf(format, args...))
}

func errCombination(format string, args ...any) *protocol.Error {
	return NewInvalidParameterCombinationException(fmt.Sprintf(format, args...))
}

// validationError words model validation failures as CloudWatch does: a missing member is
// MissingParameter "The parameter MetricData.member.1.MetricName is required.", too many
// dimensions InvalidParameterValue, any other violation ValidationError with the default
// wording (AWS answers a bad StateValue "1 validation error detected: Value 'INVALID' at
// 'stateValue' failed to satisfy constraint: ...").
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	switch v := vs[0]; {
	case v.Kind == protocol.Missing:
		return errMissing("The parameter %s is required.", queryPath(v.Path))
	case v.Kind == protocol.TooLong && strings.HasSuffix(v.Path, "Dimensions"):
		return errInvalidValue("The collection %s must not have a size greater than 30.", queryPath(v.Path))
	}
	for i, v := range vs {
		if order, ok := enumOrder[v.Path]; ok && v.Kind == protocol.BadEnum {
			vs[i].Constraint = "Member must satisfy enum value set: " + order
		}
	}
	e := protocol.DefaultValidationError(op, vs)
	e.Code = "ValidationError"
	return e
}

// queryPath renders "MetricData.1.MetricName" as "MetricData.member.1.MetricName", the
// way CloudWatch names list members.
func queryPath(p string) string {
	parts := strings.Split(p, ".")
	out := make([]string, 0, len(parts)*2)
	for _, s := range parts {
		if s != "" && s[0] >= '0' && s[0] <= '9' {
			out = append(out, "member")
		}
		out = append(out, s)
	}
	return strings.Join(out, ".")
}

// enumOrder is the order in which AWS lists the values of enums it orders unlike the model
// (SetAlarmState's stateValue: "[INSUFFICIENT_DATA, ALARM, OK]").
var enumOrder = map[string]string{
	"StateValue": "[INSUFFICIENT_DATA, ALARM, OK]",
}
