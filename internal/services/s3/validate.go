package s3

import (
	"net/http"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// validationError answers model violations as S3 does: S3 has no ValidationException, it
// names the argument at fault.
func validationError(_ *protocol.Operation, vs []protocol.Violation) *protocol.Error {
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
	case v.Path == "StorageClass" && v.Kind == protocol.BadEnum:
		return &protocol.Error{Code: codeInvalidStorageClass, Message: "The storage class you specified is not valid",
			Status: http.StatusBadRequest, Fields: map[string]any{"StorageClassRequested": v.Value}}
	}
	return errInvalidArgument("Invalid argument.", v.Path, v.Value)
}
