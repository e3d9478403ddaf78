package lambda_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

func TestFunctionCallsOvercastAndCodeDownload(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	zip := handlerZip(t)
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: zip}, Timeout: aws.Int32(30),
	})
	require.NoError(t, err)

	// A function reaches this server at AWS_ENDPOINT_URL (unsigned: the default account).
	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"list":true}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, "function failed: %s", out.Payload)
	var res struct{ Functions []string }
	require.NoError(t, json.Unmarshal(out.Payload, &res))
	require.Contains(t, res.Functions, name)

	// Code.Location serves the deployment package.
	got, err := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	resp, err := srv.HTTPClient().Get(aws.ToString(got.Code.Location))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.True(t, bytes.Equal(zip, body), "downloaded code differs")

	// Synchronous payloads are limited to 6 MB.
	big := append(append([]byte(`"`), bytes.Repeat([]byte("x"), 6*1024*1024)...), '"')
	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: big})
	badCase{code: "RequestEntityTooLargeException", status: 413,
		message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation"}.requireAnswer(t, err)
}
