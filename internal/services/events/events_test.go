package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPutEventsToSQSWithInputTransformer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustRule(t, "", "orders", `{"source":["shop"],"detail":{"total":[{"numeric":[">",10]}]}}`, &Target{
		ID: ptr("q"), ARN: ptr(queueARN("orders")),
		InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "total": "$.detail.total", "missing": "$.detail.nope"},
			InputTemplate: ptr(`{"order":"<id>","total":<total>,"text":"order <id> of <total>","m":<missing>,"rule":"<aws.events.rule-name>"}`),
		},
	})
	out, err := b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{"id":"o-1","total":12.5}`)},
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{"id":"o-2","total":3}`)},
		{Source: ptr("shop"), DetailType: ptr("Order")},
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`not json`)},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(2), *out.FailedEntryCount)
	require.NotNil(t, out.Entries[0].EventID)
	require.NotNil(t, out.Entries[1].EventID)
	require.Equal(t, "InvalidArgument", *out.Entries[2].ErrorCode)
	require.Equal(t, "MalformedDetail", *out.Entries[3].ErrorCode)

	msgs := b.MustReceive(t, queueARN("orders"), 1)
	require.Len(t, msgs, 1)
	require.JSONEq(t, `{"order":"o-1","total":12.5,"text":"order o-1 of 12.5","m":null,"rule":"orders"}`, msgs[0].body)
}

func TestPutEventsEnvelopeAndInputPath(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustRule(t, "", "all", `{"source":["app"]}`, &Target{ID: ptr("whole"), ARN: ptr(queueARN("whole"))})
	_, err := b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("all"), Targets: []*Target{
		{ID: ptr("path"), ARN: ptr(queueARN("path")), InputPath: ptr("$.detail.user")},
		{ID: ptr("const"), ARN: ptr(queueARN("const")), Input: ptr(`{"fixed":true}`)},
	}})
	require.NoError(t, err)
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
		{Source: ptr("app"), DetailType: ptr("Signup"), Detail: ptr(`{"user":{"name":"ana"}}`), Time: &at, Resources: []string{"arn:x"}},
	}})
	require.NoError(t, err)
	whole := b.MustReceive(t, queueARN("whole"), 1)[0]
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(whole.body), &ev))
	require.Equal(t, "0", ev["version"])
	require.Equal(t, testAccount, ev["account"])
	require.Equal(t, testRegion, ev["region"])
	require.Equal(t, "2026-02-03T04:05:06Z", ev["time"])
	require.Equal(t, "Signup", ev["detail-type"])
	require.Equal(t, []any{"arn:x"}, ev["resources"])
	require.Equal(t, map[string]any{"user": map[string]any{"name": "ana"}}, ev["detail"])
	require.JSONEq(t, `{"name":"ana"}`, b.MustReceive(t, queueARN("path"), 1)[0].body)
	require.JSONEq(t, `{"fixed":true}`, b.MustReceive(t, queueARN("const"), 1)[0].body)
}

func TestScheduledRuleFiresOnVirtualClock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PutRule(b.ctx, &PutRuleInput{Name: ptr("tick"), ScheduleExpression: ptr("rate(5 minutes)")})
	require.NoError(t, err)
	_, err = b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("tick"), Targets: []*Target{{ID: ptr("q"), ARN: ptr(queueARN("ticks"))}}})
	require.NoError(t, err)
	b.clock.Advance(5 * time.Minute)
	first := b.MustReceive(t, queueARN("ticks"), 1)[0]
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(first.body), &ev))
	require.Equal(t, "Scheduled Event", ev["detail-type"])
	require.Equal(t, "aws.events", ev["source"])
	require.Equal(t, []any{"arn:aws:events:us-east-1:123456789012:rule/tick"}, ev["resources"])
	require.Equal(t, "2026-03-01T12:05:00Z", ev["time"])
	b.clock.Advance(5 * time.Minute)
	b.MustReceive(t, queueARN("ticks"), 2)

	// A disabled rule stops firing.
	_, err = b.svc.DisableRule(b.ctx, &DisableRuleInput{Name: ptr("tick")})
	require.NoError(t, err)
	b.clock.Advance(30 * time.Minute)
	_, err = b.svc.EnableRule(b.ctx, &EnableRuleInput{Name: ptr("tick")})
	require.NoError(t, err)
	b.clock.Advance(5 * time.Minute)
	msgs := b.MustReceive(t, queueARN("ticks"), 3)
	require.Len(t, msgs, 3)
}

func TestCronRuleFires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PutRule(b.ctx, &PutRuleInput{Name: ptr("noon"), ScheduleExpression: ptr("cron(30 12 * * ? *)")})
	require.NoError(t, err)
	_, err = b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("noon"), Targets: []*Target{{ID: ptr("q"), ARN: ptr(queueARN("noon"))}}})
	require.NoError(t, err)
	b.clock.Advance(30 * time.Minute)
	m := b.MustReceive(t, queueARN("noon"), 1)[0]
	require.Contains(t, m.body, `"time":"2026-03-01T12:30:00Z"`)
}

func TestDeadLetterQueueAfterRetries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.failing[queueARN("broken")] = true
	b.MustRule(t, "", "r", `{"source":["app"]}`, &Target{ID: ptr("t"), ARN: ptr(queueARN("broken")),
		RetryPolicy:      &RetryPolicy{MaximumRetryAttempts: ptr(int32(2))},
		DeadLetterConfig: &DeadLetterConfig{ARN: ptr(queueARN("dlq"))}})
	_, err := b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
		{Source: ptr("app"), DetailType: ptr("X"), Detail: ptr(`{}`)},
	}})
	require.NoError(t, err)
	// Drive the retries' backoff on the virtual clock.
	require.Eventually(t, func() bool {
		b.clock.Advance(2 * time.Second) // short steps: an attempt in flight keeps its lease
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, m := range b.sent {
			if m.queue == queueARN("dlq") {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	m := b.MustReceive(t, queueARN("dlq"), 1)[0]
	require.Contains(t, m.body, `"source":"app"`)
	require.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/r", m.attrs["RULE_ARN"])
	require.Equal(t, queueARN("broken"), m.attrs["TARGET_ARN"])
	require.Equal(t, "queue unavailable", m.attrs["ERROR_MESSAGE"])
	require.Equal(t, "MaximumRetryAttempts", m.attrs["EXHAUSTED_RETRY_CONDITION"])
	require.Equal(t, "2", m.attrs["RETRY_ATTEMPTS"])
}

func TestCrossBusTarget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: ptr("audit")})
	require.NoError(t, err)
	b.MustRule(t, "audit", "sink", `{"detail-type":["Login"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("audit"))})
	b.MustRule(t, "", "fwd", `{"source":["auth"]}`, &Target{ID: ptr("bus"), ARN: ptr("arn:aws:events:us-east-1:123456789012:event-bus/audit")})
	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
		{Source: ptr("auth"), DetailType: ptr("Login"), Detail: ptr(`{"u":1}`)},
	}})
	require.NoError(t, err)
	m := b.MustReceive(t, queueARN("audit"), 1)[0]
	require.Contains(t, m.body, `"detail-type":"Login"`)
}

func TestRuleErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PutRule(b.ctx, &PutRuleInput{Name: ptr("bad"), EventPattern: ptr(`{"source":"x"}`)})
	requireCode(t, err, "InvalidEventPatternException")
	require.True(t, strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason:") || strings.Contains(err.Error(), "Event pattern is not valid"))
	for _, expr := range []string{"rate(0 minutes)", "cron(0 12 * * * *)", "cron(* * *)", "every 5 minutes"} {
		_, err = b.svc.PutRule(b.ctx, &PutRuleInput{Name: ptr("bad"), ScheduleExpression: ptr(expr)})
		requireCode(t, err, "ValidationException")
	}
	_, err = b.svc.DescribeRule(b.ctx, &DescribeRuleInput{Name: ptr("bad")})
	requireCode(t, err, "ResourceNotFoundException")

	_, err = b.svc.PutRule(b.ctx, &PutRuleInput{Name: ptr("r"), EventPattern: ptr(`{"source":["a"]}`), EventBusName: ptr("nope")})
	requireCode(t, err, "ResourceNotFoundException")

	b.MustRule(t, "", "r", `{"source":["a"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("q"))})
	_, err = b.svc.DeleteRule(b.ctx, &DeleteRuleInput{Name: ptr("r")})
	requireCode(t, err, "ValidationException")

	out, err := b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("r"), Targets: []*Target{
		{ID: ptr("fn"), ARN: ptr("arn:aws:lambda:us-east-1:123456789012:function:f")},
		{ID: ptr("sns"), ARN: ptr("arn:aws:sns:us-east-1:123456789012:t")},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(2), *out.FailedEntryCount)
	_, err = b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr("r"), Targets: []*Target{
		{ID: ptr("x"), ARN: ptr(queueARN("q")), Input: ptr("{}"), InputPath: ptr("$.detail")},
	}})
	requireCode(t, err, "ValidationException")
	lt, err := b.svc.ListTargetsByRule(b.ctx, &ListTargetsByRuleInput{Rule: ptr("r")})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 1, "nothing half-created")

	rm, err := b.svc.RemoveTargets(b.ctx, &RemoveTargetsInput{Rule: ptr("r"), IDs: []string{"q", "nope"}})
	require.NoError(t, err)
	require.Equal(t, int32(1), *rm.FailedEntryCount)
	_, err = b.svc.DeleteRule(b.ctx, &DeleteRuleInput{Name: ptr("r")})
	require.NoError(t, err)
}

func TestListRulesAndNamesByTarget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, n := range []string{"a1", "a2", "a3", "b1"} {
		b.MustRule(t, "", n, `{"source":["x"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN(n[:1]))})
	}
	page, err := b.svc.ListRules(b.ctx, &ListRulesInput{NamePrefix: ptr("a"), Limit: ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, page.Rules, 2)
	require.NotNil(t, page.NextToken)
	page2, err := b.svc.ListRules(b.ctx, &ListRulesInput{NamePrefix: ptr("a"), Limit: ptr(int32(2)), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Len(t, page2.Rules, 1)
	require.Equal(t, "a3", *page2.Rules[0].Name)
	names, err := b.svc.ListRuleNamesByTarget(b.ctx, &ListRuleNamesByTargetInput{TargetARN: ptr(queueARN("a"))})
	require.NoError(t, err)
	require.Equal(t, []string{"a1", "a2", "a3"}, names.RuleNames)
}

func TestTestEventPattern(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := `{"id":"1","account":"123456789012","source":"shop","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"x","resources":[],"detail":{"n":5}}`
	out, err := b.svc.TestEventPattern(b.ctx, &TestEventPatternInput{Event: ptr(ev), EventPattern: ptr(`{"detail":{"n":[{"numeric":[">",3]}]}}`)})
	require.NoError(t, err)
	require.True(t, *out.Result)
	out, err = b.svc.TestEventPattern(b.ctx, &TestEventPatternInput{Event: ptr(ev), EventPattern: ptr(`{"source":["other"]}`)})
	require.NoError(t, err)
	require.False(t, *out.Result)
	_, err = b.svc.TestEventPattern(b.ctx, &TestEventPatternInput{Event: ptr(ev), EventPattern: ptr(`{"source":[{"bogus":1}]}`)})
	requireCode(t, err, "InvalidEventPatternException")
}

func TestBusesAndTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: ptr("custom"), Tags: []*Tag{{Key: ptr("k"), Value: ptr("v")}}})
	require.NoError(t, err)
	_, err = b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: ptr("custom")})
	requireCode(t, err, "ResourceAlreadyExistsException")
	list, err := b.svc.ListEventBuses(b.ctx, &ListEventBusesInput{})
	require.NoError(t, err)
	require.Len(t, list.EventBuses, 2)
	arn := "arn:aws:events:us-east-1:123456789012:event-bus/custom"
	tags, err := b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: &arn})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	_, err = b.svc.PutPermission(b.ctx, &PutPermissionInput{EventBusName: ptr("custom"), StatementID: ptr("s1"), Principal: ptr("111122223333"), Action: ptr("events:PutEvents")})
	require.NoError(t, err)
	d, err := b.svc.DescribeEventBus(b.ctx, &DescribeEventBusInput{Name: ptr("custom")})
	require.NoError(t, err)
	require.Contains(t, *d.Policy, "111122223333")
	_, err = b.svc.RemovePermission(b.ctx, &RemovePermissionInput{EventBusName: ptr("custom"), StatementID: ptr("s1")})
	require.NoError(t, err)
	_, err = b.svc.DeleteEventBus(b.ctx, &DeleteEventBusInput{Name: ptr("custom")})
	require.NoError(t, err)
	_, err = b.svc.DescribeEventBus(b.ctx, &DescribeEventBusInput{Name: ptr("custom")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.DeleteEventBus(b.ctx, &DeleteEventBusInput{Name: ptr("default")})
	requireCode(t, err, "ValidationException")
}

func TestApplyTransformer(t *testing.T) {
	t.Parallel()
	event := []byte(`{"detail":{"s":"a\"b","n":3,"o":{"x":[1,2]}}}`)
	paths := map[string]string{"s": "$.detail.s", "n": "$.detail.n", "o": "$.detail.o", "x0": "$.detail.o.x[0]"}
	tests := []struct{ tmpl, want string }{
		{`{"s":"<s>"}`, `{"s":"a\"b"}`},
		{`{"s":<s>}`, `{"s":"a\"b"}`},
		{`{"n":<n>,"x":<x0>}`, `{"n":3,"x":1}`},
		{`{"o":<o>}`, `{"o":{"x":[1,2]}}`},
		{`"<s> has <n>"`, `"a\"b has 3"`},
		{`{"e":<aws.events.event.json>}`, `{"e":{"detail":{"s":"a\"b","n":3,"o":{"x":[1,2]}}}}`},
	}
	for _, tt := range tests {
		got := applyTransformer(event, paths, tt.tmpl, transformContext{ruleName: "r"})
		require.Equal(t, tt.want, got, tt.tmpl)
	}
}

func FuzzApplyTransformer(f *testing.F) {
	f.Add(`{"a":{"b":"c"}}`, `{"x":"<v>","y":<v>}`, "$.a.b")
	f.Add(`{"a":[1,2]}`, `"<v> and <aws.events.event>"`, "$.a[1]")
	f.Fuzz(func(t *testing.T, event, tmpl, path string) {
		_ = applyTransformer([]byte(event), map[string]string{"v": path}, tmpl, transformContext{})
		_ = applyInputPath([]byte(event), path)
	})
}
