package lambda_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

func TestCreateFunctionAndWaitActive(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	zip := handlerZip(t)
	out, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimePython312,
		Role:         aws.String(role),
		Handler:      aws.String("app.handler"),
		Code:         &types.FunctionCode{ZipFile: zip},
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
		Tags:         map[string]string{"team": "a"},
	})
	require.NoError(t, err)
	sum := sha256.Sum256(zip)
	require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), aws.ToString(out.CodeSha256))
	require.Equal(t, int64(len(zip)), out.CodeSize)
	require.Equal(t, "arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name, aws.ToString(out.FunctionArn))
	require.Equal(t, "$LATEST", aws.ToString(out.Version))

	w := lambda.NewFunctionActiveV2Waiter(c)
	require.NoError(t, w.Wait(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))

	got, err := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: out.FunctionArn})
	require.NoError(t, err)
	require.Equal(t, types.StateActive, got.Configuration.State)
	require.Equal(t, map[string]string{"team": "a"}, got.Tags)
	require.NotEmpty(t, aws.ToString(got.Code.Location))

	_, err = c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: zip},
	})
	ae := requireError[*types.ResourceConflictException](t, err, "ResourceConflictException", 409)
	require.Equal(t, "Function already exist: "+name, ae.ErrorMessage())

	_, err = c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name + "-missing")})
	ae = requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name+"-missing", ae.ErrorMessage())

	_, err = c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name + "-bad"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: []byte("not a zip")},
	})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
}

func TestInvokeRequestResponse(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
	})
	require.NoError(t, err)

	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{
		FunctionName: aws.String(name), Payload: []byte(`{"n":1}`), LogType: types.LogTypeTail,
	})
	require.NoError(t, err)
	require.Equal(t, int32(200), out.StatusCode)
	require.Nil(t, out.FunctionError)
	require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Payload, &res))
	require.Equal(t, map[string]any{"n": float64(1)}, res["echo"])
	require.Equal(t, "hi", res["greeting"])
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	require.NoError(t, err)
	require.Contains(t, string(tail), "hello from "+name)

	out, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	require.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	require.NoError(t, json.Unmarshal(out.Payload, &doc))
	require.Equal(t, "ValueError", doc.ErrorType)
	require.Equal(t, "boom", doc.ErrorMessage)

	out, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeDryRun})
	require.NoError(t, err)
	require.Equal(t, int32(204), out.StatusCode)
	out, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), out.StatusCode)

	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{oops`)})
	requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)
	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name + "-missing"), Payload: []byte(`{}`)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
}

func TestUpdateCodePublishAndList(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	created, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	require.NoError(t, err)

	_, err = c.UpdateFunctionCode(t.Context(), &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String(name), ZipFile: handlerZip(t), RevisionId: aws.String("stale"),
	})
	requireError[*types.PreconditionFailedException](t, err, "PreconditionFailedException", 412)

	up, err := c.UpdateFunctionCode(t.Context(), &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String(name), ZipFile: handlerZip(t), RevisionId: created.RevisionId, Publish: true,
	})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(up.Version))
	w := lambda.NewFunctionUpdatedV2Waiter(c)
	require.NoError(t, w.Wait(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))

	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("1"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(out.ExecutedVersion))

	versions, err := c.ListVersionsByFunction(t.Context(), &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, versions.Versions, 2)

	found := false
	p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Functions), 1)
		for _, f := range page.Functions {
			found = found || aws.ToString(f.FunctionName) == name
		}
	}
	require.True(t, found, "ListFunctions pages miss %s", name)

	_, err = c.DeleteFunction(t.Context(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	_, err = c.GetFunctionConfiguration(t.Context(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
}

// TestCodeFromS3Boto3: functions and layers deployed from S3 objects run that code, and
// missing objects answer as AWS does.
func TestCodeFromS3Boto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_s3_code.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}
