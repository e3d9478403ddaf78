package sqs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateQueueAttributeValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dlqURL := b.MustCreate(t, "dlq", nil)
	_ = dlqURL
	fifoDLQ := b.MustCreate(t, "dlq.fifo", map[string]string{"FifoQueue": "true"})
	_ = fifoDLQ
	dlqARN := queueARN(testRegion, testAccount, "dlq")
	redrive := func(arn string, n any) string {
		return fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%v}`, arn, n)
	}
	tests := []struct {
		name     string
		fifo     bool
		attr     string
		value    string
		wantCode string
		want     string // rendered value when valid ("" means as given)
	}{
		{"DelaySeconds min", false, "DelaySeconds", "0", "", ""},
		{"DelaySeconds max", false, "DelaySeconds", "900", "", ""},
		{"DelaySeconds too big", false, "DelaySeconds", "901", "InvalidAttributeValue", ""},
		{"DelaySeconds negative", false, "DelaySeconds", "-1", "InvalidAttributeValue", ""},
		{"DelaySeconds not a number", false, "DelaySeconds", "ten", "InvalidAttributeValue", ""},
		{"DelaySeconds plus sign", false, "DelaySeconds", "+5", "InvalidAttributeValue", ""},
		{"MaximumMessageSize min", false, "MaximumMessageSize", "1024", "", ""},
		{"MaximumMessageSize 1 MiB", false, "MaximumMessageSize", "1048576", "", ""},
		{"MaximumMessageSize too small", false, "MaximumMessageSize", "1023", "InvalidAttributeValue", ""},
		{"MaximumMessageSize too big", false, "MaximumMessageSize", "1048577", "InvalidAttributeValue", ""},
		{"MessageRetentionPeriod min", false, "MessageRetentionPeriod", "60", "", ""},
		{"MessageRetentionPeriod 14 days", false, "MessageRetentionPeriod", "1209600", "", ""},
		{"MessageRetentionPeriod too short", false, "MessageRetentionPeriod", "59", "InvalidAttributeValue", ""},
		{"MessageRetentionPeriod too long", false, "MessageRetentionPeriod", "1209601", "InvalidAttributeValue", ""},
		{"ReceiveMessageWaitTimeSeconds max", false, "ReceiveMessageWaitTimeSeconds", "20", "", ""},
		{"ReceiveMessageWaitTimeSeconds too long", false, "ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue", ""},
		{"VisibilityTimeout 12 h", false, "VisibilityTimeout", "43200", "", ""},
		{"VisibilityTimeout too long", false, "VisibilityTimeout", "43201", "InvalidAttributeValue", ""},
		{"KmsDataKeyReusePeriodSeconds min", false, "KmsDataKeyReusePeriodSeconds", "60", "", "-"},
		{"KmsDataKeyReusePeriodSeconds max", false, "KmsDataKeyReusePeriodSeconds", "86400", "", "-"},
		{"KmsDataKeyReusePeriodSeconds too short", false, "KmsDataKeyReusePeriodSeconds", "59", "InvalidAttributeValue", ""},
		{"KmsDataKeyReusePeriodSeconds too long", false, "KmsDataKeyReusePeriodSeconds", "86401", "InvalidAttributeValue", ""},
		{"KmsMasterKeyId", false, "KmsMasterKeyId", "alias/aws/sqs", "", ""},
		{"SqsManagedSseEnabled false", false, "SqsManagedSseEnabled", "false", "", ""},
		{"SqsManagedSseEnabled any case", false, "SqsManagedSseEnabled", "TRUE", "", "true"},
		{"SqsManagedSseEnabled junk", false, "SqsManagedSseEnabled", "yes", "InvalidAttributeValue", ""},
		{"Policy", false, "Policy", `{"Version":"2012-10-17","Statement":[]}`, "", ""},
		{"Policy not JSON", false, "Policy", `{"Version":`, "InvalidAttributeValue", ""},
		{"RedrivePolicy", false, "RedrivePolicy", redrive(dlqARN, 5), "", redrive(dlqARN, 5)},
		{"RedrivePolicy count as string", false, "RedrivePolicy", redrive(dlqARN, `"5"`), "", redrive(dlqARN, 5)},
		{"RedrivePolicy count 0", false, "RedrivePolicy", redrive(dlqARN, 0), "InvalidParameterValue", ""},
		{"RedrivePolicy count 1001", false, "RedrivePolicy", redrive(dlqARN, 1001), "InvalidParameterValue", ""},
		{"RedrivePolicy missing target", false, "RedrivePolicy", redrive(queueARN(testRegion, testAccount, "nope"), 5), "InvalidParameterValue", ""},
		{"RedrivePolicy bad ARN", false, "RedrivePolicy", redrive("dlq", 5), "InvalidParameterValue", ""},
		{"RedrivePolicy not JSON", false, "RedrivePolicy", "{", "InvalidParameterValue", ""},
		{"RedrivePolicy extra key", false, "RedrivePolicy", `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":1,"x":1}`, "InvalidParameterValue", ""},
		{"RedrivePolicy FIFO target for standard", false, "RedrivePolicy", redrive(queueARN(testRegion, testAccount, "dlq.fifo"), 5), "InvalidParameterValue", ""},
		{"RedrivePolicy standard target for FIFO", true, "RedrivePolicy", redrive(dlqARN, 5), "InvalidParameterValue", ""},
		{"RedriveAllowPolicy allowAll", false, "RedriveAllowPolicy", `{"redrivePermission":"allowAll"}`, "", ""},
		{"RedriveAllowPolicy byQueue", false, "RedriveAllowPolicy", `{"redrivePermission":"byQueue","sourceQueueArns":["` + dlqARN + `"]}`, "", ""},
		{"RedriveAllowPolicy byQueue without ARNs", false, "RedriveAllowPolicy", `{"redrivePermission":"byQueue"}`, "InvalidParameterValue", ""},
		{"RedriveAllowPolicy byQueue 11 ARNs", false, "RedriveAllowPolicy", `{"redrivePermission":"byQueue","sourceQueueArns":[` + strings.Repeat(`"`+dlqARN+`",`, 10) + `"` + dlqARN + `"]}`, "InvalidParameterValue", ""},
		{"RedriveAllowPolicy denyAll with ARNs", false, "RedriveAllowPolicy", `{"redrivePermission":"denyAll","sourceQueueArns":["` + dlqARN + `"]}`, "InvalidParameterValue", ""},
		{"RedriveAllowPolicy unknown permission", false, "RedriveAllowPolicy", `{"redrivePermission":"some"}`, "InvalidParameterValue", ""},
		{"FifoQueue false on standard", false, "FifoQueue", "false", "InvalidAttributeName", ""},
		{"FifoQueue junk", false, "FifoQueue", "maybe", "InvalidAttributeValue", ""},
		{"ContentBasedDeduplication on standard", false, "ContentBasedDeduplication", "true", "InvalidAttributeName", ""},
		{"DeduplicationScope on standard", false, "DeduplicationScope", "queue", "InvalidAttributeName", ""},
		{"FifoThroughputLimit on standard", false, "FifoThroughputLimit", "perQueue", "InvalidAttributeName", ""},
		{"ContentBasedDeduplication", true, "ContentBasedDeduplication", "true", "", ""},
		{"ContentBasedDeduplication junk", true, "ContentBasedDeduplication", "1", "InvalidAttributeValue", ""},
		{"DeduplicationScope messageGroup", true, "DeduplicationScope", "messageGroup", "", ""},
		{"DeduplicationScope junk", true, "DeduplicationScope", "group", "InvalidAttributeValue", ""},
		{"FifoThroughputLimit perQueue", true, "FifoThroughputLimit", "perQueue", "", ""},
		{"FifoThroughputLimit per group needs group scope", true, "FifoThroughputLimit", "perMessageGroupId", "InvalidParameterCombination", ""},
		{"unknown attribute", false, "Colour", "blue", "InvalidAttributeName", ""},
		{"read-only attribute", false, "QueueArn", "arn:aws:sqs:us-east-1:123456789012:x", "InvalidAttributeName", ""},
		{"read-only count", false, "ApproximateNumberOfMessages", "1", "InvalidAttributeName", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("q%d", i)
			attrs := map[string]string{tt.attr: tt.value}
			if tt.fifo {
				name += ".fifo"
				attrs["FifoQueue"] = "true"
			}
			out, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: &name, Attributes: attrs})
			if tt.wantCode != "" {
				RequireCode(t, err, tt.wantCode)
				return
			}
			require.NoError(t, err)
			got := b.attrs(t, *out.QueueURL)
			want := tt.want
			switch want {
			case "":
				want = tt.value
			case "-":
				return
			}
			require.Equal(t, want, got[tt.attr])
		})
	}
}

func TestSetQueueAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	created := b.attrs(t, url)
	b.clock.Advance(5e9)
	_, err := b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "3", "ReceiveMessageWaitTimeSeconds": "2",
	}})
	require.NoError(t, err)
	got := b.attrs(t, url)
	require.Equal(t, "45", got["VisibilityTimeout"])
	require.Equal(t, "3", got["DelaySeconds"])
	require.Equal(t, "2", got["ReceiveMessageWaitTimeSeconds"])
	require.Equal(t, created["CreatedTimestamp"], got["CreatedTimestamp"])
	require.NotEqual(t, created["LastModifiedTimestamp"], got["LastModifiedTimestamp"])

	// One bad attribute rejects the whole request.
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{
		"VisibilityTimeout": "50", "DelaySeconds": "1000",
	}})
	RequireCode(t, err, "InvalidAttributeValue")
	require.Equal(t, "45", b.attrs(t, url)["VisibilityTimeout"])

	// FifoQueue is unknown on a standard queue, as AWS answers.
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"FifoQueue": "true"}})
	RequireCode(t, err, "InvalidAttributeName")

	// KMS and SQS-managed encryption exclude each other.
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}})
	RequireCode(t, err, "InvalidAttributeName")
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sqs"}})
	require.NoError(t, err)
	got = b.attrs(t, url)
	require.Equal(t, "alias/aws/sqs", got["KmsMasterKeyId"])
	require.Equal(t, "300", got["KmsDataKeyReusePeriodSeconds"])
	require.Equal(t, "false", got["SqsManagedSseEnabled"])

	// An empty RedrivePolicy removes it.
	b.MustCreate(t, "dlq", nil)
	rp := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":3}`
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"RedrivePolicy": rp}})
	require.NoError(t, err)
	require.Equal(t, rp, b.attrs(t, url)["RedrivePolicy"])
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"RedrivePolicy": ""}})
	require.NoError(t, err)
	require.NotContains(t, b.attrs(t, url), "RedrivePolicy")
}

func TestGetQueueAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	all := b.attrs(t, url)
	require.Equal(t, map[string]string{
		"QueueArn":                              "arn:aws:sqs:us-east-1:123456789012:q",
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      "1772366400",
		"LastModifiedTimestamp":                 "1772366400",
		"VisibilityTimeout":                     "30",
		"MaximumMessageSize":                    "1048576",
		"MessageRetentionPeriod":                "345600",
		"DelaySeconds":                          "0",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"SqsManagedSseEnabled":                  "true",
	}, all)

	fifo := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	f := b.attrs(t, fifo)
	require.Equal(t, "true", f["FifoQueue"])
	require.Equal(t, "false", f["ContentBasedDeduplication"])
	require.Equal(t, "queue", f["DeduplicationScope"])
	require.Equal(t, "perQueue", f["FifoThroughputLimit"])

	out, err := b.svc.GetQueueAttributes(b.ctx, &GetQueueAttributesInput{QueueURL: &url, AttributeNames: []string{"VisibilityTimeout", "FifoQueue"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"VisibilityTimeout": "30"}, out.Attributes, "attributes a queue does not have are left out")

	_, err = b.svc.GetQueueAttributes(b.ctx, &GetQueueAttributesInput{QueueURL: &url, AttributeNames: []string{"Colour"}})
	perr := RequireCode(t, err, "InvalidAttributeName")
	require.Equal(t, "Unknown Attribute Colour.", perr.Message)

	// Counts follow the messages.
	b.MustSend(t, url, "visible")
	b.MustSend(t, url, "delayed", func(in *SendMessageInput) { in.DelaySeconds = i32(10) })
	b.MustSend(t, url, "taken")
	require.Len(t, b.MustReceive(t, url, nil), 1)
	got := b.attrs(t, url)
	require.Equal(t, "1", got["ApproximateNumberOfMessages"])
	require.Equal(t, "1", got["ApproximateNumberOfMessagesNotVisible"])
	require.Equal(t, "1", got["ApproximateNumberOfMessagesDelayed"])
}

func TestCreateQueueIdempotence(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"VisibilityTimeout": "60"})
	require.Equal(t, url, b.MustCreate(t, "q", map[string]string{"VisibilityTimeout": "60"}))
	require.Equal(t, url, b.MustCreate(t, "q", nil), "no attributes: the existing queue")
	_, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("q"), Attributes: map[string]string{"VisibilityTimeout": "61"}})
	perr := RequireCode(t, err, "QueueNameExists")
	require.Equal(t, "QueueAlreadyExists", perr.WireQueryCode())
	require.Equal(t, "A queue already exists with the same name and a different value for attribute VisibilityTimeout", perr.Message)
	_, err = b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("q"), Attributes: map[string]string{"DelaySeconds": "0"}})
	require.NoError(t, err, "a default value given explicitly matches")
}

func TestCreateQueueNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name  string
		attrs map[string]string
		code  string
	}{
		{"ok-name_1", nil, ""},
		{strings.Repeat("n", 81), nil, "InvalidParameterValue"},
		{"bad name", nil, "InvalidParameterValue"},
		{"ends.fifo", nil, "InvalidParameterValue"},
		{"needs-suffix", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
		{"good.fifo", map[string]string{"FifoQueue": "true"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str(tt.name), Attributes: tt.attrs})
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			RequireCode(t, err, tt.code)
		})
	}
}

func FuzzParseRedrivePolicy(f *testing.F) {
	for _, s := range []string{"", "{}", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:d","maxReceiveCount":5}`,
		`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:d","maxReceiveCount":"5"}`, `{"maxReceiveCount":1e400}`, "[]", "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseRedrivePolicy(s)
		if err != nil || p == nil {
			return
		}
		if p.MaxReceiveCount < 1 || p.MaxReceiveCount > 1000 {
			t.Fatalf("%q: accepted count %d", s, p.MaxReceiveCount)
		}
		again, err := parseRedrivePolicy(p.render())
		if err != nil || *again != *p {
			t.Fatalf("%q: render %q does not parse back: %v", s, p.render(), err)
		}
	})
}

func FuzzParseRedriveAllowPolicy(f *testing.F) {
	for _, s := range []string{"", `{"redrivePermission":"allowAll"}`, `{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:123456789012:a"]}`, `{"redrivePermission":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseRedriveAllowPolicy(s)
		if err != nil || p == nil {
			return
		}
		if _, err := parseRedriveAllowPolicy(p.render()); err != nil {
			t.Fatalf("%q: render %q does not parse back: %v", s, p.render(), err)
		}
	})
}

func FuzzQueueAttributes(f *testing.F) {
	f.Add("VisibilityTimeout", "30", false)
	f.Add("FifoThroughputLimit", "perMessageGroupId", true)
	f.Add("KmsMasterKeyId", "", false)
	f.Add("MaximumMessageSize", "99999999999999999999", false)
	f.Fuzz(func(t *testing.T, name, value string, fifo bool) {
		a := defaultQueueAttrs(fifo)
		if err := a.apply(map[string]string{name: value}); err != nil {
			return
		}
		// Whatever is accepted stays within AWS's limits and survives storage.
		if a.DelaySeconds < 0 || a.DelaySeconds > maxDelaySeconds || a.MaximumMessageSize < minMessageSize ||
			a.MaximumMessageSize > maxMessageSize || a.MessageRetentionPeriod < minRetention || a.MessageRetentionPeriod > maxRetention ||
			a.VisibilityTimeout < 0 || a.VisibilityTimeout > maxVisibilityTimeout || a.ReceiveMessageWaitTimeSeconds < 0 ||
			a.ReceiveMessageWaitTimeSeconds > maxReceiveWait {
			t.Fatalf("%s=%q accepted out of range: %+v", name, value, a)
		}
		back, err := unmarshalQueueAttrs(a.marshal())
		require.NoError(t, err)
		require.Equal(t, a.marshal(), back.marshal())
	})
}
