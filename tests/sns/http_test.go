package sns_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// subscriber is an HTTP endpoint on 127.0.0.1 that records what SNS posts to it.
type subscriber struct {
	srv *httptest.Server

	mu     sync.Mutex
	status int
	posts  []posted
}

type posted struct {
	header http.Header
	body   map[string]any
	raw    string
}

func newSubscriber(t *testing.T, status int) *subscriber {
	s := &subscriber{status: status}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		s.mu.Lock()
		s.posts = append(s.posts, posted{header: r.Header.Clone(), body: m, raw: string(b)})
		status := s.status
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *subscriber) received() []posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]posted(nil), s.posts...)
}

// waitFor waits until the subscriber holds n posts and returns the last.
func (s *subscriber) waitFor(t *testing.T, n int) posted {
	t.Helper()
	require.Eventually(t, func() bool { return len(s.received()) >= n }, 15*time.Second, 20*time.Millisecond, "waiting for post %d", n)
	return s.received()[n-1]
}

func TestHTTPSubscriptionSignatures(t *testing.T) {
	t.Parallel()
	for _, sv := range []string{"1", "2"} {
		t.Run("SignatureVersion"+sv, func(t *testing.T) {
			t.Parallel()
			runHTTPSignatures(t, sharedServer(t), sv)
		})
	}
}

func runHTTPSignatures(t *testing.T, srv *harness.Server, sv string) {
	c := snsClient(srv)
	hook := newSubscriber(t, http.StatusOK)
	topic := newTopic(t, c, uniqueName(t, "t"), map[string]string{"SignatureVersion": sv})
	out, err := c.Subscribe(ctxT(t), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(hook.srv.URL + "/in")})
	require.NoError(t, err)
	require.Equal(t, "pending confirmation", aws.ToString(out.SubscriptionArn))

	conf := hook.waitFor(t, 1)
	require.Equal(t, "SubscriptionConfirmation", conf.header.Get("x-amz-sns-message-type"))
	require.Equal(t, topic, conf.header.Get("x-amz-sns-topic-arn"))
	// AWS's headers: no subscription ARN before the subscription is confirmed.
	require.Empty(t, conf.header.Values("x-amz-sns-subscription-arn"))
	require.Equal(t, "Amazon Simple Notification Service Agent", conf.header.Get("User-Agent"))
	require.Equal(t, "text/plain; charset=UTF-8", conf.header.Get("Content-Type"))
	require.Equal(t, "gzip,deflate", conf.header.Get("Accept-Encoding"))
	require.Equal(t, "SubscriptionConfirmation", conf.body["Type"])
	require.Equal(t, sv, conf.body["SignatureVersion"])
	verifySNSSignature(t, srv.HTTPClient(), conf.body)

	subs, err := c.ListSubscriptionsByTopic(ctxT(t), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	require.Equal(t, "PendingConfirmation", aws.ToString(subs.Subscriptions[0].SubscriptionArn))

	// Visiting the SubscribeURL confirms, as a subscriber's code does.
	resp, err := srv.HTTPClient().Get(conf.body["SubscribeURL"].(string))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	subs, err = c.ListSubscriptionsByTopic(ctxT(t), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	subARN := aws.ToString(subs.Subscriptions[0].SubscriptionArn)
	require.Contains(t, subARN, topic+":")

	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`hello <&> "world"`), Subject: aws.String("Greetings")})
	require.NoError(t, err)
	n := hook.waitFor(t, 2)
	require.Equal(t, "Notification", n.header.Get("x-amz-sns-message-type"))
	require.Equal(t, subARN, n.header.Get("x-amz-sns-subscription-arn"))
	require.Equal(t, `hello <&> "world"`, n.body["Message"])
	require.Equal(t, "Greetings", n.body["Subject"])
	verifySNSSignature(t, srv.HTTPClient(), n.body)

	// Without a Subject the canonical string leaves it out.
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("no subject")})
	require.NoError(t, err)
	n = hook.waitFor(t, 3)
	require.NotContains(t, n.body, "Subject")
	verifySNSSignature(t, srv.HTTPClient(), n.body)

	// ConfirmSubscription through the API works with the same token too.
	conf2, err := c.ConfirmSubscription(ctxT(t), &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(conf.body["Token"].(string))})
	require.NoError(t, err)
	require.Equal(t, subARN, aws.ToString(conf2.SubscriptionArn))

	_, err = c.Unsubscribe(ctxT(t), &sns.UnsubscribeInput{SubscriptionArn: aws.String(subARN)})
	require.NoError(t, err)
	u := hook.waitFor(t, 4)
	require.Equal(t, "UnsubscribeConfirmation", u.body["Type"])
	require.Equal(t, "UnsubscribeConfirmation", u.header.Get("x-amz-sns-message-type"))
	require.Equal(t, subARN, u.header.Get("x-amz-sns-subscription-arn"))
	verifySNSSignature(t, srv.HTTPClient(), u.body)
}

func TestSubscriptionDeadLetterQueue(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Clock: "virtual"})
	c, q := snsClient(srv), srv.SQS()
	hook := newSubscriber(t, http.StatusOK)
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	dlqURL, dlqARN := newQueue(t, q, uniqueName(t, "dlq"), nil)
	_, err := c.Subscribe(ctxT(t), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(hook.srv.URL),
		Attributes: map[string]string{
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":3,"minDelayTarget":10,"maxDelayTarget":10}}`,
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlqARN + `"}`,
		}})
	require.NoError(t, err)
	conf := hook.waitFor(t, 1)
	_, err = c.ConfirmSubscription(ctxT(t), &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(conf.body["Token"].(string))})
	require.NoError(t, err)

	hook.mu.Lock()
	hook.status = http.StatusServiceUnavailable
	hook.mu.Unlock()
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("undeliverable")})
	require.NoError(t, err)
	hook.waitFor(t, 2)
	// Three retries, ten seconds apart on the virtual clock.
	for i := 3; i <= 5; i++ {
		require.Eventually(t, func() bool {
			srv.AdvanceClock(t, 5*time.Second)
			return len(hook.received()) >= i
		}, 20*time.Second, 50*time.Millisecond, "retry %d", i-2)
	}
	got := receiveAll(t, q, dlqURL, 1, 15*time.Second)
	require.Len(t, got, 1)
	env := decode(t, aws.ToString(got[0].Body))
	require.Equal(t, "undeliverable", env["Message"])
	require.Equal(t, topic, env["TopicArn"])
	require.Len(t, hook.received(), 5, "1 confirmation + 1 attempt + 3 retries")
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := snsClient(srv)
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	var digits [7]byte
	_, _ = rand.Read(digits[:])
	phone := "+1555"
	for _, d := range digits {
		phone += string(rune('0' + d%10))
	}
	subscribe(t, c, topic, "sms", phone, nil)
	_, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("text me")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		status, body := srv.Admin(t, http.MethodGet, "/_overcast/sns/outbox?endpoint="+phoneQuery(phone), nil)
		if status != http.StatusOK {
			return false
		}
		var out struct {
			Messages []struct{ Message, Protocol string } `json:"messages"`
		}
		return json.Unmarshal(body, &out) == nil && len(out.Messages) == 1 && out.Messages[0].Message == "text me" && out.Messages[0].Protocol == "sms"
	}, 10*time.Second, 50*time.Millisecond)
}

func phoneQuery(p string) string { return "%2B" + p[1:] }

// AWS confirms a subscription by the token of its SubscribeURL alone: the link confirms
// even when the topic it names does not exist. The SubscribeURL of an
// UnsubscribeConfirmation restores the subscription, as its message says.
func TestSubscribeURLTokenConfirmsAndRestores(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := snsClient(srv)
	hook := newSubscriber(t, http.StatusOK)
	topic := newTopic(t, c, uniqueName(t, "t"), nil)
	_, err := c.Subscribe(ctxT(t), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"),
		Endpoint: aws.String(hook.srv.URL + "/in"), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	conf := hook.waitFor(t, 1)
	subscribeURL := conf.body["SubscribeURL"].(string)
	require.Contains(t, subscribeURL, url.QueryEscape(topic))

	visit := func(u string) (int, string) {
		resp, err := srv.HTTPClient().Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	wrong := topic[:len(topic)-1] + "x"
	if wrong == topic {
		wrong = topic[:len(topic)-1] + "y"
	}
	status, body := visit(strings.Replace(subscribeURL, url.QueryEscape(topic), url.QueryEscape(wrong), 1))
	require.Equal(t, http.StatusOK, status, body)
	m := regexp.MustCompile(`<SubscriptionArn>([^<]+)</SubscriptionArn>`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	subARN := m[1]
	require.True(t, strings.HasPrefix(subARN, topic+":"), subARN)
	attrs, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
	require.NoError(t, err)
	require.Equal(t, "false", attrs.Attributes["PendingConfirmation"])

	// The right link afterwards answers the same subscription: confirming is idempotent.
	status, body = visit(subscribeURL)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "<SubscriptionArn>"+subARN+"</SubscriptionArn>")

	_, err = c.Unsubscribe(ctxT(t), &sns.UnsubscribeInput{SubscriptionArn: aws.String(subARN)})
	require.NoError(t, err)
	u := hook.waitFor(t, 2)
	require.Equal(t, "UnsubscribeConfirmation", u.body["Type"])
	_, err = c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
	requireAPIError(t, err, "NotFound")

	status, body = visit(u.body["SubscribeURL"].(string))
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "<SubscriptionArn>"+subARN+"</SubscriptionArn>")
	attrs, err = c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARN)})
	require.NoError(t, err)
	require.Equal(t, "false", attrs.Attributes["PendingConfirmation"])
	require.Equal(t, "true", attrs.Attributes["RawMessageDelivery"])
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("restored")})
	require.NoError(t, err)
	require.Equal(t, "restored", hook.waitFor(t, 3).raw)
}
