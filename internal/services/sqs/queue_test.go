package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

func TestListQueues(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, n := range []string{"b", "a", "ab", "c"} {
		b.MustCreate(t, n, nil)
	}
	_, err := b.svc.CreateQueue(callContext(b.ctx, "210987654321"), &CreateQueueInput{QueueName: str("a-other-account")})
	require.NoError(t, err)
	url := func(n string) string { return "http://localhost:4566/123456789012/" + n }

	all, err := b.svc.ListQueues(b.ctx, &ListQueuesInput{})
	require.NoError(t, err)
	require.Equal(t, []string{url("a"), url("ab"), url("b"), url("c")}, all.QueueURLs)
	require.Nil(t, all.NextToken)

	pre, err := b.svc.ListQueues(b.ctx, &ListQueuesInput{QueueNamePrefix: str("a")})
	require.NoError(t, err)
	require.Equal(t, []string{url("a"), url("ab")}, pre.QueueURLs)

	var got []string
	var token *string
	for {
		page, err := b.svc.ListQueues(b.ctx, &ListQueuesInput{MaxResults: i32(3), NextToken: token})
		require.NoError(t, err)
		got = append(got, page.QueueURLs...)
		if page.NextToken == nil {
			break
		}
		token = page.NextToken
	}
	require.Equal(t, all.QueueURLs, got)

	_, err = b.svc.ListQueues(b.ctx, &ListQueuesInput{MaxResults: i32(0)})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.ListQueues(b.ctx, &ListQueuesInput{MaxResults: i32(1001)})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.ListQueues(b.ctx, &ListQueuesInput{NextToken: str("!!")})
	RequireCode(t, err, "InvalidParameterValue")

	// Queues are per region.
	west := protocol.WithCall(b.ctx, &protocol.Call{Account: testAccount, Region: "eu-west-1", Host: "localhost:4566", Scheme: "http"})
	none, err := b.svc.ListQueues(west, &ListQueuesInput{})
	require.NoError(t, err)
	require.Empty(t, none.QueueURLs)
}

func TestGetQueueURLAndCrossAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mine := b.MustCreate(t, "shared", nil)
	got, err := b.svc.GetQueueUrl(b.ctx, &GetQueueUrlInput{QueueName: str("shared")})
	require.NoError(t, err)
	require.Equal(t, mine, *got.QueueURL)
	_, err = b.svc.GetQueueUrl(b.ctx, &GetQueueUrlInput{QueueName: str("missing")})
	perr := RequireCode(t, err, "QueueDoesNotExist")
	require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", perr.WireQueryCode())

	// Another account reaches the queue by owner id and by URL.
	other := callContext(b.ctx, "210987654321")
	theirs, err := b.svc.GetQueueUrl(other, &GetQueueUrlInput{QueueName: str("shared"), QueueOwnerAWSAccountID: str(testAccount)})
	require.NoError(t, err)
	require.Equal(t, mine, *theirs.QueueURL)
	_, err = b.svc.GetQueueUrl(other, &GetQueueUrlInput{QueueName: str("shared")})
	RequireCode(t, err, "QueueDoesNotExist")
	_, err = b.svc.SendMessage(other, &SendMessageInput{QueueURL: &mine, MessageBody: str("from afar")})
	require.NoError(t, err)
	msgs := b.MustReceive(t, mine, &ReceiveMessageInput{MessageSystemAttributeNames: []string{"SenderId"}})
	require.Equal(t, "210987654321", msgs[0].Attributes["SenderId"])

	// Any URL form names the queue.
	for _, u := range []string{
		"http://sqs.us-east-1.localhost:4566/123456789012/shared",
		"https://sqs.us-east-1.amazonaws.com/123456789012/shared",
		"http://127.0.0.1:9999/123456789012/shared",
	} {
		_, err := b.svc.GetQueueAttributes(b.ctx, &GetQueueAttributesInput{QueueURL: &u})
		require.NoError(t, err, u)
	}
	_, err = b.svc.GetQueueAttributes(b.ctx, &GetQueueAttributesInput{QueueURL: str("shared")})
	RequireCode(t, err, "InvalidAddress")
}

func TestHostStyleURLs(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{URLStyle: URLStyleHost})
	url := b.MustCreate(t, "q", nil)
	require.Equal(t, "http://sqs.us-east-1.localhost:4566/123456789012/q", url)
	path := "http://localhost:4566/123456789012/q"
	b.MustSend(t, path, "path style still works")
	require.Len(t, b.MustReceive(t, url, nil), 1)
}

func TestDeleteQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	b.MustSend(t, url, "x")
	_, err := b.svc.DeleteQueue(b.ctx, &DeleteQueueInput{QueueURL: &url})
	require.NoError(t, err)
	_, err = b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str("x")})
	RequireCode(t, err, "QueueDoesNotExist")
	_, err = b.svc.DeleteQueue(b.ctx, &DeleteQueueInput{QueueURL: &url})
	RequireCode(t, err, "QueueDoesNotExist")

	_, err = b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("q")})
	RequireCode(t, err, "QueueDeletedRecently")
	b.clock.Advance(60 * time.Second)
	again := b.MustCreate(t, "q", nil)
	require.Equal(t, url, again)
	require.Equal(t, "0", b.attrs(t, again)["ApproximateNumberOfMessages"], "the new queue starts empty")

	// The cooldown can be turned off.
	nb := setup(t, Config{DeletedQueueCooldown: -1})
	u := nb.MustCreate(t, "q", nil)
	_, err = nb.svc.DeleteQueue(nb.ctx, &DeleteQueueInput{QueueURL: &u})
	require.NoError(t, err)
	nb.MustCreate(t, "q", nil)
}

func TestPurgeQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	b.MustSend(t, url, "a")
	b.MustSend(t, url, "b")
	b.MustReceive(t, url, nil)
	_, err := b.svc.PurgeQueue(b.ctx, &PurgeQueueInput{QueueURL: &url})
	require.NoError(t, err)
	a := b.attrs(t, url)
	require.Equal(t, "0", a["ApproximateNumberOfMessages"])
	require.Equal(t, "0", a["ApproximateNumberOfMessagesNotVisible"], "in-flight messages are purged too")
	b.clock.Advance(59 * time.Second)
	_, err = b.svc.PurgeQueue(b.ctx, &PurgeQueueInput{QueueURL: &url})
	perr := RequireCode(t, err, "PurgeQueueInProgress")
	require.Equal(t, "Only one PurgeQueue operation on q is allowed every 60 seconds.", perr.Message)
	b.clock.Advance(time.Second)
	_, err = b.svc.PurgeQueue(b.ctx, &PurgeQueueInput{QueueURL: &url})
	require.NoError(t, err)
}

func TestTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("q"), Tags: map[string]string{"team": "a", "env": "dev"}})
	require.NoError(t, err)
	url := *out.QueueURL
	tags := func() map[string]string {
		out, err := b.svc.ListQueueTags(b.ctx, &ListQueueTagsInput{QueueURL: &url})
		require.NoError(t, err)
		return out.Tags
	}
	require.Equal(t, map[string]string{"team": "a", "env": "dev"}, tags())
	_, err = b.svc.TagQueue(b.ctx, &TagQueueInput{QueueURL: &url, Tags: map[string]string{"team": "b", "cost": ""}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "b", "env": "dev", "cost": ""}, tags())
	_, err = b.svc.UntagQueue(b.ctx, &UntagQueueInput{QueueURL: &url, TagKeys: []string{"env", "absent"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "b", "cost": ""}, tags())
	_, err = b.svc.UntagQueue(b.ctx, &UntagQueueInput{QueueURL: &url, TagKeys: []string{"team", "cost"}})
	require.NoError(t, err)
	require.Nil(t, tags())

	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = b.svc.TagQueue(b.ctx, &TagQueueInput{QueueURL: &url, Tags: many})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.TagQueue(b.ctx, &TagQueueInput{QueueURL: &url, Tags: map[string]string{}})
	RequireCode(t, err, "MissingParameter")
	_, err = b.svc.TagQueue(b.ctx, &TagQueueInput{QueueURL: str("http://localhost:4566/123456789012/nope"), Tags: map[string]string{"a": "b"}})
	RequireCode(t, err, "QueueDoesNotExist")
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	add := func(label string, accounts, actions []string) error {
		_, err := b.svc.AddPermission(b.ctx, &AddPermissionInput{QueueURL: &url, Label: &label, AWSAccountIDs: accounts, Actions: actions})
		return err
	}
	require.NoError(t, add("send", []string{"111122223333"}, []string{"SendMessage"}))
	require.NoError(t, add("consume", []string{"111122223333", "444455556666"}, []string{"ReceiveMessage", "DeleteMessage"}))
	var doc struct {
		Version   string
		ID        string `json:"Id"`
		Statement []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(b.attrs(t, url)["Policy"]), &doc))
	require.Equal(t, "2008-10-17", doc.Version)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:q/SQSDefaultPolicy", doc.ID)
	require.Equal(t, []map[string]any{
		{"Sid": "send", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, "Action": "SQS:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"},
		{"Sid": "consume", "Effect": "Allow", "Principal": map[string]any{"AWS": []any{"arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"}},
			"Action": []any{"SQS:ReceiveMessage", "SQS:DeleteMessage"}, "Resource": "arn:aws:sqs:us-east-1:123456789012:q"},
	}, doc.Statement)

	RequireCode(t, add("send", []string{"111122223333"}, []string{"SendMessage"}), "InvalidParameterValue")
	RequireCode(t, add("x", []string{"111122223333"}, []string{"CreateQueue"}), "InvalidParameterValue")
	RequireCode(t, add("y", []string{"111122223333"}, []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"}), "OverLimit")
	RequireCode(t, add("bad label!", []string{"111122223333"}, []string{"SendMessage"}), "InvalidParameterValue")
	RequireCode(t, add("z", []string{"nope"}, []string{"SendMessage"}), "InvalidParameterValue")

	remove := func(label string) error {
		_, err := b.svc.RemovePermission(b.ctx, &RemovePermissionInput{QueueURL: &url, Label: &label})
		return err
	}
	require.NoError(t, remove("send"))
	RequireCode(t, remove("send"), "InvalidParameterValue")
	require.NoError(t, remove("consume"))
	require.NotContains(t, b.attrs(t, url), "Policy", "an empty policy is removed")
}

func TestValidationErrorFunc(t *testing.T) {
	t.Parallel()
	op := Info.Find("CreateQueue")
	in := &CreateQueueInput{}
	New(Deps{}) // installs the function
	err := protocol.Validate(Info, op, in)
	require.Equal(t, "MissingParameter", err.WireQueryCode())
	require.Equal(t, "MissingRequiredParameterException", err.Code, "the JSON type AWS answers")
	require.Equal(t, "The request must contain the parameter QueueName.", err.Message)

	rin := &ReceiveMessageInput{QueueURL: str("u"), MessageSystemAttributeNames: []string{"Bogus"}}
	err = protocol.Validate(Info, Info.Find("ReceiveMessage"), rin)
	require.Equal(t, "InvalidAttributeName", err.Code)
	require.Equal(t, "Unknown Attribute Bogus.", err.Message)
	gin := &GetQueueAttributesInput{QueueURL: str("u"), AttributeNames: []string{"Bogus"}}
	err = protocol.Validate(Info, Info.Find("GetQueueAttributes"), gin)
	require.Equal(t, "InvalidAttributeName", err.Code)
}

func TestPrepareQueueURLFromPath(t *testing.T) {
	t.Parallel()
	call := &protocol.Call{Scheme: "http", Host: "localhost:4566", Path: "/123456789012/q", Protocol: protocol.Query}
	in := &SendMessageInput{MessageBody: str("x")}
	prepare(call, Info.Find("SendMessage"), in)
	require.Equal(t, "http://localhost:4566/123456789012/q", *in.QueueURL)

	given := &SendMessageInput{QueueURL: str("http://localhost:4566/123456789012/other")}
	prepare(call, Info.Find("SendMessage"), given)
	require.Equal(t, "http://localhost:4566/123456789012/other", *given.QueueURL, "an explicit QueueUrl wins")

	root := &SendMessageInput{}
	prepare(&protocol.Call{Path: "/"}, Info.Find("SendMessage"), root)
	require.Nil(t, root.QueueURL)

	list := &ListQueuesInput{}
	prepare(call, Info.Find("ListQueues"), list)
	require.Nil(t, list.QueueNamePrefix)
}

func TestCallWithoutIdentity(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.CreateQueue(context.Background(), &CreateQueueInput{QueueName: str("q")})
	require.NoError(t, err)
	require.Equal(t, "http://localhost:4566/000000000000/q", *out.QueueURL)
}

func TestStopBeforeStartAndTwice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.svc.Stop()
	b.svc.Stop()
	require.NoError(t, b.svc.Start(b.ctx), "a stopped service does not start again, quietly")
	c := setup(t)
	require.NoError(t, c.svc.Start(c.ctx))
	c.svc.Stop()
	c.svc.Stop()
}
