package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/events"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/s3"
	"github.com/overcast/overcast/internal/services/sns"
	"github.com/overcast/overcast/internal/services/sqs"
)

// s3Notifier adapts SQS, SNS, Lambda and EventBridge to S3's event notifications. SNS,
// Lambda and EventBridge are built after S3, so they are looked up among the server's
// services when used: configurations and deliveries come only once every service exists.
type s3Notifier struct {
	s *Server
	q *sqs.Service
}

var _ s3.Notifier = s3Notifier{}

// callOfARN is the call of the account and region an ARN names.
func callOfARN(ctx context.Context, arn string) (context.Context, []string, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 6 {
		return nil, nil, fmt.Errorf("bad ARN %q", arn)
	}
	call := &protocol.Call{Account: parts[4], Region: parts[3], Scheme: "http", Host: "localhost",
		RequestID: protocol.CallFrom(ctx).RequestID}
	return protocol.WithCall(ctx, call), parts, nil
}

// DestinationExists reports whether the queue, topic or function arn names exists: a
// client error (not found, bad name) means it does not.
func (n s3Notifier) DestinationExists(ctx context.Context, arn string) (bool, error) {
	cctx, parts, err := callOfARN(ctx, arn)
	if err != nil {
		return false, nil
	}
	switch parts[2] {
	case "sqs":
		_, err = n.q.QueueByARN(cctx, arn)
	case "sns":
		svc, ok := serviceOf[*sns.Service](n.s.services)
		if !ok {
			return false, errors.New("sns is not running")
		}
		_, err = svc.GetTopicAttributes(cctx, &sns.GetTopicAttributesInput{TopicARN: &arn})
	case "lambda":
		svc, ok := serviceOf[*lambda.Service](n.s.services)
		if !ok {
			return false, errors.New("lambda is not running")
		}
		_, err = svc.GetFunction(cctx, &lambda.GetFunctionInput{FunctionName: &arn})
	default:
		return false, nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Status != 0 && pe.Status < http.StatusInternalServerError {
		return false, nil
	}
	if errors.As(err, &pe) && pe.Status == 0 && pe.Fault != protocol.FaultReceiver {
		return false, nil
	}
	return err == nil, err
}

// SendToQueue sends body to the queue of queueARN through sqs.Service.SendLazy: the
// delivery job's completion, written after it, keeps it from being lost.
func (n s3Notifier) SendToQueue(ctx context.Context, queueARN, body string) error {
	return n.q.SendLazy(ctx, queueARN, &sqs.SendMessageInput{MessageBody: &body})
}

// PublishToTopic publishes message with subject to the topic of topicARN.
func (n s3Notifier) PublishToTopic(ctx context.Context, topicARN, subject, message string) error {
	svc, ok := serviceOf[*sns.Service](n.s.services)
	if !ok {
		return errors.New("sns is not running")
	}
	cctx, _, err := callOfARN(ctx, topicARN)
	if err != nil {
		return err
	}
	_, err = svc.Publish(cctx, &sns.PublishInput{TopicARN: &topicARN, Subject: &subject, Message: &message})
	return err
}

// InvokeFunction invokes the function asynchronously, as S3 does.
func (n s3Notifier) InvokeFunction(ctx context.Context, functionARN string, payload []byte) error {
	svc, ok := serviceOf[*lambda.Service](n.s.services)
	if !ok {
		return errors.New("lambda is not running")
	}
	return svc.InvokeEvent(ctx, functionARN, payload)
}

// PutEvent puts an aws.s3 event on the default bus of account and region.
func (n s3Notifier) PutEvent(ctx context.Context, account, region, detailType string, resources []string, detail json.RawMessage) error {
	svc, ok := serviceOf[*events.Service](n.s.services)
	if !ok {
		return errors.New("eventbridge is not running")
	}
	return svc.PutSystemEvent(ctx, account, region, "aws.s3", detailType, resources, detail)
}
