package sns

import "testing"

func TestAttributePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"MessageAttributes.attr1.DataType", "messageAttributes.attr1.member.dataType"},
		{"PublishBatchRequestEntries.1.MessageAttributes.attr1.DataType",
			"publishBatchRequestEntries.1.member.messageAttributes.attr1.member.dataType"},
		{"MessageAttributes.Color.DataType", "messageAttributes.Color.member.dataType"},
		{"MessageAttributes.a.b.DataType", "messageAttributes.a.b.member.dataType"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := attributePath(tt.in); got != tt.want {
				t.Errorf("attributePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
