package alerts

import (
	"database/sql"

	// SQLite through cgo: the binary is cgo already (DuckDB); see the
	// package doc and sqlitebench/ for the drivers measured.
	sqlite3 "github.com/mattn/go-sqlite3"
)

// connPragmas are set on every connection as it opens: a busy timeout,
// foreign keys, a 32 MiB page cache and 256 MiB of memory-mapped reads
// (a page of a list reads pages all over a large file; mmap spares a
// system call for each).
var connPragmas = []string{
	"PRAGMA busy_timeout = 10000",
	"PRAGMA foreign_keys = ON",
	"PRAGMA cache_size = -32768",
	"PRAGMA mmap_size = 268435456",
	"PRAGMA temp_store = MEMORY",
}

func init() {
	sql.Register("sqlite3_panther", &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range connPragmas {
			if _, err := c.Exec(p, nil); err != nil {
				return err
			}
		}
		return nil
	}})
}

// DefaultDriver is github.com/mattn/go-sqlite3, with connPragmas.
var DefaultDriver = &Driver{
	Name: "sqlite3_panther",
	DSN: func(path string) string {
		return path + "?_txlock=immediate"
	},
}
