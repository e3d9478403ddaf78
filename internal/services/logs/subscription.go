package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// maxSubscriptionFilters is how many subscription filters a log group may have, as in
// AWS.
const maxSubscriptionFilters = 2

// msgLambdaNotInvocable is AWS's answer when the destination function cannot be invoked.
const msgLambdaNotInvocable = "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."

// msgCrossAccountLambda is AWS's answer to a subscription filter naming a function of
// another account directly rather than through a logs destination.
const msgCrossAccountLambda = "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers."

// subscriptionDoc is the stored document of a subscription filter.
type subscriptionDoc struct {
	FilterPattern          string   `json:"filterPattern"`
	DestinationARN         string   `json:"destinationArn"`
	RoleARN                string   `json:"roleArn,omitempty"`
	Distribution           string   `json:"distribution"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs,omitempty"`
	FieldSelectionCriteria string   `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string `json:"emitSystemFields,omitempty"`
}

// checkDestination accepts a Lambda function of the caller's account and region that
// exists, and refuses the destinations Overcast does not deliver to yet.
func (s *Service) checkDestination(ctx context.Context, c *protocol.Call, arn string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return NewInvalidParameterException(fmt.Sprintf("Invalid destinationArn: %s", arn))
	}
	switch parts[2] {
	case "lambda":
	case "kinesis":
		return NewInvalidParameterException("Kinesis Data Streams destinations of subscription filters are not served by Overcast yet; use a Lambda function.")
	case "firehose":
		return NewInvalidParameterException("Amazon Data Firehose destinations of subscription filters are not served by Overcast yet; use a Lambda function.")
	case "logs":
		return s.checkLogsDestination(ctx, c, arn)
	default:
		return NewInvalidParameterException(fmt.Sprintf("Invalid destinationArn: %s", arn))
	}
	if len(parts) < 7 || parts[5] != "function" || parts[3] != c.Region || parts[4] != c.Account || s.fns == nil {
		return NewInvalidParameterException(msgLambdaNotInvocable)
	}
	ok, err := s.fns.FunctionExists(ctx, arn)
	if err != nil {
		return fmt.Errorf("check subscription destination %s: %w", arn, err)
	}
	if !ok {
		return NewInvalidParameterException(msgLambdaNotInvocable)
	}
	return nil
}

// checkDestinationForm refuses what AWS refuses from the destination ARN and roleArn
// alone: a function of another account (which must be reached through a logs
// destination), and a Kinesis or Firehose destination without a role to write with.
func checkDestinationForm(c *protocol.Call, arn string, roleARN *string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return nil
	}
	switch parts[2] {
	case "lambda":
		if parts[4] != c.Account {
			return NewAccessDeniedException(msgCrossAccountLambda)
		}
	case "kinesis", "firehose":
		if roleARN == nil || *roleARN == "" {
			return NewInvalidParameterException(fmt.Sprintf("destinationArn for vendor %s cannot be used without roleArn", parts[2]))
		}
	}
	return nil
}

// PutSubscriptionFilter creates or replaces a subscription filter of a log group. Events
// that match it, from PutLogEvents and from the logs of Overcast's own services (Lambda
// functions), are delivered to its Lambda function as AWS delivers them.
func (s *Service) PutSubscriptionFilter(ctx context.Context, in *PutSubscriptionFilterInput) (*PutSubscriptionFilterOutput, error) {
	c := callOf(ctx)
	if _, err := compilePattern(*in.FilterPattern); err != nil {
		return nil, err
	}
	// AWS checks the destination's form before it looks the log group up.
	if err := checkDestinationForm(c, *in.DestinationARN, in.RoleARN); err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if err := s.checkDestination(ctx, c, *in.DestinationARN); err != nil {
		return nil, err
	}
	dist := "ByLogStream"
	if in.Distribution != nil {
		dist = *in.Distribution
	}
	doc, err := encodeDoc(&subscriptionDoc{
		FilterPattern:          *in.FilterPattern,
		DestinationARN:         *in.DestinationARN,
		RoleARN:                deref(in.RoleARN),
		Distribution:           dist,
		ApplyOnTransformedLogs: in.ApplyOnTransformedLogs != nil && *in.ApplyOnTransformedLogs,
		FieldSelectionCriteria: deref(in.FieldSelectionCriteria),
		EmitSystemFields:       in.EmitSystemFields,
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		parent := g.Name
		existing, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindSubscriptionFilter, Parent: &parent})
		if err != nil {
			return err
		}
		created := now
		found := false
		for _, r := range existing {
			if r.Name == *in.FilterName {
				created, found = r.CreatedAt, true
			}
		}
		if !found && len(existing) >= maxSubscriptionFilters {
			return NewLimitExceededException(msgLimitExceeded)
		}
		return tx.LogsResourcePut(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindSubscriptionFilter,
			Parent: g.Name, Name: *in.FilterName, Ref: *in.DestinationARN, Doc: doc, CreatedAt: created, ModifiedAt: now})
	})
	s.subs.forget(groupKey{c.Account, c.Region, g.Name})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutSubscriptionFilterOutput{}, nil
}

// DescribeSubscriptionFilters lists the subscription filters of a log group in byte
// order of name.
func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *DescribeSubscriptionFiltersInput) (*DescribeSubscriptionFiltersOutput, error) {
	c := callOf(ctx)
	after, err := parsePageToken(kindSubscriptionFilter, in.NextToken)
	if err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	rows, err := s.listResources(ctx, c, kindSubscriptionFilter, &g.Name, deref(in.FilterNamePrefix), after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &DescribeSubscriptionFiltersOutput{SubscriptionFilters: []*SubscriptionFilter{}}
	for i, r := range rows {
		if i == limit {
			out.NextToken = ptr(pageToken(kindSubscriptionFilter, rows[i-1].Name))
			break
		}
		var d subscriptionDoc
		if err := decodeDoc(r, &d); err != nil {
			return nil, err
		}
		sf := &SubscriptionFilter{
			FilterName:             ptr(r.Name),
			LogGroupName:           ptr(r.Parent),
			FilterPattern:          ptr(d.FilterPattern),
			DestinationARN:         ptr(d.DestinationARN),
			Distribution:           ptr(d.Distribution),
			ApplyOnTransformedLogs: ptr(d.ApplyOnTransformedLogs),
			CreationTime:           ptr(r.CreatedAt),
			EmitSystemFields:       d.EmitSystemFields,
		}
		if d.RoleARN != "" {
			sf.RoleARN = ptr(d.RoleARN)
		}
		if d.FieldSelectionCriteria != "" {
			sf.FieldSelectionCriteria = ptr(d.FieldSelectionCriteria)
		}
		out.SubscriptionFilters = append(out.SubscriptionFilters, sf)
	}
	return out, nil
}

// DeleteSubscriptionFilter deletes a subscription filter of a log group.
func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *DeleteSubscriptionFilterInput) (*DeleteSubscriptionFilterOutput, error) {
	c := callOf(ctx)
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	err = s.deleteResource(ctx, c, kindSubscriptionFilter, g.Name, *in.FilterName, NewResourceNotFoundException(msgSubFilterNotFound))
	s.subs.forget(groupKey{c.Account, c.Region, g.Name})
	if err != nil {
		return nil, err
	}
	return &DeleteSubscriptionFilterOutput{}, nil
}

// appended describes events just stored in a stream, for subscription delivery.
type appended struct {
	account, region, group, stream string
	streamID, seq                  int64
	events                         []store.LogsNewEvent
	// emitted marks logs written by Overcast's own services (Emit) rather than by a client.
	emitted bool
}

// subscriptionEvent is one event of a delivery, in AWS's format.
type subscriptionEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// subscriptionMessage is the document a delivery carries, gzipped and base64-encoded.
type subscriptionMessage struct {
	MessageType         string              `json:"messageType"`
	Owner               string              `json:"owner"`
	LogGroup            string              `json:"logGroup"`
	LogStream           string              `json:"logStream"`
	SubscriptionFilters []string            `json:"subscriptionFilters"`
	LogEvents           []subscriptionEvent `json:"logEvents"`
}

// deliver hands the events of a that match the group's subscription filters to their
// destinations. Failures are logged, never returned: the events are stored, and the
// caller's write succeeded.
func (s *Service) deliver(ctx context.Context, a *appended) {
	if s.fns == nil || len(a.events) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	filters, err := s.subscriptionFilters(ctx, groupKey{a.account, a.region, a.group})
	if err != nil {
		s.log.Warn("read subscription filters", "group", a.group, "err", err)
		return
	}
	for _, f := range filters {
		if f.pattern == nil {
			continue
		}
		// A logs destination forwards to its target; a deleted one delivers nothing.
		target, ok, err := s.resolveDestination(ctx, f.doc.DestinationARN)
		if err != nil {
			s.log.Warn("read subscription destination", "group", a.group, "filter", f.name, "err", err)
			continue
		}
		if !ok {
			continue
		}
		// A function subscribed to its own log group would receive its own output, write
		// more of it, and so on for ever: its own logs are never delivered to it.
		if a.emitted && isOwnLogGroup(target, a.group) {
			continue
		}
		var evs []subscriptionEvent
		for i, e := range a.events {
			if f.pattern.Match(e.Message) {
				evs = append(evs, subscriptionEvent{ID: deliveryEventID(a, i), Timestamp: e.Timestamp, Message: e.Message})
			}
		}
		if len(evs) == 0 {
			continue
		}
		msg := &subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: a.account, LogGroup: a.group, LogStream: a.stream,
			SubscriptionFilters: []string{f.name}}
		if err := s.send(ctx, target, msg, evs); err != nil {
			s.log.Warn("deliver to subscription filter", "group", a.group, "filter", f.name, "destination", f.doc.DestinationARN, "err", err)
		}
	}
}

// send delivers evs under msg, in as many invocations as the payload limit needs.
func (s *Service) send(ctx context.Context, dest string, msg *subscriptionMessage, evs []subscriptionEvent) error {
	msg.LogEvents = evs
	payload, err := subscriptionPayload(msg)
	if err != nil {
		return err
	}
	if len(payload) > s.cfg.MaxDeliveryPayload && len(evs) > 1 {
		half := len(evs) / 2
		if err := s.send(ctx, dest, msg, evs[:half]); err != nil {
			return err
		}
		return s.send(ctx, dest, msg, evs[half:])
	}
	return s.fns.InvokeAsync(ctx, dest, payload)
}

// subscriptionPayload renders a delivery as Lambda receives it:
// {"awslogs":{"data":base64(gzip(JSON))}}.
func subscriptionPayload(msg *subscriptionMessage) ([]byte, error) {
	doc, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode subscription message: %w", err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(doc); err != nil {
		return nil, fmt.Errorf("compress subscription message: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress subscription message: %w", err)
	}
	return json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(buf.Bytes())}})
}

// deliveryEventID is the 56-digit id of the i-th event of an append: its timestamp, then
// the stream, the append and the position in it.
func deliveryEventID(a *appended, i int) string {
	return fmt.Sprintf("%032d%012d%06d%06d", a.events[i].Timestamp, a.streamID%1_000_000_000_000, a.seq%1_000_000, i%1_000_000)
}

// isOwnLogGroup reports whether group is the log group of the Lambda function
// functionARN names.
func isOwnLogGroup(functionARN, group string) bool {
	parts := strings.Split(functionARN, ":")
	return len(parts) >= 7 && parts[2] == "lambda" && group == "/aws/lambda/"+parts[6]
}
