package sns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Message archiving and replay of FIFO topics.
// https://docs.aws.amazon.com/sns/latest/dg/fifo-message-archiving-replay.html
//
// A FIFO topic with an ArchivePolicy keeps every message it accepts in the store
// (sns_archive), in the publish's own write, for the retention period; the sweep deletes
// expired messages. A subscription's ReplayPolicy starts a replay: a delivery job
// (kindReplay) that reads the archived messages of the policy's time window in sequence
// order, applies the subscription's filter policy, and enqueues one delivery per message
// with the subscription's ordering key, so that each message group keeps its order, also
// against messages published meanwhile. Replayed messages keep their MessageId, Timestamp
// and SequenceNumber and carry "Replayed": true in their JSON envelope.

// kindReplay is the delivery target kind of replays.
const kindReplay = "sns-replay"

// Replay statuses, as GetSubscriptionAttributes answers them in ReplayStatus.
const (
	replayPending    = "Pending"
	replayInProgress = "In progress"
	replayCompleted  = "Completed"
	replayFailed     = "Failed"
)

// hiddenReplayID is the subscription attribute naming the current replay: a replay job
// whose id it no longer is (a newer ReplayPolicy, or none) stops.
const hiddenReplayID = "overcast:ReplayId"

// replayPageSize is how many archived messages a replay reads and enqueues at a time.
const replayPageSize = 100

// maxRetentionDays is the longest MessageRetentionPeriod of an ArchivePolicy.
const maxRetentionDays = 365

// archiveRetention returns the retention period of a topic's ArchivePolicy, zero when the
// topic does not archive.
func archiveRetention(attrs map[string]string) time.Duration {
	v := attrs["ArchivePolicy"]
	if v == "" {
		return 0
	}
	var p struct {
		MessageRetentionPeriod json.RawMessage `json:"MessageRetentionPeriod"`
	}
	if json.Unmarshal([]byte(v), &p) != nil || len(p.MessageRetentionPeriod) == 0 {
		return 0
	}
	days, err := strconv.Atoi(strings.Trim(string(p.MessageRetentionPeriod), `"`))
	if err != nil || days < 1 {
		return 0
	}
	return time.Duration(days) * 24 * time.Hour
}

// applyArchivePolicy keeps BeginningArchiveTime in step with a topic's ArchivePolicy:
// set when archiving starts, removed when it stops.
func applyArchivePolicy(attrs map[string]string, now time.Time) {
	if archiveRetention(attrs) == 0 {
		delete(attrs, "BeginningArchiveTime")
		return
	}
	if attrs["BeginningArchiveTime"] == "" {
		attrs["BeginningArchiveTime"] = archiveTimestamp(now)
	}
}

// archiveTimestamp formats t as BeginningArchiveTime is answered: ISO 8601 in UTC.
func archiveTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// beginningArchiveTime is the earliest publish time the archive still holds messages of:
// when archiving began, or the retention period ago, whichever is later.
func beginningArchiveTime(attrs map[string]string, now time.Time) (time.Time, bool) {
	begin, err := time.Parse(time.RFC3339Nano, attrs["BeginningArchiveTime"])
	ret := archiveRetention(attrs)
	if err != nil || ret == 0 {
		return time.Time{}, false
	}
	if oldest := now.Add(-ret); oldest.After(begin) {
		begin = oldest
	}
	return begin, true
}

// archivedMessage is a message as the archive keeps it.
type archivedMessage struct {
	ID        string                 `json:"id"`
	Body      string                 `json:"body"`
	PerProto  map[string]string      `json:"per,omitempty"`
	Subject   *string                `json:"subject,omitempty"`
	Attrs     map[string]messageAttr `json:"attrs,omitempty"`
	Group     string                 `json:"group"`
	Dedup     string                 `json:"dedup"`
	Timestamp string                 `json:"ts"`
}

// archive stores m, just numbered seq, in the archive of st's topic within tx.
func archive(ctx context.Context, tx *store.Tx, st *topicState, m *message, seq int64, now time.Time, ts string) error {
	ret := archiveRetention(st.attrs)
	if ret == 0 {
		return nil
	}
	b, err := json.Marshal(&archivedMessage{
		ID: m.id, Body: m.body, PerProto: m.perProto, Subject: m.subject, Attrs: m.attrs,
		Group: m.group, Dedup: m.dedup, Timestamp: ts,
	})
	if err != nil {
		return fmt.Errorf("encode archived message: %w", err)
	}
	return tx.SNSArchivePut(ctx, &store.SNSArchivedMessage{
		TopicARN: st.topic.ARN, Seq: seq, PublishedAt: now.UnixMilli(), ExpiresAt: now.Add(ret).UnixMilli(), Message: string(b),
	})
}

// replayWindow is a validated ReplayPolicy: publish times from From to To, unix
// milliseconds, both included.
type replayWindow struct {
	From, To int64
}

// parseReplayPoint reads a ReplayPolicy timestamp.
func parseReplayPoint(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms), true
	}
	return time.Time{}, false
}

// checkReplayPolicy validates a subscription's ReplayPolicy against its topic st at now.
// A replay covers what the archive holds up to now at most: later messages reach the
// subscription by ordinary delivery.
func checkReplayPolicy(value string, st *topicState, now time.Time) (*replayWindow, *protocol.Error) {
	var p struct {
		PointType     *string `json:"PointType"`
		StartingPoint *string `json:"StartingPoint"`
		EndingPoint   *string `json:"EndingPoint"`
	}
	if json.Unmarshal([]byte(value), &p) != nil {
		return nil, errInvalid("ReplayPolicy: failed to parse JSON")
	}
	if !st.topic.FIFO {
		return nil, errInvalid("ReplayPolicy: Message replay is only supported for FIFO topics")
	}
	if archiveRetention(st.attrs) == 0 {
		return nil, errInvalid("ReplayPolicy: The topic does not have an archive policy")
	}
	if p.PointType == nil || *p.PointType != "Timestamp" {
		return nil, errInvalid("ReplayPolicy: PointType must be Timestamp")
	}
	if p.StartingPoint == nil {
		return nil, errInvalid("ReplayPolicy: StartingPoint is required")
	}
	start, ok := parseReplayPoint(*p.StartingPoint)
	if !ok {
		return nil, errInvalid("ReplayPolicy: StartingPoint must be an ISO 8601 timestamp")
	}
	if start.After(now) {
		return nil, errInvalid("ReplayPolicy: StartingPoint must not be in the future")
	}
	w := &replayWindow{From: start.UnixMilli(), To: now.UnixMilli()}
	if p.EndingPoint != nil {
		end, ok := parseReplayPoint(*p.EndingPoint)
		if !ok {
			return nil, errInvalid("ReplayPolicy: EndingPoint must be an ISO 8601 timestamp")
		}
		if !end.After(start) {
			return nil, errInvalid("ReplayPolicy: EndingPoint must be later than StartingPoint")
		}
		w.To = min(w.To, end.UnixMilli())
	}
	if begin, ok := beginningArchiveTime(st.attrs, now); ok && w.From < begin.UnixMilli() {
		// Nothing older than the archive's beginning is kept: the replay starts there.
		w.From = begin.UnixMilli()
	}
	return w, nil
}

// replayJob is the payload of a replay.
type replayJob struct {
	Sub   string `json:"sub"`
	Topic string `json:"topic"`
	ID    string `json:"id"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
	Base  string `json:"base"`
}

// startReplay records a new replay of w in attrs (ReplayStatus Pending) and returns its
// job, to be enqueued once the attributes are stored.
func (s *Service) startReplay(c *protocol.Call, sub, topic string, w *replayWindow, attrs map[string]string) (*delivery.Job, error) {
	r := &replayJob{Sub: sub, Topic: topic, ID: newID(), From: w.From, To: w.To, Base: baseURL(c)}
	attrs["ReplayStatus"] = replayPending
	attrs[hiddenReplayID] = r.ID
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode replay: %w", err)
	}
	return &delivery.Job{
		Target: kindReplay, Dest: sub, Payload: b,
		Policy:      delivery.SNS(delivery.SNSManagedEndpoint()),
		OrderingKey: "sns-replay:" + sub,
	}, nil
}

// stopReplay forgets a subscription's replay: its job, if still running, stops.
func stopReplay(attrs map[string]string) {
	delete(attrs, "ReplayStatus")
	delete(attrs, hiddenReplayID)
}

// deliverReplay runs a replay: it enqueues the delivery of every archived message of the
// replay's window that passes the subscription's filter policy, in sequence order.
// Repeated after a crash, it enqueues the window again (at-least-once).
func (s *Service) deliverReplay(ctx context.Context, j *delivery.Job) error {
	var r replayJob
	if err := json.Unmarshal(j.Payload, &r); err != nil {
		return delivery.Permanent(fmt.Errorf("decode sns replay: %w", err))
	}
	sub, err := s.db.SNSSubscriptionGet(ctx, r.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if decodeAttrs(sub.Attrs)[hiddenReplayID] != r.ID {
		return nil // superseded or stopped
	}
	t, err := s.db.SNSTopicGet(ctx, r.Topic)
	if errors.Is(err, store.ErrNotFound) {
		return s.setReplayStatus(ctx, &r, replayFailed)
	}
	if err != nil {
		return err
	}
	topicAttrs := decodeAttrs(t.Attrs)
	if archiveRetention(topicAttrs) == 0 {
		return s.setReplayStatus(ctx, &r, replayFailed)
	}
	if err := s.setReplayStatus(ctx, &r, replayInProgress); err != nil {
		return err
	}
	ss := s.subStateOf(sub, topicAttrs)
	st := &topicState{topic: t, attrs: topicAttrs}
	logs := s.loggingOf(topicAttrs)
	after := int64(0)
	for {
		rows, err := s.db.SNSArchiveList(ctx, &store.SNSArchiveListParams{
			TopicARN: r.Topic, From: r.From, To: r.To, AfterSeq: after, Now: s.clock.Now().UnixMilli(), Limit: replayPageSize,
		})
		if err != nil {
			return err
		}
		var jobs []*delivery.Job
		for _, row := range rows {
			after = row.Seq
			var a archivedMessage
			if err := json.Unmarshal([]byte(row.Message), &a); err != nil {
				s.log.Warn("undecodable archived sns message", "topic", r.Topic, "seq", row.Seq, "err", err)
				continue
			}
			m := &message{id: a.ID, body: a.Body, perProto: a.PerProto, subject: a.Subject, attrs: a.Attrs, group: a.Group, dedup: a.Dedup}
			if len(m.attrs) > 0 {
				m.patAttrs = make(map[string]pattern.AttributeValue, len(m.attrs))
				for k, v := range m.attrs {
					m.patAttrs[k] = pattern.AttributeValue{DataType: v.Type, StringValue: v.String, BinaryValue: v.Binary}
				}
			}
			body := m.bodyFor(sub.Protocol)
			if !matches(ss, body, m) {
				continue
			}
			n := &notice{
				Type: "Notification", MessageID: m.id, TopicARN: r.Topic, SubscriptionARN: sub.ARN,
				Subject: m.subject, Message: body, Timestamp: a.Timestamp, Base: r.Base, SignatureVersion: signatureVersion(st.attrs),
				Attributes: m.attrs, SequenceNumber: sequenceNumber(row.Seq), GroupID: m.group, DedupID: m.dedup,
				Raw: ss.raw, FIFO: true, Protocol: sub.Protocol, Endpoint: sub.Endpoint, ContentType: ss.contentType,
				Replayed: true,
			}
			dj, err := s.jobFor(n, sub.Protocol, sub.Endpoint, ss.policy, ss.dlq)
			if err != nil {
				return err
			}
			logs.mark(dj, sub.Protocol)
			jobs = append(jobs, dj)
		}
		if len(jobs) > 0 {
			if err := s.dispatch.Enqueue(ctx, nil, jobs...); err != nil {
				return err
			}
		}
		if len(rows) < replayPageSize {
			break
		}
	}
	return s.setReplayStatus(ctx, &r, replayCompleted)
}

// setReplayStatus stores the ReplayStatus of r's subscription, unless a newer replay (or
// none) has replaced r.
func (s *Service) setReplayStatus(ctx context.Context, r *replayJob, status string) error {
	sub, err := s.db.SNSSubscriptionGet(ctx, r.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	attrs := decodeAttrs(sub.Attrs)
	if attrs[hiddenReplayID] != r.ID || attrs["ReplayStatus"] == status {
		return nil
	}
	attrs["ReplayStatus"] = status
	sub.Attrs = encodeAttrs(attrs)
	if err := s.db.SNSSubscriptionUpdate(ctx, sub); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.cache.invalidate(r.Topic)
	return nil
}

// sweepArchive deletes the archived messages past their retention.
func (s *Service) sweepArchive(ctx context.Context) {
	if _, err := s.db.SNSArchiveSweep(ctx, s.clock.Now().UnixMilli()); err != nil && ctx.Err() == nil {
		s.log.Warn("sweep sns message archive", "err", err)
	}
}
