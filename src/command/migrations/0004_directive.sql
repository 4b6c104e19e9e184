-- Governance directives (治理指令): tasks from the command room to a team,
-- officer or grid, with a deadline and required feedback (command/directive.h).
-- overdue is derived (deadline passed, not approved), never stored; KPIs are
-- computed from these rows (docs/kpi.md). Times are UTC milliseconds; ids are
-- UUIDv7 text.

CREATE TABLE directive (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- ZL-<station>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code), -- issuing station
	source TEXT NOT NULL CHECK (source IN ('incident', 'repeat_caller', 'repeat_place',
		'hotspot', 'manual')),
	source_ref TEXT,  -- incident id, normalised phone, or place/hotspot description
	incident_id TEXT REFERENCES incident(id), -- the incident it came from, if any
	target_team TEXT NOT NULL CHECK (target_team IN ('community', 'case', 'command')),
	target_user_id TEXT REFERENCES app_user(id), -- the officer named, if any
	target_grid TEXT REFERENCES unit(code),      -- a grid of the station, if any
	title TEXT NOT NULL,
	what_to_do TEXT NOT NULL,
	deadline_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('issued', 'accepted', 'in_progress',
		'feedback_submitted', 'approved', 'returned')),
	issued_at INTEGER NOT NULL,
	issued_by TEXT REFERENCES app_user(id),
	accepted_at INTEGER,
	started_at INTEGER,            -- the latest start (again after a return)
	feedback_submitted_at INTEGER, -- the latest feedback
	approved_at INTEGER,
	returned_count INTEGER NOT NULL DEFAULT 0,
	escalated_at INTEGER,                      -- once, when found overdue
	escalated_to TEXT REFERENCES app_user(id), -- the station's chief
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX directive_unit_deadline ON directive(unit_code, deadline_at);
CREATE INDEX directive_unit_issued ON directive(unit_code, issued_at);
CREATE INDEX directive_target_user ON directive(target_user_id, deadline_at);
CREATE INDEX directive_incident ON directive(incident_id);
-- The escalation job looks only at open directives not escalated yet.
CREATE INDEX directive_to_escalate ON directive(deadline_at)
	WHERE escalated_at IS NULL AND state <> 'approved';

-- The directive's timeline: feedback, reasons for returning, approval notes
-- and escalations, as written.
CREATE TABLE directive_feedback (
	id TEXT PRIMARY KEY,
	directive_id TEXT NOT NULL REFERENCES directive(id),
	seq INTEGER NOT NULL, -- 1, 2, ... per directive: the order of the timeline
	at INTEGER NOT NULL,
	by_user TEXT REFERENCES app_user(id), -- NULL for the system (escalation)
	text TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('feedback', 'return_reason', 'approval_note',
		'escalation'))
);
CREATE UNIQUE INDEX directive_feedback_directive ON directive_feedback(directive_id, seq);
