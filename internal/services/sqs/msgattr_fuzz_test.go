package sqs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzMessageAttributes(f *testing.F) {
	f.Add("timestamp", "Number", "1493147359900", []byte(nil))
	f.Add("bin", "Binary.gz", "", []byte{1, 2})
	f.Add("a..b", "String", "x", []byte(nil))
	f.Add("n", "Number", "-0.000e-129", []byte(nil))
	f.Fuzz(func(t *testing.T, name, typ, value string, bin []byte) {
		in := map[string]rawAttr{name: {DataType: &typ, StringValue: &value, BinaryValue: bin}}
		attrs, size, err := validateMessageAttributes(in)
		if err != nil {
			return
		}
		a := attrs[name]
		if !validAttrName(name) || attrTypeKind(a.DataType) == "" || size < len(name)+len(typ) {
			t.Fatalf("accepted %q %q: %+v size %d", name, typ, a, size)
		}
		if attrTypeKind(typ) == "Number" && !validNumber(value) {
			t.Fatalf("accepted number %q", value)
		}
		if md5OfAttributes(attrs) == "" {
			t.Fatal("no digest for an attribute")
		}
	})
}

func TestValidNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"0": true, "-0": true, "+1": true, "1.5": true, ".5": true, "5.": true, "0230.01": true, "-12.5e3": true,
		"1e126": true, "1.0e126": true, "1.1e126": false, "10e125": true, "1e127": false, "99999999999999999999999999999999999999": true,
		"999999999999999999999999999999999999999": false, "0.00000000000000000000000000000000000000001": true,
		"1e-128": true, "0.1e-127": true, "1e-129": false, "0e-99999999999": true, "1e99999999999": false,
		"": false, "-": false, ".": false, "1e": false, "e5": false, "1.2.3": false, "--1": false, "1e+-5": false, "0x10": false, "NaN": false, " 1": false,
	} {
		require.Equal(t, want, validNumber(s), s)
	}
}
