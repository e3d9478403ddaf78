package sqs

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// A receipt handle is opaque to clients. Overcast's carries the queue's row id, the
// message's row id and the token of the receive that handed it out, so a handle is unique per
// receive and names exactly one delivery. A short keyed checksum makes garbage (truncated,
// edited or invented handles) fail to parse rather than name some other message; the token
// is random, so a handle cannot be guessed from the message id either.

const (
	receiptVersion = 1
	receiptPayload = 1 + 8 + 8 + 8
	receiptSumLen  = 6
	receiptLen     = receiptPayload + receiptSumLen
)

// receiptKey salts the checksum so that a random string of the right length does not pass.
var receiptKey = []byte("overcast sqs receipt handle v1")

// receipt is a decoded receipt handle.
type receipt struct {
	QueueID   int64
	MessageID int64
	Token     int64
}

// encode returns the handle clients see.
func (r receipt) encode() string {
	var b [receiptLen]byte
	b[0] = receiptVersion
	binary.BigEndian.PutUint64(b[1:], uint64(r.QueueID))
	binary.BigEndian.PutUint64(b[9:], uint64(r.MessageID))
	binary.BigEndian.PutUint64(b[17:], uint64(r.Token))
	sum := receiptSum(b[:receiptPayload])
	copy(b[receiptPayload:], sum[:receiptSumLen])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func receiptSum(payload []byte) [32]byte {
	h := sha256.New()
	h.Write(receiptKey)
	h.Write(payload)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// parseReceipt decodes a handle made by encode. It reports false for anything else.
func parseReceipt(s string) (receipt, bool) {
	if base64.RawURLEncoding.DecodedLen(len(s)) != receiptLen {
		return receipt{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != receiptLen || b[0] != receiptVersion {
		return receipt{}, false
	}
	sum := receiptSum(b[:receiptPayload])
	for i := 0; i < receiptSumLen; i++ {
		if sum[i] != b[receiptPayload+i] {
			return receipt{}, false
		}
	}
	r := receipt{
		QueueID:   int64(binary.BigEndian.Uint64(b[1:])),
		MessageID: int64(binary.BigEndian.Uint64(b[9:])),
		Token:     int64(binary.BigEndian.Uint64(b[17:])),
	}
	if r.QueueID <= 0 || r.MessageID <= 0 {
		return receipt{}, false
	}
	return r, true
}
