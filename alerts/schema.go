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

	// 5: tally increments staged per alert, folded into alerts every
	// second (tallies.go).
	`CREATE TABLE tallies (
		alert_id INTEGER PRIMARY KEY,
		delta    INTEGER NOT NULL,
		n_raises INTEGER NOT NULL,
		min_seen INTEGER NOT NULL,
		max_seen INTEGER NOT NULL,
		at_ms    INTEGER NOT NULL
	);`,

	// 6: console events are keyed by the console's own severity (0–5),
	// no longer by our rank (0–4), where clear (0) and indeterminate (1)
	// were one. An old key node:R:summary becomes node:R+1:summary —
	// rank 0 becomes 1, indeterminate, the default: which of 0 or 1 an
	// old INFO alert came from is not known (a clear repeat now starts an
	// alert of its own). Keys of events with an identifier, and keys
	// that do not have that shape (a node over 4,096 bytes), stay.
	`UPDATE alerts SET dedup_key = substr(dedup_key, 1, 7 + length(node))
			|| (CAST(substr(dedup_key, 8 + length(node), 1) AS INTEGER) + 1)
			|| substr(dedup_key, 9 + length(node))
		WHERE kind = 'event'
		AND substr(dedup_key, 1, 7 + length(node)) = 'event' || char(31) || node || ':'
		AND substr(dedup_key, 8 + length(node), 1) BETWEEN '0' AND '4'
		AND substr(dedup_key, 9 + length(node), 1) = ':'
		AND json_extract(detail, '$.fields.identifier') IS NULL;`,

	// 7: an index for every sort List offers, alone and after a status
	// (Filter.index chooses), one for a node's alerts, a rule's newest of
	// any status and a group's by tally, and the full-text
	// index of title, node, rule and key (text.go): FTS4 with the alerts
	// as its content, kept by triggers.
	`CREATE INDEX alerts_tally ON alerts (tally, id);
	CREATE INDEX alerts_status_tally ON alerts (status, tally, id);
	CREATE INDEX alerts_first_seen ON alerts (first_seen, id);
	CREATE INDEX alerts_status_first_seen ON alerts (status, first_seen, id);
	CREATE INDEX alerts_updated ON alerts (updated_at, id);
	CREATE INDEX alerts_status_updated ON alerts (status, updated_at, id);
	CREATE INDEX alerts_severity ON alerts (severity, last_seen, id);
	CREATE INDEX alerts_node ON alerts (node, status, last_seen, id);
	CREATE INDEX alerts_rule_seen ON alerts (rule_id, last_seen, id);
	CREATE INDEX alerts_group_tally ON alerts (grp, tally, id);
	CREATE VIRTUAL TABLE alerts_text USING fts4(content="alerts", title, node, rule_id, dedup_key, tokenize=simple delimiters ` + ftsDelimiters() + `);
	INSERT INTO alerts_text (alerts_text) VALUES ('rebuild');
	CREATE TRIGGER alerts_text_bu BEFORE UPDATE OF title, node, rule_id, dedup_key ON alerts BEGIN
		DELETE FROM alerts_text WHERE docid = old.id;
	END;
	CREATE TRIGGER alerts_text_bd BEFORE DELETE ON alerts BEGIN
		DELETE FROM alerts_text WHERE docid = old.id;
	END;
	CREATE TRIGGER alerts_text_au AFTER UPDATE OF title, node, rule_id, dedup_key ON alerts BEGIN
		INSERT INTO alerts_text (docid, title, node, rule_id, dedup_key) VALUES (new.id, new.title, new.node, new.rule_id, new.dedup_key);
	END;
	CREATE TRIGGER alerts_text_ai AFTER INSERT ON alerts BEGIN
		INSERT INTO alerts_text (docid, title, node, rule_id, dedup_key) VALUES (new.id, new.title, new.node, new.rule_id, new.dedup_key);
	END;`,
}

// SchemaVersion is the version Open brings a database to.
var SchemaVersion = len(migrations)
