-- Livelihood cases (民生小案), their legal-step deadlines, transfers (移交)
-- of cases and clues to specialised units, and case series (串并案).
-- See cases/case.h, cases/transfer.h, cases/linkage.h and docs/cases.md.
-- Times are UTC milliseconds; money is integer fen; ids are UUIDv7 text.
-- "case" is an SQL keyword: the table is case_file.

CREATE TABLE case_file (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- AJ-<station>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code), -- owning station
	grid_code TEXT REFERENCES unit(code),
	incident_id TEXT REFERENCES incident(id), -- NULL for walk-ins
	origin TEXT NOT NULL CHECK (origin IN ('incident', 'walk_in')),
	type TEXT NOT NULL,       -- a code of the case-type table (cases/case.c)
	type_group TEXT NOT NULL, -- its group (theft, fraud, ...), for linkage
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	method TEXT,              -- 作案手段 as written
	method_norm TEXT,         -- normalised (core/text.h)
	property_norm TEXT,       -- normalised descriptions of the property lost
	suspect_norm TEXT,        -- normalised descriptions of the suspects
	-- 64-bit token signatures of the three texts (cases/linkage.h): bounds for linkage
	method_sig INTEGER NOT NULL DEFAULT 0,
	property_sig INTEGER NOT NULL DEFAULT 0,
	suspect_sig INTEGER NOT NULL DEFAULT 0,
	occurred_at INTEGER NOT NULL,
	occurred_minute INTEGER NOT NULL, -- minute of the day in China Standard Time
	lat REAL,
	lon REAL,
	address TEXT,
	state TEXT NOT NULL CHECK (state IN ('accepted', 'investigating', 'solved', 'closed',
		'transferred', 'reopened')),
	officer_id TEXT REFERENCES app_user(id), -- handling officer
	accepted_at INTEGER NOT NULL,
	solved_at INTEGER,
	closed_at INTEGER,
	transferred_at INTEGER,
	result TEXT, -- how it was solved, or why it was closed / reopened (latest)
	lost_fen INTEGER NOT NULL DEFAULT 0,      -- sum of property lost
	recovered_fen INTEGER NOT NULL DEFAULT 0, -- sum of property and money recovered (挽损)
	next_due_at INTEGER, -- the earliest deadline of the steps not done (NULL: none); from case_step
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
-- The list's first step (ids of one page) and the KPIs read only this index.
CREATE INDEX case_file_list ON case_file(unit_code, accepted_at, state, type, next_due_at,
	officer_id, occurred_at, lost_fen, recovered_fen, transferred_at, incident_id, id);
-- Linkage's first pass reads only this index (cases/linkage.c).
CREATE INDEX case_file_linkage ON case_file(type_group, occurred_at, unit_code, type,
	occurred_minute, lat, lon, method_sig, property_sig, suspect_sig, id);
CREATE INDEX case_file_incident ON case_file(incident_id);
CREATE INDEX case_file_officer ON case_file(officer_id, state);

-- Victims, suspects and witnesses, as named on the case.
CREATE TABLE case_party (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file(id),
	seq INTEGER NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('victim', 'suspect', 'witness')),
	name TEXT NOT NULL,
	phone TEXT,      -- normalised (core/phone.h)
	id_number TEXT,  -- normalised (core/idnum.h)
	description TEXT -- e.g. a suspect's looks
);
CREATE UNIQUE INDEX case_party_case ON case_party(case_id, seq);

-- Property lost, and property or money recovered (挽损), value in fen.
CREATE TABLE case_property (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file(id),
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('lost', 'recovered')),
	description TEXT NOT NULL,
	value_fen INTEGER NOT NULL CHECK (value_fen >= 0),
	at INTEGER, -- recovered: when
	created_at INTEGER NOT NULL,
	created_by TEXT
);
CREATE UNIQUE INDEX case_property_case ON case_property(case_id, seq);

CREATE TABLE case_evidence (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file(id),
	seq INTEGER NOT NULL,
	description TEXT NOT NULL,
	collected_at INTEGER NOT NULL,
	created_by TEXT
);
CREATE UNIQUE INDEX case_evidence_case ON case_evidence(case_id, seq);

-- The legal steps the station handles, each with its deadline. overdue is
-- derived (due passed, not done); escalation is a recorded event.
CREATE TABLE case_step (
	case_id TEXT NOT NULL REFERENCES case_file(id),
	step TEXT NOT NULL CHECK (step IN ('decide', 'conclude', 'transfer')),
	due_at INTEGER NOT NULL,
	done_at INTEGER,
	extended INTEGER NOT NULL DEFAULT 0, -- times extended (at most once)
	escalated_at INTEGER,
	escalated_to TEXT REFERENCES app_user(id),
	PRIMARY KEY (case_id, step)
);
CREATE INDEX case_step_to_escalate ON case_step(due_at)
	WHERE done_at IS NULL AND escalated_at IS NULL;

-- The case's timeline: steps, additions, escalations, as written.
CREATE TABLE case_event (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file(id),
	at INTEGER NOT NULL,
	by_user TEXT,
	kind TEXT NOT NULL,
	text TEXT NOT NULL
);
CREATE INDEX case_event_case ON case_event(case_id, at);

-- A transfer (移交) of a case, or of a clue (线索), to another unit.
CREATE TABLE case_transfer (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- YJ-… (case) or XS-… (clue)
	unit_code TEXT NOT NULL REFERENCES unit(code), -- the handing-over station
	kind TEXT NOT NULL CHECK (kind IN ('case', 'clue')),
	case_id TEXT REFERENCES case_file(id),
	incident_id TEXT REFERENCES incident(id),
	clue_text TEXT,
	clue_source TEXT,
	receiver_name TEXT NOT NULL,
	receiver_kind TEXT NOT NULL,
	items TEXT NOT NULL, -- JSON array of what was handed over
	note TEXT,
	transferred_at INTEGER NOT NULL,
	transferred_by TEXT REFERENCES app_user(id),
	ack_by TEXT,  -- the receiver's name, as given
	ack_at INTEGER,
	feedback_result TEXT,
	feedback_at INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX case_transfer_unit_time ON case_transfer(unit_code, transferred_at);
CREATE INDEX case_transfer_case ON case_transfer(case_id);

-- A series of linked cases (串并案).
CREATE TABLE case_series (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- CB-…
	unit_code TEXT NOT NULL REFERENCES unit(code), -- the linking user's unit
	name TEXT NOT NULL,
	reason TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES app_user(id)
);
CREATE TABLE case_series_member (
	series_id TEXT NOT NULL REFERENCES case_series(id),
	case_id TEXT NOT NULL REFERENCES case_file(id),
	PRIMARY KEY (series_id, case_id)
);
CREATE INDEX case_series_member_case ON case_series_member(case_id);
