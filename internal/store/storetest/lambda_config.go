package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaConfigCases returns the conformance cases of the Lambda code signing config and
// function setting store methods.
func lambdaConfigCases() []Case {
	return []Case{
		{"LambdaCodeSigningConfigLifecycle", testLambdaCodeSigningConfigLifecycle},
		{"LambdaFunctionSettingLifecycle", testLambdaFunctionSettingLifecycle},
	}
}

func testLambdaCodeSigningConfigLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	csc := func(id string) *store.LambdaCodeSigningConfig {
		return &store.LambdaCodeSigningConfig{Account: acct, Region: region, ID: id, Config: `{"d":"` + id + `"}`, LastModified: lambdaT0}
	}
	for _, id := range []string{"csc-b", "csc-a", "csc-c"} {
		require.NoError(t, db.LambdaCodeSigningConfigCreate(ctx, csc(id)))
	}
	require.ErrorIs(t, db.LambdaCodeSigningConfigCreate(ctx, csc("csc-a")), store.ErrConflict)
	c, err := db.LambdaCodeSigningConfigGet(ctx, acct, region, "csc-a")
	require.NoError(t, err)
	require.Equal(t, *csc("csc-a"), *c)
	_, err = db.LambdaCodeSigningConfigGet(ctx, acct, "eu-west-1", "csc-a")
	require.ErrorIs(t, err, store.ErrNotFound)

	ids := func(cs []*store.LambdaCodeSigningConfig) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	page, err := db.LambdaCodeSigningConfigList(ctx, acct, region, "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"csc-a", "csc-b"}, ids(page))
	page, err = db.LambdaCodeSigningConfigList(ctx, acct, region, "csc-b", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"csc-c"}, ids(page))

	// Update applies fn's changes; an error from fn writes nothing.
	c, err = db.LambdaCodeSigningConfigUpdate(ctx, acct, region, "csc-a", func(c *store.LambdaCodeSigningConfig) error {
		c.Config, c.LastModified = `{"d":"new"}`, lambdaT0+1
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, `{"d":"new"}`, c.Config)
	boom := errors.New("boom")
	_, err = db.LambdaCodeSigningConfigUpdate(ctx, acct, region, "csc-a", func(c *store.LambdaCodeSigningConfig) error {
		c.Config = "{}"
		return boom
	})
	require.ErrorIs(t, err, boom)
	c, err = db.LambdaCodeSigningConfigGet(ctx, acct, region, "csc-a")
	require.NoError(t, err)
	require.Equal(t, `{"d":"new"}`, c.Config)
	require.Equal(t, lambdaT0+1, c.LastModified)
	_, err = db.LambdaCodeSigningConfigUpdate(ctx, acct, region, "csc-x", func(*store.LambdaCodeSigningConfig) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	// A config in use cannot be deleted; once its function is gone it can.
	MustLambdaFunction(t, db, "f", false)
	require.NoError(t, db.LambdaFunctionSettingPut(ctx, &store.LambdaFunctionSetting{Account: acct, Region: region, Function: "f", Kind: store.LambdaSettingCodeSigning, Value: "csc-a"}))
	require.ErrorIs(t, db.LambdaCodeSigningConfigDelete(ctx, acct, region, "csc-a"), store.ErrConflict)
	_, err = db.LambdaCodeSigningConfigGet(ctx, acct, region, "csc-a")
	require.NoError(t, err)
	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "f"))
	require.NoError(t, db.LambdaCodeSigningConfigDelete(ctx, acct, region, "csc-a"))
	require.ErrorIs(t, db.LambdaCodeSigningConfigDelete(ctx, acct, region, "csc-a"), store.ErrNotFound)
	_, err = db.LambdaCodeSigningConfigGet(ctx, acct, region, "csc-a")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLambdaFunctionSettingLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	set := func(fn, kind, q, v string) *store.LambdaFunctionSetting {
		return &store.LambdaFunctionSetting{Account: acct, Region: region, Function: fn, Kind: kind, Qualifier: q, Value: v}
	}
	require.ErrorIs(t, db.LambdaFunctionSettingPut(ctx, set("nope", store.LambdaSettingRecursion, "", "Allow")), store.ErrNotFound)
	for _, fn := range []string{"b", "a", "C", "_d"} {
		MustLambdaFunction(t, db, fn, true)
	}
	// A code signing setting needs its config.
	require.ErrorIs(t, db.LambdaFunctionSettingPut(ctx, set("a", store.LambdaSettingCodeSigning, "", "csc-x")), store.ErrPreconditionFailed)
	require.NoError(t, db.LambdaCodeSigningConfigCreate(ctx, &store.LambdaCodeSigningConfig{Account: acct, Region: region, ID: "csc-x", Config: "{}"}))
	require.NoError(t, db.LambdaCodeSigningConfigCreate(ctx, &store.LambdaCodeSigningConfig{Account: acct, Region: region, ID: "csc-y", Config: "{}"}))
	for _, fn := range []string{"b", "a", "C", "_d"} {
		require.NoError(t, db.LambdaFunctionSettingPut(ctx, set(fn, store.LambdaSettingCodeSigning, "", "csc-x")))
	}

	_, err := db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRecursion, "")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, db.LambdaFunctionSettingPut(ctx, set("a", store.LambdaSettingRecursion, "", "Allow")))
	require.NoError(t, db.LambdaFunctionSettingPut(ctx, set("a", store.LambdaSettingRecursion, "", "Terminate")))
	s, err := db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRecursion, "")
	require.NoError(t, err)
	require.Equal(t, *set("a", store.LambdaSettingRecursion, "", "Terminate"), *s)
	require.NoError(t, db.LambdaFunctionSettingPut(ctx, set("a", store.LambdaSettingRuntime, "1", `{"m":"Manual"}`)))
	s, err = db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRuntime, "1")
	require.NoError(t, err)
	require.Equal(t, `{"m":"Manual"}`, s.Value)
	_, err = db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRuntime, "$LATEST")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Functions by value, in byte order, paged.
	names, err := db.LambdaFunctionSettingFunctions(ctx, acct, region, store.LambdaSettingCodeSigning, "csc-x", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"C", "_d", "a", "b"}, names)
	names, err = db.LambdaFunctionSettingFunctions(ctx, acct, region, store.LambdaSettingCodeSigning, "csc-x", "_d", 1)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, names)
	require.NoError(t, db.LambdaFunctionSettingPut(ctx, set("b", store.LambdaSettingCodeSigning, "", "csc-y")))
	names, err = db.LambdaFunctionSettingFunctions(ctx, acct, region, store.LambdaSettingCodeSigning, "csc-y", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, names)

	// Delete one, then deleting the function takes the rest.
	require.NoError(t, db.LambdaFunctionSettingDelete(ctx, acct, region, "a", store.LambdaSettingCodeSigning, ""))
	require.ErrorIs(t, db.LambdaFunctionSettingDelete(ctx, acct, region, "a", store.LambdaSettingCodeSigning, ""), store.ErrNotFound)
	require.NoError(t, db.LambdaFunctionDelete(ctx, acct, region, "a"))
	_, err = db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRecursion, "")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaFunctionSettingGet(ctx, acct, region, "a", store.LambdaSettingRuntime, "1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, db.LambdaFunctionSettingDelete(ctx, acct, region, "C", "", ""))
	names, err = db.LambdaFunctionSettingFunctions(ctx, acct, region, store.LambdaSettingCodeSigning, "csc-x", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"_d"}, names)
}
