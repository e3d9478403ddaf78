package sns

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// recordingQueues is a QueueSender that keeps what it is sent, by queue ARN.
type recordingQueues struct {
	mu   sync.Mutex
	msgs map[string][]*QueueMessage
}

func (r *recordingQueues) SendToQueue(_ context.Context, arn string, m *QueueMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.msgs == nil {
		r.msgs = map[string][]*QueueMessage{}
	}
	r.msgs[arn] = append(r.msgs[arn], m)
	return nil
}

func (r *recordingQueues) get(arn string) []*QueueMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*QueueMessage(nil), r.msgs[arn]...)
}

// testBundle is a started service on a fresh SQLite store with a virtual clock and a
// running dispatcher.
type testBundle struct {
	svc    *Service
	db     *store.DB
	clock  *clock.Virtual
	queues *recordingQueues
	ctx    context.Context
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	return setupStore(t, store.Options{Ephemeral: true})
}

// setupStore is setup on a store opened with opts; deps, when given, adjust the service's
// dependencies.
func setupStore(t testing.TB, opts store.Options, deps ...func(*Deps)) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	d := delivery.New(delivery.Config{Store: db, Clock: clk, RandFunc: func() float64 { return 0 }})
	q := &recordingQueues{}
	dd := Deps{Store: db, Clock: clk, Dispatcher: d, Queues: q}
	for _, f := range deps {
		f(&dd)
	}
	svc := New(dd)
	require.NoError(t, svc.Start(t.Context()))
	require.NoError(t, d.Start(t.Context()))
	t.Cleanup(func() {
		d.Stop()
		svc.Stop()
	})
	ctx := protocol.WithCall(t.Context(), &protocol.Call{
		Account: testAccount, Region: testRegion, Scheme: "http", Host: "localhost:4566", Protocol: protocol.Query,
	})
	return &testBundle{svc: svc, db: db, clock: clk, queues: q, ctx: ctx}
}

func (b *testBundle) MustTopic(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	out, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: &name, Attributes: attrs})
	require.NoError(t, err)
	return *out.TopicARN
}

func (b *testBundle) MustSubscribe(t testing.TB, topic, proto, endpoint string, attrs map[string]string) string {
	t.Helper()
	out, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &topic, Protocol: &proto, Endpoint: &endpoint, Attributes: attrs, ReturnSubscriptionARN: new(true)})
	require.NoError(t, err)
	return *out.SubscriptionARN
}

func queueARN(name string) string {
	return "arn:aws:sqs:" + testRegion + ":" + testAccount + ":" + name
}

// requireCode asserts err is a protocol error with code.
func requireCode(t *testing.T, err error, code string) *protocol.Error {
	t.Helper()
	require.Error(t, err)
	var perr *protocol.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, code, perr.Code, perr.Message)
	return perr
}

// verifySignature checks an SNS message's signature against certPEM, building the
// canonical string as AWS documents for each message type.
func verifySignature(t *testing.T, msg map[string]any, certPEM []byte) {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	str := func(k string) string { s, _ := msg[k].(string); return s }
	var keys []string
	if str("Type") == "Notification" {
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range keys {
		if _, ok := msg[k]; !ok {
			continue
		}
		b.WriteString(k + "\n" + str(k) + "\n")
	}
	sig, err := base64.StdEncoding.DecodeString(str("Signature"))
	require.NoError(t, err)
	pub := cert.PublicKey.(*rsa.PublicKey)
	switch str("SignatureVersion") {
	case "1":
		sum := sha1.Sum([]byte(b.String()))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig))
	case "2":
		sum := sha256.Sum256([]byte(b.String()))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig))
	default:
		t.Fatalf("unknown SignatureVersion %q", str("SignatureVersion"))
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}
