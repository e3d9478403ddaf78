package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenBuffer is how many notifications a listener's channel holds before further ones for
// it are dropped. Notifications are wake-ups: a listener that is behind already has one
// pending and will look at the database anyway.
const ListenBuffer = 64

// listenWait bounds how long Listen waits for the server to accept LISTEN, so that a caller
// is not stuck while the database is unreachable.
const listenWait = 5 * time.Second

// maxChannelLen is PostgreSQL's identifier limit (NAMEDATALEN-1); longer LISTEN names are
// silently truncated, so longer channels are hashed instead.
const maxChannelLen = 63

// Notifier carries wake-ups between Overcast nodes with LISTEN/NOTIFY. It sends through the
// pool and listens on one dedicated pgx connection, opened at the first Listen and reopened
// after a failure. Channel names are prefixed with the schema, so deployments in different
// schemas of one database do not wake each other.
//
// A notification sent while the listening connection is down is lost. After reconnecting,
// the notifier sends an empty payload to every listener so that it looks at the database
// again.
type Notifier struct {
	db     *sql.DB
	cfg    *pgx.ConnConfig
	schema string
	log    *slog.Logger

	mu         sync.Mutex
	listeners  map[string]map[*listener]struct{}
	listening  map[string]bool // channels LISTENed on the current connection
	waiters    map[string][]chan struct{}
	dirty      bool
	waitCancel context.CancelFunc
	started    bool
	closed     bool
	ctx        context.Context
	stop       context.CancelFunc
	done       chan struct{}
}

type listener struct {
	ch     chan string
	closed bool
}

// NewNotifier returns a notifier that sends through db and listens with a connection of its
// own built from cfg. Close stops it.
func NewNotifier(db *sql.DB, cfg *pgx.ConnConfig, schema string, log *slog.Logger) *Notifier {
	ctx, stop := context.WithCancel(context.Background())
	return &Notifier{
		db: db, cfg: cfg, schema: schema, log: log,
		listeners: make(map[string]map[*listener]struct{}),
		listening: make(map[string]bool),
		waiters:   make(map[string][]chan struct{}),
		ctx:       ctx, stop: stop, done: make(chan struct{}),
	}
}

// Channel returns the PostgreSQL channel name used for channel.
func (n *Notifier) Channel(channel string) string {
	name := n.schema + ":" + channel
	if len(name) <= maxChannelLen {
		return name
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return fmt.Sprintf("%.40s:%016x", name, h.Sum64())
}

// NotifyQuery is the statement, with ? placeholders for the channel and the payload, that
// sends a notification; inside a transaction PostgreSQL delivers it at commit.
const NotifyQuery = "SELECT pg_notify(?, ?)"

// Notify sends payload to every listener on channel on every node. PostgreSQL limits a
// payload to 8000 bytes.
func (n *Notifier) Notify(ctx context.Context, channel, payload string) error {
	if _, err := n.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", n.Channel(channel), payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listen subscribes to channel. It returns once the server has accepted LISTEN, or after a
// few seconds when the database is unreachable (the subscription then starts when the
// connection comes back). The returned function unsubscribes and closes the channel; it may
// be called more than once.
func (n *Notifier) Listen(channel string) (<-chan string, func()) {
	l := &listener{ch: make(chan string, ListenBuffer)}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		close(l.ch)
		return l.ch, func() {}
	}
	if n.listeners[channel] == nil {
		n.listeners[channel] = make(map[*listener]struct{})
	}
	n.listeners[channel][l] = struct{}{}
	var ack chan struct{}
	if !n.listening[channel] {
		ack = make(chan struct{})
		n.waiters[channel] = append(n.waiters[channel], ack)
		n.wakeLocked()
	}
	if !n.started {
		n.started = true
		go n.run()
	}
	n.mu.Unlock()

	if ack != nil {
		t := time.NewTimer(listenWait)
		select {
		case <-ack:
		case <-t.C:
		case <-n.ctx.Done():
		}
		t.Stop()
	}
	return l.ch, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if l.closed {
			return
		}
		l.closed = true
		delete(n.listeners[channel], l)
		if len(n.listeners[channel]) == 0 {
			delete(n.listeners, channel)
			n.wakeLocked()
		}
		close(l.ch)
	}
}

// wakeLocked makes the listening loop look at the subscriptions again.
func (n *Notifier) wakeLocked() {
	n.dirty = true
	if n.waitCancel != nil {
		n.waitCancel()
	}
}

// Close stops listening and closes every listener's channel.
func (n *Notifier) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	started := n.started
	n.mu.Unlock()
	n.stop()
	if started {
		<-n.done
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, set := range n.listeners {
		for l := range set {
			l.closed = true
			close(l.ch)
		}
	}
	n.listeners = map[string]map[*listener]struct{}{}
}

// run keeps a listening connection open until Close, reconnecting with backoff.
func (n *Notifier) run() {
	defer close(n.done)
	backoff := 100 * time.Millisecond
	reconnect := false
	for n.ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(n.ctx, n.cfg)
		if err == nil {
			backoff = 100 * time.Millisecond
			err = n.serve(conn, reconnect)
			conn.Close(context.Background())
			reconnect = true
		}
		n.mu.Lock()
		n.listening = make(map[string]bool)
		n.mu.Unlock()
		if n.ctx.Err() != nil {
			return
		}
		n.log.Warn("store notifier connection lost", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-n.ctx.Done():
			t.Stop()
			return
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// serve listens on conn until it fails or the notifier closes.
func (n *Notifier) serve(conn *pgx.Conn, reconnect bool) error {
	for {
		if err := n.sync(conn); err != nil {
			return err
		}
		if reconnect {
			reconnect = false
			n.broadcast("")
		}
		n.mu.Lock()
		if n.dirty {
			n.mu.Unlock()
			continue
		}
		wait, cancel := context.WithCancel(n.ctx)
		n.waitCancel = cancel
		n.mu.Unlock()

		note, err := conn.WaitForNotification(wait)

		n.mu.Lock()
		n.waitCancel = nil
		n.mu.Unlock()
		woken := wait.Err() != nil
		cancel()
		switch {
		case n.ctx.Err() != nil:
			return n.ctx.Err()
		case err != nil && woken:
			// Interrupted to change subscriptions; the connection is still good.
			continue
		case err != nil:
			return err
		}
		n.dispatch(note.Channel, note.Payload)
	}
}

// sync brings the connection's LISTEN set in line with the subscriptions.
func (n *Notifier) sync(conn *pgx.Conn) error {
	n.mu.Lock()
	n.dirty = false
	var add, remove []string
	for ch := range n.listeners {
		if !n.listening[ch] {
			add = append(add, ch)
		}
	}
	for ch := range n.listening {
		if n.listeners[ch] == nil {
			remove = append(remove, ch)
		}
	}
	n.mu.Unlock()

	for _, ch := range add {
		if _, err := conn.Exec(n.ctx, "LISTEN "+pgx.Identifier{n.Channel(ch)}.Sanitize()); err != nil {
			return fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	for _, ch := range remove {
		if _, err := conn.Exec(n.ctx, "UNLISTEN "+pgx.Identifier{n.Channel(ch)}.Sanitize()); err != nil {
			return fmt.Errorf("unlisten %s: %w", ch, err)
		}
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	for _, ch := range add {
		n.listening[ch] = true
		for _, ack := range n.waiters[ch] {
			close(ack)
		}
		delete(n.waiters, ch)
	}
	for _, ch := range remove {
		delete(n.listening, ch)
	}
	return nil
}

// dispatch hands a notification to the listeners of its channel.
func (n *Notifier) dispatch(pgChannel, payload string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch, set := range n.listeners {
		if n.Channel(ch) != pgChannel {
			continue
		}
		for l := range set {
			select {
			case l.ch <- payload:
			default:
			}
		}
	}
}

// broadcast sends payload to every listener, after a reconnect may have lost notifications.
func (n *Notifier) broadcast(payload string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, set := range n.listeners {
		for l := range set {
			select {
			case l.ch <- payload:
			default:
			}
		}
	}
}
