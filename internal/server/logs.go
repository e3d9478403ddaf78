package server

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/logs"
)

// logsFunctions adapts Lambda to the function invoker of CloudWatch Logs' subscription
// filters. CloudWatch Logs is built before Lambda (Lambda writes its functions' logs
// there), so the Lambda service is bound once it exists.
type logsFunctions struct{ l *lambda.Service }

var _ logs.FunctionInvoker = (*logsFunctions)(nil)

// FunctionExists reports whether the function functionARN names exists, asking Lambda
// as the function's account and region.
func (a *logsFunctions) FunctionExists(ctx context.Context, functionARN string) (bool, error) {
	if a.l == nil {
		return false, nil
	}
	parts := strings.Split(functionARN, ":")
	if len(parts) < 7 {
		return false, nil
	}
	ctx = protocol.WithCall(ctx, &protocol.Call{Account: parts[4], Region: parts[3], RequestID: protocol.CallFrom(ctx).RequestID})
	_, err := a.l.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &functionARN})
	var pe *protocol.Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &pe) && pe.Fault != protocol.FaultReceiver:
		// Not found, or not a valid function ARN: either way, nothing to invoke.
		return false, nil
	default:
		return false, err
	}
}

// InvokeAsync queues an Event invocation of functionARN with payload.
func (a *logsFunctions) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	if a.l == nil {
		return errors.New("lambda is not running")
	}
	return a.l.InvokeEvent(ctx, functionARN, payload)
}
