package sns_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestPostgres runs the delivery paths on a server whose store is PostgreSQL: FIFO
// publishes deduplicate and number messages in the store transaction that enqueues their
// deliveries.
func TestPostgres(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Store: freshSchema(t, postgresURL(t))})
	t.Run("FanOut", func(t *testing.T) { t.Parallel(); runFanOut(t, srv) })
	t.Run("FIFO", func(t *testing.T) { t.Parallel(); runFIFO(t, srv) })
	t.Run("HTTPSignatures", func(t *testing.T) { t.Parallel(); runHTTPSignatures(t, srv, "2") })
}

func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(context.Background())
	}
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL is unreachable at %s: %v", base, err)
		if os.Getenv("OVERCAST_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING the SNS PostgreSQL tests: " + msg + " (set OVERCAST_REQUIRE_POSTGRES=1 to make this a failure)")
	}
	return base
}

// freshSchema creates a schema of its own and drops it when the test ends; it returns a
// store URL whose search_path is that schema.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "overcast_sns_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(t.Context(), base)
	require.NoError(t, err)
	_, err = conn.Exec(t.Context(), "CREATE SCHEMA "+schema)
	conn.Close(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
