package events

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// maxTargets is AWS's limit of targets per rule.
const maxTargets = 5

var placeholder = regexp.MustCompile(`<[^<>]+>`)

// loadBusTargets reads the targets of every rule of bus k in one query, by rule name.
func loadBusTargets(ctx context.Context, tx *store.Tx, k busKey) (map[string][]*Target, error) {
	prefix := k.name + "/"
	rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "target", ParentPrefix: prefix})
	if err != nil {
		return nil, err
	}
	out := map[string][]*Target{}
	for _, r := range rows {
		rule := strings.TrimPrefix(r.Parent, prefix)
		if strings.Contains(rule, "/") {
			continue // a rule of another bus whose name extends this one's ("a/b" under "a")
		}
		var t Target
		if err := json.Unmarshal([]byte(r.Doc), &t); err != nil {
			return nil, fmt.Errorf("decode target %s: %w", r.Name, err)
		}
		out[rule] = append(out[rule], &t)
	}
	return out, nil
}

func loadTargets(ctx context.Context, tx *store.Tx, k busKey, rule string) ([]*Target, error) {
	parent := k.name + "/" + rule
	rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "target", Parent: &parent})
	if err != nil {
		return nil, err
	}
	out := make([]*Target, 0, len(rows))
	for _, r := range rows {
		var t Target
		if err := json.Unmarshal([]byte(r.Doc), &t); err != nil {
			return nil, fmt.Errorf("decode target %s: %w", r.Name, err)
		}
		out = append(out, &t)
	}
	return out, nil
}

// targetService returns the service part of an ARN ("sqs", "sns", "events", ...).
func targetService(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// checkTarget returns why t cannot be accepted, or "" when it can.
func (s *Service) checkTarget(t *Target) string {
	arn := *t.ARN
	switch svc := targetService(arn); svc {
	case "sqs":
		if s.deps.SendToSQS == nil {
			return "SQS targets are not available."
		}
	case "sns":
		if s.deps.PublishToSNS == nil {
			return "Amazon SNS targets are not supported by Overcast yet."
		}
	case "events":
		if strings.Contains(arn, ":api-destination/") {
			break
		}
		if !strings.Contains(arn, ":event-bus/") {
			return fmt.Sprintf("Target %s is not an event bus; Overcast delivers to event buses only among EventBridge resources.", arn)
		}
	case "lambda":
		if s.deps.InvokeFunction == nil {
			return "AWS Lambda targets are not supported by Overcast yet."
		}
	case "logs":
		if s.deps.EmitLogs == nil || logGroupOf(arn) == "" {
			return "CloudWatch Logs targets are not supported by Overcast yet."
		}
	case "":
		return fmt.Sprintf("Parameter %s is not valid for Arn.", arn)
	default:
		return fmt.Sprintf("Targets of service %s are not supported by Overcast yet.", svc)
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.ARN != nil && targetService(*t.DeadLetterConfig.ARN) != "sqs" {
		return "DeadLetterConfig Arn must be an Amazon SQS queue ARN."
	}
	return ""
}

// validateTargetInput checks the input members of a target, which fail the whole call.
func validateTargetInput(t *Target) error {
	// A FIFO queue needs the message group of SqsParameters: AWS refuses the call
	// rather than fail every delivery.
	if targetService(*t.ARN) == "sqs" && strings.HasSuffix(*t.ARN, ".fifo") && t.SqsParameters == nil {
		return NewValidationException(fmt.Sprintf("Parameter(s) SqsParameters must be specified for target: %s.", *t.ID))
	}
	n := 0
	if t.Input != nil {
		n++
		if !json.Valid([]byte(*t.Input)) {
			return NewValidationException("Parameter Input is not valid.")
		}
	}
	if t.InputPath != nil {
		n++
		if !validPath(*t.InputPath) {
			return NewValidationException("Parameter InputPath is not valid.")
		}
	}
	if t.InputTransformer != nil {
		n++
		if err := checkTemplatePlaceholders(*t.ID, t.InputTransformer); err != nil {
			return err
		}
		if len(t.InputTransformer.InputPathsMap) > 100 {
			return NewValidationException("Parameter InputPathsMap is not valid. Reason: The maximum number of entries is 100.")
		}
		for name, p := range t.InputTransformer.InputPathsMap {
			if strings.HasPrefix(name, "aws.") {
				return NewValidationException(fmt.Sprintf("Parameter InputPathsMap is not valid. Reason: Key '%s' is reserved.", name))
			}
			if !validPath(p) {
				return NewValidationException(fmt.Sprintf("Parameter InputPathsMap is not valid. Reason: Value '%s' for key '%s' is not a valid JSON path.", p, name))
			}
		}
	}
	if n > 1 {
		return NewValidationException(fmt.Sprintf("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", *t.ID))
	}
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil && (*rp.MaximumRetryAttempts < 0 || *rp.MaximumRetryAttempts > 185) {
			return NewValidationException("Parameter MaximumRetryAttempts is not valid.")
		}
		if rp.MaximumEventAgeInSeconds != nil && (*rp.MaximumEventAgeInSeconds < 60 || *rp.MaximumEventAgeInSeconds > 86400) {
			return NewValidationException("Parameter MaximumEventAgeInSeconds is not valid.")
		}
	}
	return nil
}

// PutTargets adds or replaces targets of a rule. Targets Overcast cannot deliver to are
// reported in FailedEntries and not stored.
func (s *Service) PutTargets(ctx context.Context, in *PutTargetsInput) (*PutTargetsOutput, error) {
	k := busRef(ctx, in.EventBusName)
	rule := *in.Rule
	for _, t := range in.Targets {
		if err := validateTargetInput(t); err != nil {
			return nil, err
		}
	}
	out := &PutTargetsOutput{}
	now := s.now().UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		out.FailedEntries = nil
		if _, _, err := getRule(ctx, tx, k, rule); err != nil {
			return err
		}
		existing, err := loadTargets(ctx, tx, k, rule)
		if err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, t := range existing {
			ids[*t.ID] = true
		}
		parent := k.name + "/" + rule
		for _, t := range in.Targets {
			if why := s.checkTarget(t); why != "" {
				out.FailedEntries = append(out.FailedEntries, &PutTargetsResultEntry{TargetID: t.ID, ErrorCode: ptr("ValidationException"), ErrorMessage: ptr(why)})
				continue
			}
			if !ids[*t.ID] && len(ids) >= maxTargets {
				return NewLimitExceededException("The requested resource exceeds the maximum number allowed.")
			}
			ids[*t.ID] = true
			doc, err := json.Marshal(t)
			if err != nil {
				return err
			}
			if err := tx.EventsResourcePut(ctx, &store.Resource{Account: k.account, Region: k.region, Kind: "target", Parent: parent,
				Name: *t.ID, Ref: *t.ARN, Doc: string(doc), CreatedAt: now, ModifiedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, k)
	out.FailedEntryCount = ptr(int32(len(out.FailedEntries)))
	return out, nil
}

// RemoveTargets removes targets from a rule; unknown ids are reported in FailedEntries.
func (s *Service) RemoveTargets(ctx context.Context, in *RemoveTargetsInput) (*RemoveTargetsOutput, error) {
	k := busRef(ctx, in.EventBusName)
	out := &RemoveTargetsOutput{}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		out.FailedEntries = nil
		if _, _, err := getRule(ctx, tx, k, *in.Rule); err != nil {
			return err
		}
		for _, id := range in.IDs {
			found, err := tx.EventsResourceDelete(ctx, k.account, k.region, "target", k.name+"/"+*in.Rule, id)
			if err != nil {
				return err
			}
			if !found {
				out.FailedEntries = append(out.FailedEntries, &RemoveTargetsResultEntry{TargetID: ptr(id),
					ErrorCode: ptr("ResourceNotFoundException"), ErrorMessage: ptr(fmt.Sprintf("Target %s does not exist.", id))})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, k)
	out.FailedEntryCount = ptr(int32(len(out.FailedEntries)))
	return out, nil
}

// ListTargetsByRule lists a rule's targets.
func (s *Service) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	k := busRef(ctx, in.EventBusName)
	var targets []*Target
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, _, err := getRule(ctx, tx, k, *in.Rule); err != nil {
			return err
		}
		var err error
		targets, err = loadTargets(ctx, tx, k, *in.Rule)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(targets, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListTargetsByRuleOutput{Targets: page, NextToken: next}, nil
}

// ListRuleNamesByTarget lists the rules of a bus that have a target with the given ARN.
func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetInput) (*ListRuleNamesByTargetOutput, error) {
	k := busRef(ctx, in.EventBusName)
	var names []string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "target", Ref: *in.TargetARN})
		seen := map[string]bool{}
		for _, r := range rows {
			// Bus names may hold "/", rule names may not.
			i := strings.LastIndexByte(r.Parent, '/')
			if i < 0 {
				continue
			}
			bus, rule := r.Parent[:i], r.Parent[i+1:]
			if bus == k.name && !seen[rule] {
				seen[rule] = true
				names = append(names, rule)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListRuleNamesByTargetOutput{RuleNames: page, NextToken: next}, nil
}

// logGroupOf returns the log group named by a CloudWatch Logs ARN.
func logGroupOf(arn string) string {
	_, rest, ok := strings.Cut(arn, ":log-group:")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSuffix(rest, ":*"), ":")
}
