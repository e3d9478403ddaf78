// Package kinesis serves Amazon Kinesis. No operation is implemented yet: every operation
// answers NotImplemented.
package kinesis
