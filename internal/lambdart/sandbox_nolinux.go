//go:build unix && !linux

package lambdart

import (
	"errors"
	"log/slog"
	"os/exec"
	"syscall"
	"time"
)

func platformProcAttr(attr *syscall.SysProcAttr, isolated bool) {
	attr.Setpgid = true
}

func clearCgroupFD(*syscall.SysProcAttr) {}

func detectSandbox(cfg *Config, log *slog.Logger) (SandboxReport, *cgroupDriver) {
	return SandboxReport{Reason: "namespaces and cgroups need Linux: environments are plain processes"}, nil
}

func (m *Manager) isolate(sb *sandbox, fn *Function) error {
	return errors.New("isolation needs Linux")
}

type nsSpawner struct{}

func (s *nsSpawner) do(f func()) { f() }
func (s *nsSpawner) close()      {}

type cgroupDriver struct{}

func (d *cgroupDriver) version() string { return "" }
func (d *cgroupDriver) create(string, int, bool) (*cgroupEnv, error) {
	return nil, errors.New("cgroups need Linux")
}
func (d *cgroupDriver) removeParent() {}

type cgroupEnv struct{}

func (c *cgroupEnv) attach(int) error                    { return nil }
func (c *cgroupEnv) cloneInto(*syscall.SysProcAttr) bool { return false }
func (c *cgroupEnv) peak() int64                         { return 0 }
func (c *cgroupEnv) oomKills() int                       { return 0 }
func (c *cgroupEnv) killAll()                            {}
func (c *cgroupEnv) remove()                             {}

type rssReader struct{}

func (r *rssReader) peak(int, time.Duration) int64 { return 0 }
func (r *rssReader) close()                        {}

// startPlain starts cmd; only Linux ties processes to the starting thread.
func startPlain(cmd *exec.Cmd) error { return cmd.Start() }
