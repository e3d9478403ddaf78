package sns_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The AWS CLI (v1, query protocol) for the common SNS operations.
func TestCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t, "cli")

	var created struct{ TopicArn string }
	srv.MustAWS(t, &created, "sns", "create-topic", "--name", name, "--attributes", "DisplayName=cli", "--tags", "Key=team,Value=core")
	require.True(t, strings.HasSuffix(created.TopicArn, ":"+name))

	var queue struct{ QueueUrl string }
	srv.MustAWS(t, &queue, "sqs", "create-queue", "--queue-name", name)
	var qa struct{ Attributes map[string]string }
	srv.MustAWS(t, &qa, "sqs", "get-queue-attributes", "--queue-url", queue.QueueUrl, "--attribute-names", "QueueArn")

	var sub struct{ SubscriptionArn string }
	srv.MustAWS(t, &sub, "sns", "subscribe", "--topic-arn", created.TopicArn, "--protocol", "sqs",
		"--notification-endpoint", qa.Attributes["QueueArn"], "--attributes", `{"RawMessageDelivery":"true"}`)
	require.True(t, strings.HasPrefix(sub.SubscriptionArn, created.TopicArn+":"))

	var pub struct{ MessageId string }
	srv.MustAWS(t, &pub, "sns", "publish", "--topic-arn", created.TopicArn, "--message", "from the cli",
		"--message-attributes", `{"k":{"DataType":"String","StringValue":"v"}}`)
	require.NotEmpty(t, pub.MessageId)

	var recv struct{ Messages []struct{ Body string } }
	for range 10 {
		srv.MustAWS(t, &recv, "sqs", "receive-message", "--queue-url", queue.QueueUrl, "--wait-time-seconds", "2")
		if len(recv.Messages) > 0 {
			break
		}
	}
	require.Len(t, recv.Messages, 1)
	require.Equal(t, "from the cli", recv.Messages[0].Body)

	var subs struct {
		Subscriptions []struct{ SubscriptionArn, Protocol string }
	}
	srv.MustAWS(t, &subs, "sns", "list-subscriptions-by-topic", "--topic-arn", created.TopicArn)
	require.Len(t, subs.Subscriptions, 1)
	var attrs struct{ Attributes map[string]string }
	srv.MustAWS(t, &attrs, "sns", "get-subscription-attributes", "--subscription-arn", sub.SubscriptionArn)
	require.Equal(t, "true", attrs.Attributes["RawMessageDelivery"])

	srv.MustAWS(t, nil, "sns", "unsubscribe", "--subscription-arn", sub.SubscriptionArn)
	res := srv.AWS(t, "sns", "get-subscription-attributes", "--subscription-arn", sub.SubscriptionArn)
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "NotFound")
	srv.MustAWS(t, nil, "sns", "delete-topic", "--topic-arn", created.TopicArn)
}
