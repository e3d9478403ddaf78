package sns_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestFanOutWithFilterPolicies(t *testing.T) {
	t.Parallel()
	runFanOut(t, sharedServer(t))
}

func runFanOut(t *testing.T, srv *harness.Server) {
	c, q := snsClient(srv), srv.SQS()
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	allURL, allARN := newQueue(t, q, uniqueName(t, "all"), nil)
	redURL, redARN := newQueue(t, q, uniqueName(t, "red"), nil)
	bodyURL, bodyARN := newQueue(t, q, uniqueName(t, "body"), nil)
	subscribe(t, c, topic, "sqs", allARN, nil)
	subscribe(t, c, topic, "sqs", redARN, map[string]string{"FilterPolicy": `{"color":["red"],"size":[{"numeric":[">=",10]}]}`})
	subscribe(t, c, topic, "sqs", bodyARN, map[string]string{
		"FilterPolicy": `{"order":{"kind":[{"prefix":"express"}]}}`, "FilterPolicyScope": "MessageBody"})

	publish := func(body, color string, size int) {
		_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"color": {DataType: aws.String("String"), StringValue: aws.String(color)},
				"size":  {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(size))},
			}})
		require.NoError(t, err)
	}
	publish(`{"order":{"kind":"express-1"}}`, "red", 12)
	publish(`{"order":{"kind":"standard"}}`, "red", 3)
	publish(`{"order":{"kind":"express-2"}}`, "blue", 50)

	require.Len(t, receiveAll(t, q, allURL, 3, 10*time.Second), 3)
	red := receiveAll(t, q, redURL, 1, 10*time.Second)
	require.Len(t, red, 1)
	env := decode(t, aws.ToString(red[0].Body))
	require.Equal(t, "Notification", env["Type"])
	require.Equal(t, topic, env["TopicArn"])
	require.Equal(t, `{"order":{"kind":"express-1"}}`, env["Message"])
	require.Equal(t, map[string]any{"Type": "String", "Value": "red"}, env["MessageAttributes"].(map[string]any)["color"])
	for _, k := range []string{"MessageId", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"} {
		require.NotEmpty(t, env[k], k)
	}
	verifySNSSignature(t, srv.HTTPClient(), env)

	body := receiveAll(t, q, bodyURL, 2, 10*time.Second)
	require.Len(t, body, 2)
	// Nothing else arrives: the filtered-out messages were not delivered.
	require.Empty(t, receiveAll(t, q, redURL, 1, 2*time.Second))
}

func TestRawMessageDelivery(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, q := snsClient(srv), srv.SQS()
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	url, arn := newQueue(t, q, uniqueName(t, "raw"), nil)
	sub := subscribe(t, c, topic, "sqs", arn, nil)
	_, err := c.SetSubscriptionAttributes(ctxT(t), &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub),
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	require.NoError(t, err)
	attrs, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.Equal(t, "true", attrs.Attributes["RawMessageDelivery"])
	require.Equal(t, "false", attrs.Attributes["PendingConfirmation"])

	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("just this"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
			"b": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
		}})
	require.NoError(t, err)
	got := receiveAll(t, q, url, 1, 10*time.Second)
	require.Len(t, got, 1)
	require.Equal(t, "just this", aws.ToString(got[0].Body))
	require.Equal(t, "v", aws.ToString(got[0].MessageAttributes["s"].StringValue))
	require.Equal(t, []byte{1, 2, 3}, got[0].MessageAttributes["b"].BinaryValue)
}

func TestFIFOTopicToFIFOQueue(t *testing.T) {
	t.Parallel()
	runFIFO(t, sharedServer(t))
}

func runFIFO(t *testing.T, srv *harness.Server) {
	c, q := snsClient(srv), srv.SQS()
	topic := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true"})
	url, arn := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	subscribe(t, c, topic, "sqs", arn, nil)

	var seqs []string
	for i := range 5 {
		out, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(fmt.Sprint("m", i)),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))})
		require.NoError(t, err)
		require.NotEmpty(t, aws.ToString(out.SequenceNumber))
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	dup, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m0 again"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d0")})
	require.NoError(t, err)
	require.Equal(t, seqs[0], aws.ToString(dup.SequenceNumber), "a duplicate is answered with the original")
	for i := 1; i < len(seqs); i++ {
		require.Less(t, seqs[i-1], seqs[i])
	}

	got := receiveAll(t, q, url, 5, 15*time.Second)
	require.Len(t, got, 5)
	for i, m := range got {
		env := decode(t, aws.ToString(m.Body))
		require.Equal(t, fmt.Sprint("m", i), env["Message"], "order within the group")
		require.Equal(t, seqs[i], env["SequenceNumber"])
	}
	require.Empty(t, receiveAll(t, q, url, 1, 2*time.Second), "the duplicate was not delivered")

	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	requireAPIError(t, err, "InvalidParameter")
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"), MessageGroupId: aws.String("g")})
	requireAPIError(t, err, "InvalidParameter")
}

func TestListSubscriptionsPagination(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := snsClient(srv)
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	for i := range 101 {
		subscribe(t, c, topic, "sqs", fmt.Sprintf("arn:aws:sqs:us-east-1:000000000000:%s-%d", uniqueName(t, "q"), i), nil)
	}
	p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	pages, total := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		require.NoError(t, err)
		pages++
		total += len(out.Subscriptions)
	}
	require.Equal(t, 2, pages)
	require.Equal(t, 101, total)
}

// TestRawDeliveryToMissingQueueIsNotRetried publishes to two raw SQS subscriptions, one
// to a queue that does not exist: the existing queue has its copy when Publish returns (raw
// deliveries to standard queues are stored with the publish). The missing queue is a
// client-side error, which AWS does not retry: the copy goes to the subscription's
// dead-letter queue at once, and a queue created later under that name receives nothing.
// https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
func TestRawDeliveryToMissingQueueIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Clock: "virtual"})
	c, q := snsClient(srv), srv.SQS()
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	raw := map[string]string{"RawMessageDelivery": "true"}
	hereURL, hereARN := newQueue(t, q, uniqueName(t, "here"), nil)
	subscribe(t, c, topic, "sqs", hereARN, raw)
	dlqURL, dlqARN := newQueue(t, q, uniqueName(t, "dlq"), nil)
	laterName := uniqueName(t, "later")
	laterARN := strings.TrimSuffix(hereARN, hereARN[strings.LastIndex(hereARN, ":")+1:]) + laterName
	subscribe(t, c, topic, "sqs", laterARN, map[string]string{
		"RawMessageDelivery": "true", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`,
	})

	_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("to both")})
	require.NoError(t, err)
	out, err := q.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(hereURL), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1, "the copy to an existing standard queue is there when Publish returns")
	require.Equal(t, "to both", aws.ToString(out.Messages[0].Body))

	// No clock movement: the copy reaches the dead-letter queue without a single retry.
	var dead []sqsMessage
	require.Eventually(t, func() bool {
		o, err := q.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlqURL), MaxNumberOfMessages: 10})
		require.NoError(t, err)
		dead = append(dead, o.Messages...)
		return len(dead) > 0
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, "to both", aws.ToString(dead[0].Body))

	laterURL, _ := newQueue(t, q, laterName, nil)
	for range 12 {
		srv.AdvanceClock(t, 5*time.Minute)
	}
	o, err := q.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(laterURL), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Empty(t, o.Messages, "a client-side error is not retried")
}
