package events

import "github.com/overcast/overcast/internal/protocol"

// NewValidationException is EventBridge's answer to invalid parameters. The model does
// not declare it, but the service sends it (400, Sender).
func NewValidationException(msg string) *protocol.Error { return protocol.ValidationException(msg) }
