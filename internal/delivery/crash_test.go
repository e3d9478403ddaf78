package delivery

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// crashDirEnv makes the test binary act as the enqueueing process of TestCrashNoJobLost.
const crashDirEnv = "OVERCAST_DELIVERY_CRASH_DIR"

// crashAcks is how many acknowledged jobs the parent waits for before killing the child.
const crashAcks = 1500

// TestCrashNoJobLost kills a process with kill -9 while it enqueues jobs and delivers them,
// then restarts on its database: every job it had acknowledged is delivered at least once,
// and the jobs of each ordering key are delivered in order after the restart.
func TestCrashNoJobLost(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
		return
	}
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashNoJobLost$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	acked := map[string]bool{}
	delivered := map[string]bool{}
	killed := false
	sc := bufio.NewScanner(out)
	// Read to EOF: lines written just before the kill are still in the pipe.
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "delivered "); ok {
			delivered[p] = true
			continue
		}
		p, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked[p] = true
		if !killed && len(acked) >= crashAcks {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	require.NoError(t, sc.Err())
	err = cmd.Wait()
	require.True(t, killed, "child exited before %d acknowledgements: %v", crashAcks, err)
	inChild := len(delivered)

	db := MustOpen(t, dir)
	var (
		mu    sync.Mutex
		order = map[string][]string{} // ordering key → payloads delivered after the restart
	)
	d := New(Config{Store: db})
	d.Register("crash", DelivererFunc(func(ctx context.Context, j *Job) error {
		mu.Lock()
		defer mu.Unlock()
		delivered[string(j.Payload)] = true
		if j.OrderingKey != "" {
			order[j.OrderingKey] = append(order[j.OrderingKey], string(j.Payload))
		}
		return nil
	}))
	require.NoError(t, d.Start(t.Context()))
	t.Cleanup(d.Stop)
	require.Eventually(t, func() bool {
		list, err := d.List(t.Context(), "")
		return err == nil && len(list) == 0
	}, time.Minute, 10*time.Millisecond, "every stored job is delivered after the restart, none stuck behind its key")

	mu.Lock()
	defer mu.Unlock()
	var lost []string
	for p := range acked {
		if !delivered[p] {
			lost = append(lost, p)
		}
	}
	require.Empty(t, lost, "acknowledged jobs never delivered")
	for key, payloads := range order {
		require.True(t, slices.IsSorted(payloads), "key %s delivered out of order: %v", key, payloads)
	}
	t.Logf("acknowledged %d jobs before kill -9; %d delivered by the child, %d in all", len(acked), inChild, len(delivered))
}

// crashChild enqueues jobs from 8 goroutines (the odd ones with an ordering key each) and
// delivers them, printing each payload once Enqueue has returned and once delivered, until
// it is killed.
func crashChild(dir string) {
	db, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	d := New(Config{Store: db, Concurrency: 8})
	d.Register("crash", DelivererFunc(func(ctx context.Context, j *Job) error {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, "delivered %s\n", j.Payload)
		return nil
	}))
	if err := d.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	deadline := time.Now().Add(2 * time.Minute) // the parent kills us long before
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				p := fmt.Sprintf("g%d-%06d", g, i)
				j := &Job{Target: "crash", Payload: []byte(p), Policy: Policy{MaxRetries: -1}}
				if g%2 == 1 {
					j.OrderingKey = fmt.Sprintf("g%d", g)
				}
				if err := d.Enqueue(context.Background(), nil, j); err != nil {
					fmt.Fprintln(os.Stderr, "enqueue:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", p)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}
