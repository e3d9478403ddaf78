package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	modelsDir   = "../models"
	servicesDir = "../../services"
	moduleRoot  = "../../.."
)

func TestFieldName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"QueueUrl", "QueueURL"},
		{"QueueUrls", "QueueURLs"},
		{"queueUrls", "QueueURLs"},
		{"MessageDeduplicationId", "MessageDeduplicationID"},
		{"Id", "ID"},
		{"Ids", "IDs"},
		{"RoleArn", "RoleARN"},
		{"TargetArns", "TargetARNs"},
		{"RedirectUri", "RedirectURI"},
		{"HttpMethod", "HTTPMethod"},
		{"UseHttps", "UseHTTPS"},
		{"JsonPath", "JSONPath"},
		{"XmlNamespace", "XMLNamespace"},
		{"ApiId", "APIID"},
		{"SqlQuery", "SQLQuery"},
		{"Identity", "Identity"},
		{"IdentityPoolId", "IdentityPoolID"},
		{"Idle", "Idle"},
		{"Http2Enabled", "Http2Enabled"},
		{"MD5OfBody", "MD5OfBody"},
		{"message", "Message"},
		{"xsi:type", "Xsitype"},
		{"3DSecure", "X3DSecure"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, fieldName(tt.in))
		})
	}
}

func TestEnumValueName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"All", "All"},
		{"python3.12", "Python312"},
		{"nodejs18.x", "Nodejs18X"},
		{"AWS_IAM", "AWSIAM"},
		{"us-east-1", "UsEast1"},
		{"application/json", "ApplicationJson"},
		{"*", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, enumValueName(tt.in))
		})
	}
}

func TestNamespaceClaim(t *testing.T) {
	t.Parallel()
	ns := newNamespace()
	require.Equal(t, "ServiceShape", ns.claim("Service"), "reserved for hand-written code")
	require.Equal(t, "ConfigShape", ns.claim("Config"))
	require.Equal(t, "Queue", ns.claim("Queue"))
	require.Equal(t, "QueueShape", ns.claim("Queue"))
	require.Equal(t, "typeShape", ns.claim("type"), "Go keyword")
}

func TestRE2Pattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", `[a-z]+`, `[a-z]+`, true},
		{"unicode escapes", `[\u0020-\u007E]*`, `[\x{0020}-\x{007E}]*`, true},
		{"surrogate pairs become code points", `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF]*`,
			`[\x{0020}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]*`, true},
		{"lone surrogate", `[\uD800-\uDBFF]`, "", false},
		{"lookahead", `^(?!aws:).*$`, "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := re2Pattern(tt.in)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestPackageNames derives each package name the documented way (signing name without
// punctuation; the model name where models share a signing name) and checks the table.
func TestPackageNames(t *testing.T) {
	t.Parallel()
	signing := map[string]string{}
	count := map[string]int{}
	for _, svc := range services {
		m, err := readModel(filepath.Join(modelsDir, svc.Model+".json"))
		require.NoError(t, err)
		s := m.Metadata.SigningName
		if s == "" {
			s = m.Metadata.EndpointPrefix
		}
		signing[svc.Model] = packageName(s)
		count[packageName(s)]++
	}
	// execute-api, the signing name of the API Gateway management API, names the invoke
	// endpoint rather than a service; the model name says what the package serves.
	exceptions := map[string]string{"apigatewaymanagementapi": "apigatewaymanagementapi"}
	for _, svc := range services {
		want := signing[svc.Model]
		if count[want] > 1 {
			want = packageName(svc.Model)
		}
		if e, ok := exceptions[svc.Model]; ok {
			want = e
		}
		require.Equal(t, want, svc.Package, svc.Model)
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model, shape    string
		code, queryCode string
		status          int
		receiver        bool
	}{
		{"sqs", "QueueDoesNotExist", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, false},
		{"sqs", "QueueNameExists", "QueueNameExists", "QueueAlreadyExists", 400, false},
		{"sqs", "InvalidAttributeName", "InvalidAttributeName", "", 400, false},
		{"sqs", "OverLimit", "OverLimit", "", 403, false},
		{"sns", "NotFoundException", "NotFound", "", 404, false},
		{"sns", "InternalErrorException", "InternalError", "", 500, true},
		{"sts", "ExpiredTokenException", "ExpiredTokenException", "", 400, false},
		{"iam", "NoSuchEntityException", "NoSuchEntity", "", 404, false},
		{"monitoring", "InternalServiceFault", "InternalServiceFault", "InternalServiceError", 500, true},
		{"lambda", "ServiceException", "ServiceException", "", 500, true},
		{"lambda", "ResourceNotFoundException", "ResourceNotFoundException", "", 404, false},
		{"kinesis", "ResourceNotFoundException", "ResourceNotFoundException", "", 400, false},
		{"kinesis", "InternalFailureException", "InternalFailureException", "", 500, true},
	}
	gens := map[string]*generator{}
	for _, svc := range services {
		g := &generator{svc: svc}
		var err error
		g.m, err = readModel(filepath.Join(modelsDir, svc.Model+".json"))
		require.NoError(t, err)
		if svc.QueryModel != "" {
			g.q, err = readOverlay(modelsDir, svc.QueryModel, svc.QueryErrors, g.m)
			require.NoError(t, err)
		}
		g.prepare()
		gens[svc.Model], gens[svc.Package] = g, g
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.shape, func(t *testing.T) {
			t.Parallel()
			code, queryCode, status, receiver := gens[tt.model].errorOf(tt.shape)
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.queryCode, queryCode)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.receiver, receiver)
		})
	}
}

// TestGolden regenerates every service into a temporary directory and requires the result
// to be byte-identical to the committed files: run `go generate ./internal/protocol` after
// changing the generator or the models.
func TestGolden(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	require.NoError(t, run([]string{"-models", modelsDir, "-out", out}))
	for _, svc := range services {
		got, err := os.ReadFile(filepath.Join(out, svc.Package, "api_gen.go"))
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(servicesDir, svc.Package, "api_gen.go"))
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "%s/api_gen.go is stale: run go generate ./internal/protocol", svc.Package)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, svc := range []service{services[0], services[len(services)-1]} {
		a, err := generate(modelsDir, svc)
		require.NoError(t, err)
		b, err := generate(modelsDir, svc)
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	}
}

// structTags returns the struct tags of every field of the named struct types in a
// generated file, keyed "Type.Field".
func structTags(t *testing.T, pkg string) map[string]reflect.StructTag {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(servicesDir, pkg, "api_gen.go"), nil, 0)
	require.NoError(t, err)
	tags := map[string]reflect.StructTag{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fld := range st.Fields.List {
			if fld.Tag == nil {
				continue
			}
			tag, err := strconv.Unquote(fld.Tag.Value)
			require.NoError(t, err)
			for _, name := range fld.Names {
				tags[ts.Name.Name+"."+name.Name] = reflect.StructTag(tag)
			}
		}
		return false
	})
	return tags
}

// TestSQSQueryTags checks the query-protocol names SQS's older clients use, as AWS's SQS
// query API reference spells them (CreateQueue Attribute.N.Name, SendMessageBatch
// SendMessageBatchRequestEntry.N.Id, ReceiveMessage AttributeName.N, ...).
func TestSQSQueryTags(t *testing.T) {
	t.Parallel()
	tags := structTags(t, "sqs")
	tests := []struct {
		field, key, want string
	}{
		{"CreateQueueInput.Attributes", "qname", "Attribute"},
		{"CreateQueueInput.Attributes", "qkey", "Name"},
		{"CreateQueueInput.Attributes", "qvalue", "Value"},
		{"CreateQueueInput.Tags", "name", "tags"},
		{"CreateQueueInput.Tags", "qname", "Tag"},
		{"CreateQueueInput.Tags", "qkey", "Key"},
		{"TagQueueInput.Tags", "qname", "Tag"},
		{"SendMessageInput.QueueURL", "name", "QueueUrl"},
		{"SendMessageInput.QueueURL", "required", "true"},
		{"SendMessageInput.QueueURL", "qname", ""},
		{"SendMessageInput.MessageAttributes", "qname", "MessageAttribute"},
		{"SendMessageInput.MessageAttributes", "flat", "true"},
		{"SendMessageBatchInput.Entries", "qmember", "SendMessageBatchRequestEntry"},
		{"ReceiveMessageInput.AttributeNames", "qmember", "AttributeName"},
		{"ReceiveMessageInput.MessageSystemAttributeNames", "qname", "AttributeName"},
		{"ReceiveMessageInput.MessageAttributeNames", "qmember", "MessageAttributeName"},
		{"ReceiveMessageOutput.Messages", "qmember", "Message"},
		{"Message.Attributes", "qname", "Attribute"},
		{"Message.MessageAttributes", "qname", "MessageAttribute"},
		{"MessageAttributeValue.StringListValues", "qname", "StringListValue"},
		{"ListQueuesOutput.QueueURLs", "qmember", "QueueUrl"},
		{"ListDeadLetterSourceQueuesOutput.QueueURLs", "name", "queueUrls"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.key, func(t *testing.T) {
			t.Parallel()
			tag, ok := tags[tt.field]
			require.True(t, ok, "no field %s", tt.field)
			require.Equal(t, tt.want, tag.Get(tt.key))
		})
	}
}

func TestStreamTags(t *testing.T) {
	t.Parallel()
	s3 := structTags(t, "s3")
	require.Equal(t, "true", s3["GetObjectOutput.Body"].Get("stream"))
	require.Equal(t, "true", s3["GetObjectOutput.Body"].Get("payload"))
	require.Equal(t, "xsi:type", s3["Grantee.Type"].Get("name"))
	require.Equal(t, "true", s3["Grantee.Type"].Get("xmlattr"))
	require.Equal(t, "true", s3["SelectObjectContentOutput.Payload"].Get("eventstream"))
	kinesis := structTags(t, "kinesis")
	require.Equal(t, "true", kinesis["SubscribeToShardOutput.EventStream"].Get("eventstream"))
	require.Equal(t, "", kinesis["PutRecordInput.StreamARN"].Get("flat"), "json services carry no XML tags")
}

func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// TestServicesBuild builds and vets every service package. It is slow on a cold build
// cache, so -short skips it.
func TestServicesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every service package")
	}
	t.Parallel()
	for _, args := range [][]string{{"build", "./internal/services/..."}, {"vet", "./internal/services/..."}} {
		cmd := exec.Command(goTool(t), args...)
		cmd.Dir = moduleRoot
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %v:\n%s", args, out)
	}
}
