package protocol

import (
	"context"
	"encoding/json"
)

// Wire protocol names, as the botocore models spell them.
const (
	JSON     = "json"
	Query    = "query"
	RestJSON = "rest-json"
	RestXML  = "rest-xml"
	CBOR     = "smithy-rpc-v2-cbor"
)

// ServiceInfo describes one AWS API as its model does: how requests are recognised and
// encoded, and its operations. The generator writes one per service (the Info variable of
// each service package); nothing changes it after start.
type ServiceInfo struct {
	// Package is the Go package (and Overcast service id), e.g. "sqs", "cognitoidp".
	Package string
	// ModelName is the botocore directory name, e.g. "sqs", "cognito-idp".
	ModelName string
	// FullName is the serviceFullName, e.g. "Amazon Simple Queue Service".
	FullName string
	// APIVersion is the model's apiVersion, e.g. "2012-11-05".
	APIVersion string
	// Protocol is the model's primary protocol (one of the constants above).
	Protocol string
	// Protocols are all the protocols the model lists; the server accepts each.
	Protocols []string
	// JSONVersion is "1.0" or "1.1" for awsJson services.
	JSONVersion string
	// TargetPrefix is the X-Amz-Target prefix for awsJson and cbor services.
	TargetPrefix string
	// SigningName is the SigV4 service name (signingName, else endpointPrefix).
	SigningName string
	// EndpointPrefix is the hostname prefix, e.g. "sqs", "cognito-idp".
	EndpointPrefix string
	// XMLNamespace is the namespace of query/rest-xml responses.
	XMLNamespace string
	// QueryCompatible is true for services carrying the awsQueryCompatible trait (SQS).
	QueryCompatible bool
	// Operations lists every operation of the model, sorted by name.
	Operations []*Operation
	// ValidationErrorFunc turns model validation failures into the service's error. Nil
	// means the default (ValidationException with AWS's "N validation errors detected"
	// message). A service package may set it in its hand-written code before start.
	ValidationErrorFunc func(op *Operation, v []Violation) *Error
	// PrepareFunc, when set by the service package, runs after decoding and before
	// validation.
	PrepareFunc PrepareFunc
}

// Operation is one operation of a service.
type Operation struct {
	// Name is the operation name, e.g. "SendMessage".
	Name string
	// Method and RequestURI are the HTTP binding (rest protocols; POST / for the others).
	// RequestURI keeps the model's template, e.g. "/2015-03-31/functions/{FunctionName}".
	Method     string
	RequestURI string
	// ResponseCode is the modeled success status (0 means 200).
	ResponseCode int
	// ResultWrapper is the awsQuery result element name, e.g. "SendMessageResult".
	ResultWrapper string
	// NewInput returns a pointer to a zero input struct. Never nil: operations without
	// input get an empty struct.
	NewInput func() any
	// Call invokes the operation on an API implementation (the service package's API
	// interface), with in from NewInput. It returns a non-nil output when err is nil.
	Call func(ctx context.Context, api any, in any) (any, error)
	// Errors are the codes of the modeled errors of this operation.
	Errors []string
	// EventStreamOutput is true when the output is an event stream.
	EventStreamOutput bool
	// NoAuth is true when the model lets clients call the operation unsigned (authtype
	// "none", or auth ["smithy.api#noAuth"]: STS AssumeRoleWithWebIdentity, Cognito
	// InitiateAuth, ...). The edge then accepts it without a signature in sigv4 mode.
	NoAuth bool
}

// Validatable is implemented by every generated input.
type Validatable interface {
	Validate(v *Validator)
}

// Document is a Smithy document value: any JSON-compatible value.
type Document = json.RawMessage

// Find returns the operation named name, or nil.
func (s *ServiceInfo) Find(name string) *Operation {
	lo, hi := 0, len(s.Operations)
	for lo < hi {
		m := (lo + hi) / 2
		switch c := s.Operations[m].Name; {
		case c == name:
			return s.Operations[m]
		case c < name:
			lo = m + 1
		default:
			hi = m
		}
	}
	return nil
}

// Speaks reports whether the service accepts protocol p.
func (s *ServiceInfo) Speaks(p string) bool {
	for _, q := range s.Protocols {
		if q == p {
			return true
		}
	}
	return s.Protocol == p
}

// PrepareFunc may adjust a decoded input before validation, from what the request itself
// says (SQS: a query request posted to a queue URL names its queue by the path).
type PrepareFunc func(call *Call, op *Operation, in any)
