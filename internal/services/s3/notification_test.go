package s3

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

func TestDestinationMatches(t *testing.T) {
	t.Parallel()
	d := destination{events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"}, prefix: "images/", suffix: ".jpg"}
	for _, c := range []struct {
		event, key string
		want       bool
	}{
		{"s3:ObjectCreated:Put", "images/a.jpg", true},
		{"s3:ObjectCreated:CompleteMultipartUpload", "images/a.jpg", true},
		{"s3:ObjectRemoved:Delete", "images/a.jpg", true},
		{"s3:ObjectRemoved:DeleteMarkerCreated", "images/a.jpg", false},
		{"s3:ObjectCreated:Put", "docs/a.jpg", false},
		{"s3:ObjectCreated:Put", "images/a.png", false},
		// Filters compare the key as stored, case-sensitively, as S3 does.
		{"s3:ObjectCreated:Put", "Images/a.jpg", false},
	} {
		require.Equal(t, c.want, d.matches(c.event, c.key), "%s %s", c.event, c.key)
	}
	require.True(t, destination{events: []string{"s3:ObjectCreated:Put"}}.matches("s3:ObjectCreated:Put", "any"))
}

func TestNormalizeNotification(t *testing.T) {
	t.Parallel()
	const q = "arn:aws:sqs:us-east-1:123456789012:q"
	cfg := func(qcs ...*QueueConfiguration) *NotificationConfiguration {
		return &NotificationConfiguration{QueueConfigurations: qcs}
	}
	// Filter rule names are case-insensitive and stored capitalised; a missing Id is made.
	c := cfg(&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:*"},
		Filter: &NotificationConfigurationFilter{Key: &S3KeyFilter{FilterRules: []*FilterRule{{Name: ptr("PREFIX"), Value: ptr("a/")}, {Name: ptr("suffix"), Value: ptr(".txt")}}}}})
	require.NoError(t, normalizeNotification(c))
	require.Equal(t, "Prefix", *c.QueueConfigurations[0].Filter.Key.FilterRules[0].Name)
	require.Equal(t, "Suffix", *c.QueueConfigurations[0].Filter.Key.FilterRules[1].Name)
	require.NotEmpty(t, deref(c.QueueConfigurations[0].ID))

	for _, tc := range []struct {
		name    string
		c       *NotificationConfiguration
		message string
		argName string
	}{
		{"unparsable ARN", cfg(&QueueConfiguration{QueueARN: ptr("invalid-queue"), Events: []string{"s3:ObjectCreated:*"}}),
			"The ARN could not be parsed", "Queue"},
		{"topic ARN as a queue", cfg(&QueueConfiguration{QueueARN: ptr("arn:aws:sns:us-east-1:123456789012:t"), Events: []string{"s3:ObjectCreated:*"}}),
			"The ARN could not be parsed", "Queue"},
		{"unknown event", cfg(&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:Nope"}}),
			"The event is not supported for notifications", "Event"},
		{"bad filter rule", cfg(&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:*"},
			Filter: &NotificationConfigurationFilter{Key: &S3KeyFilter{FilterRules: []*FilterRule{{Name: ptr("INVALID"), Value: ptr("x")}}}}}),
			"filter rule name must be either prefix or suffix", "FilterRule.Name"},
		{"overlap", cfg(&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:*"}},
			&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:Put"}}),
			"Configurations overlap. Configurations on the same bucket cannot share a common event type.", ""},
	} {
		err := normalizeNotification(tc.c)
		pe := requireS3Error(t, err, "InvalidArgument", 400)
		require.Equal(t, tc.message, pe.Message, tc.name)
		if tc.argName != "" {
			require.Equal(t, tc.argName, pe.Fields["ArgumentName"], tc.name)
		}
	}
	// Disjoint prefixes do not overlap.
	require.NoError(t, normalizeNotification(cfg(
		&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:*"},
			Filter: &NotificationConfigurationFilter{Key: &S3KeyFilter{FilterRules: []*FilterRule{{Name: ptr("prefix"), Value: ptr("a/")}}}}},
		&QueueConfiguration{QueueARN: ptr(q), Events: []string{"s3:ObjectCreated:*"},
			Filter: &NotificationConfigurationFilter{Key: &S3KeyFilter{FilterRules: []*FilterRule{{Name: ptr("prefix"), Value: ptr("b/")}}}}})))
}

// TestEventRecordShape checks the record against the event message structure AWS
// documents (notification-content-structure.html).
func TestEventRecordShape(t *testing.T) {
	t.Parallel()
	svc, _ := setup(t)
	b := &store.S3Bucket{Name: "bkt", Account: "123456789012", Region: "eu-west-1"}
	call := &protocol.Call{Account: "123456789012", Region: "eu-west-1", RequestID: "REQ1"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 5e6, time.UTC)
	obj := &store.S3Object{Size: 9, ETag: `"437b930db84b8079c2dd804a71936b5f"`}
	rec := svc.eventRecord(call, b, "cfg", &objectEvent{name: "ObjectCreated:Put", key: "a@b c/d", obj: obj}, at, "0055AED6DCD90281E5")
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(encodeJSON(rec)), &got))
	require.Equal(t, "2.1", got["eventVersion"])
	require.Equal(t, "aws:s3", got["eventSource"])
	require.Equal(t, "eu-west-1", got["awsRegion"])
	require.Equal(t, "2026-03-01T12:00:00.005Z", got["eventTime"])
	require.Equal(t, "ObjectCreated:Put", got["eventName"])
	require.Equal(t, "REQ1", got["responseElements"].(map[string]any)["x-amz-request-id"])
	s3 := got["s3"].(map[string]any)
	require.Equal(t, "1.0", s3["s3SchemaVersion"])
	require.Equal(t, "cfg", s3["configurationId"])
	bucket := s3["bucket"].(map[string]any)
	require.Equal(t, "bkt", bucket["name"])
	require.Equal(t, "arn:aws:s3:::bkt", bucket["arn"])
	require.Contains(t, bucket["ownerIdentity"], "principalId")
	require.Equal(t, map[string]any{"key": "a%40b+c/d", "size": float64(9), "eTag": "437b930db84b8079c2dd804a71936b5f",
		"sequencer": "0055AED6DCD90281E5"}, s3["object"])

	// A removal has only the key and the sequencer.
	removed := svc.eventRecord(call, b, "cfg", &objectEvent{name: "ObjectRemoved:Delete", key: "k"}, at, "0055AED6DCD90281E6")
	require.JSONEq(t, `{"key":"k","sequencer":"0055AED6DCD90281E6"}`, encodeJSON(removed.S3.Object))

	// In a versioning bucket, AWS records name the version written or the delete marker
	// put; the null version is not named.
	versioned := svc.eventRecord(call, b, "cfg", &objectEvent{name: "ObjectCreated:Put", key: "k",
		obj: &store.S3Object{Size: 1, ETag: `"e"`, VersionID: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH"}}, at, "0055AED6DCD90281E7")
	require.JSONEq(t, `{"key":"k","size":1,"eTag":"e","versionId":"3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH","sequencer":"0055AED6DCD90281E7"}`,
		encodeJSON(versioned.S3.Object))
	marker := svc.eventRecord(call, b, "cfg", &objectEvent{name: "ObjectRemoved:DeleteMarkerCreated", key: "k",
		versionID: "PHNp3bXwXgzTbbYb1.DfnVE0aNqRB3Jx"}, at, "0055AED6DCD90281E8")
	require.JSONEq(t, `{"key":"k","versionId":"PHNp3bXwXgzTbbYb1.DfnVE0aNqRB3Jx","sequencer":"0055AED6DCD90281E8"}`, encodeJSON(marker.S3.Object))
	null := svc.eventRecord(call, b, "cfg", &objectEvent{name: "ObjectRemoved:DeleteMarkerCreated", key: "k", versionID: "null"}, at, "0055AED6DCD90281E9")
	require.Empty(t, null.S3.Object.VersionID)

	// Members come in AWS's order.
	raw := encodeJSON(rec)
	require.Less(t, strings.Index(raw, `"eventVersion"`), strings.Index(raw, `"eventSource"`))
	require.Less(t, strings.Index(raw, `"responseElements"`), strings.Index(raw, `"s3"`))
}

func TestRecordKey(t *testing.T) {
	t.Parallel()
	require.Equal(t, "red+flower.jpg", recordKey("red flower.jpg"))
	require.Equal(t, "year%3D2026/month%3D03/a%40b.json", recordKey("year=2026/month=03/a@b.json"))
}

func TestSequencerGrows(t *testing.T) {
	t.Parallel()
	at := time.Now()
	a, b := newSequencer(at), newSequencer(at)
	require.Len(t, a, 18)
	require.Less(t, a, b, "two events in the same nanosecond still get growing sequencers")
}
