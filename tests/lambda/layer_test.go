package lambda_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

// zipFiles returns a zip holding files.
func zipFiles(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestLayersBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_layers.py", uniqueName(t))
	require.Contains(t, out, "ok")
}

func TestLayersSDK(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	l, err := c.PublishLayerVersion(t.Context(), &lambda.PublishLayerVersionInput{
		LayerName:          aws.String(name),
		Content:            &types.LayerVersionContentInput{ZipFile: zipFiles(t, map[string]string{"python/greeting.py": "WORD = 'layered'\n"})},
		CompatibleRuntimes: []types.Runtime{types.RuntimePython312},
	})
	require.NoError(t, err)
	require.Equal(t, int64(1), l.Version)
	byARN, err := c.GetLayerVersionByArn(t.Context(), &lambda.GetLayerVersionByArnInput{Arn: l.LayerVersionArn})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(l.Content.CodeSha256), aws.ToString(byARN.Content.CodeSha256))
	versions, err := c.ListLayerVersions(t.Context(), &lambda.ListLayerVersionsInput{LayerName: aws.String(name), CompatibleRuntime: types.RuntimePython312})
	require.NoError(t, err)
	require.Len(t, versions.LayerVersions, 1)

	fn := name + "-fn"
	_, err = c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn), Runtime: types.RuntimePython312, Role: aws.String(role), Handler: aws.String("app.handler"),
		Code:   &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": "import greeting\ndef handler(e, c):\n    return greeting.WORD\n"})},
		Layers: []string{aws.ToString(l.LayerVersionArn)},
	})
	require.NoError(t, err)
	got, err := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(fn)})
	require.NoError(t, err)
	require.Len(t, got.Configuration.Layers, 1)
	require.Equal(t, aws.ToString(l.LayerVersionArn), aws.ToString(got.Configuration.Layers[0].Arn))
	require.Equal(t, l.Content.CodeSize, got.Configuration.Layers[0].CodeSize)
	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, string(out.Payload))
	require.Equal(t, `"layered"`, string(out.Payload))

	_, err = c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn + "-2"), Runtime: types.RuntimePython312, Role: aws.String(role), Handler: aws.String("app.handler"),
		Code:   &types.FunctionCode{ZipFile: handlerZip(t)},
		Layers: []string{"arn:aws:lambda:us-east-1:" + defaultAccount + ":layer:" + name + ":7"},
	})
	ae := requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	require.Equal(t, "Layer version arn:aws:lambda:us-east-1:"+defaultAccount+":layer:"+name+":7 does not exist.", ae.ErrorMessage())
	_, err = c.GetLayerVersionPolicy(t.Context(), &lambda.GetLayerVersionPolicyInput{LayerName: aws.String(name), VersionNumber: aws.Int64(1)})
	ae = requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	require.Equal(t, "No policy is associated with the given resource.", ae.ErrorMessage())
	_, err = c.DeleteLayerVersion(t.Context(), &lambda.DeleteLayerVersionInput{LayerName: aws.String(name), VersionNumber: aws.Int64(1)})
	require.NoError(t, err)
	_, err = c.GetLayerVersion(t.Context(), &lambda.GetLayerVersionInput{LayerName: aws.String(name), VersionNumber: aws.Int64(1)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	// The function keeps the deleted version.
	out, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, `"layered"`, string(out.Payload))
}

func TestLayersCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	zipPath := filepath.Join(t.TempDir(), "layer.zip")
	require.NoError(t, os.WriteFile(zipPath, zipFiles(t, map[string]string{"nodejs/node_modules/word/index.js": "module.exports = 'cli';\n"}), 0o600))
	var published struct {
		LayerVersionArn string
		Version         int64
		Content         struct{ CodeSize int64 }
	}
	srv.MustAWS(t, &published, "lambda", "publish-layer-version", "--layer-name", name, "--zip-file", "fileb://"+zipPath,
		"--compatible-runtimes", "nodejs20.x")
	require.Equal(t, int64(1), published.Version)
	fi, err := os.Stat(zipPath)
	require.NoError(t, err)
	require.Equal(t, fi.Size(), published.Content.CodeSize)
	var listed struct {
		LayerVersions []struct{ LayerVersionArn string }
	}
	srv.MustAWS(t, &listed, "lambda", "list-layer-versions", "--layer-name", name)
	require.Len(t, listed.LayerVersions, 1)
	require.Equal(t, published.LayerVersionArn, listed.LayerVersions[0].LayerVersionArn)
	var perm struct{ Statement string }
	srv.MustAWS(t, &perm, "lambda", "add-layer-version-permission", "--layer-name", name, "--version-number", "1",
		"--statement-id", "public", "--action", "lambda:GetLayerVersion", "--principal", "*")
	var st map[string]any
	require.NoError(t, json.Unmarshal([]byte(perm.Statement), &st))
	require.Equal(t, "*", st["Principal"])
	srv.MustAWS(t, nil, "lambda", "delete-layer-version", "--layer-name", name, "--version-number", "1")
	r := srv.AWS(t, "lambda", "get-layer-version-by-arn", "--arn", published.LayerVersionArn)
	require.NotEqual(t, 0, r.ExitCode)
	require.Contains(t, r.Stderr, "ResourceNotFoundException")
}
