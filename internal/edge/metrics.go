package edge

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// durationBuckets are the upper bounds, in seconds, of the request duration histogram.
// They span a cached lookup (sub-millisecond) to a full 20-second long poll.
var durationBuckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

var bucketBounds = func() (b [len(durationBuckets)]time.Duration) {
	for i, s := range durationBuckets {
		b[i] = time.Duration(s * float64(time.Second))
	}
	return b
}()

// meter counts the requests of one operation (or of the unroutable requests of one
// service). Its counters are allocated on the first request, since most of the thousands
// of modeled operations are never called.
type meter struct {
	service   string
	operation string
	stats     atomic.Pointer[opStats]
}

type opStats struct {
	// codes counts responses by HTTP status (index = status; out-of-range statuses are
	// counted at 0 and shown as "other").
	codes [600]atomic.Uint64
	// buckets counts durations per bucket, not cumulated; the last is +Inf.
	buckets  [len(durationBuckets) + 1]atomic.Uint64
	sumNanos atomic.Uint64
}

// observe records one response.
func (m *meter) observe(status int, d time.Duration) {
	s := m.stats.Load()
	if s == nil {
		s = new(opStats)
		if !m.stats.CompareAndSwap(nil, s) {
			s = m.stats.Load()
		}
	}
	if status < 100 || status >= len(s.codes) {
		status = 0
	}
	s.codes[status].Add(1)
	i := 0
	for i < len(bucketBounds) && d > bucketBounds[i] {
		i++
	}
	s.buckets[i].Add(1)
	if d > 0 {
		s.sumNanos.Add(uint64(d))
	}
}

// serveMetrics writes the Prometheus text exposition format (version 0.0.4) of every
// operation that has answered at least one request.
func (e *Edge) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(e.appendMetrics(nil))
}

func (e *Edge) appendMetrics(b []byte) []byte {
	b = append(b, "# HELP overcast_requests_total API requests answered, by service, operation and HTTP status.\n"...)
	b = append(b, "# TYPE overcast_requests_total counter\n"...)
	for _, m := range e.meters {
		s := m.stats.Load()
		if s == nil {
			continue
		}
		for code := range s.codes {
			n := s.codes[code].Load()
			if n == 0 {
				continue
			}
			b = append(b, "overcast_requests_total"...)
			b = m.appendLabels(b)
			b = append(b, `,code="`...)
			if code == 0 {
				b = append(b, "other"...)
			} else {
				b = strconv.AppendInt(b, int64(code), 10)
			}
			b = append(b, "\"} "...)
			b = strconv.AppendUint(b, n, 10)
			b = append(b, '\n')
		}
	}
	b = append(b, "# HELP overcast_request_duration_seconds Time from request to response, by service and operation.\n"...)
	b = append(b, "# TYPE overcast_request_duration_seconds histogram\n"...)
	for _, m := range e.meters {
		s := m.stats.Load()
		if s == nil {
			continue
		}
		var cum uint64
		for i := range s.buckets {
			cum += s.buckets[i].Load()
			b = append(b, "overcast_request_duration_seconds_bucket"...)
			b = m.appendLabels(b)
			b = append(b, `,le="`...)
			if i < len(durationBuckets) {
				b = strconv.AppendFloat(b, durationBuckets[i], 'g', -1, 64)
			} else {
				b = append(b, "+Inf"...)
			}
			b = append(b, "\"} "...)
			b = strconv.AppendUint(b, cum, 10)
			b = append(b, '\n')
		}
		b = append(b, "overcast_request_duration_seconds_sum"...)
		b = m.appendLabels(b)
		b = append(b, "} "...)
		b = strconv.AppendFloat(b, float64(s.sumNanos.Load())/1e9, 'g', -1, 64)
		b = append(b, '\n')
		b = append(b, "overcast_request_duration_seconds_count"...)
		b = m.appendLabels(b)
		b = append(b, "} "...)
		b = strconv.AppendUint(b, cum, 10)
		b = append(b, '\n')
	}
	return b
}

// appendLabels writes `{service="sqs",operation="SendMessage"` (without the closing brace).
func (m *meter) appendLabels(b []byte) []byte {
	b = append(b, `{service="`...)
	b = appendLabelValue(b, m.service)
	b = append(b, `",operation="`...)
	b = appendLabelValue(b, m.operation)
	return append(b, '"')
}

// appendLabelValue escapes a label value as the exposition format requires.
func appendLabelValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
