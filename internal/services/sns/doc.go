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
//   - SMS: Get/SetSMSAttributes, the sandbox phone number APIs (the one-time password is
//     "sent" to the outbox), opt-out lists, ListOriginationNumbers (always empty).
//   - Mobile push: platform applications and endpoints, stored; messages to them go to
//     the outbox.
//
// Delivery happens after Publish answers, through internal/delivery: Publish enqueues one
// durable job per matching confirmed subscription inside its own store transaction, so an
// acknowledged message is never lost. SQS subscriptions are delivered in-process through a
// QueueSender; Lambda subscriptions through a FunctionInvoker (without one they fail into
// the retry and dead-letter path); HTTP/S subscriptions by a real POST. Notifications,
// subscription confirmations and unsubscribe confirmations are signed (SignatureVersion 1
// with SHA1withRSA, 2 with SHA256withRSA) by an RSA key generated once and kept in the
// store; its certificate is served at SigningCertURL. Email, email-json, SMS and
// application deliveries are recorded in the outbox served at GET /_overcast/sns/outbox;
// with Config.SMTPAddr (overcast serve --sns-smtp) emails are also sent through that SMTP
// server.
//
// Non-AWS routes (Handler): GET /_overcast/sns/SimpleNotificationService.pem (the signing
// certificate), GET /_overcast/sns/confirm (the SubscribeURL), GET
// /_overcast/sns/unsubscribe (the UnsubscribeURL) and GET /_overcast/sns/outbox.
//
// Known gaps: no Firehose delivery (jobs fail into the retry path), no Lambda delivery until
// a FunctionInvoker is wired (likewise), topic and subscription policies are stored but not
// evaluated, cross-account subscriptions are confirmed at once, KMS
// encryption is accepted and ignored, delivery status logging attributes are stored but no
// logs are written, message archiving and replay of FIFO topics are not implemented.
package sns
