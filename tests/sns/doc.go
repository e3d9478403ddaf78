// Package sns is the SNS conformance suite: the built overcast binary driven by
// aws-sdk-go-v2 and boto3. It covers topics and their attributes, fan-out to SQS queues
// with filter policies in both scopes, raw delivery, FIFO topics to FIFO queues, HTTP
// subscriptions with confirmation and signature verification (SignatureVersion 1 and 2),
// subscription dead-letter queues under the virtual clock, PublishBatch and the
// documented error paths.
package sns
