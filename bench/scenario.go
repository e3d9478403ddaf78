package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// group is one service's scenarios, its share of the ceiling server and its targets.
type group struct {
	// name selects the group with -only; it is the service's signing name.
	name string
	// scenarios run in this order on every target.
	scenarios []*scenario
	// ceiling returns the handler that answers r on the zero-work server, or nil when r
	// is not addressed to this service.
	ceiling func(r *http.Request) http.HandlerFunc
	// goals evaluates the service's performance and correctness targets.
	goals func(r *report) []goal
}

// scenario is one measured workload.
type scenario struct {
	// id is stable across versions, for comparing JSON results: "sqs.send.c16".
	id    string
	title string
	// unit names one operation; rates and CPU per 1,000 operations count it.
	unit string
	// latency is set when the scenario records per-call latencies.
	latency bool
	// checks is set when the scenario tracks every message (lost, duplicates).
	checks bool
	// order is set when the scenario checks per-group order.
	order bool
	// run performs one run on e.target, bracketing the measured part with e.begin and
	// e.end.
	run func(ctx context.Context, e *runEnv) (*runResult, error)
}

// sizes bound one run in count and time.
type sizes struct {
	// duration bounds time-bounded scenarios (calls in a loop).
	duration time.Duration
	// maxOps bounds the calls of a time-bounded scenario.
	maxOps int
	// messages is the message count of end-to-end scenarios.
	messages int
	// fifoMessages is the message count of FIFO scenarios.
	fifoMessages int
	// deadline bounds any single run; what is unfinished then counts as lost.
	deadline time.Duration
}

// sizesFor picks the bounds for a target: moto manages tens of requests per second, so it
// gets counts it can finish.
func sizesFor(quick, slow bool) sizes {
	switch {
	case quick && slow:
		return sizes{duration: 1 * time.Second, maxOps: 200, messages: 60, fifoMessages: 40, deadline: 20 * time.Second}
	case quick:
		return sizes{duration: 500 * time.Millisecond, maxOps: 1_000_000, messages: 3000, fifoMessages: 1000, deadline: 20 * time.Second}
	case slow:
		return sizes{duration: 2 * time.Second, maxOps: 1000, messages: 150, fifoMessages: 100, deadline: 60 * time.Second}
	default:
		return sizes{duration: 2 * time.Second, maxOps: 1_000_000, messages: 10_000, fifoMessages: 3000, deadline: 60 * time.Second}
	}
}

// runEnv is what a scenario run gets: its target, its bounds and an SDK configuration.
type runEnv struct {
	target *target
	sizes  sizes
	aws    aws.Config
	// name is unique to this run, for naming the resources it creates.
	name string

	t0, t1     time.Time
	cpu0, cpu1 int64
	cpuErr     error
	// self0 and self1 are this process's CPU ticks: the client's cost of the run.
	self0, self1 int64
	// kids0 and kids1 are the CPU ticks of the server's child processes (Lambda runtimes).
	kids0, kids1 int64
}

// begin starts the measured part of the run: elapsed time and the server's CPU time.
func (e *runEnv) begin() {
	if pid := e.target.pid(); pid > 0 {
		e.kids0 = descendantsCPUTicks(pid)
	}
	e.cpu0, e.cpuErr = e.target.cpuTicks()
	e.self0, _ = procCPUTicks(os.Getpid())
	e.t0 = time.Now()
}

// end closes the measured part of the run.
func (e *runEnv) end() {
	e.t1 = time.Now()
	e.self1, _ = procCPUTicks(os.Getpid())
	c, err := e.target.cpuTicks()
	if err != nil && e.cpuErr == nil {
		e.cpuErr = err
	}
	e.cpu1 = c
	if pid := e.target.pid(); pid > 0 {
		e.kids1 = descendantsCPUTicks(pid)
	}
}

// runResult is what one scenario run reports.
type runResult struct {
	// ops counts completed operations in the scenario's unit.
	ops       int
	latencies []time.Duration
	errors    int
	firstErr  error
	// lost counts messages sent and never received.
	lost int
	// duplicates counts deliveries of a message beyond its first.
	duplicates int
	// violations counts messages received out of their group's order.
	violations int
}

// awsConfig is the SDK configuration every target gets: static credentials, a fixed
// region, the target's endpoint, and a connection pool large enough that no concurrency
// level churns connections (the SDK keeps 10 idle connections per host by default).
func awsConfig(endpoint string) aws.Config {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = 512
		tr.MaxIdleConnsPerHost = 512
	})
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   hc,
	}
}

// runScenario runs sc once on t and turns the result into statistics.
func runScenario(ctx context.Context, sc *scenario, t *target, sz sizes, clkTck int64, name string) (runStats, error) {
	e := &runEnv{target: t, sizes: sz, aws: awsConfig(t.endpoint), name: name}
	ctx, cancel := context.WithTimeout(ctx, sz.deadline+30*time.Second)
	defer cancel()
	res, err := sc.run(ctx, e)
	if err != nil {
		return runStats{}, err
	}
	if e.t0.IsZero() || e.t1.IsZero() {
		return runStats{}, fmt.Errorf("scenario %s did not mark its measured part", sc.id)
	}
	st := runStats{
		Ops:        res.ops,
		ElapsedMS:  ms(e.t1.Sub(e.t0)),
		Errors:     res.errors,
		Lost:       res.lost,
		Duplicates: res.duplicates,
		Violations: res.violations,
	}
	if res.firstErr != nil {
		st.FirstError = res.firstErr.Error()
	}
	if el := e.t1.Sub(e.t0).Seconds(); el > 0 {
		st.Rate = float64(res.ops) / el
	}
	if len(res.latencies) > 0 {
		st.P50MS = ms(percentile(res.latencies, 0.50))
		st.P99MS = ms(percentile(res.latencies, 0.99))
	}
	if e.cpuErr == nil && t.pid() > 0 && res.ops > 0 {
		ticks := e.cpu1 - e.cpu0
		cpuMS := float64(ticks) * 1000 / float64(clkTck)
		st.CPUMSPer1k = cpuMS * 1000 / float64(res.ops)
		st.CPUKnown = true
	}
	if res.ops > 0 {
		st.ClientCPUMSPer1k = float64(e.self1-e.self0) * 1000 / float64(clkTck) * 1000 / float64(res.ops)
		// Processes that exit during the run take their ticks with them; a warm run's
		// runtimes stay up, so the figure is theirs.
		st.ChildCPUMSPer1k = float64(max(e.kids1-e.kids0, 0)) * 1000 / float64(clkTck) * 1000 / float64(res.ops)
	}
	return st, nil
}
