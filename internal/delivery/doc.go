// Package delivery is Overcast's one mechanism for handing work from one service to
// another: SNS to SQS, Lambda and HTTP endpoints, EventBridge to its targets, Lambda's
// asynchronous invocations, destinations and dead-letter queues. Each hand-off is a durable
// job in the store (table delivery_jobs), delivered at least once, retried with the target
// service's documented backoff, and never lost to a restart.
//
// # Enqueueing
//
// A service enqueues jobs with Dispatcher.Enqueue, passing its own store transaction when
// it has one: the jobs then commit with the service's own writes, so it acknowledges its
// client only once the deliveries are durably queued (SNS Publish), and a transaction that
// fails leaves no job behind. Workers are woken after the commit: by a notification when the
// jobs were enqueued in the caller's transaction (in-process on SQLite, LISTEN/NOTIFY to
// every node on PostgreSQL), directly when Enqueue wrote them itself. On PostgreSQL a node
// also polls every Config.PollInterval for jobs no notification announced to it.
//
// # Delivering
//
// The wiring code (internal/server) registers one Deliverer per target kind ("sqs",
// "lambda", "http", ...) and one DeadLetterFunc per owner. Each kind has its own pool of
// workers with a concurrency limit. A pool claims due jobs in batches, each for a lease (on
// PostgreSQL with FOR UPDATE SKIP LOCKED, so several nodes share the work, and a crashed
// node's jobs are retaken once its heartbeat is older than Config.NodeTimeout, 15 s, or
// when their leases expire if it never sent one), delivers them, and records the
// outcomes in batches: a delivered job is removed; a failed one is due again after its
// Policy's backoff; a job whose retries are exhausted, whose age passed the policy's MaxAge,
// or whose failure was Permanent is handed to its owner's DeadLetterFunc, in the
// transaction that removes it (the owner then enqueues to its dead-letter queue or failure
// destination).
//
// Jobs that share an OrderingKey are delivered one at a time, in enqueue order (SQS FIFO
// targets, SNS FIFO topics): only the earliest job of a key is ever claimable, and the next
// is released when it is delivered or dead-lettered.
//
// # Time
//
// Due times, backoff and ages follow the Dispatcher's clock.Clock, so a virtual clock's
// Advance drives retries without waiting. Policy presets give the documented AWS shapes:
// LambdaAsync, SNS (with SNSHTTPDefault, SNSManagedEndpoint, SNSCustomerEndpoint),
// EventBridge, and ExponentialBackoff for the rest. Config.RetryScale shortens them all for
// local development. Attempt timeouts bound real work and follow the wall clock.
//
// # Known gaps
//
// SNS's throttlePolicy (maxReceivesPerSecond) is not enforced: a deliverer may pace itself.
// AWS documents the SNS backoff functions only as a graph; see Curve for Overcast's reading.
package delivery
