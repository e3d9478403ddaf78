package lambda

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFunctionURLs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "web")
	arn := "arn:aws:lambda:us-east-1:123456789012:function:web"

	_, err := b.svc.GetFunctionUrlConfig(b.ctx, &GetFunctionUrlConfigInput{FunctionName: ptr("web")})
	pe := requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "The resource you requested does not exist.", pe.Message)

	out, err := b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{
		FunctionName: ptr("web"), AuthType: ptr(FunctionUrlAuthTypeNONE),
		Cors: &Cors{AllowOrigins: []string{"https://example.com"}, MaxAge: ptr(int32(60))},
	})
	require.NoError(t, err)
	require.Equal(t, arn, *out.FunctionARN)
	require.Nil(t, out.InvokeMode, "AWS answers InvokeMode only when the request gave it")
	require.Regexp(t, `^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost/$`, *out.FunctionURL)
	require.Equal(t, "2026-03-01T12:00:00.000000Z", *out.CreationTime)

	_, err = b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("web"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	pe = requireCode(t, err, ErrCodeResourceConflictException)
	require.Contains(t, pe.Message, "FunctionUrlConfig exists for this Lambda function")

	b.clock.Advance(1500e6)
	up, err := b.svc.UpdateFunctionUrlConfig(b.ctx, &UpdateFunctionUrlConfigInput{
		FunctionName: ptr(arn), AuthType: ptr(FunctionUrlAuthTypeAWSIAM), InvokeMode: ptr(InvokeModeRESPONSESTREAM),
	})
	require.NoError(t, err)
	require.Equal(t, *out.FunctionURL, *up.FunctionURL)
	require.Equal(t, FunctionUrlAuthTypeAWSIAM, *up.AuthType)
	require.Equal(t, []string{"https://example.com"}, up.Cors.AllowOrigins, "Cors left out is kept")
	require.Equal(t, "2026-03-01T12:00:01.500000Z", *up.LastModifiedTime)

	id := strings.TrimSuffix(strings.TrimPrefix(*out.FunctionURL, "http://"), ".lambda-url.us-east-1.localhost/")
	u, err := b.svc.FunctionURLByID(b.ctx, id)
	require.NoError(t, err)
	require.Equal(t, &URLFunction{Account: testAccount, Region: testRegion, Function: "web", Qualifier: latest, URLID: id,
		AuthType: FunctionUrlAuthTypeAWSIAM, InvokeMode: InvokeModeRESPONSESTREAM, Cors: up.Cors}, u)
	_, err = b.svc.FunctionURLByID(b.ctx, "nope")
	require.ErrorIs(t, err, ErrNoFunctionURL)

	// An alias gets a URL of its own; versions cannot have one.
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("web")})
	require.NoError(t, err)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("web"), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	live, err := b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("web"), Qualifier: ptr("live"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	require.NoError(t, err)
	require.Equal(t, arn+":live", *live.FunctionARN)
	require.NotEqual(t, *out.FunctionURL, *live.FunctionURL)
	_, err = b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("web"), Qualifier: ptr("1"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	pe = requireCode(t, err, "ValidationException")
	require.Equal(t, `1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\d+$)^[0-9a-zA-Z-_]+$)`, pe.Message)
	_, err = b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("web"), Qualifier: ptr("dev"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Function does not exist", pe.Message)
	_, err = b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("ghost"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	list, err := b.svc.ListFunctionUrlConfigs(b.ctx, &ListFunctionUrlConfigsInput{FunctionName: ptr("web"), MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, list.FunctionURLConfigs, 1)
	require.Equal(t, arn, *list.FunctionURLConfigs[0].FunctionARN)
	require.NotNil(t, list.NextMarker)
	list, err = b.svc.ListFunctionUrlConfigs(b.ctx, &ListFunctionUrlConfigsInput{FunctionName: ptr("web"), Marker: list.NextMarker})
	require.NoError(t, err)
	require.Len(t, list.FunctionURLConfigs, 1)
	require.Equal(t, arn+":live", *list.FunctionURLConfigs[0].FunctionARN)
	require.Nil(t, list.NextMarker)

	// Deleting the alias deletes its URL.
	_, err = b.svc.DeleteAlias(b.ctx, &DeleteAliasInput{FunctionName: ptr("web"), Name: ptr("live")})
	require.NoError(t, err)
	_, err = b.svc.GetFunctionUrlConfig(b.ctx, &GetFunctionUrlConfigInput{FunctionName: ptr("web"), Qualifier: ptr("live")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	_, err = b.svc.DeleteFunctionUrlConfig(b.ctx, &DeleteFunctionUrlConfigInput{FunctionName: ptr("web")})
	require.NoError(t, err)
	_, err = b.svc.DeleteFunctionUrlConfig(b.ctx, &DeleteFunctionUrlConfigInput{FunctionName: ptr("web")})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "The resource you requested does not exist.", pe.Message)
	_, err = b.svc.UpdateFunctionUrlConfig(b.ctx, &UpdateFunctionUrlConfigInput{FunctionName: ptr("web"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.FunctionURLByID(b.ctx, id)
	require.ErrorIs(t, err, ErrNoFunctionURL)
}

func TestFunctionURLInvoke(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "echo")
	out, err := b.svc.CreateFunctionUrlConfig(b.ctx, &CreateFunctionUrlConfigInput{FunctionName: ptr("echo"), AuthType: ptr(FunctionUrlAuthTypeNONE)})
	require.NoError(t, err)
	id := strings.TrimSuffix(strings.TrimPrefix(*out.FunctionURL, "http://"), ".lambda-url.us-east-1.localhost/")
	u, err := b.svc.FunctionURLByID(b.ctx, id)
	require.NoError(t, err)
	res, err := b.svc.InvokeURL(b.ctx, u, "req-url", []byte(`{"rawPath":"/x"}`))
	require.NoError(t, err)
	require.Empty(t, res.FunctionError)
	var got map[string]any
	require.NoError(t, json.Unmarshal(res.Payload, &got))
	require.Equal(t, map[string]any{"rawPath": "/x"}, got["echo"])
}

func TestCorsHeaders(t *testing.T) {
	t.Parallel()
	c := &Cors{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"x-one"},
		ExposeHeaders: []string{"x-out"}, MaxAge: ptr(int32(30)), AllowCredentials: ptr(true)}
	tests := []struct {
		name      string
		cors      *Cors
		origin    string
		preflight bool
		method    string
		want      map[string]string
	}{
		{"no cors", nil, "https://a.example", false, "", nil},
		{"other origin", c, "https://b.example", true, "GET", nil},
		{"preflight", c, "https://a.example", true, "POST", map[string]string{
			"Access-Control-Allow-Origin": "https://a.example", "Vary": "Origin", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "GET,POST", "Access-Control-Allow-Headers": "x-one", "Access-Control-Max-Age": "30",
		}},
		{"preflight method refused", c, "https://a.example", true, "DELETE", nil},
		{"simple", c, "https://a.example", false, "", map[string]string{
			"Access-Control-Allow-Origin": "https://a.example", "Vary": "Origin", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers": "x-out",
		}},
		{"wildcard", &Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}, "https://z.example", true, "PUT", map[string]string{
			"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "*",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, CorsHeaders(tt.cors, tt.origin, tt.preflight, tt.method))
		})
	}
}
