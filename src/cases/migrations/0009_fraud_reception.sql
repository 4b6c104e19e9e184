-- Anti-fraud warnings and dissuasion (预警劝阻) and the reception hall
-- (暖心警务会客厅): cases/fraud.h, cases/reception.h, docs/fraud.md,
-- docs/reception.md. Times are UTC milliseconds, money integer fen, ids
-- UUIDv7 text. overdue is derived (deadline passed, not reached), never
-- stored; KPIs are computed from these rows (docs/kpi.md).

CREATE TABLE fraud_warning (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- YJ-<station>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code),	-- responsible station
	grid_code TEXT REFERENCES unit(code),		-- responsible grid, when known
	assigned_to TEXT REFERENCES app_user(id),	-- responsible officer, when any
	route TEXT NOT NULL CHECK (route IN ('location', 'phone_history', 'station')),
	source TEXT NOT NULL CHECK (source IN ('centre', 'manual', 'import')),
	external_ref TEXT, -- the anti-fraud centre's reference
	phone TEXT,	   -- as given
	phone_norm TEXT NOT NULL DEFAULT '', -- normalised, '' when none
	person_name TEXT,
	id_number TEXT NOT NULL DEFAULT '', -- normalised 18 characters, '' when none
	person_id TEXT, -- a person of the registry when one exists (no registry on this schema yet)
	address TEXT,
	lat REAL,
	lon REAL,
	warning_type TEXT NOT NULL,
	level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
	warned_at INTEGER NOT NULL,   -- the centre's time of the warning
	received_at INTEGER NOT NULL, -- when the station got it: the deadline counts from here
	deadline_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('received', 'assigned', 'contacting', 'dissuaded',
		'not_reached', 'already_paid', 'not_involved', 'closed')),
	outcome TEXT, -- the state it was closed from
	attempts INTEGER NOT NULL DEFAULT 0,
	first_reached_at INTEGER, -- time of the first attempt that reached the person
	person_state TEXT,	  -- as the latest attempt that reached them found it
	dissuaded INTEGER NOT NULL DEFAULT 0,
	protected_fen INTEGER NOT NULL DEFAULT 0, -- sum over the attempts
	escalated_at INTEGER,
	escalated_to TEXT REFERENCES app_user(id),
	description TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
-- Lists and KPIs by station and receipt time; it covers the KPI's columns, so a period's
-- figures are read from the index alone.
CREATE INDEX fraud_warning_unit_received ON fraud_warning(unit_code, received_at, deadline_at,
	first_reached_at, state, dissuaded, person_state, protected_fen, escalated_at);
CREATE INDEX fraud_warning_unit_deadline ON fraud_warning(unit_code, deadline_at);
CREATE INDEX fraud_warning_phone ON fraud_warning(phone_norm, warned_at);
CREATE INDEX fraud_warning_idnum ON fraud_warning(id_number, warned_at);
CREATE INDEX fraud_warning_to_escalate ON fraud_warning(deadline_at)
	WHERE escalated_at IS NULL AND first_reached_at IS NULL AND state <> 'closed';
CREATE UNIQUE INDEX fraud_warning_external ON fraud_warning(external_ref)
	WHERE external_ref IS NOT NULL;

CREATE TABLE dissuasion_attempt (
	id TEXT PRIMARY KEY,
	warning_id TEXT NOT NULL REFERENCES fraud_warning(id),
	seq INTEGER NOT NULL,
	method TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms', 'family', 'bank',
		'grid_worker', 'other')),
	at INTEGER NOT NULL,
	reached INTEGER NOT NULL,
	person_state TEXT CHECK (person_state IN ('already_paid', 'about_to_pay', 'not_involved',
		'unknown')),
	dissuaded INTEGER NOT NULL DEFAULT 0,
	protected_fen INTEGER NOT NULL DEFAULT 0,
	note TEXT,
	by_user TEXT REFERENCES app_user(id),
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX dissuasion_attempt_warning ON dissuasion_attempt(warning_id, seq);

-- A warned person later reported as defrauded (预后归零): the alert or case
-- reporting it, matched by normalised phone or ID number, or linked by hand.
CREATE TABLE fraud_link (
	warning_id TEXT NOT NULL REFERENCES fraud_warning(id),
	kind TEXT NOT NULL CHECK (kind IN ('alert', 'case')),
	object_id TEXT NOT NULL,
	matched_by TEXT NOT NULL CHECK (matched_by IN ('phone', 'id_number', 'manual')),
	reported_at INTEGER NOT NULL,
	linked_at INTEGER NOT NULL,
	linked_by TEXT REFERENCES app_user(id), -- NULL for the automatic match
	note TEXT,
	PRIMARY KEY (warning_id, kind, object_id)
);

CREATE TABLE fraud_outreach (
	id TEXT PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES unit(code), -- a station, or a grid or post under one
	held_at INTEGER NOT NULL,
	place TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('talk', 'leaflets', 'school', 'village', 'market',
		'community', 'enterprise', 'bank', 'online', 'other')),
	audience TEXT NOT NULL CHECK (audience IN ('residents', 'elderly', 'students', 'workers',
		'merchants', 'tourists', 'mixed')),
	attendance INTEGER NOT NULL CHECK (attendance >= 0),
	note TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX fraud_outreach_unit_held ON fraud_outreach(unit_code, held_at);

-- The reception hall's walk-in log.
CREATE TABLE reception_visit (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- JD-<station>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code), -- the station of the hall
	visitor_name TEXT NOT NULL,
	phone TEXT,
	phone_norm TEXT NOT NULL DEFAULT '',
	need TEXT NOT NULL CHECK (need IN ('consultation', 'help', 'lost_found', 'certificate',
		'mediation', 'report')),
	what_done TEXT,
	started_at INTEGER NOT NULL,
	ended_at INTEGER,
	handled_by TEXT REFERENCES app_user(id),
	converted_to TEXT CHECK (converted_to IN ('alert', 'service_request', 'dispute', 'case')),
	converted_id TEXT, -- the object made, NULL while the conversion is pending
	conversion_state TEXT CHECK (conversion_state IN ('done', 'pending')),
	converted_at INTEGER,
	converted_by TEXT REFERENCES app_user(id),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX reception_visit_unit_started ON reception_visit(unit_code, started_at);
