// Package firehose serves Amazon Kinesis Firehose. No operation is implemented yet: every
// operation answers NotImplemented.
package firehose
