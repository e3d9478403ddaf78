package sns

import (
	"testing"
)

// FuzzCheckMessage feeds client-controlled publish input (message, subject, structure and
// one attribute) to the validator: it must answer or reject, never panic, and an accepted
// structured message always has a default.
func FuzzCheckMessage(f *testing.F) {
	f.Add("hello", "subj", "", "String", "v")
	f.Add(`{"default":"d","sqs":"s"}`, "", "json", "Number", "1.5e3")
	f.Add(`{"default":1}`, "", "json", "String.Array", `["a",1,null]`)
	f.Add("x", "a\nb", "text", "Binary", "")
	f.Fuzz(func(t *testing.T, msg, subject, structure, dataType, value string) {
		var subj, str *string
		if subject != "" {
			subj = &subject
		}
		if structure != "" {
			str = &structure
		}
		attrs := map[string]*MessageAttributeValue{"a": {DataType: &dataType, StringValue: &value, BinaryValue: []byte(value)}}
		m, err := checkMessage(nil, msg, subj, str, attrs, nil, nil)
		if err == nil && m.perProto != nil {
			if _, ok := m.perProto["default"]; !ok {
				t.Fatalf("accepted a structured message without default: %q", msg)
			}
		}
		if err != nil && err.Code == "" {
			t.Fatalf("error without code: %v", err)
		}
	})
}

// FuzzSubscriptionAttribute feeds attribute values (filter policies, delivery and redrive
// policies) to the subscription attribute validator.
func FuzzSubscriptionAttribute(f *testing.F) {
	f.Add("FilterPolicy", `{"a":["b",{"prefix":"c"}]}`)
	f.Add("FilterPolicyScope", "MessageBody")
	f.Add("DeliveryPolicy", `{"healthyRetryPolicy":{"numRetries":3,"minDelayTarget":1,"maxDelayTarget":2}}`)
	f.Add("RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:q"}`)
	f.Fuzz(func(t *testing.T, name, value string) {
		err := validateSubAttr(name, value, "http", map[string]string{}, false)
		if err != nil && err.Code == "" {
			t.Fatalf("error without code: %v", err)
		}
		if err == nil && name == "DeliveryPolicy" && value != "" {
			_ = retryPolicyFor("http", value, "")
		}
	})
}
