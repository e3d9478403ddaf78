package lambda

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const latest = "$LATEST"

var functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// functionRef is a function named by a request: its name and the qualifier the name
// carried ("" when none).
type functionRef struct {
	Name      string
	Qualifier string
	// Region is the region of a full ARN ("" for the other forms).
	Region string
}

// parseFunctionName accepts the forms Lambda accepts: a name (my-function), a name with a
// qualifier (my-function:1), a partial ARN (123456789012:function:my-function[:1]) and a
// full ARN (arn:aws:lambda:us-east-1:123456789012:function:my-function[:1]).
func parseFunctionName(raw string) (functionRef, error) {
	parts := strings.Split(raw, ":")
	var ref functionRef
	qualified := false
	switch {
	case strings.HasPrefix(raw, "arn:") && (len(parts) == 7 || len(parts) == 8) && parts[2] == "lambda" && parts[5] == "function":
		ref.Name, ref.Region = parts[6], parts[3]
		if len(parts) == 8 {
			ref.Qualifier, qualified = parts[7], true
		}
	case len(parts) == 1:
		ref.Name = parts[0]
	case len(parts) == 2:
		ref.Name, ref.Qualifier, qualified = parts[0], parts[1], true
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function":
		ref.Name = parts[2]
		if len(parts) == 4 {
			ref.Qualifier, qualified = parts[3], true
		}
	default:
		return ref, NewInvalidParameterValueException("Invalid function name: " + raw)
	}
	if !functionNamePattern.MatchString(ref.Name) {
		return ref, NewInvalidParameterValueException("Invalid function name: " + raw)
	}
	if qualified && ref.Qualifier == "" {
		return ref, NewInvalidParameterValueException("Invalid function name: " + raw)
	}
	return ref, nil
}

// parseFunctionIn parses a function name as parseFunctionName does and refuses a full
// ARN of another region, as Lambda does: functions are regional and a request never
// reaches the function of another region, whatever its name says.
func parseFunctionIn(call *protocol.Call, raw string) (functionRef, error) {
	ref, err := parseFunctionName(raw)
	if err != nil {
		return ref, err
	}
	if ref.Region != "" && ref.Region != call.Region {
		return ref, NewResourceNotFoundException("Functions from '" + ref.Region + "' are not reachable in this region ('" + call.Region + "')")
	}
	return ref, nil
}

// unqualifiedFunction parses a function name that must not carry a qualifier.
func unqualifiedFunction(call *protocol.Call, raw string) (string, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", err
	}
	if ref.Qualifier != "" {
		return "", NewInvalidParameterValueException("Unsupported function name format: " + raw)
	}
	return ref.Name, nil
}

// qualifierOf combines the qualifier carried by the function name with the Qualifier
// parameter, which must agree when both are given.
func qualifierOf(ref functionRef, param *string) (string, error) {
	q := ref.Qualifier
	if param != nil && *param != "" {
		if q != "" && q != *param {
			return "", NewInvalidParameterValueException("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = *param
	}
	return q, nil
}

// versionNumber maps a qualifier to the store's version number: "" and $LATEST are
// store.LambdaLatest. ok is false for anything but $LATEST and positive numbers (an alias
// name).
func versionNumber(q string) (int64, bool) {
	if q == "" || q == latest {
		return store.LambdaLatest, true
	}
	n, err := strconv.ParseInt(q, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// versionName is the API's name of a store version number.
func versionName(n int64) string {
	if n == store.LambdaLatest {
		return latest
	}
	return strconv.FormatInt(n, 10)
}

// functionARN returns the function's ARN, qualified when qualifier is not "".
func functionARN(call *protocol.Call, name, qualifier string) string {
	arn := "arn:aws:lambda:" + call.Region + ":" + call.Account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// errFunctionNotFound is Lambda's answer for a function or version that does not exist.
func errFunctionNotFound(call *protocol.Call, name, qualifier string) *protocol.Error {
	return NewResourceNotFoundException("Function not found: " + functionARN(call, name, qualifier))
}
