package delivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// delays returns b's delays before retries 1..n, without jitter.
func delays(b Backoff, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = b.Delay(i+1, 0)
	}
	return out
}

func TestPresetDelays(t *testing.T) {
	t.Parallel()
	const s = time.Second
	tests := []struct {
		name  string
		b     Backoff
		want  []time.Duration
		retry int // MaxRetries of the policy, -2 when not checked
		pol   Policy
	}{
		{
			name: "lambda async: one minute, then two",
			pol:  LambdaAsync(2, LambdaMaxAge), b: LambdaAsync(2, LambdaMaxAge).Backoff, retry: 2,
			want: []time.Duration{time.Minute, 2 * time.Minute, 2 * time.Minute},
		},
		{
			name: "lambda throttles: 1 second doubling to 5 minutes",
			b:    LambdaAsync(2, LambdaMaxAge).Throttle, retry: -2,
			want: []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 256 * s, 300 * s, 300 * s},
		},
		{
			name: "sns http default: 3 retries 20 seconds apart",
			pol:  SNS(SNSHTTPDefault()), b: SNS(SNSHTTPDefault()).Backoff, retry: 3,
			want: []time.Duration{20 * s, 20 * s, 20 * s},
		},
		{
			name: "sns managed endpoint: 3 immediate, 2 at 1s, 10 from 1s to 20s, then 20s",
			pol:  SNS(SNSManagedEndpoint()), b: SNS(SNSManagedEndpoint()).Backoff, retry: 100_015,
			want: []time.Duration{0, 0, 0, 1 * s, 1 * s, 1 * s},
		},
		{
			name: "sns customer endpoint: 2 at 10s, backoff to 600s",
			pol:  SNS(SNSCustomerEndpoint()), b: SNS(SNSCustomerEndpoint()).Backoff, retry: 50,
			want: []time.Duration{10 * s, 10 * s, 10 * s},
		},
		{
			name: "sns custom linear",
			b: SNS(SNSRetry{NumRetries: 6, NumNoDelayRetries: 1, NumMinDelayRetries: 1, NumMaxDelayRetries: 1,
				MinDelayTarget: 10 * s, MaxDelayTarget: 40 * s, BackoffFunction: Linear}).Backoff, retry: -2,
			want: []time.Duration{0, 10 * s, 10 * s, 25 * s, 40 * s, 40 * s, 40 * s},
		},
		{
			name: "sns custom arithmetic",
			b:    SNS(SNSRetry{NumRetries: 3, MinDelayTarget: 10 * s, MaxDelayTarget: 40 * s, BackoffFunction: Arithmetic}).Backoff, retry: -2,
			want: []time.Duration{10 * s, 17500 * time.Millisecond, 40 * s},
		},
		{
			name: "sns custom geometric",
			b:    SNS(SNSRetry{NumRetries: 3, MinDelayTarget: 10 * s, MaxDelayTarget: 40 * s, BackoffFunction: Geometric}).Backoff, retry: -2,
			want: []time.Duration{10 * s, 13750 * time.Millisecond, 40 * s},
		},
		{
			name: "sns custom exponential",
			b:    SNS(SNSRetry{NumRetries: 3, MinDelayTarget: 10 * s, MaxDelayTarget: 40 * s, BackoffFunction: Exponential}).Backoff, retry: -2,
			// Halfway: 10s + 30s·(2^5 − 1)/1023 = 10.909090909s.
			want: []time.Duration{10 * s, 10*s + 909_090_909 /* ns */, 40 * s},
		},
		{
			name: "sns phases cut to numRetries",
			b:    SNS(SNSRetry{NumRetries: 2, NumNoDelayRetries: 3, MinDelayTarget: 10 * s, MaxDelayTarget: 10 * s}).Backoff, retry: -2,
			want: []time.Duration{0, 0, 0},
		},
		{
			name: "eventbridge: doubling from 1 second to 10 minutes",
			pol:  EventBridge(EventBridgeMaxRetries, EventBridgeMaxAge), b: EventBridge(EventBridgeMaxRetries, EventBridgeMaxAge).Backoff, retry: 185,
			want: []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 256 * s, 512 * s, 600 * s, 600 * s},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, delays(tt.b, len(tt.want)))
			if tt.retry != -2 {
				require.Equal(t, tt.retry, tt.pol.MaxRetries)
				require.NoError(t, tt.pol.Validate())
			}
		})
	}
}

func TestSNSManagedBackoffPhase(t *testing.T) {
	t.Parallel()
	b := SNS(SNSManagedEndpoint()).Backoff
	// Retries 6 to 15 are the backoff phase: from 1s to 20s, rising.
	require.Equal(t, time.Second, b.Delay(6, 0))
	require.Equal(t, 20*time.Second, b.Delay(15, 0))
	for n := 7; n <= 15; n++ {
		require.Greater(t, b.Delay(n, 0), b.Delay(n-1, 0), "retry %d", n)
	}
	require.Equal(t, 20*time.Second, b.Delay(16, 0), "post-backoff")
	require.Equal(t, 20*time.Second, b.Delay(100_015, 0))

	c := SNS(SNSCustomerEndpoint()).Backoff
	require.Equal(t, 600*time.Second, c.Delay(12, 0), "the backoff phase ends at maxDelayTarget")
	require.Equal(t, 600*time.Second, c.Delay(50, 0))
}

func TestJitter(t *testing.T) {
	t.Parallel()
	eb := EventBridge(EventBridgeMaxRetries, EventBridgeMaxAge).Backoff
	require.Equal(t, 8*time.Second, eb.Delay(4, 0))
	require.Equal(t, 6*time.Second, eb.Delay(4, 0.5), "half of the jitter of 0.5 takes a quarter")
	require.Equal(t, 4*time.Second, eb.Delay(4, 1), "at most half")
	sns := SNS(SNSHTTPDefault()).Backoff
	require.Equal(t, 19*time.Second, sns.Delay(1, 0.5))
	full := ExponentialBackoff(time.Second, time.Minute, 2, 1)
	require.Equal(t, time.Duration(0), full.Delay(1, 1), "full jitter may wait nothing")
	require.Equal(t, time.Second, full.Delay(1, 0))
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Policy
		ok   bool
	}{
		{"zero", Policy{}, true},
		{"negative age", Policy{MaxAge: -1}, false},
		{"negative timeout", Policy{AttemptTimeout: -1}, false},
		{"jitter above 1", Policy{Backoff: Backoff{Jitter: 1.5}}, false},
		{"unbounded phase not last", Policy{Backoff: Backoff{Phases: []Phase{{Min: 1}, {Retries: 1}}}}, false},
		{"max below min", Policy{Backoff: Backoff{Phases: []Phase{{Min: 2, Max: 1}}}}, false},
		{"unknown curve", Policy{Backoff: Backoff{Phases: []Phase{{Retries: 2, Curve: "cubic"}}}}, false},
		{"negative multiplier", Policy{Throttle: Backoff{Phases: []Phase{{Multiplier: -2}}}}, false},
		{"presets", LambdaAsync(0, time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestPolicyJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, p := range []Policy{
		{}, LambdaAsync(1, 2*time.Hour), SNS(SNSManagedEndpoint()), EventBridge(3, time.Hour),
		{MaxRetries: -1, AttemptTimeout: 5 * time.Second},
	} {
		b, err := json.Marshal(p)
		require.NoError(t, err)
		var got Policy
		require.NoError(t, json.Unmarshal(b, &got))
		require.Equal(t, p, got)
	}
}
