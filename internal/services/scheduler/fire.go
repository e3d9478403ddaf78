package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// Job attributes.
const (
	attrSchedule   = "schedule"
	attrTarget     = "target"
	attrDLQ        = "dlq"
	attrGroup      = "group"
	attrExecution  = "execution"
	attrSource     = "source"
	attrDetailType = "detailtype"
	attrDLQAttrs   = "dlqattrs"
)

// attemptPlaceholder is the context attribute resolved at each delivery attempt.
const attemptPlaceholder = "<aws.scheduler.attempt-number>"

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// fire is the timer handler of schedules: it enqueues the invocation of the schedule's
// target and returns the next firing, or ends the schedule (deleting it when its
// ActionAfterCompletion is DELETE).
func (s *Service) fire(ctx context.Context, tx *store.Tx, t *timer.Timer) (time.Time, error) {
	var p scheduleTimer
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return time.Time{}, nil // a corrupt payload would fail for ever
	}
	_, d, err := getSchedule(ctx, tx, p.Account, p.Region, p.Group, p.Name)
	if err != nil {
		return time.Time{}, nil // the schedule is gone
	}
	if d.State != "ENABLED" {
		return time.Time{}, nil
	}
	arn := scheduleARN(p.Account, p.Region, p.Group, p.Name)
	nominal := time.UnixMilli(p.Nominal).UTC()
	job, err := s.job(arn, p.Region, d, nominal)
	if err != nil {
		s.log.Warn("schedule target cannot be invoked", "schedule", arn, "err", err)
	} else if err := s.disp.Enqueue(ctx, tx, job); err != nil {
		return time.Time{}, err
	}
	next, ok := nextFiring(d, nominal, time.UnixMilli(p.Anchor))
	if !ok {
		if d.ActionAfterCompletion == "DELETE" {
			if _, err := tx.SchedulerResourceDelete(ctx, p.Account, p.Region, "schedule", p.Group, p.Name); err != nil {
				return time.Time{}, err
			}
		}
		return time.Time{}, nil
	}
	p.Nominal = next.UnixMilli()
	t.Payload, _ = json.Marshal(p)
	due := next
	if f := d.FlexibleTimeWindow; f != nil && f.MaximumWindowInMinutes != nil && *f.Mode == "FLEXIBLE" {
		due = due.Add(time.Duration(s.deps.RandFunc() * float64(time.Duration(*f.MaximumWindowInMinutes)*time.Minute)))
	}
	if !due.After(s.clock.Now()) {
		// A firing missed while Overcast was down (or the clock jumped) runs once, now.
		due = s.clock.Now()
	}
	return due, nil
}

// job builds the delivery of one invocation of d's target.
func (s *Service) job(arn, region string, d *scheduleDoc, nominal time.Time) (*delivery.Job, error) {
	t := d.Target
	exec := newID()
	input := "{}"
	if t.Input != nil {
		input = *t.Input
	}
	input = strings.NewReplacer(
		"<aws.scheduler.schedule-arn>", arn,
		"<aws.scheduler.scheduled-time>", nominal.Format(time.RFC3339),
		"<aws.scheduler.execution-id>", exec,
	).Replace(input)
	retries, age := 185, delivery.EventBridgeMaxAge
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			retries = int(*rp.MaximumRetryAttempts)
		}
		if rp.MaximumEventAgeInSeconds != nil {
			age = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
		}
	}
	j := &delivery.Job{Dest: *t.ARN, Payload: []byte(input), Policy: delivery.EventBridge(retries, age), Owner: owner,
		Attributes: map[string]string{attrSchedule: arn, attrTarget: *t.ARN, attrExecution: exec}}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.ARN != nil {
		j.Attributes[attrDLQ] = *t.DeadLetterConfig.ARN
	}
	dest := *t.ARN
	if strings.EqualFold(dest, universalSQS) {
		var in struct {
			QueueURL       string `json:"QueueUrl"`
			MessageBody    string `json:"MessageBody"`
			MessageGroupID string `json:"MessageGroupId"`
		}
		if err := json.Unmarshal(j.Payload, &in); err != nil {
			return nil, err
		}
		q, ok := queueARNFromURL(in.QueueURL, region)
		if !ok {
			return nil, fmt.Errorf("bad QueueUrl %q", in.QueueURL)
		}
		j.Target, j.Dest, j.Payload = kindSQS, q, []byte(in.MessageBody)
		if in.MessageGroupID != "" {
			j.Attributes[attrGroup] = in.MessageGroupID
		}
		return j, nil
	}
	if strings.HasPrefix(dest, universalPrefix) {
		j.Target = kindSDK
		return j, nil
	}
	switch strings.SplitN(dest, ":", 4)[2] {
	case "sqs":
		j.Target = kindSQS
		if t.SqsParameters != nil && t.SqsParameters.MessageGroupID != nil {
			j.Attributes[attrGroup] = *t.SqsParameters.MessageGroupID
			j.OrderingKey = "scheduler:" + dest + ":" + *t.SqsParameters.MessageGroupID
		}
	case "sns":
		j.Target = kindSNS
	case "lambda":
		j.Target = kindLambda
	case "states":
		j.Target = kindStates
	case "events":
		j.Target = kindEvents
		j.Attributes[attrSource] = *t.EventBridgeParameters.Source
		j.Attributes[attrDetailType] = *t.EventBridgeParameters.DetailType
	default:
		return nil, fmt.Errorf("unsupported target %s", dest)
	}
	return j, nil
}

func payload(j *delivery.Job) string {
	return strings.ReplaceAll(string(j.Payload), attemptPlaceholder, strconv.Itoa(j.Attempt))
}

// classify marks client errors of the destination as permanent failures.
func classify(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Status >= 400 && pe.Status < 500 && pe.Status != 429 {
		return delivery.Permanent(err)
	}
	return err
}

func (s *Service) deliverSQS(ctx context.Context, j *delivery.Job) error {
	// No deduplication id: FIFO queue targets need content-based deduplication, as on
	// AWS, and SQS refuses the message otherwise.
	var attrs map[string]string
	if a := j.Attributes[attrDLQAttrs]; a != "" {
		_ = json.Unmarshal([]byte(a), &attrs)
	}
	return classify(s.deps.SendToSQS(ctx, j.Dest, payload(j), j.Attributes[attrGroup], "", attrs))
}

// deliverUniversal runs the operation a universal target names, with the target's Input
// as its request, in the schedule's account and region.
func (s *Service) deliverUniversal(ctx context.Context, j *delivery.Job) error {
	service, action, ok := universalParts(j.Dest)
	if !ok || s.deps.Universal == nil {
		return delivery.Permanent(fmt.Errorf("universal target %s is not available", j.Dest))
	}
	parts := strings.SplitN(j.Attributes[attrSchedule], ":", 6)
	if len(parts) < 6 {
		return delivery.Permanent(fmt.Errorf("bad schedule ARN %q", j.Attributes[attrSchedule]))
	}
	return classify(s.deps.Universal.Call(ctx, parts[4], parts[3], service, action, []byte(payload(j))))
}

func (s *Service) deliverSNS(ctx context.Context, j *delivery.Job) error {
	if s.deps.PublishToSNS == nil {
		return delivery.Permanent(errors.New("SNS targets are not available"))
	}
	return classify(s.deps.PublishToSNS(ctx, j.Dest, payload(j), j.Attributes[attrGroup], j.Attributes[attrExecution]))
}

func (s *Service) deliverLambda(ctx context.Context, j *delivery.Job) error {
	if s.deps.InvokeFunction == nil {
		return delivery.Permanent(errors.New("Lambda targets are not available"))
	}
	return classify(s.deps.InvokeFunction(ctx, j.Dest, []byte(payload(j))))
}

func (s *Service) deliverStates(ctx context.Context, j *delivery.Job) error {
	if s.deps.StartExecution == nil {
		return delivery.Permanent(errors.New("Step Functions targets are not available"))
	}
	return classify(s.deps.StartExecution(ctx, j.Dest, payload(j)))
}

func (s *Service) deliverEvents(ctx context.Context, j *delivery.Job) error {
	if s.deps.PutEvent == nil {
		return delivery.Permanent(errors.New("EventBridge targets are not available"))
	}
	return classify(s.deps.PutEvent(ctx, j.Dest, j.Attributes[attrSource], j.Attributes[attrDetailType], payload(j),
		[]string{j.Attributes[attrSchedule]}))
}

// deadLetter sends a finally failed invocation to the target's dead-letter queue with the
// message attributes EventBridge Scheduler sets.
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
func (s *Service) deadLetter(ctx context.Context, tx *store.Tx, j *delivery.Job, f *delivery.Failure) error {
	dlq := j.Attributes[attrDLQ]
	if dlq == "" {
		s.log.Warn("schedule invocation dropped after failed deliveries", "schedule", j.Attributes[attrSchedule], "reason", f.Reason)
		return nil
	}
	code, msg := "SDK_CLIENT_ERROR", "delivery failed"
	if f.Err != nil {
		msg = f.Err.Error()
		var pe *protocol.Error
		if errors.As(f.Err, &pe) {
			code, msg = pe.Code, pe.Message
		}
	}
	attrs, _ := json.Marshal(map[string]string{
		"ERROR_CODE": code, "ERROR_MESSAGE": msg, "EXECUTION_ID": j.Attributes[attrExecution],
		"SCHEDULE_ARN": j.Attributes[attrSchedule], "TARGET_ARN": j.Attributes[attrTarget],
	})
	return s.disp.Enqueue(ctx, tx, &delivery.Job{Target: kindSQS, Dest: dlq, Payload: []byte(payload(j)),
		Policy: delivery.EventBridge(185, delivery.EventBridgeMaxAge), Attributes: map[string]string{attrDLQAttrs: string(attrs)}})
}
