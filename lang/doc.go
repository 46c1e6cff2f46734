// Package lang holds the vocabulary of lwf workflow files — the file's
// fields, a step's keywords, the keys of an input declaration, the name
// patterns — and the editor schema generated from it and the action
// catalog.
//
// The compiler checks files against these lists, lwf fmt orders keys by
// them and the editor schema offers them for completion, so a word of the
// language is written once. Facts about Linked API actions are not here:
// they are the catalog's (package schemas).
package lang
