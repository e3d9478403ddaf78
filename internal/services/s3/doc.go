// Package s3 serves the core of Amazon Simple Storage Service on the store: buckets,
// objects, listings, copies, multipart uploads and tagging.
//
//   - Buckets (bucket.go): CreateBucket with S3's naming rules and LocationConstraint
//     rules (us-east-1 is the default and may not be named; elsewhere the constraint must
//     name the endpoint's region), HeadBucket, DeleteBucket, ListBuckets,
//     GetBucketLocation. Bucket names are global across accounts, as in S3.
//   - Objects (object.go, copy.go): PutObject (Content-MD5, user metadata, the stored
//     system headers, conditional writes), GetObject and HeadObject (single byte ranges,
//     If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, response-*
//     overrides), DeleteObject, DeleteObjects, CopyObject (metadata and tagging
//     directives, x-amz-copy-source-if-*). ETags are the MD5 of the body in quotes.
//   - Listings (list.go): ListObjectsV2 and ListObjects with Prefix, Delimiter,
//     MaxKeys, StartAfter / ContinuationToken / Marker and EncodingType url.
//   - Multipart uploads (multipart.go): Create, UploadPart, UploadPartCopy, Complete,
//     Abort, ListParts, ListMultipartUploads.
//   - Tagging (tagging.go): bucket and object tag sets, x-amz-tagging on writes.
//   - Checksums (checksum.go): the CRC32, CRC32C, CRC64NVME, SHA1 or SHA256 checksum an
//     upload carries is checked (BadDigest), kept and answered with
//     x-amz-checksum-mode ENABLED. Multipart objects keep none; the newer SHA512, MD5 and
//     XXHASH algorithms are not checked.
//   - Event notifications (notification.go, notification_deliver.go):
//     PutBucketNotificationConfiguration / GetBucketNotificationConfiguration (and the
//     deprecated GetBucketNotification) with queue, topic and Lambda configurations, key
//     prefix/suffix filters and EventBridgeConfiguration, checked as S3 checks them
//     (unparsable ARNs, unknown events, bad filter rules, overlapping configurations, and
//     destinations that do not exist unless x-amz-skip-destination-validation). Storing a
//     configuration sends s3:TestEvent to its queues and topics. PutObject, CopyObject,
//     CompleteMultipartUpload, DeleteObject and DeleteObjects that match a configuration
//     deliver S3's event record (eventVersion 2.1, URL-encoded key) to SQS, to SNS (Subject
//     "Amazon S3 Notification") or to Lambda (asynchronous invoke); with
//     EventBridgeConfiguration they put "Object Created" / "Object Deleted" events (source
//     aws.s3) on the default bus of the bucket's account and region. The deliveries are
//     internal/delivery jobs enqueued in the object write's own transaction (store
//     S3WriteHook), so an acknowledged write cannot lose its notifications; the Notifier
//     of Deps reaches the other services in process.
//   - Bucket configurations (config.go, acl.go), stored as one JSON document per bucket
//     and kind (s3_bucket_configs) and answered, never acted on: policy (checked as
//     MalformedPolicy; GetBucketPolicyStatus), CORS, lifecycle, default encryption
//     (SSE-S3 AES256 when none was put), public access block and ownership controls
//     (new buckets get BucketOwnerEnforced and all public access blocked, as in S3 since
//     2023), website, logging, request payment and transfer acceleration, each with S3's
//     "not configured" error. ACLs read as the owner's FULL_CONTROL; with
//     BucketOwnerEnforced, ACLs granting more are refused (AccessControlListNotSupported),
//     on objects writes too; otherwise bucket ACLs are stored. Replication and Object
//     Lock configurations are never there (their not-found errors).
//   - Versioning (versioning.go): PutBucketVersioning / GetBucketVersioning; version ids on
//     PutObject, CopyObject and CompleteMultipartUpload; GetObject, HeadObject, CopyObject
//     sources, tagging and DeleteObject(s) by VersionId; delete markers (NoSuchKey with
//     x-amz-delete-marker, MethodNotAllowed for a marker's version, NoSuchVersion);
//     ListObjectVersions with Prefix, Delimiter, KeyMarker / VersionIdMarker pagination.
//     Objects written while unversioned or suspended are the "null" version.
//   - GetObjectBytes (inprocess.go) reads an object for other services in process.
//
// Object bytes live in the store (s3_objects.body for current versions,
// s3_object_versions for noncurrent ones), so an acknowledged PUT survives a crash.
//
// Known gaps: a ranged GET answers 200 with Content-Range and the range's bytes, not 206
// (the rest-xml codec has no way for an output to choose its status); a bucket of another
// account answers AccessDenied, as no bucket policy or ACL can grant access; requests to a
// bucket through another region's endpoint are served rather than redirected; policies,
// ACLs, CORS, lifecycle rules, encryption and the other configurations are stored but not
// enforced or applied (no expiry, objects unencrypted; CORS rules are evaluated by
// CORSPreflight and CORSHeaders in cors.go, which the edge does not call yet);
// object ACLs are not kept; MFA delete is not checked. Every operation not listed above
// answers NotImplemented (the deprecated PutBucketNotification included). Notifications cover the object events above only:
// ObjectTagging, ObjectAcl, ObjectRestore, lifecycle and replication events are accepted
// in configurations but never sent; records carry sourceIPAddress 127.0.0.1.
package s3
