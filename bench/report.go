package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything the bench prints, as a table or as JSON.
type report struct {
	Date       string  `json:"date"`
	Command    string  `json:"command"`
	Machine    machine `json:"machine"`
	Runs       int     `json:"runs"`
	Quick      bool    `json:"quick"`
	ClockTicks int64   `json:"clock_ticks_per_second"`
	DurationS  float64 `json:"duration_s"`
	// LoadStart and LoadEnd are /proc/loadavg when the bench started and ended: other
	// work on the machine skews the figures.
	LoadStart string            `json:"loadavg_start"`
	LoadEnd   string            `json:"loadavg_end"`
	Targets   []targetInfo      `json:"targets"`
	Scenarios []*scenarioReport `json:"scenarios"`
	Goals     []goal            `json:"goals"`
	Failures  []string          `json:"failures"`
	byID      map[string]*scenarioReport
}

// machine describes where the bench ran.
type machine struct {
	CPUs      int    `json:"cpus"`
	Model     string `json:"cpu_model"`
	MemoryMB  int64  `json:"memory_mb"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	// FsyncP50MS and FsyncP99MS time fsync after a 4 KiB append in the temporary
	// directory that holds Overcast's data directory: durable writes wait for it.
	FsyncP50MS float64 `json:"fsync_p50_ms"`
	FsyncP99MS float64 `json:"fsync_p99_ms"`
}

// targetInfo is one target's description and process figures.
type targetInfo struct {
	Name     string `json:"name"`
	Desc     string `json:"description,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	PID      int    `json:"pid,omitempty"`
	Skipped  string `json:"skipped,omitempty"`
	// RSSStartKB is VmRSS once started and idle; RSSAfterKB is VmRSS after the scenarios
	// and a second of idleness. Overcast only.
	RSSStartKB int64 `json:"rss_start_kb,omitempty"`
	RSSAfterKB int64 `json:"rss_after_kb,omitempty"`
	// ReadyMS holds the start-to-healthy times of restarts on an existing data directory.
	ReadyMS    []float64 `json:"ready_ms,omitempty"`
	ReadyError string    `json:"ready_error,omitempty"`
}

// scenarioReport holds one scenario's results on every target.
type scenarioReport struct {
	Group   string           `json:"group"`
	ID      string           `json:"id"`
	Title   string           `json:"title"`
	Unit    string           `json:"unit"`
	Results map[string]*cell `json:"results"`
	sc      *scenario
}

// cell is one scenario on one target: the runs, and their medians and totals.
type cell struct {
	Runs []runStats `json:"runs"`
	// Rate, P50MS, P99MS and CPUMSPer1k are medians over the runs.
	Rate       float64 `json:"rate"`
	P50MS      float64 `json:"p50_ms,omitempty"`
	P99MS      float64 `json:"p99_ms,omitempty"`
	CPUMSPer1k float64 `json:"server_cpu_ms_per_1k,omitempty"`
	CPUKnown   bool    `json:"-"`
	// ClientCPUMSPer1k is the median of the bench process's own CPU time per 1,000
	// operations: client and server share the machine's cores.
	ClientCPUMSPer1k float64 `json:"client_cpu_ms_per_1k"`
	// ChildCPUMSPer1k is the median of the server's child processes' CPU time per 1,000
	// operations (Lambda runtimes); zero where the server starts none.
	ChildCPUMSPer1k float64 `json:"function_cpu_ms_per_1k,omitempty"`
	// Errors, Lost, Duplicates and Violations are totals over the runs.
	Errors     int      `json:"errors"`
	Lost       int      `json:"lost"`
	Duplicates int      `json:"duplicates"`
	Violations int      `json:"order_violations"`
	RunErrors  []string `json:"run_errors,omitempty"`
}

// runStats is one run of one scenario on one target.
type runStats struct {
	Ops        int     `json:"ops"`
	ElapsedMS  float64 `json:"elapsed_ms"`
	Rate       float64 `json:"rate"`
	P50MS      float64 `json:"p50_ms,omitempty"`
	P99MS      float64 `json:"p99_ms,omitempty"`
	CPUMSPer1k float64 `json:"server_cpu_ms_per_1k,omitempty"`
	CPUKnown   bool    `json:"-"`
	// ClientCPUMSPer1k is the bench process's own CPU time per 1,000 operations.
	ClientCPUMSPer1k float64 `json:"client_cpu_ms_per_1k"`
	// ChildCPUMSPer1k is the server's child processes' CPU time per 1,000 operations.
	ChildCPUMSPer1k float64 `json:"function_cpu_ms_per_1k,omitempty"`
	Errors          int     `json:"errors"`
	FirstError      string  `json:"first_error,omitempty"`
	Lost            int     `json:"lost"`
	Duplicates      int     `json:"duplicates"`
	Violations      int     `json:"order_violations"`
}

// goal is one target from the issue, checked against the figures.
type goal struct {
	Name   string `json:"name"`
	Want   string `json:"want"`
	Got    string `json:"got"`
	Status string `json:"status"` // PASS, MISS or n/a
}

func passMiss(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

func newReport(m *Main, gs []*group, clkTck int64) *report {
	r := &report{
		Date:       time.Now().UTC().Format(time.RFC3339),
		Command:    strings.TrimSpace("go run ./bench " + strings.Join(os.Args[1:], " ")),
		Machine:    readMachine(),
		Runs:       m.Runs,
		Quick:      m.Quick,
		ClockTicks: clkTck,
		LoadStart:  loadAvg(),
		byID:       map[string]*scenarioReport{},
	}
	for _, g := range gs {
		for _, sc := range g.scenarios {
			sr := &scenarioReport{Group: g.name, ID: sc.id, Title: sc.title, Unit: sc.unit, Results: map[string]*cell{}, sc: sc}
			r.Scenarios = append(r.Scenarios, sr)
			r.byID[sc.id] = sr
		}
	}
	return r
}

func (r *report) cell(id, targetName string) *cell {
	sr := r.byID[id]
	c := sr.Results[targetName]
	if c == nil {
		c = &cell{}
		sr.Results[targetName] = c
	}
	return c
}

func (r *report) addRun(id, targetName string, st runStats) {
	c := r.cell(id, targetName)
	c.Runs = append(c.Runs, st)
}

func (r *report) addError(id, targetName string, err error) {
	c := r.cell(id, targetName)
	c.RunErrors = append(c.RunErrors, err.Error())
}

func (r *report) addTarget(t targetInfo) { r.Targets = append(r.Targets, t) }

// target returns the named target when it ran.
func (r *report) target(name string) *targetInfo {
	for i := range r.Targets {
		if r.Targets[i].Name == name && r.Targets[i].Skipped == "" {
			return &r.Targets[i]
		}
	}
	return nil
}

// result returns the cell of a scenario on a target when at least one run completed.
func (r *report) result(id, targetName string) *cell {
	sr := r.byID[id]
	if sr == nil {
		return nil
	}
	c := sr.Results[targetName]
	if c == nil || len(c.Runs) == 0 {
		return nil
	}
	return c
}

// finish computes medians and totals, evaluates the goals and lists the failures.
func (r *report) finish(gs []*group, d time.Duration) {
	r.DurationS = math.Round(d.Seconds()*10) / 10
	r.LoadEnd = loadAvg()
	for _, sr := range r.Scenarios {
		for name, c := range sr.Results {
			var rates, p50, p99, cpu, client, child []float64
			for _, st := range c.Runs {
				rates = append(rates, st.Rate)
				if sr.sc.latency {
					p50 = append(p50, st.P50MS)
					p99 = append(p99, st.P99MS)
				}
				if st.CPUKnown {
					cpu = append(cpu, st.CPUMSPer1k)
				}
				client = append(client, st.ClientCPUMSPer1k)
				child = append(child, st.ChildCPUMSPer1k)
				c.Errors += st.Errors
				c.Lost += st.Lost
				c.Duplicates += st.Duplicates
				c.Violations += st.Violations
			}
			c.Rate, c.P50MS, c.P99MS = median(rates), median(p50), median(p99)
			c.CPUKnown = len(cpu) > 0
			c.CPUMSPer1k = median(cpu)
			c.ClientCPUMSPer1k = median(client)
			c.ChildCPUMSPer1k = median(child)
			if !isOvercastTarget(name) {
				continue
			}
			if sr.sc.checks && c.Lost > 0 {
				r.Failures = append(r.Failures, fmt.Sprintf("%s on %s: %d messages lost", sr.ID, name, c.Lost))
			}
			if sr.sc.order && c.Violations > 0 {
				r.Failures = append(r.Failures, fmt.Sprintf("%s on %s: %d order violations", sr.ID, name, c.Violations))
			}
			if sr.sc.checks && len(c.RunErrors) > 0 {
				r.Failures = append(r.Failures, fmt.Sprintf("%s on %s: %d runs could not complete: %s", sr.ID, name, len(c.RunErrors), c.RunErrors[0]))
			}
		}
	}
	for _, g := range gs {
		if g.goals != nil {
			r.Goals = append(r.Goals, g.goals(r)...)
		}
	}
	r.Goals = append(r.Goals, processGoals(r)...)
	if r.Failures == nil {
		r.Failures = []string{}
	}
}

// processGoals checks Overcast's memory and start-up targets.
func processGoals(r *report) []goal {
	oc := r.target(targetOvercast)
	if oc == nil {
		return nil
	}
	var gs []goal
	if oc.RSSStartKB > 0 {
		mb := float64(oc.RSSStartKB) / 1024
		gs = append(gs, goal{Name: "Overcast idle RSS after start", Want: "< 30 MB", Got: fmt.Sprintf("%.1f MB", mb), Status: passMiss(mb < 30)})
	}
	if oc.RSSAfterKB > 0 {
		mb := float64(oc.RSSAfterKB) / 1024
		gs = append(gs, goal{Name: "Overcast idle RSS after the run", Want: "< 30 MB", Got: fmt.Sprintf("%.1f MB", mb), Status: passMiss(mb < 30)})
	}
	if len(oc.ReadyMS) > 0 {
		m := median(oc.ReadyMS)
		gs = append(gs, goal{Name: fmt.Sprintf("Overcast ready, existing data dir (median of %d)", len(oc.ReadyMS)), Want: "< 100 ms", Got: fmt.Sprintf("%.1f ms", m), Status: passMiss(m < 100)})
	}
	return gs
}

// ratioGoal compares a figure of Overcast with a peer's: got = overcast/peer.
func ratioGoal(r *report, name, want, id, peer string, value func(*cell) (float64, bool), ok func(ratio float64) bool) goal {
	g := goal{Name: name, Want: want, Status: "n/a", Got: "n/a"}
	oc, pc := r.result(id, targetOvercast), r.result(id, peer)
	if oc == nil || pc == nil {
		return g
	}
	a, aok := value(oc)
	p, pok := value(pc)
	if !aok || !pok || p == 0 {
		return g
	}
	ratio := a / p
	g.Got = fmtRatio(ratio)
	g.Status = passMiss(ok(ratio))
	return g
}

// writeJSON prints the report as indented JSON.
func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeTable prints the report for people.
func (r *report) writeTable(w io.Writer) {
	fmt.Fprintf(w, "Overcast bench, %s\n", r.Date)
	fmt.Fprintf(w, "machine: %d CPUs, %s, %d MB RAM, %s, Linux %s\n", r.Machine.CPUs, r.Machine.Model, r.Machine.MemoryMB, r.Machine.GoVersion, r.Machine.Kernel)
	fmt.Fprintf(w, "fsync in %s (4 KiB appends): p50 %s ms, p99 %s ms\n", os.TempDir(), fmtMS(r.Machine.FsyncP50MS), fmtMS(r.Machine.FsyncP99MS))
	fmt.Fprintf(w, "command: %s (%d run(s) per scenario, medians; %.0f s)\n", r.Command, r.Runs, r.DurationS)
	fmt.Fprintf(w, "load average: %s at start, %s at end\n\n", r.LoadStart, r.LoadEnd)

	var ran []string
	for _, name := range targetNames {
		for _, t := range r.Targets {
			if t.Name != name {
				continue
			}
			if t.Skipped != "" {
				fmt.Fprintf(w, "  %-12s skipped: %s\n", t.Name, t.Skipped)
			} else {
				fmt.Fprintf(w, "  %-12s %s\n", t.Name, t.Desc)
				ran = append(ran, t.Name)
			}
		}
	}
	fmt.Fprintln(w, "\nAll servers on 127.0.0.1; the client (aws-sdk-go-v2) shares the machine's cores with the server.")
	fmt.Fprintln(w, "Server CPU is utime+stime of the server process from /proc/<pid>/stat over the measured part.")

	hasCeil := slices.Contains(ran, targetCeiling) && slices.Contains(ran, targetOvercast)
	hasMoto := slices.Contains(ran, targetMoto) && slices.Contains(ran, targetOvercast)
	for _, sr := range r.Scenarios {
		fmt.Fprintf(w, "\n%s: %s (op = %s)\n", sr.ID, sr.Title, sr.Unit)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{""}
		head = append(head, ran...)
		if hasCeil {
			head = append(head, "overcast/ceiling")
		}
		if hasMoto {
			head = append(head, "overcast/moto")
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		row := func(label string, val func(c *cell, target string) (float64, string, bool), ratio bool) {
			cols := []string{label}
			vals := map[string]float64{}
			oks := map[string]bool{}
			for _, name := range ran {
				c := sr.Results[name]
				if c == nil || len(c.Runs) == 0 {
					if c != nil && len(c.RunErrors) > 0 {
						cols = append(cols, "error")
					} else {
						cols = append(cols, "-")
					}
					continue
				}
				v, s, ok := val(c, name)
				cols = append(cols, s)
				vals[name], oks[name] = v, ok
			}
			for _, peer := range []string{targetCeiling, targetMoto} {
				if (peer == targetCeiling && !hasCeil) || (peer == targetMoto && !hasMoto) {
					continue
				}
				if ratio && oks[targetOvercast] && oks[peer] && vals[peer] != 0 {
					cols = append(cols, fmtRatio(vals[targetOvercast]/vals[peer]))
				} else {
					cols = append(cols, "")
				}
			}
			fmt.Fprintln(tw, strings.Join(cols, "\t")+"\t")
		}
		unit := "ops/s"
		if sr.sc.checks {
			unit = "msgs/s"
		}
		row(unit, func(c *cell, _ string) (float64, string, bool) { return c.Rate, fmtRate(c.Rate), true }, true)
		if sr.sc.latency {
			row("p50 ms", func(c *cell, _ string) (float64, string, bool) { return c.P50MS, fmtMS(c.P50MS), true }, true)
			row("p99 ms", func(c *cell, _ string) (float64, string, bool) { return c.P99MS, fmtMS(c.P99MS), true }, true)
		}
		row("server CPU ms / 1k ops", func(c *cell, _ string) (float64, string, bool) {
			if !c.CPUKnown {
				return 0, "-", false
			}
			return c.CPUMSPer1k, fmtMS(c.CPUMSPer1k), true
		}, true)
		row("client CPU ms / 1k ops", func(c *cell, _ string) (float64, string, bool) {
			return c.ClientCPUMSPer1k, fmtMS(c.ClientCPUMSPer1k), true
		}, false)
		if sr.hasChildCPU() {
			row("function CPU ms / 1k ops", func(c *cell, _ string) (float64, string, bool) {
				return c.ChildCPUMSPer1k, fmtMS(c.ChildCPUMSPer1k), true
			}, false)
		}
		counter := func(get func(*cell) int) func(*cell, string) (float64, string, bool) {
			return func(c *cell, target string) (float64, string, bool) {
				if target == targetCeiling {
					return 0, "n/a", false
				}
				return float64(get(c)), fmt.Sprint(get(c)), false
			}
		}
		if sr.sc.checks {
			row("lost", counter(func(c *cell) int { return c.Lost }), false)
			row("duplicates", counter(func(c *cell) int { return c.Duplicates }), false)
		}
		if sr.sc.order {
			row("order violations", counter(func(c *cell) int { return c.Violations }), false)
		}
		row("errors", func(c *cell, _ string) (float64, string, bool) { return 0, fmt.Sprint(c.Errors), false }, false)
		tw.Flush()
		for _, name := range ran {
			if c := sr.Results[name]; c != nil {
				for _, e := range c.RunErrors {
					fmt.Fprintf(w, "  %s run failed: %s\n", name, oneLine(e, 200))
				}
				for _, st := range c.Runs {
					if st.FirstError != "" {
						fmt.Fprintf(w, "  %s first error: %s\n", name, oneLine(st.FirstError, 200))
						break
					}
				}
			}
		}
	}

	for _, name := range overcastTargets {
		t := r.target(name)
		if t == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s process (pid %d)\n", name, t.PID)
		if t.RSSStartKB > 0 {
			fmt.Fprintf(w, "  RSS idle after start           %6.1f MB\n", float64(t.RSSStartKB)/1024)
		}
		if t.RSSAfterKB > 0 {
			fmt.Fprintf(w, "  RSS idle after the run         %6.1f MB\n", float64(t.RSSAfterKB)/1024)
		}
		if len(t.ReadyMS) > 0 {
			var each []string
			for _, v := range t.ReadyMS {
				each = append(each, fmtMS(v))
			}
			fmt.Fprintf(w, "  ready, existing data dir      %6.1f ms (median of %s ms)\n", median(t.ReadyMS), strings.Join(each, ", "))
		}
		if t.ReadyError != "" {
			fmt.Fprintf(w, "  ready, existing data dir: %s\n", oneLine(t.ReadyError, 200))
		}
	}

	if len(r.Goals) > 0 {
		fmt.Fprintln(w, "\nTargets (informational)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, g := range r.Goals {
			fmt.Fprintf(tw, "  %s\t%s\twant %s\tgot %s\n", g.Status, g.Name, g.Want, g.Got)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "Correctness: no message lost and no order violation on Overcast.")
	} else {
		fmt.Fprintln(w, "Correctness FAILED:")
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
}

// summary is the one-line progress report of a run.
func (st runStats) summary(sc *scenario) string {
	s := fmt.Sprintf("%d ops in %.0f ms, %s/s", st.Ops, st.ElapsedMS, fmtRate(st.Rate))
	if sc.latency {
		s += fmt.Sprintf(", p50 %s ms, p99 %s ms", fmtMS(st.P50MS), fmtMS(st.P99MS))
	}
	if st.CPUKnown {
		s += fmt.Sprintf(", server CPU %s ms/1k", fmtMS(st.CPUMSPer1k))
	}
	if sc.checks {
		s += fmt.Sprintf(", lost %d, dup %d", st.Lost, st.Duplicates)
	}
	if sc.order {
		s += fmt.Sprintf(", order violations %d", st.Violations)
	}
	if st.Errors > 0 {
		s += fmt.Sprintf(", %d errors (first: %s)", st.Errors, oneLine(st.FirstError, 160))
	}
	return s
}

func readMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscan(rest, &kb)
				m.MemoryMB = kb / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if ds, err := fsyncProbe(os.TempDir(), 50); err == nil {
		m.FsyncP50MS = ms(percentile(ds, 0.50))
		m.FsyncP99MS = ms(percentile(ds, 0.99))
	}
	return m
}

// fsyncProbe times n fsyncs, each after a 4 KiB append, in a file it removes after.
func fsyncProbe(dir string, n int) ([]time.Duration, error) {
	f, err := os.CreateTemp(dir, "overcast-bench-fsync-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	var ds []time.Duration
	for range n {
		if _, err := f.Write(buf); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := f.Sync(); err != nil {
			return nil, err
		}
		ds = append(ds, time.Since(t0))
	}
	return ds, nil
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// median returns the median of vs, 0 when empty.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the p-quantile (nearest rank) of ds; ds is sorted in place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(p*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtRate(v float64) string {
	if v >= 100 {
		return thousands(int64(math.Round(v)))
	}
	return fmt.Sprintf("%.1f", v)
}

func fmtMS(v float64) string {
	switch {
	case v >= 100:
		return thousands(int64(math.Round(v)))
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func fmtRatio(v float64) string {
	switch {
	case v >= 100:
		return thousands(int64(math.Round(v))) + "x"
	case v >= 10:
		return fmt.Sprintf("%.1fx", v)
	case v >= 0.1:
		return fmt.Sprintf("%.2fx", v)
	default:
		return fmt.Sprintf("%.3fx", v)
	}
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// hasChildCPU reports whether the server started child processes (Lambda runtimes) that
// used CPU during this scenario on some target.
func (sr *scenarioReport) hasChildCPU() bool {
	for _, c := range sr.Results {
		if c != nil && c.ChildCPUMSPer1k > 0 {
			return true
		}
	}
	return false
}
