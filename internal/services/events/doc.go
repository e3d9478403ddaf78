// Package events serves Amazon EventBridge (CloudWatch Events).
//
// Supported: the default event bus of each account and region (it exists implicitly) and
// custom buses (CreateEventBus, DescribeEventBus, UpdateEventBus, DeleteEventBus,
// ListEventBuses), bus resource policies (PutPermission, RemovePermission), PutEvents
// (at most 10 entries and 1 MiB per call, per-entry errors; an entry for a bus that does
// not exist is accepted and dropped, as AWS does), rules with an EventPattern
// (matched by internal/pattern, one compiled matcher per bus) or a ScheduleExpression
// (rate() and AWS's six-field cron() of internal/schedule, in UTC, fired from durable
// timer rows as the "Scheduled Event" of "aws.events"), PutRule, DescribeRule,
// DeleteRule (refused while the rule has targets), EnableRule, DisableRule, ListRules,
// ListRuleNamesByTarget, ListTargetsByRule, PutTargets and RemoveTargets (per-target
// FailedEntries), Input, InputPath and InputTransformer (with the reserved variables
// aws.events.rule-arn, aws.events.rule-name, aws.events.event, aws.events.event.json and
// aws.events.event.ingestion-time; PutTargets refuses a template naming any other
// undefined variable, and <aws.events.event.json> outside a JSON object template),
// events sent by a rule to a bus of another region get a new id, per-target RetryPolicy
// and DeadLetterConfig (SQS dead-letter queues receive the event with ERROR_CODE,
// ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN and TARGET_ARN
// attributes),
// SqsParameters.MessageGroupId (required for FIFO queue targets: PutTargets refuses one
// without SqsParameters), TestEventPattern and tags on buses and rules.
//
// Archives and replays: CreateArchive, DescribeArchive, UpdateArchive, DeleteArchive,
// ListArchives keep the events of a bus that match the archive's pattern; StartReplay
// re-injects the archived events of a time window into the bus (only to the FilterArns
// rules when given, with a "replay-name" field) from a timer, DescribeReplay, ListReplays
// and CancelReplay follow it.
//
// API destinations: CreateConnection (API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS, with
// invocation header, query string and body parameters), DescribeConnection (secrets
// redacted; the SecretArn has an id of its own and Secrets Manager's six-character
// suffix), UpdateConnection (a new AuthorizationType drops the parameters of the old one),
// DeauthorizeConnection, DeleteConnection, ListConnections,
// and Create/Describe/Update/Delete/ListApiDestinations. Targets that are API
// destinations get real HTTP calls (path parameters, HttpParameters headers and query
// strings) limited to InvocationRateLimitPerSecond per node; OAuth tokens come from the
// client credentials grant and are cached until they expire or a call answers 401.
//
// Targets: SQS queues, event buses (of any account or region: the event is re-injected
// there), API destinations, and SNS topics, CloudWatch Logs groups and Lambda functions
// when the wiring provides them (Deps.PublishToSNS, EmitLogs, InvokeFunction). Other
// target types (Step Functions, Kinesis, ...) and unwired ones are refused by PutTargets
// in FailedEntries. Deliveries are durable internal/delivery jobs retried with
// EventBridge's policy.
//
// Global endpoints: CreateEndpoint, DescribeEndpoint, UpdateEndpoint, DeleteEndpoint and
// ListEndpoints (NamePrefix, HomeRegion, pagination) with a failover routing config, two
// event buses of one name in the endpoint's home region and its secondary region, event
// replication (ENABLED by default, which needs a RoleArn) and an EndpointId of AWS's form.
// The EndpointUrl is the address the request came in on, where PutEvents with EndpointId
// (signed with SigV4a by the SDKs) puts the events on the primary region's bus and, with
// replication, queues a durable copy for the secondary region's bus. Overcast has no
// Route 53 health checks: the primary region is always healthy. Endpoints are ACTIVE at
// once (CreateEndpoint answers CREATING and UpdateEndpoint UPDATING, as AWS's first
// answers do).
//
// Partner event sources: a partner account offers aws.partner/<partner>/<name> to customer
// accounts (CreatePartnerEventSource, DescribePartnerEventSource, ListPartnerEventSources,
// ListPartnerEventSourceAccounts, DeletePartnerEventSource) and puts events with
// PutPartnerEvents. The customer sees the source (DescribeEventSource, ListEventSources)
// PENDING until it creates the partner event bus of the same name (CreateEventBus with
// EventSourceName), ACTIVE then, PENDING again while deactivated (DeactivateEventSource,
// ActivateEventSource), and DELETED once the partner deleted it while the bus remains.
// Events of ACTIVE sources land on the customer's partner bus, in the customer's account.
//
// Other Overcast services put AWS events on the default bus with PutSystemEvent, and on
// any bus with PutEventToBus.
//
// Known gaps: partner event sources have no ExpirationTime and PENDING sources are not
// deleted after AWS's two weeks; bus resource policies are stored and returned but not
// enforced; events past an archive's RetentionDays are skipped by replays and counts but
// their rows are not deleted; schedule expressions are accepted on the default bus only,
// as on AWS; the InputTemplate JSON-quoting rules follow AWS's documentation, and only
// its placeholders are validated as AWS does; the messages of the
// endpoint validation errors are Overcast's (the codes are AWS's).
package events
