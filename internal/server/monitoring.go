package server

import (
	"strconv"
	"sync"

	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/monitoring"
)

// monitorHub is a server's CloudWatch service and the buffers of the metrics other
// services publish.
type monitorHub struct {
	svc *monitoring.Service
	// lambda buffers Lambda invocations between flushes: a warm invoke only appends here.
	mu     sync.Mutex
	lambda []lambda.InvocationMetric
}

// newMonitoring builds CloudWatch metrics on the store, before the services that publish
// to it; published metrics are flushed every second until it stops.
func (s *Server) newMonitoring() service {
	h := &monitorHub{svc: monitoring.New(monitoring.Deps{Store: s.db, Clock: s.clock, Logger: s.logger.With("service", "monitoring")})}
	h.svc.AddSource(h.drainLambda)
	s.monitor = h
	return service{
		entry: edgeService(monitoring.Info, h.svc),
		start: h.svc.Start,
		stop:  h.svc.Stop,
		reset: h.svc.Reset,
	}
}

// lambdaInvoked is Lambda's Deps.Invoked: it buffers the invocation for the next flush.
func (s *Server) lambdaInvoked(m lambda.InvocationMetric) {
	h := s.monitor
	h.mu.Lock()
	h.lambda = append(h.lambda, m)
	h.mu.Unlock()
}

// drainLambda turns the buffered invocations into AWS/Lambda samples: Invocations, Errors
// and Duration (milliseconds) for invocations that ran, Throttles for those that did not,
// each across all functions, by FunctionName, by FunctionName and Resource (the qualified
// name) when a version or alias was invoked, and by ExecutedVersion too for an alias.
func (h *monitorHub) drainLambda() []monitoring.Sample {
	h.mu.Lock()
	ms := h.lambda
	h.lambda = nil
	h.mu.Unlock()
	var out []monitoring.Sample
	for i := range ms {
		m := &ms[i]
		dimSets := []map[string]string{{}, {"FunctionName": m.Function}}
		if m.Qualifier != "" && m.Qualifier != "$LATEST" {
			resource := m.Function + ":" + m.Qualifier
			dimSets = append(dimSets, map[string]string{"FunctionName": m.Function, "Resource": resource})
			if _, err := strconv.Atoi(m.Qualifier); err != nil && m.ExecutedVersion != "" {
				dimSets = append(dimSets, map[string]string{"FunctionName": m.Function, "Resource": resource, "ExecutedVersion": m.ExecutedVersion})
			}
		}
		add := func(metric, unit string, v float64) {
			for _, d := range dimSets {
				out = append(out, monitoring.Sample{Account: m.Account, Region: m.Region, Namespace: "AWS/Lambda",
					Metric: metric, Unit: unit, Dims: d, Value: v, At: m.At})
			}
		}
		if m.Throttled {
			add("Throttles", "Count", 1)
			continue
		}
		add("Invocations", "Count", 1)
		errs := 0.0
		if m.Error {
			errs = 1
		}
		add("Errors", "Count", errs)
		add("Duration", "Milliseconds", float64(m.Duration.Microseconds())/1000)
	}
	return out
}
