package lambdart

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type benchRuntime struct {
	name, runtime, handler string
	code                   func(b *testing.B) []byte
}

func benchRuntimes() []benchRuntime {
	return []benchRuntime{
		{"go", "provided.al2023", "hello", func(b *testing.B) []byte {
			return mustZipDir(b, "", map[string]fileSpec{"bootstrap": {data: string(mustGoBootstrap(b)), mode: 0o755}})
		}},
		{"python", "python3.12", "lambda_function.hello", func(b *testing.B) []byte {
			requireInterpreter(b, "python3.12")
			return mustZipDir(b, "testdata/python/basic", nil)
		}},
		{"node", "nodejs20.x", "index.hello", func(b *testing.B) []byte {
			requireInterpreter(b, "nodejs20.x")
			return mustZipDir(b, "testdata/node/cjs", nil)
		}},
	}
}

func quiet(c *Config) { c.Logger = discardSlog() }

// BenchmarkWarmInvoke measures a warm invocation through Invoke at concurrency 1.
// overhead-us is Overcast's share: the whole call minus the time between the runtime
// receiving the event and its response arriving.
func BenchmarkWarmInvoke(b *testing.B) {
	for _, rt := range benchRuntimes() {
		b.Run(rt.name, func(b *testing.B) {
			tb := setup(b, quiet)
			fn := tb.function(b, "bench-warm-"+rt.name, rt.runtime, rt.handler, rt.code(b))
			mustSucceed(b, tb.m, fn, `{"name":"x"}`, nil)
			payload := []byte(`{"name":"x"}`)
			overheads := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				res, err := tb.m.Invoke(context.Background(), fn, &InvokeRequest{Payload: payload})
				total := time.Since(start)
				if err != nil || res.FunctionError != "" {
					b.Fatalf("invoke: %v %s", err, res.Payload)
				}
				overheads = append(overheads, total-res.Timing.Runtime)
			}
			b.StopTimer()
			b.ReportMetric(float64(percentile(overheads, 50).Microseconds()), "overhead-p50-us")
			b.ReportMetric(float64(percentile(overheads, 99).Microseconds()), "overhead-p99-us")
		})
	}
}

// BenchmarkColdStart measures cold invocations, each in a new environment. setup-ms is
// Overcast's share before the runtime runs; dispatch-ms is from init's end to the runtime
// receiving the event; overcast-ms is their sum, Overcast's whole share of the cold start.
func BenchmarkColdStart(b *testing.B) {
	for _, rt := range benchRuntimes() {
		b.Run(rt.name, func(b *testing.B) {
			tb := setup(b, quiet)
			code := rt.code(b)
			fn := tb.function(b, "bench-cold-"+rt.name, rt.runtime, rt.handler, code)
			mustSucceed(b, tb.m, fn, `{"name":"x"}`, nil) // interpreters resolved, caches warm
			var setups, dispatches, ours, inits, totals []time.Duration
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				tb.m.Evict(fn.AccountID, fn.Region, fn.Name, "")
				f := *fn
				f.Name = fmt.Sprintf("bench-cold-%s-%d", rt.name, i)
				b.StartTimer()
				start := time.Now()
				res, err := tb.m.Invoke(context.Background(), &f, &InvokeRequest{Payload: []byte(`{"name":"x"}`)})
				total := time.Since(start)
				if err != nil || res.FunctionError != "" || !res.Cold {
					b.Fatalf("invoke: %v %s", err, res.Payload)
				}
				setups = append(setups, res.Timing.Setup)
				dispatches = append(dispatches, res.Timing.Dispatch)
				ours = append(ours, res.Timing.Setup+res.Timing.Dispatch)
				inits = append(inits, res.Timing.RuntimeInit)
				totals = append(totals, total)
			}
			b.StopTimer()
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(percentile(setups, 50)), "setup-p50-ms")
			b.ReportMetric(ms(percentile(dispatches, 50)), "dispatch-p50-ms")
			b.ReportMetric(ms(percentile(ours, 50)), "overcast-p50-ms")
			b.ReportMetric(ms(percentile(inits, 50)), "runtime-init-p50-ms")
			b.ReportMetric(ms(percentile(totals, 50)), "total-p50-ms")
		})
	}
}

// BenchmarkIdleEnvironment reports what an idle warm environment costs Overcast itself
// (not the runtime process): heap and goroutines.
func BenchmarkIdleEnvironment(b *testing.B) {
	const envs = 20
	tb := setup(b, quiet)
	requireInterpreter(b, "python3.12")
	code := mustZipDir(b, "testdata/python/basic", nil)
	fns := make([]*Function, envs)
	for i := range fns {
		fns[i] = tb.function(b, fmt.Sprintf("bench-idle-%d", i), "python3.12", "lambda_function.hello", code)
	}
	var before, after runtime.MemStats
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for _, f := range fns {
			tb.m.Evict(f.AccountID, f.Region, f.Name, "")
		}
		require.Eventually(b, func() bool {
			tb.m.mu.Lock()
			defer tb.m.mu.Unlock()
			return len(tb.m.envs) == 0
		}, 10*time.Second, 10*time.Millisecond)
		tb.m.shutdowns.Wait()
		runtime.GC()
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		b.StartTimer()
		for _, f := range fns {
			mustSucceed(b, tb.m, f, `{}`, nil)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/envs, "heap-bytes/env")
		b.ReportMetric(float64(int64(after.StackInuse)-int64(before.StackInuse))/envs, "stack-bytes/env")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/envs, "goroutines/env")
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}
