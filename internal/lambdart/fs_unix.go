//go:build unix

package lambdart

import "syscall"

// syscallNoFollow makes opening a file fail rather than follow a symlink.
const syscallNoFollow = syscall.O_NOFOLLOW
