package logfilter

import (
	"errors"
	"testing"
)

// FuzzCompile feeds arbitrary patterns to Compile and arbitrary messages to what it
// compiles: nothing may panic, and every rejection is a *SyntaxError.
func FuzzCompile(f *testing.F) {
	seeds := []string{
		"", `" "`, "ERROR", `"ERROR" -"Exiting"`, "?ERROR ?WARN", `%ERR.R%`,
		`{ $.eventType = "UpdateTrail" }`, `{ $.sourceIPAddress != 123.123.* }`,
		`{ $.arrayKey[0] = "value" }`, `{ $.objectList[1].id = 2 }`, `{ $.SomeObject IS NULL }`,
		`{ $.SomeOtherObject NOT EXISTS }`, `{ $.ThisFlag IS TRUE }`, `{ $.latency > +1000 }`,
		`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`,
		`{ $.coordinates[0][1] = nonmatch }`, `{ $.numbers[0] < 10e-3 }`, `{ $.a = %^x% }`,
		"[ip, user, ..., status_code = 4*, bytes > 1000]", "[w1=ERROR || w1=WARN, w2]",
		"[w1=!ERROR&&w1=!WARN, w2]", "[..., request=*.html*, status_code=4*,]",
	}
	msgs := []string{
		"ERROR WARN message", `{"eventType":"UpdateTrail","a":[1,[2,3]],"b":null}`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
	}
	for i, s := range seeds {
		f.Add(s, msgs[i%len(msgs)])
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := Compile(pattern)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Compile(%q) returned %T, not *SyntaxError", pattern, err)
			}
			return
		}
		p.Match(msg)
		p.Match(pattern)
		// A compiled pattern compiles again to the same behaviour.
		q, err := Compile(p.String())
		if err != nil {
			t.Fatalf("recompile %q: %v", pattern, err)
		}
		if p.Match(msg) != q.Match(msg) {
			t.Fatalf("pattern %q matches %q differently after recompiling", pattern, msg)
		}
	})
}
