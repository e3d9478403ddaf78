package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/scheduler"
)

// sdkServiceNames maps the AWS SDK service identifiers that universal targets use
// (arn:aws:scheduler:::aws-sdk:<service>:<apiAction>) to Overcast's service packages,
// where they differ.
var sdkServiceNames = map[string]string{
	"eventbridge":             "events",
	"cloudwatchlogs":          "logs",
	"cloudwatch":              "monitoring",
	"sfn":                     "states",
	"cognitoidentityprovider": "cognitoidp",
}

// universalTargets runs the operations of Overcast's services for EventBridge Scheduler's
// universal targets, in-process: the target's Input is the operation's request as the
// JSON protocol spells it (member names), whatever protocol the service speaks on the
// wire. The services are looked up when a target is checked or run, once every service
// exists.
type universalTargets struct{ s *Server }

var _ scheduler.UniversalTargets = universalTargets{}

// find returns the service and operation service and action name.
func (u universalTargets) find(service, action string) (*service, *protocol.Operation, error) {
	pkg := service
	if p, ok := sdkServiceNames[service]; ok {
		pkg = p
	}
	for i := range u.s.services {
		svc := &u.s.services[i]
		if svc.entry.Info.Package != pkg {
			continue
		}
		for _, op := range svc.entry.Info.Operations {
			// apiAction is the operation name in camelCase.
			if strings.EqualFold(op.Name, action) && strings.ToLower(op.Name[:1]) == action[:1] {
				return svc, op, nil
			}
		}
		return nil, nil, scheduler.NewValidationException(fmt.Sprintf("Universal target aws-sdk:%s:%s names no operation of %s.", service, action, service))
	}
	return nil, nil, scheduler.NewValidationException(fmt.Sprintf("Universal target aws-sdk:%s:%s is not supported by Overcast: it does not serve %s.", service, action, service))
}

// Check implements scheduler.UniversalTargets: the operation must exist and Input be a
// JSON object. As on AWS, the request itself is checked when the schedule runs.
func (u universalTargets) Check(service, action string, input []byte) error {
	if _, _, err := u.find(service, action); err != nil {
		return err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(input, &obj); err != nil {
		return scheduler.NewValidationException(fmt.Sprintf("Input for universal target aws-sdk:%s:%s must be a JSON object.", service, action))
	}
	return nil
}

// Call implements scheduler.UniversalTargets. The request is decoded and validated as the
// edge would, then the operation runs as a call of account in region. An operation Overcast
// does not implement yet fails for good rather than being retried.
func (u universalTargets) Call(ctx context.Context, account, region, service, action string, input []byte) error {
	svc, op, err := u.find(service, action)
	if err != nil {
		return err
	}
	in := op.NewInput()
	req := &protocol.Request{Body: input, Service: svc.entry.Info, Op: op, Protocol: protocol.JSON}
	if err := protocol.CodecFor(protocol.JSON).Decode(req, in); err != nil {
		return err
	}
	if e := protocol.Validate(svc.entry.Info, op, in); e != nil {
		return e
	}
	call := &protocol.Call{
		Account: account, Region: region, RequestID: uuid.NewString(),
		Scheme: "http", Host: u.s.Addr(), Protocol: protocol.JSON,
	}
	_, err = op.Call(protocol.WithCall(ctx, call), svc.entry.API, in)
	if pe := protocol.AsError(err); pe != nil && pe.Code == "NotImplemented" {
		return delivery.Permanent(err)
	}
	return err
}
