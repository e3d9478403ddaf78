// Package s3 is the S3 conformance suite: it starts the built overcast binary and drives
// it with aws-sdk-go-v2 (path-style addressing), boto3 and the AWS CLI. Expected values
// come from the Amazon S3 API Reference and User Guide, never from Overcast's own code.
//
// Most tests share one server and use bucket names unique to the test; the durability
// test starts a server of its own.
package s3
