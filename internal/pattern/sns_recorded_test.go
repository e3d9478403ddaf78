package pattern

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFilterPolicyRecordedErrors pins whole InvalidParameter messages that
// AWS returned from Subscribe for these filter policies. AWS reads the
// policy after normalising it to compact JSON, so the locations count
// columns in the compact form whatever spacing the caller sent.
func TestFilterPolicyRecordedErrors(t *testing.T) {
	t.Parallel()
	const pre = "Invalid parameter: Attributes Reason: FilterPolicy: "
	at := func(doc string, col int) string {
		return "\n at [Source: (String)\"" + doc + "\"; line: 1, column: " + strconv.Itoa(col) + "]"
	}
	tests := []struct {
		doc   string
		scope Scope
		want  string
	}{
		{`{"key":[["value"]]}`, "", pre + "Match value must be String, number, true, false, or null" + at(`{"key":[["value"]]}`, 10)},
		{`{"key":[{"wrong-operator":true}]}`, "", pre + "Unrecognized match type wrong-operator" + at(`{"key":[{"wrong-operator":true}]}`, 31)},
		{`{"key":[{"suffix":"value","prefix":"value2"}]}`, "", pre + "Only one key allowed in match expression" + at(`{"key":[{"suffix":"value","prefix":"value2"}]}`, 37)},
		{`{"key":[{"suffix":100}]}`, "", pre + "suffix match pattern must be a string" + at(`{"key":[{"suffix":100}]}`, 22)},
		{`{"key":[{"suffix":null}]}`, "", pre + "suffix match pattern must be a string" + at(`{"key":[{"suffix":null}]}`, 23)},
		{`{"key":{"suffix":"value"}}`, "", pre + `"suffix" must be an object or an array` + at(`{"key":{"suffix":"value"}}`, 19)},
		{`{"key":[{"suffix":[]}]}`, "", pre + "suffix match pattern must be a string" + at(`{"key":[{"suffix":[]}]}`, 20)},
		{`{"key":[{"suffix":["test","test2"]}]}`, "", pre + "suffix match pattern must be a string" + at(`{"key":[{"suffix":["test","test2"]}]}`, 20)},
		{`{"key":{"suffix":"value","prefix":"value"}}`, "", pre + `"suffix" must be an object or an array` + at(`{"key":{"suffix":"value","prefix":"value"}}`, 19)},
		{`{"key":{"not-an-operator":"value"}}`, "", pre + `"not-an-operator" must be an object or an array` + at(`{"key":{"not-an-operator":"value"}}`, 28)},
		{`{"key":[{"numeric":[]}]}`, "", pre + "Invalid member in numeric match: ]" + at(`{"key":[{"numeric":[]}]}`, 22)},
		{`{"key":[{"numeric":["operator"]}]}`, "", pre + "Unrecognized numeric range operator: operator" + at(`{"key":[{"numeric":["operator"]}]}`, 32)},
		{`{"key":[{"numeric":[1,"<="]}]}`, "", pre + "Invalid member in numeric match: 1" + at(`{"key":[{"numeric":[1,"<="]}]}`, 22)},
		{`{"key":[{"numeric":["=","000"]}]}`, "", pre + "Value of equals must be numeric" + at(`{"key":[{"numeric":["=","000"]}]}`, 26)},
		{`{"key":[{"numeric":[">="]}]}`, "", pre + "Value of >= must be numeric" + at(`{"key":[{"numeric":[">="]}]}`, 26)},
		{`{"key":[{"numeric":["<",100,">",10]}]}`, "", pre + "Too many elements in numeric expression" + at(`{"key":[{"numeric":["<",100,">",10]}]}`, 30)},
		{`{"key":[{"numeric":[">=",1,">",2]}]}`, "", pre + "Bad numeric range operator: >" + at(`{"key":[{"numeric":[">=",1,">",2]}]}`, 31)},
		{`{"key":[{"numeric":[">",3,"<",1]}]}`, "", pre + "Bottom must be less than top" + at(`{"key":[{"numeric":[">",3,"<",1]}]}`, 33)},
		{`{"key":[{"numeric":[">",20,"<="]}]}`, "", pre + "Value of <= must be numeric" + at(`{"key":[{"numeric":[">",20,"<="]}]}`, 33)},
		{`{"key":[{"numeric":[">",20,30]}]}`, "", pre + "Bad value in numeric range: 30" + at(`{"key":[{"numeric":[">",20,30]}]}`, 30)},
		{`{"key":[{"numeric":[">",20,"test"]}]}`, "", pre + "Bad numeric range operator: test" + at(`{"key":[{"numeric":[">",20,"test"]}]}`, 34)},
		{`{"key":[{"numeric":[">","20","<","30"]}]}`, "", pre + "Value of > must be numeric" + at(`{"key":[{"numeric":[">","20","<","30"]}]}`, 26)},
		{`{"key":[{"numeric":[">",20,"<","30"]}]}`, "", pre + "Value of < must be numeric" + at(`{"key":[{"numeric":[">",20,"<","30"]}]}`, 33)},
		{`{"key":[{"numeric":[">",20,"<",30,"<",50]}]}`, "", pre + "Too many terms in numeric range expression" + at(`{"key":[{"numeric":[">",20,"<",30,"<",50]}]}`, 36)},
		{`{"key":[{"exists":null}]}`, "", pre + "exists match pattern must be either true or false." + at(`{"key":[{"exists":null}]}`, 23)},
		{`{"key":[{"exists":"no"}]}`, "", pre + "exists match pattern must be either true or false." + at(`{"key":[{"exists":"no"}]}`, 20)},
		{`{"key":[{"anything-but":{"wrong-operator":null}}]}`, "", pre + "Unsupported anything-but pattern: wrong-operator" + at(`{"key":[{"anything-but":{"wrong-operator":null}}]}`, 47)},
		{`{"key":[{"anything-but":{"suffix":"test"}}]}`, "", pre + "Unsupported anything-but pattern: suffix" + at(`{"key":[{"anything-but":{"suffix":"test"}}]}`, 36)},
		{`{"key":[{"anything-but":{"exists":false}}]}`, "", pre + "Unsupported anything-but pattern: exists" + at(`{"key":[{"anything-but":{"exists":false}}]}`, 40)},
		{`{"key":[{"anything-but":{"prefix":false}}]}`, "", pre + "prefix match pattern must be a string" + at(`{"key":[{"anything-but":{"prefix":false}}]}`, 40)},
		{`{"key1":["value1"],"key2":["value2"],"key3":["value3"],"key4":["value4"],"key5":["value5"],"key6":["value6"]}`, "", pre + "Filter policy can not have more than 5 keys"},
		// (4 x 6) + (4 x 4 x 4) + (4 x 4 x 4) = 152 combinations.
		{`{"source":["aws.cloudwatch","aws.events","aws.test","aws.test2"],"$or":[{"metricName":["CPUUtilization","ReadLatency","t1","t2","t3","t4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4]}]}]}`,
			ScopeMessageAttributes, pre + "Filter policy is too complex"},
		// (3 x 4 x 2) + (3 x 4 x 6) + (2 x 4 x 2) + (2 x 4 x 6) = 160 combinations.
		{`{"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service","Test"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}}`,
			ScopeMessageBody, pre + "Filter policy is too complex"},
	}
	for _, tt := range tests {
		_, err := ParseFilterPolicy([]byte(tt.doc), tt.scope)
		var pe *Error
		if !assertErrorAs(t, err, &pe, tt.doc) {
			continue
		}
		if got := pe.SubscribeMessage(); got != tt.want {
			t.Errorf("%s\n got: %q\nwant: %q", tt.doc, got, tt.want)
		}
	}
}

// TestFilterPolicyRecordedBodyOutcomes pins which message bodies AWS
// delivered to subscriptions with these MessageBody filter policies.
func TestFilterPolicyRecordedBodyOutcomes(t *testing.T) {
	t.Parallel()
	const nested = `{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}`
	const dotted = `{"object.nested":["string.value"]}`
	const deep = `{"object.nested.test":["string.value"]}`
	const s3 = `{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`
	const s3Event = `{"Records":[{"eventSource":"aws:s3","eventTime":"2022-11-21T03:41:29.743Z","eventName":"%s","s3":{"bucket":{"name":"b","arn":"arn:aws:s3:::b"},"object":{"key":"%s","size":17}}}]}`
	const or = `{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}`
	tests := []matchCase{
		{"prefix", nested, `{"object": {"key": "auto-test"}}`, true},
		{"exact among operators", nested, `{"object": {"key": "hardcodedvalue"}}`, true},
		{"prefix at the end", nested, `{"object": {"key": "test-auto"}}`, false},
		{"exists false, top level", nested, `{"object": {"key": "auto-test"}, "test": "just-exists"}`, false},
		{"exists false, nested", nested, `{"object": {"key": "auto-test", "nested_key": "just-exists"}}`, false},
		{"other nested key", nested, `{"object": {"test": "auto-test"}}`, false},
		{"other top-level key", nested, `{"test": "auto-test"}`, false},
		{"JSON string body", nested, `"Regular string message"`, false},
		{"dotted policy key, nested body", dotted, `{"object": {"nested": "string.value"}}`, true},
		{"dotted policy key, dotted body", dotted, `{"object.nested": "string.value"}`, true},
		{"dotted policy key, other value", dotted, `{"object": {"nested": "test-auto"}}`, false},
		{"deep, nested body", deep, `{"object": {"nested": {"test": "string.value"}}}`, true},
		{"deep, dotted body", deep, `{"object.nested.test": "string.value"}`, true},
		{"deep, dotted parent", deep, `{"object.nested": {"test": "string.value"}}`, true},
		{"deep, dotted child", deep, `{"object": {"nested.test": "string.value"}}`, true},
		{"deep, other value", deep, `{"object": {"nested": {"test": "string.notvalue"}}}`, false},
		{"array, none", `{"headers":{"route-to":["queue1"]}}`, `{"headers": {"route-to": ["queue3"]}}`, false},
		{"array, one", `{"headers":{"route-to":["queue1"]}}`, `{"headers": {"route-to": ["queue1"]}}`, true},
		{"array, other", `{"headers":{"route-to":["queue1"]}}`, `{"headers": {"route-to": ["queue2"]}}`, false},
		{"array, both", `{"headers":{"route-to":["queue2"]}}`, `{"headers": {"route-to": ["queue1", "queue2"]}}`, true},
		{"records, list of lists", s3, `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":[[{"key":"auto-insurance-2314.xml","size":17}]]}},{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"home-insurance-2314.xml","size":17}}}]}`, true},
		{"records, removed", s3, fmt.Sprintf(s3Event, "ObjectRemoved:Delete", "auto-insurance-2314.xml"), false},
		{"records, other key", s3, fmt.Sprintf(s3Event, "ObjectCreated:Put", "home-insurance-2314.xml"), false},
		{"records, created", s3, fmt.Sprintf(s3Event, "ObjectCreated:Put", "auto-insurance-2314.xml"), true},
		{"or, scope value", or, `{"metricName": "CPUUtilization", "detail": {"scope": "aws.cloudwatch", "type": "CloudWatch Alarm State Change"}}`, false},
		{"or, type value", or, `{"metricName": "CPUUtilization", "detail": {"scope": "Service", "type": "CPUUtilization"}}`, false},
		{"or, no scope", or, `{"metricName": "CPUUtilization", "detail": {"type": "CloudWatch Alarm State Change"}}`, false},
		{"or, no source or type", or, `{"metricName": "CPUUtilization", "detail": {"scope": "Service"}}`, false},
		{"or, no detail", or, `{"metricName": "CPUUtilization", "scope": "Service"}`, false},
		{"or, metric and source", or, `{"metricName": "CPUUtilization", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}`, true},
		{"or, other metric and source", or, `{"metricName": "ReadLatency", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}`, true},
		{"or, namespace and source", or, `{"namespace": "AWS/EC2", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}`, true},
		{"or, other namespace and source", or, `{"namespace": "AWS/ES", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}`, true},
		{"or, metric and type", or, `{"metricName": "CPUUtilization", "detail": {"scope": "Service", "type": "CloudWatch Alarm State Change"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseFilterPolicy([]byte(tt.pattern), ScopeMessageBody)
			require.NoError(t, err)
			checkMatch(t, p, tt.event, tt.want)
		})
	}
}

// TestFilterPolicyRecordedAttributeOutcomes pins which messages AWS
// delivered to subscriptions with these MessageAttributes filter policies.
func TestFilterPolicyRecordedAttributeOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		attrs  map[string]AttributeValue
		want   bool
	}{
		{"numeric range in", `{"attr1":[{"numeric":[">",0,"<=",100]}]}`, map[string]AttributeValue{"attr1": num("99")}, true},
		{"numeric range out", `{"attr1":[{"numeric":[">",0,"<=",100]}]}`, map[string]AttributeValue{"attr1": num("111")}, false},
		{"null or anything-but, no attributes", `{"attr1":[null,{"anything-but":"whatever"}]}`, map[string]AttributeValue{}, false},
		{"exists", `{"store":[{"exists":true}]}`, map[string]AttributeValue{"store": num("99"), "def": num("99")}, true},
		{"exists, absent", `{"store":[{"exists":true}]}`, map[string]AttributeValue{"attr1": num("111")}, false},
		{"not exists", `{"store":[{"exists":false}]}`, map[string]AttributeValue{"def": num("99")}, true},
		{"not exists, present", `{"store":[{"exists":false}]}`, map[string]AttributeValue{"store": num("99"), "def": num("99")}, false},
		{"string", `{"store":["value1"]}`, map[string]AttributeValue{"store": str("value1")}, true},
		{"string array", `{"store":["value1"]}`, map[string]AttributeValue{"store": array(`["value1", "value2"]`)}, true},
		{"string array, none", `{"store":["value1"]}`, map[string]AttributeValue{"store": array(`["value2", "value3"]`)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseFilterPolicy([]byte(tt.policy), ScopeMessageAttributes)
			require.NoError(t, err)
			require.Equal(t, tt.want, p.MatchesAttributes(tt.attrs))
		})
	}
}

// TestFilterPolicyRecordedAccepted pins policies AWS accepted.
func TestFilterPolicyRecordedAccepted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		doc   string
		scope Scope
	}{
		{`{"key":[{"anything-but":{"prefix":"test-"}}]}`, ScopeMessageAttributes},
		{`{"key":[{"anything-but":["test","test2"]}]}`, ScopeMessageAttributes},
		{`{"key":[{"anything-but":"test"}]}`, ScopeMessageAttributes},
		// (3 x 6) + (3 x 4 x 4) + (3 x 4 x 7) = 150 combinations, the limit.
		{`{"source":["aws.cloudwatch","aws.events","aws.test"],"$or":[{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}`, ScopeMessageAttributes},
		{`{"object":{"key":[{"prefix":"auto-"}]}}`, ScopeMessageBody},
	} {
		_, err := ParseFilterPolicy([]byte(tt.doc), tt.scope)
		require.NoError(t, err, tt.doc)
	}
}
