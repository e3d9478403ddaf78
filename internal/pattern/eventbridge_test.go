package pattern

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ec2Event is the sample event of AWS's "event patterns" and "content
// filtering" pages.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

// rulerEvent is the sample event of event-ruler's README, which AWS's
// content filtering examples refer to.
const rulerEvent = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000", "state": "running"
  }
}`

type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

// checkMatch evaluates a case both rule by rule and through a Matcher.
func checkMatch(t *testing.T, p *Pattern, event string, want bool) {
	t.Helper()
	got, err := p.Matches([]byte(event))
	require.NoError(t, err)
	require.Equal(t, want, got, "Pattern.Matches")
	m := NewMatcher[string]()
	m.Add("rule", p)
	keys, err := m.Match([]byte(event), nil)
	require.NoError(t, err)
	if want {
		require.Equal(t, []string{"rule"}, keys, "Matcher.Match")
	} else {
		require.Empty(t, keys, "Matcher.Match")
	}
}

// runMatchCases checks each EventBridge case in a parallel subtest.
func runMatchCases(t *testing.T, tests []matchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseEventPattern([]byte(tt.pattern))
			require.NoError(t, err)
			checkMatch(t, p, tt.event, tt.want)
		})
	}
}

func TestEventPatternDocumentedExamples(t *testing.T) {
	t.Parallel()
	tests := []matchCase{
		// Event patterns: matching event values.
		{"ec2 termination", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, ec2Event, true},
		{"ec2 other state", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, ec2Event, false},
		{"multiple values", `{"source":["aws.ec2","aws.fargate"]}`, ec2Event, true},
		{"field must exist", `{"source":["aws.ec2"],"detail":{"missing":["x"]}}`, ec2Event, false},
		{"nesting must agree", `{"state":["terminated"]}`, ec2Event, false},
		{"case sensitive", `{"source":["AWS.EC2"]}`, ec2Event, false},
		// Content filtering: prefix.
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, rulerEvent, true},
		{"prefix no", `{"time":[{"prefix":"2017-10-03"}]}`, rulerEvent, false},
		{"prefix ignore case", `{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"service":"eventbridge"}`, true},
		{"prefix ignore case upper", `{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"service":"EVENTBRIDGE"}`, true},
		{"prefix ignore case no", `{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"service":"sns"}`, false},
		// Suffix.
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"suffix no", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"suffix ignore case", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"FileName":"image.PNG"}`, true},
		{"suffix ignore case tbridge", `{"service":[{"suffix":{"equals-ignore-case":"tBridge"}}]}`, `{"service":"EventBRIDGE"}`, true},
		// Anything-but.
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, rulerEvent, true},
		{"anything-but string no", `{"detail":{"state":[{"anything-but":"running"}]}}`, rulerEvent, false},
		{"anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, rulerEvent, true},
		{"anything-but number no", `{"detail":{"x-limit":[{"anything-but":301.8}]}}`, rulerEvent, false},
		{"anything-but string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, rulerEvent, true},
		{"anything-but string list no", `{"detail":{"state":[{"anything-but":["stopped","running"]}]}}`, rulerEvent, false},
		{"anything-but number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, rulerEvent, true},
		{"anything-but number list no", `{"detail":{"c-count":[{"anything-but":[4,5,6]}]}}`, rulerEvent, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, rulerEvent, true},
		{"anything-but prefix no", `{"detail":{"state":[{"anything-but":{"prefix":"run"}}]}}`, rulerEvent, false},
		{"anything-but prefix region", `{"Region":[{"anything-but":{"prefix":"us-"}}]}`, `{"Region":"eu-west-1"}`, true},
		{"anything-but suffix", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.txt"}`, true},
		{"anything-but suffix no", `{"FileName":[{"anything-but":{"suffix":".png"}}]}`, `{"FileName":"a.png"}`, false},
		{"anything-but ignore case", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"INITIALIZING"}`, false},
		{"anything-but ignore case other", `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`, `{"state":"running"}`, true},
		{"anything-but ignore case list", `{"state":[{"anything-but":{"equals-ignore-case":["initializing","stopped"]}}]}`, `{"state":"Stopped"}`, false},
		{"anything-but wildcard", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/x.so"}`, false},
		{"anything-but wildcard other", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/bin/x"}`, true},
		{"anything-but wildcard list", `{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}`, `{"FilePath":"/usr/bin/x"}`, false},
		{"anything-but needs the field", `{"detail":{"missing":[{"anything-but":"x"}]}}`, rulerEvent, false},
		{"anything-but other type", `{"detail":{"c-count":[{"anything-but":"5"}]}}`, rulerEvent, true},
		// Numeric.
		{"numeric", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, rulerEvent, true},
		{"numeric bound", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, rulerEvent, false},
		{"numeric string value", `{"detail":{"state":[{"numeric":[">",0]}]}}`, rulerEvent, false},
		{"numeric exact literal", `{"detail":{"x-limit":[301.80]}}`, rulerEvent, true},
		{"numeric exact exponent", `{"n":[300]}`, `{"n":3e2}`, true},
		{"numeric exact outside range", `{"account":[123456789012]}`, `{"account":123456789012}`, true},
		{"numeric not string", `{"n":[300]}`, `{"n":"300"}`, false},
		// IP address.
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, rulerEvent, true},
		{"cidr no", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, rulerEvent, false},
		{"cidr low", `{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}`, `{"sourceIPAddress":"10.0.0.0"}`, true},
		{"cidr high", `{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}`, `{"sourceIPAddress":"10.0.0.255"}`, true},
		{"cidr ipv6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8:1234::1"}`, true},
		{"cidr ipv6 no", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{"cidr family", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::a00:1"}`, false},
		{"exact ip canonical", `{"ip":["2001:db8::1"]}`, `{"ip":"2001:0db8:0:0:0:0:0:1"}`, true},
		// Exists.
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		{"exists true no", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},
		{"exists false", `{"detail":{"c-count":[{"exists":false}]}}`, ec2Event, true},
		{"exists false not leaf", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"state":"x","c-count":{"c1":100}}}`, true},
		{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, ec2Event, false},
		{"exists null value", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{"exists empty array", `{"a":[{"exists":false}]}`, `{"a":[]}`, true},
		// Equals-ignore-case.
		{"equals ignore case", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"ALICE"}`, true},
		{"equals ignore case no", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"alicia"}`, false},
		{"equals ignore case unicode", `{"Name":[{"equals-ignore-case":"straße"}]}`, `{"Name":"STRAßE"}`, true},
		// Wildcard.
		{"wildcard", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleNotificationService"}`, true},
		{"wildcard empty run", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleService"}`, true},
		{"wildcard no", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleServices"}`, false},
		{"wildcard path", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"wildcard png", `{"key":[{"wildcard":"*.png"}]}`, `{"key":"dir/file.png"}`, true},
		{"wildcard middle", `{"key":[{"wildcard":"*Title*"}]}`, `{"key":"A Title here"}`, true},
		{"wildcard escaped star", `{"key":[{"wildcard":"a\\*b"}]}`, `{"key":"a*b"}`, true},
		{"wildcard escaped star literal", `{"key":[{"wildcard":"a\\*b"}]}`, `{"key":"axb"}`, false},
		{"wildcard escaped backslash", `{"key":[{"wildcard":"a\\\\*"}]}`, `{"key":"a\\anything"}`, true},
		{"wildcard only strings", `{"n":[{"wildcard":"*"}]}`, `{"n":5}`, false},
		// Null and empty values.
		{"null", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":null}}`, true},
		{"null not missing", `{"detail":{"responseElements":[null]}}`, `{"detail":{}}`, false},
		{"null not string", `{"a":[null]}`, `{"a":"null"}`, false},
		{"empty string", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":""}}`, true},
		{"empty string not null", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":null}}`, false},
		{"booleans", `{"a":[true]}`, `{"a":true}`, true},
		{"booleans differ", `{"a":[true]}`, `{"a":"true"}`, false},
		// Arrays.
		{"event array any element", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`, true},
		{"event array no element", `{"resources":["x"]}`, `{"resources":["a","b"]}`, false},
		{"array of objects", `{"employees":{"firstName":["Anna"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"array elements stay apart", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`,
			`{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]}`, false},
		{"array same element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`,
			`{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"nested arrays", `{"employees":{"firstName":["Peter"]}}`, `{"employees":[[{"firstName":"John"}],[{"firstName":"Peter"}]]}`, true},
		{"dotted keys", `{"detail":{"state.status":["running"]}}`, `{"detail":{"state":{"status":"running"}}}`, true},
		// $or.
		{"or metric name", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`,
			`{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, true},
		{"or none", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			`{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, false},
		{"or with and", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"]},{"scope":["Service"]}]}`,
			`{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2"}`, true},
		{"or with and partial", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"]}]}`,
			`{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/ES"}`, false},
		{"nested or", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]}`,
			`{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2","spaceId":1000}`, true},
		{"parallel or", `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`,
			`{"namespace":"AWS/EC2","detail":{"detail-type":"CloudWatch Alarm State Change"}}`, true},
		{"or numeric", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`, rulerEvent, true},
		// Complex example.
		{"complex", `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, rulerEvent, true},
		{"last duplicate key wins", `{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}`, `{"detail":{"location":"eu-west"}}`, true},
	}
	runMatchCases(t, tests)
}

func TestEventPatternRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		want    string // the reason, which AWS follows with the parser's location when located
		located bool
	}{
		{"not an object", `["a"]`, "Event pattern is not valid. Reason: Filter is not an object", true},
		{"empty document", ``, "Event pattern is not valid. Reason: Filter is not an object", true},
		{"value not array", `{ "detail-type": [ "Build Started", "Build Finished" ], "detail": { "pipeline": { "slug": "some-pipeline" } } }`,
			"Event pattern is not valid. Reason: \"slug\" must be an object or an array", true},
		{"empty object", `{"source": ["aws.health"], "detail": {}}`,
			"Event pattern is not valid. Reason: Empty objects are not allowed", true},
		{"empty array", `{"a":[]}`, "Event pattern is not valid. Reason: Empty arrays are not allowed", true},
		{"nested array", `{"a":[[1]]}`, "Event pattern is not valid. Reason: Match value must be String, number, true, false, or null", true},
		{"unknown operator", `{"a":[{"prefx":"b"}]}`, "Event pattern is not valid. Reason: Unrecognized match type prefx", true},
		{"suffix list", `{"a":[{"suffix":["b"]}]}`, "Event pattern is not valid. Reason: suffix match pattern must be a string", true},
		{"prefix number", `{"a":[{"prefix":1}]}`, "Event pattern is not valid. Reason: prefix match pattern must be a string", true},
		{"two keys", `{"a":[{"prefix":"b","suffix":"c"}]}`, "Event pattern is not valid. Reason: Only one key allowed in match expression", true},
		{"numeric not array", `{"a":[{"numeric":5}]}`, "Event pattern is not valid. Reason: Value of numeric must be an array.", true},
		{"numeric bad operator", `{"a":[{"numeric":["!",5]}]}`, "Event pattern is not valid. Reason: Unrecognized numeric range operator: !", true},
		{"numeric string value", `{"a":[{"numeric":["<","5"]}]}`, "Event pattern is not valid. Reason: Value of < must be numeric", true},
		{"numeric equals", `{"a":[{"numeric":["=","5"]}]}`, "Event pattern is not valid. Reason: Value of equals must be numeric", true},
		{"numeric too many", `{"a":[{"numeric":["<",5,">",1]}]}`, "Event pattern is not valid. Reason: Too many elements in numeric expression", true},
		{"numeric bad upper", `{"a":[{"numeric":[">",1,">",5]}]}`, "Event pattern is not valid. Reason: Bad numeric range operator: >", true},
		{"numeric inverted", `{"a":[{"numeric":[">",5,"<",1]}]}`, "Event pattern is not valid. Reason: Bottom must be less than top", true},
		{"numeric out of range", `{"a":[{"numeric":[">",6e9]}]}`, "Event pattern is not valid. Reason: Value must be between -5.0E9 and 5.0E9, inclusive", true},
		{"numeric precision", `{"a":[{"numeric":["<",0.0000001]}]}`, "Event pattern is not valid. Reason: Only values upto 6 decimals are supported1E-7 0.0000001 0x0.0p0", true},
		{"exists string", `{"a":[{"exists":"true"}]}`, "Event pattern is not valid. Reason: exists match pattern must be either true or false.", true},
		{"anything-but mixed", `{"a":[{"anything-but":["a",1]}]}`, "Event pattern is not valid. Reason: Inside anything but list, either all values are number or string, mixed type is not supported", true},
		{"anything-but null", `{"a":[{"anything-but":[null]}]}`, "Event pattern is not valid. Reason: Inside anything but list, start|null|boolean is not supported.", true},
		{"anything-but object value", `{"a":[{"anything-but":true}]}`, "Event pattern is not valid. Reason: Value of anything-but must be an array or single string/number value.", true},
		{"anything-but unsupported", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Event pattern is not valid. Reason: Unsupported anything-but pattern: numeric", true},
		{"anything-but empty prefix", `{"a":[{"anything-but":{"prefix":""}}]}`, "Event pattern is not valid. Reason: Null prefix/suffix not allowed", true},
		{"anything-but prefix number", `{"a":[{"anything-but":{"prefix":1}}]}`, "Event pattern is not valid. Reason: prefix/suffix match pattern must be a string", true},
		{"anything-but ignore case number", `{"a":[{"anything-but":{"equals-ignore-case":[1]}}]}`, "Event pattern is not valid. Reason: Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", true},
		{"wildcard consecutive", `{"a":[{"wildcard":"a**"}]}`, "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2", true},
		{"wildcard escape", `{"a":[{"wildcard":"a\\b"}]}`, "Event pattern is not valid. Reason: Invalid escape character at pos 2", true},
		{"wildcard too complex", `{"a":[{"wildcard":"*a*a*a*a*a*a*a*a*a*a*a*a*"}]}`, "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character", false},
		{"cidr malformed", `{"a":[{"cidr":"10.0.0.0"}]}`, "Event pattern is not valid. Reason: Malformed CIDR, one '/' required", false},
		{"cidr mask", `{"a":[{"cidr":"10.0.0.0/x"}]}`, "Event pattern is not valid. Reason: Malformed CIDR, mask bits must be an integer", false},
		{"cidr address", `{"a":[{"cidr":"foo/24"}]}`, "Event pattern is not valid. Reason: Nonstandard IP address: foo", false},
		{"cidr v4 bits", `{"a":[{"cidr":"10.0.0.0/32"}]}`, "Event pattern is not valid. Reason: IPv4 mask bits must be < 32", false},
		{"or not array", `{"$or":{"a":["b"]}}`, "Event pattern is not valid. Reason: It must be an Array followed with $or.", true},
		{"or one branch", `{"$or":[{"a":["b"]}]}`, "Event pattern is not valid. Reason: There must have at least 2 Objects in $or relationship.", true},
		{"or reserved", `{"$or":[{"numeric":[1]},{"prefix":["abc"]}]}`, "Event pattern is not valid. Reason: numeric is Ruler reserved fieldName which cannot be used inside $or.", true},
		{"or scalar", `{"$or":[1,2]}`, "Event pattern is not valid. Reason: Only JSON object is allowed in array of $or relationship.", true},
		{"malformed json", `{"a": [1}`, "Event pattern is not valid. Reason: Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)\"{\"a\": [1}\"; line: 1, column: 7])", true},
		{"bad token", `{"a": [tru]}`, "Event pattern is not valid. Reason: Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", true},
		{"unquoted key", "{\n a: [1]}", "Event pattern is not valid. Reason: Unexpected character ('a' (code 97)): was expecting double-quote to start field name", true},
		{"truncated", `{"a": ["b"]`, "Event pattern is not valid. Reason: Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)\"{\"a\": [\"b\"]\"; line: 1, column: 1])", true},
		{"wildcard unsupported in sns only", `{"a":[{"exactly":"b"}]}`, "Event pattern is not valid. Reason: Unrecognized match type exactly", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEventPattern([]byte(tt.pattern))
			require.Error(t, err)
			var pe *Error
			require.ErrorAs(t, err, &pe)
			require.Equal(t, EventBridge, pe.Service)
			if tt.located {
				require.True(t, strings.HasPrefix(pe.Message(), tt.want+"\n at [Source: (String)\""), pe.Message())
			} else {
				require.Equal(t, tt.want, pe.Message())
			}
		})
	}
}

// TestEventPatternErrorLocation pins the location suffix to messages that
// AWS returned for the same documents.
func TestEventPatternErrorLocation(t *testing.T) {
	t.Parallel()
	tests := []struct{ pattern, want string }{
		{`{"source": ["aws.health"], "detail": {}}`,
			"Event pattern is not valid. Reason: Empty objects are not allowed\n at [Source: (String)\"{\"source\": [\"aws.health\"], \"detail\": {}}\"; line: 1, column: 40]"},
		{"{\n  \"detail-type\": [ \"Build Started\", \"Build Finished\" ],\n  \"detail\": {\n    \"pipeline\": {\n      \"slug\": \"some-pipeline\"\n    }\n  }\n}",
			"Reason: \"slug\" must be an object or an array\n at [Source: (String)\"{\n  \"detail-type\""},
	}
	for _, tt := range tests {
		_, err := ParseEventPattern([]byte(tt.pattern))
		var pe *Error
		require.ErrorAs(t, err, &pe)
		require.Contains(t, pe.Message(), tt.want)
	}
	_, err := ParseEventPattern([]byte("{\n  \"detail-type\": [ \"Build Started\", \"Build Finished\" ],\n  \"detail\": {\n    \"pipeline\": {\n      \"slug\": \"some-pipeline\"\n    }\n  }\n}"))
	require.ErrorContains(t, err, "; line: 5, column: 16]")
}

func TestEventPatternSourceTruncated(t *testing.T) {
	t.Parallel()
	doc := `{"` + string(make([]byte, 0)) + `a":` + `"` + string(repeat('x', 600)) + `"}`
	_, err := ParseEventPattern([]byte(doc))
	var pe *Error
	require.ErrorAs(t, err, &pe)
	require.Contains(t, pe.Message(), `"[truncated 108 chars]; line: 1, column: 7]`)
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}
