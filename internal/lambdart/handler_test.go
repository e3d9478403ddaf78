package lambdart

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, runtime, handler string
		want                   Handler
		wantType, wantMessage  string
	}{
		{"Python", "python3.12", "lambda_function.lambda_handler", Handler{"lambda_function", "lambda_handler"}, "", ""},
		{"PythonNested", "python3.12", "dir/sub/file.func", Handler{"dir.sub.file", "func"}, "", ""},
		{"PythonDottedModule", "python3.9", "pkg.mod.func", Handler{"pkg.mod", "func"}, "", ""},
		{"PythonNoDot", "python3.13", "handler", Handler{}, "Runtime.MalformedHandlerName", "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"},
		{"Node", "nodejs20.x", "index.handler", Handler{"index", "handler"}, "", ""},
		{"NodeNested", "nodejs22.x", "dir/sub/file.handler", Handler{"dir/sub/file", "handler"}, "", ""},
		{"NodeProperty", "nodejs18.x", "index.nested.deeper.handler", Handler{"index", "nested.deeper.handler"}, "", ""},
		{"NodeDottedDir", "nodejs20.x", "v1.2/app.handler", Handler{"v1.2/app", "handler"}, "", ""},
		{"NodeNoDot", "nodejs20.x", "index", Handler{}, "Runtime.MalformedHandlerName", "Bad handler"},
		{"NodeRelative", "nodejs20.x", "../app.handler", Handler{}, "Runtime.MalformedHandlerName", "'../app.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."},
		{"Provided", "provided.al2023", "anything goes", Handler{Function: "anything goes"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseHandler(tt.runtime, tt.handler)
			if tt.wantType == "" {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			var he *HandlerError
			require.ErrorAs(t, err, &he)
			require.Equal(t, tt.wantType, he.Type)
			require.Equal(t, tt.wantMessage, he.Message)
		})
	}
	_, err := ParseHandler("python2.7", "a.b")
	require.ErrorIs(t, err, ErrUnsupportedRuntime)
}

func FuzzParseHandler(f *testing.F) {
	for _, s := range []string{"lambda_function.lambda_handler", "dir/sub/file.func", "index", "../x.y", "a.b/a.b", "/", "", ".", "a/", "x.y.z", "é.ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, handler string) {
		if h, err := ParseHandler("python3.12", handler); err == nil {
			// The handler is the module path (/ read as .), a dot and the function name.
			require.True(t, strings.HasSuffix(handler, "."+h.Function))
			require.Equal(t, strings.ReplaceAll(handler[:len(handler)-len(h.Function)-1], "/", "."), h.Module)
			require.NotContains(t, h.Function, ".")
		} else {
			require.NotContains(t, handler, ".")
		}
		if h, err := ParseHandler("nodejs20.x", handler); err == nil {
			require.True(t, strings.HasPrefix(handler, h.Module), "module %q not a prefix of %q", h.Module, handler)
			require.Contains(t, handler, h.Module+"."+h.Function)
			require.NotContains(t, handler, "..")
			require.NotContains(t, nodeBasename(h.Module+".x"), "/")
		} else {
			var he *HandlerError
			require.ErrorAs(t, err, &he)
			require.Equal(t, "Runtime.MalformedHandlerName", he.Type)
		}
		h, err := ParseHandler("provided.al2", handler)
		require.NoError(t, err)
		require.Equal(t, handler, h.Function)
	})
}
