// Package layers holds no code: its test keeps lwf's packages in the
// layers docs/architecture.md gives them (a package imports only packages
// of a lower layer), and the README's layout table true to the tree.
package layers
