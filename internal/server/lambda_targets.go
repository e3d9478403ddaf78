package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/events"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/sns"
	"github.com/overcast/overcast/internal/services/sqs"
)

// lambdaTargets adapts SQS, SNS and EventBridge to the destinations of Lambda's
// asynchronous invocations (dead-letter queues and invocation records). SNS and
// EventBridge are built after Lambda, so they are looked up among the server's services
// when a record is handed on: deliveries start only once every service exists.
func (s *Server) lambdaTargets(q *sqs.Service) lambda.Targets {
	return lambda.Targets{
		SendToSQS: func(ctx context.Context, queueARN, body string, attrs []lambda.MessageAttribute) error {
			in := &sqs.SendMessageInput{MessageBody: &body}
			if len(attrs) > 0 {
				in.MessageAttributes = make(map[string]*sqs.MessageAttributeValue, len(attrs))
				for _, a := range attrs {
					in.MessageAttributes[a.Name] = &sqs.MessageAttributeValue{DataType: ptrTo(a.DataType), StringValue: ptrTo(a.Value)}
				}
			}
			return q.SendLazy(ctx, queueARN, in)
		},
		PublishToSNS: func(ctx context.Context, topicARN, message string, attrs []lambda.MessageAttribute) error {
			svc, ok := serviceOf[*sns.Service](s.services)
			if !ok {
				return errors.New("sns is not running")
			}
			parts := strings.SplitN(topicARN, ":", 6)
			if len(parts) < 6 {
				return fmt.Errorf("bad topic ARN %q", topicARN)
			}
			in := &sns.PublishInput{TopicARN: &topicARN, Message: &message}
			if len(attrs) > 0 {
				in.MessageAttributes = make(map[string]*sns.MessageAttributeValue, len(attrs))
				for _, a := range attrs {
					in.MessageAttributes[a.Name] = &sns.MessageAttributeValue{DataType: ptrTo(a.DataType), StringValue: ptrTo(a.Value)}
				}
			}
			call := &protocol.Call{Account: parts[4], Region: parts[3], Scheme: "http", Host: "localhost"}
			_, err := svc.Publish(protocol.WithCall(ctx, call), in)
			return err
		},
		PutEvent: func(ctx context.Context, busARN, source, detailType, detail string, resources []string) error {
			svc, ok := serviceOf[*events.Service](s.services)
			if !ok {
				return errors.New("eventbridge is not running")
			}
			return svc.PutEventToBus(ctx, busARN, source, detailType, detail, resources)
		},
	}
}

// serviceOf finds the service of type T among svcs.
func serviceOf[T any](svcs []service) (T, bool) {
	for _, svc := range svcs {
		if t, ok := svc.entry.API.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
