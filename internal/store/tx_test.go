package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRebindQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"none", "SELECT 1", "SELECT 1"},
		{"several", "UPDATE t SET a = ?, b = ? WHERE c = ?", "UPDATE t SET a = $1, b = $2 WHERE c = $3"},
		{"string literal", "SELECT '?', ? FROM t WHERE x = 'it''s ?'", "SELECT '?', $1 FROM t WHERE x = 'it''s ?'"},
		{"quoted identifier", `SELECT "a?b" FROM t WHERE y = ?`, `SELECT "a?b" FROM t WHERE y = $1`},
		{"line comment", "SELECT ? -- why?\nFROM t WHERE z = ?", "SELECT $1 -- why?\nFROM t WHERE z = $2"},
		{"block comment", "SELECT /* ? */ ? FROM t", "SELECT /* ? */ $1 FROM t"},
		{"unterminated literal", "SELECT 'abc?", "SELECT 'abc?"},
		{"unterminated comment", "SELECT ? /* ?", "SELECT $1 /* ?"},
		{"trailing line comment", "SELECT ? -- ?", "SELECT $1 -- ?"},
		{"ten or more", "VALUES (?,?,?,?,?,?,?,?,?,?,?)", "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, rebindQuery(tt.in))
			var r rebinder
			require.Equal(t, tt.want, r.rebind(tt.in))
			require.Equal(t, tt.want, r.rebind(tt.in), "cached")
		})
	}
}

func FuzzRebindQuery(f *testing.F) {
	for _, s := range []string{"SELECT ?", "'?'", `"?"`, "-- ?\n?", "/* ? */?", "'", "/*", "--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := rebindQuery(q)
		if !strings.Contains(q, "?") && out != q {
			t.Fatalf("rebind changed %q without placeholders into %q", q, out)
		}
		// Every placeholder outside literals and comments is gone after one pass.
		if again := rebindQuery(out); again != out {
			t.Fatalf("rebind of %q left placeholders: %q then %q", q, out, again)
		}
	})
}
