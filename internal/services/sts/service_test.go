package sts

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const testAccount = "123456789012"

type testBundle struct {
	svc   *Service
	db    *store.DB
	clock *clock.Virtual
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	return &testBundle{svc: New(Deps{Store: db, Clock: clk}), db: db, clock: clk}
}

// as returns ctx carrying a call signed with accessKey in account.
func as(ctx context.Context, account, accessKey string) context.Context {
	return protocol.WithCall(ctx, &protocol.Call{Account: account, Region: "us-east-1", AccessKey: accessKey})
}

func TestAssumedRoleCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(t.Context(), testAccount, testAccount)

	who, err := b.svc.GetCallerIdentity(ctx, &GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::"+testAccount+":root", *who.ARN)
	require.Equal(t, testAccount, *who.UserID)

	out, err := b.svc.AssumeRole(ctx, &AssumeRoleInput{RoleARN: ptr("arn:aws:iam::" + testAccount + ":role/app"), RoleSessionName: ptr("s1"), DurationSeconds: ptr(int32(900))})
	require.NoError(t, err)
	c := out.Credentials
	require.Equal(t, "arn:aws:sts::"+testAccount+":assumed-role/app/s1", *out.AssumedRoleUser.ARN)
	require.Equal(t, b.clock.Now().Add(15*time.Minute), *c.Expiration)

	// The edge's view of the key: its secret, token and the role's account.
	cred, ok := b.svc.Credential(*c.AccessKeyID)
	require.True(t, ok)
	require.Equal(t, Credential{Secret: *c.SecretAccessKey, SessionToken: *c.SessionToken, Account: testAccount, Expiration: *c.Expiration}, cred)

	// Requests signed with the session's key act as the assumed role, whatever account the
	// edge mapped the key to.
	who, err = b.svc.GetCallerIdentity(as(t.Context(), "000000000000", *c.AccessKeyID), &GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, *out.AssumedRoleUser.ARN, *who.ARN)
	require.Equal(t, testAccount, *who.Account)
	require.Equal(t, *out.AssumedRoleUser.AssumedRoleID, *who.UserID)

	// Credentials expire.
	b.clock.Advance(16 * time.Minute)
	_, ok = b.svc.Credential(*c.AccessKeyID)
	require.False(t, ok)

	// Keys of other forms are not STS's.
	for _, k := range []string{"test", testAccount, "AKIAIOSFODNN7EXAMPLE"} {
		_, ok := b.svc.Credential(k)
		require.False(t, ok, k)
	}
}

func TestResetForgetsCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(t.Context(), testAccount, testAccount)
	out, err := b.svc.GetSessionToken(ctx, &GetSessionTokenInput{})
	require.NoError(t, err)
	require.Equal(t, b.clock.Now().Add(12*time.Hour), *out.Credentials.Expiration)
	_, ok := b.svc.Credential(*out.Credentials.AccessKeyID)
	require.True(t, ok)

	require.NoError(t, b.db.Reset(t.Context(), "sts"))
	b.svc.Reset()
	_, ok = b.svc.Credential(*out.Credentials.AccessKeyID)
	require.False(t, ok)
}

func TestSessionCredentialsCannotGetTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.GetSessionToken(as(t.Context(), testAccount, testAccount), &GetSessionTokenInput{})
	require.NoError(t, err)
	sess := as(t.Context(), testAccount, *out.Credentials.AccessKeyID)
	_, err = b.svc.GetSessionToken(sess, &GetSessionTokenInput{})
	require.Equal(t, "AccessDenied", err.(*protocol.Error).Code)
	_, err = b.svc.GetFederationToken(sess, &GetFederationTokenInput{Name: ptr("fed")})
	require.Equal(t, "AccessDenied", err.(*protocol.Error).Code)
}
