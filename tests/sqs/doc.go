// Package sqs is the SQS conformance suite: it starts the built overcast binary and drives
// it with aws-sdk-go-v2 (JSON protocol), boto3, the AWS CLI and hand-built requests in the
// legacy query protocol. Expected values come from the Amazon SQS API Reference and
// Developer Guide, never from Overcast's own code.
//
// Most tests share one server with the real clock and use queue names unique to the
// test; tests that move the virtual clock, reset state or need special flags start a
// server of their own.
package sqs
