package lambdart

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEphemeralStorage(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	if !b.m.Sandbox().TmpSize {
		t.Skip("no size-limited /tmp on this host (" + b.m.Sandbox().Reason + ")")
	}
	f := b.function(t, "tmp-size", "python3.12", "lambda_function.fill", mustZipDir(t, "testdata/python/basic", nil),
		func(f *Function) { f.EphemeralStorageMB = 16 })
	var out struct {
		WrittenMB int     `json:"written_mb"`
		Error     *string `json:"error"`
	}
	mustSucceed(t, b.m, f, `{"mb":8}`, &out)
	require.Equal(t, 8, out.WrittenMB)
	require.Nil(t, out.Error)
	mustSucceed(t, b.m, f, `{"mb":32}`, &out)
	require.NotNil(t, out.Error)
	require.Equal(t, "No space left on device", *out.Error)
	require.LessOrEqual(t, out.WrittenMB, 16)
}

func TestExecWrapper(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", map[string]fileSpec{
		"wrapper": {data: "#!/bin/sh\nexport WRAPPED_BY=wrapper\nexec \"$@\"\n", mode: 0o755},
	})
	c, err := b.m.Code().Unpack(code)
	require.NoError(t, err)
	root := "/var/task"
	if !b.m.Sandbox().Namespaces {
		root = c.Dir
	}
	f := b.function(t, "wrapped", "python3.12", "lambda_function.env", code, func(f *Function) {
		f.Environment = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": root + "/wrapper"}
	})
	var env map[string]string
	mustSucceed(t, b.m, f, `{"keys":["WRAPPED_BY"]}`, &env)
	require.Equal(t, "wrapper", env["WRAPPED_BY"])
}

func TestInvokeStreamBufferedFunction(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", nil)
	st, err := b.m.InvokeStream(context.Background(), b.function(t, "stream-buffered", "python3.12", "lambda_function.hello", code),
		&InvokeRequest{Payload: []byte(`{"name":"s"}`)})
	require.NoError(t, err)
	body, err := io.ReadAll(st.Body)
	require.NoError(t, err)
	require.JSONEq(t, `{"hello":"s"}`, string(body), "a function that does not stream answers in one chunk")
	require.Equal(t, "application/json", st.ContentType)
	res := st.Wait()
	require.Empty(t, res.FunctionError)
	require.Equal(t, "$LATEST", st.ExecutedVersion)

	st, err = b.m.InvokeStream(context.Background(), b.function(t, "stream-initerr", "python3.12", "nope.handler", code),
		&InvokeRequest{Payload: []byte(`{}`)})
	require.NoError(t, err)
	body, err = io.ReadAll(st.Body)
	require.NoError(t, err)
	require.Empty(t, body)
	res = st.Wait()
	require.Equal(t, "Runtime.ImportModuleError", res.ErrorType)
	require.Contains(t, string(res.Payload), "Unable to import module 'nope'")
}

// TestNetworkIsolation checks the opt-in network namespace: the function reaches Overcast's
// endpoint through the forwarder and nothing else on the host.
func TestNetworkIsolation(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("overcast says hi"))
	}))
	t.Cleanup(endpoint.Close)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("should be unreachable"))
	}))
	t.Cleanup(other.Close)
	b := setup(t, func(c *Config) {
		c.IsolateNetwork = true
		c.Endpoint = endpoint.URL
	})
	if !b.m.Sandbox().Network {
		t.Skip("no network namespaces on this host (" + b.m.Sandbox().Reason + ")")
	}
	f := b.function(t, "netns", "python3.12", "lambda_function.fetch", mustZipDir(t, "testdata/python/basic", nil))
	var out map[string]string
	mustSucceed(t, b.m, f, `{"urls":{"endpoint":"`+endpoint.URL+`","other":"`+other.URL+`"}}`, &out)
	require.Equal(t, "overcast says hi", out["endpoint"])
	require.Equal(t, "error: URLError", out["other"])

	// Without isolation both are reachable.
	open := setup(t, func(c *Config) { c.Endpoint = endpoint.URL })
	fo := open.function(t, "netns-off", "python3.12", "lambda_function.fetch", mustZipDir(t, "testdata/python/basic", nil))
	mustSucceed(t, open.m, fo, `{"urls":{"other":"`+other.URL+`"}}`, &out)
	require.Equal(t, "should be unreachable", out["other"])
}
