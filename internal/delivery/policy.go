package delivery

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Policy says how a job is retried. It is stored with the job, so retries after a restart
// follow the policy the job was enqueued with. The zero Policy delivers once, never
// retries, and has no age limit.
type Policy struct {
	// MaxRetries is how many times a failed delivery is retried after the first attempt:
	// AWS's MaximumRetryAttempts (Lambda, EventBridge) or numRetries (SNS). Negative means
	// no limit but MaxAge.
	MaxRetries int `json:"r,omitzero"`
	// MaxAge is how long after Enqueue the job may still be delivered (AWS's
	// MaximumEventAgeInSeconds); past it the job is handed to its owner's dead-letter
	// function with EventAgeExceeded. Zero means no limit.
	MaxAge time.Duration `json:"a,omitzero"`
	// Backoff gives the delay before each retry after a failure.
	Backoff Backoff `json:"b,omitzero"`
	// Throttle, when it has phases, gives the delay after an attempt failed with a
	// Throttled error; such attempts do not count against MaxRetries (Lambda retries
	// throttled async invocations until MaxAge). Without phases, a throttle is an ordinary
	// failure.
	Throttle Backoff `json:"t,omitzero"`
	// AttemptTimeout bounds one delivery: the Deliverer's context ends after it, and the
	// claim's lease lasts a little longer. Zero means Config.AttemptTimeout.
	AttemptTimeout time.Duration `json:"o,omitzero"`
}

// Backoff is a sequence of retry delays, in phases.
type Backoff struct {
	// Phases cover the retries in order: the first phase the first Retries retries, and so
	// on. Retries beyond every phase wait as long as the last retry of the last phase.
	Phases []Phase `json:"p,omitzero"`
	// Jitter, from 0 to 1, shortens each delay by a random fraction of up to Jitter of it:
	// 0 is no jitter, 1 is "full jitter".
	Jitter float64 `json:"j,omitzero"`
}

// Phase is one stretch of a Backoff. A phase with only Min waits Min before each retry; with
// Multiplier > 1 its delays grow geometrically from Min up to Max; with a Curve they are
// spread from Min to Max across its Retries.
type Phase struct {
	// Retries is how many retries the phase covers. Zero means every remaining retry; only
	// the last phase may have it.
	Retries int `json:"n,omitzero"`
	// Min is the delay of the phase's first retry.
	Min time.Duration `json:"min,omitzero"`
	// Max caps the delays of a growing phase, and is the last delay of a Curve.
	Max time.Duration `json:"max,omitzero"`
	// Multiplier, when above 1, makes each delay Multiplier times the previous one.
	Multiplier float64 `json:"x,omitzero"`
	// Curve, when set, spreads the delays from Min (first retry) to Max (last retry of the
	// phase), as in an SNS delivery policy's backoff phase.
	Curve Curve `json:"c,omitzero"`
}

// Curve is the shape of an SNS backoff phase: how fast its delays climb from
// minDelayTarget to maxDelayTarget. AWS documents the four shapes only as a graph; Overcast
// reads them as functions f of the position x (0 at the phase's first retry, 1 at its last),
// with delay = Min + (Max-Min)·f(x), all rising from 0 to 1, later and later in this order.
type Curve string

// The SNS backoff functions.
const (
	// Linear is f(x) = x, SNS's default.
	Linear Curve = "linear"
	// Arithmetic is f(x) = x².
	Arithmetic Curve = "arithmetic"
	// Geometric is f(x) = x³.
	Geometric Curve = "geometric"
	// Exponential is f(x) = (2^(10x) − 1) / (2^10 − 1).
	Exponential Curve = "exponential"
)

func (c Curve) at(x float64) float64 {
	switch c {
	case Arithmetic:
		return x * x
	case Geometric:
		return x * x * x
	case Exponential:
		return (math.Exp2(10*x) - 1) / (math.Exp2(10) - 1)
	default:
		return x
	}
}

// Validate reports the first thing wrong with p, naming the field.
func (p Policy) Validate() error {
	if p.MaxAge < 0 {
		return errors.New("policy: MaxAge is negative")
	}
	if p.AttemptTimeout < 0 {
		return errors.New("policy: AttemptTimeout is negative")
	}
	if err := p.Backoff.validate(); err != nil {
		return fmt.Errorf("policy: Backoff: %w", err)
	}
	if err := p.Throttle.validate(); err != nil {
		return fmt.Errorf("policy: Throttle: %w", err)
	}
	return nil
}

func (b Backoff) validate() error {
	if b.Jitter < 0 || b.Jitter > 1 || math.IsNaN(b.Jitter) {
		return fmt.Errorf("Jitter %v is not between 0 and 1", b.Jitter)
	}
	for i, ph := range b.Phases {
		switch {
		case ph.Retries < 0:
			return fmt.Errorf("phase %d: Retries is negative", i)
		case ph.Retries == 0 && i != len(b.Phases)-1:
			return fmt.Errorf("phase %d: only the last phase may cover every remaining retry (Retries 0)", i)
		case ph.Min < 0 || ph.Max < 0:
			return fmt.Errorf("phase %d: negative delay", i)
		case ph.Max != 0 && ph.Max < ph.Min:
			return fmt.Errorf("phase %d: Max %v is below Min %v", i, ph.Max, ph.Min)
		case ph.Multiplier < 0 || math.IsNaN(ph.Multiplier) || math.IsInf(ph.Multiplier, 0):
			return fmt.Errorf("phase %d: Multiplier %v is invalid", i, ph.Multiplier)
		}
		switch ph.Curve {
		case "", Linear, Arithmetic, Geometric, Exponential:
		default:
			return fmt.Errorf("phase %d: unknown Curve %q", i, ph.Curve)
		}
	}
	return nil
}

// Delay returns the wait before retry number n (1 for the first retry), with r in [0, 1)
// choosing the jitter (0 gives the delay without jitter).
func (b Backoff) Delay(n int, r float64) time.Duration {
	if len(b.Phases) == 0 || n < 1 {
		return 0
	}
	i := n - 1
	var d time.Duration
	for k, ph := range b.Phases {
		last := k == len(b.Phases)-1
		if ph.Retries == 0 || i < ph.Retries {
			d = ph.delay(i)
			break
		}
		if last {
			d = ph.delay(ph.Retries - 1)
			break
		}
		i -= ph.Retries
	}
	if b.Jitter > 0 && r > 0 {
		d -= time.Duration(float64(d) * b.Jitter * min(r, 1))
	}
	return d
}

// delay is the phase's i-th delay (0-based).
func (ph Phase) delay(i int) time.Duration {
	hi := ph.Max
	if hi < ph.Min {
		hi = ph.Min
	}
	switch {
	case ph.Curve != "":
		x := 1.0
		if ph.Retries > 1 {
			x = float64(i) / float64(ph.Retries-1)
		}
		return ph.Min + time.Duration(float64(hi-ph.Min)*ph.Curve.at(x))
	case ph.Multiplier > 1:
		d := float64(ph.Min) * math.Pow(ph.Multiplier, float64(i))
		if ph.Max > 0 && d > float64(ph.Max) {
			return ph.Max
		}
		if d > float64(math.MaxInt64/2) {
			return time.Duration(math.MaxInt64 / 2)
		}
		return time.Duration(d)
	default:
		return ph.Min
	}
}

// ExponentialBackoff returns a single-phase Backoff whose delays start at initial and grow by
// multiplier up to maxDelay, each shortened by up to jitter of itself: the shape of Step
// Functions' Retry (IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy FULL is
// jitter 1) and of most AWS SDK retries.
func ExponentialBackoff(initial, maxDelay time.Duration, multiplier, jitter float64) Backoff {
	return Backoff{Phases: []Phase{{Min: initial, Max: maxDelay, Multiplier: multiplier}}, Jitter: jitter}
}

// Lambda asynchronous invocation defaults.
const (
	// LambdaMaxRetries is the default MaximumRetryAttempts of an async invocation.
	LambdaMaxRetries = 2
	// LambdaMaxAge is the default MaximumEventAgeInSeconds of an async invocation.
	LambdaMaxAge = 6 * time.Hour
)

// LambdaAsync is the retry policy of Lambda asynchronous invocation: after a function error,
// Lambda waits one minute before the first retry and two minutes before the second
// (maxRetries is the function's MaximumRetryAttempts, 0 to 2). Throttles and system errors
// are retried, without counting, with delays growing from 1 second to 5 minutes, until the
// event is maxAge old (MaximumEventAgeInSeconds, 60 seconds to 6 hours).
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
func LambdaAsync(maxRetries int, maxAge time.Duration) Policy {
	return Policy{
		MaxRetries: maxRetries,
		MaxAge:     maxAge,
		Backoff:    Backoff{Phases: []Phase{{Retries: 1, Min: time.Minute}, {Min: 2 * time.Minute}}},
		Throttle:   ExponentialBackoff(time.Second, 5*time.Minute, 2, 0),
	}
}

// EventBridge target delivery defaults.
const (
	// EventBridgeMaxRetries is the default RetryPolicy.MaximumRetryAttempts of a target.
	EventBridgeMaxRetries = 185
	// EventBridgeMaxAge is the default RetryPolicy.MaximumEventAgeInSeconds of a target.
	EventBridgeMaxAge = 24 * time.Hour
)

// EventBridge is the retry policy of an EventBridge (and EventBridge Scheduler) target: by
// default up to 185 retries over 24 hours "with an exponential back off and jitter"
// (maxRetries and maxAge are the target's RetryPolicy). AWS does not publish the curve;
// Overcast doubles from 1 second up to 10 minutes with jitter of up to half, so that both
// limits are reached around the same time, as with AWS's defaults.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func EventBridge(maxRetries int, maxAge time.Duration) Policy {
	return Policy{
		MaxRetries: maxRetries,
		MaxAge:     maxAge,
		Backoff:    ExponentialBackoff(time.Second, 10*time.Minute, 2, 0.5),
	}
}

// SNSRetry is an SNS delivery policy's retry part (healthyRetryPolicy), with AWS's field
// names. Delays are whole seconds on AWS.
type SNSRetry struct {
	NumRetries         int
	NumNoDelayRetries  int
	NumMinDelayRetries int
	NumMaxDelayRetries int
	MinDelayTarget     time.Duration
	MaxDelayTarget     time.Duration
	// BackoffFunction is "linear" (the default when ""), "arithmetic", "geometric" or
	// "exponential".
	BackoffFunction Curve
}

// SNSJitter is the jitter Overcast applies to SNS retries: AWS says it jitters them without
// saying how much.
const SNSJitter = 0.1

// SNSHTTPDefault is the retry policy of an HTTP/S subscription without a delivery policy: 3
// retries, 20 seconds apart.
func SNSHTTPDefault() SNSRetry {
	return SNSRetry{NumRetries: 3, MinDelayTarget: 20 * time.Second, MaxDelayTarget: 20 * time.Second, BackoffFunction: Linear}
}

// SNSManagedEndpoint is SNS's fixed policy for AWS-managed endpoints (SQS, Lambda,
// Firehose): 3 immediate retries, 2 one second apart, 10 backing off exponentially from 1 to
// 20 seconds, then 100,000 20 seconds apart (100,015 attempts over 23 days).
// https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
func SNSManagedEndpoint() SNSRetry {
	return SNSRetry{
		NumRetries: 3 + 2 + 10 + 100_000, NumNoDelayRetries: 3, NumMinDelayRetries: 2, NumMaxDelayRetries: 100_000,
		MinDelayTarget: time.Second, MaxDelayTarget: 20 * time.Second, BackoffFunction: Exponential,
	}
}

// SNSCustomerEndpoint is SNS's fixed policy for SMTP, SMS and mobile push: no immediate
// retry, 2 ten seconds apart, 10 backing off exponentially from 10 to 600 seconds, then 38
// ten minutes apart (50 attempts over 6 hours).
func SNSCustomerEndpoint() SNSRetry {
	return SNSRetry{
		NumRetries: 2 + 10 + 38, NumMinDelayRetries: 2, NumMaxDelayRetries: 38,
		MinDelayTarget: 10 * time.Second, MaxDelayTarget: 600 * time.Second, BackoffFunction: Exponential,
	}
}

// SNS returns the Policy of an SNS retry policy: its four phases (immediate, pre-backoff at
// MinDelayTarget, backoff from MinDelayTarget to MaxDelayTarget along BackoffFunction,
// post-backoff at MaxDelayTarget), NumRetries retries in all. When the phases add up to more
// than NumRetries, the later phases are cut.
func SNS(r SNSRetry) Policy {
	curve := r.BackoffFunction
	if curve == "" {
		curve = Linear
	}
	left := max(r.NumRetries, 0)
	take := func(n int) int {
		n = min(max(n, 0), left)
		left -= n
		return n
	}
	noDelay := take(r.NumNoDelayRetries)
	pre := take(r.NumMinDelayRetries)
	post := take(r.NumMaxDelayRetries)
	backoff := left
	var phases []Phase
	add := func(ph Phase) {
		if ph.Retries > 0 {
			phases = append(phases, ph)
		}
	}
	add(Phase{Retries: noDelay})
	add(Phase{Retries: pre, Min: r.MinDelayTarget})
	add(Phase{Retries: backoff, Min: r.MinDelayTarget, Max: r.MaxDelayTarget, Curve: curve})
	add(Phase{Retries: post, Min: r.MaxDelayTarget})
	return Policy{MaxRetries: r.NumRetries, Backoff: Backoff{Phases: phases, Jitter: SNSJitter}}
}
