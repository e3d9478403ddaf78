package protocol

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// EventStream is what a service puts in the event-stream member of an output (the
// member tagged eventstream:"true"): the codec writes the output's headers and status,
// then each event Next returns as one application/vnd.amazon.eventstream message,
// flushing after each, and closes the stream at the end.
type EventStream interface {
	// Next blocks until the next event and returns it: a pointer to the stream's union
	// structure (the model's eventstream shape) with exactly one member set. It returns
	// io.EOF after the last event. Another error ends the stream with an error message;
	// an *Error carries its code and message there.
	Next(ctx context.Context) (any, error)
	// Close releases the stream; it is called once, whether or not Next reached io.EOF.
	Close() error
}

// EventStreamContentType is the HTTP content type of an event-stream response.
const EventStreamContentType = "application/vnd.amazon.eventstream"

// eventStreamMember returns the event-stream member of output v, or false when the output
// has none.
func eventStreamMember(v reflect.Value) (EventStream, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("eventstream") != "true" {
			continue
		}
		es, _ := v.Field(i).Interface().(EventStream)
		return es, true
	}
	return nil, false
}

// encodeEventStreamOutput writes an output whose payload is an event stream, in the
// restJson1 binding: header members as headers, then one message per event whose
// payload is the event's eventpayload member (a blob as is, a string as text, a
// structure as JSON) or, when it has none, the event's members as a JSON object. It
// reports false when out has no event-stream member.
func encodeEventStreamOutput(w http.ResponseWriter, req *Request, out any) bool {
	v, si := outputStruct(out)
	if si == nil {
		return false
	}
	es, ok := eventStreamMember(v)
	if !ok {
		return false
	}
	h := w.Header()
	status := encodeBindings(h, v, si, req.Op)
	// The HTTP content type says how the body is framed; the output's own Content-Type
	// member (Lambda's ResponseStreamContentType) reads the same value back.
	h.Set("Content-Type", EventStreamContentType)
	h.Del("Content-Length")
	w.WriteHeader(status)
	if es == nil {
		return true
	}
	defer es.Close()
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	ctx := context.Background()
	if req.HTTP != nil {
		ctx = req.HTTP.Context()
	}
	enc := eventstream.NewEncoder()
	var buf bytes.Buffer
	for {
		ev, err := es.Next(ctx)
		if errors.Is(err, io.EOF) {
			return true
		}
		buf.Reset()
		var msg eventstream.Message
		if err != nil {
			msg = errorEventMessage(err)
		} else {
			msg = eventMessage(ev)
		}
		if err := enc.Encode(&buf, msg); err != nil {
			return true
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return true
		}
		_ = rc.Flush()
		if msg.Headers.Get(":message-type").String() == "error" {
			return true
		}
	}
}

// eventMessage frames one event: a pointer to a union structure with one member set.
func eventMessage(ev any) eventstream.Message {
	var msg eventstream.Message
	uv := reflect.ValueOf(ev)
	for uv.Kind() == reflect.Pointer && !uv.IsNil() {
		uv = uv.Elem()
	}
	if uv.Kind() != reflect.Struct {
		return errorEventMessage(errors.New("protocol: event is not a structure"))
	}
	ut := uv.Type()
	for i := 0; i < ut.NumField(); i++ {
		fv := uv.Field(i)
		if !ut.Field(i).IsExported() || fv.Kind() != reflect.Pointer || fv.IsNil() {
			continue
		}
		name := ut.Field(i).Tag.Get("name")
		if name == "" {
			name = ut.Field(i).Name
		}
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue(name))
		ctype, payload := eventPayload(fv.Elem(), &msg.Headers)
		msg.Headers.Set(":content-type", eventstream.StringValue(ctype))
		msg.Payload = payload
		return msg
	}
	return errorEventMessage(errors.New("protocol: event has no member set"))
}

// eventPayload returns the content type and payload of event structure v and adds its
// eventheader members to hs.
func eventPayload(v reflect.Value, hs *eventstream.Headers) (string, []byte) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Tag.Get("eventheader") != "true" {
			continue
		}
		fv := v.Field(i)
		for fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				break
			}
			fv = fv.Elem()
		}
		name := sf.Tag.Get("name")
		switch fv.Kind() {
		case reflect.String:
			hs.Set(name, eventstream.StringValue(fv.String()))
		case reflect.Bool:
			hs.Set(name, eventstream.BoolValue(fv.Bool()))
		case reflect.Int32:
			hs.Set(name, eventstream.Int32Value(int32(fv.Int())))
		case reflect.Int64:
			hs.Set(name, eventstream.Int64Value(fv.Int()))
		}
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("eventpayload") != "true" {
			continue
		}
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
			return "application/octet-stream", fv.Bytes()
		case fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.String:
			if fv.IsNil() {
				return "text/plain", nil
			}
			return "text/plain", []byte(fv.Elem().String())
		case fv.Kind() == reflect.String:
			return "text/plain", []byte(fv.String())
		default:
			ti := infoOf(fv.Type())
			if ti.kind != kindStruct || isEmpty(fv) {
				return "application/json", []byte("{}")
			}
			return "application/json", appendJSONStruct(nil, deref(fv, ti), ti.st, false)
		}
	}
	si := structOf(t)
	return "application/json", appendJSONStruct(nil, v, si, false)
}

// errorEventMessage frames a failure that ends the stream.
func errorEventMessage(err error) eventstream.Message {
	e := AsError(err)
	var msg eventstream.Message
	msg.Headers.Set(":message-type", eventstream.StringValue("error"))
	msg.Headers.Set(":error-code", eventstream.StringValue(e.Code))
	msg.Headers.Set(":error-message", eventstream.StringValue(e.Message))
	return msg
}
