package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// TestSchedulerUniversalTargets runs operations of Overcast's services from universal
// targets: SQS CreateQueue (AWS's own example) and SetQueueAttributes, with the request as
// Input; a request the operation refuses lands in the target's dead-letter queue; read-only
// actions and services Overcast does not serve are refused at creation.
func TestSchedulerUniversalTargets(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := clientsOf(srv)
	off := &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff}
	made := uniqueName(t, "made")
	dlqURL, dlqARN := newQueue(t, c, "dlq")
	at := "at(" + time.Now().UTC().Add(time.Hour).Truncate(time.Minute).Format("2006-01-02T15:04:05") + ")"
	create := func(name, target, input string) error {
		_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{
			Name: aws.String(name), ScheduleExpression: aws.String(at), FlexibleTimeWindow: off,
			Target: &types.Target{
				Arn: aws.String(target), RoleArn: roleARN, Input: aws.String(input),
				RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)},
				DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqARN)},
			},
		})
		return err
	}
	require.NoError(t, create("create-queue", "arn:aws:scheduler:::aws-sdk:sqs:createQueue",
		fmt.Sprintf(`{"QueueName":%q,"Attributes":{"VisibilityTimeout":"45"}}`, made)))
	require.NoError(t, create("bad-request", "arn:aws:scheduler:::aws-sdk:sqs:createQueue", `{"QueueName":"no spaces allowed"}`))

	for _, target := range []string{
		"arn:aws:scheduler:::aws-sdk:sqs:listQueues",    // read-only
		"arn:aws:scheduler:::aws-sdk:sqs:getQueueUrl",   // read-only
		"arn:aws:scheduler:::aws-sdk:rds:stopDBCluster", // not served
		"arn:aws:scheduler:::aws-sdk:sqs:launchRockets", // no such operation
		"arn:aws:scheduler:::aws-sdk:sqs",               // no action
	} {
		requireCode(t, create(uniqueName(t, "refused"), target, "{}"), "ValidationException")
	}
	requireCode(t, create(uniqueName(t, "refused"), "arn:aws:scheduler:::aws-sdk:sqs:createQueue", "not json"), "ValidationException")

	srv.AdvanceClock(t, 61*time.Minute)
	var url string
	require.Eventually(t, func() bool {
		out, err := c.sqs.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(made)})
		if err != nil {
			return false
		}
		url = aws.ToString(out.QueueUrl)
		return true
	}, 15*time.Second, 50*time.Millisecond, "the schedule created the queue")
	attrs, err := c.sqs.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	require.NoError(t, err)
	require.Equal(t, "45", attrs.Attributes["VisibilityTimeout"])

	// The refused request reaches the dead-letter queue with the error.
	m := receiveN(t, c, dlqURL, 1)[0]
	require.JSONEq(t, `{"QueueName":"no spaces allowed"}`, aws.ToString(m.Body))
}
