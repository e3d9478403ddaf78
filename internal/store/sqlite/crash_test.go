package sqlite_test

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

	"github.com/overcast/overcast/internal/store"
)

// crashDirEnv makes the test binary act as the writer process of TestCrashDurability;
// crashSyncEnv carries the store's sync mode to it.
const (
	crashDirEnv  = "OVERCAST_STORE_CRASH_DIR"
	crashSyncEnv = "OVERCAST_STORE_CRASH_SYNC"
)

// crashAcks is how many acknowledged writes the parent waits for before killing the child.
const crashAcks = 1500

// TestCrashDurability kills a process with kill -9 while it group-commits writes from many
// goroutines, then checks that every write it had acknowledged is in the database. Both
// sync modes promise that much: "process" only gives up durability across machine crashes.
func TestCrashDurability(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(t, dir, os.Getenv(crashSyncEnv))
		return
	}
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for _, mode := range []string{store.SyncFull, store.SyncProcess} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			crashParent(t, mode)
		})
	}
}

func crashParent(t *testing.T, mode string) {
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashDurability$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashSyncEnv+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	acked := map[string]bool{}
	killed := false
	sc := bufio.NewScanner(out)
	// Read to EOF: acknowledgements written just before the kill are still in the pipe.
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked[id] = true
		if !killed && len(acked) >= crashAcks {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	require.NoError(t, sc.Err())
	err = cmd.Wait()
	require.True(t, killed, "child exited before %d acknowledgements: %v", crashAcks, err)
	require.Error(t, err, "the child was killed")

	db := MustOpen(t, store.Options{DataDir: dir})
	present := map[string]bool{}
	require.NoError(t, db.Read(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Query(t.Context(), "SELECT id FROM storetest_items")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			present[id] = true
		}
		return rows.Err()
	}))
	var lost []string
	for id := range acked {
		if !present[id] {
			lost = append(lost, id)
		}
	}
	require.Empty(t, lost, "acknowledged writes lost after kill -9")
	t.Logf("acknowledged %d writes before kill -9; %d rows present after restart", len(acked), len(present))
}

// crashChild writes rows from 16 goroutines until it is killed, printing each id once its
// Write has returned.
func crashChild(t *testing.T, dir, mode string) {
	db, err := store.Open(context.Background(), store.Options{DataDir: dir, Sync: mode})
	require.NoError(t, err)
	var mu sync.Mutex
	deadline := time.Now().Add(2 * time.Minute) // the parent kills us long before
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				id := fmt.Sprintf("g%02d-%06d", g, i)
				err := db.Write(context.Background(), func(tx *store.Tx) error {
					_, err := tx.Exec(context.Background(), "INSERT INTO storetest_items (id, value) VALUES (?, ?)", id, "crash")
					return err
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "write:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}
