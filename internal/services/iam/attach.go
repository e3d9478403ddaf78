package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// entity names the kind of principal a managed policy is attached to or an inline policy
// belongs to, with the checks and errors of that kind.
type entity struct {
	kind, attachmentKind, policyKind string
	// exists answers the entity's NoSuchEntity error when it is missing.
	exists func(ctx context.Context, tx *store.Tx, acct, name string) error
	// inlineNotFound words the NoSuchEntity error of a missing inline policy.
	inlineNotFound string
}

var (
	roleEntity = entity{kind: kindRole, attachmentKind: kindRoleAttachment, policyKind: kindRolePolicy,
		exists: func(ctx context.Context, tx *store.Tx, acct, name string) error {
			_, err := getRole(ctx, tx, acct, name)
			return err
		}, inlineNotFound: "The role policy with name %s cannot be found."}
	userEntity = entity{kind: kindUser, attachmentKind: kindUserAttachment, policyKind: kindUserPolicy,
		exists: func(ctx context.Context, tx *store.Tx, acct, name string) error {
			_, err := getUser(ctx, tx, acct, name)
			return err
		}, inlineNotFound: "The user policy with name %s cannot be found."}
	groupEntity = entity{kind: kindGroup, attachmentKind: kindGroupAttachment, policyKind: kindGroupPolicy,
		exists: func(ctx context.Context, tx *store.Tx, acct, name string) error {
			_, err := getGroup(ctx, tx, acct, name)
			return err
		}, inlineNotFound: "The group policy with name %s cannot be found."}
)

// attachment is a stored attachment of a managed policy.
type attachment struct {
	PolicyName, PolicyArn, Path string
}

// attach attaches the managed policy of arn to an entity; attaching twice is a no-op.
func (s *Service) attach(ctx context.Context, e entity, name, arn string) error {
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		pa, ok := parsePolicyARN(arn)
		if !ok {
			return errValidation("ARN " + arn + " is not valid.")
		}
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		p, err := lookupPolicy(ctx, tx, acct, pa)
		if errors.Is(err, store.ErrNotFound) {
			return errNotAttachable(arn)
		}
		if err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, e.attachmentKind, strings.ToLower(name), arn, arn,
			&attachment{PolicyName: p.PolicyName, PolicyArn: p.Arn, Path: p.Path}, s.clock.Now())
	})
}

// detach removes an attachment: NoSuchEntity "Policy <arn> was not found." when the
// policy is not attached.
func (s *Service) detach(ctx context.Context, e entity, name, arn string) error {
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		if _, ok := parsePolicyARN(arn); !ok {
			return errValidation("ARN " + arn + " is not valid.")
		}
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		existed, err := tx.IAMResourceDelete(ctx, acct, "", e.attachmentKind, strings.ToLower(name), arn)
		if err != nil {
			return err
		}
		if !existed {
			return errPolicyNotFound(arn)
		}
		return nil
	})
}

// listAttached pages the managed policies attached to an entity, by policy name.
func (s *Service) listAttached(ctx context.Context, e entity, name string, pathPrefix, marker *string, maxItems *int32) ([]*AttachedPolicy, *bool, *string, error) {
	acct := s.account(ctx)
	var atts []*attachment
	err := s.read(ctx, func(tx *store.Tx) error {
		if err := e.exists(ctx, tx, acct, name); err != nil {
			return err
		}
		key := strings.ToLower(name)
		var err error
		atts, err = listDocs[attachment](ctx, tx, acct, e.attachmentKind, &key)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	atts = filterPath(atts, pathPrefix, func(a *attachment) string { return a.Path })
	pg, truncated, next, err := page(atts, func(a *attachment) string { return strings.ToLower(a.PolicyName) + "\x00" + a.PolicyArn }, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	out := make([]*AttachedPolicy, 0, len(pg))
	for _, a := range pg {
		out = append(out, &AttachedPolicy{PolicyName: ptr(a.PolicyName), PolicyARN: ptr(a.PolicyArn)})
	}
	return out, &truncated, next, nil
}

// AttachRolePolicy attaches a managed policy (customer or AWS managed) to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *AttachRolePolicyInput) (*AttachRolePolicyOutput, error) {
	if err := s.attach(ctx, roleEntity, *in.RoleName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &AttachRolePolicyOutput{}, nil
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *DetachRolePolicyInput) (*DetachRolePolicyOutput, error) {
	if err := s.detach(ctx, roleEntity, *in.RoleName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &DetachRolePolicyOutput{}, nil
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *ListAttachedRolePoliciesInput) (*ListAttachedRolePoliciesOutput, error) {
	list, truncated, next, err := s.listAttached(ctx, roleEntity, *in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListAttachedRolePoliciesOutput{AttachedPolicies: list, IsTruncated: truncated, Marker: next}, nil
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *AttachUserPolicyInput) (*AttachUserPolicyOutput, error) {
	if err := s.attach(ctx, userEntity, *in.UserName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &AttachUserPolicyOutput{}, nil
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *DetachUserPolicyInput) (*DetachUserPolicyOutput, error) {
	if err := s.detach(ctx, userEntity, *in.UserName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &DetachUserPolicyOutput{}, nil
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *ListAttachedUserPoliciesInput) (*ListAttachedUserPoliciesOutput, error) {
	list, truncated, next, err := s.listAttached(ctx, userEntity, *in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListAttachedUserPoliciesOutput{AttachedPolicies: list, IsTruncated: truncated, Marker: next}, nil
}

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Service) AttachGroupPolicy(ctx context.Context, in *AttachGroupPolicyInput) (*AttachGroupPolicyOutput, error) {
	if err := s.attach(ctx, groupEntity, *in.GroupName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &AttachGroupPolicyOutput{}, nil
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, in *DetachGroupPolicyInput) (*DetachGroupPolicyOutput, error) {
	if err := s.detach(ctx, groupEntity, *in.GroupName, *in.PolicyARN); err != nil {
		return nil, err
	}
	return &DetachGroupPolicyOutput{}, nil
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *ListAttachedGroupPoliciesInput) (*ListAttachedGroupPoliciesOutput, error) {
	list, truncated, next, err := s.listAttached(ctx, groupEntity, *in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListAttachedGroupPoliciesOutput{AttachedPolicies: list, IsTruncated: truncated, Marker: next}, nil
}

// ListEntitiesForPolicy lists the roles, users and groups a managed policy is attached
// to, filtered by EntityFilter (Role, User, Group; LocalManagedPolicy and AWSManagedPolicy
// concern permissions boundaries and list nothing here) and PathPrefix. Pages cover
// the three lists together.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	acct := s.account(ctx)
	type entry struct {
		kind, name, id, path string
	}
	var entries []entry
	err := s.read(ctx, func(tx *store.Tx) error {
		if _, _, err := localPolicy(ctx, tx, acct, *in.PolicyARN); err != nil {
			return err
		}
		for _, e := range []entity{roleEntity, userEntity, groupEntity} {
			if in.EntityFilter != nil && !strings.EqualFold(*in.EntityFilter, e.kind) {
				continue
			}
			rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: e.attachmentKind, Ref: *in.PolicyARN})
			if err != nil {
				return err
			}
			for _, r := range rows {
				var doc struct {
					RoleName, UserName, GroupName, Path string
					RoleID                              string `json:"RoleId"`
					UserID                              string `json:"UserId"`
					GroupID                             string `json:"GroupId"`
				}
				if err := getDoc(ctx, tx, acct, e.kind, "", r.Parent, &doc); err != nil {
					return err
				}
				entries = append(entries, entry{kind: e.kind, name: doc.RoleName + doc.UserName + doc.GroupName,
					id: doc.RoleID + doc.UserID + doc.GroupID, path: doc.Path})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	entries = filterPath(entries, in.PathPrefix, func(e entry) string { return e.path })
	pg, truncated, next, err := page(entries, func(e entry) string { return e.kind + "\x00" + strings.ToLower(e.name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListEntitiesForPolicyOutput{PolicyGroups: []*PolicyGroup{}, PolicyUsers: []*PolicyUser{}, PolicyRoles: []*PolicyRole{},
		IsTruncated: &truncated, Marker: next}
	for _, e := range pg {
		switch e.kind {
		case kindRole:
			out.PolicyRoles = append(out.PolicyRoles, &PolicyRole{RoleName: ptr(e.name), RoleID: ptr(e.id)})
		case kindUser:
			out.PolicyUsers = append(out.PolicyUsers, &PolicyUser{UserName: ptr(e.name), UserID: ptr(e.id)})
		case kindGroup:
			out.PolicyGroups = append(out.PolicyGroups, &PolicyGroup{GroupName: ptr(e.name), GroupID: ptr(e.id)})
		}
	}
	return out, nil
}
