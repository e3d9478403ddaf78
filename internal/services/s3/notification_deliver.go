package s3

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Notifier is how S3 reaches the destinations of event notifications in process. The
// wiring code (internal/server) implements it over SQS, SNS, Lambda and EventBridge.
type Notifier interface {
	// DestinationExists reports whether the queue, topic or function arn names exists.
	DestinationExists(ctx context.Context, arn string) (bool, error)
	// SendToQueue sends body to the queue of queueARN.
	SendToQueue(ctx context.Context, queueARN, body string) error
	// PublishToTopic publishes message with subject to the topic of topicARN.
	PublishToTopic(ctx context.Context, topicARN, subject, message string) error
	// InvokeFunction invokes the function of functionARN asynchronously (InvocationType
	// Event) with payload.
	InvokeFunction(ctx context.Context, functionARN string, payload []byte) error
	// PutEvent puts an event of source aws.s3 on the default bus of account and region.
	PutEvent(ctx context.Context, account, region, detailType string, resources []string, detail json.RawMessage) error
}

// Delivery job kinds of S3's notifications.
const (
	kindQueue    = "s3.sqs"
	kindTopic    = "s3.sns"
	kindFunction = "s3.lambda"
	kindEvents   = "s3.events"
)

// jobKind is the delivery kind of each destination kind.
var jobKind = map[string]string{"queue": kindQueue, "topic": kindTopic, "function": kindFunction}

// notifyPolicy retries a notification that could not be handed to its destination (the
// destination was deleted, or is briefly unavailable) for a day, as S3 keeps trying.
var notifyPolicy = delivery.Policy{MaxRetries: -1, MaxAge: 24 * time.Hour,
	Backoff: delivery.ExponentialBackoff(time.Second, 5*time.Minute, 2, 0.5)}

// snsSubject is the Subject of the SNS messages S3 publishes.
const snsSubject = "Amazon S3 Notification"

// registerDeliverers registers S3's notification kinds on the dispatcher.
func (s *Service) registerDeliverers() {
	s.disp.Register(kindQueue, delivery.DelivererFunc(func(ctx context.Context, j *delivery.Job) error {
		return s.notify.SendToQueue(ctx, j.Dest, string(j.Payload))
	}))
	s.disp.Register(kindTopic, delivery.DelivererFunc(func(ctx context.Context, j *delivery.Job) error {
		return s.notify.PublishToTopic(ctx, j.Dest, snsSubject, string(j.Payload))
	}))
	s.disp.Register(kindFunction, delivery.DelivererFunc(func(ctx context.Context, j *delivery.Job) error {
		return s.notify.InvokeFunction(ctx, j.Dest, j.Payload)
	}))
	s.disp.Register(kindEvents, delivery.DelivererFunc(func(ctx context.Context, j *delivery.Job) error {
		var e busEvent
		if err := json.Unmarshal(j.Payload, &e); err != nil {
			return delivery.Permanent(err)
		}
		return s.notify.PutEvent(ctx, e.Account, e.Region, e.DetailType, e.Resources, e.Detail)
	}))
}

// busEvent is the payload of a kindEvents job.
type busEvent struct {
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	DetailType string          `json:"detailType"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// objectEvent is one object change that may notify.
type objectEvent struct {
	// name is the event name without "s3:" ("ObjectCreated:Put").
	name string
	// reason is the API that made the change, as EventBridge events name it.
	reason string
	key    string
	// obj is the written object of a created event (its Size is read when the write's
	// transaction runs the hook: a multipart upload's size is known only then).
	obj *store.S3Object
	// versionID is the version a removal deleted or the delete marker it put ("" in a
	// bucket that does not version); a creation's is obj's.
	versionID string
}

// eventVersion is the version id an event names: none for the null version.
func (ev *objectEvent) eventVersion() string {
	v := ev.versionID
	if ev.obj != nil {
		v = ev.obj.VersionID
	}
	if v == nullVersion {
		return ""
	}
	return v
}

// sequencer orders the events of one key; S3 documents it as a hexadecimal value that
// grows with time for a key.
var lastSequencer atomic.Int64

func newSequencer(now time.Time) string {
	n := now.UnixNano()
	for {
		last := lastSequencer.Load()
		if n <= last {
			n = last + 1
		}
		if lastSequencer.CompareAndSwap(last, n) {
			return fmt.Sprintf("%018X", n)
		}
	}
}

// notifyHook returns the write hook that enqueues the notifications of ev on bucket b,
// in the object write's own transaction, so that an acknowledged write cannot lose them;
// nil when the bucket notifies nothing.
func (s *Service) notifyHook(ctx context.Context, b *store.S3Bucket, ev *objectEvent) []store.S3WriteHook {
	if s.disp == nil || b.Notification == "" {
		return nil
	}
	c := notificationOf(b.Notification)
	if c == nil {
		return nil
	}
	call := callOf(ctx)
	now := s.clock.Now().UTC()
	seq := newSequencer(now)
	return []store.S3WriteHook{func(tx *store.Tx) error {
		var jobs []*delivery.Job
		for _, d := range destinations(c) {
			if !d.matches("s3:"+ev.name, ev.key) {
				continue
			}
			body := encodeJSON(map[string]any{"Records": []*eventRecord{s.eventRecord(call, b, d.id, ev, now, seq)}})
			jobs = append(jobs, &delivery.Job{Target: jobKind[d.kind], Dest: d.arn, Payload: []byte(body), Policy: notifyPolicy})
		}
		if c.EventBridgeConfiguration != nil {
			jobs = append(jobs, s.busJob(call, b, ev, seq))
		}
		if len(jobs) == 0 {
			return nil
		}
		return s.disp.Enqueue(ctx, tx, jobs...)
	}}
}

// principalID is the id S3 shows for an account in event records.
func principalID(account string) string {
	return "A" + strings.ToUpper(canonicalID(account)[:13])
}

// eventRecord is the record S3 delivers for an object event, in the event message
// structure of https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html,
// members in AWS's order.
type eventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principal         `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  responseElements  `json:"responseElements"`
	S3                recordS3          `json:"s3"`
}

type principal struct {
	PrincipalID string `json:"principalId"`
}

type responseElements struct {
	RequestID string `json:"x-amz-request-id"`
	ID2       string `json:"x-amz-id-2"`
}

type recordS3 struct {
	SchemaVersion   string       `json:"s3SchemaVersion"`
	ConfigurationID string       `json:"configurationId"`
	Bucket          recordBucket `json:"bucket"`
	Object          recordObject `json:"object"`
}

type recordBucket struct {
	Name          string    `json:"name"`
	OwnerIdentity principal `json:"ownerIdentity"`
	ARN           string    `json:"arn"`
}

// recordObject is the object of a record: a removal has no size or eTag.
type recordObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// eventRecord is the record S3 delivers for ev. The key is URL-encoded as S3 does
// (recordKey).
func (s *Service) eventRecord(call *protocol.Call, b *store.S3Bucket, configID string, ev *objectEvent, now time.Time, seq string) *eventRecord {
	obj := recordObject{Key: recordKey(ev.key), Sequencer: seq, VersionID: ev.eventVersion()}
	if ev.obj != nil {
		obj.Size = ptr(ev.obj.Size)
		obj.ETag = strings.Trim(ev.obj.ETag, `"`)
	}
	return &eventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: b.Region,
		EventTime:         now.Format("2006-01-02T15:04:05.000Z"),
		EventName:         ev.name,
		UserIdentity:      principal{"AWS:" + principalID(call.Account)},
		RequestParameters: map[string]string{"sourceIPAddress": "127.0.0.1"},
		ResponseElements:  responseElements{RequestID: call.RequestID, ID2: hostID()},
		S3: recordS3{SchemaVersion: "1.0", ConfigurationID: configID,
			Bucket: recordBucket{Name: b.Name, OwnerIdentity: principal{principalID(b.Account)}, ARN: "arn:aws:s3:::" + b.Name},
			Object: obj},
	}
}

// recordKey is a key as event records carry it: form-encoded ("red flower.jpg" is
// "red+flower.jpg", "a=b" is "a%3Db"), with its slashes kept.
func recordKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// busJob is the job that puts ev on the default bus of the bucket's account and region,
// in the shape of https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html.
func (s *Service) busJob(call *protocol.Call, b *store.S3Bucket, ev *objectEvent, seq string) *delivery.Job {
	detail := map[string]any{
		"version":           "0",
		"bucket":            map[string]any{"name": b.Name},
		"request-id":        call.RequestID,
		"requester":         call.Account,
		"source-ip-address": "127.0.0.1",
		"reason":            ev.reason,
	}
	detailType := "Object Created"
	if ev.obj != nil {
		detail["object"] = map[string]any{"key": ev.key, "size": ev.obj.Size, "etag": strings.Trim(ev.obj.ETag, `"`), "sequencer": seq}
	} else {
		detailType = "Object Deleted"
		detail["object"] = map[string]any{"key": ev.key, "sequencer": seq}
		detail["deletion-type"] = "Permanently Deleted"
		if ev.name == "ObjectRemoved:DeleteMarkerCreated" {
			detail["deletion-type"] = "Delete Marker Created"
		}
	}
	if v := ev.eventVersion(); v != "" {
		detail["object"].(map[string]any)["version-id"] = v
	}
	d, _ := json.Marshal(detail)
	payload, _ := json.Marshal(busEvent{Account: b.Account, Region: b.Region, DetailType: detailType,
		Resources: []string{"arn:aws:s3:::" + b.Name}, Detail: d})
	return &delivery.Job{Target: kindEvents, Dest: b.Account + "/" + b.Region, Payload: payload, Policy: notifyPolicy}
}

// sendTestEvents sends the s3:TestEvent S3 sends each queue and topic of a configuration
// it stores.
func (s *Service) sendTestEvents(ctx context.Context, bucket string, ds []destination) error {
	if s.disp == nil {
		return nil
	}
	call := callOf(ctx)
	// Members in AWS's order.
	body := encodeJSON(testEvent{
		"Amazon S3", "s3:TestEvent", s.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"), bucket, call.RequestID, hostID()})
	var jobs []*delivery.Job
	for _, d := range ds {
		if d.kind == "function" {
			continue
		}
		jobs = append(jobs, &delivery.Job{Target: jobKind[d.kind], Dest: d.arn, Payload: []byte(body), Policy: notifyPolicy})
	}
	return s.disp.Enqueue(ctx, nil, jobs...)
}

// testEvent is the message S3 sends a destination when a configuration is stored.
type testEvent struct {
	Service   string `json:"Service"`
	Event     string `json:"Event"`
	Time      string `json:"Time"`
	Bucket    string `json:"Bucket"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
}

// hostID is an x-amz-id-2 value.
func hostID() string {
	return base64.StdEncoding.EncodeToString(randomBytes(48))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
