package protocol

import (
	"net/http"
	"testing"
)

type benchSendMessageOutput struct {
	MD5OfMessageBody       *string `name:"MD5OfMessageBody"`
	MD5OfMessageAttributes *string `name:"MD5OfMessageAttributes"`
	MessageID              *string `name:"MessageId"`
	SequenceNumber         *string `name:"SequenceNumber"`
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks measure the
// codec rather than a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

var benchSendMessageBody = []byte(`{"QueueUrl":"http://localhost:4566/000000000000/orders","MessageBody":"{\"orderId\":12345,\"items\":[{\"sku\":\"A-1\",\"qty\":2}],\"note\":\"leave at door\"}","DelaySeconds":0,"MessageAttributes":{"trace":{"DataType":"String","StringValue":"abc-123"},"n":{"DataType":"Number","StringValue":"7"}}}`)

// BenchmarkAWSJSONSendMessage measures the awsJson path of SQS SendMessage: decode the
// input, encode the output.
func BenchmarkAWSJSONSendMessage(b *testing.B) {
	req := &Request{Body: benchSendMessageBody, Service: testJSONQueryCompat, RequestID: "5fea7756-0ea4-451a-a703-a558b933e274"}
	out := &benchSendMessageOutput{
		MD5OfMessageBody:       ptr("0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b"),
		MD5OfMessageAttributes: ptr("3ae8f24a165a8cedc005670c81a27295"),
		MessageID:              ptr("5fea7756-0ea4-451a-a703-a558b933e274"),
		SequenceNumber:         ptr("18849496460467696128"),
	}
	w := &discardWriter{h: http.Header{}}
	codec := CodecFor(JSON)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchSendMessageBody)))
	for b.Loop() {
		in := new(sqsSendMessageInput)
		if err := codec.Decode(req, in); err != nil {
			b.Fatal(err)
		}
		clear(w.h)
		codec.EncodeOutput(w, req, out)
	}
}

// BenchmarkAWSJSONEncodeOutput measures the encoder alone.
func BenchmarkAWSJSONEncodeOutput(b *testing.B) {
	req := &Request{Service: testJSONQueryCompat, RequestID: "5fea7756-0ea4-451a-a703-a558b933e274"}
	out := &benchSendMessageOutput{
		MD5OfMessageBody: ptr("0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b"),
		MessageID:        ptr("5fea7756-0ea4-451a-a703-a558b933e274"),
	}
	w := &discardWriter{h: http.Header{}}
	codec := CodecFor(JSON)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		codec.EncodeOutput(w, req, out)
	}
}

// BenchmarkQuerySendMessage measures SendMessage over the query protocol.
func BenchmarkQuerySendMessage(b *testing.B) {
	body := []byte("Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders&MessageBody=hello&MessageAttribute.1.Name=trace&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=abc")
	req := &Request{Body: body, Service: testJSONQueryCompat, Op: &Operation{Name: "SendMessage"}, RequestID: "r"}
	out := &benchSendMessageOutput{MD5OfMessageBody: ptr("0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b"), MessageID: ptr("m")}
	w := &discardWriter{h: http.Header{}}
	codec := CodecFor(Query)
	b.ReportAllocs()
	for b.Loop() {
		in := new(sqsSendMessageInput)
		if err := codec.Decode(req, in); err != nil {
			b.Fatal(err)
		}
		clear(w.h)
		codec.EncodeOutput(w, req, out)
	}
}
