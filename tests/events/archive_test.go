package events_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"
)

func TestArchiveAndReplay(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	bus := uniqueName(t, "bus")
	src := uniqueName(t, "src")
	cb, err := c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(bus)})
	require.NoError(t, err)
	arc, err := c.eb.CreateArchive(ctx(t), &eventbridge.CreateArchiveInput{ArchiveName: aws.String(uniqueName(t, "arc")),
		EventSourceArn: cb.EventBusArn, EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	start := time.Now().Add(-time.Minute)
	for i := range 3 {
		_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
			{Source: aws.String(src), DetailType: aws.String("T"), Detail: aws.String(fmt.Sprintf(`{"i":%d}`, i)), EventBusName: aws.String(bus)},
		}})
		require.NoError(t, err)
	}
	url, qarn := newQueue(t, c, "q")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("late"), EventBusName: aws.String(bus), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("late"), EventBusName: aws.String(bus), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(qarn)}}})
	require.NoError(t, err)
	replay := uniqueName(t, "replay")
	sr, err := c.eb.StartReplay(ctx(t), &eventbridge.StartReplayInput{ReplayName: aws.String(replay), EventSourceArn: arc.ArchiveArn,
		EventStartTime: aws.Time(start), EventEndTime: aws.Time(time.Now().Add(time.Minute)),
		Destination: &types.ReplayDestination{Arn: cb.EventBusArn}})
	require.NoError(t, err)
	require.Equal(t, types.ReplayStateStarting, sr.State)
	msgs := receiveN(t, c, url, 3)
	for _, m := range msgs {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
		require.Equal(t, replay, ev["replay-name"])
	}
	require.Eventually(t, func() bool {
		d, err := c.eb.DescribeReplay(ctx(t), &eventbridge.DescribeReplayInput{ReplayName: aws.String(replay)})
		return err == nil && d.State == types.ReplayStateCompleted
	}, 10*time.Second, 50*time.Millisecond)
	_, err = c.eb.CancelReplay(ctx(t), &eventbridge.CancelReplayInput{ReplayName: aws.String(replay)})
	requireCode(t, err, "IllegalStatusException")
	_, err = c.eb.DescribeArchive(ctx(t), &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(uniqueName(t, "none"))})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestAPIDestinationTarget(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	var (
		mu   sync.Mutex
		got  []*http.Request
		body []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, body = append(got, r), append(body, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	conn, err := c.eb.CreateConnection(ctx(t), &eventbridge.CreateConnectionInput{Name: aws.String(uniqueName(t, "conn")),
		AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{BasicAuthParameters: &types.CreateConnectionBasicAuthRequestParameters{
			Username: aws.String("user"), Password: aws.String("pw")}}})
	require.NoError(t, err)
	require.Equal(t, types.ConnectionStateAuthorized, conn.ConnectionState)
	dest, err := c.eb.CreateApiDestination(ctx(t), &eventbridge.CreateApiDestinationInput{Name: aws.String(uniqueName(t, "dest")),
		ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(hook.URL + "/in"), HttpMethod: types.ApiDestinationHttpMethodPost,
		InvocationRateLimitPerSecond: aws.Int32(10)})
	require.NoError(t, err)
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("h"), Arn: dest.ApiDestinationArn,
		InputPath: aws.String("$.detail"), HttpParameters: &types.HttpParameters{QueryStringParameters: map[string]string{"q": "1"}}}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount, "%v", out.FailedEntries)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("T"), Detail: aws.String(`{"hello":"world"}`)},
	}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	}, 10*time.Second, 20*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	user, pass, ok := got[0].BasicAuth()
	require.True(t, ok)
	require.Equal(t, "user", user)
	require.Equal(t, "pw", pass)
	require.Equal(t, "1", got[0].URL.Query().Get("q"))
	require.True(t, strings.HasPrefix(got[0].Header.Get("Content-Type"), "application/json"))
	require.JSONEq(t, `{"hello":"world"}`, body[0])
}

func TestRuleToCloudWatchLogs(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	logsc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()),
		Credentials: c.sqs.Options().Credentials, HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1})
	group := "/aws/events/" + uniqueName(t, "g")
	_, err := logsc.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("l"),
		Arn: aws.String(fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:%s", defaultAccount, group))}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount, "%v", out.FailedEntries)
	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("T"), Detail: aws.String(`{"log":"me"}`)},
	}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		f, err := logsc.FilterLogEvents(ctx(t), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
		return err == nil && len(f.Events) == 1 && strings.Contains(aws.ToString(f.Events[0].Message), aws.ToString(pe.Entries[0].EventId))
	}, 10*time.Second, 50*time.Millisecond)
}
