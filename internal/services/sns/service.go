package sns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// QueueMessage is a message SNS hands to an SQS queue.
type QueueMessage struct {
	Body string
	// Attributes are SQS message attributes (raw message delivery only).
	Attributes map[string]QueueAttribute
	// GroupID and DedupID are set for FIFO queues.
	GroupID, DedupID string
}

// QueueAttribute is one SQS message attribute.
type QueueAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// QueueSender sends messages to SQS queues in-process. The SQS service implements it
// (through a small adapter in internal/server).
type QueueSender interface {
	// SendToQueue sends m to the queue of queueARN, applying every rule of SendMessage. It
	// returns an error when the queue does not exist or refuses the message.
	SendToQueue(ctx context.Context, queueARN string, m *QueueMessage) error
}

// QueueTxSender is a QueueSender that can also send to a standard queue as part of SNS's
// own write (Deps.Queues may implement it). Publish then stores raw deliveries to
// standard queues in the transaction that acknowledges the message, instead of queueing a
// delivery job for each: the copies exist exactly when Publish succeeds, at a fraction of
// the cost.
type QueueTxSender interface {
	QueueSender
	// SendToQueuesInTx sends each message to its queue as part of tx. errs[i] is
	// sends[i]'s own outcome: an error that is a *protocol.Error (the queue is gone or
	// refuses the message) or ErrNotInTx (the queue cannot take part, as FIFO queues)
	// leaves tx untouched, and SNS delivers that message through a retried job instead. A
	// non-nil err aborts the write.
	SendToQueuesInTx(ctx context.Context, tx *store.Tx, sends []QueueSend) (errs []error, err error)
}

// QueueSend is one message for SendToQueuesInTx: m to the queue of QueueARN.
type QueueSend struct {
	QueueARN string
	Message  *QueueMessage
}

// ErrNotInTx is what a QueueTxSender answers for a queue whose sends cannot join SNS's
// write.
var ErrNotInTx = errors.New("sns: queue cannot take part in the publish's write")

// FunctionInvoker invokes Lambda functions asynchronously (InvocationType Event).
type FunctionInvoker interface {
	// InvokeAsync queues an asynchronous invocation of the function of functionARN with
	// payload. It returns once Lambda holds the event.
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// Config tunes the SNS service. The zero value is AWS's behaviour.
type Config struct {
	// MetadataTTL is how long a node trusts its cached copy of a topic and its
	// subscriptions. Changes made through this node are seen at once. Zero means one
	// second; negative turns the cache off.
	MetadataTTL time.Duration
	// DedupInterval is the FIFO deduplication interval. Zero means AWS's five minutes.
	DedupInterval time.Duration
	// SweepInterval is how often expired deduplication entries are deleted. Zero means one
	// minute.
	SweepInterval time.Duration
	// SMTPAddr, when set (host:port), is an SMTP server that email and email-json
	// deliveries are sent to, besides being recorded in the outbox. "" means the outbox only.
	SMTPAddr string
	// SMTPFrom is the sender address of those emails. "" means no-reply@sns.amazonaws.com.
	SMTPFrom string
}

// Deps are what the SNS service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
	// Dispatcher carries every delivery. New registers the SNS target kinds on it, so it
	// must not have started yet.
	Dispatcher *delivery.Dispatcher
	// Queues delivers to SQS subscriptions; nil makes those deliveries fail.
	Queues QueueSender
	// Functions delivers to Lambda subscriptions; nil makes those deliveries fail.
	Functions FunctionInvoker
	// HTTPClient posts to HTTP/S subscriptions; nil means a client with a 15 second timeout.
	HTTPClient *http.Client
	// Logs receives delivery status logs; nil writes none.
	Logs LogEmitter
	Config
}

// Service implements the SNS API on the store.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	log       *slog.Logger
	cfg       Config
	dispatch  *delivery.Dispatcher
	queues    QueueSender
	txQueues  QueueTxSender
	functions FunctionInvoker
	client    *http.Client
	cache     *topicCache
	signer    *signer
	logs      LogEmitter
	// logStream is the log stream this node writes delivery status logs to.
	logStream string

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ API = (*Service)(nil)

// Delivery target kinds and the dead-letter owner SNS registers on the Dispatcher.
const (
	kindSQS    = "sns-sqs"
	kindHTTP   = "sns-http"
	kindLambda = "sns-lambda"
	kindOutbox = "sns-outbox"
	kindOther  = "sns-other"
	ownerSNS   = "sns"
)

// installInfo installs the functions of Info once: services are created concurrently in
// tests.
var installInfo sync.Once

// New returns the service and registers its deliverers on d.Dispatcher. Nothing runs until
// Start.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	cfg := d.Config
	if cfg.MetadataTTL == 0 {
		cfg.MetadataTTL = time.Second
	}
	if cfg.DedupInterval <= 0 {
		cfg.DedupInterval = 5 * time.Minute
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	s := &Service{
		db: d.Store, clock: d.Clock, log: d.Logger, cfg: cfg, dispatch: d.Dispatcher,
		queues: d.Queues, functions: d.Functions, client: d.HTTPClient,
		signer: &signer{}, logs: d.Logs, logStream: newID(),
	}
	s.txQueues, _ = d.Queues.(QueueTxSender)
	s.cache = newTopicCache(s, cfg.MetadataTTL)
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	if d.Dispatcher != nil {
		d.Dispatcher.Register(kindSQS, s.logged(s.deliverSQS))
		d.Dispatcher.Register(kindHTTP, s.logged(s.deliverHTTP))
		d.Dispatcher.Register(kindLambda, s.logged(s.deliverLambda))
		d.Dispatcher.Register(kindOutbox, s.logged(s.deliverOutbox))
		d.Dispatcher.Register(kindOther, s.logged(s.deliverUnsupported))
		d.Dispatcher.Register(kindReplay, delivery.DelivererFunc(s.deliverReplay))
		d.Dispatcher.RegisterDeadLetter(ownerSNS, s.deadLetter)
	}
	return s
}

// Start loads (or creates, once) the signing key and runs the sweep of expired
// deduplication entries and archived messages.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return nil
	}
	if err := s.signer.load(ctx, s.db, s.clock.Now()); err != nil {
		return fmt.Errorf("load signing key: %w", err)
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sweep(ctx)
	}()
	return nil
}

// Stop ends the sweep. It may be called more than once, and before Start.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopped = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
}

// Reset forgets cached topics after the service's tables were emptied, and stores the
// signing key again so that certificates already handed out stay valid.
func (s *Service) Reset() {
	s.cache.clear()
	if err := s.signer.save(context.Background(), s.db); err != nil {
		s.log.Warn("store sns signing key after reset", "err", err)
	}
}

func (s *Service) sweep(ctx context.Context) {
	for {
		t := s.clock.NewTimer(s.cfg.SweepInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		if err := s.db.SNSDedupSweep(ctx, s.clock.Now().UnixMilli()); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep sns deduplication entries", "err", err)
		}
		s.sweepArchive(ctx)
	}
}

// callOf returns the caller's identity, with Overcast's defaults for calls made without one.
func callOf(ctx context.Context) *protocol.Call {
	c := *protocol.CallFrom(ctx)
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Scheme == "" {
		c.Scheme = "http"
	}
	if c.Host == "" {
		c.Host = "localhost:4566"
	}
	return &c
}

// baseURL is the scheme and host the caller reached Overcast on, for URLs handed out.
func baseURL(c *protocol.Call) string { return c.Scheme + "://" + c.Host }

// newID returns a random UUID (version 4), SNS's message and subscription id format.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
