package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaEventConfigCases returns the conformance cases of the Lambda event invoke config
// store methods.
func lambdaEventConfigCases() []Case {
	return []Case{
		{"LambdaEventConfigLifecycle", testLambdaEventConfigLifecycle},
		{"LambdaEventConfigListAndDeleteAll", testLambdaEventConfigListAndDeleteAll},
	}
}

func testLambdaEventConfigLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	err := db.LambdaEventConfigPut(ctx, &store.LambdaEventConfig{Account: acct, Region: region, Function: "nope", Qualifier: "$LATEST", Config: "{}"})
	require.ErrorIs(t, err, store.ErrNotFound)

	MustLambdaFunction(t, db, "f", false)
	_, err = db.LambdaEventConfigGet(ctx, acct, region, "f", "$LATEST")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, db.LambdaEventConfigPut(ctx, &store.LambdaEventConfig{Account: acct, Region: region, Function: "f", Qualifier: "$LATEST", Config: `{"r":1}`, LastModified: lambdaT0}))
	c, err := db.LambdaEventConfigGet(ctx, acct, region, "f", "$LATEST")
	require.NoError(t, err)
	require.Equal(t, store.LambdaEventConfig{Account: acct, Region: region, Function: "f", Qualifier: "$LATEST", Config: `{"r":1}`, LastModified: lambdaT0}, *c)

	// Put replaces.
	require.NoError(t, db.LambdaEventConfigPut(ctx, &store.LambdaEventConfig{Account: acct, Region: region, Function: "f", Qualifier: "$LATEST", Config: `{"r":2}`, LastModified: lambdaT0 + 1}))
	c, err = db.LambdaEventConfigGet(ctx, acct, region, "f", "$LATEST")
	require.NoError(t, err)
	require.Equal(t, `{"r":2}`, c.Config)
	require.Equal(t, lambdaT0+1, c.LastModified)

	// Update applies fn's changes; an error from fn writes nothing.
	c, err = db.LambdaEventConfigUpdate(ctx, acct, region, "f", "$LATEST", func(c *store.LambdaEventConfig) error {
		c.Config, c.LastModified = `{"r":0}`, lambdaT0+2
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, `{"r":0}`, c.Config)
	boom := errors.New("boom")
	_, err = db.LambdaEventConfigUpdate(ctx, acct, region, "f", "$LATEST", func(c *store.LambdaEventConfig) error {
		c.Config = `{"r":9}`
		return boom
	})
	require.ErrorIs(t, err, boom)
	c, err = db.LambdaEventConfigGet(ctx, acct, region, "f", "$LATEST")
	require.NoError(t, err)
	require.Equal(t, `{"r":0}`, c.Config)
	require.Equal(t, lambdaT0+2, c.LastModified)
	_, err = db.LambdaEventConfigUpdate(ctx, acct, region, "f", "prod", func(*store.LambdaEventConfig) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, db.LambdaEventConfigDelete(ctx, acct, region, "f", "$LATEST"))
	require.ErrorIs(t, db.LambdaEventConfigDelete(ctx, acct, region, "f", "$LATEST"), store.ErrNotFound)
	_, err = db.LambdaEventConfigGet(ctx, acct, region, "f", "$LATEST")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLambdaEventConfigListAndDeleteAll(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	MustLambdaFunction(t, db, "f", true)
	MustLambdaFunction(t, db, "g", false)
	for _, q := range []string{"prod", "1", "$LATEST", "Live"} {
		require.NoError(t, db.LambdaEventConfigPut(ctx, &store.LambdaEventConfig{Account: acct, Region: region, Function: "f", Qualifier: q, Config: "{}", LastModified: lambdaT0}))
	}
	require.NoError(t, db.LambdaEventConfigPut(ctx, &store.LambdaEventConfig{Account: acct, Region: region, Function: "g", Qualifier: "$LATEST", Config: "{}", LastModified: lambdaT0}))

	qualifiers := func(cs []*store.LambdaEventConfig) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Qualifier)
		}
		return out
	}
	// Byte order on every dialect.
	all, err := db.LambdaEventConfigList(ctx, acct, region, "f", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"$LATEST", "1", "Live", "prod"}, qualifiers(all))
	page, err := db.LambdaEventConfigList(ctx, acct, region, "f", "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"$LATEST", "1"}, qualifiers(page))
	page, err = db.LambdaEventConfigList(ctx, acct, region, "f", "1", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"Live", "prod"}, qualifiers(page))

	// Deleting every configuration of f leaves g's.
	require.NoError(t, db.LambdaEventConfigDelete(ctx, acct, region, "f", ""))
	all, err = db.LambdaEventConfigList(ctx, acct, region, "f", "", 10)
	require.NoError(t, err)
	require.Empty(t, all)
	require.NoError(t, db.LambdaEventConfigDelete(ctx, acct, region, "f", ""))
	all, err = db.LambdaEventConfigList(ctx, acct, region, "g", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"$LATEST"}, qualifiers(all))
}
