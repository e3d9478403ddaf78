package monitoring

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// Sample is one value another Overcast service publishes (AWS/Lambda's Invocations, a log
// metric filter's value, ...).
type Sample struct {
	Account, Region   string
	Namespace, Metric string
	Unit              string
	Dims              map[string]string
	Value             float64
	At                time.Time
}

// flushEvery is how often published samples are written: all of one second go in one
// lazy write, so that the services publishing them (a warm Lambda invoke) never wait for
// the store.
const flushEvery = time.Second

// publisher holds the samples published since the last flush.
type publisher struct {
	mu      sync.Mutex
	pending []Sample
	sources []func() []Sample

	stop chan struct{}
	done chan struct{}
}

// Publish queues samples for the next flush. It never touches the store.
func (s *Service) Publish(samples ...Sample) {
	s.pub.mu.Lock()
	s.pub.pending = append(s.pub.pending, samples...)
	s.pub.mu.Unlock()
}

// AddSource registers drain, called at every flush for the samples a service buffered
// its own way since the last one.
func (s *Service) AddSource(drain func() []Sample) {
	s.pub.mu.Lock()
	s.pub.sources = append(s.pub.sources, drain)
	s.pub.mu.Unlock()
}

// Start runs the flush loop until Stop.
func (s *Service) Start(context.Context) error {
	s.pub.stop, s.pub.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.pub.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-s.pub.stop:
				return
			case <-t.C:
				s.flush(context.Background())
			}
		}
	}()
	return nil
}

// Stop ends the flush loop and writes what is pending.
func (s *Service) Stop() {
	if s.pub.stop != nil {
		close(s.pub.stop)
		<-s.pub.done
		s.pub.stop = nil
	}
	s.flush(context.Background())
}

// Reset drops the samples not yet written, for after the service's tables were emptied.
func (s *Service) Reset() {
	s.pub.mu.Lock()
	s.pub.pending = nil
	sources := s.pub.sources
	s.pub.mu.Unlock()
	for _, drain := range sources {
		drain()
	}
}

// flush writes the pending samples, one row per metric, unit and second.
func (s *Service) flush(ctx context.Context) {
	s.pub.mu.Lock()
	samples := s.pub.pending
	s.pub.pending = nil
	sources := s.pub.sources
	s.pub.mu.Unlock()
	for _, drain := range sources {
		samples = append(samples, drain()...)
	}
	if len(samples) == 0 {
		return
	}
	now := s.clock.Now()
	rows := aggregateSamples(samples, now.UnixMilli())
	if err := s.db.MonitoringPut(ctx, &store.MonitoringPutParams{Data: rows, Lazy: true, PurgeBefore: s.purgeBefore(now)}); err != nil {
		s.log.Warn("write published metrics", "count", len(rows), "err", err)
	}
}

// aggregateSamples folds samples into one datum per metric, unit and second.
func aggregateSamples(samples []Sample, now int64) []*store.MonitoringDatum {
	type key struct {
		account, region, namespace, metric, dims, unit string
		second                                         int64
	}
	type acc struct {
		row    *store.MonitoringDatum
		counts map[float64]float64
	}
	byKey := map[key]*acc{}
	var order []key
	for _, smp := range samples {
		if bad(smp.Value) {
			continue
		}
		unit := smp.Unit
		if unit == "" {
			unit = "None"
		}
		k := key{smp.Account, smp.Region, smp.Namespace, smp.Metric, canonicalMap(smp.Dims), unit, smp.At.Unix()}
		a := byKey[k]
		if a == nil {
			a = &acc{row: &store.MonitoringDatum{Account: k.account, Region: k.region, Namespace: k.namespace, Metric: k.metric,
				Dims: k.dims, Unit: unit, Timestamp: k.second * 1000, Min: math.Inf(1), Max: math.Inf(-1), ReceivedAt: now},
				counts: map[float64]float64{}}
			byKey[k] = a
			order = append(order, k)
		}
		r := a.row
		r.SampleCount++
		r.Sum += smp.Value
		r.Min, r.Max = math.Min(r.Min, smp.Value), math.Max(r.Max, smp.Value)
		a.counts[smp.Value]++
	}
	rows := make([]*store.MonitoringDatum, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		values := make([]float64, 0, len(a.counts))
		for v := range a.counts {
			values = append(values, v)
		}
		sort.Float64s(values)
		counts := make([]float64, len(values))
		for i, v := range values {
			counts[i] = a.counts[v]
		}
		a.row.Values = encodeValues(values, counts)
		rows = append(rows, a.row)
	}
	return rows
}
