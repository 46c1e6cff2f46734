package dsl

// Options bounds the work Parse may do on one file. The limits exist
// because workflow files come from pull requests and input files from
// anywhere: a hostile file must end in a diagnostic, never in a hang or an
// out-of-memory crash. The zero value gives the defaults.
type Options struct {
	// MaxBytes is the largest file accepted; 0 means DefaultMaxBytes (1 MiB).
	MaxBytes int
	// MaxDepth is the deepest nesting of mappings and sequences accepted
	// (the root collection is depth 1); 0 means 64.
	MaxDepth int
	// MaxNodes is the most nodes the AST may have once aliases are
	// expanded, the budget that stops "billion laughs" files; 0 means
	// 100000.
	MaxNodes int
	// MaxExpandedBytes is the most text (the bytes of every key and scalar
	// value) the AST may hold once aliases are expanded: the node budget
	// alone lets a small file alias one long string thousands of times.
	// 0 means four times MaxBytes (4 MiB by default); a file without
	// aliases never reaches it.
	MaxExpandedBytes int
}

// The default limits apply where an Options field is 0. They are far
// above what a real workflow or input file needs.
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 64
	DefaultMaxNodes = 100000
)

// FileLimit is the largest file Parse accepts: MaxBytes, or
// DefaultMaxBytes when it is unset. Readers bound their reads by it.
func (o Options) FileLimit() int { return o.withDefaults().MaxBytes }

// withDefaults returns o with every unset (or nonsensical) limit replaced by
// its default.
func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxNodes <= 0 {
		o.MaxNodes = DefaultMaxNodes
	}
	if o.MaxExpandedBytes <= 0 {
		o.MaxExpandedBytes = 4 * o.MaxBytes
	}
	return o
}
