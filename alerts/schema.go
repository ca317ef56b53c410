package alerts

// migrations is the schema, as the ordered list of steps that built it.
// The database's PRAGMA user_version is the number of steps applied; Open
// applies the rest, each in its own transaction, so a database of any
// earlier version (TestMigrationsFromEveryVersion) comes up to date. Never
// change a step that has shipped: add one.
var migrations = []string{
	// 1: alerts, their history and notes.
	`CREATE TABLE alerts (
		id          INTEGER PRIMARY KEY,
		kind        TEXT NOT NULL,
		dedup_key   TEXT NOT NULL,
		status      TEXT NOT NULL,
		severity    INTEGER NOT NULL,
		title       TEXT NOT NULL,
		rule_id     TEXT NOT NULL DEFAULT '',
		node        TEXT NOT NULL DEFAULT '',
		tag         TEXT NOT NULL DEFAULT '',
		tally       INTEGER NOT NULL,
		first_seen  INTEGER NOT NULL,
		last_seen   INTEGER NOT NULL,
		created_at  INTEGER NOT NULL,
		updated_at  INTEGER NOT NULL,
		dedup_ms    INTEGER NOT NULL,
		acked       INTEGER NOT NULL DEFAULT 0,
		ack_by      TEXT NOT NULL DEFAULT '',
		ack_at      INTEGER,
		assignee    TEXT NOT NULL DEFAULT '',
		grp         TEXT NOT NULL DEFAULT '',
		owner       TEXT NOT NULL DEFAULT '',
		version     INTEGER NOT NULL DEFAULT 1,
		detail      TEXT NOT NULL DEFAULT '{}'
	);
	CREATE INDEX alerts_key ON alerts (dedup_key, id);
	CREATE INDEX alerts_last_seen ON alerts (last_seen, id);
	CREATE INDEX alerts_status ON alerts (status, last_seen, id);
	CREATE INDEX alerts_rule ON alerts (rule_id, last_seen, id);
	CREATE INDEX alerts_assignee ON alerts (assignee, last_seen, id);
	CREATE INDEX alerts_group ON alerts (grp, last_seen, id);
	CREATE TABLE history (
		id       INTEGER PRIMARY KEY,
		alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
		at       INTEGER NOT NULL,
		who      TEXT NOT NULL,
		by_kind  TEXT NOT NULL,
		what     TEXT NOT NULL,
		from_v   TEXT NOT NULL DEFAULT '',
		to_v     TEXT NOT NULL DEFAULT '',
		text     TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX history_alert ON history (alert_id, id);
	CREATE TABLE notes (
		id       INTEGER PRIMARY KEY,
		alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
		at       INTEGER NOT NULL,
		author   TEXT NOT NULL,
		text     TEXT NOT NULL
	);
	CREATE INDEX notes_alert ON notes (alert_id, id);`,

	// 2: idempotent raises (the engine's alert groups already counted),
	// alert rule hit counts, and the time a window a rule relied on ends.
	`CREATE TABLE sources (
		group_id TEXT PRIMARY KEY,
		alert_id INTEGER NOT NULL,
		events   INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE rule_hits (
		rule_id  TEXT PRIMARY KEY,
		hits     INTEGER NOT NULL,
		last_hit INTEGER NOT NULL
	) WITHOUT ROWID;
	ALTER TABLE alerts ADD COLUMN rules_expire INTEGER;
	CREATE INDEX alerts_rules_expire ON alerts (rules_expire) WHERE rules_expire IS NOT NULL;`,

	// 3: deliveries to destinations, a durable queue (pending rows are
	// due at next_at) and the dead-letter list (status dead).
	`CREATE TABLE deliveries (
		id          INTEGER PRIMARY KEY,
		alert_id    INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
		destination TEXT NOT NULL,
		reason      TEXT NOT NULL,
		status      TEXT NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		last_status INTEGER NOT NULL DEFAULT 0,
		last_error  TEXT NOT NULL DEFAULT '',
		next_at     INTEGER,
		created_at  INTEGER NOT NULL,
		updated_at  INTEGER NOT NULL,
		sent_at     INTEGER
	);
	CREATE INDEX deliveries_due ON deliveries (destination, next_at) WHERE status = 'pending';
	CREATE INDEX deliveries_alert ON deliveries (alert_id, id);
	CREATE INDEX deliveries_dead ON deliveries (updated_at) WHERE status = 'dead';`,

	// 4: the console's lists filter by status almost always: the indexes
	// of rule, assignee and group carry it, and open alerts by severity
	// get an index of their own (BenchmarkStore1M: a group's open alerts
	// by severity took 0.8 s on a million alerts with the old ones).
	`DROP INDEX alerts_rule;
	DROP INDEX alerts_assignee;
	DROP INDEX alerts_group;
	CREATE INDEX alerts_rule ON alerts (rule_id, status, last_seen, id);
	CREATE INDEX alerts_assignee ON alerts (assignee, status, last_seen, id);
	CREATE INDEX alerts_group ON alerts (grp, status, last_seen, id);
	CREATE INDEX alerts_status_severity ON alerts (status, severity, last_seen, id);`,
}

// SchemaVersion is the version Open brings a database to.
var SchemaVersion = len(migrations)
