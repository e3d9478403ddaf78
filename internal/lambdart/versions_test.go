package lambdart

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRuntimeVersions runs a function on every Python and Node.js runtime id, each on the
// interpreter the host maps it to.
func TestRuntimeVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	py := mustZipDir(t, "", map[string]fileSpec{"app.py": {data: "import sys\n\ndef handler(event, context):\n    return '%d.%d' % sys.version_info[:2]\n\ndef fail(event, context):\n    raise KeyError('k')\n"}})
	node := mustZipDir(t, "", map[string]fileSpec{"app.js": {data: "exports.handler = async () => process.versions.node;\nexports.fail = async () => { throw new RangeError('r'); };\n"}})
	for _, id := range Runtimes() {
		rt, _ := LookupRuntime(id)
		if rt.Family == FamilyProvided {
			continue
		}
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			interp, _ := resolveInterpreter(rt, nil)
			if interp == "" {
				t.Skipf("no interpreter for %s on this host", id)
			}
			code := py
			if rt.Family == FamilyNode {
				code = node
			}
			name := "versions-" + strings.ReplaceAll(id, ".", "-")
			f := b.function(t, name, id, "app.handler", code)
			var version string
			mustSucceed(t, b.m, f, `{}`, &version)
			t.Logf("%s runs on %s (%s)", id, version, interp)
			if rt.Family == FamilyPython && strings.HasSuffix(interp, "python"+rt.Version) {
				require.Equal(t, rt.Version, version)
			}
			ff := b.function(t, name+"-fail", id, "app.fail", code)
			doc := mustFunctionError(t, mustInvoke(t, b.m, ff, `{}`))
			if rt.Family == FamilyPython {
				require.Equal(t, "KeyError", doc.ErrorType)
				require.Equal(t, "'k'", doc.ErrorMessage)
			} else {
				require.Equal(t, "RangeError", doc.ErrorType)
				require.Equal(t, "r", doc.ErrorMessage)
			}
		})
	}
}
