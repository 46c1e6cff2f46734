// Package dsl reads lwf's YAML files into an AST in which every node keeps
// its file position, so that every later stage can report a problem at the
// exact line and column it comes from. It knows nothing about Linked API
// actions or about the keywords of the workflow language: it only turns
// YAML into data with positions, and refuses YAML that could hurt.
//
// Parse runs yaml.v3 (its Node API) and then one walk over yaml.v3's tree
// that builds the AST and does every check on the way. The AST holds only
// scalars, sequences and mappings, as in JSON:
//
//   - aliases are expanded: an expanded copy keeps the anchor's positions
//     and gets the path of the place it lands;
//   - merge keys (<<) are supported, with YAML's rules: the mapping's own
//     keys win wherever they appear, then earlier merged mappings win over
//     later ones; merged entries are placed where the << key was and keep
//     the positions of the mapping they came from;
//   - mapping keys are strings: "1:" and "true:" are the keys "1" and
//     "true"; a key that is a sequence or a mapping is reported (field-type)
//     and its entry dropped;
//   - tags are resolved by the YAML 1.2 core schema: 017 is the integer
//     17 (yaml.v3 alone would read YAML 1.1's octal 15), octal is written
//     0o17; yaml.v3's 0b101 and 1_000 are read too. Dates and a stray <<
//     stay strings; other tags (!foo, !!set, !!binary) are reported, as
//     are explicit tags the value does not fit (!!int abc).
//
// # Hostile input
//
// Workflow files come from pull requests and input files from anywhere, so
// Parse bounds its work (see Options) and answers hostile input with a
// diagnostic, never a panic or a hang. Every problem is collected and
// Parse goes on, returning as much of the AST as it could build:
//
//   - too-large: the file is larger than MaxBytes (checked first; the
//     diagnostic belongs to the whole file and has no line), or has more
//     than MaxNodes nodes without any alias;
//   - encoding: the file is not UTF-8 (reported at the first bad byte), is
//     UTF-16 or UTF-32, or holds a character YAML forbids; a UTF-8 byte
//     order mark is accepted;
//   - yaml-syntax: yaml.v3 rejected the file. yaml.v3 gives only a line,
//     and for its parser's errors a line that is one too small; Parse
//     corrects that and uses column 1. Unknown aliases are located by
//     searching for them;
//   - too-deep: mappings and sequences nested deeper than MaxDepth, at the
//     first node too deep (whose content is left out). When yaml.v3 itself
//     fails on a deep file (unclosed brackets, or its own limit of 10000
//     levels) a rough scan of the bytes finds the place;
//   - alias-budget: the AST would have more than MaxNodes nodes, or more
//     than MaxExpandedBytes bytes of keys and scalars, once aliases are
//     expanded (a "billion laughs" file, or one long string aliased a
//     thousand times), or an alias refers to a value that contains it;
//   - duplicate-key: a key defined twice in one mapping, at the second
//     definition (yaml.v3 accepts these silently); both entries stay in the
//     AST and Lookup returns the first;
//   - multi-document: a second document ("---") in the file; only the
//     first is read.
//
// # Positions
//
// Positions are 1-based lines and columns counted in characters, the way
// yaml.v3 counts them (LF, CR LF, CR, NEL, LS and PS all end a line). A
// node's Pos is where its content starts, after any &anchor or !tag. Within
// a scalar, Node.PosAt maps a byte offset of the decoded Value back to the
// file by re-reading the scalar's source text with yaml.v3's own scanning
// rules, so positions stay exact through escapes, folded and indented
// lines, chomping and multi-byte characters. Scalars of 2 KiB and more get
// an index on first use, so that many PosAt calls on one huge scalar stay
// cheap.
//
// Paths ("workflow.then.filter.locations[0]", ["a b"] for keys that are not
// identifiers) are for messages. Keys longer than 64 bytes are shortened
// with "…", and a path that would pass 512 bytes ends in "[…]", so that
// aliases expanded under long keys cannot make a small file build
// gigabytes of paths.
package dsl
