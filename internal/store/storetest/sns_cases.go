package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// snsCases returns the conformance cases of the SNS store methods.
func snsCases() []Case {
	return []Case{
		{"SNSTopicLifecycle", testSNSTopicLifecycle},
		{"SNSTopicList", testSNSTopicList},
		{"SNSSubscriptions", testSNSSubscriptions},
		{"SNSFIFOSequenceAndDedup", testSNSFIFOSequenceAndDedup},
		{"SNSOutbox", testSNSOutbox},
		{"SNSRecords", testSNSRecords},
	}
}

const snsT0 = int64(1_772_366_400_000)

func mustSNSTopic(tb testing.TB, db *store.DB, name string) *store.SNSTopic {
	tb.Helper()
	t, created, err := db.SNSTopicCreate(context.Background(), &store.SNSTopic{
		ARN: "arn:aws:sns:us-east-1:123456789012:" + name, Account: "123456789012", Region: "us-east-1",
		Name: name, Attrs: `{"DisplayName":"d"}`, Tags: "{}", CreatedAt: snsT0,
	})
	require.NoError(tb, err)
	require.True(tb, created)
	return t
}

func testSNSTopicLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	top := mustSNSTopic(t, db, "life")

	again, created, err := db.SNSTopicCreate(ctx, &store.SNSTopic{ARN: top.ARN, Account: top.Account, Region: top.Region, Name: top.Name, Attrs: "{}", Tags: "{}"})
	require.NoError(t, err)
	require.False(t, created, "a second create returns the existing topic")
	require.Equal(t, `{"DisplayName":"d"}`, again.Attrs)

	require.NoError(t, db.SNSTopicUpdate(ctx, top.ARN, func(t *store.SNSTopic) error {
		t.Attrs, t.Tags = `{"DisplayName":"e"}`, `{"k":"v"}`
		return nil
	}))
	got, err := db.SNSTopicGet(ctx, top.ARN)
	require.NoError(t, err)
	require.Equal(t, `{"DisplayName":"e"}`, got.Attrs)
	require.Equal(t, `{"k":"v"}`, got.Tags)

	boom := fmt.Errorf("boom")
	require.ErrorIs(t, db.SNSTopicUpdate(ctx, top.ARN, func(*store.SNSTopic) error { return boom }), boom)

	_, _, err = db.SNSSubscriptionCreate(ctx, &store.SNSSubscription{ARN: top.ARN + ":s1", TopicARN: top.ARN, Protocol: "sqs", Endpoint: "q", Attrs: "{}"})
	require.NoError(t, err)
	require.NoError(t, db.SNSTopicDelete(ctx, top.ARN))
	_, err = db.SNSTopicGet(ctx, top.ARN)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.SNSSubscriptionGet(ctx, top.ARN+":s1")
	require.ErrorIs(t, err, store.ErrNotFound, "deleting a topic deletes its subscriptions")
	require.ErrorIs(t, db.SNSTopicUpdate(ctx, top.ARN, func(*store.SNSTopic) error { return nil }), store.ErrNotFound)
	require.NoError(t, db.SNSTopicDelete(ctx, top.ARN), "deleting twice succeeds")
}

func testSNSTopicList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	for i := range 5 {
		mustSNSTopic(t, db, fmt.Sprintf("list-%d", i))
	}
	page, err := db.SNSTopicList(ctx, "123456789012", "us-east-1", "", 3)
	require.NoError(t, err)
	require.Len(t, page, 3)
	rest, err := db.SNSTopicList(ctx, "123456789012", "us-east-1", page[2].ARN, 3)
	require.NoError(t, err)
	require.Len(t, rest, 2)
	require.Equal(t, "list-4", rest[1].Name)
	other, err := db.SNSTopicList(ctx, "999999999999", "us-east-1", "", 10)
	require.NoError(t, err)
	require.Empty(t, other)
}

func testSNSSubscriptions(t *testing.T, db *store.DB) {
	ctx := t.Context()
	top := mustSNSTopic(t, db, "subs")
	_, _, err := db.SNSSubscriptionCreate(ctx, &store.SNSSubscription{ARN: "x:1", TopicARN: top.ARN + "-missing", Attrs: "{}"})
	require.ErrorIs(t, err, store.ErrNotFound)

	mk := func(id, proto, ep string, confirmed bool, token string) *store.SNSSubscription {
		s, created, err := db.SNSSubscriptionCreate(ctx, &store.SNSSubscription{
			ARN: top.ARN + ":" + id, TopicARN: top.ARN, Account: "123456789012", Region: "us-east-1",
			Protocol: proto, Endpoint: ep, Owner: "123456789012", Confirmed: confirmed, Token: token, Attrs: "{}", CreatedAt: snsT0,
		})
		require.NoError(t, err)
		require.True(t, created)
		return s
	}
	a := mk("a", "sqs", "arn:q1", true, "")
	b := mk("b", "http", "http://x", false, "tok")
	same, created, err := db.SNSSubscriptionCreate(ctx, &store.SNSSubscription{ARN: top.ARN + ":c", TopicARN: top.ARN, Protocol: "sqs", Endpoint: "arn:q1", Attrs: "{}"})
	require.NoError(t, err)
	require.False(t, created, "same endpoint returns the existing subscription")
	require.Equal(t, a.ARN, same.ARN)

	got, err := db.SNSSubscriptionGetByToken(ctx, top.ARN, "tok")
	require.NoError(t, err)
	require.Equal(t, b.ARN, got.ARN)
	_, err = db.SNSSubscriptionGetByToken(ctx, top.ARN, "")
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = db.SNSSubscriptionGetByAccountToken(ctx, "123456789012", "us-east-1", "tok")
	require.NoError(t, err)
	require.Equal(t, b.ARN, got.ARN)
	_, err = db.SNSSubscriptionGetByAccountToken(ctx, "123456789012", "eu-west-1", "tok")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.SNSSubscriptionGetByAccountToken(ctx, "123456789012", "us-east-1", "")
	require.ErrorIs(t, err, store.ErrNotFound)

	got.Confirmed, got.Attrs = true, `{"RawMessageDelivery":"true"}`
	require.NoError(t, db.SNSSubscriptionUpdate(ctx, got))
	got, err = db.SNSSubscriptionGet(ctx, b.ARN)
	require.NoError(t, err)
	require.True(t, got.Confirmed)
	require.Equal(t, `{"RawMessageDelivery":"true"}`, got.Attrs)

	byTopic, err := db.SNSSubscriptionList(ctx, &store.SNSSubscriptionListParams{TopicARN: top.ARN})
	require.NoError(t, err)
	require.Len(t, byTopic, 2)
	page, err := db.SNSSubscriptionList(ctx, &store.SNSSubscriptionListParams{Account: "123456789012", Region: "us-east-1", Limit: 1})
	require.NoError(t, err)
	require.Len(t, page, 1)
	next, err := db.SNSSubscriptionList(ctx, &store.SNSSubscriptionListParams{Account: "123456789012", Region: "us-east-1", After: page[0].ARN})
	require.NoError(t, err)
	require.Len(t, next, 1)
	require.NotEqual(t, page[0].ARN, next[0].ARN)

	require.NoError(t, db.SNSSubscriptionDelete(ctx, a.ARN))
	require.ErrorIs(t, db.SNSSubscriptionDelete(ctx, a.ARN), store.ErrNotFound)
	require.ErrorIs(t, db.SNSSubscriptionUpdate(ctx, a), store.ErrNotFound)
}

func testSNSFIFOSequenceAndDedup(t *testing.T, db *store.DB) {
	ctx := t.Context()
	top := mustSNSTopic(t, db, "fifo.fifo")
	var seqs []int64
	for range 3 {
		require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
			n, err := tx.SNSTopicNextSeq(ctx, top.ARN)
			seqs = append(seqs, n)
			return err
		}))
	}
	require.Equal(t, []int64{1, 2, 3}, seqs)
	require.ErrorIs(t, db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SNSTopicNextSeq(ctx, top.ARN+"-missing")
		return err
	}), store.ErrNotFound)

	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		return tx.SNSDedupPut(ctx, top.ARN, "d1", "m1", 7, snsT0+300_000)
	}))
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		id, seq, found, err := tx.SNSDedupGet(ctx, top.ARN, "d1", snsT0+1000)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, "m1", id)
		require.Equal(t, int64(7), seq)
		_, _, found, err = tx.SNSDedupGet(ctx, top.ARN, "d1", snsT0+300_000)
		require.NoError(t, err)
		require.False(t, found, "an expired entry does not deduplicate")
		// An expired entry is replaced.
		return tx.SNSDedupPut(ctx, top.ARN, "d1", "m2", 8, snsT0+600_000)
	}))
	require.NoError(t, db.SNSDedupSweep(ctx, snsT0+600_000))
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		_, _, found, err := tx.SNSDedupGet(ctx, top.ARN, "d1", 0)
		require.False(t, found, "the sweep deleted the entry")
		return err
	}))
}

func testSNSOutbox(t *testing.T, db *store.DB) {
	ctx := t.Context()
	e := &store.SNSOutboxEntry{ID: "m1/a@b.c", CreatedAt: snsT0, Protocol: "email", Endpoint: "a@b.c", Subject: "s", Message: "hello"}
	require.NoError(t, db.SNSOutboxInsert(ctx, e))
	require.NoError(t, db.SNSOutboxInsert(ctx, e), "a repeated delivery records nothing new")
	require.NoError(t, db.SNSOutboxInsert(ctx, &store.SNSOutboxEntry{ID: "m2/+1555", CreatedAt: snsT0 + 1, Protocol: "sms", Endpoint: "+1555", Message: "hi"}))
	got, err := db.SNSOutboxList(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "hello", got[0].Message)
	require.Equal(t, "sms", got[1].Protocol)
}

func testSNSRecords(t *testing.T, db *store.DB) {
	ctx := t.Context()
	_, err := db.SNSRecordGet(ctx, "a", "r", "k", "n")
	require.ErrorIs(t, err, store.ErrNotFound)
	v, err := db.SNSRecordInsert(ctx, "a", "r", "k", "n", "first")
	require.NoError(t, err)
	require.Equal(t, "first", v)
	v, err = db.SNSRecordInsert(ctx, "a", "r", "k", "n", "second")
	require.NoError(t, err)
	require.Equal(t, "first", v, "insert keeps the stored value")
	require.NoError(t, db.SNSRecordPut(ctx, "a", "r", "k", "n", "third"))
	require.NoError(t, db.SNSRecordPut(ctx, "a", "r", "k", "m", "other"))
	v, err = db.SNSRecordGet(ctx, "a", "r", "k", "n")
	require.NoError(t, err)
	require.Equal(t, "third", v)
	list, err := db.SNSRecordList(ctx, "a", "r", "k")
	require.NoError(t, err)
	require.Equal(t, []store.SNSRecord{{Name: "m", Value: "other"}, {Name: "n", Value: "third"}}, list)
	require.NoError(t, db.SNSRecordDelete(ctx, "a", "r", "k", "n"))
	require.ErrorIs(t, db.SNSRecordDelete(ctx, "a", "r", "k", "n"), store.ErrNotFound)
}
