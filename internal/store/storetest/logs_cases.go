package storetest

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// logsCases returns the conformance cases of the CloudWatch Logs store methods.
func logsCases() []Case {
	return []Case{
		{"LogsGroupLifecycle", testLogsGroupLifecycle},
		{"LogsGroupList", testLogsGroupList},
		{"LogsStreamLifecycle", testLogsStreamLifecycle},
		{"LogsStreamList", testLogsStreamList},
		{"LogsEventAppendAndList", testLogsEventAppendAndList},
		{"LogsEventGroupList", testLogsEventGroupList},
		{"LogsEventAppendToDeleted", testLogsEventAppendToDeleted},
		{"LogsStreamEnsureConcurrent", testLogsStreamEnsureConcurrent},
		{"LogsSweep", testLogsSweep},
		{"LogsGroupDeleteResources", testLogsGroupDeleteResources},
		{"LogsResourceLifecycle", func(t *testing.T, db *store.DB) { testResourceLifecycle(t, db, logsResourceOps) }},
		{"LogsResourceList", func(t *testing.T, db *store.DB) { testResourceList(t, db, logsResourceOps) }},
	}
}

// logsT0 is the time the Logs cases start at (unix milliseconds).
const logsT0 = int64(1_772_366_400_000)

// MustLogsGroup creates a log group in account 123456789012, us-east-1.
func MustLogsGroup(tb testing.TB, db *store.DB, name string) *store.LogsGroup {
	tb.Helper()
	g, err := db.LogsGroupCreate(tb.Context(), &store.LogsGroupCreateParams{
		Account: "123456789012", Region: "us-east-1", Name: name, Now: logsT0,
	})
	require.NoError(tb, err)
	return g
}

// MustLogsStream creates a log stream in g.
func MustLogsStream(tb testing.TB, db *store.DB, g *store.LogsGroup, name string) *store.LogsStream {
	tb.Helper()
	s, err := db.LogsStreamCreate(tb.Context(), g.ID, name, logsT0+1)
	require.NoError(tb, err)
	return s
}

// MustLogsAppend appends messages with the given timestamps at now.
func MustLogsAppend(tb testing.TB, db *store.DB, s *store.LogsStream, now int64, ts []int64, msgs ...string) *store.LogsStream {
	tb.Helper()
	p := &store.LogsEventAppendParams{StreamID: s.ID, Now: now}
	for i, m := range msgs {
		p.Events = append(p.Events, store.LogsNewEvent{Timestamp: ts[i], Message: m})
	}
	out, err := db.LogsEventAppend(tb.Context(), p)
	require.NoError(tb, err)
	return out
}

func logsMessages(evs []*store.LogsEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Message
	}
	return out
}

func testLogsGroupLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "/aws/lambda/fn")
	require.Equal(t, "STANDARD", g.Class)
	require.Equal(t, "{}", g.Tags)
	require.Equal(t, logsT0, g.CreatedAt)
	require.Zero(t, g.RetentionDays)
	require.Zero(t, g.StoredBytes)

	_, err := db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{Account: g.Account, Region: g.Region, Name: g.Name, Now: logsT0 + 5})
	require.ErrorIs(t, err, store.ErrConflict)

	// The same name in another account or region is another group.
	other, err := db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{Account: "210987654321", Region: g.Region, Name: g.Name, Now: logsT0})
	require.NoError(t, err)
	require.NotEqual(t, g.ID, other.ID)
	_, err = db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{Account: g.Account, Region: "eu-west-1", Name: g.Name, Now: logsT0})
	require.NoError(t, err)

	full, err := db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{
		Account: g.Account, Region: g.Region, Name: "full", KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k",
		Class: "INFREQUENT_ACCESS", DeletionProtection: true, Tags: `{"a":"1"}`, Now: logsT0,
	})
	require.NoError(t, err)
	require.Equal(t, "INFREQUENT_ACCESS", full.Class)
	require.True(t, full.DeletionProtection)
	require.Equal(t, `{"a":"1"}`, full.Tags)
	require.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k", full.KMSKeyID)

	mod, err := db.LogsGroupModify(ctx, g.ID, func(g *store.LogsGroup) error {
		g.RetentionDays = 7
		g.Tags = `{"team":"x"}`
		g.DeletionProtection = true
		return nil
	})
	require.NoError(t, err)
	require.EqualValues(t, 7, mod.RetentionDays)
	got, err := db.LogsGroupGet(ctx, g.Account, g.Region, g.Name)
	require.NoError(t, err)
	require.EqualValues(t, 7, got.RetentionDays)
	require.Equal(t, `{"team":"x"}`, got.Tags)
	require.True(t, got.DeletionProtection)

	// An error from fn leaves the group as it was.
	_, err = db.LogsGroupModify(ctx, g.ID, func(g *store.LogsGroup) error {
		g.RetentionDays = 1
		return store.ErrPreconditionFailed
	})
	require.ErrorIs(t, err, store.ErrPreconditionFailed)
	got, err = db.LogsGroupGet(ctx, g.Account, g.Region, g.Name)
	require.NoError(t, err)
	require.EqualValues(t, 7, got.RetentionDays)

	// Stored bytes add up the group's streams.
	s := MustLogsStream(t, db, g, "s")
	MustLogsAppend(t, db, s, logsT0+10, []int64{logsT0, logsT0}, "12345", "678")
	got, err = db.LogsGroupGet(ctx, g.Account, g.Region, g.Name)
	require.NoError(t, err)
	require.EqualValues(t, 8, got.StoredBytes)

	require.NoError(t, db.LogsGroupDelete(ctx, g.ID))
	_, err = db.LogsGroupGet(ctx, g.Account, g.Region, g.Name)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, db.LogsGroupDelete(ctx, g.ID), store.ErrNotFound)
	_, err = db.LogsStreamGet(ctx, g.ID, "s")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LogsGroupModify(ctx, g.ID, func(*store.LogsGroup) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	// A new group of the same name starts empty.
	again := MustLogsGroup(t, db, g.Name)
	require.Zero(t, again.StoredBytes)
	_, err = db.LogsStreamCreate(ctx, again.ID, "s", logsT0)
	require.NoError(t, err)
}

func testLogsGroupList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	names := []string{"/aws/lambda/b", "/aws/lambda/a", "App", "app", "app.web", "Zeta", "/other/Lambda"}
	for _, n := range names {
		MustLogsGroup(t, db, n)
	}
	_, err := db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{Account: "123456789012", Region: "us-east-1", Name: "cold", Class: "INFREQUENT_ACCESS", Now: logsT0})
	require.NoError(t, err)
	_, err = db.LogsGroupCreate(ctx, &store.LogsGroupCreateParams{Account: "999999999999", Region: "us-east-1", Name: "foreign", Now: logsT0})
	require.NoError(t, err)

	list := func(p store.LogsGroupListParams) []string {
		t.Helper()
		p.Account, p.Region = "123456789012", "us-east-1"
		if p.Limit == 0 {
			p.Limit = 100
		}
		gs, err := db.LogsGroupList(ctx, &p)
		require.NoError(t, err)
		out := make([]string, len(gs))
		for i, g := range gs {
			out[i] = g.Name
		}
		return out
	}
	// Byte order: '/' < upper case < lower case.
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b", "/other/Lambda", "App", "Zeta", "app", "app.web", "cold"}, list(store.LogsGroupListParams{}))
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b"}, list(store.LogsGroupListParams{Prefix: "/aws/"}))
	require.Equal(t, []string{"app", "app.web"}, list(store.LogsGroupListParams{Prefix: "app"}))
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b"}, list(store.LogsGroupListParams{Contains: "lambda"}))
	require.Equal(t, []string{"/other/Lambda"}, list(store.LogsGroupListParams{Contains: "Lambda"}))
	require.Equal(t, []string{"App", "app"}, list(store.LogsGroupListParams{Names: []string{"app", "App", "missing"}}))
	require.Equal(t, []string{"cold"}, list(store.LogsGroupListParams{Class: "INFREQUENT_ACCESS"}))
	require.Equal(t, []string{"/aws/lambda/a", "/aws/lambda/b"}, list(store.LogsGroupListParams{Limit: 2}))
	require.Equal(t, []string{"/other/Lambda", "App"}, list(store.LogsGroupListParams{After: "/aws/lambda/b", Limit: 2}))
	require.Empty(t, list(store.LogsGroupListParams{After: "cold"}))
}

func testLogsStreamLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "g")
	_, err := db.LogsStreamCreate(ctx, g.ID+1000, "s", logsT0)
	require.ErrorIs(t, err, store.ErrNotFound)

	s := MustLogsStream(t, db, g, "2026/03/01/[$LATEST]abc")
	require.Equal(t, g.ID, s.GroupID)
	require.Equal(t, logsT0+1, s.CreatedAt)
	require.False(t, s.HasEvents())
	_, err = db.LogsStreamCreate(ctx, g.ID, s.Name, logsT0)
	require.ErrorIs(t, err, store.ErrConflict)

	// A stream name may be the same in another group.
	g2 := MustLogsGroup(t, db, "g2")
	MustLogsStream(t, db, g2, s.Name)

	got, err := db.LogsStreamGet(ctx, g.ID, s.Name)
	require.NoError(t, err)
	require.Equal(t, s, got)

	require.NoError(t, db.LogsStreamDelete(ctx, g.ID, s.Name))
	require.ErrorIs(t, db.LogsStreamDelete(ctx, g.ID, s.Name), store.ErrNotFound)
	_, err = db.LogsStreamGet(ctx, g.ID, s.Name)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LogsStreamGet(ctx, g2.ID, s.Name)
	require.NoError(t, err)
}

func testLogsStreamList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "g")
	last := map[string]int64{"a": 300, "B": 100, "c": 200, "a2": 0}
	for _, n := range []string{"c", "a", "B", "a2"} {
		s := MustLogsStream(t, db, g, n)
		if ts := last[n]; ts > 0 {
			MustLogsAppend(t, db, s, logsT0, []int64{ts}, "m")
		}
	}
	list := func(p store.LogsStreamListParams) []string {
		t.Helper()
		p.GroupID = g.ID
		if p.Limit == 0 {
			p.Limit = 100
		}
		ss, err := db.LogsStreamList(ctx, &p)
		require.NoError(t, err)
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = s.Name
		}
		return out
	}
	require.Equal(t, []string{"B", "a", "a2", "c"}, list(store.LogsStreamListParams{}))
	require.Equal(t, []string{"c", "a2", "a", "B"}, list(store.LogsStreamListParams{Descending: true}))
	require.Equal(t, []string{"a", "a2"}, list(store.LogsStreamListParams{Prefix: "a"}))
	require.Equal(t, []string{"a2", "c"}, list(store.LogsStreamListParams{After: &store.LogsStreamCursor{Name: "a"}}))
	require.Equal(t, []string{"a", "B"}, list(store.LogsStreamListParams{Descending: true, After: &store.LogsStreamCursor{Name: "a2"}}))
	require.Equal(t, []string{"a2", "B", "c", "a"}, list(store.LogsStreamListParams{ByLastEvent: true}))
	require.Equal(t, []string{"a", "c", "B", "a2"}, list(store.LogsStreamListParams{ByLastEvent: true, Descending: true}))
	require.Equal(t, []string{"c", "a"}, list(store.LogsStreamListParams{ByLastEvent: true, After: &store.LogsStreamCursor{LastEventAt: 100, Name: "B"}}))
	require.Equal(t, []string{"B"}, list(store.LogsStreamListParams{ByLastEvent: true, Descending: true, Limit: 1, After: &store.LogsStreamCursor{LastEventAt: 200, Name: "c"}}))
	require.Equal(t, []string{"B"}, list(store.LogsStreamListParams{Limit: 1}))
}

func testLogsEventAppendAndList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "g")
	s := MustLogsStream(t, db, g, "s")

	// Appends with nothing in them only count.
	s2, err := db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: s.ID, Now: logsT0 + 1})
	require.NoError(t, err)
	require.EqualValues(t, 1, s2.Seq)
	require.False(t, s2.HasEvents())

	s2 = MustLogsAppend(t, db, s, logsT0+100, []int64{logsT0 + 20, logsT0 + 30}, "b", "c")
	require.EqualValues(t, 2, s2.Seq)
	require.Equal(t, logsT0+20, s2.FirstEventAt)
	require.Equal(t, logsT0+30, s2.LastEventAt)
	require.Equal(t, logsT0+100, s2.LastIngestionAt)
	// A later batch may hold older events: the first event time moves back.
	odd := "nul\x00 and ünïcødé"
	s2 = MustLogsAppend(t, db, s, logsT0+200, []int64{logsT0 + 10, logsT0 + 30, logsT0 + 40}, "a", "c2", odd)
	require.Equal(t, logsT0+10, s2.FirstEventAt)
	require.Equal(t, logsT0+40, s2.LastEventAt)
	require.Equal(t, logsT0+200, s2.LastIngestionAt)
	require.EqualValues(t, 1+1+1+2+len(odd), s2.StoredBytes)

	list := func(p store.LogsEventListParams) []*store.LogsEvent {
		t.Helper()
		p.StreamID = s.ID
		if p.End == 0 {
			p.End = math.MaxInt64
		}
		if p.Limit == 0 {
			p.Limit = 100
		}
		evs, err := db.LogsEventList(ctx, &p)
		require.NoError(t, err)
		return evs
	}
	all := list(store.LogsEventListParams{})
	require.Equal(t, []string{"a", "b", "c", "c2", odd}, logsMessages(all))
	require.Equal(t, "s", all[0].StreamName)
	require.Equal(t, logsT0+200, all[0].IngestedAt)
	require.Equal(t, logsT0+100, all[1].IngestedAt)
	require.Equal(t, []string{odd, "c2", "c", "b", "a"}, logsMessages(list(store.LogsEventListParams{Descending: true})))
	require.Equal(t, []string{"b", "c", "c2"}, logsMessages(list(store.LogsEventListParams{Start: logsT0 + 20, End: logsT0 + 40})))
	c := all[2].Cursor() // "c"
	require.Equal(t, []string{"c2", odd}, logsMessages(list(store.LogsEventListParams{After: &c})))
	require.Equal(t, []string{"b", "a"}, logsMessages(list(store.LogsEventListParams{Before: &c, Descending: true})))
	require.Equal(t, []string{"c2"}, logsMessages(list(store.LogsEventListParams{After: &c, Limit: 1})))

	// A batch larger than one INSERT statement.
	big := MustLogsStream(t, db, g, "big")
	var ts []int64
	var msgs []string
	for i := 0; i < 1234; i++ {
		ts = append(ts, logsT0+int64(i))
		msgs = append(msgs, fmt.Sprintf("event %04d", i))
	}
	MustLogsAppend(t, db, big, logsT0+5000, ts, msgs...)
	evs, err := db.LogsEventList(ctx, &store.LogsEventListParams{StreamID: big.ID, End: math.MaxInt64, Limit: 2000})
	require.NoError(t, err)
	require.Equal(t, msgs, logsMessages(evs))
}

func testLogsEventGroupList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "g")
	a := MustLogsStream(t, db, g, "app-1")
	b := MustLogsStream(t, db, g, "app-2")
	w := MustLogsStream(t, db, g, "web")
	MustLogsAppend(t, db, a, logsT0, []int64{1, 4}, "a1", "a4")
	MustLogsAppend(t, db, b, logsT0, []int64{2, 4}, "b2", "b4")
	MustLogsAppend(t, db, w, logsT0, []int64{3}, "w3")
	other := MustLogsGroup(t, db, "other")
	MustLogsAppend(t, db, MustLogsStream(t, db, other, "app-1"), logsT0, []int64{1}, "x")

	list := func(p store.LogsEventListParams) []string {
		t.Helper()
		p.GroupID = g.ID
		if p.End == 0 {
			p.End = math.MaxInt64
		}
		p.Limit = 100
		evs, err := db.LogsEventList(ctx, &p)
		require.NoError(t, err)
		out := make([]string, len(evs))
		for i, e := range evs {
			out[i] = e.StreamName + ":" + e.Message
		}
		return out
	}
	require.Equal(t, []string{"app-1:a1", "app-2:b2", "web:w3", "app-1:a4", "app-2:b4"}, list(store.LogsEventListParams{}))
	require.Equal(t, []string{"app-1:a1", "app-2:b2", "app-1:a4", "app-2:b4"}, list(store.LogsEventListParams{StreamPrefix: "app"}))
	require.Equal(t, []string{"app-2:b2", "web:w3", "app-2:b4"}, list(store.LogsEventListParams{StreamNames: []string{"web", "app-2", "none"}}))
	require.Equal(t, []string{"app-2:b2", "web:w3"}, list(store.LogsEventListParams{Start: 2, End: 4}))
}

func testLogsEventAppendToDeleted(t *testing.T, db *store.DB) {
	ctx := t.Context()
	g := MustLogsGroup(t, db, "g")
	s := MustLogsStream(t, db, g, "s")
	require.NoError(t, db.LogsStreamDelete(ctx, g.ID, "s"))
	_, err := db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: s.ID, Now: logsT0, Events: []store.LogsNewEvent{{Timestamp: 1, Message: "x"}}})
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: s.ID, Now: logsT0})
	require.ErrorIs(t, err, store.ErrNotFound)

	s = MustLogsStream(t, db, g, "s2")
	require.NoError(t, db.LogsGroupDelete(ctx, g.ID))
	_, err = db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: s.ID, Now: logsT0, Events: []store.LogsNewEvent{{Timestamp: 1, Message: "x"}}})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLogsStreamEnsureConcurrent(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const workers = 8
	var wg sync.WaitGroup
	ids := make([]int64, workers)
	errs := make([]error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := db.LogsStreamEnsure(ctx, &store.LogsStreamEnsureParams{
				Account: "123456789012", Region: "us-east-1", Group: "/aws/lambda/fn", Stream: "2026/03/01/[$LATEST]x", Now: logsT0 + int64(i),
			})
			errs[i] = err
			if err == nil {
				ids[i] = s.ID
				_, errs[i] = db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: s.ID, Now: logsT0, Events: []store.LogsNewEvent{{Timestamp: int64(i), Message: fmt.Sprint(i)}}})
			}
		}()
	}
	wg.Wait()
	for i := range workers {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
	}
	g, err := db.LogsGroupGet(ctx, "123456789012", "us-east-1", "/aws/lambda/fn")
	require.NoError(t, err)
	require.Equal(t, "STANDARD", g.Class)
	require.EqualValues(t, workers, g.StoredBytes)
	evs, err := db.LogsEventList(ctx, &store.LogsEventListParams{StreamID: ids[0], End: math.MaxInt64, Limit: 100})
	require.NoError(t, err)
	require.Len(t, evs, workers)

	// An existing group and stream are returned as they are.
	s, err := db.LogsStreamEnsure(ctx, &store.LogsStreamEnsureParams{Account: "123456789012", Region: "us-east-1", Group: "/aws/lambda/fn", Stream: "2026/03/01/[$LATEST]x", Now: logsT0 + 99})
	require.NoError(t, err)
	require.Equal(t, ids[0], s.ID)
	require.EqualValues(t, workers, s.Seq)
}

func testLogsSweep(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const day = int64(24 * 60 * 60 * 1000)
	kept := MustLogsGroup(t, db, "forever")
	short := MustLogsGroup(t, db, "short")
	_, err := db.LogsGroupModify(ctx, short.ID, func(g *store.LogsGroup) error { g.RetentionDays = 1; return nil })
	require.NoError(t, err)
	ks := MustLogsStream(t, db, kept, "s")
	ss := MustLogsStream(t, db, short, "s")
	ss2 := MustLogsStream(t, db, short, "s2")
	MustLogsAppend(t, db, ks, logsT0, []int64{logsT0 - 10*day}, "old but kept")
	MustLogsAppend(t, db, ss, logsT0, []int64{logsT0 - 2*day, logsT0 - 2*day + 1, logsT0 - day/2}, "old1", "old2", "fresh")
	MustLogsAppend(t, db, ss2, logsT0, []int64{logsT0 - 3*day}, "older")

	// One event per group per call.
	n, err := db.LogsSweep(ctx, &store.LogsSweepParams{Now: logsT0, Limit: 1})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	n, err = db.LogsSweep(ctx, &store.LogsSweepParams{Now: logsT0, Limit: 100})
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	n, err = db.LogsSweep(ctx, &store.LogsSweepParams{Now: logsT0, Limit: 100})
	require.NoError(t, err)
	require.Zero(t, n)

	evs, err := db.LogsEventList(ctx, &store.LogsEventListParams{GroupID: short.ID, End: math.MaxInt64, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, []string{"fresh"}, logsMessages(evs))
	got, err := db.LogsStreamGet(ctx, short.ID, "s")
	require.NoError(t, err)
	require.EqualValues(t, len("fresh"), got.StoredBytes)
	require.Equal(t, logsT0-day/2, got.FirstEventAt)
	// A stream whose every event expired stays, with nothing stored.
	got, err = db.LogsStreamGet(ctx, short.ID, "s2")
	require.NoError(t, err)
	require.Zero(t, got.StoredBytes)
	g, err := db.LogsGroupGet(ctx, "123456789012", "us-east-1", "forever")
	require.NoError(t, err)
	require.EqualValues(t, len("old but kept"), g.StoredBytes)
}
