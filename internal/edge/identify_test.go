package edge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

// capturedRequest is one request recorded from botocore by testdata/capture_requests.py.
type capturedRequest struct {
	Name      string     `json:"name"`
	Method    string     `json:"method"`
	URL       string     `json:"url"`
	Headers   [][]string `json:"headers"`
	Body      string     `json:"body"`
	WantModel string     `json:"want_model"`
	WantOp    string     `json:"want_op"`
}

func MustCapturedRequests(tb testing.TB) []capturedRequest {
	tb.Helper()
	b, err := os.ReadFile("testdata/requests.json")
	require.NoError(tb, err)
	var out []capturedRequest
	require.NoError(tb, json.Unmarshal(b, &out))
	require.NotEmpty(tb, out)
	return out
}

// httpRequest rebuilds the request as a server receives it.
func (c capturedRequest) httpRequest(tb testing.TB) *http.Request {
	tb.Helper()
	body, err := base64.StdEncoding.DecodeString(c.Body)
	require.NoError(tb, err)
	r := httptest.NewRequest(c.Method, c.URL, bytes.NewReader(body))
	// A server sees the origin-form target, not the absolute URL.
	r.RequestURI = r.URL.RequestURI()
	for _, h := range c.Headers {
		r.Header.Add(h[0], h[1])
	}
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	return r
}

// identifyAll runs both identification phases, as serve does.
func identifyAll(e *Edge, r *http.Request) (route, signature) {
	sig := parseSignature(r)
	rt := e.identify(r, &sig)
	if rt.needAction {
		body, _ := io.ReadAll(r.Body)
		action, ok := formValue(string(body), "Action")
		if !ok {
			action, _ = formValue(r.URL.RawQuery, "Action")
		}
		e.identifyQuery(&rt, r, action)
	}
	return rt, sig
}

func TestIdentifyCapturedRequests(t *testing.T) {
	t.Parallel()
	e := MustModelEdge(t, Config{})
	for _, c := range MustCapturedRequests(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rt, _ := identifyAll(e, c.httpRequest(t))
			require.Nil(t, rt.err)
			require.Equal(t, c.WantModel, rt.svc.info.ModelName)
			require.NotNil(t, rt.op)
			require.Equal(t, c.WantOp, rt.op.op.Name)
		})
	}
}

func TestIdentify(t *testing.T) {
	t.Parallel()
	e := MustModelEdge(t, Config{})
	sign := func(service, region string) string {
		return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/" + region + "/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	}
	tests := []struct {
		name    string
		method  string
		target  string // request target (path and query)
		host    string
		headers map[string]string
		body    string

		wantModel  string
		wantOp     string
		wantProto  string
		wantLabels map[string]string
		wantCode   string
		wantRegion string
	}{
		{
			name: "cbor by path", method: "POST", target: "/service/GraniteServiceVersion20100801/operation/PutMetricData",
			headers:   map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
			wantModel: "cloudwatch", wantOp: "PutMetricData", wantProto: protocol.CBOR,
		},
		{
			name: "cbor by path with namespace and prefix", method: "POST", target: "/v1/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/GetMetricData",
			headers:   map[string]string{"Smithy-Protocol": "rpc-v2-cbor"},
			wantModel: "cloudwatch", wantOp: "GetMetricData", wantProto: protocol.CBOR,
		},
		{
			name: "cbor with target header is rejected", method: "POST", target: "/service/GraniteServiceVersion20100801/operation/PutMetricData",
			headers:  map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData"},
			wantCode: "SerializationException",
		},
		{
			name: "cbor unknown operation", method: "POST", target: "/service/GraniteServiceVersion20100801/operation/Nope",
			headers:  map[string]string{"Smithy-Protocol": "rpc-v2-cbor"},
			wantCode: "UnknownOperationException",
		},
		{
			name: "json target with cbor body", method: "POST", target: "/",
			headers:   map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics", "Content-Type": "application/cbor"},
			wantModel: "cloudwatch", wantOp: "ListMetrics", wantProto: protocol.CBOR,
		},
		{
			name: "json unknown target prefix", method: "POST", target: "/",
			headers:  map[string]string{"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"},
			wantCode: "UnknownOperationException",
		},
		{
			name: "json unknown operation", method: "POST", target: "/",
			headers:  map[string]string{"X-Amz-Target": "AmazonSQS.Nope", "Content-Type": "application/x-amz-json-1.0"},
			wantCode: "UnknownOperationException", wantModel: "sqs",
		},
		{
			name: "unsigned sqs query by host with region", method: "POST", target: "/", host: "sqs.us-west-2.localhost:4566",
			headers:   map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:      "Action=ListQueues&Version=2012-11-05",
			wantModel: "sqs", wantOp: "ListQueues", wantProto: protocol.Query, wantRegion: "us-west-2",
		},
		{
			name: "unsigned sns query by host, action shared with cloudwatch", method: "POST", target: "/", host: "sns.localhost",
			headers:   map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:      "Action=ListTagsForResource&ResourceArn=x",
			wantModel: "sns", wantOp: "ListTagsForResource", wantProto: protocol.Query,
		},
		{
			name: "signed cloudwatch query", method: "POST", target: "/",
			headers:   map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": sign("monitoring", "eu-central-1")},
			body:      "Action=ListTagsForResource&ResourceARN=x",
			wantModel: "cloudwatch", wantOp: "ListTagsForResource", wantProto: protocol.Query, wantRegion: "eu-central-1",
		},
		{
			name: "unsigned query to a queue URL", method: "POST", target: "/000000000000/orders",
			headers:   map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:      "Action=ReceiveMessage&WaitTimeSeconds=20",
			wantModel: "sqs", wantOp: "ReceiveMessage", wantProto: protocol.Query,
		},
		{
			name: "unsigned query by unique action", method: "GET", target: "/?Action=GetCallerIdentity&Version=2011-06-15",
			wantModel: "sts", wantOp: "GetCallerIdentity", wantProto: protocol.Query,
		},
		{
			name: "signed query with unknown action", method: "POST", target: "/",
			headers:  map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": sign("sns", "us-east-1")},
			body:     "Action=Frobnicate",
			wantCode: "InvalidAction", wantModel: "sns",
		},
		{
			name: "signed query without action", method: "POST", target: "/",
			headers:  map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": sign("sts", "us-east-1")},
			body:     "Version=2011-06-15",
			wantCode: "MissingAction", wantModel: "sts",
		},
		{
			name: "unsigned unknown action", method: "POST", target: "/",
			headers:  map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:     "Action=Frobnicate",
			wantCode: "InvalidAction",
		},
		{
			name: "signed sqs json without target", method: "POST", target: "/",
			headers:  map[string]string{"Content-Type": "application/x-amz-json-1.0", "Authorization": sign("sqs", "us-east-1")},
			body:     "{}",
			wantCode: "UnknownOperationException", wantModel: "sqs",
		},
		{
			name: "s3 virtual host with s3 label", method: "GET", target: "/cats/tom.jpg", host: "photos.s3.localhost:4566",
			headers:   map[string]string{"Authorization": sign("s3", "us-east-1")},
			wantModel: "s3", wantOp: "GetObject", wantProto: protocol.RestXML,
			wantLabels: map[string]string{"Bucket": "photos", "Key": "cats/tom.jpg"},
		},
		{
			name: "s3 virtual host on aws domain with region and dots in bucket", method: "PUT", target: "/k", host: "my.photos.s3.us-west-2.amazonaws.com",
			headers: map[string]string{"Authorization": sign("s3", "us-west-2"), "Content-Length": "4"}, body: "meow",
			wantModel: "s3", wantOp: "PutObject", wantProto: protocol.RestXML,
			wantLabels: map[string]string{"Bucket": "my.photos", "Key": "k"},
		},
		{
			name: "s3 virtual host bucket root", method: "GET", target: "/?location", host: "photos.localhost:4566",
			headers:   map[string]string{"Authorization": sign("s3", "us-east-1")},
			wantModel: "s3", wantOp: "GetBucketLocation", wantProto: protocol.RestXML,
			wantLabels: map[string]string{"Bucket": "photos"},
		},
		{
			name: "unsigned s3 path style is the last resort", method: "GET", target: "/photos/cats/tom.jpg",
			wantModel: "s3", wantOp: "GetObject", wantProto: protocol.RestXML,
		},
		{
			name: "unsigned lambda path", method: "GET", target: "/2015-03-31/functions/",
			wantModel: "lambda", wantOp: "ListFunctions", wantProto: protocol.RestJSON,
		},
		{
			name: "unsigned lambda by host", method: "POST", target: "/2015-03-31/functions/f/invocations", host: "lambda.eu-west-1.localhost:4566",
			wantModel: "lambda", wantOp: "Invoke", wantProto: protocol.RestJSON, wantRegion: "eu-west-1",
		},
		{
			name: "apigateway v1 and v2 share a signing name (v2)", method: "POST", target: "/v2/apis",
			headers:   map[string]string{"Authorization": sign("apigateway", "us-east-1")},
			wantModel: "apigatewayv2", wantOp: "CreateApi", wantProto: protocol.RestJSON,
		},
		{
			name: "apigateway v1 and v2 share a signing name (v1)", method: "POST", target: "/restapis",
			headers:   map[string]string{"Authorization": sign("apigateway", "us-east-1")},
			wantModel: "apigateway", wantOp: "CreateRestApi", wantProto: protocol.RestJSON,
		},
		{
			name: "kinesis video models share a signing name", method: "POST", target: "/getMedia",
			headers:   map[string]string{"Authorization": sign("kinesisvideo", "us-east-1")},
			wantModel: "kinesis-video-media", wantOp: "GetMedia", wantProto: protocol.RestJSON,
		},
		{
			name: "signed rest path no operation matches", method: "DELETE", target: "/2015-03-31/nothing/here",
			headers:  map[string]string{"Authorization": sign("lambda", "us-east-1")},
			wantCode: "UnknownOperationException", wantModel: "lambda",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			rt, sig := identifyAll(e, r)
			if tt.wantModel != "" {
				require.Equal(t, tt.wantModel, rt.svc.info.ModelName)
			}
			if tt.wantCode != "" {
				require.NotNil(t, rt.err)
				require.Equal(t, tt.wantCode, rt.err.Code)
				return
			}
			require.Nil(t, rt.err)
			require.NotNil(t, rt.op)
			require.Equal(t, tt.wantOp, rt.op.op.Name)
			require.Equal(t, tt.wantProto, rt.proto)
			for k, v := range tt.wantLabels {
				require.Equal(t, v, rt.labels[k], "label %s", k)
			}
			if tt.wantRegion != "" {
				var x exchange
				x.req.HTTP = r
				x.rt = rt
				e.fillCall(&x, &sig)
				require.Equal(t, tt.wantRegion, x.call.Region)
			}
		})
	}
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	prefixes := map[string]bool{"sqs": true, "s3": true, "sns": true, "lambda": true, "execute-api": true}
	tests := []struct {
		host string
		want hostInfo
	}{
		{"localhost:4566", hostInfo{}},
		{"127.0.0.1:4566", hostInfo{}},
		{"[::1]:4566", hostInfo{}},
		{"sqs.us-east-1.localhost:4566", hostInfo{prefix: "sqs", region: "us-east-1"}},
		{"SNS.localhost", hostInfo{prefix: "sns"}},
		{"photos.s3.localhost", hostInfo{prefix: "s3", sub: "photos"}},
		{"my.photos.s3.dualstack.eu-west-1.amazonaws.com", hostInfo{prefix: "s3", sub: "my.photos", region: "eu-west-1"}},
		{"photos.s3-us-west-2.amazonaws.com", hostInfo{prefix: "s3", sub: "photos", region: "us-west-2"}},
		{"photos.localhost:4566", hostInfo{sub: "photos"}},
		{"my-bucket-1.localhost", hostInfo{sub: "my-bucket-1"}},
		{"abc123.execute-api.us-gov-west-1.localhost", hostInfo{prefix: "execute-api", sub: "abc123", region: "us-gov-west-1"}},
		{"overcast:4566", hostInfo{}},
		{"sqs.overcast.internal", hostInfo{}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, parseHost(tt.host, prefixes), tt.host)
	}
}

func TestIsRegion(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1", "il-central-1"} {
		require.True(t, isRegion(s), s)
	}
	for _, s := range []string{"my-bucket-1", "us-east", "useast-1", "us-east-x", "us-foo-1", "", "east-1"} {
		require.False(t, isRegion(s), s)
	}
}

func TestFormValue(t *testing.T) {
	t.Parallel()
	v, ok := formValue("Version=1&Action=Send%20It&Action=Second", "Action")
	require.True(t, ok)
	require.Equal(t, "Send It", v)
	_, ok = formValue("Version=1", "Action")
	require.False(t, ok)
}

func TestIsQueueURLPath(t *testing.T) {
	t.Parallel()
	require.True(t, isQueueURLPath("/000000000000/orders"))
	require.True(t, isQueueURLPath("/123456789012/orders.fifo"))
	require.False(t, isQueueURLPath("/000000000000/orders/x"))
	require.False(t, isQueueURLPath("/00000000000x/orders"))
	require.False(t, isQueueURLPath("/"))
}
