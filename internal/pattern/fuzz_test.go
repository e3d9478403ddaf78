package pattern

import (
	"errors"
	"slices"
	"testing"
)

var fuzzPatterns = []string{
	`{"source":["aws.ec2"],"detail":{"state":[{"anything-but":"initializing"}]}}`,
	`{"time":[{"prefix":"2017-10-02"}],"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}`,
	`{"$or":[{"a":[{"wildcard":"x*y"}]},{"b":[{"exists":false}]}],"c":[{"suffix":{"equals-ignore-case":"Z"}}]}`,
	`{"a":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}],"b":[null,true,1e3,""]}`,
	`{"a" [1]}`,
	`{"a":[{"numeric":[">",1.1234567]}]}`,
}

var fuzzEvents = []string{
	`{"source":"aws.ec2","time":"2017-10-02T00:00:00Z","detail":{"state":"running","c-count":5,"source-ip":"10.1.2.3"}}`,
	`{"a":["xzy",{"q":1}],"b":null,"c":"aaz","arr":[{"x":1,"y":[2,3]},{"x":"\u00e9"}]}`,
	`{"a":1e400,"b":-0.0000001,"c":"2001:db8::1"}`,
}

func FuzzParseEventPattern(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := ParseEventPattern(doc)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message() == "" {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if _, err := p.Matches([]byte(fuzzEvents[0])); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseFilterPolicy(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add([]byte(p), true)
	}
	f.Add([]byte(`{"a":{"b":["c"]}}`), false)
	f.Fuzz(func(t *testing.T, doc []byte, body bool) {
		scope := ScopeMessageAttributes
		if body {
			scope = ScopeMessageBody
		}
		p, err := ParseFilterPolicy(doc, scope)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message() == "" || pe.SubscribeMessage() == "" {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		p.MatchesAttributes(map[string]AttributeValue{"a": {DataType: "String.Array", StringValue: string(doc)}})
	})
}

// FuzzMatch checks that matching never panics and that a Matcher agrees
// with rule-by-rule evaluation on arbitrary patterns and events.
func FuzzMatch(f *testing.F) {
	for _, p := range fuzzPatterns {
		for _, e := range fuzzEvents {
			f.Add([]byte(p), []byte(e))
		}
	}
	f.Fuzz(func(t *testing.T, doc, event []byte) {
		p, err := ParseEventPattern(doc)
		if err != nil {
			return
		}
		want, err := p.Matches(event)
		m := NewMatcher[int]()
		m.Add(1, p)
		got, merr := m.Match(event, nil)
		if (err == nil) != (merr == nil) {
			t.Fatalf("errors differ: %v / %v", err, merr)
		}
		if err == nil && want != slices.Equal(got, []int{1}) {
			t.Fatalf("pattern %s event %s: rule by rule %v, matcher %v", doc, event, want, got)
		}
	})
}
