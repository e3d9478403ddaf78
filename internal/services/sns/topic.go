package sns

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// pageSize is how many topics or subscriptions a List call answers at most.
const pageSize = 100

// defaultMaxMessageSize is a topic's default MaximumMessageSize (256 KiB); topics may raise
// it to 1 MiB.
// https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html
const (
	defaultMaxMessageSize = 262144
	maxMaxMessageSize     = 1048576
)

// hiddenDataProtection is the attrs key under which the topic's data protection policy is
// kept; GetTopicAttributes does not answer it.
const hiddenDataProtection = "overcast:DataProtectionPolicy"

var loggingProtocols = []string{"Application", "HTTP", "Lambda", "SQS", "Firehose"}

// validateTopicAttr checks one settable topic attribute. create says whether the topic is
// being created (FifoTopic may only be given then).
func validateTopicAttr(name, value string, fifo, create bool) *protocol.Error {
	switch name {
	case "DisplayName":
		if len(value) > 100 {
			return errInvalid("DisplayName")
		}
	case "Policy":
		if !json.Valid([]byte(value)) {
			return errInvalid("Policy: failed to parse JSON")
		}
	case "DeliveryPolicy":
		if value == "" {
			return nil
		}
		if err := validateTopicDeliveryPolicy(value); err != nil {
			return errInvalid(err.Error())
		}
	case "KmsMasterKeyId":
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return errInvalid("SignatureVersion")
		}
	case "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return errInvalid("TracingConfig")
		}
	case "FifoTopic":
		if !create {
			return errInvalid("AttributeName")
		}
		if value != "true" && value != "false" {
			return errInvalid("Attributes Reason: FifoTopic")
		}
	case "ContentBasedDeduplication":
		if !fifo {
			return errInvalid("Attributes Reason: Content based deduplication can only be set for FIFO topics")
		}
		if value != "true" && value != "false" {
			return errInvalid("ContentBasedDeduplication")
		}
	case "FifoThroughputScope":
		if !fifo {
			return errInvalid("Attributes Reason: FifoThroughputScope can only be set for FIFO topics")
		}
		if value != "Topic" && value != "MessageGroup" {
			return errInvalid("FifoThroughputScope")
		}
	case "ArchivePolicy":
		if !fifo {
			return errInvalid("Attributes Reason: ArchivePolicy can only be set for FIFO topics")
		}
		if value == "" {
			return nil
		}
		var v struct {
			MessageRetentionPeriod json.RawMessage `json:"MessageRetentionPeriod"`
		}
		if json.Unmarshal([]byte(value), &v) != nil {
			return errInvalid("ArchivePolicy")
		}
		if len(v.MessageRetentionPeriod) > 0 {
			n, err := strconv.Atoi(strings.Trim(string(v.MessageRetentionPeriod), `"`))
			if err != nil || n < 1 || n > 365 {
				return errInvalid("ArchivePolicy: MessageRetentionPeriod must be between 1 and 365 days")
			}
		}
	case "MaximumMessageSize":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1024 || n > maxMaxMessageSize {
			return errInvalid("MaximumMessageSize: must be between 1024 and 1048576")
		}
	case "DataProtectionPolicy":
	default:
		for _, p := range loggingProtocols {
			switch name {
			case p + "SuccessFeedbackRoleArn", p + "FailureFeedbackRoleArn":
				return nil
			case p + "SuccessFeedbackSampleRate":
				n, err := strconv.Atoi(value)
				if err != nil || n < 0 || n > 100 {
					return errInvalid(name)
				}
				return nil
			}
		}
		if create {
			return errInvalid("Attributes Reason: Unknown attribute " + name)
		}
		return errInvalid("AttributeName")
	}
	return nil
}

func defaultTopicPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` +
		arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}

// CreateTopic creates a topic, or returns the existing topic of that name when the given
// attributes agree with it.
func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicOutput, error) {
	c := callOf(ctx)
	name := *in.Name
	fifo := in.Attributes["FifoTopic"] == "true"
	if !validTopicName(name) {
		return nil, errInvalid("Topic Name")
	}
	if fifo != strings.HasSuffix(name, ".fifo") {
		if fifo {
			return nil, errInvalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		return nil, errInvalid("Topic Name")
	}
	for k, v := range in.Attributes {
		if err := validateTopicAttr(k, v, fifo, true); err != nil {
			return nil, err
		}
	}
	tags, perr := tagsOf(in.Tags)
	if perr != nil {
		return nil, perr
	}
	arn := topicARN(c.Region, c.Account, name)
	attrs := map[string]string{"Policy": defaultTopicPolicy(arn, c.Account)}
	if fifo {
		attrs["FifoTopic"] = "true"
		attrs["ContentBasedDeduplication"] = "false"
	}
	for k, v := range in.Attributes {
		if k == "DataProtectionPolicy" {
			k = hiddenDataProtection
		}
		attrs[k] = v
	}
	if in.DataProtectionPolicy != nil {
		attrs[hiddenDataProtection] = *in.DataProtectionPolicy
	}
	if !fifo {
		delete(attrs, "FifoTopic")
	}
	applyArchivePolicy(attrs, s.clock.Now())
	t, created, err := s.db.SNSTopicCreate(ctx, &store.SNSTopic{
		ARN: arn, Account: c.Account, Region: c.Region, Name: name, FIFO: fifo,
		Attrs: encodeAttrs(attrs), Tags: encodeAttrs(tags), CreatedAt: s.clock.Now().UnixMilli(),
	})
	if err != nil {
		return nil, fmt.Errorf("create topic %s: %w", arn, err)
	}
	if !created {
		cur := decodeAttrs(t.Attrs)
		for k, v := range in.Attributes {
			if k == "DataProtectionPolicy" {
				k = hiddenDataProtection
			}
			if cur[k] != v && !(k == "FifoTopic" && v == "false" && cur[k] == "") {
				return nil, errInvalid("Attributes Reason: Topic already exists with different attributes")
			}
		}
		if len(tags) > 0 {
			curTags := decodeAttrs(t.Tags)
			for k, v := range tags {
				if curTags[k] != v {
					return nil, errInvalid("Tags Reason: Topic already exists with different tags")
				}
			}
		}
	}
	s.cache.invalidate(arn)
	return &CreateTopicOutput{TopicARN: &arn}, nil
}

// DeleteTopic deletes a topic and its subscriptions. Deleting a topic that does not exist
// succeeds, as on AWS.
func (s *Service) DeleteTopic(ctx context.Context, in *DeleteTopicInput) (*DeleteTopicOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	if err := s.db.SNSTopicDelete(ctx, *in.TopicARN); err != nil {
		return nil, fmt.Errorf("delete topic: %w", err)
	}
	if err := s.db.SNSArchiveDeleteTopic(ctx, *in.TopicARN); err != nil {
		return nil, fmt.Errorf("delete topic archive: %w", err)
	}
	s.cache.invalidate(*in.TopicARN)
	return &DeleteTopicOutput{}, nil
}

// ListTopics lists the caller's topics in the region, 100 per page.
func (s *Service) ListTopics(ctx context.Context, in *ListTopicsInput) (*ListTopicsOutput, error) {
	c := callOf(ctx)
	after, perr := decodeToken(in.NextToken)
	if perr != nil {
		return nil, perr
	}
	ts, err := s.db.SNSTopicList(ctx, c.Account, c.Region, after, pageSize+1)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	out := &ListTopicsOutput{Topics: []*Topic{}}
	for i, t := range ts {
		if i == pageSize {
			out.NextToken = encodeToken(ts[i-1].ARN)
			break
		}
		out.Topics = append(out.Topics, &Topic{TopicARN: &t.ARN})
	}
	return out, nil
}

func encodeToken(after string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(after))
	return &t
}

func decodeToken(tok *string) (string, *protocol.Error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return "", errInvalid("NextToken")
	}
	return string(b), nil
}

// GetTopicAttributes answers the topic's attributes, the read-only ones included.
func (s *Service) GetTopicAttributes(ctx context.Context, in *GetTopicAttributesInput) (*GetTopicAttributesOutput, error) {
	a, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN)
	if perr != nil {
		return nil, perr
	}
	st, err := s.cache.get(ctx, *in.TopicARN)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"DisplayName": ""}
	for k, v := range st.attrs {
		if k != hiddenDataProtection {
			out[k] = v
		}
	}
	if st.topic.FIFO {
		if out["FifoThroughputScope"] == "" {
			out["FifoThroughputScope"] = "Topic"
		}
		if begin, ok := beginningArchiveTime(st.attrs, s.clock.Now()); ok {
			out["BeginningArchiveTime"] = archiveTimestamp(begin)
		}
	}
	confirmed, pending := 0, 0
	for _, ss := range st.subs {
		if ss.row.Confirmed {
			confirmed++
		} else {
			pending++
		}
	}
	out["TopicArn"] = st.topic.ARN
	out["Owner"] = a.Account
	out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	out["SubscriptionsPending"] = strconv.Itoa(pending)
	out["SubscriptionsDeleted"] = "0"
	if dp := out["DeliveryPolicy"]; dp != "" {
		out["DeliveryPolicy"] = topicDeliveryPolicyView(dp)
	}
	out["EffectiveDeliveryPolicy"] = effectiveTopicDeliveryPolicy(st.attrs["DeliveryPolicy"])
	return &GetTopicAttributesOutput{Attributes: out}, nil
}

// SetTopicAttributes sets one attribute of a topic.
func (s *Service) SetTopicAttributes(ctx context.Context, in *SetTopicAttributesInput) (*SetTopicAttributesOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	name := *in.AttributeName
	value := ""
	if in.AttributeValue != nil {
		value = *in.AttributeValue
	}
	err := s.db.SNSTopicUpdate(ctx, *in.TopicARN, func(t *store.SNSTopic) error {
		if perr := validateTopicAttr(name, value, t.FIFO, false); perr != nil {
			return perr
		}
		attrs := decodeAttrs(t.Attrs)
		key := name
		if key == "DataProtectionPolicy" {
			key = hiddenDataProtection
		}
		if value == "" && key != "DisplayName" {
			delete(attrs, key)
		} else {
			attrs[key] = value
		}
		if key == "ArchivePolicy" {
			applyArchivePolicy(attrs, s.clock.Now())
		}
		t.Attrs = encodeAttrs(attrs)
		return nil
	})
	if err := topicUpdateError(err); err != nil {
		return nil, err
	}
	s.cache.invalidate(*in.TopicARN)
	return &SetTopicAttributesOutput{}, nil
}

func topicUpdateError(err error) error {
	var perr *protocol.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &perr):
		return perr
	case errors.Is(err, store.ErrNotFound):
		return errTopicNotFound()
	}
	return fmt.Errorf("update topic: %w", err)
}

// topicPolicyActions are the actions AddPermission may grant on a topic: AWS's documented
// topic policy actions.
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
var topicPolicyActions = []string{
	"AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes", "ListSubscriptionsByTopic",
	"ListTagsForResource", "Publish", "PutDataProtectionPolicy", "RemovePermission", "SetTopicAttributes",
	"Subscribe", "Receive",
}

// AddPermission adds a statement to the topic's policy.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	if len(in.AWSAccountID) == 0 || len(in.ActionName) == 0 {
		return nil, errInvalid("AWSAccountId and ActionName must not be empty")
	}
	for _, a := range in.ActionName {
		if !slices.Contains(topicPolicyActions, a) {
			return nil, errInvalid("Policy statement action out of service scope!")
		}
	}
	err := s.db.SNSTopicUpdate(ctx, *in.TopicARN, func(t *store.SNSTopic) error {
		attrs := decodeAttrs(t.Attrs)
		pol := policyDoc(attrs["Policy"], t.ARN)
		stmts, _ := pol["Statement"].([]any)
		for _, st := range stmts {
			if m, ok := st.(map[string]any); ok && m["Sid"] == *in.Label {
				return errInvalid("Statement already exists")
			}
		}
		principals := make([]any, len(in.AWSAccountID))
		for i, a := range in.AWSAccountID {
			if len(a) == 12 && strings.Trim(a, "0123456789") == "" {
				principals[i] = "arn:aws:iam::" + a + ":root"
			} else {
				principals[i] = a
			}
		}
		actions := make([]any, len(in.ActionName))
		for i, a := range in.ActionName {
			actions[i] = "SNS:" + a
		}
		var principal any = principals
		if len(principals) == 1 {
			principal = principals[0]
		}
		var action any = actions
		if len(actions) == 1 {
			action = actions[0]
		}
		pol["Statement"] = append(stmts, map[string]any{
			"Sid": *in.Label, "Effect": "Allow", "Principal": map[string]any{"AWS": principal},
			"Action": action, "Resource": t.ARN,
		})
		b, _ := json.Marshal(pol)
		attrs["Policy"] = string(b)
		t.Attrs = encodeAttrs(attrs)
		return nil
	})
	if err := topicUpdateError(err); err != nil {
		return nil, err
	}
	s.cache.invalidate(*in.TopicARN)
	return &AddPermissionOutput{}, nil
}

// RemovePermission removes the statement of a label from the topic's policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	err := s.db.SNSTopicUpdate(ctx, *in.TopicARN, func(t *store.SNSTopic) error {
		attrs := decodeAttrs(t.Attrs)
		pol := policyDoc(attrs["Policy"], t.ARN)
		stmts, _ := pol["Statement"].([]any)
		kept := stmts[:0:0]
		for _, st := range stmts {
			if m, ok := st.(map[string]any); ok && m["Sid"] == *in.Label {
				continue
			}
			kept = append(kept, st)
		}
		pol["Statement"] = kept
		b, _ := json.Marshal(pol)
		attrs["Policy"] = string(b)
		t.Attrs = encodeAttrs(attrs)
		return nil
	})
	if err := topicUpdateError(err); err != nil {
		return nil, err
	}
	s.cache.invalidate(*in.TopicARN)
	return &RemovePermissionOutput{}, nil
}

func policyDoc(doc, arn string) map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(doc), &m) != nil || m == nil {
		m = map[string]any{"Version": "2008-10-17", "Id": "__default_policy_ID"}
	}
	if _, ok := m["Statement"].([]any); !ok {
		m["Statement"] = []any{}
	}
	return m
}

// maxTags is AWS's quota of tags per topic.
const maxTags = 50

func tagsOf(in []*Tag) (map[string]string, *protocol.Error) {
	m := map[string]string{}
	for _, t := range in {
		if t == nil || t.Key == nil {
			continue
		}
		if len(*t.Key) == 0 || len(*t.Key) > 128 || strings.HasPrefix(*t.Key, "aws:") {
			return nil, errInvalid("Tags")
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		if len(v) > 256 {
			return nil, errInvalid("Tags")
		}
		if _, dup := m[*t.Key]; dup {
			return nil, errInvalid("Duplicated keys are not allowed.")
		}
		m[*t.Key] = v
	}
	if len(m) > maxTags {
		return nil, NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
	}
	return m, nil
}

func (s *Service) updateTags(ctx context.Context, arn string, fn func(tags map[string]string) *protocol.Error) error {
	if _, ok := topicOfARN(arn); !ok {
		return errResourceNotFound()
	}
	err := s.db.SNSTopicUpdate(ctx, arn, func(t *store.SNSTopic) error {
		tags := decodeAttrs(t.Tags)
		if perr := fn(tags); perr != nil {
			return perr
		}
		if len(tags) > maxTags {
			return NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
		}
		t.Tags = encodeAttrs(tags)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return errResourceNotFound()
	}
	return topicUpdateError(err)
}

// TagResource adds or replaces tags of a topic.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	add, perr := tagsOf(in.Tags)
	if perr != nil {
		return nil, perr
	}
	if err := s.updateTags(ctx, *in.ResourceARN, func(tags map[string]string) *protocol.Error {
		for k, v := range add {
			tags[k] = v
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of a topic.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	if err := s.updateTags(ctx, *in.ResourceARN, func(tags map[string]string) *protocol.Error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource answers a topic's tags, sorted by key.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if _, ok := topicOfARN(*in.ResourceARN); !ok {
		return nil, errResourceNotFound()
	}
	t, err := s.db.SNSTopicGet(ctx, *in.ResourceARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errResourceNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get topic: %w", err)
	}
	tags := decodeAttrs(t.Tags)
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := &ListTagsForResourceOutput{Tags: []*Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, &Tag{Key: &k, Value: new(tags[k])})
	}
	return out, nil
}

// GetDataProtectionPolicy answers the topic's data protection policy ("" when none).
func (s *Service) GetDataProtectionPolicy(ctx context.Context, in *GetDataProtectionPolicyInput) (*GetDataProtectionPolicyOutput, error) {
	if _, ok := topicOfARN(*in.ResourceARN); !ok {
		return nil, errInvalid("ResourceArn")
	}
	st, err := s.cache.get(ctx, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &GetDataProtectionPolicyOutput{DataProtectionPolicy: new(st.attrs[hiddenDataProtection])}, nil
}

// PutDataProtectionPolicy stores the topic's data protection policy. Overcast does not
// apply it.
func (s *Service) PutDataProtectionPolicy(ctx context.Context, in *PutDataProtectionPolicyInput) (*PutDataProtectionPolicyOutput, error) {
	if _, ok := topicOfARN(*in.ResourceARN); !ok {
		return nil, errInvalid("ResourceArn")
	}
	if !json.Valid([]byte(*in.DataProtectionPolicy)) {
		return nil, errInvalid("DataProtectionPolicy")
	}
	err := s.db.SNSTopicUpdate(ctx, *in.ResourceARN, func(t *store.SNSTopic) error {
		attrs := decodeAttrs(t.Attrs)
		attrs[hiddenDataProtection] = *in.DataProtectionPolicy
		t.Attrs = encodeAttrs(attrs)
		return nil
	})
	if err := topicUpdateError(err); err != nil {
		return nil, err
	}
	s.cache.invalidate(*in.ResourceARN)
	return &PutDataProtectionPolicyOutput{}, nil
}
