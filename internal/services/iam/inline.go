package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// inlinePolicy is a stored inline policy.
type inlinePolicy struct {
	PolicyName, Document string
}

// putInline creates or replaces an inline policy of an entity.
func (s *Service) putInline(ctx context.Context, e entity, name, policy, doc string) error {
	if err := validatePolicy(doc, identityPolicy); err != nil {
		return err
	}
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, e.policyKind, strings.ToLower(name), policy, "", &inlinePolicy{PolicyName: policy, Document: doc}, s.clock.Now())
	})
}

// getInline reads an inline policy of an entity.
func (s *Service) getInline(ctx context.Context, e entity, name, policy string) (*inlinePolicy, error) {
	acct := s.account(ctx)
	var p inlinePolicy
	err := s.read(ctx, func(tx *store.Tx) error {
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		err := getDoc(ctx, tx, acct, e.policyKind, strings.ToLower(name), policy, &p)
		if errors.Is(err, store.ErrNotFound) {
			return NewNoSuchEntityException(fmt.Sprintf(e.inlineNotFound, policy))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// deleteInline deletes an inline policy of an entity.
func (s *Service) deleteInline(ctx context.Context, e entity, name, policy string) error {
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		existed, err := tx.IAMResourceDelete(ctx, acct, "", e.policyKind, strings.ToLower(name), policy)
		if err != nil {
			return err
		}
		if !existed {
			return NewNoSuchEntityException(fmt.Sprintf(e.inlineNotFound, policy))
		}
		return nil
	})
}

// listInline pages the names of an entity's inline policies.
func (s *Service) listInline(ctx context.Context, e entity, name string, marker *string, maxItems *int32) ([]string, *bool, *string, error) {
	acct := s.account(ctx)
	var names []string
	err := s.read(ctx, func(tx *store.Tx) error {
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		key := strings.ToLower(name)
		rows, err := listRows(ctx, tx, acct, e.policyKind, &key)
		for _, r := range rows {
			names = append(names, r.Name)
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	pg, truncated, next, err := page(names, func(n string) string { return n }, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	return append([]string{}, pg...), &truncated, next, nil
}

// PutRolePolicy creates or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, in *PutRolePolicyInput) (*PutRolePolicyOutput, error) {
	if err := s.putInline(ctx, roleEntity, *in.RoleName, *in.PolicyName, *in.PolicyDocument); err != nil {
		return nil, err
	}
	return &PutRolePolicyOutput{}, nil
}

// GetRolePolicy answers an inline policy of a role, its document URL-encoded.
func (s *Service) GetRolePolicy(ctx context.Context, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
	p, err := s.getInline(ctx, roleEntity, *in.RoleName, *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: in.RoleName, PolicyName: &p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *DeleteRolePolicyInput) (*DeleteRolePolicyOutput, error) {
	if err := s.deleteInline(ctx, roleEntity, *in.RoleName, *in.PolicyName); err != nil {
		return nil, err
	}
	return &DeleteRolePolicyOutput{}, nil
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, in *ListRolePoliciesInput) (*ListRolePoliciesOutput, error) {
	names, truncated, next, err := s.listInline(ctx, roleEntity, *in.RoleName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListRolePoliciesOutput{PolicyNames: names, IsTruncated: truncated, Marker: next}, nil
}

// PutUserPolicy creates or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, in *PutUserPolicyInput) (*PutUserPolicyOutput, error) {
	if err := s.putInline(ctx, userEntity, *in.UserName, *in.PolicyName, *in.PolicyDocument); err != nil {
		return nil, err
	}
	return &PutUserPolicyOutput{}, nil
}

// GetUserPolicy answers an inline policy of a user.
func (s *Service) GetUserPolicy(ctx context.Context, in *GetUserPolicyInput) (*GetUserPolicyOutput, error) {
	p, err := s.getInline(ctx, userEntity, *in.UserName, *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: in.UserName, PolicyName: &p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *DeleteUserPolicyInput) (*DeleteUserPolicyOutput, error) {
	if err := s.deleteInline(ctx, userEntity, *in.UserName, *in.PolicyName); err != nil {
		return nil, err
	}
	return &DeleteUserPolicyOutput{}, nil
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, in *ListUserPoliciesInput) (*ListUserPoliciesOutput, error) {
	names, truncated, next, err := s.listInline(ctx, userEntity, *in.UserName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListUserPoliciesOutput{PolicyNames: names, IsTruncated: truncated, Marker: next}, nil
}

// PutGroupPolicy creates or replaces an inline policy of a group.
func (s *Service) PutGroupPolicy(ctx context.Context, in *PutGroupPolicyInput) (*PutGroupPolicyOutput, error) {
	if err := s.putInline(ctx, groupEntity, *in.GroupName, *in.PolicyName, *in.PolicyDocument); err != nil {
		return nil, err
	}
	return &PutGroupPolicyOutput{}, nil
}

// GetGroupPolicy answers an inline policy of a group.
func (s *Service) GetGroupPolicy(ctx context.Context, in *GetGroupPolicyInput) (*GetGroupPolicyOutput, error) {
	p, err := s.getInline(ctx, groupEntity, *in.GroupName, *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: in.GroupName, PolicyName: &p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteGroupPolicy deletes an inline policy of a group.
func (s *Service) DeleteGroupPolicy(ctx context.Context, in *DeleteGroupPolicyInput) (*DeleteGroupPolicyOutput, error) {
	if err := s.deleteInline(ctx, groupEntity, *in.GroupName, *in.PolicyName); err != nil {
		return nil, err
	}
	return &DeleteGroupPolicyOutput{}, nil
}

// ListGroupPolicies lists the names of a group's inline policies.
func (s *Service) ListGroupPolicies(ctx context.Context, in *ListGroupPoliciesInput) (*ListGroupPoliciesOutput, error) {
	names, truncated, next, err := s.listInline(ctx, groupEntity, *in.GroupName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListGroupPoliciesOutput{PolicyNames: names, IsTruncated: truncated, Marker: next}, nil
}
