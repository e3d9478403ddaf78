package sqs

import (
	"os"
	"testing"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
)

// BenchmarkSendMessage measures SendMessage through the service on an on-disk SQLite store
// (synchronous=FULL, group commit), from parallel senders.
func BenchmarkSendMessage(b *testing.B) {
	db, err := store.Open(b.Context(), benchStoreOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := New(Deps{Store: db, Clock: clock.Real{}})
	ctx := callContext(b.Context(), testAccount)
	out, err := svc.CreateQueue(ctx, &CreateQueueInput{QueueName: str("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := "a message body of a typical size, a hundred bytes or so, to measure what a send costs here......"
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.SendMessage(ctx, &SendMessageInput{QueueURL: out.QueueURL, MessageBody: &body}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkReceiveDelete measures a receive of 10 messages and their batch delete.
func BenchmarkReceiveDelete(b *testing.B) {
	db, err := store.Open(b.Context(), benchStoreOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := New(Deps{Store: db, Clock: clock.Real{}})
	ctx := callContext(b.Context(), testAccount)
	out, err := svc.CreateQueue(ctx, &CreateQueueInput{QueueName: str("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := "a message body"
	entries := make([]*SendMessageBatchRequestEntry, 10)
	for i := range entries {
		entries[i] = &SendMessageBatchRequestEntry{ID: str(string(rune('a' + i))), MessageBody: &body}
	}
	for i := 0; i < b.N; i++ {
		if _, err := svc.SendMessageBatch(ctx, &SendMessageBatchInput{QueueURL: out.QueueURL, Entries: entries}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := svc.ReceiveMessage(ctx, &ReceiveMessageInput{QueueURL: out.QueueURL, MaxNumberOfMessages: i32(10)})
		if err != nil {
			b.Fatal(err)
		}
		del := make([]*DeleteMessageBatchRequestEntry, len(r.Messages))
		for j, m := range r.Messages {
			del[j] = &DeleteMessageBatchRequestEntry{ID: str(string(rune('a' + j))), ReceiptHandle: m.ReceiptHandle}
		}
		if len(del) == 0 {
			b.Fatal("no messages")
		}
		if _, err := svc.DeleteMessageBatch(ctx, &DeleteMessageBatchInput{QueueURL: out.QueueURL, Entries: del}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "msgs/s")
}

// benchStoreOptions opens an on-disk store, or an ephemeral one with SQS_BENCH_EPHEMERAL=1.
func benchStoreOptions(b *testing.B) store.Options {
	if os.Getenv("SQS_BENCH_EPHEMERAL") == "1" {
		return store.Options{Ephemeral: true}
	}
	return store.Options{DataDir: b.TempDir()}
}
