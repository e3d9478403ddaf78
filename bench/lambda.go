package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lambdaGroup measures Lambda over rest-json: functions that really run, in the host's
// python3 and node and as a Go bootstrap built with aws-lambda-go for provided.al2023.
// moto runs functions only in Docker, so it has no Lambda figures; the ceiling answers
// Invoke by echoing the payload, which bounds the warm scenarios.
var lambdaGroup = &group{
	name: "lambda",
	// The idle-memory scenario comes first, before the concurrency scenarios grow
	// Overcast's heap, so that its RSS growth is not absorbed by memory already freed.
	scenarios: []*scenario{
		lambdaIdleScenario(),
		lambdaColdScenario(lambdaGo),
		lambdaColdScenario(lambdaPython),
		lambdaColdScenario(lambdaNode),
		lambdaWarmScenario(lambdaGo, 1),
		lambdaWarmScenario(lambdaPython, 1),
		lambdaWarmScenario(lambdaNode, 1),
		lambdaWarmScenario(lambdaGo, 8),
		lambdaWarmScenario(lambdaGo, 16),
		lambdaWarmScenario(lambdaGo, 32),
		lambdaWarmScenario(lambdaGo, 64),
		lambdaWarmScenario(lambdaPython, 8),
	},
	ceiling: lambdaCeiling,
	goals:   lambdaGoals,
}

// lambdaRuntime is one runtime the bench deploys its echo function to.
type lambdaRuntime struct {
	key     string
	runtime string
	handler string
	// code returns the deployment package.
	code func() ([]byte, error)
}

var (
	lambdaGo     = &lambdaRuntime{key: "go", runtime: "provided.al2023", handler: "bootstrap", code: lambdaGoZip}
	lambdaPython = &lambdaRuntime{key: "python", runtime: "python3.12", handler: "lambda_function.handler", code: func() ([]byte, error) {
		return zipFiles(map[string]zipFile{"lambda_function.py": {body: lambdaPythonSource}})
	}}
	lambdaNode = &lambdaRuntime{key: "node", runtime: "nodejs20.x", handler: "index.handler", code: func() ([]byte, error) {
		return zipFiles(map[string]zipFile{"index.js": {body: lambdaNodeSource}})
	}}
)

// The echo functions return their event. The Go one first sleeps for sleep_ms when the
// event asks, so that concurrent invokes each need an environment of their own.
const (
	lambdaPythonSource = "def handler(event, context):\n    return event\n"
	lambdaNodeSource   = "exports.handler = async (event) => event;\n"
	lambdaGoSource     = `package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, e json.RawMessage) (json.RawMessage, error) {
		var p struct {
			SleepMS int ` + "`json:\"sleep_ms\"`" + `
		}
		_ = json.Unmarshal(e, &p)
		if p.SleepMS > 0 {
			time.Sleep(time.Duration(p.SleepMS) * time.Millisecond)
		}
		return e, nil
	})
}
`
	lambdaGoMod = "module example.com/echo\n\ngo 1.26\n\nrequire github.com/aws/aws-lambda-go v1.55.1\n"
	lambdaGoSum = "github.com/aws/aws-lambda-go v1.55.1 h1:We2cCp4BwqqH/JW+bEEo1FhgG71rslvjfi4y7KmlrR0=\n" +
		"github.com/aws/aws-lambda-go v1.55.1/go.mod h1:V+NzkHNR6vBC8C1PDloqSLE+7jYWFiPvJJFiCiTm8nE=\n"
)

// lambdaPayload is the event of every measured invoke.
var lambdaPayload = []byte(`{"bench":"overcast","n":1}`)

const lambdaRole = "arn:aws:iam::000000000000:role/overcast-bench"

// errLambdaNA is what the Lambda scenarios answer on targets they do not apply to.
var errLambdaNA = errors.New("not applicable: no Lambda functions run on this target")

var (
	lambdaGoOnce sync.Once
	lambdaGoData []byte
	lambdaGoErr  error
)

// lambdaGoZip builds the Go echo bootstrap once per bench process, in a temporary
// directory, and zips it.
func lambdaGoZip() ([]byte, error) {
	lambdaGoOnce.Do(func() {
		lambdaGoData, lambdaGoErr = buildGoBootstrap()
	})
	return lambdaGoData, lambdaGoErr
}

func buildGoBootstrap() ([]byte, error) {
	dir, err := os.MkdirTemp("", "overcast-bench-lambda-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for name, body := range map[string]string{"main.go": lambdaGoSource, "go.mod": lambdaGoMod, "go.sum": lambdaGoSum} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", "bootstrap", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build Go bootstrap: %w: %s", err, lastLines(string(out), 5))
	}
	bin, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
	if err != nil {
		return nil, err
	}
	return zipFiles(map[string]zipFile{"bootstrap": {body: string(bin), exec: true}})
}

type zipFile struct {
	body string
	exec bool
}

// zipFiles returns a zip archive of files; exec marks a file executable.
func zipFiles(files map[string]zipFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		mode := os.FileMode(0o644)
		if f.exec {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lambdaCreate creates a function of rt and waits until it is Active.
func lambdaCreate(ctx context.Context, client *lambda.Client, rt *lambdaRuntime, name string) error {
	code, err := rt.code()
	if err != nil {
		return err
	}
	_, err = client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.Runtime(rt.runtime),
		Handler:      aws.String(rt.handler),
		Role:         aws.String(lambdaRole),
		Code:         &types.FunctionCode{ZipFile: code},
		MemorySize:   aws.Int32(128),
		Timeout:      aws.Int32(30),
	})
	if err != nil {
		return fmt.Errorf("CreateFunction %s: %w", rt.runtime, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("GetFunctionConfiguration: %w", err)
		}
		// The ceiling answers with an empty configuration.
		if out.State == types.StateActive || out.State == "" {
			return nil
		}
		if out.State == types.StateFailed {
			return fmt.Errorf("function %s failed: %s", name, aws.ToString(out.StateReason))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("function %s still %s after 30s", name, out.State)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func lambdaDelete(client *lambda.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
}

// lambdaInvoke invokes name synchronously and checks that the function echoed payload.
func lambdaInvoke(ctx context.Context, client *lambda.Client, name string, payload []byte) error {
	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
	if err != nil {
		return err
	}
	if out.FunctionError != nil {
		return fmt.Errorf("function error %s: %s", aws.ToString(out.FunctionError), oneLine(string(out.Payload), 200))
	}
	var want, got any
	if err := json.Unmarshal(payload, &want); err != nil {
		return err
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil || !reflect.DeepEqual(want, got) {
		return fmt.Errorf("function answered %q, want the event %s back", oneLine(string(out.Payload), 200), payload)
	}
	return nil
}

// lambdaColdCount is how many fresh functions one cold-start run creates.
func lambdaColdCount(sz sizes) int {
	if sz.duration < time.Second {
		return 4
	}
	return 10
}

func lambdaColdScenario(rt *lambdaRuntime) *scenario {
	return &scenario{
		id:      "lambda.cold." + rt.key,
		title:   fmt.Sprintf("cold start: first Invoke of a freshly created %s echo function (CreateFunction not timed)", rt.runtime),
		unit:    "1 cold Invoke",
		latency: true,
		run: func(ctx context.Context, e *runEnv) (*runResult, error) {
			return lambdaCold(ctx, e, rt)
		},
	}
}

// lambdaCold creates fresh functions one at a time and times the first Invoke of each,
// which starts its first execution environment.
func lambdaCold(ctx context.Context, e *runEnv, rt *lambdaRuntime) (*runResult, error) {
	if !isOvercastTarget(e.target.name) {
		return nil, errLambdaNA
	}
	client := lambda.NewFromConfig(e.aws)
	n := lambdaColdCount(e.sizes)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-cold-%d", e.name, i)
		defer lambdaDelete(client, names[i])
		if err := lambdaCreate(ctx, client, rt, names[i]); err != nil {
			return nil, err
		}
	}
	var res runResult
	e.begin()
	for _, name := range names {
		t0 := time.Now()
		err := lambdaInvoke(ctx, client, name, lambdaPayload)
		d := time.Since(t0)
		if err != nil {
			res.errors++
			if res.firstErr == nil {
				res.firstErr = err
			}
			continue
		}
		res.latencies = append(res.latencies, d)
	}
	e.end()
	res.ops = len(res.latencies)
	return &res, ctx.Err()
}

func lambdaWarmScenario(rt *lambdaRuntime, conc int) *scenario {
	caller := "callers"
	if conc == 1 {
		caller = "caller"
	}
	return &scenario{
		id:      fmt.Sprintf("lambda.invoke.%s.c%d", rt.key, conc),
		title:   fmt.Sprintf("warm Invoke (RequestResponse) of a %s echo function, %d concurrent %s", rt.runtime, conc, caller),
		unit:    "1 Invoke call",
		latency: true,
		run: func(ctx context.Context, e *runEnv) (*runResult, error) {
			return lambdaWarm(ctx, e, rt, conc)
		},
	}
}

// lambdaWarm invokes one function from conc goroutines until the duration or the count
// bound is reached, after each caller's first, unmeasured invoke has warmed the
// environments.
func lambdaWarm(ctx context.Context, e *runEnv, rt *lambdaRuntime, conc int) (*runResult, error) {
	if e.target.slow {
		return nil, errLambdaNA
	}
	client := lambda.NewFromConfig(e.aws)
	name := e.name + "-warm"
	defer lambdaDelete(client, name)
	if err := lambdaCreate(ctx, client, rt, name); err != nil {
		return nil, err
	}
	var (
		res      runResult
		mu       sync.Mutex
		issued   atomic.Int64
		deadline time.Time
		ready    sync.WaitGroup
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if res.firstErr == nil {
			res.firstErr = err
		}
	}
	ready.Add(conc)
	for range conc {
		wg.Go(func() {
			// The callers warm up together, so that there are as many environments as
			// callers before the measured part.
			if err := lambdaInvoke(ctx, client, name, lambdaPayload); err != nil {
				mu.Lock()
				if res.firstErr == nil {
					res.firstErr = err
				}
				mu.Unlock()
			}
			ready.Done()
			<-start
			lat := make([]time.Duration, 0, 1024)
			defer func() {
				mu.Lock()
				res.latencies = append(res.latencies, lat...)
				mu.Unlock()
			}()
			for issued.Add(1) <= int64(e.sizes.maxOps) && time.Now().Before(deadline) {
				t0 := time.Now()
				err := lambdaInvoke(ctx, client, name, lambdaPayload)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					fail(err)
					continue
				}
				lat = append(lat, d)
			}
		})
	}
	ready.Wait()
	deadline = time.Now().Add(min(e.sizes.duration, lambdaMaxDuration))
	e.begin()
	close(start)
	wg.Wait()
	e.end()
	res.ops = len(res.latencies)
	return &res, ctx.Err()
}

// lambdaMaxDuration bounds a warm run: the group has many of them, and a second holds
// hundreds of invokes even at the rates of a small machine.
const lambdaMaxDuration = time.Second

// lambdaIdleEnvs is how many environments the idle-memory scenario warms.
func lambdaIdleEnvs(sz sizes) int {
	if sz.duration < time.Second {
		return 8
	}
	return 16
}

func lambdaIdleScenario() *scenario {
	return &scenario{
		id:      "lambda.idle.go",
		title:   "idle environments: concurrent Invokes (each sleeping 300 ms) of a provided.al2023 function open one environment each; RSS measured before and after",
		unit:    "1 environment opened",
		latency: true,
		run:     lambdaIdle,
	}
}

// lambdaIdleKB holds, per target, the RSS growth per idle environment of every run: of
// Overcast itself and of the runtime processes it started.
var lambdaIdleKB = struct {
	sync.Mutex
	server, runtime map[string][]float64
}{server: map[string][]float64{}, runtime: map[string][]float64{}}

// lambdaIdle reads Overcast's RSS with the function created and no environment, then
// opens n environments at once with invokes that each hold theirs for 300 ms, waits for
// them to go idle and reads it again.
func lambdaIdle(ctx context.Context, e *runEnv) (*runResult, error) {
	if !isOvercastTarget(e.target.name) {
		return nil, errLambdaNA
	}
	client := lambda.NewFromConfig(e.aws)
	name := e.name + "-idle"
	defer lambdaDelete(client, name)
	if err := lambdaCreate(ctx, client, lambdaGo, name); err != nil {
		return nil, err
	}
	pid := e.target.pid()
	settle := func() {
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	settle()
	before, err := procRSSKB(pid)
	if err != nil {
		return nil, err
	}
	childBefore := descendantsRSSKB(pid)
	n := lambdaIdleEnvs(e.sizes)
	payload := []byte(`{"sleep_ms":300}`)
	var (
		res runResult
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	e.begin()
	for range n {
		wg.Go(func() {
			t0 := time.Now()
			err := lambdaInvoke(ctx, client, name, payload)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == nil {
					res.firstErr = err
				}
				return
			}
			res.latencies = append(res.latencies, d)
		})
	}
	wg.Wait()
	e.end()
	res.ops = len(res.latencies)
	settle()
	after, err := procRSSKB(pid)
	if err != nil {
		return nil, err
	}
	childAfter := descendantsRSSKB(pid)
	if res.ops > 0 {
		lambdaIdleKB.Lock()
		lambdaIdleKB.server[e.target.name] = append(lambdaIdleKB.server[e.target.name], float64(after-before)/float64(res.ops))
		lambdaIdleKB.runtime[e.target.name] = append(lambdaIdleKB.runtime[e.target.name], float64(childAfter-childBefore)/float64(res.ops))
		lambdaIdleKB.Unlock()
	}
	return &res, ctx.Err()
}

// descendantsRSSKB sums the RSS of every process below pid: the runtime processes that
// Overcast starts for its execution environments.
func descendantsRSSKB(pid int) int64 {
	var total int64
	for _, p := range descendants(pid) {
		if kb, err := procRSSKB(p); err == nil {
			total += kb
		}
	}
	return total
}

// descendantsCPUTicks sums the CPU time (utime+stime) of every live process below pid: on
// Overcast, the functions' runtime processes, which share the machine's cores with the
// server and the client.
func descendantsCPUTicks(pid int) int64 {
	var total int64
	for _, p := range descendants(pid) {
		if t, err := procCPUTicks(p); err == nil {
			total += t
		}
	}
	return total
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	parent := map[int]int{}
	for _, ent := range entries {
		p, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		// The fields after the command, which is in parentheses, start with the state
		// and the parent's pid.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			parent[p] = pp
		}
	}
	var out []int
	for p := range parent {
		for a := parent[p]; a > 1; a = parent[a] {
			if a == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// lambdaGoals checks the Lambda targets of the issue on the SQLite variant of Overcast.
func lambdaGoals(r *report) []goal {
	var gs []goal
	p50 := goal{Name: "Lambda warm Invoke, Go, c=1: p50 latency", Want: "< 1 ms", Got: "n/a", Status: "n/a"}
	if c := r.result("lambda.invoke.go.c1", targetOvercast); c != nil {
		p50.Got = fmtMS(c.P50MS) + " ms"
		p50.Status = passMiss(c.P50MS < 1)
	}
	gs = append(gs, p50)
	// The ceiling's own Invoke (an echo) is the zero-work reference at c=16; its
	// SendMessage stands in when the Lambda scenario did not run on it.
	oc := r.result("lambda.invoke.go.c16", targetOvercast)
	ceil, ref := r.result("lambda.invoke.go.c16", targetCeiling), "Invoke"
	if ceil == nil {
		ceil, ref = r.result("sqs.send.c16", targetCeiling), "SendMessage"
	}
	if oc != nil && ceil != nil && ceil.Rate > 0 {
		ratio := oc.Rate / ceil.Rate
		gs = append(gs, goal{
			Name: "Lambda warm Invoke, Go, c=16: ops/s vs ceiling " + ref + " c=16", Want: ">= 0.4x",
			Got: fmtRatio(ratio), Status: passMiss(ratio >= 0.4),
		})
		// On two cores the client, the server and the function's own runtime share the
		// CPU: the figure below bounds what any server could reach here.
		if oc.ChildCPUMSPer1k > 0 {
			gs = append(gs, goal{
				Name: "Lambda warm Invoke, Go, c=16: CPU per invoke, server + client + function runtime (informational)", Want: "-",
				Got: fmt.Sprintf("%.0f + %.0f + %.0f µs", oc.CPUMSPer1k, oc.ClientCPUMSPer1k, oc.ChildCPUMSPer1k), Status: "n/a",
			})
		}
	}
	// Overcast's share of a cold start (Invoke arriving to the runtime's first event) is
	// bounded here by the whole cold Invoke of the Go function, whose own init (a static
	// binary's start) takes a few milliseconds: the client's round trip and the runtime's
	// init are counted against Overcast.
	share := goal{Name: "Lambda cold start, Overcast's share: p50 (bounded by the whole Go cold Invoke)", Want: "< 15 ms", Got: "n/a", Status: "n/a"}
	if c := r.result("lambda.cold.go", targetOvercast); c != nil {
		share.Got = fmtMS(c.P50MS) + " ms"
		share.Status = passMiss(c.P50MS < 15)
	}
	gs = append(gs, share)
	cold := goal{Name: "Lambda cold Invoke, Python: p50 end to end", Want: "< 120 ms", Got: "n/a", Status: "n/a"}
	if c := r.result("lambda.cold.python", targetOvercast); c != nil {
		cold.Got = fmtMS(c.P50MS) + " ms"
		cold.Status = passMiss(c.P50MS < 120)
	}
	gs = append(gs, cold)
	lambdaIdleKB.Lock()
	server, runtime := lambdaIdleKB.server[targetOvercast], lambdaIdleKB.runtime[targetOvercast]
	lambdaIdleKB.Unlock()
	idle := goal{Name: "Lambda idle warm environment: Overcast RSS growth per environment", Want: "< 1 MB", Got: "n/a", Status: "n/a"}
	if len(server) > 0 {
		kb := median(server)
		idle.Got = fmt.Sprintf("%.0f KB", kb)
		idle.Status = passMiss(kb < 1024)
	}
	gs = append(gs, idle)
	if len(runtime) > 0 {
		gs = append(gs, goal{
			Name: "Lambda idle warm environment: runtime processes' RSS per environment (informational)", Want: "-",
			Got: fmt.Sprintf("%.1f MB", median(runtime)/1024), Status: "n/a",
		})
	}
	return gs
}

// lambdaCeiling answers Lambda's rest-json requests: Invoke echoes its payload, as the
// echo function does, and the rest answer an empty document.
func lambdaCeiling(r *http.Request) http.HandlerFunc {
	if !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions") {
		return nil
	}
	if strings.HasSuffix(r.URL.Path, "/invocations") {
		return func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			writeFixed(w, "application/json", body)
		}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeFixed(w, "application/json", sqsCeilingEmpty)
	}
}
