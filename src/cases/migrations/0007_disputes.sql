-- Disputes and mediation (矛盾纠纷排查化解, cases/dispute.h, docs/disputes.md):
-- the dispute with its grade and reasons, its parties, mediation sessions,
-- follow-ups (回访) and timeline. overdue is derived (deadline passed, still
-- open), never stored; KPIs are computed from these rows. Times are UTC
-- milliseconds; money is integer fen; ids are UUIDv7 text.

CREATE TABLE dispute (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- TJ-<station>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code), -- the owning station
	grid_code TEXT REFERENCES unit(code),          -- a grid of the station, if known
	type TEXT NOT NULL CHECK (type IN ('neighbour', 'family', 'marriage', 'land_boundary',
		'labour_wages', 'consumer', 'traffic', 'property_management', 'other')),
	description TEXT NOT NULL,      -- as entered
	description_norm TEXT NOT NULL, -- NFKC, Traditional→Simplified (what grading reads)
	occurred_at INTEGER NOT NULL,
	lat REAL,
	lon REAL,
	address TEXT,
	people_involved INTEGER NOT NULL,
	amount_fen INTEGER NOT NULL DEFAULT 0,
	source TEXT NOT NULL CHECK (source IN ('incident', 'visit', 'grid_worker', 'volunteer',
		'walk_in', 'resident_message')),
	incident_id TEXT REFERENCES incident(id),
	score INTEGER NOT NULL,       -- the risk score at intake
	grade_auto TEXT NOT NULL CHECK (grade_auto IN ('general', 'key', 'major')),
	grade TEXT NOT NULL CHECK (grade IN ('general', 'key', 'major')), -- in force
	grade_reasons TEXT NOT NULL,  -- JSON array of sentences, each with its points
	grade_override_reason TEXT,   -- the latest override by a person, if any
	grade_overridden_by TEXT REFERENCES app_user(id),
	assigned_user_id TEXT REFERENCES app_user(id), -- the officer (key, major)
	working_group TEXT,           -- JSON array of department codes (major)
	state TEXT NOT NULL CHECK (state IN ('graded', 'assigned', 'mediating',
		'resolved_agreement', 'resolved', 'referred', 'failed', 'following_up', 'closed',
		'reopened')),
	outcome TEXT CHECK (outcome IN ('resolved_agreement', 'resolved', 'referred', 'failed')),
	outcome_at INTEGER,
	outcome_note TEXT,
	agreement_terms TEXT,         -- resolved_agreement
	referred_kind TEXT CHECK (referred_kind IN ('court', 'arbitration', 'department')),
	referred_to TEXT,             -- the court, arbitration body or department named
	resolved_at INTEGER,          -- the latest resolution (resolved_agreement or resolved)
	session_count INTEGER NOT NULL DEFAULT 0,
	reopened_count INTEGER NOT NULL DEFAULT 0,
	deadline_at INTEGER NOT NULL,
	escalated_at INTEGER,                      -- once, when found overdue
	escalated_to TEXT REFERENCES app_user(id), -- the station's chief
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL, -- reported: the date that puts it into a KPI period
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX dispute_unit_created ON dispute(unit_code, created_at);
CREATE INDEX dispute_grid_created ON dispute(grid_code, created_at);
CREATE INDEX dispute_incident ON dispute(incident_id);
-- The register's sort orders: a page is read in order and stops after its rows.
CREATE INDEX dispute_deadline ON dispute(deadline_at, id);
CREATE INDEX dispute_created ON dispute(created_at, id);
CREATE INDEX dispute_to_escalate ON dispute(deadline_at)
	WHERE escalated_at IS NULL AND state IN ('graded', 'assigned', 'mediating', 'reopened');

-- The parties. person_id refers to the person registry (migration 0005,
-- built on another branch) as plain text, without a foreign key until that
-- registry is merged.
CREATE TABLE dispute_party (
	id TEXT PRIMARY KEY,
	dispute_id TEXT NOT NULL REFERENCES dispute(id),
	seq INTEGER NOT NULL, -- 1, 2, ... in the order given
	name TEXT NOT NULL,
	phone TEXT,      -- as entered
	phone_norm TEXT, -- normalised digits, NULL when none
	id_number TEXT,  -- normalised 18 characters, NULL when none
	person_id TEXT   -- the registry's person, when known (no foreign key yet)
);
CREATE UNIQUE INDEX dispute_party_seq ON dispute_party(dispute_id, seq);
CREATE INDEX dispute_party_phone ON dispute_party(phone_norm) WHERE phone_norm IS NOT NULL;
CREATE INDEX dispute_party_idnum ON dispute_party(id_number) WHERE id_number IS NOT NULL;

CREATE TABLE mediation_session (
	id TEXT PRIMARY KEY,
	dispute_id TEXT NOT NULL REFERENCES dispute(id),
	seq INTEGER NOT NULL,
	held_at INTEGER NOT NULL,
	place TEXT NOT NULL,
	mediators TEXT NOT NULL,    -- JSON array of names
	participants TEXT NOT NULL, -- JSON array of names
	said TEXT NOT NULL,         -- what was said
	agreed TEXT,                -- what was agreed, if anything
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES app_user(id)
);
CREATE UNIQUE INDEX mediation_session_seq ON mediation_session(dispute_id, seq);

-- Follow-ups (回访) scheduled at a resolution; cancelled when the dispute flares up.
CREATE TABLE dispute_follow_up (
	id TEXT PRIMARY KEY,
	dispute_id TEXT NOT NULL REFERENCES dispute(id),
	due_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'cancelled')),
	done_at INTEGER,
	method TEXT CHECK (method IN ('phone', 'visit')),
	result TEXT,
	flare_up INTEGER NOT NULL DEFAULT 0,
	done_by TEXT REFERENCES app_user(id)
);
CREATE INDEX dispute_follow_up_dispute ON dispute_follow_up(dispute_id, due_at);

-- The timeline: intake, grading, overrides, assignment, sessions, outcomes,
-- follow-ups, reopening and escalations, as sentences.
CREATE TABLE dispute_event (
	id TEXT PRIMARY KEY,
	dispute_id TEXT NOT NULL REFERENCES dispute(id),
	seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	by_user TEXT REFERENCES app_user(id), -- NULL for the system
	kind TEXT NOT NULL CHECK (kind IN ('reported', 'grade_override', 'assigned', 'session',
		'outcome', 'follow_up', 'reopened', 'closed', 'escalation')),
	text TEXT NOT NULL
);
CREATE UNIQUE INDEX dispute_event_seq ON dispute_event(dispute_id, seq);
