package store

import (
	"context"
	"fmt"
	"strings"
)

// MonitoringDatum is one published CloudWatch datum. Times are unix milliseconds.
type MonitoringDatum struct {
	Account, Region   string
	Namespace, Metric string
	// Dims is the canonical form of the dimensions, owned by the service: a metric is
	// (Namespace, Metric, Dims).
	Dims      string
	Timestamp int64
	Unit      string
	// SampleCount, Sum, Min and Max summarise the datum.
	SampleCount, Sum, Min, Max float64
	// Values, when not "", holds the individual values for percentiles (service-owned JSON).
	Values     string
	ReceivedAt int64
}

// monitoringPutChunk is how many data one INSERT carries (13 parameters each, well under
// SQLite's limit of 32766 parameters).
const monitoringPutChunk = 500

// MonitoringPutParams are the arguments of MonitoringPut.
type MonitoringPutParams struct {
	Data []*MonitoringDatum
	// PurgeBefore, when not 0, deletes every datum of every account older than it in the
	// same write: metrics are kept for a fixed time.
	PurgeBefore int64
	// Lazy writes with WriteLazy: for metrics Overcast's own services publish, of which a
	// machine crash may lose the last; never for a client's PutMetricData.
	Lazy bool
}

// MonitoringPut stores data.
func (db *DB) MonitoringPut(ctx context.Context, p *MonitoringPutParams) error {
	write := db.Write
	if p.Lazy {
		write = db.WriteLazy
	}
	err := write(ctx, func(tx *Tx) error {
		if p.PurgeBefore > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM monitoring_datapoints WHERE ts < ?", p.PurgeBefore); err != nil {
				return err
			}
		}
		for start := 0; start < len(p.Data); start += monitoringPutChunk {
			batch := p.Data[start:min(start+monitoringPutChunk, len(p.Data))]
			var q strings.Builder
			q.WriteString("INSERT INTO monitoring_datapoints (account, region, namespace, metric_name, dims, ts, unit, sample_count, sum, min, max, vals, received_at) VALUES ")
			args := make([]any, 0, len(batch)*13)
			for i, d := range batch {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, d.Account, d.Region, d.Namespace, d.Metric, d.Dims, d.Timestamp, d.Unit,
					d.SampleCount, d.Sum, d.Min, d.Max, d.Values, d.ReceivedAt)
			}
			if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put metric data: %w", err)
	}
	return nil
}

// MonitoringQueryParams select the data of one metric.
type MonitoringQueryParams struct {
	Account, Region, Namespace, Metric, Dims string
	// Start and End bound the timestamps: Start <= Timestamp < End.
	Start, End int64
	// Unit, when not "", keeps data of that unit only.
	Unit string
}

// MonitoringQuery returns the data of one metric in timestamp order.
func (db *DB) MonitoringQuery(ctx context.Context, p *MonitoringQueryParams) ([]*MonitoringDatum, error) {
	q := `SELECT ts, unit, sample_count, sum, min, max, vals, received_at FROM monitoring_datapoints
WHERE account = ? AND region = ? AND namespace = ? AND metric_name = ? AND dims = ? AND ts >= ? AND ts < ?`
	args := []any{p.Account, p.Region, p.Namespace, p.Metric, p.Dims, p.Start, p.End}
	if p.Unit != "" {
		q += " AND unit = ?"
		args = append(args, p.Unit)
	}
	q += " ORDER BY ts"
	var out []*MonitoringDatum
	err := db.Read(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := &MonitoringDatum{Account: p.Account, Region: p.Region, Namespace: p.Namespace, Metric: p.Metric, Dims: p.Dims}
			if err := rows.Scan(&d.Timestamp, &d.Unit, &d.SampleCount, &d.Sum, &d.Min, &d.Max, &d.Values, &d.ReceivedAt); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("query metric %s/%s: %w", p.Namespace, p.Metric, err)
	}
	return out, nil
}

// MonitoringMetric is one metric that has data.
type MonitoringMetric struct {
	Namespace, Metric, Dims string
	// LastReceived is when its latest datum arrived, in unix milliseconds.
	LastReceived int64
}

// MonitoringMetricListParams select metrics of one account and region.
type MonitoringMetricListParams struct {
	Account, Region string
	// Namespace and Metric, when not "", keep that namespace and metric name only.
	Namespace, Metric string
	// ReceivedSince, when not 0, keeps metrics with a datum received at or after it.
	ReceivedSince int64
}

// MonitoringMetricList returns the distinct metrics p selects, ordered by namespace,
// metric name and dimensions.
func (db *DB) MonitoringMetricList(ctx context.Context, p *MonitoringMetricListParams) ([]*MonitoringMetric, error) {
	q := "SELECT namespace, metric_name, dims, MAX(received_at) FROM monitoring_datapoints WHERE account = ? AND region = ?"
	args := []any{p.Account, p.Region}
	if p.Namespace != "" {
		q += " AND namespace = ?"
		args = append(args, p.Namespace)
	}
	if p.Metric != "" {
		q += " AND metric_name = ?"
		args = append(args, p.Metric)
	}
	if p.ReceivedSince > 0 {
		q += " AND received_at >= ?"
		args = append(args, p.ReceivedSince)
	}
	q += " GROUP BY namespace, metric_name, dims ORDER BY namespace, metric_name, dims"
	var out []*MonitoringMetric
	err := db.Read(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m MonitoringMetric
			if err := rows.Scan(&m.Namespace, &m.Metric, &m.Dims, &m.LastReceived); err != nil {
				return err
			}
			out = append(out, &m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	return out, nil
}
