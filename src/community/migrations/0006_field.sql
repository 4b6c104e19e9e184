-- Community field work (community/field.h): contact cards with a public
-- token for their QR code, the messages residents leave through it,
-- door-to-door service requests (送证上门 / 背包警务) and clues (线索).
-- Times are UTC milliseconds; ids are UUIDv7 text.

-- 警民联系卡: one per officer and grid (or station). The token is the
-- public, unguessable part of the card's address; a disabled card's page
-- takes no more messages.
CREATE TABLE contact_card (
	id TEXT PRIMARY KEY,
	token TEXT NOT NULL UNIQUE,
	user_id TEXT NOT NULL REFERENCES app_user(id),
	unit_code TEXT NOT NULL REFERENCES unit(code), -- the grid or post it serves
	work_phone TEXT,                               -- as printed; NULL: the user's phone
	motto TEXT,                                    -- a line of the officer's own
	active INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES app_user(id),
	updated_at INTEGER NOT NULL,
	UNIQUE (user_id, unit_code)
);
CREATE INDEX contact_card_unit ON contact_card(unit_code);

-- What a resident left on a card's page: a message or a service booking.
-- It lands in the card officer's queue; handling may turn it into a
-- service request or a clue.
CREATE TABLE resident_message (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- LY-<unit>-<date>-NNNN
	card_id TEXT NOT NULL REFERENCES contact_card(id),
	unit_code TEXT NOT NULL REFERENCES unit(code),
	officer_id TEXT NOT NULL REFERENCES app_user(id),
	kind TEXT NOT NULL CHECK (kind IN ('message', 'booking')),
	service_kind TEXT, -- for bookings: see service_request.kind
	name TEXT,
	phone TEXT,      -- as entered
	phone_norm TEXT, -- normalised
	address TEXT,
	text TEXT NOT NULL,
	preferred_at INTEGER,
	client TEXT, -- the sender's address, for abuse handling
	received_at INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'handled')),
	handled_at INTEGER,
	handled_by TEXT REFERENCES app_user(id),
	handling_note TEXT,
	service_request_id TEXT, -- when turned into one
	clue_id TEXT,            -- when turned into one
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX resident_message_unit ON resident_message(unit_code, state, received_at);
CREATE INDEX resident_message_officer ON resident_message(officer_id, state, received_at);

-- Door-to-door services: ID cards delivered, registration at home for
-- elderly or disabled residents, certificates.
CREATE TABLE service_request (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- FW-<unit>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code),
	kind TEXT NOT NULL CHECK (kind IN ('id_card_delivery', 'home_registration',
		'residence_permit', 'certificate', 'other')),
	person_name TEXT NOT NULL,
	phone TEXT,
	phone_norm TEXT,
	address TEXT NOT NULL,
	lat REAL,
	lon REAL,
	reason TEXT, -- why at home: elderly, disabled, ill, ...
	details TEXT,
	source TEXT NOT NULL CHECK (source IN ('walk_in', 'phone', 'resident_message', 'visit',
		'other')),
	message_id TEXT REFERENCES resident_message(id),
	state TEXT NOT NULL CHECK (state IN ('requested', 'scheduled', 'completed', 'cancelled')),
	preferred_at INTEGER,
	assigned_to TEXT REFERENCES app_user(id),
	scheduled_at INTEGER,
	completed_at INTEGER,
	completed_by TEXT REFERENCES app_user(id),
	proof TEXT,           -- what shows it was done (receipt number, signature note)
	cancel_reason TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES app_user(id),
	updated_at INTEGER NOT NULL
);
CREATE INDEX service_request_unit ON service_request(unit_code, state, created_at);
CREATE INDEX service_request_assigned ON service_request(assigned_to, state, scheduled_at);

-- Clues (线索) from any source, routed to the case team or the command room.
CREATE TABLE clue (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- XS-<unit>-<date>-NNNN
	unit_code TEXT NOT NULL REFERENCES unit(code),
	source TEXT NOT NULL CHECK (source IN ('visit', 'volunteer', 'grid_worker',
		'resident_message', 'patrol', 'other')),
	message_id TEXT REFERENCES resident_message(id),
	text TEXT NOT NULL,
	address TEXT,
	lat REAL,
	lon REAL,
	reported_by TEXT REFERENCES app_user(id),
	reported_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('new', 'routed', 'accepted', 'closed')),
	routed_to TEXT CHECK (routed_to IN ('case_team', 'command_room')),
	routed_at INTEGER,
	routed_by TEXT REFERENCES app_user(id),
	accepted_at INTEGER,
	accepted_by TEXT REFERENCES app_user(id),
	closed_at INTEGER,
	closed_by TEXT REFERENCES app_user(id),
	result TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX clue_unit ON clue(unit_code, state, reported_at);
