package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaURLCases returns the conformance cases of the Lambda function URL store methods.
func lambdaURLCases() []Case {
	return []Case{
		{"LambdaFunctionURLLifecycle", testLambdaFunctionURLLifecycle},
		{"LambdaFunctionURLGoesWithFunctionAndAlias", testLambdaFunctionURLCascade},
	}
}

func testLambdaFunctionURLLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	u := &store.LambdaFunctionURL{Account: acct, Region: region, Function: "f", Qualifier: "$LATEST", URLID: "id1", Config: `{"a":1}`, CreatedAt: lambdaT0, ModifiedAt: lambdaT0}
	require.ErrorIs(t, db.LambdaFunctionURLCreate(ctx, u), store.ErrNotFound)
	MustLambdaFunction(t, db, "f", false)
	require.NoError(t, db.LambdaFunctionURLCreate(ctx, u))
	dup := *u
	dup.URLID = "id2"
	require.ErrorIs(t, db.LambdaFunctionURLCreate(ctx, &dup), store.ErrConflict)
	sameID := *u
	sameID.Qualifier = "live"
	require.ErrorIs(t, db.LambdaFunctionURLCreate(ctx, &sameID), store.ErrConflict)
	live := *u
	live.Qualifier, live.URLID = "live", "id3"
	require.NoError(t, db.LambdaFunctionURLCreate(ctx, &live))

	got, err := db.LambdaFunctionURLGet(ctx, acct, region, "f", "$LATEST")
	require.NoError(t, err)
	require.Equal(t, u, got)
	got, err = db.LambdaFunctionURLGetByID(ctx, "id3")
	require.NoError(t, err)
	require.Equal(t, "live", got.Qualifier)
	_, err = db.LambdaFunctionURLGetByID(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaFunctionURLGet(ctx, acct, "eu-west-1", "f", "$LATEST")
	require.ErrorIs(t, err, store.ErrNotFound)

	got, err = db.LambdaFunctionURLUpdate(ctx, acct, region, "f", "live", func(u *store.LambdaFunctionURL) error {
		u.Config, u.ModifiedAt = `{"a":2}`, lambdaT0+5
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, lambdaT0, got.CreatedAt)
	got, err = db.LambdaFunctionURLGet(ctx, acct, region, "f", "live")
	require.NoError(t, err)
	require.Equal(t, `{"a":2}`, got.Config)
	require.Equal(t, lambdaT0+5, got.ModifiedAt)
	_, err = db.LambdaFunctionURLUpdate(ctx, acct, region, "f", "other", func(*store.LambdaFunctionURL) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	page, err := db.LambdaFunctionURLList(ctx, acct, region, "f", "", 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, "$LATEST", page[0].Qualifier)
	page, err = db.LambdaFunctionURLList(ctx, acct, region, "f", page[0].Qualifier, 10)
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, "live", page[0].Qualifier)

	require.NoError(t, db.LambdaFunctionURLDelete(ctx, acct, region, "f", "live"))
	require.ErrorIs(t, db.LambdaFunctionURLDelete(ctx, acct, region, "f", "live"), store.ErrNotFound)
	page, err = db.LambdaFunctionURLList(ctx, acct, region, "f", "", 10)
	require.NoError(t, err)
	require.Len(t, page, 1)
}

func testLambdaFunctionURLCascade(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "f", false)
	require.NoError(t, db.LambdaAliasCreate(ctx, &store.LambdaAlias{Account: acct, Region: region, Function: "f", Name: "live", RevisionID: "r", Config: "{}"}))
	for q, id := range map[string]string{"$LATEST": "a1", "live": "a2"} {
		require.NoError(t, db.LambdaFunctionURLCreate(ctx, &store.LambdaFunctionURL{Account: acct, Region: region, Function: "f", Qualifier: q, URLID: id, Config: "{}"}))
	}
	require.NoError(t, db.LambdaAliasDelete(ctx, acct, region, "f", "live"))
	_, err := db.LambdaFunctionURLGetByID(ctx, "a2")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaFunctionURLGetByID(ctx, "a1")
	require.NoError(t, err)
	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "f"))
	_, err = db.LambdaFunctionURLGetByID(ctx, "a1")
	require.ErrorIs(t, err, store.ErrNotFound)
}
