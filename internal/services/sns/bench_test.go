package sns

import (
	"testing"

	"github.com/overcast/overcast/internal/store"
)

// BenchmarkPublish measures Publish to a topic with one SQS subscription: the delivery
// job is durably enqueued before Publish returns, the delivery itself happens after.
func BenchmarkPublish(b *testing.B) {
	b.Run("ephemeral", func(b *testing.B) { benchPublish(b, setup(b)) })
	b.Run("sqlite-fsync", func(b *testing.B) {
		benchPublish(b, setupStore(b, store.Options{DataDir: b.TempDir(), Sync: "full"}))
	})
}

func benchPublish(b *testing.B, bb *testBundle) {
	arn := bb.MustTopic(b, "bench", nil)
	bb.MustSubscribe(b, arn, "sqs", queueARN("bench"), map[string]string{"FilterPolicy": `{"kind":["a"]}`})
	in := &PublishInput{TopicARN: &arn, Message: new("payload"), MessageAttributes: map[string]*MessageAttributeValue{"kind": strAttr("a")}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := bb.svc.Publish(bb.ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
