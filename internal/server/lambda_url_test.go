package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/edge"
	"github.com/overcast/overcast/internal/services/lambda"
)

func TestURLEvent(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "http://abc.lambda-url.us-east-1.localhost:4566/a%20b/c?x=1&x=2&y=", strings.NewReader("ignored"))
	r.Header.Set("User-Agent", "tester")
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header.Set("Cookie", "s=1; t=2")
	r.RemoteAddr = "10.1.2.3:5555"
	u := &lambda.URLFunction{Account: "123456789012", Region: "us-east-1", Function: "f", Qualifier: "$LATEST", URLID: "abc", AuthType: lambda.FunctionUrlAuthTypeAWSIAM}
	now := time.Date(2026, 3, 12, 19, 3, 58, 390e6, time.UTC)
	b := urlEvent(r, u, &edge.Identity{AccessKey: "AKID", Account: "111122223333"}, []byte{0xff, 0x00}, "abc.lambda-url.us-east-1.localhost", "/a%20b/c", "rid", now)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(b, &ev))
	require.Equal(t, "2.0", ev["version"])
	require.Equal(t, "$default", ev["routeKey"])
	require.Equal(t, "/a%20b/c", ev["rawPath"])
	require.Equal(t, "x=1&x=2&y=", ev["rawQueryString"])
	require.Equal(t, []any{"s=1", "t=2"}, ev["cookies"])
	require.Equal(t, map[string]any{"x": "1,2", "y": ""}, ev["queryStringParameters"])
	headers := ev["headers"].(map[string]any)
	require.Equal(t, "a,b", headers["x-multi"])
	require.Equal(t, "tester", headers["user-agent"])
	require.NotContains(t, headers, "cookie")
	require.Equal(t, "abc.lambda-url.us-east-1.localhost:4566", headers["host"])
	require.Equal(t, "10.1.2.3", headers["x-forwarded-for"])
	require.Equal(t, "http", headers["x-forwarded-proto"])
	require.Equal(t, "4566", headers["x-forwarded-port"])
	require.Equal(t, "/wA=", ev["body"]) // base64 of ff 00
	require.Equal(t, true, ev["isBase64Encoded"])
	rc := ev["requestContext"].(map[string]any)
	require.Equal(t, "123456789012", rc["accountId"])
	require.Equal(t, "abc", rc["apiId"])
	require.Equal(t, "abc", rc["domainPrefix"])
	require.Equal(t, "abc.lambda-url.us-east-1.localhost", rc["domainName"])
	require.Equal(t, "12/Mar/2026:19:03:58 +0000", rc["time"])
	require.Equal(t, float64(now.UnixMilli()), rc["timeEpoch"])
	require.Equal(t, "$default", rc["stage"])
	require.Equal(t, map[string]any{"method": "POST", "path": "/a b/c", "protocol": "HTTP/1.1", "sourceIp": "10.1.2.3", "userAgent": "tester"}, rc["http"])
	iam := rc["authorizer"].(map[string]any)["iam"].(map[string]any)
	require.Equal(t, "AKID", iam["accessKey"])
	require.Equal(t, "111122223333", iam["accountId"])

	// Text bodies travel as they are; no body, no body member.
	r = httptest.NewRequest(http.MethodGet, "http://h/", nil)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	require.NoError(t, json.Unmarshal(urlEvent(r, u, nil, []byte(`{"a":1}`), "d", "/", "rid", now), &ev))
	require.Equal(t, `{"a":1}`, ev["body"])
	require.Equal(t, false, ev["isBase64Encoded"])
	require.NotContains(t, ev["requestContext"], "authorizer")
	ev = nil
	require.NoError(t, json.Unmarshal(urlEvent(r, u, nil, nil, "d", "/", "rid", now), &ev))
	require.NotContains(t, ev, "body")
	require.NotContains(t, ev, "queryStringParameters")
}

func TestParseURLResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		ok      bool
		want    *urlResponse
	}{
		{"bare object", `{"a":1}`, true, &urlResponse{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: []byte(`{"a":1}`)}},
		{"bare string", `"hi"`, true, &urlResponse{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: []byte(`"hi"`)}},
		{"response format", `{"statusCode":201,"headers":{"content-type":"text/plain","x-a":"b"},"cookies":["c=1"],"body":"made"}`, true,
			&urlResponse{status: 201, headers: map[string]string{"content-type": "text/plain", "x-a": "b"}, cookies: []string{"c=1"}, body: []byte("made")}},
		{"base64", `{"statusCode":200,"body":"AAE=","isBase64Encoded":true}`, true,
			&urlResponse{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: []byte{0, 1}}},
		{"bad status", `{"statusCode":"x"}`, false, nil},
		{"status out of range", `{"statusCode":42}`, false, nil},
		{"bad base64", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseURLResult([]byte(tt.payload))
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReadPrelude(t *testing.T) {
	t.Parallel()
	br := bufio.NewReader(strings.NewReader(`{"statusCode":418,"headers":{"x-a":"b"},"cookies":["k=v"]}` + strings.Repeat("\x00", 8) + "body"))
	p, ok := readPrelude(br)
	require.True(t, ok)
	require.Equal(t, &urlPrelude{StatusCode: 418, Headers: map[string]string{"x-a": "b"}, Cookies: []string{"k=v"}}, p)
	rest := make([]byte, 10)
	n, _ := br.Read(rest)
	require.Equal(t, "body", string(rest[:n]))

	_, ok = readPrelude(bufio.NewReader(strings.NewReader(`{"statusCode":200}` + "\x00\x00")))
	require.False(t, ok)
	_, ok = readPrelude(bufio.NewReader(strings.NewReader(`not json` + strings.Repeat("\x00", 8))))
	require.False(t, ok)
}
