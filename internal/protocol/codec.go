package protocol

import (
	"net/http"
)

// Request is one API call as the edge hands it to a codec: the HTTP request with its body
// already read (and size-limited), the service and operation the edge resolved, and the
// request id it assigned.
type Request struct {
	HTTP    *http.Request
	Body    []byte
	Service *ServiceInfo
	Op      *Operation
	// Protocol is the wire protocol this request speaks (one of the constants in
	// service.go); a service may accept several (SQS: json and query).
	Protocol string
	// Labels are the URI labels matched from Op.RequestURI (rest protocols), unescaped.
	Labels map[string]string
	// RequestID is the id answered in x-amzn-RequestId / RequestId.
	RequestID string
}

// Codec decodes inputs and encodes outputs and errors for one wire protocol. Codecs are
// stateless and safe for concurrent use.
type Codec interface {
	// Decode fills in (a pointer from Op.NewInput) from the request. It returns an *Error
	// (SerializationException, MalformedQueryString, ...) when the request cannot be
	// decoded; it does not validate constraints.
	Decode(req *Request, in any) error
	// EncodeOutput writes a success response for out (a pointer to the operation's
	// output struct, never nil).
	EncodeOutput(w http.ResponseWriter, req *Request, out any)
	// EncodeError writes e as the protocol and the service (QueryCompatible) require.
	EncodeError(w http.ResponseWriter, req *Request, e *Error)
}
