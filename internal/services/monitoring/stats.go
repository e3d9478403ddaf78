package monitoring

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// maxStatisticsDatapoints is how many datapoints one GetMetricStatistics call may ask for.
const maxStatisticsDatapoints = 1440

// percentilePattern is an extended statistic Overcast computes: pNN or pNN.NN.
var percentilePattern = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)$`)

// GetMetricStatistics aggregates one metric's data per period.
func (s *Service) GetMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	account, region := callOf(ctx)
	// AWS's reference: "you must specify either Statistics or ExtendedStatistics, but not
	// both".
	switch {
	case len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0:
		return nil, errCombination("Must specify either Statistics or ExtendedStatistics")
	case len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0:
		return nil, errCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	}
	for i, e := range in.ExtendedStatistics {
		if !percentilePattern.MatchString(e) {
			return nil, errInvalidValue("The value %s for parameter ExtendedStatistics.member.%d is invalid.", e, i+1)
		}
	}
	period := int64(*in.Period)
	if err := checkPeriod(period); err != nil {
		return nil, err
	}
	start, end := alignStart(*in.StartTime, period), in.EndTime.UnixMilli()
	if !in.StartTime.Before(*in.EndTime) {
		return nil, errInvalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	if n := int64(math.Ceil(float64(end-start) / float64(period*1000))); n > maxStatisticsDatapoints {
		return nil, errCombination("You have requested up to %s datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", thousands(n))
	}
	p := &store.MonitoringQueryParams{Account: account, Region: region, Namespace: *in.Namespace, Metric: *in.MetricName,
		Dims: canonicalDims(in.Dimensions), Start: start, End: end}
	if in.Unit != nil {
		p.Unit = *in.Unit
	}
	data, err := s.db.MonitoringQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []*Datapoint{}}
	// Data of different units are different datapoints, as in AWS.
	for _, b := range aggregate(data, start, period, true) {
		ts := time.UnixMilli(b.start).UTC()
		unit := b.unit
		if in.Unit != nil {
			unit = *in.Unit
		}
		dp := &Datapoint{Timestamp: &ts, Unit: &unit}
		for _, st := range in.Statistics {
			v := b.stat(st)
			switch st {
			case "SampleCount":
				dp.SampleCount = &v
			case "Average":
				dp.Average = &v
			case "Sum":
				dp.Sum = &v
			case "Minimum":
				dp.Minimum = &v
			case "Maximum":
				dp.Maximum = &v
			}
		}
		for _, e := range in.ExtendedStatistics {
			if v, ok := b.percentile(e); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[e] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// checkPeriod refuses periods CloudWatch does not aggregate by: 1, 5, 10, 20, 30 (high
// resolution) or a multiple of 60 seconds.
func checkPeriod(period int64) error {
	switch {
	case period <= 0:
		return errInvalidValue("The parameter Period must be greater than 0.")
	case period < 60 && (period == 1 || period == 5 || period == 10 || period == 20 || period == 30):
		return nil
	case period%60 != 0:
		return errInvalidValue("The parameter Period must be a multiple of 60.")
	}
	return nil
}

// alignStart rounds the start time down as CloudWatch does for recent data: to the whole
// minute for periods of a minute or more, to the whole period below that. It returns unix
// milliseconds.
func alignStart(t time.Time, period int64) int64 {
	step := int64(60)
	if period < 60 {
		step = period
	}
	sec := t.Unix()
	return (sec - ((sec%step)+step)%step) * 1000
}

// thousands renders n with comma separators, as AWS's messages write counts.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// bucket is the data of one period.
type bucket struct {
	start                  int64
	count, sum, minV, maxV float64
	unit                   string
	values                 []valueCount
	// exact: every datum carried its values, so percentiles can be computed.
	exact bool
}

type valueCount struct{ v, c float64 }

// aggregate groups data (in timestamp order) into periods of period seconds from start,
// and by unit too when byUnit, and returns the groups that have data in time order.
func aggregate(data []*store.MonitoringDatum, start, period int64, byUnit bool) []*bucket {
	type key struct {
		start int64
		unit  string
	}
	var out []*bucket
	byStart := map[key]*bucket{}
	step := period * 1000
	for _, d := range data {
		k := key{start: start + (d.Timestamp-start)/step*step}
		if byUnit {
			k.unit = d.Unit
		}
		b := byStart[k]
		if b == nil {
			b = &bucket{start: k.start, minV: math.Inf(1), maxV: math.Inf(-1), unit: d.Unit, exact: true}
			byStart[k] = b
			out = append(out, b)
		}
		b.count += d.SampleCount
		b.sum += d.Sum
		b.minV, b.maxV = math.Min(b.minV, d.Min), math.Max(b.maxV, d.Max)
		if d.Values == "" {
			b.exact = false
			continue
		}
		var pairs [][2]float64
		if json.Unmarshal([]byte(d.Values), &pairs) != nil {
			b.exact = false
			continue
		}
		for _, p := range pairs {
			b.values = append(b.values, valueCount{p[0], p[1]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// stat returns one of the five basic statistics.
func (b *bucket) stat(name string) float64 {
	switch name {
	case "SampleCount":
		return b.count
	case "Sum":
		return b.sum
	case "Minimum":
		return b.minV
	case "Maximum":
		return b.maxV
	}
	if b.count == 0 {
		return 0
	}
	return b.sum / b.count
}

// percentile returns the pNN of the period's values (nearest rank), or false when a datum
// was published as a statistic set, which keeps no values.
func (b *bucket) percentile(name string) (float64, bool) {
	q, err := strconv.ParseFloat(strings.TrimPrefix(name, "p"), 64)
	if err != nil || !b.exact || len(b.values) == 0 {
		return 0, false
	}
	vs := append([]valueCount(nil), b.values...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].v < vs[j].v })
	var total float64
	for _, v := range vs {
		total += v.c
	}
	rank := math.Max(1, math.Ceil(q/100*total))
	var seen float64
	for _, v := range vs {
		seen += v.c
		if seen >= rank {
			return v.v, true
		}
	}
	return vs[len(vs)-1].v, true
}
