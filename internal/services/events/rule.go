package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/schedule"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// ruleDoc is the stored document of a rule.
type ruleDoc struct {
	EventPattern       string            `json:"pattern,omitempty"`
	ScheduleExpression string            `json:"schedule,omitempty"`
	State              string            `json:"state"`
	Description        string            `json:"description,omitempty"`
	RoleARN            string            `json:"role,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

var ruleNamePattern = protocol.NewLazyRegexp(`^[\.\-_A-Za-z0-9]{1,64}$`)

func ruleARN(k busKey, name string) string {
	if k.name == defaultBus {
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", k.region, k.account, name)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", k.region, k.account, k.name, name)
}

func ruleTimerKey(k busKey, name string) string { return ruleARN(k, name) }

func errRuleNotFound(name string, k busKey) error {
	return NewResourceNotFoundException(fmt.Sprintf("Rule %s does not exist on EventBus %s.", name, k.name))
}

func errScheduleInvalid() error {
	return NewValidationException("Parameter ScheduleExpression is not valid.")
}

func getRule(ctx context.Context, tx *store.Tx, k busKey, name string) (*store.Resource, *ruleDoc, error) {
	r, err := tx.EventsResourceGet(ctx, k.account, k.region, "rule", k.name, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errRuleNotFound(name, k)
	case err != nil:
		return nil, nil, err
	}
	var d ruleDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode rule %s: %w", name, err)
	}
	return r, &d, nil
}

// ruleTimer is the payload of a scheduled rule's timer.
type ruleTimer struct {
	Account string `json:"a"`
	Region  string `json:"r"`
	Bus     string `json:"b"`
	Rule    string `json:"n"`
	// Start is when the rule was scheduled (unix ms): rate periods count from it.
	Start int64 `json:"s"`
}

// scheduleRule (re)arms or cancels the timer of a rule according to its state.
func (s *Service) scheduleRule(ctx context.Context, tx *store.Tx, k busKey, name string, d *ruleDoc) error {
	key := ruleTimerKey(k, name)
	if d.ScheduleExpression == "" || d.State == "DISABLED" {
		_, err := s.timers.Cancel(ctx, tx, timerRule, key)
		return err
	}
	e, err := schedule.Parse(d.ScheduleExpression, schedule.Rules)
	if err != nil {
		return errScheduleInvalid()
	}
	now := s.clock.Now()
	next, ok := e.Next(now, now, time.UTC)
	if !ok {
		_, err := s.timers.Cancel(ctx, tx, timerRule, key)
		return err
	}
	payload, _ := json.Marshal(ruleTimer{Account: k.account, Region: k.region, Bus: k.name, Rule: name, Start: now.UnixMilli()})
	return s.timers.Schedule(ctx, tx, timer.Timer{Kind: timerRule, Key: key, DueAt: next, Payload: payload})
}

// PutRule creates or updates a rule.
func (s *Service) PutRule(ctx context.Context, in *PutRuleInput) (*PutRuleOutput, error) {
	k := busRef(ctx, in.EventBusName)
	name := *in.Name
	if !ruleNamePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", name))
	}
	if in.EventPattern == nil && in.ScheduleExpression == nil {
		return nil, NewValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != nil {
		if _, err := pattern.ParseEventPattern([]byte(*in.EventPattern)); err != nil {
			return nil, patternError(err)
		}
	}
	if in.ScheduleExpression != nil {
		if _, err := schedule.Parse(*in.ScheduleExpression, schedule.Rules); err != nil {
			return nil, errScheduleInvalid()
		}
		if k.name != defaultBus {
			return nil, NewValidationException("ScheduleExpression is supported only on the default event bus.")
		}
	}
	state := "ENABLED"
	if in.State != nil {
		state = *in.State
	}
	d := &ruleDoc{EventPattern: deref(in.EventPattern), ScheduleExpression: deref(in.ScheduleExpression), State: state,
		Description: deref(in.Description), RoleARN: deref(in.RoleARN), Tags: tagMap(in.Tags)}
	now := s.now().UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, _, err := getBus(ctx, tx, k); err != nil {
			return err
		}
		created := now
		if old, oldDoc, err := getRule(ctx, tx, k, name); err == nil {
			created = old.CreatedAt
			if in.Tags == nil {
				d.Tags = oldDoc.Tags
			}
		}
		doc, _ := json.Marshal(d)
		if err := tx.EventsResourcePut(ctx, &store.Resource{Account: k.account, Region: k.region, Kind: "rule", Parent: k.name,
			Name: name, Doc: string(doc), CreatedAt: created, ModifiedAt: now}); err != nil {
			return err
		}
		return s.scheduleRule(ctx, tx, k, name, d)
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, k)
	return &PutRuleOutput{RuleARN: ptr(ruleARN(k, name))}, nil
}

// patternError turns a pattern package error into InvalidEventPatternException.
func patternError(err error) error {
	var pe *pattern.Error
	if errors.As(err, &pe) {
		return NewInvalidEventPatternException(pe.Message())
	}
	return NewInvalidEventPatternException("Event pattern is not valid.")
}

func (s *Service) ruleOutput(k busKey, name string, d *ruleDoc) *Rule {
	r := &Rule{Name: ptr(name), ARN: ptr(ruleARN(k, name)), State: ptr(d.State), EventBusName: ptr(k.name)}
	r.EventPattern = optional(d.EventPattern)
	r.ScheduleExpression = optional(d.ScheduleExpression)
	r.Description = optional(d.Description)
	r.RoleARN = optional(d.RoleARN)
	return r
}

// DescribeRule describes a rule.
func (s *Service) DescribeRule(ctx context.Context, in *DescribeRuleInput) (*DescribeRuleOutput, error) {
	k := busRef(ctx, in.EventBusName)
	var d *ruleDoc
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		_, d, err = getRule(ctx, tx, k, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := s.ruleOutput(k, *in.Name, d)
	return &DescribeRuleOutput{Name: r.Name, ARN: r.ARN, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleARN: r.RoleARN, EventBusName: r.EventBusName, CreatedBy: ptr(k.account)}, nil
}

// DeleteRule deletes a rule that has no targets left.
func (s *Service) DeleteRule(ctx context.Context, in *DeleteRuleInput) (*DeleteRuleOutput, error) {
	k := busRef(ctx, in.EventBusName)
	name := *in.Name
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		parent := k.name + "/" + name
		targets, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "target", Parent: &parent, Limit: 1})
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return NewValidationException("Rule can't be deleted since it has targets.")
		}
		if _, err := tx.EventsResourceDelete(ctx, k.account, k.region, "rule", k.name, name); err != nil {
			return err
		}
		_, err = s.timers.Cancel(ctx, tx, timerRule, ruleTimerKey(k, name))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, k)
	return &DeleteRuleOutput{}, nil
}

func (s *Service) setRuleState(ctx context.Context, bus, name *string, state string) error {
	k := busRef(ctx, bus)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getRule(ctx, tx, k, *name)
		if err != nil {
			return err
		}
		d.State = state
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		if err := tx.EventsResourcePut(ctx, r); err != nil {
			return err
		}
		return s.scheduleRule(ctx, tx, k, *name, d)
	})
	s.invalidate(ctx, k)
	return err
}

// EnableRule enables a rule.
func (s *Service) EnableRule(ctx context.Context, in *EnableRuleInput) (*EnableRuleOutput, error) {
	if err := s.setRuleState(ctx, in.EventBusName, in.Name, "ENABLED"); err != nil {
		return nil, err
	}
	return &EnableRuleOutput{}, nil
}

// DisableRule disables a rule.
func (s *Service) DisableRule(ctx context.Context, in *DisableRuleInput) (*DisableRuleOutput, error) {
	if err := s.setRuleState(ctx, in.EventBusName, in.Name, "DISABLED"); err != nil {
		return nil, err
	}
	return &DisableRuleOutput{}, nil
}

// ListRules lists a bus's rules by name prefix.
func (s *Service) ListRules(ctx context.Context, in *ListRulesInput) (*ListRulesOutput, error) {
	k := busRef(ctx, in.EventBusName)
	var rules []*Rule
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, _, err := getBus(ctx, tx, k); err != nil {
			return err
		}
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "rule",
			Parent: &k.name, Prefix: deref(in.NamePrefix)})
		for _, r := range rows {
			var d ruleDoc
			_ = json.Unmarshal([]byte(r.Doc), &d)
			rules = append(rules, s.ruleOutput(k, r.Name, &d))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(rules, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListRulesOutput{Rules: page, NextToken: next}, nil
}

// TestEventPattern tests an event against a pattern.
func (s *Service) TestEventPattern(ctx context.Context, in *TestEventPatternInput) (*TestEventPatternOutput, error) {
	p, err := pattern.ParseEventPattern([]byte(*in.EventPattern))
	if err != nil {
		return nil, patternError(err)
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*in.Event), &ev); err != nil {
		return nil, NewValidationException("Parameter Event is not valid.")
	}
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := ev[f]; !ok {
			return nil, NewValidationException(fmt.Sprintf("Parameter Event is not valid. Reason: Provided Event is missing required field %s.", f))
		}
	}
	ok, err := p.Matches([]byte(*in.Event))
	if err != nil {
		return nil, NewValidationException("Parameter Event is not valid.")
	}
	return &TestEventPatternOutput{Result: &ok}, nil
}

// fireRule is the timer handler of scheduled rules: it emits the "Scheduled Event" to the
// rule's targets and returns the next firing time.
func (s *Service) fireRule(ctx context.Context, tx *store.Tx, t *timer.Timer) (time.Time, error) {
	var p ruleTimer
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return time.Time{}, nil // a corrupt payload would fail for ever
	}
	k := busKey{p.Account, p.Region, p.Bus}
	_, d, err := getRule(ctx, tx, k, p.Rule)
	if err != nil {
		return time.Time{}, nil // the rule is gone: the timer ends
	}
	if d.State == "DISABLED" || d.ScheduleExpression == "" {
		return time.Time{}, nil
	}
	e, err := schedule.Parse(d.ScheduleExpression, schedule.Rules)
	if err != nil {
		return time.Time{}, nil
	}
	due := t.DueAt.UTC()
	arn := ruleARN(k, p.Rule)
	ev := envelope{Version: "0", ID: newID(), DetailType: "Scheduled Event", Source: "aws.events", Account: k.account,
		Time: due.Truncate(time.Second).Format(time.RFC3339), Region: k.region, Resources: []string{arn}, Detail: json.RawMessage("{}")}
	body, _ := json.Marshal(ev)
	targets, err := loadTargets(ctx, tx, k, p.Rule)
	if err != nil {
		return time.Time{}, err
	}
	jobs, err := s.jobsFor(k, arn, targets, body)
	if err != nil {
		return time.Time{}, err
	}
	if err := s.disp.Enqueue(ctx, tx, jobs...); err != nil {
		return time.Time{}, err
	}
	next, ok := e.Next(s.clock.Now(), time.UnixMilli(p.Start), time.UTC)
	if !ok {
		return time.Time{}, nil
	}
	return next, nil
}
