package sns_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"
)

// spaced writes a compact JSON document as Python's json.dumps does, with a space after
// each ':' and ',' outside strings.
func spaced(compact string) string {
	var b strings.Builder
	in, esc := false, false
	for _, r := range compact {
		b.WriteRune(r)
		switch {
		case esc:
			esc = false
		case in && r == '\\':
			esc = true
		case r == '"':
			in = !in
		case !in && (r == ':' || r == ','):
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// AWS reads a filter policy back from its compact form before checking it, so its
// messages quote and count columns in that form whatever spacing the caller sent.
func TestFilterPolicyRecordedErrors(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := snsClient(s)
	ctx := ctxT(t)
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	const pre = "Invalid parameter: Attributes Reason: FilterPolicy: "
	at := func(doc string, col int) string {
		return "\n at [Source: (String)\"" + doc + "\"; line: 1, column: " + strconv.Itoa(col) + "]"
	}
	tests := []struct {
		doc, scope, want string
	}{
		{`{"key":[["value"]]}`, "", pre + "Match value must be String, number, true, false, or null" + at(`{"key":[["value"]]}`, 10)},
		{`{"key":[{"wrong-operator":true}]}`, "", pre + "Unrecognized match type wrong-operator" + at(`{"key":[{"wrong-operator":true}]}`, 31)},
		{`{"key":[{"suffix":"value","prefix":"value2"}]}`, "", pre + "Only one key allowed in match expression" + at(`{"key":[{"suffix":"value","prefix":"value2"}]}`, 37)},
		{`{"key":[{"suffix":100}]}`, "", pre + "suffix match pattern must be a string" + at(`{"key":[{"suffix":100}]}`, 22)},
		{`{"key":{"not-an-operator":"value"}}`, "", pre + `"not-an-operator" must be an object or an array` + at(`{"key":{"not-an-operator":"value"}}`, 28)},
		{`{"key":[{"numeric":[]}]}`, "", pre + "Invalid member in numeric match: ]" + at(`{"key":[{"numeric":[]}]}`, 22)},
		{`{"key":[{"numeric":["<",100,">",10]}]}`, "", pre + "Too many elements in numeric expression" + at(`{"key":[{"numeric":["<",100,">",10]}]}`, 30)},
		{`{"key":[{"numeric":[">",3,"<",1]}]}`, "", pre + "Bottom must be less than top" + at(`{"key":[{"numeric":[">",3,"<",1]}]}`, 33)},
		{`{"key":[{"numeric":[">",20,30]}]}`, "", pre + "Bad value in numeric range: 30" + at(`{"key":[{"numeric":[">",20,30]}]}`, 30)},
		{`{"key":[{"exists":"no"}]}`, "", pre + "exists match pattern must be either true or false." + at(`{"key":[{"exists":"no"}]}`, 20)},
		{`{"key":[{"anything-but":{"suffix":"test"}}]}`, "", pre + "Unsupported anything-but pattern: suffix" + at(`{"key":[{"anything-but":{"suffix":"test"}}]}`, 36)},
		{`{"key":[{"anything-but":{"prefix":false}}]}`, "", pre + "prefix match pattern must be a string" + at(`{"key":[{"anything-but":{"prefix":false}}]}`, 40)},
		{`{"key1":["value1"],"key2":["value2"],"key3":["value3"],"key4":["value4"],"key5":["value5"],"key6":["value6"]}`, "", pre + "Filter policy can not have more than 5 keys"},
		// (3 x 4 x 2) + (3 x 4 x 6) + (2 x 4 x 2) + (2 x 4 x 6) = 160 combinations.
		{`{"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service","Test"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}}`,
			"MessageBody", pre + "Filter policy is too complex"},
	}
	for _, tt := range tests {
		attrs := map[string]string{"FilterPolicy": spaced(tt.doc)}
		if tt.scope != "" {
			attrs["FilterPolicyScope"] = tt.scope
		}
		_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sms"),
			Endpoint: aws.String("+123123123"), Attributes: attrs})
		requireAPIMessage(t, err, "InvalidParameter", tt.want)
	}

	// 150 combinations is the limit, not over it.
	sub := subscribe(t, c, arn, "sms", "+123123123", map[string]string{"FilterPolicyScope": "MessageAttributes",
		"FilterPolicy": spaced(`{"source":["aws.cloudwatch","aws.events","aws.test"],"$or":[{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}`)})
	require.NotEmpty(t, sub)
}

// queueSub is a queue subscribed to a new topic on the shared server.
type queueSub struct {
	c                 *sns.Client
	topic, queue, arn string
}

func newQueueSub(t *testing.T) *queueSub {
	t.Helper()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	_, qarn := newQueue(t, q, uniqueName(t, "q"), nil)
	return &queueSub{c: c, topic: topic, queue: qarn, arn: subscribe(t, c, topic, "sqs", qarn, nil)}
}

// set calls SetSubscriptionAttributes on the subscription.
func (qs *queueSub) set(t *testing.T, name, value string) error {
	_, err := qs.c.SetSubscriptionAttributes(t.Context(), &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(qs.arn),
		AttributeName: aws.String(name), AttributeValue: aws.String(value)})
	return err
}

// SetSubscriptionAttributes words the same failures without the Attributes prefix, and
// the stored policy keeps the caller's spacing.
func TestFilterPolicySetAttributeErrors(t *testing.T) {
	t.Parallel()
	qs := newQueueSub(t)
	c, sub, ctx := qs.c, qs.arn, ctxT(t)
	set := func(name, value string) error { return qs.set(t, name, value) }
	nested := spaced(`{"object":{"key":[{"prefix":"auto-"}]}}`)
	requireAPIMessage(t, set("FilterPolicy", nested), "InvalidParameter",
		"Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy")
	requireAPIMessage(t, set("FilterPolicyScope", "RandomValue"), "InvalidParameter",
		"Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes")
	// AWS lists FilterPolicyScope only once the subscription has a filter policy.
	out, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.NotContains(t, out.Attributes, "FilterPolicyScope")
	require.NoError(t, set("FilterPolicyScope", "MessageBody"))
	out, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.NotContains(t, out.Attributes, "FilterPolicyScope")
	require.NoError(t, set("FilterPolicy", nested))
	out, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.Equal(t, nested, out.Attributes["FilterPolicy"])
	require.Equal(t, "MessageBody", out.Attributes["FilterPolicyScope"])

	// 3 x 4 x 2 x 3 x 1 x 3 = 216 combinations.
	requireAPIMessage(t, set("FilterPolicy", spaced(`{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},"key_d":{"key_e":["value_one","value_two","value_three"]},"key_f":["value_one","value_two","value_three"]}`)),
		"InvalidParameter", "Invalid parameter: FilterPolicy: Filter policy is too complex")
	requireAPIMessage(t, set("FilterPolicy", spaced(`{"key_a":["value_one"],"key_b":["value_two"],"key_c":["value_three"],"key_d":["value_four"],"key_e":["value_five"],"key_f":["value_six"]}`)),
		"InvalidParameter", "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys")
	requireAPIMessage(t, set("FilterPolicy", spaced(`{"key_a":"value_one"}`)), "InvalidParameter",
		"Invalid parameter: FilterPolicy: \"key_a\" must be an object or an array\n at [Source: (String)\"{\"key_a\":\"value_one\"}\"; line: 1, column: 11]")
}

// AWS delivers to a MessageBody-scoped subscription only the bodies its nested policy
// matches; a body that is not a JSON object matches nothing.
func TestFilterPolicyMessageBodyDelivery(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	arn := newTopic(t, c, uniqueName(t, "t"), nil)
	qurl, qarn := newQueue(t, q, uniqueName(t, "q"), nil)
	subscribe(t, c, arn, "sqs", qarn, map[string]string{
		"FilterPolicyScope":  "MessageBody",
		"FilterPolicy":       spaced(`{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`),
		"RawMessageDelivery": "true",
	})
	for _, body := range []string{
		`{"object": {"key": "test-auto"}}`,
		`{"object": {"key": "auto-test"}, "test": "just-exists"}`,
		`{"object": {"key": "auto-test", "nested_key": "just-exists"}}`,
		`{"object": {"test": "auto-test"}}`,
		`{"test": "auto-test"}`,
		`Regular string message`,
		`"Regular string message"`,
		`{"object": {"key": "auto-test"}}`,
		`{"object": {"key": "hardcodedvalue"}}`,
	} {
		_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(body)})
		require.NoError(t, err)
	}
	got := receiveAll(t, q, qurl, 3, 3*time.Second)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	require.ElementsMatch(t, []string{`{"object": {"key": "auto-test"}}`, `{"object": {"key": "hardcodedvalue"}}`}, bodies)
}
