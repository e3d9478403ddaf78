package s3_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func sqsClient(srv *harness.Server) *sqs.Client {
	id := harness.DefaultIdentity
	return sqs.New(sqs.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""), RetryMaxAttempts: 1})
}

func lambdaClient(srv *harness.Server) *lambda.Client {
	id := harness.DefaultIdentity
	return lambda.New(lambda.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""), RetryMaxAttempts: 1})
}

// eventRecord is the part of an S3 event record the tests read.
type eventRecord struct {
	EventName string `json:"eventName"`
	S3        struct {
		ConfigurationID string `json:"configurationId"`
		Object          struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
		} `json:"object"`
	} `json:"s3"`
}

// TestNotificationSurvivesKill checks that the notification of an acknowledged PutObject is
// delivered after the server is killed (SIGKILL) before it could deliver it: the queue
// does not exist yet when the object is written, and is created after the restart.
func TestNotificationSurvivesKill(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Args: []string{"--retry-scale", "0.01"}})
	c, q := client(srv, ""), sqsClient(srv)
	bucket := newBucket(t, c)
	probe, err := q.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(bucket + "-probe")})
	require.NoError(t, err)
	attrs, err := q.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: probe.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	later := strings.TrimSuffix(attrs.Attributes["QueueArn"], "-probe") + "-later"

	// AWS stores a configuration naming a queue that does not exist when asked to skip
	// the destination check.
	_, err = c.PutBucketNotificationConfiguration(ctx(t), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), SkipDestinationValidation: aws.Bool(true),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			Id: aws.String("durable"), QueueArn: aws.String(later), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	require.NoError(t, err)
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acked"), Body: strings.NewReader("payload")})
	require.NoError(t, err)

	srv.Kill(t)
	srv.Restart(t)
	c, q = client(srv, ""), sqsClient(srv)
	created, err := q.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(bucket + "-later")})
	require.NoError(t, err)

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r, err := q.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		require.NoError(t, err)
		for _, m := range r.Messages {
			var body struct{ Records []eventRecord }
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &body))
			if len(body.Records) == 1 {
				rec := body.Records[0]
				require.Equal(t, "ObjectCreated:Put", rec.EventName)
				require.Equal(t, "durable", rec.S3.ConfigurationID)
				require.Equal(t, "acked", rec.S3.Object.Key)
				require.Equal(t, int64(7), rec.S3.Object.Size)
				return
			}
		}
	}
	t.Fatal("the notification of the acknowledged PutObject never arrived after the restart")
}

// notifyHandler writes every event it gets, as one JSON line, to the file $SINK.
const notifyHandler = `import json, os

def handler(event, context):
    with open(os.environ["SINK"], "a") as f:
        f.write(json.dumps(event) + "\n")
`

// TestNotificationLambda checks that S3 invokes a function with the event record, and
// that a function that does not exist is refused as AWS refuses it.
func TestNotificationLambda(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, lam := client(srv, ""), lambdaClient(srv)
	bucket := newBucket(t, c)

	// Functions of a server running as root get a private /tmp: the sink lives outside it.
	base := "/var/tmp"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = ""
	}
	dir, err := os.MkdirTemp(base, "overcast-s3-notify-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sink := filepath.Join(dir, "events")

	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, err := zw.Create("app.py")
	require.NoError(t, err)
	_, err = w.Write([]byte(notifyHandler))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	fn, err := lam.CreateFunction(ctx(t), &lambda.CreateFunctionInput{
		FunctionName: aws.String(bucket), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"SINK": sink}}})
	require.NoError(t, err)

	_, err = c.PutBucketNotificationConfiguration(ctx(t), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
			LambdaFunctionArn: aws.String(aws.ToString(fn.FunctionArn) + "-missing"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	ae := requireCode(t, err, "InvalidArgument", 400, "a function that does not exist")
	require.Equal(t, "Unable to validate the following destination configurations", ae.ErrorMessage())

	_, err = c.PutBucketNotificationConfiguration(ctx(t), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
			Id: aws.String("to-lambda"), LambdaFunctionArn: fn.FunctionArn, Events: []types.Event{"s3:ObjectRemoved:*"}}}}})
	require.NoError(t, err)
	got, err := c.GetBucketNotificationConfiguration(ctx(t), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, got.LambdaFunctionConfigurations, 1)
	require.Equal(t, aws.ToString(fn.FunctionArn), aws.ToString(got.LambdaFunctionConfigurations[0].LambdaFunctionArn))
	require.Equal(t, []types.Event{"s3:ObjectRemoved:*"}, got.LambdaFunctionConfigurations[0].Events)

	// Only removals notify this configuration.
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("gone soon"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = c.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("gone soon")})
	require.NoError(t, err)

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(sink)
		if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); len(data) > 0 {
			require.Len(t, lines, 1, "one invocation: %s", data)
			var ev struct{ Records []eventRecord }
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &ev))
			require.Len(t, ev.Records, 1)
			require.Equal(t, "ObjectRemoved:Delete", ev.Records[0].EventName)
			require.Equal(t, "to-lambda", ev.Records[0].S3.ConfigurationID)
			require.Equal(t, "gone+soon", ev.Records[0].S3.Object.Key)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the function was never invoked")
}
