package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/overcast/overcast/internal/store"
)

// kindAccountPolicy is the kind of the rows of account policies: the parent is the
// policy type, the name the policy name.
const kindAccountPolicy = "account-policy"

// maxAccountPolicies is how many account policies of each type an account may have in a
// region, as in AWS. Types missing here are not capped.
var maxAccountPolicies = map[string]int{
	PolicyTypeDATAPROTECTIONPOLICY:     1,
	PolicyTypeSUBSCRIPTIONFILTERPOLICY: 1,
	PolicyTypeFIELDINDEXPOLICY:         40,
	PolicyTypeTRANSFORMERPOLICY:        20,
}

// accountPolicyDoc is the stored document of an account policy.
type accountPolicyDoc struct {
	PolicyDocument    string `json:"policyDocument"`
	Scope             string `json:"scope"`
	SelectionCriteria string `json:"selectionCriteria,omitempty"`
}

// wireAccountPolicy renders a stored account policy.
func wireAccountPolicy(r *store.Resource) (*AccountPolicy, error) {
	var d accountPolicyDoc
	if err := decodeDoc(r, &d); err != nil {
		return nil, err
	}
	out := &AccountPolicy{
		PolicyName:      ptr(r.Name),
		PolicyDocument:  ptr(d.PolicyDocument),
		PolicyType:      ptr(r.Parent),
		Scope:           ptr(d.Scope),
		LastUpdatedTime: ptr(r.ModifiedAt),
		AccountID:       ptr(r.Account),
	}
	if d.SelectionCriteria != "" {
		out.SelectionCriteria = ptr(d.SelectionCriteria)
	}
	return out, nil
}

// PutAccountPolicy creates or replaces an account policy of a type. Overcast stores the
// policy and returns it; it does not apply it to the account's log groups.
func (s *Service) PutAccountPolicy(ctx context.Context, in *PutAccountPolicyInput) (*PutAccountPolicyOutput, error) {
	c := callOf(ctx)
	if !json.Valid([]byte(*in.PolicyDocument)) {
		return nil, NewInvalidParameterException("Policy document is not a valid JSON document.")
	}
	if in.SelectionCriteria != nil && *in.PolicyType == PolicyTypeDATAPROTECTIONPOLICY {
		return nil, NewInvalidParameterException("Selection criteria is not supported for data protection policies.")
	}
	scope := ScopeALL
	if in.Scope != nil {
		scope = *in.Scope
	}
	doc, err := encodeDoc(&accountPolicyDoc{PolicyDocument: *in.PolicyDocument, Scope: scope, SelectionCriteria: deref(in.SelectionCriteria)})
	if err != nil {
		return nil, err
	}
	now := s.now()
	saved := &store.Resource{Account: c.Account, Region: c.Region, Kind: kindAccountPolicy, Parent: *in.PolicyType,
		Name: *in.PolicyName, Doc: doc, CreatedAt: now, ModifiedAt: now}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		existing, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region,
			Kind: kindAccountPolicy, Parent: in.PolicyType})
		if err != nil {
			return err
		}
		found := false
		for _, r := range existing {
			if r.Name == *in.PolicyName {
				saved.CreatedAt, found = r.CreatedAt, true
			}
		}
		if limit, capped := maxAccountPolicies[*in.PolicyType]; capped && !found && len(existing) >= limit {
			return NewLimitExceededException(msgLimitExceeded)
		}
		return tx.LogsResourcePut(ctx, saved)
	})
	if err != nil {
		return nil, apiError(err)
	}
	p, err := wireAccountPolicy(saved)
	if err != nil {
		return nil, err
	}
	return &PutAccountPolicyOutput{AccountPolicy: p}, nil
}

// DescribeAccountPolicies lists the account policies of a type, in byte order of name.
// Overcast has no monitoring accounts: accountIdentifiers that name another account list
// nothing of it.
func (s *Service) DescribeAccountPolicies(ctx context.Context, in *DescribeAccountPoliciesInput) (*DescribeAccountPoliciesOutput, error) {
	c := callOf(ctx)
	after, err := parsePageToken(kindAccountPolicy, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &DescribeAccountPoliciesOutput{AccountPolicies: []*AccountPolicy{}}
	if len(in.AccountIdentifiers) > 0 && !slices.Contains(in.AccountIdentifiers, c.Account) {
		return out, nil
	}
	limit := 50
	if in.PolicyName != nil {
		limit = 0 // at most one policy has the name: no pages
	}
	rows, err := s.listResources(ctx, c, kindAccountPolicy, in.PolicyType, deref(in.PolicyName), after, limit+1)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if limit > 0 && i == limit {
			out.NextToken = ptr(pageToken(kindAccountPolicy, rows[i-1].Name))
			break
		}
		if in.PolicyName != nil && r.Name != *in.PolicyName {
			continue
		}
		p, err := wireAccountPolicy(r)
		if err != nil {
			return nil, err
		}
		out.AccountPolicies = append(out.AccountPolicies, p)
	}
	return out, nil
}

// DeleteAccountPolicy deletes an account policy of a type.
func (s *Service) DeleteAccountPolicy(ctx context.Context, in *DeleteAccountPolicyInput) (*DeleteAccountPolicyOutput, error) {
	c := callOf(ctx)
	err := s.deleteResource(ctx, c, kindAccountPolicy, *in.PolicyType, *in.PolicyName,
		NewResourceNotFoundException(fmt.Sprintf("Policy with name [%s] does not exist", *in.PolicyName)))
	if err != nil {
		return nil, err
	}
	return &DeleteAccountPolicyOutput{}, nil
}
