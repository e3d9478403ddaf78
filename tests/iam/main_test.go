package iam_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "iam"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off. Tests
// on it work in accounts of their own and never reset state.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// newAccount returns an identity whose access key is a fresh 12-digit account id: the
// edge maps such a key to that account, so the test's IAM entities are its own.
func newAccount(t *testing.T) harness.Identity {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(8_999_999_999))
	require.NoError(t, err)
	return harness.Identity{AccessKey: fmt.Sprintf("1%011d", n.Int64()+1_000_000_000)}
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a name unique to this test run: the test's name, cut to fit IAM's
// 64-character role names with room for suffixes, and a random suffix.
func uniqueName(t *testing.T) string {
	t.Helper()
	base := nameCleaner.ReplaceAllString(strings.TrimPrefix(t.Name(), "Test"), "-")
	var b [3]byte
	_, _ = rand.Read(b[:])
	if len(base) > 30 {
		base = base[:30]
	}
	return base + "-" + hex.EncodeToString(b[:])
}

// mustOK runs a boto3 script in an account of the test's own and requires its "ok".
func mustOK(t *testing.T, script string) {
	t.Helper()
	srv := sharedServer(t)
	out := srv.PythonAs(t, newAccount(t), script, uniqueName(t))
	require.Equal(t, "ok", strings.TrimSpace(out), out)
}
