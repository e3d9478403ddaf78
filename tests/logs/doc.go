// Package logs is the CloudWatch Logs conformance suite: it starts the built overcast
// binary and drives it with aws-sdk-go-v2, boto3 and the AWS CLI. Expected values come
// from the Amazon CloudWatch Logs API Reference and User Guide, never from Overcast's own
// code.
//
// Most tests share one server with the real clock and use log group names unique to the
// test; tests that move the virtual clock start a server of their own.
package logs
