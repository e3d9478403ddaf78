package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/logs"
)

// newLambda builds the Lambda service. Its runtime is built on first use, once the server
// listens, so that functions get the server's endpoint as AWS_ENDPOINT_URL; function logs
// go to CloudWatch Logs in-process; Event invocations are durable delivery jobs.
func (s *Server) newLambda(lg *logs.Service) (service, *lambda.Service) {
	var tmp string
	l := lambda.New(lambda.Deps{
		Store:      s.db,
		Clock:      s.clock,
		Logger:     s.logger.With("service", "lambda"),
		Dispatcher: s.delivery,
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
	return service{entry: edgeService(lambda.Info, l), stop: stop, reset: l.Reset}, l
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

// lambdaRoutes serves the deployment packages GetFunction's Code.Location points to:
// GET /_overcast/lambda/code/<account>/<region>/<function>/<version>.zip.
func (s *Server) lambdaRoutes(mux *http.ServeMux) {
	for _, svc := range s.services {
		l, ok := svc.entry.API.(*lambda.Service)
		if !ok {
			continue
		}
		mux.HandleFunc("GET /_overcast/lambda/code/{account}/{region}/{function}/{version}", func(w http.ResponseWriter, r *http.Request) {
			version, ok := strings.CutSuffix(r.PathValue("version"), ".zip")
			if !ok {
				http.NotFound(w, r)
				return
			}
			zip, err := l.CodeZip(r.Context(), r.PathValue("account"), r.PathValue("region"), r.PathValue("function"), version)
			var pe *protocol.Error
			switch {
			case errors.As(err, &pe):
				http.Error(w, pe.Message, http.StatusNotFound)
				return
			case err != nil:
				http.Error(w, "could not read the function's code", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/zip")
			_, _ = w.Write(zip)
		})
	}
}
