package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// kindDestination is the kind of the account-wide (parent "") rows of destinations: the
// receiving end of cross-account subscriptions. Ref holds the target ARN.
const kindDestination = "destination"

// msgTestMessageNotDelivered is AWS's answer when PutSubscriptionFilter cannot reach
// the destination it names.
const msgTestMessageNotDelivered = "Could not deliver test message to specified destination. Check if the destination is valid."

// errNotAuthorizedToSubscribe refuses a subscription of account to another account's
// destination whose access policy does not let it subscribe.
func errNotAuthorizedToSubscribe(account, arn string) *protocol.Error {
	return NewAccessDeniedException(fmt.Sprintf("User with accountId: %s is not authorized to perform: logs:PutSubscriptionFilter on resource: %s", account, arn))
}

// policyAllowsSubscription reports whether an access policy has an Allow statement that
// lets account call logs:PutSubscriptionFilter: its principal is "*", the account id or
// the account's root ARN, and its action is that action, "logs:*" or "*". Conditions
// (aws:PrincipalOrgID) are not evaluated: a statement with one allows.
func policyAllowsSubscription(policy, account string) bool {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []struct {
		Effect    string
		Principal json.RawMessage
		Action    json.RawMessage
	}
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one struct {
			Effect    string
			Principal json.RawMessage
			Action    json.RawMessage
		}
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = append(stmts, one)
	}
	for _, st := range stmts {
		if st.Effect != "Allow" {
			continue
		}
		principalOK := false
		for _, p := range policyStrings(st.Principal, "AWS") {
			if p == "*" || p == account || p == "arn:aws:iam::"+account+":root" {
				principalOK = true
			}
		}
		actionOK := false
		for _, a := range policyStrings(st.Action, "") {
			if a == "*" || strings.EqualFold(a, "logs:*") || strings.EqualFold(a, "logs:PutSubscriptionFilter") {
				actionOK = true
			}
		}
		if principalOK && actionOK {
			return true
		}
	}
	return false
}

// policyStrings reads a policy element that is a string, a list of strings or, when key
// is set, an object whose key member is one of those.
func policyStrings(raw json.RawMessage, key string) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	if key != "" {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil {
			if v, ok := obj[key]; ok {
				return policyStrings(v, "")
			}
		}
	}
	return nil
}

// msgDestinationNotFound is AWS's answer for a destination that does not exist.
const msgDestinationNotFound = "The specified destination does not exist."

// destinationDoc is the stored document of a destination.
type destinationDoc struct {
	TargetARN    string            `json:"targetArn"`
	RoleARN      string            `json:"roleArn"`
	AccessPolicy string            `json:"accessPolicy,omitempty"`
	ForceUpdate  bool              `json:"forceUpdate,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// destinationARN is the ARN of the destination name of account in region.
func destinationARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:destination:%s", region, account, name)
}

// wireDestination renders a stored destination.
func wireDestination(r *store.Resource) (*Destination, error) {
	var d destinationDoc
	if err := decodeDoc(r, &d); err != nil {
		return nil, err
	}
	out := &Destination{
		DestinationName: ptr(r.Name),
		TargetARN:       ptr(d.TargetARN),
		RoleARN:         ptr(d.RoleARN),
		ARN:             ptr(destinationARN(r.Region, r.Account, r.Name)),
		CreationTime:    ptr(r.CreatedAt),
	}
	if d.AccessPolicy != "" {
		out.AccessPolicy = ptr(d.AccessPolicy)
	}
	return out, nil
}

// checkTargetARN accepts the ARN of a resource a destination may forward to: a Kinesis
// data stream, a Firehose delivery stream or a Lambda function. Targets Overcast does not
// serve are stored as AWS stores them.
func checkTargetARN(arn string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" || parts[2] == "" {
		return NewInvalidParameterException(fmt.Sprintf("Invalid targetArn: %s", arn))
	}
	return nil
}

// getDestination reads a destination of account in region.
func (s *Service) getDestination(ctx context.Context, account, region, name string) (*store.Resource, error) {
	var r *store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.LogsResourceGet(ctx, account, region, kindDestination, "", name)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewResourceNotFoundException(msgDestinationNotFound)
	case err != nil:
		return nil, fmt.Errorf("read destination %s: %w", name, err)
	}
	return r, nil
}

// PutDestination creates a destination, or changes the target and role of an existing
// one (its access policy, tags and creation time stay).
func (s *Service) PutDestination(ctx context.Context, in *PutDestinationInput) (*PutDestinationOutput, error) {
	c := callOf(ctx)
	if err := checkTargetARN(*in.TargetARN); err != nil {
		return nil, err
	}
	if _, err := checkTags(in.Tags, nil); err != nil {
		return nil, err
	}
	now := s.now()
	var saved *store.Resource
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d := destinationDoc{Tags: in.Tags}
		created := now
		r, err := tx.LogsResourceGet(ctx, c.Account, c.Region, kindDestination, "", *in.DestinationName)
		switch {
		case err == nil:
			if err := decodeDoc(r, &d); err != nil {
				return err
			}
			created = r.CreatedAt
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		d.TargetARN, d.RoleARN = *in.TargetARN, *in.RoleARN
		doc, err := encodeDoc(&d)
		if err != nil {
			return err
		}
		saved = &store.Resource{Account: c.Account, Region: c.Region, Kind: kindDestination, Name: *in.DestinationName,
			Ref: *in.TargetARN, Doc: doc, CreatedAt: created, ModifiedAt: now}
		return tx.LogsResourcePut(ctx, saved)
	})
	if err != nil {
		return nil, apiError(err)
	}
	dest, err := wireDestination(saved)
	if err != nil {
		return nil, err
	}
	return &PutDestinationOutput{Destination: dest}, nil
}

// PutDestinationPolicy sets the access policy of a destination: which accounts may
// subscribe to it. Overcast stores it and does not evaluate it.
func (s *Service) PutDestinationPolicy(ctx context.Context, in *PutDestinationPolicyInput) (*PutDestinationPolicyOutput, error) {
	c := callOf(ctx)
	if !json.Valid([]byte(*in.AccessPolicy)) {
		return nil, NewInvalidParameterException("Access policy is not a valid JSON document.")
	}
	now := s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.LogsResourceGet(ctx, c.Account, c.Region, kindDestination, "", *in.DestinationName)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return NewResourceNotFoundException(msgDestinationNotFound)
		case err != nil:
			return err
		}
		var d destinationDoc
		if err := decodeDoc(r, &d); err != nil {
			return err
		}
		d.AccessPolicy = *in.AccessPolicy
		d.ForceUpdate = in.ForceUpdate != nil && *in.ForceUpdate
		if r.Doc, err = encodeDoc(&d); err != nil {
			return err
		}
		r.ModifiedAt = now
		return tx.LogsResourcePut(ctx, r)
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutDestinationPolicyOutput{}, nil
}

// DescribeDestinations lists the destinations of the caller in byte order of name.
func (s *Service) DescribeDestinations(ctx context.Context, in *DescribeDestinationsInput) (*DescribeDestinationsOutput, error) {
	c := callOf(ctx)
	after, err := parsePageToken(kindDestination, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	rows, err := s.listResources(ctx, c, kindDestination, ptr(""), deref(in.DestinationNamePrefix), after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &DescribeDestinationsOutput{Destinations: []*Destination{}}
	for i, r := range rows {
		if i == limit {
			out.NextToken = ptr(pageToken(kindDestination, rows[i-1].Name))
			break
		}
		d, err := wireDestination(r)
		if err != nil {
			return nil, err
		}
		out.Destinations = append(out.Destinations, d)
	}
	return out, nil
}

// DeleteDestination deletes a destination. Subscription filters that name it stay, and
// deliver nothing, as in AWS.
func (s *Service) DeleteDestination(ctx context.Context, in *DeleteDestinationInput) (*DeleteDestinationOutput, error) {
	c := callOf(ctx)
	if err := s.deleteResource(ctx, c, kindDestination, "", *in.DestinationName, NewResourceNotFoundException(msgDestinationNotFound)); err != nil {
		return nil, err
	}
	return &DeleteDestinationOutput{}, nil
}

// parseDestinationARN splits arn:aws:logs:<region>:<account>:destination:<name>.
func parseDestinationARN(arn string) (region, account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "destination" || parts[6] == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[6], true
}

// checkLogsDestination accepts, as the destination of a subscription filter, a logs
// destination that exists, lets the caller's account subscribe (its own account always
// may; another account's access policy must allow it) and forwards to a Lambda function
// Overcast can invoke.
// Destinations that forward to Kinesis or Firehose are refused as those targets are
// when named directly.
func (s *Service) checkLogsDestination(ctx context.Context, c *protocol.Call, arn string) error {
	region, account, name, ok := parseDestinationARN(arn)
	if !ok {
		return NewInvalidParameterException(fmt.Sprintf("Invalid destinationArn: %s", arn))
	}
	r, err := s.getDestination(ctx, account, region, name)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		if account != c.Account {
			return errNotAuthorizedToSubscribe(c.Account, arn)
		}
		return NewInvalidParameterException(msgTestMessageNotDelivered)
	}
	if err != nil {
		return err
	}
	if account != c.Account {
		var d destinationDoc
		if err := decodeDoc(r, &d); err != nil {
			return err
		}
		if !policyAllowsSubscription(d.AccessPolicy, c.Account) {
			return errNotAuthorizedToSubscribe(c.Account, arn)
		}
	}
	if strings.HasPrefix(r.Ref, "arn:aws:logs:") {
		return NewInvalidParameterException(fmt.Sprintf("Invalid destinationArn: %s", arn))
	}
	// The target is checked in the destination's own account and region.
	return s.checkDestination(ctx, &protocol.Call{Account: account, Region: region}, r.Ref)
}

// resolveDestination returns the ARN events for dest are delivered to: dest itself, or
// the target of the logs destination dest names. ok is false when the destination no
// longer exists.
func (s *Service) resolveDestination(ctx context.Context, dest string) (string, bool, error) {
	region, account, name, ok := parseDestinationARN(dest)
	if !ok {
		return dest, true, nil
	}
	r, err := s.getDestination(ctx, account, region, name)
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
			return "", false, nil
		}
		return "", false, err
	}
	return r.Ref, true, nil
}

// destinationTags applies change (nil: none) to the tags of the caller's destination arn
// names and returns them. A destination of another account or region, or none, answers
// ResourceNotFoundException as a missing log group does.
func (s *Service) destinationTags(ctx context.Context, arn string, change func(map[string]string) (map[string]string, error)) (map[string]string, error) {
	c := callOf(ctx)
	region, account, name, _ := parseDestinationARN(arn)
	notFound := NewResourceNotFoundException("The specified resource does not exist.")
	if account != c.Account || region != c.Region {
		return nil, notFound
	}
	var tags map[string]string
	run := s.db.Write
	if change == nil {
		run = s.db.Read
	}
	err := run(ctx, func(tx *store.Tx) error {
		r, err := tx.LogsResourceGet(ctx, c.Account, c.Region, kindDestination, "", name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound
		case err != nil:
			return err
		}
		var d destinationDoc
		if err := decodeDoc(r, &d); err != nil {
			return err
		}
		tags = d.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		if change == nil {
			return nil
		}
		if tags, err = change(tags); err != nil {
			return err
		}
		d.Tags = tags
		if r.Doc, err = encodeDoc(&d); err != nil {
			return err
		}
		return tx.LogsResourcePut(ctx, r)
	})
	if err != nil {
		return nil, apiError(err)
	}
	return tags, nil
}

// tagDestination merges add into the tags of the destination arn names.
func (s *Service) tagDestination(ctx context.Context, arn string, add map[string]string) error {
	_, err := s.destinationTags(ctx, arn, func(current map[string]string) (map[string]string, error) {
		merged, err := checkTags(add, current, arn)
		if err != nil {
			return nil, err
		}
		return decodeTags(merged), nil
	})
	return err
}

// untagDestination removes keys from the tags of the destination arn names.
func (s *Service) untagDestination(ctx context.Context, arn string, keys []string) error {
	_, err := s.destinationTags(ctx, arn, func(current map[string]string) (map[string]string, error) {
		for _, k := range keys {
			delete(current, k)
		}
		return current, nil
	})
	return err
}

// isDestinationARN reports whether arn names a logs destination.
func isDestinationARN(arn string) bool {
	_, _, _, ok := parseDestinationARN(arn)
	return ok
}
