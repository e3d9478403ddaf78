package monitoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// Alarms are stored and described; Overcast does not evaluate them: an alarm changes state
// only through SetAlarmState, and no action runs.

// kindAlarm is the resource kind of metric alarms.
const kindAlarm = "alarm"

// AWS's DescribeAlarms page sizes.
const (
	defaultAlarmRecords = 50
	maxAlarmRecords     = 100
)

// alarmRef names an alarm's metric, so that DescribeAlarmsForMetric finds its alarms.
func alarmRef(namespace, metric, dims string) string {
	return namespace + "\n" + metric + "\n" + dims
}

// PutMetricAlarm creates an alarm or replaces its configuration; the state of an existing
// alarm stays.
func (s *Service) PutMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) (*PutMetricAlarmOutput, error) {
	account, region := callOf(ctx)
	if in.EvaluationCriteria == nil {
		switch {
		case in.EvaluationPeriods == nil:
			return nil, errMissing("The parameter EvaluationPeriods is required.")
		case in.ComparisonOperator == nil:
			return nil, errMissing("The parameter ComparisonOperator is required.")
		}
	}
	switch {
	case in.MetricName != nil && len(in.Metrics) > 0:
		return nil, errCombination("The parameters MetricName and Metrics are mutually exclusive and you have specified both.")
	case in.Statistic != nil && in.ExtendedStatistic != nil:
		return nil, errCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
	case in.ExtendedStatistic != nil && !percentilePattern.MatchString(*in.ExtendedStatistic):
		return nil, errInvalidValue("The value %s for parameter ExtendedStatistic is invalid.", *in.ExtendedStatistic)
	}
	now := s.clock.Now().UTC()
	a := &MetricAlarm{
		AlarmName: in.AlarmName, AlarmARN: aws(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, *in.AlarmName)),
		AlarmDescription: in.AlarmDescription, AlarmConfigurationUpdatedTimestamp: &now, ActionsEnabled: in.ActionsEnabled,
		OKActions: nonNil(in.OKActions), AlarmActions: nonNil(in.AlarmActions), InsufficientDataActions: nonNil(in.InsufficientDataActions),
		StateValue: aws("INSUFFICIENT_DATA"), StateReason: aws("Unchecked: Initial alarm creation"), StateUpdatedTimestamp: &now,
		StateTransitionedTimestamp: &now,
		MetricName:                 in.MetricName, Namespace: in.Namespace, Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic,
		Period: in.Period, Unit: in.Unit, EvaluationPeriods: in.EvaluationPeriods, DatapointsToAlarm: in.DatapointsToAlarm,
		Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData,
		EvaluateLowSampleCountPercentile: in.EvaluateLowSampleCountPercentile, Metrics: in.Metrics, ThresholdMetricID: in.ThresholdMetricID,
		EvaluationCriteria: in.EvaluationCriteria, EvaluationInterval: in.EvaluationInterval,
	}
	if a.ActionsEnabled == nil {
		a.ActionsEnabled = aws(true)
	}
	ref := ""
	if in.MetricName != nil {
		a.Dimensions = in.Dimensions
		if a.Dimensions == nil {
			a.Dimensions = []*Dimension{}
		}
		ref = alarmRef(deref(in.Namespace), *in.MetricName, canonicalDims(in.Dimensions))
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.MonitoringResourceGet(ctx, account, region, kindAlarm, "", *in.AlarmName)
		created := now.UnixMilli()
		d := &alarmDoc{Alarm: a}
		switch {
		case err == nil:
			prevDoc, err := decodeAlarm(old)
			if err != nil {
				return err
			}
			prev := prevDoc.Alarm
			a.StateValue, a.StateReason, a.StateReasonData = prev.StateValue, prev.StateReason, prev.StateReasonData
			a.StateUpdatedTimestamp, a.StateTransitionedTimestamp = prev.StateUpdatedTimestamp, prev.StateTransitionedTimestamp
			created = old.CreatedAt
			// Tags given on an update are ignored, as AWS documents: TagResource changes them.
			d.Tags = prevDoc.Tags
		case !errors.Is(err, store.ErrNotFound):
			return err
		default:
			d.Tags = mergeTags(nil, in.Tags)
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return tx.MonitoringResourcePut(ctx, &store.Resource{Account: account, Region: region, Kind: kindAlarm, Name: *in.AlarmName,
			Ref: ref, Doc: string(doc), CreatedAt: created, ModifiedAt: now.UnixMilli()})
	})
	if err != nil {
		return nil, err
	}
	return &PutMetricAlarmOutput{}, nil
}

func aws[T any](v T) *T { return &v }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// alarmDoc is the stored document of an alarm.
type alarmDoc struct {
	Alarm *MetricAlarm
	Tags  []*Tag
}

func decodeAlarm(r *store.Resource) (*alarmDoc, error) {
	var d alarmDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil || d.Alarm == nil {
		return nil, fmt.Errorf("alarm %s: bad document: %v", r.Name, err)
	}
	return &d, nil
}

// DescribeAlarms lists metric alarms by name, name prefix, state and action prefix, in
// name order. Composite alarms are not kept: their list is always empty.
func (s *Service) DescribeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	account, region := callOf(ctx)
	if in.AlarmNamePrefix != nil && len(in.AlarmNames) > 0 {
		return nil, errCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	limit := defaultAlarmRecords
	if in.MaxRecords != nil {
		if *in.MaxRecords < 1 || *in.MaxRecords > maxAlarmRecords {
			return nil, errInvalidValue("The value %d for parameter MaxRecords is invalid.", *in.MaxRecords)
		}
		limit = int(*in.MaxRecords)
	}
	after := ""
	if in.NextToken != nil {
		b, ok := decodeNameToken(*in.NextToken)
		if !ok {
			return nil, NewInvalidNextToken("The specified NextToken is invalid.")
		}
		after = b
	}
	out := &DescribeAlarmsOutput{MetricAlarms: []*MetricAlarm{}, CompositeAlarms: []*CompositeAlarm{}}
	wantMetric := len(in.AlarmTypes) == 0
	for _, t := range in.AlarmTypes {
		wantMetric = wantMetric || t == "MetricAlarm"
	}
	if !wantMetric {
		return out, nil
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	var rows []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.MonitoringResourceList(ctx, &store.ResourceListParams{Account: account, Region: region, Kind: kindAlarm,
			Parent: aws(""), Prefix: deref(in.AlarmNamePrefix), After: after})
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if len(names) > 0 && !names[r.Name] {
			continue
		}
		d, err := decodeAlarm(r)
		if err != nil {
			return nil, err
		}
		a := d.Alarm
		if in.StateValue != nil && deref(a.StateValue) != *in.StateValue {
			continue
		}
		if in.ActionPrefix != nil && !hasActionPrefix(a, *in.ActionPrefix) {
			continue
		}
		if len(out.MetricAlarms) == limit {
			tok := encodeNameToken(*out.MetricAlarms[limit-1].AlarmName)
			out.NextToken = &tok
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, a)
	}
	return out, nil
}

func hasActionPrefix(a *MetricAlarm, prefix string) bool {
	for _, list := range [][]string{a.OKActions, a.AlarmActions, a.InsufficientDataActions} {
		for _, act := range list {
			if strings.HasPrefix(act, prefix) {
				return true
			}
		}
	}
	return false
}

// encodeNameToken makes an opaque NextToken of the last name handed out.
func encodeNameToken(name string) string { return encodeTokenString("n:" + name) }

func decodeNameToken(tok string) (string, bool) {
	s, ok := decodeTokenString(tok)
	if !ok || !strings.HasPrefix(s, "n:") {
		return "", false
	}
	return s[2:], true
}

// DescribeAlarmsForMetric lists the alarms of one metric, narrowed by statistic, period
// and unit.
func (s *Service) DescribeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	account, region := callOf(ctx)
	var rows []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.MonitoringResourceList(ctx, &store.ResourceListParams{Account: account, Region: region, Kind: kindAlarm,
			Parent: aws(""), Ref: alarmRef(*in.Namespace, *in.MetricName, canonicalDims(in.Dimensions))})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: []*MetricAlarm{}}
	for _, r := range rows {
		d, err := decodeAlarm(r)
		if err != nil {
			return nil, err
		}
		a := d.Alarm
		switch {
		case in.Statistic != nil && deref(a.Statistic) != *in.Statistic,
			in.ExtendedStatistic != nil && deref(a.ExtendedStatistic) != *in.ExtendedStatistic,
			in.Period != nil && (a.Period == nil || *a.Period != *in.Period),
			in.Unit != nil && deref(a.Unit) != *in.Unit:
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, a)
	}
	return out, nil
}

// DeleteAlarms deletes alarms. As AWS documents, when a name is wrong no alarm is deleted.
func (s *Service) DeleteAlarms(ctx context.Context, in *DeleteAlarmsInput) (*DeleteAlarmsOutput, error) {
	account, region := callOf(ctx)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for _, n := range in.AlarmNames {
			if _, err := tx.MonitoringResourceGet(ctx, account, region, kindAlarm, "", n); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			}
		}
		for _, n := range in.AlarmNames {
			if _, err := tx.MonitoringResourceDelete(ctx, account, region, kindAlarm, "", n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteAlarmsOutput{}, nil
}

// SetAlarmState sets an alarm's state until its next evaluation (which Overcast never
// runs).
func (s *Service) SetAlarmState(ctx context.Context, in *SetAlarmStateInput) (*SetAlarmStateOutput, error) {
	account, region := callOf(ctx)
	if in.StateReasonData != nil && !json.Valid([]byte(*in.StateReasonData)) {
		return nil, NewInvalidFormatFault("The value of StateReasonData is not valid JSON.")
	}
	now := s.clock.Now().UTC()
	var missing bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.MonitoringResourceGet(ctx, account, region, kindAlarm, "", *in.AlarmName)
		if errors.Is(err, store.ErrNotFound) {
			missing = true
			return nil
		}
		if err != nil {
			return err
		}
		d, err := decodeAlarm(r)
		if err != nil {
			return err
		}
		a := d.Alarm
		if deref(a.StateValue) != *in.StateValue {
			a.StateTransitionedTimestamp = &now
		}
		a.StateValue, a.StateReason, a.StateReasonData, a.StateUpdatedTimestamp = in.StateValue, in.StateReason, in.StateReasonData, &now
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		r.Doc, r.ModifiedAt = string(doc), now.UnixMilli()
		return tx.MonitoringResourcePut(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	if missing {
		// AWS answers 404 ResourceNotFound with no message.
		return nil, NewResourceNotFound("")
	}
	return &SetAlarmStateOutput{}, nil
}
