// Package kinesisanalyticsv2 serves Amazon Kinesis Analytics. No operation is implemented
// yet: every operation answers NotImplemented.
package kinesisanalyticsv2
