package sqs

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func strAttr(v string) *MessageAttributeValue {
	return &MessageAttributeValue{DataType: str("String"), StringValue: &v}
}

func TestSendMessageValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"MaximumMessageSize": "1024"})
	many := map[string]*MessageAttributeValue{}
	for i := range 11 {
		many[string(rune('a'+i))] = strAttr("v")
	}
	tests := []struct {
		name string
		in   SendMessageInput
		code string
	}{
		{"ok", SendMessageInput{MessageBody: str("hi")}, ""},
		{"all allowed characters", SendMessageInput{MessageBody: str("\t\n\r \uD7FF\uE000\uFFFD\U00010000\U0010FFFF")}, ""},
		{"empty body", SendMessageInput{MessageBody: str("")}, "InvalidParameterValue"},
		{"NUL", SendMessageInput{MessageBody: str("a\x00b")}, "InvalidMessageContents"},
		{"vertical tab", SendMessageInput{MessageBody: str("a\vb")}, "InvalidMessageContents"},
		{"U+FFFE", SendMessageInput{MessageBody: str("a\uFFFEb")}, "InvalidMessageContents"},
		{"invalid UTF-8", SendMessageInput{MessageBody: str("a\xffb")}, "InvalidMessageContents"},
		{"exactly the limit", SendMessageInput{MessageBody: str(strings.Repeat("x", 1024))}, ""},
		{"over the limit", SendMessageInput{MessageBody: str(strings.Repeat("x", 1025))}, "InvalidParameterValue"},
		{"attributes count toward the limit", SendMessageInput{MessageBody: str(strings.Repeat("x", 1011)), MessageAttributes: map[string]*MessageAttributeValue{"abcd": strAttr("efgh")}}, "InvalidParameterValue"},
		{"delay 900", SendMessageInput{MessageBody: str("x"), DelaySeconds: i32(900)}, ""},
		{"delay 901", SendMessageInput{MessageBody: str("x"), DelaySeconds: i32(901)}, "InvalidParameterValue"},
		{"delay negative", SendMessageInput{MessageBody: str("x"), DelaySeconds: i32(-1)}, "InvalidParameterValue"},
		{"dedup id on standard", SendMessageInput{MessageBody: str("x"), MessageDeduplicationID: str("d")}, "InvalidParameterValue"},
		{"group id on standard (fair queues)", SendMessageInput{MessageBody: str("x"), MessageGroupID: str("tenant-1")}, ""},
		{"group id too long", SendMessageInput{MessageBody: str("x"), MessageGroupID: str(strings.Repeat("g", 129))}, "InvalidParameterValue"},
		{"11 attributes", SendMessageInput{MessageBody: str("x"), MessageAttributes: many}, "InvalidParameterValue"},
		{"attribute name with space", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a b": strAttr("v")}}, "InvalidParameterValue"},
		{"attribute name leading period", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{".a": strAttr("v")}}, "InvalidParameterValue"},
		{"attribute name double period", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a..b": strAttr("v")}}, "InvalidParameterValue"},
		{"attribute name reserved prefix", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"aws.x": strAttr("v")}}, "InvalidParameterValue"},
		{"attribute name Amazon prefix", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"Amazon.x": strAttr("v")}}, "InvalidParameterValue"},
		{"attribute name dotted", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"my.attr-1_x": strAttr("v")}}, ""},
		{"attribute bad type", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: str("Text"), StringValue: str("v")}}}, "InvalidParameterValue"},
		{"attribute type with empty label", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: str("String."), StringValue: str("v")}}}, "InvalidParameterValue"},
		{"attribute custom type", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: str("Number.float"), StringValue: str("1.5")}}}, ""},
		{"attribute empty string", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": strAttr("")}}, "InvalidParameterValue"},
		{"attribute string without value", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: str("String"), BinaryValue: []byte("v")}}}, "InvalidParameterValue"},
		{"attribute invalid characters", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"a": strAttr("\x01")}}, "InvalidParameterValue"},
		{"number", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"n": {DataType: str("Number"), StringValue: str("-12.5e3")}}}, ""},
		{"number not a number", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"n": {DataType: str("Number"), StringValue: str("12a")}}}, "InvalidParameterValue"},
		{"number 39 digits", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"n": {DataType: str("Number"), StringValue: str(strings.Repeat("9", 39))}}}, "InvalidParameterValue"},
		{"number too large", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"n": {DataType: str("Number"), StringValue: str("1e127")}}}, "InvalidParameterValue"},
		{"binary", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"b": {DataType: str("Binary"), BinaryValue: []byte{0, 1}}}}, ""},
		{"binary empty", SendMessageInput{MessageBody: str("x"), MessageAttributes: map[string]*MessageAttributeValue{"b": {DataType: str("Binary")}}}, "InvalidParameterValue"},
		{"trace header", SendMessageInput{MessageBody: str("x"), MessageSystemAttributes: map[string]*MessageSystemAttributeValue{"AWSTraceHeader": {DataType: str("String"), StringValue: str("Root=1-5759e988-bd862e3fe1be46a994272793")}}}, ""},
		{"trace header as binary", SendMessageInput{MessageBody: str("x"), MessageSystemAttributes: map[string]*MessageSystemAttributeValue{"AWSTraceHeader": {DataType: str("Binary"), BinaryValue: []byte("x")}}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.QueueURL = &url
			_, err := b.svc.SendMessage(b.ctx, &in)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			RequireCode(t, err, tt.code)
		})
	}
}

func TestSendReceiveChecksums(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	trace := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	out := b.MustSend(t, url, "derp", func(in *SendMessageInput) {
		in.MessageAttributes = map[string]*MessageAttributeValue{
			"timestamp": {DataType: str("Number"), StringValue: str("1493147359900")},
			"other":     strAttr("x"),
		}
		in.MessageSystemAttributes = map[string]*MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: str("String"), StringValue: &trace},
		}
	})
	require.Equal(t, "58fd9edd83341c29f1aebba81c31e257", *out.MD5OfMessageBody)
	require.Equal(t, md5OfAttributes(map[string]attrValue{
		"timestamp": {DataType: "Number", StringValue: "1493147359900"}, "other": {DataType: "String", StringValue: "x"},
	}), *out.MD5OfMessageAttributes)
	require.Equal(t, md5OfAttributes(map[string]attrValue{"AWSTraceHeader": {DataType: "String", StringValue: trace}}), *out.MD5OfMessageSystemAttributes)

	// On receive the digest covers the attributes answered.
	msgs := b.MustReceive(t, url, &ReceiveMessageInput{MessageAttributeNames: []string{"timestamp"}, VisibilityTimeout: i32(0)})
	require.Len(t, msgs, 1)
	require.Equal(t, "58fd9edd83341c29f1aebba81c31e257", *msgs[0].MD5OfBody)
	require.Equal(t, "235c5c510d26fb653d073faed50ae77c", *msgs[0].MD5OfMessageAttributes)
	require.Equal(t, "1493147359900", *msgs[0].MessageAttributes["timestamp"].StringValue)
	require.NotContains(t, msgs[0].MessageAttributes, "other")
	require.Nil(t, msgs[0].Attributes, "no system attributes unless asked")

	none := b.MustReceive(t, url, &ReceiveMessageInput{VisibilityTimeout: i32(0)})
	require.Nil(t, none[0].MessageAttributes)
	require.Nil(t, none[0].MD5OfMessageAttributes)

	noBody := b.MustSend(t, url, "plain")
	require.Nil(t, noBody.MD5OfMessageAttributes)
	require.Nil(t, noBody.MD5OfMessageSystemAttributes)
}

func TestReceiveMessageAttributeNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	b.MustSend(t, url, "x", func(in *SendMessageInput) {
		in.MessageAttributes = map[string]*MessageAttributeValue{
			"foo.a": strAttr("1"), "foo.b": strAttr("2"), "bar": strAttr("3"),
			"bin": {DataType: str("Binary.gz"), BinaryValue: []byte{1, 2}},
		}
	})
	tests := []struct {
		names []string
		want  []string
	}{
		{[]string{"All"}, []string{"bar", "bin", "foo.a", "foo.b"}},
		{[]string{".*"}, []string{"bar", "bin", "foo.a", "foo.b"}},
		{[]string{"foo.*"}, []string{"foo.a", "foo.b"}},
		// AWS: "*" selects everything, and "prefix.*" any name starting with prefix.
		{[]string{"*"}, []string{"bar", "bin", "foo.a", "foo.b"}},
		{[]string{"b.*"}, []string{"bar", "bin"}},
		{[]string{"bar", "bin"}, []string{"bar", "bin"}},
		{[]string{"nope"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		msgs := b.MustReceive(t, url, &ReceiveMessageInput{MessageAttributeNames: tt.names, VisibilityTimeout: i32(0)})
		require.Len(t, msgs, 1)
		var got []string
		for _, n := range sortedKeys(msgs[0].MessageAttributes) {
			got = append(got, n)
		}
		require.Equal(t, tt.want, got, "%v", tt.names)
		if len(tt.want) > 0 {
			sel := map[string]attrValue{}
			for n, v := range msgs[0].MessageAttributes {
				a := attrValue{DataType: *v.DataType, BinaryValue: v.BinaryValue}
				if v.StringValue != nil {
					a.StringValue = *v.StringValue
				}
				sel[n] = a
			}
			require.Equal(t, md5OfAttributes(sel), *msgs[0].MD5OfMessageAttributes)
		}
	}
}

func TestReceiveSystemAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	sent := b.clock.Now().UnixMilli()
	b.MustSend(t, url, "x", func(in *SendMessageInput) {
		in.MessageSystemAttributes = map[string]*MessageSystemAttributeValue{"AWSTraceHeader": {DataType: str("String"), StringValue: str("Root=1")}}
	})
	b.clock.Advance(2 * time.Second)
	first := b.MustReceive(t, url, &ReceiveMessageInput{MessageSystemAttributeNames: []string{"All"}, VisibilityTimeout: i32(0)})
	require.Equal(t, map[string]string{
		"SenderId":                         testAccount,
		"SentTimestamp":                    itoa(sent),
		"ApproximateReceiveCount":          "1",
		"ApproximateFirstReceiveTimestamp": itoa(sent + 2000),
		"AWSTraceHeader":                   "Root=1",
	}, first[0].Attributes)

	// The deprecated AttributeNames still work once prepared, as the edge prepares them.
	b.clock.Advance(time.Second)
	in := &ReceiveMessageInput{QueueURL: &url, AttributeNames: []string{"ApproximateReceiveCount", "SentTimestamp", "QueueArn"}}
	prepare(nil, nil, in)
	require.Equal(t, []string{"ApproximateReceiveCount", "SentTimestamp"}, in.MessageSystemAttributeNames)
	second, err := b.svc.ReceiveMessage(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"ApproximateReceiveCount": "2", "SentTimestamp": itoa(sent)}, second.Messages[0].Attributes)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
