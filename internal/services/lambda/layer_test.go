package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
)

// MustPublishLayer publishes a layer version holding files.
func (b *testBundle) MustPublishLayer(t *testing.T, name string, files map[string]string, mod func(in *PublishLayerVersionInput)) *PublishLayerVersionOutput {
	t.Helper()
	in := &PublishLayerVersionInput{LayerName: ptr(name), Content: &LayerVersionContentInput{ZipFile: MustZip(t, files)}}
	if mod != nil {
		mod(in)
	}
	out, err := b.svc.PublishLayerVersion(b.ctx, in)
	require.NoError(t, err)
	return out
}

func TestPublishAndGetLayerVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zip := MustZip(t, map[string]string{"python/shared.py": "VALUE = 'one'\n"})
	out, err := b.svc.PublishLayerVersion(b.ctx, &PublishLayerVersionInput{
		LayerName: ptr("shared"), Description: ptr("shared code"), LicenseInfo: ptr("MIT"),
		CompatibleRuntimes: []string{"python3.12"}, CompatibleArchitectures: []string{ArchitectureX8664},
		Content: &LayerVersionContentInput{ZipFile: zip},
	})
	require.NoError(t, err)
	sum := sha256.Sum256(zip)
	require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), *out.Content.CodeSha256)
	require.Equal(t, int64(len(zip)), *out.Content.CodeSize)
	require.Equal(t, "http://localhost:4566/_overcast/lambda/layer/123456789012/us-east-1/shared/1.zip", *out.Content.Location)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:layer:shared", *out.LayerARN)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:layer:shared:1", *out.LayerVersionARN)
	require.Equal(t, int64(1), *out.Version)
	require.Equal(t, "2026-03-01T12:00:00.000+0000", *out.CreatedDate)
	require.Equal(t, "MIT", *out.LicenseInfo)

	again := b.MustPublishLayer(t, "shared", map[string]string{"python/shared.py": "VALUE = 'two'\n"}, nil)
	require.Equal(t, int64(2), *again.Version)

	got, err := b.svc.GetLayerVersion(b.ctx, &GetLayerVersionInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(1))})
	require.NoError(t, err)
	require.Equal(t, *out.Content.CodeSha256, *got.Content.CodeSha256)
	require.Equal(t, "shared code", *got.Description)
	require.Equal(t, []string{"python3.12"}, got.CompatibleRuntimes)
	byARN, err := b.svc.GetLayerVersionByArn(b.ctx, &GetLayerVersionByArnInput{ARN: out.LayerVersionARN})
	require.NoError(t, err)
	require.Equal(t, int64(1), *byARN.Version)
	byLayerARN, err := b.svc.GetLayerVersion(b.ctx, &GetLayerVersionInput{LayerName: out.LayerARN, VersionNumber: ptr(int64(2))})
	require.NoError(t, err)
	require.Equal(t, int64(2), *byLayerARN.Version)
	zipBack, err := b.svc.LayerZip(b.ctx, testAccount, testRegion, "shared", 1)
	require.NoError(t, err)
	require.Equal(t, zip, zipBack)

	_, err = b.svc.GetLayerVersion(b.ctx, &GetLayerVersionInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(3))})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.GetLayerVersion(b.ctx, &GetLayerVersionInput{LayerName: ptr("nope"), VersionNumber: ptr(int64(1))})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestPublishLayerVersionRefusesBadContent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PublishLayerVersion(b.ctx, &PublishLayerVersionInput{LayerName: ptr("bad"), Content: &LayerVersionContentInput{ZipFile: []byte("not a zip")}})
	pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "Could not unzip uploaded file. Please check your file, then try to upload again.", pe.Message)
	_, err = b.svc.PublishLayerVersion(b.ctx, &PublishLayerVersionInput{LayerName: ptr("bad"), Content: &LayerVersionContentInput{S3Bucket: ptr("b"), S3Key: ptr("k")}})
	pe = requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Contains(t, pe.Message, "S3")
	_, err = b.svc.PublishLayerVersion(b.ctx, &PublishLayerVersionInput{LayerName: ptr("bad"), Content: &LayerVersionContentInput{ZipFile: make([]byte, maxZipBytes+1)}})
	requireCode(t, err, ErrCodeRequestTooLargeException)
	// Nothing was published: the first good version is 1.
	out := b.MustPublishLayer(t, "bad", map[string]string{"f": "x"}, nil)
	require.Equal(t, int64(1), *out.Version)
}

func TestListLayersAndVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	py := func(in *PublishLayerVersionInput) {
		in.CompatibleRuntimes = []string{"python3.12", "python3.13"}
		in.CompatibleArchitectures = []string{ArchitectureArm64}
	}
	node := func(in *PublishLayerVersionInput) { in.CompatibleRuntimes = []string{"nodejs20.x"} }
	b.MustPublishLayer(t, "b-layer", map[string]string{"a": "1"}, py)
	b.MustPublishLayer(t, "b-layer", map[string]string{"a": "2"}, node)
	b.MustPublishLayer(t, "a-layer", map[string]string{"a": "3"}, py)

	all, err := b.svc.ListLayers(b.ctx, &ListLayersInput{})
	require.NoError(t, err)
	require.Len(t, all.Layers, 2)
	require.Equal(t, "a-layer", *all.Layers[0].LayerName)
	require.Equal(t, "b-layer", *all.Layers[1].LayerName)
	require.Equal(t, int64(2), *all.Layers[1].LatestMatchingVersion.Version)

	pyOnly, err := b.svc.ListLayers(b.ctx, &ListLayersInput{CompatibleRuntime: ptr("python3.13")})
	require.NoError(t, err)
	require.Len(t, pyOnly.Layers, 2)
	require.Equal(t, int64(1), *pyOnly.Layers[1].LatestMatchingVersion.Version, "the latest version matching the runtime")
	arm, err := b.svc.ListLayers(b.ctx, &ListLayersInput{CompatibleArchitecture: ptr(ArchitectureX8664)})
	require.NoError(t, err)
	require.Empty(t, arm.Layers)

	page, err := b.svc.ListLayers(b.ctx, &ListLayersInput{MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, page.Layers, 1)
	require.Equal(t, "a-layer", *page.NextMarker)
	page, err = b.svc.ListLayers(b.ctx, &ListLayersInput{MaxItems: ptr(int32(1)), Marker: page.NextMarker})
	require.NoError(t, err)
	require.Equal(t, "b-layer", *page.Layers[0].LayerName)
	require.Nil(t, page.NextMarker)

	versions, err := b.svc.ListLayerVersions(b.ctx, &ListLayerVersionsInput{LayerName: ptr("b-layer")})
	require.NoError(t, err)
	require.Len(t, versions.LayerVersions, 2)
	require.Equal(t, int64(2), *versions.LayerVersions[0].Version, "newest first")
	first, err := b.svc.ListLayerVersions(b.ctx, &ListLayerVersionsInput{LayerName: ptr("b-layer"), MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Equal(t, "2", *first.NextMarker)
	rest, err := b.svc.ListLayerVersions(b.ctx, &ListLayerVersionsInput{LayerName: ptr("b-layer"), Marker: first.NextMarker})
	require.NoError(t, err)
	require.Len(t, rest.LayerVersions, 1)
	require.Equal(t, int64(1), *rest.LayerVersions[0].Version)
	filtered, err := b.svc.ListLayerVersions(b.ctx, &ListLayerVersionsInput{LayerName: ptr("b-layer"), CompatibleRuntime: ptr("nodejs20.x")})
	require.NoError(t, err)
	require.Len(t, filtered.LayerVersions, 1)
	none, err := b.svc.ListLayerVersions(b.ctx, &ListLayerVersionsInput{LayerName: ptr("missing")})
	require.NoError(t, err)
	require.Empty(t, none.LayerVersions)
}

func TestDeleteLayerVersionNeverReusesNumbers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublishLayer(t, "l", map[string]string{"a": "1"}, nil)
	b.MustPublishLayer(t, "l", map[string]string{"a": "2"}, nil)
	for _, v := range []int64{2, 2, 1, 9} { // deleting what is not there succeeds
		_, err := b.svc.DeleteLayerVersion(b.ctx, &DeleteLayerVersionInput{LayerName: ptr("l"), VersionNumber: ptr(v)})
		require.NoError(t, err)
	}
	_, err := b.svc.GetLayerVersion(b.ctx, &GetLayerVersionInput{LayerName: ptr("l"), VersionNumber: ptr(int64(2))})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	list, err := b.svc.ListLayers(b.ctx, &ListLayersInput{})
	require.NoError(t, err)
	require.Empty(t, list.Layers)
	out := b.MustPublishLayer(t, "l", map[string]string{"a": "3"}, nil)
	require.Equal(t, int64(3), *out.Version)
	_, err = b.svc.LayerZip(b.ctx, testAccount, testRegion, "l", 2)
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestLayerVersionPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublishLayer(t, "shared", map[string]string{"a": "1"}, nil)
	get := func() (*GetLayerVersionPolicyOutput, error) {
		return b.svc.GetLayerVersionPolicy(b.ctx, &GetLayerVersionPolicyInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(1))})
	}
	_, err := get()
	pe := requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "No policy is associated with the given resource.", pe.Message)

	add := func(sid, principal string, rev *string) (*AddLayerVersionPermissionOutput, error) {
		return b.svc.AddLayerVersionPermission(b.ctx, &AddLayerVersionPermissionInput{
			LayerName: ptr("shared"), VersionNumber: ptr(int64(1)), StatementID: ptr(sid),
			Action: ptr("lambda:GetLayerVersion"), Principal: ptr(principal), RevisionID: rev,
		})
	}
	out, err := add("xaccount", "210987654321", nil)
	require.NoError(t, err)
	var st map[string]any
	require.NoError(t, json.Unmarshal([]byte(*out.Statement), &st))
	require.Equal(t, map[string]any{
		"Sid": "xaccount", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::210987654321:root"},
		"Action": "lambda:GetLayerVersion", "Resource": "arn:aws:lambda:us-east-1:123456789012:layer:shared:1",
	}, st)
	_, err = add("xaccount", "*", nil)
	pe = requireCode(t, err, ErrCodeResourceConflictException)
	require.Equal(t, "The statement id (xaccount) provided already exists. Please provide a new statement id, or remove the existing statement.", pe.Message)
	_, err = add("everyone", "*", ptr("stale"))
	requireCode(t, err, ErrCodePreconditionFailedException)
	out2, err := add("everyone", "*", out.RevisionID)
	require.NoError(t, err)
	require.NotEqual(t, *out.RevisionID, *out2.RevisionID)

	pol, err := get()
	require.NoError(t, err)
	require.Equal(t, *out2.RevisionID, *pol.RevisionID)
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(*pol.Policy), &doc))
	require.Equal(t, "2012-10-17", doc.Version)
	require.Len(t, doc.Statement, 2)
	require.Equal(t, "*", doc.Statement[1]["Principal"])

	_, err = b.svc.RemoveLayerVersionPermission(b.ctx, &RemoveLayerVersionPermissionInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(1)), StatementID: ptr("nope")})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Statement nope is not found in resource policy.", pe.Message)
	_, err = b.svc.RemoveLayerVersionPermission(b.ctx, &RemoveLayerVersionPermissionInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(1)), StatementID: ptr("xaccount"), RevisionID: ptr("stale")})
	requireCode(t, err, ErrCodePreconditionFailedException)
	for _, sid := range []string{"xaccount", "everyone"} {
		_, err = b.svc.RemoveLayerVersionPermission(b.ctx, &RemoveLayerVersionPermissionInput{LayerName: ptr("shared"), VersionNumber: ptr(int64(1)), StatementID: ptr(sid)})
		require.NoError(t, err)
	}
	_, err = get()
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.AddLayerVersionPermission(b.ctx, &AddLayerVersionPermissionInput{
		LayerName: ptr("shared"), VersionNumber: ptr(int64(5)), StatementID: ptr("s"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*"),
	})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Layer version arn:aws:lambda:us-east-1:123456789012:layer:shared:5 does not exist.", pe.Message)
}

func TestLayerVersionOfAnotherAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out := b.MustPublishLayer(t, "shared", map[string]string{"python/shared.py": "VALUE = 'theirs'\n"}, nil)
	other := protocol.WithCall(b.ctx, &protocol.Call{Account: "210987654321", Region: testRegion, RequestID: "req-2"})
	_, err := b.svc.GetLayerVersionByArn(other, &GetLayerVersionByArnInput{ARN: out.LayerVersionARN})
	requireCode(t, err, "AccessDeniedException")
	in := createInput(t, "borrower")
	in.Layers = []string{*out.LayerVersionARN}
	_, err = b.svc.CreateFunction(other, in)
	requireCode(t, err, "AccessDeniedException")

	_, err = b.svc.AddLayerVersionPermission(b.ctx, &AddLayerVersionPermissionInput{
		LayerName: ptr("shared"), VersionNumber: ptr(int64(1)), StatementID: ptr("them"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("210987654321"),
	})
	require.NoError(t, err)
	got, err := b.svc.GetLayerVersionByArn(other, &GetLayerVersionByArnInput{ARN: out.LayerVersionARN})
	require.NoError(t, err)
	require.Equal(t, int64(1), *got.Version)
	_, err = b.svc.CreateFunction(other, in)
	require.NoError(t, err)
	// Only the owner manages the layer.
	_, err = b.svc.DeleteLayerVersion(other, &DeleteLayerVersionInput{LayerName: out.LayerARN, VersionNumber: ptr(int64(1))})
	requireCode(t, err, "AccessDeniedException")
}

// layerHandler imports a module that only a layer provides.
const layerHandler = `import shared
def handler(event, context):
    return {"value": shared.VALUE}
`

func TestFunctionUsesLayers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l1 := b.MustPublishLayer(t, "one", map[string]string{"python/shared.py": "VALUE = 'one'\n"}, nil)
	l2 := b.MustPublishLayer(t, "two", map[string]string{"python/shared.py": "VALUE = 'two'\n", "extra.txt": "x"}, nil)

	in := createInput(t, "layered")
	in.Code.ZipFile = MustZip(t, map[string]string{"app.py": layerHandler})
	in.Layers = []string{*l1.LayerVersionARN, *l2.LayerVersionARN}
	in.Publish = ptr(true)
	created, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	require.Len(t, created.Layers, 2)
	require.Equal(t, *l2.LayerVersionARN, *created.Layers[1].ARN)
	require.Equal(t, *l2.Content.CodeSize, *created.Layers[1].CodeSize)
	cfg, err := b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("layered")})
	require.NoError(t, err)
	require.Equal(t, *l1.Content.CodeSize, *cfg.Layers[0].CodeSize)

	invoke := func(q string) string {
		t.Helper()
		out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("layered"), Qualifier: ptr(q), Payload: []byte(`{}`)})
		require.NoError(t, err)
		require.Nil(t, out.FunctionError, string(out.Payload))
		var res struct{ Value string }
		require.NoError(t, json.Unmarshal(out.Payload, &res))
		return res.Value
	}
	require.Equal(t, "two", invoke("$LATEST"), "later layers overwrite earlier ones")

	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("layered"), Layers: []string{*l2.LayerVersionARN, *l1.LayerVersionARN}})
	require.NoError(t, err)
	require.Equal(t, "one", invoke("$LATEST"))

	// Version 1 keeps its layers, even once a layer version is deleted: a runtime that never
	// saw them unpacks them from the store.
	for _, l := range []*PublishLayerVersionOutput{l1, l2} {
		_, err = b.svc.DeleteLayerVersion(b.ctx, &DeleteLayerVersionInput{LayerName: ptr(strings.TrimPrefix(*l.LayerARN, "arn:aws:lambda:us-east-1:123456789012:layer:")), VersionNumber: l.Version})
		require.NoError(t, err)
	}
	require.Equal(t, "two", invoke("1"))
	fresh := New(Deps{Store: b.db, Clock: b.clock, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: t.TempDir(), LogSink: lambdart.DiscardLogs, Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(fresh.Stop)
	out, err := fresh.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("layered"), Qualifier: ptr("1"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.JSONEq(t, `{"value":"two"}`, string(out.Payload))

	// A deleted version can no longer be added to a function.
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("layered"), Layers: []string{*l1.LayerVersionARN}})
	pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "Layer version "+*l1.LayerVersionARN+" does not exist.", pe.Message)
	// Layers: [] removes them.
	updated, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("layered"), Layers: []string{}})
	require.NoError(t, err)
	require.Empty(t, updated.Layers)
}

func TestFunctionLayersRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var arns []string
	for i := range 6 {
		out := b.MustPublishLayer(t, fmt.Sprintf("l%d", i), map[string]string{"f": "x"}, nil)
		arns = append(arns, *out.LayerVersionARN)
	}
	again := b.MustPublishLayer(t, "l0", map[string]string{"f": "y"}, nil)
	cases := []struct {
		name   string
		layers []string
		msg    string
	}{
		{"TooMany", arns, "Cannot reference more than 5 layers."},
		{"Missing", []string{"arn:aws:lambda:us-east-1:123456789012:layer:ghost:1"}, "Layer version arn:aws:lambda:us-east-1:123456789012:layer:ghost:1 does not exist."},
		{"OtherRegion", []string{"arn:aws:lambda:eu-west-1:123456789012:layer:l0:1"}, "Layers are not in the same region as the function. Layers are expected to be in region us-east-1."},
		{"SameLayerTwice", []string{arns[0], *again.LayerVersionARN}, "Two different versions of the same layer are not allowed to be referenced in the same function. " + arns[0] + " and " + *again.LayerVersionARN + " are versions of the same layer."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := createInput(t, "refused-"+strings.ToLower(tc.name))
			in.Layers = tc.layers
			_, err := b.svc.CreateFunction(b.ctx, in)
			pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
			require.Equal(t, tc.msg, pe.Message)
			_, err = b.svc.GetFunction(b.ctx, &GetFunctionInput{FunctionName: in.FunctionName})
			requireCode(t, err, ErrCodeResourceNotFoundException)
		})
	}
	b.MustCreate(t, "plain")
	_, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("plain"), Layers: arns})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
}

func TestCheckCombinedSize(t *testing.T) {
	t.Parallel()
	require.NoError(t, checkCombinedSize(codeSizeUnzipped-10, []layerRef{{Unzipped: 10}}))
	err := checkCombinedSize(codeSizeUnzipped-10, []layerRef{{Unzipped: 6}, {Unzipped: 5}})
	pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 262144001 bytes.", pe.Message)
}

// bootstrapScript is a provided-runtime bootstrap speaking the Runtime API from the
// Python standard library: it answers every event with {"from":"layer"}.
const bootstrapScript = `#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        r.read()
    req = urllib.request.Request(api + rid + "/response", data=json.dumps({"from": "layer"}).encode(), method="POST")
    urllib.request.urlopen(req).read()
`

func TestProvidedBootstrapFromLayer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := b.MustPublishLayer(t, "runtime", nil, func(in *PublishLayerVersionInput) {
		in.Content.ZipFile = mustZipExec(t, "bootstrap", bootstrapScript)
	})
	in := createInput(t, "provided")
	in.Runtime, in.Handler = ptr("provided.al2023"), ptr("unused")
	in.Code.ZipFile = MustZip(t, map[string]string{"README": "no bootstrap here"})
	in.Layers = []string{*l.LayerVersionARN}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("provided"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, string(out.Payload))
	require.JSONEq(t, `{"from":"layer"}`, string(out.Payload))
}

// mustZipExec returns a zip holding one executable file.
func mustZipExec(tb testing.TB, name, body string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	require.NoError(tb, err)
	_, err = w.Write([]byte(body))
	require.NoError(tb, err)
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

func TestAccountSettingsCountLayerStorage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	before, err := b.svc.GetAccountSettings(b.ctx, &GetAccountSettingsInput{})
	require.NoError(t, err)
	l := b.MustPublishLayer(t, "stored", map[string]string{"f": "some content"}, nil)
	after, err := b.svc.GetAccountSettings(b.ctx, &GetAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, *before.AccountUsage.TotalCodeSize+*l.Content.CodeSize, *after.AccountUsage.TotalCodeSize)
}

// TestLayerSearchPaths checks the /opt directories each runtime finds modules in, as
// AWS documents them: python/lib/pythonX.Y/site-packages and python/ for Python,
// nodejs/node_modules for Node.js.
func TestLayerSearchPaths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := b.MustPublishLayer(t, "paths", map[string]string{
		"python/lib/python3.12/site-packages/sitepkg.py": "WHERE = 'site-packages'\n",
		"nodejs/node_modules/word/index.js":              "module.exports = 'node_modules';\n",
	}, nil)
	py := createInput(t, "py-paths")
	py.Code.ZipFile = MustZip(t, map[string]string{"app.py": "import sitepkg\ndef handler(e, c):\n    return sitepkg.WHERE\n"})
	py.Layers = []string{*l.LayerVersionARN}
	_, err := b.svc.CreateFunction(b.ctx, py)
	require.NoError(t, err)
	node := createInput(t, "node-paths")
	node.Runtime, node.Handler = ptr("nodejs20.x"), ptr("index.handler")
	node.Code.ZipFile = MustZip(t, map[string]string{"index.js": "exports.handler = async () => require('word');\n"})
	node.Layers = []string{*l.LayerVersionARN}
	_, err = b.svc.CreateFunction(b.ctx, node)
	require.NoError(t, err)
	for fn, want := range map[string]string{"py-paths": `"site-packages"`, "node-paths": `"node_modules"`} {
		out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr(fn), Payload: []byte(`{}`)})
		require.NoError(t, err)
		require.Nil(t, out.FunctionError, string(out.Payload))
		require.Equal(t, want, string(out.Payload), fn)
	}
}
