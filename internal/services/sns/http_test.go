package sns

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// endpoint is an HTTP subscriber on 127.0.0.1 that records what SNS posts to it.
type endpoint struct {
	srv    *httptest.Server
	status int

	mu    sync.Mutex
	posts []post
}

type post struct {
	header http.Header
	body   string
}

func newEndpoint(t *testing.T, status int) *endpoint {
	e := &endpoint{status: status}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.posts = append(e.posts, post{header: r.Header.Clone(), body: string(b)})
		e.mu.Unlock()
		w.WriteHeader(e.status)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) received() []post {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]post(nil), e.posts...)
}

func TestHTTPSubscriptionConfirmAndSignatures(t *testing.T) {
	t.Parallel()
	for _, sv := range []string{"1", "2"} {
		t.Run("SignatureVersion"+sv, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ep := newEndpoint(t, http.StatusOK)
			arn := b.MustTopic(t, "hooks", map[string]string{"SignatureVersion": sv})
			out, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("http"), Endpoint: new(ep.srv.URL + "/hook")})
			require.NoError(t, err)
			require.Equal(t, "pending confirmation", *out.SubscriptionARN)

			require.Eventually(t, func() bool { return len(ep.received()) == 1 }, 5*time.Second, 10*time.Millisecond)
			conf := ep.received()[0]
			require.Equal(t, "SubscriptionConfirmation", conf.header.Get("x-amz-sns-message-type"))
			msg := decodeJSON(t, conf.body)
			require.Equal(t, sv, msg["SignatureVersion"])
			verifySignature(t, msg, b.svc.signer.cert())
			require.Contains(t, msg["SigningCertURL"], "http://localhost:4566/_overcast/sns/")

			// Publishing before confirmation reaches nobody.
			_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("early")})
			require.NoError(t, err)

			// The SubscribeURL confirms, through the service's handler.
			u, err := url.Parse(msg["SubscribeURL"].(string))
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			b.svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), arn+":")

			_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("hello"), Subject: new("subj")})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return len(ep.received()) == 2 }, 5*time.Second, 10*time.Millisecond)
			n := ep.received()[1]
			require.Equal(t, "Notification", n.header.Get("x-amz-sns-message-type"))
			require.Equal(t, "text/plain; charset=UTF-8", n.header.Get("Content-Type"))
			env := decodeJSON(t, n.body)
			require.Equal(t, "hello", env["Message"])
			require.Equal(t, "subj", env["Subject"])
			verifySignature(t, env, b.svc.signer.cert())

			// The certificate is served where SigningCertURL points.
			rec = httptest.NewRecorder()
			b.svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, certPath, nil))
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, string(b.svc.signer.cert()), rec.Body.String())
		})
	}
}

func TestSubscriptionDeadLetterAfterRetries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ep := newEndpoint(t, http.StatusInternalServerError)
	arn := b.MustTopic(t, "failing", nil)
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("http"), Endpoint: new(ep.srv.URL)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(ep.received()) >= 1 }, 5*time.Second, 10*time.Millisecond)
	token := decodeJSON(t, ep.received()[0].body)["Token"].(string)
	conf, err := b.svc.ConfirmSubscription(b.ctx, &ConfirmSubscriptionInput{TopicARN: &arn, Token: &token})
	require.NoError(t, err)
	sub := *conf.SubscriptionARN
	for name, value := range map[string]string{
		"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":5,"maxDelayTarget":5}}`,
		"RedrivePolicy":  `{"deadLetterTargetArn":"` + queueARN("dlq") + `"}`,
	} {
		_, err := b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub, AttributeName: &name, AttributeValue: &value})
		require.NoError(t, err)
	}
	before := len(ep.received())
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("doomed")})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(ep.received()) == before+1 }, 5*time.Second, 10*time.Millisecond)
	for i := 2; i <= 3; i++ {
		require.Eventually(t, func() bool {
			b.clock.Advance(time.Second)
			return len(ep.received()) == before+i
		}, 10*time.Second, 10*time.Millisecond, "retry %d", i-1)
	}
	require.Eventually(t, func() bool { return len(b.queues.get(queueARN("dlq"))) == 1 }, 5*time.Second, 10*time.Millisecond)
	env := decodeJSON(t, b.queues.get(queueARN("dlq"))[0].Body)
	require.Equal(t, "doomed", env["Message"])
	require.Len(t, ep.received(), before+3, "no delivery after the retries ran out")
}

func TestConfirmAndUnsubscribeErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := b.MustTopic(t, "errs", nil)
	_, err := b.svc.ConfirmSubscription(b.ctx, &ConfirmSubscriptionInput{TopicARN: &arn, Token: new("nope")})
	requireCode(t, err, "InvalidParameter")
	// Unsubscribe is idempotent on AWS: a subscription that does not exist is no error.
	_, err = b.svc.Unsubscribe(b.ctx, &UnsubscribeInput{SubscriptionARN: new(arn + ":00000000-0000-0000-0000-000000000000")})
	require.NoError(t, err)
	_, err = b.svc.Unsubscribe(b.ctx, &UnsubscribeInput{SubscriptionARN: new("randomstring")})
	requireCode(t, err, "InvalidParameter")
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("carrier-pigeon"), Endpoint: new("x")})
	requireCode(t, err, "InvalidParameter")
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("http"), Endpoint: new("https://x")})
	requireCode(t, err, "InvalidParameter")
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: new(arn + "-gone"), Protocol: new("sqs"), Endpoint: new(queueARN("x"))})
	requireCode(t, err, "NotFound")
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("lambda"), Endpoint: new("arn:aws:lambda:us-east-1:123456789012:function:f"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	requireCode(t, err, "InvalidParameter")
}

func TestHTTPRawDeliveryAndContentType(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ep := newEndpoint(t, http.StatusOK)
	arn := b.MustTopic(t, "raw-http", nil)
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("http"), Endpoint: new(ep.srv.URL), Attributes: map[string]string{
		"RawMessageDelivery": "true",
		"DeliveryPolicy":     `{"requestPolicy":{"headerContentType":"application/json"}}`,
	}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(ep.received()) == 1 }, 5*time.Second, 10*time.Millisecond)
	token := decodeJSON(t, ep.received()[0].body)["Token"].(string)
	_, err = b.svc.ConfirmSubscription(b.ctx, &ConfirmSubscriptionInput{TopicARN: &arn, Token: &token})
	require.NoError(t, err)
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new(`{"k":1}`)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(ep.received()) == 2 }, 5*time.Second, 10*time.Millisecond)
	got := ep.received()[1]
	require.Equal(t, `{"k":1}`, got.body)
	require.Equal(t, "application/json", got.header.Get("Content-Type"))
	require.Equal(t, "true", got.header.Get("x-amz-sns-rawdelivery"))
}

// A SubscribeURL confirms by its token whatever topic it names in the region; the link of
// an UnsubscribeConfirmation restores the subscription while it is valid (three days,
// like a SubscriptionConfirmation's) and while its topic exists.
func TestConfirmByTokenAndRestore(t *testing.T) {
	t.Parallel()
	b := setup(t)
	topic := b.MustTopic(t, "restore", nil)
	pending := func(endpoint string) *store.SNSSubscription {
		t.Helper()
		b.MustSubscribe(t, topic, "http", endpoint, nil)
		subs, err := b.db.SNSSubscriptionList(b.ctx, &store.SNSSubscriptionListParams{TopicARN: topic})
		require.NoError(t, err)
		for _, s := range subs {
			if s.Endpoint == endpoint {
				return s
			}
		}
		t.Fatalf("no subscription for %s", endpoint)
		return nil
	}
	restoreToken := func(arn string) string {
		t.Helper()
		recs, err := b.db.SNSRecordList(b.ctx, testAccount, testRegion, kindUnsubscribed)
		require.NoError(t, err)
		for _, r := range recs {
			if strings.Contains(r.Value, arn) {
				return r.Name
			}
		}
		t.Fatalf("no restore record for %s", arn)
		return ""
	}

	sub := pending("http://127.0.0.1:1/a")
	_, err := b.svc.ConfirmByToken(b.ctx, testAccount, "eu-west-1", sub.Token)
	requireCode(t, err, "InvalidParameter")
	out, err := b.svc.ConfirmByToken(b.ctx, testAccount, testRegion, sub.Token)
	require.NoError(t, err)
	require.Equal(t, sub.ARN, *out.SubscriptionARN)

	_, err = b.svc.Unsubscribe(b.ctx, &UnsubscribeInput{SubscriptionARN: &sub.ARN})
	require.NoError(t, err)
	tok := restoreToken(sub.ARN)
	_, err = b.svc.ConfirmSubscription(b.ctx, &ConfirmSubscriptionInput{TopicARN: new(topic + "-other"), Token: &tok})
	requireCode(t, err, "InvalidParameter")
	out, err = b.svc.ConfirmSubscription(b.ctx, &ConfirmSubscriptionInput{TopicARN: &topic, Token: &tok})
	require.NoError(t, err)
	require.Equal(t, sub.ARN, *out.SubscriptionARN)
	got, err := b.db.SNSSubscriptionGet(b.ctx, sub.ARN)
	require.NoError(t, err)
	require.True(t, got.Confirmed)

	// Expired links restore nothing.
	_, err = b.svc.Unsubscribe(b.ctx, &UnsubscribeInput{SubscriptionARN: &sub.ARN})
	require.NoError(t, err)
	tok = restoreToken(sub.ARN)
	b.clock.Advance(restoreWindow)
	_, err = b.svc.ConfirmByToken(b.ctx, testAccount, testRegion, tok)
	requireCode(t, err, "InvalidParameter")
	_, err = b.db.SNSSubscriptionGet(b.ctx, sub.ARN)
	require.ErrorIs(t, err, store.ErrNotFound)

	// Nor do links of a deleted topic.
	other := pending("http://127.0.0.1:1/b")
	_, err = b.svc.ConfirmByToken(b.ctx, testAccount, testRegion, other.Token)
	require.NoError(t, err)
	_, err = b.svc.Unsubscribe(b.ctx, &UnsubscribeInput{SubscriptionARN: &other.ARN})
	require.NoError(t, err)
	tok = restoreToken(other.ARN)
	_, err = b.svc.DeleteTopic(b.ctx, &DeleteTopicInput{TopicARN: &topic})
	require.NoError(t, err)
	_, err = b.svc.ConfirmByToken(b.ctx, testAccount, testRegion, tok)
	requireCode(t, err, "InvalidParameter")
}
