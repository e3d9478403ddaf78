package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// eventsGroup measures EventBridge over awsJson 1.1: PutEvents against buses of growing
// rule counts, so that the cost of matching shows apart from the cost of delivery.
var eventsGroup = &group{
	name: "events",
	scenarios: []*scenario{
		eventsPutScenario(1),
		eventsPutScenario(100),
		eventsPutScenario(10_000),
	},
	ceiling: eventsCeiling,
	goals:   eventsGoals,
}

// snsGroup measures SNS over the query protocol: Publish latency and fan-out to SQS.
var snsGroup = &group{
	name: "sns",
	scenarios: []*scenario{
		snsPublishScenario(1),
		snsPublishScenario(0),
		snsFanoutScenario(1, false),
		snsFanoutScenario(0, false),
		snsFanoutScenario(1, true),
		snsFanoutScenario(0, true),
	},
	ceiling: snsCeiling,
	goals:   snsGoals,
}

const (
	eventsEntriesPerCall = 10
	eventsCallers        = 16
	// eventsRuleCallers is the concurrency of the PutRule calls that set a bus up.
	eventsRuleCallers = 16
	// eventsHotRules is how many rules match every event the scenarios put.
	eventsHotRules = 10
	// eventsCallGrace is how long past a run's duration a PutEvents call may take.
	eventsCallGrace = 10 * time.Second
	// eventsMaxSlowRules is the largest rule count asked of moto, which creates rules at
	// tens per second.
	eventsMaxSlowRules = 100

	snsFanoutQueues = 3
	snsPublishers   = 16
	// snsConsumersPerQueue receive from each subscribed queue.
	snsConsumersPerQueue = 6
)

// eventsBuses remembers the bus set up for each target and rule count, so that runs after
// the first reuse its rules instead of creating them again; setup records how long the
// first creation took.
var eventsBuses = struct {
	mu    sync.Mutex
	bus   map[string]string
	setup map[string]time.Duration
}{bus: map[string]string{}, setup: map[string]time.Duration{}}

func eventsBusKey(targetName string, rules int) string {
	return targetName + "/" + strconv.Itoa(rules)
}

func eventsPutScenario(rules int) *scenario {
	return &scenario{
		id: fmt.Sprintf("events.putevents.rules%d", rules),
		title: fmt.Sprintf("PutEvents (%d entries per call, %d concurrent callers) on a bus of %s rules, %d of which match every event, no targets",
			eventsEntriesPerCall, eventsCallers, thousands(int64(rules)), min(rules, eventsHotRules)),
		unit:    "1 event put (latencies are per call)",
		latency: true,
		run: func(ctx context.Context, e *runEnv) (*runResult, error) {
			return eventsPut(ctx, e, rules)
		},
	}
}

// eventsRulePattern returns the event pattern of rule j. The first rules match every
// event the scenarios put; the others look at the same fields with exact, prefix, numeric
// and anything-but tests that no event passes, so a matcher has to rule them out.
func eventsRulePattern(j int) string {
	detail := map[string]any{}
	p := map[string]any{"source": []string{"bench.orders"}}
	if j < eventsHotRules {
		switch j % 4 {
		case 0:
			p["detail-type"] = []string{"Order Placed"}
		case 1:
			detail["region"] = []any{map[string]string{"prefix": "eu-"}}
		case 2:
			detail["amount"] = []any{map[string]any{"numeric": []any{">=", 0, "<", 1_000_000}}}
		case 3:
			detail["status"] = []any{map[string][]string{"anything-but": {"cancelled", "refunded"}}}
		}
	} else {
		p["detail-type"] = []string{"Order Placed"}
		switch j % 4 {
		case 0:
			detail["customer"] = []string{fmt.Sprintf("vip-%d", j)}
		case 1:
			detail["region"] = []any{map[string]string{"prefix": fmt.Sprintf("zz-%d-", j)}}
		case 2:
			detail["amount"] = []any{map[string]any{"numeric": []any{">", 1_000_000 + j}}}
		case 3:
			detail["status"] = []any{map[string][]string{"anything-but": {"open"}}}
			detail["customer"] = []any{map[string]string{"prefix": fmt.Sprintf("c%d", j)}}
		}
	}
	if len(detail) > 0 {
		p["detail"] = detail
	}
	return string(mustJSON(p))
}

// eventsDetail is the detail of event i: every hot rule matches it, no other rule does.
func eventsDetail(i int) string {
	return string(mustJSON(map[string]any{
		"orderId":  fmt.Sprintf("o-%08d", i),
		"customer": fmt.Sprintf("customer-%d", i%997),
		"region":   "eu-west-1",
		"amount":   i % 5000,
		"status":   "open",
		"items":    []string{"book", "pen"},
	}))
}

// eventsSetup returns a bus holding the given number of rules on e's target, creating it
// on the target's first run.
func eventsSetup(ctx context.Context, client *eventbridge.Client, e *runEnv, rules int) (string, error) {
	key := eventsBusKey(e.target.name, rules)
	// Buses are per server: a target's name may stand for several servers over time.
	busKey := e.target.endpoint + " " + key
	eventsBuses.mu.Lock()
	bus, ok := eventsBuses.bus[busKey]
	eventsBuses.mu.Unlock()
	if ok {
		return bus, nil
	}
	bus = e.name + "-bus"
	if _, err := client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		return "", fmt.Errorf("create event bus %s: %w", bus, err)
	}
	start := time.Now()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		firstEr error
	)
	setupCtx, cancel := context.WithTimeout(ctx, e.sizes.deadline)
	defer cancel()
	for range eventsRuleCallers {
		wg.Go(func() {
			for {
				j := int(next.Add(1)) - 1
				if j >= rules || setupCtx.Err() != nil {
					return
				}
				_, err := client.PutRule(setupCtx, &eventbridge.PutRuleInput{
					Name:         aws.String(fmt.Sprintf("r%05d", j)),
					EventBusName: aws.String(bus),
					EventPattern: aws.String(eventsRulePattern(j)),
					State:        ebtypes.RuleStateEnabled,
				})
				if err != nil {
					errOnce.Do(func() { firstEr = fmt.Errorf("put rule %d on %s: %w", j, bus, err) })
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	if firstEr != nil {
		return "", firstEr
	}
	if err := setupCtx.Err(); err != nil {
		return "", fmt.Errorf("creating %d rules: %w", rules, err)
	}
	eventsBuses.mu.Lock()
	eventsBuses.bus[busKey] = bus
	eventsBuses.setup[key] = time.Since(start)
	eventsBuses.mu.Unlock()
	return bus, nil
}

// eventsPut calls PutEvents with batches of 10 from 16 goroutines until the duration or
// the count bound is reached. The bus and its rules are kept for the target's next runs.
func eventsPut(ctx context.Context, e *runEnv, rules int) (*runResult, error) {
	if e.target.slow && rules > eventsMaxSlowRules {
		return nil, fmt.Errorf("not run on %s: creating %s rules there takes too long", e.target.name, thousands(int64(rules)))
	}
	// On PostgreSQL, creating 10,000 rules takes about a minute and PutEvents then stalls
	// while every caller reloads the bus's rules, past a run's deadline: the bench would
	// spend minutes there to report nothing.
	if e.target.name == targetOvercastPG && rules > eventsMaxSlowRules {
		return nil, fmt.Errorf("not run on %s: creating %s rules there takes a minute, and PutEvents then stalls reloading them", e.target.name, thousands(int64(rules)))
	}
	client := eventbridge.NewFromConfig(e.aws)
	bus, err := eventsSetup(ctx, client, e, rules)
	if err != nil {
		return nil, err
	}
	// A call still unanswered well after the run's duration counts as an error, so that a
	// stalled server costs a bounded time.
	callCtx, cancel := context.WithTimeout(ctx, e.sizes.duration+eventsCallGrace)
	defer cancel()
	var (
		res      runResult
		mu       sync.Mutex
		issued   atomic.Int64
		seq      atomic.Int64
		deadline time.Time
		ready    sync.WaitGroup
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if res.firstErr == nil {
			res.firstErr = err
		}
	}
	batch := func() *eventbridge.PutEventsInput {
		in := &eventbridge.PutEventsInput{}
		for range eventsEntriesPerCall {
			i := int(seq.Add(1))
			in.Entries = append(in.Entries, ebtypes.PutEventsRequestEntry{
				EventBusName: aws.String(bus),
				Source:       aws.String("bench.orders"),
				DetailType:   aws.String("Order Placed"),
				Detail:       aws.String(eventsDetail(i)),
				Resources:    []string{"arn:aws:bench:us-east-1:000000000000:order/" + strconv.Itoa(i)},
			})
		}
		return in
	}
	put := func(in *eventbridge.PutEventsInput) error {
		out, err := client.PutEvents(callCtx, in)
		if err != nil {
			return err
		}
		if out.FailedEntryCount > 0 {
			for _, en := range out.Entries {
				if en.ErrorCode != nil {
					return fmt.Errorf("PutEvents: %d entries failed, first %s: %s", out.FailedEntryCount, aws.ToString(en.ErrorCode), aws.ToString(en.ErrorMessage))
				}
			}
			return fmt.Errorf("PutEvents: %d entries failed", out.FailedEntryCount)
		}
		return nil
	}
	ready.Add(eventsCallers)
	for range eventsCallers {
		wg.Go(func() {
			// One unmeasured call opens this caller's connection.
			if err := put(batch()); err != nil {
				mu.Lock()
				if res.firstErr == nil {
					res.firstErr = err
				}
				mu.Unlock()
			}
			ready.Done()
			<-start
			lat := make([]time.Duration, 0, 1024)
			defer func() {
				mu.Lock()
				res.latencies = append(res.latencies, lat...)
				mu.Unlock()
			}()
			for issued.Add(1) <= int64(e.sizes.maxOps) && time.Now().Before(deadline) {
				in := batch()
				t0 := time.Now()
				err := put(in)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					fail(err)
					continue
				}
				lat = append(lat, d)
			}
		})
	}
	ready.Wait()
	deadline = time.Now().Add(e.sizes.duration)
	e.begin()
	close(start)
	wg.Wait()
	e.end()
	res.ops = len(res.latencies) * eventsEntriesPerCall
	return &res, ctx.Err()
}

// eventsGoals checks the EventBridge target of the issue: matching against 10,000 rules
// costs at most twice as much as against 100. It also reports how long the rules took to
// create, which is not part of any measured run.
func eventsGoals(r *report) []goal {
	var gs []goal
	for _, name := range overcastTargets {
		g := goal{Name: fmt.Sprintf("PutEvents (%s): events/s at 100 rules vs at 10,000", name), Want: "<= 2x", Got: "n/a", Status: "n/a"}
		c100, c10k := r.result("events.putevents.rules100", name), r.result("events.putevents.rules10000", name)
		if c10k == nil && name != targetOvercast {
			// The PostgreSQL variant does not run 10,000 rules; see eventsPut.
			continue
		}
		if c100 != nil && c10k != nil && c10k.Rate > 0 {
			x := c100.Rate / c10k.Rate
			g.Got = fmtRatio(x)
			g.Status = passMiss(x <= 2)
		}
		gs = append(gs, g)
	}
	eventsBuses.mu.Lock()
	defer eventsBuses.mu.Unlock()
	for _, name := range targetNames {
		d, ok := eventsBuses.setup[eventsBusKey(name, 10_000)]
		if !ok {
			continue
		}
		gs = append(gs, goal{
			Name:   fmt.Sprintf("setup (%s): 10,000 PutRule calls, %d concurrent, not measured in the runs", name, eventsRuleCallers),
			Want:   "no target",
			Got:    fmt.Sprintf("%.1f s (%s rules/s)", d.Seconds(), fmtRate(10_000/d.Seconds())),
			Status: "n/a",
		})
	}
	return gs
}

const awsJSON11 = "application/x-amz-json-1.1"

// The ceiling's EventBridge replies.
var (
	eventsCeilingBus  = mustJSON(map[string]string{"EventBusArn": "arn:aws:events:us-east-1:000000000000:event-bus/bench"})
	eventsCeilingRule = mustJSON(map[string]string{"RuleArn": "arn:aws:events:us-east-1:000000000000:rule/bench/r"})
	eventsCeilingPut  = func() []byte {
		type entry struct {
			EventID string `json:"EventId"`
		}
		var es []entry
		for i := range eventsEntriesPerCall {
			es = append(es, entry{EventID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i)})
		}
		return mustJSON(map[string]any{"FailedEntryCount": 0, "Entries": es})
	}()
)

// eventsCeiling answers EventBridge requests (X-Amz-Target AWSEvents.*) with fixed
// replies.
func eventsCeiling(r *http.Request) http.HandlerFunc {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSEvents.")
	if !ok {
		return nil
	}
	body := sqsCeilingEmpty
	switch op {
	case "PutEvents":
		body = eventsCeilingPut
	case "PutRule":
		body = eventsCeilingRule
	case "CreateEventBus":
		body = eventsCeilingBus
	}
	return func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		writeFixed(w, awsJSON11, body)
	}
}

func drain(r *http.Request) {
	buf := make([]byte, 4096)
	for {
		if _, err := r.Body.Read(buf); err != nil {
			return
		}
	}
}

// snsPublishScenario measures Publish at concurrency 1 to a topic with three SQS
// subscriptions, envelopes of them with the signed JSON envelope and the others with raw
// message delivery. Every envelope costs Overcast an RSA-2048 signature per message (one
// for all the envelope subscriptions of a message), which dominates its CPU.
func snsPublishScenario(envelopes int) *scenario {
	return &scenario{
		id:      snsScenarioID("sns.publish.c1", envelopes),
		title:   fmt.Sprintf("Publish (%d-byte message), 1 caller, to a topic with %d SQS subscriptions (%s)", sqsBodySize, snsFanoutQueues, snsMix(envelopes)),
		unit:    "1 Publish call",
		latency: true,
		run:     func(ctx context.Context, e *runEnv) (*runResult, error) { return snsPublishC1(ctx, e, envelopes) },
	}
}

// snsScenarioID names the variant of an SNS scenario: the base for one envelope
// subscription, ".raw" when every subscription is raw.
func snsScenarioID(base string, envelopes int) string {
	if envelopes == 0 {
		return base + ".raw"
	}
	return base
}

// snsMix describes the subscriptions of an SNS scenario.
func snsMix(envelopes int) string {
	if envelopes == 0 {
		return "all raw"
	}
	return fmt.Sprintf("%d signed envelope, %d raw", envelopes, snsFanoutQueues-envelopes)
}

// snsFanoutScenario measures SNS delivering to three SQS queues. By default the clock
// runs from the first Publish until every copy is in its queue (SNS's delivery); only then
// do consumers receive and delete every copy, checking that none is lost. With
// endToEnd the consumers run during the publishing and the clock stops when the last
// copy is deleted: that adds SQS's receive and delete, on the same two cores, to what is
// measured.
func snsFanoutScenario(envelopes int, endToEnd bool) *scenario {
	id, how, unit := snsScenarioID("sns.fanout3", envelopes), "until every copy is in its queue, then consumers check every copy", "1 delivery in its queue"
	if endToEnd {
		id, how, unit = id+".e2e", fmt.Sprintf("while %d consumers per queue receive and delete every copy", snsConsumersPerQueue), "1 delivery received and deleted"
	}
	return &scenario{
		id: id,
		title: fmt.Sprintf("fan-out: Publish (%d publishers) to a topic with %d SQS subscriptions (%s), %s; the ceiling runs SendMessage with 16 callers, the reference of the target",
			snsPublishers, snsFanoutQueues, snsMix(envelopes), how),
		unit:   unit,
		checks: true,
		run: func(ctx context.Context, e *runEnv) (*runResult, error) {
			return snsFanout(ctx, e, envelopes, endToEnd)
		},
	}
}

// snsTopic is a topic subscribed by SQS queues.
type snsTopic struct {
	topicARN string
	queues   []string
	raw      []bool
}

// snsSetup creates a topic and its subscribed queues; the returned function removes them.
func snsSetup(ctx context.Context, e *runEnv, snsc *sns.Client, sqsc *sqs.Client, envelopes int) (*snsTopic, func(), error) {
	f := &snsTopic{}
	var cleanups []func()
	cleanup := func() {
		for _, c := range cleanups {
			c()
		}
	}
	out, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(e.name)})
	if err != nil {
		return nil, nil, fmt.Errorf("create topic %s: %w", e.name, err)
	}
	f.topicARN = aws.ToString(out.TopicArn)
	cleanups = append(cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = snsc.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(f.topicARN)})
	})
	for q := range snsFanoutQueues {
		name := fmt.Sprintf("%s-q%d", e.name, q)
		url, err := sqsCreateQueue(ctx, sqsc, name, false)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		cleanups = append(cleanups, func() { sqsDeleteQueue(sqsc, url) })
		arn := "arn:aws:sqs:us-east-1:000000000000:" + name
		if !e.target.fixed {
			at, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
				QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
			})
			if err != nil {
				cleanup()
				return nil, nil, fmt.Errorf("queue arn of %s: %w", name, err)
			}
			arn = at.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
		}
		raw := q >= envelopes
		in := &sns.SubscribeInput{TopicArn: aws.String(f.topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}
		if raw {
			in.Attributes = map[string]string{"RawMessageDelivery": "true"}
		}
		if _, err := snsc.Subscribe(ctx, in); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("subscribe %s: %w", name, err)
		}
		f.queues = append(f.queues, url)
		f.raw = append(f.raw, raw)
	}
	return f, cleanup, nil
}

// snsPublishC1 publishes from one caller until the duration or the count bound is reached.
func snsPublishC1(ctx context.Context, e *runEnv, envelopes int) (*runResult, error) {
	snsc, sqsc := sns.NewFromConfig(e.aws), sqs.NewFromConfig(e.aws)
	f, cleanup, err := snsSetup(ctx, e, snsc, sqsc, envelopes)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	in := &sns.PublishInput{TopicArn: aws.String(f.topicARN), Message: aws.String(padBody("overcast bench Publish "))}
	var res runResult
	// One unmeasured call opens the connection.
	if _, err := snsc.Publish(ctx, in); err != nil {
		res.firstErr = err
	}
	deadline := time.Now().Add(e.sizes.duration)
	e.begin()
	for i := 0; i < e.sizes.maxOps && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		t0 := time.Now()
		_, err := snsc.Publish(ctx, in)
		d := time.Since(t0)
		if err != nil {
			res.errors++
			if res.firstErr == nil {
				res.firstErr = err
			}
			continue
		}
		res.latencies = append(res.latencies, d)
	}
	e.end()
	res.ops = len(res.latencies)
	return &res, ctx.Err()
}

// snsFanout publishes N messages from 16 publishers to a topic with three subscribed
// queues while consumers receive and delete from every queue; it ends when every queue
// has given up every message once, and counts each copy not delivered as lost. On the
// ceiling, where nothing is delivered, it measures SendMessage with 16 callers instead:
// the request rate the fan-out is compared with.
func snsFanout(ctx context.Context, e *runEnv, envelopes int, endToEnd bool) (*runResult, error) {
	if e.target.fixed {
		return sqsSend(ctx, e, 16)
	}
	snsc, sqsc := sns.NewFromConfig(e.aws), sqs.NewFromConfig(e.aws)
	f, cleanup, err := snsSetup(ctx, e, snsc, sqsc, envelopes)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	// Each message is delivered three times: a fifth of the SQS scenarios' count keeps
	// the deliveries near theirs.
	n := max(20, e.sizes.messages/5)
	trs := make([]*tracker, len(f.queues))
	for q := range trs {
		trs[q] = newTracker(n, false)
	}
	runCtx, cancel := context.WithTimeout(ctx, e.sizes.deadline)
	defer cancel()

	var publishers, consumers sync.WaitGroup
	var next atomic.Int64
	var pubMu sync.Mutex
	var pubErrors int
	var pubFirst error
	e.begin()
	for range snsPublishers {
		publishers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || runCtx.Err() != nil {
					return
				}
				_, err := snsc.Publish(runCtx, &sns.PublishInput{
					TopicArn: aws.String(f.topicARN),
					Message:  aws.String(padBody(fmt.Sprintf("%08d ", i))),
				})
				for _, tr := range trs {
					if err != nil {
						tr.markUnsent(i)
					} else {
						tr.markSent(i)
					}
				}
				if err != nil && runCtx.Err() == nil {
					pubMu.Lock()
					pubErrors++
					if pubFirst == nil {
						pubFirst = err
					}
					pubMu.Unlock()
				}
			}
		})
	}
	consume := func() {
		for q, url := range f.queues {
			parse := snsParseBody(n, f.raw[q])
			for range snsConsumersPerQueue {
				consumers.Go(func() { sqsConsume(runCtx, sqsc, url, trs[q], parse, nil) })
			}
		}
	}
	if endToEnd {
		consume()
	}
	publishers.Wait()
	for _, tr := range trs {
		tr.sendDone.Store(true)
		tr.check()
	}
	if !endToEnd {
		// SNS has delivered once every acknowledged copy is in its queue.
		want := int64(n) - trs[0].unsent.Load()
		snsAwaitLanded(runCtx, sqsc, f.queues, want)
		e.end()
		consume()
	}
	for _, tr := range trs {
		select {
		case <-tr.finished:
		case <-runCtx.Done():
		}
	}
	if endToEnd {
		e.end()
	}
	cancel()
	consumers.Wait()
	res := &runResult{errors: pubErrors, firstErr: pubFirst}
	for _, tr := range trs {
		r := tr.result()
		res.ops += r.ops
		res.lost += r.lost
		res.duplicates += r.duplicates
		res.errors += r.errors
		if res.firstErr == nil {
			res.firstErr = r.firstErr
		}
	}
	return res, ctx.Err()
}

// snsAwaitLanded polls the queues until each holds want messages (no consumer runs yet,
// so every copy is visible) or ctx ends.
func snsAwaitLanded(ctx context.Context, sqsc *sqs.Client, queues []string, want int64) {
	done := make([]bool, len(queues))
	for ctx.Err() == nil {
		all := true
		for q, url := range queues {
			if done[q] {
				continue
			}
			out, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
				QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
			})
			if err == nil {
				if got, _ := strconv.ParseInt(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)], 10, 64); got >= want {
					done[q] = true
					continue
				}
			}
			all = false
		}
		if all {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// snsParseBody returns the parser of the bodies of one queue: the message itself when
// delivery is raw, else the JSON notification that carries it.
func snsParseBody(n int, raw bool) func(string) (int, error) {
	return func(body string) (int, error) {
		msg := body
		if !raw {
			var env struct {
				Type    string
				Message string
			}
			if err := json.Unmarshal([]byte(body), &env); err != nil || env.Type != "Notification" {
				return 0, fmt.Errorf("unexpected notification %q", oneLine(body, 120))
			}
			msg = env.Message
		}
		if len(msg) < 8 {
			return 0, fmt.Errorf("unexpected message %q", msg)
		}
		i, err := strconv.Atoi(msg[:8])
		if err != nil || i < 0 || i >= n {
			return 0, fmt.Errorf("unexpected message %q", msg)
		}
		return i, nil
	}
}

// snsGoals checks the SNS targets of the issue on the SQLite variant of Overcast.
func snsGoals(r *report) []goal {
	rate := func(c *cell) (float64, bool) { return c.Rate, c.Rate > 0 }
	var gs []goal
	for _, envelopes := range []int{1, 0} {
		mix := snsMix(envelopes)
		fan := snsScenarioID("sns.fanout3", envelopes)
		gs = append(gs,
			ratioGoal(r, "SNS fan-out to 3 queues, "+mix+" (SQLite): deliveries/s vs ceiling SendMessage c=16 requests/s", ">= 1.5x", fan, targetCeiling, rate,
				func(x float64) bool { return x >= 1.5 }),
			ratioGoal(r, "SNS fan-out to 3 queues, "+mix+" (SQLite): deliveries/s vs moto", ">= 50x", fan, targetMoto, rate,
				func(x float64) bool { return x >= 50 }))
		p50 := goal{Name: "Publish c=1, " + mix + " (SQLite): p50 latency", Want: "< 1 ms", Got: "n/a", Status: "n/a"}
		if c := r.result(snsScenarioID("sns.publish.c1", envelopes), targetOvercast); c != nil {
			p50.Got = fmtMS(c.P50MS) + " ms"
			p50.Status = passMiss(c.P50MS < 1)
		}
		gs = append(gs, p50)
	}
	return gs
}

// The ceiling's SNS replies, in the query protocol's XML.
var (
	snsCeilingTopicARN = "arn:aws:sns:us-east-1:000000000000:bench"
	snsCeilingReplies  = map[string][]byte{
		"CreateTopic": snsXML("CreateTopic", "<TopicArn>"+snsCeilingTopicARN+"</TopicArn>"),
		"Subscribe":   snsXML("Subscribe", "<SubscriptionArn>"+snsCeilingTopicARN+":00000000-0000-0000-0000-000000000000</SubscriptionArn>"),
		"Publish":     snsXML("Publish", "<MessageId>11111111-2222-3333-4444-555555555555</MessageId>"),
	}
)

func snsXML(op, result string) []byte {
	return []byte(`<` + op + `Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><` + op + `Result>` + result +
		`</` + op + `Result><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></` + op + `Response>`)
}

// snsCeiling answers SNS requests, recognised by their signature's credential scope, with
// fixed replies.
func snsCeiling(r *http.Request) http.HandlerFunc {
	if !strings.Contains(r.Header.Get("Authorization"), "/sns/aws4_request") {
		return nil
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		op := r.PostForm.Get("Action")
		if op == "" {
			http.Error(w, "no Action", http.StatusBadRequest)
			return
		}
		body, ok := snsCeilingReplies[op]
		if !ok {
			body = snsXML(op, "")
		}
		writeFixed(w, "text/xml", body)
	}
}
