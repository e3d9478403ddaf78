package main

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/pattern"
)

// TestEventsRulePatterns checks the rule sets the PutEvents scenarios measure: every
// pattern is valid, and each event matches exactly the hot rules, so that the rule count
// changes the matching work and not the number of matches.
func TestEventsRulePatterns(t *testing.T) {
	t.Parallel()
	for _, rules := range []int{1, 100, 10_000} {
		t.Run(fmt.Sprint(rules), func(t *testing.T) {
			t.Parallel()
			m := pattern.NewMatcher[int]()
			for j := range rules {
				p, err := pattern.ParseEventPattern([]byte(eventsRulePattern(j)))
				require.NoError(t, err, "rule %d: %s", j, eventsRulePattern(j))
				m.Add(j, p)
			}
			for _, i := range []int{0, 1, 17, 4999, 123_456} {
				event := fmt.Sprintf(`{"version":"0","id":"e-%d","detail-type":"Order Placed","source":"bench.orders","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":%s}`,
					i, eventsDetail(i))
				got, err := m.Match([]byte(event), nil)
				require.NoError(t, err)
				require.Len(t, got, min(rules, eventsHotRules), "event %d matched %v", i, got)
				for _, j := range got {
					require.Less(t, j, eventsHotRules)
				}
			}
		})
	}
}

// TestEventsSNSCeiling runs the scenarios against the ceiling: its replies must satisfy
// the SDK, or the ceiling column would measure errors.
func TestEventsSNSCeiling(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(ceilingHandler([]*group{sqsGroup, eventsGroup, snsGroup}))
	t.Cleanup(srv.Close)
	tg := &target{name: targetCeiling, endpoint: srv.URL, fixed: true}
	sz := sizes{duration: 50 * time.Millisecond, maxOps: 200, messages: 100, deadline: 10 * time.Second}
	scs := append([]*scenario{eventsPutScenario(1), eventsPutScenario(100)}, snsGroup.scenarios...)
	for _, sc := range scs {
		t.Run(sc.id, func(t *testing.T) {
			t.Parallel()
			st, err := runScenario(t.Context(), sc, tg, sz, 100, "bench-test-"+strings.ReplaceAll(sc.id, ".", "-"))
			require.NoError(t, err)
			require.Zero(t, st.Errors, st.FirstError)
			require.Positive(t, st.Ops)
			require.Positive(t, st.Rate)
		})
	}
}

// TestEventsSlowTargetBounded checks that moto is never asked for 10,000 rules.
func TestEventsSlowTargetBounded(t *testing.T) {
	t.Parallel()
	tg := &target{name: targetMoto, endpoint: "http://127.0.0.1:1", slow: true}
	sz := sizes{duration: 50 * time.Millisecond, maxOps: 10, deadline: time.Second}
	_, err := runScenario(t.Context(), eventsPutScenario(10_000), tg, sz, 100, "bench-test")
	require.ErrorContains(t, err, "not run on moto")
}

func TestSNSParseBody(t *testing.T) {
	t.Parallel()
	raw := snsParseBody(100, true)
	i, err := raw(padBody("00000042 "))
	require.NoError(t, err)
	require.Equal(t, 42, i)
	_, err = raw("00000100 ")
	require.Error(t, err)
	env := snsParseBody(100, false)
	i, err = env(`{"Type":"Notification","MessageId":"m","Message":"00000007 ...."}`)
	require.NoError(t, err)
	require.Equal(t, 7, i)
	_, err = env(padBody("00000007 "))
	require.Error(t, err)
}
