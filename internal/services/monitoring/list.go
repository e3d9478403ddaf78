package monitoring

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// listMetricsPage is how many metrics one ListMetrics page holds, as in AWS.
const listMetricsPage = 500

// recentlyActive is the window of RecentlyActive PT3H, its only value.
const recentlyActive = 3 * time.Hour

// ListMetrics lists the metrics with data, filtered by namespace, name and dimensions.
func (s *Service) ListMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	account, region := callOf(ctx)
	offset, err := offsetOf(in.NextToken)
	if err != nil {
		return nil, err
	}
	p := &store.MonitoringMetricListParams{Account: account, Region: region}
	if in.Namespace != nil {
		p.Namespace = *in.Namespace
	}
	if in.MetricName != nil {
		p.Metric = *in.MetricName
	}
	if in.RecentlyActive != nil {
		p.ReceivedSince = s.clock.Now().Add(-recentlyActive).UnixMilli()
	}
	all, err := s.db.MonitoringMetricList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &ListMetricsOutput{Metrics: []*Metric{}}
	matched := 0
	for _, m := range all {
		dims := parseDims(m.Dims)
		if !matchDimensionFilters(dims, in.Dimensions) {
			continue
		}
		matched++
		if matched <= offset {
			continue
		}
		if len(out.Metrics) == listMetricsPage {
			tok := encodeToken(offset + listMetricsPage)
			out.NextToken = &tok
			break
		}
		out.Metrics = append(out.Metrics, &Metric{Namespace: &m.Namespace, MetricName: &m.Metric, Dimensions: dims})
	}
	return out, nil
}

// matchDimensionFilters reports whether dims has every filter's name and, where the
// filter gives one, its value.
func matchDimensionFilters(dims []*Dimension, filters []*DimensionFilter) bool {
	for _, f := range filters {
		if f == nil || f.Name == nil {
			continue
		}
		found := false
		for _, d := range dims {
			if *d.Name == *f.Name && (f.Value == nil || *d.Value == *f.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// offsetOf returns the position a NextToken names, 0 without one.
func offsetOf(tok *string) (int, error) {
	if tok == nil {
		return 0, nil
	}
	n, ok := decodeToken(*tok)
	if !ok {
		return 0, NewInvalidNextToken("The specified NextToken is invalid.")
	}
	return n, nil
}

// encodeToken makes an opaque NextToken of a position in a listing.
func encodeToken(n int) string { return encodeTokenString("i:" + strconv.Itoa(n)) }

func decodeToken(tok string) (int, bool) {
	s, ok := decodeTokenString(tok)
	if !ok || !strings.HasPrefix(s, "i:") {
		return 0, false
	}
	n, err := strconv.Atoi(s[2:])
	return n, err == nil && n >= 0
}

// encodeTokenString and decodeTokenString wrap a listing position in an opaque token.
func encodeTokenString(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + s))
}

func decodeTokenString(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "v1:") {
		return "", false
	}
	return string(b[3:]), true
}
