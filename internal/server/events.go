package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/logs"
	"github.com/overcast/overcast/internal/services/sns"
	"github.com/overcast/overcast/internal/services/sqs"
)

// sendToSQS adapts SQS's in-process send (lazy: callers are delivery jobs, see
// sqs.Service.SendLazy) to the function EventBridge and Scheduler
// targets deliver through.
func sendToSQS(q *sqs.Service) func(ctx context.Context, queueARN, body, groupID, dedupID string, attrs map[string]string) error {
	return func(ctx context.Context, queueARN, body, groupID, dedupID string, attrs map[string]string) error {
		in := &sqs.SendMessageInput{MessageBody: &body}
		if groupID != "" {
			in.MessageGroupID = &groupID
		}
		if dedupID != "" {
			in.MessageDeduplicationID = &dedupID
		}
		if len(attrs) > 0 {
			in.MessageAttributes = make(map[string]*sqs.MessageAttributeValue, len(attrs))
			for k, v := range attrs {
				in.MessageAttributes[k] = &sqs.MessageAttributeValue{DataType: ptrTo("String"), StringValue: ptrTo(v)}
			}
		}
		return q.SendLazy(ctx, queueARN, in)
	}
}

// emitLogs adapts CloudWatch Logs' in-process Emit to EventBridge's log targets.
func emitLogs(lg *logs.Service) func(ctx context.Context, account, region, group, stream string, at time.Time, messages []string) error {
	return func(ctx context.Context, account, region, group, stream string, at time.Time, messages []string) error {
		evs := make([]logs.Event, len(messages))
		for i, m := range messages {
			evs[i] = logs.Event{Time: at, Message: m}
		}
		return lg.Emit(ctx, account, region, group, stream, evs)
	}
}

func ptrTo[T any](v T) *T { return &v }

// snsPublisher publishes to SNS topics for EventBridge and Scheduler targets. The SNS
// service is built after them, so it is bound once every service exists.
type snsPublisher struct{ svc *sns.Service }

func (p *snsPublisher) publish(ctx context.Context, topicARN, message, groupID, dedupID string) error {
	if p.svc == nil {
		return errors.New("sns is not running")
	}
	parts := strings.SplitN(topicARN, ":", 6)
	if len(parts) < 6 {
		return fmt.Errorf("bad topic ARN %q", topicARN)
	}
	in := &sns.PublishInput{TopicARN: &topicARN, Message: &message}
	if strings.HasSuffix(topicARN, ".fifo") {
		if groupID == "" {
			groupID = "default"
		}
		in.MessageGroupID, in.MessageDeduplicationID = &groupID, &dedupID
	}
	call := &protocol.Call{Account: parts[4], Region: parts[3], Scheme: "http", Host: "localhost"}
	_, err := p.svc.Publish(protocol.WithCall(ctx, call), in)
	return err
}

// bind finds the SNS service among svcs.
func (p *snsPublisher) bind(svcs []service) {
	for _, svc := range svcs {
		if n, ok := svc.entry.API.(*sns.Service); ok {
			p.svc = n
		}
	}
}
