package safefile

import (
	"os"
	"path/filepath"
)

// Replace writes data over the existing regular file at path, never
// through a link: a symbolic link (or anything but a regular file) at path
// is a *NotRegularError and nothing is written. The new content goes to a
// temporary file in the same directory, which takes the old file's
// permission bits and is then renamed over it, so a crash leaves either
// the old file or the new one, never half of one.
func Replace(path string, data []byte) (err error) {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &NotRegularError{Path: path, Mode: st.Mode()}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(st.Mode().Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
