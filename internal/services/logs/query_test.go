package logs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "fields sort limit", in: "fields @timestamp, @message | sort @timestamp desc | limit 20"},
		{name: "filter like regex", in: "fields @timestamp, @message | filter @message like /Exception/ | sort @timestamp desc | limit 20"},
		{name: "filter like string", in: `filter @message like "ERROR"`},
		{name: "filter not like", in: `filter @message not like "DEBUG"`},
		{name: "filter regex match", in: `filter @message =~ /time(out)?/`},
		{name: "filter in", in: `filter statusCode in [200, 201, 204]`},
		{name: "filter not in", in: `filter level not in ["debug", "trace"]`},
		{name: "filter ispresent", in: `filter ispresent(requestId) and not isPresent(error)`},
		{name: "filter arithmetic", in: `filter duration - 100 > 5`},
		{name: "stats by bin", in: "stats count(*) by bin(5m)"},
		{name: "lambda report", in: `filter @type = "REPORT" | stats avg(@duration), max(@duration), min(@duration) by bin(5m)`},
		{name: "stats aliases", in: "stats count(*) as n, sum(bytes) as total by host, level | sort n desc"},
		{name: "stats count_distinct", in: "stats count_distinct(user) as users"},
		{name: "parse glob", in: `parse @message "user=* action=*" as user, action | display user, action`},
		{name: "parse regex", in: `parse @message /user=(?<user>\S+)/ | stats count(*) by user`},
		{name: "json dotted", in: `filter a.b = "x" | fields a.b as ab`},
		{name: "comment", in: "# errors only\nfilter level = \"error\""},
		{name: "backquoted field", in: "fields `my field`"},
		{name: "case-insensitive commands", in: "FIELDS @message | FILTER @message LIKE /x/ | LIMIT 5"},
		{name: "functions", in: "fields toupper(level) as L, strlen(@message) as n, concat(a, b) as ab"},

		{name: "empty", in: "", wantErr: "unexpected symbol found <EOF> at line 1 and position 1"},
		{name: "unknown command", in: "select * from logs", wantErr: "unexpected symbol found select at line 1 and position 1"},
		{name: "dangling pipe", in: "fields @message |", wantErr: "unexpected symbol found <EOF>"},
		{name: "bad operator", in: "filter a <> b", wantErr: "unexpected symbol found <>"},
		{name: "unterminated string", in: `filter a = "x`, wantErr: "unexpected symbol found"},
		{name: "unterminated regex", in: `filter @message like /x`, wantErr: "unexpected symbol found"},
		{name: "bad regex", in: `filter @message like /(/`, wantErr: "unexpected symbol found"},
		{name: "unknown function", in: "fields nosuch(a)", wantErr: "unexpected symbol found nosuch"},
		{name: "unknown aggregate", in: "stats median(x)", wantErr: "unexpected symbol found median"},
		{name: "limit zero", in: "fields a | limit 0", wantErr: "unexpected symbol found 0"},
		{name: "limit too big", in: "fields a | limit 10001", wantErr: "unexpected symbol found 10001"},
		{name: "parse names count", in: `parse @message "a=* b=*" as a`, wantErr: "Expected 2 fields for parse but found 1"},
		{name: "parse without star", in: `parse @message "abc" as a`, wantErr: "unexpected symbol found abc"},
		{name: "bin without unit", in: "stats count(*) by bin(5)", wantErr: "unexpected symbol found bin"},
		{name: "sort unclosed", in: "stats count(*) | sort count(*", wantErr: "unexpected symbol found <EOF>"},
		{name: "trailing junk", in: "fields a b", wantErr: "unexpected symbol found b at line 1 and position 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := parseQuery(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotEmpty(t, q.cmds)
				return
			}
			require.Error(t, err)
			var qe *queryError
			require.ErrorAs(t, err, &qe)
			require.Contains(t, qe.msg, tt.wantErr)
		})
	}
}

// queryRows runs src over the messages (timestamps 1000, 2000, ...) and returns each
// row as field=value pairs joined by spaces, without @ptr.
func queryRows(t *testing.T, src string, msgs ...string) []string {
	t.Helper()
	q, err := parseQuery(src)
	require.NoError(t, err)
	var in []queryInput
	for i, m := range msgs {
		r := record{
			"@timestamp": tsValue(int64(i+1) * 60_000),
			"@message":   m,
			"@logStream": "s",
			"@log":       "123456789012:g",
		}
		flattenJSON(r, m)
		in = append(in, queryInput{rec: r, bytes: len(m)})
	}
	res := q.run(in, maxQueryLimit)
	out := make([]string, 0, len(res.rows))
	for _, row := range res.rows {
		var parts []string
		for _, f := range row {
			if *f.Field != "@ptr" {
				parts = append(parts, *f.Field+"="+*f.Value)
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func TestQueryEngine(t *testing.T) {
	t.Parallel()
	jsonMsgs := []string{
		`{"level":"info","status":200,"latency":10,"req":{"path":"/a"},"user":"ann"}`,
		`{"level":"error","status":500,"latency":30,"req":{"path":"/b"},"user":"bob"}`,
		`{"level":"info","status":201,"latency":20,"req":{"path":"/a"},"user":"ann"}`,
		`plain text line with ERROR inside`,
	}
	tests := []struct {
		name  string
		query string
		msgs  []string
		want  []string
	}{
		{
			name: "default fields newest first", query: "filter @message like /ERROR/", msgs: jsonMsgs,
			want: []string{"@timestamp=1970-01-01 00:04:00.000 @message=plain text line with ERROR inside @logStream=s @log=123456789012:g"},
		},
		{
			name: "json fields and sort", query: "fields level, status | filter ispresent(status) | sort status asc", msgs: jsonMsgs,
			want: []string{"level=info status=200", "level=info status=201", "level=error status=500"},
		},
		{
			name: "nested json field", query: `fields user | filter req.path = "/a" | sort @timestamp asc`, msgs: jsonMsgs,
			want: []string{"user=ann", "user=ann"},
		},
		{
			name: "numeric comparison", query: "fields user | filter latency > 15 and latency <= 30 | sort latency desc", msgs: jsonMsgs,
			want: []string{"user=bob", "user=ann"},
		},
		{
			name: "or and not", query: `fields status | filter level = "error" or not ispresent(level) | sort @timestamp asc`, msgs: jsonMsgs,
			want: []string{"status=500", ""},
		},
		{
			name: "in list", query: "fields status | filter status in [200, 500] | sort status asc", msgs: jsonMsgs,
			want: []string{"status=200", "status=500"},
		},
		{
			name: "not equal skips missing", query: `fields level | filter level != "info"`, msgs: jsonMsgs,
			want: []string{"level=error"},
		},
		{
			name: "stats count by", query: "stats count(*) as n by level | sort n desc", msgs: jsonMsgs,
			want: []string{"level=info n=2", "level=error n=1", "n=1"},
		},
		{
			name: "stats aggregates", query: "stats count(status) as c, sum(latency) as s, avg(latency) as a, min(latency) as lo, max(latency) as hi", msgs: jsonMsgs,
			want: []string{"c=3 s=60 a=20 lo=10 hi=30"},
		},
		{
			name: "stats default names", query: "filter ispresent(latency) | stats count(*), avg(latency)", msgs: jsonMsgs,
			want: []string{"count(*)=3 avg(latency)=20"},
		},
		{
			name: "sort by default aggregate name", query: "stats count(*) by level | sort count(*) desc | limit 1", msgs: jsonMsgs,
			want: []string{"level=info count(*)=2"},
		},
		{
			name: "count_distinct", query: "stats count_distinct(user) as users", msgs: jsonMsgs,
			want: []string{"users=2"},
		},
		{
			name: "bin", query: "stats count(*) as n by bin(2m)", msgs: []string{"a", "b", "c", "d"},
			want: []string{"bin(2m)=1970-01-01 00:00:00.000 n=1", "bin(2m)=1970-01-01 00:02:00.000 n=2", "bin(2m)=1970-01-01 00:04:00.000 n=1"},
		},
		{
			name: "parse glob", query: `parse @message "user=* action=* " as user, action | display user, action | sort @timestamp asc`,
			msgs: []string{"user=ann action=login ok", "user=bob action=logout ok", "nothing"},
			want: []string{"user=ann action=login", "user=bob action=logout", ""},
		},
		{
			name: "parse regex then stats", query: `parse @message /took (?<ms>\d+) ms/ | stats sum(ms) as total`,
			msgs: []string{"took 5 ms", "took 7 ms", "other"},
			want: []string{"total=12"},
		},
		{
			name: "limit", query: "fields @message | sort @timestamp asc | limit 2", msgs: []string{"a", "b", "c"},
			want: []string{"@message=a", "@message=b"},
		},
		{
			name: "display replaces fields", query: "fields @message, @logStream | display @logStream | limit 1", msgs: []string{"a"},
			want: []string{"@logStream=s"},
		},
		{
			name: "computed field", query: "fields latency * 2 as double | filter ispresent(latency) | sort double desc | limit 1", msgs: jsonMsgs,
			want: []string{"double=60"},
		},
		{
			name: "minus without spaces subtracts", query: "fields latency-5 as l | filter ispresent(latency) | sort l asc | limit 1", msgs: jsonMsgs,
			want: []string{"l=5"},
		},
		{
			name: "functions", query: `fields toupper(level) as L | filter level = "error"`, msgs: jsonMsgs,
			want: []string{"L=ERROR"},
		},
		{
			name: "regex equality", query: `fields user | filter user = /^b/`, msgs: jsonMsgs,
			want: []string{"user=bob"},
		},
		{
			name: "like string is substring", query: `fields @message | filter @message like "line with"`, msgs: jsonMsgs,
			want: []string{"@message=plain text line with ERROR inside"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, queryRows(t, tt.query, tt.msgs...))
		})
	}
}

func TestQueryRecordsMatched(t *testing.T) {
	t.Parallel()
	q, err := parseQuery(`filter @message like /x/ | limit 1`)
	require.NoError(t, err)
	in := []queryInput{{rec: record{"@message": "x1"}}, {rec: record{"@message": "x2"}}, {rec: record{"@message": "y"}}}
	res := q.run(in, maxQueryLimit)
	require.Equal(t, 2, res.matched)
	require.Len(t, res.rows, 1)
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
		`filter @message like /Exception/ and level in ["a", "b"] or not ispresent(x)`,
		`parse @message "a=* b=*" as a, b | stats count(*), avg(b) by a, bin(5m)`,
		`parse @message /(?<x>\d+)/ | display x`,
		"fields `a b`, a.b as c | filter c - -1 >= 2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := parseQuery(src)
		if err != nil {
			var qe *queryError
			require.ErrorAs(t, err, &qe)
			return
		}
		// A query that compiles runs without panicking.
		r := record{"@timestamp": tsValue(61_000), "@message": `{"a":"1","b":2}`}
		flattenJSON(r, r["@message"].(string))
		q.run([]queryInput{{rec: r}}, 10)
	})
}
