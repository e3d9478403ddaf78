package sns

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func strAttr(v string) *MessageAttributeValue {
	return &MessageAttributeValue{DataType: new("String"), StringValue: &v}
}

func TestPublishFanOutWithFilterPolicies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "fan", nil)
	b.MustSubscribe(t, arn, "sqs", queueARN("all"), nil)
	b.MustSubscribe(t, arn, "sqs", queueARN("red"), map[string]string{"FilterPolicy": `{"color":["red"]}`})
	b.MustSubscribe(t, arn, "sqs", queueARN("big"), map[string]string{
		"FilterPolicy": `{"size":[{"numeric":[">",10]}]}`, "FilterPolicyScope": "MessageBody",
	})
	b.MustSubscribe(t, arn, "sqs", queueARN("raw"), map[string]string{"RawMessageDelivery": "true"})

	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new(`{"size":20}`),
		MessageAttributes: map[string]*MessageAttributeValue{"color": strAttr("red")}})
	require.NoError(t, err)
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new(`{"size":5}`),
		MessageAttributes: map[string]*MessageAttributeValue{"color": strAttr("blue")}})
	require.NoError(t, err)

	require.Eventually(t, func() bool {
		return len(b.queues.get(queueARN("all"))) == 2 && len(b.queues.get(queueARN("raw"))) == 2
	}, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return len(b.queues.get(queueARN("red"))) == 1 && len(b.queues.get(queueARN("big"))) == 1
	}, 5*time.Second, 10*time.Millisecond)

	env := decodeJSON(t, b.queues.get(queueARN("red"))[0].Body)
	require.Equal(t, "Notification", env["Type"])
	require.Equal(t, `{"size":20}`, env["Message"])
	require.Equal(t, map[string]any{"color": map[string]any{"Type": "String", "Value": "red"}}, env["MessageAttributes"])
	verifySignature(t, env, b.svc.signer.cert())

	for _, m := range b.queues.get(queueARN("raw")) {
		require.True(t, strings.HasPrefix(m.Body, `{"size":`), "raw delivery sends the message itself")
		require.Contains(t, m.Attributes, "color")
	}
}

func TestPublishMessageStructure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "structured", nil)
	b.MustSubscribe(t, arn, "sqs", queueARN("s"), nil)
	b.MustSubscribe(t, arn, "email", "someone@example.com", nil)
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, MessageStructure: new("json"),
		Message: new(`{"default":"plain","sqs":"for sqs","email":7}`)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(b.queues.get(queueARN("s"))) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "for sqs", decodeJSON(t, b.queues.get(queueARN("s"))[0].Body)["Message"])
}

func TestPublishValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "valid", nil)
	fifo := b.MustTopic(t, "valid.fifo", map[string]string{"FifoTopic": "true"})
	missing := "arn:aws:sns:us-east-1:123456789012:nope"
	eleven := map[string]*MessageAttributeValue{}
	for _, k := range strings.Split("a b c d e f g h i j k", " ") {
		eleven[k] = strAttr("v")
	}
	tests := []struct {
		name     string
		in       *PublishInput
		wantCode string
	}{
		{"unknown topic", &PublishInput{TopicARN: &missing, Message: new("x")}, "NotFound"},
		{"no target", &PublishInput{Message: new("x")}, "InvalidParameter"},
		{"empty message", &PublishInput{TopicARN: &arn, Message: new("")}, "InvalidParameter"},
		{"too long", &PublishInput{TopicARN: &arn, Message: new(strings.Repeat("x", 262145))}, "InvalidParameter"},
		{"too long with attributes", &PublishInput{TopicARN: &arn, Message: new(strings.Repeat("x", 262140)),
			MessageAttributes: map[string]*MessageAttributeValue{"abc": strAttr("defgh")}}, "InvalidParameter"},
		{"bad subject", &PublishInput{TopicARN: &arn, Message: new("x"), Subject: new("a\nb")}, "InvalidParameter"},
		{"structure not json", &PublishInput{TopicARN: &arn, Message: new("{"), MessageStructure: new("json")}, "InvalidParameter"},
		{"structure without default", &PublishInput{TopicARN: &arn, Message: new(`{"sqs":"x"}`), MessageStructure: new("json")}, "InvalidParameter"},
		{"eleven attributes", &PublishInput{TopicARN: &arn, Message: new("x"), MessageAttributes: eleven}, "InvalidParameter"},
		{"bad attribute type", &PublishInput{TopicARN: &arn, Message: new("x"),
			MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: new("Float"), StringValue: new("1")}}}, "ParameterValueInvalid"},
		{"bad number", &PublishInput{TopicARN: &arn, Message: new("x"),
			MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: new("Number"), StringValue: new("one")}}}, "ParameterValueInvalid"},
		{"bad string array", &PublishInput{TopicARN: &arn, Message: new("x"),
			MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: new("String.Array"), StringValue: new("[1,")}}}, "ParameterValueInvalid"},
		{"empty string attribute", &PublishInput{TopicARN: &arn, Message: new("x"),
			MessageAttributes: map[string]*MessageAttributeValue{"a": {DataType: new("String"), StringValue: new("")}}}, "ParameterValueInvalid"},
		{"reserved attribute name", &PublishInput{TopicARN: &arn, Message: new("x"),
			MessageAttributes: map[string]*MessageAttributeValue{"AWS.x": strAttr("v")}}, "InvalidParameter"},
		{"dedup id on standard", &PublishInput{TopicARN: &arn, Message: new("x"), MessageDeduplicationID: new("d")}, "InvalidParameter"},
		{"fifo without group", &PublishInput{TopicARN: &fifo, Message: new("x"), MessageDeduplicationID: new("d")}, "InvalidParameter"},
		{"fifo without dedup", &PublishInput{TopicARN: &fifo, Message: new("x"), MessageGroupID: new("g")}, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Publish(b.ctx, tt.in)
			requireCode(t, err, tt.wantCode)
		})
	}
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new(strings.Repeat("x", 262144))})
	require.NoError(t, err, "exactly 256 KiB is allowed")
}

func TestInvalidFilterPolicy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "filters", nil)
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("sqs"), Endpoint: new(queueARN("f")),
		Attributes: map[string]string{"FilterPolicy": `{"a": "not-an-array"}`}})
	perr := requireCode(t, err, "InvalidParameter")
	require.True(t, strings.HasPrefix(perr.Message, "Invalid parameter: Attributes Reason: "), perr.Message)

	subs, err := b.svc.ListSubscriptionsByTopic(b.ctx, &ListSubscriptionsByTopicInput{TopicARN: &arn})
	require.NoError(t, err)
	require.Empty(t, subs.Subscriptions, "nothing half-created")

	sub := b.MustSubscribe(t, arn, "sqs", queueARN("f"), nil)
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicy"), AttributeValue: new(`{"a":[{"nested":{"x":1}}]}`)})
	perr = requireCode(t, err, "InvalidParameter")
	require.True(t, strings.HasPrefix(perr.Message, "Invalid parameter: FilterPolicy: "), perr.Message)
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicyScope"), AttributeValue: new("Elsewhere")})
	requireCode(t, err, "InvalidParameter")

	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicy"), AttributeValue: new(`{"a":{"b":["c"]}}`)})
	require.Error(t, err, "nested policies need the MessageBody scope")
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicyScope"), AttributeValue: new("MessageBody")})
	require.NoError(t, err)
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicy"), AttributeValue: new(`{"a":{"b":["c"]}}`)})
	require.NoError(t, err)
	got, err := b.svc.GetSubscriptionAttributes(b.ctx, &GetSubscriptionAttributesInput{SubscriptionARN: &sub})
	require.NoError(t, err)
	require.Equal(t, "MessageBody", got.Attributes["FilterPolicyScope"])
	require.Equal(t, "false", got.Attributes["PendingConfirmation"])
}

func TestFIFOTopicDedupAndSequence(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "ord.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	b.MustSubscribe(t, arn, "sqs", queueARN("ord.fifo"), nil)
	first, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("one"), MessageGroupID: new("g")})
	require.NoError(t, err)
	dup, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("one"), MessageGroupID: new("g")})
	require.NoError(t, err)
	require.Equal(t, *first.MessageID, *dup.MessageID, "a duplicate answers the first message's id")
	require.Equal(t, *first.SequenceNumber, *dup.SequenceNumber)
	second, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("two"), MessageGroupID: new("g")})
	require.NoError(t, err)
	require.Less(t, *first.SequenceNumber, *second.SequenceNumber)

	require.Eventually(t, func() bool { return len(b.queues.get(queueARN("ord.fifo"))) == 2 }, 5*time.Second, 10*time.Millisecond)
	msgs := b.queues.get(queueARN("ord.fifo"))
	for i, want := range []string{"one", "two"} {
		env := decodeJSON(t, msgs[i].Body)
		require.Equal(t, want, env["Message"])
		require.NotEmpty(t, env["SequenceNumber"])
		require.Equal(t, "g", msgs[i].GroupID)
		require.NotEmpty(t, msgs[i].DedupID)
	}

	// After the deduplication interval the same content is a new message.
	b.clock.Advance(6 * time.Minute)
	again, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("one"), MessageGroupID: new("g")})
	require.NoError(t, err)
	require.NotEqual(t, *first.MessageID, *again.MessageID)
}

func TestPublishBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "batch", nil)
	b.MustSubscribe(t, arn, "sqs", queueARN("b"), nil)
	entry := func(id, msg string) *PublishBatchRequestEntry {
		return &PublishBatchRequestEntry{ID: &id, Message: &msg}
	}
	// One invalid entry fails the whole batch, as on AWS, and publishes nothing.
	_, err := b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{
		entry("ok1", "a"), entry("bad", ""), entry("ok2", "b"),
	}})
	requireCode(t, err, "InvalidParameter")
	out, err := b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{
		entry("ok1", "a"), entry("ok2", "b"),
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 2)
	require.Empty(t, out.Failed)
	require.Eventually(t, func() bool { return len(b.queues.get(queueARN("b"))) == 2 }, 5*time.Second, 10*time.Millisecond)

	_, err = b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{}})
	requireCode(t, err, "EmptyBatchRequest")
	many := make([]*PublishBatchRequestEntry, 11)
	for i := range many {
		many[i] = entry(string(rune('a'+i)), "x")
	}
	_, err = b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: many})
	requireCode(t, err, "TooManyEntriesInBatchRequest")
	_, err = b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{entry("x", "a"), entry("x", "b")}})
	requireCode(t, err, "BatchEntryIdsNotDistinct")
	_, err = b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{entry("bad id!", "a")}})
	requireCode(t, err, "InvalidBatchEntryId")
	_, err = b.svc.PublishBatch(b.ctx, &PublishBatchInput{TopicARN: &arn, PublishBatchRequestEntries: []*PublishBatchRequestEntry{
		entry("a", strings.Repeat("x", 200000)), entry("b", strings.Repeat("x", 200000)),
	}})
	requireCode(t, err, "BatchRequestTooLong")
}

func TestOutboxDeliveries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "mail", nil)
	out, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("email"), Endpoint: new("a@example.com")})
	require.NoError(t, err)
	require.Equal(t, "pending confirmation", *out.SubscriptionARN)
	b.MustSubscribe(t, arn, "sms", "+15555550100", nil)

	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("hello"), Subject: new("greeting")})
	require.NoError(t, err)
	_, err = b.svc.Publish(b.ctx, &PublishInput{PhoneNumber: new("+15555550199"), Message: new("direct")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		es, err := b.db.SNSOutboxList(b.ctx)
		return err == nil && len(es) == 3
	}, 5*time.Second, 10*time.Millisecond)
	es, err := b.db.SNSOutboxList(b.ctx)
	require.NoError(t, err)
	byEndpoint := map[string]string{}
	for _, e := range es {
		byEndpoint[e.Endpoint] = e.Message
	}
	require.Contains(t, byEndpoint["a@example.com"], "/_overcast/sns/confirm?", "the email gets its confirmation, not the message")
	require.Equal(t, "hello", byEndpoint["+15555550100"])
	require.Equal(t, "direct", byEndpoint["+15555550199"])
}

func TestFilterPolicyLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "limits", nil)
	for i := range maxFilterPoliciesPerTopic {
		b.MustSubscribe(t, arn, "sqs", queueARN(fmt.Sprint("f", i)), map[string]string{"FilterPolicy": `{"a":["b"]}`})
	}
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("sqs"), Endpoint: new(queueARN("over")),
		Attributes: map[string]string{"FilterPolicy": `{"a":["b"]}`}})
	requireCode(t, err, "FilterPolicyLimitExceeded")
	sub := b.MustSubscribe(t, arn, "sqs", queueARN("over"), nil)
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub,
		AttributeName: new("FilterPolicy"), AttributeValue: new(`{"a":["b"]}`)})
	requireCode(t, err, "FilterPolicyLimitExceeded")
}
