-- Household visits (入户走访, community/visit.h): who went where and when,
-- whom they met, what they learned (needs, risks, disputes, clues) and the
-- follow-up it calls for. Times are UTC milliseconds; ids are UUIDv7 text.
CREATE TABLE household_visit (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- ZF-<grid>-<date>-NNNN
	house_id TEXT NOT NULL REFERENCES house(id),
	unit_path TEXT NOT NULL,     -- the house's, for scope
	grid TEXT REFERENCES unit(code),
	station TEXT NOT NULL REFERENCES unit(code),
	visited_at INTEGER NOT NULL,
	officer_id TEXT NOT NULL REFERENCES app_user(id),
	lat REAL, -- where the visit was logged (the phone's fix), if given
	lon REAL,
	people_met TEXT NOT NULL DEFAULT '[]', -- JSON array of names or person ids
	purpose TEXT NOT NULL CHECK (purpose IN ('routine', 'registration', 'elderly_care',
		'dispute', 'safety', 'anti_fraud', 'follow_up', 'other')),
	learned TEXT,
	needs TEXT,
	risks TEXT,
	dispute_found INTEGER NOT NULL DEFAULT 0,
	clue_id TEXT, -- a clue reported from this visit (community/field.h)
	follow_up_at INTEGER,
	follow_up_done_at INTEGER,
	follow_up_note TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
CREATE INDEX household_visit_house ON household_visit(house_id, visited_at);
CREATE INDEX household_visit_unit ON household_visit(unit_path, visited_at);
CREATE INDEX household_visit_follow_up ON household_visit(follow_up_at)
	WHERE follow_up_at IS NOT NULL AND follow_up_done_at IS NULL;
