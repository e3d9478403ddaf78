package sns_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/require"
)

// requireAPIMessage asserts err is the API error code with exactly message.
func requireAPIMessage(t *testing.T, err error, code, message string) {
	t.Helper()
	ae := requireAPIError(t, err, code)
	require.Equal(t, message, ae.ErrorMessage())
}

// AWS counts the ":"-separated elements of an ARN too short to be one, and names the
// parameter alone for an ARN that cannot name a topic of the caller's region.
func TestMalformedTopicARN(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := snsClient(s)
	ctx := ctxT(t)

	_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("test-topic")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("test:topic"), Message: aws.String("x")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2")
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(""), Message: aws.String("x")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000"),
		Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5")

	// A topic of another region: AWS answers InvalidParameter, not NotFound.
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	west := sns.New(sns.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(s.Endpoint()), HTTPClient: s.HTTPClient(), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	_, err = west.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn")
	_, err = west.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn")
	_, err = west.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TopicArn")
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err, "a rejected cross-region DeleteTopic deletes nothing")
}

// Unsubscribe is idempotent on AWS; malformed ARNs are named precisely.
func TestUnsubscribeIdempotentAndMalformed(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	q := sharedServer(t).SQS()
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	_, qarn := newQueue(t, q, uniqueName(t, "q"), nil)
	sub := subscribe(t, c, arn, "sqs", qarn, nil)

	for i := range 2 {
		_, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(sub)})
		require.NoError(t, err, "unsubscribe %d", i+1)
	}
	_, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn + ":aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")})
	require.NoError(t, err, "a subscription that never existed")

	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("randomstring")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1")
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("arn:aws:sns:us-east-1:random")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5")
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("arn:aws:sns:us-east-1:000000000000:random")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: SubscriptionId")
}

func TestTagDuplicateKeys(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	_, err := c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{
		{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("k2"), Value: aws.String("v2")},
		{Key: aws.String("k2"), Value: aws.String("v2")},
	}})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.")
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	require.Empty(t, tags.Tags, "a rejected TagResource adds nothing")
}

func TestPublishToMissingPlatformEndpoint(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	_, err := c.Publish(ctxT(t), &sns.PublishInput{Message: aws.String("x"),
		TargetArn: aws.String("arn:aws:sns:us-east-1:000000000000:endpoint/APNS/abcdef/0f7d5971-aa8b-4bd5-b585-0826e9f93a66")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified")
}

// AWS answers each message attribute mistake with its own ParameterValueInvalid message,
// for Publish and for PublishBatch alike (where it fails the whole request).
func TestMessageAttributeErrors(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	str := func(s string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
	}
	tests := []struct {
		name  string
		attrs map[string]types.MessageAttributeValue
		want  string
	}{
		{"string in binary field", map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("String"), BinaryValue: []byte("x")}},
			"The message attribute 'attr1' with type 'String' must use field 'String'."},
		{"number in binary field", map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("Number"), BinaryValue: []byte("1")}},
			"The message attribute 'attr1' with type 'Number' must use field 'String'."},
		{"binary in string field", map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("Binary"), StringValue: aws.String("x")}},
			"The message attribute 'attr1' with type 'Binary' must use field 'Binary'."},
		{"missing binary", map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("Binary")}},
			"The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'."},
		{"invalid type", map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("Integer"), StringValue: aws.String("1")}},
			"The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"name too long", map[string]types.MessageAttributeValue{strings.Repeat("a", 257): str("x")},
			"Length of message attribute name must be less than 256 bytes."},
		{"invalid character", map[string]types.MessageAttributeValue{"a^b": str("x")},
			"Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."},
		{"leading dot", map[string]types.MessageAttributeValue{".ab": str("x")},
			"Invalid message attribute name starting with character '.' was found."},
		{"trailing dot", map[string]types.MessageAttributeValue{"ab.": str("x")},
			"Invalid message attribute name ending with character '.' was found."},
		{"successive dots", map[string]types.MessageAttributeValue{"a..b": str("x")},
			"Message attribute name can not have successive '.' character."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x"), MessageAttributes: tt.attrs})
			requireAPIMessage(t, err, "ParameterValueInvalid", tt.want)
			_, err = c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
				{Id: aws.String("1"), Message: aws.String("x"), MessageAttributes: tt.attrs},
			}})
			requireAPIMessage(t, err, "ParameterValueInvalid", tt.want)
		})
	}
}

// PublishBatch validates every entry before publishing any: one invalid entry fails the
// request with that entry's error.
func TestPublishBatchInvalidEntryFailsRequest(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	ctx := ctxT(t)
	fifo := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true"})
	queueURL, qarn := newQueue(t, q, uniqueName(t, "q"), nil)
	subscribe(t, c, fifo, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})

	entry := func(id string, fn func(e *types.PublishBatchRequestEntry)) types.PublishBatchRequestEntry {
		e := types.PublishBatchRequestEntry{Id: aws.String(id), Message: aws.String("m" + id),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d" + id)}
		if fn != nil {
			fn(&e)
		}
		return e
	}
	_, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		entry("1", nil), entry("2", func(e *types.PublishBatchRequestEntry) { e.MessageGroupId = nil }),
	}})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		entry("1", nil), entry("2", func(e *types.PublishBatchRequestEntry) { e.MessageDeduplicationId = nil }),
	}})
	requireAPIMessage(t, err, "InvalidParameter",
		"Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		entry("1", nil), entry("2", func(e *types.PublishBatchRequestEntry) {
			e.Message, e.MessageStructure = aws.String(`{"sqs":"x"}`), aws.String("json")
		}),
	}})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body")

	out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(fifo), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		entry("1", nil), entry("2", nil),
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 2)
	require.Empty(t, out.Failed)
	got := receiveAll(t, q, queueURL, 2, 10*time.Second)
	require.Len(t, got, 2, "only the valid batch was published")
	require.Equal(t, "m1", aws.ToString(got[0].Body))
}

// AWS's wording for invalid subscription attributes: a dead-letter target that is not an
// ARN, and JSON that does not parse (the parser's message, the document redacted).
func TestSubscriptionAttributeErrors(t *testing.T) {
	t.Parallel()
	qs := newQueueSub(t)
	c, arn, qarn, ctx := qs.c, qs.topic, qs.queue, ctxT(t)
	set := func(name, value string) error { return qs.set(t, name, value) }
	requireAPIMessage(t, set("RedrivePolicy", `{"deadLetterTargetArn": "fake-arn"}`), "InvalidParameter",
		"Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn")
	const parseFailure = "failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name\n" +
		" at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]"
	requireAPIMessage(t, set("RedrivePolicy", "{invalidjson}"), "InvalidParameter", "Invalid parameter: RedrivePolicy: "+parseFailure)
	requireAPIMessage(t, set("FilterPolicy", "{invalidjson}"), "InvalidParameter", "Invalid parameter: FilterPolicy: "+parseFailure)

	requireAPIMessage(t, set("FakeAttribute", "x"), "InvalidParameter", "Invalid parameter: AttributeName")
	requireAPIMessage(t, set("RawMessageDelivery", "test-ValUe"), "InvalidParameter",
		"Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.")
	requireAPIMessage(t, set("RawMessageDelivery", ""), "InvalidParameter",
		"Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.")

	// In Subscribe, AWS names the Attributes parameter.
	_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
		Attributes: map[string]string{"RawMessageDelivery": "wrongvalue"}})
	requireAPIMessage(t, err, "InvalidParameter",
		"Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.")

	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"), Endpoint: aws.String("invalid-number")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid SMS endpoint: invalid-number")
}

// FIFO queues subscribe only to FIFO topics, and their subscriptions to a FIFO topic need
// a FIFO dead-letter queue; a standard queue on a FIFO topic may use a standard one.
func TestFIFOSubscriptionRules(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	ctx := ctxT(t)
	standard := newTopic(t, c, uniqueName(t, "t"), nil)
	fifo := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true"})
	_, fifoQueue := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	_, stdQueue := newQueue(t, q, uniqueName(t, "q"), nil)

	_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(standard), Protocol: aws.String("sqs"), Endpoint: aws.String(fifoQueue)})
	requireAPIMessage(t, err, "InvalidParameter",
		"Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")

	redrive := `{"deadLetterTargetArn":"` + stdQueue + `"}`
	stdSub := subscribe(t, c, fifo, "sqs", stdQueue, nil)
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(stdSub),
		AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String(redrive)})
	require.NoError(t, err)
	fifoSub := subscribe(t, c, fifo, "sqs", fifoQueue, nil)
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(fifoSub),
		AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String(redrive)})
	requireAPIMessage(t, err, "InvalidParameter",
		"Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
}

// ConfirmSubscription: a token SNS could not have issued is "Invalid token"; an unknown
// one, or one for a topic that does not exist, is "Invalid parameter: Token". The
// SubscribeURL names a malformed topic ARN "Topic".
func TestConfirmSubscriptionTokenErrors(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := snsClient(s)
	ctx := ctxT(t)
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	token := strings.Repeat("51b2ff3edb475b7d", 16)

	_, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn[:len(arn)-1] + "i"), Token: aws.String(token)})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: Token")
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("randomtoken")})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid token")
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token)})
	requireAPIMessage(t, err, "InvalidParameter", "Invalid parameter: Token")

	resp, err := s.HTTPClient().Get(s.Endpoint() + "/_overcast/sns/confirm?" + url.Values{"TopicArn": {"not-an-arn"}, "Token": {token}}.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "<Message>Invalid parameter: Topic</Message>")
	require.Regexp(t, `<RequestId>[0-9a-f-]{36}</RequestId>`, string(body), "AWS's ErrorResponse carries the request id")
}

// A FIFO topic's notifications carry a SequenceNumber and no signature fields.
func TestFIFONotificationEnvelope(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	fifo := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	queueURL, qarn := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	subscribe(t, c, fifo, "sqs", qarn, nil)
	_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(fifo), Message: aws.String("Test"), MessageGroupId: aws.String("g")})
	require.NoError(t, err)
	got := receiveAll(t, q, queueURL, 1, 10*time.Second)
	require.Len(t, got, 1)
	var env map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got[0].Body)), &env))
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"}, keys)
}

// Message attributes count towards the 256 KiB limit of a whole batch.
func TestPublishBatchTooLongWithAttributes(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	const half = 128 * 1024
	_, err := c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("1"), Message: aws.String(strings.Repeat("a", half))},
		{Id: aws.String("2"), Message: aws.String(strings.Repeat("a", half-10)), MessageAttributes: map[string]types.MessageAttributeValue{
			"attr1": {DataType: aws.String("String"), StringValue: aws.String("abcdefghijklmnopqrstuvwxyz")}}},
	}})
	requireAPIMessage(t, err, "BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
}

// AddPermission grants only SNS topic actions; anything else is InvalidParameter and
// leaves the policy as it was.
func TestAddPermissionUnknownAction(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	before, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = c.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: aws.String(arn), Label: aws.String("l1"),
		AWSAccountId: []string{"123456789012"}, ActionName: []string{"Publish", "FlyAway"}})
	requireAPIError(t, err, "InvalidParameter")
	after, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.JSONEq(t, before.Attributes["Policy"], after.Attributes["Policy"])
}

// CreatePlatformEndpoint is idempotent for the same token and attributes; with other
// attributes AWS refuses, naming the existing endpoint in the message its mobile token
// guide tells apps to match.
// https://docs.aws.amazon.com/sns/latest/dg/mobile-platform-endpoint.html
func TestCreatePlatformEndpointSameTokenOtherAttributes(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	app, err := c.CreatePlatformApplication(ctx, &sns.CreatePlatformApplicationInput{Name: aws.String(uniqueName(t, "app")),
		Platform: aws.String("GCM"), Attributes: map[string]string{"PlatformCredential": "key"}})
	require.NoError(t, err)
	create := func(data string) (*sns.CreatePlatformEndpointOutput, error) {
		return c.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: app.PlatformApplicationArn,
			Token: aws.String("device-token-1"), CustomUserData: aws.String(data)})
	}
	first, err := create("u1")
	require.NoError(t, err)
	again, err := create("u1")
	require.NoError(t, err)
	require.Equal(t, aws.ToString(first.EndpointArn), aws.ToString(again.EndpointArn))

	_, err = create("u2")
	ae := requireAPIError(t, err, "InvalidParameter")
	m := regexp.MustCompile(`.*Endpoint (arn:aws:sns[^ ]+) already exists with the same [Tt]oken.*`).FindStringSubmatch(ae.ErrorMessage())
	require.NotNil(t, m, ae.ErrorMessage())
	require.Equal(t, aws.ToString(first.EndpointArn), m[1])
}
