package pattern

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func str(v string) AttributeValue   { return AttributeValue{DataType: "String", StringValue: v} }
func num(v string) AttributeValue   { return AttributeValue{DataType: "Number", StringValue: v} }
func array(v string) AttributeValue { return AttributeValue{DataType: "String.Array", StringValue: v} }

func TestFilterPolicyAttributesDocumentedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		attrs  map[string]AttributeValue
		want   bool
	}{
		{"exact", `{"customer_interests":["rugby","tennis"]}`, map[string]AttributeValue{"customer_interests": str("rugby")}, true},
		{"exact second", `{"customer_interests":["rugby","tennis"]}`, map[string]AttributeValue{"customer_interests": str("tennis")}, true},
		{"exact array", `{"customer_interests":["rugby","tennis"]}`, map[string]AttributeValue{"customer_interests": array(`["rugby", "tennis"]`)}, true},
		{"exact no", `{"customer_interests":["rugby","tennis"]}`, map[string]AttributeValue{"customer_interests": str("baseball")}, false},
		{"exact array no", `{"customer_interests":["rugby","tennis"]}`, map[string]AttributeValue{"customer_interests": array(`["baseball"]`)}, false},
		{"anything-but", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]AttributeValue{"customer_interests": str("baseball")}, true},
		{"anything-but football", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]AttributeValue{"customer_interests": str("football")}, true},
		{"anything-but array", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]AttributeValue{"customer_interests": array(`["rugby", "baseball"]`)}, true},
		{"anything-but no", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, map[string]AttributeValue{"customer_interests": str("rugby")}, false},
		{"anything-but or absent", `{"customer_interests":[{"anything-but":["rugby"]},{"exists":false}]}`, map[string]AttributeValue{}, true},
		{"anything-but prefix", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]AttributeValue{"event": str("data-entry")}, true},
		{"anything-but prefix underscore", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]AttributeValue{"event": str("order_number")}, true},
		{"anything-but prefix no", `{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]AttributeValue{"event": str("order-cancelled")}, false},
		{"equals-ignore-case", `{"customer_interests":[{"equals-ignore-case":"tennis"}]}`, map[string]AttributeValue{"customer_interests": str("TENNIS")}, true},
		{"equals-ignore-case no", `{"customer_interests":[{"equals-ignore-case":"tennis"}]}`, map[string]AttributeValue{"customer_interests": str("rugby")}, false},
		{"cidr low", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]AttributeValue{"source_ip": str("10.0.0.0")}, true},
		{"cidr high", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]AttributeValue{"source_ip": str("10.0.0.255")}, true},
		{"cidr no", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]AttributeValue{"source_ip": str("10.1.1.0")}, false},
		{"prefix", `{"customer_interests":[{"prefix":"bas"}]}`, map[string]AttributeValue{"customer_interests": str("baseball")}, true},
		{"prefix basketball", `{"customer_interests":[{"prefix":"bas"}]}`, map[string]AttributeValue{"customer_interests": str("basketball")}, true},
		{"prefix no", `{"customer_interests":[{"prefix":"bas"}]}`, map[string]AttributeValue{"customer_interests": str("rugby")}, false},
		{"suffix", `{"customer_interests":[{"suffix":"ball"}]}`, map[string]AttributeValue{"customer_interests": str("baseball")}, true},
		{"suffix no", `{"customer_interests":[{"suffix":"ball"}]}`, map[string]AttributeValue{"customer_interests": str("rugby")}, false},
		{"numeric equals", `{"price_usd":[{"numeric":["=",301.5]}]}`, map[string]AttributeValue{"price_usd": num("301.5")}, true},
		{"numeric equals exponent", `{"price_usd":[{"numeric":["=",301.5]}]}`, map[string]AttributeValue{"price_usd": num("3.015e2")}, true},
		{"numeric string attribute", `{"price_usd":[{"numeric":["=",301.5]}]}`, map[string]AttributeValue{"price_usd": str("301.5")}, false},
		{"numeric anything-but", `{"price_usd":[{"anything-but":[100,500]}]}`, map[string]AttributeValue{"price_usd": num("101.5")}, true},
		{"numeric anything-but no", `{"price_usd":[{"anything-but":[100,500]}]}`, map[string]AttributeValue{"price_usd": num("100")}, false},
		{"numeric range", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, map[string]AttributeValue{"price_usd": num("150")}, true},
		{"numeric range low", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, map[string]AttributeValue{"price_usd": num("0")}, false},
		{"numeric custom type", `{"price_usd":[{"numeric":[">",0]}]}`, map[string]AttributeValue{"price_usd": {DataType: "Number.float", StringValue: "1.5"}}, true},
		{"exists", `{"store":[{"exists":true}]}`, map[string]AttributeValue{"store": str("example_corp")}, true},
		{"exists no", `{"store":[{"exists":true}]}`, map[string]AttributeValue{"event": str("x")}, false},
		{"not exists", `{"store":[{"exists":false}]}`, map[string]AttributeValue{"event": str("x")}, true},
		{"not exists present", `{"store":[{"exists":false}]}`, map[string]AttributeValue{"store": str("x")}, false},
		{"binary ignored", `{"store":[{"exists":false}]}`, map[string]AttributeValue{"store": {DataType: "Binary", BinaryValue: []byte{1}}}, true},
		{"and", `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, map[string]AttributeValue{"customer_interests": str("rugby"), "price_usd": num("100.1")}, true},
		{"and no", `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}`, map[string]AttributeValue{"customer_interests": str("rugby"), "price_usd": num("100")}, false},
		{"or operator", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			map[string]AttributeValue{"source": str("aws.cloudwatch"), "namespace": str("AWS/EC2")}, true},
		{"or operator no", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}`,
			map[string]AttributeValue{"source": str("aws.cloudwatch"), "namespace": str("AWS/ES")}, false},
		{"array numbers", `{"ids":[5]}`, map[string]AttributeValue{"ids": array(`[1, 5]`)}, true},
		{"dotted attribute name", `{"a.b":["x"]}`, map[string]AttributeValue{"a.b": str("x")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseFilterPolicy([]byte(tt.policy), ScopeMessageAttributes)
			require.NoError(t, err)
			require.Equal(t, tt.want, p.MatchesAttributes(tt.attrs))
			m := NewMatcher[int]()
			m.Add(7, p)
			got := m.MatchAttributes(tt.attrs, nil)
			if tt.want {
				require.Equal(t, []int{7}, got)
			} else {
				require.Empty(t, got)
			}
		})
	}
}

func TestFilterPolicyMessageBodyDocumentedExamples(t *testing.T) {
	t.Parallel()
	policy := `{
	  "store": ["example_corp"],
	  "event": [{"anything-but": "order_cancelled"}],
	  "customer_interests": ["rugby", "football", "baseball"],
	  "price_usd": [{"numeric": [">=", 100]}]
	}`
	nested := `{"object": {"key": [{"prefix": "auto-"}]}, "test": [{"exists": false}]}`
	tests := []struct {
		name   string
		policy string
		body   string
		want   bool
	}{
		{"example policy", policy, `{"store":"example_corp","event":"order_placed","customer_interests":"soccer","price_usd":210.75}`, false},
		{"example policy match", policy, `{"store":"example_corp","event":"order_placed","customer_interests":["soccer","baseball"],"price_usd":210.75}`, true},
		{"example policy cancelled", policy, `{"store":"example_corp","event":"order_cancelled","customer_interests":"rugby","price_usd":210.75}`, false},
		{"nested", nested, `{"object":{"key":"auto-test"}}`, true},
		{"nested exists false", nested, `{"object":{"key":"auto-test"},"test":1}`, false},
		{"body array anything-but", `{"customer_interests":[{"anything-but":["rugby","tennis"]}]}`, `{"customer_interests":["rugby","baseball"]}`, true},
		{"body not json object", `{"a":[{"exists":false}]}`, `"text"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParseFilterPolicy([]byte(tt.policy), ScopeMessageBody)
			require.NoError(t, err)
			checkMatch(t, p, tt.body, tt.want)
		})
	}
	p, err := ParseFilterPolicy([]byte(`{"a":["b"]}`), ScopeMessageBody)
	require.NoError(t, err)
	_, err = p.Matches([]byte(`not json`))
	require.ErrorIs(t, err, ErrInvalidEvent)
}

func TestFilterPolicyRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		policy    string
		scope     Scope
		want      string
		subscribe string
	}{
		{"six keys", `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`, ScopeMessageAttributes,
			"Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
			"Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not have more than 5 keys"},
		{"too complex", `{"a":["1","2","3","4","5","6","7","8","9","10"],"b":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16"]}`, ScopeMessageAttributes,
			"Invalid parameter: FilterPolicy: Filter policy is too complex", ""},
		{"too complex nested", `{"a":{"b":{"c":["1","2","3","4","5","6","7","8","9","10","11","12","13"]}},"d":{"e":["1","2","3"]}}`, ScopeMessageBody,
			"Invalid parameter: FilterPolicy: Filter policy is too complex", ""},
		{"nested attributes", `{"a":{"b":["1"]}}`, ScopeMessageAttributes,
			"Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
			"Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy"},
		{"wildcard", `{"a":[{"wildcard":"x*"}]}`, ScopeMessageBody, "Invalid parameter: FilterPolicy: Unrecognized match type wildcard", ""},
		{"anything-but suffix", `{"a":[{"anything-but":{"suffix":"x"}}]}`, ScopeMessageBody, "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix", ""},
		{"prefix object", `{"a":[{"prefix":{"equals-ignore-case":"x"}}]}`, ScopeMessageBody, "Invalid parameter: FilterPolicy: prefix match pattern must be a string", ""},
		{"not array", `{"a":"b"}`, ScopeMessageAttributes, "Invalid parameter: FilterPolicy: \"a\" must be an object or an array", ""},
		{"empty array", `{"a":[]}`, ScopeMessageAttributes, "Invalid parameter: FilterPolicy: Empty arrays are not allowed", ""},
		{"exists", `{"a":[{"exists":1}]}`, ScopeMessageAttributes, "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.", ""},
		{"numeric", `{"a":[{"numeric":["<","x"]}]}`, ScopeMessageAttributes, "Invalid parameter: FilterPolicy: Value of < must be numeric", ""},
		{"cidr", `{"a":[{"cidr":"1.2.3.4"}]}`, ScopeMessageAttributes, "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFilterPolicy([]byte(tt.policy), tt.scope)
			var pe *Error
			require.ErrorAs(t, err, &pe)
			require.Equal(t, SNS, pe.Service)
			require.True(t, len(pe.Message()) >= len(tt.want) && pe.Message()[:len(tt.want)] == tt.want, pe.Message())
			if tt.subscribe != "" {
				require.Equal(t, tt.subscribe, pe.SubscribeMessage())
			}
		})
	}
}

func TestFilterPolicyLimitsAccepted(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		`{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}`,
		// 3 x 1 x 2 = 6, the constraints page's example.
		`{"key_a":["value_one","value_two","value_three"],"key_b":["value_one"],"key_c":["value_one","value_two"]}`,
		// 3 x 4 x 2 x 3 = 72: four values three levels deep, three values two levels deep.
		`{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},"key_d":{"key_e":["value_one","value_two","value_three"]}}`,
	} {
		_, err := ParseFilterPolicy([]byte(doc), ScopeMessageBody)
		require.NoError(t, err, doc)
	}
}
