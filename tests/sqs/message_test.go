package sqs_test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func TestSendReceiveDelete(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	before := time.Now().Add(-5 * time.Second).UnixMilli()
	sent := send(t, c, u, "hello, overcast")

	msgs := receiveN(t, c, u, 1)
	m := msgs[0]
	require.Equal(t, aws.ToString(sent.MessageId), aws.ToString(m.MessageId))
	require.Equal(t, "hello, overcast", aws.ToString(m.Body))
	require.NotEmpty(t, aws.ToString(m.ReceiptHandle))
	require.Nil(t, m.MD5OfMessageAttributes, "no message attributes: no MD5OfMessageAttributes")

	a := m.Attributes
	sentTS, err := strconv.ParseInt(a["SentTimestamp"], 10, 64)
	require.NoError(t, err, "SentTimestamp is epoch milliseconds: %v", a)
	require.GreaterOrEqual(t, sentTS, before)
	require.LessOrEqual(t, sentTS, time.Now().Add(5*time.Second).UnixMilli())
	first, err := strconv.ParseInt(a["ApproximateFirstReceiveTimestamp"], 10, 64)
	require.NoError(t, err, "ApproximateFirstReceiveTimestamp: %v", a)
	require.GreaterOrEqual(t, first, sentTS)
	require.Equal(t, "1", a["ApproximateReceiveCount"])
	require.NotEmpty(t, a["SenderId"])
	for _, k := range []string{"MessageGroupId", "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader", "DeadLetterQueueSourceArn"} {
		_, ok := a[k]
		require.False(t, ok, "a standard message without it has no %s attribute", k)
	}

	// In flight: hidden from other receivers and counted as not visible.
	requireEmpty(t, c, u, "the message is in flight")
	qa := queueAttrs(t, c, u)
	require.Equal(t, "0", qa["ApproximateNumberOfMessages"])
	require.Equal(t, "1", qa["ApproximateNumberOfMessagesNotVisible"])

	deleteMsg(t, c, u, m)
	waitFor(t, 10*time.Second, func() bool {
		return queueAttrs(t, c, u)["ApproximateNumberOfMessagesNotVisible"] == "0"
	}, "the in-flight count to drop to 0")

	// Deleting again with the same receipt handle succeeds.
	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle})
	require.NoError(t, err, "DeleteMessage of an already deleted message")
}

func TestReceiveMessageCount(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	for i := range 15 {
		send(t, c, u, fmt.Sprintf("m%02d", i))
	}
	waitFor(t, 10*time.Second, func() bool {
		return queueAttrs(t, c, u)["ApproximateNumberOfMessages"] == "15"
	}, "ApproximateNumberOfMessages after 15 sends")

	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1, "MaxNumberOfMessages defaults to 1")

	out, err = c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.NotEmpty(t, out.Messages)
	require.LessOrEqual(t, len(out.Messages), 10)

	seen := map[string]bool{}
	for _, m := range out.Messages {
		seen[aws.ToString(m.Body)] = true
	}
	rest := receiveN(t, c, u, 14-len(out.Messages))
	for _, m := range rest {
		require.False(t, seen[aws.ToString(m.Body)], "message %s delivered twice while in flight", aws.ToString(m.Body))
		seen[aws.ToString(m.Body)] = true
	}
	require.Len(t, seen, 14)
}

func TestReceiveParameterValidation(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	cases := []struct {
		why string
		in  sqs.ReceiveMessageInput
	}{
		{"MaxNumberOfMessages 11", sqs.ReceiveMessageInput{MaxNumberOfMessages: 11}},
		{"MaxNumberOfMessages -1", sqs.ReceiveMessageInput{MaxNumberOfMessages: -1}},
		{"WaitTimeSeconds 21", sqs.ReceiveMessageInput{WaitTimeSeconds: 21}},
		{"WaitTimeSeconds -1", sqs.ReceiveMessageInput{WaitTimeSeconds: -1}},
		{"VisibilityTimeout 43201", sqs.ReceiveMessageInput{VisibilityTimeout: 43201}},
		{"VisibilityTimeout -1", sqs.ReceiveMessageInput{VisibilityTimeout: -1}},
	}
	for _, tt := range cases {
		in := tt.in
		in.QueueUrl = aws.String(u)
		_, err := c.ReceiveMessage(ctx(t), &in)
		requireInvalidParameterValue(t, err, "ReceiveMessage %s", tt.why)
	}
	_, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u + "-missing")})
	requireQueueDoesNotExist(t, err, "ReceiveMessage from a missing queue")
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u + "-missing"), MessageBody: aws.String("x")})
	requireQueueDoesNotExist(t, err, "SendMessage to a missing queue")
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), DelaySeconds: 901})
	requireInvalidParameterValue(t, err, "SendMessage DelaySeconds 901")
}

// allTypeAttributes has one message attribute of every data type, custom types included.
func allTypeAttributes() map[string]types.MessageAttributeValue {
	return map[string]types.MessageAttributeValue{
		"str":        {DataType: aws.String("String"), StringValue: aws.String("plain text")},
		"unicode":    {DataType: aws.String("String"), StringValue: aws.String("żółw 🐢 \t tab")},
		"num":        {DataType: aws.String("Number"), StringValue: aws.String("-12345.678")},
		"big.number": {DataType: aws.String("Number"), StringValue: aws.String("12345678901234567890123456789012345678")},
		"bin":        {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xfe, 0xff}},
		"custom_str": {DataType: aws.String("String.json"), StringValue: aws.String(`{"a":1}`)},
		"custom-num": {DataType: aws.String("Number.int"), StringValue: aws.String("42")},
		"custom.bin": {DataType: aws.String("Binary.png"), BinaryValue: []byte("\x89PNG\r\n")},
		"Upper.Case": {DataType: aws.String("String"), StringValue: aws.String("names are case-sensitive")},
		"exp.number": {DataType: aws.String("Number"), StringValue: aws.String("1.5e10")},
	}
}

func requireSameAttributes(t *testing.T, want, got map[string]types.MessageAttributeValue) {
	t.Helper()
	require.Len(t, got, len(want), "message attributes: %v", got)
	for k, w := range want {
		g, ok := got[k]
		require.True(t, ok, "attribute %s missing", k)
		require.Equal(t, aws.ToString(w.DataType), aws.ToString(g.DataType), "DataType of %s", k)
		if w.BinaryValue != nil {
			require.Equal(t, w.BinaryValue, g.BinaryValue, "BinaryValue of %s", k)
			require.Nil(t, g.StringValue, "StringValue of binary %s", k)
		} else {
			require.Equal(t, aws.ToString(w.StringValue), aws.ToString(g.StringValue), "StringValue of %s", k)
			require.Nil(t, g.BinaryValue, "BinaryValue of %s", k)
		}
	}
}

func TestMessageAttributesAllTypes(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	attrs := allTypeAttributes()
	require.Len(t, attrs, 10, "ten attributes is the maximum")
	out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("with attributes"), MessageAttributes: attrs})
	require.NoError(t, err)
	require.Equal(t, md5OfAttributes(attrs), aws.ToString(out.MD5OfMessageAttributes), "MD5OfMessageAttributes of SendMessage")
	require.Equal(t, md5Hex("with attributes"), aws.ToString(out.MD5OfMessageBody))

	m := receiveN(t, c, u, 1)[0]
	requireSameAttributes(t, attrs, m.MessageAttributes)
	require.Equal(t, md5OfAttributes(attrs), aws.ToString(m.MD5OfMessageAttributes), "MD5OfMessageAttributes of ReceiveMessage")

	// Without MessageAttributeNames no attributes come back.
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)
	var got []types.Message
	waitFor(t, 10*time.Second, func() bool {
		r, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u)})
		require.NoError(t, err)
		got = r.Messages
		return len(got) == 1
	}, "the message to come back")
	require.Empty(t, got[0].MessageAttributes, "no MessageAttributeNames requested")
	require.Empty(t, got[0].Attributes, "no system attributes requested")
}

func TestMessageAttributeNameFilters(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	attrs := map[string]types.MessageAttributeValue{
		"color":       {DataType: aws.String("String"), StringValue: aws.String("red")},
		"order.id":    {DataType: aws.String("Number"), StringValue: aws.String("7")},
		"order.total": {DataType: aws.String("Number"), StringValue: aws.String("9.99")},
		"other.x":     {DataType: aws.String("String"), StringValue: aws.String("yes")},
	}
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("filters"), MessageAttributes: attrs})
	require.NoError(t, err)

	cases := []struct {
		filter []string
		want   []string
	}{
		{[]string{"All"}, []string{"color", "order.id", "order.total", "other.x"}},
		{[]string{".*"}, []string{"color", "order.id", "order.total", "other.x"}},
		{[]string{"order.*"}, []string{"order.id", "order.total"}},
		// AWS answers every attribute for "*", and reads "Hel.*" as any name starting
		// with "Hel" (it selects "Hello" and "Help.Me").
		{[]string{"*"}, []string{"color", "order.id", "order.total", "other.x"}},
		{[]string{"or.*"}, []string{"order.id", "order.total"}},
		{[]string{"color"}, []string{"color"}},
		{[]string{"color", "order.id"}, []string{"color", "order.id"}},
		{[]string{"nothing"}, nil},
		{[]string{"Color"}, nil},
	}
	for _, tt := range cases {
		var m types.Message
		waitFor(t, 10*time.Second, func() bool {
			out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MessageAttributeNames: tt.filter})
			require.NoError(t, err)
			if len(out.Messages) == 0 {
				return false
			}
			m = out.Messages[0]
			return true
		}, "receive with filter %v", tt.filter)
		var names []string
		for k := range m.MessageAttributes {
			names = append(names, k)
		}
		sort.Strings(names)
		require.Equal(t, tt.want, names, "MessageAttributeNames %v", tt.filter)
		if len(tt.want) > 0 {
			sub := map[string]types.MessageAttributeValue{}
			for _, k := range tt.want {
				sub[k] = attrs[k]
			}
			require.Equal(t, md5OfAttributes(sub), aws.ToString(m.MD5OfMessageAttributes), "MD5OfMessageAttributes covers the returned attributes (%v)", tt.filter)
		}
		_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
		require.NoError(t, err)
	}
}

func TestMessageAttributeValidation(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	eleven := map[string]types.MessageAttributeValue{}
	for i := range 11 {
		eleven[fmt.Sprintf("a%d", i)] = str("v")
	}
	cases := []struct {
		why   string
		attrs map[string]types.MessageAttributeValue
	}{
		{"11 attributes", eleven},
		{"name starting with AWS.", map[string]types.MessageAttributeValue{"AWS.reserved": str("v")}},
		{"name starting with Amazon.", map[string]types.MessageAttributeValue{"Amazon.reserved": str("v")}},
		{"name with ..", map[string]types.MessageAttributeValue{"a..b": str("v")}},
		{"name starting with .", map[string]types.MessageAttributeValue{".a": str("v")}},
		{"name ending with .", map[string]types.MessageAttributeValue{"a.": str("v")}},
		{"name with a space", map[string]types.MessageAttributeValue{"a b": str("v")}},
		{"name of 257 characters", map[string]types.MessageAttributeValue{strings.Repeat("n", 257): str("v")}},
		{"unknown data type", map[string]types.MessageAttributeValue{"a": {DataType: aws.String("Text"), StringValue: aws.String("v")}}},
		{"empty String value", map[string]types.MessageAttributeValue{"a": str("")}},
		{"Number that is not a number", map[string]types.MessageAttributeValue{"a": {DataType: aws.String("Number"), StringValue: aws.String("twelve")}}},
		{"Binary without a value", map[string]types.MessageAttributeValue{"a": {DataType: aws.String("Binary")}}},
		{"String given a binary value", map[string]types.MessageAttributeValue{"a": {DataType: aws.String("String"), BinaryValue: []byte("x")}}},
	}
	for _, tt := range cases {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageAttributes: tt.attrs})
		requireInvalidParameterValue(t, err, "SendMessage message attribute: %s", tt.why)
	}
	requireEmpty(t, c, u, "every send was rejected")
}

func TestMessageBodyCharacters(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	// Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
	good := "tab\tnl\ncr\r space ~ \u00e9 \ud7ff \ue000 \ufffd \U00010000 \U0010ffff 🐢 <xml>&amp;</xml> \"quoted\""
	send(t, c, u, good)
	m := receiveN(t, c, u, 1)[0]
	require.Equal(t, good, aws.ToString(m.Body), "the body comes back byte for byte")

	for _, bad := range []string{"nul\x00", "bell\x07", "esc\x1f", "fffe\ufffe", "ffff\uffff"} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(bad)})
		requireModeled[*types.InvalidMessageContents](t, err, "InvalidMessageContents", 400, "body %q", bad)
	}
}

func TestMessageSizeLimit(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	const maxSize = 1 << 20 // 1 MiB, the default MaximumMessageSize

	big := strings.Repeat("x", maxSize)
	send(t, c, u, big)
	m := receiveN(t, c, u, 1)[0]
	require.Equal(t, len(big), len(aws.ToString(m.Body)))
	require.Equal(t, md5Hex(big), aws.ToString(m.MD5OfBody))

	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(big + "x")})
	requireInvalidParameterValue(t, err, "a body of 1 MiB + 1 byte")

	// Attributes count toward the limit.
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{
		QueueUrl:    aws.String(u),
		MessageBody: aws.String(big[:maxSize-10]),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"pad": {DataType: aws.String("String"), StringValue: aws.String(strings.Repeat("p", 100))},
		},
	})
	requireInvalidParameterValue(t, err, "body plus attributes over 1 MiB")

	small := newQueue(t, c, map[string]string{"MaximumMessageSize": "1024"})
	send(t, c, small, strings.Repeat("s", 1024))
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(small), MessageBody: aws.String(strings.Repeat("s", 1025))})
	requireInvalidParameterValue(t, err, "1025 bytes on a queue with MaximumMessageSize 1024")
}

func TestMessageSystemAttributes(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	trace := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	sys := map[string]types.MessageSystemAttributeValue{
		"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String(trace)},
	}
	out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("traced"), MessageSystemAttributes: sys})
	require.NoError(t, err)
	require.Equal(t, md5OfSystemAttributes(sys), aws.ToString(out.MD5OfMessageSystemAttributes), "MD5OfMessageSystemAttributes")

	m := receiveN(t, c, u, 1)[0]
	require.Equal(t, trace, m.Attributes["AWSTraceHeader"])

	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
		"NotASystemAttribute": {DataType: aws.String("String"), StringValue: aws.String("v")},
	}})
	requireInvalidParameterValue(t, err, "an unknown message system attribute")
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
		"AWSTraceHeader": {DataType: aws.String("Number"), StringValue: aws.String("1")},
	}})
	requireInvalidParameterValue(t, err, "AWSTraceHeader of type Number")
}

func TestReceiveSystemAttributeSelection(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	send(t, c, u, "select")
	names := []types.MessageSystemAttributeName{
		types.MessageSystemAttributeNameSenderId,
		types.MessageSystemAttributeNameSentTimestamp,
		types.MessageSystemAttributeNameApproximateReceiveCount,
		types.MessageSystemAttributeNameApproximateFirstReceiveTimestamp,
	}
	for i, name := range names {
		for _, legacy := range []bool{false, true} {
			in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(u)}
			if legacy {
				// The deprecated AttributeNames member still selects system attributes.
				in.AttributeNames = []types.QueueAttributeName{types.QueueAttributeName(name)}
			} else {
				in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{name}
			}
			var m types.Message
			waitFor(t, 10*time.Second, func() bool {
				out, err := c.ReceiveMessage(ctx(t), in)
				require.NoError(t, err)
				if len(out.Messages) == 0 {
					return false
				}
				m = out.Messages[0]
				return true
			}, "the message to come back")
			require.Len(t, m.Attributes, 1, "only %s requested (legacy AttributeNames: %v): %v", name, legacy, m.Attributes)
			require.NotEmpty(t, m.Attributes[string(name)], "%s (legacy AttributeNames: %v)", name, legacy)
			if name == types.MessageSystemAttributeNameApproximateReceiveCount {
				require.Equal(t, strconv.Itoa(2*i+map[bool]int{false: 1, true: 2}[legacy]), m.Attributes["ApproximateReceiveCount"])
			}
			_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
			require.NoError(t, err)
		}
	}
}

func TestLongPollingReturnsOnArrival(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	for _, queueDefault := range []bool{false, true} {
		t.Run(fmt.Sprintf("queueDefault=%v", queueDefault), func(t *testing.T) {
			t.Parallel()
			var u string
			in := &sqs.ReceiveMessageInput{}
			if queueDefault {
				u = newQueue(t, c, map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
			} else {
				u = newQueue(t, c, nil)
				in.WaitTimeSeconds = 20
			}
			in.QueueUrl = aws.String(u)

			type result struct {
				msgs []types.Message
				err  error
				at   time.Time
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				out, err := c.ReceiveMessage(ctx(t), in)
				r := result{err: err, at: time.Now()}
				if out != nil {
					r.msgs = out.Messages
				}
				done <- r
			}()
			// Give the receive time to start waiting; if it has not, the message is
			// simply there when it looks, and the assertions below still hold.
			select {
			case r := <-done:
				t.Fatalf("long poll returned before any message was sent: %d messages, err %v", len(r.msgs), r.err)
			case <-time.After(500 * time.Millisecond):
			}
			sentAt := time.Now()
			send(t, c, u, "wake up")
			r := <-done
			require.NoError(t, r.err)
			require.Len(t, r.msgs, 1, "the long poll returns the message that arrived")
			require.Equal(t, "wake up", aws.ToString(r.msgs[0].Body))
			require.False(t, r.at.Before(sentAt), "returned after the send")
			require.Less(t, r.at.Sub(start), 15*time.Second, "returned well before WaitTimeSeconds (20s)")
		})
	}
}

func TestLongPollingTimesOutEmpty(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	start := time.Now()
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), WaitTimeSeconds: 1})
	require.NoError(t, err)
	require.Empty(t, out.Messages)
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "an empty long poll waits for WaitTimeSeconds")
}

func TestChangeMessageVisibility(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	send(t, c, u, "vis")
	m := receiveN(t, c, u, 1)[0]
	requireEmpty(t, c, u, "in flight")

	_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43201})
	requireInvalidParameterValue(t, err, "VisibilityTimeout 43201")

	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)

	// Visibility 0 makes it visible again; AWS still accepts the handle then.
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err, "ChangeMessageVisibility of a visible message")

	m2 := receiveN(t, c, u, 1)[0]
	require.Equal(t, aws.ToString(m.MessageId), aws.ToString(m2.MessageId))
	require.Equal(t, "2", m2.Attributes["ApproximateReceiveCount"])
	require.Equal(t, m.Attributes["ApproximateFirstReceiveTimestamp"], m2.Attributes["ApproximateFirstReceiveTimestamp"])
	require.NotEqual(t, aws.ToString(m.ReceiptHandle), aws.ToString(m2.ReceiptHandle), "each receive has its own receipt handle")

	for _, h := range []string{"garbage", "", strings.Repeat("A", 2000)} {
		_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: aws.String(h), VisibilityTimeout: 10})
		requireModeled[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid", http.StatusNotFound, "ChangeMessageVisibility with handle %.20q", h)
	}
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u + "-missing"), ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 10})
	requireQueueDoesNotExist(t, err, "ChangeMessageVisibility on a missing queue")
}

func TestDeleteMessageErrors(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	for _, h := range []string{"garbage", strings.Repeat("A", 2000)} {
		_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: aws.String(h)})
		requireModeled[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid", http.StatusNotFound, "DeleteMessage with handle %.20q", h)
	}
	send(t, c, u, "x")
	m := receiveN(t, c, u, 1)[0]
	_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u + "-missing"), ReceiptHandle: m.ReceiptHandle})
	requireQueueDoesNotExist(t, err, "DeleteMessage on a missing queue")
}
