package sns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// pendingARN is what SNS answers in place of the ARN of a subscription awaiting
// confirmation; List calls spell it "PendingConfirmation".
const (
	pendingARN     = "pending confirmation"
	pendingListARN = "PendingConfirmation"
)

var phoneRE = regexp.MustCompile(`^\+?[0-9]{5,15}$`)

// validateEndpoint checks a subscription endpoint for its protocol.
func validateEndpoint(proto, endpoint string) *protocol.Error {
	switch proto {
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != proto || u.Host == "" {
			return errInvalid("Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		if _, err := mail.ParseAddress(endpoint); err != nil || !strings.Contains(endpoint, "@") {
			return errInvalid("Email address")
		}
	case "sms":
		if !phoneRE.MatchString(endpoint) {
			// AWS words this one without the "Invalid parameter: " prefix.
			return NewInvalidParameterException("Invalid SMS endpoint: " + endpoint)
		}
	case "sqs":
		if _, ok := parseARN(endpoint, "sqs"); !ok {
			return errInvalid("SQS endpoint ARN")
		}
	case "lambda":
		if _, ok := parseARN(endpoint, "lambda"); !ok {
			return errInvalid("Lambda endpoint ARN")
		}
	case "firehose":
		if _, ok := parseARN(endpoint, "firehose"); !ok {
			return errInvalid("Firehose endpoint ARN")
		}
	case "application":
		if a, ok := parseARN(endpoint, "sns"); !ok || !strings.HasPrefix(a.Resource, "endpoint/") {
			return errInvalid("Application endpoint ARN")
		}
	default:
		return errInvalid("Amazon SNS does not support this protocol string: " + proto)
	}
	return nil
}

// validateSubAttr checks one settable subscription attribute. subscribe selects the
// wording of errors raised in a Subscribe call ("Attributes Reason: ...").
func validateSubAttr(name, value, proto string, attrs map[string]string, subscribe bool) *protocol.Error {
	invalid := errInvalid
	if subscribe {
		// Subscribe names the parameter the attribute came in.
		invalid = func(detail string) *protocol.Error { return errInvalid("Attributes Reason: " + detail) }
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return invalid("RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
		}
		if value == "true" && !slicesContains([]string{"sqs", "http", "https", "firehose"}, proto) {
			return invalid("Delivery protocol [" + proto + "] does not support raw message delivery.")
		}
	case "FilterPolicy":
		if value == "" {
			return nil
		}
		if _, err := pattern.ParseFilterPolicy(compactPolicy(value), pattern.Scope(attrs["FilterPolicyScope"])); err != nil {
			return filterError(err, subscribe)
		}
	case "FilterPolicyScope":
		if value != string(pattern.ScopeMessageAttributes) && value != string(pattern.ScopeMessageBody) {
			return invalid("FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes")
		}
		if fp := attrs["FilterPolicy"]; fp != "" {
			if _, err := pattern.ParseFilterPolicy(compactPolicy(fp), pattern.Scope(value)); err != nil {
				return filterError(err, subscribe)
			}
		}
	case "RedrivePolicy":
		if value == "" {
			return nil
		}
		var v struct {
			DeadLetterTargetArn *string `json:"deadLetterTargetArn"`
		}
		if json.Unmarshal([]byte(value), &v) != nil {
			return invalid("RedrivePolicy: " + jsonParseDetail(value))
		}
		if v.DeadLetterTargetArn == nil {
			return invalid("RedrivePolicy: deadLetterTargetArn is missing")
		}
		if _, ok := parseARN(*v.DeadLetterTargetArn, "sqs"); !ok {
			return invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
		}
	case "DeliveryPolicy":
		if value == "" {
			return nil
		}
		if proto != "http" && proto != "https" {
			return invalid("DeliveryPolicy: Delivery protocol [" + proto + "] does not support delivery policies.")
		}
		if err := validateSubscriptionDeliveryPolicy(value); err != nil {
			return invalid(err.Error())
		}
	case "SubscriptionRoleArn":
		if value != "" {
			if _, ok := parseARN(value, "iam"); !ok {
				return invalid("SubscriptionRoleArn")
			}
		}
	case "ReplayPolicy":
	default:
		if subscribe {
			return invalid("Unknown attribute " + name)
		}
		return errInvalid("AttributeName")
	}
	return nil
}

// isFIFOARN reports whether arn names a FIFO topic or queue, whose names end in ".fifo".
func isFIFOARN(arn string) bool { return strings.HasSuffix(arn, ".fifo") }

// checkFIFODeadLetter rejects a standard dead-letter queue for a FIFO queue's subscription
// to a FIFO topic. redrive is a RedrivePolicy already validated ("" for none).
func checkFIFODeadLetter(topic, proto, endpoint, redrive string) *protocol.Error {
	if redrive == "" || proto != "sqs" || !isFIFOARN(topic) || !isFIFOARN(endpoint) {
		return nil
	}
	var v struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if json.Unmarshal([]byte(redrive), &v) == nil && !isFIFOARN(v.DeadLetterTargetArn) {
		return errInvalid("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
	}
	return nil
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// compactPolicy returns a filter policy as SNS validates it: AWS reads a
// well-formed policy back from its compact form, so the locations in its
// error messages quote and count that form whatever spacing was sent.
func compactPolicy(value string) []byte {
	var b bytes.Buffer
	if json.Compact(&b, []byte(value)) != nil {
		return []byte(value)
	}
	return b.Bytes()
}

func filterError(err error, subscribe bool) *protocol.Error {
	var pe *pattern.Error
	if errors.As(err, &pe) {
		msg := pe.Message()
		if subscribe {
			msg = pe.SubscribeMessage()
		}
		if detail, ok := jsonSyntaxDetail(pe); ok && strings.HasSuffix(msg, "FilterPolicy: "+pe.Reason) {
			msg = strings.TrimSuffix(msg, pe.Reason) + detail
		}
		return NewInvalidParameterException(msg)
	}
	return errInvalid("FilterPolicy: " + err.Error())
}

// jacksonSourceRE matches the source part of a Jackson parser location.
var jacksonSourceRE = regexp.MustCompile(`(?s)\[Source: \(String\)".*?; line: `)

// jsonSyntaxDetail words a JSON syntax error of a subscription attribute as SNS does
// today: "failed to parse JSON. " and the parser's message, whose location no longer
// quotes the document. ok is false when pe is not a syntax error.
func jsonSyntaxDetail(pe *pattern.Error) (string, bool) {
	if !strings.HasPrefix(pe.Reason, "Unexpected ") {
		return "", false
	}
	return "failed to parse JSON. " + jacksonSourceRE.ReplaceAllLiteralString(pe.Reason,
		"[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: "), true
}

// jsonParseDetail explains why value is not JSON, with the parser's message where the
// filter policy parser, which reads JSON as AWS's does, gives one.
func jsonParseDetail(value string) string {
	_, err := pattern.ParseFilterPolicy([]byte(value), pattern.ScopeMessageAttributes)
	var pe *pattern.Error
	if errors.As(err, &pe) {
		if detail, ok := jsonSyntaxDetail(pe); ok {
			return detail
		}
	}
	return "failed to parse JSON."
}

// Subscribe subscribes an endpoint to a topic. SQS, Lambda, Firehose, SMS and application
// endpoints are confirmed at once; HTTP/S and email endpoints receive a
// SubscriptionConfirmation and stay pending until ConfirmSubscription.
func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (*SubscribeOutput, error) {
	c := callOf(ctx)
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	proto := *in.Protocol
	endpoint := ""
	if in.Endpoint != nil {
		endpoint = *in.Endpoint
	}
	if err := validateEndpoint(proto, endpoint); err != nil {
		return nil, err
	}
	if proto == "sqs" && isFIFOARN(endpoint) && !isFIFOARN(*in.TopicARN) {
		// AWS repeats the prefix in this message.
		return nil, errInvalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	}
	if perr := checkFIFODeadLetter(*in.TopicARN, proto, endpoint, in.Attributes["RedrivePolicy"]); perr != nil {
		return nil, perr
	}
	st, err := s.cache.get(ctx, *in.TopicARN)
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	if sc, ok := in.Attributes["FilterPolicyScope"]; ok {
		attrs["FilterPolicyScope"] = sc
	}
	for k, v := range in.Attributes {
		if err := validateSubAttr(k, v, proto, attrs, true); err != nil {
			return nil, err
		}
		if v != "" {
			attrs[k] = v
		}
	}
	if proto == "firehose" && attrs["SubscriptionRoleArn"] == "" {
		// Firehose subscriptions deliver with a role SNS assumes, so AWS requires it.
		return nil, errInvalid("Attributes Reason: SubscriptionRoleArn is required for the firehose protocol")
	}
	if attrs["FilterPolicy"] != "" && attrs["FilterPolicyScope"] == "" {
		attrs["FilterPolicyScope"] = string(pattern.ScopeMessageAttributes)
	}
	if attrs["FilterPolicy"] != "" && filterPolicies(st, "") >= maxFilterPoliciesPerTopic {
		return nil, errFilterPolicyLimit()
	}
	var replay *replayWindow
	if rp := attrs["ReplayPolicy"]; rp != "" {
		w, perr := checkReplayPolicy(rp, st, s.clock.Now())
		if perr != nil {
			return nil, perr
		}
		replay = w
	}
	confirmed := true
	token := ""
	switch proto {
	case "http", "https", "email", "email-json":
		confirmed = false
		token = newToken()
	}
	subARN := *in.TopicARN + ":" + newID()
	stored := attrs
	var replayJob *delivery.Job
	if replay != nil {
		stored = make(map[string]string, len(attrs)+2)
		for k, v := range attrs {
			stored[k] = v
		}
		if replayJob, err = s.startReplay(c, subARN, *in.TopicARN, replay, stored); err != nil {
			return nil, err
		}
	}
	sub, created, err := s.db.SNSSubscriptionCreate(ctx, &store.SNSSubscription{
		ARN: subARN, TopicARN: *in.TopicARN, Account: st.topic.Account, Region: st.topic.Region,
		Protocol: proto, Endpoint: endpoint, Owner: c.Account, Confirmed: confirmed, Token: token,
		Attrs: encodeAttrs(stored), CreatedAt: s.clock.Now().UnixMilli(),
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTopicNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	if !created {
		// Subscribing an endpoint again returns its subscription, unless the attributes
		// asked for differ from the ones it has.
		cur := decodeAttrs(sub.Attrs)
		for k, v := range attrs {
			if cur[k] != v {
				return nil, errInvalid("Attributes Reason: Subscription already exists with different attributes")
			}
		}
	}
	s.cache.invalidate(*in.TopicARN)
	if created && !confirmed {
		if err := s.sendConfirmation(ctx, c, st, sub); err != nil {
			return nil, err
		}
	}
	if created && confirmed && replayJob != nil {
		// A pending subscription's replay starts when it is confirmed.
		if err := s.dispatch.Enqueue(ctx, nil, replayJob); err != nil {
			return nil, fmt.Errorf("start replay: %w", err)
		}
	}
	arn := sub.ARN
	if !sub.Confirmed && (in.ReturnSubscriptionARN == nil || !*in.ReturnSubscriptionARN) {
		arn = pendingARN
	}
	return &SubscribeOutput{SubscriptionARN: &arn}, nil
}

// isHex reports whether s is a non-empty string of hexadecimal digits, the shape of the
// tokens SNS issues.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func newToken() string {
	var b [64]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subscribeURL is the URL that confirms a pending subscription.
func subscribeURL(base, topic, token string) string {
	return base + "/_overcast/sns/confirm?" + url.Values{"TopicArn": {topic}, "Token": {token}}.Encode()
}

// unsubscribeURL is the URL that deletes a subscription.
func unsubscribeURL(base, sub string) string {
	return base + "/_overcast/sns/unsubscribe?" + url.Values{"SubscriptionArn": {sub}}.Encode()
}

// sendConfirmation enqueues the SubscriptionConfirmation of a pending subscription.
func (s *Service) sendConfirmation(ctx context.Context, c *protocol.Call, st *topicState, sub *store.SNSSubscription) error {
	base := baseURL(c)
	n := &notice{
		Type: "SubscriptionConfirmation", MessageID: newID(), TopicARN: sub.TopicARN, SubscriptionARN: sub.ARN,
		Message: "You have chosen to subscribe to the topic " + sub.TopicARN +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		Timestamp: timestamp(s.clock.Now()), Token: sub.Token, SubscribeURL: subscribeURL(base, sub.TopicARN, sub.Token),
		Base: base, SignatureVersion: signatureVersion(st.attrs), Protocol: sub.Protocol, Endpoint: sub.Endpoint,
	}
	j, err := s.jobFor(n, sub.Protocol, sub.Endpoint, retryPolicyFor(sub.Protocol, "", st.attrs["DeliveryPolicy"]), "")
	if err != nil {
		return err
	}
	if err := s.dispatch.Enqueue(ctx, nil, j); err != nil {
		return fmt.Errorf("enqueue subscription confirmation: %w", err)
	}
	return nil
}

// ConfirmSubscription confirms a pending subscription by its token.
func (s *Service) ConfirmSubscription(ctx context.Context, in *ConfirmSubscriptionInput) (*ConfirmSubscriptionOutput, error) {
	a, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN)
	if perr != nil {
		return nil, perr
	}
	if !isHex(*in.Token) {
		// A token SNS could not have issued; AWS words this one without the prefix.
		return nil, NewInvalidParameterException("Invalid token")
	}
	// An unknown token and a topic that does not exist get the same answer from AWS.
	sub, err := s.db.SNSSubscriptionGetByToken(ctx, *in.TopicARN, *in.Token)
	if errors.Is(err, store.ErrNotFound) {
		sub, err = s.restoreSubscription(ctx, a.Account, a.Region, *in.Token, *in.TopicARN)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalid("Token")
	}
	if err != nil {
		return nil, fmt.Errorf("confirm subscription: %w", err)
	}
	return s.confirm(ctx, sub, in.AuthenticateOnUnsubscribe)
}

// ConfirmByToken confirms the subscription of account and region whose token is token,
// as a visit to a SubscribeURL does: AWS goes by the token alone, so the link confirms
// even when the topic it names is not the subscription's.
func (s *Service) ConfirmByToken(ctx context.Context, account, region, token string) (*ConfirmSubscriptionOutput, error) {
	sub, err := s.db.SNSSubscriptionGetByAccountToken(ctx, account, region, token)
	if errors.Is(err, store.ErrNotFound) {
		sub, err = s.restoreSubscription(ctx, account, region, token, "")
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalid("Token")
	}
	if err != nil {
		return nil, fmt.Errorf("confirm subscription: %w", err)
	}
	return s.confirm(ctx, sub, nil)
}

// confirm marks sub confirmed, starting the replay it asked for.
func (s *Service) confirm(ctx context.Context, sub *store.SNSSubscription, authenticate *string) (*ConfirmSubscriptionOutput, error) {
	if !sub.Confirmed {
		sub.Confirmed = true
		attrs := decodeAttrs(sub.Attrs)
		if authenticate != nil && *authenticate == "true" {
			attrs["ConfirmationWasAuthenticated"] = "true"
		}
		var replayJob *delivery.Job
		if rp := attrs["ReplayPolicy"]; rp != "" && attrs["ReplayStatus"] == replayPending {
			st, err := s.cache.get(ctx, sub.TopicARN)
			if err != nil {
				return nil, err
			}
			if w, perr := checkReplayPolicy(rp, st, s.clock.Now()); perr == nil {
				if replayJob, err = s.startReplay(callOf(ctx), sub.ARN, sub.TopicARN, w, attrs); err != nil {
					return nil, err
				}
			} else {
				attrs["ReplayStatus"] = replayFailed
			}
		}
		sub.Attrs = encodeAttrs(attrs)
		if err := s.db.SNSSubscriptionUpdate(ctx, sub); err != nil {
			return nil, fmt.Errorf("confirm subscription: %w", err)
		}
		s.cache.invalidate(sub.TopicARN)
		if replayJob != nil {
			if err := s.dispatch.Enqueue(ctx, nil, replayJob); err != nil {
				return nil, fmt.Errorf("start replay: %w", err)
			}
		}
	}
	return &ConfirmSubscriptionOutput{SubscriptionARN: &sub.ARN}, nil
}

// Unsubscribe deletes a subscription. HTTP/S endpoints receive an UnsubscribeConfirmation.
func (s *Service) Unsubscribe(ctx context.Context, in *UnsubscribeInput) (*UnsubscribeOutput, error) {
	if *in.SubscriptionARN == "" {
		return nil, errInvalid("SubscriptionArn Reason: no value for required parameter")
	}
	topic, perr := checkSubscriptionARN(*in.SubscriptionARN)
	if perr != nil {
		return nil, perr
	}
	sub, err := s.db.SNSSubscriptionGet(ctx, *in.SubscriptionARN)
	if errors.Is(err, store.ErrNotFound) {
		// Unsubscribe is idempotent: AWS answers success for a subscription that is gone.
		return &UnsubscribeOutput{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unsubscribe: %w", err)
	}
	if err := s.db.SNSSubscriptionDelete(ctx, sub.ARN); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("unsubscribe: %w", err)
	}
	s.cache.invalidate(topic)
	if sub.Protocol == "http" || sub.Protocol == "https" {
		c := callOf(ctx)
		base := baseURL(c)
		token, err := s.keepForRestore(ctx, sub)
		if err != nil {
			s.log.Warn("keep sns subscription for restore", "subscription", sub.ARN, "err", err)
		}
		n := &notice{
			Type: "UnsubscribeConfirmation", MessageID: newID(), TopicARN: sub.TopicARN, SubscriptionARN: sub.ARN,
			Message: "You have chosen to deactivate subscription " + sub.ARN +
				".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
			Timestamp: timestamp(s.clock.Now()), Token: token, Base: base,
			SubscribeURL: subscribeURL(base, sub.TopicARN, token), SignatureVersion: "1",
			Protocol: sub.Protocol, Endpoint: sub.Endpoint,
		}
		if st, err := s.cache.get(ctx, topic); err == nil {
			n.SignatureVersion = signatureVersion(st.attrs)
		}
		// One attempt only: the subscription is gone whatever the endpoint answers.
		j, err := s.jobFor(n, sub.Protocol, sub.Endpoint, delivery.Policy{}, "")
		if err == nil {
			err = s.dispatch.Enqueue(ctx, nil, j)
		}
		if err != nil {
			s.log.Warn("enqueue sns unsubscribe confirmation", "subscription", sub.ARN, "err", err)
		}
	}
	return &UnsubscribeOutput{}, nil
}

// kindUnsubscribed records, under a token, an HTTP/S subscription that Unsubscribe
// deleted: the SubscribeURL of its UnsubscribeConfirmation restores it.
const kindUnsubscribed = "sns-unsubscribed"

// restoreWindow is how long an UnsubscribeConfirmation's link works: as long as a
// SubscriptionConfirmation's, three days.
const restoreWindow = 72 * time.Hour

// unsubscribed is the value of a kindUnsubscribed record.
type unsubscribed struct {
	Sub       store.SNSSubscription
	ExpiresAt int64 // unix milliseconds
}

// keepForRestore records sub under a fresh token and returns the token.
func (s *Service) keepForRestore(ctx context.Context, sub *store.SNSSubscription) (string, error) {
	token := newToken()
	b, err := json.Marshal(unsubscribed{Sub: *sub, ExpiresAt: s.clock.Now().Add(restoreWindow).UnixMilli()})
	if err != nil {
		return token, err
	}
	return token, s.db.SNSRecordPut(ctx, sub.Account, sub.Region, kindUnsubscribed, token, string(b))
}

// restoreSubscription recreates, confirmed and with its ARN and attributes, the
// subscription that Unsubscribe kept under token, if its link has not expired and its
// topic still exists (and is topicARN, unless that is ""). It returns ErrNotFound
// otherwise.
func (s *Service) restoreSubscription(ctx context.Context, account, region, token, topicARN string) (*store.SNSSubscription, error) {
	v, err := s.db.SNSRecordGet(ctx, account, region, kindUnsubscribed, token)
	if err != nil {
		return nil, err
	}
	var u unsubscribed
	if json.Unmarshal([]byte(v), &u) != nil || s.clock.Now().UnixMilli() >= u.ExpiresAt {
		_ = s.db.SNSRecordDelete(ctx, account, region, kindUnsubscribed, token)
		return nil, store.ErrNotFound
	}
	if topicARN != "" && u.Sub.TopicARN != topicARN {
		return nil, store.ErrNotFound
	}
	u.Sub.Confirmed = true
	sub, _, err := s.db.SNSSubscriptionCreate(ctx, &u.Sub)
	if errors.Is(err, store.ErrNotFound) {
		_ = s.db.SNSRecordDelete(ctx, account, region, kindUnsubscribed, token)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.SNSRecordDelete(ctx, account, region, kindUnsubscribed, token); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	s.cache.invalidate(sub.TopicARN)
	return sub, nil
}

func listEntry(sub *store.SNSSubscription) *Subscription {
	arn := sub.ARN
	if !sub.Confirmed {
		arn = pendingListARN
	}
	return &Subscription{
		SubscriptionARN: &arn, Owner: new(sub.Owner), Protocol: new(sub.Protocol),
		Endpoint: new(sub.Endpoint), TopicARN: new(sub.TopicARN),
	}
}

// ListSubscriptions lists the caller's subscriptions in the region, 100 per page.
func (s *Service) ListSubscriptions(ctx context.Context, in *ListSubscriptionsInput) (*ListSubscriptionsOutput, error) {
	c := callOf(ctx)
	subs, next, err := s.listSubs(ctx, &store.SNSSubscriptionListParams{Account: c.Account, Region: c.Region}, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSubscriptionsOutput{Subscriptions: subs, NextToken: next}, nil
}

// ListSubscriptionsByTopic lists a topic's subscriptions, 100 per page.
func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicOutput, error) {
	if _, perr := checkTopicARN(ctx, "TopicArn", *in.TopicARN); perr != nil {
		return nil, perr
	}
	if _, err := s.cache.get(ctx, *in.TopicARN); err != nil {
		return nil, err
	}
	subs, next, err := s.listSubs(ctx, &store.SNSSubscriptionListParams{TopicARN: *in.TopicARN}, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListSubscriptionsByTopicOutput{Subscriptions: subs, NextToken: next}, nil
}

func (s *Service) listSubs(ctx context.Context, p *store.SNSSubscriptionListParams, token *string) ([]*Subscription, *string, error) {
	after, perr := decodeToken(token)
	if perr != nil {
		return nil, nil, perr
	}
	p.After, p.Limit = after, pageSize+1
	rows, err := s.db.SNSSubscriptionList(ctx, p)
	if err != nil {
		return nil, nil, fmt.Errorf("list subscriptions: %w", err)
	}
	out := []*Subscription{}
	var next *string
	for i, r := range rows {
		if i == pageSize {
			next = encodeToken(rows[i-1].ARN)
			break
		}
		out = append(out, listEntry(r))
	}
	return out, next, nil
}

func (s *Service) getSub(ctx context.Context, arn string) (*store.SNSSubscription, error) {
	if _, perr := checkSubscriptionARN(arn); perr != nil {
		return nil, perr
	}
	sub, err := s.db.SNSSubscriptionGet(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errSubscriptionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get subscription: %w", err)
	}
	return sub, nil
}

// GetSubscriptionAttributes answers a subscription's attributes, the read-only ones
// included.
func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *GetSubscriptionAttributesInput) (*GetSubscriptionAttributesOutput, error) {
	sub, err := s.getSub(ctx, *in.SubscriptionARN)
	if err != nil {
		return nil, err
	}
	out := decodeAttrs(sub.Attrs)
	delete(out, hiddenReplayID)
	if out["FilterPolicy"] == "" {
		// AWS keeps a scope set on its own but lists it only beside a filter policy.
		delete(out, "FilterPolicyScope")
	}
	out["SubscriptionArn"] = sub.ARN
	out["TopicArn"] = sub.TopicARN
	out["Owner"] = sub.Owner
	out["Protocol"] = sub.Protocol
	out["Endpoint"] = sub.Endpoint
	out["PendingConfirmation"] = fmt.Sprint(!sub.Confirmed)
	if out["ConfirmationWasAuthenticated"] == "" {
		out["ConfirmationWasAuthenticated"] = fmt.Sprint(sub.Confirmed && sub.Token == "")
	}
	if out["RawMessageDelivery"] == "" {
		out["RawMessageDelivery"] = "false"
	}
	out["SubscriptionPrincipal"] = "arn:aws:iam::" + sub.Owner + ":root"
	if sub.Protocol == "http" || sub.Protocol == "https" {
		topicPolicy := ""
		if t, err := s.cache.get(ctx, sub.TopicARN); err == nil {
			topicPolicy = t.attrs["DeliveryPolicy"]
		}
		if dp := out["DeliveryPolicy"]; dp != "" {
			out["DeliveryPolicy"] = subscriptionDeliveryPolicyView(dp)
		}
		out["EffectiveDeliveryPolicy"] = effectiveSubscriptionDeliveryPolicy(out["DeliveryPolicy"], topicPolicy)
	}
	return &GetSubscriptionAttributesOutput{Attributes: out}, nil
}

// SetSubscriptionAttributes sets one attribute of a subscription.
func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *SetSubscriptionAttributesInput) (*SetSubscriptionAttributesOutput, error) {
	sub, err := s.getSub(ctx, *in.SubscriptionARN)
	if err != nil {
		return nil, err
	}
	value := ""
	if in.AttributeValue != nil {
		value = *in.AttributeValue
	}
	attrs := decodeAttrs(sub.Attrs)
	if perr := validateSubAttr(*in.AttributeName, value, sub.Protocol, attrs, false); perr != nil {
		return nil, perr
	}
	if *in.AttributeName == "RedrivePolicy" {
		if perr := checkFIFODeadLetter(sub.TopicARN, sub.Protocol, sub.Endpoint, value); perr != nil {
			return nil, perr
		}
	}
	var replayJob *delivery.Job
	if *in.AttributeName == "ReplayPolicy" {
		if value == "" {
			stopReplay(attrs)
		} else {
			st, err := s.cache.get(ctx, sub.TopicARN)
			if err != nil {
				return nil, err
			}
			w, perr := checkReplayPolicy(value, st, s.clock.Now())
			if perr != nil {
				return nil, perr
			}
			// Starting a replay replaces the one under way, if any.
			if replayJob, err = s.startReplay(callOf(ctx), sub.ARN, sub.TopicARN, w, attrs); err != nil {
				return nil, err
			}
		}
	}
	if *in.AttributeName == "FilterPolicy" && value != "" && attrs["FilterPolicy"] == "" {
		st, err := s.cache.get(ctx, sub.TopicARN)
		if err != nil {
			return nil, err
		}
		if filterPolicies(st, sub.ARN) >= maxFilterPoliciesPerTopic {
			return nil, errFilterPolicyLimit()
		}
	}
	if value == "" {
		delete(attrs, *in.AttributeName)
		if *in.AttributeName == "FilterPolicy" {
			delete(attrs, "FilterPolicyScope")
		}
	} else {
		attrs[*in.AttributeName] = value
		if *in.AttributeName == "FilterPolicy" && attrs["FilterPolicyScope"] == "" {
			attrs["FilterPolicyScope"] = string(pattern.ScopeMessageAttributes)
		}
	}
	sub.Attrs = encodeAttrs(attrs)
	if err := s.db.SNSSubscriptionUpdate(ctx, sub); errors.Is(err, store.ErrNotFound) {
		return nil, errSubscriptionNotFound()
	} else if err != nil {
		return nil, fmt.Errorf("set subscription attributes: %w", err)
	}
	s.cache.invalidate(sub.TopicARN)
	if replayJob != nil && sub.Confirmed {
		if err := s.dispatch.Enqueue(ctx, nil, replayJob); err != nil {
			return nil, fmt.Errorf("start replay: %w", err)
		}
	}
	return &SetSubscriptionAttributesOutput{}, nil
}

// maxFilterPoliciesPerTopic is AWS's default quota of filter policies on one topic.
// https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
const maxFilterPoliciesPerTopic = 200

// filterPolicies counts the subscriptions of st with a filter policy, except except.
func filterPolicies(st *topicState, except string) int {
	n := 0
	for _, ss := range st.subs {
		if ss.row.ARN != except && ss.attrs["FilterPolicy"] != "" {
			n++
		}
	}
	return n
}

func errFilterPolicyLimit() *protocol.Error {
	return NewFilterPolicyLimitExceededException("Filter policy limit exceeded: a topic can have at most 200 filter policies")
}
