package monitoring

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// AWS's PutMetricData limits.
const (
	maxMetricData = 1000
	maxValues     = 150
	maxDatumAge   = 14 * 24 * time.Hour
	maxDatumLead  = 2 * time.Hour
)

// PutMetricData stores the data of one namespace.
func (s *Service) PutMetricData(ctx context.Context, in *PutMetricDataInput) (*PutMetricDataOutput, error) {
	account, region := callOf(ctx)
	// Namespaces beginning with "AWS/" are reserved for AWS services.
	if strings.HasPrefix(*in.Namespace, "AWS/") {
		return nil, errInvalidValue("The value %s for parameter Namespace is invalid.", *in.Namespace)
	}
	data := in.MetricData
	for _, e := range in.EntityMetricData {
		if e != nil {
			data = append(data, e.MetricData...)
		}
	}
	if len(data) == 0 {
		return nil, errMissing("The parameter MetricData is required.")
	}
	if len(in.MetricData) > maxMetricData {
		return nil, errInvalidValue("The collection MetricData must not have a size greater than %d.", maxMetricData)
	}
	now := s.clock.Now()
	rows := make([]*store.MonitoringDatum, 0, len(data))
	for i, d := range data {
		row, err := datumRow(d, "MetricData.member."+strconv.Itoa(i+1), now)
		if err != nil {
			return nil, err
		}
		row.Account, row.Region, row.Namespace = account, region, *in.Namespace
		rows = append(rows, row)
	}
	if err := s.db.MonitoringPut(ctx, &store.MonitoringPutParams{Data: rows, PurgeBefore: s.purgeBefore(now)}); err != nil {
		return nil, err
	}
	return &PutMetricDataOutput{}, nil
}

// datumRow validates one datum, named name in messages, and returns its row.
func datumRow(d *MetricDatum, name string, now time.Time) (*store.MonitoringDatum, error) {
	switch {
	case d.Value != nil && len(d.Values) > 0:
		return nil, errCombination("The parameters %[1]s.Value and %[1]s.Values are mutually exclusive and you have specified both.", name)
	case d.Value != nil && d.StatisticValues != nil:
		return nil, errCombination("The parameters %[1]s.Value and %[1]s.StatisticValues are mutually exclusive and you have specified both.", name)
	case len(d.Values) > 0 && d.StatisticValues != nil:
		return nil, errCombination("The parameters %[1]s.Values and %[1]s.StatisticValues are mutually exclusive and you have specified both.", name)
	case d.Value == nil && len(d.Values) == 0 && d.StatisticValues == nil:
		return nil, errMissing("At least one of the parameters %[1]s.Value or %[1]s.StatisticValues must be specified.", name)
	}
	if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
		return nil, errInvalidValue("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", name)
	}
	if len(d.Values) > maxValues {
		return nil, errInvalidValue("The collection %s.Values must not have a size greater than %d.", name, maxValues)
	}
	if r := d.StorageResolution; r != nil && *r != 1 && *r != 60 {
		return nil, errInvalidValue("The value %d for parameter %s.StorageResolution is invalid.", *r, name)
	}
	seen := make(map[string]bool, len(d.Dimensions))
	for _, dim := range d.Dimensions {
		if dim == nil || dim.Name == nil {
			continue
		}
		if seen[*dim.Name] {
			return nil, errInvalidValue("No Metric may specify the same dimension name twice: %s.", *dim.Name)
		}
		seen[*dim.Name] = true
	}
	row := &store.MonitoringDatum{Metric: *d.MetricName, Dims: canonicalDims(d.Dimensions), Unit: "None", ReceivedAt: now.UnixMilli()}
	row.Timestamp = now.UnixMilli()
	if d.Timestamp != nil {
		// AWS accepts data up to two weeks old and up to two hours ahead.
		if d.Timestamp.Before(now.Add(-maxDatumAge)) || d.Timestamp.After(now.Add(maxDatumLead)) {
			return nil, errInvalidValue("The parameter %s.Timestamp must specify a time within the past two weeks.", name)
		}
		row.Timestamp = d.Timestamp.UnixMilli()
	}
	if d.Unit != nil {
		row.Unit = *d.Unit
	}
	switch {
	case d.Value != nil:
		if bad(*d.Value) {
			return nil, errInvalidValue("The value %s for parameter %s.Value is invalid.", formatValue(*d.Value), name)
		}
		v := *d.Value
		row.SampleCount, row.Sum, row.Min, row.Max = 1, v, v, v
		row.Values = encodeValues([]float64{v}, nil)
	case len(d.Values) > 0:
		for j, v := range d.Values {
			if bad(v) {
				return nil, errInvalidValue("The value %s for parameter %s.Values.member.%d is invalid.", formatValue(v), name, j+1)
			}
		}
		for j, c := range d.Counts {
			if bad(c) || c < 0 {
				return nil, errInvalidValue("The value %s for parameter %s.Counts.member.%d is invalid.", formatValue(c), name, j+1)
			}
		}
		row.Min, row.Max = math.Inf(1), math.Inf(-1)
		for j, v := range d.Values {
			c := 1.0
			if len(d.Counts) > 0 {
				c = d.Counts[j]
			}
			row.SampleCount += c
			row.Sum += v * c
			row.Min, row.Max = math.Min(row.Min, v), math.Max(row.Max, v)
		}
		row.Values = encodeValues(d.Values, d.Counts)
	default:
		sv := d.StatisticValues
		for _, f := range []struct {
			n string
			v float64
		}{{"SampleCount", *sv.SampleCount}, {"Sum", *sv.Sum}, {"Minimum", *sv.Minimum}, {"Maximum", *sv.Maximum}} {
			if bad(f.v) {
				return nil, errInvalidValue("The value %s for parameter %s.StatisticValues.%s is invalid.", formatValue(f.v), name, f.n)
			}
		}
		if *sv.Maximum < *sv.Minimum {
			return nil, errMissing("The parameter %[1]s.StatisticValues.Maximum must be greater than %[1]s.StatisticValues.Minimum.", name)
		}
		if *sv.SampleCount <= 0 {
			return nil, errMissing("The parameter %s.StatisticValues.SampleCount must be greater than 0.", name)
		}
		row.SampleCount, row.Sum, row.Min, row.Max = *sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum
	}
	return row, nil
}

// bad reports a value CloudWatch refuses: NaN, infinities, and magnitudes outside
// 2^-260 .. 2^360 (zero aside).
func bad(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return true
	}
	a := math.Abs(v)
	return a != 0 && (a > 0x1p360 || a < 0x1p-260)
}

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// encodeValues writes values with their counts (1 when counts is empty) as the JSON array
// of [value, count] pairs the store keeps for percentiles.
func encodeValues(values, counts []float64) string {
	b := make([]byte, 0, len(values)*16)
	b = append(b, '[')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		c := 1.0
		if len(counts) > 0 {
			c = counts[i]
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, c, 'g', -1, 64)
		b = append(b, ']')
	}
	return string(append(b, ']'))
}
