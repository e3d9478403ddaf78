// Package events is the conformance suite of Amazon EventBridge and EventBridge
// Scheduler: it starts the built overcast binary and drives it with aws-sdk-go-v2 and
// boto3. Expected behaviour comes from AWS's documentation, never from Overcast's own
// code.
//
// Most tests share one server with the real clock and use names unique to the test;
// tests that move the virtual clock start a server of their own.
package events
