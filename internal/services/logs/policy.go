package logs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/overcast/overcast/internal/store"
)

// maxResourcePolicies is how many resource policies an account may have in a region.
const maxResourcePolicies = 10

// resourcePolicyDoc is the stored document of a resource policy.
type resourcePolicyDoc struct {
	PolicyDocument string `json:"policyDocument"`
}

// msgResourceScopedPolicy refuses policies attached to one log group.
const msgResourceScopedPolicy = "Resource-scoped policies (resourceArn) are not served by Overcast yet; omit resourceArn for an account-level policy."

// PutResourcePolicy creates or replaces an account-level resource policy: a JSON
// document that lets AWS services write to the account's log groups. Overcast stores it
// and does not evaluate it.
func (s *Service) PutResourcePolicy(ctx context.Context, in *PutResourcePolicyInput) (*PutResourcePolicyOutput, error) {
	c := callOf(ctx)
	if in.ResourceARN != nil {
		return nil, NewInvalidParameterException(msgResourceScopedPolicy)
	}
	if in.PolicyName == nil || *in.PolicyName == "" {
		return nil, NewInvalidParameterException("policyName is required for an account-level resource policy.")
	}
	if in.PolicyDocument == nil {
		return nil, NewInvalidParameterException("policyDocument is required.")
	}
	if !json.Valid([]byte(*in.PolicyDocument)) {
		return nil, NewInvalidParameterException("Policy document is not a valid JSON document.")
	}
	doc, err := encodeDoc(&resourcePolicyDoc{PolicyDocument: *in.PolicyDocument})
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		top := ""
		existing, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindResourcePolicy, Parent: &top})
		if err != nil {
			return err
		}
		created, found := now, false
		for _, r := range existing {
			if r.Name == *in.PolicyName {
				created, found = r.CreatedAt, true
			}
		}
		if !found && len(existing) >= maxResourcePolicies {
			return NewLimitExceededException(msgLimitExceeded)
		}
		return tx.LogsResourcePut(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindResourcePolicy,
			Name: *in.PolicyName, Doc: doc, CreatedAt: created, ModifiedAt: now})
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutResourcePolicyOutput{ResourcePolicy: &ResourcePolicy{
		PolicyName:      in.PolicyName,
		PolicyDocument:  in.PolicyDocument,
		LastUpdatedTime: ptr(now),
		PolicyScope:     ptr(PolicyScopeACCOUNT),
	}}, nil
}

// DescribeResourcePolicies lists the account-level resource policies in byte order of
// name. Resource-scoped policies are not served, so asking for them lists none.
func (s *Service) DescribeResourcePolicies(ctx context.Context, in *DescribeResourcePoliciesInput) (*DescribeResourcePoliciesOutput, error) {
	c := callOf(ctx)
	after, err := parsePageToken(kindResourcePolicy, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeResourcePoliciesOutput{ResourcePolicies: []*ResourcePolicy{}}
	if in.ResourceARN != nil || (in.PolicyScope != nil && *in.PolicyScope != PolicyScopeACCOUNT) {
		return out, nil
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	top := ""
	rows, err := s.listResources(ctx, c, kindResourcePolicy, &top, "", after, limit+1)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if i == limit {
			out.NextToken = ptr(pageToken(kindResourcePolicy, rows[i-1].Name))
			break
		}
		var d resourcePolicyDoc
		if err := decodeDoc(r, &d); err != nil {
			return nil, err
		}
		out.ResourcePolicies = append(out.ResourcePolicies, &ResourcePolicy{
			PolicyName:      ptr(r.Name),
			PolicyDocument:  ptr(d.PolicyDocument),
			LastUpdatedTime: ptr(r.ModifiedAt),
			PolicyScope:     ptr(PolicyScopeACCOUNT),
		})
	}
	return out, nil
}

// DeleteResourcePolicy deletes an account-level resource policy.
func (s *Service) DeleteResourcePolicy(ctx context.Context, in *DeleteResourcePolicyInput) (*DeleteResourcePolicyOutput, error) {
	c := callOf(ctx)
	if in.ResourceARN != nil {
		return nil, NewInvalidParameterException(msgResourceScopedPolicy)
	}
	if in.PolicyName == nil {
		return nil, NewInvalidParameterException("policyName is required for an account-level resource policy.")
	}
	err := s.deleteResource(ctx, c, kindResourcePolicy, "", *in.PolicyName,
		NewResourceNotFoundException(fmt.Sprintf("Policy with name [%s] does not exist.", *in.PolicyName)))
	if err != nil {
		return nil, err
	}
	return &DeleteResourcePolicyOutput{}, nil
}
