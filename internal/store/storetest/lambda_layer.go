package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaLayerCases returns the conformance cases of Lambda layers and provisioned
// concurrency configs.
func lambdaLayerCases() []Case {
	return []Case{
		{"LambdaLayerVersionLifecycle", testLambdaLayerVersionLifecycle},
		{"LambdaLayerVersionPolicyRollsBack", testLambdaLayerVersionPolicyRollsBack},
		{"LambdaProvisionedLifecycle", testLambdaProvisionedLifecycle},
	}
}

// MustLambdaLayerVersion publishes a version of layer in 123456789012, us-east-1.
func MustLambdaLayerVersion(tb testing.TB, db *store.DB, layer string, code []byte) *store.LambdaLayerVersion {
	tb.Helper()
	v, err := db.LambdaLayerVersionPublish(tb.Context(), &store.LambdaLayerVersionPublishParams{
		Account: "123456789012", Region: "us-east-1", Layer: layer, Now: lambdaT0,
		Config: `{"l":"` + layer + `"}`, RevisionID: "r", Code: code,
	})
	require.NoError(tb, err)
	return v
}

func testLambdaLayerVersionLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	v1 := MustLambdaLayerVersion(t, db, "b-layer", []byte("one"))
	require.Equal(t, int64(1), v1.Version)
	v2 := MustLambdaLayerVersion(t, db, "b-layer", []byte("two"))
	require.Equal(t, int64(2), v2.Version)
	MustLambdaLayerVersion(t, db, "a-layer", []byte("a"))
	// Another region has its own numbering.
	other, err := db.LambdaLayerVersionPublish(ctx, &store.LambdaLayerVersionPublishParams{Account: acct, Region: "eu-west-1", Layer: "b-layer", Config: "{}", RevisionID: "r"})
	require.NoError(t, err)
	require.Equal(t, int64(1), other.Version)

	got, err := db.LambdaLayerVersionGet(ctx, acct, region, "b-layer", 2)
	require.NoError(t, err)
	require.Equal(t, `{"l":"b-layer"}`, got.Config)
	require.Equal(t, lambdaT0, got.CreatedAt)
	require.Equal(t, "", got.Policy)
	_, err = db.LambdaLayerVersionGet(ctx, acct, region, "b-layer", 3)
	require.ErrorIs(t, err, store.ErrNotFound)

	all, err := db.LambdaLayerVersionList(ctx, acct, region, "")
	require.NoError(t, err)
	var names []string
	for _, v := range all {
		names = append(names, v.Layer+":"+string(rune('0'+v.Version)))
	}
	require.Equal(t, []string{"a-layer:1", "b-layer:2", "b-layer:1"}, names, "by layer, newest first")

	// A deleted version disappears but keeps its code; its number is never reused, even
	// once every version is gone.
	require.NoError(t, db.LambdaLayerVersionDelete(ctx, acct, region, "b-layer", 2))
	require.ErrorIs(t, db.LambdaLayerVersionDelete(ctx, acct, region, "b-layer", 2), store.ErrNotFound)
	_, err = db.LambdaLayerVersionGet(ctx, acct, region, "b-layer", 2)
	require.ErrorIs(t, err, store.ErrNotFound)
	code, err := db.LambdaLayerVersionCode(ctx, acct, region, "b-layer", 2)
	require.NoError(t, err)
	require.Equal(t, []byte("two"), code)
	require.NoError(t, db.LambdaLayerVersionDelete(ctx, acct, region, "b-layer", 1))
	list, err := db.LambdaLayerVersionList(ctx, acct, region, "b-layer")
	require.NoError(t, err)
	require.Empty(t, list)
	v3 := MustLambdaLayerVersion(t, db, "b-layer", []byte("three"))
	require.Equal(t, int64(3), v3.Version)
	_, err = db.LambdaLayerVersionCode(ctx, acct, region, "b-layer", 9)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLambdaLayerVersionPolicyRollsBack(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaLayerVersion(t, db, "p", []byte("z"))
	v, err := db.LambdaLayerVersionUpdatePolicy(ctx, acct, region, "p", 1, func(v *store.LambdaLayerVersion) error {
		v.Policy, v.RevisionID = `[{"Sid":"a"}]`, "r2"
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "r2", v.RevisionID)
	boom := errors.New("boom")
	_, err = db.LambdaLayerVersionUpdatePolicy(ctx, acct, region, "p", 1, func(v *store.LambdaLayerVersion) error {
		v.Policy = "changed"
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, err := db.LambdaLayerVersionGet(ctx, acct, region, "p", 1)
	require.NoError(t, err)
	require.Equal(t, `[{"Sid":"a"}]`, got.Policy)
	require.Equal(t, "r2", got.RevisionID)
	_, err = db.LambdaLayerVersionUpdatePolicy(ctx, acct, region, "p", 2, func(*store.LambdaLayerVersion) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	// Deleting drops the policy.
	require.NoError(t, db.LambdaLayerVersionDelete(ctx, acct, region, "p", 1))
	_, err = db.LambdaLayerVersionUpdatePolicy(ctx, acct, region, "p", 1, func(*store.LambdaLayerVersion) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLambdaProvisionedLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "f", true)
	put := func(fn, q string, n, at int64) {
		require.NoError(t, db.LambdaProvisionedPut(ctx, &store.LambdaProvisioned{Account: acct, Region: region, Function: fn, Qualifier: q, Requested: n, Modified: at}))
	}
	put("f", "1", 2, lambdaT0)
	put("f", "live", 1, lambdaT0)
	put("f", "1", 3, lambdaT0+5) // replaces
	require.NoError(t, db.LambdaProvisionedPut(ctx, &store.LambdaProvisioned{Account: "210987654321", Region: region, Function: "f", Qualifier: "1", Requested: 1}))

	p, err := db.LambdaProvisionedGet(ctx, acct, region, "f", "1")
	require.NoError(t, err)
	require.Equal(t, int64(3), p.Requested)
	require.Equal(t, lambdaT0+5, p.Modified)
	_, err = db.LambdaProvisionedGet(ctx, acct, region, "f", "2")
	require.ErrorIs(t, err, store.ErrNotFound)

	list, err := db.LambdaProvisionedList(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "1", list[0].Qualifier)
	require.Equal(t, "live", list[1].Qualifier)
	all, err := db.LambdaProvisionedList(ctx, "", "", "")
	require.NoError(t, err)
	require.Len(t, all, 3)

	require.NoError(t, db.LambdaProvisionedDelete(ctx, acct, region, "f", "live"))
	require.ErrorIs(t, db.LambdaProvisionedDelete(ctx, acct, region, "f", "live"), store.ErrNotFound)

	// Deleting the version deletes its config; deleting the function deletes them all.
	require.NoError(t, db.LambdaVersionDelete(ctx, acct, region, "f", 1))
	_, err = db.LambdaProvisionedGet(ctx, acct, region, "f", "1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, db.LambdaAliasCreate(ctx, &store.LambdaAlias{Account: acct, Region: region, Function: "f", Name: "live", RevisionID: "a", Config: "{}"}))
	put("f", "live", 1, lambdaT0)
	require.NoError(t, db.LambdaAliasDelete(ctx, acct, region, "f", "live"))
	_, err = db.LambdaProvisionedGet(ctx, acct, region, "f", "live")
	require.ErrorIs(t, err, store.ErrNotFound, "an alias's config goes with it")
	put("f", "other", 1, lambdaT0)
	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "f"))
	list, err = db.LambdaProvisionedList(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Empty(t, list)
}
