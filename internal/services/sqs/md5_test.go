package sqs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The expected digests are the ones AWS answers for these attributes, as recorded by the
// moto and LocalStack test suites against AWS.
func TestMD5OfAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		attrs map[string]attrValue
		want  string
	}{
		{"none", nil, ""},
		{"number", map[string]attrValue{"timestamp": {DataType: "Number", StringValue: "1493147359900"}}, "235c5c510d26fb653d073faed50ae77c"},
		{"number 2", map[string]attrValue{"timestamp": {DataType: "Number", StringValue: "1493147359901"}}, "994258b45346a2cc3f9cbb611aa7af30"},
		{"dotted name", map[string]attrValue{"SOME_Valid.attribute-Name": {DataType: "Number", StringValue: "1493147359900"}}, "36655e7e9d7c0e8479fa3f3f42247ae7"},
		{"string, binary, number and UTF-8, sorted by name bytes", map[string]attrValue{
			"ccc":             {DataType: "String", StringValue: "testjunk"},
			"aaa":             {DataType: "Binary", BinaryValue: []byte{2, 3, 4}},
			"zzz":             {DataType: "Number", StringValue: "0230.01"},
			"öther_encodings": {DataType: "String", StringValue: "Tüst"},
		}, "8ae21a7957029ef04146b42aeaa18a22"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, md5OfAttributes(tt.attrs))
		})
	}
}

func TestMD5Hex(t *testing.T) {
	t.Parallel()
	// aws-sdk-go-v2's checksum tests use "test"; moto's use "derp".
	require.Equal(t, "098f6bcd4621d373cade4e832627b4f6", md5Hex("test"))
	require.Equal(t, "58fd9edd83341c29f1aebba81c31e257", md5Hex("derp"))
}
