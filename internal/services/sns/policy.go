package sns

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/overcast/overcast/internal/delivery"
)

// healthyRetryPolicy is the retry part of an SNS delivery policy, with AWS's field names.
// Its fields are in the order AWS renders them.
type healthyRetryPolicy struct {
	MinDelayTarget     *int   `json:"minDelayTarget,omitempty"`
	MaxDelayTarget     *int   `json:"maxDelayTarget,omitempty"`
	NumRetries         *int   `json:"numRetries,omitempty"`
	NumMaxDelayRetries *int   `json:"numMaxDelayRetries,omitempty"`
	NumNoDelayRetries  *int   `json:"numNoDelayRetries,omitempty"`
	NumMinDelayRetries *int   `json:"numMinDelayRetries,omitempty"`
	BackoffFunction    string `json:"backoffFunction,omitempty"`
}

// subscriptionDeliveryPolicy is an HTTP/S subscription's DeliveryPolicy.
type subscriptionDeliveryPolicy struct {
	HealthyRetryPolicy *healthyRetryPolicy `json:"healthyRetryPolicy,omitempty"`
	ThrottlePolicy     *struct {
		MaxReceivesPerSecond *int `json:"maxReceivesPerSecond,omitempty"`
	} `json:"throttlePolicy,omitempty"`
	RequestPolicy *struct {
		HeaderContentType string `json:"headerContentType,omitempty"`
	} `json:"requestPolicy,omitempty"`
}

// topicDeliveryPolicy is a topic's DeliveryPolicy: defaults per protocol.
type topicDeliveryPolicy struct {
	HTTP *struct {
		DefaultHealthyRetryPolicy    *healthyRetryPolicy `json:"defaultHealthyRetryPolicy,omitempty"`
		DisableSubscriptionOverrides bool                `json:"disableSubscriptionOverrides,omitempty"`
		DefaultRequestPolicy         *struct {
			HeaderContentType string `json:"headerContentType,omitempty"`
		} `json:"defaultRequestPolicy,omitempty"`
	} `json:"http,omitempty"`
}

// checkRetry validates a healthyRetryPolicy within AWS's documented bounds: delays 1 to
// 3600 seconds with min <= max, at most 100 retries for HTTP/S, and the phase counts
// adding up to no more than numRetries.
func (h *healthyRetryPolicy) check() error {
	get := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	minD, maxD := get(h.MinDelayTarget), get(h.MaxDelayTarget)
	if h.MinDelayTarget != nil && (minD < 1 || minD > 3600) {
		return fmt.Errorf("minDelayTarget must be between 1 and 3600")
	}
	if h.MaxDelayTarget != nil && (maxD < 1 || maxD > 3600) {
		return fmt.Errorf("maxDelayTarget must be between 1 and 3600")
	}
	if h.MinDelayTarget != nil && h.MaxDelayTarget != nil && minD > maxD {
		return fmt.Errorf("minDelayTarget must be less than or equal to maxDelayTarget")
	}
	n := get(h.NumRetries)
	if n < 0 || n > 100 {
		return fmt.Errorf("numRetries must be between 0 and 100")
	}
	if get(h.NumNoDelayRetries) < 0 || get(h.NumMinDelayRetries) < 0 || get(h.NumMaxDelayRetries) < 0 {
		return fmt.Errorf("retry counts must not be negative")
	}
	if get(h.NumNoDelayRetries)+get(h.NumMinDelayRetries)+get(h.NumMaxDelayRetries) > n {
		return fmt.Errorf("numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries")
	}
	switch h.BackoffFunction {
	case "", "linear", "arithmetic", "geometric", "exponential":
	default:
		return fmt.Errorf("backoffFunction must be one of linear, arithmetic, geometric, exponential")
	}
	return nil
}

func (h *healthyRetryPolicy) retry() delivery.SNSRetry {
	r := delivery.SNSHTTPDefault()
	if h == nil {
		return r
	}
	if h.NumRetries != nil {
		r.NumRetries = *h.NumRetries
	}
	if h.NumNoDelayRetries != nil {
		r.NumNoDelayRetries = *h.NumNoDelayRetries
	}
	if h.NumMinDelayRetries != nil {
		r.NumMinDelayRetries = *h.NumMinDelayRetries
	}
	if h.NumMaxDelayRetries != nil {
		r.NumMaxDelayRetries = *h.NumMaxDelayRetries
	}
	if h.MinDelayTarget != nil {
		r.MinDelayTarget = time.Duration(*h.MinDelayTarget) * time.Second
	}
	if h.MaxDelayTarget != nil {
		r.MaxDelayTarget = time.Duration(*h.MaxDelayTarget) * time.Second
	}
	if r.MaxDelayTarget < r.MinDelayTarget {
		r.MaxDelayTarget = r.MinDelayTarget
	}
	if h.BackoffFunction != "" {
		r.BackoffFunction = delivery.Curve(h.BackoffFunction)
	}
	return r
}

// validateSubscriptionDeliveryPolicy checks an HTTP/S subscription's DeliveryPolicy.
func validateSubscriptionDeliveryPolicy(doc string) error {
	var p subscriptionDeliveryPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return fmt.Errorf("DeliveryPolicy: failed to parse JSON")
	}
	if p.HealthyRetryPolicy != nil {
		if err := p.HealthyRetryPolicy.check(); err != nil {
			return fmt.Errorf("DeliveryPolicy: %w", err)
		}
	}
	return nil
}

// validateTopicDeliveryPolicy checks a topic's DeliveryPolicy.
func validateTopicDeliveryPolicy(doc string) error {
	var p topicDeliveryPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return fmt.Errorf("DeliveryPolicy: failed to parse JSON")
	}
	if p.HTTP != nil && p.HTTP.DefaultHealthyRetryPolicy != nil {
		if err := p.HTTP.DefaultHealthyRetryPolicy.check(); err != nil {
			return fmt.Errorf("DeliveryPolicy: %w", err)
		}
	}
	return nil
}

// retryPolicyFor returns the delivery policy of a subscription of protocol: for HTTP/S
// the subscription's healthyRetryPolicy, else the topic's default, else SNS's default; for
// AWS-managed endpoints SNS's fixed policy; for email, SMS and push the customer-endpoint
// policy.
// https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
func retryPolicyFor(protocol, subPolicy, topicPolicy string) delivery.Policy {
	switch protocol {
	case "http", "https":
		var tp topicDeliveryPolicy
		var h *healthyRetryPolicy
		override := true
		if topicPolicy != "" && json.Unmarshal([]byte(topicPolicy), &tp) == nil && tp.HTTP != nil {
			h = tp.HTTP.DefaultHealthyRetryPolicy
			override = !tp.HTTP.DisableSubscriptionOverrides
		}
		var sp subscriptionDeliveryPolicy
		if override && subPolicy != "" && json.Unmarshal([]byte(subPolicy), &sp) == nil && sp.HealthyRetryPolicy != nil {
			h = sp.HealthyRetryPolicy
		}
		return delivery.SNS(h.retry())
	case "sqs", "lambda", "firehose":
		return delivery.SNS(delivery.SNSManagedEndpoint())
	default:
		return delivery.SNS(delivery.SNSCustomerEndpoint())
	}
}

// contentTypeFor returns the Content-Type an HTTP/S subscription's deliveries carry: its
// requestPolicy's headerContentType, else the topic's defaultRequestPolicy's, else "" (SNS's
// default, text/plain; charset=UTF-8).
func contentTypeFor(subPolicy, topicPolicy string) string {
	var sp subscriptionDeliveryPolicy
	if subPolicy != "" && json.Unmarshal([]byte(subPolicy), &sp) == nil && sp.RequestPolicy != nil && sp.RequestPolicy.HeaderContentType != "" {
		return sp.RequestPolicy.HeaderContentType
	}
	var tp topicDeliveryPolicy
	if topicPolicy != "" && json.Unmarshal([]byte(topicPolicy), &tp) == nil && tp.HTTP != nil && tp.HTTP.DefaultRequestPolicy != nil {
		return tp.HTTP.DefaultRequestPolicy.HeaderContentType
	}
	return ""
}
