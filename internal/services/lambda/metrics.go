package lambda

import (
	"errors"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// InvocationMetric is one invocation's outcome, as the AWS/Lambda metrics (Invocations,
// Errors, Throttles, Duration) count it.
type InvocationMetric struct {
	Account, Region, Function string
	// Qualifier is the version or alias invoked, "" for the unqualified function;
	// ExecutedVersion is the version that ran.
	Qualifier, ExecutedVersion string
	At                         time.Time
	Duration                   time.Duration
	// Error: the function failed; Throttled: it did not run.
	Error, Throttled bool
}

// recordInvocation hands an invocation's outcome to Deps.Invoked. Failures other than a
// function error or a throttle (a function that cannot start) are not counted.
func (s *Service) recordInvocation(call *protocol.Call, function, qualifier string, res *lambdart.InvokeResult, err error) {
	if s.invoked == nil {
		return
	}
	m := InvocationMetric{Account: call.Account, Region: call.Region, Function: function, Qualifier: qualifier, At: s.clock.Now()}
	switch {
	case errors.Is(err, lambdart.ErrThrottled):
		m.Throttled = true
	case err != nil || res == nil:
		return
	default:
		m.ExecutedVersion, m.Duration, m.Error = res.ExecutedVersion, res.Duration, res.FunctionError != ""
	}
	s.invoked(m)
}
