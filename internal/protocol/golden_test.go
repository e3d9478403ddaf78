package protocol

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden runs every testdata/<protocol>/*.txtar: the archive's comment names the
// test service (and optionally the protocol), the "request" file is a raw HTTP request
// (or "request.hex" replaces its body), and "decoded" and "response" hold what the
// codec made of it. -update rewrites decoded and response.
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "testdata/"), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runGolden(t, file)
		})
	}
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	ar := parseTxtar(data)
	meta := ar.meta()
	svc := testServices[meta["service"]]
	require.NotNil(t, svc, "unknown service %q", meta["service"])
	proto := meta["protocol"]
	if proto == "" {
		proto = svc.Protocol
	}

	hr, body := mustParseRequest(t, ar.file("request"))
	if hx, ok := ar.files["request.hex"]; ok {
		body, err = hex.DecodeString(strings.Join(strings.Fields(hx), ""))
		require.NoError(t, err)
	}
	req := &Request{HTTP: hr, Body: body, Service: svc, Protocol: proto, RequestID: "req-0001"}
	codec := CodecFor(proto)
	require.NotNil(t, codec)

	rec := httptest.NewRecorder()
	decoded := "(not decoded)\n"
	if e := resolveOp(req); e != nil {
		codec.EncodeError(rec, req, e)
	} else {
		in := req.Op.NewInput()
		if err := codec.Decode(req, in); err != nil {
			var pe *Error
			require.ErrorAs(t, err, &pe, "Decode must return *protocol.Error")
			codec.EncodeError(rec, req, pe)
			decoded = "(error)\n"
		} else {
			decoded = renderInput(in)
			out, err := req.Op.Call(context.Background(), nil, in)
			if err != nil {
				codec.EncodeError(rec, req, AsError(err))
			} else {
				codec.EncodeOutput(rec, req, out)
			}
		}
	}
	got := renderResponse(rec)
	if *update {
		ar.files["decoded"] = decoded
		ar.files["response"] = got
		ar.order = appendMissing(ar.order, "decoded", "response")
		require.NoError(t, os.WriteFile(file, ar.format(), 0o644))
		return
	}
	require.Equal(t, ar.file("decoded"), decoded, "decoded input (run with -update to accept)")
	require.Equal(t, ar.file("response"), got, "response (run with -update to accept)")
}

// resolveOp finds the operation the way the edge does, for the test services.
func resolveOp(req *Request) *Error {
	hr := req.HTTP
	var name string
	switch req.Protocol {
	case JSON:
		target := hr.Header.Get("X-Amz-Target")
		prefix, op, ok := strings.Cut(target, ".")
		if !ok || prefix != req.Service.TargetPrefix {
			return UnknownOperation("Unknown target " + target)
		}
		name = op
	case Query:
		params, err := QueryParams(req)
		if err != nil {
			return err
		}
		name = params.Get("Action")
		if req.Service.Find(name) == nil {
			return InvalidAction(name)
		}
	case CBOR:
		_, op, ok := RPCv2Path(hr.URL.Path)
		if !ok {
			return UnknownOperation("Unknown path " + hr.URL.Path)
		}
		name = op
	default:
		op, labels, ok := NewRouter(req.Service).MatchRequest(hr)
		if !ok {
			return &Error{Code: "UnknownOperationException", Message: "No route for " + hr.Method + " " + hr.URL.Path, Status: 404}
		}
		req.Op, req.Labels = op, labels
		return nil
	}
	req.Op = req.Service.Find(name)
	if req.Op == nil {
		return UnknownOperation("Unknown operation " + name)
	}
	return nil
}

func mustParseRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	hr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head + "\r\n\r\n")))
	require.NoError(t, err)
	// The archive ends every file with a newline that is not part of the body.
	return hr, []byte(strings.TrimSuffix(body, "\n"))
}

// renderInput shows a decoded input as encoding/json sees it (Go field names, so a
// wire-name mistake made the same way by decoder and encoder still shows), or, for
// values JSON cannot hold (NaN), as the awsJson encoder writes it.
func renderInput(in any) string {
	p, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		v, si := outputStruct(in)
		return "(awsJson) " + string(appendJSONStruct(nil, v, si, false)) + "\n"
	}
	return string(p) + "\n"
}

func renderResponse(rec *httptest.ResponseRecorder) string {
	var b strings.Builder
	b.WriteString("status: " + strconv.Itoa(rec.Code) + "\n")
	h := rec.Header()
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	body := rec.Body.Bytes()
	switch {
	case len(body) == 0:
	case h.Get("Content-Type") == "application/cbor":
		d, err := cbor.Diagnose(body)
		if err != nil {
			d = "invalid cbor: " + err.Error()
		}
		b.WriteString("cbor: " + d + "\nhex: " + hex.EncodeToString(body) + "\n")
	case utf8.Valid(body) && !bytes.ContainsRune(body, 0):
		b.Write(body)
		b.WriteString("\n")
	default:
		b.WriteString("hex: " + hex.EncodeToString(body) + "\n")
	}
	return b.String()
}

// archive is a txtar file: a comment and named files.
type archive struct {
	comment string
	files   map[string]string
	order   []string
}

func parseTxtar(data []byte) *archive {
	ar := &archive{files: map[string]string{}}
	cur := ""
	var b strings.Builder
	inFile := false
	flush := func() {
		if inFile {
			ar.files[cur] = b.String()
		} else {
			ar.comment = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			cur = trimmed[3 : len(trimmed)-3]
			inFile = true
			ar.order = append(ar.order, cur)
			continue
		}
		b.WriteString(line)
	}
	flush()
	return ar
}

func (a *archive) file(name string) string { return a.files[name] }

func (a *archive) meta() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(a.comment, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.comment)
	for _, name := range a.order {
		b.WriteString("-- " + name + " --\n")
		s := a.files[name]
		b.WriteString(s)
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

func appendMissing(order []string, names ...string) []string {
	for _, n := range names {
		if !slices.Contains(order, n) {
			order = append(order, n)
		}
	}
	return order
}
