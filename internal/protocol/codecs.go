package protocol

import (
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// CodecFor returns the codec of a wire protocol (one of the constants JSON, Query,
// RestJSON, RestXML and CBOR), or nil for an unknown protocol. Codecs are shared and
// safe for concurrent use.
func CodecFor(protocol string) Codec {
	switch protocol {
	case JSON:
		return awsJSONCodec{}
	case Query:
		return queryCodec{}
	case RestJSON:
		return restJSONCodec{}
	case RestXML:
		return restXMLCodec{}
	case CBOR:
		return cborCodec{}
	}
	return nil
}

var (
	_ Codec = awsJSONCodec{}
	_ Codec = queryCodec{}
	_ Codec = restJSONCodec{}
	_ Codec = restXMLCodec{}
	_ Codec = cborCodec{}
)

const (
	hdrRequestID  = "X-Amzn-Requestid"
	hdrQueryError = "X-Amzn-Query-Error"
	hdrErrorType  = "X-Amzn-Errortype"
)

// inputStruct returns the structure behind in, a pointer from Op.NewInput.
func inputStruct(in any) (reflect.Value, *structInfo, error) {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, nil, InternalFailure(errors.New("protocol: input is not a pointer to a struct"))
	}
	return v.Elem(), structOf(v.Type()), nil
}

// outputStruct returns the structure behind out, or an invalid value when out is not a
// non-nil pointer to a struct (then an empty output is written).
func outputStruct(out any) (reflect.Value, *structInfo) {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, nil
	}
	return v.Elem(), structOf(v.Type())
}

// errorFieldKeys returns the keys of e.Fields in order, without the ones the encoders
// write themselves.
func errorFieldKeys(e *Error) []string {
	if len(e.Fields) == 0 {
		return nil
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		if !strings.EqualFold(k, "message") && k != "__type" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// orInternal answers a missing error as an internal failure rather than crash.
func orInternal(e *Error) *Error {
	if e == nil {
		return InternalFailure(errors.New("protocol: nil error encoded"))
	}
	return e
}

func setErrorHeaders(h http.Header, e *Error) {
	for k, v := range e.Headers {
		h.Set(k, v)
	}
}
