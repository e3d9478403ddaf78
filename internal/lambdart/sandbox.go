//go:build unix

package lambdart

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// SandboxMode says how environments are isolated.
type SandboxMode string

const (
	// SandboxAuto isolates environments with namespaces and cgroups where the host allows it
	// (Linux, as root) and runs plain processes elsewhere. It is the default.
	SandboxAuto SandboxMode = "auto"
	// SandboxOff always runs plain processes.
	SandboxOff SandboxMode = "off"
)

// envPaths are the directories of an environment as its processes see them.
type envPaths struct {
	task, opt, runtime, tmp string
}

// sandbox is one environment's isolation: where its code appears, how its processes start
// and what limits them.
type sandbox struct {
	// isolated: mount and pid namespaces, /var/task, /opt, /var/runtime and /tmp mounted.
	isolated bool
	// tmpEnforced: /tmp is a tmpfs of the ephemeral storage size.
	tmpEnforced bool
	paths       envPaths
	hostOpt     string
	hostTmp     string
	envDir      string

	cg *cgroupEnv   // nil without cgroups
	sp *nsSpawner   // nil without namespaces
	ln net.Listener // pre-made Runtime API listener (inside a network namespace), or nil

	attaching sync.WaitGroup // background moves of processes into the cgroup
	attachErr error          // the last failed move; read after attaching.Wait
	rss       rssReader
}

// SandboxReport says what the sandbox enforces on this host.
type SandboxReport struct {
	// Namespaces: environments get private mount and pid namespaces with /var/task, /opt,
	// /var/runtime and /tmp mounted.
	Namespaces bool
	// TmpSize: /tmp is a tmpfs limited to the function's ephemeral storage.
	TmpSize bool
	// Cgroup is "v1", "v2" or "" (none): memory limit, OOM detection, peak memory, CPU share.
	Cgroup string
	// CPUQuota: a hard CPU quota proportional to memory (1,769 MB = 1 vCPU) is applied.
	CPUQuota bool
	// Network: environments get a private network namespace with only loopback and a
	// forwarder to Overcast's endpoint.
	Network bool
	// Reason explains what is missing, if anything.
	Reason string
}

func (m *Manager) newSandbox(id string, fn *Function, opt string) (*sandbox, error) {
	envDir := filepath.Join(m.cfg.DataDir, "envs", id)
	tmp := filepath.Join(envDir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	// World-writable and sticky, like /tmp: the function may run as another user.
	_ = os.Chmod(tmp, 0o1777)
	sb := &sandbox{hostOpt: opt, hostTmp: tmp, envDir: envDir}
	sb.paths = envPaths{task: fn.Code.Dir, opt: opt, runtime: m.runtimeDir, tmp: tmp}
	if m.cgroups != nil {
		cg, err := m.cgroups.create(id, fn.memoryMB(), m.cfg.CPUQuota)
		if err != nil {
			m.log.Warn("lambda cgroup unavailable for environment", "error", err)
		} else {
			sb.cg = cg
		}
	}
	if m.report.Namespaces {
		if err := m.isolate(sb, fn); err != nil {
			sb.close()
			return nil, err
		}
	}
	return sb, nil
}

// start starts a process in the sandbox.
func (sb *sandbox) start(cmd *exec.Cmd) error {
	attr := &syscall.SysProcAttr{}
	platformProcAttr(attr, sb.isolated)
	intoCgroup := sb.cg != nil && sb.cg.cloneInto(attr)
	cmd.SysProcAttr = attr
	err := sb.startCmd(cmd)
	if err != nil && intoCgroup {
		// Without clone3 the process cannot be born in its cgroup; move it instead.
		clearCgroupFD(attr)
		intoCgroup = false
		err = sb.startCmd(cmd)
	}
	if err != nil {
		return err
	}
	if sb.cg != nil && !intoCgroup {
		// Moving a process between cgroups waits for an RCU grace period, 5 to 20 ms on a
		// busy host: done in the background, it overlaps the runtime's init, and the first
		// invocation waits for it. The runtime's first milliseconds are charged to
		// Overcast's cgroup meanwhile.
		pid := cmd.Process.Pid
		sb.attaching.Add(1)
		go func() {
			defer sb.attaching.Done()
			if err := sb.cg.attach(pid); err != nil {
				sb.attachErr = err
			}
		}()
	}
	return nil
}

func (sb *sandbox) startCmd(cmd *exec.Cmd) error {
	if sb.sp == nil {
		return startPlain(cmd)
	}
	var err error
	sb.sp.do(func() { err = cmd.Start() })
	return err
}

// listen opens the environment's Runtime API listener.
func (sb *sandbox) listen() (net.Listener, error) {
	if sb.ln != nil {
		return sb.ln, nil
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// kill ends the processes and everything they started.
func (sb *sandbox) kill(procs []*process) {
	for _, p := range procs {
		if p == nil || p.cmd.Process == nil {
			continue
		}
		select {
		case <-p.exited:
			continue
		default:
		}
		pid := p.cmd.Process.Pid
		// Each process leads its own group (or pid namespace): kill the whole tree.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if sb.cg != nil {
		sb.cg.killAll()
	}
}

func (sb *sandbox) oomKilled() bool {
	return sb.cg != nil && sb.cg.oomKills() > 0
}

// peakMemoryMB returns the environment's peak memory: the larger of the cgroup's peak and
// the runtime process's peak resident set. The cgroup alone undercounts: pages of the
// interpreter already in the host's page cache are charged elsewhere, while AWS, whose
// sandbox is a whole VM, counts them.
func (sb *sandbox) peakMemoryMB(pid int) int {
	var b int64
	if sb.cg != nil {
		b = sb.cg.peak()
	}
	if pid > 0 {
		// /proc/<pid>/status costs tens of microseconds to read. With a cgroup, whose peak
		// catches the runtime's growth, the resident set is refreshed once a second.
		var maxAge time.Duration
		if sb.cg != nil {
			maxAge = time.Second
		}
		b = max(b, sb.rss.peak(pid, maxAge))
	}
	return int((b + (1<<20 - 1)) >> 20)
}

// close releases the sandbox once its processes are gone.
func (sb *sandbox) close() {
	sb.rss.close()
	if sb.sp != nil {
		sb.sp.close()
	}
	if sb.cg != nil {
		sb.attaching.Wait()
		sb.cg.remove()
	}
	if sb.envDir != "" {
		_ = os.RemoveAll(sb.envDir)
	}
}
