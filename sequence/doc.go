// Package sequence runs sequences: steps done for each lead over days —
// actions, delays, and waits for events such as an accepted connection
// request or a reply — with the state of every lead kept in the store.
//
// An Engine does one tick (Engine.Run): the leads of the file's list
// join; the account's event feeds are read once each (POST /network/poll
// and /inbox/poll with a stored cursor, after a one-time st.syncNetwork
// and st.syncInbox), so events cost O(1) requests per account whatever
// the number of leads; waits that ran out get their onTimeout action;
// then every step that is due — within the sequence's working hours, its
// pace and the account's limits — is rendered for its lead, batched per
// action type into root-array workflows, recorded with its leads in one
// transaction before anything is sent, and driven to its end. A tick that
// stops midway leaves its leads "sending" with their run; the next tick
// finishes that run before anything else, so no step is sent twice.
//
// The caller holds the account's lock (state.Store.LockAccount) for the
// tick. ReadFunnel tells where the leads stand, step by step.
package sequence
