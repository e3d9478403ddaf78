package sns_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"
)

const defaultHealthyRetry = `{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"}`

// AWS answers a topic's DeliveryPolicy normalized (null members dropped,
// disableSubscriptionOverrides added) and its EffectiveDeliveryPolicy with SNS's defaults
// filled in.
func TestTopicDeliveryPolicyView(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	arn := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{"FifoTopic": "true",
		"DeliveryPolicy": `{"http":{"defaultRequestPolicy":{"headerContentType":"application/json"}}}`})
	attrs := func() map[string]string {
		out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		require.NoError(t, err)
		return out.Attributes
	}
	set := func(v string) {
		_, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
			AttributeName: aws.String("DeliveryPolicy"), AttributeValue: aws.String(v)})
		require.NoError(t, err)
	}
	a := attrs()
	require.JSONEq(t, `{"http":{"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"application/json"}}}`, a["DeliveryPolicy"])
	require.JSONEq(t, `{"http":{"defaultHealthyRetryPolicy":`+defaultHealthyRetry+`,"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"application/json"}}}`, a["EffectiveDeliveryPolicy"])

	set(`{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":6,"numRetries":1}}}`)
	a = attrs()
	require.JSONEq(t, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":6,"numRetries":1},"disableSubscriptionOverrides":false}}`, a["DeliveryPolicy"])
	require.JSONEq(t, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":6,"numRetries":1,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`, a["EffectiveDeliveryPolicy"])

	set(`{"http":{"defaultHealthyRetryPolicy":null}}`)
	a = attrs()
	require.JSONEq(t, `{"http":{"disableSubscriptionOverrides":false}}`, a["DeliveryPolicy"])
	require.JSONEq(t, `{"http":{"defaultHealthyRetryPolicy":`+defaultHealthyRetry+`,"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`, a["EffectiveDeliveryPolicy"])

	set("")
	a = attrs()
	require.NotContains(t, a, "DeliveryPolicy")
}

// An HTTP/S subscription's DeliveryPolicy comes back with every member (null when unset)
// and its healthyRetryPolicy completed; the effective policy takes the topic's request
// policy when the subscription has none.
func TestSubscriptionDeliveryPolicyView(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	ctx := ctxT(t)
	plain := newTopic(t, c, uniqueName(t, "t"), nil)
	jsonTopic := newTopic(t, c, uniqueName(t, "t"), map[string]string{
		"DeliveryPolicy": `{"http":{"defaultRequestPolicy":{"headerContentType":"application/json"}}}`})
	attrs := func(topic, policy string) map[string]string {
		sub := subscribe(t, c, topic, "http", "http://127.0.0.1:9/sns-endpoint", map[string]string{"DeliveryPolicy": policy})
		out, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
		require.NoError(t, err)
		return out.Attributes
	}

	a := attrs(plain, `{"requestPolicy":{"headerContentType":"text/csv"}}`)
	require.JSONEq(t, `{"healthyRetryPolicy":null,"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/csv"},"guaranteed":false}`, a["DeliveryPolicy"])
	require.JSONEq(t, `{"healthyRetryPolicy":`+defaultHealthyRetry+`,"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/csv"},"guaranteed":false}`, a["EffectiveDeliveryPolicy"])
	require.Equal(t, "true", a["PendingConfirmation"])
	require.Equal(t, "false", a["ConfirmationWasAuthenticated"])

	a = attrs(jsonTopic, `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0},"throttlePolicy":{"maxReceivesPerSecond":1000}}`)
	retry := `{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"}`
	require.JSONEq(t, `{"healthyRetryPolicy":`+retry+`,"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":1000},"requestPolicy":null,"guaranteed":false}`, a["DeliveryPolicy"])
	require.JSONEq(t, `{"healthyRetryPolicy":`+retry+`,"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":1000},"requestPolicy":{"headerContentType":"application/json"},"guaranteed":false}`, a["EffectiveDeliveryPolicy"])
}
