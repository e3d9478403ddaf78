package logs

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Messages of the modeled errors, as AWS words them.
const (
	msgGroupNotFound      = "The specified log group does not exist."
	msgStreamNotFound     = "The specified log stream does not exist."
	msgGroupExists        = "The specified log group already exists"
	msgStreamExists       = "The specified log stream already exists"
	msgInvalidNextToken   = "The specified nextToken is invalid."
	msgNotChronological   = "Log events in a single PutLogEvents request must be in chronological order."
	msgBatchSpan          = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
	msgOrderByWithPrefix  = "Cannot order by LastEventTime with a logStreamNamePrefix."
	msgNameAndIdentifier  = "LogGroup name and LogGroup ARN are mutually exclusive parameters."
	msgNoGroup            = "Either LogGroupName or LogGroupIdentifier must be specified."
	msgPrefixAndPattern   = "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
	msgIdentifiersFilters = "LogGroupIdentifiers cannot be combined with LogGroupNamePrefix or LogGroupNamePattern."
	msgNamesAndPrefix     = "LogStreamNames and LogStreamNamePrefix are mutually exclusive. Specify only one of them."
	msgTooManyTags        = "A resource can have no more than 50 tags."
	msgDeletionProtected  = "Cannot delete log group because deletion protection is enabled. Disable deletion protection first."
	msgReservedGroupName  = "Log group names cannot start with 'aws/'."
	msgNameTooLong        = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
)

func errGroupNotFound() *protocol.Error  { return NewResourceNotFoundException(msgGroupNotFound) }
func errStreamNotFound() *protocol.Error { return NewResourceNotFoundException(msgStreamNotFound) }
func errInvalidNextToken() *protocol.Error {
	return NewInvalidParameterException(msgInvalidNextToken)
}

// validationError answers model violations as CloudWatch Logs does: AWS's usual
// "N validation errors detected" message under InvalidParameterException, AWS's own
// wording for over-long log group and stream names, and nil (the input is valid) when
// the only violations are constraints of the model AWS does not enforce.
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	vs = slices.DeleteFunc(slices.Clone(vs), acceptedNamespace)
	if len(vs) == 0 {
		return nil
	}
	// AWS checks the length of log group and stream names before the model's
	// constraints, in words of its own (CreateLogGroup, DeleteMetricFilter, ...).
	for _, v := range vs {
		if v.Kind == protocol.TooLong && (v.Path == "logGroupName" || v.Path == "logStreamName") {
			return NewInvalidParameterException(msgNameTooLong)
		}
	}
	return NewInvalidParameterException(protocol.DefaultValidationError(op, vs).Message)
}

// acceptedNamespace reports whether v is the model's pattern refusing a metric namespace
// that AWS accepts: the model forbids ':', but AWS takes namespaces such as
// "A.B-c_d/1#2:metricNamespace" in PutMetricFilter and DescribeMetricFilters.
func acceptedNamespace(v protocol.Violation) bool {
	return v.Kind == protocol.BadPattern && strings.HasSuffix(v.Path, "metricNamespace") && !strings.ContainsAny(v.Value, "*$")
}

// errConstraint is one validation failure in the model's format, for checks the
// generated validators cannot make (map keys, enumerations of numbers).
func errConstraint(value, member, constraint string) *protocol.Error {
	return NewInvalidParameterException(fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

// groupErr maps a store error of a log group lookup to the API error.
func groupErr(err error, op string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errGroupNotFound()
	}
	return fmt.Errorf("%s: %w", op, err)
}

// formatInts renders numbers as AWS lists enum values: "[1, 3, 5]".
func formatInts(ns []int32) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
