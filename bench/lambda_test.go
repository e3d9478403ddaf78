package main

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLambdaCeiling runs the warm Invoke scenarios against the ceiling: its replies must
// satisfy the SDK and the echo check, or the ceiling row would measure errors. The
// scenarios that need real environments refuse the ceiling.
func TestLambdaCeiling(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(ceilingHandler([]*group{sqsGroup, lambdaGroup}))
	t.Cleanup(srv.Close)
	tg := &target{name: targetCeiling, endpoint: srv.URL, fixed: true}
	sz := sizes{duration: 50 * time.Millisecond, maxOps: 200, deadline: 10 * time.Second}
	for _, sc := range lambdaGroup.scenarios {
		// The Go scenarios would build the bootstrap; TestBuildGoBootstrap covers it.
		if strings.Contains(sc.id, ".go") {
			continue
		}
		t.Run(sc.id, func(t *testing.T) {
			t.Parallel()
			st, err := runScenario(t.Context(), sc, tg, sz, 100, "bench-test-"+strings.ReplaceAll(sc.id, ".", "-"))
			if !strings.HasPrefix(sc.id, "lambda.invoke.") {
				require.ErrorIs(t, err, errLambdaNA)
				return
			}
			require.NoError(t, err)
			require.Zero(t, st.Errors, st.FirstError)
			require.Positive(t, st.Ops)
			require.LessOrEqual(t, st.Ops, sz.maxOps)
			require.Positive(t, st.P50MS)
			require.GreaterOrEqual(t, st.P99MS, st.P50MS)
		})
	}
}

func TestLambdaSlowTargetNotApplicable(t *testing.T) {
	t.Parallel()
	tg := &target{name: targetMoto, endpoint: "http://127.0.0.1:1", slow: true}
	sz := sizes{duration: 50 * time.Millisecond, maxOps: 10, deadline: time.Second}
	for _, sc := range lambdaGroup.scenarios {
		_, err := runScenario(t.Context(), sc, tg, sz, 100, "bench-test")
		require.ErrorIs(t, err, errLambdaNA, sc.id)
	}
}

// TestBuildGoBootstrap builds the Go echo function as the bench does and checks that the
// archive holds an executable bootstrap.
func TestBuildGoBootstrap(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	data, err := lambdaGoZip()
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	f := zr.File[0]
	require.Equal(t, "bootstrap", f.Name)
	require.NotZero(t, f.Mode()&0o111, "bootstrap must be executable")
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	head := make([]byte, 4)
	_, err = io.ReadFull(rc, head)
	require.NoError(t, err)
	require.Equal(t, []byte("\x7fELF"), head)
}

func TestDescendantsRSS(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "30")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	require.Eventually(t, func() bool {
		kb, err := procRSSKB(cmd.Process.Pid)
		return err == nil && kb > 0 && descendantsRSSKB(os.Getpid()) >= kb
	}, 5*time.Second, 10*time.Millisecond)
	require.Zero(t, descendantsRSSKB(cmd.Process.Pid))
}
