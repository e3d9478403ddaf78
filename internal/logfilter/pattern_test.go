package logfilter

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// The examples below come from the CloudWatch Logs User Guide, "Filter pattern syntax for
// metric filters, subscription filters, filter log events, and Live Tail", and its
// earlier "Filter and Pattern Syntax" page.

func TestTerms(t *testing.T) {
	t.Parallel()
	msgs := []string{
		"[ERROR] A fatal exception has occurred",
		"Exiting with ERRORCODE: -1",
		"[WARN] Failed to process the request",
		"[ERROR] Unable to continue: Failed to process the request",
		"[INFO] all good",
	}
	tests := []struct {
		name    string
		pattern string
		want    []bool
	}{
		{"single term matches substrings", "ERROR", []bool{true, true, false, true, false}},
		{"quoted single term", `"ERROR"`, []bool{true, true, false, true, false}},
		{"exclusion", `"ERROR" -"Exiting"`, []bool{true, false, false, true, false}},
		{"exclusion with a blank", `"ERROR" - "Exiting"`, []bool{true, false, false, true, false}},
		{"bare exclusion", `ERROR -Exiting`, []bool{true, false, false, true, false}},
		{"all terms must appear", "Failed to process the request", []bool{false, false, true, true, false}},
		{"phrase", `"Failed to process"`, []bool{false, false, true, true, false}},
		{"phrase order matters", `"process Failed"`, []bool{false, false, false, false, false}},
		{"case sensitive", "error", []bool{false, false, false, false, false}},
		{"or terms", "?WARN ?INFO", []bool{false, false, true, false, true}},
		{"or with quoted", `?"[WARN]" ?"fatal"`, []bool{true, false, true, false, false}},
		{"required and optional", "Failed ?WARN ?INFO", []bool{false, false, true, false, false}},
		{"regex", `%ERROR|WARN%`, []bool{true, true, true, true, false}},
		{"anchored regex", `%^\[ERROR\]%`, []bool{true, false, false, true, false}},
		{"blank phrase matches everything", `" "`, []bool{true, true, true, true, true}},
		{"empty matches everything", "", []bool{true, true, true, true, true}},
		{"blanks match everything", "   ", []bool{true, true, true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tt.pattern)
			require.NoError(t, err)
			for i, m := range msgs {
				require.Equal(t, tt.want[i], p.Match(m), "pattern %q on %q", tt.pattern, m)
			}
		})
	}
}

// TestOrExamples is the User Guide's OR example over three messages.
func TestOrExamples(t *testing.T) {
	t.Parallel()
	msgs := []string{"ERROR WARN message", "ERROR message", "WARN message"}
	tests := []struct {
		pattern string
		want    []bool
	}{
		{"ERROR", []bool{true, true, false}},
		{"?ERROR ?WARN", []bool{true, true, true}},
		{"ERROR WARN", []bool{true, false, false}},
		{"ERROR -WARN", []bool{false, true, false}},
		{"[w1=ERROR, w2]", []bool{false, true, false}},
		{"[w1=ERROR || w1=WARN, w2]", []bool{false, true, true}},
		{"[w1=!ERROR&&w1=!WARN, w2]", []bool{false, false, false}},
		{"[w1!=ERROR&&w1!=WARN, ...]", []bool{false, false, false}},
		{"[w1=ERROR, ...]", []bool{true, true, false}},
		{"[w1, w2=WARN, w3]", []bool{true, false, false}},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		require.NoError(t, err, tt.pattern)
		for i, m := range msgs {
			require.Equal(t, tt.want[i], p.Match(m), "pattern %q on %q", tt.pattern, m)
		}
	}
	foo := []string{`{"foo": "bar"}`, `{"foo": "baz"}`}
	for pattern, want := range map[string][]bool{
		`{$.foo = bar}`:                   {true, false},
		`{$.foo = baz }`:                  {false, true},
		`{$.foo = bar || $.foo = baz }`:   {true, true},
		`{ $.foo != bar }`:                {false, true},
		`{ $.foo = "ba*" && $.foo != * }`: {false, false},
	} {
		p, err := Compile(pattern)
		require.NoError(t, err, pattern)
		for i, m := range foo {
			require.Equal(t, want[i], p.Match(m), "pattern %q on %q", pattern, m)
		}
	}
}

const trailEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "ThisFlag": true,
  "OtherFlag": false,
  "latency": 1500,
  "ratio": 0.25,
  "numbers": [5, 20000, 0.001],
  "processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}],
  "errorCode": 400,
  "code": "400"
}`

const usersEvent = `{
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{`{ $.eventType = "UpdateTrail" }`, trailEvent, true},
		{`{ $.eventType = UpdateTrail }`, trailEvent, true},
		{`{ $.eventType = "updatetrail" }`, trailEvent, false},
		{`{ $.eventType != "UpdateTrail" }`, trailEvent, false},
		{`{ $.sourceIPAddress != 123.123.* }`, trailEvent, true},
		{`{ $.sourceIPAddress = 111.111.* }`, trailEvent, true},
		{`{ $.eventType = *Trail }`, trailEvent, true},
		{`{ $.eventType = Update* }`, trailEvent, true},
		{`{ $.eventType = *dateTr* }`, trailEvent, true},
		{`{ $.eventType = Up*Trail }`, trailEvent, false},
		{`{ $.eventType = %^Update% }`, trailEvent, true},
		{`{ $.eventType = %^Trail% }`, trailEvent, false},
		{`{ $.arrayKey[0] = "value" }`, trailEvent, true},
		{`{ $.arrayKey[1] = "value" }`, trailEvent, false},
		{`{ $.arrayKey[5] = "value" }`, trailEvent, false},
		{`{ $.eventType[0] = "value" }`, trailEvent, false},
		{`{ $.objectList[1].id = 2 }`, trailEvent, true},
		{`{ $.objectList[0].id = 2 }`, trailEvent, false},
		{`{ $.objectList[1].name = b }`, trailEvent, true},
		{`{ $.SomeObject IS NULL }`, trailEvent, true},
		{`{ $.eventType IS NULL }`, trailEvent, false},
		{`{ $.Missing IS NULL }`, trailEvent, false},
		{`{ $.SomeOtherObject NOT EXISTS }`, trailEvent, true},
		{`{ $.SomeObject NOT EXISTS }`, trailEvent, false},
		{`{ $.SomeObject EXISTS }`, trailEvent, true},
		{`{ $.ThisFlag IS TRUE }`, trailEvent, true},
		{`{ $.ThisFlag IS FALSE }`, trailEvent, false},
		{`{ $.OtherFlag IS FALSE }`, trailEvent, true},
		{`{ $.eventType IS TRUE }`, trailEvent, false},
		{`{ $.ThisFlag is true }`, trailEvent, true},
		{`{ $.latency >= 500 }`, trailEvent, true},
		{`{ $.latency > +1000 }`, trailEvent, true},
		{`{ $.latency < 1500 }`, trailEvent, false},
		{`{ $.latency <= 1500 }`, trailEvent, true},
		{`{ $.latency = 1500.0 }`, trailEvent, true},
		{`{ $.latency = 1.5e3 }`, trailEvent, true},
		{`{ $.ratio < 0.3 }`, trailEvent, true},
		{`{ $.numbers[0] < 10e3 }`, trailEvent, true},
		{`{ $.numbers[1] < 10e3 }`, trailEvent, false},
		{`{ $.numbers[2] < 10e-3 }`, trailEvent, true},
		{`{ $.processes[4].averageRuntime <= 55.5 }`, trailEvent, true},
		{`{ $.errorCode = 400 }`, trailEvent, true},
		{`{ $.errorCode != 500 }`, trailEvent, true},
		{`{ $.code = 400 }`, trailEvent, true},
		{`{ $.code > 100 }`, trailEvent, false},
		{`{ $.eventType > 100 }`, trailEvent, false},
		{`{ $.missing != 500 }`, trailEvent, false},
		{`{ $.latency = * }`, trailEvent, true},
		{`{ $.missing = * }`, trailEvent, false},
		{`{ $.arrayKey = * }`, trailEvent, false},
		{`{ $.arrayKey != "x" }`, trailEvent, false},
		{`{ $.objectList = 1 }`, trailEvent, false},
		{`{ $.objectList != 1 }`, trailEvent, false},
		{`{ $.eventType = "UpdateTrail" }`, `not json at all`, false},
		{`{ $.eventType = "UpdateTrail" }`, `{"eventType": "UpdateTrail"} trailing`, false},
		{`{ $.eventType = "UpdateTrail" }`, `{"eventType": "UpdateTrail"`, false},
		{`{ $.eventType = "UpdateTrail" }`, `  {"eventType": "UpdateTrail"}  `, true},
		{`{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, usersEvent, true},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, usersEvent, false},
		{`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, usersEvent, true},
		{`{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, usersEvent, false},
		{`{ $.coordinates[2][1] = 8 }`, usersEvent, true},
		{`{ $.coordinates[2][1] > 7 && $.coordinates[0][0] = 0 }`, usersEvent, true},
		{`{ $.user.email = "*@example.com" }`, usersEvent, true},
		{`{ $.user-name = x }`, `{"user-name": "x"}`, true},
		{`{ $.a_b.c = "x y" }`, `{"a_b": {"c": "x y"}}`, true},
		{`{ $.quote = "say \"hi\"" }`, `{"quote": "say \"hi\""}`, true},
		{`{ (($.a = 1)) }`, `{"a": 1}`, true},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		require.NoError(t, err, tt.pattern)
		require.Equal(t, tt.want, p.Match(tt.msg), "pattern %q", tt.pattern)
	}
}

const apacheLines = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534
127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324
127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355
127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534
127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 403 800`

func TestSpaceDelimited(t *testing.T) {
	t.Parallel()
	lines := splitLines(apacheLines)
	tests := []struct {
		pattern string
		want    []bool
	}{
		{"[ip, user, username, timestamp, request, status_code, bytes]", []bool{true, true, true, true, true}},
		{"[ip, user, username, timestamp, request, status_code]", []bool{false, false, false, false, false}},
		{"[ip, user, username, timestamp, request, status_code, bytes, extra]", []bool{false, false, false, false, false}},
		{"[..., status_code, bytes]", []bool{true, true, true, true, true}},
		{"[ip, user, ..., status_code, bytes]", []bool{true, true, true, true, true}},
		{"[ip, user, ...]", []bool{true, true, true, true, true}},
		{"[ip, user, username, timestamp, request, status_code, bytes > 1000]", []bool{true, true, true, true, false}},
		{"[ip, user, username, timestamp, request, status_code = 200, bytes]", []bool{true, false, true, false, false}},
		{"[ip, user, username, timestamp, request, status_code = 4*, bytes]", []bool{false, false, false, true, true}},
		{"[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", []bool{false, false, false, true, true}},
		{"[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]", []bool{false, false, false, true, false}},
		{"[..., request=*.html*, status_code=4*,]", []bool{false, false, false, true, true}},
		{"[..., request=*.html*, status_code=4*, bytes]", []bool{false, false, false, true, true}},
		{"[ip=127.0.0.1, ...]", []bool{true, true, true, true, true}},
		{`[ip, user, username = "frank", ...]`, []bool{true, true, true, true, true}},
		{"[ip, user, username, timestamp = *13:25:15*, ...]", []bool{true, false, false, true, true}},
		{"[..., status_code = %^5%, bytes]", []bool{false, true, false, false, false}},
		{"[..., status_code >= 400 && status_code < 500, bytes]", []bool{false, false, false, true, true}},
		{"[..., bytes < 1000]", []bool{false, false, false, false, true}},
		{"[ip, ..., ..., bytes]", []bool{true, true, true, true, true}},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		require.NoError(t, err, tt.pattern)
		for i, m := range lines {
			require.Equal(t, tt.want[i], p.Match(m), "pattern %q on %q", tt.pattern, m)
		}
	}
}

func TestSplitFields(t *testing.T) {
	t.Parallel()
	require.Equal(t,
		[]string{"127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /index.html HTTP/1.0", "404", "1534"},
		splitFields(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`))
	require.Equal(t, []string{"a", "b c"}, splitFields(`  a   "b c`))
	require.Empty(t, splitFields("   "))
}

func TestInvalidPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		msg     string
	}{
		{`ERROR:`, "Invalid filter pattern: Invalid character(s) in term 'ERROR:'"},
		{`user-123`, "Invalid filter pattern: Invalid character(s) in term 'user-123'"},
		{`""`, `Invalid filter pattern: Invalid character(s) in term '""'`},
		{`"unterminated`, "Invalid filter pattern"},
		{`"a"b`, "Invalid filter pattern"},
		{`?`, "Invalid filter pattern"},
		{`ERROR -`, "Invalid filter pattern"},
		{`%abc`, "Invalid filter pattern"},
		{`%(a)%`, "Invalid filter pattern"},
		{`%[%`, "Invalid filter pattern"},
		{`%%`, "Invalid filter pattern"},
		{`{ $.a = 1`, "Invalid filter pattern"},
		{`{ }`, "Invalid filter pattern"},
		{`{ a = 1 }`, "Invalid filter pattern"},
		{`{ $ = 1 }`, "Invalid filter pattern"},
		{`{ $. = 1 }`, "Invalid filter pattern"},
		{`{ $.a }`, "Invalid filter pattern"},
		{`{ $.a = }`, "Invalid filter pattern"},
		{`{ $.a > abc }`, "Invalid filter pattern"},
		{`{ $.a[x] = 1 }`, "Invalid filter pattern"},
		{`{ $.a[1 = 1 }`, "Invalid filter pattern"},
		{`{ $.a = 1 && }`, "Invalid filter pattern"},
		{`{ ($.a = 1 }`, "Invalid filter pattern"},
		{`{ $.a = 1) }`, "Invalid filter pattern"},
		{`{ $.a = 1 $.b = 2 }`, "Invalid filter pattern"},
		{`{ $.a IS MAYBE }`, "Invalid filter pattern"},
		{`[`, "Invalid filter pattern"},
		{`[]`, "Invalid filter pattern"},
		{`[a,,b]`, "Invalid filter pattern"},
		{`[a b]`, "Invalid filter pattern"},
		{`[a = ]`, "Invalid filter pattern"},
		{`[a > x]`, "Invalid filter pattern"},
		{`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`, "Invalid filter pattern"},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		require.Nil(t, p, tt.pattern)
		var se *SyntaxError
		require.True(t, errors.As(err, &se), "pattern %q: %v", tt.pattern, err)
		require.Equal(t, tt.msg, err.Error(), tt.pattern)
	}
}

func TestMatchAll(t *testing.T) {
	t.Parallel()
	require.True(t, MustCompile("").MatchAll())
	require.True(t, MustCompile(`" "`).MatchAll())
	require.False(t, MustCompile("x").MatchAll())
	require.Equal(t, "  x ", MustCompile("  x ").String())
	require.Panics(t, func() { MustCompile(`{`) })
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
