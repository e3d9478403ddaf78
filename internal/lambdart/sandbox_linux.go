package lambdart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Where environments see their files when they have a mount namespace, as on AWS.
const (
	sandboxTask    = "/var/task"
	sandboxOpt     = "/opt"
	sandboxRuntime = "/var/runtime"
	sandboxTmp     = "/tmp"
)

func platformProcAttr(attr *syscall.SysProcAttr, isolated bool) {
	if isolated {
		// A private pid namespace per process: the process is its init, and killing it
		// ends everything it started.
		attr.Cloneflags = syscall.CLONE_NEWPID
	} else {
		attr.Setpgid = true
	}
	// Environments do not outlive Overcast. The signal follows the thread that started the
	// process: the namespace spawner's thread lives as long as the environment, and plain
	// processes are started from plainSpawner's thread, which never exits. (An ordinary Go
	// thread is no good: the runtime ends a thread whose goroutine exits while locked to
	// it, as every namespace spawner's does, and that would kill a plain process started
	// from it earlier.)
	attr.Pdeathsig = syscall.SIGKILL
}

var (
	plainOnce    sync.Once
	plainThread  *nsSpawner
	plainThreadE error
)

// startPlain starts cmd from one locked thread that lives as long as Overcast.
func startPlain(cmd *exec.Cmd) error {
	plainOnce.Do(func() { plainThread, plainThreadE = newSpawner(func() error { return nil }) })
	if plainThreadE != nil {
		return cmd.Start()
	}
	var err error
	plainThread.do(func() { err = cmd.Start() })
	return err
}

func clearCgroupFD(attr *syscall.SysProcAttr) { attr.UseCgroupFD = false }

// detectSandbox finds out what this host lets environments be isolated with. It is called
// once per Manager; the result is logged once.
func detectSandbox(cfg *Config, log *slog.Logger) (SandboxReport, *cgroupDriver) {
	var rep SandboxReport
	if cfg.Sandbox == SandboxOff {
		rep.Reason = "sandbox disabled by configuration"
		return rep, nil
	}
	if os.Geteuid() != 0 {
		rep.Reason = "not running as root: environments are plain processes without namespaces, cgroups or a size-limited /tmp"
		return rep, nil
	}
	var reasons []string
	if err := probeNamespaces(cfg.IsolateNetwork); err != nil {
		reasons = append(reasons, "namespaces unavailable: "+err.Error())
	} else {
		rep.Namespaces = true
		rep.TmpSize = true
		rep.Network = cfg.IsolateNetwork
	}
	cg, err := detectCgroups()
	if err != nil {
		reasons = append(reasons, "cgroups unavailable: "+err.Error())
	} else {
		rep.Cgroup = cg.version()
		rep.CPUQuota = cfg.CPUQuota
	}
	rep.Reason = strings.Join(reasons, "; ")
	return rep, cg
}

// probeNamespaces checks that a thread can get its own mount namespace, mount there, and
// start a process in a new pid namespace, and creates the mount points environments use.
func probeNamespaces(network bool) error {
	for _, d := range []string{sandboxTask, sandboxRuntime, sandboxOpt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	probeDir, err := os.MkdirTemp("", "overcast-nsprobe-")
	if err != nil {
		return err
	}
	defer os.Remove(probeDir)
	sp, err := newSpawner(func() error {
		flags := syscall.CLONE_NEWNS | syscall.CLONE_FS
		if network {
			flags |= syscall.CLONE_NEWNET
		}
		if err := syscall.Unshare(flags); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("make / private: %w", err)
		}
		if err := syscall.Mount("tmpfs", probeDir, "tmpfs", 0, "size=1m"); err != nil {
			return fmt.Errorf("mount tmpfs: %w", err)
		}
		if network {
			if err := loopbackUp(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer sp.close()
	if truePath, err := exec.LookPath("true"); err == nil {
		cmd := exec.Command(truePath)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
		sp.do(func() { err = cmd.Run() })
		if err != nil {
			return fmt.Errorf("pid namespace: %w", err)
		}
	}
	return nil
}

// isolate gives an environment its namespaces: a thread of its own whose mount namespace
// has the function's code at /var/task, the merged layers at /opt, the bootstraps at
// /var/runtime and a tmpfs of the ephemeral storage size at /tmp.
func (m *Manager) isolate(sb *sandbox, fn *Function) error {
	hostTask, hostRuntime := fn.Code.Dir, m.runtimeDir
	tmpMB := fn.ephemeralMB()
	network := m.report.Network
	var ln, fwd net.Listener
	sp, err := newSpawner(func() error {
		flags := syscall.CLONE_NEWNS | syscall.CLONE_FS
		if network {
			flags |= syscall.CLONE_NEWNET
		}
		if err := syscall.Unshare(flags); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("make / private: %w", err)
		}
		for _, b := range [][2]string{{hostTask, sandboxTask}, {sb.hostOpt, sandboxOpt}, {hostRuntime, sandboxRuntime}} {
			if err := bindReadOnly(b[0], b[1]); err != nil {
				return err
			}
		}
		opts := "size=" + strconv.Itoa(tmpMB) + "m,mode=1777"
		if err := syscall.Mount("tmpfs", sandboxTmp, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount /tmp: %w", err)
		}
		if network {
			if err := loopbackUp(); err != nil {
				return err
			}
			var err error
			// Sockets belong to the network namespace of the thread that creates them.
			if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				return err
			}
			if port := endpointPort(m.cfg.Endpoint); port != "" {
				if fwd, err = net.Listen("tcp", "127.0.0.1:"+port); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("isolate environment: %w", err)
	}
	sb.sp = sp
	sb.isolated = true
	sb.tmpEnforced = true
	sb.paths = envPaths{task: sandboxTask, opt: sandboxOpt, runtime: sandboxRuntime, tmp: sandboxTmp}
	sb.ln = ln
	if fwd != nil {
		go forward(fwd, m.cfg.Endpoint)
		sp.onClose = func() { fwd.Close() }
	}
	return nil
}

func bindReadOnly(src, dst string) error {
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s at %s: %w", src, dst, err)
	}
	if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""); err != nil {
		return fmt.Errorf("remount %s read-only: %w", dst, err)
	}
	return nil
}

// loopbackUp brings up lo in the calling thread's network namespace.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer syscall.Close(fd)
	var ifr [40]byte
	copy(ifr[:], "lo")
	*(*uint16)(unsafe.Pointer(&ifr[syscall.IFNAMSIZ])) = syscall.IFF_UP | syscall.IFF_LOOPBACK | syscall.IFF_RUNNING
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&ifr[0]))); errno != 0 {
		return fmt.Errorf("loopback up: %w", errno)
	}
	return nil
}

func endpointPort(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return ""
	}
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// forward relays connections made inside an environment's network namespace to Overcast's
// endpoint, so SDK calls from the function still reach Overcast.
func forward(ln net.Listener, endpoint string) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), endpointPort(endpoint))
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{})
			go func() {
				_, _ = io.Copy(up, c)
				if tc, ok := up.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				close(done)
			}()
			_, _ = io.Copy(c, up)
			<-done
		}()
	}
}

// nsSpawner owns one locked OS thread whose namespaces differ from the rest of Overcast;
// processes started from it inherit them. The thread lives as long as the environment so
// that Pdeathsig, which follows the starting thread, fires only when Overcast dies.
type nsSpawner struct {
	reqs    chan func()
	quit    chan struct{}
	done    chan struct{}
	onClose func()
}

func newSpawner(setup func() error) (*nsSpawner, error) {
	s := &nsSpawner{reqs: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		defer close(s.done)
		runtime.LockOSThread()
		// Never unlocked: a goroutine that exits while locked takes its thread with it,
		// which is what a thread in private namespaces must do.
		if err := setup(); err != nil {
			errc <- err
			return
		}
		errc <- nil
		for {
			select {
			case f := <-s.reqs:
				f()
			case <-s.quit:
				return
			}
		}
	}()
	if err := <-errc; err != nil {
		<-s.done
		return nil, err
	}
	return s, nil
}

// do runs f on the spawner's thread.
func (s *nsSpawner) do(f func()) {
	done := make(chan struct{})
	s.reqs <- func() {
		defer close(done)
		f()
	}
	<-done
}

func (s *nsSpawner) close() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	<-s.done
	if s.onClose != nil {
		s.onClose()
	}
}

// rssReader reads a process's peak resident set size (VmHWM) from an open
// /proc/<pid>/status, reopened only when the pid changes.
type rssReader struct {
	mu   sync.Mutex
	pid  int
	f    *os.File
	buf  []byte
	last int64     // the last value read
	at   time.Time // when it was read
}

// peak returns the process's VmHWM in bytes, reusing a value younger than maxAge.
func (r *rssReader) peak(pid int, maxAge time.Duration) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == pid && r.f != nil && maxAge > 0 && time.Since(r.at) < maxAge {
		return r.last
	}
	r.last, r.at = r.readLocked(pid), time.Now()
	return r.last
}

func (r *rssReader) readLocked(pid int) int64 {
	if r.pid != pid || r.f == nil {
		r.closeLocked()
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			return 0
		}
		r.f, r.pid = f, pid
	}
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	n, _ := r.f.ReadAt(r.buf, 0)
	b := r.buf[:n]
	i := bytes.Index(b, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	b = b[i+len("VmHWM:"):]
	if j := bytes.IndexByte(b, '\n'); j >= 0 {
		b = b[:j]
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0
	}
	kb, _ := strconv.ParseInt(fields[0], 10, 64)
	return kb << 10
}

func (r *rssReader) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
}

func (r *rssReader) closeLocked() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

var errNoCgroups = errors.New("no usable cgroup hierarchy")
