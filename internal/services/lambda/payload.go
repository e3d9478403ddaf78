package lambda

import (
	"encoding/json"
	"fmt"
)

// checkPayload returns AWS's InvalidRequestContentException for an invocation payload
// that is not JSON, or nil. AWS's message is its JSON parser's (Jackson's), with the
// location of the problem; the first value's usual failures are rendered as it renders
// them, anything else with a generic description.
func checkPayload(payload []byte) error {
	if json.Valid(payload) {
		return nil
	}
	return NewInvalidRequestContentException("Could not parse request body into json: Could not parse payload into json: " + payloadProblem(payload))
}

// expectedValue is how the parser lists what may start a JSON value.
const expectedValue = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// payloadProblem describes why payload is not JSON, for the first value's usual failures:
// a word that is not a JSON token, a byte that cannot start a UTF-8 character inside such
// a word, and a control character where the value should start.
func payloadProblem(payload []byte) string {
	line, lineStart := 1, 0
	i := 0
	for i < len(payload) && (payload[i] == ' ' || payload[i] == '\t' || payload[i] == '\r' || payload[i] == '\n') {
		if payload[i] == '\n' {
			line, lineStart = line+1, i+1
		}
		i++
	}
	// at renders the location the parser reports: the 1-based column of the byte at
	// offset pos (for most errors, the byte after the last one it read).
	at := func(pos int) string {
		return fmt.Sprintf("\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: %d, column: %d]", line, pos-lineStart+1)
	}
	if i == len(payload) {
		return "Unexpected character: was expecting a JSON value"
	}
	b := payload[i]
	switch {
	case isLetter(b):
		j := i
		for j < len(payload) && (isLetter(payload[j]) || payload[j] >= '0' && payload[j] <= '9' || payload[j] == '_' || payload[j] == '$') {
			j++
		}
		token := string(payload[i:j])
		if token == "true" || token == "false" || token == "null" {
			break
		}
		if j < len(payload) && invalidUTF8Start(payload[j]) {
			return fmt.Sprintf("Invalid UTF-8 start byte 0x%x", payload[j]) + at(j+1)
		}
		// The parser reads the byte that ends the word too.
		end := j
		if j < len(payload) {
			end++
		}
		return "Unrecognized token '" + token + "': was expecting " + expectedValue + at(end)
	case b >= 0x80 && b <= 0x9f:
		// An unexpected character is located at itself.
		return fmt.Sprintf("Unexpected character ((CTRL-CHAR, code %d)): expected a valid value ", b) + expectedValue + at(i)
	}
	return "Unexpected character: was expecting a JSON value"
}

// isLetter reports whether b is an ASCII letter: the start of a bare word (true, false,
// null or a mistake), which goes on with letters, digits, _ and $.
func isLetter(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// invalidUTF8Start reports whether b cannot begin a UTF-8 character.
func invalidUTF8Start(b byte) bool {
	return b >= 0x80 && b <= 0xbf || b >= 0xf8
}
