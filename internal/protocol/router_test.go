package protocol

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRouterMatch(t *testing.T) {
	t.Parallel()
	r := NewRouter(testRestXMLS3)
	tests := []struct {
		name       string
		method     string
		path       string
		query      string
		header     http.Header
		wantOp     string
		wantLabels map[string]string
	}{
		{name: "greedy key", method: "GET", path: "/b/a/b/c.txt", wantOp: "GetObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "a/b/c.txt"}},
		{name: "escaped labels", method: "GET", path: "/b%20x/a%2Fb%3F%25", wantOp: "GetObject",
			wantLabels: map[string]string{"Bucket": "b x", "Key": "a/b?%"}},
		{name: "key keeps leading slash", method: "GET", path: "/b//k", wantOp: "GetObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "/k"}},
		{name: "literal query with value", method: "GET", path: "/b", query: "list-type=2&prefix=x", wantOp: "ListObjectsV2",
			wantLabels: map[string]string{"Bucket": "b"}},
		{name: "literal query with other value does not match", method: "GET", path: "/b", query: "list-type=1"},
		{name: "literal query key", method: "PUT", path: "/b", query: "tagging", wantOp: "PutBucketTagging",
			wantLabels: map[string]string{"Bucket": "b"}},
		{name: "trailing slash", method: "PUT", path: "/b/", query: "tagging", wantOp: "PutBucketTagging",
			wantLabels: map[string]string{"Bucket": "b"}},
		{name: "plain put", method: "PUT", path: "/b/k", wantOp: "PutObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "required header picks copy", method: "PUT", path: "/b/k", header: http.Header{"X-Amz-Copy-Source": {"/s/k"}}, wantOp: "CopyObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "required query picks upload part", method: "PUT", path: "/b/k", query: "partNumber=1&uploadId=u", wantOp: "UploadPart",
			wantLabels: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "x-id names the operation", method: "PUT", path: "/b/k", query: "x-id=CopyObject", header: http.Header{"X-Amz-Copy-Source": {"/s/k"}}, wantOp: "CopyObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "k"}},
		{name: "method matters", method: "DELETE", path: "/b/k"},
		{name: "empty greedy label", method: "GET", path: "/b/"},
		{name: "head", method: "HEAD", path: "/b/k", wantOp: "HeadObject",
			wantLabels: map[string]string{"Bucket": "b", "Key": "k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := &http.Request{Method: tt.method, URL: &url.URL{RawPath: tt.path, Path: mustUnescape(tt.path), RawQuery: tt.query}, Header: tt.header}
			op, labels, ok := r.MatchRequest(req)
			if tt.wantOp == "" {
				require.False(t, ok, "matched %v", op)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.wantOp, op.Name)
			require.Equal(t, tt.wantLabels, labels)
		})
	}
}

func TestRouterBadEscape(t *testing.T) {
	t.Parallel()
	_, _, ok := NewRouter(testRestXMLS3).Match("GET", "/b/%zz", nil)
	require.False(t, ok)
}

func mustUnescape(p string) string {
	s, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return s
}

// modelOp is the part of a botocore operation the router reads.
type modelOp struct {
	Name string `json:"name"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
}

// restModels loads the operations of every rest model in models/.
func restModels(tb testing.TB) map[string]*ServiceInfo {
	tb.Helper()
	files, err := filepath.Glob("models/*.json")
	require.NoError(tb, err)
	out := map[string]*ServiceInfo{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		var m struct {
			Metadata struct {
				Protocol string `json:"protocol"`
			} `json:"metadata"`
			Operations map[string]modelOp `json:"operations"`
		}
		if json.Unmarshal(data, &m) != nil || !strings.HasPrefix(m.Metadata.Protocol, "rest-") {
			continue
		}
		svc := &ServiceInfo{ModelName: strings.TrimSuffix(filepath.Base(f), ".json"), Protocol: m.Metadata.Protocol}
		for _, op := range m.Operations {
			svc.Operations = append(svc.Operations, &Operation{Name: op.Name, Method: op.HTTP.Method, RequestURI: op.HTTP.RequestURI})
		}
		sort.Slice(svc.Operations, func(i, j int) bool { return svc.Operations[i].Name < svc.Operations[j].Name })
		out[svc.ModelName] = svc
	}
	return out
}

// exampleRequest builds a request an SDK could send for op: each label filled with a
// value that needs escaping (greedy labels with a slash), and the literal query parts.
func exampleRequest(op *Operation) (method, rawPath string, query url.Values, labels map[string]string) {
	path, rawQuery, _ := strings.Cut(op.RequestURI, "?")
	labels = map[string]string{}
	var segs []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := strings.TrimSuffix(seg[1:len(seg)-1], "+")
			val := "v " + name
			if strings.HasSuffix(seg, "+}") {
				val += "/x:y"
				segs = append(segs, url.PathEscape("v "+name)+"/"+url.PathEscape("x:y"))
			} else {
				segs = append(segs, url.PathEscape(val))
			}
			labels[name] = val
			continue
		}
		segs = append(segs, seg)
	}
	query, _ = url.ParseQuery(rawQuery)
	return op.Method, strings.Join(segs, "/"), query, labels
}

// TestRouterModels routes an example request for every operation of every rest model
// we serve back to that operation (or to one with the very same template, which only
// the operation's bindings can tell apart).
func TestRouterModels(t *testing.T) {
	t.Parallel()
	models := restModels(t)
	require.NotEmpty(t, models)
	for name, svc := range models {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := NewRouter(svc)
			for _, op := range svc.Operations {
				method, path, query, labels := exampleRequest(op)
				got, gotLabels, ok := r.Match(method, path, query)
				require.True(t, ok, "%s %s %s", op.Name, method, path)
				if got != op {
					require.Equal(t, op.Method+" "+op.RequestURI, got.Method+" "+got.RequestURI,
						"%s routed to %s", op.Name, got.Name)
				}
				if len(labels) == 0 {
					require.Empty(t, gotLabels)
				} else {
					require.Equal(t, labels, gotLabels, op.Name)
				}
			}
		})
	}
}

// TestRouterPrefersNewerOperation checks the tie-break between an operation and the
// one that superseded it on the same template.
func TestRouterPrefersNewerOperation(t *testing.T) {
	t.Parallel()
	svc := restModels(t)["s3"]
	require.NotNil(t, svc)
	r := NewRouter(svc)
	op, _, ok := r.Match("GET", "/bucket", url.Values{"lifecycle": {""}})
	require.True(t, ok)
	require.Equal(t, "GetBucketLifecycleConfiguration", op.Name)
	op, _, ok = r.Match("GET", "/", nil)
	require.True(t, ok)
	require.Equal(t, "ListBuckets", op.Name)
}
