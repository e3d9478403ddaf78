package protocol

import (
	"net/http"
	"strings"
)

// awsJSONCodec speaks awsJson 1.0 and 1.1: POST / with X-Amz-Target naming the
// operation and every member in a JSON body. The version comes from the service.
type awsJSONCodec struct{}

// Decode implements Codec.
func (awsJSONCodec) Decode(req *Request, in any) error {
	v, si, err := inputStruct(in)
	if err != nil {
		return err
	}
	if e := decodeJSONBody(req.Body, v, si, false); e != nil {
		return e
	}
	return nil
}

func jsonContentType(req *Request) string {
	if req.Service != nil && req.Service.JSONVersion == "1.1" {
		return "application/x-amz-json-1.1"
	}
	return "application/x-amz-json-1.0"
}

// EncodeOutput implements Codec.
func (awsJSONCodec) EncodeOutput(w http.ResponseWriter, req *Request, out any) {
	bp := getBuf()
	b := *bp
	if v, si := outputStruct(out); si != nil {
		b = appendJSONStruct(b, v, si, false)
	} else {
		b = append(b, "{}"...)
	}
	w.Header().Set(hdrRequestID, req.RequestID)
	writeBody(w, http.StatusOK, jsonContentType(req), b)
	*bp = b
	putBuf(bp)
}

// EncodeError implements Codec. For awsQueryCompatible services (SQS) the body names
// the error by its shape id and x-amzn-query-error carries the query code and fault,
// which the SDKs report as the error code (smithy-go awsjson deserializeError).
func (awsJSONCodec) EncodeError(w http.ResponseWriter, req *Request, e *Error) {
	e = orInternal(e)
	h := w.Header()
	h.Set(hdrRequestID, req.RequestID)
	typ := e.Code
	if req.Service != nil && req.Service.QueryCompatible {
		h.Set(hdrQueryError, e.WireQueryCode()+";"+e.Fault.String())
		typ = shapeNamespace(req.Service) + "#" + e.Code
	}
	setErrorHeaders(h, e)
	bp := getBuf()
	b := appendJSONError(*bp, typ, e)
	writeBody(w, e.HTTPStatus(), jsonContentType(req), b)
	*bp = b
	putBuf(bp)
}

// appendJSONError writes {"__type":..., "message":..., fields...} (the message under the
// error's MessageKey); an empty typ leaves
// __type out.
func appendJSONError(b []byte, typ string, e *Error) []byte {
	b = append(b, '{')
	sep := false
	if typ != "" {
		b = append(b, `"__type":`...)
		b = appendJSONString(b, typ)
		sep = true
	}
	if e.Message != "" {
		if sep {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.messageKey())
		b = append(b, ':')
		b = appendJSONString(b, e.Message)
		sep = true
	}
	for _, k := range errorFieldKeys(e) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONAny(b, e.Fields[k])
	}
	return append(b, '}')
}

// shapeNamespace returns the Smithy namespace of a service's shapes, as AWS spells it
// in qualified error types ("com.amazonaws.sqs").
func shapeNamespace(svc *ServiceInfo) string {
	name := svc.ModelName
	if name == "" {
		name = svc.Package
	}
	return "com.amazonaws." + strings.ReplaceAll(strings.ToLower(name), "-", "")
}
