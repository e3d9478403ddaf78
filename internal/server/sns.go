package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/logs"
	"github.com/overcast/overcast/internal/services/sns"
	"github.com/overcast/overcast/internal/services/sqs"
	"github.com/overcast/overcast/internal/store"
)

// snsQueues adapts SQS's in-process sends to SNS's QueueTxSender.
type snsQueues struct{ q *sqs.Service }

var _ sns.QueueTxSender = snsQueues{}

// SendToQueue sends m to the queue of queueARN for a delivery job, through
// sqs.Service.SendLazy: the job's completion, written after it, keeps it from being lost.
func (a snsQueues) SendToQueue(ctx context.Context, queueARN string, m *sns.QueueMessage) error {
	return a.q.SendLazy(ctx, queueARN, sqsInput(m))
}

// SendToQueuesInTx sends messages to standard queues in SNS's write, through
// sqs.Service.SendManyInTx.
func (a snsQueues) SendToQueuesInTx(ctx context.Context, tx *store.Tx, sends []sns.QueueSend) ([]error, error) {
	in := make([]sqs.InTxSend, len(sends))
	for i, s := range sends {
		in[i] = sqs.InTxSend{QueueARN: s.QueueARN, Input: sqsInput(s.Message)}
	}
	errs, err := a.q.SendManyInTx(ctx, tx, in)
	for i, e := range errs {
		if errors.Is(e, sqs.ErrNotInTx) {
			errs[i] = sns.ErrNotInTx
		}
	}
	return errs, err
}

// sqsInput is the SendMessage input that carries m.
func sqsInput(m *sns.QueueMessage) *sqs.SendMessageInput {
	in := &sqs.SendMessageInput{MessageBody: &m.Body}
	if m.GroupID != "" {
		in.MessageGroupID = &m.GroupID
	}
	if m.DedupID != "" {
		in.MessageDeduplicationID = &m.DedupID
	}
	if len(m.Attributes) > 0 {
		in.MessageAttributes = make(map[string]*sqs.MessageAttributeValue, len(m.Attributes))
		for k, v := range m.Attributes {
			av := &sqs.MessageAttributeValue{DataType: ptrTo(v.DataType)}
			if v.BinaryValue != nil {
				av.BinaryValue = v.BinaryValue
			} else {
				av.StringValue = ptrTo(v.StringValue)
			}
			in.MessageAttributes[k] = av
		}
	}
	return in
}

// snsLogs adapts CloudWatch Logs' in-process Emit to SNS's delivery status logging.
type snsLogs struct{ lg *logs.Service }

var _ sns.LogEmitter = snsLogs{}

// EmitLogs appends messages to stream of group, creating both on first use.
func (a snsLogs) EmitLogs(ctx context.Context, account, region, group, stream string, at time.Time, messages []string) error {
	return emitLogs(a.lg)(ctx, account, region, group, stream, at, messages)
}

// newSNS builds the SNS service on the shared dispatcher, delivering to SQS in-process and
// writing delivery status logs to CloudWatch Logs.
func (s *Server) newSNS(q *sqs.Service, lam *lambda.Service, lg *logs.Service) service {
	n := sns.New(sns.Deps{
		Store:      s.db,
		Clock:      s.clock,
		Logger:     s.logger.With("service", "sns"),
		Dispatcher: s.delivery,
		Queues:     snsQueues{q},
		Functions:  lambdaInvoker{lam},
		Logs:       snsLogs{lg},
		Config:     sns.Config{SMTPAddr: s.cfg.SNSSMTP},
	})
	return service{entry: edgeService(sns.Info, n), start: n.Start, stop: n.Stop, reset: n.Reset}
}

// snsRoutes adds SNS's /_overcast/sns/ routes (signing certificate, SubscribeURL,
// UnsubscribeURL, outbox) to the admin mux.
func (s *Server) snsRoutes(mux *http.ServeMux) {
	for _, svc := range s.services {
		if n, ok := svc.entry.API.(*sns.Service); ok {
			mux.Handle("/_overcast/sns/", n.Handler())
		}
	}
}
