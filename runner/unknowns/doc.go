// Package unknowns judges unknown submissions — POST /workflows whose
// outcome lwf could not read — from the account's recent activity.
//
// GET /stats/actions lists every action the account executed, with its
// type, success and time. Linked API runs an account's workflows one
// after another, in the order it accepted them (pendingReason "queued":
// waiting behind other work on the same account), so the activity is a
// sequence of blocks, one per workflow, in that order. lwf sends one POST
// at a time, so the order it sent a run's workflows in is the order
// Linked API accepted them. The workflows lwf knows place their blocks:
// a completed one by the actions its completion reports, no earlier than
// when it was sent and no later than when lwf saw it finished (and no
// earlier than the last poll that found it unfinished, for its last
// action). What is left between them is the unknown ones' — or other
// activity of the account.
//
// Classify considers every way to explain the activity so (an
// explanation gives each workflow a block of actions — exactly its
// completion's for a completed one, any of its payload's kinds for the
// others — and leaves the rest to other activity), and prefers those that
// leave the fewest actions of the unknown submissions' kinds unexplained.
// An unknown submission is
//
//   - almost certainly accepted when every preferred explanation gives it
//     actions and leaves none of its kinds unexplained: actions matching
//     its payload ran where it would have run;
//   - not accepted when a workflow sent after it has finished (so it
//     would have run before) and no explanation at all leaves an action
//     of its kinds since it was sent to anything but the run's known
//     workflows;
//   - still unknown otherwise, with the reason.
//
// The one assumption a verdict rests on beyond Linked API's documented
// behaviour is that the account runs nothing else of the same kinds, at
// the same moment, that mimics the unknown workflow exactly; where the
// activity shows other work of those kinds, the verdicts say "still
// unknown". A verdict never changes a workflow's state, and nothing is
// sent again because of one.
package unknowns
