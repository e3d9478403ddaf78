package sqs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReceiptRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range []receipt{
		{QueueID: 1, MessageID: 1, Token: 1},
		{QueueID: 42, MessageID: 1 << 40, Token: -7},
		{QueueID: 1<<63 - 1, MessageID: 1<<63 - 1, Token: 1<<63 - 1},
	} {
		h := r.encode()
		got, ok := parseReceipt(h)
		require.True(t, ok, h)
		require.Equal(t, r, got)
	}
}

func TestReceiptRejectsGarbage(t *testing.T) {
	t.Parallel()
	good := receipt{QueueID: 3, MessageID: 9, Token: 12345}.encode()
	flipped := []byte(good)
	flipped[10] ^= 1
	for _, bad := range []string{
		"", "garbage", good[:len(good)-1], good + "A", string(flipped),
		strings.Repeat("A", len(good)),
		receipt{QueueID: 0, MessageID: 9, Token: 1}.encode(),
		receipt{QueueID: 3, MessageID: -1, Token: 1}.encode(),
	} {
		_, ok := parseReceipt(bad)
		require.False(t, ok, bad)
	}
}

func FuzzParseReceipt(f *testing.F) {
	f.Add(receipt{QueueID: 3, MessageID: 9, Token: 12345}.encode())
	f.Add("")
	f.Add("AQAAAAAAAAABAAAAAAAAAAEUq43HFKmR-odNvKVB8Q")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseReceipt(s)
		if !ok {
			return
		}
		// Whatever parses names a real row and re-encodes to itself.
		if r.QueueID <= 0 || r.MessageID <= 0 {
			t.Fatalf("parsed invalid ids from %q: %+v", s, r)
		}
		if r.encode() != s {
			t.Fatalf("%q parsed but encodes as %q", s, r.encode())
		}
	})
}
