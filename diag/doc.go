// Package diag holds the one diagnostic type that every lwf stage reports:
// the YAML parser, the compiler's checks and the catalog rules. It is a leaf
// package: it imports nothing of lwf's own.
package diag
