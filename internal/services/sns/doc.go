// Package sns serves Amazon Simple Notification Service over the awsQuery protocol.
//
// Supported operations: every operation of the current model.
//
//   - Topics: CreateTopic (standard and .fifo), DeleteTopic, ListTopics,
//     Get/SetTopicAttributes, Add/RemovePermission, Tag/UntagResource,
//     ListTagsForResource, Get/PutDataProtectionPolicy (stored, not enforced).
//   - Subscriptions: Subscribe (sqs, lambda, http, https, email, email-json, sms,
//     application, firehose), ConfirmSubscription, Unsubscribe, ListSubscriptions,
//     ListSubscriptionsByTopic (100 per page), Get/SetSubscriptionAttributes with
//     FilterPolicy (both scopes, through internal/pattern), RawMessageDelivery,
//     RedrivePolicy, DeliveryPolicy and SubscriptionRoleArn.
//   - Publish and PublishBatch, with MessageStructure json, message attributes, FIFO
//     deduplication (explicit or content based, five minutes) and sequence numbers.
//     PublishBatch validates every entry first, as AWS does: one invalid entry fails the
//     whole request with that entry's error.
//   - SMS: Get/SetSMSAttributes, the sandbox phone number APIs (the one-time password is
//     "sent" to the outbox), opt-out lists, ListOriginationNumbers (always empty).
//   - Mobile push: platform applications and endpoints, stored; messages to them go to
//     the outbox.
//
// Delivery happens after Publish answers, through internal/delivery: Publish enqueues one
// durable job per matching confirmed subscription inside its own store transaction, so an
// acknowledged message is never lost. On a standard topic, raw deliveries to standard SQS
// queues skip the job: when Deps.Queues is a QueueTxSender they are stored in that same
// transaction (a queue that refuses the message falls back to a job). Other SQS
// subscriptions are delivered in-process through a QueueSender; Lambda subscriptions through a FunctionInvoker (without one they fail into
// the retry and dead-letter path); HTTP/S subscriptions by a real POST. A queue that does
// not exist or refuses the message is a client-side error: not retried, the message goes
// to the subscription's dead-letter queue at once (or is dropped without one). Notifications,
// subscription confirmations and unsubscribe confirmations are signed (SignatureVersion 1
// with SHA1withRSA, 2 with SHA256withRSA) by an RSA key generated once and kept in the
// store; its certificate is served at SigningCertURL. Lambda events are always signed with
// SignatureVersion 1, as AWS does. Email, email-json, SMS and
// application deliveries are recorded in the outbox served at GET /_overcast/sns/outbox;
// with Config.SMTPAddr (overcast serve --sns-smtp) emails are also sent through that SMTP
// server.
//
// FIFO topics archive messages (archive.go): with an ArchivePolicy
// ({"MessageRetentionPeriod":"<1 to 365 days>"}) every accepted message is stored in the
// publish's own write and kept for the retention period, then purged by the sweep;
// GetTopicAttributes answers BeginningArchiveTime. A subscription's ReplayPolicy
// ({"PointType":"Timestamp","StartingPoint":...,"EndingPoint":...}, given to Subscribe or
// SetSubscriptionAttributes) starts a replay, a durable delivery job that enqueues the
// archived messages of the window in sequence order through the subscription's filter
// policy and ordering key, so each message group keeps its order; ReplayStatus goes from
// Pending to In progress to Completed (Failed when the topic or its archive is gone). A
// replayed message keeps its MessageId, Timestamp and SequenceNumber and its JSON envelope
// says "Replayed": true. A new ReplayPolicy replaces the replay under way; an empty one
// stops it.
//
// Delivery status logging (deliverylog.go): a topic's <Protocol>SuccessFeedbackRoleArn,
// <Protocol>SuccessFeedbackSampleRate (0 to 100; 100 when unset) and
// <Protocol>FailureFeedbackRoleArn, for SQS, HTTP (http and https), Lambda, Firehose and
// Application, write one JSON record per delivery attempt (notification, delivery with
// statusCode, providerResponse, dwellTimeMs and attempts, status SUCCESS or FAILURE) to
// CloudWatch Logs through a LogEmitter: successes to the log group
// sns/<region>/<account>/<topic name>, failures to sns/<region>/<account>/<topic name>/Failure.
//
// Non-AWS routes (Handler): GET /_overcast/sns/SimpleNotificationService.pem (the signing
// certificate), GET /_overcast/sns/confirm (the SubscribeURL), GET
// /_overcast/sns/unsubscribe (the UnsubscribeURL) and GET /_overcast/sns/outbox. As in
// AWS, a SubscribeURL confirms by its token within the region of the topic it names,
// whatever that topic's name; the SubscribeURL of an UnsubscribeConfirmation restores the
// deleted subscription (same ARN and attributes, confirmed) for three days.
//
// Filter policies are checked in their compact JSON form, as AWS does, so the locations
// in InvalidParameter messages count columns of that form; the stored policy keeps the
// caller's spacing.
//
// Known gaps: no Firehose delivery (jobs fail into the retry path), no Lambda delivery until
// a FunctionInvoker is wired (likewise), topic and subscription policies are stored but not
// evaluated, cross-account subscriptions are confirmed at once, KMS
// encryption is accepted and ignored. The delivery status logging roles are recorded, not
// assumed, and providerResponse carries no SQS message id. A replay that is interrupted
// (a crash) starts its window again, so it may deliver some messages twice; replayed
// copies keep the message's deduplication id, so a FIFO queue that received the original
// less than five minutes earlier drops them. Messages published while a replay is being
// enqueued are delivered at once rather than after it. The replay metrics of CloudWatch
// are not published.
package sns
