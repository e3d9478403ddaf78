package crash_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

const (
	producers = 8
	consumers = 8
	// visibility is long enough never to expire before the clocks are moved on purpose,
	// so any second delivery before then is a message handed out twice.
	visibility = "600"
)

// queueSpec is one queue of the workload.
type queueSpec struct {
	name string
	fifo bool
}

var workload = []queueSpec{{"crash-std-a", false}, {"crash-std-b", false}, {"crash-fifo.fifo", true}}

// msgID identifies a message by its body: "<queue>|p<producer>|<n>".
type msgID = string

type sendRec struct {
	queue int
	group string
	seq   int
}

type delivery struct {
	id        msgID
	queue     int
	group     string
	seq       int
	messageID string
	count     string
	node      int
	drain     bool
}

// ledger records what the server acknowledged and what it delivered, in order.
type ledger struct {
	mu         sync.Mutex
	sent       map[msgID]sendRec
	deleted    map[msgID]bool
	deliveries []delivery
	sentN      atomic.Int64
	deletedN   atomic.Int64
}

func newLedger() *ledger {
	return &ledger{sent: map[msgID]sendRec{}, deleted: map[msgID]bool{}}
}

func (l *ledger) ackSend(id msgID, r sendRec) {
	l.mu.Lock()
	l.sent[id] = r
	l.mu.Unlock()
	l.sentN.Add(1)
}

func (l *ledger) ackDelete(id msgID) {
	l.mu.Lock()
	l.deleted[id] = true
	l.mu.Unlock()
	l.deletedN.Add(1)
}

func (l *ledger) deliver(d delivery) {
	l.mu.Lock()
	l.deliveries = append(l.deliveries, d)
	l.mu.Unlock()
}

func parseBody(body string) (queue int, group string, seq int, err error) {
	f := strings.Split(body, "|")
	if len(f) != 3 {
		return 0, "", 0, fmt.Errorf("unexpected body %q", body)
	}
	if queue, err = strconv.Atoi(f[0]); err != nil {
		return 0, "", 0, err
	}
	seq, err = strconv.Atoi(f[2])
	return queue, f[1], seq, err
}

// cluster is the set of nodes under test.
type cluster struct {
	nodes []*harness.Server
}

func (cl *cluster) client(i int) *sqs.Client {
	return cl.nodes[i%len(cl.nodes)].SQS()
}

// queueURL rewrites a QueueUrl to point at node i: after a restart a node listens on a new
// port, and the path (/<account>/<name>) is what names the queue.
func (cl *cluster) queueURL(t *testing.T, i int, qurl string) string {
	u, err := url.Parse(qurl)
	require.NoError(t, err)
	return cl.nodes[i%len(cl.nodes)].Endpoint() + u.Path
}

func createQueues(t *testing.T, c *sqs.Client) []string {
	t.Helper()
	urls := make([]string, len(workload))
	for i, q := range workload {
		attrs := map[string]string{"VisibilityTimeout": visibility}
		if q.fifo {
			attrs["FifoQueue"] = "true"
		}
		out, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(q.name), Attributes: attrs})
		require.NoError(t, err, "create %s", q.name)
		urls[i] = aws.ToString(out.QueueUrl)
	}
	return urls
}

func produce(ctx context.Context, cl *cluster, t *testing.T, urls []string, l *ledger, p int) {
	c := cl.client(p)
	group := fmt.Sprintf("p%d", p)
	n := 0
	fifoSeq := 0
	for k := 0; ctx.Err() == nil; k++ {
		qi := k % len(workload)
		qurl := cl.queueURL(t, p, urls[qi])
		fifo := workload[qi].fifo
		entry := func() (msgID, sendRec, types.SendMessageBatchRequestEntry) {
			n++
			seq := n
			if fifo {
				fifoSeq++
				seq = fifoSeq
			}
			id := fmt.Sprintf("%d|%s|%d", qi, group, seq)
			e := types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", seq)), MessageBody: aws.String(id)}
			if fifo {
				e.MessageGroupId = aws.String(group)
				e.MessageDeduplicationId = aws.String(strings.ReplaceAll(id, "|", "-"))
			}
			return id, sendRec{queue: qi, group: group, seq: seq}, e
		}
		if k%2 == 0 {
			ids := map[string]msgID{}
			recs := map[string]sendRec{}
			var entries []types.SendMessageBatchRequestEntry
			for range 5 {
				id, rec, e := entry()
				ids[*e.Id], recs[*e.Id] = id, rec
				entries = append(entries, e)
			}
			out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(qurl), Entries: entries})
			if err != nil {
				pause(ctx)
				continue
			}
			for _, s := range out.Successful {
				l.ackSend(ids[aws.ToString(s.Id)], recs[aws.ToString(s.Id)])
			}
			continue
		}
		id, rec, e := entry()
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: e.MessageBody,
			MessageGroupId: e.MessageGroupId, MessageDeduplicationId: e.MessageDeduplicationId})
		if err != nil {
			pause(ctx)
			continue
		}
		l.ackSend(id, rec)
	}
}

func pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Millisecond):
	}
}

// consumeOnce receives once from queue qi through node and deletes what it got, in order,
// stopping at the first delete that is not acknowledged (so that FIFO order is never
// broken by the consumer itself). It returns the number of messages received.
func consumeOnce(ctx context.Context, t *testing.T, cl *cluster, c *sqs.Client, node int, urls []string, qi int, l *ledger, drain bool) (int, error) {
	qurl := cl.queueURL(t, node, urls[qi])
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(qurl), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return 0, err
	}
	for _, m := range out.Messages {
		body := aws.ToString(m.Body)
		q, g, seq, perr := parseBody(body)
		if perr != nil || q != qi {
			t.Errorf("queue %s delivered a body it was never sent: %q", workload[qi].name, body)
			continue
		}
		l.deliver(delivery{id: body, queue: q, group: g, seq: seq, messageID: aws.ToString(m.MessageId),
			count: m.Attributes["ApproximateReceiveCount"], node: node % len(cl.nodes), drain: drain})
	}
	for _, m := range out.Messages {
		_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(qurl), ReceiptHandle: m.ReceiptHandle})
		if err != nil {
			return len(out.Messages), err
		}
		if !drain {
			// Only deletes acknowledged before the restart are checked against the drain.
			l.ackDelete(aws.ToString(m.Body))
		}
	}
	return len(out.Messages), nil
}

func consume(ctx context.Context, t *testing.T, cl *cluster, urls []string, l *ledger, ci int) {
	c := cl.client(ci)
	for k := ci; ctx.Err() == nil; k++ {
		n, err := consumeOnce(ctx, t, cl, c, ci, urls, k%len(workload), l, false)
		if err != nil || n == 0 {
			pause(ctx)
		}
	}
}

// runCrash drives the workload against the cluster, kills node 0 with SIGKILL, restarts
// it on the same store, drains every queue and checks the invariants.
func runCrash(t *testing.T, cl *cluster) {
	urls := createQueues(t, cl.client(0))
	l := newLedger()

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() { produce(ctx, cl, t, urls, l, p) })
	}
	for ci := range consumers {
		wg.Go(func() { consume(ctx, t, cl, urls, l, ci) })
	}

	// Kill mid-traffic, once enough has been acknowledged both ways.
	deadline := time.Now().Add(60 * time.Second)
	for (l.sentN.Load() < 600 || l.deletedN.Load() < 200) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Positive(t, l.sentN.Load(), "no send was acknowledged before the kill:\n%s", cl.nodes[0].Log())
	require.Positive(t, l.deletedN.Load(), "no delete was acknowledged before the kill:\n%s", cl.nodes[0].Log())
	cl.nodes[0].Kill(t)
	t.Logf("killed node 0 after %d acknowledged sends and %d acknowledged deletes", l.sentN.Load(), l.deletedN.Load())
	if len(cl.nodes) > 1 {
		// The survivors keep serving for a while without node 0.
		before := l.sentN.Load()
		deadline := time.Now().Add(10 * time.Second)
		for l.sentN.Load() < before+100 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	cancel()
	wg.Wait()

	cl.nodes[0].Restart(t)

	// Before any clock moves, no message may have been handed out twice: every visibility
	// timeout is 600 virtual seconds and no virtual clock has moved.
	l.mu.Lock()
	seen := map[string]delivery{}
	for _, d := range l.deliveries {
		if prev, ok := seen[d.messageID]; ok {
			t.Errorf("message %s (%s) delivered twice while in flight: by node %d and by node %d", d.messageID, d.id, prev.node, d.node)
		}
		seen[d.messageID] = d
		if d.count != "1" {
			t.Errorf("message %s (%s) had ApproximateReceiveCount %s on its first delivery (node %d)", d.messageID, d.id, d.count, d.node)
		}
	}
	l.mu.Unlock()

	// Make every message received before the crash visible again, then drain.
	for _, n := range cl.nodes {
		n.AdvanceClock(t, 13*time.Hour)
	}
	drainCtx := t.Context()
	for qi := range workload {
		empty := 0
		for i := 0; empty < 3*len(cl.nodes); i++ {
			require.Less(t, i, 10000, "draining %s does not end", workload[qi].name)
			n, err := consumeOnce(drainCtx, t, cl, cl.client(i), i, urls, qi, l, true)
			require.NoError(t, err, "drain %s through node %d", workload[qi].name, i%len(cl.nodes))
			if n == 0 {
				empty++
			} else {
				empty = 0
			}
		}
	}

	checkInvariants(t, l)
}

func checkInvariants(t *testing.T, l *ledger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delivered := map[msgID]bool{}
	drained := map[msgID]bool{}
	for _, d := range l.deliveries {
		delivered[d.id] = true
		if d.drain {
			drained[d.id] = true
		}
	}

	var lost []string
	for id := range l.sent {
		if !delivered[id] {
			lost = append(lost, id)
		}
	}
	sort.Strings(lost)
	require.Empty(t, lost, "%d acknowledged sends were never delivered (of %d acknowledged)", len(lost), len(l.sent))

	var back []string
	for id := range l.deleted {
		if drained[id] {
			back = append(back, id)
		}
	}
	sort.Strings(back)
	if len(back) > 0 {
		var detail []string
		for _, id := range back[:min(5, len(back))] {
			for _, d := range l.deliveries {
				if d.id == id {
					detail = append(detail, fmt.Sprintf("%s: MessageId %s node %d receive count %s drain %v", id, d.messageID, d.node, d.count, d.drain))
				}
			}
		}
		t.Fatalf("%d acknowledged deletes came back after the restart (of %d acknowledged deletes), e.g.:\n%s", len(back), len(l.deleted), strings.Join(detail, "\n"))
	}

	// FIFO: in each group, deliveries before the crash and in the drain each go in
	// sequence order, and the drain resumes after the last acknowledged delete.
	type key struct {
		group string
		drain bool
	}
	last := map[key]int{}
	maxDeleted := map[string]int{}
	for id := range l.deleted {
		q, g, seq, err := parseBody(id)
		require.NoError(t, err)
		if workload[q].fifo && seq > maxDeleted[g] {
			maxDeleted[g] = seq
		}
	}
	for _, d := range l.deliveries {
		if !workload[d.queue].fifo {
			continue
		}
		k := key{d.group, d.drain}
		if prev, ok := last[k]; ok && d.seq <= prev {
			t.Errorf("FIFO group %s (drain: %v): %d delivered after %d", d.group, d.drain, d.seq, prev)
		}
		if _, ok := last[k]; !ok && d.drain && d.seq <= maxDeleted[d.group] {
			t.Errorf("FIFO group %s: the drain starts at %d, at or before %d whose delete was acknowledged", d.group, d.seq, maxDeleted[d.group])
		}
		last[k] = d.seq
	}
	t.Logf("acknowledged sends %d, acknowledged deletes %d, deliveries %d (drained %d)", len(l.sent), len(l.deleted), len(l.deliveries), len(drained))
}

func TestCrashSQLite(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Clock: "virtual"})
	runCrash(t, &cluster{nodes: []*harness.Server{srv}})
}

// postgresURL returns the base URL of the test database, or skips (fails when
// OVERCAST_REQUIRE_POSTGRES=1) if PostgreSQL is unreachable.
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
		t.Skip("!!! SKIPPING the PostgreSQL crash test: " + msg + " (set OVERCAST_REQUIRE_POSTGRES=1 to make this a failure)")
	}
	return base
}

// freshSchema creates a schema of its own in the test database and drops it when the test
// ends; it returns a store URL whose search_path is that schema.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "overcast_crash_" + hex.EncodeToString(b[:])
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

func TestCrashPostgresTwoNodes(t *testing.T) {
	t.Parallel()
	store := freshSchema(t, postgresURL(t))
	a := harness.Start(t, harness.Options{Store: store, Clock: "virtual"})
	b := harness.Start(t, harness.Options{Store: store, Clock: "virtual"})
	runCrash(t, &cluster{nodes: []*harness.Server{a, b}})
}
