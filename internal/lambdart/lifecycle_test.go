package lambdart

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
)

// newGate returns a URL that blocks until open is called.
func newGate(t *testing.T) (url string, open func()) {
	t.Helper()
	ch := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ch:
		case <-time.After(time.Minute):
		}
	}))
	t.Cleanup(srv.Close)
	openFn := func() { once.Do(func() { close(ch) }) }
	t.Cleanup(openFn)
	return srv.URL, openFn
}

func TestIdleReaping(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	vc := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	b := setup(t, func(c *Config) {
		c.Clock = vc
		c.IdleTimeout = 5 * time.Minute
	})
	code := mustZipDir(t, "testdata/python/basic", nil)
	f := b.function(t, "reaped", "python3.12", "lambda_function.counter", code)
	mustSucceed(t, b.m, f, `{}`, nil)
	require.Equal(t, EnvStats{Total: 1, Idle: 1}, b.m.Environments(f.FunctionKey))
	require.Contains(t, b.sink.streamNames("/aws/lambda/reaped")[0], "2026/03/01/[$LATEST]", "log streams are named by the clock's date")

	// Four minutes idle: kept.
	vc.Advance(4 * time.Minute)
	b.m.reapIdle()
	require.Equal(t, 1, b.m.Environments(f.FunctionKey).Total)

	// Past the idle timeout the reaper shuts it down.
	require.Eventually(t, func() bool {
		vc.Advance(30 * time.Second)
		return b.m.Environments(f.FunctionKey).Total == 0
	}, 10*time.Second, 20*time.Millisecond)
	var out map[string]any
	res := mustSucceed(t, b.m, f, `{}`, &out)
	require.True(t, res.Cold)
	require.Equal(t, float64(1), out["count"], "a new environment starts from scratch")
}

func TestProvisionedConcurrency(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	vc := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	b := setup(t, func(c *Config) { c.Clock = vc })
	code := mustZipDir(t, "testdata/python/basic", nil)
	f := b.function(t, "prov", "python3.12", "lambda_function.env", code, func(f *Function) { f.Version = "7" })
	key := f.FunctionKey

	require.Equal(t, ProvisionedStatus{}, b.m.ProvisionedConcurrency(key))
	require.NoError(t, b.m.SetProvisionedConcurrency(f, 2))
	require.Eventually(t, func() bool {
		return b.m.ProvisionedConcurrency(key).Status == ProvisionedReady
	}, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, ProvisionedStatus{Requested: 2, Allocated: 2, Status: ProvisionedReady}, b.m.ProvisionedConcurrency(key))
	require.Equal(t, EnvStats{Total: 2, Idle: 2, Provisioned: 2}, b.m.Environments(key))

	var env map[string]string
	res := mustSucceed(t, b.m, f, `{"keys":["AWS_LAMBDA_INITIALIZATION_TYPE","AWS_LAMBDA_FUNCTION_VERSION"]}`, &env)
	require.False(t, res.Cold, "provisioned environments are initialised ahead")
	require.Equal(t, "provisioned-concurrency", env["AWS_LAMBDA_INITIALIZATION_TYPE"])
	require.Equal(t, "7", env["AWS_LAMBDA_FUNCTION_VERSION"])

	// Provisioned environments are never reaped.
	vc.Advance(time.Hour)
	b.m.reapIdle()
	require.Equal(t, 2, b.m.Environments(key).Provisioned)

	require.NoError(t, b.m.SetProvisionedConcurrency(f, 1))
	require.Equal(t, 1, b.m.Environments(key).Provisioned)
	require.NoError(t, b.m.SetProvisionedConcurrency(f, 0))
	require.Equal(t, ProvisionedStatus{}, b.m.ProvisionedConcurrency(key))
	require.Zero(t, b.m.Environments(key).Provisioned)

	// A function that cannot init fails the configuration.
	bad := b.function(t, "prov-bad", "python3.12", "nope.handler", code, func(f *Function) { f.Version = "1" })
	require.NoError(t, b.m.SetProvisionedConcurrency(bad, 1))
	require.Eventually(t, func() bool {
		return b.m.ProvisionedConcurrency(bad.FunctionKey).Status == ProvisionedFailed
	}, 20*time.Second, 10*time.Millisecond)
	require.Contains(t, b.m.ProvisionedConcurrency(bad.FunctionKey).StatusReason, "Runtime.ImportModuleError")
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t, func(c *Config) {
		c.AccountConcurrency = 3
		c.MinUnreservedConcurrency = 1
	})
	code := mustZipDir(t, "testdata/python/basic", nil)
	shared := b.function(t, "shared", "python3.12", "lambda_function.gate", code)
	reserved := b.function(t, "reserved", "python3.12", "lambda_function.gate", code)

	require.NoError(t, b.m.SetReservedConcurrency("000000000000", "us-east-1", "reserved", 1))
	require.ErrorIs(t, b.m.SetReservedConcurrency("000000000000", "us-east-1", "shared", 2), ErrReservationTooLarge)
	require.Equal(t, AccountConcurrency{Limit: 3, UnreservedLimit: 2}, b.m.AccountConcurrency("000000000000", "us-east-1"))

	url, open := newGate(t)
	payload := `{"url":"` + url + `"}`
	var wg sync.WaitGroup
	start := func(f *Function) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.m.Invoke(context.Background(), f, &InvokeRequest{Payload: []byte(payload)})
			require.NoError(t, err)
			require.Empty(t, res.FunctionError, "%s", res.Payload)
		}()
	}
	start(shared)
	start(shared)
	start(reserved)
	require.Eventually(t, func() bool {
		return b.m.AccountConcurrency("000000000000", "us-east-1").InFlight == 3
	}, 20*time.Second, 10*time.Millisecond)

	_, err := b.m.Invoke(context.Background(), shared, &InvokeRequest{Payload: []byte(payload)})
	var te *ThrottleError
	require.ErrorAs(t, err, &te)
	require.Equal(t, ReasonAccountLimit, te.Reason)
	require.Equal(t, "Rate Exceeded.", te.Message)
	require.ErrorIs(t, err, ErrThrottled)

	_, err = b.m.Invoke(context.Background(), reserved, &InvokeRequest{Payload: []byte(payload)})
	require.ErrorAs(t, err, &te)
	require.Equal(t, ReasonReservedLimit, te.Reason)

	open()
	wg.Wait()
	require.Equal(t, 2, b.m.Environments(shared.FunctionKey).Total, "two concurrent invocations ran in two environments")

	// A reservation of zero throttles every invocation.
	require.NoError(t, b.m.SetReservedConcurrency("000000000000", "us-east-1", "reserved", 0))
	_, err = b.m.Invoke(context.Background(), reserved, &InvokeRequest{Payload: []byte(`{}`)})
	require.ErrorAs(t, err, &te)
	require.Equal(t, ReasonReservedLimit, te.Reason)
	b.m.DeleteReservedConcurrency("000000000000", "us-east-1", "reserved")
	require.Equal(t, AccountConcurrency{Limit: 3, UnreservedLimit: 3}, b.m.AccountConcurrency("000000000000", "us-east-1"))
}

func TestConcurrencyAccounting(t *testing.T) {
	t.Parallel()
	c := newConcurrency(10, 2)
	var releases []func()
	for range 10 {
		r, err := c.acquire("a", "r", "f")
		require.NoError(t, err)
		releases = append(releases, r)
	}
	_, err := c.acquire("a", "r", "g")
	require.ErrorIs(t, err, ErrThrottled)
	_, err = c.acquire("other", "r", "g")
	require.NoError(t, err, "accounts are separate")
	_, err = c.acquire("a", "other-region", "g")
	require.NoError(t, err, "regions are separate")

	// Reserving for f moves its running invocations out of the shared pool.
	require.NoError(t, c.setReserved("a", "r", "f", 8))
	require.Equal(t, AccountConcurrency{Limit: 10, UnreservedLimit: 2, InFlight: 10}, c.account("a", "r"))
	for _, r := range releases[:3] {
		r()
		r() // releasing twice is harmless
	}
	// f now runs 7 of its 8; g shares the 2 unreserved.
	r1, err := c.acquire("a", "r", "g")
	require.NoError(t, err)
	_, err = c.acquire("a", "r", "g")
	require.NoError(t, err)
	_, err = c.acquire("a", "r", "g")
	require.ErrorIs(t, err, ErrThrottled)
	_, err = c.acquire("a", "r", "f")
	require.NoError(t, err)
	_, err = c.acquire("a", "r", "f")
	var te *ThrottleError
	require.ErrorAs(t, err, &te)
	require.Equal(t, ReasonReservedLimit, te.Reason)
	r1()
	c.deleteReserved("a", "r", "f")
	require.Equal(t, AccountConcurrency{Limit: 10, UnreservedLimit: 10, InFlight: 9}, c.account("a", "r"))
	var re *ReservationError
	require.ErrorAs(t, c.setReserved("a", "r", "f", 9), &re)
	require.Equal(t, 2, re.MinUnreserved)
}

func TestConfigurationChangeRetiresEnvironments(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", nil)
	f := b.function(t, "changing", "python3.12", "lambda_function.counter", code)
	var out map[string]any
	mustSucceed(t, b.m, f, `{}`, &out)
	mustSucceed(t, b.m, f, `{}`, &out)
	require.Equal(t, float64(2), out["count"])

	changed := *f
	changed.Environment = map[string]string{"NEW": "1"}
	res := mustSucceed(t, b.m, &changed, `{}`, &out)
	require.True(t, res.Cold)
	require.Equal(t, float64(1), out["count"])
	require.Eventually(t, func() bool { return b.m.Environments(f.FunctionKey).Total == 1 }, 5*time.Second, 10*time.Millisecond)

	b.m.Evict(f.AccountID, f.Region, f.Name, "")
	require.Eventually(t, func() bool { return b.m.Environments(f.FunctionKey).Total == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestParallelInvocationsUseOneEnvironmentEach(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	f := b.function(t, "parallel", "python3.12", "lambda_function.counter", mustZipDir(t, "testdata/python/basic", nil))
	var mu sync.Mutex
	counts := map[string][]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				var out struct {
					Count    int    `json:"count"`
					Instance string `json:"instance"`
				}
				mustSucceed(t, b.m, f, `{}`, &out)
				mu.Lock()
				counts[out.Instance] = append(counts[out.Instance], out.Count)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	for instance, seq := range counts {
		// One invocation at a time per environment: each sees its counter go 1, 2, 3, ...
		for i, c := range seq {
			require.Equal(t, i+1, c, "environment %s saw %v", instance, seq)
		}
		total += len(seq)
	}
	require.Equal(t, 20, total)
	require.LessOrEqual(t, len(counts), 4)
	require.Equal(t, len(counts), b.m.Environments(f.FunctionKey).Total)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", nil)

	_, err := b.m.Invoke(context.Background(), b.function(t, "old", "python2.7", "lambda_function.hello", code), &InvokeRequest{})
	require.ErrorIs(t, err, ErrUnsupportedRuntime)
	_, err = b.m.Invoke(context.Background(), &Function{FunctionKey: FunctionKey{Name: "nocode"}, Runtime: "python3.12"}, &InvokeRequest{})
	require.ErrorIs(t, err, ErrInvalidFunction)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = b.m.Invoke(ctx, b.function(t, "cancelled", "python3.12", "lambda_function.hello", code), &InvokeRequest{})
	require.ErrorIs(t, err, context.Canceled)

	// A runtime without an interpreter fails the invocation with a Runtime error.
	nointerp := setup(t, func(c *Config) { c.Interpreters = map[string]string{"python": "/nonexistent/python3"} })
	f := nointerp.function(t, "nointerp", "python3.12", "lambda_function.hello", code)
	res := mustInvoke(t, nointerp.m, f, `{}`)
	doc := mustFunctionError(t, res)
	require.Equal(t, "Runtime.InvalidEntrypoint", doc.ErrorType)
	require.Equal(t, "RequestId: "+res.RequestID+" Error: no interpreter for runtime python3.12 on this host (tried /nonexistent/python3)", doc.ErrorMessage)
}

func TestStop(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	f := b.function(t, "stopped", "python3.12", "lambda_function.sleep", mustZipDir(t, "testdata/python/basic", nil))
	done := make(chan *InvokeResult, 1)
	go func() {
		res, err := b.m.Invoke(context.Background(), f, &InvokeRequest{Payload: []byte(`{"seconds":60}`)})
		require.NoError(t, err)
		done <- res
	}()
	require.Eventually(t, func() bool { return b.m.ConcurrentExecutions(f.AccountID, f.Region, f.Name) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		b.m.mu.Lock()
		defer b.m.mu.Unlock()
		for e := range b.m.envs {
			if e.isReady() {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
	b.m.Stop()
	b.m.Stop()
	res := <-done
	require.Equal(t, "Unhandled", res.FunctionError)
	_, err := b.m.Invoke(context.Background(), f, &InvokeRequest{})
	require.True(t, errors.Is(err, ErrStopped))
	require.Error(t, b.m.Start(context.Background()))
}
