package sqs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// queue is a queue's metadata as the service works with it: the stored row with its
// attributes decoded.
type queue struct {
	ID         int64
	Account    string
	Region     string
	Name       string
	ARN        string
	FIFO       bool
	Attrs      queueAttrs
	CreatedAt  int64
	ModifiedAt int64
}

func queueFromRow(r *store.SQSQueue) (*queue, error) {
	a, err := unmarshalQueueAttrs(r.Attrs)
	if err != nil {
		return nil, fmt.Errorf("decode attributes of queue %s: %w", r.Name, err)
	}
	return &queue{
		ID: r.ID, Account: r.Account, Region: r.Region, Name: r.Name,
		ARN: queueARN(r.Region, r.Account, r.Name), FIFO: r.FIFO, Attrs: a,
		CreatedAt: r.CreatedAt, ModifiedAt: r.ModifiedAt,
	}, nil
}

type cacheKey struct{ account, region, name string }

type cacheEntry struct {
	q      *queue
	loaded time.Time
}

// queueCache keeps queue metadata in memory so that sends and receives do not read the
// queue row each time. Writes through this node replace or drop entries at once; entries
// expire after ttl so that changes made by other nodes are picked up. Expiry is measured on
// the wall clock: it is about propagation between processes, not about queue semantics.
type queueCache struct {
	db  *store.DB
	ttl time.Duration

	mu sync.RWMutex
	m  map[cacheKey]cacheEntry
}

func newQueueCache(db *store.DB, ttl time.Duration) *queueCache {
	return &queueCache{db: db, ttl: ttl, m: make(map[cacheKey]cacheEntry)}
}

// get returns the live queue, or store.ErrNotFound.
func (c *queueCache) get(ctx context.Context, account, region, name string) (*queue, error) {
	k := cacheKey{account, region, name}
	if c.ttl > 0 {
		c.mu.RLock()
		e, ok := c.m[k]
		c.mu.RUnlock()
		if ok && time.Since(e.loaded) < c.ttl {
			return e.q, nil
		}
	}
	row, err := c.db.SQSQueueGet(ctx, account, region, name)
	if errors.Is(err, store.ErrNotFound) {
		c.drop(account, region, name)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	q, err := queueFromRow(row)
	if err != nil {
		return nil, err
	}
	c.put(q)
	return q, nil
}

// put records q as current.
func (c *queueCache) put(q *queue) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	c.m[cacheKey{q.Account, q.Region, q.Name}] = cacheEntry{q: q, loaded: time.Now()}
	c.mu.Unlock()
}

// drop forgets a queue.
func (c *queueCache) drop(account, region, name string) {
	c.mu.Lock()
	delete(c.m, cacheKey{account, region, name})
	c.mu.Unlock()
}

// clear forgets every queue.
func (c *queueCache) clear() {
	c.mu.Lock()
	c.m = make(map[cacheKey]cacheEntry)
	c.mu.Unlock()
}
