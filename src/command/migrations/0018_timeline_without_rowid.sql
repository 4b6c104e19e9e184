-- Every alert the command room takes writes one merge decision and one or two
-- timeline events. As rowid tables keyed by a UUID, each row went into two
-- B-trees before its index: the table by rowid and the key's own index. Kept
-- by their key (WITHOUT ROWID), each goes into one. The keys are UUIDv7, in
-- the order they were made, so rows still go in at the end, and readers
-- already order ties by id. The business-number counters are small rows read
-- by their prefix only: the same. No other table refers to these three.

CREATE TABLE merge_decision_new (
	id TEXT PRIMARY KEY,
	alert_id TEXT NOT NULL REFERENCES alert(id),
	incident_id TEXT NOT NULL REFERENCES incident(id),
	decision TEXT NOT NULL CHECK (decision IN ('merged', 'suggested', 'new', 'confirmed',
		'rejected', 'split', 'manual_merge')),
	kind TEXT, -- repeat_caller, same_event, or NULL
	score REAL,
	reasons TEXT, -- JSON array of strings
	automatic INTEGER NOT NULL,
	decided_by TEXT,
	decided_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO merge_decision_new (id, alert_id, incident_id, decision, kind, score, reasons,
	automatic, decided_by, decided_at)
	SELECT id, alert_id, incident_id, decision, kind, score, reasons, automatic, decided_by,
		decided_at FROM merge_decision;
DROP TABLE merge_decision;
ALTER TABLE merge_decision_new RENAME TO merge_decision;
CREATE INDEX merge_decision_alert ON merge_decision(alert_id, decided_at);

CREATE TABLE incident_event_new (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incident(id),
	at INTEGER NOT NULL,
	by_user TEXT,
	kind TEXT NOT NULL, -- transition, alert, merge, split, note
	from_state TEXT,
	to_state TEXT,
	note TEXT
) WITHOUT ROWID;
INSERT INTO incident_event_new (id, incident_id, at, by_user, kind, from_state, to_state, note)
	SELECT id, incident_id, at, by_user, kind, from_state, to_state, note FROM incident_event;
DROP TABLE incident_event;
ALTER TABLE incident_event_new RENAME TO incident_event;
CREATE INDEX incident_event_incident ON incident_event(incident_id, at);

CREATE TABLE number_seq_new (
	prefix TEXT PRIMARY KEY,
	last INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO number_seq_new (prefix, last) SELECT prefix, last FROM number_seq;
DROP TABLE number_seq;
ALTER TABLE number_seq_new RENAME TO number_seq;
