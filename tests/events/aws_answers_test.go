package events_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// The tests of this file pin answers AWS gave to the same calls: error codes and
// messages, and the shape of what targets receive.

// newRule creates a rule of the default bus with an event pattern and returns its name.
func newRule(t *testing.T, c clients, pattern string) string {
	t.Helper()
	rule := uniqueName(t, "r")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(pattern)})
	require.NoError(t, err)
	return rule
}

func TestInputTransformerValidationMessages(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	_, arn := newQueue(t, c, "q")
	rule := newRule(t, c, `{"source":["x"]}`)

	// AWS: "InputTemplate for target <id> contains invalid placeholder notdefinedkey."
	_, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{
		Id: aws.String("t1"), Arn: aws.String(arn),
		InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"detail-type": "$.detail-type"},
			InputTemplate: aws.String(`"<detail-type> and <notdefinedkey>"`),
		},
	}}})
	ae := requireCode(t, err, "ValidationException")
	require.Equal(t, "InputTemplate for target t1 contains invalid placeholder notdefinedkey.", ae.ErrorMessage())

	// AWS: "Only one of Input, InputPath, or InputTransformer must be provided for target <id>."
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{
		Id: aws.String("t2"), Arn: aws.String(arn), InputPath: aws.String("$.detail"),
		InputTransformer: &types.InputTransformer{InputTemplate: aws.String(`"x"`)},
	}}})
	ae = requireCode(t, err, "ValidationException")
	require.Equal(t, "Only one of Input, InputPath, or InputTransformer must be provided for target t2.", ae.ErrorMessage())

	out, err := c.eb.ListTargetsByRule(ctx(t), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
	require.NoError(t, err)
	require.Empty(t, out.Targets, "a refused PutTargets stores nothing")
}

func TestInputTransformerEventVariables(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	url, arn := newQueue(t, c, "q")
	src := uniqueName(t, "src")
	rule := newRule(t, c, fmt.Sprintf(`{"source":[%q]}`, src))
	_, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{
		{Id: aws.String("whole"), Arn: aws.String(arn), InputTransformer: &types.InputTransformer{
			InputTemplate: aws.String(`{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}`)}},
		{Id: aws.String("text"), Arn: aws.String(arn), InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"detail-type": "$.detail-type", "command": "$.detail.command"},
			InputTemplate: aws.String(`"Event of <detail-type> type, info extracted from detail <command>"`)}},
	}})
	require.NoError(t, err)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("core.update-account-command"), Detail: aws.String(`{"payload":{"acc_id":"0a787ecb-4015"}}`)},
	}})
	require.NoError(t, err)

	var whole map[string]map[string]any
	var text string
	for _, m := range receiveN(t, c, url, 2) {
		body := aws.ToString(m.Body)
		if json.Unmarshal([]byte(body), &whole) == nil && whole != nil {
			continue
		}
		text = body
	}
	require.NotNil(t, whole, "the JSON template's message")
	// AWS: <aws.events.event> is the envelope without detail, detail-type spelled detailType.
	ev := whole["originalEvent"]
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, []string{"id", "account", "detailType", "time", "source", "region", "resources", "version"}, keys)
	require.Equal(t, "core.update-account-command", ev["detailType"])
	require.Equal(t, map[string]any{"payload": map[string]any{"acc_id": "0a787ecb-4015"}}, whole["originalEventJson"]["detail"])
	require.Equal(t, ev["id"], whole["originalEventJson"]["id"])
	// AWS: a path that names nothing leaves nothing inside a string.
	require.Equal(t, `"Event of core.update-account-command type, info extracted from detail "`, text)
}

func TestPutTargetsLimitMessage(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	_, arn := newQueue(t, c, "q")
	rule := newRule(t, c, `{"source":["x"]}`)
	targets := make([]types.Target, 6)
	for i := range targets {
		targets[i] = types.Target{Id: aws.String(fmt.Sprint(i)), Arn: aws.String(arn)}
	}
	_, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: targets})
	ae := requireCode(t, err, "LimitExceededException")
	require.Equal(t, "The requested resource exceeds the maximum number allowed.", ae.ErrorMessage())
}

func TestTagsOfMissingResourcesMessages(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	rule := uniqueName(t, "r")
	bus := uniqueName(t, "b")
	for _, tc := range []struct{ arn, want string }{
		{fmt.Sprintf("arn:aws:events:us-east-1:%s:rule/%s", defaultAccount, rule), fmt.Sprintf("Rule %s does not exist on EventBus default.", rule)},
		{fmt.Sprintf("arn:aws:events:us-east-1:%s:event-bus/%s", defaultAccount, bus), fmt.Sprintf("Event bus %s does not exist.", bus)},
	} {
		_, err := c.eb.TagResource(ctx(t), &eventbridge.TagResourceInput{ResourceARN: aws.String(tc.arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		require.Equal(t, tc.want, requireCode(t, err, "ResourceNotFoundException").ErrorMessage())
		_, err = c.eb.ListTagsForResource(ctx(t), &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(tc.arn)})
		require.Equal(t, tc.want, requireCode(t, err, "ResourceNotFoundException").ErrorMessage())
		_, err = c.eb.UntagResource(ctx(t), &eventbridge.UntagResourceInput{ResourceARN: aws.String(tc.arn), TagKeys: []string{"k"}})
		require.Equal(t, tc.want, requireCode(t, err, "ResourceNotFoundException").ErrorMessage())
	}
}

func TestArchiveAndReplayErrorMessages(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	missingBus := uniqueName(t, "nobus")
	missingBusARN := fmt.Sprintf("arn:aws:events:us-east-1:%s:event-bus/%s", defaultAccount, missingBus)
	_, err := c.eb.ListArchives(ctx(t), &eventbridge.ListArchivesInput{EventSourceArn: aws.String(missingBusARN)})
	require.Equal(t, fmt.Sprintf("Event bus %s does not exist.", missingBus), requireCode(t, err, "ResourceNotFoundException").ErrorMessage())

	bus := uniqueName(t, "bus")
	busOut, err := c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(bus)})
	require.NoError(t, err)
	other := uniqueName(t, "other")
	otherOut, err := c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(other)})
	require.NoError(t, err)
	archive := uniqueName(t, "a")[:40]
	arch, err := c.eb.CreateArchive(ctx(t), &eventbridge.CreateArchiveInput{ArchiveName: aws.String(archive), EventSourceArn: busOut.EventBusArn})
	require.NoError(t, err)
	end := time.Now()
	start := end.Add(-time.Minute)

	missingArchive := "missing-" + archive[:20]
	_, err = c.eb.StartReplay(ctx(t), &eventbridge.StartReplayInput{ReplayName: aws.String(uniqueName(t, "r")[:40]),
		EventSourceArn: aws.String(fmt.Sprintf("arn:aws:events:us-east-1:%s:archive/%s", defaultAccount, missingArchive)),
		EventStartTime: &start, EventEndTime: &end, Destination: &types.ReplayDestination{Arn: busOut.EventBusArn}})
	require.Equal(t, fmt.Sprintf("Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", missingArchive),
		requireCode(t, err, "ValidationException").ErrorMessage())

	_, err = c.eb.StartReplay(ctx(t), &eventbridge.StartReplayInput{ReplayName: aws.String(uniqueName(t, "r")[:40]), EventSourceArn: arch.ArchiveArn,
		EventStartTime: &start, EventEndTime: &end, Destination: &types.ReplayDestination{Arn: aws.String(missingBusARN)}})
	require.Equal(t, fmt.Sprintf("Event bus %s does not exist.", missingBus), requireCode(t, err, "ResourceNotFoundException").ErrorMessage())

	_, err = c.eb.StartReplay(ctx(t), &eventbridge.StartReplayInput{ReplayName: aws.String(uniqueName(t, "r")[:40]), EventSourceArn: arch.ArchiveArn,
		EventStartTime: &start, EventEndTime: &end, Destination: &types.ReplayDestination{Arn: otherOut.EventBusArn}})
	require.Equal(t, "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
		requireCode(t, err, "ValidationException").ErrorMessage())
}

func TestOAuthConnectionStartsAuthorizing(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	out, err := c.eb.CreateConnection(ctx(t), &eventbridge.CreateConnectionInput{Name: aws.String(uniqueName(t, "c")),
		AuthorizationType: types.ConnectionAuthorizationTypeOauthClientCredentials,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{OAuthParameters: &types.CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: aws.String("https://example.com/oauth"), HttpMethod: types.ConnectionOAuthHttpMethodPost,
			ClientParameters: &types.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("client_id"), ClientSecret: aws.String("s")},
		}}})
	require.NoError(t, err)
	// AWS answers AUTHORIZING while it fetches the first token.
	require.Equal(t, types.ConnectionStateAuthorizing, out.ConnectionState)
}

func TestEventPatternMessagesThroughTestEventPattern(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	event := `{"id": "1", "source": "test-source", "detail-type": "test-detail-type", "account": "123456789012", "region": "us-east-2", "time": "2022-07-13T13:48:01Z"}`
	doc := `{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}`
	at := "\n at [Source: (String)\"" + doc + "\"; line: 1, column: 55]"
	_, err := c.eb.TestEventPattern(ctx(t), &eventbridge.TestEventPatternInput{Event: aws.String(event), EventPattern: aws.String(doc)})
	// AWS reports an error inside such a list with its location twice.
	require.Equal(t, "Event pattern is not valid. Reason: prefix/suffix match pattern must be a string"+at+at,
		requireCode(t, err, "InvalidEventPatternException").ErrorMessage())

	doc = `{'bad': 'quotation'}`
	_, err = c.eb.TestEventPattern(ctx(t), &eventbridge.TestEventPatternInput{Event: aws.String(event), EventPattern: aws.String(doc)})
	require.Equal(t, "Event pattern is not valid. Reason: Unexpected character (''' (code 39)): was expecting double-quote to start field name\n at [Source: (String)\""+doc+"\"; line: 1, column: 2]",
		requireCode(t, err, "InvalidEventPatternException").ErrorMessage())

	_, err = c.eb.TestEventPattern(ctx(t), &eventbridge.TestEventPatternInput{Event: aws.String(event),
		EventPattern: aws.String(`{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}`)})
	require.Equal(t, "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
		requireCode(t, err, "InvalidEventPatternException").ErrorMessage())
}

func TestSchedulerInvalidExpressionMessage(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	off := &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff}
	tgt := &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:x"), RoleArn: roleARN}
	for _, expr := range []string{"cron(0 1 * * * *)", "cron(71 8 1 * ? *)", "rate(10 seconds)", "rate(10)", " rate(10 minutes)", "at(2021-12-31T23:59:59Z)", "at(2021-12-31)"} {
		_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{Name: aws.String(uniqueName(t, "s")), ScheduleExpression: aws.String(expr),
			FlexibleTimeWindow: off, Target: tgt})
		require.Equal(t, "Invalid Schedule Expression "+expr+".", requireCode(t, err, "ValidationException").ErrorMessage(), expr)
	}
}

func TestBusToBusAcrossRegionsGetsNewID(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	id := harness.DefaultIdentity
	creds := credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, "")
	west := clients{
		eb: eventbridge.New(eventbridge.Options{Region: "us-west-2", BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1}),
		sqs: sqs.New(sqs.Options{Region: "us-west-2", BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1}),
	}
	src := uniqueName(t, "src")
	pattern := aws.String(fmt.Sprintf(`{"source":[%q]}`, src))
	// sink makes a bus of cl whose rule sends src's events to a queue of cl's region.
	sink := func(cl clients, region string) (busARN *string, queueURL string) {
		qname := uniqueName(t, "q")
		q, err := cl.sqs.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(qname)})
		require.NoError(t, err)
		bus, err := cl.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(uniqueName(t, "bus"))})
		require.NoError(t, err)
		busName := aws.String(aws.ToString(bus.EventBusArn))
		_, err = cl.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("sink"), EventBusName: busName, EventPattern: pattern})
		require.NoError(t, err)
		_, err = cl.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("sink"), EventBusName: busName, Targets: []types.Target{
			{Id: aws.String("q"), Arn: aws.String(fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, defaultAccount, qname))}}})
		require.NoError(t, err)
		return bus.EventBusArn, aws.ToString(q.QueueUrl)
	}
	eastBus, eastURL := sink(c, "us-east-1")
	westBus, westURL := sink(west, "us-west-2")
	fwd := uniqueName(t, "fwd")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(fwd), EventPattern: pattern})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(fwd), Targets: []types.Target{
		{Id: aws.String("east"), Arn: eastBus}, {Id: aws.String("west"), Arn: westBus}}})
	require.NoError(t, err)
	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Hop"), Detail: aws.String(`{"n":1}`)}}})
	require.NoError(t, err)
	original := aws.ToString(pe.Entries[0].EventId)

	var east, westEv map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, eastURL, 1)[0].Body)), &east))
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, west, westURL, 1)[0].Body)), &westEv))
	// AWS: the same region keeps the event's id; another region gives it a new one. Both
	// keep the account and region the event was put in.
	require.Equal(t, original, east["id"])
	require.NotEqual(t, original, westEv["id"])
	require.NotEmpty(t, westEv["id"])
	require.Equal(t, "us-east-1", westEv["region"])
	require.Equal(t, defaultAccount, westEv["account"])
}

func TestPutEventsToMissingBusIsAccepted(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	out, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("MySource"), DetailType: aws.String("CustomType"), Detail: aws.String(`{}`)},
		{Source: aws.String("MySource"), DetailType: aws.String("CustomType"), Detail: aws.String(`{}`), EventBusName: aws.String(uniqueName(t, "nobus"))},
	}})
	require.NoError(t, err)
	// AWS answers success for both entries; the second one goes nowhere.
	require.Zero(t, out.FailedEntryCount)
	require.Len(t, out.Entries, 2)
	for _, e := range out.Entries {
		require.NotEmpty(t, aws.ToString(e.EventId))
		require.Nil(t, e.ErrorCode)
	}
}

func TestGetScheduleAnswersDefaults(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	name := uniqueName(t, "s")
	_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("cron(0 0 * * ? *)"),
		FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(60)},
		Target:             &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:x"), RoleArn: roleARN}})
	require.NoError(t, err)
	out, err := c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: aws.String(name)})
	require.NoError(t, err)
	// AWS answers the timezone and the target retry policy it applies by default.
	require.Equal(t, "UTC", aws.ToString(out.ScheduleExpressionTimezone))
	require.NotNil(t, out.Target.RetryPolicy)
	require.Equal(t, int32(86400), aws.ToInt32(out.Target.RetryPolicy.MaximumEventAgeInSeconds))
	require.Equal(t, int32(185), aws.ToInt32(out.Target.RetryPolicy.MaximumRetryAttempts))
	require.Equal(t, schtypes.ActionAfterCompletionNone, out.ActionAfterCompletion)
	require.Equal(t, schtypes.ScheduleStateEnabled, out.State)
}

func TestCreateApiDestinationValidationMessage(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	_, err := c.eb.CreateApiDestination(ctx(t), &eventbridge.CreateApiDestinationInput{Name: aws.String(uniqueName(t, "d")),
		ConnectionArn: aws.String("invalid-connection-arn"), InvocationEndpoint: aws.String("https://example.com/api"), HttpMethod: "INVALID_METHOD"})
	require.Equal(t, `2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed to satisfy constraint: `+
		`Member must satisfy regular expression pattern: ^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$; `+
		`Value 'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]`,
		requireCode(t, err, "ValidationException").ErrorMessage())
}

func TestSchedulerUpdateScheduleAnswers(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	name := uniqueName(t, "s")
	_, err := c.sch.CreateSchedule(ctx(t), &scheduler.CreateScheduleInput{Name: aws.String(name), Description: aws.String("Test description"),
		ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(60)},
		Target:             &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:initial"), RoleArn: roleARN, Input: aws.String(`{"key":"value"}`)}})
	require.NoError(t, err)
	// AWS accepts rate(2 minute) from Scheduler (its rules want "minutes" there) and
	// answers it as written. UpdateSchedule replaces the schedule: the description it
	// leaves out is gone, and the target's retry policy is back to its default.
	out, err := c.sch.UpdateSchedule(ctx(t), &scheduler.UpdateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(2 minute)"),
		State: schtypes.ScheduleStateDisabled, ActionAfterCompletion: schtypes.ActionAfterCompletionDelete,
		FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff},
		Target:             &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:update"), RoleArn: roleARN, Input: aws.String(`{"otherkey":"othervalue"}`)}})
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("arn:aws:scheduler:us-east-1:%s:schedule/default/%s", defaultAccount, name), aws.ToString(out.ScheduleArn))
	got, err := c.sch.GetSchedule(ctx(t), &scheduler.GetScheduleInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "rate(2 minute)", aws.ToString(got.ScheduleExpression))
	require.Nil(t, got.Description)
	require.Equal(t, schtypes.ScheduleStateDisabled, got.State)
	require.Equal(t, schtypes.ActionAfterCompletionDelete, got.ActionAfterCompletion)
	require.Equal(t, schtypes.FlexibleTimeWindowModeOff, got.FlexibleTimeWindow.Mode)
	require.Nil(t, got.FlexibleTimeWindow.MaximumWindowInMinutes)
	require.Equal(t, "UTC", aws.ToString(got.ScheduleExpressionTimezone))
	require.Equal(t, "default", aws.ToString(got.GroupName))
	require.Equal(t, "arn:aws:sqs:us-east-1:000000000000:update", aws.ToString(got.Target.Arn))
	require.JSONEq(t, `{"otherkey":"othervalue"}`, aws.ToString(got.Target.Input))
	require.Equal(t, int32(86400), aws.ToInt32(got.Target.RetryPolicy.MaximumEventAgeInSeconds))
	require.Equal(t, int32(185), aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts))

	_, err = c.sch.DeleteSchedule(ctx(t), &scheduler.DeleteScheduleInput{Name: aws.String("not-existing-schedule-name")})
	var nf *schtypes.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	require.Equal(t, "Schedule not-existing-schedule-name does not exist.", nf.ErrorMessage())
}

func TestRuleRateUnitMustAgreeWithValue(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	// AWS refuses each of these with the same message; EventBridge rules, unlike
	// Scheduler, want the singular unit for 1 and the plural for anything else.
	for _, expr := range []string{"rate(10 seconds)", "rate(10 years)", "rate(1 minutes)", "rate(1 hours)", "rate(1 days)",
		"rate(10 minute)", "rate(10 hour)", "rate(10 day)", "rate()", "rate(10)", "rate(10 minutess)", "rate(foo minutes)",
		"rate(0 minutes)", "rate(-10 minutes)", "rate(10 MINUTES)", "rate( 10 minutes )", " rate(10 minutes)"} {
		_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(uniqueName(t, "r")), ScheduleExpression: aws.String(expr)})
		require.Equal(t, "Parameter ScheduleExpression is not valid.", requireCode(t, err, "ValidationException").ErrorMessage(), expr)
	}
}

var secretARNPattern = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:\d{12}:secret:events!connection/([^/]+)/([0-9a-f-]{36})-[A-Za-z0-9]{6}$`)

func TestUpdateConnectionAnswers(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	name := uniqueName(t, "c")
	created, err := c.eb.CreateConnection(ctx(t), &eventbridge.CreateConnectionInput{Name: aws.String(name), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{BasicAuthParameters: &types.CreateConnectionBasicAuthRequestParameters{
			Username: aws.String("user"), Password: aws.String("pass")}}})
	require.NoError(t, err)
	before, err := c.eb.DescribeConnection(ctx(t), &eventbridge.DescribeConnectionInput{Name: aws.String(name)})
	require.NoError(t, err)
	// AWS keeps the credentials in a secret named after the connection, with an id of
	// its own (not the connection's) and Secrets Manager's six-character suffix.
	m := secretARNPattern.FindStringSubmatch(aws.ToString(before.SecretArn))
	require.NotNil(t, m, aws.ToString(before.SecretArn))
	require.Equal(t, name, m[1])
	require.NotContains(t, aws.ToString(created.ConnectionArn), m[2])

	up, err := c.eb.UpdateConnection(ctx(t), &eventbridge.UpdateConnectionInput{Name: aws.String(name), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.UpdateConnectionAuthRequestParameters{BasicAuthParameters: &types.UpdateConnectionBasicAuthRequestParameters{
			Username: aws.String("new_user"), Password: aws.String("new_pass")}}})
	require.NoError(t, err)
	require.Equal(t, types.ConnectionStateAuthorized, up.ConnectionState)
	require.NotNil(t, up.LastAuthorizedTime)
	after, err := c.eb.DescribeConnection(ctx(t), &eventbridge.DescribeConnectionInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "new_user", aws.ToString(after.AuthParameters.BasicAuthParameters.Username))
	require.Nil(t, after.AuthParameters.ApiKeyAuthParameters)
	require.Equal(t, aws.ToString(before.SecretArn), aws.ToString(after.SecretArn))
}

func TestApiDestinationLifecycleAnswers(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	conn, err := c.eb.CreateConnection(ctx(t), &eventbridge.CreateConnectionInput{Name: aws.String(uniqueName(t, "c")), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{BasicAuthParameters: &types.CreateConnectionBasicAuthRequestParameters{
			Username: aws.String("user"), Password: aws.String("pass")}}})
	require.NoError(t, err)
	name := uniqueName(t, "d")
	created, err := c.eb.CreateApiDestination(ctx(t), &eventbridge.CreateApiDestinationInput{Name: aws.String(name), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String("https://example.com/api"), HttpMethod: types.ApiDestinationHttpMethodPost, Description: aws.String("Test API destination")})
	require.NoError(t, err)
	// AWS: an API destination of an authorized connection is ACTIVE, with AWS's default
	// invocation rate limit of 300 per second.
	require.Equal(t, types.ApiDestinationStateActive, created.ApiDestinationState)
	d, err := c.eb.DescribeApiDestination(ctx(t), &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.ApiDestinationStateActive, d.ApiDestinationState)
	require.Equal(t, int32(300), aws.ToInt32(d.InvocationRateLimitPerSecond))
	require.Equal(t, "Test API destination", aws.ToString(d.Description))
	up, err := c.eb.UpdateApiDestination(ctx(t), &eventbridge.UpdateApiDestinationInput{Name: aws.String(name), Description: aws.String("Updated API destination"),
		InvocationEndpoint: aws.String("https://example.com/api/v2"), HttpMethod: types.ApiDestinationHttpMethodPut})
	require.NoError(t, err)
	require.Equal(t, types.ApiDestinationStateActive, up.ApiDestinationState)
	d, err = c.eb.DescribeApiDestination(ctx(t), &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "https://example.com/api/v2", aws.ToString(d.InvocationEndpoint))
	require.Equal(t, types.ApiDestinationHttpMethodPut, d.HttpMethod)
	require.Equal(t, "Updated API destination", aws.ToString(d.Description))
	_, err = c.eb.DeleteApiDestination(ctx(t), &eventbridge.DeleteApiDestinationInput{Name: aws.String(name)})
	require.NoError(t, err)
	_, err = c.eb.DescribeApiDestination(ctx(t), &eventbridge.DescribeApiDestinationInput{Name: aws.String(name)})
	require.Equal(t, fmt.Sprintf("Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name),
		requireCode(t, err, "ResourceNotFoundException").ErrorMessage())
}
