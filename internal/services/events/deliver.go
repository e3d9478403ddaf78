package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// classify marks client errors of the destination (a missing queue, a rejected message)
// as permanent: retrying cannot fix them, and AWS sends such events to the DLQ at once.
func classify(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Status >= 400 && pe.Status < 500 && pe.Status != 429 {
		return delivery.Permanent(err)
	}
	return err
}

func (s *Service) deliverSQS(ctx context.Context, j *delivery.Job) error {
	// No deduplication id: AWS requires FIFO queue targets to have content-based
	// deduplication, and SQS refuses the message otherwise.
	group := j.Attributes[attrGroup]
	var attrs map[string]string
	if a := j.Attributes[attrDLQAttrs]; a != "" {
		_ = json.Unmarshal([]byte(a), &attrs)
	}
	return classify(s.deps.SendToSQS(ctx, j.Dest, string(j.Payload), group, "", attrs))
}

func (s *Service) deliverSNS(ctx context.Context, j *delivery.Job) error {
	if s.deps.PublishToSNS == nil {
		return delivery.Permanent(errors.New("SNS targets are not available"))
	}
	return classify(s.deps.PublishToSNS(ctx, j.Dest, string(j.Payload), j.Attributes[attrGroup], j.Attributes[attrEventID]))
}

func (s *Service) deliverLambda(ctx context.Context, j *delivery.Job) error {
	if s.deps.InvokeFunction == nil {
		return delivery.Permanent(errors.New("Lambda targets are not available"))
	}
	return classify(s.deps.InvokeFunction(ctx, j.Dest, j.Payload))
}

func (s *Service) deliverLogs(ctx context.Context, j *delivery.Job) error {
	if s.deps.EmitLogs == nil {
		return delivery.Permanent(errors.New("CloudWatch Logs targets are not available"))
	}
	parts := strings.SplitN(j.Dest, ":", 6)
	if len(parts) < 6 {
		return delivery.Permanent(fmt.Errorf("bad log group ARN %s", j.Dest))
	}
	stream := j.Attributes[attrEventID]
	return classify(s.deps.EmitLogs(ctx, parts[4], parts[3], logGroupOf(j.Dest), stream, s.now(), []string{string(j.Payload)}))
}

// deliverBus re-injects an event into another bus, possibly of another account or
// region, where that bus's rules route it.
func (s *Service) deliverBus(ctx context.Context, j *delivery.Job) error {
	parts := strings.SplitN(j.Dest, ":", 6)
	if len(parts) < 6 {
		return delivery.Permanent(fmt.Errorf("bad event bus ARN %s", j.Dest))
	}
	k := busKey{account: parts[4], region: parts[3], name: strings.TrimPrefix(parts[5], "event-bus/")}
	event := j.Payload
	if j.Attributes[attrReplica] == "" {
		event = newIDAcrossRegions(event, k.region)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, _, err := getBus(ctx, tx, k); err != nil {
			return delivery.Permanent(err)
		}
		return s.route(ctx, tx, k, event)
	})
}

// newIDAcrossRegions gives an event that a rule's target sends into another region a new
// id, as AWS does; within a region (to another account's bus too) the event keeps its id.
// Either way it keeps the account and region it was put in.
func newIDAcrossRegions(event []byte, region string) []byte {
	var env struct {
		ID     json.RawMessage `json:"id"`
		Region string          `json:"region"`
	}
	if json.Unmarshal(event, &env) != nil || env.Region == "" || env.Region == region || len(env.ID) == 0 {
		return event
	}
	// "version" is the only member before "id", so the first match is the event's own.
	id, _ := json.Marshal(newID())
	return bytes.Replace(event, append([]byte(`"id":`), env.ID...), append([]byte(`"id":`), id...), 1)
}

// deadLetter sends a finally failed event to its target's dead-letter queue, with the
// message attributes EventBridge sets there.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func (s *Service) deadLetter(ctx context.Context, tx *store.Tx, j *delivery.Job, f *delivery.Failure) error {
	dlq := j.Attributes[attrDLQ]
	if dlq == "" {
		s.log.Warn("event dropped after failed deliveries", "target", j.Dest, "rule", j.Attributes[attrRule], "reason", f.Reason)
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
	condition := "MaximumRetryAttempts"
	if f.Reason == delivery.EventAgeExceeded {
		condition = "MaximumEventAgeInSeconds"
	}
	attrs, _ := json.Marshal(map[string]string{
		"ERROR_CODE": code, "ERROR_MESSAGE": msg, "EXHAUSTED_RETRY_CONDITION": condition,
		"RETRY_ATTEMPTS": strconv.Itoa(max(f.Attempts-1, 0)), "RULE_ARN": j.Attributes[attrRule], "TARGET_ARN": j.Attributes[attrTarget],
	})
	body := j.Attributes[attrOriginal]
	if body == "" {
		body = string(j.Payload)
	}
	return s.disp.Enqueue(ctx, tx, &delivery.Job{Target: kindSQS, Dest: dlq, Payload: []byte(body),
		Policy:     delivery.EventBridge(185, delivery.EventBridgeMaxAge),
		Attributes: map[string]string{attrDLQAttrs: string(attrs)}})
}
