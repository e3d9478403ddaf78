package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// Job is one hand-off to a target.
type Job struct {
	// ID identifies the job. Enqueue sets it.
	ID int64
	// Target is the kind of deliverer, registered with Dispatcher.Register: "sqs",
	// "lambda", "http", ...
	Target string
	// Dest is where the deliverer delivers: an ARN, a URL.
	Dest string
	// Payload is the body to deliver.
	Payload []byte
	// Attributes carry whatever else the deliverer needs (message attributes, headers,
	// the subscription ARN, ...).
	Attributes map[string]string
	// Policy says how failed deliveries are retried.
	Policy Policy
	// OrderingKey, when not "", makes the jobs that share it be delivered strictly one at a
	// time, in the order they were enqueued (SQS FIFO targets, SNS FIFO topics): a job
	// waits until every earlier job of its key is delivered or dead-lettered. Scope it
	// (for instance "sns:<subscription ARN>:<message group>") so that unrelated jobs do
	// not wait for each other.
	OrderingKey string
	// Owner names the DeadLetterFunc (registered with Dispatcher.RegisterDeadLetter) that
	// learns of the job's final failure. "" drops finally failed jobs with a log line.
	Owner string

	// EnqueuedAt is when the job was enqueued; MaxAge counts from it. Enqueue sets it.
	EnqueuedAt time.Time
	// Attempt is the number of this delivery attempt, 1 for the first. The Dispatcher sets
	// it before calling the Deliverer.
	Attempt int
	// LastError is the error of the previous failed attempt, "" before any. The Dispatcher
	// sets it.
	LastError string
}

// Deliverer delivers jobs of one target kind. Register it with Dispatcher.Register.
type Deliverer interface {
	// Deliver hands j to its destination and returns nil once the destination has it.
	// Any other result is a failure, retried under j.Policy unless it is marked with
	// Permanent; Throttled and RetryAfter refine the retry. Deliver may be called more than
	// once for one job (at-least-once delivery: after a crash, an expired lease, a lost
	// acknowledgement), concurrently for different jobs, and must return soon after ctx
	// ends (at the job's attempt timeout, or when the Dispatcher stops). A deliverer that
	// hands something on after a success (Lambda's on-success destination) enqueues it
	// itself, with a nil transaction, before returning nil: a crash in between repeats the
	// delivery and never loses the hand-on.
	Deliver(ctx context.Context, j *Job) error
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, j *Job) error

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, j *Job) error { return f(ctx, j) }

// Error is a delivery failure that tells the Dispatcher how to go on. Build it with
// Permanent, Throttled or RetryAfter; a plain error is an ordinary, retryable failure.
type Error struct {
	// Err is the failure.
	Err error
	// Permanent failures are not retried: the job goes to its owner's dead-letter function
	// at once (a destination that does not exist, a payload it rejects).
	Permanent bool
	// Throttled failures are retried with the policy's Throttle backoff and do not count
	// against MaxRetries, when the policy has a Throttle backoff.
	Throttled bool
	// RetryAfter, when positive, replaces the backoff's delay before the next attempt.
	RetryAfter time.Duration
}

// Error returns the failure's message.
func (e *Error) Error() string {
	if e.Err == nil {
		return "delivery failed"
	}
	return e.Err.Error()
}

// Unwrap returns the failure.
func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as a failure that retrying cannot fix.
func Permanent(err error) error { return &Error{Err: err, Permanent: true} }

// Throttled marks err as the destination refusing for now (a 429, a throttling exception).
func Throttled(err error) error { return &Error{Err: err, Throttled: true} }

// RetryAfter marks err as a failure to retry after d (a Retry-After header).
func RetryAfter(err error, d time.Duration) error { return &Error{Err: err, RetryAfter: d} }

// Reason says why a job finally failed.
type Reason string

// The reasons a job finally fails.
const (
	// RetriesExhausted: the last allowed attempt failed.
	RetriesExhausted Reason = "RetriesExhausted"
	// EventAgeExceeded: the job grew older than its policy's MaxAge before it was
	// delivered.
	EventAgeExceeded Reason = "EventAgeExceeded"
	// PermanentFailure: the deliverer marked the failure Permanent.
	PermanentFailure Reason = "PermanentFailure"
)

// Failure describes a job's final failure to its owner.
type Failure struct {
	Reason Reason
	// Err is the last delivery error (nil if the job expired before any attempt). After a
	// restart only its message survives.
	Err error
	// Attempts is how many deliveries were attempted.
	Attempts int
}

// DeadLetterFunc is an owner's reaction to a job's final failure, typically enqueueing a
// job to its dead-letter queue or on-failure destination with Dispatcher.Enqueue(ctx, tx,
// ...). It runs inside tx, the transaction that removes the job, so the hand-off and the
// removal commit together. Returning an error keeps the job, and the hand-off is tried
// again later (not the delivery). Like a timer handler, it must be quick and use no
// transaction but tx.
type DeadLetterFunc func(ctx context.Context, tx *store.Tx, j *Job, f *Failure) error

// errFromText rebuilds a stored error message.
func errFromText(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}
