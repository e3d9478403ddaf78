package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOrderChecker(t *testing.T) {
	t.Parallel()
	type step struct {
		// got lists the (group, seq) pairs of one receive, in order.
		got [][2]int
		// keep leaves the receive undeleted (a consumer still holds it).
		keep bool
	}
	tests := []struct {
		name     string
		unsent   [][2]int
		steps    []step
		want     int
		wantDups int
	}{
		{
			name:  "one at a time in order",
			steps: []step{{got: [][2]int{{0, 0}}}, {got: [][2]int{{0, 1}}}, {got: [][2]int{{0, 2}}}},
		},
		{
			name:  "batches in order across groups",
			steps: []step{{got: [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}}}, {got: [][2]int{{1, 2}, {0, 2}}}},
		},
		{
			name:  "later message first",
			steps: []step{{got: [][2]int{{0, 1}}}, {got: [][2]int{{0, 0}}}, {got: [][2]int{{0, 2}}}},
			want:  2,
		},
		{
			name:  "reordered inside one receive",
			steps: []step{{got: [][2]int{{0, 0}, {0, 2}, {0, 1}}}},
			want:  2,
		},
		{
			name:  "next message served while the previous is held",
			steps: []step{{got: [][2]int{{0, 0}}, keep: true}, {got: [][2]int{{0, 1}}}},
			want:  1,
		},
		{
			name:  "other group served while one is held",
			steps: []step{{got: [][2]int{{0, 0}}, keep: true}, {got: [][2]int{{1, 0}}}},
		},
		{
			name:   "failed send skipped",
			unsent: [][2]int{{0, 1}},
			steps:  []step{{got: [][2]int{{0, 0}}}, {got: [][2]int{{0, 2}}}},
		},
		{
			name:     "redelivery is a duplicate, not a violation",
			steps:    []step{{got: [][2]int{{0, 0}}}, {got: [][2]int{{0, 0}}}, {got: [][2]int{{0, 1}}}},
			wantDups: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const groups, perGroup = 2, 5
			tr := newTracker(groups*perGroup, false)
			for i := range groups * perGroup {
				tr.markSent(i)
			}
			for _, u := range tt.unsent {
				tr.state[u[0]*perGroup+u[1]].Store(msgPending)
				tr.markUnsent(u[0]*perGroup + u[1])
			}
			oc := newOrderChecker(tr, groups, perGroup)
			for _, st := range tt.steps {
				var ds []delivery
				var nums []int
				for _, m := range st.got {
					i := m[0]*perGroup + m[1]
					ds = append(ds, delivery{i: i, first: tr.received(i)})
					nums = append(nums, i)
				}
				oc.check(ds)
				if !st.keep {
					for _, i := range nums {
						tr.deleting(i)
					}
					tr.deletedAll(nums)
				}
			}
			require.Equal(t, tt.want, oc.count())
			require.Equal(t, tt.wantDups, tr.result().duplicates)
		})
	}
}

func TestTrackerAccounting(t *testing.T) {
	t.Parallel()
	tr := newTracker(6, false)
	tr.markSent(0)
	tr.markSent(1)
	tr.markSent(2)
	tr.markUnsent(3)
	// Message 4 is delivered before its send answers; 5 is never sent.
	require.True(t, tr.received(4))
	tr.markSent(4)
	require.True(t, tr.received(0))
	require.False(t, tr.received(0))
	require.True(t, tr.received(1))
	tr.deletedAll([]int{0, 4})

	res := tr.result()
	require.Equal(t, 2, res.ops)
	require.Equal(t, 1, res.duplicates)
	// 2 was sent and never received; 1 was received and not deleted; 3 failed; 5 pending.
	require.Equal(t, 1, res.lost)

	tr.sendDone.Store(true)
	tr.deletedAll([]int{1})
	select {
	case <-tr.finished:
		t.Fatal("finished with message 2 outstanding")
	default:
	}
	// An unsent message that arrives after all is counted like any other.
	require.True(t, tr.received(3))
	require.True(t, tr.received(2))
	tr.deletedAll([]int{2, 3})
	require.Equal(t, 0, tr.result().lost)
	tr.state[5].Store(msgUnsent)
	tr.unsent.Add(1)
	tr.check()
	select {
	case <-tr.finished:
	default:
		t.Fatal("not finished with every message deleted")
	}
}

func TestParseFIFOBody(t *testing.T) {
	t.Parallel()
	g, s, err := parseFIFOBody(padBody("07 000123 "))
	require.NoError(t, err)
	require.Equal(t, 7, g)
	require.Equal(t, 123, s)
	for _, bad := range []string{"", "07", "07-000123 ", "xx 000123 ", "07 00012x "} {
		_, _, err := parseFIFOBody(bad)
		require.Error(t, err, bad)
	}
}

// TestSQSCeiling runs every SQS scenario against the zero-work server: its replies must
// satisfy the SDK, including its MD5 checks, or the ceiling would measure errors.
func TestSQSCeiling(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(ceilingHandler([]*group{sqsGroup}))
	t.Cleanup(srv.Close)
	tg := &target{name: targetCeiling, endpoint: srv.URL, fixed: true}
	sz := sizes{duration: 50 * time.Millisecond, maxOps: 200, messages: 95, fifoMessages: 40, deadline: 10 * time.Second}
	for _, sc := range sqsGroup.scenarios {
		t.Run(sc.id, func(t *testing.T) {
			t.Parallel()
			st, err := runScenario(t.Context(), sc, tg, sz, 100, "bench-test-"+sc.id)
			require.NoError(t, err)
			require.Zero(t, st.Errors, st.FirstError)
			require.Positive(t, st.Ops)
			require.LessOrEqual(t, st.Ops, sz.maxOps)
			if sc.checks {
				want := sz.messages
				if sc.order {
					want = sz.fifoMessages
				}
				require.Equal(t, want, st.Ops)
			}
			if sc.latency {
				require.Positive(t, st.P50MS)
				require.GreaterOrEqual(t, st.P99MS, st.P50MS)
			}
		})
	}
}
