package sqs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// testAccount and testRegion are the caller of every test request.
const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// testBundle is a service on a fresh SQLite store with a virtual clock.
type testBundle struct {
	svc   *Service
	db    *store.DB
	clock *clock.Virtual
	ctx   context.Context
}

func setup(t *testing.T, cfgs ...Config) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{Ephemeral: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	svc := New(Deps{Store: db, Clock: clk, Config: cfg})
	ctx := callContext(t.Context(), testAccount)
	return &testBundle{svc: svc, db: db, clock: clk, ctx: ctx}
}

// callContext returns ctx carrying a call from account over path-style HTTP.
func callContext(ctx context.Context, account string) context.Context {
	return protocol.WithCall(ctx, &protocol.Call{
		Account: account, Region: testRegion, Scheme: "http", Host: "localhost:4566", Protocol: protocol.JSON,
	})
}

// MustCreate creates a queue and returns its URL.
func (b *testBundle) MustCreate(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: &name, Attributes: attrs})
	require.NoError(t, err)
	return *out.QueueURL
}

// MustSend sends body and returns the output.
func (b *testBundle) MustSend(t *testing.T, url, body string, mod ...func(*SendMessageInput)) *SendMessageOutput {
	t.Helper()
	in := &SendMessageInput{QueueURL: &url, MessageBody: &body}
	for _, m := range mod {
		m(in)
	}
	out, err := b.svc.SendMessage(b.ctx, in)
	require.NoError(t, err)
	return out
}

// MustReceive receives with in's settings (QueueUrl filled in).
func (b *testBundle) MustReceive(t *testing.T, url string, in *ReceiveMessageInput) []*Message {
	t.Helper()
	if in == nil {
		in = &ReceiveMessageInput{}
	}
	in.QueueURL = &url
	out, err := b.svc.ReceiveMessage(b.ctx, in)
	require.NoError(t, err)
	return out.Messages
}

// attrs answers GetQueueAttributes All.
func (b *testBundle) attrs(t *testing.T, url string) map[string]string {
	t.Helper()
	out, err := b.svc.GetQueueAttributes(b.ctx, &GetQueueAttributesInput{QueueURL: &url, AttributeNames: []string{"All"}})
	require.NoError(t, err)
	return out.Attributes
}

// RequireCode asserts err is an API error with code.
func RequireCode(t *testing.T, err error, code string) *protocol.Error {
	t.Helper()
	require.Error(t, err)
	var perr *protocol.Error
	require.True(t, errors.As(err, &perr), "not an API error: %v", err)
	// Unmodeled errors are named by their query code ("InvalidParameterValue"), as clients
	// read them from x-amzn-query-error.
	if perr.Code != code {
		require.Equal(t, code, perr.WireQueryCode(), perr.Message)
	}
	return perr
}

func i32(n int32) *int32   { return &n }
func str(s string) *string { return &s }
