package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// lambdaESMCases returns the conformance cases of the Lambda event source mapping
// store methods.
func lambdaESMCases() []Case {
	return []Case{
		{"LambdaESMLifecycle", testLambdaESMLifecycle},
		{"LambdaESMList", testLambdaESMList},
	}
}

func esmRow(uuid, account, function, qualifier, source string) *store.LambdaESM {
	arn := "arn:aws:lambda:us-east-1:" + account + ":function:" + function
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return &store.LambdaESM{
		UUID: uuid, Account: account, Region: "us-east-1", Function: function, FunctionARN: arn,
		EventSourceARN: source, Enabled: true, ModifiedAt: lambdaT0, Config: `{"BatchSize":10}`,
	}
}

func testLambdaESMLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, region = "123456789012", "us-east-1"
	const q1, q2 = "arn:aws:sqs:us-east-1:123456789012:q1", "arn:aws:sqs:us-east-1:123456789012:q2"
	require.NoError(t, db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000001", acct, "f", "", q1)))
	// The same queue and function again conflict, whatever the UUID; another qualifier
	// or queue does not.
	err := db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000002", acct, "f", "", q1))
	require.ErrorIs(t, err, store.ErrConflict)
	require.NoError(t, db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000002", acct, "f", "live", q1)))
	require.NoError(t, db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000003", acct, "f", "", q2)))
	err = db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000003", acct, "g", "", q2))
	require.ErrorIs(t, err, store.ErrConflict)

	m, err := db.LambdaESMGet(ctx, acct, region, "00000000-0000-4000-8000-000000000001")
	require.NoError(t, err)
	require.Equal(t, esmRow("00000000-0000-4000-8000-000000000001", acct, "f", "", q1), m)
	_, err = db.LambdaESMGet(ctx, "210987654321", region, "00000000-0000-4000-8000-000000000001")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaESMGet(ctx, acct, "eu-west-1", "00000000-0000-4000-8000-000000000001")
	require.ErrorIs(t, err, store.ErrNotFound)

	m, err = db.LambdaESMUpdate(ctx, acct, region, "00000000-0000-4000-8000-000000000001", func(m *store.LambdaESM) error {
		m.Enabled, m.ModifiedAt, m.Config = false, lambdaT0+1000, `{"BatchSize":5}`
		return nil
	})
	require.NoError(t, err)
	require.False(t, m.Enabled)
	m, err = db.LambdaESMGet(ctx, acct, region, "00000000-0000-4000-8000-000000000001")
	require.NoError(t, err)
	require.False(t, m.Enabled)
	require.Equal(t, lambdaT0+1000, m.ModifiedAt)
	require.Equal(t, `{"BatchSize":5}`, m.Config)

	// Pointing a mapping at a function its queue already maps to conflicts and changes
	// nothing.
	_, err = db.LambdaESMUpdate(ctx, acct, region, "00000000-0000-4000-8000-000000000002", func(m *store.LambdaESM) error {
		m.FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:f"
		m.Config = "changed"
		return nil
	})
	require.ErrorIs(t, err, store.ErrConflict)
	m, err = db.LambdaESMGet(ctx, acct, region, "00000000-0000-4000-8000-000000000002")
	require.NoError(t, err)
	require.Equal(t, `{"BatchSize":10}`, m.Config)
	_, err = db.LambdaESMUpdate(ctx, acct, region, "00000000-0000-4000-8000-00000000000f", func(*store.LambdaESM) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	m, err = db.LambdaESMDelete(ctx, acct, region, "00000000-0000-4000-8000-000000000001")
	require.NoError(t, err)
	require.Equal(t, q1, m.EventSourceARN)
	_, err = db.LambdaESMDelete(ctx, acct, region, "00000000-0000-4000-8000-000000000001")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LambdaESMGet(ctx, acct, region, "00000000-0000-4000-8000-000000000001")
	require.ErrorIs(t, err, store.ErrNotFound)
	// Deleted, the pair may be mapped again.
	require.NoError(t, db.LambdaESMCreate(ctx, esmRow("00000000-0000-4000-8000-000000000004", acct, "f", "", q1)))
}

func testLambdaESMList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const acct, other = "123456789012", "210987654321"
	const q1, q2 = "arn:aws:sqs:us-east-1:123456789012:q1", "arn:aws:sqs:us-east-1:123456789012:q2"
	for _, m := range []*store.LambdaESM{
		esmRow("00000000-0000-4000-8000-000000000005", acct, "f", "", q1),
		esmRow("00000000-0000-4000-8000-000000000003", acct, "f", "1", q1),
		esmRow("00000000-0000-4000-8000-000000000004", acct, "g", "", q1),
		esmRow("00000000-0000-4000-8000-000000000001", acct, "g", "", q2),
		esmRow("00000000-0000-4000-8000-000000000002", other, "f", "", "arn:aws:sqs:us-east-1:210987654321:q1"),
	} {
		require.NoError(t, db.LambdaESMCreate(ctx, m))
	}
	uuids := func(p *store.LambdaESMListParams) []string {
		t.Helper()
		rows, err := db.LambdaESMList(ctx, p)
		require.NoError(t, err)
		var out []string
		for _, r := range rows {
			out = append(out, r.UUID[len(r.UUID)-1:])
		}
		return out
	}
	require.Equal(t, []string{"1", "3", "4", "5"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1"}))
	require.Empty(t, uuids(&store.LambdaESMListParams{Account: acct, Region: "eu-west-1"}))
	require.Equal(t, []string{"1", "2", "3", "4", "5"}, uuids(&store.LambdaESMListParams{}))
	require.Equal(t, []string{"3", "4", "5"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1", EventSourceARN: q1}))
	require.Equal(t, []string{"3", "5"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1", Function: "f"}))
	require.Equal(t, []string{"3"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1", FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:f:1"}))
	require.Equal(t, []string{"4"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1", Function: "g", EventSourceARN: q1}))
	require.Equal(t, []string{"3", "4"}, uuids(&store.LambdaESMListParams{Account: acct, Region: "us-east-1", After: "00000000-0000-4000-8000-000000000001", Limit: 2}))
}
