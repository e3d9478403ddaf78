package lambda_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

// publishTwoVersions creates testdata/app.py as a function with versions 1 and 2 (the
// second differs by an environment variable, so that it is a new version).
func publishTwoVersions(t *testing.T, c *lambda.Client, name string) {
	t.Helper()
	ctx := t.Context()
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)}, Publish: true,
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "one"}},
	})
	require.NoError(t, err)
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), Environment: &types.Environment{Variables: map[string]string{"GREETING": "two"}},
	})
	require.NoError(t, err)
	w := lambda.NewFunctionUpdatedV2Waiter(c)
	require.NoError(t, w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))
	v, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(v.Version))
}

// invokeAliasVersions invokes name:alias n times and counts the executed versions. Each
// answer must agree with the version the function itself reports running.
func invokeAliasVersions(t *testing.T, c *lambda.Client, name, alias string, n int) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for range n {
		out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String(alias), Payload: []byte(`{}`)})
		require.NoError(t, err)
		require.Nil(t, out.FunctionError, "%s", out.Payload)
		executed := aws.ToString(out.ExecutedVersion)
		var res struct {
			Version  string `json:"version"`
			Greeting string `json:"greeting"`
		}
		require.NoError(t, json.Unmarshal(out.Payload, &res))
		require.Equal(t, executed, res.Version, "X-Amz-Executed-Version names the version that ran")
		require.Equal(t, map[string]string{"1": "one", "2": "two"}[executed], res.Greeting, "version %s runs its own configuration", executed)
		counts[executed]++
	}
	return counts
}

// TestAliasWeightedRouting routes an alias's invocations between two versions by
// RoutingConfig.AdditionalVersionWeights, as aws-sdk-go-v2 sees it in ExecutedVersion.
func TestAliasWeightedRouting(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	publishTwoVersions(t, c, name)

	alias, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{
		FunctionName: aws.String(name), Name: aws.String("canary"), FunctionVersion: aws.String("1"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.3}},
	})
	require.NoError(t, err)
	require.Equal(t, map[string]float64{"2": 0.3}, alias.RoutingConfig.AdditionalVersionWeights)
	got, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String("canary")})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(got.FunctionVersion))
	require.Equal(t, map[string]float64{"2": 0.3}, got.RoutingConfig.AdditionalVersionWeights)

	// Version 2 runs with probability 0.3: a binomial count, checked within five standard
	// deviations (a false failure about once in 1.7 million runs).
	const n, p = 400, 0.3
	counts := invokeAliasVersions(t, c, name, "canary", n)
	require.Equal(t, n, counts["1"]+counts["2"], "only versions 1 and 2 run: %v", counts)
	mean, sigma := n*p, math.Sqrt(n*p*(1-p))
	require.InDelta(t, mean, float64(counts["2"]), 5*sigma, "version 2 ran %d of %d times (expected %.0f ± %.0f)", counts["2"], n, mean, 5*sigma)

	// Weight 0 sends everything to the primary version, weight 1 everything to the other.
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(name), Name: aws.String("canary"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0}},
	})
	require.NoError(t, err)
	require.Equal(t, map[string]int{"1": 20}, invokeAliasVersions(t, c, name, "canary", 20))
	up, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(name), Name: aws.String("canary"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 1}},
	})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(up.FunctionVersion))
	require.Equal(t, map[string]int{"2": 20}, invokeAliasVersions(t, c, name, "canary", 20))

	// An empty RoutingConfig removes the weights.
	up, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(name), Name: aws.String("canary"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}},
	})
	require.NoError(t, err)
	if up.RoutingConfig != nil {
		require.Empty(t, up.RoutingConfig.AdditionalVersionWeights)
	}
	require.Equal(t, map[string]int{"1": 20}, invokeAliasVersions(t, c, name, "canary", 20))
}

// TestAliasWeightedRoutingErrors checks the routing configurations Lambda refuses.
func TestAliasWeightedRoutingErrors(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	publishTwoVersions(t, c, name)

	bad := []struct {
		what    string
		weights map[string]float64
		code    string
		status  int
	}{
		{"weight above 1", map[string]float64{"2": 1.5}, "ValidationException", 400},
		{"negative weight", map[string]float64{"2": -0.1}, "ValidationException", 400},
		{"version that does not exist", map[string]float64{"9": 0.5}, "ResourceNotFoundException", 404},
		{"primary version weighted", map[string]float64{"1": 0.5}, "InvalidParameterValueException", 400},
	}
	for _, b := range bad {
		_, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{
			FunctionName: aws.String(name), Name: aws.String("bad"), FunctionVersion: aws.String("1"),
			RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: b.weights},
		})
		require.Error(t, err, b.what)
		ae := apiError(t, err)
		require.Equal(t, b.code, ae.code, "%s: %s", b.what, ae.message)
		require.Equal(t, b.status, ae.status, b.what)
		if b.code == "ResourceNotFoundException" {
			require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name+":9", ae.message)
		}
	}
	// Nothing was created.
	_, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String("bad")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	// AdditionalVersionWeights keys are version numbers (pattern [0-9]+): $LATEST breaks the
	// model's constraint.
	t.Run("LatestWeighted", func(t *testing.T) {
		_, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{
			FunctionName: aws.String(name), Name: aws.String("latest"), FunctionVersion: aws.String("1"),
			RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"$LATEST": 0.5}},
		})
		require.Error(t, err)
		ae := apiError(t, err)
		require.Equal(t, "ValidationException", ae.code, ae.message)
		require.Equal(t, 400, ae.status)
	})

	// The same weights through the AWS CLI: the error code is printed on stderr.
	srv := sharedServer(t)
	r := srv.AWS(t, "lambda", "create-alias", "--function-name", name, "--name", "cli", "--function-version", "1",
		"--routing-config", `{"AdditionalVersionWeights":{"1":0.5}}`)
	require.NotEqual(t, 0, r.ExitCode)
	require.True(t, strings.Contains(r.Stderr, "(InvalidParameterValueException)"), r.Stderr)
	var created struct {
		AliasArn      string
		RoutingConfig struct{ AdditionalVersionWeights map[string]float64 }
	}
	srv.MustAWS(t, &created, "lambda", "create-alias", "--function-name", name, "--name", "cli", "--function-version", "1",
		"--routing-config", `{"AdditionalVersionWeights":{"2":0.25}}`)
	require.Equal(t, map[string]float64{"2": 0.25}, created.RoutingConfig.AdditionalVersionWeights)
}
