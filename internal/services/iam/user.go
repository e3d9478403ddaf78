package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// userDoc is a stored user. The sts package reads Arn and UserId.
type userDoc struct {
	UserName   string
	UserID     string `json:"UserId"`
	Arn        string
	Path       string
	CreateDate int64
	Tags       []tagDoc `json:",omitempty"`
}

func (u *userDoc) wire(withTags bool) *User {
	out := &User{Path: ptr(u.Path), UserName: ptr(u.UserName), UserID: ptr(u.UserID), ARN: ptr(u.Arn), CreateDate: msTime(u.CreateDate)}
	if withTags {
		out.Tags = wireTags(u.Tags, false)
	}
	return out
}

// accessKeyDoc is a stored access key. The sts package reads UserName, SecretAccessKey
// and Status.
type accessKeyDoc struct {
	AccessKeyID     string `json:"AccessKeyId"`
	UserName        string
	SecretAccessKey string
	Status          string
	CreateDate      int64
}

func getUser(ctx context.Context, tx *store.Tx, acct, name string) (*userDoc, error) {
	var u userDoc
	err := getDoc(ctx, tx, acct, kindUser, "", strings.ToLower(name), &u)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUserNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, in *CreateUserInput) (*CreateUserOutput, error) {
	acct := s.account(ctx)
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	path := pathOr(in.Path)
	u := &userDoc{UserName: *in.UserName, UserID: awsid.NewUnique("AIDA", acct), Path: path,
		Arn: "arn:aws:iam::" + acct + ":user" + path + *in.UserName, CreateDate: now.UnixMilli(), Tags: tags}
	err = s.write(ctx, func(tx *store.Tx) error {
		err := insertDoc(ctx, tx, acct, kindUser, "", strings.ToLower(u.UserName), u.UserID, u, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("User with name " + u.UserName + " already exists.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: u.wire(true)}, nil
}

// GetUser answers a user; without UserName it answers the caller: the user of the
// access key that signed the request, or the account's root user.
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	acct := s.account(ctx)
	var u *userDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		name := ""
		if in.UserName != nil {
			name = *in.UserName
		} else {
			var key accessKeyDoc
			err := getDoc(ctx, tx, acct, kindAccessKey, "", callerKey(ctx), &key)
			if errors.Is(err, store.ErrNotFound) {
				u = &userDoc{UserID: acct, Arn: "arn:aws:iam::" + acct + ":root"}
				return nil
			}
			if err != nil {
				return err
			}
			name = key.UserName
		}
		var err error
		u, err = getUser(ctx, tx, acct, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.UserName == "" {
		// The root user: AWS answers its id and ARN and no name or path.
		return &GetUserOutput{User: &User{UserID: ptr(u.UserID), ARN: ptr(u.Arn), CreateDate: msTime(0)}}, nil
	}
	return &GetUserOutput{User: u.wire(true)}, nil
}

// callerKey is the access key that signed the request.
func callerKey(ctx context.Context) string {
	k := protocolCallKey(ctx)
	if k == "" {
		return "-"
	}
	return k
}

// ListUsers lists the account's users by name, filtered by PathPrefix.
func (s *Service) ListUsers(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	var users []*userDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		users, err = listDocs[userDoc](ctx, tx, s.account(ctx), kindUser, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	users = filterPath(users, in.PathPrefix, func(u *userDoc) string { return u.Path })
	pg, truncated, next, err := page(users, func(u *userDoc) string { return strings.ToLower(u.UserName) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListUsersOutput{Users: make([]*User, 0, len(pg)), IsTruncated: &truncated, Marker: next}
	for _, u := range pg {
		out.Users = append(out.Users, u.wire(false))
	}
	return out, nil
}

// DeleteUser deletes a user that has no access key, attached or inline policy, and is in
// no group (DeleteConflict otherwise, as AWS).
func (s *Service) DeleteUser(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		u, err := getUser(ctx, tx, acct, *in.UserName)
		if err != nil {
			return err
		}
		key := strings.ToLower(u.UserName)
		if err := refuseIfAny(ctx, tx, acct, kindUserAttachment, key, NewDeleteConflictException("Cannot delete entity, must detach all policies first.")); err != nil {
			return err
		}
		if err := refuseIfAny(ctx, tx, acct, kindUserPolicy, key, NewDeleteConflictException("Cannot delete entity, must delete policies first.")); err != nil {
			return err
		}
		if err := refuseIfRef(ctx, tx, acct, kindAccessKey, key, NewDeleteConflictException("Cannot delete entity, must delete access keys first.")); err != nil {
			return err
		}
		if err := refuseIfRef(ctx, tx, acct, kindGroupMember, key, NewDeleteConflictException("Cannot delete entity, must remove users from group first.")); err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindUser, "", key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteUserOutput{}, nil
}

// CreateAccessKey creates an access key (AKIA...) for a user, at most two per user. Without
// UserName the key is the calling user's.
func (s *Service) CreateAccessKey(ctx context.Context, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	acct := s.account(ctx)
	now := s.clock.Now()
	var k *accessKeyDoc
	err := s.write(ctx, func(tx *store.Tx) error {
		name, err := s.userOrCaller(ctx, tx, acct, in.UserName)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		key := strings.ToLower(u.UserName)
		rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kindAccessKey, Ref: key})
		if err != nil {
			return err
		}
		if len(rows) >= 2 {
			return NewLimitExceededException("Cannot exceed quota for AccessKeysPerUser: 2")
		}
		k = &accessKeyDoc{AccessKeyID: awsid.New("AKIA", acct), UserName: u.UserName, SecretAccessKey: awsid.NewSecret(), Status: "Active", CreateDate: now.UnixMilli()}
		return insertDoc(ctx, tx, acct, kindAccessKey, "", k.AccessKeyID, key, k, now)
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyOutput{AccessKey: &AccessKey{UserName: ptr(k.UserName), AccessKeyID: ptr(k.AccessKeyID), Status: ptr(k.Status),
		SecretAccessKey: ptr(k.SecretAccessKey), CreateDate: msTime(k.CreateDate)}}, nil
}

// userOrCaller returns name, or when nil the name of the user whose key signed the
// request; other callers must name the user (ValidationError, as AWS).
func (s *Service) userOrCaller(ctx context.Context, tx *store.Tx, acct string, name *string) (string, error) {
	if name != nil {
		return *name, nil
	}
	var key accessKeyDoc
	err := getDoc(ctx, tx, acct, kindAccessKey, "", callerKey(ctx), &key)
	if errors.Is(err, store.ErrNotFound) {
		return "", errValidation("Must specify userName when calling with non-User credentials")
	}
	return key.UserName, err
}

// userKeys returns a user's access keys.
func userKeys(ctx context.Context, tx *store.Tx, acct, user string) ([]*accessKeyDoc, error) {
	rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kindAccessKey, Ref: strings.ToLower(user)})
	if err != nil {
		return nil, err
	}
	out := make([]*accessKeyDoc, 0, len(rows))
	for _, r := range rows {
		var k accessKeyDoc
		if err := getDoc(ctx, tx, acct, kindAccessKey, "", r.Name, &k); err != nil {
			return nil, err
		}
		out = append(out, &k)
	}
	return out, nil
}

// ListAccessKeys lists a user's access keys, without secrets.
func (s *Service) ListAccessKeys(ctx context.Context, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	acct := s.account(ctx)
	var keys []*accessKeyDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		name, err := s.userOrCaller(ctx, tx, acct, in.UserName)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		keys, err = userKeys(ctx, tx, acct, u.UserName)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &ListAccessKeysOutput{AccessKeyMetadata: make([]*AccessKeyMetadata, 0, len(keys)), IsTruncated: ptr(false)}
	for _, k := range keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, &AccessKeyMetadata{UserName: ptr(k.UserName), AccessKeyID: ptr(k.AccessKeyID),
			Status: ptr(k.Status), CreateDate: msTime(k.CreateDate)})
	}
	return out, nil
}

// userKey reads one access key of a user or answers NoSuchEntity.
func (s *Service) userKey(ctx context.Context, tx *store.Tx, acct string, user *string, id string) (*accessKeyDoc, error) {
	name, err := s.userOrCaller(ctx, tx, acct, user)
	if err != nil {
		return nil, err
	}
	if _, err := getUser(ctx, tx, acct, name); err != nil {
		return nil, err
	}
	var k accessKeyDoc
	err = getDoc(ctx, tx, acct, kindAccessKey, "", id, &k)
	if errors.Is(err, store.ErrNotFound) || err == nil && !strings.EqualFold(k.UserName, name) {
		return nil, NewNoSuchEntityException("The Access Key with id " + id + " cannot be found.")
	}
	return &k, err
}

// UpdateAccessKey changes a key's status (Active or Inactive).
func (s *Service) UpdateAccessKey(ctx context.Context, in *UpdateAccessKeyInput) (*UpdateAccessKeyOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		k, err := s.userKey(ctx, tx, acct, in.UserName, *in.AccessKeyID)
		if err != nil {
			return err
		}
		k.Status = *in.Status
		return putDoc(ctx, tx, acct, kindAccessKey, "", k.AccessKeyID, strings.ToLower(k.UserName), k, s.clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return &UpdateAccessKeyOutput{}, nil
}

// DeleteAccessKey deletes a user's access key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *DeleteAccessKeyInput) (*DeleteAccessKeyOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		k, err := s.userKey(ctx, tx, acct, in.UserName, *in.AccessKeyID)
		if err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindAccessKey, "", k.AccessKeyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteAccessKeyOutput{}, nil
}
