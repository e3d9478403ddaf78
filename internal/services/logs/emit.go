package logs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// Event is a log event handed to Emit.
type Event struct {
	// Time is when the event happened; the zero time means now.
	Time    time.Time
	Message string
}

// emitChunk is how many events one store append of Emit carries.
const emitChunk = 10_000

// Emit appends events to stream in log group group of account and region, creating the
// group and the stream on first use as Lambda does for its functions' logs. It is the
// in-process API of other services (no HTTP, no PutLogEvents batch rules): events keep
// their order and are stored whatever their age. Stream ids are cached, so a steady
// writer costs one store write per call; calls from many goroutines are grouped into
// shared commits by the store.
func (s *Service) Emit(ctx context.Context, account, region, group, stream string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if group == "" || stream == "" {
		return errors.New("emit logs: empty log group or stream name")
	}
	now := s.now()
	batch := make([]store.LogsNewEvent, len(events))
	for i, e := range events {
		ts := now
		if !e.Time.IsZero() {
			ts = max(e.Time.UnixMilli(), 0)
		}
		batch[i] = store.LogsNewEvent{Timestamp: ts, Message: e.Message}
	}
	key := streamKey{account, region, group, stream}
	for start := 0; start < len(batch); start += emitChunk {
		chunk := batch[start:min(start+emitChunk, len(batch))]
		if err := s.emitChunk(ctx, key, chunk, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) emitChunk(ctx context.Context, key streamKey, events []store.LogsNewEvent, now int64) error {
	// Two tries: a cached stream may have been deleted (through this node or another) since
	// it was cached; the second try creates it again.
	for attempt := 0; ; attempt++ {
		id, ok := s.streams.get(key)
		if !ok {
			st, err := s.db.LogsStreamEnsure(ctx, &store.LogsStreamEnsureParams{
				Account: key.account, Region: key.region, Group: key.group, Stream: key.stream, Now: now,
			})
			if err != nil {
				if errors.Is(err, store.ErrConflict) && attempt == 0 {
					continue
				}
				return fmt.Errorf("emit logs to %s/%s: %w", key.group, key.stream, err)
			}
			id = st.ID
			s.streams.put(key, id)
		}
		// Emitted logs are not a client's acknowledged write: they need not wait for an
		// fsync (see store.LogsEventAppendParams.Lazy).
		st, err := s.db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: id, Events: events, Now: now, Lazy: true})
		if errors.Is(err, store.ErrNotFound) && attempt == 0 {
			s.streams.forget(key.account, key.region, key.group, key.stream)
			continue
		}
		if err != nil {
			return fmt.Errorf("emit logs to %s/%s: %w", key.group, key.stream, err)
		}
		s.deliver(ctx, &appended{account: key.account, region: key.region, group: key.group, stream: key.stream,
			streamID: id, seq: st.Seq, events: events, emitted: true})
		return nil
	}
}

// streamKey names a log stream across accounts and regions.
type streamKey struct {
	account, region, group, stream string
}

// streamCacheMax bounds the stream cache; past it the cache starts over.
const streamCacheMax = 10_000

// streamCache remembers the ids of streams Emit has written to.
type streamCache struct {
	mu  sync.Mutex
	ids map[streamKey]int64
}

func newStreamCache() *streamCache { return &streamCache{ids: map[streamKey]int64{}} }

func (c *streamCache) get(k streamKey) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.ids[k]
	return id, ok
}

func (c *streamCache) put(k streamKey, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ids) >= streamCacheMax {
		clear(c.ids)
	}
	c.ids[k] = id
}

// forget drops one stream.
func (c *streamCache) forget(account, region, group, stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.ids, streamKey{account, region, group, stream})
}

// forgetGroup drops every stream of a log group.
func (c *streamCache) forgetGroup(account, region, group string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.ids {
		if k.account == account && k.region == region && k.group == group {
			delete(c.ids, k)
		}
	}
}

func (c *streamCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.ids)
}
