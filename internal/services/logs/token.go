package logs

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// Positions in a stream are cursors between events, which are ordered by (timestamp, id).
// GetLogEvents tokens look like AWS's: "f/" or "b/", 56 digits, "/s". Overcast's digits
// are the timestamp (32 digits) and the event id (24 digits) of the position. A forward
// token reads the events after its position, a backward token the events before it.

var (
	// streamStart is before every event (ids start at 1, timestamps at 0).
	streamStart = store.LogsEventCursor{Timestamp: 0, ID: 0}
	// streamEnd is after every event.
	streamEnd = store.LogsEventCursor{Timestamp: math.MaxInt64, ID: math.MaxInt64}
)

// streamToken is a decoded GetLogEvents token.
type streamToken struct {
	forward bool
	pos     store.LogsEventCursor
}

func (t streamToken) String() string {
	dir := "b"
	if t.forward {
		dir = "f"
	}
	return fmt.Sprintf("%s/%032d%024d/s", dir, t.pos.Timestamp, t.pos.ID)
}

// parseStreamToken reads a token made by streamToken.String.
func parseStreamToken(s string) (streamToken, bool) {
	var t streamToken
	switch {
	case strings.HasPrefix(s, "f/"):
		t.forward = true
	case strings.HasPrefix(s, "b/"):
	default:
		return t, false
	}
	digits, ok := strings.CutSuffix(s[2:], "/s")
	if !ok || len(digits) != 56 {
		return t, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return t, false
		}
	}
	ts, err1 := strconv.ParseInt(digits[:32], 10, 64)
	id, err2 := strconv.ParseInt(digits[32:], 10, 64)
	if err1 != nil || err2 != nil {
		return t, false
	}
	t.pos = store.LogsEventCursor{Timestamp: ts, ID: id}
	return t, true
}

// eventID is the 56-digit eventId FilterLogEvents reports for an event.
func eventID(e *store.LogsEvent) string {
	return fmt.Sprintf("%032d%024d", e.Timestamp, e.ID)
}

// sequenceToken renders a stream's append count as a legacy sequence token.
func sequenceToken(seq int64) string { return fmt.Sprintf("%056d", seq) }

// encodeToken makes an opaque pagination token from its parts.
func encodeToken(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

// decodeToken reverses encodeToken, expecting n parts.
func decodeToken(tok string, n int) ([]string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, false
	}
	return parts, true
}

// encodeCursor and decodeCursor carry an event position in a FilterLogEvents token.
func encodeCursor(c store.LogsEventCursor) string {
	return encodeToken("e", strconv.FormatInt(c.Timestamp, 10), strconv.FormatInt(c.ID, 10))
}

func decodeCursor(tok string) (store.LogsEventCursor, bool) {
	parts, ok := decodeToken(tok, 3)
	if !ok || parts[0] != "e" {
		return store.LogsEventCursor{}, false
	}
	ts, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return store.LogsEventCursor{}, false
	}
	return store.LogsEventCursor{Timestamp: ts, ID: id}, true
}
