package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// zipTestdata zips testdata/<src> as <as>.
func zipTestdata(t *testing.T, src, as string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", src))
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(as)
	require.NoError(t, err)
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// mustFunction creates a function from testdata/<src> and waits until it is active.
func mustFunction(t *testing.T, c *lambda.Client, name, runtime, src, as, handler string) {
	t.Helper()
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.Runtime(runtime), Role: aws.String(role),
		Handler: aws.String(handler), Code: &types.FunctionCode{ZipFile: zipTestdata(t, src, as)},
	})
	require.NoError(t, err)
	w := lambda.NewFunctionActiveV2Waiter(c)
	require.NoError(t, w.Wait(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))
}

var functionURLShape = regexp.MustCompile(`^http://([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:[0-9]+/$`)

// urlClient is an HTTP client that sends every request to srv, whatever the URL's host
// says, so that *.localhost names need no resolver.
func urlClient(srv *harness.Server) *http.Client {
	addr := strings.TrimPrefix(srv.Endpoint(), "http://")
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// urlForms returns both forms of a function URL: the one FunctionUrl names (by Host)
// and the path form.
func urlForms(srv *harness.Server, functionURL string) map[string]string {
	id := functionURLShape.FindStringSubmatch(functionURL)[1]
	return map[string]string{
		"host": strings.TrimSuffix(functionURL, "/"),
		"path": srv.Endpoint() + "/_overcast/lambda-url/" + id,
	}
}

func TestFunctionURLCRUD(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	ctx := t.Context()
	name := uniqueName(t)
	mustFunction(t, c, name, "python3.12", "web.py", "app.py", "app.handler")
	arn := "arn:aws:lambda:us-east-1:" + defaultAccount + ":function:" + name

	_, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(name)})
	ae := requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	require.Equal(t, "The resource you requested does not exist.", ae.ErrorMessage())

	created, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"}, MaxAge: aws.Int32(300)},
	})
	require.NoError(t, err)
	require.Regexp(t, functionURLShape, aws.ToString(created.FunctionUrl))
	require.Contains(t, aws.ToString(created.FunctionUrl), ":"+srv.Port()+"/")
	require.Equal(t, arn, aws.ToString(created.FunctionArn))
	require.Empty(t, created.InvokeMode, "AWS answers InvokeMode only when the request gave it")
	require.NotEmpty(t, aws.ToString(created.CreationTime))

	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone})
	requireError[*types.ResourceConflictException](t, err, "ResourceConflictException", 409)
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name + "-missing"), AuthType: types.FunctionUrlAuthTypeNone})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("nosuchalias"), AuthType: types.FunctionUrlAuthTypeNone})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	got, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(created.FunctionUrl), aws.ToString(got.FunctionUrl))
	require.Equal(t, []string{"https://app.example"}, got.Cors.AllowOrigins)
	require.NotEmpty(t, aws.ToString(got.LastModifiedTime))

	up, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeAwsIam})
	require.NoError(t, err)
	require.Equal(t, types.FunctionUrlAuthTypeAwsIam, up.AuthType)
	require.Equal(t, int32(300), aws.ToInt32(up.Cors.MaxAge))

	list, err := c.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, list.FunctionUrlConfigs, 1)
	require.Equal(t, types.FunctionUrlAuthTypeAwsIam, list.FunctionUrlConfigs[0].AuthType)

	_, err = c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	_, err = c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	list, err = c.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Empty(t, list.FunctionUrlConfigs)
}

func TestFunctionURLCLIAndBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	mustFunction(t, client(srv), name, "python3.12", "web.py", "app.py", "app.handler")

	var created struct{ FunctionUrl, FunctionArn, AuthType, InvokeMode string }
	srv.MustAWS(t, &created, "lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE",
		"--invoke-mode", "RESPONSE_STREAM")
	require.Regexp(t, functionURLShape, created.FunctionUrl)
	require.Equal(t, "RESPONSE_STREAM", created.InvokeMode)
	r := srv.AWS(t, "lambda", "create-function-url-config", "--function-name", name, "--auth-type", "NONE")
	require.NotEqual(t, 0, r.ExitCode)
	require.Contains(t, r.Stderr, "ResourceConflictException")
	r = srv.AWS(t, "lambda", "get-function-url-config", "--function-name", name, "--qualifier", "1")
	require.NotEqual(t, 0, r.ExitCode)
	require.Contains(t, r.Stderr, "ValidationException")
	srv.MustAWS(t, nil, "lambda", "delete-function-url-config", "--function-name", name)

	out := srv.Python(t, "testdata/boto3_urls.py", uniqueName(t), filepath.Join("testdata", "web.py"), filepath.Join("testdata", "stream.js"))
	require.Contains(t, out, "ok")
}

// call sends one request to a function URL and returns the response and its body.
func call(t *testing.T, hc *http.Client, method, target string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func TestFunctionURLInvoke(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	mustFunction(t, c, name, "python3.12", "web.py", "app.py", "app.handler")
	created, err := c.CreateFunctionUrlConfig(t.Context(), &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"x-custom"}, ExposeHeaders: []string{"x-handled-by"}, MaxAge: aws.Int32(300)},
	})
	require.NoError(t, err)
	hc := urlClient(srv)
	for form, base := range urlForms(srv, aws.ToString(created.FunctionUrl)) {
		t.Run(form, func(t *testing.T) {
			h := http.Header{}
			h.Set("Content-Type", "text/plain")
			h.Add("X-Multi", "one")
			h.Add("X-Multi", "two")
			h.Set("Cookie", "a=1; b=2")
			h.Set("Origin", "https://app.example")
			resp, body := call(t, hc, http.MethodPost, base+"/some/path?x=1&x=2&y=z", strings.NewReader("hello body"), h)
			require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
			require.Equal(t, name, resp.Header.Get("X-Handled-By"))
			require.ElementsMatch(t, []string{"session=abc; Path=/", "theme=dark"}, resp.Header.Values("Set-Cookie"))
			require.Equal(t, "https://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
			require.Equal(t, "x-handled-by", resp.Header.Get("Access-Control-Expose-Headers"))
			require.NotEmpty(t, resp.Header.Get("X-Amzn-Requestid"))
			var ev struct {
				Version, RouteKey, RawPath, RawQueryString, Body string
				IsBase64Encoded                                  bool
				Cookies                                          []string
				Headers, QueryStringParameters                   map[string]string
				RequestContext                                   struct {
					HTTP struct{ Method, Path string }
				}
			}
			require.NoError(t, json.Unmarshal(body, &ev))
			var rc map[string]any
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(body, &raw))
			require.NoError(t, json.Unmarshal(raw["requestContext"], &rc))
			require.Equal(t, "2.0", ev.Version)
			require.Equal(t, "$default", ev.RouteKey)
			require.Equal(t, "/some/path", ev.RawPath)
			require.Equal(t, "x=1&x=2&y=z", ev.RawQueryString)
			require.Equal(t, map[string]string{"x": "1,2", "y": "z"}, ev.QueryStringParameters)
			require.Equal(t, []string{"a=1", "b=2"}, ev.Cookies)
			require.Equal(t, "one,two", ev.Headers["x-multi"])
			require.NotContains(t, ev.Headers, "cookie")
			require.Equal(t, "hello body", ev.Body)
			require.False(t, ev.IsBase64Encoded)
			require.Equal(t, "POST", ev.RequestContext.HTTP.Method)
			require.Equal(t, "/some/path", ev.RequestContext.HTTP.Path)
			require.Equal(t, defaultAccount, rc["accountId"])
			id := functionURLShape.FindStringSubmatch(aws.ToString(created.FunctionUrl))[1]
			require.Equal(t, id, rc["apiId"])
			require.Equal(t, id, rc["domainPrefix"])
			require.Equal(t, id+".lambda-url.us-east-1.localhost", rc["domainName"])
			require.Equal(t, "$default", rc["stage"])
			require.Equal(t, resp.Header.Get("X-Amzn-Requestid"), rc["requestId"])

			// A binary body arrives base64-encoded.
			h = http.Header{}
			h.Set("Content-Type", "application/octet-stream")
			_, body = call(t, hc, http.MethodPut, base+"/", bytes.NewReader([]byte{0, 1, 2, 0xff}), h)
			require.NoError(t, json.Unmarshal(body, &ev))
			require.True(t, ev.IsBase64Encoded)
			require.Equal(t, "AAEC/w==", ev.Body)

			// A bare JSON value is a 200 application/json answer.
			resp, body = call(t, hc, http.MethodGet, base+"/bare?q=1", nil, nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			require.JSONEq(t, `{"bare":true,"query":{"q":"1"}}`, string(body))

			// A base64 response body is decoded.
			resp, body = call(t, hc, http.MethodGet, base+"/binary", nil, nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, []byte{0, 1, 0xfe, 0xff}, body)

			// A function error is a 502.
			resp, _ = call(t, hc, http.MethodGet, base+"/fail", nil, nil)
			require.Equal(t, http.StatusBadGateway, resp.StatusCode)

			// CORS preflight: answered without invoking the function.
			h = http.Header{}
			h.Set("Origin", "https://app.example")
			h.Set("Access-Control-Request-Method", "POST")
			h.Set("Access-Control-Request-Headers", "x-custom")
			resp, _ = call(t, hc, http.MethodOptions, base+"/some/path", nil, h)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "https://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
			require.Equal(t, "GET,POST", resp.Header.Get("Access-Control-Allow-Methods"))
			require.Equal(t, "x-custom", resp.Header.Get("Access-Control-Allow-Headers"))
			require.Equal(t, "300", resp.Header.Get("Access-Control-Max-Age"))
			h.Set("Origin", "https://evil.example")
			resp, _ = call(t, hc, http.MethodOptions, base+"/some/path", nil, h)
			require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		})
	}

	// A URL that no longer exists is refused.
	_, err = c.DeleteFunctionUrlConfig(t.Context(), &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	resp, _ := call(t, hc, http.MethodGet, urlForms(srv, aws.ToString(created.FunctionUrl))["host"]+"/", nil, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestFunctionURLResponseStream(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	mustFunction(t, c, name, "nodejs20.x", "stream.js", "index.js", "index.handler")
	created, err := c.CreateFunctionUrlConfig(t.Context(), &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone, InvokeMode: types.InvokeModeResponseStream,
	})
	require.NoError(t, err)
	hc := urlClient(srv)
	for form, base := range urlForms(srv, aws.ToString(created.FunctionUrl)) {
		t.Run(form, func(t *testing.T) {
			resp, body := call(t, hc, http.MethodGet, base+"/stream", nil, nil)
			require.Equal(t, 207, resp.StatusCode)
			require.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
			require.Equal(t, "yes", resp.Header.Get("X-Streamed"))
			require.Equal(t, []string{"streamed=1"}, resp.Header.Values("Set-Cookie"))
			require.Equal(t, "alpha,beta,gamma", string(body))
		})
	}
}

func TestFunctionURLAWSIAM(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Auth: "sigv4", Credentials: "test:test,AKIDURLS:urlsecret:111122223333"})
	c := client(srv)
	name := uniqueName(t)
	mustFunction(t, c, name, "python3.12", "web.py", "app.py", "app.handler")
	created, err := c.CreateFunctionUrlConfig(t.Context(), &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeAwsIam,
	})
	require.NoError(t, err)
	hc := urlClient(srv)
	for form, base := range urlForms(srv, aws.ToString(created.FunctionUrl)) {
		t.Run(form, func(t *testing.T) {
			resp, body := call(t, hc, http.MethodPost, base+"/iam", strings.NewReader(`{"k":1}`), nil)
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			require.JSONEq(t, `{"Message":"Forbidden"}`, string(body))

			send := func(secret string) (*http.Response, []byte) {
				payload := `{"k":1}`
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/iam?a=b", strings.NewReader(payload))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				sum := sha256.Sum256([]byte(payload))
				creds := aws.Credentials{AccessKeyID: "AKIDURLS", SecretAccessKey: secret}
				// A signer per key: signers cache derived keys by access key id.
				require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", time.Now()))
				resp, err := hc.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp, b
			}
			resp, _ = send("wrong")
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			resp, body = send("urlsecret")
			require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
			var ev struct {
				RequestContext struct {
					Authorizer struct {
						IAM struct{ AccessKey, AccountID string } `json:"iam"`
					}
				}
			}
			require.NoError(t, json.Unmarshal(body, &ev))
			require.Equal(t, "AKIDURLS", ev.RequestContext.Authorizer.IAM.AccessKey)
			require.Equal(t, "111122223333", ev.RequestContext.Authorizer.IAM.AccountID)
		})
	}
}
