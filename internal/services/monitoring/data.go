package monitoring

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// AWS's GetMetricData limits.
const (
	maxMetricDataQueries = 500
	defaultMaxDatapoints = 100800
)

// queryIDPattern is what a MetricDataQuery Id must look like.
var queryIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// basicStats are the statistics every metric has.
var basicStats = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}

// errQueryValidation answers ValidationError (400), the code GetMetricData gives a bad
// query.
func errQueryValidation(format string, args ...any) *protocol.Error {
	return protocol.NewError("ValidationError", http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// series is one query's answer before paging.
type series struct {
	q        *MetricDataQuery
	label    string
	times    []time.Time
	values   []float64
	messages []*MessageData
}

// GetMetricData answers MetricStat queries. Metric math expressions are refused by name.
func (s *Service) GetMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	account, region := callOf(ctx)
	if len(in.MetricDataQueries) > maxMetricDataQueries {
		return nil, errInvalidValue("The collection MetricDataQueries must not have a size greater than %d.", maxMetricDataQueries)
	}
	if !in.StartTime.Before(*in.EndTime) {
		return nil, errQueryValidation("The parameter StartTime must be less than the parameter EndTime.")
	}
	ids := map[string]bool{}
	for i, q := range in.MetricDataQueries {
		name := fmt.Sprintf("MetricDataQueries.member.%d", i+1)
		switch {
		case !queryIDPattern.MatchString(*q.ID):
			return nil, errQueryValidation("Invalid metric data query id %q in %s.Id: it must start with a lowercase letter and hold only letters, digits and underscores.", *q.ID, name)
		case ids[*q.ID]:
			return nil, errQueryValidation("The values for parameter id in MetricDataQueries are not unique.")
		case q.Expression != nil && q.MetricStat != nil:
			return nil, errQueryValidation("The parameters %[1]s.Expression and %[1]s.MetricStat are mutually exclusive and you have specified both.", name)
		case q.Expression == nil && q.MetricStat == nil:
			return nil, errQueryValidation("The parameter %[1]s.Expression or %[1]s.MetricStat must be specified.", name)
		case q.Expression != nil:
			return nil, errQueryValidation("Metric math expressions are not supported: %s.Expression %q.", name, *q.Expression)
		case q.Period != nil:
			return nil, errQueryValidation("The parameters %[1]s.Period and %[1]s.MetricStat are mutually exclusive and you have specified both.", name)
		}
		ids[*q.ID] = true
		st := *q.MetricStat.Stat
		if !basicStats[st] && !percentilePattern.MatchString(st) {
			return nil, errQueryValidation("The statistic %s of %s.MetricStat.Stat is not supported: use SampleCount, Average, Sum, Minimum, Maximum or a percentile pNN.", st, name)
		}
		if err := checkPeriod(int64(*q.MetricStat.Period)); err != nil {
			return nil, err
		}
	}
	offset, err := offsetOf(in.NextToken)
	if err != nil {
		return nil, err
	}
	maxPoints := defaultMaxDatapoints
	if in.MaxDatapoints != nil && *in.MaxDatapoints > 0 {
		maxPoints = int(*in.MaxDatapoints)
	}
	descending := in.ScanBy == nil || *in.ScanBy == "TimestampDescending"

	labels := defaultLabels(in.MetricDataQueries)
	var all []*series
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		sr, err := s.runMetricStat(ctx, account, region, q, *in.StartTime, *in.EndTime)
		if err != nil {
			return nil, err
		}
		if q.Label == nil {
			sr.label = labels[q]
		}
		if descending {
			for i, j := 0, len(sr.times)-1; i < j; i, j = i+1, j-1 {
				sr.times[i], sr.times[j] = sr.times[j], sr.times[i]
				sr.values[i], sr.values[j] = sr.values[j], sr.values[i]
			}
		}
		all = append(all, sr)
	}

	// A page holds up to maxPoints datapoints of the queries' answers taken in order; the
	// token is how many were handed out before.
	out := &GetMetricDataOutput{MetricDataResults: []*MetricDataResult{}, Messages: []*MessageData{}}
	pos, budget := 0, maxPoints
	for _, sr := range all {
		n := len(sr.times)
		from := min(max(offset-pos, 0), n)
		to := min(from+budget, n)
		budget -= to - from
		pos += n
		status := "Complete"
		if to < n {
			status = "PartialData"
		}
		res := &MetricDataResult{ID: sr.q.ID, Label: &sr.label, Timestamps: sr.times[from:to], Values: sr.values[from:to],
			StatusCode: &status, Messages: sr.messages}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	if next := offset + maxPoints; next < pos {
		tok := encodeToken(next)
		out.NextToken = &tok
	}
	return out, nil
}

// runMetricStat answers one MetricStat query over [start, end), in time order.
func (s *Service) runMetricStat(ctx context.Context, account, region string, q *MetricDataQuery, start, end time.Time) (*series, error) {
	ms := q.MetricStat
	period := int64(*ms.Period)
	from := alignStart(start, period)
	p := &store.MonitoringQueryParams{Account: account, Region: region, Namespace: deref(ms.Metric.Namespace),
		Metric: deref(ms.Metric.MetricName), Dims: canonicalDims(ms.Metric.Dimensions), Start: from, End: end.UnixMilli()}
	if ms.Unit != nil {
		p.Unit = *ms.Unit
	}
	data, err := s.db.MonitoringQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	sr := &series{q: q, label: p.Metric, times: []time.Time{}, values: []float64{}}
	if q.Label != nil {
		sr.label = *q.Label
	}
	st := *ms.Stat
	units := map[string]bool{}
	for _, d := range data {
		units[d.Unit] = true
	}
	if len(units) > 1 {
		// AWS aggregates the data of every unit and says so.
		names := make([]string, 0, len(units))
		for u := range units {
			names = append(names, u)
		}
		sort.Strings(names)
		sr.messages = []*MessageData{{Code: aws("MultipleUnits"), Value: aws("Multiple units returned: '[" + strings.Join(names, ", ") + "]'")}}
	}
	for _, b := range aggregate(data, from, period, false) {
		v := 0.0
		if basicStats[st] {
			v = b.stat(st)
		} else {
			var ok bool
			if v, ok = b.percentile(st); !ok {
				continue
			}
		}
		sr.times = append(sr.times, time.UnixMilli(b.start).UTC())
		sr.values = append(sr.values, v)
	}
	return sr, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// defaultLabels names the results of queries without a Label as AWS does: the metric name,
// followed by the statistic when queries of the same metric differ in statistic and by the
// period when they differ in period ("metric1 Sum 60", "metric1 Minimum 30").
func defaultLabels(qs []*MetricDataQuery) map[*MetricDataQuery]string {
	type group struct{ stats, periods map[string]bool }
	key := func(m *Metric) string {
		return deref(m.Namespace) + "\x00" + deref(m.MetricName) + "\x00" + canonicalDims(m.Dimensions)
	}
	groups := map[string]*group{}
	for _, q := range qs {
		if q.MetricStat == nil {
			continue
		}
		k := key(q.MetricStat.Metric)
		g := groups[k]
		if g == nil {
			g = &group{stats: map[string]bool{}, periods: map[string]bool{}}
			groups[k] = g
		}
		g.stats[*q.MetricStat.Stat] = true
		g.periods[strconv.Itoa(int(*q.MetricStat.Period))] = true
	}
	out := make(map[*MetricDataQuery]string, len(qs))
	for _, q := range qs {
		if q.MetricStat == nil {
			continue
		}
		ms := q.MetricStat
		g := groups[key(ms.Metric)]
		label := deref(ms.Metric.MetricName)
		if len(g.stats) > 1 {
			label += " " + *ms.Stat
		}
		if len(g.periods) > 1 {
			label += " " + strconv.Itoa(int(*ms.Period))
		}
		out[q] = label
	}
	return out
}
