package protocol_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/services/sqs"
)

// fakeSQS answers a few SQS operations with fixed data and records what it was sent.
type fakeSQS struct {
	sqs.UnimplementedAPI
	mu   sync.Mutex
	sent *sqs.SendMessageInput
}

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
	f.mu.Lock()
	f.sent = in
	f.mu.Unlock()
	return &sqs.SendMessageOutput{
		MD5OfMessageBody:       ptr("0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b"),
		MD5OfMessageAttributes: ptr("3ae8f24a165a8cedc005670c81a27295"),
		MessageID:              ptr("5fea7756-0ea4-451a-a703-a558b933e274"),
		SequenceNumber:         ptr("18849496460467696128"),
	}, nil
}

func (f *fakeSQS) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	return &sqs.ReceiveMessageOutput{Messages: []*sqs.Message{
		{
			MessageID:     ptr("m-1"),
			ReceiptHandle: ptr("rh+/=1"),
			MD5OfBody:     ptr("d41d8cd98f00b204e9800998ecf8427e"),
			Body:          ptr("line1\r\nline2 <&> \"q\" \u00e9\U0001F600"),
			Attributes: map[string]string{
				"SenderId":                "AIDAEXAMPLE",
				"ApproximateReceiveCount": "3",
				"SentTimestamp":           "1700000000123",
			},
			MessageAttributes: map[string]*sqs.MessageAttributeValue{
				"str":  {DataType: ptr("String"), StringValue: ptr("v")},
				"bin":  {DataType: ptr("Binary.gz"), BinaryValue: []byte{0, 1, 2, 255}},
				"num":  {DataType: ptr("Number"), StringValue: ptr("-1.5e3")},
				"list": {DataType: ptr("String"), StringListValues: []string{"a", "b"}},
			},
		},
		{MessageID: ptr("m-2"), Body: ptr("")},
	}}, nil
}

func (f *fakeSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
	if *in.QueueName == "missing" {
		return nil, sqs.NewQueueDoesNotExist("The specified queue does not exist.")
	}
	return &sqs.GetQueueUrlOutput{QueueURL: ptr("http://localhost:4566/000000000000/" + *in.QueueName)}, nil
}

func (f *fakeSQS) ListQueues(context.Context, *sqs.ListQueuesInput) (*sqs.ListQueuesOutput, error) {
	return nil, errors.New("database unavailable")
}

func (f *fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
	out := &sqs.GetQueueAttributesOutput{Attributes: map[string]string{}}
	for _, n := range in.AttributeNames {
		out.Attributes[n] = "value-of-" + n
	}
	return out, nil
}

func (f *fakeSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) {
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if *e.MessageBody == "" {
			out.Failed = append(out.Failed, &sqs.BatchResultErrorEntry{ID: e.ID, SenderFault: ptr(true), Code: ptr("InvalidMessageContents"), Message: ptr("empty")})
			continue
		}
		out.Successful = append(out.Successful, &sqs.SendMessageBatchResultEntry{ID: e.ID, MessageID: ptr("id-" + *e.ID), MD5OfMessageBody: ptr("x")})
	}
	return out, nil
}

func sqsClient(endpoint string) *awssqs.Client {
	return awssqs.New(awssqs.Options{
		Region:                           "us-east-1",
		BaseEndpoint:                     aws.String(endpoint),
		Credentials:                      staticCreds,
		RetryMaxAttempts:                 1,
		DisableMessageChecksumValidation: true,
	})
}

func TestSDKSQSJSON(t *testing.T) {
	t.Parallel()
	fake := &fakeSQS{}
	srv := startEdge(t, sqs.Info, fake)
	client := sqsClient(srv.URL)
	ctx := t.Context()

	t.Run("SendMessage", func(t *testing.T) {
		out, err := client.SendMessage(ctx, &awssqs.SendMessageInput{
			QueueUrl:     aws.String(srv.URL + "/000000000000/q1"),
			MessageBody:  aws.String("hello \"world\" <&>\n\u2028\U0001F600"),
			DelaySeconds: 7,
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{
				"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
				"b": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
				"l": {DataType: aws.String("String"), StringListValues: []string{"x", "y"}},
			},
			MessageGroupId:         aws.String("g"),
			MessageDeduplicationId: aws.String("d"),
		})
		require.NoError(t, err)
		require.Equal(t, "5fea7756-0ea4-451a-a703-a558b933e274", aws.ToString(out.MessageId))
		require.Equal(t, "0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b", aws.ToString(out.MD5OfMessageBody))
		require.Equal(t, "3ae8f24a165a8cedc005670c81a27295", aws.ToString(out.MD5OfMessageAttributes))
		require.Equal(t, "18849496460467696128", aws.ToString(out.SequenceNumber))

		fake.mu.Lock()
		in := fake.sent
		fake.mu.Unlock()
		require.Equal(t, srv.URL+"/000000000000/q1", *in.QueueURL)
		require.Equal(t, "hello \"world\" <&>\n\u2028\U0001F600", *in.MessageBody)
		require.Equal(t, int32(7), *in.DelaySeconds)
		require.Equal(t, "g", *in.MessageGroupID)
		require.Equal(t, "d", *in.MessageDeduplicationID)
		require.Len(t, in.MessageAttributes, 3)
		require.Equal(t, "v", *in.MessageAttributes["s"].StringValue)
		require.Equal(t, []byte{0, 1, 2, 255}, in.MessageAttributes["b"].BinaryValue)
		require.Equal(t, "Binary", *in.MessageAttributes["b"].DataType)
		require.Equal(t, []string{"x", "y"}, in.MessageAttributes["l"].StringListValues)
	})

	t.Run("ReceiveMessage", func(t *testing.T) {
		out, err := client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl:              aws.String(srv.URL + "/000000000000/q1"),
			MaxNumberOfMessages:   10,
			MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		require.Len(t, out.Messages, 2)
		m := out.Messages[0]
		require.Equal(t, "m-1", aws.ToString(m.MessageId))
		require.Equal(t, "rh+/=1", aws.ToString(m.ReceiptHandle))
		require.Equal(t, "line1\r\nline2 <&> \"q\" \u00e9\U0001F600", aws.ToString(m.Body))
		require.Equal(t, map[string]string{"SenderId": "AIDAEXAMPLE", "ApproximateReceiveCount": "3", "SentTimestamp": "1700000000123"}, m.Attributes)
		require.Equal(t, "v", aws.ToString(m.MessageAttributes["str"].StringValue))
		require.Equal(t, []byte{0, 1, 2, 255}, m.MessageAttributes["bin"].BinaryValue)
		require.Equal(t, "Binary.gz", aws.ToString(m.MessageAttributes["bin"].DataType))
		require.Equal(t, "-1.5e3", aws.ToString(m.MessageAttributes["num"].StringValue))
		require.Equal(t, []string{"a", "b"}, m.MessageAttributes["list"].StringListValues)
		require.Equal(t, "m-2", aws.ToString(out.Messages[1].MessageId))
		require.Equal(t, "", aws.ToString(out.Messages[1].Body))
	})

	t.Run("ModeledErrorCarriesQueryCode", func(t *testing.T) {
		_, err := client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("missing")})
		var qdne *sqstypes.QueueDoesNotExist
		require.ErrorAs(t, err, &qdne)
		require.Equal(t, "The specified queue does not exist.", qdne.ErrorMessage())
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", apiErr.ErrorCode())
		require.Equal(t, smithy.FaultClient, apiErr.ErrorFault())
	})

	t.Run("InternalFailure", func(t *testing.T) {
		_, err := client.ListQueues(ctx, &awssqs.ListQueuesInput{})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "InternalFailure", apiErr.ErrorCode())
		require.Equal(t, smithy.FaultServer, apiErr.ErrorFault())
		require.NotContains(t, apiErr.ErrorMessage(), "database")
	})

	t.Run("BatchAndMaps", func(t *testing.T) {
		out, err := client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{
			QueueUrl: aws.String("q"),
			Entries: []sqstypes.SendMessageBatchRequestEntry{
				{Id: aws.String("a"), MessageBody: aws.String("body-a")},
				{Id: aws.String("b"), MessageBody: aws.String("")},
			},
		})
		require.NoError(t, err)
		require.Len(t, out.Successful, 1)
		require.Equal(t, "id-a", aws.ToString(out.Successful[0].MessageId))
		require.Len(t, out.Failed, 1)
		require.Equal(t, "b", aws.ToString(out.Failed[0].Id))
		require.True(t, out.Failed[0].SenderFault)
		require.Equal(t, "InvalidMessageContents", aws.ToString(out.Failed[0].Code))

		attrs, err := client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{
			QueueUrl:       aws.String("q"),
			AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout", "DelaySeconds"},
		})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"VisibilityTimeout": "value-of-VisibilityTimeout", "DelaySeconds": "value-of-DelaySeconds"}, attrs.Attributes)
	})
}

// The old (query-protocol) SQS answer shapes, as aws-sdk-go v1 and older boto parsed
// them.
type queryResponseMetadata struct {
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type querySendMessageResponse struct {
	XMLName xml.Name `xml:"http://queue.amazonaws.com/doc/2012-11-05/ SendMessageResponse"`
	Result  struct {
		MessageID              string `xml:"MessageId"`
		MD5OfMessageBody       string `xml:"MD5OfMessageBody"`
		MD5OfMessageAttributes string `xml:"MD5OfMessageAttributes"`
	} `xml:"SendMessageResult"`
	queryResponseMetadata
}

type queryAttribute struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

type queryMessageAttribute struct {
	Name  string `xml:"Name"`
	Value struct {
		StringValue      string   `xml:"StringValue"`
		BinaryValue      string   `xml:"BinaryValue"`
		StringListValues []string `xml:"StringListValue"`
		DataType         string   `xml:"DataType"`
	} `xml:"Value"`
}

type queryReceiveMessageResponse struct {
	Result struct {
		Messages []struct {
			MessageID         string                  `xml:"MessageId"`
			ReceiptHandle     string                  `xml:"ReceiptHandle"`
			Body              string                  `xml:"Body"`
			Attributes        []queryAttribute        `xml:"Attribute"`
			MessageAttributes []queryMessageAttribute `xml:"MessageAttribute"`
		} `xml:"Message"`
	} `xml:"ReceiveMessageResult"`
	queryResponseMetadata
}

type queryErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// TestSQSQuery drives SQS with hand-built query requests in the form the older SDKs
// send, and reads the answers with the XML shapes they parse.
func TestSQSQuery(t *testing.T) {
	t.Parallel()
	fake := &fakeSQS{}
	srv := startEdge(t, sqs.Info, fake)

	status, body := postForm(t, srv.URL+"/000000000000/q1", url.Values{
		"Action":                               {"SendMessage"},
		"Version":                              {"2012-11-05"},
		"QueueUrl":                             {srv.URL + "/000000000000/q1"},
		"MessageBody":                          {"a\r\nb & <c>"},
		"DelaySeconds":                         {"3"},
		"MessageAttribute.1.Name":              {"color"},
		"MessageAttribute.1.Value.DataType":    {"String"},
		"MessageAttribute.1.Value.StringValue": {"red"},
		"MessageAttribute.2.Name":              {"raw"},
		"MessageAttribute.2.Value.DataType":    {"Binary"},
		"MessageAttribute.2.Value.BinaryValue": {"AAEC/w=="},
	})
	require.Equal(t, http.StatusOK, status, body)
	var sent querySendMessageResponse
	require.NoError(t, xml.Unmarshal([]byte(body), &sent))
	require.Equal(t, "5fea7756-0ea4-451a-a703-a558b933e274", sent.Result.MessageID)
	require.Equal(t, "0ba8a7d5ab0a5c3e3a4c5f8e0f8f5d6b", sent.Result.MD5OfMessageBody)
	require.NotEmpty(t, sent.RequestID)
	fake.mu.Lock()
	in := fake.sent
	fake.mu.Unlock()
	require.Equal(t, "a\r\nb & <c>", *in.MessageBody)
	require.Equal(t, int32(3), *in.DelaySeconds)
	require.Equal(t, "red", *in.MessageAttributes["color"].StringValue)
	require.Equal(t, []byte{0, 1, 2, 255}, in.MessageAttributes["raw"].BinaryValue)

	status, body = postForm(t, srv.URL, url.Values{
		"Action":                 {"ReceiveMessage"},
		"QueueUrl":               {srv.URL + "/000000000000/q1"},
		"AttributeName.1":        {"All"},
		"MessageAttributeName.1": {"All"},
		"MaxNumberOfMessages":    {"10"},
	})
	require.Equal(t, http.StatusOK, status, body)
	var recv queryReceiveMessageResponse
	require.NoError(t, xml.Unmarshal([]byte(body), &recv))
	require.Len(t, recv.Result.Messages, 2)
	m := recv.Result.Messages[0]
	require.Equal(t, "m-1", m.MessageID)
	require.Equal(t, "rh+/=1", m.ReceiptHandle)
	require.Equal(t, "line1\r\nline2 <&> \"q\" \u00e9\U0001F600", m.Body)
	require.ElementsMatch(t, []queryAttribute{
		{"ApproximateReceiveCount", "3"}, {"SenderId", "AIDAEXAMPLE"}, {"SentTimestamp", "1700000000123"},
	}, m.Attributes)
	require.Len(t, m.MessageAttributes, 4)
	for _, a := range m.MessageAttributes {
		switch a.Name {
		case "bin":
			require.Equal(t, "AAEC/w==", a.Value.BinaryValue)
			require.Equal(t, "Binary.gz", a.Value.DataType)
		case "list":
			require.Equal(t, []string{"a", "b"}, a.Value.StringListValues)
		case "str":
			require.Equal(t, "v", a.Value.StringValue)
		}
	}

	status, body = postForm(t, srv.URL, url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	require.Equal(t, http.StatusBadRequest, status)
	var qe queryErrorResponse
	require.NoError(t, xml.Unmarshal([]byte(body), &qe))
	require.Equal(t, "Sender", qe.Error.Type)
	require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", qe.Error.Code)
	require.Equal(t, "The specified queue does not exist.", qe.Error.Message)
	require.NotEmpty(t, qe.RequestID)

	status, body = postForm(t, srv.URL, url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {"q"}, "AttributeName.1": {"Policy"}, "AttributeName.2": {"DelaySeconds"}})
	require.Equal(t, http.StatusOK, status, body)
	var attrs struct {
		Attributes []queryAttribute `xml:"GetQueueAttributesResult>Attribute"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &attrs))
	require.ElementsMatch(t, []queryAttribute{{"DelaySeconds", "value-of-DelaySeconds"}, {"Policy", "value-of-Policy"}}, attrs.Attributes)
}
