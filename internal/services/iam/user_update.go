package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// updateUser applies fn to a stored user.
func (s *Service) updateUser(ctx context.Context, name string, fn func(u *userDoc) error) error {
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, kindUser, "", strings.ToLower(u.UserName), u.UserID, u, s.clock.Now())
	})
}

// TagUser adds or replaces tags of a user.
func (s *Service) TagUser(ctx context.Context, in *TagUserInput) (*TagUserOutput, error) {
	err := s.updateUser(ctx, *in.UserName, func(u *userDoc) error {
		tags, err := mergeTags(u.Tags, in.Tags)
		if err != nil {
			return err
		}
		if len(tags) > 50 {
			return NewLimitExceededException("The number of tags has reached the maximum limit.")
		}
		u.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagUserOutput{}, nil
}

// UntagUser removes tags of a user.
func (s *Service) UntagUser(ctx context.Context, in *UntagUserInput) (*UntagUserOutput, error) {
	err := s.updateUser(ctx, *in.UserName, func(u *userDoc) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagUserOutput{}, nil
}

// ListUserTags lists a user's tags in the order they were added.
func (s *Service) ListUserTags(ctx context.Context, in *ListUserTagsInput) (*ListUserTagsOutput, error) {
	out, err := s.GetUser(ctx, &GetUserInput{UserName: in.UserName})
	if err != nil {
		return nil, err
	}
	tags := out.User.Tags
	if tags == nil {
		tags = []*Tag{}
	}
	return &ListUserTagsOutput{Tags: tags, IsTruncated: ptr(false)}, nil
}

// UpdateUser renames a user or changes its path. The user keeps its id, policies, access
// keys and groups.
func (s *Service) UpdateUser(ctx context.Context, in *UpdateUserInput) (*UpdateUserOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		u, err := getUser(ctx, tx, acct, *in.UserName)
		if err != nil {
			return err
		}
		oldKey := strings.ToLower(u.UserName)
		if in.NewPath != nil {
			u.Path = *in.NewPath
		}
		if in.NewUserName != nil {
			u.UserName = *in.NewUserName
		}
		u.Arn = "arn:aws:iam::" + acct + ":user" + u.Path + u.UserName
		newKey := strings.ToLower(u.UserName)
		now := s.clock.Now()
		if newKey == oldKey {
			return putDoc(ctx, tx, acct, kindUser, "", newKey, u.UserID, u, now)
		}
		err = insertDoc(ctx, tx, acct, kindUser, "", newKey, u.UserID, u, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("User with name " + u.UserName + " already exists.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.IAMResourceDelete(ctx, acct, "", kindUser, "", oldKey); err != nil {
			return err
		}
		return s.moveUserRows(ctx, tx, acct, oldKey, u)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateUserOutput{}, nil
}

// moveUserRows re-keys the rows that name a renamed user: its policies, access keys and
// group memberships.
func (s *Service) moveUserRows(ctx context.Context, tx *store.Tx, acct, oldKey string, u *userDoc) error {
	newKey := strings.ToLower(u.UserName)
	if err := moveChildren(ctx, tx, acct, oldKey, newKey, kindUserAttachment, kindUserPolicy); err != nil {
		return err
	}
	keys, err := userKeys(ctx, tx, acct, oldKey)
	if err != nil {
		return err
	}
	for _, k := range keys {
		k.UserName = u.UserName
		if err := putDoc(ctx, tx, acct, kindAccessKey, "", k.AccessKeyID, newKey, k, s.clock.Now()); err != nil {
			return err
		}
	}
	members, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kindGroupMember, Ref: oldKey})
	if err != nil {
		return err
	}
	for _, m := range members {
		if _, err := tx.IAMResourceDelete(ctx, acct, "", kindGroupMember, m.Parent, oldKey); err != nil {
			return err
		}
		m.Name, m.Ref = newKey, newKey
		if err := tx.IAMResourcePut(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// GetAccessKeyLastUsed answers who owns an access key of the account and when it was
// last used. Overcast does not track use: the answer is AWS's for a key never used.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *GetAccessKeyLastUsedInput) (*GetAccessKeyLastUsedOutput, error) {
	acct := s.account(ctx)
	var k accessKeyDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		return getDoc(ctx, tx, acct, kindAccessKey, "", *in.AccessKeyID, &k)
	})
	if errors.Is(err, store.ErrNotFound) {
		// AWS refuses keys it cannot find with AccessDenied rather than NoSuchEntity.
		return nil, errAccessDenied("User: " + s.callerArn(ctx, acct) + " is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key " + *in.AccessKeyID)
	}
	if err != nil {
		return nil, err
	}
	return &GetAccessKeyLastUsedOutput{UserName: &k.UserName, AccessKeyLastUsed: &AccessKeyLastUsed{Region: ptr("N/A"), ServiceName: ptr("N/A")}}, nil
}

// callerArn is the ARN of who signed the request: the IAM user of an access key IAM
// created, the account's root user otherwise.
func (s *Service) callerArn(ctx context.Context, acct string) string {
	arn := "arn:aws:iam::" + acct + ":root"
	_ = s.read(ctx, func(tx *store.Tx) error {
		var k accessKeyDoc
		if err := getDoc(ctx, tx, acct, kindAccessKey, "", callerKey(ctx), &k); err != nil {
			return err
		}
		u, err := getUser(ctx, tx, acct, k.UserName)
		if err == nil {
			arn = u.Arn
		}
		return err
	})
	return arn
}

// moveChildren re-parents the rows of kinds under oldKey to newKey, for a renamed entity.
func moveChildren(ctx context.Context, tx *store.Tx, acct, oldKey, newKey string, kinds ...string) error {
	for _, kind := range kinds {
		rows, err := listRows(ctx, tx, acct, kind, &oldKey)
		if err != nil {
			return err
		}
		if _, err := tx.IAMResourceDeleteChildren(ctx, acct, "", kind, oldKey); err != nil {
			return err
		}
		for _, r := range rows {
			r.Parent = newKey
			if err := tx.IAMResourcePut(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}
