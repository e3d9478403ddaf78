package logs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// The subscription filters deliver uses come from memory while fresh; this node's
// changes (Put/DeleteSubscriptionFilter, DeleteLogGroup, Reset) drop them at once, and
// other nodes' changes, made in the store directly here, are seen once the TTL passes.
func TestSubscriptionCacheInvalidation(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	wall := time.Unix(1_800_000_000, 0)
	b.svc.subs.now = func() time.Time { return wall }
	b.MustGroup(t, "/app")
	b.MustStream(t, "/app", "s")
	delivered := func() int {
		t.Helper()
		b.MustPut(t, "/app", "s", []int64{b.nowMs()}, "hello")
		return len(fns.take())
	}
	// otherNode deletes the filter as another node sharing the store would.
	otherNode := func() {
		t.Helper()
		require.NoError(t, b.db.Write(b.ctx, func(tx *store.Tx) error {
			_, err := tx.LogsResourceDelete(b.ctx, testAccount, testRegion, kindSubscriptionFilter, "/app", "f")
			return err
		}))
	}
	put := func() {
		t.Helper()
		_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "", testFunction))
		require.NoError(t, err)
	}

	require.Zero(t, delivered(), "no filter yet (and that answer is cached)")
	put()
	require.Equal(t, 1, delivered(), "PutSubscriptionFilter through this node is seen at once")

	otherNode()
	require.Equal(t, 1, delivered(), "another node's delete is not seen within the TTL")
	wall = wall.Add(b.svc.cfg.MetadataTTL)
	require.Zero(t, delivered(), "another node's delete is seen once the TTL has passed")

	put()
	require.Equal(t, 1, delivered())
	_, err := b.svc.DeleteSubscriptionFilter(b.ctx, &DeleteSubscriptionFilterInput{LogGroupName: ptr("/app"), FilterName: ptr("f")})
	require.NoError(t, err)
	require.Zero(t, delivered(), "DeleteSubscriptionFilter through this node is seen at once")

	put()
	require.Equal(t, 1, delivered())
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("/app")})
	require.NoError(t, err)
	b.MustGroup(t, "/app")
	b.MustStream(t, "/app", "s")
	require.Zero(t, delivered(), "a group created again after DeleteLogGroup has no filters")

	put()
	require.Equal(t, 1, delivered())
	otherNode()
	b.svc.Reset()
	require.Zero(t, delivered(), "Reset drops the cache")
}

// A load that races with an invalidation is returned but not kept: it may predate the
// change.
func TestSubscriptionCacheRacingLoad(t *testing.T) {
	t.Parallel()
	c := newSubscriptionCache(time.Hour)
	k := groupKey{"123456789012", "us-east-1", "/app"}
	loads := 0
	racing := func() ([]cachedFilter, error) {
		loads++
		c.forget(k)
		return []cachedFilter{{name: "stale"}}, nil
	}
	got, err := c.get(k, racing)
	require.NoError(t, err)
	require.Len(t, got, 1)
	fresh := func() ([]cachedFilter, error) {
		loads++
		return nil, nil
	}
	got, err = c.get(k, fresh)
	require.NoError(t, err)
	require.Empty(t, got, "the racing load was not cached")
	got, err = c.get(k, fresh)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Equal(t, 2, loads, "the fresh load was cached")
}
