// Package mq serves AmazonMQ. No operation is implemented yet: every operation answers
// NotImplemented.
package mq
