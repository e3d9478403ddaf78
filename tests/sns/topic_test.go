package sns_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/require"
)

func TestTopicCRUD(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	name := uniqueName(t, "t")
	arn := newTopic(t, c, name, map[string]string{"DisplayName": "Orders"})
	require.Equal(t, "arn:aws:sns:us-east-1:000000000000:"+name, arn)
	require.Equal(t, arn, newTopic(t, c, name, map[string]string{"DisplayName": "Orders"}), "CreateTopic is idempotent")

	_, err := c.CreateTopic(ctxT(t), &sns.CreateTopicInput{Name: aws.String(name), Attributes: map[string]string{"DisplayName": "Other"}})
	requireAPIError(t, err, "InvalidParameter")

	found := false
	p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		require.NoError(t, err)
		for _, tp := range out.Topics {
			found = found || aws.ToString(tp.TopicArn) == arn
		}
	}
	require.True(t, found, "ListTopics lists the topic")

	_, err = c.DeleteTopic(ctxT(t), &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	requireAPIError(t, err, "NotFound")
	_, err = c.DeleteTopic(ctxT(t), &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err, "deleting a missing topic succeeds")
}

func TestTopicAttributesAndTags(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	arn := newTopic(t, c, uniqueName(t, "a")+".fifo", map[string]string{"FifoTopic": "true"})
	out, err := c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	for _, k := range []string{"TopicArn", "Owner", "Policy", "SubscriptionsConfirmed", "SubscriptionsPending",
		"SubscriptionsDeleted", "EffectiveDeliveryPolicy", "FifoTopic", "ContentBasedDeduplication"} {
		require.Contains(t, out.Attributes, k)
	}
	require.Equal(t, "true", out.Attributes["FifoTopic"])

	for name, value := range map[string]string{
		"DisplayName": "Shown", "ContentBasedDeduplication": "true", "SignatureVersion": "2",
		"TracingConfig": "Active", "KmsMasterKeyId": "alias/aws/sns", "ArchivePolicy": `{"MessageRetentionPeriod":"7"}`,
		"HTTPSuccessFeedbackRoleArn": "arn:aws:iam::000000000000:role/r", "HTTPSuccessFeedbackSampleRate": "10",
		"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":4,"minDelayTarget":1,"maxDelayTarget":2}}}`,
	} {
		_, err := c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String(name), AttributeValue: aws.String(value)})
		require.NoError(t, err, name)
	}
	out, err = c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, "Shown", out.Attributes["DisplayName"])
	require.Equal(t, "2", out.Attributes["SignatureVersion"])
	require.Contains(t, out.Attributes["EffectiveDeliveryPolicy"], `"numRetries":4`)

	_, err = c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Bogus"), AttributeValue: aws.String("1")})
	requireAPIError(t, err, "InvalidParameter")

	_, err = c.TagResource(ctxT(t), &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	tags, err := c.ListTagsForResource(ctxT(t), &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}, tags.Tags)
	_, err = c.UntagResource(ctxT(t), &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})
	require.NoError(t, err)

	_, err = c.AddPermission(ctxT(t), &sns.AddPermissionInput{TopicArn: aws.String(arn), Label: aws.String("pub"),
		AWSAccountId: []string{"111122223333"}, ActionName: []string{"Publish"}})
	require.NoError(t, err)
	_, err = c.RemovePermission(ctxT(t), &sns.RemovePermissionInput{TopicArn: aws.String(arn), Label: aws.String("pub")})
	require.NoError(t, err)
}

func TestErrorPaths(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	missing := "arn:aws:sns:us-east-1:000000000000:" + uniqueName(t, "missing")
	_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(missing), Message: aws.String("x")})
	requireAPIError(t, err, "NotFound")
	_, err = c.CreateTopic(ctxT(t), &sns.CreateTopicInput{Name: aws.String("bad name")})
	requireAPIError(t, err, "InvalidParameter")

	arn := newTopic(t, c, uniqueName(t, "e"), nil)
	big := make([]byte, 262145)
	for i := range big {
		big[i] = 'x'
	}
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(string(big))})
	requireAPIError(t, err, "InvalidParameter")
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("{"), MessageStructure: aws.String("json")})
	requireAPIError(t, err, "InvalidParameter")
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`{"sqs":"x"}`), MessageStructure: aws.String("json")})
	requireAPIError(t, err, "InvalidParameter")
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("abc")}}})
	requireAPIError(t, err, "ParameterValueInvalid")
	attrs := map[string]types.MessageAttributeValue{}
	for i := range 11 {
		attrs[fmt.Sprint("a", i)] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
	}
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x"), MessageAttributes: attrs})
	requireAPIError(t, err, "InvalidParameter")

	_, err = c.Subscribe(ctxT(t), &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:q"), Attributes: map[string]string{"FilterPolicy": `{"a":"b"}`}})
	ae := requireAPIError(t, err, "InvalidParameter")
	require.Contains(t, ae.ErrorMessage(), "Invalid parameter: Attributes Reason: ")
	subs, err := c.ListSubscriptionsByTopic(ctxT(t), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Empty(t, subs.Subscriptions, "a rejected Subscribe creates nothing")

	_, err = c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn + ":4c4f1ea4-6d3c-4d5e-8a8e-1f9b0e9e2f11")})
	requireAPIError(t, err, "NotFound")
	_, err = c.ConfirmSubscription(ctxT(t), &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("nope")})
	requireAPIError(t, err, "InvalidParameter")
}

func TestPublishBatchErrors(t *testing.T) {
	t.Parallel()
	c := snsClient(sharedServer(t))
	arn := newTopic(t, c, uniqueName(t, "b"), nil)
	entry := func(id, msg string) types.PublishBatchRequestEntry {
		return types.PublishBatchRequestEntry{Id: aws.String(id), Message: aws.String(msg)}
	}
	// AWS validates every entry before publishing any: one invalid entry fails the request.
	_, err := c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		entry("one", "a"), entry("two", "b"),
		{Id: aws.String("three"), Message: aws.String("c"), MessageAttributes: map[string]types.MessageAttributeValue{
			"n": {DataType: aws.String("Number"), StringValue: aws.String("NaNx")}}},
	}})
	requireAPIError(t, err, "ParameterValueInvalid")

	many := make([]types.PublishBatchRequestEntry, 11)
	for i := range many {
		many[i] = entry(fmt.Sprint("e", i), "x")
	}
	_, err = c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: many})
	requireAPIError(t, err, "TooManyEntriesInBatchRequest")
	_, err = c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{entry("x", "a"), entry("x", "b")}})
	requireAPIError(t, err, "BatchEntryIdsNotDistinct")
	_, err = c.PublishBatch(ctxT(t), &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{entry("no spaces", "a")}})
	requireAPIError(t, err, "InvalidBatchEntryId")
}
