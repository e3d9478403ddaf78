package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateFunctionConfiguration(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "echo")
	in.Tags = map[string]string{"team": "a"}
	in.Environment = &Environment{Variables: map[string]string{"GREETING": "hi"}}
	out, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	sum := sha256.Sum256(in.Code.ZipFile)
	require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), *out.CodeSha256)
	require.Equal(t, int64(len(in.Code.ZipFile)), *out.CodeSize)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:echo", *out.FunctionARN)
	require.Equal(t, "$LATEST", *out.Version)
	// AWS answers CreateFunction with the function Pending, without an update status.
	require.Equal(t, StatePending, *out.State)
	require.Equal(t, "The function is being created.", *out.StateReason)
	require.Equal(t, StateReasonCodeCreating, *out.StateReasonCode)
	require.Nil(t, out.LastUpdateStatus)
	require.Equal(t, int32(128), *out.MemorySize)
	require.Equal(t, int32(3), *out.Timeout)
	require.Equal(t, []string{"x86_64"}, out.Architectures)
	require.NotEmpty(t, *out.RevisionID)

	_, err = b.svc.CreateFunction(b.ctx, createInput(t, "echo"))
	pe := requireCode(t, err, ErrCodeResourceConflictException)
	require.Equal(t, "Function already exist: echo", pe.Message)

	// Every form of the name finds the function.
	for _, name := range []string{"echo", "123456789012:function:echo", "arn:aws:lambda:us-east-1:123456789012:function:echo"} {
		got, err := b.svc.GetFunction(b.ctx, &GetFunctionInput{FunctionName: ptr(name)})
		require.NoError(t, err, name)
		require.Equal(t, *out.RevisionID, *got.Configuration.RevisionID)
		require.Equal(t, StateActive, *got.Configuration.State)
		require.Equal(t, LastUpdateStatusSuccessful, *got.Configuration.LastUpdateStatus)
		require.Equal(t, map[string]string{"team": "a"}, got.Tags)
		require.Equal(t, map[string]string{"GREETING": "hi"}, got.Configuration.Environment.Variables)
		require.Contains(t, *got.Code.Location, "/echo/$LATEST.zip")
	}
	_, err = b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("nope")})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope", pe.Message)
	_, err = b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("echo"), Qualifier: ptr("7")})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:7", pe.Message)
}

func TestCreateFunctionInvalid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	big := strings.Repeat("x", 4100)
	tests := []struct {
		name   string
		change func(in *CreateFunctionInput)
		want   string
	}{
		{"unsupported runtime", func(in *CreateFunctionInput) { in.Runtime = ptr("python2.7") }, ErrCodeInvalidParameterValueException},
		{"no handler", func(in *CreateFunctionInput) { in.Handler = nil }, ErrCodeInvalidParameterValueException},
		{"memory too large", func(in *CreateFunctionInput) { in.MemorySize = ptr(int32(10241)) }, "ValidationException"},
		{"timeout too long", func(in *CreateFunctionInput) { in.Timeout = ptr(int32(901)) }, "ValidationException"},
		{"ephemeral too small", func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{Size: ptr(int32(100))} }, ErrCodeInvalidParameterValueException},
		{"environment over 4 KB", func(in *CreateFunctionInput) {
			in.Environment = &Environment{Variables: map[string]string{"BIG": big}}
		}, ErrCodeInvalidParameterValueException},
		{"reserved variable", func(in *CreateFunctionInput) {
			in.Environment = &Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		}, ErrCodeInvalidParameterValueException},
		{"not a zip", func(in *CreateFunctionInput) { in.Code.ZipFile = []byte("not a zip") }, ErrCodeInvalidParameterValueException},
		{"image package", func(in *CreateFunctionInput) { in.PackageType = ptr("Image") }, ErrCodeInvalidParameterValueException},
		{"qualified name", func(in *CreateFunctionInput) { in.FunctionName = ptr("f:1") }, ErrCodeInvalidParameterValueException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := createInput(t, "f")
			tt.change(in)
			_, err := b.svc.CreateFunction(b.ctx, in)
			requireCode(t, err, tt.want)
		})
	}
	_, err := b.svc.GetFunction(b.ctx, &GetFunctionInput{FunctionName: ptr("f")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestUpdateFunction(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.MustCreate(t, "f")

	newZip := MustZip(t, map[string]string{"app.py": testHandler, "extra.txt": "x"})
	_, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: newZip, RevisionID: ptr("stale")})
	requireCode(t, err, ErrCodePreconditionFailedException)

	up, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: newZip, RevisionID: created.RevisionID})
	require.NoError(t, err)
	sum := sha256.Sum256(newZip)
	require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), *up.CodeSha256)
	require.NotEqual(t, *created.RevisionID, *up.RevisionID)

	cfg, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{
		FunctionName: ptr("f"), MemorySize: ptr(int32(256)), Timeout: ptr(int32(30)), Description: ptr("d"),
	})
	require.NoError(t, err)
	require.Equal(t, int32(256), *cfg.MemorySize)
	require.Equal(t, *up.CodeSha256, *cfg.CodeSha256)
	require.NotEqual(t, *up.RevisionID, *cfg.RevisionID)

	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), Timeout: ptr(int32(1000))})
	requireCode(t, err, "ValidationException")
	got, err := b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, int32(30), *got.Timeout)
	require.Equal(t, *cfg.RevisionID, *got.RevisionID)

	_, err = b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("nope"), ZipFile: newZip})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestVersionsAndDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "f")
	in.Publish = ptr(true)
	out, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, "1", *out.Version)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:1", *out.FunctionARN)

	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f"), CodeSha256: ptr("wrong")})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	// Nothing changed since version 1: publishing answers version 1.
	same, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, "1", *same.Version)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), MemorySize: ptr(int32(512))})
	require.NoError(t, err)
	v2, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f"), CodeSha256: out.CodeSha256, Description: ptr("second")})
	require.NoError(t, err)
	require.Equal(t, "2", *v2.Version)
	require.Equal(t, "second", *v2.Description)

	list, err := b.svc.ListVersionsByFunction(b.ctx, &ListVersionsByFunctionInput{FunctionName: ptr("f"), MaxItems: ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, list.Versions, 2)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", *list.Versions[0].FunctionARN)
	require.NotNil(t, list.NextMarker)
	rest, err := b.svc.ListVersionsByFunction(b.ctx, &ListVersionsByFunctionInput{FunctionName: ptr("f"), Marker: list.NextMarker})
	require.NoError(t, err)
	require.Len(t, rest.Versions, 1)
	require.Equal(t, "2", *rest.Versions[0].Version)
	require.Nil(t, rest.NextMarker)

	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f"), Qualifier: ptr("1")})
	require.NoError(t, err)
	_, err = b.svc.GetFunction(b.ctx, &GetFunctionInput{FunctionName: ptr("f:1")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f"), Qualifier: ptr("$LATEST")})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("arn:aws:lambda:us-east-1:123456789012:function:f")})
	require.NoError(t, err)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestListFunctionsPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	names := []string{"c", "a", "b"}
	for _, n := range names {
		b.MustCreate(t, n)
	}
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("b")})
	require.NoError(t, err)

	var got []string
	var marker *string
	for {
		out, err := b.svc.ListFunctions(b.ctx, &ListFunctionsInput{MaxItems: ptr(int32(2)), Marker: marker})
		require.NoError(t, err)
		for _, f := range out.Functions {
			got = append(got, *f.FunctionName+":"+*f.Version)
		}
		if marker = out.NextMarker; marker == nil {
			break
		}
	}
	require.Equal(t, []string{"a:$LATEST", "b:$LATEST", "c:$LATEST"}, got)

	all, err := b.svc.ListFunctions(b.ctx, &ListFunctionsInput{FunctionVersion: ptr("ALL")})
	require.NoError(t, err)
	require.Len(t, all.Functions, 4)
	require.Equal(t, "1", *all.Functions[2].Version)
}

func TestTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := *b.MustCreate(t, "f").FunctionARN
	_, err := b.svc.TagResource(b.ctx, &TagResourceInput{Resource: ptr(arn), Tags: map[string]string{"a": "1", "b": "2"}})
	require.NoError(t, err)
	_, err = b.svc.UntagResource(b.ctx, &UntagResourceInput{Resource: ptr(arn), TagKeys: []string{"a", "zz"}})
	require.NoError(t, err)
	out, err := b.svc.ListTags(b.ctx, &ListTagsInput{Resource: ptr(arn)})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"b": "2"}, out.Tags)
	_, err = b.svc.ListTags(b.ctx, &ListTagsInput{Resource: ptr(arn + "x")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{Resource: ptr("f"), Tags: map[string]string{"a": "1"}})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
}
