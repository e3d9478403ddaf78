package timer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
)

// crashDirEnv makes the test binary act as the scheduling process of TestCrashNoTimerLost.
const crashDirEnv = "OVERCAST_TIMER_CRASH_DIR"

// crashAcks is how many acknowledged timers the parent waits for before killing the child.
const crashAcks = 1500

// markFired is the handler of the crash test: it records the fire in the fire's own
// transaction, so the record exists exactly when the timer's removal committed.
func markFired(ctx context.Context, tx *store.Tx, t *Timer) (time.Time, error) {
	_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, value) VALUES (?, ?)", "fired:"+t.Key, "")
	return time.Time{}, err
}

// TestCrashNoTimerLost kills a process with kill -9 while it schedules timers (many due at
// once, so its scheduler is firing them too), then restarts on its database: every timer it
// had acknowledged fires, exactly once in the store's eyes.
func TestCrashNoTimerLost(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
		return
	}
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashNoTimerLost$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	acked := map[string]bool{}
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		key, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked[key] = true
		if !killed && len(acked) >= crashAcks {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	require.NoError(t, sc.Err())
	err = cmd.Wait()
	require.True(t, killed, "child exited before %d acknowledgements: %v", crashAcks, err)

	// Restart an hour later on the virtual clock: every timer is due.
	db := MustOpen(t, dir)
	s := New(Config{Store: db, Clock: clock.NewVirtual(time.Now().Add(time.Hour))})
	s.Register("crash", HandlerFunc(markFired))
	require.NoError(t, s.Start(t.Context()))
	t.Cleanup(s.Stop)
	require.Eventually(t, func() bool {
		list, err := db.TimerList(t.Context(), &store.TimerListParams{Kind: "crash"})
		return err == nil && len(list) == 0
	}, time.Minute, 10*time.Millisecond, "every timer fires after the restart")

	fired := map[string]bool{}
	require.NoError(t, db.Read(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Query(t.Context(), "SELECT id FROM storetest_items WHERE id LIKE 'fired:%'")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			fired[strings.TrimPrefix(id, "fired:")] = true
		}
		return rows.Err()
	}))
	var lost []string
	for key := range acked {
		if !fired[key] {
			lost = append(lost, key)
		}
	}
	require.Empty(t, lost, "acknowledged timers that never fired")
	t.Logf("acknowledged %d timers before kill -9; %d fired in all", len(acked), len(fired))
}

// crashChild schedules timers from 8 goroutines, a third due at once and the rest later,
// printing each key once Schedule has returned, while its scheduler fires the due ones,
// until it is killed.
func crashChild(dir string) {
	db, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	s := New(Config{Store: db})
	s.Register("crash", HandlerFunc(markFired))
	if err := s.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	deadline := time.Now().Add(2 * time.Minute) // the parent kills us long before
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				key := fmt.Sprintf("g%d-%06d", g, i)
				due := time.Now()
				if i%3 != 0 {
					due = due.Add(time.Duration(i%50) * time.Minute)
				}
				if err := s.Schedule(context.Background(), nil, Timer{Kind: "crash", Key: key, DueAt: due}); err != nil {
					fmt.Fprintln(os.Stderr, "schedule:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", key)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}
