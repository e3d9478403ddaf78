package logs

import (
	"context"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/logfilter"
	"github.com/overcast/overcast/internal/protocol"
)

// groupKey names a log group across accounts and regions.
type groupKey struct {
	account, region, group string
}

// cachedFilter is a subscription filter as deliver needs it: its stored document and
// its compiled pattern (nil when the stored pattern no longer compiles).
type cachedFilter struct {
	name    string
	doc     subscriptionDoc
	pattern *logfilter.Pattern
}

type subscriptionEntry struct {
	filters []cachedFilter
	loaded  time.Time
}

// subscriptionCacheMax bounds the cache; past it the cache starts over.
const subscriptionCacheMax = 10_000

// subscriptionCache keeps the subscription filters of log groups in memory, so that
// appends (every PutLogEvents, every batch of a function's logs) do not read them from the
// store each time. Put/DeleteSubscriptionFilter and DeleteLogGroup through this node drop
// their group at once; entries expire after ttl so that other nodes' changes on a shared
// PostgreSQL store are seen. Expiry is measured on the wall clock: it is about propagation
// between processes, not about the service's semantics (which follow the service clock).
type subscriptionCache struct {
	ttl time.Duration
	// now is the wall clock; tests replace it.
	now func() time.Time

	mu sync.Mutex
	m  map[groupKey]subscriptionEntry
	// gen counts invalidations, so that a load that raced with one is not kept.
	gen uint64
}

func newSubscriptionCache(ttl time.Duration) *subscriptionCache {
	return &subscriptionCache{ttl: ttl, now: time.Now, m: map[groupKey]subscriptionEntry{}}
}

// get returns the subscription filters of k, from memory while fresh, else through load.
func (c *subscriptionCache) get(k groupKey, load func() ([]cachedFilter, error)) ([]cachedFilter, error) {
	if c.ttl <= 0 {
		return load()
	}
	c.mu.Lock()
	e, ok := c.m[k]
	gen := c.gen
	now := c.now()
	c.mu.Unlock()
	if ok && now.Sub(e.loaded) < c.ttl {
		return e.filters, nil
	}
	filters, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A filter changed through this node while we read: what we read may predate it.
	if c.gen == gen {
		if len(c.m) >= subscriptionCacheMax {
			clear(c.m)
		}
		c.m[k] = subscriptionEntry{filters: filters, loaded: now}
	}
	return filters, nil
}

// forget drops the filters of one log group.
func (c *subscriptionCache) forget(k groupKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// clear drops every entry.
func (c *subscriptionCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// subscriptionFilters returns the subscription filters of a log group for delivery,
// through the cache.
func (s *Service) subscriptionFilters(ctx context.Context, k groupKey) ([]cachedFilter, error) {
	return s.subs.get(k, func() ([]cachedFilter, error) {
		rows, err := s.listResources(ctx, &protocol.Call{Account: k.account, Region: k.region}, kindSubscriptionFilter, &k.group, "", "", 0)
		if err != nil {
			return nil, err
		}
		out := make([]cachedFilter, 0, len(rows))
		for _, r := range rows {
			f := cachedFilter{name: r.Name}
			if err := decodeDoc(r, &f.doc); err != nil {
				s.log.Warn("read subscription filter", "group", k.group, "filter", r.Name, "err", err)
				continue
			}
			// A stored pattern compiled when it was put; one that no longer does
			// matches nothing.
			f.pattern, _ = compilePattern(f.doc.FilterPattern)
			out = append(out, f)
		}
		return out, nil
	})
}
