// Package campaign holds lwf's campaign policy: who may be reached and
// how much may be sent.
//
//   - the contact ledger's rules: which results reached a person
//     (ContactsIn), whom a payload will reach (TargetsIn), what a
//     completion spent (ActionsIn), and how ledger files are read and
//     written;
//   - limits: one type (schemas.Limit) from defaults, profiles and files,
//     counted in calendar periods (EffectiveLimits, CheckLimits);
//   - skips: a Skipper answers the compiler's Skip hook with typed
//     reasons (suppression lists, the ledger, workflows still open);
//   - Check.Prepare, which lwf plan shows and lwf run enforces, and its
//     Report with text and JSON writers;
//   - variants and their outcomes, and the metadata a run keeps.
//
// It reads the state through the state.Store interface and knows nothing
// of the command line.
package campaign
