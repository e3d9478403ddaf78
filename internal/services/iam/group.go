package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// groupDoc is a stored group.
type groupDoc struct {
	GroupName  string
	GroupID    string `json:"GroupId"`
	Arn        string
	Path       string
	CreateDate int64
}

func (g *groupDoc) wire() *Group {
	return &Group{Path: ptr(g.Path), GroupName: ptr(g.GroupName), GroupID: ptr(g.GroupID), ARN: ptr(g.Arn), CreateDate: msTime(g.CreateDate)}
}

func getGroup(ctx context.Context, tx *store.Tx, acct, name string) (*groupDoc, error) {
	var g groupDoc
	err := getDoc(ctx, tx, acct, kindGroup, "", strings.ToLower(name), &g)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGroupNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, in *CreateGroupInput) (*CreateGroupOutput, error) {
	acct := s.account(ctx)
	now := s.clock.Now()
	path := pathOr(in.Path)
	g := &groupDoc{GroupName: *in.GroupName, GroupID: awsid.NewUnique("AGPA", acct), Path: path,
		Arn: "arn:aws:iam::" + acct + ":group" + path + *in.GroupName, CreateDate: now.UnixMilli()}
	err := s.write(ctx, func(tx *store.Tx) error {
		err := insertDoc(ctx, tx, acct, kindGroup, "", strings.ToLower(g.GroupName), g.GroupID, g, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("Group with name " + g.GroupName + " already exists.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: g.wire()}, nil
}

// GetGroup answers a group and its users.
func (s *Service) GetGroup(ctx context.Context, in *GetGroupInput) (*GetGroupOutput, error) {
	acct := s.account(ctx)
	out := &GetGroupOutput{Users: []*User{}, IsTruncated: ptr(false)}
	err := s.read(ctx, func(tx *store.Tx) error {
		g, err := getGroup(ctx, tx, acct, *in.GroupName)
		if err != nil {
			return err
		}
		out.Group = g.wire()
		key := strings.ToLower(g.GroupName)
		rows, err := listRows(ctx, tx, acct, kindGroupMember, &key)
		if err != nil {
			return err
		}
		for _, r := range rows {
			u, err := getUser(ctx, tx, acct, r.Name)
			if err != nil {
				return err
			}
			out.Users = append(out.Users, u.wire(false))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddUserToGroup makes a user a member of a group.
func (s *Service) AddUserToGroup(ctx context.Context, in *AddUserToGroupInput) (*AddUserToGroupOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		// AWS looks the user up first.
		u, err := getUser(ctx, tx, acct, *in.UserName)
		if err != nil {
			return err
		}
		g, err := getGroup(ctx, tx, acct, *in.GroupName)
		if err != nil {
			return err
		}
		key := strings.ToLower(u.UserName)
		return putDoc(ctx, tx, acct, kindGroupMember, strings.ToLower(g.GroupName), key, key, struct{}{}, s.clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return &AddUserToGroupOutput{}, nil
}

// RemoveUserFromGroup ends a user's membership of a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *RemoveUserFromGroupInput) (*RemoveUserFromGroupOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		// AWS looks the user up first.
		if _, err := getUser(ctx, tx, acct, *in.UserName); err != nil {
			return err
		}
		g, err := getGroup(ctx, tx, acct, *in.GroupName)
		if err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindGroupMember, strings.ToLower(g.GroupName), strings.ToLower(*in.UserName))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &RemoveUserFromGroupOutput{}, nil
}

// DeleteGroup deletes a group without members or policies.
func (s *Service) DeleteGroup(ctx context.Context, in *DeleteGroupInput) (*DeleteGroupOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		g, err := getGroup(ctx, tx, acct, *in.GroupName)
		if err != nil {
			return err
		}
		key := strings.ToLower(g.GroupName)
		if err := refuseIfAny(ctx, tx, acct, kindGroupAttachment, key, NewDeleteConflictException("Cannot delete entity, must detach all policies first.")); err != nil {
			return err
		}
		if err := refuseIfAny(ctx, tx, acct, kindGroupPolicy, key, NewDeleteConflictException("Cannot delete entity, must delete policies first.")); err != nil {
			return err
		}
		if err := refuseIfAny(ctx, tx, acct, kindGroupMember, key, NewDeleteConflictException("Cannot delete entity, must remove users from group first.")); err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindGroup, "", key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteGroupOutput{}, nil
}

// ListGroups lists the account's groups by name, filtered by PathPrefix.
func (s *Service) ListGroups(ctx context.Context, in *ListGroupsInput) (*ListGroupsOutput, error) {
	var groups []*groupDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		groups, err = listDocs[groupDoc](ctx, tx, s.account(ctx), kindGroup, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	groups = filterPath(groups, in.PathPrefix, func(g *groupDoc) string { return g.Path })
	return groupPage(groups, in.Marker, in.MaxItems)
}

// ListGroupsForUser lists the groups a user is a member of, by name.
func (s *Service) ListGroupsForUser(ctx context.Context, in *ListGroupsForUserInput) (*ListGroupsForUserOutput, error) {
	acct := s.account(ctx)
	var groups []*groupDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		u, err := getUser(ctx, tx, acct, *in.UserName)
		if err != nil {
			return err
		}
		rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kindGroupMember, Ref: strings.ToLower(u.UserName)})
		if err != nil {
			return err
		}
		for _, r := range rows {
			g, err := getGroup(ctx, tx, acct, r.Parent)
			if err != nil {
				return err
			}
			groups = append(groups, g)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := groupPage(groups, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListGroupsForUserOutput{Groups: out.Groups, IsTruncated: out.IsTruncated, Marker: out.Marker}, nil
}

func groupPage(groups []*groupDoc, marker *string, maxItems *int32) (*ListGroupsOutput, error) {
	pg, truncated, next, err := page(groups, func(g *groupDoc) string { return strings.ToLower(g.GroupName) }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &ListGroupsOutput{Groups: make([]*Group, 0, len(pg)), IsTruncated: &truncated, Marker: next}
	for _, g := range pg {
		out.Groups = append(out.Groups, g.wire())
	}
	return out, nil
}

// UpdateGroup renames a group or changes its path. The group keeps its id, members and
// policies.
func (s *Service) UpdateGroup(ctx context.Context, in *UpdateGroupInput) (*UpdateGroupOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		g, err := getGroup(ctx, tx, acct, *in.GroupName)
		if err != nil {
			return err
		}
		oldKey := strings.ToLower(g.GroupName)
		if in.NewPath != nil {
			g.Path = *in.NewPath
		}
		if in.NewGroupName != nil {
			g.GroupName = *in.NewGroupName
		}
		g.Arn = "arn:aws:iam::" + acct + ":group" + g.Path + g.GroupName
		newKey := strings.ToLower(g.GroupName)
		now := s.clock.Now()
		if newKey == oldKey {
			return putDoc(ctx, tx, acct, kindGroup, "", newKey, g.GroupID, g, now)
		}
		err = insertDoc(ctx, tx, acct, kindGroup, "", newKey, g.GroupID, g, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("Group with name " + g.GroupName + " already exists.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.IAMResourceDelete(ctx, acct, "", kindGroup, "", oldKey); err != nil {
			return err
		}
		return moveChildren(ctx, tx, acct, oldKey, newKey, kindGroupMember, kindGroupAttachment, kindGroupPolicy)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateGroupOutput{}, nil
}
