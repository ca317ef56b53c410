package alerts

import (
	// SQLite through cgo: the fastest of the three drivers measured on
	// this store's workload (see the package doc and sqlitebench/).
	_ "github.com/mattn/go-sqlite3"
)

// DefaultDriver is github.com/mattn/go-sqlite3.
var DefaultDriver = &Driver{
	Name: "sqlite3",
	DSN: func(path string) string {
		return path + "?_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	},
}
