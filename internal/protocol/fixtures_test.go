package protocol

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"
)

// The types below are written by hand the way the generator writes them, to exercise
// every tag of doc.go independently of any service model.

type sinkNested struct {
	Name   *string     `name:"Name"`
	Values []string    `name:"Values"`
	Child  *sinkNested `name:"Child"`
}

type sinkUnion struct {
	S *string `name:"s"`
	I *int32  `name:"i"`
}

// sink holds one member of every wire type; its operation echoes it back.
type sink struct {
	String    *string                `name:"String"`
	Enum      *string                `name:"Enum"`
	Integer   *int32                 `name:"Integer"`
	Long      *int64                 `name:"Long"`
	Boolean   *bool                  `name:"Boolean"`
	Float     *float32               `name:"Float"`
	Double    *float64               `name:"Double"`
	Timestamp *time.Time             `name:"Timestamp"`
	ISOTime   *time.Time             `name:"IsoTime" ts:"iso8601"`
	HTTPTime  *time.Time             `name:"HttpTime" ts:"rfc822"`
	Blob      []byte                 `name:"Blob"`
	Doc       Document               `name:"Document"`
	Strings   []string               `name:"Strings"`
	Ints      []int32                `name:"Ints"`
	Structs   []*sinkNested          `name:"Structs"`
	Times     []time.Time            `name:"Times"`
	Blobs     [][]byte               `name:"Blobs"`
	Lists     [][]string             `name:"Lists"`
	Map       map[string]string      `name:"Map"`
	StructMap map[string]*sinkNested `name:"StructMap"`
	ListMap   map[string][]string    `name:"ListMap"`
	Nested    *sinkNested            `name:"Nested"`
	Union     *sinkUnion             `name:"Union"`
	Recursive *sink                  `name:"Recursive"`
	Renamed   *string                `name:"wire_name"`
}

// failInput says which error the Fail operation answers.
type failInput struct {
	Code      *string           `name:"Code"`
	Message   *string           `name:"Message"`
	Status    *int32            `name:"Status"`
	QueryCode *string           `name:"QueryCode"`
	Receiver  *bool             `name:"Receiver"`
	Fields    map[string]string `name:"Fields"`
	Headers   map[string]string `name:"Headers"`
}

// SQS's query-era shapes, tagged as the generator tags them (JSON names plus query
// overrides).
type sqsAttributeValue struct {
	StringValue      *string  `name:"StringValue"`
	BinaryValue      []byte   `name:"BinaryValue"`
	StringListValues []string `name:"StringListValues" flat:"true" qname:"StringListValue" qmember:"StringListValue"`
	BinaryListValues [][]byte `name:"BinaryListValues" flat:"true" qname:"BinaryListValue" qmember:"BinaryListValue"`
	DataType         *string  `name:"DataType" required:"true"`
}

type sqsSendMessageInput struct {
	QueueURL          *string                       `name:"QueueUrl" required:"true"`
	MessageBody       *string                       `name:"MessageBody" required:"true"`
	DelaySeconds      *int32                        `name:"DelaySeconds"`
	MessageAttributes map[string]*sqsAttributeValue `name:"MessageAttributes" flat:"true" qname:"MessageAttribute" qkey:"Name" qvalue:"Value"`
	AttributeNames    []string                      `name:"AttributeNames" flat:"true" qmember:"AttributeName"`
	Tags              map[string]string             `name:"tags" flat:"true" qname:"Tag" qkey:"Key" qvalue:"Value"`
}

type sqsMessage struct {
	MessageID         *string                       `name:"MessageId"`
	Body              *string                       `name:"Body"`
	Attributes        map[string]string             `name:"Attributes" flat:"true" qname:"Attribute" qkey:"Name" qvalue:"Value"`
	MessageAttributes map[string]*sqsAttributeValue `name:"MessageAttributes" flat:"true" qname:"MessageAttribute" qkey:"Name" qvalue:"Value"`
}

type sqsReceiveOutput struct {
	Messages []*sqsMessage `name:"Messages" flat:"true" qmember:"Message"`
}

// queryLists has the non-flattened forms: list.member.N and map.entry.N.key.
type queryLists struct {
	Names    []string               `name:"Names"`
	Custom   []string               `name:"Custom" member:"Item"`
	Entries  map[string]string      `name:"Entries"`
	Renamed  map[string]*sinkNested `name:"Renamed" key:"K" value:"V"`
	Flat     []string               `name:"Flat" flat:"true"`
	When     *time.Time             `name:"When"`
	Epoch    *time.Time             `name:"Epoch" ts:"unixTimestamp"`
	Count    *int64                 `name:"Count"`
	Enabled  *bool                  `name:"Enabled"`
	Payload  []byte                 `name:"Payload"`
	Empty    []string               `name:"Empty"`
	Inner    *sinkNested            `name:"Inner"`
	Ratio    *float64               `name:"Ratio"`
	NotThere *string                `name:"NotThere"`
}

// Lambda-style rest-json shapes.
type invokeInput struct {
	FunctionName   *string `name:"FunctionName" loc:"uri" required:"true"`
	InvocationType *string `name:"X-Amz-Invocation-Type" loc:"header"`
	ClientContext  *string `name:"X-Amz-Client-Context" loc:"header"`
	Payload        []byte  `name:"Payload" payload:"true"`
	Qualifier      *string `name:"Qualifier" loc:"querystring"`
}

type invokeOutput struct {
	StatusCode      *int32  `name:"StatusCode" loc:"statusCode"`
	FunctionError   *string `name:"X-Amz-Function-Error" loc:"header"`
	Payload         []byte  `name:"Payload" payload:"true"`
	ExecutedVersion *string `name:"X-Amz-Executed-Version" loc:"header"`
}

// restSink binds members to every HTTP location; its operation echoes it back.
type restSink struct {
	Label      *string             `name:"Label" loc:"uri"`
	Number     *int32              `name:"Number" loc:"uri"`
	Proxy      *string             `name:"Proxy" loc:"uri"`
	Mode       *string             `name:"mode" loc:"querystring"`
	Limit      *int32              `name:"limit" loc:"querystring"`
	Tags       []string            `name:"tag" loc:"querystring"`
	Since      *time.Time          `name:"since" loc:"querystring"`
	Params     map[string][]string `name:"params" loc:"querystring"`
	Token      *string             `name:"X-Token" loc:"header"`
	Count      *int64              `name:"X-Count" loc:"header"`
	Flag       *bool               `name:"X-Flag" loc:"header"`
	When       *time.Time          `name:"X-When" loc:"header"`
	WhenISO    *time.Time          `name:"X-When-Iso" loc:"header" ts:"iso8601"`
	List       []string            `name:"X-List" loc:"header"`
	Dates      []time.Time         `name:"X-Dates" loc:"header"`
	JSONHeader *string             `name:"X-Json" loc:"header" jsonvalue:"true"`
	Meta       map[string]string   `name:"X-Meta-" loc:"headers"`
	Body       *sink               `name:"Body"`
	Note       *string             `name:"note"`
}

type createThingInput struct {
	Name *string `name:"name"`
}

type createThingOutput struct {
	ID   *string `name:"id"`
	Name *string `name:"name"`
}

type docPayload struct {
	Doc Document `name:"Doc" payload:"true"`
}

// S3-style rest-xml shapes.
type putObjectInput struct {
	Bucket        *string           `name:"Bucket" loc:"uri" required:"true"`
	Key           *string           `name:"Key" loc:"uri" required:"true"`
	Body          []byte            `name:"Body" payload:"true" stream:"true"`
	ContentType   *string           `name:"Content-Type" loc:"header"`
	ContentLength *int64            `name:"Content-Length" loc:"header"`
	Expires       *time.Time        `name:"Expires" loc:"header"`
	Metadata      map[string]string `name:"x-amz-meta-" loc:"headers"`
	Tagging       *string           `name:"x-amz-tagging" loc:"header"`
}

type putObjectOutput struct {
	ETag      *string `name:"ETag" loc:"header"`
	VersionID *string `name:"x-amz-version-id" loc:"header"`
}

type copyObjectInput struct {
	Bucket     *string `name:"Bucket" loc:"uri" required:"true"`
	Key        *string `name:"Key" loc:"uri" required:"true"`
	CopySource *string `name:"x-amz-copy-source" loc:"header" required:"true"`
}

type copyObjectResult struct {
	ETag         *string    `name:"ETag"`
	LastModified *time.Time `name:"LastModified"`
}

type copyObjectOutput struct {
	CopyObjectResult *copyObjectResult `name:"CopyObjectResult" payload:"true"`
	VersionID        *string           `name:"x-amz-version-id" loc:"header"`
}

type uploadPartInput struct {
	Bucket     *string `name:"Bucket" loc:"uri" required:"true"`
	Key        *string `name:"Key" loc:"uri" required:"true"`
	PartNumber *int32  `name:"partNumber" loc:"querystring" required:"true"`
	UploadID   *string `name:"uploadId" loc:"querystring" required:"true"`
	Body       []byte  `name:"Body" payload:"true"`
}

type getObjectInput struct {
	Bucket    *string `name:"Bucket" loc:"uri" required:"true"`
	Key       *string `name:"Key" loc:"uri" required:"true"`
	VersionID *string `name:"versionId" loc:"querystring"`
}

type getObjectOutput struct {
	Body          io.ReadCloser     `name:"Body" payload:"true" stream:"true"`
	ContentLength *int64            `name:"Content-Length" loc:"header"`
	ContentType   *string           `name:"Content-Type" loc:"header"`
	LastModified  *time.Time        `name:"Last-Modified" loc:"header"`
	Metadata      map[string]string `name:"x-amz-meta-" loc:"headers"`
}

type listObjectsInput struct {
	Bucket  *string `name:"Bucket" loc:"uri" required:"true"`
	Prefix  *string `name:"prefix" loc:"querystring"`
	MaxKeys *int32  `name:"max-keys" loc:"querystring"`
}

type s3Owner struct {
	DisplayName *string `name:"DisplayName"`
	ID          *string `name:"ID"`
}

type s3Object struct {
	Key          *string    `name:"Key"`
	LastModified *time.Time `name:"LastModified"`
	Size         *int64     `name:"Size"`
	Owner        *s3Owner   `name:"Owner"`
}

type s3CommonPrefix struct {
	Prefix *string `name:"Prefix"`
}

type listObjectsOutput struct {
	_              struct{}          `xmlname:"ListBucketResult"`
	IsTruncated    *bool             `name:"IsTruncated"`
	Contents       []*s3Object       `name:"Contents" flat:"true"`
	Name           *string           `name:"Name"`
	Prefix         *string           `name:"Prefix"`
	MaxKeys        *int32            `name:"MaxKeys"`
	CommonPrefixes []*s3CommonPrefix `name:"CommonPrefixes" flat:"true"`
	KeyCount       *int32            `name:"KeyCount"`
	Charged        *string           `name:"x-amz-request-charged" loc:"header"`
}

type s3Tag struct {
	Key   *string `name:"Key" required:"true"`
	Value *string `name:"Value" required:"true"`
}

type s3Tagging struct {
	TagSet []*s3Tag `name:"TagSet" member:"Tag" required:"true"`
}

type putTaggingInput struct {
	Bucket  *string    `name:"Bucket" loc:"uri" required:"true"`
	Tagging *s3Tagging `name:"Tagging" payload:"true" xmlns:"http://s3.amazonaws.com/doc/2006-03-01/" required:"true"`
}

type getTaggingOutput struct {
	_      struct{} `xmlname:"Tagging"`
	TagSet []*s3Tag `name:"TagSet" member:"Tag" required:"true"`
}

type s3Grantee struct {
	_           struct{} `xmlns:"xsi:http://www.w3.org/2001/XMLSchema-instance"`
	DisplayName *string  `name:"DisplayName"`
	ID          *string  `name:"ID"`
	Type        *string  `name:"xsi:type" xmlattr:"true" required:"true"`
}

type s3Grant struct {
	Grantee    *s3Grantee `name:"Grantee" xmlns:"xsi:http://www.w3.org/2001/XMLSchema-instance"`
	Permission *string    `name:"Permission"`
}

type s3AccessControlPolicy struct {
	Grants []*s3Grant `name:"AccessControlList" member:"Grant"`
	Owner  *s3Owner   `name:"Owner"`
}

type putACLInput struct {
	Bucket *string                `name:"Bucket" loc:"uri" required:"true"`
	Policy *s3AccessControlPolicy `name:"AccessControlPolicy" payload:"true" xmlns:"http://s3.amazonaws.com/doc/2006-03-01/"`
}

type deleteObjectsInput struct {
	Bucket *string          `name:"Bucket" loc:"uri" required:"true"`
	Delete *s3DeleteRequest `name:"Delete" payload:"true" xmlns:"http://s3.amazonaws.com/doc/2006-03-01/" required:"true"`
}

type s3ObjectID struct {
	Key       *string `name:"Key" required:"true"`
	VersionID *string `name:"VersionId"`
}

type s3DeleteRequest struct {
	Objects []*s3ObjectID `name:"Object" flat:"true" required:"true"`
	Quiet   *bool         `name:"Quiet"`
}

type s3DeletedObject struct {
	Key *string `name:"Key"`
}

type s3DeleteError struct {
	Key     *string `name:"Key"`
	Code    *string `name:"Code"`
	Message *string `name:"Message"`
}

type deleteObjectsOutput struct {
	_       struct{}           `xmlname:"DeleteResult"`
	Deleted []*s3DeletedObject `name:"Deleted" flat:"true"`
	Errors  []*s3DeleteError   `name:"Error" flat:"true"`
}

// xmlMaps has the map and list forms of restXml.
type xmlMaps struct {
	_          struct{}               `xmlname:"XmlMapsInputOutput"`
	Plain      map[string]*sinkNested `name:"myMap"`
	Flat       map[string]string      `name:"flatMap" flat:"true"`
	Renamed    map[string]string      `name:"renamedMap" key:"K" value:"V"`
	FlatNamed  map[string]string      `name:"flatNamed" flat:"true" key:"Attr" value:"Setting"`
	ListMap    map[string][]string    `name:"listMap"`
	Strings    []string               `name:"stringList"`
	Empty      []string               `name:"emptyList"`
	EmptyStr   *string                `name:"emptyString"`
	Named      []string               `name:"namedList" member:"item"`
	FlatNamedL []string               `name:"flatList" flat:"true" member:"entry"`
	Attr       *string                `name:"test" xmlattr:"true"`
	Header     *string                `name:"X-Header" loc:"header"`
}

type emptyStruct struct{}

// testOp builds an operation of a test service.
func testOp[In any](name, method, uri string, code int, call func(ctx context.Context, in *In) (any, error)) *Operation {
	return &Operation{
		Name:         name,
		Method:       method,
		RequestURI:   uri,
		ResponseCode: code,
		NewInput:     func() any { return new(In) },
		Call: func(ctx context.Context, _ any, in any) (any, error) {
			return call(ctx, in.(*In))
		},
	}
}

func echo[T any](_ context.Context, in *T) (any, error) { return in, nil }

func fail(_ context.Context, in *failInput) (any, error) {
	e := &Error{Code: "Unknown"}
	if in.Code != nil {
		e.Code = *in.Code
	}
	if in.Message != nil {
		e.Message = *in.Message
	}
	if in.Status != nil {
		e.Status = int(*in.Status)
	}
	if in.QueryCode != nil {
		e.QueryCode = *in.QueryCode
	}
	if in.Receiver != nil && *in.Receiver {
		e.Fault = FaultReceiver
	}
	for k, v := range in.Fields {
		if e.Fields == nil {
			e.Fields = map[string]any{}
		}
		e.Fields[k] = v
	}
	e.Headers = in.Headers
	return nil, e
}

func internalError(context.Context, *emptyStruct) (any, error) {
	return nil, errors.New("disk on fire")
}

func rpcOps(extra ...*Operation) []*Operation {
	ops := append([]*Operation{
		testOp("KitchenSink", "POST", "/", 0, echo[sink]),
		testOp("Fail", "POST", "/", 0, fail),
		testOp("Internal", "POST", "/", 0, internalError),
		testOp("Empty", "POST", "/", 0, echo[emptyStruct]),
	}, extra...)
	sortOps(ops)
	return ops
}

func sortOps(ops []*Operation) {
	for i := range ops {
		for j := i + 1; j < len(ops); j++ {
			if ops[j].Name < ops[i].Name {
				ops[i], ops[j] = ops[j], ops[i]
			}
		}
	}
}

var (
	testJSON11 = &ServiceInfo{
		Package: "echo", ModelName: "echo", APIVersion: "2020-01-01", Protocol: JSON,
		JSONVersion: "1.1", TargetPrefix: "Echo_20200101", Operations: rpcOps(),
	}
	testJSONQueryCompat = &ServiceInfo{
		Package: "sqs", ModelName: "sqs", APIVersion: "2012-11-05", Protocol: JSON,
		Protocols: []string{JSON, Query}, JSONVersion: "1.0", TargetPrefix: "AmazonSQS",
		EndpointPrefix: "sqs", QueryCompatible: true,
		XMLNamespace: "http://queue.amazonaws.com/doc/2012-11-05/",
		Operations: rpcOps(
			testOp("SendMessage", "POST", "/", 0, echo[sqsSendMessageInput]),
			testOp("ReceiveMessage", "POST", "/", 0, echo[sqsReceiveOutput]),
			testOp("Lists", "POST", "/", 0, echo[queryLists]),
		),
	}
	testQuery = &ServiceInfo{
		Package: "echo", ModelName: "echo", APIVersion: "2020-01-01", Protocol: Query,
		EndpointPrefix: "echo", XMLNamespace: "https://echo.amazonaws.com/doc/2020-01-01/",
		Operations: rpcOps(testOp("Lists", "POST", "/", 0, echo[queryLists])),
	}
	testCBOR = &ServiceInfo{
		Package: "echo", ModelName: "echo", APIVersion: "2020-01-01", Protocol: CBOR,
		TargetPrefix: "EchoService", QueryCompatible: true, Operations: rpcOps(),
	}
	testRestJSON = &ServiceInfo{
		Package: "echo", ModelName: "echo", APIVersion: "2020-01-01", Protocol: RestJSON,
		Operations: sortedOps(
			testOp("Invoke", "POST", "/2015-03-31/functions/{FunctionName}/invocations", 200, invoke),
			testOp("RestSink", "POST", "/sink/{Label}/{Number}/{Proxy+}?mode=full", 0, echo[restSink]),
			testOp("RestSinkShort", "POST", "/sink/{Label}", 0, echo[restSink]),
			testOp("CreateThing", "POST", "/things", 201, createThing),
			testOp("Document", "PUT", "/doc", 0, echo[docPayload]),
			testOp("Fail", "POST", "/fail", 0, fail),
			testOp("Internal", "POST", "/internal", 0, internalError),
		),
	}
	testRestXMLS3 = &ServiceInfo{
		Package: "s3", ModelName: "s3", APIVersion: "2006-03-01", Protocol: RestXML,
		EndpointPrefix: "s3",
		Operations: sortedOps(
			testOp("PutObject", "PUT", "/{Bucket}/{Key+}", 0, putObject),
			testOp("CopyObject", "PUT", "/{Bucket}/{Key+}", 0, copyObject),
			testOp("UploadPart", "PUT", "/{Bucket}/{Key+}", 0, func(_ context.Context, in *uploadPartInput) (any, error) {
				return &putObjectOutput{ETag: etag(in.Body)}, nil
			}),
			testOp("GetObject", "GET", "/{Bucket}/{Key+}", 0, getObject),
			testOp("HeadObject", "HEAD", "/{Bucket}/{Key+}", 0, getObject),
			testOp("ListObjectsV2", "GET", "/{Bucket}?list-type=2", 0, listObjects),
			testOp("PutBucketTagging", "PUT", "/{Bucket}?tagging", 204, func(_ context.Context, in *putTaggingInput) (any, error) {
				return &emptyStruct{}, nil
			}),
			testOp("GetBucketTagging", "PUT", "/{Bucket}?tagging-echo", 0, func(_ context.Context, in *putTaggingInput) (any, error) {
				out := &getTaggingOutput{}
				if in.Tagging != nil {
					out.TagSet = in.Tagging.TagSet
				}
				return out, nil
			}),
			testOp("PutBucketAcl", "PUT", "/{Bucket}?acl", 0, func(_ context.Context, in *putACLInput) (any, error) {
				return &struct {
					Policy *s3AccessControlPolicy `name:"AccessControlPolicy" payload:"true"`
				}{in.Policy}, nil
			}),
			testOp("DeleteObjects", "POST", "/{Bucket}?delete", 0, deleteObjects),
			testOp("Fail", "POST", "/{Bucket}?fail", 0, fail),
		),
	}
	testRestXML = &ServiceInfo{
		Package: "cloudfront", ModelName: "cloudfront", APIVersion: "2020-05-31", Protocol: RestXML,
		EndpointPrefix: "cloudfront", XMLNamespace: "http://cloudfront.amazonaws.com/doc/2020-05-31/",
		Operations: sortedOps(
			testOp("Fail", "POST", "/fail", 0, fail),
			testOp("XmlMaps", "PUT", "/maps", 0, echo[xmlMaps]),
		),
	}
)

func sortedOps(ops ...*Operation) []*Operation {
	sortOps(ops)
	return ops
}

func invoke(_ context.Context, in *invokeInput) (any, error) {
	out := &invokeOutput{StatusCode: ptr(int32(200)), ExecutedVersion: ptr("$LATEST"), Payload: in.Payload}
	if in.InvocationType != nil && *in.InvocationType == "Event" {
		out.StatusCode = ptr(int32(202))
		out.Payload = nil
	}
	if bytes.Contains(in.Payload, []byte("boom")) {
		out.FunctionError = ptr("Unhandled")
	}
	if in.Qualifier != nil {
		out.ExecutedVersion = in.Qualifier
	}
	return out, nil
}

func createThing(_ context.Context, in *createThingInput) (any, error) {
	return &createThingOutput{ID: ptr("thing-1"), Name: in.Name}, nil
}

func etag(p []byte) *string {
	sum := md5.Sum(p)
	return ptr(`"` + hex.EncodeToString(sum[:]) + `"`)
}

func putObject(_ context.Context, in *putObjectInput) (any, error) {
	return &putObjectOutput{ETag: etag(in.Body), VersionID: ptr("v1")}, nil
}

func copyObject(_ context.Context, in *copyObjectInput) (any, error) {
	t := time.Date(2024, 2, 29, 12, 30, 45, 123e6, time.UTC)
	return &copyObjectOutput{
		CopyObjectResult: &copyObjectResult{ETag: ptr(`"abc"`), LastModified: &t},
		VersionID:        ptr("v2"),
	}, nil
}

func getObject(_ context.Context, in *getObjectInput) (any, error) {
	if *in.Key == "missing" {
		return nil, &Error{Code: "NoSuchKey", Message: "The specified key does not exist.", Status: http.StatusNotFound,
			Fields: map[string]any{"Key": *in.Key}}
	}
	body := "contents of " + *in.Key
	t := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	return &getObjectOutput{
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: ptr(int64(len(body))),
		ContentType:   ptr("text/plain"),
		LastModified:  &t,
		Metadata:      map[string]string{"color": "blue", "bucket": *in.Bucket},
	}, nil
}

func listObjects(_ context.Context, in *listObjectsInput) (any, error) {
	t := time.Date(2024, 1, 2, 3, 4, 5, 600e6, time.UTC)
	owner := &s3Owner{DisplayName: ptr("me"), ID: ptr("abc123")}
	return &listObjectsOutput{
		IsTruncated: ptr(false),
		Name:        in.Bucket,
		Prefix:      in.Prefix,
		MaxKeys:     in.MaxKeys,
		Contents: []*s3Object{
			{Key: ptr("a/1.txt"), LastModified: &t, Size: ptr(int64(10)), Owner: owner},
			{Key: ptr("a/2 & <3>.txt"), LastModified: &t, Size: ptr(int64(0))},
		},
		CommonPrefixes: []*s3CommonPrefix{{Prefix: ptr("a/b/")}},
		KeyCount:       ptr(int32(2)),
		Charged:        ptr("requester"),
	}, nil
}

func deleteObjects(_ context.Context, in *deleteObjectsInput) (any, error) {
	out := &deleteObjectsOutput{}
	for _, o := range in.Delete.Objects {
		if *o.Key == "locked" {
			out.Errors = append(out.Errors, &s3DeleteError{Key: o.Key, Code: ptr("AccessDenied"), Message: ptr("Access Denied")})
			continue
		}
		out.Deleted = append(out.Deleted, &s3DeletedObject{Key: o.Key})
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// testServices names the services golden files use.
var testServices = map[string]*ServiceInfo{
	"json11":   testJSON11,
	"jsonqc":   testJSONQueryCompat,
	"query":    testQuery,
	"sqsquery": testJSONQueryCompat,
	"cbor":     testCBOR,
	"restjson": testRestJSON,
	"s3":       testRestXMLS3,
	"restxml":  testRestXML,
}
