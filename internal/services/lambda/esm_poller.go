package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// esmChannel is the notifier channel on which a change to any event source mapping is
// announced, so that every node brings its pollers in step.
const esmChannel = "lambda_esm"

const (
	// esmResync is how often pollers are brought in step with the store even without a
	// notification (a listener that was behind may have missed one).
	esmResync = 10 * time.Second
	// esmLongPoll is the wait of the receives that look for a batch's first message.
	esmLongPoll = 20 * time.Second
	// esmRetryDelay is the first pause of a poller after the queue could not be read.
	esmRetryDelay = time.Second
	// esmMaxRetryDelay caps the pause of a poller whose queue keeps failing (deleted).
	esmMaxRetryDelay = 30 * time.Second
	// esmDefaultConcurrency is the number of batches a mapping without
	// ScalingConfig.MaximumConcurrency processes at once on a node: the five concurrent
	// batches Lambda starts SQS polling with.
	esmDefaultConcurrency = 5
	// esmReceiveMax is the most messages one SQS receive returns.
	esmReceiveMax = 10
)

// esmPollers runs one poller per enabled event source mapping.
type esmPollers struct {
	mu      sync.Mutex
	started bool
	stopped bool
	running map[string]*esmPoller
	// wake asks the loop to bring the pollers in step with the store now.
	wake chan struct{}
	// wg counts the loop and the pollers.
	wg sync.WaitGroup
}

// esmPoller is a running poller: stamp identifies the configuration it runs with.
type esmPoller struct {
	stamp  string
	cancel context.CancelFunc
}

// startPollers starts the loop that runs a poller for every enabled mapping of the
// store and follows the mappings' changes. It may be called once; the pollers stop in
// Stop.
func (s *Service) startPollers(context.Context) error {
	e := &s.esm
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started || e.stopped {
		return nil
	}
	e.started = true
	e.running = map[string]*esmPoller{}
	e.wake = make(chan struct{}, 1)
	notes, unlisten := s.db.Notifier().Listen(esmChannel)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer unlisten()
		for {
			if err := s.syncPollers(s.ctx); err != nil && s.ctx.Err() == nil {
				s.log.Warn("event source mappings: could not read the mappings", "err", err)
			}
			t := s.clock.NewTimer(esmResync)
			select {
			case <-s.ctx.Done():
				t.Stop()
				return
			case _, ok := <-notes:
				if !ok {
					notes = nil
				}
			case <-e.wake:
			case <-t.C():
			}
			t.Stop()
		}
	}()
	return nil
}

// stopPollers stops every poller and waits for them and their batches; s.ctx is already
// cancelled. It may be called more than once.
func (s *Service) stopPollers() {
	e := &s.esm
	e.mu.Lock()
	e.stopped = true
	for id, p := range e.running {
		p.cancel()
		delete(e.running, id)
	}
	e.mu.Unlock()
	e.wg.Wait()
}

// resyncPollers asks the loop to bring the pollers in step with the store.
func (s *Service) resyncPollers() {
	e := &s.esm
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.wake == nil {
		return
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// esmChanged announces a change of a mapping to this node's and every other node's
// pollers.
func (s *Service) esmChanged(ctx context.Context) {
	s.resyncPollers()
	if err := s.db.Notifier().Notify(context.WithoutCancel(ctx), esmChannel, ""); err != nil {
		s.log.Warn("event source mappings: could not announce a change", "err", err)
	}
}

// esmStamp identifies what a poller runs with: a change restarts it. The processing
// result and state reason, which the pollers themselves write, are left out.
func esmStamp(m *store.LambdaESM, c *esmConfig) string {
	cc := *c
	cc.LastResult, cc.StateReason = "", ""
	return m.FunctionARN + "\x00" + m.EventSourceARN + "\x00" + cc.encode()
}

// syncPollers starts the pollers of enabled mappings that have none, and stops those of
// mappings deleted, disabled or changed (a changed one starts again with its new
// configuration).
func (s *Service) syncPollers(ctx context.Context) error {
	rows, err := s.db.LambdaESMList(ctx, &store.LambdaESMListParams{})
	if err != nil {
		return err
	}
	type want struct {
		m    *store.LambdaESM
		c    *esmConfig
		pats []*pattern.Pattern
	}
	wanted := map[string]want{}
	stamps := map[string]string{}
	for _, m := range rows {
		if !m.Enabled {
			continue
		}
		c, err := decodeESMConfig(m.Config)
		if err != nil {
			s.log.Warn("event source mappings: bad configuration", "uuid", m.UUID, "err", err)
			continue
		}
		var pats []*pattern.Pattern
		for _, doc := range c.Filters {
			p, err := pattern.ParseEventPattern([]byte(doc))
			if err != nil {
				s.log.Warn("event source mappings: bad filter", "uuid", m.UUID, "err", err)
				continue
			}
			pats = append(pats, p)
		}
		wanted[m.UUID] = want{m, c, pats}
		stamps[m.UUID] = esmStamp(m, c)
	}
	e := &s.esm
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	for id, p := range e.running {
		if stamps[id] != p.stamp {
			p.cancel()
			delete(e.running, id)
		}
	}
	for id, w := range wanted {
		if _, ok := e.running[id]; ok {
			continue
		}
		pctx, cancel := context.WithCancel(s.ctx)
		e.running[id] = &esmPoller{stamp: stamps[id], cancel: cancel}
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			defer cancel()
			s.runPoller(pctx, w.m, w.c, w.pats)
		}()
	}
	return nil
}

// runPoller polls a mapping's queue until ctx ends: it gathers batches and hands each to
// a goroutine, up to the mapping's concurrency, and waits for them before returning.
func (s *Service) runPoller(ctx context.Context, m *store.LambdaESM, c *esmConfig, pats []*pattern.Pattern) {
	limit := int(c.MaximumConcurrency)
	if limit == 0 {
		limit = esmDefaultConcurrency
	}
	slots := make(chan struct{}, limit)
	var batches sync.WaitGroup
	defer batches.Wait()
	st := &esmStatus{last: c.LastResult}
	// failing is the number of reads in a row that failed: the poller backs off and logs
	// the first only.
	failing := 0
	for {
		// A slot is taken before receiving, so that no message waits hidden for one.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		msgs, err := s.gatherBatch(ctx, m, c)
		if err != nil || len(msgs) == 0 {
			<-slots
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				failing = 0
				continue
			}
			if failing == 0 {
				s.log.Warn("event source mapping: could not read the queue", "uuid", m.UUID, "queue", m.EventSourceARN, "err", err)
			}
			failing++
			if !s.pause(ctx, min(esmRetryDelay<<min(failing-1, 5), esmMaxRetryDelay)) {
				return
			}
			continue
		}
		failing = 0
		batches.Add(1)
		go func() {
			defer batches.Done()
			defer func() { <-slots }()
			// A batch in hand is finished even when the mapping is disabled meanwhile;
			// only Stop cancels it.
			s.processBatch(s.ctx, m, c, pats, msgs, st)
		}()
	}
}

// pause waits d on the service clock; false when ctx ended first.
func (s *Service) pause(ctx context.Context, d time.Duration) bool {
	t := s.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	}
}

// gatherBatch receives a batch: it waits for a first message, then, with a batching
// window, goes on receiving until the batch is full, the window has passed or the
// payload would pass the synchronous invocation limit. Messages received after ctx ended
// are made visible again.
func (s *Service) gatherBatch(ctx context.Context, m *store.LambdaESM, c *esmConfig) ([]*QueueMessage, error) {
	max := int(c.BatchSize)
	msgs, err := s.queues.Receive(ctx, m.EventSourceARN, min(esmReceiveMax, max), esmLongPoll)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	if c.BatchingWindow > 0 {
		deadline := s.clock.Now().Add(time.Duration(c.BatchingWindow) * time.Second)
		for len(msgs) < max && ctx.Err() == nil {
			remaining := deadline.Sub(s.clock.Now())
			if remaining <= 0 {
				break
			}
			wait := min(remaining, esmLongPoll).Truncate(time.Second)
			more, err := s.queues.Receive(ctx, m.EventSourceARN, min(esmReceiveMax, max-len(msgs)), wait)
			if err != nil {
				break
			}
			msgs = append(msgs, more...)
			if wait == 0 && len(more) == 0 {
				break
			}
			if size := batchSize(msgs); size > maxSyncPayload {
				break
			}
		}
	}
	// Keep the event under the synchronous payload limit; the rest waits for the next batch.
	keep, size := len(msgs), 0
	for i, msg := range msgs {
		size += len(msg.Body) + esmRecordOverhead
		if size > maxSyncPayload && i > 0 {
			keep = i
			break
		}
	}
	if ctx.Err() != nil {
		keep = 0
	}
	for _, msg := range msgs[keep:] {
		_ = s.queues.ChangeVisibility(context.WithoutCancel(ctx), m.EventSourceARN, msg.ReceiptHandle, 0)
	}
	return msgs[:keep], nil
}

// esmRecordOverhead is a generous estimate of a record's size besides its body.
const esmRecordOverhead = 1024

func batchSize(msgs []*QueueMessage) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Body) + esmRecordOverhead
	}
	return n
}

// sqsRecord is one record of the event Lambda sends for SQS
// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
type sqsRecord struct {
	MessageID         string                   `json:"messageId"`
	ReceiptHandle     string                   `json:"receiptHandle"`
	Body              string                   `json:"body"`
	Attributes        map[string]string        `json:"attributes"`
	MessageAttributes map[string]sqsRecordAttr `json:"messageAttributes"`
	// MD5OfMessageAttributes is null when the message has no attributes.
	MD5OfMessageAttributes *string `json:"md5OfMessageAttributes"`
	MD5OfBody              string  `json:"md5OfBody"`
	EventSource            string  `json:"eventSource"`
	EventSourceARN         string  `json:"eventSourceARN"`
	AWSRegion              string  `json:"awsRegion"`
}

// sqsRecordAttr is a message attribute in an SQS record.
type sqsRecordAttr struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues []string `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// recordAttributes are the system attributes SQS records carry; DeadLetterQueueSourceArn
// is there for a message that a redrive policy moved into the polled queue.
var recordAttributes = []string{
	"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
	"MessageGroupId", "SequenceNumber", "MessageDeduplicationId", "AWSTraceHeader",
	"DeadLetterQueueSourceArn",
}

// sqsRecordOf renders a received message as Lambda sends it.
func sqsRecordOf(m *store.LambdaESM, msg *QueueMessage) *sqsRecord {
	r := &sqsRecord{
		MessageID: msg.MessageID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
		Attributes: map[string]string{}, MessageAttributes: map[string]sqsRecordAttr{},
		MD5OfBody: msg.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: m.EventSourceARN, AWSRegion: m.Region,
	}
	if len(msg.MessageAttributes) > 0 && msg.MD5OfMessageAttributes != "" {
		r.MD5OfMessageAttributes = &msg.MD5OfMessageAttributes
	}
	for _, name := range recordAttributes {
		if v, ok := msg.Attributes[name]; ok {
			r.Attributes[name] = v
		}
	}
	for name, a := range msg.MessageAttributes {
		r.MessageAttributes[name] = sqsRecordAttr{
			StringValue: a.StringValue, BinaryValue: a.BinaryValue, DataType: a.DataType,
			StringListValues: []string{}, BinaryListValues: []string{},
		}
	}
	return r
}

// matchesFilters reports whether a record passes the mapping's filters (any of them).
// The patterns see the record with a JSON body as JSON, as Lambda filters SQS records
// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html).
func matchesFilters(r *sqsRecord, pats []*pattern.Pattern) bool {
	if len(pats) == 0 {
		return true
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return false
	}
	var body any
	if json.Unmarshal([]byte(r.Body), &body) == nil {
		if _, ok := body.(map[string]any); ok {
			var fields map[string]json.RawMessage
			if json.Unmarshal(doc, &fields) == nil {
				fields["body"] = json.RawMessage(r.Body)
				if d, err := json.Marshal(fields); err == nil {
					doc = d
				}
			}
		}
	}
	for _, p := range pats {
		if ok, err := p.Matches(doc); err == nil && ok {
			return true
		}
	}
	return false
}

// esmStatus is a poller's record of the last processing result it stored.
type esmStatus struct {
	mu   sync.Mutex
	last string
}

// setResult stores the mapping's LastProcessingResult when it changed.
func (s *Service) setResult(ctx context.Context, m *store.LambdaESM, st *esmStatus, result string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.last == result {
		return
	}
	_, err := s.db.LambdaESMUpdate(ctx, m.Account, m.Region, m.UUID, func(row *store.LambdaESM) error {
		c, err := decodeESMConfig(row.Config)
		if err != nil {
			return err
		}
		c.LastResult = result
		row.Config = c.encode()
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("event source mapping: could not store the processing result", "uuid", m.UUID, "err", err)
		return
	}
	st.last = result
}

// processBatch filters a batch, invokes the function with what passes and deletes what
// was processed: filtered-out messages, and on success the whole batch or, with
// ReportBatchItemFailures, all but the failures the function reported. A function error
// leaves the batch to the queue's visibility timeout and redrive policy.
func (s *Service) processBatch(ctx context.Context, m *store.LambdaESM, c *esmConfig, pats []*pattern.Pattern, msgs []*QueueMessage, st *esmStatus) {
	var (
		records []*sqsRecord
		dropped []string
	)
	for _, msg := range msgs {
		r := sqsRecordOf(m, msg)
		if !matchesFilters(r, pats) {
			dropped = append(dropped, msg.ReceiptHandle)
			continue
		}
		records = append(records, r)
	}
	if len(dropped) > 0 {
		if err := s.queues.Delete(ctx, m.EventSourceARN, dropped); err != nil {
			s.log.Warn("event source mapping: could not delete filtered messages", "uuid", m.UUID, "err", err)
		}
	}
	if len(records) == 0 {
		return
	}
	payload, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		return
	}
	call := &protocol.Call{Account: m.Account, Region: m.Region, RequestID: newRevisionID()}
	out, err := s.Invoke(protocol.WithCall(ctx, call), &InvokeInput{FunctionName: ptr(m.FunctionARN), Payload: payload})
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("event source mapping: invocation failed", "uuid", m.UUID, "function", m.FunctionARN, "err", err)
			s.setResult(ctx, m, st, esmProblem)
		}
		return
	case out.FunctionError != nil:
		s.setResult(ctx, m, st, esmProblem)
		return
	}
	done := make([]string, 0, len(records))
	if c.reportsItemFailures() {
		failed, ok := batchItemFailures(out.Payload, records)
		if !ok {
			s.setResult(ctx, m, st, esmProblem)
			return
		}
		for _, r := range records {
			if !failed[r.MessageID] {
				done = append(done, r.ReceiptHandle)
			}
		}
	} else {
		for _, r := range records {
			done = append(done, r.ReceiptHandle)
		}
	}
	// The result is stored before the deletion, so that whoever sees the messages gone
	// also sees it.
	s.setResult(ctx, m, st, esmOK)
	if err := s.queues.Delete(ctx, m.EventSourceARN, done); err != nil {
		s.log.Warn("event source mapping: could not delete processed messages", "uuid", m.UUID, "err", err)
	}
}

// batchItemFailures reads a partial batch response: the message ids the function
// reported as failed. ok is false when the response fails the whole batch: not JSON, or
// an item identifier that is missing, empty or not a message of the batch
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
func batchItemFailures(payload []byte, records []*sqsRecord) (map[string]bool, bool) {
	if len(payload) == 0 {
		return nil, true
	}
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return nil, false
	}
	resp, isObject := v.(map[string]any)
	if !isObject || resp["batchItemFailures"] == nil {
		return nil, true
	}
	items, isList := resp["batchItemFailures"].([]any)
	if !isList {
		return nil, false
	}
	inBatch := make(map[string]bool, len(records))
	for _, r := range records {
		inBatch[r.MessageID] = true
	}
	failed := map[string]bool{}
	for _, it := range items {
		obj, isObj := it.(map[string]any)
		if !isObj {
			return nil, false
		}
		id, isStr := obj["itemIdentifier"].(string)
		if !isStr || id == "" || !inBatch[id] {
			return nil, false
		}
		failed[id] = true
	}
	return failed, true
}
