// Package safefile reads files that may come from someone else — workflow
// files in a pull request, input files — without letting them hang or
// exhaust the reader: only regular files are read, never more than a limit
// whatever the file system reports as their size, and a named pipe or a
// device is refused before the first read.
package safefile
