package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/logs"
	"github.com/overcast/overcast/internal/services/s3"
	"github.com/overcast/overcast/internal/services/sqs"
)

// newLambda builds the Lambda service. Its runtime is built on first use, once the server
// listens, so that functions get the server's endpoint as AWS_ENDPOINT_URL; function logs
// go to CloudWatch Logs in-process; Event invocations are durable delivery jobs; event
// source mappings poll SQS in-process.
func (s *Server) newLambda(lg *logs.Service, q *sqs.Service, objects *s3.Service) (service, *lambda.Service) {
	var tmp string
	l := lambda.New(lambda.Deps{
		Store:      s.db,
		Clock:      s.clock,
		Logger:     s.logger.With("service", "lambda"),
		Dispatcher: s.delivery,
		Queues:     lambdaQueues{q},
		Targets:    s.lambdaTargets(q),
		Objects:    objects.GetObjectBytes,
		Invoked:    s.lambdaInvoked,
		NewRuntime: func() (*lambdart.Manager, error) {
			dir := filepath.Join(s.cfg.DataDir, "lambda")
			if s.cfg.Ephemeral {
				var err error
				if tmp, err = os.MkdirTemp("", "overcast-lambda-"); err != nil {
					return nil, err
				}
				dir = tmp
			}
			return lambdart.New(lambdart.Config{
				DataDir:  dir,
				Clock:    s.clock,
				Logger:   s.logger.With("component", "lambdart"),
				LogSink:  lambdaLogs(lg),
				Endpoint: s.Endpoint(),
			})
		},
	})
	stop := func() {
		l.Stop()
		if tmp != "" {
			_ = os.RemoveAll(tmp)
		}
	}
	return service{entry: edgeService(lambda.Info, l), start: l.Start, stop: stop, reset: l.Reset}, l
}

// lambdaInvoker adapts Lambda's in-process asynchronous invoke to SNS's FunctionInvoker.
type lambdaInvoker struct{ l *lambda.Service }

// InvokeAsync queues an Event invocation of functionARN with payload.
func (a lambdaInvoker) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	return a.l.InvokeEvent(ctx, functionARN, payload)
}

// lambdaLogs sends function logs to CloudWatch Logs.
func lambdaLogs(lg *logs.Service) lambdart.LogSink {
	return lambdart.LogSinkFunc(func(stream lambdart.LogStream, events []lambdart.LogEvent) {
		evs := make([]logs.Event, len(events))
		for i, e := range events {
			evs[i] = logs.Event{Time: e.Time, Message: e.Message}
		}
		// Logs are best effort, as in AWS: a function's invocation never fails on them.
		_ = lg.Emit(context.Background(), stream.AccountID, stream.Region, stream.Group, stream.Name, evs)
	})
}

// lambdaRoutes serves Lambda's function URLs by path and the zips its APIs point to:
// GetFunction's Code.Location, GET /_overcast/lambda/code/<account>/<region>/<function>/<version>.zip,
// and GetLayerVersion's Content.Location, GET /_overcast/lambda/layer/<account>/<region>/<layer>/<version>.zip.
func (s *Server) lambdaRoutes(mux *http.ServeMux) {
	for _, svc := range s.services {
		l, ok := svc.entry.API.(*lambda.Service)
		if !ok {
			continue
		}
		s.functionURLPathRoute(mux, l)
		mux.HandleFunc("GET /_overcast/lambda/code/{account}/{region}/{function}/{version}", zipRoute("function's code",
			func(r *http.Request, version string) ([]byte, error) {
				return l.CodeZip(r.Context(), r.PathValue("account"), r.PathValue("region"), r.PathValue("function"), version)
			}))
		mux.HandleFunc("GET /_overcast/lambda/layer/{account}/{region}/{layer}/{version}", zipRoute("layer's content",
			func(r *http.Request, version string) ([]byte, error) {
				n, err := strconv.ParseInt(version, 10, 64)
				if err != nil || n <= 0 {
					return nil, protocol.NewError("ResourceNotFoundException", http.StatusNotFound, "no such layer version")
				}
				return l.LayerZip(r.Context(), r.PathValue("account"), r.PathValue("region"), r.PathValue("layer"), n)
			}))
	}
}

// zipRoute serves the zip read returns for the {version} path value, which ends in .zip.
// A *protocol.Error from read is a 404; what is reads in the other errors' message.
func zipRoute(what string, read func(r *http.Request, version string) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		version, ok := strings.CutSuffix(r.PathValue("version"), ".zip")
		if !ok {
			http.NotFound(w, r)
			return
		}
		zip, err := read(r, version)
		var pe *protocol.Error
		switch {
		case errors.As(err, &pe):
			http.Error(w, pe.Message, http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, "could not read the "+what, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write(zip)
	}
}

// lambdaQueues adapts SQS's in-process API to the queue client of Lambda's event source
// mappings.
type lambdaQueues struct{ q *sqs.Service }

var _ lambda.QueueClient = lambdaQueues{}

// queueError turns SQS's QueueDoesNotExist into lambda.ErrQueueNotFound.
func queueError(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == sqs.ErrCodeQueueDoesNotExist {
		return lambda.ErrQueueNotFound
	}
	return err
}

// Queue describes the queue arn names.
func (a lambdaQueues) Queue(ctx context.Context, arn string) (*lambda.Queue, error) {
	info, err := a.q.QueueByARN(ctx, arn)
	if err != nil {
		return nil, queueError(err)
	}
	return &lambda.Queue{FIFO: info.FIFO, VisibilityTimeout: info.VisibilityTimeout}, nil
}

// Receive receives up to max messages with all their attributes.
func (a lambdaQueues) Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]*lambda.QueueMessage, error) {
	n, w := int32(max), int32(wait/time.Second)
	out, err := a.q.ReceiveFromARN(ctx, arn, &sqs.ReceiveMessageInput{
		MaxNumberOfMessages:         &n,
		WaitTimeSeconds:             &w,
		MessageSystemAttributeNames: []string{"All"},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return nil, queueError(err)
	}
	msgs := make([]*lambda.QueueMessage, len(out.Messages))
	for i, m := range out.Messages {
		lm := &lambda.QueueMessage{
			MessageID: strOf(m.MessageID), ReceiptHandle: strOf(m.ReceiptHandle),
			Body: strOf(m.Body), MD5OfBody: strOf(m.MD5OfBody), MD5OfMessageAttributes: strOf(m.MD5OfMessageAttributes),
			Attributes: m.Attributes,
		}
		if len(m.MessageAttributes) > 0 {
			lm.MessageAttributes = make(map[string]lambda.QueueMessageAttribute, len(m.MessageAttributes))
			for k, v := range m.MessageAttributes {
				lm.MessageAttributes[k] = lambda.QueueMessageAttribute{DataType: strOf(v.DataType), StringValue: v.StringValue, BinaryValue: v.BinaryValue}
			}
		}
		msgs[i] = lm
	}
	return msgs, nil
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Delete deletes received messages.
func (a lambdaQueues) Delete(ctx context.Context, arn string, receiptHandles []string) error {
	return queueError(a.q.DeleteFromARN(ctx, arn, receiptHandles))
}

// ChangeVisibility changes a received message's visibility timeout.
func (a lambdaQueues) ChangeVisibility(ctx context.Context, arn, receiptHandle string, seconds int) error {
	return queueError(a.q.ChangeVisibilityFromARN(ctx, arn, receiptHandle, seconds))
}
