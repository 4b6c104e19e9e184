-- Command room: incidents (one real event each), alerts (the reports of
-- incidents), merge decisions, the incident timeline, and people-facing
-- business numbers. Times are UTC milliseconds; ids are UUIDv7 text.

-- Per-prefix counters for business numbers such as JJ-339902510000-20261123-0042.
CREATE TABLE number_seq (
	prefix TEXT PRIMARY KEY,
	last INTEGER NOT NULL
);

CREATE TABLE incident (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	unit_code TEXT NOT NULL REFERENCES unit(code), -- owning station
	grid_code TEXT REFERENCES unit(code),
	state TEXT NOT NULL CHECK (state IN ('received', 'dispatched', 'en_route', 'on_scene',
		'disposed', 'feedback', 'closed', 'reopened')),
	category TEXT NOT NULL,
	priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
	lat REAL,
	lon REAL,
	address TEXT,
	first_received_at INTEGER NOT NULL,
	last_received_at INTEGER NOT NULL,
	alert_count INTEGER NOT NULL DEFAULT 0,
	repeat_caller INTEGER NOT NULL DEFAULT 0,
	repeat_place INTEGER NOT NULL DEFAULT 0,
	disposal TEXT,    -- disposal result, required to close
	feedback TEXT,    -- feedback to the caller, required to close
	close_reason TEXT, -- unfounded / duplicate closes straight from received
	closed_at INTEGER,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incident_unit_state ON incident(unit_code, state, first_received_at);
CREATE INDEX incident_unit_time ON incident(unit_code, first_received_at);

CREATE TABLE alert (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	incident_id TEXT NOT NULL REFERENCES incident(id),
	unit_code TEXT NOT NULL REFERENCES unit(code),
	grid_code TEXT REFERENCES unit(code),
	received_at INTEGER NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('phone_110', 'walk_in', 'patrol', 'app', 'video',
		'other')),
	caller_name TEXT,
	caller_phone TEXT,      -- as entered
	caller_phone_norm TEXT, -- normalised digits, '' when none
	lat REAL,
	lon REAL,
	address TEXT,           -- as entered
	address_norm TEXT,
	category TEXT NOT NULL,
	priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
	description TEXT NOT NULL,      -- as entered
	description_norm TEXT NOT NULL, -- NFKC, Traditional→Simplified, folded punctuation
	idempotency_key TEXT,
	extra TEXT, -- JSON object of fields kept from imports
	created_at INTEGER NOT NULL,
	created_by TEXT
);
CREATE INDEX alert_incident ON alert(incident_id, received_at);
CREATE INDEX alert_phone ON alert(caller_phone_norm, received_at);
CREATE INDEX alert_unit_time ON alert(unit_code, received_at);
CREATE UNIQUE INDEX alert_idempotency ON alert(created_by, idempotency_key)
	WHERE idempotency_key IS NOT NULL;

-- How each alert found its incident, with the engine's reasons.
CREATE TABLE merge_decision (
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
);
CREATE INDEX merge_decision_alert ON merge_decision(alert_id, decided_at);

-- The incident's timeline: every transition, merge, split and note.
CREATE TABLE incident_event (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incident(id),
	at INTEGER NOT NULL,
	by_user TEXT,
	kind TEXT NOT NULL, -- transition, alert, merge, split, note
	from_state TEXT,
	to_state TEXT,
	note TEXT
);
CREATE INDEX incident_event_incident ON incident_event(incident_id, at);
