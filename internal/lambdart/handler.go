package lambdart

import (
	"fmt"
	"strings"
)

// Handler is a handler string taken apart the way the function's runtime takes it apart.
type Handler struct {
	// Module is what the runtime loads: for Python the import path ("pkg.sub.app"); for
	// Node.js the module's path relative to the task root, without extension
	// ("dir/sub/file"); empty for provided runtimes.
	Module string
	// Function is the handler inside the module: a Python attribute ("lambda_handler") or a
	// Node.js property path ("handlers.main"). For provided runtimes it is the whole string.
	Function string
}

// HandlerError is a handler string the runtime would refuse before loading any code. Type
// and Message are what the runtime reports for it, e.g. "Runtime.MalformedHandlerName".
type HandlerError struct {
	Type    string
	Message string
}

func (e *HandlerError) Error() string { return e.Type + ": " + e.Message }

// ParseHandler parses a handler string as the given runtime's bootstrap will. The control
// plane may use it to explain a handler early; invoking a function with a bad handler
// fails the same way, with the same error type and message, from the runtime itself.
func ParseHandler(runtime, handler string) (Handler, error) {
	rt, ok := LookupRuntime(runtime)
	if !ok {
		return Handler{}, fmt.Errorf("%w: %q", ErrUnsupportedRuntime, runtime)
	}
	switch rt.Family {
	case FamilyPython:
		i := strings.LastIndexByte(handler, '.')
		if i < 0 {
			return Handler{}, &HandlerError{Type: "Runtime.MalformedHandlerName",
				Message: fmt.Sprintf("Bad handler '%s': not enough values to unpack (expected 2, got 1)", handler)}
		}
		return Handler{Module: strings.ReplaceAll(handler[:i], "/", "."), Function: handler[i+1:]}, nil
	case FamilyNode:
		if strings.Contains(handler, "..") {
			return Handler{}, &HandlerError{Type: "Runtime.MalformedHandlerName",
				Message: fmt.Sprintf("'%s' is not a valid handler name. Use absolute paths when specifying root directories in handler names.", handler)}
		}
		base := nodeBasename(handler)
		root := handler[:strings.Index(handler, base)]
		dot := strings.IndexByte(base, '.')
		if dot < 0 {
			return Handler{}, &HandlerError{Type: "Runtime.MalformedHandlerName", Message: "Bad handler"}
		}
		return Handler{Module: root + base[:dot], Function: base[dot+1:]}, nil
	default:
		return Handler{Function: handler}, nil
	}
}

// nodeBasename is Node.js's path.posix.basename: the last element, trailing slashes
// ignored, "" for a path of only slashes.
func nodeBasename(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
