// Package scheduler serves Amazon EventBridge Scheduler.
//
// Supported, all twelve operations: schedule groups (CreateScheduleGroup,
// GetScheduleGroup, DeleteScheduleGroup, which deletes the group's schedules at once,
// ListScheduleGroups; the default group always exists), schedules (CreateSchedule,
// GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules) and tags on groups
// (TagResource, UntagResource, ListTagsForResource).
//
// Schedules take at(yyyy-mm-ddThh:mm:ss), rate() (its unit singular or plural whatever
// the value, as AWS accepts rate(2 minute) here) and AWS's six-field cron() expressions
// (internal/schedule), evaluated in ScheduleExpressionTimezone (the IANA database is
// embedded), within StartDate and EndDate. A FLEXIBLE time window invokes the target at
// a random time within MaximumWindowInMinutes after each scheduled time. State DISABLED
// stops the firings; ActionAfterCompletion DELETE deletes a schedule after its last one.
// Each firing is a durable timer row; each invocation a durable internal/delivery job,
// retried under the target's RetryPolicy (default 185 attempts over 24 hours), and sent
// to its DeadLetterConfig SQS queue after the final failure with ERROR_CODE,
// ERROR_MESSAGE, EXECUTION_ID, SCHEDULE_ARN and TARGET_ARN attributes. GetSchedule
// answers these defaults (ScheduleExpressionTimezone UTC, the default RetryPolicy) as AWS
// does.
//
// Targets: SQS queues (with SqsParameters.MessageGroupId), the universal target
// arn:aws:scheduler:::aws-sdk:sqs:sendMessage (Input is the SendMessage request), every
// other universal target arn:aws:scheduler:::aws-sdk:<service>:<apiAction> naming an
// operation of a service Overcast serves (Deps.Universal runs it in-process with Input as
// its request; read-only actions are refused as on AWS),
// EventBridge event buses (EventBridgeParameters; Input becomes the event detail), and SNS
// topics, Lambda functions and Step Functions state machines when the wiring provides
// them (Deps.PublishToSNS, InvokeFunction, StartExecution). Input may use the context attributes
// <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
// <aws.scheduler.execution-id> and <aws.scheduler.attempt-number>. Other targets (and
// those whose service is not wired) are refused with a ValidationException.
//
// Known gaps: ClientToken idempotency is not checked; RoleArn is stored but not assumed;
// customer managed KMS keys are stored only.
package scheduler
