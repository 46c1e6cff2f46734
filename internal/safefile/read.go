package safefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is returned for a path that is not a regular file: a
// directory, a named pipe, a device, a socket, or a symbolic link where
// links are not followed.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

// Error says what the path is instead of a regular file.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, Kind(e.Mode))
}

// TooLargeError is returned for a file longer than the limit. Size is the
// size the file system reported when it is above the limit, and -1 when it
// reported less (a file that grew, or one that reports no size) and the
// read itself went past the limit.
type TooLargeError struct {
	Path  string
	Size  int64
	Limit int64
}

// Error gives the limit, and the size when it is known.
func (e *TooLargeError) Error() string {
	if e.Size > e.Limit {
		return fmt.Sprintf("%s is %d bytes, larger than the %d-byte limit", e.Path, e.Size, e.Limit)
	}
	return fmt.Sprintf("%s is larger than the %d-byte limit", e.Path, e.Limit)
}

// Kind names a file's type for messages: "a symbolic link", "a named pipe".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// Read returns the content of the regular file at path, at most limit
// bytes; a longer file is a *TooLargeError and anything but a regular file
// a *NotRegularError. With follow false a symbolic link at path is refused
// rather than followed (links in the directories above it still are).
//
// The file is opened without blocking, so a named pipe cannot hang the
// open, and its type is checked on the open file (not on the path, which
// could change in between) before anything is read. The read is bounded
// by the limit itself, not by the size the file system reports: /dev/zero
// and /proc files report 0.
func Read(path string, limit int64, follow bool) ([]byte, error) {
	if !follow {
		st, err := os.Lstat(path)
		if err != nil {
			return nil, err
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, &NotRegularError{Path: path, Mode: st.Mode()}
		}
	}
	f, err := open(path, follow)
	if err != nil {
		if isLinkRefused(err) {
			return nil, &NotRegularError{Path: path, Mode: fs.ModeSymlink}
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: st.Mode()}
	}
	if st.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: st.Size(), Limit: limit}
	}
	// Sized from what the file system reports (os.ReadFile does the
	// same), so that a workflow file is read in one go; the limit bounds
	// what is read whatever it reports.
	b := make([]byte, 0, min(st.Size(), limit)+1)
	r := io.LimitReader(f, limit+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Size: -1, Limit: limit}
	}
	return b, nil
}
