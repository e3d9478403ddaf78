// Package sqs implements Amazon Simple Queue Service on Overcast's store: standard and FIFO
// queues, long polling, dead-letter queues and redrive, served over both of SQS's wire
// protocols (awsJson 1.0 and the query protocol) by the generated API in api_gen.go.
//
// # Operations
//
// Every operation of the 2012-11-05 model: CreateQueue, DeleteQueue, GetQueueUrl,
// ListQueues, GetQueueAttributes, SetQueueAttributes, PurgeQueue, TagQueue, UntagQueue,
// ListQueueTags, AddPermission, RemovePermission, ListDeadLetterSourceQueues, SendMessage,
// SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch,
// ChangeMessageVisibility, ChangeMessageVisibilityBatch, StartMessageMoveTask,
// ListMessageMoveTasks and CancelMessageMoveTask.
//
// # Behaviour
//
// Limits and defaults are AWS's current ones: 1 MiB messages and batches (the queue's
// MaximumMessageSize bounds each message, not the batch total), 10 attributes and 10 batch
// entries, delays up to 15 minutes, visibility up to 12 hours (also in total after
// ChangeMessageVisibility), long polls up to 20 seconds, retention from 60 seconds to 14
// days (4 days by default), 120,000 messages in flight, SQS-managed encryption on for new
// queues. MD5OfMessageBody, MD5OfMessageAttributes and MD5OfMessageSystemAttributes are
// computed as the SDKs verify them; on receive the attribute digest covers the attributes
// answered.
//
// Receipt handles name the queue, the message and the receive (a random token), with a
// checksum so that anything else is ReceiptHandleIsInvalid. Each receive gives a new
// handle. A long poll returns as soon as a message is there: sends, moves and visibility
// changes wake it through the store's notifier (LISTEN/NOTIFY across nodes on PostgreSQL),
// and a delay or visibility timeout ending during the wait wakes it by a timer on the
// service clock, so a virtual clock drives it too. Visibility, delays and retention are
// evaluated against the clock at each receive; expired messages are never received and a
// background sweep deletes them.
//
// FIFO queues deliver each message group in order and hold a group while any of its
// messages is in flight, across nodes too (receivers of one FIFO queue are serialised by a
// row lock on PostgreSQL; standard-queue receivers claim rows with FOR UPDATE SKIP LOCKED).
// Deduplication keeps ids (explicit, or the SHA-256 of the body with
// ContentBasedDeduplication) for five minutes per queue or per message group
// (DeduplicationScope); a duplicate is accepted and answers the original's MessageId and
// SequenceNumber. SequenceNumber is a 20-digit number that grows with every message of the
// queue. ReceiveRequestAttemptId repeats a receive (same messages, same handles, visibility
// restarted) for five minutes.
//
// A message received more than the redrive policy's maxReceiveCount moves to the
// dead-letter queue on the next receive, keeping its MessageId, body, attributes and
// SentTimestamp and recording DeadLetterQueueSourceArn; retention keeps counting from the
// original send on standard queues and restarts on FIFO queues, as AWS documents.
// RedriveAllowPolicy is enforced when a RedrivePolicy is set. Message move tasks are rows
// in the store advanced by a background loop (one node at a time holds the lease) at
// MaxNumberOfMessagesPerSecond, and survive restarts.
//
// SendMessage to a standard queue is one store write shared with concurrent sends (see
// sendCombiner); ReceiveMessage is one write. Queue metadata is cached in memory: changes
// through this node apply at once, changes made through another node sharing the database
// within Config.MetadataTTL (one second by default).
//
// # Deviations from AWS
//
//   - Policies (Policy, AddPermission) and KMS settings are stored and answered but not
//     enforced; messages are not encrypted at rest by Overcast.
//   - A stale receipt handle still deletes the message on standard queues (AWS: "might not
//     be deleted"). On FIFO queues it is refused as AWS refuses it (InvalidParameterValue,
//     "The receipt handle has expired.") and the message is kept.
//   - ChangeMessageVisibility on a standard queue accepts any handle of the message, also
//     after its visibility timeout ended, and answers a deleted message with
//     InvalidParameterValue, as AWS does; on a FIFO queue a stale or expired handle answers
//     MessageNotInflight.
//   - Delivery is exact, not "at least once": a standard queue never hands out a message
//     twice unless its visibility timeout ended, and short polls see every visible message
//     (AWS samples a subset of servers).
//   - Fair queues: MessageGroupId is accepted and answered on standard queues, but receives
//     do not balance between groups.
//   - FIFO throughput quotas (300 and 3,000 transactions per second, high-throughput mode)
//     are not enforced; FifoThroughputLimit only has to be consistent with
//     DeduplicationScope.
//   - The name of a deleted queue is blocked for Config.DeletedQueueCooldown (60 seconds,
//     like AWS); the cooldown can be turned off.
//
// Other Overcast services use in-process entry points (inprocess.go, intx.go): SendToARN
// (every rule of SendMessage), SendManyInTx (standard-queue sends inside the caller's own
// store transaction, one statement for all, for SNS raw deliveries), SendLazy (a lazy write for delivery jobs, whose
// completion is written after it), and ReceiveFromARN, DeleteFromARN and
// ChangeVisibilityFromARN for Lambda's event source mappings.
package sqs
