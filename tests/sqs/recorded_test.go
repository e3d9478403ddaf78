package sqs_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// Behaviours pinned by responses recorded against AWS: exact error codes, messages and
// statuses for requests whose outcome the API reference leaves open.

// TestFifoQueueAttributeRules: FifoQueue is an unknown attribute on standard queues, even
// with the value "false", and cannot change on FIFO queues.
func TestFifoQueueAttributeRules(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"FifoQueue": "true"}})
	requireInvalidAttributeName(t, err, "SetQueueAttributes FifoQueue on a standard queue")
	require.Equal(t, "Unknown Attribute FifoQueue.", apiMessage(t, err))

	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "std")), Attributes: map[string]string{"FifoQueue": "false"}})
	requireInvalidAttributeName(t, err, "CreateQueue of a standard queue with FifoQueue false")
	require.Equal(t, "Unknown Attribute FifoQueue.", apiMessage(t, err))

	f := newFIFOQueue(t, c, nil)
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(f), Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err, "FifoQueue true on a FIFO queue changes nothing")
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(f), Attributes: map[string]string{"FifoQueue": "false"}})
	requireInvalidAttributeValue(t, err, "SetQueueAttributes FifoQueue false on a FIFO queue")
	require.Equal(t, "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.", apiMessage(t, err))
	require.Equal(t, "true", queueAttrs(t, c, f, types.QueueAttributeNameFifoQueue)["FifoQueue"])
}

// TestRedrivePolicyTargetNotAnARN: a deadLetterTargetArn that is no ARN is refused before
// any lookup, quoting the policy as sent.
func TestRedrivePolicyTargetNotAnARN(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	policy := `{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}`
	_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "")), Attributes: map[string]string{"RedrivePolicy": policy}})
	requireInvalidParameterValue(t, err, "RedrivePolicy with a dummy target")
	require.Equal(t, "Value "+policy+" for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.", apiMessage(t, err))
}

// TestPermissionLifecycleDocument: the policy AddPermission writes (2008-10-17 policy
// language, one statement per label, a lone principal as a string) and the errors for
// labels.
func TestPermissionLifecycleDocument(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	arn := queueArn(t, c, u)
	add := func(label string, accounts ...string) error {
		_, err := c.AddPermission(ctx(t), &sqs.AddPermissionInput{QueueUrl: aws.String(u), Label: aws.String(label), AWSAccountIds: accounts, Actions: []string{"ReceiveMessage"}})
		return err
	}
	policy := func() map[string]any {
		raw, ok := queueAttrs(t, c, u, types.QueueAttributeNamePolicy)["Policy"]
		if !ok {
			return nil
		}
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(raw), &doc), raw)
		return doc
	}
	statement := func(sid string, principal any) map[string]any {
		return map[string]any{"Sid": sid, "Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": "SQS:ReceiveMessage", "Resource": arn}
	}

	require.NoError(t, add("crossaccountpermission", defaultAccount, "668614515564"))
	doc := policy()
	require.Equal(t, "2008-10-17", doc["Version"])
	require.Equal(t, arn+"/SQSDefaultPolicy", doc["Id"])
	require.Equal(t, []any{statement("crossaccountpermission", []any{"arn:aws:iam::" + defaultAccount + ":root", "arn:aws:iam::668614515564:root"})}, doc["Statement"])

	_, err := c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u), Label: aws.String("crossaccountpermission")})
	require.NoError(t, err)
	require.Nil(t, policy(), "removing the last statement removes the Policy attribute")

	require.NoError(t, add("crossaccountpermission", defaultAccount))
	err = add("crossaccountpermission", "668614515564")
	requireInvalidParameterValue(t, err, "AddPermission with a label that exists")
	require.Equal(t, "Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.", apiMessage(t, err))
	require.NoError(t, add("crossaccountpermission2", defaultAccount))
	require.Equal(t, []any{
		statement("crossaccountpermission", "arn:aws:iam::"+defaultAccount+":root"),
		statement("crossaccountpermission2", "arn:aws:iam::"+defaultAccount+":root"),
	}, policy()["Statement"])

	for _, label := range []string{"crossaccountpermission", "crossaccountpermission2"} {
		_, err = c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u), Label: aws.String(label)})
		require.NoError(t, err, "RemovePermission %s", label)
	}
	require.Nil(t, policy())
	_, err = c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u), Label: aws.String("crossaccountpermission2")})
	requireInvalidParameterValue(t, err, "RemovePermission on a queue without a policy")
	require.Equal(t, "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find label.", apiMessage(t, err))
}

// TestChangeVisibilityWithAnyHandle: on a standard queue ChangeMessageVisibility accepts a
// handle of an earlier receive, and a deleted message is InvalidParameterValue.
func TestChangeVisibilityWithAnyHandle(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	// The queue's VisibilityTimeout 0 makes the first receive end at once (the Go SDK does
	// not send a zero VisibilityTimeout on ReceiveMessage).
	u := newQueue(t, c, map[string]string{"VisibilityTimeout": "0"})
	send(t, c, u, "test")
	first, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), WaitTimeSeconds: 2})
	require.NoError(t, err)
	require.Len(t, first.Messages, 1)
	second, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), VisibilityTimeout: 30})
	require.NoError(t, err)
	require.Len(t, second.Messages, 1)

	// The first handle ends the second receive's visibility.
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: first.Messages[0].ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err, "ChangeMessageVisibility with the handle of an earlier receive")
	third := receiveN(t, c, u, 1)[0]

	deleteMsg(t, c, u, third)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 42})
	requireInvalidParameterValue(t, err, "ChangeMessageVisibility of a deleted message")
	require.Equal(t, "Value "+aws.ToString(third.ReceiptHandle)+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", apiMessage(t, err))

	// Deleting it again is harmless.
	deleteMsg(t, c, u, third)
	deleteMsg(t, c, u, third)
}

// TestFIFODeleteWithExpiredReceiptHandle: on a FIFO queue a handle whose visibility timeout
// ended no longer deletes: InvalidParameterValue, and the message stays.
func TestFIFODeleteWithExpiredReceiptHandle(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newFIFOQueue(t, c, map[string]string{"VisibilityTimeout": "1", "ContentBasedDeduplication": "true"})
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("g1-m1"), MessageGroupId: aws.String("1")})
	require.NoError(t, err)
	m := receiveN(t, c, u, 1)[0]
	srv.AdvanceClock(t, 2*time.Second)

	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle})
	requireInvalidParameterValue(t, err, "DeleteMessage with an expired FIFO receipt handle")
	want := "Value " + aws.ToString(m.ReceiptHandle) + " for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
	require.Equal(t, want, apiMessage(t, err))

	out, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("expired"), ReceiptHandle: m.ReceiptHandle},
	}})
	require.NoError(t, err)
	require.Empty(t, out.Successful)
	require.Len(t, out.Failed, 1)
	require.Equal(t, "InvalidParameterValue", aws.ToString(out.Failed[0].Code))
	require.Equal(t, want, aws.ToString(out.Failed[0].Message))
	require.True(t, out.Failed[0].SenderFault)

	again := receiveN(t, c, u, 1)[0]
	require.Equal(t, aws.ToString(m.MessageId), aws.ToString(again.MessageId), "the message was kept")
	deleteMsg(t, c, u, again)
}

// TestQueryNonExistentQueueWording: the query API words QueueDoesNotExist as it always
// has; the JSON API without the "wsdl" part.
func TestQueryNonExistentQueueWording(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	_, err := c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)

	const wsdl = "The specified queue does not exist for this wsdl version."
	doc := queryError(t, srv, u, map[string]string{"Action": "GetQueueAttributes", "AttributeName.1": "QueueArn"}, http.StatusBadRequest, "AWS.SimpleQueueService.NonExistentQueue")
	require.Equal(t, wsdl, doc.get("Error/Message"))
	doc = queryError(t, srv, srv.Endpoint()+"/", map[string]string{"Action": "GetQueueUrl", "QueueName": name}, http.StatusBadRequest, "AWS.SimpleQueueService.NonExistentQueue")
	require.Equal(t, wsdl, doc.get("Error/Message"))

	_, err = c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u)})
	requireQueueDoesNotExist(t, err, "GetQueueAttributes of a deleted queue")
	require.Equal(t, "The specified queue does not exist.", apiMessage(t, err))
	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "GetQueueUrl of a deleted queue")
	require.Equal(t, "The specified queue does not exist.", apiMessage(t, err))
}

// TestQueryServiceActionsAtQueueURL: query actions that name no queue are refused at a
// queue's URL; GetQueueUrl works there, for any queue.
func TestQueryServiceActionsAtQueueURL(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	u1 := newQueue(t, c, nil)
	name2 := uniqueName(t, "2")
	u2 := createQueue(t, c, name2, nil)

	doc := queryError(t, srv, u1, map[string]string{"Action": "CreateQueue", "QueueName": uniqueName(t, "new")}, http.StatusBadRequest, "InvalidAction")
	require.Equal(t, "The action CreateQueue is not valid for this endpoint.", doc.get("Error/Message"))
	doc = queryError(t, srv, u1, map[string]string{"Action": "ListQueues"}, http.StatusBadRequest, "InvalidAction")
	require.Equal(t, "The action ListQueues is not valid for this endpoint.", doc.get("Error/Message"))

	doc = query(t, srv, u1, map[string]string{"Action": "GetQueueUrl", "QueueName": name2})
	require.Equal(t, u2, doc.get("GetQueueUrlResult/QueueUrl"))
}

// apiMessage returns the error message a client reads from err.
func apiMessage(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want an API error, got %v", err)
	return ae.ErrorMessage()
}

// TestJSONErrorTypes: over the JSON protocol AWS names each error by its type in __type
// and by its query code in x-amzn-query-error, which clients report as the code. The
// errors the model does not list have types of their own.
func TestJSONErrorTypes(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := newQueue(t, srv.SQS(), nil)
	name := uniqueName(t, "dup")
	createQueue(t, srv.SQS(), name, map[string]string{"DelaySeconds": "1"})
	tests := []struct {
		op        string
		body      map[string]any
		typ       string
		queryCode string
	}{
		{"ReceiveMessage", map[string]any{"QueueUrl": u, "MaxNumberOfMessages": 11}, "InvalidParameterValueException", "InvalidParameterValue"},
		{"SendMessage", map[string]any{"QueueUrl": u}, "MissingRequiredParameterException", "MissingParameter"},
		{"CreateQueue", map[string]any{"QueueName": name, "Attributes": map[string]string{"DelaySeconds": "2"}}, "QueueNameExists", "QueueAlreadyExists"},
		{"GetQueueUrl", map[string]any{"QueueName": name + "-missing"}, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"},
		{"GetQueueAttributes", map[string]any{"QueueUrl": u, "AttributeNames": []string{"Foobar"}}, "InvalidAttributeName", "InvalidAttributeName"},
	}
	for _, tt := range tests {
		status, h, body := rawJSON(t, srv, tt.op, tt.body)
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", tt.op, body)
		require.Equal(t, "com.amazonaws.sqs#"+tt.typ, body["__type"], "%s: %v", tt.op, body)
		require.Equal(t, tt.queryCode+";Sender", h.Get("x-amzn-query-error"), tt.op)
	}
}

// TestReceiveMessageAttributeNameFilterAnswers: what each MessageAttributeNames filter
// answers over the JSON protocol, with the digests AWS answers for them.
func TestReceiveMessageAttributeNameFilterAnswers(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	u := newQueue(t, c, map[string]string{"VisibilityTimeout": "0"})
	out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("msg"), MessageAttributes: map[string]types.MessageAttributeValue{
		"Help.Me": {DataType: aws.String("String"), StringValue: aws.String("Me")},
		"Hello":   {DataType: aws.String("String"), StringValue: aws.String("There")},
		"General": {DataType: aws.String("String"), StringValue: aws.String("Kenobi")},
	}})
	require.NoError(t, err)
	require.Equal(t, "4c360f3fdafd970e05fae2f149d997f5", aws.ToString(out.MD5OfMessageAttributes))
	require.Equal(t, "6e2baaf3b97dbeef01c0043275f9a0e7", aws.ToString(out.MD5OfMessageBody))

	tests := []struct {
		filter []string
		names  []string // nil: no MessageAttributes member at all
		md5    string
	}{
		{[]string{}, nil, ""},
		{[]string{"All"}, []string{"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
		{[]string{"*"}, []string{"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
		{[]string{".*"}, []string{"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
		{[]string{"Foo", "Help"}, []string{}, ""},
		{[]string{"Hello", "General"}, []string{"General", "Hello"}, "fca026605781cb4126a1e9044df24232"},
		{[]string{"Foo", "Hello"}, []string{"Hello"}, "a311262e065454b75da111d535b8dacd"},
		{[]string{"Hel.*"}, []string{"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"},
		{[]string{"AWS."}, nil, ""},
		{[]string{"..foo"}, nil, ""},
	}
	for _, tt := range tests {
		var msg map[string]any
		waitFor(t, 10*time.Second, func() bool {
			status, _, body := rawJSON(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": u, "MessageAttributeNames": tt.filter})
			require.Equal(t, http.StatusOK, status, "%v", body)
			msgs, _ := body["Messages"].([]any)
			if len(msgs) == 0 {
				return false
			}
			msg = msgs[0].(map[string]any)
			return true
		}, "receive with filter %v", tt.filter)
		attrs, present := msg["MessageAttributes"].(map[string]any)
		if tt.names == nil {
			require.False(t, present, "filter %v: no MessageAttributes: %v", tt.filter, msg)
		} else {
			require.True(t, present, "filter %v: MessageAttributes present: %v", tt.filter, msg)
			got := []string{}
			for k := range attrs {
				got = append(got, k)
			}
			require.ElementsMatch(t, tt.names, got, "filter %v", tt.filter)
		}
		if tt.md5 == "" {
			require.NotContains(t, msg, "MD5OfMessageAttributes", "filter %v", tt.filter)
		} else {
			require.Equal(t, tt.md5, msg["MD5OfMessageAttributes"], "filter %v", tt.filter)
		}
	}
}

// TestListQueuesNoMatchLeavesOutQueueUrls: with no queue to list AWS answers no QueueUrls
// member at all, and ListQueueTags of an untagged queue no Tags.
func TestListQueuesNoMatchLeavesOutQueueUrls(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	status, _, body := rawJSON(t, srv, "ListQueues", map[string]any{"QueueNamePrefix": uniqueName(t, "none")})
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.NotContains(t, body, "QueueUrls", "%v", body)
	u := newQueue(t, srv.SQS(), nil)
	status, _, body = rawJSON(t, srv, "ListQueueTags", map[string]any{"QueueUrl": u})
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.NotContains(t, body, "Tags", "%v", body)
}

// TestFIFOBatchWithoutGroupOrDeduplicationID: one FIFO entry without MessageGroupId, or
// without a deduplication id on a queue without content-based deduplication, fails the
// whole SendMessageBatch with InvalidParameterValue; nothing is sent.
func TestFIFOBatchWithoutGroupOrDeduplicationID(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, map[string]string{"ContentBasedDeduplication": "false"})
	valid := types.SendMessageBatchRequestEntry{Id: aws.String("m1"), MessageBody: aws.String("messageBody"), MessageGroupId: aws.String("test-group"), MessageDeduplicationId: aws.String("dedup-1")}

	_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.SendMessageBatchRequestEntry{
		valid, {Id: aws.String("m2"), MessageBody: aws.String("messageBody"), MessageDeduplicationId: aws.String("dedup-2")},
	}})
	requireInvalidParameterValue(t, err, "batch entry without MessageGroupId")
	require.Equal(t, "The request must contain the parameter MessageGroupId.", apiMessage(t, err))

	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.SendMessageBatchRequestEntry{
		valid, {Id: aws.String("m2"), MessageBody: aws.String("messageBody"), MessageGroupId: aws.String("test-group")},
	}})
	requireInvalidParameterValue(t, err, "batch entry without MessageDeduplicationId")
	require.Equal(t, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly", apiMessage(t, err))
	require.Equal(t, "0", queueAttrs(t, c, u, types.QueueAttributeNameApproximateNumberOfMessages)["ApproximateNumberOfMessages"], "nothing was sent")
}

// TestBatchSizeLimitIgnoresQueueMaximum: the total of a batch is bounded by SQS's message
// size limit, not by the queue's MaximumMessageSize, which bounds each entry; entry sizes
// count bodies and attribute names, types and values.
func TestBatchSizeLimitIgnoresQueueMaximum(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	attrs := map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("x")}}
	attrSize := len("k") + len("String") + len("x")

	small := newQueue(t, c, map[string]string{"MaximumMessageSize": "2048"})
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(small), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String(strings.Repeat("a", 2048-attrSize)), MessageAttributes: attrs},
		{Id: aws.String("2"), MessageBody: aws.String("a")},
	}})
	require.NoError(t, err, "a 2049-byte batch on a 2048-byte queue")
	require.Empty(t, out.Failed)
	require.Len(t, out.Successful, 2)
	byID := map[string]types.SendMessageBatchResultEntry{}
	for _, e := range out.Successful {
		byID[aws.ToString(e.Id)] = e
	}
	require.Equal(t, "f44facf5a7ee0af446ecf3e0f854441e", aws.ToString(byID["1"].MD5OfMessageBody))
	require.Equal(t, "a45daa70926828a2f0a1db3418e6feb4", aws.ToString(byID["1"].MD5OfMessageAttributes))
	require.Equal(t, "0cc175b9c0f1b6a831c399e269772661", aws.ToString(byID["2"].MD5OfMessageBody))
	require.Nil(t, byID["2"].MD5OfMessageAttributes)

	const limit = 1 << 20
	def := newQueue(t, c, nil)
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(def), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String(strings.Repeat("a", limit-attrSize)), MessageAttributes: attrs},
		{Id: aws.String("2"), MessageBody: aws.String("a")},
	}})
	requireModeled[*types.BatchRequestTooLong](t, err, "AWS.SimpleQueueService.BatchRequestTooLong", 400, "a batch one byte over the limit")
	require.Equal(t, "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.", apiMessage(t, err))
}

// TestReceiveNothingAnswersEmptyList: a receive that finds nothing answers an empty
// Messages list over the JSON protocol, and an empty result over the query protocol.
func TestReceiveNothingAnswersEmptyList(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := newQueue(t, srv.SQS(), nil)
	status, _, body := rawJSON(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": u})
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.Equal(t, map[string]any{"Messages": []any{}}, body)

	doc := query(t, srv, u, map[string]string{"Action": "ReceiveMessage"})
	require.Empty(t, doc.Values["ReceiveMessageResult/Message/Body"], "%s", doc.raw)
}
