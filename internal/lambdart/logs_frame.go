package lambdart

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// The managed runtimes (bootstrap/) write their log records through the telemetry log
// descriptor, _LAMBDA_TELEMETRY_LOG_FD, as AWS's runtime clients do: one frame per record,
// a 16-byte header (a type 0xA55A00xx, the payload's length and a timestamp in
// microseconds, big-endian) followed by the payload. A record spanning several lines (a
// traceback, a multi-line console.log) is thus one event with "\n" inside, as on AWS.
//
// The descriptor is a second handle on the environment's log pipe, so records and the
// processes' plain output keep the order they were written in; frames are told apart by
// their first bytes, which never start UTF-8 text.
const (
	frameHeaderLen = 16
	// telemetryFD is the descriptor the runtime gets: the first of exec.Cmd.ExtraFiles.
	telemetryFD = "3"
)

var frameMagic = []byte{0xA5, 0x5A, 0x00}

// frameStart reports where the next frame starts in b, or -1. A frame's magic may be
// split across reads: a trailing prefix of it counts as a start.
func frameStart(b []byte) int {
	if i := bytes.Index(b, frameMagic); i >= 0 {
		return i
	}
	for k := len(frameMagic) - 1; k > 0; k-- {
		if len(b) >= k && bytes.Equal(b[len(b)-k:], frameMagic[:k]) {
			return len(b) - k
		}
	}
	return -1
}

// frameLocked consumes frame bytes from b into the pending frame and returns the rest.
// A complete frame is logged as one event; a header that turns out not to be a frame's is
// logged as text.
func (p *logPipe) frameLocked(b []byte) []byte {
	if len(p.frame) < frameHeaderLen {
		n := min(frameHeaderLen-len(p.frame), len(b))
		p.frame = append(p.frame, b[:n]...)
		b = b[n:]
		if !bytes.HasPrefix(p.frame, frameMagic[:min(len(p.frame), len(frameMagic))]) {
			// Not a frame after all: these bytes are plain output.
			text := p.frame
			p.frame, p.inFrame = nil, false
			p.textLocked(text)
			return b
		}
		if len(p.frame) >= len(frameMagic) {
			// A record: the output before it is a line of its own.
			p.flushPartialLocked()
		}
		if len(p.frame) < frameHeaderLen {
			return b
		}
	}
	size := int(binary.BigEndian.Uint32(p.frame[4:8]))
	n := min(frameHeaderLen+size-len(p.frame), len(b))
	p.frame = append(p.frame, b[:n]...)
	b = b[n:]
	if len(p.frame) == frameHeaderLen+size {
		p.recordLocked(string(p.frame[frameHeaderLen:]))
		p.frame, p.inFrame = p.frame[:0], false
	}
	return b
}

// recordLocked logs one framed record as it is, split only for its length.
func (p *logPipe) recordLocked(rec string) {
	for len(rec) > maxLogEvent {
		p.chunkLocked(rec[:maxLogEvent])
		rec = rec[maxLogEvent:]
	}
	if rec == "" {
		return
	}
	p.events = append(p.events, LogEvent{Time: p.clock.Now(), Message: rec})
	if p.tail != nil {
		p.tail.add(strings.TrimSuffix(rec, "\n"))
	}
}
