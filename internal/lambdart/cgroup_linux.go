package lambdart

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cgroupDriver creates one cgroup per environment under a parent cgroup of Overcast's own,
// in the v2 unified hierarchy or in the v1 memory and cpu hierarchies.
type cgroupDriver struct {
	v2 bool
	// parents: for v2 the one parent; for v1 the memory parent then the cpu parent (the
	// latter may be empty when the cpu controller is missing).
	memParent string
	cpuParent string
}

func (d *cgroupDriver) version() string {
	if d.v2 {
		return "v2"
	}
	return "v1"
}

// cgroupEnv is one environment's cgroup.
type cgroupEnv struct {
	v2     bool
	memDir string
	cpuDir string // v1 only; may be empty
	dirFD  int    // v2: the cgroup directory, for clone3's CLONE_INTO_CGROUP; else -1

	peakMu   sync.Mutex
	peakFile *os.File
}

// cloneInto arranges for a process to be born in the cgroup (cgroup v2 and clone3), which
// spares the slow move after it starts. It reports whether it did.
func (c *cgroupEnv) cloneInto(attr *syscall.SysProcAttr) bool {
	if c.dirFD < 0 {
		return false
	}
	attr.UseCgroupFD = true
	attr.CgroupFD = c.dirFD
	return true
}

type cgroupMount struct {
	fstype, root, point string
	opts                map[string]bool
}

// detectCgroups finds a hierarchy with a memory controller Overcast may create children in,
// and creates Overcast's parent cgroup there.
func detectCgroups() (*cgroupDriver, error) {
	mounts, err := readCgroupMounts()
	if err != nil {
		return nil, err
	}
	self, err := readSelfCgroups()
	if err != nil {
		return nil, err
	}
	// One parent per Manager: several may share a process (tests do), and each removes its
	// own parent when it stops.
	name := "overcast-" + strconv.Itoa(os.Getpid()) + "-" + randomHex(4)

	// v2, when the unified hierarchy offers the memory controller.
	for _, mt := range mounts {
		if mt.fstype != "cgroup2" {
			continue
		}
		rel, ok := self[""]
		if !ok {
			continue
		}
		selfDir := filepath.Join(mt.point, strings.TrimPrefix(rel, mt.root))
		ctrl, err := os.ReadFile(filepath.Join(selfDir, "cgroup.controllers"))
		if err != nil || !strings.Contains(" "+string(ctrl)+" ", " memory ") {
			continue
		}
		if err := writeFile(filepath.Join(selfDir, "cgroup.subtree_control"), "+memory +cpu"); err != nil {
			if err := writeFile(filepath.Join(selfDir, "cgroup.subtree_control"), "+memory"); err != nil {
				return nil, fmt.Errorf("cgroup v2 controllers not delegated to %s: %w", selfDir, err)
			}
		}
		cleanStaleParents(selfDir)
		parent := filepath.Join(selfDir, name)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, err
		}
		_ = writeFile(filepath.Join(parent, "cgroup.subtree_control"), "+memory +cpu")
		if err := writeFile(filepath.Join(parent, "cgroup.subtree_control"), "+memory"); err != nil {
			// Accept an already enabled controller.
			if ctl, rerr := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control")); rerr != nil || !strings.Contains(string(ctl), "memory") {
				os.Remove(parent)
				return nil, fmt.Errorf("enable memory controller: %w", err)
			}
		}
		return &cgroupDriver{v2: true, memParent: parent}, nil
	}

	// v1: the memory hierarchy is required, cpu is used when present.
	var d cgroupDriver
	for _, mt := range mounts {
		if mt.fstype != "cgroup" {
			continue
		}
		for _, ctrl := range []string{"memory", "cpu"} {
			if !mt.opts[ctrl] {
				continue
			}
			rel, ok := self[ctrl]
			if !ok {
				continue
			}
			selfDir := filepath.Join(mt.point, strings.TrimPrefix(rel, mt.root))
			cleanStaleParents(selfDir)
			parent := filepath.Join(selfDir, name)
			if err := os.MkdirAll(parent, 0o755); err != nil {
				if ctrl == "memory" {
					return nil, fmt.Errorf("create %s: %w", parent, err)
				}
				continue
			}
			if ctrl == "memory" {
				d.memParent = parent
			} else {
				d.cpuParent = parent
			}
		}
	}
	if d.memParent == "" {
		return nil, errNoCgroups
	}
	return &d, nil
}

// readCgroupMounts lists cgroup mounts from /proc/self/mountinfo.
func readCgroupMounts() ([]cgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []cgroupMount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		sep := strings.Index(line, " - ")
		if sep < 0 {
			continue
		}
		pre, post := strings.Fields(line[:sep]), strings.Fields(line[sep+3:])
		if len(pre) < 5 || len(post) < 3 {
			continue
		}
		if post[0] != "cgroup" && post[0] != "cgroup2" {
			continue
		}
		opts := map[string]bool{}
		for _, o := range strings.Split(post[2], ",") {
			opts[o] = true
		}
		out = append(out, cgroupMount{fstype: post[0], root: pre[3], point: unescapeMount(pre[4]), opts: opts})
	}
	return out, sc.Err()
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readSelfCgroups maps each controller (and "" for v2) to Overcast's own cgroup path.
func readSelfCgroups() (map[string]string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out, nil
}

// cleanStaleParents removes parent cgroups left behind by Overcast processes that are gone.
func cleanStaleParents(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range entries {
		name := de.Name()
		if !de.IsDir() || !strings.HasPrefix(name, "overcast-") {
			continue
		}
		pidPart, _, _ := strings.Cut(strings.TrimPrefix(name, "overcast-"), "-")
		pid, err := strconv.Atoi(pidPart)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		parent := filepath.Join(dir, name)
		children, _ := os.ReadDir(parent)
		for _, c := range children {
			if c.IsDir() {
				child := filepath.Join(parent, c.Name())
				killCgroupProcs(child)
				_ = os.Remove(child)
			}
		}
		_ = os.Remove(parent)
	}
}

// create makes an environment's cgroup with its memory limit and CPU share.
func (d *cgroupDriver) create(id string, memMB int, cpuQuota bool) (*cgroupEnv, error) {
	mem := int64(memMB) << 20
	share := float64(memMB) / MBPerVCPU
	c := &cgroupEnv{v2: d.v2, memDir: filepath.Join(d.memParent, id), dirFD: -1}
	if err := os.Mkdir(c.memDir, 0o755); err != nil {
		return nil, err
	}
	if d.v2 {
		if err := writeFile(filepath.Join(c.memDir, "memory.max"), strconv.FormatInt(mem, 10)); err != nil {
			c.remove()
			return nil, err
		}
		if fd, err := syscall.Open(c.memDir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0); err == nil {
			c.dirFD = fd
		}
		_ = writeFile(filepath.Join(c.memDir, "memory.swap.max"), "0")
		weight := int(share * 100)
		_ = writeFile(filepath.Join(c.memDir, "cpu.weight"), strconv.Itoa(min(max(weight, 1), 10000)))
		if cpuQuota {
			_ = writeFile(filepath.Join(c.memDir, "cpu.max"), strconv.Itoa(max(int(share*100000), 1000))+" 100000")
		}
		return c, nil
	}
	if err := writeFile(filepath.Join(c.memDir, "memory.limit_in_bytes"), strconv.FormatInt(mem, 10)); err != nil {
		c.remove()
		return nil, err
	}
	// Without swap accounting the file is missing; with it, swap must not extend the limit.
	_ = writeFile(filepath.Join(c.memDir, "memory.memsw.limit_in_bytes"), strconv.FormatInt(mem, 10))
	if d.cpuParent != "" {
		c.cpuDir = filepath.Join(d.cpuParent, id)
		if err := os.Mkdir(c.cpuDir, 0o755); err == nil {
			_ = writeFile(filepath.Join(c.cpuDir, "cpu.shares"), strconv.Itoa(max(int(share*1024), 2)))
			if cpuQuota {
				_ = writeFile(filepath.Join(c.cpuDir, "cpu.cfs_period_us"), "100000")
				_ = writeFile(filepath.Join(c.cpuDir, "cpu.cfs_quota_us"), strconv.Itoa(max(int(share*100000), 1000)))
			}
		} else {
			c.cpuDir = ""
		}
	}
	return c, nil
}

// attach moves a process (and so its future children) into the cgroup.
func (c *cgroupEnv) attach(pid int) error {
	p := strconv.Itoa(pid)
	if err := writeFile(filepath.Join(c.memDir, "cgroup.procs"), p); err != nil {
		return err
	}
	if c.cpuDir != "" {
		_ = writeFile(filepath.Join(c.cpuDir, "cgroup.procs"), p)
	}
	return nil
}

// peak returns the cgroup's peak memory use in bytes. It is read after every invocation:
// the file stays open, as opening a cgroup file costs far more than reading it.
func (c *cgroupEnv) peak() int64 {
	c.peakMu.Lock()
	defer c.peakMu.Unlock()
	if c.peakFile == nil {
		files := []string{"memory.max_usage_in_bytes"}
		if c.v2 {
			files = []string{"memory.peak", "memory.current"}
		}
		for _, name := range files {
			if f, err := os.Open(filepath.Join(c.memDir, name)); err == nil {
				c.peakFile = f
				break
			}
		}
		if c.peakFile == nil {
			return 0
		}
	}
	return readInt(c.peakFile)
}

// readInt reads a number from the start of an open file.
func readInt(f *os.File) int64 {
	var buf [32]byte
	n, err := f.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(buf[:n])), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// oomKills returns how many processes the memory limit has killed.
func (c *cgroupEnv) oomKills() int {
	file := "memory.oom_control"
	if c.v2 {
		file = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(c.memDir, file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "oom_kill" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// killAll kills every process still in the cgroup.
func (c *cgroupEnv) killAll() {
	if c.v2 && writeFile(filepath.Join(c.memDir, "cgroup.kill"), "1") == nil {
		return
	}
	killCgroupProcs(c.memDir)
}

func killCgroupProcs(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// remove deletes the cgroup, waiting briefly for killed processes to leave it.
func (c *cgroupEnv) remove() {
	c.peakMu.Lock()
	if c.peakFile != nil {
		c.peakFile.Close()
		c.peakFile = nil
	}
	c.peakMu.Unlock()
	if c.dirFD >= 0 {
		syscall.Close(c.dirFD)
		c.dirFD = -1
	}
	for _, dir := range []string{c.memDir, c.cpuDir} {
		if dir == "" {
			continue
		}
		for i := 0; i < 100; i++ {
			err := os.Remove(dir)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			killCgroupProcs(dir)
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// removeParent deletes Overcast's parent cgroups at shutdown.
func (d *cgroupDriver) removeParent() {
	for _, p := range []string{d.memParent, d.cpuParent} {
		if p != "" {
			_ = os.Remove(p)
		}
	}
}

func writeFile(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
