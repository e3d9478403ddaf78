package pattern

import (
	"fmt"
	"testing"
)

// benchRule returns the i-th rule of a bus: ten rules per source, five
// detail types, and a detail condition that is an exact value, a prefix, a
// numeric range or an anything-but list.
func benchRule(i int) string {
	var detail string
	switch i % 4 {
	case 0:
		detail = fmt.Sprintf(`"state":["state%d","pending"]`, i%10)
	case 1:
		detail = fmt.Sprintf(`"customer":[{"prefix":"cust-%d"}]`, i%30)
	case 2:
		detail = fmt.Sprintf(`"amount":[{"numeric":[">",%d,"<=",%d]}]`, i%100, i%100+50)
	default:
		detail = fmt.Sprintf(`"status":[{"anything-but":["cancelled","failed-%d"]}]`, i%7)
	}
	return fmt.Sprintf(`{"source":["com.example.svc%d"],"detail-type":["Type%d"],"detail":{%s}}`, i/10, i%5, detail)
}

var benchEvent = []byte(`{
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "Type1", "source": "com.example.svc0", "account": "111122223333",
  "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"state": "state1", "customer": "cust-1-abc", "amount": 60, "status": "ok",
             "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}
}`)

// BenchmarkMatch measures the cost of matching one event against a bus of
// n rules. The number of matching rules stays the same as n grows.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m := NewMatcher[int]()
			for i := range n {
				p, err := ParseEventPattern([]byte(benchRule(i)))
				if err != nil {
					b.Fatal(err)
				}
				m.Add(i, p)
			}
			out, err := m.Match(benchEvent, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(out)), "matches")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				out, _ = m.Match(benchEvent, out[:0])
			}
		})
	}
}

// BenchmarkMatchRuleByRule is the baseline the Matcher replaces: every
// pattern evaluated against the event in turn.
func BenchmarkMatchRuleByRule(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ps := make([]*Pattern, n)
			for i := range ps {
				p, err := ParseEventPattern([]byte(benchRule(i)))
				if err != nil {
					b.Fatal(err)
				}
				ps[i] = p
			}
			b.ReportAllocs()
			for b.Loop() {
				fl, _ := flatten(benchEvent, nil)
				for _, p := range ps {
					p.matchFlat(fl)
				}
			}
		})
	}
}

func BenchmarkParseEventPattern(b *testing.B) {
	doc := []byte(benchRule(2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEventPattern(doc); err != nil {
			b.Fatal(err)
		}
	}
}
