package sns_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// A subscribed queue that was deleted is a client-side error: AWS does not retry the
// delivery but moves the message to the subscription's dead-letter queue at once, with
// its group and deduplication ids on a FIFO topic.
func TestDeletedQueueDeadLetters(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c, q := snsClient(s), s.SQS()
	ctx := ctxT(t)
	topic := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true"})
	gone, goneARN := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	dlq, dlqARN := newQueue(t, q, uniqueName(t, "dlq")+".fifo", map[string]string{"FifoQueue": "true"})
	subscribe(t, c, topic, "sqs", goneARN, map[string]string{
		"RawMessageDelivery": "true", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`,
	})
	_, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(gone)})
	require.NoError(t, err)

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("test-message"),
		MessageGroupId: aws.String("message-group-id-1"), MessageDeduplicationId: aws.String("message-deduplication-id-1"),
		MessageAttributes: map[string]types.MessageAttributeValue{"attr1": {DataType: aws.String("Number"), StringValue: aws.String("111")}}})
	require.NoError(t, err)
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), WaitTimeSeconds: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1, "the message reaches the dead-letter queue without the days of retries")
	m := out.Messages[0]
	require.Equal(t, "test-message", aws.ToString(m.Body))
	require.Equal(t, "message-group-id-1", m.Attributes["MessageGroupId"])
	require.Equal(t, "message-deduplication-id-1", m.Attributes["MessageDeduplicationId"])
	require.Equal(t, "111", aws.ToString(m.MessageAttributes["attr1"].StringValue))
}
