package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

// maxPutEventsSize is AWS's limit on the total size of one PutEvents call (1 MiB since
// January 2026), computed as AWS documents it for each entry.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
const maxPutEventsSize = 1 << 20

// envelope is an event as rules and targets see it, fields in AWS's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func entrySize(e *PutEventsRequestEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	n += len(deref(e.Source)) + len(deref(e.DetailType)) + len(deref(e.Detail))
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// entryError is a per-entry failure of PutEvents.
type entryError struct{ code, msg string }

func checkEntry(e *PutEventsRequestEntry) *entryError {
	switch {
	case deref(e.Source) == "":
		return &entryError{"InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."}
	case deref(e.DetailType) == "":
		return &entryError{"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."}
	case deref(e.Detail) == "":
		return &entryError{"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*e.Detail), &obj); err != nil || obj == nil {
		return &entryError{"MalformedDetail", "Detail is malformed."}
	}
	return nil
}

// PutEvents matches each entry against the rules of its bus and queues a delivery to
// every target of every matching rule. Failed entries are reported in Entries.
func (s *Service) PutEvents(ctx context.Context, in *PutEventsInput) (*PutEventsOutput, error) {
	total := 0
	for _, e := range in.Entries {
		total += entrySize(e)
	}
	if total > s.deps.MaxPutEventsBytes {
		return nil, NewValidationException("Total size of the entries in the request is over the limit.")
	}
	c := callOf(ctx)
	var route *endpointRoute
	if in.EndpointID != nil {
		var err error
		if route, err = s.endpointByID(ctx, *in.EndpointID); err != nil {
			return nil, err
		}
	}
	now := s.now()
	out := &PutEventsOutput{Entries: make([]*PutEventsResultEntry, len(in.Entries))}
	events := make([][]byte, len(in.Entries))
	keys := make([]busKey, len(in.Entries))
	for i, e := range in.Entries {
		if ee := checkEntry(e); ee != nil {
			out.Entries[i] = &PutEventsResultEntry{ErrorCode: &ee.code, ErrorMessage: &ee.msg}
			continue
		}
		keys[i] = busRef(ctx, e.EventBusName)
		if route != nil {
			keys[i] = route.primary
		}
		t := now
		if e.Time != nil {
			t = e.Time.UTC()
		}
		ev := envelope{Version: "0", ID: newID(), DetailType: *e.DetailType, Source: *e.Source, Account: c.Account,
			Time: t.Truncate(time.Second).Format(time.RFC3339), Region: keys[i].region, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
		if ev.Resources == nil {
			ev.Resources = []string{}
		}
		events[i], _ = json.Marshal(ev)
		out.Entries[i] = &PutEventsResultEntry{EventID: ptr(ev.ID)}
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for i := range in.Entries {
			if events[i] == nil {
				continue
			}
			if _, _, err := getBus(ctx, tx, keys[i]); err != nil {
				// AWS accepts an entry for a bus that does not exist: it gets an EventId,
				// counts as successful and goes nowhere.
				if isNotFound(err) {
					continue
				}
				return err
			}
			if err := s.route(ctx, tx, keys[i], events[i]); err != nil {
				return err
			}
			if route != nil && route.secondary != nil {
				if err := s.replicate(ctx, tx, *route.secondary, events[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("put events: %w", err)
	}
	failed := int32(0)
	for _, e := range out.Entries {
		if e.ErrorCode != nil {
			failed++
		}
	}
	out.FailedEntryCount = &failed
	return out, nil
}

// route matches event against the rules of bus k and enqueues, in tx, a job for each
// target of each matching rule.
func (s *Service) route(ctx context.Context, tx *store.Tx, k busKey, event []byte) error {
	return s.routeWith(ctx, tx, k, event, nil)
}

// routeWith is route for a replay when only is not nil: the event is not archived again
// and reaches only the rules whose ARNs only holds (every rule when it is empty).
func (s *Service) routeWith(ctx context.Context, tx *store.Tx, k busKey, event []byte, only map[string]bool) error {
	b, err := s.busRules(ctx, tx, k)
	if err != nil {
		return err
	}
	if only == nil {
		if err := s.archive(ctx, tx, k, b, event); err != nil {
			return err
		}
	}
	if b.matcher.Len() == 0 {
		return nil
	}
	names, err := b.matcher.Match(event, nil)
	if err != nil {
		return nil // an event the matcher cannot read matches nothing
	}
	var jobs []*delivery.Job
	for _, name := range names {
		r := b.rules[name]
		if len(only) > 0 && !only[r.arn] {
			continue
		}
		js, err := s.jobsFor(k, r.arn, r.targets, event)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	return s.disp.Enqueue(ctx, tx, jobs...)
}

// Job attributes.
const (
	attrRule     = "rule"
	attrTarget   = "target"
	attrDLQ      = "dlq"
	attrGroup    = "group"
	attrEventID  = "id"
	attrOriginal = "event"
	attrDLQAttrs = "dlqattrs"
	attrStream   = "stream"
	attrHTTP     = "http"
	// attrReplica marks a global endpoint's copy of an event for its secondary region,
	// which keeps the event's id.
	attrReplica = "replica"
)

// jobsFor builds the delivery jobs of one event for the targets of one rule.
func (s *Service) jobsFor(k busKey, ruleARN string, targets []*Target, event []byte) ([]*delivery.Job, error) {
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &ev)
	ruleName := ruleARN[strings.LastIndexByte(ruleARN, '/')+1:]
	jobs := make([]*delivery.Job, 0, len(targets))
	for _, t := range targets {
		body := string(event)
		switch {
		case t.Input != nil:
			body = *t.Input
		case t.InputPath != nil:
			body = applyInputPath(event, *t.InputPath)
		case t.InputTransformer != nil:
			body = applyTransformer(event, t.InputTransformer.InputPathsMap, deref(t.InputTransformer.InputTemplate),
				transformContext{ruleARN: ruleARN, ruleName: ruleName, ingested: s.now()})
		}
		retries, age := 185, delivery.EventBridgeMaxAge
		if rp := t.RetryPolicy; rp != nil {
			if rp.MaximumRetryAttempts != nil {
				retries = int(*rp.MaximumRetryAttempts)
			}
			if rp.MaximumEventAgeInSeconds != nil {
				age = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
			}
		}
		j := &delivery.Job{Dest: *t.ARN, Payload: []byte(body), Policy: delivery.EventBridge(retries, age), Owner: owner,
			Attributes: map[string]string{attrRule: ruleARN, attrTarget: *t.ARN, attrEventID: ev.ID}}
		if t.DeadLetterConfig != nil && t.DeadLetterConfig.ARN != nil {
			j.Attributes[attrDLQ] = *t.DeadLetterConfig.ARN
			j.Attributes[attrOriginal] = string(event)
		}
		switch targetService(*t.ARN) {
		case "sqs":
			j.Target = kindSQS
			if t.SqsParameters != nil && t.SqsParameters.MessageGroupID != nil {
				j.Attributes[attrGroup] = *t.SqsParameters.MessageGroupID
				j.OrderingKey = "events:" + *t.ARN + ":" + *t.SqsParameters.MessageGroupID
			}
		case "sns":
			j.Target = kindSNS
		case "events":
			j.Target = kindBus
			if strings.Contains(*t.ARN, ":api-destination/") {
				j.Target = kindHTTP
				if t.HTTPParameters != nil {
					hp, _ := json.Marshal(t.HTTPParameters)
					j.Attributes[attrHTTP] = string(hp)
				}
			}
		case "logs":
			j.Target = kindLogs
		case "lambda":
			j.Target = kindLambda
		default:
			continue
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// PutSystemEvent puts an event from one of Overcast's own services (source "aws.s3",
// "aws.states", ...) on the default bus of account and region. detail is marshalled to
// JSON. It is the in-process equivalent of AWS services emitting their events.
func (s *Service) PutSystemEvent(ctx context.Context, account, region, source, detailType string, resources []string, detail any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("marshal %s event: %w", source, err)
	}
	if resources == nil {
		resources = []string{}
	}
	ev := envelope{Version: "0", ID: newID(), DetailType: detailType, Source: source, Account: account,
		Time: s.now().Truncate(time.Second).Format(time.RFC3339), Region: region, Resources: resources, Detail: d}
	body, _ := json.Marshal(ev)
	k := busKey{account, region, defaultBus}
	return s.db.Write(ctx, func(tx *store.Tx) error { return s.route(ctx, tx, k, body) })
}

// PutEventToBus puts one event on the bus named by busARN on behalf of another Overcast
// service (EventBridge Scheduler targets). detail must be a JSON object. It returns
// ResourceNotFoundException when the bus does not exist.
func (s *Service) PutEventToBus(ctx context.Context, busARN, source, detailType, detail string, resources []string) error {
	parts := strings.SplitN(busARN, ":", 6)
	if len(parts) < 6 || !strings.HasPrefix(parts[5], "event-bus/") {
		return NewValidationException(fmt.Sprintf("Parameter %s is not valid for EventBusName.", busARN))
	}
	k := busKey{account: parts[4], region: parts[3], name: strings.TrimPrefix(parts[5], "event-bus/")}
	e := &PutEventsRequestEntry{Source: &source, DetailType: &detailType, Detail: &detail}
	if ee := checkEntry(e); ee != nil {
		return NewValidationException(ee.msg)
	}
	if resources == nil {
		resources = []string{}
	}
	ev := envelope{Version: "0", ID: newID(), DetailType: detailType, Source: source, Account: k.account,
		Time: s.now().Truncate(time.Second).Format(time.RFC3339), Region: k.region, Resources: resources, Detail: json.RawMessage(detail)}
	body, _ := json.Marshal(ev)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, _, err := getBus(ctx, tx, k); err != nil {
			return err
		}
		return s.route(ctx, tx, k, body)
	})
}
