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
//     the ":*" form is accepted too; destination ARNs) and the older TagLogGroup,
//     UntagLogGroup, ListTagsLogGroup; at most 50 tags.
//   - Metric filters: PutMetricFilter (at most 100 per log group; replacing keeps the
//     creation time), DescribeMetricFilters (one group with filterNamePrefix, or all
//     groups; metricName with metricNamespace; limit and nextToken; byte order of group
//     and name), DeleteMetricFilter, TestMetricFilter (filter patterns from internal/logfilter;
//     extractedValues for space-delimited patterns, "$name" or "$N" for unnamed fields).
//     DescribeLogGroups reports metricFilterCount.
//   - Subscription filters: PutSubscriptionFilter (at most 2 per log group; a function
//     of another account named directly answers AccessDeniedException "Cross-account
//     lambda invocation passing is not allowed. ...", a Kinesis or Firehose destination
//     without roleArn "destinationArn for vendor kinesis cannot be used without roleArn",
//     both before the log group is looked up),
//     DescribeSubscriptionFilters, DeleteSubscriptionFilter. The destination is a Lambda
//     function of the caller's account and region, which must exist, or a logs destination
//     (of any account) that forwards to such a function. Matching events, from
//     PutLogEvents and from Emit (functions' own logs), are delivered as AWS delivers them:
//     {"awslogs":{"data":base64(gzip(JSON))}} with messageType DATA_MESSAGE, owner,
//     logGroup, logStream, subscriptionFilters and logEvents [{id, timestamp, message}],
//     one asynchronous (Event) invocation per filter and batch, queued through the durable
//     delivery layer, split when the payload would pass Config.MaxDeliveryPayload.
//   - Destinations, the receiving end of cross-account subscriptions: PutDestination
//     (arn arn:aws:logs:<region>:<account>:destination:<name>; putting again changes
//     targetArn and roleArn and keeps creationTime, accessPolicy and tags),
//     PutDestinationPolicy (accessPolicy, forceUpdate), DescribeDestinations
//     (DestinationNamePrefix, limit and nextToken; byte order of name), DeleteDestination.
//     Any targetArn is stored, as AWS stores it. A subscription filter whose
//     destinationArn is a logs destination is checked at PutSubscriptionFilter: a
//     destination of another account must exist and its access policy must have an Allow
//     statement whose principal is "*", the caller's account id or its root ARN and whose
//     action is logs:PutSubscriptionFilter, logs:* or * (otherwise AccessDeniedException
//     "User with accountId: ... is not authorized to perform: logs:PutSubscriptionFilter
//     on resource: ..."); a missing destination of the caller's own account answers
//     AWS's "Could not deliver test message to specified destination" message; the
//     target must be a Lambda function Overcast can invoke (Kinesis and Firehose targets
//     are refused as when named directly). Events are resolved to the destination's
//     target when they are delivered: retargeting a destination moves its deliveries,
//     deleting it stops them (its subscription filters stay, as in AWS). The owner of a
//     delivery is the sending account.
//   - Account policies: PutAccountPolicy (DATA_PROTECTION_POLICY and
//     SUBSCRIPTION_FILTER_POLICY one per account and region, FIELD_INDEX_POLICY 40,
//     TRANSFORMER_POLICY 20, METRIC_EXTRACTION_POLICY not capped; scope ALL;
//     selectionCriteria, refused for data protection policies; replacing keeps the
//     policy), DescribeAccountPolicies (policyType, policyName matched whole,
//     accountIdentifiers), DeleteAccountPolicy (by name and type). Stored and returned,
//     not enforced: an account-level data protection policy masks nothing, a subscription
//     filter policy delivers nothing, field index and transformer policies change no
//     event.
//   - Resource policies: PutResourcePolicy, DescribeResourcePolicies,
//     DeleteResourcePolicy (account-level policies, at most 10 per region; stored, not
//     evaluated).
//   - KMS keys: AssociateKmsKey, DisassociateKmsKey (the key ARN is stored and shown by
//     DescribeLogGroups).
//   - Data protection: PutDataProtectionPolicy, GetDataProtectionPolicy,
//     DeleteDataProtectionPolicy (stored; DescribeLogGroups reports dataProtectionStatus
//     ACTIVATED).
//   - Logs Insights: StartQuery (logGroupName, logGroupNames or logGroupIdentifiers,
//     startTime and endTime in epoch seconds, both included, limit; a missing log group
//     answers AWS's "Log group '...' does not exist for account ID '...' (Service:
//     AWSLogs; ...)"), GetQueryResults
//     (status, results as field/value rows each ending with @ptr, statistics
//     recordsMatched, recordsScanned, bytesScanned and logGroupsScanned; maxItems and
//     nextToken), StopQuery, DescribeQueries (logGroupName, status, maxResults,
//     nextToken; newest first; queryString prefixed as AWS shows it, SOURCE "group"
//     START=<ms> END=<ms> | query). See "Logs Insights queries" below.
//   - Query definitions: PutQueryDefinition (create, or replace by queryDefinitionId),
//     DescribeQueryDefinitions (queryDefinitionNamePrefix, maxResults and nextToken; in
//     order of name), DeleteQueryDefinition; stored, at most 1,000 per region.
//   - GetLogRecord (every field of the event a query's @ptr names; times in epoch
//     milliseconds), GetLogGroupFields (the fields of the events of the 15 minutes before
//     time, with the percentage of events that have each), ListLogGroups
//     (logGroupNamePattern alternatives as prefixes "^x" or substrings, logGroupClass,
//     logGroupTags, limit and nextToken).
//
// Filters and policies of a log group go with it when it is deleted.
//
// Every other operation answers NotImplemented. Model violations answer
// InvalidParameterException with AWS's "N validation errors detected" message, except
// as AWS words them: a log group or stream name longer than 512 characters (in any
// operation) answers "Invalid LogGroup or LogStream, both must have length less than or
// equal to 512.", and a metric namespace with ':' is accepted although the model's
// pattern forbids it. logGroupName with logGroupIdentifier answers ValidationException
// "LogGroup name and LogGroup ARN are mutually exclusive parameters."; DescribeLogGroups
// with logGroupNamePattern leaves storedBytes and deletionProtectionEnabled out, as AWS
// does.
//
// On PostgreSQL with several nodes, each node caches the subscription filters it
// delivers by: a filter put or deleted through one node is followed by the others'
// deliveries within Config.MetadataTTL (one second).
//
// # Logs Insights queries
//
// The query engine (query.go, query_eval.go) serves the commonly used subset of the Logs
// Insights language: commands joined by "|"; fields and display (field names, JSON fields
// of JSON messages such as level or a.b, computed expressions with "as"); filter with =,
// !=, <, <=, >, >=, =~, like and not like (a string is a substring, /regex/ a regular
// expression), in and not in [lists], and, or, not, parentheses, +, - and *, and the
// functions isPresent, isEmpty, isBlank, toLower, toUpper, trim, strlen, concat, abs,
// floor, ceil; parse of a field with a "glob * pattern" and "as" names, or with a
// regular expression of named groups; stats with count(*), count(f), count_distinct,
// sum, avg, min and max, "as" names, and "by" fields and bin(period) of @timestamp; sort
// (asc or desc, several keys); limit; # comments. The system fields are @timestamp,
// @ingestionTime, @message, @logStream, @log ("account:group") and @ptr. Without sort, a
// query's rows come newest first; without fields or display, they carry @timestamp,
// @message, @logStream and @log. Anything else answers MalformedQueryException with
// queryCompileError (location and message).
//
// A query runs to completion inside StartQuery, over at most 1,000,000 events, so
// GetQueryResults always finds it Complete (StopQuery answers that it is not running).
// Queries and their results are kept in memory by the node that ran them, for seven days
// as AWS keeps them, at most 1,000 per node (the oldest go first): on PostgreSQL with
// several nodes, GetQueryResults and DescribeQueries see the queries of the node they
// reach, and a restart forgets them.
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
//     (neither logGroupName nor logGroupIdentifier, logStreamNames with
//     logStreamNamePrefix, group names starting with "aws/", more than 50 tags through
//     TagLogGroup) and of DeleteLogGroup under deletion protection are Overcast's
//     wording.
//   - PutMetricFilter with more than one metric transformation answers the model's
//     message without AWS's rendering of the list.
//   - Cross-account observability (accountIdentifiers, includeLinkedAccounts), KMS
//     encryption (keys are recorded, events are not encrypted), masking by data
//     protection policies, Live Tail, exports, deliveries and anomaly detection are not
//     served; account policies are stored, not enforced.
//   - Metric filters are stored and described, but their metrics are not published:
//     Overcast does not serve CloudWatch metrics yet.
//   - Subscription filters deliver to Lambda functions only, directly or through a logs
//     destination. Kinesis Data Streams and Firehose destinations (and logs destinations
//     that forward to them) answer InvalidParameterException naming what Overcast does
//     not serve; roleArn is stored and not used; the roles of destinations are not
//     assumed and conditions of access policies (aws:PrincipalOrgID) are not evaluated; Lambda permissions are not checked (a missing function answers AWS's
//     "Could not execute the lambda function" message). The logs a function writes to its
//     own log group are never delivered back to it, so a function subscribed to its own
//     group does not invoke itself for ever (AWS leaves that loop to the user); longer
//     cycles (A's logs to B, B's logs to A) are not detected. The hand-off to Lambda
//     follows the append: a crash between the two loses that delivery.
//   - Resource-scoped resource policies (resourceArn) and KMS keys of Logs Insights query
//     results (resourceIdentifier) answer InvalidParameterException.
//   - Overcast's wording: DescribeMetricFilters with only one of metricName and
//     metricNamespace, a policy document that is not JSON, AssociateKmsKey with a key
//     that is not a KMS key ARN, DeleteDataProtectionPolicy of a group without a policy,
//     PutDestination with a targetArn that is not an ARN, PutDestinationPolicy with an
//     access policy that is not JSON, PutAccountPolicy of a data protection policy with
//     selectionCriteria.
//   - Logs Insights: queries use the Logs Insights language only (SQL and PPL answer
//     InvalidParameterException); the commands dedup, unmask, pattern, diff, filterIndex,
//     SOURCE and unnest, most functions, and scheduled queries are not served. Messages
//     of MalformedQueryException follow AWS's "unexpected symbol found X at line 1 and
//     position N" form but are not AWS's text for every mistake; StartQuery with none
//     or more than one of its log group parameters, an endTime before startTime, StopQuery
//     of a finished query, an unknown query id and a bad @ptr use Overcast's wording.
//     GetLogGroupFields reads at most the latest 10,000 events of its window.
//   - FilterLogEvents answers ResourceNotFoundException when a stream in logStreamNames
//     does not exist.
package logs
