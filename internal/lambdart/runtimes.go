package lambdart

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Family is the kind of a runtime: how its process is started.
type Family int

const (
	// FamilyProvided runs a `bootstrap` executable from the code or a layer (provided.al2023,
	// provided.al2, provided).
	FamilyProvided Family = iota + 1
	// FamilyPython runs the embedded Python bootstrap with a host interpreter.
	FamilyPython
	// FamilyNode runs the embedded Node.js bootstrap with a host node.
	FamilyNode
)

// Runtime describes one Lambda runtime identifier.
type Runtime struct {
	// ID is the runtime identifier as the Lambda API spells it, e.g. "python3.12".
	ID string
	// Family says how the runtime's process is started.
	Family Family
	// Version is the language version ("3.12", "20"); empty for provided runtimes.
	Version string
}

// ExecutionEnv returns the AWS_EXECUTION_ENV value AWS sets for the runtime; provided
// runtimes have none.
func (r Runtime) ExecutionEnv() string {
	if r.Family == FamilyProvided {
		return ""
	}
	return "AWS_Lambda_" + r.ID
}

// runtimes are the runtime identifiers Overcast runs: the ones AWS currently accepts for
// new functions and updates.
var runtimes = map[string]Runtime{
	"provided":        {ID: "provided", Family: FamilyProvided},
	"provided.al2":    {ID: "provided.al2", Family: FamilyProvided},
	"provided.al2023": {ID: "provided.al2023", Family: FamilyProvided},
	"python3.9":       {ID: "python3.9", Family: FamilyPython, Version: "3.9"},
	"python3.10":      {ID: "python3.10", Family: FamilyPython, Version: "3.10"},
	"python3.11":      {ID: "python3.11", Family: FamilyPython, Version: "3.11"},
	"python3.12":      {ID: "python3.12", Family: FamilyPython, Version: "3.12"},
	"python3.13":      {ID: "python3.13", Family: FamilyPython, Version: "3.13"},
	"python3.14":      {ID: "python3.14", Family: FamilyPython, Version: "3.14"},
	"nodejs18.x":      {ID: "nodejs18.x", Family: FamilyNode, Version: "18"},
	"nodejs20.x":      {ID: "nodejs20.x", Family: FamilyNode, Version: "20"},
	"nodejs22.x":      {ID: "nodejs22.x", Family: FamilyNode, Version: "22"},
	"nodejs24.x":      {ID: "nodejs24.x", Family: FamilyNode, Version: "24"},
}

// LookupRuntime returns the runtime with the given identifier and whether Overcast runs it.
func LookupRuntime(id string) (Runtime, bool) {
	r, ok := runtimes[id]
	return r, ok
}

// Runtimes returns the identifiers of every runtime Overcast runs, sorted.
func Runtimes() []string {
	ids := make([]string, 0, len(runtimes))
	for id := range runtimes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// interpreterCandidates lists the host commands tried for a runtime, best first: the exact
// version (on PATH, or installed by pyenv without being selected), then the family's
// generic command.
func interpreterCandidates(r Runtime) []string {
	switch r.Family {
	case FamilyPython:
		out := []string{"python" + r.Version}
		root := os.Getenv("PYENV_ROOT")
		if root == "" {
			if home, err := os.UserHomeDir(); err == nil {
				root = filepath.Join(home, ".pyenv")
			}
		}
		if root != "" {
			matches, _ := filepath.Glob(filepath.Join(root, "versions", r.Version+".*", "bin", "python"+r.Version))
			sort.Sort(sort.Reverse(sort.StringSlice(matches)))
			out = append(out, matches...)
		}
		return append(out, "python3")
	case FamilyNode:
		return []string{"node" + r.Version, "node", "nodejs"}
	}
	return nil
}

// probeCache remembers which host commands are working interpreters, process-wide: probing
// a command costs a process start, and every Manager on the host sees the same answer.
var probeCache sync.Map // key: PATH + "\x00" + command → *probeResult

type probeResult struct {
	once sync.Once
	path string // resolved executable; empty when the command does not work
}

// probeInterpreter resolves a command to the real executable behind it, or "" when the
// command is missing or does not run. Shims (pyenv, asdf) are resolved to the interpreter
// they select, which also spares every environment the shim's own start-up cost.
func probeInterpreter(family Family, command string) string {
	pathEnv := os.Getenv("PATH")
	v, _ := probeCache.LoadOrStore(pathEnv+"\x00"+command, &probeResult{})
	res := v.(*probeResult)
	res.once.Do(func() {
		bin := command
		if !filepath.IsAbs(bin) {
			p, err := exec.LookPath(command)
			if err != nil {
				return
			}
			bin = p
		}
		var args []string
		switch family {
		case FamilyPython:
			args = []string{"-S", "-c", "import sys; print(sys.executable)"}
		case FamilyNode:
			args = []string{"-e", "console.log(process.execPath)"}
		default:
			res.path = bin
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if err != nil {
			return
		}
		exe := strings.TrimSpace(string(out))
		if exe == "" {
			exe = bin
		}
		res.path = exe
	})
	return res.path
}

// resolveInterpreter finds the host interpreter for a runtime: a configured path for the
// runtime id or its family ("python", "node") wins; otherwise the first working candidate.
// It returns the executable and the candidates that were tried.
func resolveInterpreter(r Runtime, configured map[string]string) (string, []string) {
	family := map[Family]string{FamilyPython: "python", FamilyNode: "node"}[r.Family]
	for _, key := range []string{r.ID, family} {
		if p, ok := configured[key]; ok && p != "" {
			if exe := probeInterpreter(r.Family, p); exe != "" {
				return exe, []string{p}
			}
			return "", []string{p}
		}
	}
	tried := interpreterCandidates(r)
	for _, c := range tried {
		if exe := probeInterpreter(r.Family, c); exe != "" {
			return exe, tried
		}
	}
	return "", tried
}
