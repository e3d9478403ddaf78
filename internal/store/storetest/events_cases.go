package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// eventsCases returns the conformance cases of the EventBridge store methods.
func eventsCases() []Case {
	return []Case{
		{"EventsResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, eventsResourceOps) }},
		{"EventsResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, eventsResourceOps) }},
	}
}

// resourceOps are one service's resource table methods.
type resourceOps struct {
	insert, put    func(tx *store.Tx, ctx context.Context, r *store.Resource) error
	get            func(tx *store.Tx, ctx context.Context, account, region, kind, parent, name string) (*store.Resource, error)
	list           func(tx *store.Tx, ctx context.Context, p *store.ResourceListParams) ([]*store.Resource, error)
	del            func(tx *store.Tx, ctx context.Context, account, region, kind, parent, name string) (bool, error)
	deleteChildren func(tx *store.Tx, ctx context.Context, account, region, kind, parent string) (int64, error)
}

var eventsResourceOps = resourceOps{
	insert: (*store.Tx).EventsResourceInsert, put: (*store.Tx).EventsResourcePut, get: (*store.Tx).EventsResourceGet,
	list: (*store.Tx).EventsResourceList, del: (*store.Tx).EventsResourceDelete, deleteChildren: (*store.Tx).EventsResourceDeleteChildren,
}

func testResourceLifecycle(t *testing.T, db *store.DB, ops resourceOps) {
	ctx := t.Context()
	r := &store.Resource{Account: "123456789012", Region: "us-east-1", Kind: "rule", Parent: "default", Name: "r1",
		Ref: "arn:x", Doc: `{"a":1}`, CreatedAt: 10, ModifiedAt: 10}
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error { return ops.insert(tx, ctx, r) }))
	err := db.Write(ctx, func(tx *store.Tx) error { return ops.insert(tx, ctx, r) })
	require.ErrorIs(t, err, store.ErrConflict)

	var got *store.Resource
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		var err error
		got, err = ops.get(tx, ctx, "123456789012", "us-east-1", "rule", "default", "r1")
		return err
	}))
	require.Equal(t, r, got)

	upd := *r
	upd.Doc, upd.Ref, upd.ModifiedAt, upd.CreatedAt = `{"a":2}`, "arn:y", 20, 99
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error { return ops.put(tx, ctx, &upd) }))
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		var err error
		got, err = ops.get(tx, ctx, "123456789012", "us-east-1", "rule", "default", "r1")
		return err
	}))
	require.Equal(t, `{"a":2}`, got.Doc)
	require.Equal(t, "arn:y", got.Ref)
	require.Equal(t, int64(10), got.CreatedAt, "an update keeps the creation time")
	require.Equal(t, int64(20), got.ModifiedAt)

	// Another region or parent is another resource.
	err = db.Read(ctx, func(tx *store.Tx) error {
		_, err := ops.get(tx, ctx, "123456789012", "eu-west-1", "rule", "default", "r1")
		return err
	})
	require.ErrorIs(t, err, store.ErrNotFound)

	var found bool
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		found, err = ops.del(tx, ctx, "123456789012", "us-east-1", "rule", "default", "r1")
		return err
	}))
	require.True(t, found)
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		found, err = ops.del(tx, ctx, "123456789012", "us-east-1", "rule", "default", "r1")
		return err
	}))
	require.False(t, found)
}

func testResourceList(t *testing.T, db *store.DB, ops resourceOps) {
	ctx := t.Context()
	put := func(kind, parent, name, ref string) {
		require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
			return ops.insert(tx, ctx, &store.Resource{Account: "123456789012", Region: "us-east-1", Kind: kind,
				Parent: parent, Name: name, Ref: ref, Doc: "{}", CreatedAt: 1, ModifiedAt: 1})
		}))
	}
	put("rule", "default", "b_rule", "")
	put("rule", "default", "a%rule", "")
	put("rule", "default", "ab", "")
	put("rule", "custom", "a1", "")
	put("target", "default/ab", "t1", "arn:q1")
	put("target", "custom/a1", "t1", "arn:q1")
	put("target", "custom/a1", "t2", "arn:q2")

	names := func(p *store.ResourceListParams) []string {
		var out []string
		require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
			rs, err := ops.list(tx, ctx, p)
			for _, r := range rs {
				out = append(out, r.Parent+"/"+r.Name)
			}
			return err
		}))
		return out
	}
	def := "default"
	base := store.ResourceListParams{Account: "123456789012", Region: "us-east-1", Kind: "rule"}
	p := base
	p.Parent = &def
	require.Equal(t, []string{"default/a%rule", "default/ab", "default/b_rule"}, names(&p))
	p.Prefix = "a%"
	require.Equal(t, []string{"default/a%rule"}, names(&p), "the prefix is literal")
	p.Prefix, p.After, p.Limit = "", "a%rule", 1
	require.Equal(t, []string{"default/ab"}, names(&p))
	all := base
	require.Equal(t, []string{"custom/a1", "default/a%rule", "default/ab", "default/b_rule"}, names(&all))
	all.After = "custom/a1"
	require.Len(t, names(&all), 3)
	refs := store.ResourceListParams{Account: "123456789012", Region: "us-east-1", Kind: "target", Ref: "arn:q1"}
	require.Equal(t, []string{"custom/a1/t1", "default/ab/t1"}, names(&refs))

	var n int64
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		n, err = ops.deleteChildren(tx, ctx, "123456789012", "us-east-1", "target", "custom/a1")
		return err
	}))
	require.Equal(t, int64(2), n)
	refs.Ref = ""
	require.Equal(t, []string{"default/ab/t1"}, names(&refs))
}
