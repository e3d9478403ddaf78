// Package iam is the IAM and STS conformance suite: it starts the built overcast binary
// and drives it with boto3, the AWS CLI and aws-sdk-go-v2 (SQS and Lambda, with
// credentials STS issued). Expected values come from the IAM and STS API References and
// AWS's recorded answers, never from Overcast's own code.
//
// Tests share one server with the real clock. IAM is global and per account, so each
// test signs with a 12-digit access key of its own, which is an account of its own.
package iam
