package pattern

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEventPatternRecordedErrors pins whole InvalidEventPatternException
// messages, location suffix included, that AWS returned from TestEventPattern
// for these documents (sent as Python's json.dumps writes them).
func TestEventPatternRecordedErrors(t *testing.T) {
	t.Parallel()
	const pre = "Event pattern is not valid. Reason: "
	at := func(doc string, col int) string {
		return "\n at [Source: (String)\"" + doc + "\"; line: 1, column: " + strconv.Itoa(col) + "]"
	}
	tests := []struct{ doc, want string }{
		{`{"int": 42}`, pre + `"int" must be an object or an array` + at(`{"int": 42}`, 11)},
		{`{"string": "my-value"}`, pre + `"string" must be an object or an array` + at(`{"string": "my-value"}`, 13)},
		{`{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}`, pre + `Unrecognized match type NUMERIC` + at(`{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}`, 36)},
		{`{"resources": []}`, pre + `Empty arrays are not allowed` + at(`{"resources": []}`, 17)},
		{`{"my_key": [{"EXISTS": true}]}`, pre + `Unrecognized match type EXISTS` + at(`{"my_key": [{"EXISTS": true}]}`, 28)},
		{`{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}`, pre + `Bad numeric range operator: >` + at(`{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}`, 49)},
		{`{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}`, pre + `Value of < must be numeric` + at(`{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}`, 50)},
		{`{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}`, pre + `Consecutive wildcard characters at pos 26` + at(`{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}`, 72)},
		{`{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}`, pre + `equals-ignore-case match pattern must be a string` + at(`{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}`, 42)},
		{`{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}`, pre + `equals-ignore-case match pattern must be a string` + at(`{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}`, 42)},
		{`{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}`, pre + `Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.` + at(`{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}`, 66)},
		{`{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}`, pre + `Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.` + at(`{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}`, 67) + at(`{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}`, 67)},
		{`{"EventBusArn": [{"wildcard": 123}]}`, pre + `wildcard match pattern must be a string` + at(`{"EventBusArn": [{"wildcard": 123}]}`, 34)},
		{`{"EventBusArn": [{"wildcard": ["arn:<partition>:events:<region>:**:event-bus/*"]}]}`, pre + `wildcard match pattern must be a string` + at(`{"EventBusArn": [{"wildcard": ["arn:<partition>:events:<region>:**:event-bus/*"]}]}`, 32)},
		{`{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}`, pre + `wildcard match pattern must be a string` + at(`{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}`, 57) + at(`{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}`, 57)},
		{`{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}`, pre + `wildcard match pattern must be a string` + at(`{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}`, 59)},
		{`{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}`, pre + `prefix/suffix match pattern must be a string` + at(`{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}`, 58) + at(`{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}`, 58)},
		{`{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}`, pre + `prefix/suffix match pattern must be a string` + at(`{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}`, 57)},
		{`{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}`, pre + `prefix/suffix match pattern must be a string` + at(`{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}`, 55) + at(`{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}`, 55)},
		{`{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}`, pre + `prefix/suffix match pattern must be a string` + at(`{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}`, 54)},
		{`{"time": [{"prefix": ["2022-07-13"]}]}`, pre + `prefix match pattern must be a string` + at(`{"time": [{"prefix": ["2022-07-13"]}]}`, 23)},
		{`{"time": [{"prefix": 123}]}`, pre + `prefix match pattern must be a string` + at(`{"time": [{"prefix": 123}]}`, 25)},
		{`{"FileName": [{"suffix": 123}]}`, pre + `suffix match pattern must be a string` + at(`{"FileName": [{"suffix": 123}]}`, 29)},
		{`{"FileName": [{"suffix": [".png"]}]}`, pre + `suffix match pattern must be a string` + at(`{"FileName": [{"suffix": [".png"]}]}`, 27)},
		{`{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}`, pre + `Value of anything-but must be an array or single string/number value.` + at(`{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}`, 55)},
		{`{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}`, pre + `Value of anything-but must be an array or single string/number value.` + at(`{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}`, 55)},
		{`{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}`, pre + `prefix match pattern must be a string` + at(`{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}`, 43)},
		{`{"detail": {"sourceIPAddress": [{"cidr": "xx.11.xx/24"}]}}`, pre + `Nonstandard IP address: xx.11.xx`},
		{`{"detail": {"sourceIPAddress": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}`, pre + `Nonstandard IP address: xxxx:db8:1234:1a00::`},
		{`{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}`, pre + `Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character`},
		{`this is valid json but not a dict`, pre + `Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')` + at(`this is valid json but not a dict`, 5)},
		{`{'bad': 'quotation'}`, pre + `Unexpected character (''' (code 39)): was expecting double-quote to start field name` + at(`{'bad': 'quotation'}`, 2)},
		{`{"not": closed mark"`, pre + `Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')` + at(`{"not": closed mark"`, 15)},
		{`["not", "a", "dict", "but valid json"]`, pre + `Filter is not an object` + at(`["not", "a", "dict", "but valid json"]`, 2)},
	}
	for _, tt := range tests {
		_, err := ParseEventPattern([]byte(tt.doc))
		var pe *Error
		if !assertErrorAs(t, err, &pe, tt.doc) {
			continue
		}
		if pe.Message() != tt.want {
			t.Errorf("%s\n got: %q\nwant: %q", tt.doc, pe.Message(), tt.want)
		}
	}
}

func assertErrorAs(t *testing.T, err error, pe **Error, doc string) bool {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, AWS rejects it", doc)
		return false
	}
	require.ErrorAs(t, err, pe)
	return true
}

// TestEventPatternRecordedOutcomes pins TestEventPattern results that AWS
// returned for these pattern and event pairs.
func TestEventPatternRecordedOutcomes(t *testing.T) {
	t.Parallel()
	tests := []matchCase{
		{"exists true on empty array", `{"resources":[{"exists":true}]}`, `{"resources":[],"detail":{"eventVersion":"","responseElements":null}}`, false},
		{"or exists false beside anything-but", `{"dynamodb":{"NewImage":{"homemade":{"S":[{"anything-but":["roses"]},{"exists":false}]}}}}`, `{"dynamodb":{"NewImage":{"homemade":{"N":"789"}}}}`, true},
		{"or exists false, parent missing", `{"dynamodb":{"NewImage":{"homemade":{"S":[{"anything-but":["roses"]},{"exists":false}]}}}}`, `{"dynamodb":{"NewImage":{"purchased":{"N":"789"}}}}`, true},
		{"numeric on a string", `{"number":[{"numeric":[">",100]}]}`, `{"number":"300"}`, false},
		{"numeric on null", `{"number":[{"numeric":[">",100]}]}`, `{"number":null}`, false},
		{"anything-but prefix on a number", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":12}}`, true},
		{"anything-but prefix list on a number", `{"detail":{"state":[{"anything-but":{"prefix":["init","test"]}}]}}`, `{"detail":{"state":12}}`, true},
		{"anything-but wildcard on a number", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/dir/*"}}]}}`, `{"detail":{"FilePath":123}}`, true},
		{"anything-but empty wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":""}}]}}`, `{"detail":{"FilePath":"dir/init/file"}}`, true},
		{"cidr on a number", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":123}}`, false},
		{"null in pattern, empty array in event", `{"resources":[null]}`, `{"resources":[]}`, false},
		{"anything-but string on null", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":null}}`, true},
		{"empty equals-ignore-case", `{"detail":{"value":[{"equals-ignore-case":""}]}}`, `{"detail":{"value":"test-value"}}`, false},
		{"anything-but zero", `{"detail":{"x-limit":[{"anything-but":0}]}}`, `{"detail":{"x-limit":789}}`, true},
		{"dotted event key", `{"detail":{"state":{"status":["running"]}}}`, `{"detail":{"state.status":"running"}}`, true},
		{"dotted pattern key", `{"detail":{"state.status":["running"]}}`, `{"detail":{"state":{"status":"running"}}}`, true},
		{"exists inside a list of objects", `{"detail":{"automations":{"id":[{"exists":true}]}}}`, `{"detail":{"automations":[{"key1":"value1"},{"id":"x"},{"key2":"value2"}]}}`, true},
		{"detail as a JSON string", `{"detail":{"my-key":["my-value"]}}`, `{"detail":"{\"my-key\": \"my-value\"}"}`, false},
		{"numeric on a float", `{"number":[{"numeric":[">",100]}]}`, `{"number":101.0}`, true},
		{"integer literal on a float", `{"number":[300]}`, `{"number":300.0}`, true},
		{"wildcard before a repeated text", `{"FileName":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}`, `{"FileName":"/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"}`, true},
		{"empty string", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":"","responseElements":null}}`, true},
		{"several operators", `{"my_key":[{"exists":true},{"prefix":"IGNORED"},{"suffix":"IGNORED"}]}`, `{"my_key":"my-value"}`, true},
		{"exists on an object", `{"dynamodb":{"presentKey":[{"exists":true}]}}`, `{"dynamodb":{"id":{"S":"test1234"},"presentKey":{"S":"test123"}}}`, false},
		{"cidr v6", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8:1234:1a00::/64"}]}}`, `{"detail":{"sourceIPAddress":"2001:0db8:1234:1a00:0000:0000:0000:0000"}}`, true},
		{"cidr v6 outside", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8:1234:1a00::/64"}]}}`, `{"detail":{"sourceIPAddress":"2001:0db8:123f:1a01:0000:0000:0000:0000"}}`, false},
		{"wildcard one star", `{"FileName":[{"wildcard":"/Users/*/doc.txt"}]}`, `{"FileName":"/Users/ls_user/dir/dir/dir/dir/dir/notmatchingdoc.txt"}`, false},
		{"wildcard two stars", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}`, true},
		{"$or of numerics, none", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`, `{"detail":{"c-count":0,"d-count":10,"x-limit":9.018e2}}`, false},
		{"numerics, one fails", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, `{"detail":{"c-count":3,"d-count":10,"x-limit":3.018e2}}`, false},
		{"null against the string null", `{"detail":{"responseElements":[null]}}`, `{"detail":{"eventVersion":"","responseElements":"null"}}`, false},
		{"exists false on a deep leaf", `{"detail":{"level1":{"level2":{"level3":{"level4":[{"exists":false}]}}}}}`, `{"detail":{"level1":{"level2":{"level3":{"level4":"l4 value"}}}}}`, false},
		{"numeric and anything-but on a numeric string", `{"dynamodb":{"NewImage":{"numericFilter":{"N":[{"numeric":[">",100]},{"anything-but":"101"}]}}}}`, `{"dynamodb":{"NewImage":{"numericFilter":{"N":"101"}}}}`, false},
	}
	runMatchCases(t, tests)
}

// TestWildcardComplexityMeasure checks the complexity measure against the
// values AWS's event-ruler documents for its own evaluator.
func TestWildcardComplexityMeasure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ops  []string
		want int
	}{
		{[]string{"*"}, 1}, {[]string{"*", "ab*c"}, 3}, {[]string{"abc"}, 1}, {[]string{"*aa"}, 3},
		{[]string{"a*b"}, 2}, {[]string{"aa*"}, 2}, {[]string{"a*bbb"}, 4}, {[]string{"*ab*ad"}, 4},
		{[]string{"a*b*bb"}, 5}, {[]string{"a*b*cd"}, 3}, {[]string{"*abc", "*abcde"}, 4},
		{[]string{"a*aaa", "aa*aa"}, 7}, {[]string{"a*aax", "aaa*x"}, 5}, {[]string{"abc*", "abcde*"}, 3},
		{[]string{"ab*cd", "ab*wx", "ab*yz"}, 6}, {[]string{"*ab*b*b*"}, 7},
		{[]string{"/Users/*/dir/dir/dir/dir/dir/doc.txt"}, 7},
	}
	for _, tt := range tests {
		var ws []*wildcard
		for _, o := range tt.ops {
			w, err := parseWildcard(o)
			require.NoError(t, err)
			ws = append(ws, w)
		}
		require.Equal(t, tt.want, wildcardComplexity(ws), "%q", tt.ops)
	}
}
