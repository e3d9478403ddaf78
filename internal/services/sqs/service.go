package sqs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Config tunes the SQS service. The zero value is AWS's behaviour with Overcast's defaults.
type Config struct {
	// URLStyle is how queue URLs handed back look: URLStylePath (default,
	// http://<host>/<account>/<queue>) or URLStyleHost (http://sqs.<region>.<host>/<account>/<queue>).
	// Requests naming a queue by either form always work.
	URLStyle string
	// InflightLimit is how many messages of one queue may be in flight at once (AWS:
	// about 120,000 for both queue types). Beyond it a short poll of a standard queue answers
	// OverLimit and other receives answer no messages. Zero means 120,000; negative means no
	// limit.
	InflightLimit int
	// MetadataTTL is how long a node trusts its cached copy of a queue's metadata
	// (attributes, existence) before reading it again. Changes made through this node are
	// seen at once; changes made through another node sharing the PostgreSQL database are
	// seen within MetadataTTL. Zero means one second; negative turns the cache off.
	MetadataTTL time.Duration
	// DeletedQueueCooldown is how long the name of a deleted queue cannot be reused
	// (QueueDeletedRecently). Zero means AWS's 60 seconds; negative turns the check off.
	DeletedQueueCooldown time.Duration
	// SweepInterval is how often expired messages, deduplication entries and tombstones are
	// deleted (on the service clock). Zero means 30 seconds.
	SweepInterval time.Duration
	// MoveTaskInterval is how often running message move tasks make progress (on the
	// service clock). Zero means one second.
	MoveTaskInterval time.Duration
}

// defaultInflightLimit is AWS's in-flight quota for standard and FIFO queues.
const defaultInflightLimit = 120000

func (c Config) withDefaults() Config {
	if c.URLStyle == "" {
		c.URLStyle = URLStylePath
	}
	if c.InflightLimit == 0 {
		c.InflightLimit = defaultInflightLimit
	}
	if c.MetadataTTL == 0 {
		c.MetadataTTL = time.Second
	}
	if c.DeletedQueueCooldown == 0 {
		c.DeletedQueueCooldown = defaultDeletedCooldown * time.Second
	}
	if c.DeletedQueueCooldown < 0 {
		c.DeletedQueueCooldown = 0
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = 30 * time.Second
	}
	if c.MoveTaskInterval <= 0 {
		c.MoveTaskInterval = time.Second
	}
	return c
}

// Deps are what the SQS service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
	Config
}

// Service implements the SQS API on the store.
type Service struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	cache *queueCache
	sends *sendCombiner

	// kick wakes the background loop early (a move task was started).
	kick chan struct{}
	// onWait, when set (by tests), is called each time a long poll is about to block.
	onWait func(queueID int64)

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ API = (*Service)(nil)

// installInfo installs the functions of Info once: services are created concurrently in
// tests.
var installInfo sync.Once

// New returns the service. It installs SQS's validation error and request preparation
// functions in Info; nothing runs until Start.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := d.Config.withDefaults()
	installInfo.Do(func() {
		Info.ValidationErrorFunc = validationError
		Info.PrepareFunc = prepare
	})
	return &Service{
		db:    d.Store,
		clock: d.Clock,
		log:   d.Logger,
		cfg:   cfg,
		cache: newQueueCache(d.Store, cfg.MetadataTTL),
		sends: &sendCombiner{db: d.Store},
		kick:  make(chan struct{}, 1),
	}
}

// Start runs the background loop: the retention sweep and message move tasks. On a
// PostgreSQL store shared by several nodes, one node at a time (holding a lease) runs it.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return nil
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.background(ctx)
	}()
	return nil
}

// Stop ends the background loop and waits for it and for sends being written. It may be called more than once, and
// before Start.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopped = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	s.sends.wait()
}

// Reset forgets cached queue metadata, for after the service's tables were emptied.
func (s *Service) Reset() { s.cache.clear() }

// now returns the service clock's time in unix milliseconds.
func (s *Service) now() int64 { return s.clock.Now().UnixMilli() }

// callOf returns the caller's identity, with Overcast's defaults for calls made without
// one. It may be the context's own Call: callers must not modify it.
func callOf(ctx context.Context) *protocol.Call {
	c := protocol.CallFrom(ctx)
	if c.Account != "" && c.Region != "" {
		return c
	}
	cp := *c
	if cp.Account == "" {
		cp.Account = "000000000000"
	}
	if cp.Region == "" {
		cp.Region = "us-east-1"
	}
	return &cp
}

// url returns the URL of queue q as the caller should see it.
func (s *Service) url(c *protocol.Call, account, name string) string {
	return queueURL(s.cfg.URLStyle, c.Scheme, c.Host, c.Region, account, name)
}
