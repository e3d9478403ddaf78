// Package logs serves Amazon CloudWatch Logs (awsJson 1.1) on the store, and gives other
// services an in-process way to write logs (Emit), which Lambda uses for its functions'
// output.
//
// # Supported operations
//
//   - Log groups: CreateLogGroup (name rules, tags, class, KMS key id, deletion
//     protection), DeleteLogGroup, DescribeLogGroups (prefix, case-sensitive name
//     pattern, identifiers, class, limit and nextToken; byte order of name),
//     PutRetentionPolicy and DeleteRetentionPolicy (AWS's day values),
//     PutLogGroupDeletionProtection.
//   - Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams (prefix, order by
//     LogStreamName or LastEventTime, descending, limit and nextToken).
//   - Events: PutLogEvents (chronological order, 10,000 events, 1,048,576 bytes counting
//     26 bytes per event, events older than 14 days or the retention and more than 2 hours
//     ahead rejected into rejectedLogEventsInfo, 24-hour span of the accepted events,
//     sequence token ignored and nextSequenceToken still returned), GetLogEvents (time
//     range, limit, startFromHead, f/... and b/... tokens that come back unchanged at the
//     end of the stream, 1 MB pages), FilterLogEvents (stream names or prefix, time
//     range, filter patterns from internal/logfilter, limit, nextToken; always
//     interleaved, searchedLogStreams empty as AWS answers today).
//   - Tags: TagResource, UntagResource, ListTagsForResource (log group ARN without ":*";
//     the ":*" form is accepted too) and the older TagLogGroup, UntagLogGroup,
//     ListTagsLogGroup; at most 50 tags.
//
// Every other operation answers NotImplemented. Model violations answer
// InvalidParameterException with AWS's "N validation errors detected" message.
//
// # Retention
//
// Events older than their log group's retention are hidden from reads as soon as they
// expire and deleted by a sweep that runs every Config.SweepInterval of the service clock
// (AWS deletes within 72 hours). storedBytes follows the sweep.
//
// # Differences from AWS
//
//   - storedBytes counts message bytes, uncompressed; log streams report 0 as AWS does.
//   - The messages of a few InvalidParameterException cases AWS does not document
//     (logGroupName with logGroupIdentifier, logGroupNamePrefix with logGroupNamePattern,
//     logStreamNames with logStreamNamePrefix, group names starting with "aws/", more than
//     50 tags through TagLogGroup) and of DeleteLogGroup under deletion protection are
//     Overcast's wording.
//   - Cross-account observability (accountIdentifiers, includeLinkedAccounts), KMS
//     encryption, data protection, metric filters, subscription filters, Logs Insights,
//     Live Tail, exports, deliveries and anomaly detection are not served.
//   - FilterLogEvents answers ResourceNotFoundException when a stream in logStreamNames
//     does not exist.
package logs
