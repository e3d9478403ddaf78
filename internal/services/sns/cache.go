package sns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/store"
)

// topicState is what Publish needs of a topic: its attributes and its subscriptions with
// their compiled filter policies, read once and cached.
type topicState struct {
	topic  *store.SNSTopic
	attrs  map[string]string
	subs   []*subState
	loaded time.Time
}

// subState is a subscription with its attributes parsed.
type subState struct {
	row    *store.SNSSubscription
	attrs  map[string]string
	filter *pattern.Pattern
	raw    bool
	dlq    string
	policy delivery.Policy
	// contentType is the Content-Type of HTTP/S deliveries ("" for SNS's default).
	contentType string
}

// topicCache keeps topicStates by topic ARN. Changes made through this node invalidate
// their topic at once; other nodes' changes are seen within the TTL.
type topicCache struct {
	s   *Service
	ttl time.Duration

	mu     sync.Mutex
	topics map[string]*topicState
}

func newTopicCache(s *Service, ttl time.Duration) *topicCache {
	return &topicCache{s: s, ttl: ttl, topics: map[string]*topicState{}}
}

func (c *topicCache) clear() {
	c.mu.Lock()
	c.topics = map[string]*topicState{}
	c.mu.Unlock()
}

func (c *topicCache) invalidate(arn string) {
	c.mu.Lock()
	delete(c.topics, arn)
	c.mu.Unlock()
}

// get returns the state of the topic of arn, answering NotFound when it does not exist.
func (c *topicCache) get(ctx context.Context, arn string) (*topicState, error) {
	now := time.Now()
	if c.ttl > 0 {
		c.mu.Lock()
		st := c.topics[arn]
		c.mu.Unlock()
		if st != nil && now.Sub(st.loaded) < c.ttl {
			return st, nil
		}
	}
	t, err := c.s.db.SNSTopicGet(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTopicNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get topic %s: %w", arn, err)
	}
	rows, err := c.s.db.SNSSubscriptionList(ctx, &store.SNSSubscriptionListParams{TopicARN: arn})
	if err != nil {
		return nil, fmt.Errorf("list subscriptions of %s: %w", arn, err)
	}
	st := &topicState{topic: t, attrs: decodeAttrs(t.Attrs), loaded: now}
	for _, r := range rows {
		st.subs = append(st.subs, c.s.subStateOf(r, st.attrs))
	}
	if c.ttl > 0 {
		c.mu.Lock()
		c.topics[arn] = st
		c.mu.Unlock()
	}
	return st, nil
}

// subStateOf parses a subscription's attributes. Stored attributes were validated when
// set, so a policy that no longer compiles is logged and treated as matching nothing.
func (s *Service) subStateOf(r *store.SNSSubscription, topicAttrs map[string]string) *subState {
	ss := &subState{row: r, attrs: decodeAttrs(r.Attrs)}
	ss.raw = ss.attrs["RawMessageDelivery"] == "true"
	if fp := ss.attrs["FilterPolicy"]; fp != "" {
		p, err := pattern.ParseFilterPolicy([]byte(fp), pattern.Scope(ss.attrs["FilterPolicyScope"]))
		if err != nil {
			s.log.Warn("stored sns filter policy does not compile", "subscription", r.ARN, "err", err)
			p, _ = pattern.ParseFilterPolicy([]byte(`{"overcast-unmatchable":[{"exists":true}],"overcast-unmatchable2":[{"exists":false}]}`), "")
		}
		ss.filter = p
	}
	if rp := ss.attrs["RedrivePolicy"]; rp != "" {
		var v struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if json.Unmarshal([]byte(rp), &v) == nil {
			ss.dlq = v.DeadLetterTargetArn
		}
	}
	ss.policy = retryPolicyFor(r.Protocol, ss.attrs["DeliveryPolicy"], topicAttrs["DeliveryPolicy"])
	ss.contentType = contentTypeFor(ss.attrs["DeliveryPolicy"], topicAttrs["DeliveryPolicy"])
	return ss
}

func decodeAttrs(s string) map[string]string {
	m := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

func encodeAttrs(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}
