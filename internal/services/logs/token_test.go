package logs

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

func TestStreamTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tok  streamToken
		want string
	}{
		{"start", streamToken{forward: true, pos: streamStart}, "f/" + zeros(56) + "/s"},
		{"event", streamToken{forward: false, pos: store.LogsEventCursor{Timestamp: 1772366400000, ID: 42}},
			"b/" + zeros(19) + "1772366400000" + zeros(22) + "42/s"},
		{"end", streamToken{forward: false, pos: streamEnd}, "b/" + zeros(13) + "9223372036854775807" + zeros(5) + "9223372036854775807/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.tok.String())
			got, ok := parseStreamToken(tt.want)
			require.True(t, ok)
			require.Equal(t, tt.tok, got)
		})
	}
	for _, bad := range []string{"", "f/", "x/" + zeros(56) + "/s", "f/" + zeros(55) + "/s", "f/" + zeros(56), "f/" + zeros(55) + "a/s",
		"f/" + "9" + zeros(55) + "/s", "f/" + zeros(31) + "99999999999999999999999999/s"} {
		_, ok := parseStreamToken(bad)
		require.False(t, ok, bad)
	}
	require.Equal(t, store.LogsEventCursor{Timestamp: 5, ID: 8}, after(store.LogsEventCursor{Timestamp: 5, ID: 7}))
	require.Equal(t, streamEnd, after(streamEnd))
	require.Equal(t, store.LogsEventCursor{Timestamp: 5, ID: 6}, before(store.LogsEventCursor{Timestamp: 5, ID: 7}))
	require.Equal(t, streamStart, before(streamStart))
	require.Equal(t, int64(math.MaxInt64), streamEnd.ID)
}

func TestPageTokens(t *testing.T) {
	t.Parallel()
	c := store.LogsEventCursor{Timestamp: 17, ID: 99}
	got, ok := decodeCursor(encodeCursor(c))
	require.True(t, ok)
	require.Equal(t, c, got)
	_, ok = decodeCursor(encodeToken("g", "name"))
	require.False(t, ok)
	_, ok = decodeCursor(encodeToken("e", "x", "1"))
	require.False(t, ok)
	parts, ok := decodeToken(encodeToken("n", "", "a/b"), 3)
	require.True(t, ok)
	require.Equal(t, []string{"n", "", "a/b"}, parts)
	_, ok = decodeToken("!!", 1)
	require.False(t, ok)
}

// FuzzTokens feeds arbitrary client tokens to every token decoder: none may panic, and a
// GetLogEvents token that parses renders back to itself.
func FuzzTokens(f *testing.F) {
	f.Add("f/" + zeros(56) + "/s")
	f.Add(streamToken{pos: streamEnd}.String())
	f.Add(encodeCursor(store.LogsEventCursor{Timestamp: 1, ID: 2}))
	f.Add(encodeToken("t", "5", "name"))
	f.Fuzz(func(t *testing.T, s string) {
		if tok, ok := parseStreamToken(s); ok && tok.String() != s {
			t.Fatalf("token %q renders as %q", s, tok.String())
		}
		decodeCursor(s)
		decodeStreamCursor(s, true)
		decodeStreamCursor(s, false)
	})
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}
