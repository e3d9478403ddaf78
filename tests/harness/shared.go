package harness

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// logTail caps the server log a failed test prints.
const logTail = 8000

// Shared is a test package's shared server: SQLite on a data directory of its own, real
// clock, auth off, started on first use. TestMain hands its Close to Main. Tests on it use
// names of their own and never move the clock or reset state.
type Shared struct {
	// Tag names the data directory (overcast-<Tag>-*).
	Tag string

	once sync.Once
	srv  *Server
	dir  string
	err  error
}

// Server returns the shared server, starting it on first use. When t fails, the tail of
// the server's log is logged with it.
func (s *Shared) Server(t *testing.T) *Server {
	t.Helper()
	s.once.Do(func() {
		s.dir, s.err = os.MkdirTemp("", "overcast-"+s.Tag+"-")
		if s.err != nil {
			return
		}
		s.srv, s.err = StartShared(Options{DataDir: s.dir})
	})
	if s.err != nil {
		t.Fatalf("start the shared overcast server: %v", s.err)
	}
	t.Cleanup(func() {
		if t.Failed() && !s.srv.External() {
			log := s.srv.Log()
			if len(log) > logTail {
				log = "..." + log[len(log)-logTail:]
			}
			t.Logf("shared overcast log tail:\n%s", log)
		}
	})
	return s.srv
}

// Close stops the shared server, printing its whole log first when OVERCAST_TEST_LOG is
// set, and removes its data directory.
func (s *Shared) Close() {
	if s.srv != nil {
		if s.err == nil && os.Getenv("OVERCAST_TEST_LOG") != "" {
			fmt.Fprintf(os.Stderr, "shared overcast log:\n%s\n", s.srv.Log())
		}
		s.srv.Close()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}
