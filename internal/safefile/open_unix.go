//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// open opens path for reading without blocking (a named pipe with no
// writer would block an ordinary open) and, unless follow is set, without
// following a symbolic link at path.
func open(path string, follow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(path, flags, 0)
}

// isLinkRefused reports whether open failed because path is a link and
// O_NOFOLLOW was set.
func isLinkRefused(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}
