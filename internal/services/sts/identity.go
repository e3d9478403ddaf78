package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// caller is who signed a request, as GetCallerIdentity answers it.
type caller struct {
	Account, Arn, UserID string
	// Session is set when the request was signed with credentials STS issued.
	Session *session
}

// callerOf resolves the request's access key: credentials STS issued answer their
// session's identity, an IAM user's access key the user, and any other key (a 12-digit
// account id, "test", a configured key) the account's root user.
func (s *Service) callerOf(ctx context.Context, c *protocol.Call) (*caller, error) {
	root := &caller{Account: c.Account, Arn: "arn:aws:iam::" + c.Account + ":root", UserID: c.Account}
	acct, ok := awsid.Account(c.AccessKey)
	if !ok {
		return root, nil
	}
	switch {
	case strings.HasPrefix(c.AccessKey, "ASIA"):
		sess, err := s.session(ctx, acct, c.AccessKey)
		if errors.Is(err, store.ErrNotFound) {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		return &caller{Account: sess.Account, Arn: sess.Arn, UserID: sess.UserID, Session: sess}, nil
	case strings.HasPrefix(c.AccessKey, "AKIA"):
		key, err := s.userKey(ctx, acct, c.AccessKey)
		if errors.Is(err, store.ErrNotFound) {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		var u iamUser
		err = s.readIAM(ctx, acct, iamKindUser, strings.ToLower(key.UserName), &u)
		if errors.Is(err, store.ErrNotFound) {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		return &caller{Account: acct, Arn: u.Arn, UserID: u.UserID}, nil
	}
	return root, nil
}

// GetCallerIdentity answers who signed the request: the account root for plain keys
// (Arn arn:aws:iam::<account>:root, UserId the account id), the IAM user for a user's
// access key, and the assumed role or federated user for temporary credentials.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	who, err := s.callerOf(ctx, callOf(ctx))
	if err != nil {
		return nil, err
	}
	return &GetCallerIdentityOutput{Account: &who.Account, ARN: &who.Arn, UserID: &who.UserID}, nil
}

// GetAccessKeyInfo answers the account an access key belongs to. AWS keys carry their
// account in their bits, and so do the keys Overcast issues; a 12-digit key is that
// account, as the edge maps it; any other key belongs to the caller's account.
func (s *Service) GetAccessKeyInfo(ctx context.Context, in *GetAccessKeyInfoInput) (*GetAccessKeyInfoOutput, error) {
	key := *in.AccessKeyID
	acct, ok := awsid.Account(key)
	switch {
	case awsid.IsAccount(key):
		acct = key
	case !ok:
		acct = callOf(ctx).Account
	}
	return &GetAccessKeyInfoOutput{Account: &acct}, nil
}

// GetSessionToken issues temporary credentials that act as the caller: 12 hours by
// default, 15 minutes to 36 hours. MFA parameters are accepted and not checked.
func (s *Service) GetSessionToken(ctx context.Context, in *GetSessionTokenInput) (*GetSessionTokenOutput, error) {
	c := callOf(ctx)
	who, err := s.callerOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if who.Session != nil {
		// AWS refuses GetSessionToken with temporary credentials.
		return nil, errAccessDenied("Cannot call GetSessionToken with session credentials")
	}
	creds, _, err := s.newCredentials(ctx, &session{Account: who.Account, Arn: who.Arn, UserID: who.UserID},
		durationOr(in.DurationSeconds, 43200))
	if err != nil {
		return nil, err
	}
	return &GetSessionTokenOutput{Credentials: creds}, nil
}

// GetFederationToken issues temporary credentials for a federated user of the caller's
// account: arn:aws:sts::<account>:federated-user/<Name>, 12 hours by default.
func (s *Service) GetFederationToken(ctx context.Context, in *GetFederationTokenInput) (*GetFederationTokenOutput, error) {
	c := callOf(ctx)
	who, err := s.callerOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if who.Session != nil {
		return nil, errAccessDenied("Cannot call GetFederationToken with session credentials")
	}
	packed, err := packedSize(in.Policy, in.PolicyARNs, in.Tags)
	if err != nil {
		return nil, err
	}
	name := *in.Name
	fed := &FederatedUser{
		ARN:             ptr("arn:aws:sts::" + who.Account + ":federated-user/" + name),
		FederatedUserID: ptr(who.Account + ":" + name),
	}
	creds, _, err := s.newCredentials(ctx, &session{Account: who.Account, Arn: *fed.ARN, UserID: *fed.FederatedUserID},
		durationOr(in.DurationSeconds, 43200))
	if err != nil {
		return nil, err
	}
	if packed == nil {
		packed = ptr(int32(0))
	}
	return &GetFederationTokenOutput{Credentials: creds, FederatedUser: fed, PackedPolicySize: packed}, nil
}

// newCredentials issues credentials for sess that expire after d.
func (s *Service) newCredentials(ctx context.Context, sess *session, d time.Duration) (*Credentials, string, error) {
	exp := s.clock.Now().Add(d).UTC().Truncate(time.Second)
	sess.Secret = awsid.NewSecret()
	sess.Token = newSessionToken()
	sess.Expires = exp.UnixMilli()
	akid, err := s.issue(ctx, sess)
	if err != nil {
		return nil, "", err
	}
	return &Credentials{AccessKeyID: &akid, SecretAccessKey: &sess.Secret, SessionToken: &sess.Token, Expiration: &exp}, akid, nil
}

func durationOr(v *int32, def int32) time.Duration {
	if v != nil {
		def = *v
	}
	return time.Duration(def) * time.Second
}

func ptr[T any](v T) *T { return &v }
