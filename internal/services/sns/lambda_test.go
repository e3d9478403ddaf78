package sns

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

// recordingFunctions is a FunctionInvoker that keeps the events it is given.
type recordingFunctions struct {
	mu     sync.Mutex
	events map[string][][]byte
}

func (r *recordingFunctions) InvokeAsync(_ context.Context, arn string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		r.events = map[string][][]byte{}
	}
	r.events[arn] = append(r.events[arn], payload)
	return nil
}

func (r *recordingFunctions) get(arn string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.events[arn]...)
}

func TestLambdaSubscriptionEvent(t *testing.T) {
	t.Parallel()
	fns := &recordingFunctions{}
	b := setupStore(t, store.Options{Ephemeral: true}, func(d *Deps) { d.Functions = fns })
	arn := b.MustTopic(t, "to-lambda", nil)
	fn := "arn:aws:lambda:us-east-1:123456789012:function:handler"
	sub := b.MustSubscribe(t, arn, "lambda", fn, nil)
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("event body"),
		MessageAttributes: map[string]*MessageAttributeValue{"k": strAttr("v")}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fns.get(fn)) == 1 }, 5*time.Second, 10*time.Millisecond)

	var ev struct {
		Records []struct {
			EventSource, EventVersion, EventSubscriptionArn string
			Sns                                             map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(fns.get(fn)[0], &ev))
	require.Len(t, ev.Records, 1)
	r := ev.Records[0]
	require.Equal(t, "aws:sns", r.EventSource)
	require.Equal(t, "1.0", r.EventVersion)
	require.Equal(t, sub, r.EventSubscriptionArn)
	require.Equal(t, "event body", r.Sns["Message"])
	require.Nil(t, r.Sns["Subject"], "Subject is null without one")
	require.Contains(t, r.Sns, "SigningCertUrl")
	require.Contains(t, r.Sns, "UnsubscribeUrl")
	require.Equal(t, map[string]any{"Type": "String", "Value": "v"}, r.Sns["MessageAttributes"].(map[string]any)["k"])
}

// AWS signs Lambda events with SignatureVersion 1 even when the topic asks for 2.
func TestLambdaEventSignatureVersion(t *testing.T) {
	t.Parallel()
	fns := &recordingFunctions{}
	b := setupStore(t, store.Options{Ephemeral: true}, func(d *Deps) { d.Functions = fns })
	arn := b.MustTopic(t, "to-lambda-v2", map[string]string{"SignatureVersion": "2"})
	fn := "arn:aws:lambda:us-east-1:123456789012:function:v2"
	b.MustSubscribe(t, arn, "lambda", fn, nil)
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &arn, Message: new("signed")})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fns.get(fn)) == 1 }, 5*time.Second, 10*time.Millisecond)
	var ev struct {
		Records []struct{ Sns map[string]any }
	}
	require.NoError(t, json.Unmarshal(fns.get(fn)[0], &ev))
	require.Len(t, ev.Records, 1)
	require.Equal(t, "1", ev.Records[0].Sns["SignatureVersion"])
	require.NotEmpty(t, ev.Records[0].Sns["Signature"])
}

func TestLambdaWithoutInvokerFails(t *testing.T) {
	t.Parallel()
	b := setup(t)
	err := b.svc.deliverLambda(b.ctx, &delivery.Job{Target: kindLambda, Dest: "arn:aws:lambda:us-east-1:1:function:f", Payload: []byte(`{"type":"Notification"}`)})
	require.Error(t, err)
	var de *delivery.Error
	require.False(t, errors.As(err, &de) && de.Permanent, "retried, not dropped: Lambda may come up")
}
