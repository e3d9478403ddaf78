package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/server/servertest"
)

func sqsClient(t *testing.T, endpoint, accessKey string) *sqs.Client {
	t.Helper()
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(staticCreds{accessKey}),
	})
}

type staticCreds struct{ key string }

func (c staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: c.key, SecretAccessKey: "test"}, nil
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return resp.StatusCode, m
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want API error %s, got %v", code, err)
	require.Equal(t, code, ae.ErrorCode())
}

func TestResetWipesOneServiceOrAll(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t)
	ctx := t.Context()
	c := sqsClient(t, srv.Endpoint(), "test")

	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("before-reset")})
	require.NoError(t, err)
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("x")})
	require.NoError(t, err)

	status, body := post(t, srv.Endpoint()+"/_overcast/reset?service=nosuch", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body["error"], "unknown service")

	status, body = post(t, srv.Endpoint()+"/_overcast/reset?service=sqs", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "sqs", body["reset"])

	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("before-reset")})
	requireCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")

	// The queue can be created again at once, with nothing in it.
	q, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("before-reset")})
	require.NoError(t, err)
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	require.NoError(t, err)
	require.Empty(t, out.Messages)

	status, body = post(t, srv.Endpoint()+"/_overcast/reset", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "all", body["reset"])
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("before-reset")})
	requireCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
}

func TestVirtualClockMovesVisibilityTimeouts(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t, servertest.Virtual())
	ctx := t.Context()
	c := sqsClient(t, srv.Endpoint(), "test")

	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("clocked")})
	require.NoError(t, err)
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("tick")})
	require.NoError(t, err)
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, VisibilityTimeout: 600})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)

	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	require.NoError(t, err)
	require.Empty(t, again.Messages, "hidden for 600 s")

	status, body := post(t, srv.Endpoint()+"/_overcast/clock", `{"advance":"601s"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "virtual", body["mode"])

	again, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	require.NoError(t, err)
	require.Len(t, again.Messages, 1, "visible again once the virtual clock passed the timeout")
	require.Equal(t, "tick", aws.ToString(again.Messages[0].Body))
}

func TestClockRoutes(t *testing.T) {
	t.Parallel()
	real := servertest.Start(t)
	status, body := post(t, real.Endpoint()+"/_overcast/clock", `{"advance":"1s"}`)
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, body["error"], "virtual")

	v := servertest.Start(t, servertest.Virtual())
	before := v.VirtualClock().Now()
	for _, bad := range []string{`{}`, `{"advance":"soon"}`, `{"advance":"-1s"}`, `{"set":"yesterday"}`, `not json`,
		`{"advance":"1s","set":"2030-01-01T00:00:00Z"}`, `{"set":"2000-01-01T00:00:00Z"}`} {
		status, _ := post(t, v.Endpoint()+"/_overcast/clock", bad)
		require.Equal(t, http.StatusBadRequest, status, bad)
	}
	require.Equal(t, before, v.VirtualClock().Now(), "bad requests change nothing")

	target := before.Add(48 * time.Hour).UTC()
	status, body = post(t, v.Endpoint()+"/_overcast/clock", `{"set":"`+target.Format(time.RFC3339)+`"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, target.Format(time.RFC3339Nano), body["now"])

	resp, err := http.Get(v.Endpoint() + "/_overcast/clock")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestAccountsAreIsolated(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t)
	ctx := t.Context()
	a := sqsClient(t, srv.Endpoint(), "111111111111")
	b := sqsClient(t, srv.Endpoint(), "222222222222")

	qa, err := a.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shared-name")})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(qa.QueueUrl), "/111111111111/shared-name")

	_, err = b.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("shared-name")})
	requireCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")

	attrs, err := a.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qa.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sqs:us-east-1:111111111111:shared-name", attrs.Attributes["QueueArn"])
}

func TestStopIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := servertest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Stop(ctx))
	require.NoError(t, srv.Stop(ctx))
}
