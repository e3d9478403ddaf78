// Package kinesisvideo serves Amazon Kinesis Video Streams. No operation is implemented
// yet: every operation answers NotImplemented.
package kinesisvideo
