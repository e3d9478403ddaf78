package lambda

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/store"
)

// invokeEcho invokes the test handler and returns its greeting and the executed version.
func (b *testBundle) invokeEcho(t *testing.T, svc *Service, name string, qualifier *string) (greeting, version string) {
	t.Helper()
	out, err := svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr(name), Qualifier: qualifier, Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, string(out.Payload))
	var got struct {
		Greeting string `json:"greeting"`
	}
	require.NoError(t, json.Unmarshal(out.Payload, &got))
	return got.Greeting, *out.ExecutedVersion
}

func (b *testBundle) setGreeting(t *testing.T, name, greeting string) {
	t.Helper()
	_, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{
		FunctionName: ptr(name), Environment: &Environment{Variables: map[string]string{"GREETING": greeting}},
	})
	require.NoError(t, err)
}

// TestInvokeSeesChangesAtOnce checks that every change made through a node reaches the
// next invocation on that node, whatever the cache holds.
func TestInvokeSeesChangesAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	b.setGreeting(t, "f", "one")
	g, _ := b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "one", g)

	// Configuration and code of $LATEST.
	b.setGreeting(t, "f", "two")
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "two", g)
	code := MustZip(t, map[string]string{"app.py": `def handler(event, context):
    return {"greeting": "from new code"}
`})
	_, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: code})
	require.NoError(t, err)
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "from new code", g)

	// Reserved concurrency.
	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(0))})
	require.NoError(t, err)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f")})
	requireCode(t, err, ErrCodeTooManyRequestsException)
	_, err = b.svc.DeleteFunctionConcurrency(b.ctx, &DeleteFunctionConcurrencyInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "from new code", g)

	// Versions and aliases.
	_, err = b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: MustZip(t, map[string]string{"app.py": testHandler})})
	require.NoError(t, err)
	b.setGreeting(t, "f", "v1")
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	g, v := b.invokeEcho(t, b.svc, "f", ptr("live"))
	require.Equal(t, "v1", g)
	require.Equal(t, "1", v)
	b.setGreeting(t, "f", "v2")
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	g, v = b.invokeEcho(t, b.svc, "f", ptr("2"))
	require.Equal(t, "v2", g)
	require.Equal(t, "2", v)
	_, err = b.svc.UpdateAlias(b.ctx, &UpdateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("2")})
	require.NoError(t, err)
	g, v = b.invokeEcho(t, b.svc, "f", ptr("live"))
	require.Equal(t, "v2", g)
	require.Equal(t, "2", v)
	_, err = b.svc.DeleteAlias(b.ctx, &DeleteAliasInput{FunctionName: ptr("f"), Name: ptr("live")})
	require.NoError(t, err)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Qualifier: ptr("live")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	_, v = b.invokeEcho(t, b.svc, "f", ptr("live"))
	require.Equal(t, "1", v)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f"), Qualifier: ptr("2")})
	require.NoError(t, err)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Qualifier: ptr("2")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// The function itself, and a new one of the same name.
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	for _, typ := range []string{InvocationTypeRequestResponse, InvocationTypeEvent, InvocationTypeDryRun} {
		_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), InvocationType: ptr(typ)})
		requireCode(t, err, ErrCodeResourceNotFoundException)
	}
	in := createInput(t, "f")
	in.Environment = &Environment{Variables: map[string]string{"GREETING": "reborn"}}
	_, err = b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "reborn", g)
}

// TestInvokeCachesFunctions checks that warm invocations do not depend on the store
// within the TTL, that Reset forgets everything, and that another node's change is
// seen once the TTL has passed.
func TestInvokeCachesFunctions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.svc.cache = newFuncCache(time.Hour)
	b.MustCreate(t, "f")
	b.setGreeting(t, "f", "cached")
	g, _ := b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "cached", g)

	// A change the service does not see (as if made on another node with a long TTL).
	v, err := b.db.LambdaVersionGet(b.ctx, testAccount, testRegion, "f", store.LambdaLatest)
	require.NoError(t, err)
	c, err := decodeConfig(v.Config)
	require.NoError(t, err)
	c.Environment = map[string]string{"GREETING": "behind its back"}
	_, err = b.db.LambdaVersionUpdate(b.ctx, testAccount, testRegion, "f", nil, func(v *store.LambdaVersion) error {
		v.Config = c.encode()
		return nil
	})
	require.NoError(t, err)
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "cached", g)

	b.svc.Reset()
	g, _ = b.invokeEcho(t, b.svc, "f", nil)
	require.Equal(t, "behind its back", g)

	// Two nodes on one store: node 2 keeps its copy for a short TTL only.
	node2 := New(Deps{Store: b.db, Clock: b.clock, MetadataTTL: 20 * time.Millisecond, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(node2.Stop)
	g, _ = b.invokeEcho(t, node2, "f", nil)
	require.Equal(t, "behind its back", g)
	b.setGreeting(t, "f", "from node 1")
	require.Eventually(t, func() bool {
		g, _ := b.invokeEcho(t, node2, "f", nil)
		return g == "from node 1"
	}, 10*time.Second, 10*time.Millisecond)

	// A negative TTL turns the cache off.
	node3 := New(Deps{Store: b.db, Clock: b.clock, MetadataTTL: -1, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(node3.Stop)
	b.invokeEcho(t, node3, "f", nil)
	b.setGreeting(t, "f", "uncached")
	g, _ = b.invokeEcho(t, node3, "f", nil)
	require.Equal(t, "uncached", g)
}

// TestFuncCacheLoadRace checks that a load that read the store before a write finished
// is not kept after the write forgot the function.
func TestFuncCacheLoadRace(t *testing.T) {
	t.Parallel()
	c := newFuncCache(time.Hour)
	k := funcKey{testAccount, testRegion, "f"}
	now := time.Now()
	gen := c.generation()
	c.forget(testAccount, testRegion, "f")
	c.putVersion(k, store.LambdaLatest, &resolved{name: "f"}, gen, now)
	c.putAlias(k, "live", &aliasConfig{Version: "1"}, gen, now)
	require.Nil(t, c.version(k, store.LambdaLatest, now))
	require.Nil(t, c.alias(k, "live", now))

	gen = c.generation()
	c.putVersion(k, store.LambdaLatest, &resolved{name: "f"}, gen, now)
	require.NotNil(t, c.version(k, store.LambdaLatest, now))
	require.Nil(t, c.version(k, store.LambdaLatest, now.Add(time.Hour)), "expired")
	c.forget(testAccount, testRegion, "other")
	require.NotNil(t, c.version(k, store.LambdaLatest, now), "another function's write keeps this one")
	c.clear()
	require.Nil(t, c.version(k, store.LambdaLatest, now))
}
