-- Command room, dispatch: response units (处警力量) with their position
-- history, and dispatches of units to incidents with the time of each step.
-- Codes of types and statuses are those of src/command/eta.h. Times are UTC
-- milliseconds; ids are UUIDv7 text.

CREATE TABLE response_unit (
	id TEXT PRIMARY KEY,
	unit_code TEXT NOT NULL REFERENCES unit(code), -- owning station
	call_sign TEXT NOT NULL, -- 呼号, e.g. 巡逻1组; unique within the station
	type TEXT NOT NULL CHECK (type IN ('car', 'foot', 'motorbike', 'auxiliary_team',
		'volunteer_team')),
	status TEXT NOT NULL CHECK (status IN ('available', 'dispatched', 'en_route', 'on_scene',
		'busy', 'off_duty')),
	last_lat REAL, -- last reported position (WGS-84), NULL until the first report
	last_lon REAL,
	last_at INTEGER,
	members TEXT, -- who is in it, free text
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX response_unit_call_sign ON response_unit(unit_code, call_sign);

-- Every reported position, also those older than the unit's last one.
CREATE TABLE unit_position (
	id TEXT PRIMARY KEY,
	response_unit_id TEXT NOT NULL REFERENCES response_unit(id),
	lat REAL NOT NULL,
	lon REAL NOT NULL,
	at INTEGER NOT NULL, -- when the position was taken
	accuracy_m REAL,
	source TEXT NOT NULL CHECK (source IN ('gps', 'app', 'manual')),
	received_at INTEGER NOT NULL, -- when the server stored it
	created_by TEXT
);
CREATE INDEX unit_position_unit ON unit_position(response_unit_id, at);

-- One unit sent to one incident: dispatched → acknowledged → en_route →
-- on_scene → cleared, or cancelled before it reaches the scene.
CREATE TABLE dispatch (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incident(id),
	response_unit_id TEXT NOT NULL REFERENCES response_unit(id),
	state TEXT NOT NULL CHECK (state IN ('dispatched', 'acknowledged', 'en_route',
		'on_scene', 'cleared', 'cancelled')),
	dispatched_at INTEGER NOT NULL,
	dispatched_by TEXT,
	acknowledged_at INTEGER,
	en_route_at INTEGER,
	on_scene_at INTEGER,
	cleared_at INTEGER,
	cancelled_at INTEGER,
	note TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX dispatch_incident ON dispatch(incident_id, dispatched_at);
CREATE INDEX dispatch_unit ON dispatch(response_unit_id, dispatched_at);
CREATE INDEX dispatch_state ON dispatch(state, dispatched_at);
-- A unit serves one incident at a time.
CREATE UNIQUE INDEX dispatch_unit_active ON dispatch(response_unit_id)
	WHERE state IN ('dispatched', 'acknowledged', 'en_route', 'on_scene');
