package lambda

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFunctionName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in              string
		name, q, region string
		wantError       bool
	}{
		{in: "f", name: "f"},
		{in: "my-function_1", name: "my-function_1"},
		{in: "f:1", name: "f", q: "1"},
		{in: "f:$LATEST", name: "f", q: "$LATEST"},
		{in: "123456789012:function:f", name: "f"},
		{in: "123456789012:function:f:prod", name: "f", q: "prod"},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:f", name: "f", region: "us-east-1"},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:f:2", name: "f", q: "2", region: "us-east-1"},
		{in: "", wantError: true},
		{in: "f:", wantError: true},
		{in: "a b", wantError: true},
		{in: "arn:aws:lambda:us-east-1:123456789012:layer:f", wantError: true},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:", wantError: true},
		{in: "1:2:3:4:5", wantError: true},
		{in: "x23456789012345678901234567890123456789012345678901234567890123456", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ref, err := parseFunctionName(tt.in)
			if tt.wantError {
				requireCode(t, err, ErrCodeInvalidParameterValueException)
				return
			}
			require.NoError(t, err)
			require.Equal(t, functionRef{Name: tt.name, Qualifier: tt.q, Region: tt.region}, ref)
		})
	}
}

func FuzzParseFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "123456789012:function:f:q", "arn:aws:lambda:us-east-1:123456789012:function:f:2", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseFunctionName(s)
		if err != nil {
			return
		}
		require.True(t, functionNamePattern.MatchString(ref.Name))
		require.NotContains(t, ref.Qualifier, ":")
	})
}

func TestNewRevisionIDIsUUID(t *testing.T) {
	t.Parallel()
	a, b := newRevisionID(), newRevisionID()
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	require.NotEqual(t, a, b)
}
