package protocol_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/services/sns"
)

type fakeSNS struct {
	sns.UnimplementedAPI
	mu        sync.Mutex
	published *sns.PublishInput
	created   *sns.CreateTopicInput
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput) (*sns.PublishOutput, error) {
	f.mu.Lock()
	f.published = in
	f.mu.Unlock()
	return &sns.PublishOutput{MessageID: ptr("95df01b4-ee98-5cb9-9903-4c221d41eb5e"), SequenceNumber: ptr("10000000000000003000")}, nil
}

func (f *fakeSNS) CreateTopic(_ context.Context, in *sns.CreateTopicInput) (*sns.CreateTopicOutput, error) {
	f.mu.Lock()
	f.created = in
	f.mu.Unlock()
	return &sns.CreateTopicOutput{TopicARN: ptr("arn:aws:sns:us-east-1:000000000000:" + *in.Name)}, nil
}

func (f *fakeSNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput) (*sns.GetTopicAttributesOutput, error) {
	if *in.TopicARN == "arn:aws:sns:us-east-1:000000000000:missing" {
		return nil, sns.NewNotFoundException("Topic does not exist")
	}
	return &sns.GetTopicAttributesOutput{Attributes: map[string]string{
		"TopicArn":    *in.TopicARN,
		"DisplayName": "a & <b>",
		"Policy":      `{"Version":"2012-10-17"}`,
	}}, nil
}

func (f *fakeSNS) ListTopics(context.Context, *sns.ListTopicsInput) (*sns.ListTopicsOutput, error) {
	return &sns.ListTopicsOutput{
		Topics:    []*sns.Topic{{TopicARN: ptr("arn:aws:sns:us-east-1:000000000000:a")}, {TopicARN: ptr("arn:aws:sns:us-east-1:000000000000:b")}},
		NextToken: ptr("next"),
	}, nil
}

func (f *fakeSNS) ListTagsForResource(context.Context, *sns.ListTagsForResourceInput) (*sns.ListTagsForResourceOutput, error) {
	return &sns.ListTagsForResourceOutput{Tags: []*sns.Tag{}}, nil
}

func TestSDKSNSQuery(t *testing.T) {
	t.Parallel()
	fake := &fakeSNS{}
	srv := startEdge(t, sns.Info, fake)
	client := awssns.New(awssns.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
	})
	ctx := t.Context()

	pub, err := client.Publish(ctx, &awssns.PublishInput{
		TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:t.fifo"),
		Message:  aws.String("{\"default\": \"x & y\"}\n"),
		Subject:  aws.String("subj"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte("\x00\xffbin")},
		},
		MessageStructure: aws.String("json"),
		MessageGroupId:   aws.String("grp"),
	})
	require.NoError(t, err)
	require.Equal(t, "95df01b4-ee98-5cb9-9903-4c221d41eb5e", aws.ToString(pub.MessageId))
	require.Equal(t, "10000000000000003000", aws.ToString(pub.SequenceNumber))
	fake.mu.Lock()
	in := fake.published
	fake.mu.Unlock()
	require.Equal(t, "arn:aws:sns:us-east-1:000000000000:t.fifo", *in.TopicARN)
	require.Equal(t, "{\"default\": \"x & y\"}\n", *in.Message)
	require.Equal(t, "subj", *in.Subject)
	require.Equal(t, "json", *in.MessageStructure)
	require.Equal(t, "grp", *in.MessageGroupID)
	require.Len(t, in.MessageAttributes, 2)
	require.Equal(t, "blue", *in.MessageAttributes["color"].StringValue)
	require.Equal(t, []byte("\x00\xffbin"), in.MessageAttributes["blob"].BinaryValue)

	created, err := client.CreateTopic(ctx, &awssns.CreateTopicInput{
		Name:       aws.String("orders"),
		Attributes: map[string]string{"DisplayName": "Orders", "FifoTopic": "false"},
		Tags:       []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("")}},
	})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:000000000000:orders", aws.ToString(created.TopicArn))
	fake.mu.Lock()
	ct := fake.created
	fake.mu.Unlock()
	require.Equal(t, map[string]string{"DisplayName": "Orders", "FifoTopic": "false"}, ct.Attributes)
	require.Len(t, ct.Tags, 2)
	require.Equal(t, "team", *ct.Tags[0].Key)
	require.Equal(t, "", *ct.Tags[1].Value)

	attrs, err := client.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:orders")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:orders", "DisplayName": "a & <b>", "Policy": `{"Version":"2012-10-17"}`,
	}, attrs.Attributes)

	list, err := client.ListTopics(ctx, &awssns.ListTopicsInput{})
	require.NoError(t, err)
	require.Len(t, list.Topics, 2)
	require.Equal(t, "arn:aws:sns:us-east-1:000000000000:b", aws.ToString(list.Topics[1].TopicArn))
	require.Equal(t, "next", aws.ToString(list.NextToken))

	tags, err := client.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: aws.String("arn")})
	require.NoError(t, err)
	require.Empty(t, tags.Tags)

	_, err = client.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:missing")})
	var nf *snstypes.NotFoundException
	require.ErrorAs(t, err, &nf)
	require.Equal(t, "Topic does not exist", nf.ErrorMessage())
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "NotFound", apiErr.ErrorCode())
	require.Equal(t, smithy.FaultClient, apiErr.ErrorFault())

	_, err = client.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: aws.String("arn")})
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "NotImplemented", apiErr.ErrorCode())
}
