// Package edge is Overcast's front door. It serves every AWS API on one listener, the
// way AWS's own front ends do:
//
//   - It finds the service and operation of a request from the X-Amz-Target header
//     (awsJson), the Smithy-Protocol header and path (rpcv2Cbor), the Action parameter
//     (awsQuery), or the method and path (restJson1, restXml), narrowed by the SigV4
//     credential scope's service name or the Host ("sqs.us-east-1.localhost",
//     "photos.s3.localhost", "photos.localhost"). SQS query requests posted to a queue
//     URL reach SQS; unsigned requests naming nothing are tried against every rest API,
//     S3 last.
//   - It reads the access key and region from the signature (an access key of 12 digits
//     is that account) and, in sigv4 mode, verifies Signature Version 4 signatures in
//     headers, presigned URLs and signed aws-chunked uploads, answering AWS's errors in
//     the service's own protocol (the JSON front end's, the query services', or S3's).
//     Signature Version 4a (AWS4-ECDSA-P256-SHA256, which SDKs use for EventBridge
//     global endpoints and S3 Multi-Region Access Points) is verified too, in headers
//     and presigned URLs, with the ECDSA P-256 key derived from the secret; its region
//     is the X-Amz-Region-Set's when that names one region.
//   - It assigns the request id, limits the body, removes the aws-chunked encoding,
//     decodes the input with the protocol's codec, runs the service's PrepareFunc and the
//     model validation, calls the service and encodes the output or error. A panic
//     becomes InternalFailure (500) and is logged once with the request id, as is the
//     cause of every other internal failure.
//   - It serves /_overcast/health and /_overcast/metrics (Prometheus text format) and
//     hands the other /_overcast/ paths to Config.Extra.
//
// Edge.Server returns an http.Server speaking HTTP/1.1 and h2c on one port.
//
// 250 ms after the last request (Config.IdleRelease) the edge collects garbage and returns
// the free heap to the operating system, once per idle period.
//
// Known gaps: Signature Version 2 (still boto3's default for presigned S3 URLs) is parsed
// for the access key but rejected in sigv4 mode; a SigV4a signature is accepted whatever
// regions its X-Amz-Region-Set names, and the chunk signatures of a SigV4a-signed
// aws-chunked upload (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD) are not checked, only
// its seed signature; request bodies are read whole before dispatch, streaming uploads
// included.
package edge
