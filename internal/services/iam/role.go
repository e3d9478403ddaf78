package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// roleDoc is a stored role. The sts package reads RoleId and MaxSessionDuration.
type roleDoc struct {
	RoleName                 string
	RoleID                   string `json:"RoleId"`
	Arn                      string
	Path                     string
	CreateDate               int64
	AssumeRolePolicyDocument string
	Description              *string `json:",omitempty"`
	MaxSessionDuration       int32
	PermissionsBoundary      string   `json:",omitempty"`
	Tags                     []tagDoc `json:",omitempty"`
}

// roleView selects the members a response carries: AWS's operations answer different
// subsets of a role.
type roleView int

const (
	viewCreate roleView = iota // CreateRole, UpdateRoleDescription: no MaxSessionDuration, no RoleLastUsed
	viewGet                    // GetRole: everything
	viewList                   // ListRoles: no Tags, PermissionsBoundary or RoleLastUsed
)

func (r *roleDoc) wire(view roleView) *Role {
	out := &Role{
		Path: ptr(r.Path), RoleName: ptr(r.RoleName), RoleID: ptr(r.RoleID), ARN: ptr(r.Arn),
		CreateDate: msTime(r.CreateDate), AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
	}
	if view != viewCreate {
		out.MaxSessionDuration = ptr(r.MaxSessionDuration)
		out.Description = r.Description
	}
	if view != viewList {
		if r.PermissionsBoundary != "" {
			out.PermissionsBoundary = &AttachedPermissionsBoundary{PermissionsBoundaryType: ptr("Policy"), PermissionsBoundaryARN: ptr(r.PermissionsBoundary)}
		}
		out.Tags = wireTags(r.Tags, false)
	}
	if view == viewGet {
		out.RoleLastUsed = &RoleLastUsed{}
	}
	return out
}

// getRole reads the role name of acct or answers NoSuchEntity.
func getRole(ctx context.Context, tx *store.Tx, acct, name string) (*roleDoc, error) {
	var r roleDoc
	err := getDoc(ctx, tx, acct, kindRole, "", strings.ToLower(name), &r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRoleNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *Service) putRole(ctx context.Context, tx *store.Tx, acct string, r *roleDoc) error {
	return putDoc(ctx, tx, acct, kindRole, "", strings.ToLower(r.RoleName), r.RoleID, r, s.clock.Now())
}

// CreateRole creates a role with a trust policy. Role names are unique in the account
// regardless of case.
func (s *Service) CreateRole(ctx context.Context, in *CreateRoleInput) (*CreateRoleOutput, error) {
	acct := s.account(ctx)
	if e := validatePolicy(*in.AssumeRolePolicyDocument, trustPolicy); e != nil {
		return nil, e
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	now := s.clock.Now()
	r := &roleDoc{
		RoleName: *in.RoleName, RoleID: awsid.NewUnique("AROA", acct), Path: path,
		Arn:        "arn:aws:iam::" + acct + ":role" + path + *in.RoleName,
		CreateDate: now.UnixMilli(), AssumeRolePolicyDocument: *in.AssumeRolePolicyDocument,
		Description: in.Description, MaxSessionDuration: 3600, Tags: tags,
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if in.PermissionsBoundary != nil {
			if err := checkBoundary(ctx, tx, acct, *in.PermissionsBoundary); err != nil {
				return err
			}
			r.PermissionsBoundary = *in.PermissionsBoundary
		}
		err := insertDoc(ctx, tx, acct, kindRole, "", strings.ToLower(r.RoleName), r.RoleID, r, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("Role with name " + *in.RoleName + " already exists.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateRoleOutput{Role: r.wire(viewCreate)}, nil
}

// checkBoundary answers AWS's errors for a permissions boundary that is not a managed
// policy.
func checkBoundary(ctx context.Context, tx *store.Tx, acct, arn string) error {
	pa, ok := parsePolicyARN(arn)
	if !ok {
		return NewInvalidInputException("ARN " + arn + " is not valid.")
	}
	if _, err := lookupPolicy(ctx, tx, acct, pa); err != nil {
		return NewNoSuchEntityException("Scope ARN: " + arn + " does not exist or is not attachable.")
	}
	return nil
}

// GetRole answers a role with its MaxSessionDuration, tags and RoleLastUsed.
func (s *Service) GetRole(ctx context.Context, in *GetRoleInput) (*GetRoleOutput, error) {
	var r *roleDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = getRole(ctx, tx, s.account(ctx), *in.RoleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetRoleOutput{Role: r.wire(viewGet)}, nil
}

// ListRoles lists the account's roles by name, filtered by PathPrefix.
func (s *Service) ListRoles(ctx context.Context, in *ListRolesInput) (*ListRolesOutput, error) {
	var roles []*roleDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		roles, err = listDocs[roleDoc](ctx, tx, s.account(ctx), kindRole, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	roles = filterPath(roles, in.PathPrefix, func(r *roleDoc) string { return r.Path })
	pg, truncated, next, err := page(roles, func(r *roleDoc) string { return strings.ToLower(r.RoleName) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListRolesOutput{Roles: make([]*Role, 0, len(pg)), IsTruncated: &truncated, Marker: next}
	for _, r := range pg {
		out.Roles = append(out.Roles, r.wire(viewList))
	}
	return out, nil
}

// updateRole applies fn to a stored role.
func (s *Service) updateRole(ctx context.Context, name string, fn func(tx *store.Tx, r *roleDoc) error) (*roleDoc, error) {
	acct := s.account(ctx)
	var r *roleDoc
	err := s.write(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = getRole(ctx, tx, acct, name); err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		return s.putRole(ctx, tx, acct, r)
	})
	return r, err
}

// UpdateRole changes a role's description and maximum session duration; members not
// given keep their values.
func (s *Service) UpdateRole(ctx context.Context, in *UpdateRoleInput) (*UpdateRoleOutput, error) {
	_, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		if in.Description != nil {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateRoleOutput{}, nil
}

// UpdateRoleDescription changes a role's description and answers the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *UpdateRoleDescriptionInput) (*UpdateRoleDescriptionOutput, error) {
	r, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := r.wire(viewCreate)
	w.Description = r.Description
	return &UpdateRoleDescriptionOutput{Role: w}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyInput) (*UpdateAssumeRolePolicyOutput, error) {
	_, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		if e := validatePolicy(*in.PolicyDocument, trustPolicy); e != nil {
			return e
		}
		r.AssumeRolePolicyDocument = *in.PolicyDocument
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateAssumeRolePolicyOutput{}, nil
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *PutRolePermissionsBoundaryInput) (*PutRolePermissionsBoundaryOutput, error) {
	acct := s.account(ctx)
	_, err := s.updateRole(ctx, *in.RoleName, func(tx *store.Tx, r *roleDoc) error {
		if err := checkBoundary(ctx, tx, acct, *in.PermissionsBoundary); err != nil {
			return err
		}
		r.PermissionsBoundary = *in.PermissionsBoundary
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutRolePermissionsBoundaryOutput{}, nil
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *DeleteRolePermissionsBoundaryInput) (*DeleteRolePermissionsBoundaryOutput, error) {
	_, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		r.PermissionsBoundary = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRolePermissionsBoundaryOutput{}, nil
}

// DeleteRole deletes a role that has no attached managed policy, no inline policy and is
// in no instance profile (DeleteConflict otherwise, as AWS).
func (s *Service) DeleteRole(ctx context.Context, in *DeleteRoleInput) (*DeleteRoleOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		r, err := getRole(ctx, tx, acct, *in.RoleName)
		if err != nil {
			return err
		}
		key := strings.ToLower(r.RoleName)
		if err := refuseIfAny(ctx, tx, acct, kindRoleAttachment, key, NewDeleteConflictException("Cannot delete entity, must detach all policies first.")); err != nil {
			return err
		}
		if err := refuseIfAny(ctx, tx, acct, kindRolePolicy, key, NewDeleteConflictException("Cannot delete entity, must delete policies first.")); err != nil {
			return err
		}
		if err := refuseIfRef(ctx, tx, acct, kindProfileRole, key, NewDeleteConflictException("Cannot delete entity, must remove roles from instance profile first.")); err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindRole, "", key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteRoleOutput{}, nil
}

// TagRole adds or replaces tags of a role (at most 50).
func (s *Service) TagRole(ctx context.Context, in *TagRoleInput) (*TagRoleOutput, error) {
	_, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		tags, err := mergeTags(r.Tags, in.Tags)
		if err != nil {
			return err
		}
		if len(tags) > 50 {
			return NewLimitExceededException("The number of tags has reached the maximum limit.")
		}
		r.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagRoleOutput{}, nil
}

// UntagRole removes tags of a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, in *UntagRoleInput) (*UntagRoleOutput, error) {
	_, err := s.updateRole(ctx, *in.RoleName, func(_ *store.Tx, r *roleDoc) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagRoleOutput{}, nil
}

// ListRoleTags lists a role's tags in the order they were added.
func (s *Service) ListRoleTags(ctx context.Context, in *ListRoleTagsInput) (*ListRoleTagsOutput, error) {
	out, err := s.GetRole(ctx, &GetRoleInput{RoleName: in.RoleName})
	if err != nil {
		return nil, err
	}
	tags := out.Role.Tags
	if tags == nil {
		tags = []*Tag{}
	}
	return &ListRoleTagsOutput{Tags: tags, IsTruncated: ptr(false)}, nil
}

// pathOr returns the path given, "/" by default.
func pathOr(p *string) string {
	if p == nil {
		return "/"
	}
	return *p
}

// filterPath keeps the items whose path starts with prefix (all when prefix is nil).
func filterPath[T any](items []T, prefix *string, path func(T) string) []T {
	if prefix == nil {
		return items
	}
	out := items[:0:0]
	for _, it := range items {
		if strings.HasPrefix(path(it), *prefix) {
			out = append(out, it)
		}
	}
	return out
}
