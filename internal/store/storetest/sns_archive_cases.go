package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// snsArchiveCases returns the conformance cases of the SNS message archive.
func snsArchiveCases() []Case {
	return []Case{
		{"SNSArchive", testSNSArchive},
	}
}

func testSNSArchive(t *testing.T, db *store.DB) {
	ctx := t.Context()
	top := mustSNSTopic(t, db, "archive.fifo")
	other := mustSNSTopic(t, db, "other.fifo")
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		for i := int64(1); i <= 5; i++ {
			if err := tx.SNSArchivePut(ctx, &store.SNSArchivedMessage{
				TopicARN: top.ARN, Seq: i, PublishedAt: snsT0 + i*1000, ExpiresAt: snsT0 + i*1000 + 10_000,
				Message: fmt.Sprintf(`{"n":%d}`, i),
			}); err != nil {
				return err
			}
		}
		return tx.SNSArchivePut(ctx, &store.SNSArchivedMessage{TopicARN: other.ARN, Seq: 1, PublishedAt: snsT0, ExpiresAt: snsT0 + 1e9, Message: "{}"})
	}))
	// Putting a sequence number again replaces it.
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		return tx.SNSArchivePut(ctx, &store.SNSArchivedMessage{TopicARN: top.ARN, Seq: 5, PublishedAt: snsT0 + 5000, ExpiresAt: snsT0 + 15_000, Message: `{"n":55}`})
	}))

	all, err := db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, From: 0, To: snsT0 * 2, Now: snsT0, Limit: 10})
	require.NoError(t, err)
	require.Len(t, all, 5)
	for i, m := range all {
		require.Equal(t, int64(i+1), m.Seq, "in sequence order")
	}
	require.Equal(t, `{"n":55}`, all[4].Message)

	page, err := db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, From: snsT0 + 2000, To: snsT0 + 4000, Now: snsT0, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page, 3, "From and To are both included")
	require.Equal(t, int64(2), page[0].Seq)

	page, err = db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, To: snsT0 * 2, AfterSeq: 3, Now: snsT0, Limit: 1})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, int64(4), page[0].Seq)

	live, err := db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, To: snsT0 * 2, Now: snsT0 + 13_000, Limit: 10})
	require.NoError(t, err)
	require.Len(t, live, 2, "expired messages are hidden")

	n, err := db.SNSArchiveSweep(ctx, snsT0+13_000)
	require.NoError(t, err)
	require.Equal(t, int64(3), n)
	left, err := db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, To: snsT0 * 2, Limit: 10})
	require.NoError(t, err)
	require.Len(t, left, 2)

	require.NoError(t, db.SNSArchiveDeleteTopic(ctx, top.ARN))
	left, err = db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: top.ARN, To: snsT0 * 2, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, left)
	kept, err := db.SNSArchiveList(ctx, &store.SNSArchiveListParams{TopicARN: other.ARN, To: snsT0 * 2, Limit: 10})
	require.NoError(t, err)
	require.Len(t, kept, 1, "other topics' archives stay")
	require.NoError(t, db.SNSArchiveDeleteTopic(ctx, top.ARN), "deleting twice succeeds")
}
