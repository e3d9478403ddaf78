// Package protocol turns HTTP requests into typed operation inputs and typed outputs and
// errors back into HTTP responses, for every AWS wire protocol Overcast serves: awsJson 1.0
// and 1.1, awsQuery, restJson1, restXml and smithy-rpc-v2-cbor. It knows nothing of any
// service's semantics.
//
// # Generated types
//
// The generator in gen/ reads the botocore models in models/ and writes, per service, a file
// internal/services/<pkg>/api_gen.go holding the input, output and structure types, the enum
// values, the modeled error constructors, the API interface with one method per operation,
// an UnimplementedAPI that answers every operation with NotImplemented, the service's
// *ServiceInfo (operation table) and a Validate method on every input.
//
// Members map to Go fields like this:
//
//	string, enum        *string
//	integer             *int32
//	long                *int64
//	boolean             *bool
//	float               *float32
//	double              *float64
//	bigdecimal/integer  *string (decimal text)
//	timestamp           *time.Time
//	blob                []byte (a streaming payload blob is io.ReadCloser in outputs and []byte in inputs)
//	document            Document
//	list                []T (T is the member's Go type without the pointer for scalars)
//	map                 map[string]T
//	structure, union    *T
//
// Every field carries struct tags that tell the codecs how it travels on the wire. Absent
// tags take the default shown:
//
//	name:"QueueUrl"        wire name (the member's locationName, else its target shape's,
//	                       else the member name); always present. For header, uri and
//	                       querystring members it is the header, label or parameter.
//	model:"QueueUrl"       the member's model name, where name differs from it (validation
//	                       messages print structures with their model member names).
//	loc:"header"           where the member travels: header, headers (prefix map, name is the
//	                       prefix), uri, querystring, statusCode; absent means the body.
//	payload:"true"         this member is the whole HTTP body (rest protocols).
//	ts:"iso8601"           timestamp format when the model names one: iso8601,
//	                       unixTimestamp, rfc822. Absent: the protocol's default.
//	flat:"true"            flattened list or map (query, rest-xml). This tag and the five
//	                       below appear only in services that speak query or rest-xml.
//	member:"member"        element name of list items (query, rest-xml).
//	key:"key" value:"value" element names of map entries (query, rest-xml).
//	xmlattr:"true"         XML attribute rather than element.
//	xmlns:"uri"            xmlNamespace of the member (prefix:uri when prefixed).
//	jsonvalue:"true"       a string carrying JSON (base64-encoded when in a header).
//	stream:"true"          streaming blob payload.
//	hostLabel:"true"       bound to the host prefix; ignored by the server.
//	eventstream:"true"     the member is an event stream (its Go type is any); the
//	                       operation's EventStreamOutput says so too.
//	eventpayload:"true"    in an event structure, the member that is the event's payload.
//	eventheader:"true"     in an event structure, a member sent as an event header.
//	required:"true"        the model marks the member required (Validate checks it).
//	qname, qflat, qmember, qkey, qvalue
//	                       overrides of name/flat/member/key/value used only by the
//	                       query and XML codecs, for services (SQS) whose current model is
//	                       JSON but whose older query protocol named members differently.
//
// A structure type's first field may be `_ struct{}` with a tag `xmlname:"Name"` (root
// element name when the structure is a rest-xml payload) and `xmlns:"uri"`.
//
// # Codecs
//
// CodecFor returns the Codec of each protocol. The codecs read the tags above once per Go
// type (a cache like encoding/json's) and write responses into pooled buffers; a decoder
// answers bytes it cannot read with the protocol's own error (SerializationException,
// MalformedQueryString, InvalidParameterValue, MalformedXML, InvalidArgument) and never
// panics. Router matches rest-json and rest-xml requests to operations by their URI
// templates, most specific first. Golden files under testdata/<protocol>/ pin the wire
// form of each codec; go test -run TestGolden -update rewrites them.
//
// # Errors
//
// Every error a client should see is an *Error. Generated constructors exist for every
// modeled error; the common ones (InternalFailure, NotImplemented, SerializationException,
// ...) are declared in this package. The encoders are the only place errors become bytes.
package protocol
