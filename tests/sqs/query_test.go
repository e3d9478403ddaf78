package sqs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// The legacy awsQuery protocol: form-encoded requests with Action and Version, XML
// responses in the 2012-11-05 namespace. No current SDK speaks it for SQS, so the
// requests are built by hand, as older clients send them.

const queryNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"

// xmlDoc is a parsed XML response: the root element and every text value by its path
// below the root ("CreateQueueResult/QueueUrl"), repeated elements in order.
type xmlDoc struct {
	Root      string
	Namespace string
	Values    map[string][]string
	raw       string
}

func (d xmlDoc) get(path string) string {
	if v := d.Values[path]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func parseXML(t *testing.T, body []byte) xmlDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	doc := xmlDoc{Values: map[string][]string{}, raw: string(body)}
	var stack []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "response is not XML: %s", body)
		switch el := tok.(type) {
		case xml.StartElement:
			if doc.Root == "" {
				doc.Root, doc.Namespace = el.Name.Local, el.Name.Space
			} else {
				stack = append(stack, el.Name.Local)
			}
			text.Reset()
		case xml.CharData:
			text.Write(el)
		case xml.EndElement:
			if len(stack) > 0 {
				p := strings.Join(stack, "/")
				doc.Values[p] = append(doc.Values[p], text.String())
				stack = stack[:len(stack)-1]
			}
			text.Reset()
		}
	}
	require.NotEmpty(t, doc.Root, "empty XML response")
	return doc
}

// query sends an awsQuery request and checks the success envelope of action.
func query(t *testing.T, srv *harness.Server, target string, params map[string]string) xmlDoc {
	t.Helper()
	form := url.Values{"Version": {"2012-11-05"}}
	for k, v := range params {
		form.Set(k, v)
	}
	status, body := rawQuery(t, srv.HTTPClient(), target, "", form)
	require.Equal(t, http.StatusOK, status, "%s: %s", params["Action"], body)
	doc := parseXML(t, body)
	require.Equal(t, params["Action"]+"Response", doc.Root, "%s", body)
	require.Equal(t, queryNamespace, doc.Namespace, "namespace of %s", doc.Root)
	require.NotEmpty(t, doc.get("ResponseMetadata/RequestId"), "RequestId in %s", body)
	return doc
}

// queryError sends an awsQuery request that must fail and checks the ErrorResponse.
func queryError(t *testing.T, srv *harness.Server, target string, params map[string]string, status int, code string) xmlDoc {
	t.Helper()
	form := url.Values{"Version": {"2012-11-05"}}
	for k, v := range params {
		form.Set(k, v)
	}
	gotStatus, body := rawQuery(t, srv.HTTPClient(), target, "", form)
	doc := parseXML(t, body)
	require.Equal(t, "ErrorResponse", doc.Root, "%s: %s", params["Action"], body)
	require.Equal(t, code, doc.get("Error/Code"), "%s error code: %s", params["Action"], body)
	require.Equal(t, status, gotStatus, "%s status: %s", params["Action"], body)
	require.Equal(t, "Sender", doc.get("Error/Type"), "%s", body)
	require.NotEmpty(t, doc.get("Error/Message"), "%s", body)
	require.NotEmpty(t, doc.get("RequestId"), "RequestId in %s", body)
	return doc
}

func TestQueryProtocolRoundTrip(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	root := srv.Endpoint() + "/"
	name := uniqueName(t, "")

	doc := query(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": name,
		"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45",
		"Tag.1.Key": "team", "Tag.1.Value": "core"})
	qurl := doc.get("CreateQueueResult/QueueUrl")
	require.True(t, strings.HasSuffix(qurl, "/"+name), "QueueUrl %q", qurl)

	doc = query(t, srv, root, map[string]string{"Action": "GetQueueUrl", "QueueName": name})
	require.Equal(t, qurl, doc.get("GetQueueUrlResult/QueueUrl"))

	// SendMessage to / naming the queue, with attributes of each transport type.
	bin := []byte{0, 1, 2, 250}
	doc = query(t, srv, root, map[string]string{"Action": "SendMessage", "QueueUrl": qurl, "MessageBody": "via query <&>",
		"MessageAttribute.1.Name": "s", "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "v",
		"MessageAttribute.2.Name": "n", "MessageAttribute.2.Value.DataType": "Number.int", "MessageAttribute.2.Value.StringValue": "7",
		"MessageAttribute.3.Name": "b", "MessageAttribute.3.Value.DataType": "Binary", "MessageAttribute.3.Value.BinaryValue": base64.StdEncoding.EncodeToString(bin),
	})
	attrs := map[string]types.MessageAttributeValue{
		"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
		"n": {DataType: aws.String("Number.int"), StringValue: aws.String("7")},
		"b": {DataType: aws.String("Binary"), BinaryValue: bin},
	}
	require.Equal(t, md5Hex("via query <&>"), doc.get("SendMessageResult/MD5OfMessageBody"))
	require.Equal(t, md5OfAttributes(attrs), doc.get("SendMessageResult/MD5OfMessageAttributes"))
	firstID := doc.get("SendMessageResult/MessageId")
	require.NotEmpty(t, firstID)

	// SendMessage to the queue's own path, without QueueUrl.
	doc = query(t, srv, qurl, map[string]string{"Action": "SendMessage", "MessageBody": "via path"})
	require.Equal(t, md5Hex("via path"), doc.get("SendMessageResult/MD5OfMessageBody"))

	doc = query(t, srv, qurl, map[string]string{"Action": "SendMessageBatch",
		"SendMessageBatchRequestEntry.1.Id": "one", "SendMessageBatchRequestEntry.1.MessageBody": "batch one",
		"SendMessageBatchRequestEntry.2.Id": "two", "SendMessageBatchRequestEntry.2.MessageBody": "batch two",
		"SendMessageBatchRequestEntry.2.DelaySeconds": "0",
	})
	require.ElementsMatch(t, []string{"one", "two"}, doc.Values["SendMessageBatchResult/SendMessageBatchResultEntry/Id"])
	require.ElementsMatch(t, []string{md5Hex("batch one"), md5Hex("batch two")}, doc.Values["SendMessageBatchResult/SendMessageBatchResultEntry/MD5OfMessageBody"])

	// Receive all four with every attribute.
	type msg struct{ id, body, md5, handle string }
	var got []msg
	var withAttrs xmlDoc
	waitFor(t, 10*time.Second, func() bool {
		doc := query(t, srv, qurl, map[string]string{"Action": "ReceiveMessage", "MaxNumberOfMessages": "10",
			"AttributeName.1": "All", "MessageAttributeName.1": "All"})
		ids := doc.Values["ReceiveMessageResult/Message/MessageId"]
		for i := range ids {
			m := msg{ids[i], doc.Values["ReceiveMessageResult/Message/Body"][i], doc.Values["ReceiveMessageResult/Message/MD5OfBody"][i], doc.Values["ReceiveMessageResult/Message/ReceiptHandle"][i]}
			got = append(got, m)
			if m.id == firstID {
				withAttrs = doc
			}
		}
		return len(got) >= 4
	}, "four messages over the query protocol")
	require.Len(t, got, 4)
	for _, m := range got {
		require.Equal(t, md5Hex(m.body), m.md5, "MD5OfBody of %q", m.body)
	}
	require.NotEmpty(t, withAttrs.Values, "the message with attributes was received")
	names := withAttrs.Values["ReceiveMessageResult/Message/Attribute/Name"]
	require.Contains(t, names, "SentTimestamp")
	require.Contains(t, names, "ApproximateReceiveCount")
	require.ElementsMatch(t, []string{"s", "n", "b"}, withAttrs.Values["ReceiveMessageResult/Message/MessageAttribute/Name"])
	require.Contains(t, withAttrs.Values["ReceiveMessageResult/Message/MessageAttribute/Value/BinaryValue"], base64.StdEncoding.EncodeToString(bin))
	require.Contains(t, withAttrs.Values["ReceiveMessageResult/Message/MessageAttribute/Value/DataType"], "Number.int")
	require.Contains(t, withAttrs.Values["ReceiveMessageResult/Message/MD5OfMessageAttributes"], md5OfAttributes(attrs))

	query(t, srv, qurl, map[string]string{"Action": "DeleteMessage", "ReceiptHandle": got[0].handle})
	query(t, srv, root, map[string]string{"Action": "ChangeMessageVisibility", "QueueUrl": qurl, "ReceiptHandle": got[1].handle, "VisibilityTimeout": "0"})
	doc = query(t, srv, root, map[string]string{"Action": "DeleteMessageBatch", "QueueUrl": qurl,
		"DeleteMessageBatchRequestEntry.1.Id": "x", "DeleteMessageBatchRequestEntry.1.ReceiptHandle": got[2].handle,
		"DeleteMessageBatchRequestEntry.2.Id": "y", "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "bogus",
	})
	require.Equal(t, []string{"x"}, doc.Values["DeleteMessageBatchResult/DeleteMessageBatchResultEntry/Id"])
	require.Equal(t, []string{"y"}, doc.Values["DeleteMessageBatchResult/BatchResultErrorEntry/Id"])
	require.Equal(t, []string{"ReceiptHandleIsInvalid"}, doc.Values["DeleteMessageBatchResult/BatchResultErrorEntry/Code"])
	require.Equal(t, []string{"true"}, doc.Values["DeleteMessageBatchResult/BatchResultErrorEntry/SenderFault"])

	query(t, srv, qurl, map[string]string{"Action": "SetQueueAttributes", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "3"})
	doc = query(t, srv, qurl, map[string]string{"Action": "GetQueueAttributes", "AttributeName.1": "All"})
	qattrs := map[string]string{}
	for i, n := range doc.Values["GetQueueAttributesResult/Attribute/Name"] {
		qattrs[n] = doc.Values["GetQueueAttributesResult/Attribute/Value"][i]
	}
	require.Equal(t, "45", qattrs["VisibilityTimeout"])
	require.Equal(t, "3", qattrs["DelaySeconds"])
	require.Equal(t, "arn:aws:sqs:us-east-1:"+defaultAccount+":"+name, qattrs["QueueArn"])

	doc = query(t, srv, root, map[string]string{"Action": "ListQueues", "QueueNamePrefix": name})
	require.Equal(t, []string{qurl}, doc.Values["ListQueuesResult/QueueUrl"])

	query(t, srv, qurl, map[string]string{"Action": "TagQueue", "Tag.1.Key": "env", "Tag.1.Value": "dev"})
	doc = query(t, srv, qurl, map[string]string{"Action": "ListQueueTags"})
	require.ElementsMatch(t, []string{"team", "env"}, doc.Values["ListQueueTagsResult/Tag/Key"])
	query(t, srv, qurl, map[string]string{"Action": "UntagQueue", "TagKey.1": "team"})
	doc = query(t, srv, qurl, map[string]string{"Action": "ListQueueTags"})
	require.Equal(t, []string{"env"}, doc.Values["ListQueueTagsResult/Tag/Key"])

	query(t, srv, qurl, map[string]string{"Action": "AddPermission", "Label": "p", "AWSAccountId.1": "111122223333", "ActionName.1": "SendMessage"})
	query(t, srv, qurl, map[string]string{"Action": "RemovePermission", "Label": "p"})
	query(t, srv, qurl, map[string]string{"Action": "PurgeQueue"})
	query(t, srv, qurl, map[string]string{"Action": "DeleteQueue"})
	queryError(t, srv, root, map[string]string{"Action": "GetQueueUrl", "QueueName": name}, 400, "AWS.SimpleQueueService.NonExistentQueue")
}

func TestQueryProtocolErrors(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	root := srv.Endpoint() + "/"
	name := uniqueName(t, "")
	qurl := query(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": name}).get("CreateQueueResult/QueueUrl")

	queryError(t, srv, root, map[string]string{"Action": "GetQueueUrl", "QueueName": name + "-missing"}, 400, "AWS.SimpleQueueService.NonExistentQueue")
	queryError(t, srv, qurl+"-missing", map[string]string{"Action": "SendMessage", "MessageBody": "x"}, 400, "AWS.SimpleQueueService.NonExistentQueue")
	queryError(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": name, "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "9"}, 400, "QueueAlreadyExists")
	queryError(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": "bad name"}, 400, "InvalidParameterValue")
	queryError(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": name + "-v", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "43201"}, 400, "InvalidAttributeValue")
	queryError(t, srv, root, map[string]string{"Action": "CreateQueue", "QueueName": name + "-n", "Attribute.1.Name": "Bogus", "Attribute.1.Value": "1"}, 400, "InvalidAttributeName")
	queryError(t, srv, qurl, map[string]string{"Action": "SendMessage"}, 400, "MissingParameter")
	queryError(t, srv, qurl, map[string]string{"Action": "SendMessage", "MessageBody": "nul\x00"}, 400, "InvalidMessageContents")
	queryError(t, srv, qurl, map[string]string{"Action": "ReceiveMessage", "MaxNumberOfMessages": "11"}, 400, "InvalidParameterValue")
	queryError(t, srv, qurl, map[string]string{"Action": "ReceiveMessage", "MaxNumberOfMessages": "ten"}, 400, "InvalidParameterValue")
	queryError(t, srv, qurl, map[string]string{"Action": "DeleteMessage", "ReceiptHandle": "bogus"}, 404, "ReceiptHandleIsInvalid")
	queryError(t, srv, qurl, map[string]string{"Action": "DeleteMessageBatch",
		"DeleteMessageBatchRequestEntry.1.Id": "a", "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "h",
		"DeleteMessageBatchRequestEntry.2.Id": "a", "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "h",
	}, 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	queryError(t, srv, root, map[string]string{"Action": "NoSuchAction"}, 400, "InvalidAction")

	query(t, srv, qurl, map[string]string{"Action": "PurgeQueue"})
	queryError(t, srv, qurl, map[string]string{"Action": "PurgeQueue"}, 403, "AWS.SimpleQueueService.PurgeQueueInProgress")

	// An empty list in awsQuery is the member name with an empty value (the Smithy
	// awsQuery serialization of []): the documented EmptyBatchRequest.
	queryError(t, srv, qurl, map[string]string{"Action": "SendMessageBatch", "SendMessageBatchRequestEntry": ""}, 400, "AWS.SimpleQueueService.EmptyBatchRequest")
	queryError(t, srv, qurl, map[string]string{"Action": "DeleteMessageBatch", "DeleteMessageBatchRequestEntry": ""}, 400, "AWS.SimpleQueueService.EmptyBatchRequest")
}

func TestQueryProtocolGET(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t, "")
	query(t, srv, srv.Endpoint()+"/", map[string]string{"Action": "CreateQueue", "QueueName": name})

	q := url.Values{"Action": {"ListQueues"}, "Version": {"2012-11-05"}, "QueueNamePrefix": {name}}
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, srv.Endpoint()+"/?"+q.Encode(), nil)
	require.NoError(t, err)
	sign(t, req, nil, harness.DefaultIdentity)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.Contains(t, resp.Header.Get("Content-Type"), "xml")
	doc := parseXML(t, body)
	require.Equal(t, "ListQueuesResponse", doc.Root)
	require.Len(t, doc.Values["ListQueuesResult/QueueUrl"], 1)
	require.True(t, strings.HasSuffix(doc.get("ListQueuesResult/QueueUrl"), "/"+name))
}
