package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// profileDoc is a stored instance profile; its roles are rows of kindProfileRole.
type profileDoc struct {
	InstanceProfileName string
	InstanceProfileID   string `json:"InstanceProfileId"`
	Arn                 string
	Path                string
	CreateDate          int64
	Tags                []tagDoc `json:",omitempty"`
}

func getProfile(ctx context.Context, tx *store.Tx, acct, name string) (*profileDoc, error) {
	var p profileDoc
	err := getDoc(ctx, tx, acct, kindProfile, "", strings.ToLower(name), &p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errProfileNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// wireProfile renders a profile with its roles; GetInstanceProfile (full) always answers
// Tags, the other operations only when there are some.
func wireProfile(ctx context.Context, tx *store.Tx, acct string, p *profileDoc, full bool) (*InstanceProfile, error) {
	out := &InstanceProfile{Path: ptr(p.Path), InstanceProfileName: ptr(p.InstanceProfileName), InstanceProfileID: ptr(p.InstanceProfileID),
		ARN: ptr(p.Arn), CreateDate: msTime(p.CreateDate), Roles: []*Role{}, Tags: wireTags(p.Tags, full)}
	key := strings.ToLower(p.InstanceProfileName)
	rows, err := listRows(ctx, tx, acct, kindProfileRole, &key)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		role, err := getRole(ctx, tx, acct, r.Name)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, role.wire(viewCreate))
	}
	return out, nil
}

// CreateInstanceProfile creates an instance profile without roles.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *CreateInstanceProfileInput) (*CreateInstanceProfileOutput, error) {
	acct := s.account(ctx)
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	path := pathOr(in.Path)
	p := &profileDoc{InstanceProfileName: *in.InstanceProfileName, InstanceProfileID: awsid.NewUnique("AIPA", acct), Path: path,
		Arn: "arn:aws:iam::" + acct + ":instance-profile" + path + *in.InstanceProfileName, CreateDate: now.UnixMilli(), Tags: tags}
	var out *InstanceProfile
	err = s.write(ctx, func(tx *store.Tx) error {
		err := insertDoc(ctx, tx, acct, kindProfile, "", strings.ToLower(p.InstanceProfileName), p.InstanceProfileID, p, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("Instance Profile " + p.InstanceProfileName + " already exists.")
		}
		if err != nil {
			return err
		}
		out, err = wireProfile(ctx, tx, acct, p, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateInstanceProfileOutput{InstanceProfile: out}, nil
}

// GetInstanceProfile answers an instance profile with its roles.
func (s *Service) GetInstanceProfile(ctx context.Context, in *GetInstanceProfileInput) (*GetInstanceProfileOutput, error) {
	acct := s.account(ctx)
	var out *InstanceProfile
	err := s.read(ctx, func(tx *store.Tx) error {
		p, err := getProfile(ctx, tx, acct, *in.InstanceProfileName)
		if err != nil {
			return err
		}
		out, err = wireProfile(ctx, tx, acct, p, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetInstanceProfileOutput{InstanceProfile: out}, nil
}

// ListInstanceProfiles lists the account's instance profiles by name.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	acct := s.account(ctx)
	var out []*InstanceProfile
	err := s.read(ctx, func(tx *store.Tx) error {
		ps, err := listDocs[profileDoc](ctx, tx, acct, kindProfile, nil)
		if err != nil {
			return err
		}
		out, err = wireProfiles(ctx, tx, acct, filterPath(ps, in.PathPrefix, func(p *profileDoc) string { return p.Path }))
		return err
	})
	if err != nil {
		return nil, err
	}
	return profilePage(out, in.Marker, in.MaxItems)
}

// AddRoleToInstanceProfile adds a role to a profile, which holds at most one.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *AddRoleToInstanceProfileInput) (*AddRoleToInstanceProfileOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := getProfile(ctx, tx, acct, *in.InstanceProfileName)
		if err != nil {
			return err
		}
		r, err := getRole(ctx, tx, acct, *in.RoleName)
		if err != nil {
			return err
		}
		key := strings.ToLower(p.InstanceProfileName)
		if err := refuseIfAny(ctx, tx, acct, kindProfileRole, key, NewLimitExceededException("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")); err != nil {
			return err
		}
		rk := strings.ToLower(r.RoleName)
		return putDoc(ctx, tx, acct, kindProfileRole, key, rk, rk, struct{}{}, s.clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return &AddRoleToInstanceProfileOutput{}, nil
}

// RemoveRoleFromInstanceProfile removes a role from a profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *RemoveRoleFromInstanceProfileInput) (*RemoveRoleFromInstanceProfileOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := getProfile(ctx, tx, acct, *in.InstanceProfileName)
		if err != nil {
			return err
		}
		if _, err := getRole(ctx, tx, acct, *in.RoleName); err != nil {
			return err
		}
		existed, err := tx.IAMResourceDelete(ctx, acct, "", kindProfileRole, strings.ToLower(p.InstanceProfileName), strings.ToLower(*in.RoleName))
		if err == nil && !existed {
			return errRoleNotFound(*in.RoleName)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &RemoveRoleFromInstanceProfileOutput{}, nil
}

// DeleteInstanceProfile deletes a profile without roles.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *DeleteInstanceProfileInput) (*DeleteInstanceProfileOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := getProfile(ctx, tx, acct, *in.InstanceProfileName)
		if err != nil {
			return err
		}
		key := strings.ToLower(p.InstanceProfileName)
		if err := refuseIfAny(ctx, tx, acct, kindProfileRole, key, NewDeleteConflictException("Cannot delete entity, must remove roles from instance profile first.")); err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindProfile, "", key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteInstanceProfileOutput{}, nil
}

// ListInstanceProfilesForRole lists the instance profiles that hold a role, by name.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesForRoleOutput, error) {
	acct := s.account(ctx)
	var out []*InstanceProfile
	err := s.read(ctx, func(tx *store.Tx) error {
		r, err := getRole(ctx, tx, acct, *in.RoleName)
		if err != nil {
			return err
		}
		rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kindProfileRole, Ref: strings.ToLower(r.RoleName)})
		if err != nil {
			return err
		}
		var ps []*profileDoc
		for _, row := range rows {
			p, err := getProfile(ctx, tx, acct, row.Parent)
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		out, err = wireProfiles(ctx, tx, acct, ps)
		return err
	})
	if err != nil {
		return nil, err
	}
	pg, err := profilePage(out, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesForRoleOutput{InstanceProfiles: pg.InstanceProfiles, IsTruncated: pg.IsTruncated, Marker: pg.Marker}, nil
}

// wireProfiles renders profiles for the list operations.
func wireProfiles(ctx context.Context, tx *store.Tx, acct string, ps []*profileDoc) ([]*InstanceProfile, error) {
	out := make([]*InstanceProfile, 0, len(ps))
	for _, p := range ps {
		w, err := wireProfile(ctx, tx, acct, p, false)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// profilePage cuts a page of profiles, by name.
func profilePage(out []*InstanceProfile, marker *string, maxItems *int32) (*ListInstanceProfilesOutput, error) {
	pg, truncated, next, err := page(out, func(p *InstanceProfile) string { return strings.ToLower(*p.InstanceProfileName) }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesOutput{InstanceProfiles: append([]*InstanceProfile{}, pg...), IsTruncated: &truncated, Marker: next}, nil
}
