package events_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
)

// TestScheduledRuleFiresOnRealClock watches a rate(1 minute) rule fire twice on the real
// clock, as EventBridge documents it: a "Scheduled Event" from "aws.events" naming the
// rule, one minute apart. It waits about two minutes, in parallel with the rest of the
// package, and gives up after 150 s.
func TestScheduledRuleFiresOnRealClock(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	url, arn := newQueue(t, c, "ticks")
	rule := uniqueName(t, "every-minute")
	put, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), ScheduleExpression: aws.String("rate(1 minute)")})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = c.eb.RemoveTargets(t.Context(), &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: []string{"q"}})
		_, _ = c.eb.DeleteRule(t.Context(), &eventbridge.DeleteRuleInput{Name: aws.String(rule)})
	})
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)

	var times []time.Time
	deadline := time.Now().Add(150 * time.Second)
	for len(times) < 2 && time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 10})
		require.NoError(t, err)
		for _, m := range out.Messages {
			var ev struct {
				DetailType string          `json:"detail-type"`
				Source     string          `json:"source"`
				Account    string          `json:"account"`
				Region     string          `json:"region"`
				Time       time.Time       `json:"time"`
				Resources  []string        `json:"resources"`
				Detail     json.RawMessage `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			require.Equal(t, "Scheduled Event", ev.DetailType)
			require.Equal(t, "aws.events", ev.Source)
			require.Equal(t, defaultAccount, ev.Account)
			require.Equal(t, "us-east-1", ev.Region)
			require.Equal(t, []string{aws.ToString(put.RuleArn)}, ev.Resources)
			require.JSONEq(t, `{}`, string(ev.Detail))
			times = append(times, ev.Time)
			_, err := c.sqs.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	require.Len(t, times, 2, "a rate(1 minute) rule fires twice within 150 s")
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	require.Equal(t, time.Minute, times[1].Sub(times[0]), fmt.Sprintf("scheduled times %v", times))
}
