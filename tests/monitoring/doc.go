// Package monitoring is the CloudWatch metrics conformance suite: it starts the built
// overcast binary and drives it with boto3 (smithy-rpc-v2-cbor), the AWS CLI (query) and
// aws-sdk-go-v2. Expected values come from the Amazon CloudWatch API Reference and AWS's
// recorded answers, never from Overcast's own code.
//
// Tests share one server with the real clock and use namespaces unique to the test.
package monitoring
