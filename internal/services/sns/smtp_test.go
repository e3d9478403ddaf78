package sns

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// mailCatcher is a minimal SMTP server on 127.0.0.1 that keeps the messages it accepts.
type mailCatcher struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newMailCatcher(t *testing.T) *mailCatcher {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	m := &mailCatcher{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { m.serve(conn) })
		}
	})
	return m
}

func (m *mailCatcher) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	say := func(s string) { _, _ = conn.Write([]byte(s + "\r\n")) }
	say("220 catcher")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 catcher")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.mu.Lock()
			m.msgs = append(m.msgs, b.String())
			m.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (m *mailCatcher) received() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

func TestEmailThroughSMTP(t *testing.T) {
	t.Parallel()
	mc := newMailCatcher(t)
	b := setupStore(t, store.Options{Ephemeral: true}, func(d *Deps) { d.SMTPAddr = mc.ln.Addr().String() })
	arn := b.MustTopic(t, "mail", nil)
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &arn, Protocol: new("email"), Endpoint: new("dev@example.com")})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(mc.received()) == 1 }, 5*time.Second, 10*time.Millisecond)
	got := mc.received()[0]
	require.Contains(t, got, "To: dev@example.com")
	require.Contains(t, got, "Subject: AWS Notification - Subscription Confirmation")
	require.Contains(t, got, "/_overcast/sns/confirm?")
}
