package sqs

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// validationError answers model validation failures the way SQS does: MissingParameter for
// an absent required member, InvalidAttributeName for an unknown attribute name, and
// InvalidParameterValue otherwise. SQS reports the first problem only.
func validationError(_ *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	if len(vs) == 0 {
		return nil
	}
	v := vs[0]
	switch v.Kind {
	case protocol.Missing:
		return errMissingParameter(v.Path)
	case protocol.BadEnum:
		if strings.HasPrefix(v.Path, "AttributeNames") || strings.HasPrefix(v.Path, "MessageSystemAttributeNames") ||
			strings.HasPrefix(v.Path, "Attributes") {
			return errUnknownAttribute(v.Value)
		}
	}
	return errInvalidParameterValue(fmt.Sprintf("Value %s for parameter %s is invalid. Reason: %s.", v.Value, v.Path, v.Constraint))
}

// prepare adjusts a decoded request before validation:
//
//   - a query request posted to a queue's URL (/<account>/<name>) without a QueueUrl
//     parameter names that queue, as the query API always allowed;
//   - ReceiveMessage's deprecated AttributeNames are message system attribute names, not
//     queue attribute names as the model types them; they join MessageSystemAttributeNames,
//     and the queue attribute names AWS ignores there are dropped.
func prepare(call *protocol.Call, _ *protocol.Operation, in any) {
	if call != nil && call.Path != "" {
		if p := queueURLField(in); p != nil && *p == nil {
			if ref, ok := parseQueueURL(call.Path); ok {
				scheme := call.Scheme
				if scheme == "" {
					scheme = "http"
				}
				host := call.Host
				if host == "" {
					host = defaultHost
				}
				u := (&url.URL{Scheme: scheme, Host: host, Path: "/" + ref.Account + "/" + ref.Name}).String()
				*p = &u
			}
		}
	}
	if r, ok := in.(*ReceiveMessageInput); ok && len(r.AttributeNames) > 0 {
		for _, n := range r.AttributeNames {
			if slices.Contains(MessageSystemAttributeNameValues, n) || !slices.Contains(QueueAttributeNameValues, n) {
				r.MessageSystemAttributeNames = append(r.MessageSystemAttributeNames, n)
			}
		}
		r.AttributeNames = nil
	}
}

// queueURLField returns the QueueUrl member of an input that has one.
func queueURLField(in any) **string {
	switch v := in.(type) {
	case *AddPermissionInput:
		return &v.QueueURL
	case *ChangeMessageVisibilityInput:
		return &v.QueueURL
	case *ChangeMessageVisibilityBatchInput:
		return &v.QueueURL
	case *DeleteMessageInput:
		return &v.QueueURL
	case *DeleteMessageBatchInput:
		return &v.QueueURL
	case *DeleteQueueInput:
		return &v.QueueURL
	case *GetQueueAttributesInput:
		return &v.QueueURL
	case *ListDeadLetterSourceQueuesInput:
		return &v.QueueURL
	case *ListQueueTagsInput:
		return &v.QueueURL
	case *PurgeQueueInput:
		return &v.QueueURL
	case *ReceiveMessageInput:
		return &v.QueueURL
	case *RemovePermissionInput:
		return &v.QueueURL
	case *SendMessageInput:
		return &v.QueueURL
	case *SendMessageBatchInput:
		return &v.QueueURL
	case *SetQueueAttributesInput:
		return &v.QueueURL
	case *TagQueueInput:
		return &v.QueueURL
	case *UntagQueueInput:
		return &v.QueueURL
	}
	return nil
}
