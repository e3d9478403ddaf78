package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// TestStore runs the conformance suite on PostgreSQL, each case in a schema of its own.
func TestStore(t *testing.T) {
	t.Parallel()
	base := MustServer(t)
	storetest.Run(t, func(t *testing.T) *store.DB {
		return MustOpenSchema(t, base)
	})
}

// MustServer returns the URL of the test server from TEST_DATABASE_URL, skipping the test
// when it is unreachable, or failing it when OVERCAST_REQUIRE_POSTGRES=1.
func MustServer(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		u = defaultURL
	}
	db, err := sql.Open("pgx", u)
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		msg := "PostgreSQL at " + redact(u) + " is unreachable (" + err.Error() +
			"); set TEST_DATABASE_URL to run the PostgreSQL store suite"
		if os.Getenv("OVERCAST_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg + " (OVERCAST_REQUIRE_POSTGRES=1)")
		}
		t.Skip("SKIPPING POSTGRES STORE TESTS: " + msg)
	}
	return u
}

// MustOpenSchema creates a fresh schema t_<random>, opens a store in it, and drops it when
// the test ends.
func MustOpenSchema(t testing.TB, base string) *store.DB {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)

	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() })
	_, err = admin.ExecContext(t.Context(), `CREATE SCHEMA "`+schema+`"`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), `DROP SCHEMA "`+schema+`" CASCADE`)
		require.NoError(t, err)
	})

	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(t.Context(), store.Options{URL: u.String()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "TEST_DATABASE_URL"
	}
	return u.Redacted()
}

// BenchmarkWriteConcurrent measures single-row writes per second with 1 and 16 concurrent
// writers, each Write its own transaction.
func BenchmarkWriteConcurrent(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			storetest.BenchWrites(b, MustOpenSchema(b, MustServer(b)), writers)
		})
	}
}
