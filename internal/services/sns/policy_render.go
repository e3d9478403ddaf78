package sns

import (
	"bytes"
	"encoding/json"
	"slices"
)

// How GetTopicAttributes and GetSubscriptionAttributes render delivery policies: AWS
// answers the policy it stored, normalized, and the effective policy with every default
// filled in, both with their members in a fixed order.

// defaultHTTPRetry is SNS's healthy retry policy for HTTP/S endpoints.
var defaultHTTPRetry = healthyRetryPolicy{
	MinDelayTarget: new(20), MaxDelayTarget: new(20), NumRetries: new(3),
	NumMaxDelayRetries: new(0), NumNoDelayRetries: new(0), NumMinDelayRetries: new(0), BackoffFunction: "linear",
}

// filled returns h with SNS's defaults for the members it leaves out.
func (h *healthyRetryPolicy) filled() *healthyRetryPolicy {
	out := defaultHTTPRetry
	if h == nil {
		return &out
	}
	for _, f := range []struct {
		dst **int
		src *int
	}{
		{&out.MinDelayTarget, h.MinDelayTarget}, {&out.MaxDelayTarget, h.MaxDelayTarget},
		{&out.NumRetries, h.NumRetries}, {&out.NumMaxDelayRetries, h.NumMaxDelayRetries},
		{&out.NumNoDelayRetries, h.NumNoDelayRetries}, {&out.NumMinDelayRetries, h.NumMinDelayRetries},
	} {
		if f.src != nil {
			*f.dst = f.src
		}
	}
	if h.BackoffFunction != "" {
		out.BackoffFunction = h.BackoffFunction
	}
	return &out
}

// topicHTTPPolicy is the "http" member of a topic's DeliveryPolicy, in AWS's order.
type topicHTTPPolicy struct {
	DefaultHealthyRetryPolicy    *healthyRetryPolicy `json:"defaultHealthyRetryPolicy,omitempty"`
	DisableSubscriptionOverrides bool                `json:"disableSubscriptionOverrides"`
	DefaultThrottlePolicy        json.RawMessage     `json:"defaultThrottlePolicy,omitempty"`
	DefaultRequestPolicy         json.RawMessage     `json:"defaultRequestPolicy,omitempty"`
}

// parseTopicPolicy reads a topic's DeliveryPolicy; ok is false when doc is not an object.
func parseTopicPolicy(doc string) (members map[string]json.RawMessage, http *topicHTTPPolicy, ok bool) {
	if json.Unmarshal([]byte(doc), &members) != nil || members == nil {
		return nil, nil, false
	}
	if raw, found := members["http"]; found && !isNull(raw) {
		http = &topicHTTPPolicy{}
		if json.Unmarshal(raw, http) != nil {
			return nil, nil, false
		}
		http.DefaultThrottlePolicy = nonNull(http.DefaultThrottlePolicy)
		http.DefaultRequestPolicy = nonNull(http.DefaultRequestPolicy)
	}
	return members, http, true
}

// renderTopicPolicy writes members with "http" first and the others in key order.
func renderTopicPolicy(members map[string]json.RawMessage, http *topicHTTPPolicy) string {
	var b bytes.Buffer
	b.WriteByte('{')
	if http != nil {
		h, _ := json.Marshal(http)
		b.WriteString(`"http":`)
		b.Write(h)
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		if k != "http" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(members[k])
	}
	b.WriteByte('}')
	return b.String()
}

// topicDeliveryPolicyView is a topic's DeliveryPolicy as AWS answers it: members set to
// null dropped and disableSubscriptionOverrides always present.
func topicDeliveryPolicyView(doc string) string {
	members, http, ok := parseTopicPolicy(doc)
	if !ok {
		return doc
	}
	return renderTopicPolicy(members, http)
}

// effectiveTopicDeliveryPolicy is a topic's DeliveryPolicy over SNS's defaults.
func effectiveTopicDeliveryPolicy(doc string) string {
	members, http, ok := parseTopicPolicy(doc)
	if !ok || doc == "" {
		members, http = map[string]json.RawMessage{}, nil
	}
	if http == nil {
		http = &topicHTTPPolicy{}
	}
	http.DefaultHealthyRetryPolicy = http.DefaultHealthyRetryPolicy.filled()
	if http.DefaultRequestPolicy == nil {
		http.DefaultRequestPolicy = json.RawMessage(`{"headerContentType":"text/plain; charset=UTF-8"}`)
	}
	return renderTopicPolicy(members, http)
}

// subscriptionPolicyView is an HTTP/S subscription's delivery policy in AWS's shape:
// every member present, null when unset.
type subscriptionPolicyView struct {
	HealthyRetryPolicy *healthyRetryPolicy `json:"healthyRetryPolicy"`
	SicklyRetryPolicy  json.RawMessage     `json:"sicklyRetryPolicy"`
	ThrottlePolicy     json.RawMessage     `json:"throttlePolicy"`
	RequestPolicy      json.RawMessage     `json:"requestPolicy"`
	Guaranteed         bool                `json:"guaranteed"`
}

func (v *subscriptionPolicyView) String() string {
	for _, m := range []*json.RawMessage{&v.SicklyRetryPolicy, &v.ThrottlePolicy, &v.RequestPolicy} {
		if *m == nil {
			*m = json.RawMessage("null")
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseSubscriptionPolicy(doc string) (*subscriptionPolicyView, bool) {
	v := &subscriptionPolicyView{}
	if doc == "" {
		return v, true
	}
	if json.Unmarshal([]byte(doc), v) != nil {
		return nil, false
	}
	v.SicklyRetryPolicy = nonNull(v.SicklyRetryPolicy)
	v.ThrottlePolicy = nonNull(v.ThrottlePolicy)
	v.RequestPolicy = nonNull(v.RequestPolicy)
	return v, true
}

// subscriptionDeliveryPolicyView is a subscription's DeliveryPolicy as AWS answers it: a
// healthyRetryPolicy completed with SNS's defaults, the members left out as null.
func subscriptionDeliveryPolicyView(doc string) string {
	v, ok := parseSubscriptionPolicy(doc)
	if !ok {
		return doc
	}
	if v.HealthyRetryPolicy != nil {
		v.HealthyRetryPolicy = v.HealthyRetryPolicy.filled()
	}
	return v.String()
}

// effectiveSubscriptionDeliveryPolicy is the policy an HTTP/S subscription is delivered
// with: its own members, else its topic's defaults (the retry policy only while the topic
// allows overrides), else SNS's.
func effectiveSubscriptionDeliveryPolicy(subDoc, topicDoc string) string {
	v, ok := parseSubscriptionPolicy(subDoc)
	if !ok {
		v = &subscriptionPolicyView{}
	}
	_, http, _ := parseTopicPolicy(topicDoc)
	if http == nil {
		http = &topicHTTPPolicy{}
	}
	if v.HealthyRetryPolicy == nil || http.DisableSubscriptionOverrides {
		v.HealthyRetryPolicy = http.DefaultHealthyRetryPolicy
	}
	v.HealthyRetryPolicy = v.HealthyRetryPolicy.filled()
	if v.RequestPolicy == nil {
		v.RequestPolicy = http.DefaultRequestPolicy
	}
	return v.String()
}

func isNull(m json.RawMessage) bool {
	return len(bytes.TrimSpace(m)) == 0 || string(bytes.TrimSpace(m)) == "null"
}

// nonNull returns nil for a JSON null, so that omitempty and defaults apply to it.
func nonNull(m json.RawMessage) json.RawMessage {
	if isNull(m) {
		return nil
	}
	return m
}
