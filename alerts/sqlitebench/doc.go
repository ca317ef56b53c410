// Package sqlitebench measures the three SQLite drivers for database/sql
// on the alert store's own workload (package alerts): new alerts, tally
// increments from concurrent senders, status changes, and the first page
// of a filtered, sorted list. It is a module of its own so that the two
// drivers the store does not use stay out of panther's go.mod; the
// results and the choice are in the alerts package doc.
//
// Since schema 7 the store needs SQLite's FTS4 (its text index), which
// mattn/go-sqlite3 compiles in by default and the builds of the other
// two drivers do not: their benchmarks skip, saying so. The numbers in
// the alerts package doc were measured before.
//
// ncruces/go-sqlite3 registers itself as "sqlite3", as mattn/go-sqlite3
// does, so the benchmark renames it at link time:
//
//	cd alerts/sqlitebench
//	go test -run '^$' -bench . -benchmem -ldflags=-X=github.com/ncruces/go-sqlite3/driver.driverName=ncruces
package sqlitebench
