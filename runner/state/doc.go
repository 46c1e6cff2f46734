// Package state defines what lwf keeps about its work and the Store that
// keeps it: runs, their workflows (payload, status, completion), the event
// log, the contact ledger and what each workflow spent of the account's
// limits.
//
// It holds no database code: package sqlstore implements Store on SQLite
// (the embedded default, under .lwf/). Records never hold a token: runs
// name their account by linkedapi.Credentials.Account, a hash. They do
// hold what the workflows returned, which is personal data about LinkedIn
// members.
package state
