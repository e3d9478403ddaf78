// Package lambda is the AWS Lambda conformance suite: it starts the built overcast binary
// and drives it with aws-sdk-go-v2, boto3 and the AWS CLI, deploying Python functions
// zipped at test time. Expected values come from the AWS Lambda Developer Guide and API
// Reference, never from Overcast's own code.
//
// The tests share one server and use function names unique to the test.
package lambda
