package lambda

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPayloadProblem checks the parser messages AWS answers for payloads that are not
// JSON.
func TestPayloadProblem(t *testing.T) {
	t.Parallel()
	const prefix = "Could not parse request body into json: Could not parse payload into json: "
	const src = "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
	// The two payloads AWS CLI v2 sends when --payload is given as text without
	// --cli-binary-format raw-in-base64-out, and AWS's answers.
	for _, tc := range []struct{ payload, want string }{
		{"n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt", "Invalid UTF-8 start byte 0x87" + src + "line: 1, column: 3]"},
		{"\x99\xeb,j\x07\xa1zYh", "Unexpected character ((CTRL-CHAR, code 153)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')" + src + "line: 1, column: 1]"},
	} {
		pe := requireCode(t, checkPayload([]byte(tc.payload)), ErrCodeInvalidRequestContentException)
		require.Equal(t, prefix+tc.want, pe.Message, "payload %q", tc.payload)
	}
	// A bare word is an unrecognized token; other mistakes get a generic description.
	pe := requireCode(t, checkPayload([]byte("not json")), ErrCodeInvalidRequestContentException)
	require.True(t, strings.HasPrefix(pe.Message, prefix+"Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at "), pe.Message)
	pe = requireCode(t, checkPayload([]byte("{not json")), ErrCodeInvalidRequestContentException)
	require.True(t, strings.HasPrefix(pe.Message, prefix), pe.Message)
	require.NoError(t, checkPayload([]byte(` {"a": [1, true, null]} `)))
}
