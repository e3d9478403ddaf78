package lambdart

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/overcast/overcast/internal/clock"
)

// LogStream names the CloudWatch Logs stream of one execution environment.
type LogStream struct {
	AccountID string
	Region    string
	// Group is "/aws/lambda/<function name>" unless the function says otherwise.
	Group string
	// Name is "YYYY/MM/DD/[<version>]<32 hex digits>", one per environment.
	Name string
}

// LogEvent is one log line.
type LogEvent struct {
	Time time.Time
	// Message is the line with its terminating newline, as AWS delivers it (a line split
	// for its length has none).
	Message string
}

// LogSink receives every line an environment logs: the function's stdout and stderr, one
// event per line, and the platform lines (INIT_START, START, END, REPORT, timeouts and
// runtime exits). Calls come from the Manager's delivery loop, after the invocations that
// logged them have returned: a slow sink never delays an invocation, it only delays other
// logs (and, past a backlog of 4,096 batches, their environments). Calls for one stream
// come one at a time and in order; calls for different streams may be concurrent, so that
// a store can write them in one commit. Lines reach the sink up to 10 ms after they were
// logged, gathered with the other lines of that time and merged per stream. The sink may
// keep the events slice. The first call for a stream is its creation.
type LogSink interface {
	PutLogEvents(stream LogStream, events []LogEvent)
}

// LogSinkFunc adapts a function to LogSink.
type LogSinkFunc func(stream LogStream, events []LogEvent)

// PutLogEvents calls f.
func (f LogSinkFunc) PutLogEvents(stream LogStream, events []LogEvent) { f(stream, events) }

type discardSink struct{}

func (discardSink) PutLogEvents(LogStream, []LogEvent) {}

// DiscardLogs is a LogSink that drops everything.
var DiscardLogs LogSink = discardSink{}

// MaxLogTail is how much of an invocation's log Invoke returns when asked (LogType=Tail).
const MaxLogTail = 4096

// maxLogEvent is the longest line delivered as one event; longer lines are split, as
// CloudWatch Logs limits events to 256 KB.
const maxLogEvent = 256 * 1024

func logStreamName(t time.Time, version, envID string) string {
	return t.UTC().Format("2006/01/02") + "/[" + version + "]" + envID
}

// formatTimestamp renders a time as the runtimes and the platform print it in log lines.
func formatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// tailBuffer keeps the last MaxLogTail bytes of one invocation's log.
type tailBuffer struct {
	b []byte
}

func (t *tailBuffer) add(line string) {
	t.b = append(t.b, line...)
	t.b = append(t.b, '\n')
	if len(t.b) > 4*MaxLogTail {
		t.b = append(t.b[:0], t.b[len(t.b)-MaxLogTail:]...)
	}
}

func (t *tailBuffer) bytes() []byte {
	if len(t.b) > MaxLogTail {
		return append([]byte(nil), t.b[len(t.b)-MaxLogTail:]...)
	}
	return append([]byte(nil), t.b...)
}

// logDispatcher hands log batches to the sink from one goroutine.
type logDispatcher struct {
	sink LogSink
	ch   chan logBatch
	done chan struct{}

	mu     sync.RWMutex
	closed bool
}

type logBatch struct {
	stream  LogStream
	events  []LogEvent
	barrier chan struct{}
}

func newLogDispatcher(sink LogSink) *logDispatcher {
	d := &logDispatcher{sink: sink, ch: make(chan logBatch, 4096), done: make(chan struct{})}
	go d.run()
	return d
}

// A delivery round takes batches for up to logLinger after its first one, or until it
// holds maxRoundBatches or a flush arrives. Under load each environment's stream then
// gathers several invocations' lines into one append (about a tenth less server CPU per
// warm invoke than at 10 ms); Lambda's own logs reach CloudWatch Logs seconds after the
// invocation, so readers already poll.
const (
	logLinger       = 50 * time.Millisecond
	maxRoundBatches = 1024
)

// run delivers batches in rounds: each collects what arrives within logLinger (a flush
// ends it early), merges it per stream and hands the streams to the sink concurrently. A
// round carries many invocations' lines, and the store writes them in shared commits
// rather than one per invocation.
func (d *logDispatcher) run() {
	defer close(d.done)
	var round []logBatch
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for b := range d.ch {
		round = append(round[:0], b)
		if b.barrier == nil {
			linger.Reset(logLinger)
		collect:
			for len(round) < maxRoundBatches {
				select {
				case nb, ok := <-d.ch:
					if !ok {
						break collect
					}
					round = append(round, nb)
					if nb.barrier != nil {
						break collect
					}
				case <-linger.C:
					break collect
				}
			}
			linger.Stop()
		}
		d.deliver(round)
		clear(round)
	}
}

// streamBatch is one stream's share of a delivery round.
type streamBatch struct {
	stream LogStream
	events []LogEvent
}

// deliver hands a round's batches to the sink, merged per stream in their order, then
// releases the round's barrier (only its last batch can be one).
func (d *logDispatcher) deliver(round []logBatch) {
	var barrier chan struct{}
	if n := len(round); round[n-1].barrier != nil {
		barrier = round[n-1].barrier
		round = round[:n-1]
	}
	var groups []streamBatch
	var index map[LogStream]int
	if len(round) > 1 {
		index = make(map[LogStream]int, len(round))
	}
	for _, b := range round {
		i, ok := index[b.stream]
		if !ok {
			// The dispatcher owns queued slices until it hands them on, so the first
			// batch's slice can take the others' events.
			if index != nil {
				index[b.stream] = len(groups)
			}
			groups = append(groups, streamBatch{stream: b.stream, events: b.events})
			continue
		}
		groups[i].events = append(groups[i].events, b.events...)
	}
	if len(groups) == 1 {
		d.sink.PutLogEvents(groups[0].stream, groups[0].events)
	} else if len(groups) > 1 {
		var wg sync.WaitGroup
		for _, g := range groups {
			wg.Go(func() { d.sink.PutLogEvents(g.stream, g.events) })
		}
		wg.Wait()
	}
	if barrier != nil {
		close(barrier)
	}
}

// put queues a batch; after close it drops it.
func (d *logDispatcher) put(stream LogStream, events []LogEvent) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if !d.closed {
		d.ch <- logBatch{stream: stream, events: events}
	}
}

// flush waits until every batch queued so far has reached the sink.
func (d *logDispatcher) flush() {
	b := make(chan struct{})
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		<-d.done
		return
	}
	d.ch <- logBatch{barrier: b}
	d.mu.RUnlock()
	<-b
}

// close delivers what is queued and stops.
func (d *logDispatcher) close() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.ch)
	}
	d.mu.Unlock()
	<-d.done
}

// logPipe reads the pipe every process of an environment writes its stdout and stderr to,
// splits it into lines and hands them to the sink. Platform lines go through the same
// lock, so START, the function's lines and END/REPORT keep their order: flush drains what
// the function wrote before the platform line is emitted.
type logPipe struct {
	r      *os.File
	raw    syscall.RawConn
	out    *logDispatcher
	stream LogStream
	clock  clock.Clock
	// json is the JSON log format; nil for Text.
	json *jsonLogs

	mu      sync.Mutex
	buf     []byte
	partial []byte
	// frame is the telemetry frame being read (logs_frame.go) while inFrame.
	frame   []byte
	inFrame bool
	tail    *tailBuffer
	events  []LogEvent
	closed  bool
	done    chan struct{}
}

// newLogPipe returns the pipe's writing end, to hand to processes, and the reader. The
// reader's goroutine runs until every holder of the writing end has closed it.
func newLogPipe(out *logDispatcher, stream LogStream, clk clock.Clock) (*os.File, *logPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("log pipe: %w", err)
	}
	raw, err := r.SyscallConn()
	if err != nil {
		r.Close()
		w.Close()
		return nil, nil, fmt.Errorf("log pipe: %w", err)
	}
	p := &logPipe{r: r, raw: raw, out: out, stream: stream, clock: clk, done: make(chan struct{})}
	go p.run()
	return w, p, nil
}

func (p *logPipe) run() {
	defer close(p.done)
	defer p.r.Close()
	for {
		var eof bool
		err := p.raw.Read(func(fd uintptr) bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			var again bool
			eof, again = p.drainLocked(int(fd))
			return !again
		})
		if err != nil || eof {
			p.mu.Lock()
			p.flushPartialLocked()
			p.deliverLocked()
			p.closed = true
			p.mu.Unlock()
			return
		}
	}
}

// drainLocked reads everything the pipe holds now. It reports end of file, or that the
// pipe is empty and the caller should wait.
func (p *logPipe) drainLocked(fd int) (eof, again bool) {
	if p.buf == nil {
		p.buf = make([]byte, 8192)
	}
	defer p.deliverLocked()
	for {
		n, err := syscall.Read(fd, p.buf)
		if n > 0 {
			p.splitLocked(p.buf[:n])
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false, true
		case err != nil:
			return true, false
		case n == 0:
			return true, false
		}
	}
}

func (p *logPipe) splitLocked(b []byte) {
	for len(b) > 0 {
		if p.inFrame {
			b = p.frameLocked(b)
			continue
		}
		i := indexByte(b, '\n')
		if f := frameStart(b); f >= 0 && (i < 0 || f < i) {
			// A record begins: what precedes it is a line of its own.
			p.textLocked(b[:f])
			p.inFrame = true
			b = b[f:]
			continue
		}
		if i < 0 {
			p.textLocked(b)
			return
		}
		if len(p.partial) > 0 {
			p.partial = append(p.partial, b[:i]...)
			p.lineLocked(string(p.partial))
			p.partial = p.partial[:0]
		} else {
			p.lineLocked(string(b[:i]))
		}
		b = b[i+1:]
	}
}

// textLocked adds output without a newline to the pending line.
func (p *logPipe) textLocked(b []byte) {
	if i := indexByte(b, '\n'); i >= 0 {
		p.splitText(b)
		return
	}
	p.partial = append(p.partial, b...)
	for len(p.partial) >= maxLogEvent {
		p.chunkLocked(string(p.partial[:maxLogEvent]))
		p.partial = append(p.partial[:0], p.partial[maxLogEvent:]...)
	}
}

// splitText logs text that may hold newlines (a false frame start), line by line.
func (p *logPipe) splitText(b []byte) {
	for {
		i := indexByte(b, '\n')
		if i < 0 {
			p.textLocked(b)
			return
		}
		p.partial = append(p.partial, b[:i]...)
		p.lineLocked(string(p.partial))
		p.partial = p.partial[:0]
		b = b[i+1:]
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// chunkLocked logs a piece of a line too long for one event.
func (p *logPipe) chunkLocked(chunk string) {
	p.events = append(p.events, LogEvent{Time: p.clock.Now(), Message: chunk})
	if p.tail != nil {
		p.tail.add(chunk)
	}
}

// lineLocked logs one line. CloudWatch Logs gets it with its newline, as AWS delivers
// every line a function or the platform logs.
func (p *logPipe) lineLocked(line string) {
	p.events = append(p.events, LogEvent{Time: p.clock.Now(), Message: line + "\n"})
	if p.tail != nil {
		p.tail.add(line)
	}
}

func (p *logPipe) flushPartialLocked() {
	if len(p.partial) > 0 {
		p.lineLocked(string(p.partial))
		p.partial = p.partial[:0]
	}
}

func (p *logPipe) deliverLocked() {
	if len(p.events) == 0 {
		return
	}
	p.out.put(p.stream, p.events)
	p.events = nil
}

// drainNowLocked reads whatever the processes have written so far, without waiting. It
// uses Control rather than Read: the reading goroutine holds the descriptor's read lock
// while it waits.
func (p *logPipe) drainNowLocked() {
	if p.closed {
		return
	}
	_ = p.raw.Control(func(fd uintptr) {
		p.drainLocked(int(fd))
	})
}

// platform drains the function's output written so far, then logs the platform lines.
// A non-nil tail starts collecting the invocation's log after them; endInvocation stops
// it. The lines go to the sink with whatever is logged next (the function's first output,
// or END and REPORT), so that a quiet invocation costs the sink one write.
func (p *logPipe) platform(startTail *tailBuffer, lines ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drainNowLocked()
	if startTail != nil {
		p.tail = startTail
	}
	for _, l := range lines {
		p.platformLocked(l)
	}
}

// endInvocation drains the function's output, flushes a pending partial line, logs the
// closing platform lines and detaches the invocation's tail.
func (p *logPipe) endInvocation(lines ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drainNowLocked()
	p.flushPartialLocked()
	for _, l := range lines {
		p.platformLocked(l)
	}
	p.deliverLocked()
	p.tail = nil
}

// tailOf returns a copy of an invocation's tail; the pipe may still be adding to it.
func (p *logPipe) tailOf(t *tailBuffer) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return t.bytes()
}

// after logs lines after what the processes wrote so far.
func (p *logPipe) after(lines ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drainNowLocked()
	for _, l := range lines {
		p.platformLocked(l)
	}
	p.deliverLocked()
}

// platformLocked logs a platform line, as a JSON record with the JSON log format.
func (p *logPipe) platformLocked(line string) {
	if p.json != nil {
		var keep bool
		if line, keep = p.json.render(p.clock.Now(), line); !keep {
			return
		}
	}
	p.lineLocked(line)
}

// wait blocks until every writer has closed the pipe and the rest is delivered, or until
// the timeout passes (a detached grandchild may hold the pipe open).
func (p *logPipe) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		p.r.Close()
	}
}

// reportLine formats the REPORT line of an invocation.
func reportLine(id string, d time.Duration, init time.Duration, memMB, maxUsedMB int, status, errType string) string {
	var b strings.Builder
	b.WriteString("REPORT RequestId: ")
	b.WriteString(id)
	b.WriteString("\tDuration: ")
	b.WriteString(formatMillis(d))
	b.WriteString(" ms\tBilled Duration: ")
	b.WriteString(strconv.FormatInt(billedMillis(d+init), 10))
	b.WriteString(" ms\tMemory Size: ")
	b.WriteString(strconv.Itoa(memMB))
	b.WriteString(" MB\tMax Memory Used: ")
	b.WriteString(strconv.Itoa(maxUsedMB))
	// AWS ends each metric with a tab, so a successful invocation's line ends with one;
	// the status comes last, without one.
	b.WriteString(" MB\t")
	if init > 0 {
		b.WriteString("Init Duration: ")
		b.WriteString(formatMillis(init))
		b.WriteString(" ms\t")
	}
	if status != "" {
		b.WriteString("Status: ")
		b.WriteString(status)
		if errType != "" && status != "timeout" {
			b.WriteString("\tError Type: ")
			b.WriteString(errType)
		}
	}
	return b.String()
}

// initReportLine formats the INIT_REPORT line AWS logs when the init phase fails.
func initReportLine(d time.Duration, status, errType string) string {
	s := "INIT_REPORT Init Duration: " + formatMillis(d) + " ms\tPhase: init\tStatus: " + status
	// A timeout has no error type, as in the REPORT line.
	if errType != "" && status != "timeout" {
		s += "\tError Type: " + errType
	}
	return s
}

func formatMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

// billedMillis rounds a duration up to the next millisecond, Lambda's billing granularity;
// every invocation bills at least 1 ms.
func billedMillis(d time.Duration) int64 {
	ms := int64((d + time.Millisecond - 1) / time.Millisecond)
	if ms < 1 {
		ms = 1
	}
	return ms
}

func timeoutSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
}
