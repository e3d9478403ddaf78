package sns_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// Delivery status logging: with a topic's <Protocol>SuccessFeedbackRoleArn and
// <Protocol>FailureFeedbackRoleArn set, each delivery's outcome is written to CloudWatch
// Logs, in sns/<region>/<account>/<topic name> and .../Failure.
// https://docs.aws.amazon.com/sns/latest/dg/topics-attrib-prereq.html

func logsClient(s *harness.Server) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint()), HTTPClient: s.HTTPClient(), RetryMaxAttempts: 1,
		Credentials: snsClient(s).Options().Credentials,
	})
}

// logRecords polls log group group until it holds at least n events, and returns them
// decoded.
func logRecords(t *testing.T, l *cloudwatchlogs.Client, group string, n int) []map[string]any {
	t.Helper()
	var out []map[string]any
	require.Eventually(t, func() bool {
		o, err := l.FilterLogEvents(ctxT(t), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
		var nf *logstypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return false
		}
		require.NoError(t, err)
		out = out[:0]
		for _, e := range o.Events {
			out = append(out, decode(t, aws.ToString(e.Message)))
		}
		return len(out) >= n
	}, 15*time.Second, 100*time.Millisecond, "log group %s", group)
	return out
}

func TestDeliveryStatusLogging(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, q, l := snsClient(srv), srv.SQS(), logsClient(srv)
	name := uniqueName(t, "t")
	topic := newTopic(t, c, name, nil)
	role := "arn:aws:iam::000000000000:role/SNSFeedback"
	for k, v := range map[string]string{
		"SQSSuccessFeedbackRoleArn": role, "SQSSuccessFeedbackSampleRate": "100", "SQSFailureFeedbackRoleArn": role,
	} {
		_, err := c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String(k), AttributeValue: aws.String(v)})
		require.NoError(t, err)
	}
	_, err := c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("SQSSuccessFeedbackSampleRate"), AttributeValue: aws.String("150")})
	requireAPIError(t, err, "InvalidParameter")

	// One raw subscription (stored in the publish's write), one enveloped (a delivery job),
	// and one to a queue that does not exist.
	_, rawARN := newQueue(t, q, uniqueName(t, "raw"), nil)
	_, envARN := newQueue(t, q, uniqueName(t, "env"), nil)
	goneARN := rawARN[:strings.LastIndex(rawARN, ":")+1] + uniqueName(t, "gone")
	subscribe(t, c, topic, "sqs", rawARN, map[string]string{"RawMessageDelivery": "true"})
	subscribe(t, c, topic, "sqs", envARN, nil)
	subscribe(t, c, topic, "sqs", goneARN, nil)

	out, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello")})
	require.NoError(t, err)

	group := "sns/us-east-1/000000000000/" + name
	ok := logRecords(t, l, group, 2)
	dests := map[string]bool{}
	for _, r := range ok {
		require.Equal(t, "SUCCESS", r["status"])
		n := r["notification"].(map[string]any)
		require.Equal(t, aws.ToString(out.MessageId), n["messageId"])
		require.Equal(t, topic, n["topicArn"])
		require.Equal(t, "5d41402abc4b2a76b9719d911017c592", n["messageMD5Sum"], "MD5 of the message")
		d := r["delivery"].(map[string]any)
		require.EqualValues(t, 200, d["statusCode"])
		require.NotEmpty(t, d["deliveryId"])
		require.Contains(t, d, "dwellTimeMs")
		require.EqualValues(t, 1, d["attempts"])
		dests[d["destination"].(string)] = true
	}
	require.Equal(t, map[string]bool{rawARN: true, envARN: true}, dests)

	failed := logRecords(t, l, group+"/Failure", 1)
	require.Equal(t, "FAILURE", failed[0]["status"])
	d := failed[0]["delivery"].(map[string]any)
	require.Equal(t, goneARN, d["destination"])
	require.NotEmpty(t, d["providerResponse"])
}
