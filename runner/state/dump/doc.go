// Package dump moves a whole state store to a portable file and back:
// JSON Lines, one table row per line, between a header that names the
// schema version and a trailer that counts the rows and checksums them.
// Any backend (SQLite, PostgreSQL) reads and writes it, so a laptop's
// history moves to a team's server, and back, with nothing lost.
//
// It also names the schema's tables and columns (Tables): what every
// backend holds at this lwf's schema version, which the backends' tests
// compare with their own catalogs.
package dump
