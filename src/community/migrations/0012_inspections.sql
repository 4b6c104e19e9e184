-- Inspections of organisations and venues (community/inspection.h): a
-- checklist per venue type, each item passed or failed; a failed item is a
-- hazard with a rectification deadline, closed by a re-inspection. Overdue
-- is derived (open past its deadline), never stored. Times are UTC ms.
CREATE TABLE inspection (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- JC-<unit>-<date>-NNNN
	organisation_id TEXT NOT NULL REFERENCES organisation(id),
	unit_path TEXT NOT NULL, -- the organisation's, for scope
	inspector_id TEXT NOT NULL REFERENCES app_user(id),
	inspected_at INTEGER NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('passed', 'hazards_found')),
	notes TEXT,
	created_at INTEGER NOT NULL
);
CREATE INDEX inspection_org ON inspection(organisation_id, inspected_at);
CREATE INDEX inspection_unit ON inspection(unit_path, inspected_at);

CREATE TABLE inspection_item (
	inspection_id TEXT NOT NULL REFERENCES inspection(id),
	seq INTEGER NOT NULL,
	code TEXT NOT NULL,
	ok INTEGER NOT NULL,
	note TEXT,
	PRIMARY KEY (inspection_id, seq)
);

CREATE TABLE hazard (
	id TEXT PRIMARY KEY,
	inspection_id TEXT NOT NULL REFERENCES inspection(id),
	organisation_id TEXT NOT NULL REFERENCES organisation(id),
	unit_path TEXT NOT NULL,
	item_code TEXT NOT NULL,
	description TEXT NOT NULL,
	deadline_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'rectified')),
	rectified_at INTEGER,
	reinspected_by TEXT REFERENCES app_user(id),
	reinspection_note TEXT,
	reinspections INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
CREATE INDEX hazard_unit ON hazard(unit_path, state, deadline_at);
CREATE INDEX hazard_org ON hazard(organisation_id, state);
