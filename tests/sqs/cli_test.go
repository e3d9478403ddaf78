package sqs_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The AWS CLI (v1, JSON protocol) for a representative call of every operation.

func TestCLIQueueOperations(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t, "")

	var created struct{ QueueUrl string }
	srv.MustAWS(t, &created, "sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=40", "--tags", "team=core")
	require.True(t, strings.HasSuffix(created.QueueUrl, "/"+name))
	u := created.QueueUrl

	var got struct{ QueueUrl string }
	srv.MustAWS(t, &got, "sqs", "get-queue-url", "--queue-name", name)
	require.Equal(t, u, got.QueueUrl)

	var list struct{ QueueUrls []string }
	srv.MustAWS(t, &list, "sqs", "list-queues", "--queue-name-prefix", name)
	require.Equal(t, []string{u}, list.QueueUrls)

	srv.MustAWS(t, nil, "sqs", "set-queue-attributes", "--queue-url", u, "--attributes", "DelaySeconds=4")
	var attrs struct{ Attributes map[string]string }
	srv.MustAWS(t, &attrs, "sqs", "get-queue-attributes", "--queue-url", u, "--attribute-names", "All")
	require.Equal(t, "40", attrs.Attributes["VisibilityTimeout"])
	require.Equal(t, "4", attrs.Attributes["DelaySeconds"])

	srv.MustAWS(t, nil, "sqs", "tag-queue", "--queue-url", u, "--tags", "env=dev")
	var tags struct{ Tags map[string]string }
	srv.MustAWS(t, &tags, "sqs", "list-queue-tags", "--queue-url", u)
	require.Equal(t, map[string]string{"team": "core", "env": "dev"}, tags.Tags)
	srv.MustAWS(t, nil, "sqs", "untag-queue", "--queue-url", u, "--tag-keys", "team")

	srv.MustAWS(t, nil, "sqs", "add-permission", "--queue-url", u, "--label", "p1", "--aws-account-ids", "111122223333", "--actions", "SendMessage")
	srv.MustAWS(t, nil, "sqs", "remove-permission", "--queue-url", u, "--label", "p1")

	var dlqAttrs struct{ Attributes map[string]string }
	srv.MustAWS(t, &dlqAttrs, "sqs", "get-queue-attributes", "--queue-url", u, "--attribute-names", "QueueArn")
	rp, _ := json.Marshal(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqAttrs.Attributes["QueueArn"] + `","maxReceiveCount":"5"}`})
	var src struct{ QueueUrl string }
	srv.MustAWS(t, &src, "sqs", "create-queue", "--queue-name", name+"-src", "--attributes", string(rp))
	var sources struct {
		QueueUrls []string `json:"queueUrls"`
	}
	srv.MustAWS(t, &sources, "sqs", "list-dead-letter-source-queues", "--queue-url", u)
	require.Equal(t, []string{src.QueueUrl}, sources.QueueUrls)

	var tasks struct{ Results []any }
	srv.MustAWS(t, &tasks, "sqs", "list-message-move-tasks", "--source-arn", dlqAttrs.Attributes["QueueArn"])
	require.Empty(t, tasks.Results)

	srv.MustAWS(t, nil, "sqs", "purge-queue", "--queue-url", u)
	res := srv.AWS(t, "sqs", "purge-queue", "--queue-url", u)
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "AWS.SimpleQueueService.PurgeQueueInProgress")

	srv.MustAWS(t, nil, "sqs", "delete-queue", "--queue-url", src.QueueUrl)
	res = srv.AWS(t, "sqs", "get-queue-url", "--queue-name", name+"-src")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "AWS.SimpleQueueService.NonExistentQueue")

	res = srv.AWS(t, "sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=41")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "QueueAlreadyExists")
}

func TestCLIMessageOperations(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	u := newQueue(t, c, nil)

	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	srv.MustAWS(t, &sent, "sqs", "send-message", "--queue-url", u, "--message-body", "from the cli",
		"--message-attributes", `{"k":{"DataType":"String","StringValue":"v"},"n":{"DataType":"Number","StringValue":"1"}}`)
	require.Equal(t, md5Hex("from the cli"), sent.MD5OfMessageBody)
	require.NotEmpty(t, sent.MD5OfMessageAttributes)

	var batch struct {
		Successful []struct{ Id string }
		Failed     []struct{ Id, Code string }
	}
	srv.MustAWS(t, &batch, "sqs", "send-message-batch", "--queue-url", u, "--entries", `[{"Id":"a","MessageBody":"A"},{"Id":"b","MessageBody":"B"}]`)
	require.Len(t, batch.Successful, 2)
	res := srv.AWS(t, "sqs", "send-message-batch", "--queue-url", u, "--entries", `[{"Id":"a","MessageBody":"A"},{"Id":"a","MessageBody":"B"}]`)
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")

	type message struct {
		MessageId, ReceiptHandle, Body string
		Attributes                     map[string]string
		MessageAttributes              map[string]struct{ DataType, StringValue string }
	}
	var msgs []message
	waitFor(t, 20*time.Second, func() bool {
		var recv struct{ Messages []message }
		res := srv.AWS(t, "sqs", "receive-message", "--queue-url", u, "--max-number-of-messages", "10",
			"--attribute-names", "All", "--message-attribute-names", "All")
		require.Equal(t, 0, res.ExitCode, res.Stderr)
		if len(strings.TrimSpace(string(res.Stdout))) > 0 {
			res.JSON(t, &recv)
		}
		msgs = append(msgs, recv.Messages...)
		return len(msgs) >= 3
	}, "three messages through the CLI")
	require.Len(t, msgs, 3)
	byBody := map[string]message{}
	for _, m := range msgs {
		byBody[m.Body] = m
		require.Equal(t, "1", m.Attributes["ApproximateReceiveCount"])
	}
	require.Equal(t, "v", byBody["from the cli"].MessageAttributes["k"].StringValue)

	srv.MustAWS(t, nil, "sqs", "change-message-visibility", "--queue-url", u, "--receipt-handle", byBody["A"].ReceiptHandle, "--visibility-timeout", "0")
	// AWS: on a standard queue the handle still changes the visibility once the message is
	// visible again.
	srv.MustAWS(t, nil, "sqs", "change-message-visibility", "--queue-url", u, "--receipt-handle", byBody["A"].ReceiptHandle, "--visibility-timeout", "0")

	var cvb struct{ Successful []struct{ Id string } }
	srv.MustAWS(t, &cvb, "sqs", "change-message-visibility-batch", "--queue-url", u, "--entries",
		`[{"Id":"b","ReceiptHandle":"`+byBody["B"].ReceiptHandle+`","VisibilityTimeout":0}]`)
	require.Len(t, cvb.Successful, 1)

	srv.MustAWS(t, nil, "sqs", "delete-message", "--queue-url", u, "--receipt-handle", byBody["from the cli"].ReceiptHandle)
	// AWS answers a change of a deleted message with InvalidParameterValue.
	res = srv.AWS(t, "sqs", "change-message-visibility", "--queue-url", u, "--receipt-handle", byBody["from the cli"].ReceiptHandle, "--visibility-timeout", "5")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "InvalidParameterValue")
	require.Contains(t, res.Stderr, "Message does not exist or is not available for visibility timeout change.")
	res = srv.AWS(t, "sqs", "delete-message", "--queue-url", u, "--receipt-handle", "junk")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "ReceiptHandleIsInvalid")

	rest := receiveN(t, c, u, 2)
	var dmb struct{ Successful []struct{ Id string } }
	srv.MustAWS(t, &dmb, "sqs", "delete-message-batch", "--queue-url", u, "--entries",
		`[{"Id":"x","ReceiptHandle":"`+*rest[0].ReceiptHandle+`"},{"Id":"y","ReceiptHandle":"`+*rest[1].ReceiptHandle+`"}]`)
	require.Len(t, dmb.Successful, 2)
}

func TestCLIMessageMoveTask(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	src := createQueue(t, c, uniqueName(t, "src"), map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrivePolicy(dlqArn, 1)})
	fillDLQ(t, c, src, dlq, 40)

	var started struct{ TaskHandle string }
	srv.MustAWS(t, &started, "sqs", "start-message-move-task", "--source-arn", dlqArn, "--max-number-of-messages-per-second", "1")
	require.NotEmpty(t, started.TaskHandle)
	var tasks struct {
		Results []struct{ Status, TaskHandle string }
	}
	srv.MustAWS(t, &tasks, "sqs", "list-message-move-tasks", "--source-arn", dlqArn)
	require.Len(t, tasks.Results, 1)
	require.Equal(t, "RUNNING", tasks.Results[0].Status)
	var cancelled struct{ ApproximateNumberOfMessagesMoved int64 }
	srv.MustAWS(t, &cancelled, "sqs", "cancel-message-move-task", "--task-handle", started.TaskHandle)
	require.Less(t, cancelled.ApproximateNumberOfMessagesMoved, int64(40))
}
