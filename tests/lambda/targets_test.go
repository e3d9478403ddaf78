package lambda_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestFunctionAsTarget checks that an SNS subscription and an EventBridge rule invoke a
// function asynchronously, as AWS does: each delivery is one invocation whose log lines
// reach /aws/lambda/<name>.
func TestFunctionAsTarget(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	c := client(srv)
	id := harness.DefaultIdentity
	creds := credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, "")
	ep := aws.String(srv.Endpoint())
	snsc := sns.New(sns.Options{Region: id.Region, BaseEndpoint: ep, Credentials: creds, HTTPClient: srv.HTTPClient()})
	ebc := eventbridge.New(eventbridge.Options{Region: id.Region, BaseEndpoint: ep, Credentials: creds, HTTPClient: srv.HTTPClient()})
	logc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: id.Region, BaseEndpoint: ep, Credentials: creds, HTTPClient: srv.HTTPClient()})

	name := uniqueName(t)
	fn, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	require.NoError(t, err)

	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	require.NoError(t, err)
	_, err = snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: fn.FunctionArn})
	require.NoError(t, err)
	_, err = snsc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("to the function")})
	require.NoError(t, err)

	_, err = ebc.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["` + name + `"]}`)})
	require.NoError(t, err)
	put, err := ebc.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("fn"), Arn: fn.FunctionArn}}})
	require.NoError(t, err)
	require.Zero(t, put.FailedEntryCount, "a Lambda target is accepted")
	events, err := ebc.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String(name), DetailType: aws.String("test"), Detail: aws.String(`{"n":1}`),
	}}})
	require.NoError(t, err)
	require.Zero(t, events.FailedEntryCount)

	// Two deliveries, two invocations, each printing its greeting.
	require.Eventually(t, func() bool {
		out, err := logc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String("/aws/lambda/" + name), FilterPattern: aws.String(`"hello from"`),
		})
		if err != nil {
			return false
		}
		n := 0
		for _, e := range out.Events {
			if strings.Contains(aws.ToString(e.Message), "hello from "+name) {
				n++
			}
		}
		return n == 2
	}, 60*time.Second, 200*time.Millisecond, "one invocation from SNS and one from EventBridge")
}
