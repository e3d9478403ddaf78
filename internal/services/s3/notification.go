package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// notificationEvents are the event types a notification configuration may name
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html).
var notificationEvents = map[string]bool{
	"s3:TestEvent": true, "s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true,
	"s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true, "s3:ObjectRemoved:DeleteMarkerCreated": true,
	"s3:ObjectRestore:*": true, "s3:ObjectRestore:Post": true, "s3:ObjectRestore:Completed": true, "s3:ObjectRestore:Delete": true,
	"s3:ReducedRedundancyLostObject": true, "s3:Replication:*": true, "s3:Replication:OperationFailedReplication": true,
	"s3:Replication:OperationNotTracked": true, "s3:Replication:OperationMissedThreshold": true,
	"s3:Replication:OperationReplicatedAfterThreshold": true, "s3:LifecycleExpiration:*": true,
	"s3:LifecycleExpiration:Delete": true, "s3:LifecycleExpiration:DeleteMarkerCreated": true,
	"s3:LifecycleTransition": true, "s3:IntelligentTiering": true, "s3:ObjectTagging:*": true,
	"s3:ObjectTagging:Put": true, "s3:ObjectTagging:Delete": true, "s3:ObjectAcl:Put": true,
}

// destination is one queue, topic or function configuration, in a form common to the three.
type destination struct {
	kind    string // "queue", "topic" or "function"
	id, arn string
	events  []string
	prefix  string
	suffix  string
}

// destinations lists the destination configurations of c, queues first.
func destinations(c *NotificationConfiguration) []destination {
	var out []destination
	add := func(kind string, id, arn *string, events []string, f *NotificationConfigurationFilter) {
		d := destination{kind: kind, id: deref(id), arn: deref(arn), events: events}
		if f != nil && f.Key != nil {
			for _, r := range f.Key.FilterRules {
				switch strings.ToLower(deref(r.Name)) {
				case "prefix":
					d.prefix = deref(r.Value)
				case "suffix":
					d.suffix = deref(r.Value)
				}
			}
		}
		out = append(out, d)
	}
	for _, q := range c.QueueConfigurations {
		add("queue", q.ID, q.QueueARN, q.Events, q.Filter)
	}
	for _, t := range c.TopicConfigurations {
		add("topic", t.ID, t.TopicARN, t.Events, t.Filter)
	}
	for _, l := range c.LambdaFunctionConfigurations {
		add("function", l.ID, l.LambdaFunctionARN, l.Events, l.Filter)
	}
	return out
}

// argumentName is the name S3 gives a destination kind in its errors.
var argumentName = map[string]string{"queue": "Queue", "topic": "Topic", "function": "CloudFunction"}

// arnService is the service an ARN of each destination kind names.
var arnService = map[string]string{"queue": "sqs", "topic": "sns", "function": "lambda"}

// normalizeNotification checks c as S3 does before storing it, and gives every
// configuration an Id and canonical filter rule names. It does not check that the
// destinations exist.
func normalizeNotification(c *NotificationConfiguration) error {
	filters := func(f *NotificationConfigurationFilter) error {
		if f == nil || f.Key == nil {
			return nil
		}
		seen := map[string]bool{}
		for _, r := range f.Key.FilterRules {
			name := strings.ToLower(deref(r.Name))
			if name != "prefix" && name != "suffix" {
				return errInvalidArgument("filter rule name must be either prefix or suffix", "FilterRule.Name", deref(r.Name))
			}
			if seen[name] {
				return errInvalidArgument("Cannot specify more than one "+name+" rule in a filter.", "FilterRule.Name", deref(r.Name))
			}
			seen[name] = true
			r.Name = ptr(strings.ToUpper(name[:1]) + name[1:])
		}
		return nil
	}
	check := func(kind string, id **string, arn *string, events []string, f *NotificationConfigurationFilter) error {
		parts := strings.SplitN(deref(arn), ":", 6)
		if len(parts) < 6 || parts[0] != "arn" || parts[2] != arnService[kind] || parts[5] == "" {
			return errInvalidArgument("The ARN could not be parsed", argumentName[kind], deref(arn))
		}
		for _, e := range events {
			if !notificationEvents[e] {
				return errInvalidArgument("The event is not supported for notifications", "Event", e)
			}
		}
		if *id == nil || **id == "" {
			*id = ptr(newConfigurationID())
		}
		return filters(f)
	}
	for _, q := range c.QueueConfigurations {
		if err := check("queue", &q.ID, q.QueueARN, q.Events, q.Filter); err != nil {
			return err
		}
	}
	for _, t := range c.TopicConfigurations {
		if err := check("topic", &t.ID, t.TopicARN, t.Events, t.Filter); err != nil {
			return err
		}
	}
	for _, l := range c.LambdaFunctionConfigurations {
		if err := check("function", &l.ID, l.LambdaFunctionARN, l.Events, l.Filter); err != nil {
			return err
		}
	}
	ds := destinations(c)
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			if overlap(ds[i], ds[j]) {
				return protocol.InvalidArgument("Configurations overlap. Configurations on the same bucket cannot share a common event type.")
			}
		}
	}
	return nil
}

// overlap reports whether two configurations could both match one event: S3 refuses
// them, as an object may notify once per event type.
func overlap(a, b destination) bool {
	common := false
	for _, x := range a.events {
		for _, y := range b.events {
			if eventCovers(x, y) || eventCovers(y, x) {
				common = true
			}
		}
	}
	return common &&
		(strings.HasPrefix(a.prefix, b.prefix) || strings.HasPrefix(b.prefix, a.prefix)) &&
		(strings.HasSuffix(a.suffix, b.suffix) || strings.HasSuffix(b.suffix, a.suffix))
}

// eventCovers reports whether the configured event type pattern matches event
// ("s3:ObjectCreated:*" matches "s3:ObjectCreated:Put").
func eventCovers(pattern, event string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(event, prefix)
	}
	return pattern == event
}

// matches reports whether d wants the event named event ("s3:ObjectCreated:Put") for key.
func (d destination) matches(event, key string) bool {
	if !strings.HasPrefix(key, d.prefix) || !strings.HasSuffix(key, d.suffix) {
		return false
	}
	for _, e := range d.events {
		if eventCovers(e, event) {
			return true
		}
	}
	return false
}

// newConfigurationID is the Id S3 gives a configuration stored without one.
func newConfigurationID() string {
	return fmt.Sprintf("%x-%x", randomBytes(4), randomBytes(8))
}

// PutBucketNotificationConfiguration implements S3 PutBucketNotificationConfiguration: the
// configuration replaces the bucket's, after its destinations were checked (unless
// x-amz-skip-destination-validation), and each queue and topic gets an s3:TestEvent.
func (s *Service) PutBucketNotificationConfiguration(ctx context.Context, in *PutBucketNotificationConfigurationInput) (*PutBucketNotificationConfigurationOutput, error) {
	name := deref(in.Bucket)
	if _, err := s.bucket(ctx, name); err != nil {
		return nil, err
	}
	c := in.NotificationConfiguration
	if err := normalizeNotification(c); err != nil {
		return nil, err
	}
	ds := destinations(c)
	if s.notify != nil && !(in.SkipDestinationValidation != nil && *in.SkipDestinationValidation) {
		var fields map[string]any
		for _, d := range ds {
			ok, err := s.notify.DestinationExists(ctx, d.arn)
			if err != nil {
				return nil, errInternal(err)
			}
			if !ok {
				if fields == nil {
					fields = map[string]any{}
				}
				n := len(fields)/2 + 1
				fields[fmt.Sprintf("ArgumentName%d", n)] = d.arn
				fields[fmt.Sprintf("ArgumentValue%d", n)] = "The destination " + map[string]string{"queue": "queue", "topic": "topic", "function": "Lambda"}[d.kind] + " does not exist"
			}
		}
		if fields != nil {
			e := protocol.InvalidArgument("Unable to validate the following destination configurations")
			e.Fields = fields
			return nil, e
		}
	}
	doc := ""
	if len(ds) > 0 || c.EventBridgeConfiguration != nil {
		doc = encodeJSON(c)
	}
	if err := s.db.S3BucketSetNotification(ctx, name, doc); err != nil {
		return nil, bucketErr(name, err)
	}
	if err := s.sendTestEvents(ctx, name, ds); err != nil {
		s.log.Error("s3 test event", "bucket", name, "err", err)
	}
	return &PutBucketNotificationConfigurationOutput{}, nil
}

// GetBucketNotificationConfiguration implements S3 GetBucketNotificationConfiguration: an
// empty configuration when none was set.
func (s *Service) GetBucketNotificationConfiguration(ctx context.Context, in *GetBucketNotificationConfigurationInput) (*GetBucketNotificationConfigurationOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	out := &GetBucketNotificationConfigurationOutput{}
	if b.Notification != "" {
		if err := json.Unmarshal([]byte(b.Notification), out); err != nil {
			return nil, errInternal(fmt.Errorf("notification of %s: %w", b.Name, err))
		}
	}
	return out, nil
}

// notificationOf decodes a bucket's stored configuration; nil when it has none.
func notificationOf(doc string) *NotificationConfiguration {
	if doc == "" {
		return nil
	}
	var c NotificationConfiguration
	if json.Unmarshal([]byte(doc), &c) != nil {
		return nil
	}
	return &c
}

// GetBucketNotification implements the deprecated S3 GetBucketNotification: the first
// queue, topic and function configuration of the bucket, in the old shape.
func (s *Service) GetBucketNotification(ctx context.Context, in *GetBucketNotificationInput) (*GetBucketNotificationOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	out := &GetBucketNotificationOutput{}
	c := notificationOf(b.Notification)
	if c == nil {
		return out, nil
	}
	if len(c.QueueConfigurations) > 0 {
		q := c.QueueConfigurations[0]
		out.QueueConfiguration = &QueueConfigurationDeprecated{ID: q.ID, Events: q.Events, Queue: q.QueueARN}
	}
	if len(c.TopicConfigurations) > 0 {
		t := c.TopicConfigurations[0]
		out.TopicConfiguration = &TopicConfigurationDeprecated{ID: t.ID, Events: t.Events, Topic: t.TopicARN}
	}
	if len(c.LambdaFunctionConfigurations) > 0 {
		l := c.LambdaFunctionConfigurations[0]
		out.CloudFunctionConfiguration = &CloudFunctionConfiguration{ID: l.ID, Events: l.Events, CloudFunction: l.LambdaFunctionARN}
	}
	return out, nil
}
