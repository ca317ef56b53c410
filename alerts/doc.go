// Package alerts is the alert store of `panther serve`: the alerts people
// work — seen, acknowledged, assigned, noted, resolved, routed — from two
// sources in one model: detection alerts (the live pipeline's, or a
// replay's pushed with `panther replay --push`) and console events sent
// by agents in the ITSM shape (node, summary, severity 0–5, tag).
//
// # Entry points
//
// The live pipeline calls (*Store).RaiseDetection with a DetectionAlert
// (FromEngine converts an engine.Alert); the HTTP console-event endpoints
// call (*Store).RaiseEvent with a ConsoleEvent. Both apply the alert
// rules first (package alerts/rules: they may change or discard the
// input), then:
//
//   - a repeat — same rule and dedup, or same event identifier
//     (node:severity:summary unless the sender gives one) — of an OPEN or
//     TRIAGED alert adds to its tally and last_seen;
//   - a repeat of a RESOLVED alert within its dedup window (from its
//     first_seen: a status change never resets it) reopens it, and its
//     history says so;
//   - a CLOSED alert is never reopened: a new alert starts;
//   - a repeat with a worse severity raises the alert's severity (history
//     entry, deliveries again); a repeat never lowers it.
//
// The engine's alert group id makes raises idempotent: the same group
// raised again adds only the events it did not carry before, so a replay
// pushed twice adds nothing. The lifecycle (OPEN → TRIAGED → RESOLVED →
// CLOSED) is the table of lifecycle.go, tested edge by edge; Alerta is the
// reference for duplicates (counted, not logged) against correlated
// repeats (severity changes, logged) and for history.
//
// People change alerts through Update (status, ack, assignee, severity,
// group, owner; If-Match on the version), AddNote and Bulk; every change
// is a history entry with who (a token's name, a rule's ID, or the
// system), when, what, from and to. Deliveries to destinations are rows
// of the same database, queued in the transaction that creates, reopens
// or escalates an alert (package alerts/destinations sends them).
// Subscribe is the change feed behind the API's server-sent events. Run
// applies the rules again when a schedule window they relied on ends.
//
// # Storage: SQLite, and why this driver
//
// One SQLite file (the store's Path, <data>/alerts.db in serve): a real
// embedded database with transactions and indexes, nothing to install.
// WAL journal with synchronous=NORMAL (a crash of the process loses
// nothing committed; a power cut may lose the last transactions);
// readers use a pool of connections and never wait for the writer. All
// writes go through one goroutine that commits up to 256 of them per
// transaction (group commit), each statement prepared once. A write that
// is refused before changing anything (unknown alert, forbidden
// transition) fails alone; one that fails midway rolls the batch back and
// the batch's writes run again one by one. Lists are keyset pages over
// indexes on (status|rule|assignee|group, last_seen, id): a page costs
// the same at any depth, and alerts arriving meanwhile neither repeat nor
// skip rows. Text search is a LIKE scan bounded by the other filters and
// the page (it is the slowest filter: see BenchmarkStore1M/page/text).
// The schema is the ordered list of migrations in schema.go (PRAGMA
// user_version), tested from every earlier version with data.
//
// Three database/sql drivers were measured on this store's own workload
// (module alerts/sqlitebench: the store opened with each, same run, same
// per-connection pragmas): mattn/go-sqlite3 (cgo), modernc.org/sqlite (C
// translated to Go) and ncruces/go-sqlite3 (SQLite compiled to
// WebAssembly, run by wazero). Two runs on the shared 2-core machine, its
// load average 15 to 25 (other builds), µs per operation, mattn /
// modernc / ncruces:
//
//	                      run 1               run 2
//	create an alert       218 / 237 / 774     311 / 144 / 160
//	tally, 8 senders      458 / 444 / 391     371 / 1024 / 257
//	status change         377 / 326 / 325     971 / 962 / 1065
//	first page of 50      1056 / 686 / 501    1190 / 2092 / 1705
//
// Under that load no driver wins consistently: the work is SQLite's and
// the disk's, and the noise is larger than the differences. So the
// default is chosen on other grounds: mattn/go-sqlite3 builds SQLite's
// own C (no translation, no WebAssembly runtime), is the most used and
// longest maintained of the three, and costs nothing new, the binary
// being cgo already for DuckDB. The store takes a Driver, so another is
// one Options field away; the benchmark is kept to measure again on an
// idle machine.
//
// # When a team outgrows it
//
// One SQLite file serves one `panther serve`: the writer is one
// goroutine, and every instance needs its own file. A team that runs
// several instances behind Kafka (issue: consumer groups) needs one store
// they all share: PostgreSQL, behind the same Store API. The SQL here is
// chosen to carry over — row values for keyset pages, partial indexes,
// INSERT ... ON CONFLICT, one transaction per batch — and what differs is
// small and local: $n placeholders, BIGSERIAL ids, a schema_version table
// instead of PRAGMA user_version, ILIKE, and LISTEN/NOTIFY to fan the
// change feed out across instances. It is not built yet.
package alerts
