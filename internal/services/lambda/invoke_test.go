package lambda

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInvokePython(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "echo")
	in.Environment = &Environment{Variables: map[string]string{"GREETING": "hi"}}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)

	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("echo"), Payload: []byte(`{"n":1}`), LogType: ptr("Tail")})
	require.NoError(t, err)
	require.Equal(t, int32(200), *out.StatusCode)
	require.Nil(t, out.FunctionError)
	require.Equal(t, "$LATEST", *out.ExecutedVersion)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Payload, &got))
	require.Equal(t, map[string]any{"echo": map[string]any{"n": float64(1)}, "greeting": "hi"}, got)
	tail, err := base64.StdEncoding.DecodeString(*out.LogResult)
	require.NoError(t, err)
	require.Contains(t, string(tail), "hello from echo")
	require.Contains(t, string(tail), "REPORT RequestId:")

	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("echo"), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	require.Equal(t, "Unhandled", *out.FunctionError)
	var doc struct{ ErrorMessage, ErrorType string }
	require.NoError(t, json.Unmarshal(out.Payload, &doc))
	require.Equal(t, "ValueError", doc.ErrorType)
	require.Equal(t, "boom", doc.ErrorMessage)
	require.Nil(t, out.LogResult)

	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("echo"), InvocationType: ptr("DryRun")})
	require.NoError(t, err)
	require.Equal(t, int32(204), *out.StatusCode)
	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("echo"), InvocationType: ptr("Event"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), *out.StatusCode)
}

func TestInvokeVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Qualifier: ptr("1"), Payload: []byte(`1`)})
	require.NoError(t, err)
	require.Equal(t, "1", *out.ExecutedVersion)
	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f:1"), Payload: []byte(`2`)})
	require.NoError(t, err)
	require.Equal(t, "1", *out.ExecutedVersion)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f:1"), Qualifier: ptr("2")})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Qualifier: ptr("9")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestInvokeBadRequests(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	_, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Payload: []byte(`{not json`)})
	requireCode(t, err, ErrCodeInvalidRequestContentException)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Payload: []byte(`"` + strings.Repeat("x", maxSyncPayload) + `"`)})
	requireCode(t, err, "RequestEntityTooLargeException")
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("nope"), Payload: []byte(`{}`)})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}
