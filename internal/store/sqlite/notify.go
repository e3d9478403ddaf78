package sqlite

import (
	"context"
	"sync"
)

// ListenBuffer is how many notifications a listener's channel holds before further ones for
// it are dropped. Notifications are wake-ups: a listener that is behind already has one
// pending and will look at the database anyway.
const ListenBuffer = 64

// Notifier fans notifications out to listeners in this process. A single-node SQLite
// deployment has no other process to wake. The zero value is ready to use.
type Notifier struct {
	mu        sync.Mutex
	listeners map[string]map[*listener]struct{}
	closed    bool
}

type listener struct {
	ch     chan string
	closed bool
}

// Notify delivers payload to every current listener on channel, dropping it for listeners
// whose buffer is full. It never blocks and never fails.
func (n *Notifier) Notify(_ context.Context, channel, payload string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for l := range n.listeners[channel] {
		select {
		case l.ch <- payload:
		default:
		}
	}
	return nil
}

// Listen subscribes to channel. The returned function unsubscribes and closes the channel;
// it may be called more than once.
func (n *Notifier) Listen(channel string) (<-chan string, func()) {
	l := &listener{ch: make(chan string, ListenBuffer)}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		close(l.ch)
		return l.ch, func() {}
	}
	if n.listeners == nil {
		n.listeners = make(map[string]map[*listener]struct{})
	}
	if n.listeners[channel] == nil {
		n.listeners[channel] = make(map[*listener]struct{})
	}
	n.listeners[channel][l] = struct{}{}
	n.mu.Unlock()
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
		}
		close(l.ch)
	}
}

// Close closes every listener's channel; later listeners get a closed channel.
func (n *Notifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for _, set := range n.listeners {
		for l := range set {
			l.closed = true
			close(l.ch)
		}
	}
	n.listeners = nil
}

// Locks is the single-node lease table: a named lock is held by at most one caller in the
// process. The zero value is ready to use.
type Locks struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock takes the lock called name if it is free. The release function frees it and may be
// called more than once.
func (l *Locks) TryLock(name string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false
	}
	if l.held == nil {
		l.held = make(map[string]bool)
	}
	l.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			delete(l.held, name)
		})
	}, true
}
