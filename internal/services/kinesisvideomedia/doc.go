// Package kinesisvideomedia serves Amazon Kinesis Video Streams Media. No operation is
// implemented yet: every operation answers NotImplemented.
package kinesisvideomedia
