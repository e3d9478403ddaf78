package lambdart

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is; the control plane maps them to the
// AWS error of the operation at hand.
var (
	// ErrInvalidFunction means a Function spec the manager cannot run (no name, no code,
	// too many layers). The control plane validates API input before it gets here.
	ErrInvalidFunction = errors.New("invalid function")
	// ErrUnsupportedRuntime means a runtime identifier Overcast does not run.
	ErrUnsupportedRuntime = errors.New("unsupported runtime")
	// ErrInvalidZip means a deployment package or layer that is not a readable zip file, or
	// that holds an entry escaping its root. AWS answers InvalidParameterValueException
	// "Could not unzip uploaded file. Please check your file, then try to upload again.".
	ErrInvalidZip = errors.New("invalid zip file")
	// ErrCodeTooLarge means a package whose unzipped size exceeds the limit; errors.As finds
	// the *CodeSizeError with the sizes. AWS answers InvalidParameterValueException
	// "Unzipped size must be smaller than 262144000 bytes".
	ErrCodeTooLarge = errors.New("unzipped code too large")
	// ErrThrottled means the invocation was refused for lack of concurrency; errors.As finds
	// the *ThrottleError with the reason.
	ErrThrottled = errors.New("throttled")
	// ErrReservationTooLarge means a reserved concurrency that would leave the account fewer
	// unreserved executions than its minimum; errors.As finds the *ReservationError.
	ErrReservationTooLarge = errors.New("reserved concurrency too large")
	// ErrStopped means the manager is stopped or stopping.
	ErrStopped = errors.New("lambda runtime manager stopped")
)

// Throttle reasons, as AWS returns them in TooManyRequestsException's Reason field.
const (
	// ReasonReservedLimit: the function's reserved concurrency is in use.
	ReasonReservedLimit = "ReservedFunctionConcurrentInvocationLimitExceeded"
	// ReasonAccountLimit: the account's unreserved concurrency is in use.
	ReasonAccountLimit = "ConcurrentInvocationLimitExceeded"
)

// ThrottleError is returned by Invoke when no concurrency is left. The control plane
// answers TooManyRequestsException (429) with Type "User", Reason and Message.
type ThrottleError struct {
	// Reason is ReasonReservedLimit or ReasonAccountLimit.
	Reason string
	// Message is AWS's message: "Rate Exceeded.".
	Message string
	// Limit is the limit that was hit.
	Limit int
}

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("throttled: %s (limit %d)", e.Reason, e.Limit)
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottleError) Is(target error) bool { return target == ErrThrottled }

// CodeSizeError is returned when an unzipped package exceeds the limit.
type CodeSizeError struct {
	// Size is the unzipped size in bytes, as far as it was counted.
	Size int64
	// Limit is the maximum in bytes.
	Limit int64
}

func (e *CodeSizeError) Error() string {
	return fmt.Sprintf("unzipped size %d exceeds %d bytes", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrCodeTooLarge) true.
func (e *CodeSizeError) Is(target error) bool { return target == ErrCodeTooLarge }

// ReservationError is returned by SetReservedConcurrency when the reservation would leave
// the account fewer than MinUnreserved unreserved executions. AWS answers
// InvalidParameterValueException "Specified ReservedConcurrentExecutions for function
// decreases account's UnreservedConcurrentExecution below its minimum value of [100]."
type ReservationError struct {
	// MinUnreserved is the minimum that must stay unreserved.
	MinUnreserved int
}

func (e *ReservationError) Error() string {
	return fmt.Sprintf("reservation leaves fewer than %d unreserved executions", e.MinUnreserved)
}

// Is makes errors.Is(err, ErrReservationTooLarge) true.
func (e *ReservationError) Is(target error) bool { return target == ErrReservationTooLarge }

// Error types of failed invocations that the runtime manager itself reports (the function
// reports its own, e.g. "Exception" or "Runtime.ImportModuleError").
const (
	// ErrorTypeTimeout: the invocation ran past the function's timeout.
	ErrorTypeTimeout = "Sandbox.Timedout"
	// ErrorTypeExit: the runtime process exited during init or an invocation.
	ErrorTypeExit = "Runtime.ExitError"
	// ErrorTypeOutOfMemory: the runtime was killed for exceeding its memory size.
	ErrorTypeOutOfMemory = "Runtime.OutOfMemory"
	// ErrorTypeInvalidEntrypoint: no bootstrap or interpreter could be started.
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	// ErrorTypeResponseTooLarge: the function's response exceeded the payload limit.
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	// ErrorTypeUnknown: the runtime failed in a way it did not report.
	ErrorTypeUnknown = "Runtime.Unknown"
)
