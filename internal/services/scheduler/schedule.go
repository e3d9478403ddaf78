package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/schedule"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// scheduleDoc is the stored document of a schedule.
type scheduleDoc struct {
	Expression            string              `json:"expr"`
	Timezone              string              `json:"tz,omitempty"`
	StartDate             int64               `json:"start,omitempty"`
	EndDate               int64               `json:"end,omitempty"`
	FlexibleTimeWindow    *FlexibleTimeWindow `json:"flex"`
	State                 string              `json:"state"`
	ActionAfterCompletion string              `json:"aac"`
	Description           string              `json:"description,omitempty"`
	KmsKeyARN             string              `json:"kms,omitempty"`
	Target                *Target             `json:"target"`
}

// scheduleTimer is the payload of a schedule's timer.
type scheduleTimer struct {
	Account string `json:"a"`
	Region  string `json:"r"`
	Group   string `json:"g"`
	Name    string `json:"n"`
	// Nominal is the scheduled time (unix ms) the firing stands for; with a flexible time
	// window the timer itself is due up to MaximumWindowInMinutes later.
	Nominal int64 `json:"t"`
	// Anchor is when rate periods count from (unix ms).
	Anchor int64 `json:"s"`
}

func scheduleARN(account, region, group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", region, account, group, name)
}

// errInvalidExpression is AWS's answer to an expression it cannot parse, quoted as sent.
func errInvalidExpression(expr string) error {
	return NewValidationException(fmt.Sprintf("Invalid Schedule Expression %s.", expr))
}

func errScheduleNotFound(name string) error {
	return NewResourceNotFoundException(fmt.Sprintf("Schedule %s does not exist.", name))
}

// universalPrefix starts the ARN of every universal target; universalSQS is the one
// delivered like an SQS templated target.
const (
	universalPrefix = "arn:aws:scheduler:::aws-sdk:"
	universalSQS    = universalPrefix + "sqs:sendMessage"
)

// readOnlyPrefixes start the API actions universal targets may not name
// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html).
var readOnlyPrefixes = []string{
	"get", "describe", "list", "poll", "receive", "search", "scan", "query", "select", "read",
	"lookup", "discover", "validate", "batchGet", "batchDescribe", "batchRead", "transactGet",
	"adminGet", "adminList", "testMigration", "retrieve", "testConnection", "translateDocument",
	"isAuthorized", "invokeModel",
}

// universalParts splits a universal target ARN into its service and API action.
func universalParts(arn string) (service, action string, ok bool) {
	rest, ok := strings.CutPrefix(arn, universalPrefix)
	if !ok {
		return "", "", false
	}
	service, action, ok = strings.Cut(rest, ":")
	return service, action, ok && service != "" && action != "" && !strings.Contains(action, ":")
}

// checkUniversal validates a universal target other than aws-sdk:sqs:sendMessage.
func (s *Service) checkUniversal(arn string, input *string) error {
	service, action, ok := universalParts(arn)
	if !ok {
		return NewValidationException(fmt.Sprintf("Invalid target arn %s.", arn))
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(action, p) {
			return NewValidationException(fmt.Sprintf("Universal target %s is not supported: read-only API actions cannot be targets.", arn))
		}
	}
	if s.deps.Universal == nil {
		return NewValidationException(fmt.Sprintf("Universal target %s is not supported by Overcast.", arn))
	}
	in := []byte("{}")
	if input != nil {
		in = []byte(*input)
	}
	return s.deps.Universal.Check(service, action, in)
}

// checkTarget validates a schedule's target and returns why it is refused, or nil.
func (s *Service) checkTarget(t *Target) error {
	arn := *t.ARN
	if strings.HasPrefix(arn, universalPrefix) {
		if !strings.EqualFold(arn, universalSQS) {
			if err := s.checkUniversal(arn, t.Input); err != nil {
				return err
			}
			return checkDeadLetter(t)
		}
		if s.deps.SendToSQS == nil {
			return NewValidationException("SQS targets are not available.")
		}
		var in struct {
			QueueURL    string `json:"QueueUrl"`
			MessageBody string `json:"MessageBody"`
		}
		if t.Input == nil || json.Unmarshal([]byte(*t.Input), &in) != nil || in.QueueURL == "" || in.MessageBody == "" {
			return NewValidationException("Input for aws-sdk:sqs:sendMessage must be a JSON object with QueueUrl and MessageBody.")
		}
		return nil
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return NewValidationException(fmt.Sprintf("Invalid target arn %s.", arn))
	}
	switch parts[2] {
	case "sqs":
		if s.deps.SendToSQS == nil {
			return NewValidationException("SQS targets are not available.")
		}
	case "sns":
		if s.deps.PublishToSNS == nil {
			return NewValidationException("Amazon SNS targets are not supported by Overcast yet.")
		}
	case "events":
		if s.deps.PutEvent == nil || !strings.HasPrefix(parts[5], "event-bus/") {
			return NewValidationException("EventBridge targets must be event buses.")
		}
		if t.EventBridgeParameters == nil {
			return NewValidationException("EventBridgeParameters is required for EventBridge targets.")
		}
	case "lambda":
		if s.deps.InvokeFunction == nil {
			return NewValidationException("AWS Lambda targets are not supported by Overcast yet.")
		}
	case "states":
		if s.deps.StartExecution == nil {
			return NewValidationException("AWS Step Functions targets are not supported by Overcast yet.")
		}
	default:
		return NewValidationException(fmt.Sprintf("Targets of service %s are not supported by Overcast yet.", parts[2]))
	}
	return checkDeadLetter(t)
}

// checkDeadLetter refuses a dead-letter queue that is not an SQS queue.
func checkDeadLetter(t *Target) error {
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.ARN != nil && !strings.HasPrefix(*t.DeadLetterConfig.ARN, "arn:aws:sqs:") {
		return NewValidationException("DeadLetterConfig Arn must be an Amazon SQS queue ARN.")
	}
	return nil
}

type scheduleParams struct {
	name, group, expr, tz, state, aac, description, kms *string
	start, end                                          *time.Time
	flex                                                *FlexibleTimeWindow
	target                                              *Target
}

// buildDoc validates the members shared by CreateSchedule and UpdateSchedule.
func (s *Service) buildDoc(p scheduleParams) (*scheduleDoc, error) {
	if !namePattern.MatchString(*p.name) {
		return nil, NewValidationException(fmt.Sprintf("Invalid schedule name %s.", *p.name))
	}
	if _, err := schedule.Parse(*p.expr, schedule.Scheduler); err != nil {
		return nil, errInvalidExpression(*p.expr)
	}
	if tz := deref(p.tz); tz != "" {
		if _, err := time.LoadLocation(tz); err != nil {
			return nil, NewValidationException(fmt.Sprintf("Invalid timezone %s.", tz))
		}
	}
	f := p.flex
	switch *f.Mode {
	case "FLEXIBLE":
		if f.MaximumWindowInMinutes == nil {
			return nil, NewValidationException("MaximumWindowInMinutes is required when Mode is FLEXIBLE.")
		}
	case "OFF":
		if f.MaximumWindowInMinutes != nil {
			return nil, NewValidationException("MaximumWindowInMinutes must not be set when Mode is OFF.")
		}
	}
	if p.start != nil && p.end != nil && !p.end.After(*p.start) {
		return nil, NewValidationException("The EndDate must be after the StartDate.")
	}
	if err := s.checkTarget(p.target); err != nil {
		return nil, err
	}
	d := &scheduleDoc{Expression: *p.expr, Timezone: deref(p.tz), FlexibleTimeWindow: f, State: "ENABLED", ActionAfterCompletion: "NONE",
		Description: deref(p.description), KmsKeyARN: deref(p.kms), Target: p.target}
	if p.state != nil {
		d.State = *p.state
	}
	if p.aac != nil {
		d.ActionAfterCompletion = *p.aac
	}
	if p.start != nil {
		d.StartDate = p.start.UnixMilli()
	}
	if p.end != nil {
		d.EndDate = p.end.UnixMilli()
	}
	return d, nil
}

// nextFiring returns the next nominal firing of d strictly after after, honouring
// StartDate and EndDate.
func nextFiring(d *scheduleDoc, after, anchor time.Time) (time.Time, bool) {
	e, err := schedule.Parse(d.Expression, schedule.Scheduler)
	if err != nil {
		return time.Time{}, false
	}
	loc := time.UTC
	if d.Timezone != "" {
		if l, err := time.LoadLocation(d.Timezone); err == nil {
			loc = l
		}
	}
	if d.StartDate != 0 && e.Kind != schedule.At {
		start := time.UnixMilli(d.StartDate)
		if after.Before(start) {
			after = start.Add(-time.Millisecond)
			if e.Kind == schedule.Rate {
				anchor = start
				// A rate schedule fires first at its StartDate.
				return start, d.EndDate == 0 || start.UnixMilli() < d.EndDate
			}
		}
	}
	next, ok := e.Next(after, anchor, loc)
	if !ok || (d.EndDate != 0 && e.Kind != schedule.At && next.UnixMilli() >= d.EndDate) {
		return time.Time{}, false
	}
	return next, true
}

// arm schedules (or cancels) the timer of a schedule.
func (s *Service) arm(ctx context.Context, tx *store.Tx, account, region, group, name string, d *scheduleDoc, anchor time.Time) error {
	key := scheduleARN(account, region, group, name)
	if d.State != "ENABLED" {
		_, err := s.timers.Cancel(ctx, tx, timerKind, key)
		return err
	}
	nominal, ok := nextFiring(d, s.clock.Now(), anchor)
	if !ok {
		_, err := s.timers.Cancel(ctx, tx, timerKind, key)
		return err
	}
	return s.armAt(ctx, tx, scheduleTimer{Account: account, Region: region, Group: group, Name: name, Nominal: nominal.UnixMilli(), Anchor: anchor.UnixMilli()}, d)
}

func (s *Service) armAt(ctx context.Context, tx *store.Tx, p scheduleTimer, d *scheduleDoc) error {
	due := time.UnixMilli(p.Nominal)
	if f := d.FlexibleTimeWindow; f != nil && f.MaximumWindowInMinutes != nil && *f.Mode == "FLEXIBLE" {
		// AWS invokes the target at some time within the window after the scheduled time.
		due = due.Add(time.Duration(s.deps.RandFunc() * float64(time.Duration(*f.MaximumWindowInMinutes)*time.Minute)))
	}
	payload, _ := json.Marshal(p)
	return s.timers.Schedule(ctx, tx, timer.Timer{Kind: timerKind, Key: scheduleARN(p.Account, p.Region, p.Group, p.Name), DueAt: due, Payload: payload})
}

func getSchedule(ctx context.Context, tx *store.Tx, account, region, group, name string) (*store.Resource, *scheduleDoc, error) {
	r, err := tx.SchedulerResourceGet(ctx, account, region, "schedule", group, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errScheduleNotFound(name)
	case err != nil:
		return nil, nil, err
	}
	var d scheduleDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode schedule %s: %w", name, err)
	}
	return r, &d, nil
}

// CreateSchedule creates a schedule and arms its first firing.
func (s *Service) CreateSchedule(ctx context.Context, in *CreateScheduleInput) (*CreateScheduleOutput, error) {
	c := callOf(ctx)
	group := groupOf(in.GroupName)
	d, err := s.buildDoc(scheduleParams{name: in.Name, group: in.GroupName, expr: in.ScheduleExpression, tz: in.ScheduleExpressionTimezone,
		state: in.State, aac: in.ActionAfterCompletion, description: in.Description, kms: in.KmsKeyARN, start: in.StartDate, end: in.EndDate,
		flex: in.FlexibleTimeWindow, target: in.Target})
	if err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(d)
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := getGroup(ctx, tx, c.Account, c.Region, group); err != nil {
			return err
		}
		err := tx.SchedulerResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "schedule", Parent: group,
			Name: *in.Name, Ref: *in.Target.ARN, Doc: string(doc), CreatedAt: now.UnixMilli(), ModifiedAt: now.UnixMilli()})
		if errors.Is(err, store.ErrConflict) {
			return NewConflictException(fmt.Sprintf("Schedule %s already exists.", *in.Name))
		}
		if err != nil {
			return err
		}
		return s.arm(ctx, tx, c.Account, c.Region, group, *in.Name, d, now)
	})
	if err != nil {
		return nil, err
	}
	return &CreateScheduleOutput{ScheduleARN: ptr(scheduleARN(c.Account, c.Region, group, *in.Name))}, nil
}

// UpdateSchedule replaces a schedule's definition and re-arms it.
func (s *Service) UpdateSchedule(ctx context.Context, in *UpdateScheduleInput) (*UpdateScheduleOutput, error) {
	c := callOf(ctx)
	group := groupOf(in.GroupName)
	d, err := s.buildDoc(scheduleParams{name: in.Name, group: in.GroupName, expr: in.ScheduleExpression, tz: in.ScheduleExpressionTimezone,
		state: in.State, aac: in.ActionAfterCompletion, description: in.Description, kms: in.KmsKeyARN, start: in.StartDate, end: in.EndDate,
		flex: in.FlexibleTimeWindow, target: in.Target})
	if err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(d)
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r, _, err := getSchedule(ctx, tx, c.Account, c.Region, group, *in.Name)
		if err != nil {
			return err
		}
		r.Doc, r.Ref, r.ModifiedAt = string(doc), *in.Target.ARN, now.UnixMilli()
		if err := tx.SchedulerResourcePut(ctx, r); err != nil {
			return err
		}
		return s.arm(ctx, tx, c.Account, c.Region, group, *in.Name, d, now)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateScheduleOutput{ScheduleARN: ptr(scheduleARN(c.Account, c.Region, group, *in.Name))}, nil
}

// GetSchedule describes a schedule.
func (s *Service) GetSchedule(ctx context.Context, in *GetScheduleInput) (*GetScheduleOutput, error) {
	c := callOf(ctx)
	group := groupOf(in.GroupName)
	var (
		r *store.Resource
		d *scheduleDoc
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, d, err = getSchedule(ctx, tx, c.Account, c.Region, group, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &GetScheduleOutput{ARN: ptr(scheduleARN(c.Account, c.Region, group, r.Name)), Name: ptr(r.Name), GroupName: ptr(group),
		ScheduleExpression: ptr(d.Expression), State: ptr(d.State), ActionAfterCompletion: ptr(d.ActionAfterCompletion),
		FlexibleTimeWindow: d.FlexibleTimeWindow, Target: d.Target, CreationDate: msTime(r.CreatedAt), LastModificationDate: msTime(r.ModifiedAt),
		StartDate: msTime(d.StartDate), EndDate: msTime(d.EndDate)}
	// AWS answers the defaults it applies: UTC and the target's default retry policy.
	out.ScheduleExpressionTimezone = ptr("UTC")
	if d.Timezone != "" {
		out.ScheduleExpressionTimezone = ptr(d.Timezone)
	}
	if d.Target != nil && d.Target.RetryPolicy == nil {
		t := *d.Target
		t.RetryPolicy = &RetryPolicy{MaximumEventAgeInSeconds: ptr(int32(86400)), MaximumRetryAttempts: ptr(int32(185))}
		out.Target = &t
	}
	if d.Description != "" {
		out.Description = ptr(d.Description)
	}
	if d.KmsKeyARN != "" {
		out.KmsKeyARN = ptr(d.KmsKeyARN)
	}
	return out, nil
}

// DeleteSchedule deletes a schedule and its pending firing.
func (s *Service) DeleteSchedule(ctx context.Context, in *DeleteScheduleInput) (*DeleteScheduleOutput, error) {
	c := callOf(ctx)
	group := groupOf(in.GroupName)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		found, err := tx.SchedulerResourceDelete(ctx, c.Account, c.Region, "schedule", group, *in.Name)
		if err != nil {
			return err
		}
		if !found {
			return errScheduleNotFound(*in.Name)
		}
		_, err = s.timers.Cancel(ctx, tx, timerKind, scheduleARN(c.Account, c.Region, group, *in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteScheduleOutput{}, nil
}

// ListSchedules lists schedules, optionally of one group, name prefix and state.
func (s *Service) ListSchedules(ctx context.Context, in *ListSchedulesInput) (*ListSchedulesOutput, error) {
	c := callOf(ctx)
	var out []*ScheduleSummary
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		p := &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "schedule", Parent: in.GroupName, Prefix: deref(in.NamePrefix)}
		rows, err := tx.SchedulerResourceList(ctx, p)
		for _, r := range rows {
			var d scheduleDoc
			if json.Unmarshal([]byte(r.Doc), &d) != nil || (in.State != nil && d.State != *in.State) {
				continue
			}
			out = append(out, &ScheduleSummary{ARN: ptr(scheduleARN(c.Account, c.Region, r.Parent, r.Name)), Name: ptr(r.Name),
				GroupName: ptr(r.Parent), State: ptr(d.State), Target: &TargetSummary{ARN: d.Target.ARN},
				CreationDate: msTime(r.CreatedAt), LastModificationDate: msTime(r.ModifiedAt)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*ScheduleSummary{}
	}
	page, next, err := paginate(out, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListSchedulesOutput{Schedules: page, NextToken: next}, nil
}

// queueARNFromURL turns an SQS queue URL (path or host style) into the queue's ARN.
func queueARNFromURL(u, region string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	parts := strings.Split(strings.Trim(p.Path, "/"), "/")
	if len(parts) != 2 {
		return "", false
	}
	if host := strings.Split(p.Hostname(), "."); len(host) > 2 && host[0] == "sqs" {
		region = host[1]
	}
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, parts[0], parts[1]), true
}
