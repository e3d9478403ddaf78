package sqs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

func TestCreateQueueURLAndArn(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := srv.SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	if !srv.External() {
		// Path style: the request's scheme, host and port, then /<account>/<name>.
		require.Equal(t, srv.Endpoint()+"/"+defaultAccount+"/"+name, u)
	}
	require.True(t, strings.HasSuffix(u, "/"+name), "QueueUrl %s ends with the name", u)
	require.Equal(t, "arn:aws:sqs:us-east-1:"+defaultAccount+":"+name, queueArn(t, c, u))
}

func TestCreateQueueIdempotency(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	name := uniqueName(t, "")
	attrs := map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"}
	u1 := createQueue(t, c, name, attrs)
	u2 := createQueue(t, c, name, map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"})
	require.Equal(t, u1, u2, "same name and attributes return the existing queue")

	_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{
		QueueName:  aws.String(name),
		Attributes: map[string]string{"VisibilityTimeout": "61", "DelaySeconds": "5"},
	})
	requireModeled[*types.QueueNameExists](t, err, "QueueAlreadyExists", 400, "same name, different VisibilityTimeout")

	// The failed call changed nothing.
	require.Equal(t, "60", queueAttrs(t, c, u1)["VisibilityTimeout"])
}

func TestCreateQueueNameRules(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	// Unique 12-character prefix so the valid names do not collide between runs.
	p := uniqueName(t, "")
	p = p[len(p)-8:] + "n"

	valid := []struct {
		name  string
		attrs map[string]string
	}{
		{p + "-A_z-0", nil},
		{p + strings.Repeat("x", 80-len(p)), nil},
		{p + strings.Repeat("y", 75-len(p)) + ".fifo", map[string]string{"FifoQueue": "true"}},
	}
	for _, tt := range valid {
		_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(tt.name), Attributes: tt.attrs})
		require.NoError(t, err, "valid name %q (%d characters)", tt.name, len(tt.name))
	}

	invalid := []struct {
		why   string
		name  string
		attrs map[string]string
	}{
		{"81 characters", p + strings.Repeat("x", 81-len(p)), nil},
		{"space", p + " x", nil},
		{"dot in a standard queue", p + ".x", nil},
		{"slash", p + "/x", nil},
		{"non-ASCII", p + "ü", nil},
		{"colon", p + ":x", nil},
		{".fifo suffix on a standard queue", p + "s.fifo", nil},
		{"FifoQueue=true without .fifo", p + "f", map[string]string{"FifoQueue": "true"}},
		{"FIFO name of 81 characters", p + strings.Repeat("z", 76-len(p)) + ".fifo", map[string]string{"FifoQueue": "true"}},
		{".fifo suffix with FifoQueue=false", p + "g.fifo", map[string]string{"FifoQueue": "false"}},
	}
	for _, tt := range invalid {
		_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(tt.name), Attributes: tt.attrs})
		requireInvalidParameterValue(t, err, "CreateQueue name %q: %s", tt.name, tt.why)
	}
}

func TestCreateQueueDefaults(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	name := uniqueName(t, "")
	before := time.Now().Add(-5 * time.Second).Unix()
	u := createQueue(t, c, name, nil)
	a := queueAttrs(t, c, u)

	want := map[string]string{
		"DelaySeconds":                          "0",
		"MaximumMessageSize":                    "1048576",
		"MessageRetentionPeriod":                "345600",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"VisibilityTimeout":                     "30",
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"QueueArn":                              "arn:aws:sqs:us-east-1:" + defaultAccount + ":" + name,
	}
	for k, v := range want {
		require.Equal(t, v, a[k], "attribute %s of a new standard queue (all: %v)", k, a)
	}
	for _, k := range []string{"CreatedTimestamp", "LastModifiedTimestamp"} {
		ts, err := strconv.ParseInt(a[k], 10, 64)
		require.NoError(t, err, "%s is epoch seconds: %q", k, a[k])
		require.GreaterOrEqual(t, ts, before, k)
		require.LessOrEqual(t, ts, time.Now().Add(5*time.Second).Unix(), k)
	}
	for _, k := range []string{"FifoQueue", "ContentBasedDeduplication", "RedrivePolicy", "Policy"} {
		_, ok := a[k]
		require.False(t, ok, "a standard queue without that setting has no %s attribute", k)
	}
}

func TestCreateFIFOQueueDefaults(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)
	a := queueAttrs(t, c, u)
	require.Equal(t, "true", a["FifoQueue"])
	require.Equal(t, "false", a["ContentBasedDeduplication"])
	require.Equal(t, "queue", a["DeduplicationScope"])
	require.Equal(t, "perQueue", a["FifoThroughputLimit"])
	require.True(t, strings.HasSuffix(a["QueueArn"], ".fifo"), a["QueueArn"])

	// High throughput mode.
	u2 := newFIFOQueue(t, c, map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId", "ContentBasedDeduplication": "true"})
	a2 := queueAttrs(t, c, u2)
	require.Equal(t, "messageGroup", a2["DeduplicationScope"])
	require.Equal(t, "perMessageGroupId", a2["FifoThroughputLimit"])
	require.Equal(t, "true", a2["ContentBasedDeduplication"])
}

// attributeRange lists each numeric queue attribute's documented range.
var attributeRanges = []struct {
	name     string
	min, max int
	// with are attributes the setting needs to take effect.
	with map[string]string
}{
	{"DelaySeconds", 0, 900, nil},
	{"MaximumMessageSize", 1024, 1048576, nil},
	{"MessageRetentionPeriod", 60, 1209600, nil},
	{"ReceiveMessageWaitTimeSeconds", 0, 20, nil},
	{"VisibilityTimeout", 0, 43200, nil},
	{"KmsDataKeyReusePeriodSeconds", 60, 86400, map[string]string{"KmsMasterKeyId": "alias/aws/sqs"}},
}

func TestQueueAttributeRanges(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	for _, r := range attributeRanges {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range []int{r.min, r.max} {
				attrs := map[string]string{r.name: strconv.Itoa(v)}
				for k, w := range r.with {
					attrs[k] = w
				}
				u := createQueue(t, c, uniqueName(t, strconv.Itoa(v)), attrs)
				require.Equal(t, strconv.Itoa(v), queueAttrs(t, c, u, types.QueueAttributeName(r.name))[r.name], "CreateQueue %s=%d", r.name, v)
			}
			for _, v := range []string{strconv.Itoa(r.min - 1), strconv.Itoa(r.max + 1), "abc", "1.5"} {
				_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{
					QueueName:  aws.String(uniqueName(t, "bad")),
					Attributes: map[string]string{r.name: v},
				})
				requireInvalidAttributeValue(t, err, "CreateQueue %s=%q", r.name, v)
			}

			// SetQueueAttributes takes the same range.
			u := newQueue(t, c, r.with)
			for _, v := range []int{r.max, r.min} {
				_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{r.name: strconv.Itoa(v)}})
				require.NoError(t, err, "SetQueueAttributes %s=%d", r.name, v)
				require.Equal(t, strconv.Itoa(v), queueAttrs(t, c, u, types.QueueAttributeName(r.name))[r.name])
			}
			for _, v := range []string{strconv.Itoa(r.min - 1), strconv.Itoa(r.max + 1), "x"} {
				_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{r.name: v}})
				requireInvalidAttributeValue(t, err, "SetQueueAttributes %s=%q", r.name, v)
			}
			require.Equal(t, strconv.Itoa(r.min), queueAttrs(t, c, u, types.QueueAttributeName(r.name))[r.name], "a rejected value changes nothing")
		})
	}
}

func TestQueueAttributeNames(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()

	_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "")), Attributes: map[string]string{"NoSuchAttribute": "1"}})
	requireInvalidAttributeName(t, err, "CreateQueue with an unknown attribute")

	// FIFO-only attributes do not exist on a standard queue.
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "")), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	requireInvalidAttributeName(t, err, "ContentBasedDeduplication on a standard queue")

	u := newQueue(t, c, nil)
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"NoSuchAttribute": "1"}})
	requireInvalidAttributeName(t, err, "SetQueueAttributes with an unknown attribute")

	_, err = c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: []types.QueueAttributeName{"NoSuchAttribute"}})
	requireInvalidAttributeName(t, err, "GetQueueAttributes with an unknown attribute")

	// Read-only attributes cannot be set.
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:x"}})
	requireInvalidAttributeName(t, err, "SetQueueAttributes QueueArn")

	// Selected names return exactly those attributes.
	a := queueAttrs(t, c, u, types.QueueAttributeNameVisibilityTimeout, types.QueueAttributeNameDelaySeconds)
	require.Equal(t, map[string]string{"VisibilityTimeout": "30", "DelaySeconds": "0"}, a)

	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"SqsManagedSseEnabled": "maybe"}})
	requireInvalidAttributeValue(t, err, "SqsManagedSseEnabled=maybe")
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "") + ".fifo"), Attributes: map[string]string{"FifoQueue": "maybe"}})
	requireInvalidAttributeValue(t, err, "FifoQueue=maybe")

	fu := newFIFOQueue(t, c, nil)
	for name, v := range map[string]string{"DeduplicationScope": "bogus", "FifoThroughputLimit": "bogus", "ContentBasedDeduplication": "maybe"} {
		_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fu), Attributes: map[string]string{name: v}})
		requireInvalidAttributeValue(t, err, "FIFO %s=%s", name, v)
	}
}

func TestSetQueueAttributes(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	created := queueAttrs(t, c, u)
	set := map[string]string{
		"DelaySeconds":                  "7",
		"MaximumMessageSize":            "2048",
		"MessageRetentionPeriod":        "3600",
		"ReceiveMessageWaitTimeSeconds": "3",
		"VisibilityTimeout":             "45",
		"SqsManagedSseEnabled":          "false",
	}
	_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: set})
	require.NoError(t, err)
	got := queueAttrs(t, c, u)
	for k, v := range set {
		require.Equal(t, v, got[k], k)
	}
	require.GreaterOrEqual(t, got["LastModifiedTimestamp"], created["LastModifiedTimestamp"])
	require.Equal(t, created["CreatedTimestamp"], got["CreatedTimestamp"])

	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u + "-missing"), Attributes: map[string]string{"DelaySeconds": "1"}})
	requireQueueDoesNotExist(t, err, "SetQueueAttributes on a missing queue")
	_, err = c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u + "-missing"), AttributeNames: []types.QueueAttributeName{"All"}})
	requireQueueDoesNotExist(t, err, "GetQueueAttributes on a missing queue")
}

func TestGetQueueURL(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)

	out, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, u, aws.ToString(out.QueueUrl))

	out, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name), QueueOwnerAWSAccountId: aws.String(defaultAccount)})
	require.NoError(t, err, "QueueOwnerAWSAccountId of the caller's own account")
	require.Equal(t, u, aws.ToString(out.QueueUrl))

	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name + "-nope")})
	requireQueueDoesNotExist(t, err, "GetQueueUrl of a missing queue")

	// Names are case-sensitive.
	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(strings.ToUpper(name))})
	requireQueueDoesNotExist(t, err, "GetQueueUrl with the name in upper case")
}

func TestListQueues(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	prefix := uniqueName(t, "")
	var want []string
	for i := range 5 {
		want = append(want, createQueue(t, c, fmt.Sprintf("%s-%d", prefix, i), nil))
	}
	other := createQueue(t, c, "x"+prefix, nil)
	sort.Strings(want)

	out, err := c.ListQueues(ctx(t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
	require.NoError(t, err)
	got := append([]string(nil), out.QueueUrls...)
	sort.Strings(got)
	require.Equal(t, want, got, "ListQueues with a prefix")
	require.Nil(t, out.NextToken, "no MaxResults: no NextToken")

	// Pagination: 2 + 2 + 1.
	var pages [][]string
	var token *string
	for {
		out, err := c.ListQueues(ctx(t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix), MaxResults: aws.Int32(2), NextToken: token})
		require.NoError(t, err)
		pages = append(pages, out.QueueUrls)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		require.Less(t, len(pages), 10, "pagination does not end")
	}
	var all []string
	for _, p := range pages {
		require.LessOrEqual(t, len(p), 2)
		all = append(all, p...)
	}
	sort.Strings(all)
	require.Equal(t, want, all, "pages cover every queue exactly once")
	require.GreaterOrEqual(t, len(pages), 3)

	// The paginator of the SDK agrees.
	pg := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix), MaxResults: aws.Int32(4)})
	n := 0
	for pg.HasMorePages() {
		p, err := pg.NextPage(ctx(t))
		require.NoError(t, err)
		n += len(p.QueueUrls)
	}
	require.Equal(t, 5, n)

	// Without a prefix the list has every queue of the account, including ours.
	out, err = c.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	require.NoError(t, err)
	if len(out.QueueUrls) < 1000 {
		require.Contains(t, out.QueueUrls, other)
	}

	out, err = c.ListQueues(ctx(t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix + "-none")})
	require.NoError(t, err)
	require.Empty(t, out.QueueUrls)

	for _, bad := range []int32{0, 1001} {
		_, err := c.ListQueues(ctx(t), &sqs.ListQueuesInput{MaxResults: aws.Int32(bad)})
		requireInvalidParameterValue(t, err, "ListQueues MaxResults=%d", bad)
	}
}

func TestDeleteQueue(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	send(t, c, u, "doomed")
	_, err := c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)

	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "GetQueueUrl after DeleteQueue")
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x")})
	requireQueueDoesNotExist(t, err, "SendMessage after DeleteQueue")
	_, err = c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u)})
	requireQueueDoesNotExist(t, err, "ReceiveMessage after DeleteQueue")
	_, err = c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
	requireQueueDoesNotExist(t, err, "DeleteQueue twice")
}

func TestQueueTags(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	out, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{
		QueueName: aws.String(uniqueName(t, "")),
		Tags:      map[string]string{"team": "core", "Env": "dev"},
	})
	require.NoError(t, err)
	u := aws.ToString(out.QueueUrl)

	tags := func() map[string]string {
		out, err := c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)})
		require.NoError(t, err)
		return out.Tags
	}
	require.Equal(t, map[string]string{"team": "core", "Env": "dev"}, tags())

	_, err = c.TagQueue(ctx(t), &sqs.TagQueueInput{QueueUrl: aws.String(u), Tags: map[string]string{"team": "edge", "env": "lower-case key is another key", "empty": ""}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "edge", "Env": "dev", "env": "lower-case key is another key", "empty": ""}, tags())

	_, err = c.UntagQueue(ctx(t), &sqs.UntagQueueInput{QueueUrl: aws.String(u), TagKeys: []string{"Env", "absent"}})
	require.NoError(t, err, "untagging an absent key is not an error")
	require.Equal(t, map[string]string{"team": "edge", "env": "lower-case key is another key", "empty": ""}, tags())

	_, err = c.UntagQueue(ctx(t), &sqs.UntagQueueInput{QueueUrl: aws.String(u), TagKeys: []string{"team", "env", "empty"}})
	require.NoError(t, err)
	require.Empty(t, tags())

	missing := u + "-missing"
	_, err = c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: aws.String(missing)})
	requireQueueDoesNotExist(t, err, "ListQueueTags")
	_, err = c.TagQueue(ctx(t), &sqs.TagQueueInput{QueueUrl: aws.String(missing), Tags: map[string]string{"a": "b"}})
	requireQueueDoesNotExist(t, err, "TagQueue")
	_, err = c.UntagQueue(ctx(t), &sqs.UntagQueueInput{QueueUrl: aws.String(missing), TagKeys: []string{"a"}})
	requireQueueDoesNotExist(t, err, "UntagQueue")

	// A queue has at most 50 tags.
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.TagQueue(ctx(t), &sqs.TagQueueInput{QueueUrl: aws.String(u), Tags: many})
	require.Error(t, err, "51 tags exceed the limit of 50")
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, smithy.FaultClient, ae.ErrorFault())
}

type policyDoc struct {
	Version   string
	Id        string
	Statement []struct {
		Sid       string
		Effect    string
		Principal json.RawMessage
		Action    json.RawMessage
		Resource  string
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	arn := queueArn(t, c, u)

	_, err := c.AddPermission(ctx(t), &sqs.AddPermissionInput{
		QueueUrl:      aws.String(u),
		Label:         aws.String("AllowPartner"),
		AWSAccountIds: []string{"111122223333"},
		Actions:       []string{"SendMessage", "ReceiveMessage"},
	})
	require.NoError(t, err)

	var doc policyDoc
	raw := queueAttrs(t, c, u, types.QueueAttributeNamePolicy)["Policy"]
	require.NoError(t, json.Unmarshal([]byte(raw), &doc), "Policy is JSON: %s", raw)
	require.Len(t, doc.Statement, 1, raw)
	st := doc.Statement[0]
	require.Equal(t, "AllowPartner", st.Sid)
	require.Equal(t, "Allow", st.Effect)
	require.Equal(t, arn, st.Resource)
	require.Contains(t, string(st.Principal), "arn:aws:iam::111122223333:root")
	require.Contains(t, string(st.Action), "SQS:SendMessage")
	require.Contains(t, string(st.Action), "SQS:ReceiveMessage")

	_, err = c.AddPermission(ctx(t), &sqs.AddPermissionInput{
		QueueUrl: aws.String(u), Label: aws.String("AllowPartner"),
		AWSAccountIds: []string{"444455556666"}, Actions: []string{"*"},
	})
	requireInvalidParameterValue(t, err, "AddPermission with a label that exists")

	_, err = c.AddPermission(ctx(t), &sqs.AddPermissionInput{
		QueueUrl: aws.String(u), Label: aws.String("Second"),
		AWSAccountIds: []string{"444455556666"}, Actions: []string{"*"},
	})
	require.NoError(t, err)
	raw = queueAttrs(t, c, u, types.QueueAttributeNamePolicy)["Policy"]
	require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	require.Len(t, doc.Statement, 2, raw)

	_, err = c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u), Label: aws.String("AllowPartner")})
	require.NoError(t, err)
	raw = queueAttrs(t, c, u, types.QueueAttributeNamePolicy)["Policy"]
	require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	require.Len(t, doc.Statement, 1, raw)
	require.Equal(t, "Second", doc.Statement[0].Sid)

	_, err = c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u), Label: aws.String("AllowPartner")})
	requireInvalidParameterValue(t, err, "RemovePermission of a label that is gone")

	_, err = c.AddPermission(ctx(t), &sqs.AddPermissionInput{
		QueueUrl: aws.String(u), Label: aws.String("BadAction"),
		AWSAccountIds: []string{"444455556666"}, Actions: []string{"FlyToTheMoon"},
	})
	requireInvalidParameterValue(t, err, "AddPermission with an unknown action")

	_, err = c.AddPermission(ctx(t), &sqs.AddPermissionInput{
		QueueUrl: aws.String(u + "-missing"), Label: aws.String("x"),
		AWSAccountIds: []string{"444455556666"}, Actions: []string{"SendMessage"},
	})
	requireQueueDoesNotExist(t, err, "AddPermission on a missing queue")
	_, err = c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(u + "-missing"), Label: aws.String("x")})
	requireQueueDoesNotExist(t, err, "RemovePermission on a missing queue")

	// The Policy attribute can also be set directly, and read back as set.
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Direct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"%s"}]}`, arn)
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"Policy": policy}})
	require.NoError(t, err)
	raw = queueAttrs(t, c, u, types.QueueAttributeNamePolicy)["Policy"]
	require.JSONEq(t, policy, raw)

	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"Policy": "{not json"}})
	requireInvalidAttributeValue(t, err, "Policy that is not JSON")

	// An empty Policy removes it.
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"Policy": ""}})
	require.NoError(t, err)
	_, ok := queueAttrs(t, c, u)["Policy"]
	require.False(t, ok, "Policy attribute after setting it empty")
}

func TestListDeadLetterSourceQueues(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	rp := fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"3"}`, dlqArn)
	var want []string
	for i := range 3 {
		want = append(want, createQueue(t, c, uniqueName(t, fmt.Sprintf("src%d", i)), map[string]string{"RedrivePolicy": rp}))
	}
	newQueue(t, c, nil) // not a source
	sort.Strings(want)

	out, err := c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	require.NoError(t, err)
	got := append([]string(nil), out.QueueUrls...)
	sort.Strings(got)
	require.Equal(t, want, got)

	var all []string
	var token *string
	for range 10 {
		out, err := c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq), MaxResults: aws.Int32(2), NextToken: token})
		require.NoError(t, err)
		require.LessOrEqual(t, len(out.QueueUrls), 2)
		all = append(all, out.QueueUrls...)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	sort.Strings(all)
	require.Equal(t, want, all, "pages of ListDeadLetterSourceQueues")

	// The RedrivePolicy reads back with the DLQ's ARN and a numeric maxReceiveCount.
	var pol map[string]any
	require.NoError(t, json.Unmarshal([]byte(queueAttrs(t, c, want[0])["RedrivePolicy"]), &pol))
	require.Equal(t, dlqArn, pol["deadLetterTargetArn"])
	require.EqualValues(t, 3, pol["maxReceiveCount"], "maxReceiveCount as a JSON number")

	_, err = c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq + "-missing")})
	requireQueueDoesNotExist(t, err, "ListDeadLetterSourceQueues of a missing queue")
}

func TestRedrivePolicyValidation(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	fifoDLQ := newFIFOQueue(t, c, nil)
	fifoDLQArn := queueArn(t, c, fifoDLQ)
	u := newQueue(t, c, nil)

	bad := map[string]string{
		"not JSON":                 `{`,
		"maxReceiveCount 0":        fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":0}`, dlqArn),
		"maxReceiveCount 1001":     fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":1001}`, dlqArn),
		"no deadLetterTargetArn":   `{"maxReceiveCount":5}`,
		"no maxReceiveCount":       fmt.Sprintf(`{"deadLetterTargetArn":"%s"}`, dlqArn),
		"FIFO DLQ for a std queue": fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":5}`, fifoDLQArn),
	}
	for why, v := range bad {
		_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"RedrivePolicy": v}})
		requireOneOf(t, err, []string{"InvalidParameterValue", "InvalidAttributeValue"}, "RedrivePolicy %s", why)
	}
	_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:no-such-queue-` + uniqueName(t, "") + `","maxReceiveCount":5}`,
	}})
	require.Error(t, err, "RedrivePolicy naming a queue that does not exist")

	for _, mrc := range []string{"1", "1000"} {
		_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{
			"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%s}`, dlqArn, mrc),
		}})
		require.NoError(t, err, "maxReceiveCount %s", mrc)
	}
	// An empty RedrivePolicy removes it.
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u), Attributes: map[string]string{"RedrivePolicy": ""}})
	require.NoError(t, err)
	_, ok := queueAttrs(t, c, u)["RedrivePolicy"]
	require.False(t, ok, "RedrivePolicy after setting it empty")
}

// requireOneOf checks that err is an API client error whose code is one of codes. It is
// used only where the AWS documentation names the error's meaning but not its code.
func requireOneOf(t *testing.T, err error, codes []string, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	require.Error(t, err, what)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae, what)
	require.Contains(t, codes, ae.ErrorCode(), "error code (message %q): %s", ae.ErrorMessage(), what)
}

func TestPurgeQueue(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	for i := range 5 {
		send(t, c, u, fmt.Sprintf("m%d", i))
	}
	_, err := c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)

	// Purging may take up to 60 seconds on AWS; Overcast is expected to be done quickly.
	waitFor(t, 10*time.Second, func() bool {
		return queueAttrs(t, c, u)["ApproximateNumberOfMessages"] == "0"
	}, "ApproximateNumberOfMessages after PurgeQueue")
	requireEmpty(t, c, u, "after PurgeQueue")

	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u)})
	requireModeled[*types.PurgeQueueInProgress](t, err, "AWS.SimpleQueueService.PurgeQueueInProgress", http.StatusForbidden, "a second PurgeQueue within 60 seconds")

	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u + "-missing")})
	requireQueueDoesNotExist(t, err, "PurgeQueue of a missing queue")
}
