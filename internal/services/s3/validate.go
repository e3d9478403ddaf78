package s3

import (
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// validationError answers model violations as S3 does: S3 has no ValidationException, it
// names the argument at fault.
func validationError(op *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	// S3 takes filter rule names in any case, where the model lists only "prefix" and
	// "suffix", and answers its own errors for bad names and events (normalizeNotification).
	vs = slices.DeleteFunc(slices.Clone(vs), func(v protocol.Violation) bool {
		return v.Kind == protocol.BadEnum && strings.Contains(v.Path, "Configuration") &&
			(strings.Contains(v.Path, "FilterRule") || strings.Contains(v.Path, "Event"))
	})
	if len(vs) == 0 {
		return nil
	}
	v := vs[0]
	switch {
	case strings.HasSuffix(v.Path, "LocationConstraint"):
		return &protocol.Error{Code: codeInvalidLocationConstraint, Message: "The specified location-constraint is not valid",
			Status: http.StatusBadRequest, Fields: map[string]any{"LocationConstraint": v.Value}}
	case v.Path == "Policy" && op != nil && op.Name == "PutBucketPolicy":
		return errMalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	case v.Path == "ObjectOwnership" && v.Kind == protocol.BadEnum:
		return errInvalidOwnershipHeader(v.Value)
	case inPayload(op, v.Path):
		// A configuration body that does not follow the schema (a missing member, a value
		// out of its enum) is XML S3 cannot validate.
		return protocol.MalformedXML()
	case v.Path == "StorageClass" && v.Kind == protocol.BadEnum:
		return &protocol.Error{Code: codeInvalidStorageClass, Message: "The storage class you specified is not valid",
			Status: http.StatusBadRequest, Fields: map[string]any{"StorageClassRequested": v.Value}}
	}
	return errInvalidArgument("Invalid argument.", v.Path, v.Value)
}

// inPayload reports whether path is within the structure op takes as its XML body.
func inPayload(op *protocol.Operation, path string) bool {
	if op == nil || op.NewInput == nil {
		return false
	}
	top, _, _ := strings.Cut(path, ".")
	t := reflect.TypeOf(op.NewInput()).Elem()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("payload") == "true" && f.Tag.Get("name") == top && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			return true
		}
	}
	return false
}
