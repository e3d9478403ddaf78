package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaCases returns the conformance cases of the Lambda store methods.
func lambdaCases() []Case {
	return []Case{
		{"LambdaFunctionLifecycle", testLambdaFunctionLifecycle},
		{"LambdaVersionPublishAndList", testLambdaVersionPublishAndList},
		{"LambdaFunctionUpdateRollsBack", testLambdaFunctionUpdateRollsBack},
		{"LambdaAliasLifecycle", testLambdaAliasLifecycle},
	}
}

const lambdaT0 = int64(1_772_366_400_000)

// MustLambdaFunction creates a function in account 123456789012, us-east-1.
func MustLambdaFunction(tb testing.TB, db *store.DB, name string, publish bool) {
	tb.Helper()
	require.NoError(tb, db.LambdaFunctionCreate(tb.Context(), &store.LambdaFunctionCreateParams{
		Account: "123456789012", Region: "us-east-1", Name: name, Now: lambdaT0,
		Config: `{"h":"` + name + `"}`, RevisionID: "r0", Code: []byte("zip-" + name),
		Publish: publish, PublishConfig: `{"v":1}`, PublishRevisionID: "r1",
	}))
}

func testLambdaFunctionLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "f", false)
	err := db.LambdaFunctionCreate(ctx, &store.LambdaFunctionCreateParams{Account: acct, Region: region, Name: "f", Config: "{}", RevisionID: "x"})
	require.ErrorIs(t, err, store.ErrConflict)

	f, err := db.LambdaFunctionGet(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Equal(t, "{}", f.Tags)
	require.Equal(t, int64(-1), f.Reserved)
	require.Equal(t, lambdaT0, f.CreatedAt)
	_, err = db.LambdaFunctionGet(ctx, acct, "eu-west-1", "f")
	require.ErrorIs(t, err, store.ErrNotFound)

	v, err := db.LambdaVersionGet(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, `{"h":"f"}`, v.Config)
	require.Equal(t, "r0", v.RevisionID)
	code, err := db.LambdaVersionCode(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, []byte("zip-f"), code)

	// Config only: the code stays.
	v, err = db.LambdaVersionUpdate(ctx, acct, region, "f", nil, func(v *store.LambdaVersion) error {
		v.Config, v.RevisionID = `{"h":"g"}`, "r2"
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "r2", v.RevisionID)
	code, err = db.LambdaVersionCode(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, []byte("zip-f"), code)
	_, err = db.LambdaVersionUpdate(ctx, acct, region, "f", []byte{0, 1, 2}, func(v *store.LambdaVersion) error {
		v.RevisionID = "r3"
		return nil
	})
	require.NoError(t, err)
	code, err = db.LambdaVersionCode(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, []byte{0, 1, 2}, code)
	v, err = db.LambdaVersionGet(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, "r3", v.RevisionID)
	require.Equal(t, `{"h":"g"}`, v.Config)

	f, err = db.LambdaFunctionUpdate(ctx, acct, region, "f", func(f *store.LambdaFunction) error {
		f.Tags, f.Policy, f.Reserved = `{"a":"b"}`, `{"Version":"2012-10-17"}`, 5
		return nil
	})
	require.NoError(t, err)
	f, err = db.LambdaFunctionGet(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Equal(t, `{"a":"b"}`, f.Tags)
	require.Equal(t, `{"Version":"2012-10-17"}`, f.Policy)
	require.Equal(t, int64(5), f.Reserved)

	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "f"))
	require.ErrorIs(t, db.LambdaFunctionDelete(ctx, acct, region, "f"), store.ErrNotFound)
	_, err = db.LambdaVersionGet(ctx, acct, region, "f", store.LambdaLatest)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaVersionUpdate(ctx, acct, region, "f", nil, func(*store.LambdaVersion) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)
	// The name is free again.
	MustLambdaFunction(t, db, "f", false)
}

func testLambdaVersionPublishAndList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "b", true)
	MustLambdaFunction(t, db, "a", false)
	MustLambdaFunction(t, db, "C", false)

	v, err := db.LambdaVersionGet(ctx, acct, region, "b", 1)
	require.NoError(t, err)
	require.Equal(t, `{"v":1}`, v.Config)
	code, err := db.LambdaVersionCode(ctx, acct, region, "b", 1)
	require.NoError(t, err)
	require.Equal(t, []byte("zip-b"), code)

	v, err = db.LambdaVersionPublish(ctx, acct, region, "b", func(latest *store.LambdaVersion, n int64) (string, string, error) {
		require.Equal(t, store.LambdaLatest, int(latest.Version))
		return `{"v":2}`, "r2", nil
	})
	require.NoError(t, err)
	require.Equal(t, int64(2), v.Version)
	code, err = db.LambdaVersionCode(ctx, acct, region, "b", 2)
	require.NoError(t, err)
	require.Equal(t, []byte("zip-b"), code)
	f, err := db.LambdaFunctionGet(ctx, acct, region, "b")
	require.NoError(t, err)
	require.Equal(t, int64(2), f.LastVersion)
	_, err = db.LambdaVersionPublish(ctx, acct, region, "nope", func(*store.LambdaVersion, int64) (string, string, error) { return "", "", nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	// $LATEST rows only, in byte order.
	list, err := db.LambdaVersionList(ctx, &store.LambdaVersionListParams{Account: acct, Region: region})
	require.NoError(t, err)
	var names []string
	for _, v := range list {
		names = append(names, v.Function)
	}
	require.Equal(t, []string{"C", "a", "b"}, names)

	// Every version, paged two at a time.
	var got []string
	p := &store.LambdaVersionListParams{Account: acct, Region: region, AllVersions: true, Limit: 2}
	for {
		page, err := db.LambdaVersionList(ctx, p)
		require.NoError(t, err)
		for _, v := range page {
			got = append(got, v.Function+":"+string(rune('0'+v.Version)))
		}
		if len(page) < 2 {
			break
		}
		p.AfterFunction, p.AfterVersion = page[len(page)-1].Function, page[len(page)-1].Version
	}
	require.Equal(t, []string{"C:0", "a:0", "b:0", "b:1", "b:2"}, got)

	list, err = db.LambdaVersionList(ctx, &store.LambdaVersionListParams{Account: acct, Region: region, Function: "b", AllVersions: true})
	require.NoError(t, err)
	require.Len(t, list, 3)

	require.NoError(t, db.LambdaVersionDelete(ctx, acct, region, "b", 1))
	require.ErrorIs(t, db.LambdaVersionDelete(ctx, acct, region, "b", 1), store.ErrNotFound)
	// Numbers are never reused.
	v, err = db.LambdaVersionPublish(ctx, acct, region, "b", func(*store.LambdaVersion, int64) (string, string, error) { return "{}", "r", nil })
	require.NoError(t, err)
	require.Equal(t, int64(3), v.Version)
}

func testLambdaFunctionUpdateRollsBack(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "f", false)
	boom := errors.New("boom")
	_, err := db.LambdaVersionUpdate(ctx, acct, region, "f", []byte("new"), func(v *store.LambdaVersion) error {
		v.RevisionID = "changed"
		return boom
	})
	require.ErrorIs(t, err, boom)
	v, err := db.LambdaVersionGet(ctx, acct, region, "f", store.LambdaLatest)
	require.NoError(t, err)
	require.Equal(t, "r0", v.RevisionID)
	_, err = db.LambdaFunctionUpdate(ctx, acct, region, "f", func(f *store.LambdaFunction) error {
		f.Reserved = 9
		return boom
	})
	require.ErrorIs(t, err, boom)
	f, err := db.LambdaFunctionGet(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Equal(t, int64(-1), f.Reserved)
}

func testLambdaAliasLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	alias := &store.LambdaAlias{Account: acct, Region: region, Function: "f", Name: "live", RevisionID: "r1", Config: `{"v":"1"}`}
	require.ErrorIs(t, db.LambdaAliasCreate(ctx, alias), store.ErrNotFound)
	MustLambdaFunction(t, db, "f", true)
	require.NoError(t, db.LambdaAliasCreate(ctx, alias))
	require.ErrorIs(t, db.LambdaAliasCreate(ctx, alias), store.ErrConflict)
	other := *alias
	other.Name = "beta"
	require.NoError(t, db.LambdaAliasCreate(ctx, &other))

	got, err := db.LambdaAliasGet(ctx, acct, region, "f", "live")
	require.NoError(t, err)
	require.Equal(t, alias, got)
	_, err = db.LambdaAliasUpdate(ctx, acct, region, "f", "live", func(a *store.LambdaAlias) error {
		a.RevisionID, a.Config = "r2", `{"v":"2"}`
		return nil
	})
	require.NoError(t, err)
	got, err = db.LambdaAliasGet(ctx, acct, region, "f", "live")
	require.NoError(t, err)
	require.Equal(t, "r2", got.RevisionID)
	require.Equal(t, `{"v":"2"}`, got.Config)
	_, err = db.LambdaAliasUpdate(ctx, acct, region, "f", "nope", func(*store.LambdaAlias) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	list, err := db.LambdaAliasList(ctx, acct, region, "f")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, db.LambdaAliasDelete(ctx, acct, region, "f", "beta"))
	require.ErrorIs(t, db.LambdaAliasDelete(ctx, acct, region, "f", "beta"), store.ErrNotFound)

	// Deleting the function deletes its aliases.
	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "f"))
	_, err = db.LambdaAliasGet(ctx, acct, region, "f", "live")
	require.ErrorIs(t, err, store.ErrNotFound)
}
