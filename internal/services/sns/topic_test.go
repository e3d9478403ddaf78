package sns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateTopicNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name     string
		topic    string
		attrs    map[string]string
		wantCode string
	}{
		{"plain", "orders", nil, ""},
		{"fifo", "orders.fifo", map[string]string{"FifoTopic": "true"}, ""},
		{"fifo suffix without attribute", "x.fifo", nil, "InvalidParameter"},
		{"fifo attribute without suffix", "x", map[string]string{"FifoTopic": "true"}, "InvalidParameter"},
		{"bad characters", "a b", nil, "InvalidParameter"},
		{"too long", strings.Repeat("a", 257), nil, "InvalidParameter"},
		{"unknown attribute", "y", map[string]string{"Nope": "1"}, "InvalidParameter"},
		{"content dedup on standard", "z", map[string]string{"ContentBasedDeduplication": "true"}, "InvalidParameter"},
		{"bad signature version", "w", map[string]string{"SignatureVersion": "3"}, "InvalidParameter"},
		{"bad max size", "v", map[string]string{"MaximumMessageSize": "100"}, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: &tt.topic, Attributes: tt.attrs})
			if tt.wantCode != "" {
				requireCode(t, err, tt.wantCode)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "arn:aws:sns:us-east-1:123456789012:"+tt.topic, *out.TopicARN)
		})
	}
}

func TestCreateTopicIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "same", map[string]string{"DisplayName": "a"})
	require.Equal(t, arn, b.MustTopic(t, "same", map[string]string{"DisplayName": "a"}))
	require.Equal(t, arn, b.MustTopic(t, "same", nil))
	_, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: new("same"), Attributes: map[string]string{"DisplayName": "b"}})
	requireCode(t, err, "InvalidParameter")
}

func TestTopicAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "attrs.fifo", map[string]string{"FifoTopic": "true"})
	b.MustSubscribe(t, arn, "sqs", queueARN("q.fifo"), nil)
	b.MustSubscribe(t, arn, "https", "https://example.com/hook", nil)

	got, err := b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &arn})
	require.NoError(t, err)
	a := got.Attributes
	require.Equal(t, arn, a["TopicArn"])
	require.Equal(t, testAccount, a["Owner"])
	require.Equal(t, "1", a["SubscriptionsConfirmed"])
	require.Equal(t, "1", a["SubscriptionsPending"])
	require.Equal(t, "0", a["SubscriptionsDeleted"])
	require.Equal(t, "true", a["FifoTopic"])
	require.Equal(t, "false", a["ContentBasedDeduplication"])
	require.Contains(t, a["Policy"], arn)
	require.Contains(t, a["EffectiveDeliveryPolicy"], "defaultHealthyRetryPolicy")

	set := func(name, value string) error {
		_, err := b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &arn, AttributeName: &name, AttributeValue: &value})
		return err
	}
	require.NoError(t, set("DisplayName", "Shown"))
	require.NoError(t, set("ContentBasedDeduplication", "true"))
	require.NoError(t, set("ArchivePolicy", `{"MessageRetentionPeriod":"30"}`))
	require.NoError(t, set("DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":2,"maxDelayTarget":4}}}`))
	require.NoError(t, set("SQSSuccessFeedbackSampleRate", "50"))
	requireCode(t, set("FifoTopic", "false"), "InvalidParameter")
	requireCode(t, set("Bogus", "1"), "InvalidParameter")
	requireCode(t, set("DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":1}}}`), "InvalidParameter")
	requireCode(t, set("TracingConfig", "Sometimes"), "InvalidParameter")

	got, err = b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &arn})
	require.NoError(t, err)
	require.Equal(t, "Shown", got.Attributes["DisplayName"])
	require.Equal(t, "true", got.Attributes["ContentBasedDeduplication"])
	require.Contains(t, got.Attributes["EffectiveDeliveryPolicy"], `"numRetries":5`)

	missing := "arn:aws:sns:us-east-1:123456789012:missing"
	_, err = b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &missing})
	requireCode(t, err, "NotFound")
	_, err = b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: new("not-an-arn")})
	requireCode(t, err, "InvalidParameter")
}

func TestTagsAndPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "tagged", nil)
	_, err := b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &arn, Tags: []*Tag{{Key: new("b"), Value: new("2")}, {Key: new("a"), Value: new("1")}}})
	require.NoError(t, err)
	_, err = b.svc.UntagResource(b.ctx, &UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"b"}})
	require.NoError(t, err)
	tags, err := b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: &arn})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	require.Equal(t, "a", *tags.Tags[0].Key)
	_, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: new(arn + "-gone")})
	requireCode(t, err, "ResourceNotFound")
	many := make([]*Tag, 51)
	for i := range many {
		many[i] = &Tag{Key: new(fmt.Sprint("k", i)), Value: new("v")}
	}
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &arn, Tags: many})
	requireCode(t, err, "TagLimitExceeded")

	_, err = b.svc.AddPermission(b.ctx, &AddPermissionInput{TopicARN: &arn, Label: new("p1"), AWSAccountID: []string{"111122223333"}, ActionName: []string{"Publish"}})
	require.NoError(t, err)
	_, err = b.svc.AddPermission(b.ctx, &AddPermissionInput{TopicARN: &arn, Label: new("p1"), AWSAccountID: []string{"111122223333"}, ActionName: []string{"Publish"}})
	requireCode(t, err, "InvalidParameter")
	got, err := b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &arn})
	require.NoError(t, err)
	require.Contains(t, got.Attributes["Policy"], `"Sid":"p1"`)
	_, err = b.svc.RemovePermission(b.ctx, &RemovePermissionInput{TopicARN: &arn, Label: new("p1")})
	require.NoError(t, err)
	got, err = b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &arn})
	require.NoError(t, err)
	require.NotContains(t, got.Attributes["Policy"], `"Sid":"p1"`)
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "many", nil)
	for i := range 105 {
		b.MustSubscribe(t, arn, "sqs", queueARN(fmt.Sprint("q", i)), nil)
	}
	seen := map[string]bool{}
	var tok *string
	pages := 0
	for {
		out, err := b.svc.ListSubscriptionsByTopic(b.ctx, &ListSubscriptionsByTopicInput{TopicARN: &arn, NextToken: tok})
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(out.Subscriptions), 100)
		for _, s := range out.Subscriptions {
			seen[*s.SubscriptionARN] = true
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	require.Equal(t, 2, pages)
	require.Len(t, seen, 105)

	all, err := b.svc.ListSubscriptions(b.ctx, &ListSubscriptionsInput{})
	require.NoError(t, err)
	require.Len(t, all.Subscriptions, 100)
	require.NotNil(t, all.NextToken)

	_, err = b.svc.DeleteTopic(b.ctx, &DeleteTopicInput{TopicARN: &arn})
	require.NoError(t, err)
	_, err = b.svc.ListSubscriptionsByTopic(b.ctx, &ListSubscriptionsByTopicInput{TopicARN: &arn})
	requireCode(t, err, "NotFound")
}

func TestSubscribeAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "again", nil)
	first := b.MustSubscribe(t, arn, "sqs", queueARN("a"), map[string]string{"RawMessageDelivery": "true"})
	require.Equal(t, first, b.MustSubscribe(t, arn, "sqs", queueARN("a"), nil))
	require.Equal(t, first, b.MustSubscribe(t, arn, "sqs", queueARN("a"), map[string]string{"RawMessageDelivery": "true"}))
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("sqs"), Endpoint: new(queueARN("a")),
		Attributes: map[string]string{"RawMessageDelivery": "false"}})
	requireCode(t, err, "InvalidParameter")
}

func TestResetKeepsSigningKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	before := string(b.svc.signer.cert())
	b.MustTopic(t, "gone", nil)
	require.NoError(t, b.db.Reset(b.ctx, "sns"))
	b.svc.Reset()
	stored, err := b.db.SNSRecordGet(b.ctx, "", "", signingKind, signingName)
	require.NoError(t, err)
	require.Contains(t, stored, strings.TrimSpace(before), "the same certificate stays valid after a reset")
	_, err = b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: new("arn:aws:sns:us-east-1:123456789012:gone")})
	requireCode(t, err, "NotFound")
}
