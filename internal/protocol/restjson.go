package protocol

import (
	"net/http"
	"reflect"
)

// restJSONCodec speaks restJson1: members bound to the URI, query string and headers,
// the rest in a JSON body (or one member as the whole body).
type restJSONCodec struct{}

var restJSONFormat = restFormat{
	decodeBody: func(body []byte, v reflect.Value, si *structInfo, bodyOnly bool) *Error {
		return decodeJSONBody(body, v, si, bodyOnly)
	},
	invalid: SerializationException,
}

// Decode implements Codec.
func (restJSONCodec) Decode(req *Request, in any) error {
	return decodeREST(req, in, restJSONFormat)
}

// EncodeOutput implements Codec. An output without a payload member always has a JSON
// object body, even an empty one, as restJson1 servers are expected to send.
func (restJSONCodec) EncodeOutput(w http.ResponseWriter, req *Request, out any) {
	h := w.Header()
	h.Set(hdrRequestID, req.RequestID)
	if req.Op != nil && req.Op.EventStreamOutput && encodeEventStreamOutput(w, req, out) {
		return
	}
	v, si := outputStruct(out)
	if si == nil {
		writeRESTBody(w, req, http.StatusOK, "application/json", []byte("{}"))
		return
	}
	status := encodeBindings(h, v, si, req.Op)
	bp := getBuf()
	defer putBuf(bp)
	b := *bp
	if f := si.payload; f != nil {
		if encodePayload(w, req, status, v.Field(f.index), f) {
			return
		}
		fv := v.Field(f.index)
		if !isEmpty(fv) {
			b = appendJSONStruct(b, deref(fv, f.t), f.t.st, false)
		}
	} else {
		b = appendJSONStruct(b, v, si, true)
	}
	writeRESTBody(w, req, status, "application/json", b)
	*bp = b
}

// EncodeError implements Codec: the code in X-Amzn-ErrorType, the message and the
// error's members in a JSON body.
func (restJSONCodec) EncodeError(w http.ResponseWriter, req *Request, e *Error) {
	e = orInternal(e)
	h := w.Header()
	h.Set(hdrRequestID, req.RequestID)
	h.Set(hdrErrorType, e.Code)
	setErrorHeaders(h, e)
	bp := getBuf()
	b := appendJSONError(*bp, "", e)
	writeRESTBody(w, req, e.HTTPStatus(), "application/json", b)
	*bp = b
	putBuf(bp)
}
