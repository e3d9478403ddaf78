// Command bench measures Overcast side by side with its peers, all on loopback: Overcast
// itself (durable SQLite in a temporary data directory, and PostgreSQL when reachable), a
// zero-work HTTP server that answers fixed, well-formed replies (the ceiling of what this
// client can reach over loopback on this machine), and moto_server when it is on PATH.
//
// All targets are started first; then each scenario runs on each target in turn, run
// after run, so that background load on a shared machine falls on all of them alike.
// Every run is bounded in count and time, writes nothing but its report to stdout
// (progress goes to stderr) and removes what it creates. Each AWS service adds its
// scenarios in a file of its own (sqs.go) and is listed in groups below.
//
//	go run ./bench                  full run (3 runs per scenario, a few minutes)
//	go run ./bench -quick           short run (1 run per scenario, under a minute)
//	go run ./bench -only sqs -json  one service, machine-readable results
//
// The exit code is 0 unless a correctness check fails on Overcast (a message lost, a FIFO
// order violation); performance targets are reported as PASS or MISS and never fail.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// groups lists the scenario groups, one per service, in report order.
var groups = []*group{
	sqsGroup,
	eventsGroup, snsGroup,
	lambdaGroup,
}

// errCorrectness is returned by Run when Overcast failed a correctness check.
var errCorrectness = errors.New("correctness check failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Main is the bench program: ParseFlags, then Run.
type Main struct {
	// Runs is how many times each scenario runs on each target; the report quotes medians.
	Runs int
	// Quick selects short durations and small counts.
	Quick bool
	// JSON prints machine-readable results instead of the table.
	JSON bool
	// Only keeps the groups named here (all when empty).
	Only []string
	// Targets keeps the targets named here (all available when empty).
	Targets []string
	// Overcast is the path of the overcast binary.
	Overcast string
	// PostgresURL is the database of the PostgreSQL variant; empty disables it.
	PostgresURL string
	// Moto is the moto_server command; empty disables it.
	Moto string
	// Restarts is how many restarts the time-to-ready median is taken over.
	Restarts int

	// ceilingAddr, when set, makes this process the ceiling server instead of the bench.
	ceilingAddr string

	stdout io.Writer
	stderr io.Writer
}

// NewMain returns a Main with the default settings.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{
		Runs:        3,
		Overcast:    "bin/overcast",
		PostgresURL: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		Moto:        "moto_server",
		Restarts:    5,
		stdout:      stdout,
		stderr:      stderr,
	}
}

// ParseFlags reads the command line.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.IntVar(&m.Runs, "runs", m.Runs, "runs of each scenario per target; medians are reported (default 3, 1 with -quick)")
	fs.BoolVar(&m.Quick, "quick", false, "short run: smaller counts and durations, 1 run per scenario")
	fs.BoolVar(&m.JSON, "json", false, "print machine-readable results (JSON) instead of the table")
	only := fs.String("only", "", "comma-separated scenario groups to run (services: "+strings.Join(groupNames(), ", ")+")")
	targets := fs.String("targets", "", "comma-separated targets to run (overcast, overcast-pg, ceiling, moto); default all available")
	fs.StringVar(&m.Overcast, "overcast", m.Overcast, "path of the overcast binary")
	fs.StringVar(&m.PostgresURL, "pg", m.PostgresURL, "PostgreSQL database for the overcast-pg target (a fresh schema is used); empty to skip")
	fs.StringVar(&m.Moto, "moto", m.Moto, "moto_server command; empty to skip")
	fs.IntVar(&m.Restarts, "restarts", m.Restarts, "restarts over which Overcast's time-to-ready median is taken")
	fs.StringVar(&m.ceilingAddr, "ceiling-serve", "", "internal: serve the zero-work ceiling on this address")
	runsSet := false
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { runsSet = runsSet || f.Name == "runs" })
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if m.Quick && !runsSet {
		m.Runs = 1
	}
	if m.Runs < 1 {
		return fmt.Errorf("-runs must be at least 1, got %d", m.Runs)
	}
	if m.Restarts < 1 {
		return fmt.Errorf("-restarts must be at least 1, got %d", m.Restarts)
	}
	m.Only = splitList(*only)
	for _, name := range m.Only {
		if !slices.Contains(groupNames(), name) {
			return fmt.Errorf("-only: unknown group %q (known: %s)", name, strings.Join(groupNames(), ", "))
		}
	}
	m.Targets = splitList(*targets)
	for _, name := range m.Targets {
		if !slices.Contains(targetNames, name) {
			return fmt.Errorf("-targets: unknown target %q (known: %s)", name, strings.Join(targetNames, ", "))
		}
	}
	return nil
}

// Run runs the bench, or the ceiling server when asked to be one.
func (m *Main) Run(ctx context.Context) error {
	if m.ceilingAddr != "" {
		return serveCeiling(ctx, m.ceilingAddr, groups)
	}
	b := &bench{
		opts:   m,
		groups: m.selectedGroups(),
		log:    m.stderr,
		start:  time.Now(),
	}
	rep, err := b.run(ctx)
	if err != nil {
		return err
	}
	if m.JSON {
		if err := rep.writeJSON(m.stdout); err != nil {
			return err
		}
	} else {
		rep.writeTable(m.stdout)
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%w: %s", errCorrectness, strings.Join(rep.Failures, "; "))
	}
	return nil
}

func (m *Main) selectedGroups() []*group {
	if len(m.Only) == 0 {
		return groups
	}
	var gs []*group
	for _, g := range groups {
		if slices.Contains(m.Only, g.name) {
			gs = append(gs, g)
		}
	}
	return gs
}

func (m *Main) wantTarget(name string) bool {
	return len(m.Targets) == 0 || slices.Contains(m.Targets, name)
}

func groupNames() []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.name
	}
	return names
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
