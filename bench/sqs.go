package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// sqsGroup measures SQS over awsJson 1.0, the protocol aws-sdk-go-v2 speaks.
var sqsGroup = &group{
	name: "sqs",
	scenarios: []*scenario{
		sqsSendScenario(1),
		sqsSendScenario(16),
		sqsSendScenario(64),
		sqsBatchScenario(),
		sqsFIFOScenario(),
	},
	ceiling: sqsCeiling,
	goals:   sqsGoals,
}

const (
	sqsBodySize   = 100
	sqsProducers  = 16
	sqsConsumers  = 16
	sqsFIFOGroups = 10
	// sqsWaitSeconds is the consumers' long-poll wait.
	sqsWaitSeconds = 1
)

// sqsSendBody is the body of every SendMessage in the send scenarios.
var sqsSendBody = padBody("overcast bench SendMessage ")

func padBody(prefix string) string {
	if len(prefix) >= sqsBodySize {
		return prefix
	}
	return prefix + strings.Repeat(".", sqsBodySize-len(prefix))
}

func sqsSendScenario(conc int) *scenario {
	caller := "callers"
	if conc == 1 {
		caller = "caller"
	}
	return &scenario{
		id:      fmt.Sprintf("sqs.send.c%d", conc),
		title:   fmt.Sprintf("SendMessage (%d-byte body), %d concurrent %s", sqsBodySize, conc, caller),
		unit:    "1 SendMessage call",
		latency: true,
		run: func(ctx context.Context, e *runEnv) (*runResult, error) {
			return sqsSend(ctx, e, conc)
		},
	}
}

// sqsSend calls SendMessage from conc goroutines until the duration or the count bound is
// reached.
func sqsSend(ctx context.Context, e *runEnv, conc int) (*runResult, error) {
	client := sqs.NewFromConfig(e.aws)
	queueURL, err := sqsCreateQueue(ctx, client, e.name, false)
	if err != nil {
		return nil, err
	}
	defer sqsDeleteQueue(client, queueURL)

	var (
		res      runResult
		mu       sync.Mutex
		issued   atomic.Int64
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
	ready.Add(conc)
	for range conc {
		wg.Go(func() {
			in := &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(sqsSendBody)}
			// One unmeasured call opens this caller's connection.
			if _, err := client.SendMessage(ctx, in); err != nil {
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
				t0 := time.Now()
				_, err := client.SendMessage(ctx, in)
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
	res.ops = len(res.latencies)
	return &res, ctx.Err()
}

func sqsBatchScenario() *scenario {
	return &scenario{
		id: "sqs.batch.e2e",
		title: fmt.Sprintf("end to end: SendMessageBatch (10 per call, %d producers) + ReceiveMessage (10, wait %ds) + DeleteMessageBatch (%d consumers)",
			sqsProducers, sqsWaitSeconds, sqsConsumers),
		unit:   "1 message sent, received and deleted",
		checks: true,
		run:    sqsBatchE2E,
	}
}

func sqsFIFOScenario() *scenario {
	return &scenario{
		id: "sqs.fifo.e2e",
		title: fmt.Sprintf("FIFO end to end: %d message groups (a producer each, batches of 10), %d consumers deleting each receive before the next",
			sqsFIFOGroups, sqsConsumers),
		unit:   "1 message sent, received and deleted",
		checks: true,
		order:  true,
		run:    sqsFIFOE2E,
	}
}

// Message states in tracking. A message is pending until its send call answers, then
// sent (or unsent when the send failed; it is not expected back). It is received, marked
// deleting just before its DeleteMessageBatch call, and deleted once that call succeeds.
// A delivery may overtake the answer to its own send, so any state before received
// moves to received.
const (
	msgPending int32 = iota
	msgSent
	msgUnsent
	msgReceived
	msgDeleting
	msgDeleted
)

// tracker follows every message of an end-to-end run by its number.
type tracker struct {
	state []atomic.Int32
	// fixed counts messages instead of tracking them: the ceiling's replies are fixed.
	fixed bool

	deleted    atomic.Int64 // messages deleted (each counted once)
	unsent     atomic.Int64
	duplicates atomic.Int64
	sendDone   atomic.Bool

	finished chan struct{}
	once     sync.Once

	mu       sync.Mutex
	errors   int
	firstErr error
}

func newTracker(n int, fixed bool) *tracker {
	return &tracker{state: make([]atomic.Int32, n), fixed: fixed, finished: make(chan struct{})}
}

func (t *tracker) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errors++
	if t.firstErr == nil {
		t.firstErr = err
	}
}

// markSent records that the send of message i succeeded.
func (t *tracker) markSent(i int) { t.state[i].CompareAndSwap(msgPending, msgSent) }

// markUnsent records that message i will not arrive because its send failed.
func (t *tracker) markUnsent(i int) {
	if t.state[i].CompareAndSwap(msgPending, msgUnsent) {
		t.unsent.Add(1)
	}
}

// received records a delivery of message i and reports whether it is the first.
func (t *tracker) received(i int) bool {
	for {
		switch s := t.state[i].Load(); s {
		case msgPending, msgSent:
			if t.state[i].CompareAndSwap(s, msgReceived) {
				return true
			}
		case msgUnsent:
			// The send reported failure but the message was stored after all.
			if t.state[i].CompareAndSwap(s, msgReceived) {
				t.unsent.Add(-1)
				return true
			}
		default:
			t.duplicates.Add(1)
			return false
		}
	}
}

// deleting records that a DeleteMessageBatch call for message i is about to be made.
func (t *tracker) deleting(i int) { t.state[i].CompareAndSwap(msgReceived, msgDeleting) }

// deletedAll records that the messages were deleted.
func (t *tracker) deletedAll(ids []int) {
	var n int64
	for _, i := range ids {
		if old := t.state[i].Swap(msgDeleted); old != msgDeleted {
			n++
		}
	}
	t.deleted.Add(n)
	t.check()
}

// check ends the run once every message that was sent has been deleted.
func (t *tracker) check() {
	if t.sendDone.Load() && t.deleted.Load()+t.unsent.Load() >= int64(len(t.state)) {
		t.once.Do(func() { close(t.finished) })
	}
}

// result fills lost, duplicates, ops and errors. Messages still pending when the run
// ended (never sent in time) are not counted as lost.
func (t *tracker) result() *runResult {
	res := &runResult{errors: t.errors, firstErr: t.firstErr, duplicates: int(t.duplicates.Load())}
	if t.fixed {
		res.ops = int(min(t.deleted.Load(), int64(len(t.state))-t.unsent.Load()))
		return res
	}
	res.ops = int(t.deleted.Load())
	for i := range t.state {
		if t.state[i].Load() == msgSent {
			res.lost++
		}
	}
	return res
}

// delivery is one received message: its number, and whether it is its first delivery.
type delivery struct {
	i     int
	first bool
}

// sqsBatchE2E sends N messages in batches from 16 producers while 16 consumers receive
// and delete them; it ends when every message has been deleted once.
func sqsBatchE2E(ctx context.Context, e *runEnv) (*runResult, error) {
	client := sqs.NewFromConfig(e.aws)
	queueURL, err := sqsCreateQueue(ctx, client, e.name, false)
	if err != nil {
		return nil, err
	}
	defer sqsDeleteQueue(client, queueURL)

	n := e.sizes.messages
	tr := newTracker(n, e.target.fixed)
	runCtx, cancel := context.WithTimeout(ctx, e.sizes.deadline)
	defer cancel()

	var producers, consumers sync.WaitGroup
	var nextBatch atomic.Int64
	batches := (n + 9) / 10
	e.begin()
	for range sqsProducers {
		producers.Go(func() {
			for {
				b := int(nextBatch.Add(1)) - 1
				if b >= batches || runCtx.Err() != nil {
					return
				}
				lo, hi := b*10, min(n, b*10+10)
				in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL)}
				for i := lo; i < hi; i++ {
					in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
						Id:          aws.String(strconv.Itoa(i - lo)),
						MessageBody: aws.String(padBody(fmt.Sprintf("%08d ", i))),
					})
				}
				sqsSendBatch(runCtx, client, in, tr, func(entry int) int { return lo + entry })
			}
		})
	}
	for range sqsConsumers {
		consumers.Go(func() {
			sqsConsume(runCtx, client, queueURL, tr, func(body string) (int, error) {
				if len(body) < 8 {
					return 0, fmt.Errorf("unexpected body %q", body)
				}
				i, err := strconv.Atoi(body[:8])
				if err != nil || i < 0 || i >= n {
					return 0, fmt.Errorf("unexpected body %q", body)
				}
				return i, nil
			}, nil)
		})
	}
	producers.Wait()
	tr.sendDone.Store(true)
	tr.check()
	select {
	case <-tr.finished:
	case <-runCtx.Done():
	}
	e.end()
	cancel()
	consumers.Wait()
	return tr.result(), ctx.Err()
}

// sqsSendBatch sends one batch; index maps an entry's position to its message number.
// Entries that the answer does not list as successful are marked unsent.
func sqsSendBatch(ctx context.Context, client *sqs.Client, in *sqs.SendMessageBatchInput, tr *tracker, index func(entry int) int) {
	out, err := client.SendMessageBatch(ctx, in)
	if err != nil {
		if ctx.Err() == nil {
			tr.fail(err)
		}
		for k := range in.Entries {
			tr.markUnsent(index(k))
		}
		return
	}
	if len(out.Failed) > 0 {
		f := out.Failed[0]
		tr.fail(fmt.Errorf("SendMessageBatch: %d entries failed, first %s: %s", len(out.Failed), aws.ToString(f.Code), aws.ToString(f.Message)))
	}
	ok := make([]bool, len(in.Entries))
	for _, e := range out.Successful {
		if k, err := strconv.Atoi(aws.ToString(e.Id)); err == nil && k >= 0 && k < len(ok) {
			ok[k] = true
		}
	}
	for k := range in.Entries {
		if ok[k] {
			tr.markSent(index(k))
		} else {
			tr.markUnsent(index(k))
		}
	}
}

// sqsConsume receives, checks and deletes until ctx ends. parse maps a body to its
// message number; check, when set, sees each received batch before it is deleted.
func sqsConsume(ctx context.Context, client *sqs.Client, queueURL string, tr *tracker, parse func(string) (int, error), check func([]delivery)) {
	recv := &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(queueURL),
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     sqsWaitSeconds,
	}
	for ctx.Err() == nil {
		out, err := client.ReceiveMessage(ctx, recv)
		if err != nil {
			if ctx.Err() == nil {
				tr.fail(err)
			}
			continue
		}
		if len(out.Messages) == 0 {
			continue
		}
		del := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL)}
		nums := make([]int, len(out.Messages))
		var ds []delivery
		for k, m := range out.Messages {
			del.Entries = append(del.Entries, types.DeleteMessageBatchRequestEntry{
				Id: aws.String(strconv.Itoa(k)), ReceiptHandle: m.ReceiptHandle,
			})
			nums[k] = -1
			if tr.fixed {
				continue
			}
			i, err := parse(aws.ToString(m.Body))
			if err != nil {
				tr.fail(err)
				continue
			}
			nums[k] = i
			ds = append(ds, delivery{i: i, first: tr.received(i)})
		}
		if check != nil {
			check(ds)
		}
		for _, d := range ds {
			tr.deleting(d.i)
		}
		dout, err := client.DeleteMessageBatch(ctx, del)
		if err != nil {
			// Undeleted messages come back after the visibility timeout and are counted then.
			if ctx.Err() == nil {
				tr.fail(err)
			}
			continue
		}
		if tr.fixed {
			tr.deleted.Add(int64(len(dout.Successful)))
			tr.check()
			continue
		}
		if len(dout.Failed) > 0 {
			f := dout.Failed[0]
			tr.fail(fmt.Errorf("DeleteMessageBatch: %d entries failed, first %s: %s", len(dout.Failed), aws.ToString(f.Code), aws.ToString(f.Message)))
		}
		var done []int
		for _, ok := range dout.Successful {
			k, err := strconv.Atoi(aws.ToString(ok.Id))
			if err == nil && k >= 0 && k < len(nums) && nums[k] >= 0 {
				done = append(done, nums[k])
			}
		}
		tr.deletedAll(done)
	}
}

// sqsFIFOE2E sends N messages over 10 message groups, each group's messages in order from
// its own producer, while 16 consumers receive and delete. Every delivery is checked
// against its group's sequence: FIFO must not serve a group's next message before the
// ones received earlier are deleted.
func sqsFIFOE2E(ctx context.Context, e *runEnv) (*runResult, error) {
	client := sqs.NewFromConfig(e.aws)
	queueURL, err := sqsCreateQueue(ctx, client, e.name+".fifo", true)
	if err != nil {
		return nil, err
	}
	defer sqsDeleteQueue(client, queueURL)

	perGroup := max(1, e.sizes.fifoMessages/sqsFIFOGroups)
	n := perGroup * sqsFIFOGroups
	tr := newTracker(n, e.target.fixed)
	runCtx, cancel := context.WithTimeout(ctx, e.sizes.deadline)
	defer cancel()

	oc := newOrderChecker(tr, sqsFIFOGroups, perGroup)
	parse := func(body string) (int, error) {
		g, s, err := parseFIFOBody(body)
		if err != nil || g >= sqsFIFOGroups || s >= perGroup {
			return 0, fmt.Errorf("unexpected body %q", body)
		}
		return g*perGroup + s, nil
	}

	var producers, consumers sync.WaitGroup
	e.begin()
	for g := range sqsFIFOGroups {
		producers.Go(func() {
			for lo := 0; lo < perGroup && runCtx.Err() == nil; lo += 10 {
				hi := min(perGroup, lo+10)
				in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL)}
				for s := lo; s < hi; s++ {
					in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
						Id:                     aws.String(strconv.Itoa(s - lo)),
						MessageBody:            aws.String(padBody(fmt.Sprintf("%02d %06d ", g, s))),
						MessageGroupId:         aws.String("g" + strconv.Itoa(g)),
						MessageDeduplicationId: aws.String(fmt.Sprintf("%s-%d-%d", e.name, g, s)),
					})
				}
				sqsSendBatch(runCtx, client, in, tr, func(entry int) int { return g*perGroup + lo + entry })
			}
		})
	}
	for range sqsConsumers {
		consumers.Go(func() { sqsConsume(runCtx, client, queueURL, tr, parse, oc.check) })
	}
	producers.Wait()
	tr.sendDone.Store(true)
	tr.check()
	select {
	case <-tr.finished:
	case <-runCtx.Done():
	}
	e.end()
	cancel()
	consumers.Wait()
	res := tr.result()
	res.violations = oc.count()
	return res, ctx.Err()
}

// orderChecker counts FIFO order violations. Message s of group g is number
// g*perGroup+s in the tracker. A first delivery violates FIFO order when it is not its
// group's next message, or when the group's previous message is still held by a consumer
// (neither earlier in the same receive nor marked for deletion).
//
// next advances at receive time and "deleting" is marked before the delete call that
// lets the group's next message out, so a correct server cannot race the check. A server
// that hands out a group's messages concurrently is caught unless the other consumer has
// already reached its delete call, so the count is a lower bound.
type orderChecker struct {
	tr       *tracker
	perGroup int

	mu         sync.Mutex
	next       []int
	violations int
}

func newOrderChecker(tr *tracker, groups, perGroup int) *orderChecker {
	return &orderChecker{tr: tr, perGroup: perGroup, next: make([]int, groups)}
}

func (c *orderChecker) state(g, s int) int32 { return c.tr.state[g*c.perGroup+s].Load() }

// check examines one receive, in the order the messages came.
func (c *orderChecker) check(ds []delivery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	inBatch := map[int]bool{}
	for _, d := range ds {
		if !d.first {
			// Redeliveries are counted as duplicates.
			continue
		}
		g, s := d.i/c.perGroup, d.i%c.perGroup
		want := c.next[g]
		for want < s && c.state(g, want) == msgUnsent {
			want++
		}
		bad := s != want
		prev := s - 1
		for prev >= 0 && c.state(g, prev) == msgUnsent {
			prev--
		}
		if prev >= 0 && !inBatch[g*c.perGroup+prev] {
			if st := c.state(g, prev); st != msgDeleting && st != msgDeleted {
				bad = true
			}
		}
		if bad {
			c.violations++
		}
		c.next[g] = max(c.next[g], s+1)
		inBatch[d.i] = true
	}
}

func (c *orderChecker) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.violations
}

func parseFIFOBody(body string) (group, seq int, err error) {
	if len(body) < 9 || body[2] != ' ' {
		return 0, 0, fmt.Errorf("unexpected body %q", body)
	}
	g, err1 := strconv.Atoi(body[:2])
	s, err2 := strconv.Atoi(body[3:9])
	if err := errors.Join(err1, err2); err != nil || g < 0 || s < 0 {
		return 0, 0, fmt.Errorf("unexpected body %q", body)
	}
	return g, s, nil
}

func sqsCreateQueue(ctx context.Context, client *sqs.Client, name string, fifo bool) (string, error) {
	in := &sqs.CreateQueueInput{QueueName: aws.String(name)}
	if fifo {
		in.Attributes = map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "false"}
	}
	out, err := client.CreateQueue(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// sqsDeleteQueue removes a run's queue so that runs do not accumulate messages.
func sqsDeleteQueue(client *sqs.Client, queueURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queueURL)})
}

// sqsGoals checks the SQS targets of the issue on the SQLite variant of Overcast.
func sqsGoals(r *report) []goal {
	rate := func(c *cell) (float64, bool) { return c.Rate, c.Rate > 0 }
	cpu := func(c *cell) (float64, bool) { return c.CPUMSPer1k, c.CPUKnown }
	gs := []goal{
		ratioGoal(r, "SendMessage c=16 (SQLite): ops/s vs ceiling", ">= 0.9x", "sqs.send.c16", targetCeiling, rate,
			func(x float64) bool { return x >= 0.9 }),
		ratioGoal(r, "SendMessage c=16 (SQLite): server CPU per call vs ceiling", "<= 2x", "sqs.send.c16", targetCeiling, cpu,
			func(x float64) bool { return x <= 2 }),
	}
	p50 := goal{Name: "SendMessage c=1 (SQLite): p50 latency", Want: "< 1 ms", Got: "n/a", Status: "n/a"}
	if c := r.result("sqs.send.c1", targetOvercast); c != nil {
		p50.Got = fmtMS(c.P50MS) + " ms"
		p50.Status = passMiss(c.P50MS < 1)
	}
	gs = append(gs, p50)
	gs = append(gs, ratioGoal(r, "Batch end to end (SQLite): msgs/s vs moto", ">= 100x", "sqs.batch.e2e", targetMoto, rate,
		func(x float64) bool { return x >= 100 }))
	for _, name := range overcastTargets {
		c := r.result("sqs.fifo.e2e", name)
		if c == nil {
			continue
		}
		gs = append(gs, goal{
			Name: fmt.Sprintf("FIFO order violations (%s)", name), Want: "0",
			Got: strconv.Itoa(c.Violations), Status: passMiss(c.Violations == 0),
		})
	}
	return gs
}

// The ceiling's SQS replies. They are computed once; the only per-request work is reading
// the request and, for batches, echoing the entry ids the SDK matches results by.
var (
	sqsCeilingQueueURL = "http://127.0.0.1/000000000000/bench"
	sqsCeilingCreate   = mustJSON(map[string]string{"QueueUrl": sqsCeilingQueueURL})
	sqsCeilingEmpty    = []byte("{}")
	sqsCeilingSend     = mustJSON(map[string]string{
		"MessageId":        "11111111-2222-3333-4444-555555555555",
		"MD5OfMessageBody": md5Hex(sqsSendBody),
	})
	sqsCeilingReceive = func() []byte {
		type msg struct {
			MessageID     string `json:"MessageId"`
			ReceiptHandle string `json:"ReceiptHandle"`
			MD5OfBody     string `json:"MD5OfBody"`
			Body          string `json:"Body"`
		}
		var msgs []msg
		for i := range 10 {
			body := padBody(fmt.Sprintf("ceiling message %d ", i))
			msgs = append(msgs, msg{
				MessageID:     fmt.Sprintf("00000000-0000-0000-0000-%012d", i),
				ReceiptHandle: fmt.Sprintf("ceiling-receipt-handle-%d", i),
				MD5OfBody:     md5Hex(body),
				Body:          body,
			})
		}
		return mustJSON(map[string]any{"Messages": msgs})
	}()
)

const awsJSON10 = "application/x-amz-json-1.0"

// sqsCeiling answers SQS requests (X-Amz-Target AmazonSQS.*) with fixed replies.
func sqsCeiling(r *http.Request) http.HandlerFunc {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if !ok {
		return nil
	}
	switch op {
	case "SendMessage":
		return fixedReply(sqsCeilingSend)
	case "ReceiveMessage":
		return fixedReply(sqsCeilingReceive)
	case "CreateQueue", "GetQueueUrl":
		return fixedReply(sqsCeilingCreate)
	case "SendMessageBatch":
		return sqsCeilingSendBatch
	case "DeleteMessageBatch":
		return sqsCeilingDeleteBatch
	default:
		return fixedReply(sqsCeilingEmpty)
	}
}

func fixedReply(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeFixed(w, awsJSON10, body)
	}
}

type ceilingBatchEntry struct {
	ID          string `json:"Id"`
	MessageBody string `json:"MessageBody,omitempty"`
}

type ceilingBatch struct {
	Entries []ceilingBatchEntry `json:"Entries"`
}

// sqsCeilingSendBatch echoes the entries with the MD5 of each body, which the SDK checks.
func sqsCeilingSendBatch(w http.ResponseWriter, r *http.Request) {
	var in ceilingBatch
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type entry struct {
		ID               string `json:"Id"`
		MessageID        string `json:"MessageId"`
		MD5OfMessageBody string `json:"MD5OfMessageBody"`
	}
	out := struct {
		Successful []entry `json:"Successful"`
		Failed     []entry `json:"Failed"`
	}{Failed: []entry{}}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, entry{ID: e.ID, MessageID: "11111111-2222-3333-4444-555555555555", MD5OfMessageBody: md5Hex(e.MessageBody)})
	}
	writeFixed(w, awsJSON10, mustJSON(out))
}

// sqsCeilingDeleteBatch echoes the entry ids as successful.
func sqsCeilingDeleteBatch(w http.ResponseWriter, r *http.Request) {
	var in ceilingBatch
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type entry struct {
		ID string `json:"Id"`
	}
	out := struct {
		Successful []entry `json:"Successful"`
		Failed     []entry `json:"Failed"`
	}{Failed: []entry{}}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, entry{ID: e.ID})
	}
	writeFixed(w, awsJSON10, mustJSON(out))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
